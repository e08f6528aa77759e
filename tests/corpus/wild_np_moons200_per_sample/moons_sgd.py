"""Moons with 200 points, stochastic gradient descent one sample at a time."""
import numpy as np
from sklearn.datasets import make_moons

np.random.seed(9)
X, y = make_moons(n_samples=200, noise=0.1, random_state=5)

n_hidden = 8
W1 = np.random.randn(2, n_hidden)
b1 = np.zeros(n_hidden)
W2 = np.random.randn(n_hidden)
b2 = 0.0
eta = 0.3


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


avg_losses = []
for epoch in range(100):
    perm = np.random.permutation(len(X))
    epoch_loss = 0.0
    for i in perm:
        x, t = X[i], y[i]
        h = sigmoid(x @ W1 + b1)
        p = sigmoid(h @ W2 + b2)
        epoch_loss += -(t * np.log(p) + (1 - t) * np.log(1 - p))
        e = p - t                      # dL/dz for BCE with a sigmoid output
        dh = e * W2 * h * (1 - h)
        W2 -= eta * e * h
        b2 -= eta * e
        W1 -= eta * np.outer(x, dh)
        b1 -= eta * dh
    avg_losses.append(epoch_loss / len(X))
    if epoch % 20 == 0:
        print("epoch", epoch, "loss", round(avg_losses[-1], 4))

pred = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2) > 0.5
print("accuracy on the 200 points:", np.mean(pred == y))
