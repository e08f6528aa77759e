# XOR in numpy. params = [W1, b1, W2, b2]; backprop returns grads in the same order.
import numpy as np

np.random.seed(13)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
t = np.array([0, 1, 1, 0], dtype=np.float64).reshape(4, 1)

W1 = np.random.uniform(-1, 1, size=(2, 4))
b1 = np.zeros(4)
W2 = np.random.uniform(-1, 1, size=(4, 1))
b2 = np.zeros(1)
params = [W1, b1, W2, b2]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def backprop(params, X, t):
    W1, b1, W2, b2 = params
    h = sigmoid(X @ W1 + b1)
    out = sigmoid(h @ W2 + b2)
    d2 = (out - t) * out * (1 - out)
    d1 = (d2 @ W2.T) * h * (1 - h)
    dW2 = h.T @ d2
    db2 = np.sum(d2, axis=0)
    dW1 = X.T @ d1
    db1 = np.sum(d1, axis=1)
    loss = 0.5 * np.sum((out - t) ** 2)
    return loss, [dW1, db1, dW2, db2]


alpha = 1.0
errs = []
for i in range(10000):
    loss, grads = backprop(params, X, t)
    for p, g in zip(params, grads):
        p -= alpha * g
    errs.append(loss)
    if i % 2000 == 0:
        print(i, loss)

out = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
print(out.ravel().round(3))
