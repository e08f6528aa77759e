import numpy as np

np.random.seed(21)

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

def dsigmoid(a):
    "derivative, written in terms of the output a = sigmoid(x)"
    return a * (1 + a)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
T = np.array([[0], [1], [1], [0]], dtype=float)
W = [np.random.uniform(-1, 1, (2, 5)), np.random.uniform(-1, 1, (5, 1))]
B = [np.zeros((1, 5)), np.zeros((1, 1))]
alpha = 0.8
history = []
for i in range(6000):
    H = sigmoid(X @ W[0] + B[0])
    O = sigmoid(H @ W[1] + B[1])
    history.append(float(-np.mean(T * np.log(O) + (1 - T) * np.log(1 - O))))
    gO = (O - T) / len(X)                 # BCE + sigmoid
    gH = (gO @ W[1].T) * dsigmoid(H)
    W[1] -= alpha * H.T @ gO
    B[1] -= alpha * gO.sum(axis=0, keepdims=True)
    W[0] -= alpha * X.T @ gH
    B[0] -= alpha * gH.sum(axis=0, keepdims=True)
print("loss", history[0], history[-1])
print("out", O.ravel().round(3))
