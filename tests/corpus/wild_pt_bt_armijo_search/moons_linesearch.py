import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=500, noise=0.15, random_state=11)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.33, random_state=11)
scaler = StandardScaler().fit(X_train)
Xt = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).reshape(-1, 1)
Xv = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).reshape(-1, 1)
bce = nn.BCEWithLogitsLoss()


def init_params(seed, hidden=24):
    g = torch.Generator().manual_seed(seed)
    W1 = (torch.randn(2, hidden, generator=g) * 1.5).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    W2 = torch.randn(hidden, 1, generator=g).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    return [W1, b1, W2, b2]


def forward(params, x):
    W1, b1, W2, b2 = params
    return torch.relu(x @ W1 + b1) @ W2 + b2


def armijo_search(f, params, grads, f0, alpha=2.0, rho=0.8, c=1e-4, max_tries=80):
    """Backtracking: the first alpha = 2 * 0.8^k with f(w - alpha g) <= f0 - c alpha |g|^2."""
    saved = [p.detach().clone() for p in params]
    sq = sum(float((g * g).sum()) for g in grads)
    for _ in range(max_tries):
        with torch.no_grad():
            for p, s, g in zip(params, saved, grads):
                p.copy_(s - alpha * g)
            f_try = float(f())
        if f_try <= f0 - c * alpha * sq:
            return alpha
        with torch.no_grad():                 # undo the rejected trial
            for p, s in zip(params, saved):
                p.copy_(s)
        alpha *= rho
    return 0.0

# --- run 1: fixed learning rate ---
params_fixed = init_params(5)
lr = 0.5
loss_fixed = []
for epoch in range(300):
    loss = bce(forward(params_fixed, Xt), yt)
    grads = torch.autograd.grad(loss, params_fixed)
    with torch.no_grad():
        for p, g in zip(params_fixed, grads):
            p -= lr * g
    loss_fixed.append(loss.item())

# --- run 2: Armijo backtracking ---
params_bt = init_params(5)
loss_bt, steps = [], []
for epoch in range(300):
    loss = bce(forward(params_bt, Xt), yt)
    grads = torch.autograd.grad(loss, params_bt)
    step = armijo_search(lambda: bce(forward(params_bt, Xt), yt), params_bt, grads, loss.item())
    loss_bt.append(loss.item())
    steps.append(step)


def accuracy(params, x, t):
    with torch.no_grad():
        return ((forward(params, x) > 0).float() == t).float().mean().item()


print("fixed : loss %.4f -> %.4f, test acc %.3f" % (loss_fixed[0], loss_fixed[-1], accuracy(params_fixed, Xv, yv)))
print("armijo: loss %.4f -> %.4f, test acc %.3f" % (loss_bt[0], loss_bt[-1], accuracy(params_bt, Xv, yv)))
print("mean step", sum(steps) / len(steps))
