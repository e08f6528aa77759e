# Lab 6 -- deeper network (3 hidden layers of 10) on make_moons, NumPy only
# author: Jonas B.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(7)
X, y = make_moons(n_samples=300, noise=0.2, random_state=7)
scaler = StandardScaler()
X = scaler.fit_transform(X)
y = y.reshape(-1, 1).astype(float)
N = X.shape[0]

H = 10
W1 = rng.normal(0, np.sqrt(1 / 2), (2, H)); b1 = np.zeros(H)
W2 = rng.normal(0, np.sqrt(1 / H), (H, H)); b2 = np.zeros(H)
W3 = rng.normal(0, np.sqrt(1 / H), (H, H)); b3 = np.zeros(H)
W4 = rng.normal(0, np.sqrt(1 / H), (H, 1)); b4 = np.zeros(1)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(X):
    a1 = np.tanh(X @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    a3 = np.tanh(a2 @ W3 + b3)
    p = sigmoid(a3 @ W4 + b4)
    return a1, a2, a3, p


def bce(p, y):
    eps = 1e-12
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


lr = 0.3
loss_history = []
for it in range(1500):
    a1, a2, a3, p = forward(X)
    loss_history.append(bce(p, y))

    d4 = (p - y) / N
    gW4 = a3.T @ d4;  gb4 = d4.sum(0)
    d3 = (d4 @ W4.T) * (1 - a3 ** 2)
    gW3 = a2.T @ d3;  gb3 = d3.sum(0)
    d2 = (d3 @ W3.T) * (1 - a2 ** 2)
    gW2 = a1.T @ d2;  gb2 = d2.sum(0)
    d1 = (d2 @ W3.T) * (1 - a1 ** 2)
    gW1 = X.T @ d1;   gb1 = d1.sum(0)

    W1 -= lr * gW1; b1 -= lr * gb1
    W2 -= lr * gW2; b2 -= lr * gb2
    W3 -= lr * gW3; b3 -= lr * gb3
    W4 -= lr * gW4; b4 -= lr * gb4

    if it % 300 == 0:
        print(it, round(loss_history[-1], 4))

acc = np.mean((forward(X)[3] > 0.5) == y)
print("train accuracy", acc)
