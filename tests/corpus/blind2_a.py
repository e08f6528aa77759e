"""Corpus entries from blind round 2, part a (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind2_a_*``.

Armijo backtracking written every way. Correct: a ``for ... else`` search, an inline ``while``
over a dict of parameters with trial dicts assigned only when accepted, a flat parameter vector
``theta`` unpacked by slicing, a search warm-started from the previous step (times 2, capped) in
PyTorch and in NumPy, a German softmax notebook. Bugs: the inequality reversed inline, the gradient norm not squared,
a "shrink" factor rho > 1 that makes the step grow.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401


def np_for_else() -> list[Cell]:
    """armijo_moons.py"""
    return [
        code(r"""
# Lab 6 - moons: constant step vs. Armijo backtracking
# (Tomasz K.) numpy only, 2-12-1, tanh hidden, sigmoid out, mean BCE
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(7)
X, y = make_moons(n_samples=360, noise=0.15, random_state=7)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=7)
Ytr = ytr.reshape(-1, 1).astype(float)


def init(seed):
    r = np.random.default_rng(seed)
    return [r.normal(0, 0.8, (2, 12)), np.zeros(12), r.normal(0, 0.4, (12, 1)), np.zeros(1)]


def predict(ws, X):
    A = np.tanh(X @ ws[0] + ws[1])
    return A, 1.0 / (1.0 + np.exp(-(A @ ws[2] + ws[3])))


def cost(ws, X, Y):
    p = np.clip(predict(ws, X)[1], 1e-12, 1 - 1e-12)
    return float(np.mean(-Y * np.log(p) - (1 - Y) * np.log(1 - p)))


def gradient(ws, X, Y):
    A, p = predict(ws, X)
    dout = (p - Y) / X.shape[0]
    dA = dout @ ws[2].T * (1 - A * A)
    return [X.T @ dA, dA.sum(axis=0), A.T @ dout, dout.sum(axis=0)]


def armijo_search(ws, gs, X, Y, a_start=8.0, rho=0.5, c=1e-4, n_trials=25):
    # returns the new weights and the step that was taken
    f_old = cost(ws, X, Y)
    gg = sum(float(np.sum(g * g)) for g in gs)
    a = a_start
    for k in range(n_trials):
        cand = [w - a * g for w, g in zip(ws, gs)]
        if cost(cand, X, Y) <= f_old - c * a * gg:
            break
        a *= rho
    else:
        # nothing satisfied the condition: keep the last (smallest) trial
        a = a / rho
        cand = [w - a * g for w, g in zip(ws, gs)]
    return cand, a


ws_const = init(3)
hist_const = []
for ep in range(400):
    hist_const.append(cost(ws_const, Xtr, Ytr))
    gs = gradient(ws_const, Xtr, Ytr)
    ws_const = [w - 0.5 * g for w, g in zip(ws_const, gs)]

ws_armijo = init(3)
hist_armijo, taken = [], []
for ep in range(400):
    hist_armijo.append(cost(ws_armijo, Xtr, Ytr))
    gs = gradient(ws_armijo, Xtr, Ytr)
    ws_armijo, a = armijo_search(ws_armijo, gs, Xtr, Ytr)
    taken.append(a)

