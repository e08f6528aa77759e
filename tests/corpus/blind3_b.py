"""Corpus entries from blind round 3, part b (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind3_b_*``.

PyTorch planted bugs not yet in the corpus (softmax before CrossEntropyLoss, optimizer.step()
before loss.backward(), ascent on one bias only, sign-SGD, gradient clipping that stalls
training, all-zero initialisation, weight decay) and correct submissions in new styles (F.linear with a
parameter dict and torch.func.grad, optim.SGD with every default spelled out, float64 moons with
an Armijo line search).
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

MOONS = ("moons",)
XOR = ("xor",)
MOONS_BT = ("moons", "backtracking")


# =========================================================================== correct

def func_linear_dict() -> list[Cell]:
    """xor_functional.py: parameters in a dict, forward with F.linear, gradients from torch.func.grad."""
    return [
        code('''
# XOR, purely functional: the parameters live in a dict, torch.func.grad gives their gradients
import torch
import torch.nn.functional as F
from torch.func import grad

torch.manual_seed(3)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

theta = {
    "W_in": torch.randn(5, 2) * 0.9,
    "b_in": torch.zeros(5),
    "W_mid": torch.randn(5, 5) * 0.6,
    "b_mid": torch.zeros(5),
    "W_out": torch.randn(1, 5) * 0.6,
    "b_out": torch.zeros(1),
}


def net_apply(th, x):
    z = torch.tanh(F.linear(x, th["W_in"], th["b_in"]))
    z = torch.tanh(F.linear(z, th["W_mid"], th["b_mid"]))
    return F.linear(z, th["W_out"], th["b_out"])


def objective(th, x, y):
    return F.binary_cross_entropy_with_logits(net_apply(th, x), y)


dobjective = grad(objective)
step_size = 0.4
trace = []
for it in range(5000):
    g = dobjective(theta, X, Y)
    trace.append(objective(theta, X, Y).item())
    theta = {k: theta[k] - step_size * g[k] for k in theta}

print("loss start/end", trace[0], trace[-1])
print("p(y=1):", torch.sigmoid(net_apply(theta, X)).flatten().tolist())
'''),
    ]


def sgd_explicit_kwargs() -> list[Cell]:
    """moons_sgd_defaults.ipynb: optim.SGD with momentum=0, dampening=0, nesterov=False, weight_decay=0 spelled out."""
    return [
        md("""
# Lab 6 — make_moons, plain gradient descent
The TA said momentum is not allowed, so I spell every option of `optim.SGD` out to be sure it is
*plain* gradient descent: `momentum=0`, `dampening=0`, `nesterov=False`, `weight_decay=0`.
"""),
        code("""
import torch, torch.nn as nn, torch.optim as optim
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

SEED = 2024
torch.manual_seed(SEED); np.random.seed(SEED)

Xall, yall = make_moons(n_samples=500, noise=0.18, random_state=SEED)
Xa, Xb, ya, yb = train_test_split(Xall, yall, test_size=0.2, random_state=SEED, stratify=yall)
std_scaler = StandardScaler()
Xa_t = torch.tensor(std_scaler.fit_transform(Xa), dtype=torch.float32)
Xb_t = torch.tensor(std_scaler.transform(Xb), dtype=torch.float32)
ya_t = torch.tensor(ya, dtype=torch.long)
yb_t = torch.tensor(yb, dtype=torch.long)
"""),
        code("""
class MoonNet(nn.Module):
    def __init__(self, h=24):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, h), nn.ELU(), nn.Linear(h, h), nn.ELU())
        self.head = nn.Linear(h, 2)

    def forward(self, x):
        return self.head(self.body(x))

moon_net = MoonNet()
opt = optim.SGD(moon_net.parameters(), lr=0.15, momentum=0, dampening=0,
                nesterov=False, weight_decay=0)
ce = nn.CrossEntropyLoss()
train_curve = []
"""),
        code("""
for epoch in range(600):
    opt.zero_grad(set_to_none=True)
    l = ce(moon_net(Xa_t), ya_t)
    l.backward()
    opt.step()
    train_curve.append(l.item())
    if epoch % 100 == 0:
        print(f"epoch {epoch:4d}  loss {l.item():.4f}")
"""),
        code("""
with torch.no_grad():
    acc = (moon_net(Xb_t).argmax(1) == yb_t).float().mean().item()
