"""Corpus entries from blind round 3, part a (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind3_a_*``.

Whole-lab submissions as students hand them in: one file doing XOR, moons with a fixed rate and
moons with Armijo backtracking. Correct: the same names (W1, b1, W2, b2, losses) reused for XOR
and then moons, a helper redefined later with a fix, a Korean-commented `7.py` whose XOR
`Network.train()` only prints, a moons notebook with its own split and scaler and Armijo on the
same class, a PyTorch whole lab with backtracking over `model.parameters()`, XOR only. Cannot run
here: Python 2, a data file not handed in. Bugs: moons trained on the test split, a wrong
hidden-layer derivative in the XOR part only.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

ALL = ("xor", "moons", "backtracking")
# xor and moons are alternatives of the group "core" (the better counts, xor on a tie): a correct
# whole-lab entry lists the one that counts; the other was checked by hand (full marks in each).
WHOLE = ("xor", "backtracking")


def same_names() -> list[Cell]:
    """lab6_full.ipynb"""
    return [
        md("# Lab 6 - backprop by hand\nXOR first, then the moons. (I reuse the same variable names, sorry)"),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
np.random.seed(42)
"""),
        code("""
def sig(z):
    return 1 / (1 + np.exp(-z))

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = np.random.randn(2, 4)
b1 = np.zeros((1, 4))
W2 = np.random.randn(4, 1)
b2 = np.zeros((1, 1))
lr = 1.0
losses = []
for i in range(6000):
    h = sig(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    loss = np.mean((out - y) ** 2)
    losses.append(loss)
    d_out = 2 * (out - y) / len(X) * out * (1 - out)
    dW2 = h.T @ d_out
    db2 = d_out.sum(axis=0, keepdims=True)
    d_h = d_out @ W2.T * h * (1 - h)
    dW1 = X.T @ d_h
    db1 = d_h.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
print("final loss", losses[-1])
print(np.round(out.ravel(), 3))
"""),
        code("""
plt.plot(losses)
plt.title("XOR loss")
plt.show()
"""),
        md("## Moons\nsame code, bigger hidden layer, cross entropy now"),
        code("""
X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
y = y.reshape(-1, 1).astype(float)

def bce(p, t):
    p = np.clip(p, 1e-10, 1 - 1e-10)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))

W1 = np.random.randn(2, 16) * 0.5
b1 = np.zeros((1, 16))
W2 = np.random.randn(16, 1) * 0.5
b2 = np.zeros((1, 1))
lr = 0.5
losses = []
for i in range(800):
    h = np.tanh(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    losses.append(bce(out, y))
    d_out = (out - y) / len(X)
    dW2 = h.T @ d_out
    db2 = d_out.sum(axis=0, keepdims=True)
    d_h = d_out @ W2.T * (1 - h ** 2)
    dW1 = X.T @ d_h
    db1 = d_h.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
print("moons final loss", losses[-1], "acc", np.mean((out > 0.5) == y))
fixed_losses = losses
"""),
        code("""
plt.plot(losses)
plt.title("moons, lr = 0.5")
plt.show()
"""),
        md("## Armijo"),
        code("""
def total_loss(W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1)
    return bce(sig(h @ W2 + b2), y)

np.random.seed(42)
W1 = np.random.randn(2, 16) * 0.5
b1 = np.zeros((1, 16))
W2 = np.random.randn(16, 1) * 0.5
b2 = np.zeros((1, 1))
losses = []
steps = []
for i in range(800):
    h = np.tanh(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    L = bce(out, y)
    losses.append(L)
    d_out = (out - y) / len(X)
    dW2 = h.T @ d_out
    db2 = d_out.sum(axis=0, keepdims=True)
    d_h = d_out @ W2.T * (1 - h ** 2)
    dW1 = X.T @ d_h
    db1 = d_h.sum(axis=0, keepdims=True)
    g2 = np.sum(dW1 ** 2) + np.sum(db1 ** 2) + np.sum(dW2 ** 2) + np.sum(db2 ** 2)
    t = 4.0
    while total_loss(W1 - t * dW1, b1 - t * db1, W2 - t * dW2, b2 - t * db2) > L - 1e-4 * t * g2:
        t = t / 2
        if t < 1e-8:
            break
    steps.append(t)
    W1 = W1 - t * dW1
    b1 = b1 - t * db1
    W2 = W2 - t * dW2
    b2 = b2 - t * db2
print("armijo final loss", losses[-1], "vs fixed", fixed_losses[-1])
"""),
        code("""
plt.plot(fixed_losses, label="fixed")
plt.plot(losses, label="armijo")
plt.legend()
plt.show()
"""),
    ]