acc = lambda ws: np.mean((predict(ws, Xte)[1].ravel() > 0.5) == yte)
print("constant step: final cost %.4f, test acc %.3f" % (hist_const[-1], acc(ws_const)))
print("armijo:        final cost %.4f, test acc %.3f" % (hist_armijo[-1], acc(ws_armijo)))
print("distinct steps:", sorted(set(taken)))
"""),
    ]


def np_inline_dict() -> list[Cell]:
    """moons_lab6.ipynb"""
    return [
        md("# Lab 6: make_moons\nTwo hidden layers, parameters kept in a dict. First a fixed learning "
           "rate, then backtracking (Armijo) written straight into the training loop."),
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

X, y = make_moons(n_samples=300, noise=0.2, random_state=11)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=11)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
Y = y_train[:, None].astype(float)
"""),
        code("""
def new_params(seed=0):
    r = np.random.RandomState(seed)
    return {"W1": r.randn(2, 8) * 0.7, "b1": np.zeros((1, 8)),
            "W2": r.randn(8, 8) * 0.35, "b2": np.zeros((1, 8)),
            "W3": r.randn(8, 1) * 0.35, "b3": np.zeros((1, 1))}


def relu(z):
    return np.maximum(0, z)


def forward(params, X):
    Z1 = X @ params["W1"] + params["b1"]; A1 = relu(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]; A2 = relu(Z2)
    out = 1 / (1 + np.exp(-(A2 @ params["W3"] + params["b3"])))
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "out": out}


def loss_fn(params, X, Y):
    p = np.clip(forward(params, X)["out"], 1e-9, 1 - 1e-9)
    return -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))


def backprop(params, X, Y):
    cache = forward(params, X)
    m = len(X)
    d3 = (cache["out"] - Y) / m
    d2 = (d3 @ params["W3"].T) * (cache["Z2"] > 0)
    d1 = (d2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W3": cache["A2"].T @ d3, "b3": d3.sum(0, keepdims=True),
            "W2": cache["A1"].T @ d2, "b2": d2.sum(0, keepdims=True),
            "W1": X.T @ d1, "b1": d1.sum(0, keepdims=True)}
"""),
        md("## Fixed learning rate"),
        code("""
params_fixed = new_params(1)
history_fixed = []
for epoch in range(500):
    grads = backprop(params_fixed, X_train, Y)
    for key in params_fixed:
        params_fixed[key] -= 0.2 * grads[key]
    history_fixed.append(loss_fn(params_fixed, X_train, Y))
"""),
        md("## Armijo backtracking (inline)\nalpha starts at 1 each epoch and is halved until "
           "$L(\\theta - \\alpha g) \\le L(\\theta) - c\\,\\alpha\\,\\|g\\|^2$."),
        code("""
params = new_params(1)
history_bt = []
c, rho = 1e-4, 0.5
for epoch in range(500):
    grads = backprop(params, X_train, Y)
    L0 = loss_fn(params, X_train, Y)
    gnorm2 = sum(np.sum(grads[k] ** 2) for k in grads)
    alpha = 1.0
    trial = {k: params[k] - alpha * grads[k] for k in params}
    while loss_fn(trial, X_train, Y) > L0 - c * alpha * gnorm2 and alpha > 1e-7:
        alpha *= rho
        trial = {k: params[k] - alpha * grads[k] for k in params}
    params = trial
    history_bt.append(loss_fn(params, X_train, Y))
"""),
        code("""
def accuracy(params, X, y):
    return np.mean((forward(params, X)["out"][:, 0] > 0.5) == y)

print("fixed lr :", history_fixed[-1], accuracy(params_fixed, X_test, y_test))
print("armijo   :", history_bt[-1], accuracy(params, X_test, y_test))
"""),
    ]


