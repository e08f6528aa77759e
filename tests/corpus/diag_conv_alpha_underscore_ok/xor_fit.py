"""XOR, NumPy. The step size is alpha_ (alpha is taken by my notes for something else)."""
import numpy as np

alpha_ = 0.7
N_EPOCHS = 3000


def fit(X, y, n_hidden=4, seed=9):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((2, n_hidden))
    b1 = np.zeros((1, n_hidden))
    W2 = rng.standard_normal((n_hidden, 1))
    b2 = np.zeros((1, 1))
    cost = []
    for _ in range(N_EPOCHS):
        A1 = np.tanh(X @ W1 + b1)
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        cost.append(float(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))))
        dZ2 = (A2 - y) / len(X)
        dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
        W2 = W2 - alpha_ * (A1.T @ dZ2)
        b2 = b2 - alpha_ * dZ2.sum(axis=0, keepdims=True)
        W1 = W1 - alpha_ * (X.T @ dZ1)
        b1 = b1 - alpha_ * dZ1.sum(axis=0, keepdims=True)
    return (W1, b1, W2, b2), cost


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
weights, cost = fit(X, y)
W1, b1, W2, b2 = weights
A2 = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
print("cost", cost[0], "->", cost[-1])
print("outputs", A2.ravel().round(3))
