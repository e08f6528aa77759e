# make_moons, two ELU hidden layers (16, 16), sigmoid output, BCE, mini-batches of 50
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 11
rng = np.random.default_rng(SEED)
X, y = make_moons(n_samples=400, noise=0.2, random_state=SEED)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
scaler = StandardScaler().fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)
y_train = y_train.reshape(-1, 1).astype(float)
y_test = y_test.reshape(-1, 1).astype(float)

alpha = 1.0
def elu(z):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))
def elu_deriv(z):
    return np.where(z > 0, 1.0, alpha * z)
def sigmoid(z):
    return 1 / (1 + np.exp(-z))

sizes = [2, 16, 16, 1]
Ws = [rng.normal(0, np.sqrt(1 / m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros((1, n)) for n in sizes[1:]]

def forward(Xb):
    zs, acts = [], [Xb]
    a = Xb
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W + b
        a = sigmoid(z) if i == len(Ws) - 1 else elu(z)
        zs.append(z)
        acts.append(a)
    return zs, acts

def bce(p, t):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))

lr = 0.3
batch = 50
epoch_losses = []
for epoch in range(150):
    order = rng.permutation(len(X_train))
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        xb, yb = X_train[idx], y_train[idx]
        zs, acts = forward(xb)
        delta = (acts[-1] - yb) / len(xb)
        for layer in range(len(Ws) - 1, -1, -1):
            gW = acts[layer].T @ delta
            gb = delta.sum(axis=0, keepdims=True)
            if layer > 0:
                delta = (delta @ Ws[layer].T) * elu_deriv(zs[layer - 1])
            Ws[layer] -= lr * gW
            bs[layer] -= lr * gb
    epoch_losses.append(bce(forward(X_train)[1][-1], y_train))

acc = np.mean((forward(X_test)[1][-1] > 0.5) == y_test)
print(f"final train loss {epoch_losses[-1]:.4f}, test accuracy {acc:.3f}")
