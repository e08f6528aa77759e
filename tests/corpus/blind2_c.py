"""Corpus entries from blind round 2, part c (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind2_c_*``.

PyTorch written every way: an nn.Module updated by hand under ``torch.no_grad()`` (``p -= lr *
p.grad``, ``p.data -= ...``, ``p.data.sub_(...)``), nn.Sequential with CrossEntropyLoss on integer
labels, DataLoader mini-batches, ``torch.autograd.grad`` with a new parameter list each step, a
plain class of float64 raw tensors in a ``while True`` loop, tensors with hand-written backprop and
no autograd at all. Bugs: the hidden activation's derivative missing in hand-written tensor
backprop, gradients never reset in a manual update, an update that rebinds the loop variable,
momentum where gradient descent is asked, the gradient zeroed before the manual update.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

MOONS = ("moons",)
XOR = ("xor",)


# =========================================================================== correct

def circles_nograd_module() -> list[Cell]:
    """Kreise_und_Monde.ipynb: one nn.Module class, trained by hand on make_circles, then on make_moons."""
    return [
        md("""
# Übung 6 – Gradientenabstieg ohne `torch.optim`
Ich schreibe den Update-Schritt selbst: `p -= lr * p.grad` unter `torch.no_grad()`.
Zuerst zum Aufwärmen auf `make_circles`, danach die eigentliche Aufgabe auf `make_moons`.
"""),
        code("""
import torch
from torch import nn
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.model_selection import train_test_split
%matplotlib inline

torch.manual_seed(7)
"""),
        code("""
class ZweiSchichten(nn.Module):
    def __init__(self, breite=16):
        super().__init__()
        self.eingang = nn.Linear(2, breite)
        self.versteckt = nn.Linear(breite, breite)
        self.ausgang = nn.Linear(breite, 1)

    def forward(self, x):
        h = torch.tanh(self.eingang(x))
        h = torch.tanh(self.versteckt(h))
        return torch.sigmoid(self.ausgang(h))


def trainieren(netz, X, y, lr=0.5, epochen=600):
    kosten = []
    bce = nn.BCELoss()
    for epoche in range(epochen):
        verlust = bce(netz(X), y)
        verlust.backward()
        with torch.no_grad():
            for p in netz.parameters():
                p -= lr * p.grad
                p.grad.zero_()
        kosten.append(verlust.item())
    return kosten
"""),
        md("## Aufwärmen: Kreise"),
        code("""
Xk, yk = make_circles(n_samples=300, noise=0.08, factor=0.4, random_state=3)
Xk = torch.tensor(Xk, dtype=torch.float32)
yk = torch.tensor(yk, dtype=torch.float32).unsqueeze(1)
kreis_netz = ZweiSchichten()
kreis_kosten = trainieren(kreis_netz, Xk, yk, lr=0.8, epochen=500)
with torch.no_grad():
    print("Genauigkeit Kreise:", ((kreis_netz(Xk) > 0.5).float() == yk).float().mean().item())
"""),
        md("## Monde"),
        code("""
X, y = make_moons(n_samples=400, noise=0.2, random_state=11)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=11)
X_tr = torch.tensor(X_tr, dtype=torch.float32)
X_te = torch.tensor(X_te, dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32).unsqueeze(1)
y_te = torch.tensor(y_te, dtype=torch.float32).unsqueeze(1)

mond_netz = ZweiSchichten()
mond_kosten = trainieren(mond_netz, X_tr, y_tr, lr=0.5, epochen=800)
with torch.no_grad():
    acc = ((mond_netz(X_te) > 0.5).float() == y_te).float().mean().item()
print(f"Testgenauigkeit Monde: {acc:.3f}")
"""),
        code("""
