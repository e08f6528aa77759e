import numpy as np


class NN:
    # two-layer sigmoid net for XOR, gradient descent with (heavy-ball) momentum

    def __init__(self, n_hidden=5, lr=0.5, mu=0.9, seed=4):
        g = np.random.default_rng(seed)
        self.W1 = g.normal(0, 1, (2, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = g.normal(0, 1, (n_hidden, 1))
        self.b2 = np.zeros(1)
        self.lr, self.mu = lr, mu
        self.vel = {k: np.zeros_like(getattr(self, k)) for k in ("W1", "b1", "W2", "b2")}

    @staticmethod
    def _s(z):
        return 1.0 / (1.0 + np.exp(-z))

    def forward(self, X):
        self.h = self._s(X @ self.W1 + self.b1)
        self.o = self._s(self.h @ self.W2 + self.b2)
        return self.o

    def gradients(self, X, y):
        o = self.forward(X)
        n = len(X)
        e = (o - y) / n                       # BCE + sigmoid
        dh = (e @ self.W2.T) * self.h * (1 - self.h)
        return {"W2": self.h.T @ e, "b2": e.sum(0), "W1": X.T @ dh, "b1": dh.sum(0)}

    def loss(self, X, y):
        o = np.clip(self.forward(X), 1e-9, 1 - 1e-9)
        return float(-np.mean(y * np.log(o) + (1 - y) * np.log(1 - o)))

    def step(self, X, y):
        grads = self.gradients(X, y)
        for k, g in grads.items():
            self.vel[k] = self.mu * self.vel[k] - self.lr * g
            setattr(self, k, getattr(self, k) + self.vel[k])


X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])

net = NN()
n = 3000
epoch = 0
history = []
while epoch < n:
    net.step(X, y)
    history.append(net.loss(X, y))
    epoch += 1
    if epoch % 500 == 0:
        print("epoch", epoch, "loss", history[-1])

print(net.forward(X).round(3).ravel())
