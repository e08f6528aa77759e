# Lab 6 -- moons, sigmoid 2-6-1, plain GD and then backtracking inline (no functions for it)
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=240, noise=0.25, random_state=21)
scaler = StandardScaler()
X = scaler.fit_transform(X)
y = y.reshape(-1, 1)

sig = lambda z: 1.0 / (1.0 + np.exp(-z))


def loss(W1, b1, W2, b2):
    out = sig(sig(X @ W1 + b1) @ W2 + b2)
    out = np.clip(out, 1e-10, 1 - 1e-10)
    return -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))


def grads(W1, b1, W2, b2):
    h = sig(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    d_out = (out - y) / len(X)
    d_h = d_out @ W2.T * h * (1 - h)
    return X.T @ d_h, d_h.sum(0), h.T @ d_out, d_out.sum(0)


np.random.seed(21)
W1_init, W2_init = np.random.randn(2, 6), np.random.randn(6, 1)

# ---- fixed step
W1, b1, W2, b2 = W1_init.copy(), np.zeros(6), W2_init.copy(), np.zeros(1)
loss_gd = []
for i in range(500):
    gW1, gb1, gW2, gb2 = grads(W1, b1, W2, b2)
    W1 -= 1.0 * gW1; b1 -= 1.0 * gb1; W2 -= 1.0 * gW2; b2 -= 1.0 * gb2
    loss_gd.append(loss(W1, b1, W2, b2))
W1_gd, b1_gd, W2_gd, b2_gd = W1, b1, W2, b2

# ---- backtracking (Armijo), eta0 = 1, halve
V1, c1, V2, c2 = W1_init.copy(), np.zeros(6), W2_init.copy(), np.zeros(1)
loss_bt = []
c = 1e-4
for i in range(500):
    gV1, gc1, gV2, gc2 = grads(V1, c1, V2, c2)
    f0 = loss(V1, c1, V2, c2)
    gsq = np.sum(gV1**2) + np.sum(gc1**2) + np.sum(gV2**2) + np.sum(gc2**2)
    eta = 1.0
    while eta > 1e-9:
        nV1, nc1, nV2, nc2 = V1 - eta * gV1, c1 - eta * gc1, V2 - eta * gV2, c2 - eta * gc2
        if loss(nV1, nc1, nV2, nc2) >= f0 - c * eta * gsq:   # Armijo ok -> accept
            break
        eta *= 0.5
    V1, c1, V2, c2 = nV1, nc1, nV2, nc2
    loss_bt.append(loss(V1, c1, V2, c2))

print("GD:", loss_gd[-1], "  backtracking:", loss_bt[-1])