def np_flat_theta() -> list[Cell]:
    """lab6_theta.py"""
    return [
        code(r'''
"""Lab 6, moons. All weights live in ONE flat vector theta (like scipy.optimize wants it);
unpack() cuts it into W1, b1, W2, b2. Gradient descent with a fixed step, then with an
Armijo backtracking line search on theta."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
X_raw, labels = make_moons(n_samples=250, noise=0.2, random_state=5)
sc = StandardScaler()
X = sc.fit_transform(X_raw)
t = labels.astype(float)

N_IN, N_HID = 2, 10
SIZES = [(N_IN, N_HID), (N_HID,), (N_HID, 1), (1,)]
N_PAR = sum(int(np.prod(s)) for s in SIZES)


def unpack(theta):
    parts, pos = [], 0
    for s in SIZES:
        n = int(np.prod(s))
        parts.append(theta[pos:pos + n].reshape(s))
        pos += n
    return parts


def net_out(theta, X):
    W1, b1, W2, b2 = unpack(theta)
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    return H, (1 / (1 + np.exp(-(H @ W2 + b2)))).ravel()


def J(theta):
    _, p = net_out(theta, X)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


def dJ(theta):
    W1, b1, W2, b2 = unpack(theta)
    H, p = net_out(theta, X)
    e = ((p - t) / len(t))[:, None]
    dH = (e @ W2.T) * H * (1 - H)
    return np.concatenate([(X.T @ dH).ravel(), dH.sum(0), (H.T @ e).ravel(), e.sum(0)])


def backtrack(theta, g, a=4.0, rho=0.5, c=1e-4):
    J0 = J(theta)
    gg = g @ g
    while J(theta - a * g) > J0 - c * a * gg:   # rejected trials are simply forgotten
        a = rho * a
        if a < 1e-12:
            break
    return a


theta0 = np.random.randn(N_PAR) * 0.5

theta_gd = theta0.copy()
J_gd = [J(theta_gd)]
for k in range(600):
    theta_gd = theta_gd - 1.0 * dJ(theta_gd)
    J_gd.append(J(theta_gd))

theta_ls = theta0.copy()
J_ls = [J(theta_ls)]
steps = []
for k in range(600):
    g = dJ(theta_ls)
    a = backtrack(theta_ls, g)
    theta_ls = theta_ls - a * g
    steps.append(a)
    J_ls.append(J(theta_ls))

acc = lambda th: np.mean((net_out(th, X)[1] > 0.5) == labels)
print(f"fixed step: J = {J_gd[-1]:.4f}, acc = {acc(theta_gd):.3f}")
print(f"armijo    : J = {J_ls[-1]:.4f}, acc = {acc(theta_ls):.3f}, mean step {np.mean(steps):.3f}")
'''),
    ]


def pt_warm_start() -> list[Cell]:
    """moons_torch_ls.py"""
    return [
        code(r"""
# Lab 6 (PyTorch). Fixed lr vs. backtracking. In the backtracking run every search starts
# from twice the step accepted in the previous iteration (capped at alpha_max), which saves
# most of the function evaluations -- see Nocedal & Wright, ch. 3.
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(3)
Xs, ys = make_moons(n_samples=400, noise=0.2, random_state=3)
Xa, Xb, ya, yb = train_test_split(Xs, ys, test_size=0.25, random_state=3)
X_train = torch.tensor(Xa, dtype=torch.float32)
y_train = torch.tensor(ya, dtype=torch.float32).unsqueeze(1)
X_test = torch.tensor(Xb, dtype=torch.float32)
y_test = torch.tensor(yb, dtype=torch.float32).unsqueeze(1)


def make_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))


loss_fn = nn.BCEWithLogitsLoss()

net_sgd = make_net()
opt = torch.optim.SGD(net_sgd.parameters(), lr=0.3)
losses_sgd = []
for epoch in range(300):
    opt.zero_grad()
    l = loss_fn(net_sgd(X_train), y_train)
    l.backward()
    opt.step()
    losses_sgd.append(l.item())

net_bt = make_net()
losses_bt = []
alpha_max, beta, c = 4.0, 0.5, 1e-4
alpha = alpha_max
for epoch in range(200):
    net_bt.zero_grad()
    l = loss_fn(net_bt(X_train), y_train)
    l.backward()
    losses_bt.append(l.item())
    with torch.no_grad():
        ps = list(net_bt.parameters())
        saved = [p.clone() for p in ps]
        grads = [p.grad.clone() for p in ps]
        gsq = sum((g * g).sum() for g in grads).item()
        alpha = min(2 * alpha, alpha_max)          # warm start
        while True:
            for p, w, g in zip(ps, saved, grads):
                p.copy_(w - alpha * g)
            if loss_fn(net_bt(X_train), y_train).item() <= l.item() - c * alpha * gsq or alpha < 1e-8:
                break
            alpha *= beta

with torch.no_grad():
    for tag, m in (("sgd", net_sgd), ("backtracking", net_bt)):
        acc = ((m(X_test) > 0).float() == y_test).float().mean().item()
        print(tag, "train loss", round(loss_fn(m(X_train), y_train).item(), 4), "test acc", acc)
"""),
    ]


