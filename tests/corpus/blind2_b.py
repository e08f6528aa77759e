"""Corpus entries from blind round 2, part b (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind2_b_*``.

NumPy and pure-Python networks stored in unusual ways: one flat parameter vector unpacked by
slicing (sigmoid XOR; a softmax notebook), pure-Python lists with the bias folded in as a
constant-1 input, a deep network held in lists built in a loop, a class trained with momentum
in a ``while`` loop, a parameter list updated by ``zip(params, grads)``. Bugs: a bias gradient
summed over the wrong axis in that list, a missing hidden derivative in a flat vector, a flat
gradient concatenated in the wrong order.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401


def flat_theta_xor(*, hidden_derivative: bool = True, grad_order: str = "W1 b1 W2 b2") -> list[Cell]:
    """xor_flat.py: every parameter in one 1-D vector ``theta``."""
    d1 = "d1 = (d2 @ W2.T) * a1 * (1 - a1)" if hidden_derivative else "d1 = d2 @ W2.T"
    pieces = {"W1": "gW1.ravel()", "b1": "gb1", "W2": "gW2.ravel()", "b2": "gb2"}
    grad = ", ".join(pieces[p] for p in grad_order.split())
    return [code(rf"""
# XOR, 2-4-1 sigmoid network, all parameters packed into ONE vector theta
# layout: [ W1 (2x4) | b1 (4) | W2 (4x1) | b2 (1) ]  -> 17 numbers
import numpy as np

rng = np.random.RandomState(21)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

n_in, n_h, n_out = 2, 4, 1
sizes = [n_in * n_h, n_h, n_h * n_out, n_out]
offsets = np.cumsum([0] + sizes)
theta = rng.uniform(-1.0, 1.0, offsets[-1])


def unpack(theta):
    W1 = theta[offsets[0]:offsets[1]].reshape(n_in, n_h)
    b1 = theta[offsets[1]:offsets[2]]
    W2 = theta[offsets[2]:offsets[3]].reshape(n_h, n_out)
    b2 = theta[offsets[3]:offsets[4]]
    return W1, b1, W2, b2


def sig(z):
    return 1 / (1 + np.exp(-z))


def forward(theta, X):
    W1, b1, W2, b2 = unpack(theta)
    a1 = sig(X @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    return a1, a2


def cost_and_grad(theta, X, Y):
    W1, b1, W2, b2 = unpack(theta)
    m = X.shape[0]
    a1, a2 = forward(theta, X)
    J = np.mean((a2 - Y) ** 2)
    d2 = 2 * (a2 - Y) * a2 * (1 - a2) / m
    gW2 = a1.T @ d2
    gb2 = d2.sum(axis=0)
    {d1}
    gW1 = X.T @ d1
    gb1 = d1.sum(axis=0)
    return J, np.concatenate([{grad}])


lr = 2.0
J_hist = []
for it in range(8000):
    J, grad = cost_and_grad(theta, X, Y)
    theta -= lr * grad
    J_hist.append(J)
    if it % 1000 == 0:
        print(it, round(J, 5))

_, out = forward(theta, X)
print("outputs:", out.ravel().round(3))
print("predicted:", (out.ravel() > 0.5).astype(int), "target:", Y.ravel().astype(int))
""")]


def flat_softmax_moons_nb() -> list[Cell]:
    """moons_softmax.ipynb: a flat vector ``w``, softmax of 2 units, cross-entropy on one-hot."""
    return [
        md(r"""
# Lab 6 — make_moons with a softmax output
All weights live in a single flat vector `w`; `split(w)` cuts it back into matrices.
Output: 2 units + softmax, loss: cross-entropy against one-hot labels.
"""),
        code(r"""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
%matplotlib inline
np.random.seed(5)
"""),
        code(r"""
X, y = make_moons(n_samples=300, noise=0.15, random_state=5)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=5)
T_train = np.eye(2)[y_train]       # one-hot, shape (N, 2)
X_train.shape, T_train.shape
"""),
        code(r"""
