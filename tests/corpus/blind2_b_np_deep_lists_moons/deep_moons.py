"""Deep MLP on make_moons: 2 -> 12 -> 12 -> 8 -> 1, tanh hidden, sigmoid out, full-batch GD."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(31)
Xr, yr = make_moons(n_samples=400, noise=0.2, random_state=31)
Xtr, ytr = Xr[:300], yr[:300].reshape(-1, 1)
Xte, yte = Xr[300:], yr[300:].reshape(-1, 1)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)

sizes = [2, 12, 12, 8, 1]
layers = [np.random.randn(a, b) * np.sqrt(1.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]
biases = [np.zeros((1, b)) for b in sizes[1:]]


def run(X):
    acts = [X]
    for k, (W, b) in enumerate(zip(layers, biases)):
        z = acts[-1] @ W + b
        acts.append(np.tanh(z) if k < len(layers) - 1 else 1 / (1 + np.exp(-z)))
    return acts


def bce(p, y):
    p = np.clip(p, 1e-10, 1 - 1e-10)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


step = 0.3
loss_log = []
for ep in range(800):
    acts = run(Xtr)
    loss_log.append(bce(acts[-1], ytr))
    delta = (acts[-1] - ytr) / len(Xtr)
    gW, gb = [None] * len(layers), [None] * len(layers)
    for k in reversed(range(len(layers))):
        gW[k] = acts[k].T @ delta
        gb[k] = delta.sum(axis=0, keepdims=True)
        if k > 0:
            delta = (delta @ layers[k].T) * (1 - acts[k] ** 2)
    for k in range(len(layers)):
        layers[k] -= step * gW[k]
        biases[k] -= step * gb[k]
    if ep % 200 == 0:
        print(f"ep {ep:4d} bce {loss_log[-1]:.4f}")

pred = run(Xte)[-1] > 0.5
print("test accuracy", float(np.mean(pred == yte)))
