"""First I test my backprop on a small toy set of 10 points, then I train on XOR."""
import numpy as np

np.random.seed(3)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init(n_in, n_hidden):
    return [np.random.randn(n_in, n_hidden), np.zeros(n_hidden), np.random.randn(n_hidden, 1), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    h = sigmoid(X @ W1 + b1)
    return h, sigmoid(h @ W2 + b2)


def backward(params, X, y, h, out):
    W1, b1, W2, b2 = params
    d_out = (out - y) / len(X)                 # cross-entropy + sigmoid
    d_h = (d_out @ W2.T) * h * (1 - h)
    return [X.T @ d_h, d_h.sum(axis=0), h.T @ d_out, d_out.sum(axis=0)]


def fit(X, y, n_hidden=4, lr=1.0, epochs=2000):
    params = init(X.shape[1], n_hidden)
    losses = []
    for _ in range(epochs):
        h, out = forward(params, X)
        losses.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
        grads = backward(params, X, y, h, out)
        params = [p - lr * g for p, g in zip(params, grads)]
    return params, losses


# ten hand-made points: class 1 when x1 + x2 > 1
toy_X = np.array([[0.1, 0.2], [0.4, 0.1], [0.3, 0.5], [0.2, 0.7], [0.5, 0.3],
                  [0.9, 0.6], [0.7, 0.8], [0.6, 0.9], [1.0, 0.4], [0.8, 0.5]])
toy_y = np.array([[0], [0], [0], [0], [0], [1], [1], [1], [1], [1]])
toy_params, toy_losses = fit(toy_X, toy_y, lr=2.0, epochs=800)
print("toy set accuracy:", np.mean((forward(toy_params, toy_X)[1] > 0.5) == toy_y))

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params, losses = fit(X, y)
print("XOR loss:", losses[0], "->", losses[-1])
print("XOR outputs:", forward(params, X)[1].ravel().round(3))
