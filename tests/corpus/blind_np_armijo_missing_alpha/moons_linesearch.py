# Lab 6 - moons: fixed learning rate vs Armijo backtracking (NumPy)
# Elena M.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(0)
X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
scaler = StandardScaler()
X = scaler.fit_transform(X)
Y = y.reshape(-1, 1).astype(float)


def init(hidden=16, seed=0):
    r = np.random.RandomState(seed)
    return [r.randn(2, hidden) * 0.7, np.zeros(hidden), r.randn(hidden, 1) * 0.3, np.zeros(1)]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(params, X):
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    return h, sigmoid(h @ W2 + b2)


def loss_fn(params, X, Y):
    _, p = forward(params, X)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))


def gradients(params, X, Y):
    W1, b1, W2, b2 = params
    h, p = forward(params, X)
    n = len(X)
    d2 = (p - Y) / n
    d1 = (d2 @ W2.T) * (1 - h ** 2)
    return [X.T @ d1, d1.sum(0), h.T @ d2, d2.sum(0)]


# ---- 1) fixed learning rate
params_fixed = init()
losses_fixed = []
for epoch in range(300):
    losses_fixed.append(loss_fn(params_fixed, X, Y))
    g = gradients(params_fixed, X, Y)
    params_fixed = [p - 0.5 * gp for p, gp in zip(params_fixed, g)]


# ---- 2) Armijo backtracking
def armijo(params, grads, X, Y, alpha0=1.0, rho=0.5, c=0.5, max_iter=20):
    f0 = loss_fn(params, X, Y)
    gnorm2 = sum(np.sum(g * g) for g in grads)
    alpha = alpha0
    for _ in range(max_iter):
        trial = [p - alpha * g for p, g in zip(params, grads)]
        if loss_fn(trial, X, Y) <= f0 - c * gnorm2:
            return alpha
        alpha = rho * alpha
    return alpha


params_bt = init()
losses_bt = []
for epoch in range(300):
    losses_bt.append(loss_fn(params_bt, X, Y))
    g = gradients(params_bt, X, Y)
    step = armijo(params_bt, g, X, Y)
    params_bt = [p - step * gp for p, gp in zip(params_bt, g)]


def accuracy(params):
    return np.mean((forward(params, X)[1] > 0.5) == Y)

print("fixed: loss %.4f acc %.3f" % (losses_fixed[-1], accuracy(params_fixed)))
print("armijo: loss %.4f acc %.3f" % (losses_bt[-1], accuracy(params_bt)))