H = 10
shapes = [(2, H), (H,), (H, 2), (2,)]
counts = [int(np.prod(s)) for s in shapes]
print(counts, sum(counts))

def split(w):
    out, k = [], 0
    for s, c in zip(shapes, counts):
        out.append(w[k:k + c].reshape(s))
        k += c
    return out

w = np.concatenate([np.random.randn(2 * H) * 0.8, np.zeros(H),
                    np.random.randn(2 * H) * 0.5, np.zeros(2)])
"""),
        code(r"""
def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

def predict_proba(w, X):
    A, a, B, b = split(w)
    h = np.tanh(X @ A + a)
    return softmax(h @ B + b)

def loss_grad(w, X, T):
    A, a, B, b = split(w)
    n = len(X)
    h = np.tanh(X @ A + a)
    P = softmax(h @ B + b)
    L = -np.sum(T * np.log(P + 1e-12)) / n
    dZ = (P - T) / n
    dB = h.T @ dZ
    db = dZ.sum(0)
    dh = (dZ @ B.T) * (1 - h ** 2)
    dA = X.T @ dh
    da = dh.sum(0)
    return L, np.concatenate([dA.ravel(), da, dB.ravel(), db])
"""),
        code(r"""
eta = 0.5
losses = []
for epoch in range(1000):
    L, g = loss_grad(w, X_train, T_train)
    w = w - eta * g
    losses.append(L)
print("first / last loss:", losses[0], losses[-1])
plt.plot(losses); plt.xlabel("epoch"); plt.ylabel("cross-entropy"); plt.show()
"""),
        code(r"""
acc_train = np.mean(predict_proba(w, X_train).argmax(1) == y_train)
acc_test = np.mean(predict_proba(w, X_test).argmax(1) == y_test)
print(f"train {acc_train:.3f}  test {acc_test:.3f}")
"""),
    ]


def purepy_bias_input_xor() -> list[Cell]:
    """xor_lists.py: pure Python, the bias folded in as a constant 1 appended to each input."""
    return [code(r"""
# Rede neural para o XOR sem numpy: listas puras.
# O bias é uma entrada extra constante igual a 1 (x + [1.0]) -> não há vetores de bias separados.
import math
import random

random.seed(8)

dados = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]
N_ENT = 2 + 1        # duas entradas + o 1 do bias
N_OCULTA = 4

# pesos[j][i]: da entrada i para o neurônio oculto j (a última coluna faz o papel do bias)
pesos_oc = [[random.uniform(-1.0, 1.0) for _ in range(N_ENT)] for _ in range(N_OCULTA)]
# camada de saída: N_OCULTA pesos + 1 do bias (o oculto também recebe um 1 no fim)
pesos_sai = [random.uniform(-1.0, 1.0) for _ in range(N_OCULTA + 1)]
taxa = 0.7


def sigmoide(v):
    return 1.0 / (1.0 + math.exp(-v))


def propaga(x):
    entrada = x + [1.0]
    oculta = [sigmoide(sum(w * e for w, e in zip(linha, entrada))) for linha in pesos_oc]
    oculta_b = oculta + [1.0]
    saida = sigmoide(sum(w * h for w, h in zip(pesos_sai, oculta_b)))
    return entrada, oculta_b, saida


erros = []
for epoca in range(5000):
    soma = 0.0
    for x, alvo in dados:
        entrada, oculta_b, saida = propaga(x)
        soma += (saida - alvo) ** 2
        delta_s = (saida - alvo) * saida * (1.0 - saida)
        delta_o = [delta_s * pesos_sai[j] * oculta_b[j] * (1.0 - oculta_b[j]) for j in range(N_OCULTA)]
        for j in range(N_OCULTA + 1):
            pesos_sai[j] -= taxa * delta_s * oculta_b[j]
        for j in range(N_OCULTA):
            for i in range(N_ENT):
                pesos_oc[j][i] -= taxa * delta_o[j] * entrada[i]
    erros.append(soma / len(dados))
    if epoca % 1000 == 0:
        print("época", epoca, "erro", round(erros[-1], 5))