plt.plot(kreis_kosten, label="Kreise")
plt.plot(mond_kosten, label="Monde")
plt.xlabel("Epoche"); plt.ylabel("BCE"); plt.legend()
plt.show()
"""),
    ]


def xor_data_sub() -> list[Cell]:
    """xor_manual.py: nn.Module, p.data.sub_(lr * p.grad), model.zero_grad() at the top of the loop."""
    return [
        code('''
"""XOR with a small MLP; the update is written by hand (no torch.optim)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(21)

inputs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
targets = torch.tensor([0, 1, 1, 0], dtype=torch.float32).view(4, 1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 6)
        self.l2 = nn.Linear(6, 6)
        self.l3 = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.sigmoid(self.l1(x))
        x = torch.sigmoid(self.l2(x))
        return self.l3(x)          # logit


mlp = MLP()
eta = 2.0
errs = []
for step in range(6000):
    mlp.zero_grad()
    logit = mlp(inputs)
    err = F.binary_cross_entropy_with_logits(logit, targets)
    err.backward()
    for p in mlp.parameters():
        p.data.sub_(eta * p.grad)
    errs.append(float(err))
    if step % 1000 == 0:
        print(step, float(err))

with torch.no_grad():
    prob = torch.sigmoid(mlp(inputs))
print("probabilities", prob.view(-1).tolist())
print("predicted", (prob > 0.5).int().view(-1).tolist(), "expected", targets.int().view(-1).tolist())
'''),
    ]


def moons_data_minus() -> list[Cell]:
    """moons_sgd_by_hand.py: nn.Sequential, p.data -= lr * p.grad.data, model.zero_grad() after the update."""
    return [
        code('''
# lab 6 - moons, plain gradient descent written out by hand
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
torch.manual_seed(5)

pts, lab = make_moons(n_samples=350, noise=0.25, random_state=5)
tr_x, te_x, tr_y, te_y = train_test_split(pts, lab, test_size=0.3, random_state=5)
scaler = StandardScaler().fit(tr_x)
tr_x = torch.from_numpy(scaler.transform(tr_x)).float()
te_x = torch.from_numpy(scaler.transform(te_x)).float()
tr_y = torch.from_numpy(tr_y).float().reshape(-1, 1)
te_y = torch.from_numpy(te_y).float().reshape(-1, 1)

model = nn.Sequential(
    nn.Linear(2, 20), nn.ReLU(),
    nn.Linear(20, 20), nn.ReLU(),
    nn.Linear(20, 1), nn.Sigmoid(),
)
criterion = nn.BCELoss()
lr = 0.3
loss_history = []
for epoch in range(700):
    out = model(tr_x)
    loss = criterion(out, tr_y)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad.data
    model.zero_grad()
    loss_history.append(loss.item())

print("first / last loss:", loss_history[0], loss_history[-1])
with torch.no_grad():
    test_acc = ((model(te_x) >= 0.5).float() == te_y).float().mean().item()