def redefined_helper() -> list[Cell]:
    """Lab6_final_v2.ipynb"""
    return [
        code("""
import numpy as np
from sklearn.datasets import make_moons
import matplotlib.pyplot as plt
rng = np.random.default_rng(2024)
"""),
        code("""
def act(z):
    return np.tanh(z)

def act_grad(a):
    # derivative of tanh, a = tanh(z)
    return 1 - a   # TODO check this
"""),
        code("""
class MLP:
    def __init__(self, sizes, rng):
        self.Ws = [rng.normal(0, 1 / np.sqrt(m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
        self.bs = [np.zeros(n) for n in sizes[1:]]

    def forward(self, X):
        self.acts = [X]
        a = X
        for W, b in zip(self.Ws[:-1], self.bs[:-1]):
            a = act(a @ W + b)
            self.acts.append(a)
        z = a @ self.Ws[-1] + self.bs[-1]
        self.p = 1 / (1 + np.exp(-z))
        return self.p

    def loss(self, X, Y):
        p = np.clip(self.forward(X), 1e-9, 1 - 1e-9)
        return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))

    def grads(self, X, Y):
        p = self.forward(X)
        delta = (p - Y) / len(X)
        gW, gb = [], []
        for i in range(len(self.Ws) - 1, -1, -1):
            gW.insert(0, self.acts[i].T @ delta)
            gb.insert(0, delta.sum(0))
            if i > 0:
                delta = delta @ self.Ws[i].T * act_grad(self.acts[i])
        return gW, gb

    def step(self, gW, gb, lr):
        self.Ws = [W - lr * g for W, g in zip(self.Ws, gW)]
        self.bs = [b - lr * g for b, g in zip(self.bs, gb)]
"""),
        md("oops the derivative above was wrong, fixed here (cell 1 is old, this one is the right one)"),
        code("""
def act_grad(a):
    return 1 - a ** 2
"""),
        md("### XOR"),
        code("""
Xx = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Yx = np.array([[0.], [1.], [1.], [0.]])
xor_net = MLP([2, 5, 1], rng)
xor_hist = []
for ep in range(3000):
    gW, gb = xor_net.grads(Xx, Yx)
    xor_net.step(gW, gb, 1.0)
    xor_hist.append(xor_net.loss(Xx, Yx))
print(xor_hist[0], xor_hist[-1], xor_net.forward(Xx).round(2).ravel())
"""),
        md("### moons, fixed lr"),
        code("""
Xm, ym = make_moons(n_samples=400, noise=0.15, random_state=3)
Ym = ym[:, None].astype(float)
moons_net = MLP([2, 10, 10, 1], rng)
moons_hist = []
for ep in range(600):
    gW, gb = moons_net.grads(Xm, Ym)
    moons_net.step(gW, gb, 0.3)
    moons_hist.append(moons_net.loss(Xm, Ym))
print("fixed:", moons_hist[-1], np.mean((moons_net.forward(Xm)[:, 0] > .5) == ym))
"""),
        md("### moons, armijo"),
        code("""
def backtracking(net, X, Y, gW, gb, alpha=2.0, beta=0.5, c=1e-4):
    f0 = net.loss(X, Y)
    sq = sum((g ** 2).sum() for g in gW) + sum((g ** 2).sum() for g in gb)
    Ws, bs = net.Ws, net.bs
    while alpha > 1e-9:
        net.Ws = [W - alpha * g for W, g in zip(Ws, gW)]
        net.bs = [b - alpha * g for b, g in zip(bs, gb)]
        if net.loss(X, Y) <= f0 - c * alpha * sq:
            break
        alpha *= beta
    net.Ws, net.bs = Ws, bs
    return alpha

rng = np.random.default_rng(2024)
armijo_net = MLP([2, 10, 10, 1], rng)
armijo_hist = []
for ep in range(600):
    gW, gb = armijo_net.grads(Xm, Ym)
    a = backtracking(armijo_net, Xm, Ym, gW, gb)
    armijo_net.step(gW, gb, a)
    armijo_hist.append(armijo_net.loss(Xm, Ym))
print("armijo:", armijo_hist[-1])
plt.semilogy(moons_hist, label="fixed 0.3"); plt.semilogy(armijo_hist, label="armijo"); plt.legend()
"""),
    ]


