"""XOR with forward() and backward() functions."""
import numpy as np

np.random.seed(6)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params = {"W1": np.random.randn(2, 4), "b1": np.zeros(4), "W2": np.random.randn(4, 1), "b2": np.zeros(1)}

epochs = int(1e-4)   # 10^4 epochs
lr = 1.0


def forward(params, X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    return h, out


def backward(params, X, y, h, out):
    d2 = (out - y) / len(X)
    d1 = (d2 @ params["W2"].T) * (1 - h ** 2)
    return {"W1": X.T @ d1, "b1": d1.sum(0), "W2": h.T @ d2, "b2": d2.sum(0)}


loss_history = []
for epoch in range(epochs):
    h, out = forward(params, X)
    loss_history.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
    grads = backward(params, X, y, h, out)
    for k in params:
        params[k] -= lr * grads[k]

print("trained for", epochs, "epochs")
print(forward(params, X)[1].round(3))