def np_german_softmax() -> list[Cell]:
    """Praktikum6_Backprop.ipynb"""
    return [
        md("# Praktikum 6: Gradientenabstieg und Backpropagation\nAusgabeschicht mit Softmax (zwei "
           "Klassen, zwei Ausgänge) und Kreuzentropie. Teil A: XOR, Teil B: make_moons mit festem "
           "Schritt und mit Armijo-Schrittweitensteuerung."),
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

def softmax(z):
    z = z - z.max(axis=1, keepdims=True)   # numerisch stabil
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

def one_hot(labels, k=2):
    return np.eye(k)[labels]

def vorwaerts(netz, X):
    H = np.tanh(X @ netz["W1"] + netz["b1"])
    return H, softmax(H @ netz["W2"] + netz["b2"])

def kreuzentropie(netz, X, T):
    _, P = vorwaerts(netz, X)
    return -np.mean(np.sum(T * np.log(P + 1e-12), axis=1))

def gradienten(netz, X, T):
    H, P = vorwaerts(netz, X)
    n = X.shape[0]
    dZ2 = (P - T) / n                      # Softmax + Kreuzentropie
    dH = dZ2 @ netz["W2"].T * (1 - H ** 2) # tanh'
    return {"W1": X.T @ dH, "b1": dH.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}

def neues_netz(versteckt, seed):
    zg = np.random.default_rng(seed)
    return {"W1": zg.normal(0, 1, (2, versteckt)), "b1": np.zeros(versteckt),
            "W2": zg.normal(0, 1, (versteckt, 2)) / np.sqrt(versteckt), "b2": np.zeros(2)}
"""),
        md("## Teil A: XOR"),
        code("""
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
T_xor = one_hot(np.array([0, 1, 1, 0]))
netz_xor = neues_netz(4, seed=2)
verlauf_xor = []
lernrate = 0.5
for epoche in range(5000):
    g = gradienten(netz_xor, X_xor, T_xor)
    for name in netz_xor:
        netz_xor[name] -= lernrate * g[name]
    verlauf_xor.append(kreuzentropie(netz_xor, X_xor, T_xor))
print("XOR Vorhersage:", vorwaerts(netz_xor, X_xor)[1].argmax(axis=1), "Verlust:", verlauf_xor[-1])
"""),
        md("## Teil B: make_moons"),
        code("""
X, y = make_moons(n_samples=300, noise=0.2, random_state=4)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=4)
T_tr = one_hot(y_tr)

# fester Schritt
netz_fest = neues_netz(10, seed=9)
verlauf_fest = []
for epoche in range(400):
    g = gradienten(netz_fest, X_tr, T_tr)
    for name in netz_fest:
        netz_fest[name] -= 0.3 * g[name]
    verlauf_fest.append(kreuzentropie(netz_fest, X_tr, T_tr))
"""),
        code("""
def armijo_suche(netz, g, X, T, alpha0=2.0, rho=0.5, c=1e-4, max_versuche=30):
    \"\"\"Backtracking: kleinstes k mit f(w - alpha0 rho^k g) <= f(w) - c alpha |g|^2.\"\"\"
    f_alt = kreuzentropie(netz, X, T)
    norm2 = sum(np.sum(g[n] ** 2) for n in g)
    alpha = alpha0
    for _ in range(max_versuche):
        kandidat = {n: netz[n] - alpha * g[n] for n in netz}
        if kreuzentropie(kandidat, X, T) <= f_alt - c * alpha * norm2:
            return kandidat, alpha
        alpha = rho * alpha
    return kandidat, alpha

