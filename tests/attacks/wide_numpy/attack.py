"""Hostile: a moons MLP 1,000,000 units wide (NumPy), so the grader's float64 forward passes
on held-out points and the plot grid would need tens of GB."""
import numpy as np
from sklearn.datasets import make_moons

X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
Y = y.reshape(-1, 1).astype(np.float64)
rng = np.random.default_rng(0)
W1 = rng.normal(0, 0.01, (2, 1_000_000))
b1 = np.zeros(1_000_000)
W2 = rng.normal(0, 0.001, (1_000_000, 1))
b2 = np.zeros(1)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


lr = 0.1
for step in range(2):  # a couple of steps on 4 points: the sandbox itself stays small
    xb, yb = X[4 * step:4 * step + 4], Y[4 * step:4 * step + 4]
    h = sigmoid(xb @ W1 + b1)
    p = sigmoid(h @ W2 + b2)
    d2 = (p - yb) / len(xb)
    d1 = (d2 @ W2.T) * h * (1 - h)
    W2 -= lr * h.T @ d2
    b2 -= lr * d2.sum(axis=0)
    W1 -= lr * xb.T @ d1
    b1 -= lr * d1.sum(axis=0)
    del h, d1
