import numpy as np

class TwoLayerNet:
    """2 -> 4 -> 1, sigmoid everywhere, cross-entropy."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0, 1, (n_in, n_hidden))
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.normal(0, 1, (n_hidden, n_out))
        self.b2 = np.zeros((1, n_out))

    @staticmethod
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(self, X):
        self.X = X
        self.a1 = self.sigmoid(X @ self.W1 + self.b1)
        self.a2 = self.sigmoid(self.a1 @ self.W2 + self.b2)
        return self.a2

    def backward(self, y):
        m = y.shape[0]
        d2 = (self.a2 - y) / m
        self.dW2 = self.a1.T @ d2
        self.db2 = d2.sum(axis=0, keepdims=True)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        self.dW1 = self.X.T @ d1
        self.db1 = d1.sum(axis=0, keepdims=True)

    def step(self, lr):
        for name in ("W1", "b1", "W2", "b2"):
            setattr(self, name, getattr(self, name) - lr * getattr(self, "d" + name))

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
net = TwoLayerNet(2, 4, 1, seed=3)
history = []
for epoch in range(3000):
    p = net.forward(X)
    history.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    net.backward(y)
    net.step(1.0)
print(history[-1], net.forward(X).ravel().round(2))