print("held-out accuracy:", acc)
"""),
    ]


def moons_f64_armijo() -> list[Cell]:
    """lab6_f64.py: torch.set_default_dtype(float64), nn.Module, fixed-rate run then an Armijo run."""
    return [
        code('''
"""Lab 6: moons in double precision. Fixed step first, then Armijo backtracking."""
import copy
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)
torch.manual_seed(77)

raw_X, raw_y = make_moons(n_samples=240, noise=0.15, random_state=77)
scaler = StandardScaler().fit(raw_X)
X = torch.tensor(scaler.transform(raw_X))
y = torch.tensor(raw_y).reshape(-1, 1).double()


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 12)
        self.b = nn.Linear(12, 12)
        self.c = nn.Linear(12, 1)

    def forward(self, x):
        return self.c(torch.tanh(self.b(torch.tanh(self.a(x)))))


bce = nn.BCEWithLogitsLoss()
init = Deep()

# ---- fixed learning rate
model_fixed = copy.deepcopy(init)
losses_fixed = []
for k in range(400):
    model_fixed.zero_grad()
    L = bce(model_fixed(X), y)
    L.backward()
    with torch.no_grad():
        for w in model_fixed.parameters():
            w.add_(w.grad, alpha=-0.2)
    losses_fixed.append(L.item())


# ---- Armijo backtracking
def backtracking(model, loss_now, grad_vec, alpha0=4.0, rho=0.5, c=1e-4, max_halvings=30):
    theta = parameters_to_vector(model.parameters()).detach().clone()
    g2 = grad_vec.dot(grad_vec).item()
    alpha = alpha0
    for _ in range(max_halvings):
        vector_to_parameters(theta - alpha * grad_vec, model.parameters())
        with torch.no_grad():
            trial = bce(model(X), y).item()
        if trial <= loss_now - c * alpha * g2:
            return alpha
        alpha *= rho
    vector_to_parameters(theta - alpha * grad_vec, model.parameters())
    return alpha


model_bt = copy.deepcopy(init)
losses_bt, steps = [], []
for k in range(400):
    model_bt.zero_grad()
    L = bce(model_bt(X), y)
    L.backward()
    gvec = torch.cat([w.grad.reshape(-1) for w in model_bt.parameters()]).detach()
    steps.append(backtracking(model_bt, L.item(), gvec))
    losses_bt.append(L.item())

with torch.no_grad():
    for name, m in (("fixed", model_fixed), ("armijo", model_bt)):
        acc = ((m(X) > 0).double() == y).double().mean().item()
        print(name, "train acc", round(acc, 3))
print("final losses", losses_fixed[-1], losses_bt[-1])
print("mean step", sum(steps) / len(steps))
'''),
    ]


# =========================================================================== bugs

def xor_double_softmax() -> list[Cell]:
    """XOR_softmax.ipynb: nn.Sequential ending in nn.Softmax, then nn.CrossEntropyLoss."""
    return [
        md("""
## Exercise 6.1 – XOR with two output neurons
Two classes, so two outputs with a softmax and the cross-entropy loss.
"""),
        code("""
import torch
import torch.nn as nn

torch.manual_seed(11)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
labels = torch.tensor([0, 1, 1, 0])