def korean_seven() -> list[Cell]:
    """7.py"""
    return [
        code('''
# 7주차 과제: XOR 문제를 역전파로 풀기
import numpy as np

np.random.seed(7)


class Network:
    # 2-3-1 신경망, 시그모이드 활성화
    def __init__(self, n_in=2, n_hid=3, n_out=1):
        self.w1 = np.random.uniform(-1, 1, (n_in, n_hid))
        self.b1 = np.zeros(n_hid)
        self.w2 = np.random.uniform(-1, 1, (n_hid, n_out))
        self.b2 = np.zeros(n_out)

    def sigmoid(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def feedforward(self, x):
        self.h = self.sigmoid(np.dot(x, self.w1) + self.b1)  # 은닉층
        self.o = self.sigmoid(np.dot(self.h, self.w2) + self.b2)  # 출력층
        return self.o

    def train(self, x, t, epochs=10000, eta=2.0):
        for e in range(epochs):
            o = self.feedforward(x)
            err = o - t
            # 역전파: 출력층 델타
            d_o = err * o * (1 - o)
            # 은닉층 델타
            d_h = np.dot(d_o, self.w2.T) * self.h * (1 - self.h)
            self.w2 -= eta * np.dot(self.h.T, d_o) / len(x)
            self.b2 -= eta * d_o.mean(axis=0)
            self.w1 -= eta * np.dot(x.T, d_h) / len(x)
            self.b1 -= eta * d_h.mean(axis=0)
            if e % 1000 == 0:
                print("epoch", e, "loss", 0.5 * np.mean(err ** 2))  # 손실 출력


x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
t = np.array([[0], [1], [1], [0]])
net = Network()
net.train(x, t)
print("결과:", net.feedforward(x).ravel().round(3))
'''),
    ]


def split_scaler() -> list[Cell]:
    """moons_split.ipynb"""
    return [
        md("# Lab 6 part 2+3: moons\nown data: 500 points, noise 0.25, 70/30 split, standardised"),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=500, noise=0.25, random_state=7)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=7)
scaler = StandardScaler()
X_tr = scaler.fit_transform(X_tr)
X_te = scaler.transform(X_te)
y_tr = y_tr.reshape(-1, 1)
y_te = y_te.reshape(-1, 1)
plt.scatter(X_tr[:, 0], X_tr[:, 1], c=y_tr.ravel(), s=8)
plt.show()
"""),
        code("""
class TwoLayerNet:
    def __init__(self, hidden=12, seed=0):
        r = np.random.RandomState(seed)
        self.params = {
            "W1": r.randn(2, hidden) * np.sqrt(2 / 2),
            "b1": np.zeros(hidden),
            "W2": r.randn(hidden, 1) * np.sqrt(1 / hidden),
            "b2": np.zeros(1),
        }

    def forward(self, X):
        P = self.params
        self.z1 = X @ P["W1"] + P["b1"]
        self.a1 = np.maximum(self.z1, 0)
        self.prob = 1 / (1 + np.exp(-(self.a1 @ P["W2"] + P["b2"])))
        return self.prob

    def loss(self, X, y):
        p = np.clip(self.forward(X), 1e-12, 1 - 1e-12)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def backward(self, X, y):
        p = self.forward(X)
        n = X.shape[0]
        dz2 = (p - y) / n
        g = {"W2": self.a1.T @ dz2, "b2": dz2.sum(0)}
        da1 = dz2 @ self.params["W2"].T
        dz1 = da1 * (self.z1 > 0)
        g["W1"] = X.T @ dz1
        g["b1"] = dz1.sum(0)
        return g

    def accuracy(self, X, y):
        return np.mean((self.forward(X) > 0.5) == y)
"""),
        md("## fixed step"),
        code("""
net = TwoLayerNet(seed=1)
fixed_loss = []
for epoch in range(700):
    g = net.backward(X_tr, y_tr)
    for k in net.params:
        net.params[k] -= 0.3 * g[k]
    fixed_loss.append(net.loss(X_tr, y_tr))
print(f"fixed: loss {fixed_loss[-1]:.4f}  test acc {net.accuracy(X_te, y_te):.3f}")
"""),
        md("## Armijo backtracking, same class"),
        code("""
def armijo(net, X, y, g, a0=1.0, shrink=0.5, c=1e-4, max_iter=30):
    old = {k: v.copy() for k, v in net.params.items()}
    f0 = net.loss(X, y)
    gnorm = sum(np.sum(v * v) for v in g.values())
    a = a0
    for _ in range(max_iter):
        net.params = {k: old[k] - a * g[k] for k in old}
        if net.loss(X, y) <= f0 - c * a * gnorm:
            return a
        a *= shrink
    net.params = {k: old[k] - a * g[k] for k in old}
    return a

