# Lab 6 -- Backtracking line search (Armijo) vs fixed step on make_moons
# Ines V.  (NumPy, one hidden layer of 10 sigmoid units)
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=300, noise=0.2, random_state=2)
scaler = StandardScaler()
X = scaler.fit_transform(X)
y = y[:, None].astype(float)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, seed=2):
        rs = np.random.RandomState(seed)
        self.W1 = rs.randn(2, 10)
        self.b1 = np.zeros(10)
        self.W2 = rs.randn(10, 1) * 0.5
        self.b2 = np.zeros(1)

    def params(self):
        return [self.W1, self.b1, self.W2, self.b2]

    def set_params(self, ps):
        self.W1, self.b1, self.W2, self.b2 = ps

    def forward(self, X):
        self.h = sigmoid(X @ self.W1 + self.b1)
        self.p = sigmoid(self.h @ self.W2 + self.b2)
        return self.p

    def loss(self, X, y):
        p = np.clip(self.forward(X), 1e-10, 1 - 1e-10)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def backward(self, X, y):
        p = self.forward(X)
        n = len(X)
        e = (p - y) / n
        dh = (e @ self.W2.T) * self.h * (1 - self.h)
        return [X.T @ dh, dh.sum(0), self.h.T @ e, e.sum(0)]


# fixed learning rate
net_fixed = Net()
loss_fixed = []
for it in range(400):
    loss_fixed.append(net_fixed.loss(X, y))
    grads = net_fixed.backward(X, y)
    net_fixed.set_params([p - 1.0 * g for p, g in zip(net_fixed.params(), grads)])

# backtracking
rho, c = 0.5, 1e-4
alpha = 8.0      # initial step


def line_search(net, grads, X, y):
    global alpha
    f0 = net.loss(X, y)
    g2 = sum((g ** 2).sum() for g in grads)
    old = net.params()
    while alpha > 1e-10:
        net.set_params([p - alpha * g for p, g in zip(old, grads)])
        if net.loss(X, y) <= f0 - c * alpha * g2:
            return alpha
        alpha *= rho
    return alpha


net_bt = Net()
loss_bt = []
steps = []
for it in range(400):
    loss_bt.append(net_bt.loss(X, y))
    grads = net_bt.backward(X, y)
    steps.append(line_search(net_bt, grads, X, y))

print("fixed:", loss_fixed[-1], " backtracking:", loss_bt[-1])
print("steps used:", sorted(set(steps)))
print("acc fixed", np.mean((net_fixed.forward(X) > .5) == y), "acc bt", np.mean((net_bt.forward(X) > .5) == y))