xor_model = nn.Sequential(
    nn.Linear(2, 8), nn.Tanh(),
    nn.Linear(8, 8), nn.Tanh(),
    nn.Linear(8, 2),
    nn.Softmax(dim=1),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(xor_model.parameters(), lr=0.5)
"""),
        code("""
losses = []
for epoch in range(4000):
    optimizer.zero_grad()
    probs = xor_model(X)
    loss = loss_fn(probs, labels)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print("final loss", losses[-1])
"""),
        code("""
with torch.no_grad():
    print(xor_model(X))
    print("predictions", xor_model(X).argmax(dim=1).tolist())
"""),
    ]


def step_before_backward() -> list[Cell]:
    """moons_train.py: zero_grad(), forward, optimizer.step(), loss.backward(): step never sees a gradient."""
    return [
        code('''
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(8)
np.random.seed(8)

Xn, yn = make_moons(400, noise=0.2, random_state=8)
Xtr, Xte, ytr, yte = train_test_split(Xn, yn, test_size=0.25, random_state=8)
sc = StandardScaler().fit(Xtr)
Xtr = torch.FloatTensor(sc.transform(Xtr)); Xte = torch.FloatTensor(sc.transform(Xte))
ytr = torch.FloatTensor(ytr).unsqueeze(1); yte = torch.FloatTensor(yte).unsqueeze(1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return torch.sigmoid(self.fc3(x))


model = Classifier()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.4)

loss_history = []
for epoch in range(800):
    optimizer.zero_grad()     # clear old gradients
    y_hat = model(Xtr)
    loss = criterion(y_hat, ytr)
    optimizer.step()          # update the weights
    loss.backward()           # compute new gradients
    loss_history.append(loss.item())

with torch.no_grad():
    acc = ((model(Xte) > 0.5).float() == yte).float().mean()
print("loss", loss_history[0], "->", loss_history[-1], " test acc", acc.item())
'''),
    ]


def raw_bias_ascent() -> list[Cell]:
    """xor_raw.py: raw requires_grad tensors, every update subtracts except b1's, which adds."""
    return [
        code('''
# XOR, 2-4-1, raw tensors and autograd, update by hand
import torch

g = torch.Generator().manual_seed(5)
x = torch.tensor([[0., 0.], [1., 0.], [0., 1.], [1., 1.]])
t = torch.tensor([[0.], [1.], [1.], [0.]])

w1 = (torch.randn(2, 4, generator=g) * 1.0).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
w2 = (torch.randn(4, 1, generator=g) * 1.0).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)

lr = 1.0
cost_history = []
for i in range(8000):
    hid = torch.sigmoid(x @ w1 + b1)
    out = torch.sigmoid(hid @ w2 + b2)
    cost = ((out - t) ** 2).mean()
    cost.backward()
    with torch.no_grad():
        w1 -= lr * w1.grad
        b1 += lr * b1.grad
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
        for p in (w1, b1, w2, b2):
            p.grad.zero_()
    cost_history.append(cost.item())

print("cost", cost_history[0], cost_history[-1])
print("out", out.detach().flatten())
'''),
    ]


def sign_sgd() -> list[Cell]:
    """moons_signs.ipynb: nn.Module updated by hand with p.grad.sign() (sign-SGD)."""
    return [
        md("""
# Moons — gradient descent
Every step moves each weight by `lr` in the direction that lowers the loss.
"""),
        code("""
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(31)
X_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=31)
scaler = StandardScaler()
X_t = torch.tensor(scaler.fit_transform(X_np), dtype=torch.float32)
y_t = torch.tensor(y_np, dtype=torch.float32).view(-1, 1)

net = nn.Sequential(nn.Linear(2, 10), nn.Tanh(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 1))
loss_f = nn.BCEWithLogitsLoss()
lr = 0.01
hist = []
"""),
        code("""
for ep in range(500):
    net.zero_grad()
    L = loss_f(net(X_t), y_t)
    L.backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= lr * p.grad.sign()
    hist.append(L.item())
print(hist[0], hist[-1])
"""),
        code("""
with torch.no_grad():
    print("train accuracy", ((net(X_t) > 0).float() == y_t).float().mean().item())
"""),
    ]


def clip_stall() -> list[Cell]:
    """xor_clip.py: clip_grad_norm_(..., max_norm=1e-6) before every step: the steps are ~1e-6 long."""
    return [
        code('''
import torch
import torch.nn as nn

torch.manual_seed(4)

data = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
target = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 6)
        self.hidden2 = nn.Linear(6, 6)
        self.output = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.sigmoid(self.hidden(x))
        x = torch.sigmoid(self.hidden2(x))
        return torch.sigmoid(self.output(x))


net = XorNet()
opt = torch.optim.SGD(net.parameters(), lr=2.0)
mse = nn.MSELoss()
losses = []
for epoch in range(5000):
    opt.zero_grad()
    loss = mse(net(data), target)
    loss.backward()
    # keep the gradients from exploding
    torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm=1e-6)
    opt.step()
    losses.append(loss.item())

print("loss", losses[0], losses[-1])
print("rounded", net(data).round().flatten().tolist())
'''),
    ]


def zero_init() -> list[Cell]:
    """xor_zero_init.ipynb: every nn.Linear weight and bias initialised to zero with nn.init.zeros_."""
    return [
        md("""
### XOR with a deterministic start
To make the results reproducible I start every weight from zero instead of a random value.
"""),
        code("""
import torch
from torch import nn

inp = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
out = torch.tensor([[0.], [1.], [1.], [0.]])

model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 1))
for layer in model:
    if isinstance(layer, nn.Linear):
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
"""),
        code("""
criterion = nn.BCEWithLogitsLoss()
sgd = torch.optim.SGD(model.parameters(), lr=1.0)
loss_list = []
for i in range(6000):
    sgd.zero_grad()
    l = criterion(model(inp), out)
    l.backward()
    sgd.step()
    loss_list.append(l.item())
print(loss_list[0], loss_list[-1])
"""),
        code("""
with torch.no_grad():
    print(torch.sigmoid(model(inp)).flatten())
    print(model[0].weight)
"""),
    ]


def weight_decay() -> list[Cell]:
    """moons_wd.ipynb: optim.SGD(..., weight_decay=0.05): L2 shrinkage added to every step."""
    return [
        md("""
# Übung 6: Monde mit festem Lernrate-Gradientenabstieg
(Weight decay gegen Überanpassung.)
"""),
        code("""
import numpy as np, torch
from torch import nn, optim
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(13); np.random.seed(13)
X, y = make_moons(n_samples=360, noise=0.22, random_state=13)
scaler = StandardScaler().fit(X)
Xt = torch.tensor(scaler.transform(X), dtype=torch.float32)
yt = torch.tensor(y, dtype=torch.float32)[:, None]

modell = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
optimierer = optim.SGD(modell.parameters(), lr=0.3, weight_decay=0.05)
verlustfunktion = nn.BCEWithLogitsLoss()
verluste = []
for epoche in range(700):
    optimierer.zero_grad()
    v = verlustfunktion(modell(Xt), yt)
    v.backward()
    optimierer.step()
    verluste.append(v.item())
print(verluste[0], verluste[-1])
"""),
        code("""
with torch.no_grad():
    print("Trainingsgenauigkeit:", ((modell(Xt) > 0).float() == yt).float().mean().item())
"""),
    ]


ENTRIES: list[Entry] = [
    Entry("blind3_b_func_linear_dict", "xor_functional.py", func_linear_dict(), attempts=XOR,
          style="XOR, parameters in a plain dict of tensors (no requires_grad), forward with F.linear, "
                "gradients from `torch.func.grad(objective)`, a new dict each step, tanh 2-5-5-1, "
                "BCE with logits, script",
          known_gap="The code runs now (the trace skips gradient calls whose tensors it cannot read, "
                    "torch.func's wrapped ones), but nothing records a functional training: torch.func.grad "
                    "fills no .grad and the dict's tensors are rebound each step, so no network is found "
                    "(10/100 for a correct XOR)."),
    Entry("blind3_b_sgd_explicit_kwargs", "moons_sgd_defaults.ipynb", sgd_explicit_kwargs(), attempts=MOONS,
          style="moons 500 points stratified split, `std_scaler`, nn.Module with `body` Sequential (ELU) + "
                "`head` 2 logits, CrossEntropyLoss on long labels, `optim.SGD(momentum=0, dampening=0, "
                "nesterov=False, weight_decay=0)`, `zero_grad(set_to_none=True)`"),
    Entry("blind3_b_moons_f64_armijo", "lab6_f64.py", moons_f64_armijo(), attempts=MOONS_BT,
          style="`torch.set_default_dtype(torch.float64)`, moons 240 points, nn.Module tanh 2-12-12-1, "
                "fixed run with `w.add_(w.grad, alpha=-0.2)`, Armijo with parameters_to_vector / "
                "vector_to_parameters and a `backtracking()` that leaves the accepted step in the model"),
    # ---- bugs ----
    Entry("blind3_b_bug_double_softmax", "XOR_softmax.ipynb", xor_double_softmax(), attempts=XOR,
          style="XOR nn.Sequential 2-8-8-2 tanh, optim.SGD lr 0.5, argmax predictions",
          bug="`nn.Softmax(dim=1)` as the last layer and then `nn.CrossEntropyLoss`, which applies "
              "log-softmax itself: the softmax is applied twice and the loss cannot go below ~0.31",
          fails=(Fail("xor.loss", ("softmax", "CrossEntropyLoss")),),
          may_fail=("xor.classifies",),
          known_gap="xor.loss fails only with 'the loss ends at 0.3133, above the target 0.15'; it should say "
                    "that nn.Softmax before nn.CrossEntropyLoss applies the softmax twice (0.3133 = log(1+e^-1) "
                    "is the floor of CE on probabilities). The sigmoid-before-BCEWithLogitsLoss diagnosis has "
                    "no softmax/CrossEntropyLoss counterpart."),
    Entry("blind3_b_bug_step_before_backward", "moons_train.py", step_before_backward(), attempts=MOONS,
          style="moons 400 points, StandardScaler `sc`, nn.Module fc1-fc3 ReLU + sigmoid, BCELoss, "
                "optim.SGD lr 0.4, script",
          bug="`optimizer.step()` before `loss.backward()`, right after `zero_grad()`: step always sees "
              "no gradient, so the parameters never change (the gradient computed after it is cleared "
              "at the top of the next iteration)",
          notes="the lagged order (zero_grad after step, backward last) does not run in PyTorch: "
                "backward fails on the parameters step modified in place. The grader names it cyclically "
                "('zero_grad() is called between backward() and step()') with the right fix",
          fails=(Fail("moons.descent", ("step()", "before", "backward()")),),
          also_fails=("moons.accuracy", "moons.loss")),
    Entry("blind3_b_bug_weight_decay", "moons_wd.ipynb", weight_decay(), attempts=MOONS,
          style="moons 360 points, scaler, nn.Sequential ReLU 2-16-16-1, BCEWithLogitsLoss, German names",
          bug="`optim.SGD(..., weight_decay=0.05)`: every step is -lr * (gradient + 0.05 * w), L2 shrinkage "
              "where plain fixed-rate gradient descent is asked",
          fails=(Fail("moons.descent", ("weight", "decay")),)),
    Entry("blind3_b_bug_bias_ascent", "xor_raw.py", raw_bias_ascent(), attempts=XOR,
          style="XOR raw tensors w1 b1 w2 b2 with requires_grad, torch.Generator seed, sigmoid 2-4-1, "
                "MSE by hand, updates under no_grad, script",
          bug="`b1 += lr * b1.grad`: gradient ascent on the hidden bias b1 only (the other three subtract)",
          fails=(Fail("xor.descent", ("b1", "adds the gradient")),),
          also_fails=("xor.classifies", "xor.loss"),
          known_gap="xor.descent says only 'the update is not proportional to the gradient ... deviate by 80% "
                    "of the step'; it should name b1 as the one parameter moved by +lr*grad (ascent) while w1, "
                    "w2, b2 descend. The per-parameter sign hypothesis (update_hypotheses) is not tried when "
                    "the signs differ between parameters."),
    Entry("blind3_b_bug_sign_sgd", "moons_signs.ipynb", sign_sgd(), attempts=MOONS,
          style="moons 300 points, scaler, nn.Sequential tanh 2-10-10-1, BCEWithLogitsLoss, manual "
                "update under no_grad",
          bug="`p -= lr * p.grad.sign()`: sign-SGD, each weight moves by lr in the sign of its gradient, "
              "not by lr times the gradient",
          fails=(Fail("moons.descent", ("sign",)),),
          known_gap="moons.descent fails with 'not proportional to the gradient (deviate by 75% of the step)' "
                    "but does not say the update is lr * sign(grad) (sign-SGD, every component moved by "
                    "exactly 0.01); update_hypotheses has no sign-of-gradient hypothesis."),
    Entry("blind3_b_bug_clip_stall", "xor_clip.py", clip_stall(), attempts=XOR,
          style="XOR nn.Module 2-6-6-1 sigmoid, MSELoss, optim.SGD lr 2.0, script",
          bug="`clip_grad_norm_(net.parameters(), max_norm=1e-6)` before every step: each update is "
              "scaled down to length lr * 1e-6 and the network never trains",
          fails=(Fail("xor.descent", ("clip",)),),
          also_fails=("xor.classifies", "xor.loss"),
          known_gap="xor.descent says '`net.hidden.weight` is never updated ... the update step leaves it out', "
                    "which misnames the bug: every parameter moves by -lr*grad scaled to total norm 1e-6 "
                    "(clip_grad_norm_), so the steps are ~1e-6 of lr*grad (below float32 resolution for some "
                    "weights). No clipped/rescaled-gradient hypothesis in update_hypotheses."),
    Entry("blind3_b_bug_zero_init", "xor_zero_init.ipynb", zero_init(), attempts=XOR,
          style="XOR nn.Sequential 2-4-4-1 sigmoid, BCEWithLogitsLoss, optim.SGD lr 1.0",
          bug="every weight and bias initialised to zero (`nn.init.zeros_`): the hidden units of each "
              "layer stay identical (symmetry never broken) and XOR is not learned",
          fails=(Fail("xor.classifies", ("same weights", "symmetry")),),
          also_fails=("xor.loss",),
          notes="with every weight and bias zero the output is 0 for all four points and the XOR labels are "
                "balanced, so every gradient is exactly zero: SGD is applied but never moves anything",
          known_gap="xor.classifies names it well (units with the same weights, break the symmetry), but "
                    "xor.descent also fails with 'no update step is applied after backward()', which is false: "
                    "optimizer.step() runs and every recorded gradient is exactly 0 at the all-zero start. Cause: "
                    "grader/checks/training.py _never_moving() says 'no update step' whenever not every update "
                    "has optimizer_steps and grad_sq > 0; a zero gradient (grad_sq == 0) is never told apart."),
]