print("test accuracy", round(test_acc, 3))
'''),
    ]


def xor_seq_ce_long() -> list[Cell]:
    """xor_ce.ipynb: nn.Sequential, two logits, CrossEntropyLoss, labels as torch.long."""
    return [
        md("# XOR as a 2-class problem\nTwo output logits, `nn.CrossEntropyLoss`, class labels 0/1 as integers."),
        code("""
import torch
import torch.nn as nn
torch.manual_seed(2024)
"""),
        code("""
data = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
labels = torch.tensor([0, 1, 1, 0], dtype=torch.long)
net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
ce = nn.CrossEntropyLoss()
sgd = torch.optim.SGD(net.parameters(), lr=0.1)
"""),
        code("""
track = []
for ep in range(3000):
    sgd.zero_grad()
    scores = net(data)
    l = ce(scores, labels)
    l.backward()
    sgd.step()
    track.append(l.item())
print("loss at start %.4f, at end %.4f" % (track[0], track[-1]))
"""),
        code("""
with torch.no_grad():
    guess = net(data).argmax(dim=1)
print(guess, labels, (guess == labels).all().item())
"""),
    ]


def moons_loader16() -> list[Cell]:
    """moons_minibatch.ipynb: TensorDataset + DataLoader(batch_size=16, shuffle=True), plain SGD."""
    return [
        md("## Lab 6 — moons with mini-batch gradient descent\nbatch size 16, reshuffled every epoch, fixed learning rate."),
        code("""
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import matplotlib.pyplot as plt

g = torch.manual_seed(31)
"""),
        code("""
Xnp, ynp = make_moons(n_samples=300, noise=0.15, random_state=31)
Xa, Xb, ya, yb = train_test_split(Xnp, ynp, test_size=0.2, random_state=31)
sc = StandardScaler()
Xa = sc.fit_transform(Xa)
Xb = sc.transform(Xb)
train_ds = TensorDataset(torch.tensor(Xa, dtype=torch.float32), torch.tensor(ya, dtype=torch.float32))
loader = DataLoader(train_ds, batch_size=16, shuffle=True)
"""),
        code("""
class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh())
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        return self.out(self.hidden(x)).squeeze(-1)


moon_model = MoonNet()
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(moon_model.parameters(), lr=0.1)
epoch_losses = []
for epoch in range(60):
    total = 0.0
    for xb, yb_ in loader:
        opt.zero_grad()
        batch_loss = loss_fn(moon_model(xb), yb_)
        batch_loss.backward()
        opt.step()
        total += batch_loss.item() * len(xb)
    epoch_losses.append(total / len(train_ds))
print(epoch_losses[0], epoch_losses[-1])
"""),
        code("""
with torch.no_grad():
    pred = (moon_model(torch.tensor(Xb, dtype=torch.float32)) > 0).numpy()
print("test accuracy:", (pred == yb).mean())
plt.plot(epoch_losses); plt.xlabel("epoch"); plt.ylabel("mean BCE"); plt.show()
"""),
    ]


def autograd_grad_train_kw() -> list[Cell]:
    """train_xor.py: raw tensors in a list, torch.autograd.grad, a new list every step, train(...) with kwargs."""
    return [
        code('''
import math
import torch

torch.manual_seed(8)


def init_params(n_in=2, n_hidden=4, n_out=1):
    w1 = torch.randn(n_in, n_hidden) / math.sqrt(n_in)
    w2 = torch.randn(n_hidden, n_out) / math.sqrt(n_hidden)
    return [t.requires_grad_() for t in (w1, torch.zeros(n_hidden), w2, torch.zeros(n_out))]


def predict(model, X):
    w1, c1, w2, c2 = model
    return torch.sigmoid(torch.tanh(X @ w1 + c1) @ w2 + c2)


def mse(p, y):
    return ((p - y) ** 2).mean()


def train(model, X, y, epochs, lr):
    curve = []
    for e in range(epochs):
        loss = mse(predict(model, X), y)
        grads = torch.autograd.grad(loss, model)
        model = [(w - lr * g).detach().requires_grad_() for w, g in zip(model, grads)]
        curve.append(loss.item())
    return model, curve


X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])
trained, curve = train(model=init_params(), X=X, y=Y, epochs=8000, lr=2.0)
print("mse:", curve[0], "->", curve[-1])
print(predict(trained, X).detach().round().view(-1))
'''),
    ]


def raw_class_while_f64() -> list[Cell]:
    """xor_f64.py: a plain class of float64 leaf tensors, `while True` with a break on the loss, history every 100."""
    return [
        code('''
# XOR -- my own little network class (not an nn.Module), double precision
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(99)


class TwoLayer:
    def __init__(self, hidden=5):
        self.A = (torch.randn(2, hidden) * 1.0).requires_grad_(True)
        self.a = torch.zeros(hidden, requires_grad=True)
        self.B = (torch.randn(hidden, 1) * 1.0).requires_grad_(True)
        self.b = torch.zeros(1, requires_grad=True)

    def parameters(self):
        return [self.A, self.a, self.B, self.b]

    def __call__(self, x):
        return torch.sigmoid(torch.tanh(x @ self.A + self.a) @ self.B + self.b)