net2 = TwoLayerNet(seed=1)
armijo_loss, alphas = [], []
for epoch in range(700):
    g = net2.backward(X_tr, y_tr)
    alphas.append(armijo(net2, X_tr, y_tr, g))
    armijo_loss.append(net2.loss(X_tr, y_tr))
print(f"armijo: loss {armijo_loss[-1]:.4f}  test acc {net2.accuracy(X_te, y_te):.3f}")
"""),
        code("""
fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].plot(fixed_loss, label="fixed"); ax[0].plot(armijo_loss, label="armijo"); ax[0].legend()
ax[1].plot(alphas); ax[1].set_title("step size")
plt.show()
"""),
    ]


def torch_whole() -> list[Cell]:
    """DL_lab6_pytorch.ipynb"""
    return [
        md("# Lab 6 in PyTorch"),
        code("""
import torch
import torch.nn as nn
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
torch.manual_seed(0)
"""),
        md("## 1. XOR"),
        code("""
class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))

xs = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
ys = torch.tensor([[0.], [1.], [1.], [0.]])
xnet = XorNet()
opt = torch.optim.SGD(xnet.parameters(), lr=0.5)
crit = nn.BCELoss()
xor_losses = []
for epoch in range(4000):
    opt.zero_grad()
    l = crit(xnet(xs), ys)
    l.backward()
    opt.step()
    xor_losses.append(l.item())
print(xnet(xs).detach().view(-1))
plt.plot(xor_losses); plt.show()
"""),
        md("## 2. moons with SGD (full batch, fixed lr)"),
        code("""
Xn, yn = make_moons(n_samples=400, noise=0.2, random_state=1)
Xm = torch.tensor(Xn, dtype=torch.float32)
ym = torch.tensor(yn, dtype=torch.float32).unsqueeze(1)

class MoonNet(nn.Module):
    def __init__(self, h=16):
        super().__init__()
        self.l1 = nn.Linear(2, h)
        self.l2 = nn.Linear(h, h)
        self.l3 = nn.Linear(h, 1)

    def forward(self, x):
        x = torch.relu(self.l1(x))
        x = torch.relu(self.l2(x))
        return self.l3(x)

loss_fn = nn.BCEWithLogitsLoss()
torch.manual_seed(1)
mnet = MoonNet()
sgd = torch.optim.SGD(mnet.parameters(), lr=0.2)
sgd_losses = []
for epoch in range(600):
    sgd.zero_grad()
    loss = loss_fn(mnet(Xm), ym)
    loss.backward()
    sgd.step()
    sgd_losses.append(loss.item())
with torch.no_grad():
    print("SGD acc", ((mnet(Xm) > 0).float() == ym).float().mean().item())
"""),
        md("## 3. moons with backtracking line search"),
        code("""
torch.manual_seed(1)
bnet = MoonNet()
bt_losses = []
lrs = []
for epoch in range(600):
    bnet.zero_grad()
    loss = loss_fn(bnet(Xm), ym)
    loss.backward()
    params = list(bnet.parameters())
    saved = [p.data.clone() for p in params]
    grads = [p.grad.clone() for p in params]
    gg = sum((g * g).sum() for g in grads).item()
    lr = 1.0
    with torch.no_grad():
        while True:
            for p, s, g in zip(params, saved, grads):
                p.data.copy_(s - lr * g)
            new_loss = loss_fn(bnet(Xm), ym).item()
            if new_loss <= loss.item() - 1e-4 * lr * gg or lr < 1e-6:
                break
            lr *= 0.5
    lrs.append(lr)
    bt_losses.append(new_loss)
with torch.no_grad():
    print("BT acc", ((bnet(Xm) > 0).float() == ym).float().mean().item())
plt.plot(sgd_losses, label="SGD 0.2"); plt.plot(bt_losses, label="backtracking"); plt.legend(); plt.show()
"""),
    ]


def xor_only() -> list[Cell]:
    """xor_hw.ipynb"""
    return [
        md("## Homework 6 — XOR\n(I ran out of time for the moons part)"),
        code("""
import numpy as np
import matplotlib.pyplot as plt

rs = np.random.RandomState(3)
inputs = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
targets = np.array([0, 1, 1, 0], dtype=float).reshape(4, 1)

V = rs.normal(size=(2, 6)); c = np.zeros(6)
U = rs.normal(size=(6, 1)); d = np.zeros(1)

def sigmoid(s):
    return 1 / (1 + np.exp(-s))
"""),
        code("""