netz_armijo = neues_netz(10, seed=9)
verlauf_armijo, schritte = [], []
for epoche in range(400):
    g = gradienten(netz_armijo, X_tr, T_tr)
    netz_armijo, alpha = armijo_suche(netz_armijo, g, X_tr, T_tr)
    schritte.append(alpha)
    verlauf_armijo.append(kreuzentropie(netz_armijo, X_tr, T_tr))

genauigkeit = lambda netz: np.mean(vorwaerts(netz, X_te)[1].argmax(axis=1) == y_te)
print("fest:  ", verlauf_fest[-1], genauigkeit(netz_fest))
print("Armijo:", verlauf_armijo[-1], genauigkeit(netz_armijo))
"""),
    ]


def np_reversed_inline() -> list[Cell]:
    """backtracking_inline.py"""
    return [
        code(r"""
# Lab 6 -- moons, sigmoid 2-6-1, plain GD and then backtracking inline (no functions for it)
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=240, noise=0.25, random_state=21)
scaler = StandardScaler()
X = scaler.fit_transform(X)
y = y.reshape(-1, 1)

sig = lambda z: 1.0 / (1.0 + np.exp(-z))


def loss(W1, b1, W2, b2):
    out = sig(sig(X @ W1 + b1) @ W2 + b2)
    out = np.clip(out, 1e-10, 1 - 1e-10)
    return -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))


def grads(W1, b1, W2, b2):
    h = sig(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    d_out = (out - y) / len(X)
    d_h = d_out @ W2.T * h * (1 - h)
    return X.T @ d_h, d_h.sum(0), h.T @ d_out, d_out.sum(0)


np.random.seed(21)
W1_init, W2_init = np.random.randn(2, 6), np.random.randn(6, 1)

# ---- fixed step
W1, b1, W2, b2 = W1_init.copy(), np.zeros(6), W2_init.copy(), np.zeros(1)
loss_gd = []
for i in range(500):
    gW1, gb1, gW2, gb2 = grads(W1, b1, W2, b2)
    W1 -= 1.0 * gW1; b1 -= 1.0 * gb1; W2 -= 1.0 * gW2; b2 -= 1.0 * gb2
    loss_gd.append(loss(W1, b1, W2, b2))
W1_gd, b1_gd, W2_gd, b2_gd = W1, b1, W2, b2

# ---- backtracking (Armijo), eta0 = 1, halve
V1, c1, V2, c2 = W1_init.copy(), np.zeros(6), W2_init.copy(), np.zeros(1)
loss_bt = []
c = 1e-4
for i in range(500):
    gV1, gc1, gV2, gc2 = grads(V1, c1, V2, c2)
    f0 = loss(V1, c1, V2, c2)
    gsq = np.sum(gV1**2) + np.sum(gc1**2) + np.sum(gV2**2) + np.sum(gc2**2)
    eta = 1.0
    while eta > 1e-9:
        nV1, nc1, nV2, nc2 = V1 - eta * gV1, c1 - eta * gc1, V2 - eta * gV2, c2 - eta * gc2
        if loss(nV1, nc1, nV2, nc2) >= f0 - c * eta * gsq:   # Armijo ok -> accept
            break
        eta *= 0.5
    V1, c1, V2, c2 = nV1, nc1, nV2, nc2
    loss_bt.append(loss(V1, c1, V2, c2))

print("GD:", loss_gd[-1], "  backtracking:", loss_bt[-1])
"""),
    ]


def pt_norm_not_squared() -> list[Cell]:
    """lab6_armijo.ipynb"""
    return [
        md("### Lab 6 — make_moons with PyTorch\nFixed learning rate against a backtracking line search "
           "(Armijo rule, $c = 0.3$)."),
        code("""
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)   # float32 rounds the small steps away
torch.manual_seed(8)
X_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=8)
X_tr, X_te, y_tr, y_te = train_test_split(X_np, y_np, test_size=0.2, random_state=8)
scaler = StandardScaler().fit(X_tr)
Xt = torch.tensor(scaler.transform(X_tr))
yt = torch.tensor(y_tr, dtype=torch.float64).view(-1, 1)
Xv = torch.tensor(scaler.transform(X_te))
yv = torch.tensor(y_te, dtype=torch.float64).view(-1, 1)


