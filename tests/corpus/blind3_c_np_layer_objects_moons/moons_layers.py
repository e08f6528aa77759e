import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
        self.b = np.zeros(n_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad):
        return grad * (1.0 - self.out ** 2)


class SoftmaxCE:
    def forward(self, logits, labels):
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        self.p = e / e.sum(axis=1, keepdims=True)
        self.labels = labels
        return -np.mean(np.log(self.p[np.arange(len(labels)), labels] + 1e-12))

    def backward(self):
        g = self.p.copy()
        g[np.arange(len(self.labels)), self.labels] -= 1.0
        return g / len(self.labels)


class SGD:
    def __init__(self, layers, lr):
        self.layers = [l for l in layers if hasattr(l, "W")]
        self.lr = lr

    def step(self):
        for layer in self.layers:
            layer.W -= self.lr * layer.dW
            layer.b -= self.lr * layer.db


rng = np.random.default_rng(2718)
X, y = make_moons(n_samples=280, noise=0.15, random_state=27)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=27)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)

net = [Dense(2, 14, rng), Tanh(), Dense(14, 14, rng), Tanh(), Dense(14, 2, rng)]
crit = SoftmaxCE()
opt = SGD(net, lr=0.5)

def predict(x):
    for layer in net:
        x = layer.forward(x)
    return x

history = []
for epoch in range(500):
    loss = crit.forward(predict(Xtr), ytr)
    history.append(loss)
    g = crit.backward()
    for layer in reversed(net):
        g = layer.backward(g)
    opt.step()

print("loss", history[0], "->", history[-1])
print("test acc", np.mean(predict(Xte).argmax(axis=1) == yte))