history = []
eta = 0.8
for it in range(5000):
    Hid = np.tanh(inputs @ V + c)
    Out = sigmoid(Hid @ U + d)
    E = -np.mean(targets * np.log(Out) + (1 - targets) * np.log(1 - Out))
    history.append(E)
    gOut = (Out - targets) / 4
    gU = Hid.T @ gOut
    gd = gOut.sum(0)
    gHid = (gOut @ U.T) * (1 - Hid ** 2)
    gV = inputs.T @ gHid
    gc = gHid.sum(0)
    V -= eta * gV; c -= eta * gc
    U -= eta * gU; d -= eta * gd
print("loss:", history[-1])
print("predictions:", (Out > 0.5).astype(int).ravel())
plt.plot(history); plt.xlabel("iteration"); plt.ylabel("cross-entropy"); plt.show()
"""),
        md("## Moons\nTODO"),
        code("# TODO moons\n"),
    ]


def python2() -> list[Cell]:
    """lab6_old.ipynb"""
    return [
        md("# XOR with backprop (python 2.7, the lab machine)"),
        code("""
import numpy as np
np.random.seed(1)
X = np.array([[0,0],[0,1],[1,0],[1,1]], dtype=float)
T = np.array([[0],[1],[1],[0]], dtype=float)
W1 = np.random.randn(2, 4); b1 = np.zeros(4)
W2 = np.random.randn(4, 1); b2 = np.zeros(1)
def sigm(x):
    return 1. / (1. + np.exp(-x))
"""),
        code("""
errs = []
for e in xrange(5000):
    H = sigm(X.dot(W1) + b1)
    O = sigm(H.dot(W2) + b2)
    dO = (O - T) * O * (1 - O)
    dH = dO.dot(W2.T) * H * (1 - H)
    W2 -= 1.5 * H.T.dot(dO); b2 -= 1.5 * dO.sum(0)
    W1 -= 1.5 * X.T.dot(dH); b1 -= 1.5 * dH.sum(0)
    errs.append(np.mean((O - T) ** 2))
    if e % 1000 == 0:
        print "loss", errs[-1]
print "out", O.ravel()
"""),
    ]


def missing_csv() -> list[Cell]:
    """lb.py"""
    return [
        code("""
# lab 6 - XOR, data from the course website (xor_data.csv: x1,x2,label)
import numpy as np

data = np.loadtxt("xor_data.csv", delimiter=",")
X = data[:, :2]
y = data[:, 2:]

rng = np.random.default_rng(0)
A = rng.normal(size=(2, 4))
a0 = np.zeros(4)
B = rng.normal(size=(4, 1))
b0 = np.zeros(1)
loss_log = []
for k in range(4000):
    h = np.tanh(X @ A + a0)
    p = 1 / (1 + np.exp(-(h @ B + b0)))
    loss_log.append(float(np.mean((p - y) ** 2)))
    dp = 2 * (p - y) * p * (1 - p) / len(X)
    dB = h.T @ dp
    dh = dp @ B.T * (1 - h * h)
    dA = X.T @ dh
    A -= 0.5 * dA; a0 -= 0.5 * dh.sum(0)
    B -= 0.5 * dB; b0 -= 0.5 * dp.sum(0)
