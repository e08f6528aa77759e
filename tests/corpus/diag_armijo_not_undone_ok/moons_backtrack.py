import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


X, y = make_moons(n_samples=300, noise=0.2, random_state=8)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=8)
sc = StandardScaler().fit(X_train)
X_train, X_test = sc.transform(X_train), sc.transform(X_test)
T = y_train[:, None].astype(float)


def new_params(seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, (2, 16)), np.zeros(16), rng.normal(0, 0.5, (16, 1)), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    H = np.tanh(X @ W1 + b1)
    return H, 1 / (1 + np.exp(-(H @ W2 + b2)))


def cost(params, X, T):
    P = np.clip(forward(params, X)[1], 1e-12, 1 - 1e-12)
    return float(-np.mean(T * np.log(P) + (1 - T) * np.log(1 - P)))


def gradients(params, X, T):
    W1, b1, W2, b2 = params
    H, P = forward(params, X)
    d2 = (P - T) / len(X)
    d1 = (d2 @ W2.T) * (1 - H ** 2)
    return [X.T @ d1, d1.sum(axis=0), H.T @ d2, d2.sum(axis=0)]


def backtrack(params, grads, X, T, alpha0=8.0, rho=0.5, c=1e-4):
    """Armijo backtracking: step in place, keep the first alpha that decreases the cost enough."""
    f0 = cost(params, X, T)
    gg = sum(float(np.sum(g * g)) for g in grads)
    alpha = alpha0
    while alpha > 1e-6:
        for p, g in zip(params, grads):
            p -= alpha * g
        if cost(params, X, T) <= f0 - c * alpha * gg:
            return alpha
        for p, g in zip(params, grads):      # rejected: undo the trial step
            p += alpha * g
        alpha *= rho
    return 0.0


# fixed learning rate
params_gd = new_params(0)
losses_gd = []
for epoch in range(600):
    losses_gd.append(cost(params_gd, X_train, T))
    for p, g in zip(params_gd, gradients(params_gd, X_train, T)):
        p -= 0.5 * g

# backtracking
params_bt = new_params(0)
losses_bt, steps = [], []
for epoch in range(600):
    losses_bt.append(cost(params_bt, X_train, T))
    steps.append(backtrack(params_bt, gradients(params_bt, X_train, T), X_train, T))


def accuracy(params, X, y):
    return float(np.mean((forward(params, X)[1].ravel() > 0.5) == y))


print("gd:", losses_gd[-1], accuracy(params_gd, X_test, y_test))
print("bt:", losses_bt[-1], accuracy(params_bt, X_test, y_test))
print("steps:", sorted(set(steps)))
