# XOR, 2-4-1 sigmoid network, all parameters packed into ONE vector theta
# layout: [ W1 (2x4) | b1 (4) | W2 (4x1) | b2 (1) ]  -> 17 numbers
import numpy as np

rng = np.random.RandomState(21)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

n_in, n_h, n_out = 2, 4, 1
sizes = [n_in * n_h, n_h, n_h * n_out, n_out]
offsets = np.cumsum([0] + sizes)
theta = rng.uniform(-1.0, 1.0, offsets[-1])


def unpack(theta):
    W1 = theta[offsets[0]:offsets[1]].reshape(n_in, n_h)
    b1 = theta[offsets[1]:offsets[2]]
    W2 = theta[offsets[2]:offsets[3]].reshape(n_h, n_out)
    b2 = theta[offsets[3]:offsets[4]]
    return W1, b1, W2, b2


def sig(z):
    return 1 / (1 + np.exp(-z))


def forward(theta, X):
    W1, b1, W2, b2 = unpack(theta)
    a1 = sig(X @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    return a1, a2


def cost_and_grad(theta, X, Y):
    W1, b1, W2, b2 = unpack(theta)
    m = X.shape[0]
    a1, a2 = forward(theta, X)
    J = np.mean((a2 - Y) ** 2)
    d2 = 2 * (a2 - Y) * a2 * (1 - a2) / m
    gW2 = a1.T @ d2
    gb2 = d2.sum(axis=0)
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    gW1 = X.T @ d1
    gb1 = d1.sum(axis=0)
    return J, np.concatenate([gW1.ravel(), gb1, gW2.ravel(), gb2])


lr = 2.0
J_hist = []
for it in range(8000):
    J, grad = cost_and_grad(theta, X, Y)
    theta -= lr * grad
    J_hist.append(J)
    if it % 1000 == 0:
        print(it, round(J, 5))

_, out = forward(theta, X)
print("outputs:", out.ravel().round(3))
print("predicted:", (out.ravel() > 0.5).astype(int), "target:", Y.ravel().astype(int))