print(loss_log[-1])
"""),
    ]


def shared_funcs(fixed_on_test: bool) -> list[Cell]:
    """lab6.py (the fixed-rate moons run on the test split) or lab6_whole.py (on the training split)"""
    src = SHARED_FUNCS
    if not fixed_on_test:
        src = (src.replace("g = grad(moons, X_test, Y_test)", "g = grad(moons, X_train, Y_train)")
                  .replace("fixed_curve.append(ce(moons, X_test, Y_test))",
                           "fixed_curve.append(ce(moons, X_train, Y_train))"))
    return [code(src)]


SHARED_FUNCS = ('''
"""Lab 6 - the whole thing. XOR, moons (fixed lr), moons (Armijo)."""
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

np.random.seed(10)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def init_net(n_in, n_h, seed):
    r = np.random.RandomState(seed)
    return [r.randn(n_in, n_h) * 0.8, np.zeros(n_h), r.randn(n_h, 1) * 0.8, np.zeros(1)]


def run(net, X):
    W1, b1, W2, b2 = net
    H = np.tanh(X @ W1 + b1)
    return H, sigmoid(H @ W2 + b2)


def ce(net, X, Y):
    p = np.clip(run(net, X)[1], 1e-10, 1 - 1e-10)
    return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))


def grad(net, X, Y):
    W1, b1, W2, b2 = net
    H, P = run(net, X)
    dZ = (P - Y) / len(X)
    dH = dZ @ W2.T * (1 - H ** 2)
    return [X.T @ dH, dH.sum(0), H.T @ dZ, dZ.sum(0)]


# ---------- XOR ----------
Xx = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Yx = np.array([[0], [1], [1], [0]], float)
xor = init_net(2, 4, 0)
xor_curve = []
for it in range(3000):
    g = grad(xor, Xx, Yx)
    xor = [w - 1.0 * gw for w, gw in zip(xor, g)]
    xor_curve.append(ce(xor, Xx, Yx))
print("XOR:", run(xor, Xx)[1].ravel().round(2))

# ---------- moons ----------
X, y = make_moons(n_samples=400, noise=0.2, random_state=10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=10)
Y_train = y_train.reshape(-1, 1).astype(float)
Y_test = y_test.reshape(-1, 1).astype(float)

moons = init_net(2, 12, 1)
fixed_curve = []
for it in range(800):
    g = grad(moons, X_test, Y_test)
    moons = [w - 0.5 * gw for w, gw in zip(moons, g)]
    fixed_curve.append(ce(moons, X_test, Y_test))
acc_fixed = np.mean((run(moons, X_test)[1] > 0.5) == Y_test)
print("moons fixed: loss %.3f acc %.3f" % (fixed_curve[-1], acc_fixed))


# ---------- Armijo ----------
def line_search(net, g, X, Y, t=2.0, beta=0.5, c=1e-4):
    f = ce(net, X, Y)
    gg = sum(float(np.sum(gi ** 2)) for gi in g)
    while ce([w - t * gi for w, gi in zip(net, g)], X, Y) > f - c * t * gg and t > 1e-10:
        t *= beta
    return t


arm = init_net(2, 12, 1)
arm_curve = []
for it in range(800):
    g = grad(arm, X_train, Y_train)
    t = line_search(arm, g, X_train, Y_train)
    arm = [w - t * gw for w, gw in zip(arm, g)]
    arm_curve.append(ce(arm, X_train, Y_train))
acc_arm = np.mean((run(arm, X_test)[1] > 0.5) == Y_test)
print("moons armijo: loss %.3f acc %.3f" % (arm_curve[-1], acc_arm))

plt.plot(xor_curve, label="xor")
plt.plot(fixed_curve, label="moons fixed")
plt.plot(arm_curve, label="moons armijo")
plt.legend()
plt.savefig("curves.png")
''')


def xor_bad_derivative() -> list[Cell]:
    """tp6_complet.ipynb"""
    return [
        md("# TP 6 — réseau de neurones à la main\nPartie 1 : XOR ; partie 2 : lunes (pas fixe) ; partie 3 : Armijo"),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
np.random.seed(0)
"""),
        md("## Partie 1 : XOR (sigmoïde partout, erreur quadratique)"),
        code("""
def sigmoide(z):
    return 1 / (1 + np.exp(-z))

entrees = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
cibles = np.array([[0], [1], [1], [0]], dtype=float)
P1 = np.random.randn(2, 3); q1 = np.zeros((1, 3))
P2 = np.random.randn(3, 1); q2 = np.zeros((1, 1))
pertes_xor = []
for epoque in range(8000):
    cachee = sigmoide(entrees @ P1 + q1)
    sortie = sigmoide(cachee @ P2 + q2)
    pertes_xor.append(np.mean((sortie - cibles) ** 2))
    delta2 = (sortie - cibles) * sortie * (1 - sortie)
    # dérivée de la couche cachée
    delta1 = (delta2 @ P2.T) * cachee
    P2 -= 2.0 * cachee.T @ delta2; q2 -= 2.0 * delta2.sum(0, keepdims=True)
    P1 -= 2.0 * entrees.T @ delta1; q1 -= 2.0 * delta1.sum(0, keepdims=True)
print("sorties XOR :", sortie.ravel().round(3))
plt.plot(pertes_xor); plt.title("XOR"); plt.show()
"""),
        md("## Partie 2 : lunes, pas fixe (tanh, entropie croisée)"),
        code("""
Xl, yl = make_moons(n_samples=300, noise=0.2, random_state=4)
Yl = yl.reshape(-1, 1).astype(float)

def nouveau_reseau(graine):
    r = np.random.RandomState(graine)
    return {"A": r.randn(2, 10) * 0.7, "a": np.zeros(10), "B": r.randn(10, 1) * 0.3, "b": np.zeros(1)}

def propager(res, X):
    h = np.tanh(X @ res["A"] + res["a"])
    return h, 1 / (1 + np.exp(-(h @ res["B"] + res["b"])))

def cout(res, X, Y):
    p = np.clip(propager(res, X)[1], 1e-12, 1 - 1e-12)
    return -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))

def gradients(res, X, Y):
    h, p = propager(res, X)
    d2 = (p - Y) / len(X)
    d1 = (d2 @ res["B"].T) * (1 - h ** 2)
    return {"A": X.T @ d1, "a": d1.sum(0), "B": h.T @ d2, "b": d2.sum(0)}

res_fixe = nouveau_reseau(5)
pertes_fixe = []
for epoque in range(700):
    g = gradients(res_fixe, Xl, Yl)
    for k in res_fixe:
        res_fixe[k] = res_fixe[k] - 0.5 * g[k]
    pertes_fixe.append(cout(res_fixe, Xl, Yl))
print("pas fixe : perte", pertes_fixe[-1])
"""),
        md("## Partie 3 : recherche linéaire d'Armijo"),
        code("""
def armijo(res, g, X, Y, pas=4.0, rho=0.5, c=1e-4):
    c0 = cout(res, X, Y)
    n2 = sum(np.sum(v ** 2) for v in g.values())
    while pas > 1e-10:
        essai = {k: res[k] - pas * g[k] for k in res}
        if cout(essai, X, Y) <= c0 - c * pas * n2:
            return essai, pas
        pas *= rho
    return {k: res[k] - pas * g[k] for k in res}, pas

res_arm = nouveau_reseau(5)
pertes_arm = []
for epoque in range(700):
    g = gradients(res_arm, Xl, Yl)
    res_arm, pas = armijo(res_arm, g, Xl, Yl)
    pertes_arm.append(cout(res_arm, Xl, Yl))
print("Armijo : perte", pertes_arm[-1])
plt.plot(pertes_fixe, label="pas fixe"); plt.plot(pertes_arm, label="Armijo"); plt.legend(); plt.show()
"""),
    ]


