"""XOR with leaky ReLU: the four points, then 200 noisy points around the corners."""
import numpy as np
import matplotlib.pyplot as plt

rng = np.random.default_rng(42)
SLOPE = 0.01


def leaky_relu(z):
    return np.where(z > 0, z, SLOPE * z)


def leaky_relu_grad(z):
    return np.where(z > 0, 1.0, SLOPE)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train(X, y, hidden=8, lr=0.3, epochs=2000):
    W1 = rng.normal(0, 1, (2, hidden))
    b1 = np.full(hidden, 0.1)
    W2 = rng.normal(0, np.sqrt(2 / hidden), (hidden, 1))
    b2 = np.zeros(1)
    history = []
    for epoch in range(epochs):
        z1 = X @ W1 + b1
        a1 = leaky_relu(z1)
        p = sigmoid(a1 @ W2 + b2)
        history.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        dz2 = (p - y) / len(X)
        dz1 = (dz2 @ W2.T) * leaky_relu_grad(z1)
        W2 -= lr * a1.T @ dz2
        b2 -= lr * dz2.sum(axis=0)
        W1 -= lr * X.T @ dz1
        b1 -= lr * dz1.sum(axis=0)
    return (W1, b1, W2, b2), history


def predict(weights, X):
    W1, b1, W2, b2 = weights
    return sigmoid(leaky_relu(X @ W1 + b1) @ W2 + b2)


# part 1: the truth table
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
weights, history = train(X, y)
print("4 points:", history[0], "->", history[-1], predict(weights, X).ravel().round(2))

# part 2: 50 noisy points around each corner
corners = np.repeat(X, 50, axis=0)
X_noisy = corners + rng.normal(0, 0.15, corners.shape)
y_noisy = np.repeat(y, 50, axis=0)
weights_noisy, history_noisy = train(X_noisy, y_noisy, epochs=1500)
acc = np.mean((predict(weights_noisy, X_noisy) > 0.5) == y_noisy)
print("noisy XOR accuracy:", acc)

plt.plot(history, label="4 points")
plt.plot(history_noisy, label="noisy, 200 points")
plt.legend()
plt.show()