for x, alvo in dados:
    print(x, alvo, round(propaga(x)[2], 3))
"""),
    ]


def deep_lists_moons() -> list[Cell]:
    """deep_moons.py: 3 hidden layers, weights in a list built by zip(sizes[:-1], sizes[1:])."""
    return [code(r'''
"""Deep MLP on make_moons: 2 -> 12 -> 12 -> 8 -> 1, tanh hidden, sigmoid out, full-batch GD."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(31)
Xr, yr = make_moons(n_samples=400, noise=0.2, random_state=31)
Xtr, ytr = Xr[:300], yr[:300].reshape(-1, 1)
Xte, yte = Xr[300:], yr[300:].reshape(-1, 1)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)

sizes = [2, 12, 12, 8, 1]
layers = [np.random.randn(a, b) * np.sqrt(1.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]
biases = [np.zeros((1, b)) for b in sizes[1:]]


def run(X):
    acts = [X]
    for k, (W, b) in enumerate(zip(layers, biases)):
        z = acts[-1] @ W + b
        acts.append(np.tanh(z) if k < len(layers) - 1 else 1 / (1 + np.exp(-z)))
    return acts


def bce(p, y):
    p = np.clip(p, 1e-10, 1 - 1e-10)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


step = 0.3
loss_log = []
for ep in range(800):
    acts = run(Xtr)
    loss_log.append(bce(acts[-1], ytr))
    delta = (acts[-1] - ytr) / len(Xtr)
    gW, gb = [None] * len(layers), [None] * len(layers)
    for k in reversed(range(len(layers))):
        gW[k] = acts[k].T @ delta
        gb[k] = delta.sum(axis=0, keepdims=True)
        if k > 0:
            delta = (delta @ layers[k].T) * (1 - acts[k] ** 2)
    for k in range(len(layers)):
        layers[k] -= step * gW[k]
        biases[k] -= step * gb[k]
    if ep % 200 == 0:
        print(f"ep {ep:4d} bce {loss_log[-1]:.4f}")

pred = run(Xte)[-1] > 0.5
print("test accuracy", float(np.mean(pred == yte)))
''')]


def momentum_class_xor() -> list[Cell]:
    """nn_momentum.py: an NN class trained with momentum in a while loop."""
    return [code(r"""
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
""")]


def params_list_moons() -> list[Cell]:
    """moons_params.ipynb: params = [W1, b1, W2, b2] updated by zip(params, grads)."""
    return [
        md("## make_moons, one hidden layer, parameters kept in a list"),
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

rs = np.random.RandomState(77)
X, y = make_moons(250, noise=0.18, random_state=77)
Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=77)
scaler = StandardScaler()
Xa = scaler.fit_transform(Xa); Xb = scaler.transform(Xb)
ya = ya[:, None].astype(float); yb = yb[:, None].astype(float)
"""),
        code(r"""
h = 16
params = [rs.randn(2, h) * 0.6, np.zeros((1, h)), rs.randn(h, 1) * 0.3, np.zeros((1, 1))]

def fwd(params, X):
    W1, b1, W2, b2 = params
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    p = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    return z1, a1, p

def grads_of(params, X, y):
    W1, b1, W2, b2 = params
    z1, a1, p = fwd(params, X)
    d2 = (p - y) / len(X)
    d1 = (d2 @ W2.T) * (z1 > 0)
    return [X.T @ d1, d1.sum(axis=0, keepdims=True), a1.T @ d2, d2.sum(axis=0, keepdims=True)]
"""),
        code(r"""
lr = 0.8
curve = []
for it in range(900):
    _, _, p = fwd(params, Xa)
    curve.append(float(-np.mean(ya * np.log(p + 1e-12) + (1 - ya) * np.log(1 - p + 1e-12))))
    grads = grads_of(params, Xa, ya)
    for p_, g in zip(params, grads):
        p_ -= lr * g
print(curve[0], curve[-1])
"""),
        code(r"""
acc = np.mean((fwd(params, Xb)[2] > 0.5) == yb)
print("held-out accuracy:", acc)
"""),
    ]


def params_list_bias_axis_xor() -> list[Cell]:
    """xor_list.py: params list, db1 summed over the units (axis=1) instead of the samples."""
    return [code(r"""
# XOR in numpy. params = [W1, b1, W2, b2]; backprop returns grads in the same order.
import numpy as np

np.random.seed(13)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
t = np.array([0, 1, 1, 0], dtype=np.float64).reshape(4, 1)

W1 = np.random.uniform(-1, 1, size=(2, 4))
b1 = np.zeros(4)
W2 = np.random.uniform(-1, 1, size=(4, 1))
b2 = np.zeros(1)
params = [W1, b1, W2, b2]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def backprop(params, X, t):
    W1, b1, W2, b2 = params
    h = sigmoid(X @ W1 + b1)
    out = sigmoid(h @ W2 + b2)
    d2 = (out - t) * out * (1 - out)
    d1 = (d2 @ W2.T) * h * (1 - h)
    dW2 = h.T @ d2
    db2 = np.sum(d2, axis=0)
    dW1 = X.T @ d1
    db1 = np.sum(d1, axis=1)
    loss = 0.5 * np.sum((out - t) ** 2)
    return loss, [dW1, db1, dW2, db2]


alpha = 1.0
errs = []
for i in range(10000):
    loss, grads = backprop(params, X, t)
    for p, g in zip(params, grads):
        p -= alpha * g
    errs.append(loss)
    if i % 2000 == 0:
        print(i, loss)

out = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
print(out.ravel().round(3))
""")]


def deep_pairs_xor() -> list[Cell]:
    """deep_xor.ipynb: four hidden layers, the network a list of [W, b] pairs built in a loop."""
    return [
        md("### XOR with a deep net: 2 → 6 → 6 → 6 → 6 → 1 (ReLU hidden, sigmoid out)"),
        code(r"""
import numpy as np
np.random.seed(2024)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([[0, 1, 1, 0]], float).T
dims = [2, 6, 6, 6, 6, 1]
net = [[np.random.randn(i, o) * np.sqrt(2.0 / i), np.full((1, o), 0.01)]
       for i, o in zip(dims[:-1], dims[1:])]
"""),
        code(r"""
def forward_all(net, X):
    outs = [X]
    for depth, (W, b) in enumerate(net):
        z = outs[-1] @ W + b
        outs.append(1 / (1 + np.exp(-z)) if depth == len(net) - 1 else np.maximum(0, z))
    return outs

rate = 0.1
hist = []
for t in range(4000):
    outs = forward_all(net, X)
    p = outs[-1]
    hist.append(float(np.mean(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)))))
    g = (p - Y) / len(X)
    for depth in range(len(net) - 1, -1, -1):
        W, b = net[depth]
        gW, gb = outs[depth].T @ g, g.sum(axis=0, keepdims=True)
        if depth:
            g = (g @ W.T) * (outs[depth] > 0)
        net[depth][0] = W - rate * gW
        net[depth][1] = b - rate * gb
print(hist[0], hist[-1])
print(np.round(forward_all(net, X)[-1].ravel(), 3))
"""),
    ]


ENTRIES: list[Entry] = [
    Entry("blind2_b_np_flat_theta_xor", "xor_flat.py", flat_theta_xor(), attempts=("xor",),
          style="XOR NumPy 2-4-1 sigmoid, every parameter in one flat vector theta unpacked by slicing "
                "and reshape (offsets from np.cumsum), gradient assembled with np.concatenate, "
                "theta -= lr * grad, MSE"),
    Entry("blind2_b_np_flat_softmax_nb", "moons_softmax.ipynb", flat_softmax_moons_nb(),
          attempts=("moons",),
          style="moons notebook, flat vector w cut by split(w) over a list of shapes, tanh hidden, "
                "softmax of 2 units, cross-entropy on one-hot labels, w = w - eta * g"),
    Entry("blind2_b_purepy_bias_input_xor", "xor_lists.py", purepy_bias_input_xor(), attempts=("xor",),
          style="pure Python lists, Portuguese names, the bias folded in as a constant 1 appended to "
                "the input and to the hidden layer (x + [1.0]), no separate biases, per-sample updates"),
    Entry("blind2_b_np_deep_lists_moons", "deep_moons.py", deep_lists_moons(), attempts=("moons",),
          style="moons NumPy 2-12-12-8-1, weights in a list built by zip(sizes[:-1], sizes[1:]), "
                "biases in another list, tanh hidden, backprop in a reversed loop, StandardScaler"),
    Entry("blind2_b_np_deep_pairs_xor", "deep_xor.ipynb", deep_pairs_xor(), attempts=("xor",),
          style="XOR notebook 2-6-6-6-6-1 ReLU, the network a list of [W, b] lists built by a "
                "comprehension over zip(dims[:-1], dims[1:]), each pair replaced by new arrays "
                "every step (`net[depth][0] = W - rate * gW`)"),
    Entry("blind2_b_np_momentum_class_xor", "nn_momentum.py", momentum_class_xor(), attempts=("xor",),
          style="XOR NumPy class NN, `while epoch < n:`, heavy-ball momentum (a velocity per "
                "parameter in a dict, setattr), BCE",
          bug="momentum (beta = 0.9) where lab6.toml's descent checks ask plain gradient descent "
              "(`allow_other_optimizers = false`)",
          fails=(Fail("xor.descent", ("momentum", "not plain gradient descent")),),
          notes="Written as a correct momentum variant. The gradients are right and that check "
                "passes; whether momentum costs the descent points is the rubric's policy, and "
                "lab6.toml (like diagnoses_momentum) says it does. Should the rubric allow momentum, "
                "this becomes a correct entry."),
    Entry("blind2_b_np_params_list_moons", "moons_params.ipynb", params_list_moons(), attempts=("moons",),
          style="moons notebook, params = [W1, b1, W2, b2] unnamed in a list, ReLU hidden, "
                "`for p_, g in zip(params, grads): p_ -= lr * g`"),
    # ---- one planted bug each ----
    Entry("blind2_b_np_params_list_bias_axis", "xor_list.py", params_list_bias_axis_xor(),
          attempts=("xor",),
          style="XOR NumPy, params = [W1, b1, W2, b2] updated by `for p, g in zip(params, grads)`",
          bug="`db1 = np.sum(d1, axis=1)`: the bias gradient is summed over the units, not the samples "
              "(4 samples and 4 hidden units, so it broadcasts)",
          fails=(Fail("xor.gradients", ("b1", "axis")),)),
    Entry("blind2_b_np_flat_no_hidden_deriv", "xor_flat.py", flat_theta_xor(hidden_derivative=False),
          attempts=("xor",),
          style="XOR NumPy flat theta (as blind2_b_np_flat_theta_xor)",
          bug="`d1 = d2 @ W2.T`: the hidden layer's sigmoid derivative a1 * (1 - a1) is missing",
          fails=(Fail("xor.gradients", ("W1", "derivative")),), also_fails=("xor.loss",),
          may_fail=("xor.classifies",)),
    Entry("blind2_b_np_flat_grad_order", "xor_flat.py", flat_theta_xor(grad_order="W1 W2 b1 b2"),
          attempts=("xor",),
          style="XOR NumPy flat theta (as blind2_b_np_flat_theta_xor)",
          bug="the gradient is concatenated as [dW1, dW2, db1, db2] while theta is [W1, b1, W2, b2]: "
              "b1 is stepped by W2's gradient and W2 by b1's",
          fails=(Fail("xor.gradients", ("order", "b1", "W2")),),
          also_fails=("xor.classifies", "xor.loss")),
]