xs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
ts = torch.tensor([[0], [1], [1], [0]], dtype=torch.float64)
net = TwoLayer()
step_size = 1.0
it = 0
sampled_loss = []           # one value every 100 iterations
while True:
    p = net(xs)
    L = -(ts * torch.log(p) + (1 - ts) * torch.log(1 - p)).mean()
    L.backward()
    with torch.no_grad():
        for w in net.parameters():
            w.sub_(step_size * w.grad)
            w.grad = None
    if it % 100 == 0:
        sampled_loss.append(L.item())
    it += 1
    if L.item() < 0.002 or it >= 20000:
        break

print("stopped after", it, "iterations, loss", L.item())
print("outputs", net(xs).detach().view(-1))
'''),
    ]


HANDWRITTEN_TENSOR = '''
# Lab 6: XOR in torch but *without* autograd -- I derive the backward pass myself
import torch

torch.manual_seed(12)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

W1 = torch.randn(2, 6) * 0.9
b1 = torch.zeros(1, 6)
W2 = torch.randn(6, 1) * 0.9
b2 = torch.zeros(1, 1)
alpha = 1.0
cost_log = []

for epoch in range(6000):
    # forward
    h = torch.sigmoid(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    cost = -(Y * torch.log(out) + (1 - Y) * torch.log(1 - out)).mean()
    cost_log.append(cost.item())
    # backward (BCE + sigmoid: dL/dz2 = out - Y)
    d_out = (out - Y) / X.shape[0]
    dW2 = h.T @ d_out
    db2 = d_out.sum(dim=0, keepdim=True)
    @HIDDEN@
    dW1 = X.T @ d_hidden
    db1 = d_hidden.sum(dim=0, keepdim=True)
    # gradient step
    W2 -= alpha * dW2
    b2 -= alpha * db2
    W1 -= alpha * dW1
    b1 -= alpha * db1
    if epoch % 1500 == 0:
        print(f"{epoch:5d}  cost {cost.item():.5f}")

final = torch.sigmoid(torch.sigmoid(X @ W1 + b1) @ W2 + b2)
print("outputs:", final.view(-1).tolist())
print("correct:", bool(((final > 0.5).float() == Y).all()))
'''


def handwritten_tensor(hidden: str = "d_hidden = (d_out @ W2.T) * h * (1 - h)") -> list[Cell]:
    """xor_tensor_backprop.py: torch tensors with no requires_grad, backprop written with tensor ops."""
    return [code(HANDWRITTEN_TENSOR.replace("@HIDDEN@", hidden))]


# =========================================================================== bugs

def manual_no_reset() -> list[Cell]:
    """xor_module_manual.ipynb: nn.Module, manual update under no_grad, the gradients are never reset."""
    return [
        md("# XOR, nn.Module, my own update step"),
        code("""
import torch
import torch.nn as nn
torch.manual_seed(4)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
"""),
        code("""
class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 5)
        self.fc2 = nn.Linear(5, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x))))


model = XorNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)   # only used for zero_grad... (forgot)
loss_fn = nn.MSELoss()
lr = 0.1
losses = []
for epoch in range(1500):
    pred = model(X)
    loss = loss_fn(pred, y)
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
    losses.append(loss.item())
print(losses[0], losses[-1])
"""),
        code("""
with torch.no_grad():
    print(model(X).view(-1))
"""),
    ]


def rebind_update() -> list[Cell]:
    """moons_manual.py: `p = p - lr * p.grad` in a for loop: rebinds the name, no parameter changes."""
    return [
        code('''
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(17)
Xm, ym = make_moons(n_samples=300, noise=0.2, random_state=17)
Xtr, Xte, ytr, yte = train_test_split(Xm, ym, test_size=0.25, random_state=17)
Xtr = torch.tensor(Xtr, dtype=torch.float32)
Xte = torch.tensor(Xte, dtype=torch.float32)
ytr = torch.tensor(ytr, dtype=torch.float32).view(-1, 1)
yte = torch.tensor(yte, dtype=torch.float32).view(-1, 1)

net = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 1))
bce = nn.BCEWithLogitsLoss()
learning_rate = 0.5
losses = []
for epoch in range(500):
    loss = bce(net(Xtr), ytr)
    net.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in net.parameters():
            p = p - learning_rate * p.grad
    losses.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

