# XOR with a regression-style network: tanh hidden layer, LINEAR output unit, MSE loss.
# Prediction = output > 0.5
import numpy as np

rng = np.random.default_rng(7)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = rng.normal(0.0, 1.0, size=(2, 8))
b1 = np.zeros(8)
W2 = rng.normal(0.0, 0.5, size=(8, 1))
b2 = np.zeros(1)

lr = 0.05
losses = []
for it in range(6000):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2                     # no sigmoid here
    loss = np.mean((out - y) ** 2)
    losses.append(loss)

    d_out = 2 * (out - y) / len(X)        # d loss / d out
    gW2 = h.T @ d_out
    gb2 = d_out.sum(axis=0)
    d_h = (d_out @ W2.T) * (1 - h ** 2)
    gW1 = X.T @ d_h
    gb1 = d_h.sum(axis=0)

    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2
    if it % 1000 == 0:
        print(it, loss)

out = np.tanh(X @ W1 + b1) @ W2 + b2
print("outputs:", out.ravel().round(3))
print("predicted classes:", (out > 0.5).astype(int).ravel(), "targets:", y.ravel().astype(int))
print("final MSE", losses[-1])