class MoonsMLP(nn.Module):
    def __init__(self, hidden=20):
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.relu(self.hidden(x))))


bce = nn.BCELoss()
"""),
        code("""
torch.manual_seed(1)
model_fixed = MoonsMLP()
sgd = torch.optim.SGD(model_fixed.parameters(), lr=0.5)
losses_fixed = []
for it in range(300):
    sgd.zero_grad()
    loss = bce(model_fixed(Xt), yt)
    loss.backward()
    sgd.step()
    losses_fixed.append(loss.item())
"""),
        code("""
def armijo(model, X, y, alpha=2.0, rho=0.5, c=0.3, max_steps=25):
    model.zero_grad()
    f0 = bce(model(X), y)
    f0.backward()
    params = [p for p in model.parameters()]
    w0 = [p.detach().clone() for p in params]
    g = [p.grad.detach().clone() for p in params]
    gnorm = torch.sqrt(sum((gi ** 2).sum() for gi in g)).item()
    for _ in range(max_steps):
        with torch.no_grad():
            for p, w, gi in zip(params, w0, g):
                p.copy_(w - alpha * gi)
            f_new = bce(model(X), y).item()
        if f_new <= f0.item() - c * alpha * gnorm:
            return alpha
        alpha *= rho
    return alpha


torch.manual_seed(1)
model_armijo = MoonsMLP()
losses_armijo, alphas = [], []
for it in range(200):
    with torch.no_grad():
        losses_armijo.append(bce(model_armijo(Xt), yt).item())
    alphas.append(armijo(model_armijo, Xt, yt))
"""),
        code("""
with torch.no_grad():
    for name, m in [("fixed", model_fixed), ("armijo", model_armijo)]:
        print(name, bce(m(Xt), yt).item(), ((m(Xv) > 0.5).double() == yv).double().mean().item())
print("smallest / largest step:", min(alphas), max(alphas))
"""),
    ]


def np_rho_above_one() -> list[Cell]:
    """moons_linesearch.ipynb"""
    return [
        md("# Line search on make_moons\nMLP class with `get_flat` / `set_flat`. Armijo backtracking: try "
           "a step, if the loss does not drop enough change the step by the factor `rho` and try again."),
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

X, y = make_moons(n_samples=280, noise=0.2, random_state=17)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=17)
y_train_col = y_train.reshape(-1, 1)


class MLP:
    def __init__(self, n_hidden=12, seed=0):
        r = np.random.RandomState(seed)
        self.W1 = r.randn(2, n_hidden) * 0.8
        self.b1 = np.zeros(n_hidden)
        self.W2 = r.randn(n_hidden, 1) * 0.3
        self.b2 = np.zeros(1)

    def get_flat(self):
        return [self.W1.copy(), self.b1.copy(), self.W2.copy(), self.b2.copy()]

    def set_flat(self, ps):
        self.W1, self.b1, self.W2, self.b2 = [p.copy() for p in ps]

    def forward(self, X):
        self.h = np.tanh(X @ self.W1 + self.b1)
        return 1 / (1 + np.exp(-(self.h @ self.W2 + self.b2)))

    def loss(self, X, Y):
        p = np.clip(self.forward(X), 1e-12, 1 - 1e-12)
        return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))

    def grads(self, X, Y):
        p = self.forward(X)
        d2 = (p - Y) / len(X)
        d1 = d2 @ self.W2.T * (1 - self.h ** 2)
        return [X.T @ d1, d1.sum(0), self.h.T @ d2, d2.sum(0)]
"""),
        code("""
net_gd = MLP(seed=4)
losses_gd = []
for epoch in range(300):
    g = net_gd.grads(X_train, y_train_col)
    net_gd.set_flat([p - 0.5 * gi for p, gi in zip(net_gd.get_flat(), g)])
    losses_gd.append(net_gd.loss(X_train, y_train_col))
"""),
        code("""
def line_search(net, X, Y, alpha=6.0, rho=1.5, c=1e-4, max_tries=12):
    w = net.get_flat()
    g = net.grads(X, Y)
    f_w = net.loss(X, Y)
    g2 = sum(np.sum(gi * gi) for gi in g)
    for _ in range(max_tries):
        net.set_flat([p - alpha * gi for p, gi in zip(w, g)])
        if net.loss(X, Y) <= f_w - c * alpha * g2:
            return alpha
        alpha = alpha * rho
    return alpha


net_ls = MLP(seed=4)
losses_ls, steps = [], []
for epoch in range(300):
    steps.append(line_search(net_ls, X_train, y_train_col))
    losses_ls.append(net_ls.loss(X_train, y_train_col))

print("gd:", losses_gd[-1], "  line search:", losses_ls[-1], " steps:", sorted(set(np.round(steps, 4))))
acc = lambda net: np.mean((net.forward(X_test)[:, 0] > 0.5) == y_test)
print("test acc gd", acc(net_gd), "ls", acc(net_ls))
"""),
    ]


