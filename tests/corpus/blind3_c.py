"""Corpus entries from blind round 3, part c (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind3_c_*``.

NumPy planted bugs not yet in the corpus: a weight gradient built from the layer's own output
instead of its input, a hidden delta through an untransposed square matrix, sech instead of
sech^2 for tanh, the first of four weight matrices never updated, bias gradients averaged while
weight gradients are summed, one matrix updated twice. Correct styles: column-major ReLU with
``z >= 0``, per-sample ``np.outer`` updates with ``+=``, layer objects with an SGD class.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

XOR = ("xor",)
MOONS = ("moons",)


def moons_deep_tanh(dW2_line: str = "gW2 = act1.T @ dlt2") -> list[Cell]:
    """moons_deep.py"""
    return [code(r"""
# make_moons, red neuronal 2-8-8-1 (tanh, tanh, sigmoide), entropia cruzada media
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

gen = np.random.default_rng(11)
X, y = make_moons(n_samples=260, noise=0.2, random_state=11)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=11)
escalador = StandardScaler().fit(X_tr)
X_tr, X_te = escalador.transform(X_tr), escalador.transform(X_te)
t = y_tr.reshape(-1, 1).astype(float)
n = X_tr.shape[0]

W1 = gen.normal(0, 0.8, (2, 8)); b1 = np.zeros((1, 8))
W2 = gen.normal(0, 0.4, (8, 8)); b2 = np.zeros((1, 8))
W3 = gen.normal(0, 0.4, (8, 1)); b3 = np.zeros((1, 1))
paso = 0.3
perdidas = []

def adelante(A):
    a1 = np.tanh(A @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    return a1, a2, 1 / (1 + np.exp(-(a2 @ W3 + b3)))

for epoca in range(800):
    act1, act2, prob = adelante(X_tr)
    perdidas.append(float(-np.mean(t * np.log(prob + 1e-12) + (1 - t) * np.log(1 - prob + 1e-12))))
    dlt3 = (prob - t) / n
    gW3 = act2.T @ dlt3
    gb3 = dlt3.sum(0, keepdims=True)
    dlt2 = (dlt3 @ W3.T) * (1 - act2 ** 2)
    @DW2@
    gb2 = dlt2.sum(0, keepdims=True)
    dlt1 = (dlt2 @ W2.T) * (1 - act1 ** 2)
    gW1 = X_tr.T @ dlt1
    gb1 = dlt1.sum(0, keepdims=True)
    W3 -= paso * gW3; b3 -= paso * gb3
    W2 -= paso * gW2; b2 -= paso * gb2
    W1 -= paso * gW1; b1 -= paso * gb1

_, _, p_te = adelante(X_te)
print("perdida inicial/final", perdidas[0], perdidas[-1])
print("exactitud test", np.mean((p_te.ravel() > 0.5) == y_te))
""".replace("@DW2@", dW2_line))]


def xor_untransposed(delta_line: str = "e1 = (e2 @ V2.T) * s1 * (1 - s1)") -> list[Cell]:
    """xor_two_hidden.ipynb"""
    return [
        md(r"""
## XOR with two hidden layers (6 and 6 sigmoid units)
Loss: mean squared error $L = \frac{1}{4}\sum_i (o_i - y_i)^2$.
"""),
        code(r"""
import numpy as np
np.random.seed(8)
inp = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
tgt = np.array([[0], [1], [1], [0]], dtype=float)
sig = lambda u: 1 / (1 + np.exp(-u))
V1, c1 = np.random.randn(2, 6), np.zeros(6)
V2, c2 = np.random.randn(6, 6), np.zeros(6)
V3, c3 = np.random.randn(6, 1), np.zeros(1)
"""),
        code(r"""
mu = 2.0
mse_log = []
for k in range(6000):
    s1 = sig(inp @ V1 + c1)
    s2 = sig(s1 @ V2 + c2)
    o = sig(s2 @ V3 + c3)
    mse_log.append(np.mean((o - tgt) ** 2))
    e3 = 2 * (o - tgt) / 4 * o * (1 - o)
    e2 = (e3 @ V3.T) * s2 * (1 - s2)
    @DELTA@
    V3 -= mu * s2.T @ e3; c3 -= mu * e3.sum(0)
    V2 -= mu * s1.T @ e2; c2 -= mu * e2.sum(0)
    V1 -= mu * inp.T @ e1; c1 -= mu * e1.sum(0)
""".replace("@DELTA@", delta_line)),
        code(r"""
print(mse_log[0], mse_log[-1])
o = sig(sig(sig(inp @ V1 + c1) @ V2 + c2) @ V3 + c3)
print(o.ravel().round(3), (o.ravel() > 0.5).astype(int))
"""),
    ]


def xor_tanh_deriv(deriv: str = "1 - np.tanh(z) ** 2") -> list[Cell]:
    """xor_tanh.py"""
    return [code(r"""
import numpy as np

rng = np.random.RandomState(2)

def dtanh(z):
    # derivative of tanh at the pre-activation z
    return @DERIV@

x = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])

