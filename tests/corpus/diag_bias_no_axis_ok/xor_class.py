import numpy as np


class XORNet:
    """2 -> 4 -> 1, sigmoid everywhere."""

    def __init__(self, hidden=4, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0, 1, (2, hidden))
        self.b1 = np.zeros((1, hidden))
        self.W2 = rng.normal(0, 1, (hidden, 1))
        self.b2 = np.zeros((1, 1))

    @staticmethod
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(self, X):
        self.A1 = self.sigmoid(X @ self.W1 + self.b1)
        self.A2 = self.sigmoid(self.A1 @ self.W2 + self.b2)
        return self.A2

    def backward(self, X, y):
        m = X.shape[0]
        dZ2 = self.A2 - y
        self.dW2 = self.A1.T @ dZ2 / m
        self.db2 = np.sum(dZ2, axis=0, keepdims=True) / m
        dZ1 = (dZ2 @ self.W2.T) * self.A1 * (1 - self.A1)
        self.dW1 = X.T @ dZ1 / m
        self.db1 = np.sum(dZ1, axis=0, keepdims=True) / m

    def update(self, lr):
        self.W1 -= lr * self.dW1
        self.b1 -= lr * self.db1
        self.W2 -= lr * self.dW2
        self.b2 -= lr * self.db2


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

net = XORNet(seed=5)
loss_history = []
for epoch in range(4000):
    out = net.forward(X)
    loss_history.append(float(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))))
    net.backward(X, y)
    net.update(1.0)

print("loss", loss_history[0], "->", loss_history[-1])
print("outputs", net.forward(X).ravel().round(3))