def np_warm_start() -> list[Cell]:
    """tp6_recherche_lineaire.py"""
    return [
        code(r"""
# TP 6 -- descente de gradient a pas fixe puis recherche lineaire d'Armijo (make_moons)
# Le pas de depart de chaque recherche est pas_precedent / rho (plafonne a pas_max) :
# on repart du dernier pas accepte au lieu de toujours repartir de pas_max.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=320, noise=0.2, random_state=13)
normaliseur = StandardScaler()
X = normaliseur.fit_transform(X)
Y = y.reshape(-1, 1).astype(float)


def initialiser(graine):
    g = np.random.RandomState(graine)
    return [g.randn(2, 14) * 0.6, np.zeros(14), g.randn(14, 1) * 0.3, np.zeros(1)]


def propager(p, X):
    C = np.tanh(X @ p[0] + p[1])
    return C, 1 / (1 + np.exp(-(C @ p[2] + p[3])))


def cout(p):
    s = np.clip(propager(p, X)[1], 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(s) + (1 - Y) * np.log(1 - s)))


def gradient(p):
    C, s = propager(p, X)
    e = (s - Y) / len(X)
    dC = (e @ p[2].T) * (1 - C ** 2)
    return [X.T @ dC, dC.sum(0), C.T @ e, e.sum(0)]


# pas fixe
p_fixe = initialiser(6)
couts_fixe = []
for t in range(400):
    g = gradient(p_fixe)
    p_fixe = [a - 0.4 * b for a, b in zip(p_fixe, g)]
    couts_fixe.append(cout(p_fixe))

# Armijo avec demarrage a chaud
pas_max, rho, c = 8.0, 0.5, 1e-4
p_armijo = initialiser(6)
couts_armijo, pas_utilises = [], []
pas = pas_max
for t in range(400):
    g = gradient(p_armijo)
    f0 = cout(p_armijo)
    n2 = sum(np.sum(b * b) for b in g)
    pas = min(pas / rho, pas_max)
    essai = [a - pas * b for a, b in zip(p_armijo, g)]
    while cout(essai) > f0 - c * pas * n2 and pas > 1e-9:
        pas = rho * pas
        essai = [a - pas * b for a, b in zip(p_armijo, g)]
    p_armijo = essai
    pas_utilises.append(pas)
    couts_armijo.append(cout(p_armijo))

precision = lambda p: np.mean((propager(p, X)[1] > 0.5) == Y)
print("pas fixe :", couts_fixe[-1], precision(p_fixe))
print("Armijo   :", couts_armijo[-1], precision(p_armijo), "pas distincts", sorted(set(pas_utilises)))
"""),
    ]