wh = rng.uniform(-1, 1, (2, 5)); bh = np.zeros((1, 5))
wo = rng.uniform(-1, 1, (5, 1)); bo = np.zeros((1, 1))
alpha = 0.5
hist = []
for ep in range(5000):
    zh = x @ wh + bh
    ah = np.tanh(zh)
    out = 1 / (1 + np.exp(-(ah @ wo + bo)))
    hist.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
    g_out = (out - y) / 4
    g_wo = ah.T @ g_out
    g_bo = g_out.sum(axis=0, keepdims=True)
    g_h = (g_out @ wo.T) * dtanh(zh)
    g_wh = x.T @ g_h
    g_bh = g_h.sum(axis=0, keepdims=True)
    wh -= alpha * g_wh; bh -= alpha * g_bh
    wo -= alpha * g_wo; bo -= alpha * g_bo

print("loss", hist[0], "->", hist[-1])
print("out", out.ravel().round(3))
""".replace("@DERIV@", deriv))]


def moons_four_layers(update_w1: str = "Ws[0] -= lr * dWs[0]") -> list[Cell]:
    """moons_relu_deep.ipynb"""
    return [
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
np.random.seed(23)
Xa, ya = make_moons(300, noise=0.2, random_state=23)
Xtr, Xte, ytr, yte = train_test_split(Xa, ya, test_size=0.2, random_state=23)
scaler = StandardScaler()
Xtr = scaler.fit_transform(Xtr); Xte = scaler.transform(Xte)
Ytr = ytr.reshape(-1, 1).astype(float)
"""),
        code(r"""
sizes = [2, 10, 10, 10, 1]
Ws = [np.random.randn(a, b) * np.sqrt(2.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros((1, b)) for b in sizes[1:]]

def run(X):
    acts, pres = [X], []
    for i in range(4):
        z = acts[-1] @ Ws[i] + bs[i]
        pres.append(z)
        acts.append(np.maximum(z, 0) if i < 3 else 1 / (1 + np.exp(-z)))
    return acts, pres
"""),
        code(r"""
lr = 0.2
losses = []
N = len(Xtr)
for epoch in range(600):
    acts, pres = run(Xtr)
    p = acts[-1]
    losses.append(float(-np.mean(Ytr * np.log(p + 1e-9) + (1 - Ytr) * np.log(1 - p + 1e-9))))
    d = (p - Ytr) / N
    dWs, dbs = [None] * 4, [None] * 4
    for i in (3, 2, 1, 0):
        dWs[i] = acts[i].T @ d
        dbs[i] = d.sum(axis=0, keepdims=True)
        if i > 0:
            d = (d @ Ws[i].T) * (pres[i - 1] > 0)
    @UPD1@
    Ws[1] -= lr * dWs[1]
    Ws[2] -= lr * dWs[2]
    Ws[3] -= lr * dWs[3]
    for i in range(4):
        bs[i] -= lr * dbs[i]
""".replace("@UPD1@", update_w1)),
        code(r"""
acc = np.mean((run(Xte)[0][-1].ravel() > 0.5) == yte)
print(losses[0], losses[-1], "test accuracy", acc)
"""),
    ]