with torch.no_grad():
    acc = ((net(Xte) > 0).float() == yte).float().mean()
print("test acc", acc.item())
'''),
    ]


def loader_momentum() -> list[Cell]:
    """moons_loader_momentum.py: DataLoader(batch_size=16, shuffle=True), SGD with momentum=0.9."""
    return [
        code('''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
X, y = make_moons(n_samples=320, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
X_train = torch.as_tensor(X_train, dtype=torch.float32)
y_train = torch.as_tensor(y_train, dtype=torch.float32).unsqueeze(1)
X_test = torch.as_tensor(X_test, dtype=torch.float32)
y_test = torch.as_tensor(y_test, dtype=torch.float32).unsqueeze(1)
batches = DataLoader(TensorDataset(X_train, y_train), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.BCEWithLogitsLoss()
history = []
for epoch in range(40):
    running = 0.0
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
    history.append(running / len(batches))
print("loss", history[0], "->", history[-1])
with torch.no_grad():
    print("test accuracy", ((model(X_test) > 0).float() == y_test).float().mean().item())
'''),
    ]


def zeroed_before_update() -> list[Cell]:
    """xor_zero_first.py: model.zero_grad() moved between backward() and the manual update."""
    return [
        code('''
import torch
import torch.nn as nn

torch.manual_seed(6)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
T = torch.tensor([[0.], [1.], [1.], [0.]])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.output = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(torch.sigmoid(self.hidden(x))))


net = Net()
rate = 1.5
loss_list = []
for i in range(4000):
    E = ((net(X) - T) ** 2).mean()
    E.backward()
    with torch.no_grad():
        for w in net.parameters():
            w.grad.zero_()               # clear the gradient for the next iteration
            w.sub_(rate * w.grad)
    loss_list.append(E.item())

print("loss", loss_list[0], loss_list[-1])
print(net(X).detach().view(-1))
'''),
    ]


# =========================================================================== catalogue

ENTRIES: list[Entry] = [
    Entry("blind2_c_circles_nograd_module", "Kreise_und_Monde.ipynb", circles_nograd_module(), attempts=MOONS,
          style="nn.Module `ZweiSchichten` (2 tanh hidden, sigmoid + BCELoss) trained with no optimizer: "
                "`p -= lr * p.grad` and `p.grad.zero_()` under `torch.no_grad()` in a `trainieren()` "
                "function, first on make_circles then on make_moons, German markdown"),
    Entry("blind2_c_xor_data_sub", "xor_manual.py", xor_data_sub(), attempts=XOR,
          style="XOR nn.Module 2-6-6-1 sigmoid, one logit + F.binary_cross_entropy_with_logits, "
                "`mlp.zero_grad()` first, `p.data.sub_(eta * p.grad)`, no optimizer, script"),
    Entry("blind2_c_moons_data_minus", "moons_sgd_by_hand.py", moons_data_minus(), attempts=MOONS,
          style="moons 350 points, StandardScaler, nn.Sequential 2 ReLU layers + Sigmoid, BCELoss, "
                "`p.data -= lr * p.grad.data` then `model.zero_grad()`, no optimizer, script"),
    Entry("blind2_c_xor_seq_ce_long", "xor_ce.ipynb", xor_seq_ce_long(), attempts=XOR,
          style="XOR nn.Sequential 2-8-8-2 tanh, two logits + CrossEntropyLoss on torch.long labels, "
                "optim.SGD lr 0.1, argmax"),
    Entry("blind2_c_moons_loader16", "moons_minibatch.ipynb", moons_loader16(), attempts=MOONS,
          style="moons 300 points, scaler `sc`, TensorDataset + DataLoader(batch_size=16, shuffle=True), "
                "nn.Module with `self.hidden` Sequential + `self.out`, logits squeezed, BCEWithLogitsLoss, "
                "plain optim.SGD, epoch-mean `epoch_losses`"),
    Entry("blind2_c_autograd_grad_train_kw", "train_xor.py", autograd_grad_train_kw(), attempts=XOR,
          style="XOR raw tensors in a list, `torch.autograd.grad(loss, model)`, a new detached list each step, "
                "`train(model=..., X=..., y=..., epochs=..., lr=...)` returning the parameters, MSE, script"),
    Entry("blind2_c_raw_class_while_f64", "xor_f64.py", raw_class_while_f64(), attempts=XOR,
          style="XOR, a plain class (not an nn.Module) of float64 leaf tensors `A, a, B, b`, `while True` "
                "with a break on the loss, `w.sub_()` and `w.grad = None`, loss kept every 100 iterations"),
    Entry("blind2_c_tensor_backprop", "xor_tensor_backprop.py", handwritten_tensor(), attempts=XOR,
          style="XOR with torch tensors and no autograd: backprop written with tensor ops (`h.T @ d_out`), "
                "in-place `W -= alpha * dW`, sigmoid 2-6-1, BCE, script"),
    # ---- bugs ----
    Entry("blind2_c_bug_tensor_no_derivative", "xor_tensor_backprop.py",
          handwritten_tensor("d_hidden = d_out @ W2.T"), attempts=XOR,
          style="XOR with torch tensors and no autograd: backprop written with tensor ops, sigmoid 2-6-1, BCE",
          bug="`d_hidden = d_out @ W2.T`: the hidden sigmoid's derivative `h * (1 - h)` is missing",
          fails=(Fail("xor.gradients", ("W1", "derivative")),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("blind2_c_bug_manual_no_reset", "xor_module_manual.ipynb", manual_no_reset(), attempts=XOR,
          style="XOR nn.Module 2-5-1 tanh + sigmoid, MSELoss, manual `param -= lr * param.grad` under "
                "no_grad, an unused optim.SGD",
          bug="the gradients are never reset (no `zero_grad()`, no `param.grad.zero_()`): each step uses "
              "the sum of every gradient so far",
          fails=(Fail("xor.gradients", ("accumulate",)),),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind2_c_bug_rebind_update", "moons_manual.py", rebind_update(), attempts=MOONS,
          style="moons nn.Sequential 2 tanh layers, BCEWithLogitsLoss, manual update in a for loop, script",
          bug="`p = p - learning_rate * p.grad` rebinds the loop variable to a new tensor: no parameter is "
              "ever changed and the network stays at its initialisation",
          fails=(Fail("moons.descent", ("never",)),),
          also_fails=("moons.accuracy", "moons.loss")),
    Entry("blind2_c_bug_loader_momentum", "moons_loader_momentum.py", loader_momentum(), attempts=MOONS,
          style="moons, DataLoader(TensorDataset, batch_size=16, shuffle=True), nn.Sequential ReLU, "
                "BCEWithLogitsLoss, script",
          bug="`optim.SGD(..., momentum=0.9)`: momentum where fixed-rate gradient descent is asked",
          fails=(Fail("moons.descent", ("momentum",)),)),
    Entry("blind2_c_bug_zeroed_before_update", "xor_zero_first.py", zeroed_before_update(), attempts=XOR,
          style="XOR nn.Module 2-4-1 sigmoid, MSE by hand, manual `w.sub_(rate * w.grad)`, script",
          bug="`w.grad.zero_()` is called before `w.sub_(rate * w.grad)` instead of after: every step "
              "subtracts a zero gradient and nothing trains",
          fails=(Fail("xor.descent", ("zero",)),),
          also_fails=("xor.classifies", "xor.loss")),
]