BT = ("moons", "backtracking")
ENTRIES: list[Entry] = [
    # ---- correct ----
    Entry("blind2_a_np_for_else", "armijo_moons.py", np_for_else(), attempts=BT,
          style="moons NumPy script, weights as a list, armijo_search(ws, gs, ...) written as a "
                "`for k in range(25): ... break; a *= rho` loop whose `else` keeps the smallest trial, "
                "alpha0 = 8, tanh 2-12-1"),
    Entry("blind2_a_np_inline_dict", "moons_lab6.ipynb", np_inline_dict(), attempts=BT,
          style="moons notebook NumPy, parameters in a dict (params['W1'] ... 2-8-8-1 ReLU), Armijo "
                "inline in the training loop with a `while` and no function, trial dicts built by a "
                "comprehension and assigned only when accepted"),
    Entry("blind2_a_np_flat_theta", "lab6_theta.py", np_flat_theta(), attempts=BT,
          style="moons NumPy script, every parameter packed in one flat 1-D `theta` unpacked by slicing "
                "and reshape inside J(theta), backtrack(theta, g, a=4) returns the step, sigmoid 2-10-1"),
    Entry("blind2_a_pt_warm_start", "moons_torch_ls.py", pt_warm_start(), attempts=BT,
          style="moons PyTorch nn.Sequential 2-16-16-1 tanh, inline backtracking warm-started from "
                "twice the previous accepted step, capped at alpha_max = 4 (Nocedal & Wright)"),
    Entry("blind2_a_np_warm_start", "tp6_recherche_lineaire.py", np_warm_start(), attempts=BT,
          style="moons NumPy script, French comments and names (pas, cout, essai), inline backtracking "
                "whose every search starts from the previous accepted step / rho, capped at pas_max = 8"),
    Entry("blind2_a_np_german_softmax", "Praktikum6_Backprop.ipynb", np_german_softmax(),
          attempts=("xor", "backtracking"),
          style="German notebook, German names (netz, vorwaerts, kreuzentropie), softmax output with two "
                "units and cross-entropy on one-hot targets, XOR with a fixed rate, moons fixed and "
                "armijo_suche(...) returning the accepted trial dict"),
    # ---- one planted bug each ----
    Entry("blind2_a_np_reversed_inline", "backtracking_inline.py", np_reversed_inline(), attempts=BT,
          style="moons NumPy script, four loose arrays V1 c1 V2 c2, backtracking inline with a `while` "
                "and a `break`, eta0 = 1, sigmoid 2-6-1",
          bug="the Armijo test is reversed: `if loss(...) >= f0 - c * eta * gsq: break`",
          fails=(Fail("backtracking.armijo_steps", ("Armijo inequality reversed",)),
                 Fail("backtracking.armijo", ("Armijo inequality reversed",))),
          also_fails=("backtracking.accuracy", "backtracking.beats_fixed")),
    Entry("blind2_a_pt_norm_not_squared", "lab6_armijo.ipynb", pt_norm_not_squared(), attempts=BT,
          style="moons notebook PyTorch float64 (set_default_dtype), nn.Module ReLU 2-20-1 sigmoid + "
                "BCELoss, armijo(model, X, y, alpha=2, rho=0.5, c=0.3) restoring from saved weights",
          bug="the sufficient-decrease term uses the gradient norm |g| instead of its square |g|^2",
          fails=(Fail("backtracking.armijo", ("not squared",)),
                 Fail("backtracking.armijo_steps", ("not squared",))),
          may_fail=("backtracking.accuracy", "backtracking.beats_fixed")),
    Entry("blind2_a_np_rho_above_one", "moons_linesearch.ipynb", np_rho_above_one(), attempts=BT,
          style="moons notebook NumPy, MLP class with get_flat/set_flat, line_search(net, X, Y, alpha=6, "
                "rho=1.5) as a function",
          bug="`rho = 1.5`: each rejected trial multiplies the step by rho > 1, so it grows",
          fails=(Fail("backtracking.armijo", ("rho = 1.5",)),
                 Fail("backtracking.armijo_steps", ("rho = 1.5",))),
          also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed")),
]