def moons_sum_loss(bias_grad: str = "d_out.sum(axis=0)", bias_grad_h: str = "d_hid.sum(axis=0)") -> list[Cell]:
    """moons_sum.py"""
    return [code(r"""
# Moons, 1 hidden layer of 16 sigmoid units, loss = SUM of the binary cross-entropies
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
pts, lab = make_moons(n_samples=250, noise=0.1, random_state=5)
train_X, test_X = pts[:200], pts[200:]
train_y, test_y = lab[:200].reshape(-1, 1).astype(float), lab[200:]
sc = StandardScaler().fit(train_X)
train_X, test_X = sc.transform(train_X), sc.transform(test_X)

def sigmoid(v):
    return 1 / (1 + np.exp(-v))

w_h = np.random.randn(2, 16); b_h = np.zeros(16)
w_o = np.random.randn(16, 1) * 0.5; b_o = np.zeros(1)
eta = 0.005
total_loss = []
for epoch in range(700):
    hid = sigmoid(train_X @ w_h + b_h)
    out = sigmoid(hid @ w_o + b_o)
    total_loss.append(-np.sum(train_y * np.log(out) + (1 - train_y) * np.log(1 - out)))
    d_out = out - train_y                      # dL/dz for sigmoid + BCE (sum, no 1/N)
    grad_w_o = hid.T @ d_out
    grad_b_o = @BO@
    d_hid = (d_out @ w_o.T) * hid * (1 - hid)
    grad_w_h = train_X.T @ d_hid
    grad_b_h = @BH@
    w_o -= eta * grad_w_o; b_o -= eta * grad_b_o
    w_h -= eta * grad_w_h; b_h -= eta * grad_b_h

pred = sigmoid(sigmoid(test_X @ w_h + b_h) @ w_o + b_o).ravel() > 0.5
print("loss:", total_loss[0], "->", total_loss[-1], " test acc:", (pred == test_y).mean())
""".replace("@BO@", bias_grad).replace("@BH@", bias_grad_h))]


def xor_cols_double(update: str = "W2 = W2 - lr * dW2") -> list[Cell]:
    """xor_cols.py"""
    return [code(r"""
import numpy as np
# column layout: X is 2 x 4, each column one sample
np.random.seed(77)
X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)
m = X.shape[1]
W1 = np.random.randn(4, 2); b1 = np.zeros((4, 1))
W2 = np.random.randn(1, 4); b2 = np.zeros((1, 1))
lr = 0.8
J = []
for i in range(4000):
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    J.append(float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    @UPD@
    b2 = b2 - lr * db2
print(J[0], J[-1])
print(np.round(A2, 3))
""".replace("@UPD@", update))]


