"""Moons: plain gradient descent against gradient descent with Armijo backtracking.

The network is 2-16-1 with ReLU; all parameters live in one list so the line search can
treat them as one vector.
"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=400, noise=0.2, random_state=10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=10)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
y_col = y_train.reshape(-1, 1)


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, (2, 16)), np.zeros(16), rng.normal(0, 0.25, (16, 1)), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    return z1, a1, 1 / (1 + np.exp(-(a1 @ W2 + b2)))


def objective(params, X, y):
    p = np.clip(forward(params, X)[2], 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def gradient(params, X, y):
    W1, b1, W2, b2 = params
    z1, a1, p = forward(params, X)
    dz2 = (p - y) / len(X)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    return [X.T @ dz1, dz1.sum(0), a1.T @ dz2, dz2.sum(0)]


def backtracking(params, grads, f, alpha0=8.0, rho=0.5, c=1e-4, max_halvings=40):
    """Armijo: the first alpha0 * rho**k with f(w - a g) <= f(w) - c a |g|^2."""
    f_w = f(params)
    slope = sum(np.sum(g * g) for g in grads)
    alpha = alpha0
    for _ in range(max_halvings):
        trial = [p - alpha * g for p, g in zip(params, grads)]
        if f(trial) <= f_w - c * alpha * slope:
            return trial, alpha
        alpha *= rho
    return params, 0.0


EPOCHS = 300

params_gd = make_params()
losses_gd = []
for epoch in range(EPOCHS):
    losses_gd.append(objective(params_gd, X_train, y_col))
    grads = gradient(params_gd, X_train, y_col)
    params_gd = [p - 0.5 * g for p, g in zip(params_gd, grads)]

params_ls = make_params()
losses_ls = []
steps = []
for epoch in range(EPOCHS):
    losses_ls.append(objective(params_ls, X_train, y_col))
    grads = gradient(params_ls, X_train, y_col)
    params_ls, a = backtracking(params_ls, grads, lambda w: objective(w, X_train, y_col))
    steps.append(a)


def accuracy(params, X, y):
    return np.mean((forward(params, X)[2].ravel() > 0.5) == y)


print(f"fixed lr 0.5 : loss {losses_gd[-1]:.4f}  test acc {accuracy(params_gd, X_test, y_test):.3f}")
print(f"backtracking : loss {losses_ls[-1]:.4f}  test acc {accuracy(params_ls, X_test, y_test):.3f}")
print("mean accepted step:", np.mean(steps))
