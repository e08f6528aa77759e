"""deep net (3 hidden layers) on moons - minibatch SGD, fixed learning rate"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import matplotlib
import matplotlib.pyplot as plt

rng = np.random.default_rng(seed=31)

acts = {
    'relu':    (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    'sigmoid': (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
}

layer_sizes = [2, 16, 16, 8, 1]
layer_act = ['relu', 'relu', 'relu', 'sigmoid']
L = len(layer_sizes) - 1

Ws = [rng.normal(0.0, np.sqrt(2.0 / layer_sizes[l]), size=(layer_sizes[l], layer_sizes[l + 1])) for l in range(L)]
bs = [np.zeros((1, layer_sizes[l + 1])) for l in range(L)]


def forward_pass(X):
    Zs, As = [], [X]
    for l in range(L):
        z = As[-1] @ Ws[l] + bs[l]
        a = acts[layer_act[l]][0](z)
        Zs.append(z); As.append(a)
    return Zs, As


def loss_fn(p, y):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def backward_pass(Zs, As, y):
    m = y.shape[0]
    dWs = [None] * L
    dbs = [None] * L
    # sigmoid + BCE -> dZ = (A - y) / m
    dZ = (As[-1] - y) / m
    for l in reversed(range(L)):
        dWs[l] = As[l].T @ dZ
        dbs[l] = dZ.sum(axis=0, keepdims=True)
        if l > 0:
            dA = dZ @ Ws[l].T
            dZ = dA * acts[layer_act[l - 1]][1](Zs[l - 1], As[l])
    return dWs, dbs


X, y = make_moons(n_samples=800, noise=0.2, random_state=4)
y = y.reshape(-1, 1).astype(float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=4, stratify=y)
sc = StandardScaler()
X_train = sc.fit_transform(X_train)
X_test = sc.transform(X_test)

lr = 0.05
batch = 32
n_epochs = 120
epoch_loss = []
for ep in range(n_epochs):
    order = rng.permutation(len(X_train))
    for start in range(0, len(X_train), batch):
        idx = order[start:start + batch]
        xb, yb = X_train[idx], y_train[idx]
        Zs, As = forward_pass(xb)
        dWs, dbs = backward_pass(Zs, As, yb)
        for l in range(L):
            Ws[l] -= lr * dWs[l]
            bs[l] -= lr * dbs[l]
    full = forward_pass(X_train)[1][-1]
    epoch_loss.append(loss_fn(full, y_train))
    if ep % 20 == 0:
        print(f"epoch {ep:3d} | train loss {epoch_loss[-1]:.4f}")

test_p = forward_pass(X_test)[1][-1]
print("test accuracy:", np.mean((test_p > 0.5) == y_test))
plt.plot(epoch_loss, label="train BCE")
plt.legend(); plt.xlabel("epoch")
plt.savefig("moons_loss.png", dpi=80)