def moons_cols_relu3() -> list[Cell]:
    """moons_columns.ipynb"""
    return [
        md("# Lab 6 – make_moons, column-major (W @ X), three ReLU hidden layers"),
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

r = np.random.default_rng(314)
Xall, yall = make_moons(n_samples=320, noise=0.18, random_state=314)
Xa, Xb, ya, yb = train_test_split(Xall, yall, test_size=0.25, random_state=314)
st = StandardScaler().fit(Xa)
Xc = st.transform(Xa).T          # 2 x N
Yc = ya.reshape(1, -1).astype(float)
"""),
        code(r"""
dims = (2, 12, 12, 8, 1)
P = {}
for l in range(1, 5):
    P[f"W{l}"] = r.normal(0, np.sqrt(2 / dims[l - 1]), (dims[l], dims[l - 1]))
    P[f"b{l}"] = np.zeros((dims[l], 1))

def fwd(A0):
    cache = {"A0": A0}
    A = A0
    for l in range(1, 5):
        Z = P[f"W{l}"] @ A + P[f"b{l}"]
        A = np.maximum(Z, 0) if l < 4 else 1 / (1 + np.exp(-Z))
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache

def bwd(cache, Yt):
    m = Yt.shape[1]
    G = {}
    dZ = (cache["A4"] - Yt) / m
    for l in range(4, 0, -1):
        G[f"W{l}"] = dZ @ cache[f"A{l-1}"].T
        G[f"b{l}"] = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            dZ = (P[f"W{l}"].T @ dZ) * (cache[f"Z{l-1}"] >= 0)   # ReLU'(0) taken as 1
    return G
"""),
        code(r"""
step = 0.25
cost = []
for it in range(700):
    Ahat, cache = fwd(Xc)
    cost.append(float(-np.mean(Yc * np.log(Ahat + 1e-10) + (1 - Yc) * np.log(1 - Ahat + 1e-10))))
    G = bwd(cache, Yc)
    for k in P:
        P[k] -= step * G[k]
Ab, _ = fwd(st.transform(Xb).T)
print("cost", cost[0], cost[-1], "test accuracy", np.mean((Ab.ravel() > 0.5) == yb))
"""),
    ]


def xor_per_sample_outer() -> list[Cell]:
    """xor_online.py"""
    return [code(r"""
# Online (one sample at a time) backprop for XOR, squared error E = 1/2 (target - out)^2
import numpy as np

np.random.seed(99)
patterns = [(np.array([0.0, 0.0]), 0.0), (np.array([0.0, 1.0]), 1.0),
            (np.array([1.0, 0.0]), 1.0), (np.array([1.0, 1.0]), 0.0)]
n_hid = 4
w_ih = np.random.uniform(-1, 1, (n_hid, 2))
bias_h = np.random.uniform(-1, 1, n_hid)
w_ho = np.random.uniform(-1, 1, n_hid)
bias_o = 0.0
learn = 0.5

def logistic(s):
    return 1.0 / (1.0 + np.exp(-s))

epoch_err = []
for epoch in range(5000):
    tot = 0.0
    for inp, target in patterns:
        hidden = logistic(w_ih @ inp + bias_h)
        out = logistic(w_ho @ hidden + bias_o)
        error = target - out
        tot += 0.5 * error ** 2
        delta_o = error * out * (1 - out)
        delta_h = delta_o * w_ho * hidden * (1 - hidden)
        w_ho += learn * delta_o * hidden
        bias_o += learn * delta_o
        w_ih += learn * np.outer(delta_h, inp)
        bias_h += learn * delta_h
    epoch_err.append(tot)

print("error per epoch:", epoch_err[0], "->", epoch_err[-1])
for inp, target in patterns:
    print(inp, target, round(float(logistic(w_ho @ logistic(w_ih @ inp + bias_h) + bias_o)), 3))
""")]


def moons_layer_objects() -> list[Cell]:
    """moons_layers.py"""
    return [code(r"""
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
""")]


def xor_mse_sigmoid(delta: str = "dout = (yhat - Y) * yhat * (1 - yhat)") -> list[Cell]:
    """xor_mse.py"""
    return [code(r"""
import numpy as np

np.random.seed(404)
X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)
Wa = np.random.randn(2, 4); ba = np.zeros((1, 4))
Wb = np.random.randn(4, 1); bb = np.zeros((1, 1))
lr = 1.5
mse = []
for t in range(8000):
    H = np.tanh(X @ Wa + ba)
    yhat = 1 / (1 + np.exp(-(H @ Wb + bb)))
    mse.append(float(np.mean((yhat - Y) ** 2) / 2))    # 1/2 * mean squared error
    @DELTA@
    dout = dout / len(X)
    dWb = H.T @ dout; dbb = dout.sum(0, keepdims=True)
    dH = dout @ Wb.T * (1 - H * H)
    dWa = X.T @ dH; dba = dH.sum(0, keepdims=True)
    Wa -= lr * dWa; ba -= lr * dba
    Wb -= lr * dWb; bb -= lr * dbb
print("mse", mse[0], mse[-1])
print(yhat.round(2).ravel())
""".replace("@DELTA@", delta))]


def moons_relu_mask(mask: str = "g_hidden * (pre > 0)") -> list[Cell]:
    """relu_moons.ipynb"""
    return [
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
rng = np.random.default_rng(808)
feats, cls = make_moons(n_samples=240, noise=0.2, random_state=808)
ftr, fte, ctr, cte = train_test_split(feats, cls, test_size=0.25, random_state=808)
norm = StandardScaler().fit(ftr)
ftr, fte = norm.transform(ftr), norm.transform(fte)
target = ctr[:, None].astype(float)
"""),
        code(r"""
W_in = rng.normal(0, 0.9, (2, 24)); b_in = np.zeros(24)
W_out = rng.normal(0, 0.2, (24, 1)); b_out = np.zeros(1)
rate = 0.4
curve = []
for epoch in range(600):
    pre = ftr @ W_in + b_in
    hid = np.maximum(pre, 0.0)
    q = 1 / (1 + np.exp(-(hid @ W_out + b_out)))
    curve.append(-np.mean(target * np.log(q + 1e-12) + (1 - target) * np.log(1 - q + 1e-12)))
    g_logit = (q - target) / len(ftr)
    g_W_out = hid.T @ g_logit
    g_b_out = g_logit.sum(axis=0)
    g_hidden = g_logit @ W_out.T
    g_pre = @MASK@
    g_W_in = ftr.T @ g_pre
    g_b_in = g_pre.sum(axis=0)
    W_in -= rate * g_W_in; b_in -= rate * g_b_in
    W_out -= rate * g_W_out; b_out -= rate * g_b_out
""".replace("@MASK@", mask)),
        code(r"""
qt = 1 / (1 + np.exp(-(np.maximum(fte @ W_in + b_in, 0) @ W_out + b_out)))
print(curve[0], curve[-1], "held-out accuracy", np.mean((qt.ravel() > 0.5) == cte))
"""),
    ]


