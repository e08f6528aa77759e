import numpy as np

np.random.seed(404)
X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)
Wa = np.random.randn(2, 4); ba = np.zeros((1, 4))
Wb = np.random.randn(4, 1); bb = np.zeros((1, 1))
lr = 1.5
mse = []
for t in range(8000):
    H = np.tanh(X @ Wa + ba)
    yhat = 1 / (1 + np.exp(-(H @ Wb + bb)))
    mse.append(float(np.mean((yhat - Y) ** 2) / 2))    # 1/2 * mean squared error
    dout = yhat - Y
    dout = dout / len(X)
    dWb = H.T @ dout; dbb = dout.sum(0, keepdims=True)
    dH = dout @ Wb.T * (1 - H * H)
    dWa = X.T @ dH; dba = dH.sum(0, keepdims=True)
    Wa -= lr * dWa; ba -= lr * dba
    Wb -= lr * dWb; bb -= lr * dbb
print("mse", mse[0], mse[-1])
print(yhat.round(2).ravel())