ENTRIES: list[Entry] = [
    Entry("blind3_a_np_same_names", "lab6_full.ipynb", same_names(), attempts=WHOLE,
          style="whole-lab notebook NumPy, the same globals W1 b1 W2 b2 / losses / X y reused for XOR "
                "(sigmoid 2-4-1 MSE) then moons (tanh 2-16-1 BCE) then Armijo inline, plt.show between cells"),
    Entry("blind3_a_np_redefined_helper", "Lab6_final_v2.ipynb", redefined_helper(), attempts=WHOLE,
          style="whole-lab notebook NumPy, MLP class calling a global act_grad() whose first (wrong) "
                "definition is overwritten by a later cell with the fix before any training",
          known_gap="xor_history and moons_fixed_history both resolve to `armijo_hist` 'by name and shape' "
                    "(xor.loss fails: last recorded 0.02635 vs final model 0.0004) although xor_hist/moons_hist "
                    "are the lists the loops filled; backtracking.accuracy says 92.2% where armijo_net scores "
                    "98.6% on fresh moons (noise 0.15), and beats_fixed compares the wrong histories. Likely "
                    "the series choice in grader/identify.py ignores which loop appended to the list, and "
                    "the held-out evaluation of moons_bt uses a state other than the final weights "
                    "(backtracking() sets net.Ws to trials and restores them)."),
    Entry("blind3_a_np_korean_seven", "7.py", korean_seven(), attempts=("xor",),
          style="XOR script named 7.py, Korean comments, class Network whose train() only prints the "
                "loss every 1000 epochs and stores no history, sigmoid 2-3-1"),
    Entry("blind3_a_np_split_scaler", "moons_split.ipynb", split_scaler(), attempts=("moons", "backtracking"),
          known_gap="backtracking.accuracy says 86.9-88.2% (below 90%) but the final net2 scores 93.3% on 3000 "
                    "fresh moons (noise 0.25) through the same scaler, like the fixed net (grader 93-94%); "
                    "86.9% is what net2 scores around epoch 30-50, so the grader evaluates an early state of "
                    "net2 (armijo() reassigns net.params to new dicts inside a function, the fixed run mutates "
                    "them in place); likely the moons_bt value capture in grader/evidence.py / trace_candidates.py.",
          style="moons notebook NumPy, its own make_moons(500, noise=0.25, random_state=7), "
                "train_test_split(test_size=0.3) and StandardScaler, TwoLayerNet class with a params dict, "
                "test accuracy printed, armijo(net, ...) on the same class mutating net.params"),
    Entry("blind3_a_pt_whole_lab", "DL_lab6_pytorch.ipynb", torch_whole(), attempts=WHOLE,
          known_gap="backtracking.armijo and armijo_steps fail with 'no whole update of the backtracking "
                    "run was sampled' (-10): the inline search writes the parameters with p.data.copy_ "
                    "inside torch.no_grad() many times per epoch, and the trace sampler never sees a whole "
                    "update; the steps (alpha0 = 1, rho = 0.5, c = 1e-4) are correct.",
          style="whole-lab PyTorch notebook: XorNet nn.Module with SGD, MoonNet 2-16-16-1 ReLU with "
                "BCEWithLogitsLoss and SGD, then inline backtracking over model.parameters() restoring "
                "with p.data.copy_"),
    Entry("blind3_a_np_xor_only", "xor_hw.ipynb", xor_only(), attempts=("xor",),
          style="XOR-only notebook NumPy (V c U d, tanh 2-6-1 BCE), moons left as a TODO cell"),
    Entry("blind3_a_py2_notebook", "lab6_old.ipynb", python2(), attempts=(),
          style="XOR notebook written for Python 2: `xrange`, `print \"loss\", ...` statements",
          bug="written for Python 2: the training cell cannot run under Python 3",
          fails=(Fail("runs.cells", ("Python 2", "print")),),
          notes="the xor checks (not judged here) say 'No training ... observed ... weights set by hand', "
                "not that the training cell could not run."),
    Entry("blind3_a_missing_csv", "lb.py", missing_csv(), attempts=(),
          style="XOR script lb.py reading np.loadtxt('xor_data.csv') that is not handed in",
          bug="reads xor_data.csv, which is not in the submission",
          fails=(Fail("runs.cells", ("xor_data.csv",)),)),
    Entry("blind3_a_np_shared_funcs", "lab6_whole.py", shared_funcs(False), attempts=WHOLE,
          style="whole-lab NumPy script, three networks as lists [W1, b1, W2, b2] (xor, moons, arm) all "
                "trained through the same init_net()/grad()/ce() functions, train_test_split(test_size=0.25), "
                "Armijo line_search(net, g, X, Y) function",
          known_gap="backtracking is 'not attempted' (0/30, 'no backtracking line-search work found'): the "
                    "third list network `arm` is not among the candidates ('Found: xor[..], moons[..]'). "
                    "Without the XOR section the same code gets backtracking 30/30, and renaming `arm` or "
                    "changing its init seed does not help: with three networks through the same functions "
                    "the third is dropped (grader/evidence.py or trace_candidates.py candidate limit/dedup)."),
    # ---- one planted bug each ----
    Entry("blind3_a_np_trained_on_test", "lab6.py", shared_funcs(True), attempts=ALL,
          style="whole-lab NumPy script, weights as a list [W1, b1, W2, b2], shared grad()/ce(), "
                "train_test_split(test_size=0.25), Armijo line_search(net, g, X, Y) function",
          bug="the fixed-rate moons run trains on X_test/Y_test (100 points) instead of the training split",
          fails=(Fail("moons.loss", ("test set was used for training",)),),
          known_gap="moons.loss passes: the fixed-rate run trained on the 100 unscaled X_test rows is not "
                    "noticed (moons 60/60, also when the XOR section is removed), and the whole backtracking "
                    "task is 'not attempted' because the third list network `arm` is dropped (see "
                    "blind3_a_np_shared_funcs). Expected: moons.loss fails naming the test split, "
                    "backtracking keeps 30/30."),
    Entry("blind3_a_np_xor_bad_derivative", "tp6_complet.ipynb", xor_bad_derivative(), attempts=ALL,
          style="whole-lab French notebook NumPy: XOR inline with globals P1 q1 P2 q2 (sigmoid MSE), "
                "moons with dict networks and functions propager/gradients, armijo(res, g, ...) returning "
                "the accepted trial",
          bug="XOR hidden-layer delta multiplies by the activation `cachee` instead of its derivative "
              "`cachee * (1 - cachee)`",
          fails=(Fail("xor.gradients", ("P1", "derivative of the sigmoid", "1 - A")),),
          may_fail=("xor.classifies", "xor.loss"),
          known_gap="XOR bug named right (`P1`, `q1`: sigmoid derivative written A, factor (1 - A) "
                    "missing) but no moons network is found at all (moons 0/60, backtracking 0/30): the "
                    "dict networks res_fixe/res_arm with keys A, a, B, b (from nouveau_reseau()) are not "
                    "recognised as weights; likely grader/evidence.py / identify.py dict-of-arrays "
                    "recognition (keys not W1-like)."),
]