def xor_stale_gradient() -> list[Cell]:
    """xor_delayed.py"""
    return [code(r"""
# XOR, sigmoid 2-3-1, mean BCE.  Gradients are stored in `grads` and applied at the top of the
# next pass.
import numpy as np

rs = np.random.RandomState(61)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
net = {"W1": rs.randn(2, 3), "b1": np.zeros((1, 3)), "W2": rs.randn(3, 1), "b2": np.zeros((1, 1))}
lr = 1.0
grads = None
loss_hist = []

def sigm(v):
    return 1 / (1 + np.exp(-v))

for epoch in range(6000):
    h = sigm(X @ net["W1"] + net["b1"])
    p = sigm(h @ net["W2"] + net["b2"])
    loss_hist.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    if grads is not None:
        for k in net:
            net[k] -= lr * grads[k]
    dz2 = (p - y) / 4
    dz1 = dz2 @ net["W2"].T * h * (1 - h)
    grads = {"W2": h.T @ dz2, "b2": dz2.sum(0, keepdims=True),
             "W1": X.T @ dz1, "b1": dz1.sum(0, keepdims=True)}

print(loss_hist[0], loss_hist[-1])
print(sigm(sigm(X @ net["W1"] + net["b1"]) @ net["W2"] + net["b2"]).round(3).ravel())
""")]


def moons_softmax_onehot(onehot: str = "np.eye(2)[ytr]") -> list[Cell]:
    """moons_softmax.py"""
    return [code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

np.random.seed(1234)
X, y = make_moons(n_samples=300, noise=0.2, random_state=1234)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=1234)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
T = @ONEHOT@                    # one-hot targets, shape (N, 2)

W1 = np.random.randn(2, 10) * 0.7; b1 = np.zeros(10)
W2 = np.random.randn(10, 2) * 0.3; b2 = np.zeros(2)

def softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)

lr = 0.5
ce = []
for ep in range(500):
    A = np.tanh(Xtr @ W1 + b1)
    P = softmax(A @ W2 + b2)
    ce.append(-np.mean(np.sum(T * np.log(P + 1e-12), axis=1)))
    G = (P - T) / len(Xtr)
    dW2 = A.T @ G; db2 = G.sum(axis=0)
    GA = (G @ W2.T) * (1 - A ** 2)
    dW1 = Xtr.T @ GA; db1 = GA.sum(axis=0)
    W1 -= lr * dW1; b1 -= lr * db1
    W2 -= lr * dW2; b2 -= lr * db2

