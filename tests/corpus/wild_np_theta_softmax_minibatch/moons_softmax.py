"""Moons, 2 output classes with softmax, integer labels, mini-batches of 32."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(0)

X, y = make_moons(n_samples=600, noise=0.2, random_state=3)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=3)

theta = {
    "l1": rng.normal(0, 0.5, (2, 20)), "b1": np.zeros(20),
    "l2": rng.normal(0, 0.5, (20, 2)), "b2": np.zeros(2),
}


def forward(theta, X):
    h = np.tanh(X @ theta["l1"] + theta["b1"])
    s = h @ theta["l2"] + theta["b2"]
    s = s - s.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return h, probs


def cross_entropy(probs, y):
    return -np.mean(np.log(probs[np.arange(len(y)), y]))


def gradients(theta, X, y):
    h, probs = forward(theta, X)
    d = probs.copy()
    d[np.arange(len(y)), y] -= 1
    d /= len(y)
    dh = d @ theta["l2"].T * (1 - h ** 2)
    return {"l2": h.T @ d, "b2": d.sum(0), "l1": X.T @ dh, "b1": dh.sum(0)}


lr = 0.2
batch = 32
train_loss = [cross_entropy(forward(theta, X_tr)[1], y_tr)]
for epoch in range(60):
    order = rng.permutation(len(X_tr))
    for start in range(0, len(X_tr), batch):
        idx = order[start:start + batch]
        g = gradients(theta, X_tr[idx], y_tr[idx])
        for k in theta:
            theta[k] -= lr * g[k]
    train_loss.append(cross_entropy(forward(theta, X_tr)[1], y_tr))

print("train loss", train_loss[0], "->", train_loss[-1])
print("test accuracy", np.mean(forward(theta, X_te)[1].argmax(axis=1) == y_te))