pred = softmax(np.tanh(Xte @ W1 + b1) @ W2 + b2).argmax(axis=1)
print("CE", ce[0], "->", ce[-1], "test accuracy", np.mean(pred == yte))
""".replace("@ONEHOT@", onehot))]


ENTRIES: list[Entry] = [
    # ---- correct, in new styles ----
    Entry("blind3_c_np_cols_relu3_moons", "moons_columns.ipynb", moons_cols_relu3(), attempts=MOONS,
          style="moons notebook, column-major W @ X, params dict P['W1'..'W4'], three ReLU hidden "
                "layers 12-12-8, ReLU derivative written `(Z >= 0)`, default_rng, mean BCE"),
    Entry("blind3_c_np_online_outer_xor", "xor_online.py", xor_per_sample_outer(), attempts=XOR,
          style="XOR NumPy online updates one pattern at a time, 1-D weight vectors, np.outer for the "
                "hidden weights, `error = target - out` and `+=` updates, half squared error summed "
                "per epoch"),
    Entry("blind3_c_np_layer_objects_moons", "moons_layers.py", moons_layer_objects(), attempts=MOONS,
          style="moons NumPy layer objects Dense/Tanh with .W .b .dW .db, softmax cross-entropy over "
                "2 classes, an optimizer class `SGD(layers, lr).step()`"),
    Entry("blind3_c_np_deep_tanh_moons", "moons_deep.py", moons_deep_tanh(), attempts=MOONS,
          style="moons NumPy 2-8-8-1 tanh, Spanish names (paso, perdidas, adelante), gW*/dlt* names"),
    # ---- one planted bug each ----
    Entry("blind3_c_np_dW2_own_output", "moons_deep.py",
          moons_deep_tanh("gW2 = act2.T @ dlt2"), attempts=MOONS,
          style="moons NumPy 2-8-8-1 tanh (the twin of blind3_c_np_deep_tanh_moons)",
          bug="`gW2 = act2.T @ dlt2`: W2's gradient uses the layer's own output act2 instead of its "
              "input act1 (both 8 wide, so the shapes fit)",
          fails=(Fail("moons.gradients", ("`W2`", "output", "input")),),
          known_gap=("The grader fails moons.gradients but only says W2's update is not along the gradient (100% off); it should say gW2 is built from the layer's own output act2 instead of its input act1. No update hypothesis for 'wrong activation in dW' (grader/update_hypotheses.py)."),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind3_c_np_delta_untransposed", "xor_two_hidden.ipynb",
          xor_untransposed("e1 = (e2 @ V2) * s1 * (1 - s1)"), attempts=XOR,
          style="XOR notebook, sigmoid 2-6-6-1, V1/V2/V3 c1/c2/c3, mean MSE",
          bug="`e1 = (e2 @ V2) * ...`: the hidden delta goes back through V2 instead of V2.T (V2 is "
              "square, so the shapes fit)",
          fails=(Fail("xor.gradients", ("`V1`", "transpose")),),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind3_c_np_tanh_sech", "xor_tanh.py", xor_tanh_deriv("1 / np.cosh(z)"), attempts=XOR,
          style="XOR NumPy inline wh/bh/wo/bo, tanh hidden 5 units, sigmoid output, mean BCE",
          bug="`dtanh(z) = 1 / np.cosh(z)`: sech(z) instead of sech(z)**2 = 1 - tanh(z)**2",
          fails=(Fail("xor.gradients", ("tanh", "derivative", "`wh`")),),
          known_gap=("The grader fails xor.gradients with the generic 'update of wh, bh is not a step along the gradient (99% off)'; it should name the tanh derivative written sech(z) = 1/cosh(z) instead of 1 - tanh(z)**2. No such derivative hypothesis in grader/update_hypotheses.py."),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind3_c_np_first_layer_frozen", "moons_relu_deep.ipynb",
          moons_four_layers("# update the weights"), attempts=MOONS,
          style="moons notebook, NumPy 2-10-10-10-1 ReLU, weights in lists Ws/bs, updates written out "
                "one matrix per line",
          bug="`Ws[0]` is never updated (only Ws[1..3] and all the biases are): the first layer keeps "
              "its random weights",
          fails=(Fail("moons.descent", ("`Ws[0]`", "never")),),
          known_gap=("The grader finds no moons network (60 points lost, accuracy 96.7% not credited): it builds the network only from the arrays the loop changed (Ws[1..3], 10->10->10->1) and never tries the unchanged Ws[0] as a frozen layer; it should find the 2->10->10->10->1 net and fail moons.descent saying Ws[0] is never updated. grader/evidence.py frozen_biases handles only bias-named vectors, not frozen weight matrices."),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind3_c_np_bias_mean_weight_sum", "moons_sum.py",
          moons_sum_loss("d_out.mean(axis=0)", "d_hid.mean(axis=0)"), attempts=MOONS,
          style="moons NumPy 2-16-1 sigmoid, loss the SUM of the BCEs (no 1/N), w_h/b_h/w_o/b_o",
          bug="`grad_b_o = d_out.mean(axis=0)` and `grad_b_h = d_hid.mean(axis=0)` while the weight "
              "gradients are sums over the 200 samples: both bias gradients are 200 times too small",
          fails=(Fail("moons.gradients", ("`b_h`", "200")),),
          known_gap=("The grader passes moons.gradients although both bias steps are 200 times smaller than the weights' (scales 0.005 vs 2.5e-5 in the details); it should say b_h, b_o's gradients are means where the weights' are sums (factor 200). Cause: grader/checks/updates.py check_update_directions takes the median of 4 scales (2 vs 2 split), marks all 4 as odd, and `len(odd) < len(table)` then passes."),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind3_c_np_W2_updated_twice", "xor_cols.py",
          xor_cols_double("W2 = W2 - lr * dW2\n    W2 = W2 - lr * dW2"), attempts=XOR,
          style="XOR NumPy column layout W @ X, tanh 2-4-1, sigmoid output, mean BCE",
          bug="`W2 = W2 - lr * dW2` is written twice: W2 takes a double step (2 * lr) every epoch",
          fails=(Fail("xor.descent", ("`W2`", "twice")),),
          known_gap=("The grader fails xor.gradients ('gradient of W2 is 2 times what it should be, as from a missing 1/m') and passes xor.descent; dW2 is computed correctly and the update line is repeated, so descent should fail naming W2 updated twice (2 * lr). The observed-update factor is blamed on the gradient (grader/checks/updates.py check_update_directions) without comparing with the code's own dW2."),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind3_c_np_mse_output_no_deriv", "xor_mse.py", xor_mse_sigmoid("dout = yhat - Y"),
          attempts=XOR,
          style="XOR NumPy tanh 2-4-1, sigmoid output, the loss recorded is half the mean squared "
                "error, Wa/ba/Wb/bb names",
          bug="`dout = yhat - Y` under the squared-error loss the code records: the output sigmoid's "
              "derivative yhat * (1 - yhat) is missing (that delta belongs to cross-entropy)",
          fails=(Fail("xor.gradients", ("squared error", "sigmoid", "derivative")),),
          known_gap=("The grader passes everything: the updates follow the BCE gradient, which it accepts, although the loss the code records is half the MSE; it should fail xor.gradients saying the output sigmoid derivative is missing for the squared error. grader/checks/updates.py check_loss_consistency handles only the reverse case (log-loss recorded, squared-error followed)."),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind3_c_np_relu_mask_on_delta", "relu_moons.ipynb",
          moons_relu_mask("g_hidden * (g_hidden > 0)"), attempts=MOONS,
          style="moons notebook NumPy ReLU 2-24-1, W_in/b_in/W_out/b_out, g_* gradient names",
          bug="`g_pre = g_hidden * (g_hidden > 0)`: the ReLU mask is taken from the sign of the "
              "backpropagated gradient instead of the pre-activation `pre > 0`",
          fails=(Fail("moons.gradients", ("ReLU", "`W_in`", "pre-activation")),),
          known_gap=("The grader fails moons.gradients with the generic 'update of W_in, b_in is not a step along the gradient (83% off)'; it should say the ReLU mask is taken from the gradient's sign (g_hidden > 0) instead of the pre-activation. No such hypothesis in grader/update_hypotheses.py."),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind3_c_np_softmax_moons", "moons_softmax.py", moons_softmax_onehot(), attempts=MOONS,
          style="moons NumPy tanh 2-10-2, softmax over two classes, one-hot targets np.eye(2)[y], "
                "mean cross-entropy"),
    Entry("blind3_c_np_onehot_swapped", "moons_softmax.py", moons_softmax_onehot("np.eye(2)[1 - ytr]"),
          attempts=MOONS,
          style="moons NumPy tanh 2-10-2 softmax (the twin of blind3_c_np_softmax_moons)",
          bug="`T = np.eye(2)[1 - ytr]`: the one-hot targets put the 1 in the other class's column, "
              "so the network learns the swapped classes",
          fails=(Fail("moons.accuracy", ("flipped labels",)),),
          may_fail=("moons.loss",)),
    Entry("blind3_c_np_stale_gradient", "xor_delayed.py", xor_stale_gradient(), attempts=XOR,
          style="XOR NumPy params dict net['W1'..], sigmoid 2-3-1, mean BCE, gradients kept in a dict",
          bug="the update at the top of each pass applies `grads` computed in the previous pass, at "
              "the previous weights: every step uses a gradient one iteration stale",
          fails=(Fail("xor.descent", ("previous iteration",)),),
          known_gap=("The grader fails both xor.gradients and xor.descent with the generic 'update of net[W1], net[W2] is not a step along the gradient (2.46% off), backpropagated gradient wrong'; backprop is correct and the step uses the gradient of the previous iteration's weights, so only descent should fail, naming the one-iteration-stale gradient. No delayed-gradient hypothesis in grader/update_hypotheses.py."),
          may_fail=("xor.classifies", "xor.loss"),
          notes="Judged a bug: the lab's update is w <- w - lr * grad f(w) at the current w; here "
                "w_{t+1} = w_t - lr * grad f(w_{t-1}) (delayed gradient descent)."),
]
