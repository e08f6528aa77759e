"""Corpus entries in the styles real students write (see issue 11): filled in by make_corpus.py.

PyTorch styles (and a few mixed torch + NumPy): nn.Module subclasses with odd attribute names,
nn.Sequential from an OrderedDict, raw tensors updated by hand, DataLoader mini-batches,
CrossEntropyLoss on two logits, Armijo backtracking written inline, as functions with their own
signatures and as a trainer method. Every entry is named ``wild_pt_*``.
"""

from __future__ import annotations


from _build import Cell, Entry, Fail, code, md  # noqa: F401

XOR_ROWS = "[[0., 0.], [0., 1.], [1., 0.], [1., 1.]]"


# =========================================================================== XOR, nn.Module

def xor_modulelist_elu() -> list[Cell]:
    """Untitled1.ipynb: a ModuleList of 3 hidden ELU layers, logits + BCEWithLogitsLoss, Korean."""
    return [
        md("# XOR 문제 — 은닉층이 세 개인 신경망\n\n"
           "경사하강법(SGD, 고정 학습률)으로 학습합니다. 출력은 로짓 하나이고, "
           "시그모이드는 `BCEWithLogitsLoss` 안에서 계산됩니다."),
        code("import torch\nimport torch.nn as nn\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
        code("""
# 데이터: XOR 진리표
X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float)
T = torch.tensor([[0], [1], [1], [0]], dtype=torch.float)
X.shape, T.shape
"""),
        code("""
class DeepXor(nn.Module):
    def __init__(self, sizes=(2, 8, 8, 8, 1)):
        super().__init__()
        # 층들을 ModuleList 에 담아 둔다
        self.layers = nn.ModuleList(
            [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        )
        self.act = nn.ELU()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)   # 마지막 층은 활성화 없이 로짓을 낸다


torch.manual_seed(42)
net = DeepXor()
crit = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
net
"""),
        md("## 학습"),
        code("""
E = []   # 에포크마다 오차를 저장
for ep in range(3000):
    opt.zero_grad()
    out = net(X)
    err = crit(out, T)
    err.backward()
    opt.step()
    E.append(err.item())
    if ep % 500 == 0:
        print(f'에포크 {ep:4d}   오차 {err.item():.4f}')
"""),
        code("""
plt.figure(figsize=(6, 3))
plt.plot(E)
plt.xlabel('epoch')
plt.ylabel('BCE')
plt.title('training curve')
plt.show()
"""),
        code("""
with torch.no_grad():
    prob = torch.sigmoid(net(X))
print(prob.squeeze())
print('예측:', (prob > 0.5).int().flatten().tolist(), '  정답:', T.int().flatten().tolist())
"""),
        md("네 점 모두 맞게 분류된다. 🙂"),
    ]


def xor_ordereddict_ce() -> list[Cell]:
    """7.py: nn.Sequential(OrderedDict), 2 logits + CrossEntropyLoss, losses only printed."""
    return [
        code("""
# lab 7 -- XOR again, this time as a 2-class problem
from collections import OrderedDict

import torch
from torch import nn, optim

torch.manual_seed(1)

data = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
labels = torch.tensor([0, 1, 1, 0])          # class indices, not one-hot

model = nn.Sequential(OrderedDict([
    ("lin1", nn.Linear(2, 6)),
    ("tanh1", nn.Tanh()),
    ("lin2", nn.Linear(6, 6)),
    ("tanh2", nn.Tanh()),
    ("logits", nn.Linear(6, 2)),
]))
lossf = nn.CrossEntropyLoss()
sgd = optim.SGD(model.parameters(), lr=0.3)
"""),
        code("""
for epoch in range(1, 1201):
    sgd.zero_grad()
    l = lossf(model(data), labels)
    l.backward()
    sgd.step()
    if epoch % 100 == 0:
        print("epoch", epoch, "loss", round(l.item(), 5))
"""),
        code("""
pred = model(data).argmax(dim=1)
print("pred  ", pred.tolist())
print("target", labels.tolist())
print("acc", (pred == labels).float().mean().item())
"""),
    ]


def xor_fcin_leaky_deep() -> list[Cell]:
    """xor_deep.py: fc_in, 4 more hidden layers in self.hidden (5 hidden in all), LeakyReLU."""
    return [
        code(f"""
\"\"\"XOR with a deeper net: fc_in + 4 hidden layers, LeakyReLU, sigmoid output.\"\"\"
import torch
import torch.nn as nn


class DeepNet(nn.Module):
    def __init__(self, width=10, depth=4, slope=0.1):
        super().__init__()
        self.fc_in = nn.Linear(2, width)
        blocks = []
        for _ in range(depth):
            blocks += [nn.Linear(width, width), nn.LeakyReLU(slope)]
        self.hidden = nn.Sequential(*blocks)
        self.fc_out = nn.Linear(width, 1)
        self.leaky = nn.LeakyReLU(slope)

    def forward(self, x):
        x = self.leaky(self.fc_in(x))
        x = self.hidden(x)
        return torch.sigmoid(self.fc_out(x))


torch.manual_seed(2024)
X = torch.tensor({XOR_ROWS})
Y = torch.tensor([[0.], [1.], [1.], [0.]])

model = DeepNet()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
"""),
        code("""
loss_values = []
for epoch in range(2500):
    optimizer.zero_grad()
    pred = model(X)
    loss = criterion(pred, Y)
    loss.backward()
    optimizer.step()
    loss_values.append(loss.item())
    if epoch % 250 == 0:
        print(f"{epoch:5d}  {loss.item():.5f}")

with torch.no_grad():
    print("outputs:", model(X).flatten().numpy().round(3))
"""),
    ]


def xor_online_loader() -> list[Cell]:
    """xor_online.ipynb: DataLoader with batch_size=1, per-sample SGD, epoch mean loss."""
    return [
        md("# XOR, one sample at a time\n\n"
           "Stochastic gradient descent in its purest form: `batch_size=1`, the four points "
           "shuffled every epoch, an update after every single point."),
        code("""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import matplotlib.pyplot as plt
%matplotlib inline
"""),
        code(f"""
torch.manual_seed(8)
X = torch.tensor({XOR_ROWS})
y = torch.tensor([[0.], [1.], [1.], [0.]])
loader = DataLoader(TensorDataset(X, y), batch_size=1, shuffle=True)
"""),
        code("""
class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 6)
        self.b = nn.Linear(6, 6)
        self.o = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.tanh(self.a(x))
        x = torch.tanh(self.b(x))
        return torch.sigmoid(self.o(x))


net = TinyNet()
loss_func = nn.BCELoss()
optim = torch.optim.SGD(net.parameters(), lr=0.1)
"""),
        code("""
epoch_err = []
for epoch in range(500):
    s = 0.0
    for xb, yb in loader:
        optim.zero_grad()
        e = loss_func(net(xb), yb)
        e.backward()
        optim.step()
        s += e.item()
    epoch_err.append(s / len(loader))
print(epoch_err[0], epoch_err[-1])
"""),
        code("plt.plot(epoch_err)\nplt.xlabel('epoch')\nplt.ylabel('mean BCE over the 4 points')\nplt.show()"),
        code("net(X).detach().round(decimals=2)"),
    ]


def xor_steplr() -> list[Cell]:
    """xor_scheduler.py: SGD with a StepLR schedule."""
    return [
        code(f"""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(10)

X = torch.tensor({XOR_ROWS})
y = torch.tensor([[0.], [1.], [1.], [0.]])


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 5)
        self.act = nn.Tanh()
        self.output = nn.Linear(5, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(self.act(self.hidden(x))))


model = XorNet()
loss_fn = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=400, gamma=0.7)   # lr *= 0.7 every 400 epochs
"""),
        code("""
losses = []
for epoch in range(2000):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    losses.append(loss.item())
    if epoch % 400 == 0:
        print(f"epoch {epoch}: loss={loss.item():.4f} lr={scheduler.get_last_lr()[0]:.3f}")

print(model(X).detach().view(-1))
"""),
    ]


def xor_adam() -> list[Cell]:
    """xor_adam.ipynb: Adam instead of gradient descent."""
    return [
        md("# XOR\nI tried SGD first but Adam converges much faster, so I use Adam."),
        code("import torch\nimport torch.nn as nn\nimport matplotlib.pyplot as plt"),
        code(f"X = torch.tensor({XOR_ROWS})\ny = torch.tensor([[0.], [1.], [1.], [0.]])"),
        code("""
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

loss_hist = []
for epoch in range(1000):
    optimizer.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    optimizer.step()
    loss_hist.append(loss.item())
"""),
        code("plt.plot(loss_hist)\nplt.show()\nprint(torch.sigmoid(model(X)).detach().flatten())"),
    ]


# =========================================================================== XOR, raw tensors

def xor_raw_ih_ho() -> list[Cell]:
    """xor_autograd.ipynb: w_ih, b_h, w_ho, b_o; errors stored as tensors; Greek."""
    return [
        md("# Εργαστήριο: XOR με autograd\n\n"
           "Χωρίς `nn.Module`: τα βάρη είναι απλοί τανυστές με `requires_grad=True` και η "
           "ενημέρωση γίνεται με το χέρι (κατάβαση κλίσης με σταθερό βήμα)."),
        code("import torch\nimport torch.nn as nn\ntorch.manual_seed(2)"),
        code(f"""
# είσοδοι και επιθυμητές έξοδοι
X = torch.tensor({XOR_ROWS})
d = torch.tensor([[0.], [1.], [1.], [0.]])
"""),
        md("## Αρχικοποίηση βαρών\n`w_ih`: είσοδος → κρυφό στρώμα, `w_ho`: κρυφό στρώμα → έξοδος."),
        code("""
n_hidden = 4
w_ih = torch.randn(2, n_hidden, requires_grad=True)
b_h = torch.zeros(n_hidden, requires_grad=True)
w_ho = torch.randn(n_hidden, 1, requires_grad=True)
b_o = torch.zeros(1, requires_grad=True)
bce = nn.BCELoss()
"""),
        code("""
eta = 0.5
errors = []      # κρατάω τους τανυστές των σφαλμάτων, όχι αριθμούς
for t in range(2500):
    h = torch.tanh(X @ w_ih + b_h)
    y_hat = torch.sigmoid(h @ w_ho + b_o)
    loss = bce(y_hat, d)
    loss.backward()
    with torch.no_grad():
        w_ih -= eta * w_ih.grad
        b_h -= eta * b_h.grad
        w_ho -= eta * w_ho.grad
        b_o -= eta * b_o.grad
        w_ih.grad.zero_()
        b_h.grad.zero_()
        w_ho.grad.zero_()
        b_o.grad.zero_()
    errors.append(loss.detach())
print('αρχικό σφάλμα:', errors[0].item(), '  τελικό:', errors[-1].item())
"""),
        code("""
import matplotlib.pyplot as plt
plt.plot(torch.stack(errors).numpy())
plt.title('BCE per iteration')
plt.show()
"""),
        md("## Έλεγχος στα τέσσερα σημεία"),
        code("""
with torch.no_grad():
    out = torch.sigmoid(torch.tanh(X @ w_ih + b_h) @ w_ho + b_o)
for x, o in zip(X.tolist(), out.flatten().tolist()):
    print(x, '->', round(o, 3), int(o > 0.5))
"""),
    ]


def xor_params_autograd_grad() -> list[Cell]:
    """lb.py: params = [W1, b1, W2, b2], torch.autograd.grad, MSE on a linear output, J; Japanese."""
    return [
        code(f"""
# 勾配降下法で XOR を学習する(重みは自分で管理するバージョン)
import torch

torch.manual_seed(3)

X = torch.tensor({XOR_ROWS})
y = torch.tensor([[0.], [1.], [1.], [0.]])

# 重みの初期化: 2 -> 8 -> 1
W1 = (torch.randn(2, 8) * 0.7).requires_grad_()
b1 = torch.zeros(8, requires_grad=True)
W2 = (torch.randn(8, 1) * 0.7).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]


def net(x):
    h = torch.tanh(x @ W1 + b1)
    return h @ W2 + b2          # 出力層は線形(活性化関数なし)
"""),
        code("""
lr = 0.1
J = []                          # 損失の履歴
for it in range(2000):
    loss = ((net(X) - y) ** 2).mean()      # 平均二乗誤差
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g
    J.append(loss.item())
    if it % 400 == 0:
        print(it, J[-1])

# 出力が 0.5 より大きければクラス 1
with torch.no_grad():
    out = net(X)
print(out.flatten(), (out > 0.5).int().flatten().tolist())
"""),
    ]


def xor_dict_columns() -> list[Cell]:
    """Lab_6 (final).ipynb: dict of tensors, column-major W @ X, autograd.backward, .data update; Persian."""
    return [
        md("# آزمایش ۶: شبکه‌ی عصبی برای XOR\n\n"
           "در این نسخه هر **ستون** ماتریس `X` یک نمونه است، پس هر لایه به شکل "
           "`W @ X + b` نوشته می‌شود."),
        code("import torch\nimport matplotlib.pyplot as plt\n%matplotlib inline\ntorch.manual_seed(5)"),
        code("""
# داده‌ها: هر ستون یک نمونه است
X = torch.tensor([[0., 0., 1., 1.],
                  [0., 1., 0., 1.]])
Y = torch.tensor([[0., 1., 1., 0.]])
"""),
        md("## پارامترها\nوزن‌ها و بایاس‌ها را در یک دیکشنری نگه می‌داریم."),
        code("""
net = {
    "W1": torch.randn(5, 2, requires_grad=True),
    "b1": torch.zeros(5, 1, requires_grad=True),
    "W2": torch.randn(1, 5, requires_grad=True),
    "b2": torch.zeros(1, 1, requires_grad=True),
}


def forward(X):
    A1 = torch.sigmoid(net["W1"] @ X + net["b1"])
    return torch.sigmoid(net["W2"] @ A1 + net["b2"])


def cross_entropy(A, Y):
    return -(Y * torch.log(A) + (1 - Y) * torch.log(1 - A)).mean()
"""),
        md("## آموزش با گرادیان کاهشی (نرخ یادگیری ثابت)"),
        code("""
alpha = 2.0
cost = []
for i in range(3000):
    A2 = forward(X)
    L = cross_entropy(A2, Y)
    torch.autograd.backward(L)
    for k in net:
        net[k].data -= alpha * net[k].grad.data
        net[k].grad = None
    cost.append(L.item())
    if i % 500 == 0:
        print(i, L.item())
"""),
        code("""
plt.plot(cost)
plt.xlabel("iteration")
plt.ylabel("cross-entropy")
plt.show()
"""),
        md("## مرز تصمیم"),
        code("""
xx, yy = torch.meshgrid(torch.linspace(-0.5, 1.5, 200), torch.linspace(-0.5, 1.5, 200), indexing="xy")
grid = torch.stack([xx.flatten(), yy.flatten()])   # 2 x N: ستون‌ها نقطه‌ها هستند
with torch.no_grad():
    Z = forward(grid).reshape(xx.shape)
plt.contourf(xx, yy, Z, levels=20, cmap="RdBu_r", alpha=0.8)
plt.colorbar()
plt.scatter(X[0], X[1], c=Y[0], cmap="RdBu_r", edgecolors="k", s=120)
plt.show()
print("پیش‌بینی:", (forward(X) > 0.5).int().tolist())
"""),
    ]


def xor_numpy_torch_long() -> list[Cell]:
    """xor_numpy_torch.py: NumPy data and init, torch autograd, 20,000 epochs, loss in a NumPy array."""
    return [
        code("""
import numpy as np
import torch

np.random.seed(1)

X_np = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
y_np = np.array([0, 1, 1, 0], dtype=np.float32).reshape(-1, 1)
X = torch.from_numpy(X_np)
y = torch.from_numpy(y_np)

# 2-3-1, sigmoid everywhere, like in the lecture slides
W1 = torch.tensor(np.random.uniform(-1, 1, (2, 3)).astype(np.float32), requires_grad=True)
b1 = torch.zeros(3, requires_grad=True)
W2 = torch.tensor(np.random.uniform(-1, 1, (3, 1)).astype(np.float32), requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
"""),
        code("""
epochs = 20000
lr = 0.5
loss_arr = np.zeros(epochs)
for e in range(epochs):
    a1 = torch.sigmoid(X @ W1 + b1)
    a2 = torch.sigmoid(a1 @ W2 + b2)
    loss = 0.5 * ((a2 - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        for w in (W1, b1, W2, b2):
            w -= lr * w.grad
            w.grad.zero_()
    loss_arr[e] = loss.item()
    if e % 2000 == 0:
        print(e, loss_arr[e])
"""),
        code("""
out = a2.detach().numpy()
print(np.round(out, 3).ravel(), "accuracy", np.mean((out > 0.5) == y_np))
"""),
    ]


def xor_numpy_init_float64() -> list[Cell]:
    """xor_np_init.ipynb: NumPy Glorot init into float64 tensors, 2 hidden tanh layers, `p.grad = None`."""
    return [
        md("## XOR — NumPy for the data and the initialisation, PyTorch for the gradients"),
        code("import numpy as np\nimport torch\nimport torch.nn.functional as F"),
        code("""
X_np = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
t_np = np.array([[0], [1], [1], [0]], dtype=np.float64)
X = torch.from_numpy(X_np)
t = torch.from_numpy(t_np)
"""),
        code("""
rng = np.random.default_rng(4)


def glorot(n_in, n_out):
    lim = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-lim, lim, size=(n_in, n_out))


W1 = torch.tensor(glorot(2, 6), requires_grad=True)
b1 = torch.zeros(6, dtype=torch.float64, requires_grad=True)
W2 = torch.tensor(glorot(6, 6), requires_grad=True)
b2 = torch.zeros(6, dtype=torch.float64, requires_grad=True)
W3 = torch.tensor(glorot(6, 1), requires_grad=True)
b3 = torch.zeros(1, dtype=torch.float64, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]


def logit(x):
    h = torch.tanh(x @ W1 + b1)
    h = torch.tanh(h @ W2 + b2)
    return h @ W3 + b3
"""),
        code("""
lr = 0.5
hist = []
for epoch in range(1500):
    loss = F.binary_cross_entropy_with_logits(logit(X), t)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    hist.append(float(loss))
hist = np.array(hist)
print(hist[[0, 500, 1000, -1]])
"""),
        code("""
p = 1 / (1 + np.exp(-logit(X).detach().numpy()))
print(np.hstack([X_np, p.round(3), (p > 0.5).astype(int)]))
"""),
    ]


# =========================================================================== moons, fixed rate

MOONS_HEAD = """
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
"""


def moons_loader_ce() -> list[Cell]:
    """moons_classifier.ipynb: 1000 points noise 0.1, scaler, DataLoader(32), 2 logits + CE, contourf."""
    return [
        md("# make_moons with a small MLP\n\n1000 points, noise 0.1, standardised; mini-batch SGD "
           "with a constant learning rate; two output logits and cross-entropy."),
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset
import matplotlib.pyplot as plt
%matplotlib inline

torch.manual_seed(0)
"""),
        code("""
X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr_t = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te_t = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr_t = torch.tensor(y_tr, dtype=torch.long)
y_te_t = torch.tensor(y_te, dtype=torch.long)
train_loader = DataLoader(TensorDataset(X_tr_t, y_tr_t), batch_size=32, shuffle=True)
"""),
        code("""
plt.scatter(X[:, 0], X[:, 1], c=y, cmap='coolwarm', s=8)
plt.title('the data')
plt.show()
"""),
        code("""
class MoonNet(nn.Module):
    def __init__(self, h=16):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.head = nn.Linear(h, 2)

    def forward(self, x):
        return self.head(self.body(x))


model = MoonNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""),
        code("""
epoch_loss = []
for epoch in range(40):
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        n += len(xb)
    epoch_loss.append(total / n)
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d}  loss {epoch_loss[-1]:.4f}")
"""),
        code("""
with torch.no_grad():
    test_acc = (model(X_te_t).argmax(1) == y_te_t).float().mean().item()
print('test accuracy:', test_acc)
plt.plot(epoch_loss)
plt.xlabel('epoch')
plt.ylabel('cross-entropy')
plt.show()
"""),
        code("""
x0, x1 = np.meshgrid(np.linspace(-1.5, 2.5, 300), np.linspace(-1.0, 1.5, 300))
grid = scaler.transform(np.c_[x0.ravel(), x1.ravel()])
with torch.no_grad():
    cls = model(torch.tensor(grid, dtype=torch.float32)).argmax(1).numpy().reshape(x0.shape)
plt.contourf(x0, x1, cls, alpha=0.3, cmap='coolwarm')
plt.scatter(X_te[:, 0], X_te[:, 1], c=y_te, cmap='coolwarm', s=10, edgecolors='k', linewidths=0.3)
plt.title(f'decision boundary (test acc {test_acc:.3f})')
plt.show()
"""),
    ]


def moons_raw_noisy() -> list[Cell]:
    """moons_raw.py: 200 points noise 0.3, no scaler, raw tensor list, 2 tanh layers, logits (N,)."""
    return [
        code("""
import torch
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(12)

X, y = make_moons(200, noise=0.3, random_state=12)
Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=3)
Xa = torch.tensor(Xa, dtype=torch.float32)
Xb = torch.tensor(Xb, dtype=torch.float32)
ya = torch.tensor(ya, dtype=torch.float32)
yb = torch.tensor(yb, dtype=torch.float32)

# two hidden layers of 12 tanh units, raw tensors
W1 = (0.5 * torch.randn(2, 12)).requires_grad_()
b1 = torch.zeros(12, requires_grad=True)
W2 = (0.5 * torch.randn(12, 12)).requires_grad_()
b2 = torch.zeros(12, requires_grad=True)
W3 = (0.5 * torch.randn(12, 1)).requires_grad_()
b3 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]


def logits(x):
    h = torch.tanh(x @ W1 + b1)
    h = torch.tanh(h @ W2 + b2)
    return (h @ W3 + b3).squeeze(1)
"""),
        code("""
lr = 0.3
train_loss = []
for it in range(800):
    loss = F.binary_cross_entropy_with_logits(logits(Xa), ya)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
    train_loss.append(loss.item())
    if it % 100 == 0:
        print(f"iter {it}: {loss.item():.4f}")

acc = ((logits(Xb) > 0).float() == yb).float().mean()
print("held-out accuracy", acc.item())
"""),
    ]


def moons_online() -> list[Cell]:
    """moons_online.ipynb: batch_size=1 per-sample SGD, scaler fitted on everything before the split."""
    return [
        md("# Moons — online SGD (one point per update)"),
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
"""),
        code("""
X, y = make_moons(n_samples=200, noise=0.2, random_state=3)
sc = StandardScaler()
X = sc.fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32),
                         torch.tensor(y_train, dtype=torch.float32).unsqueeze(1))
loader = DataLoader(train_ds, batch_size=1, shuffle=True)
print(len(train_ds), "training points")
"""),
        code("""
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
loss_fn = nn.BCELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)

history = []
for epoch in range(20):
    running = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item()
    history.append(running / len(train_ds))
    print(epoch, round(history[-1], 4))
"""),
        code("""
Xt = torch.tensor(X_test, dtype=torch.float32)
with torch.no_grad():
    pred = (model(Xt).squeeze(1) > 0.5).numpy().astype(int)
print("test accuracy", (pred == y_test).mean())
"""),
    ]


def moons_elu_printed() -> list[Cell]:
    """moons_elu.py: 3 hidden ELU layers, sigmoid + BCELoss, no scaler, loss only printed, NumPy accuracy."""
    return [
        code(MOONS_HEAD + """
torch.manual_seed(4)

X, y = make_moons(n_samples=500, noise=0.2, random_state=4)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=4)
Xtr = torch.FloatTensor(X_train)
ytr = torch.FloatTensor(y_train).view(-1, 1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 16)
        self.l2 = nn.Linear(16, 16)
        self.l3 = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)
        self.elu = nn.ELU()

    def forward(self, x):
        x = self.elu(self.l1(x))
        x = self.elu(self.l2(x))
        x = self.elu(self.l3(x))
        return torch.sigmoid(self.out(x))


clf = Classifier()
bce = nn.BCELoss()
optimizer = torch.optim.SGD(clf.parameters(), lr=0.5)

for epoch in range(600):
    optimizer.zero_grad()
    loss = bce(clf(Xtr), ytr)
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0 or epoch == 599:
        print("epoch %d, loss %.4f" % (epoch, loss.item()))

# accuracy with numpy
proba = clf(torch.FloatTensor(X_test)).detach().numpy().ravel()
print("test accuracy:", np.mean((proba > 0.5) == y_test))
"""),
    ]


# =========================================================================== moons + backtracking

def bt_inline(*, accept: str = "f_new <= f0 - c * alpha * gnorm2") -> list[Cell]:
    """armijo_moons.ipynb: backtracking written inline in the training loop, alpha0 = 16, rho = 0.5; Greek."""
    return [
        md("# Κατάβαση κλίσης με σταθερό βήμα και με αναζήτηση γραμμής Armijo\n\n"
           "Δεδομένα `make_moons`, δίκτυο με δύο κρυφά στρώματα tanh. Πρώτα σταθερός ρυθμός "
           "μάθησης, μετά backtracking: ξεκινάμε από $\\alpha_0 = 16$ και υποδιπλασιάζουμε "
           "($\\rho = 0.5$) μέχρι να ισχύει "
           "$f(w - \\alpha g) \\le f(w) - c\\,\\alpha\\,\\|g\\|^2$."),
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler
import matplotlib.pyplot as plt
%matplotlib inline
"""),
        code("""
X, y = make_moons(n_samples=1000, noise=0.1, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
Xtr = torch.tensor(X_train, dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(X_test, dtype=torch.float32)
"""),
        code("""
def make_net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))

loss_fn = nn.BCEWithLogitsLoss()
EPOCHS = 200
"""),
        md("## 1. Σταθερός ρυθμός μάθησης"),
        code("""
model_gd = make_net(0)
opt = torch.optim.SGD(model_gd.parameters(), lr=0.5)
hist_gd = []
for epoch in range(EPOCHS):
    opt.zero_grad()
    loss = loss_fn(model_gd(Xtr), ytr)
    loss.backward()
    opt.step()
    hist_gd.append(loss.item())
print('τελικό σφάλμα (σταθερό βήμα):', hist_gd[-1])
"""),
        md("## 2. Backtracking (Armijo), μέσα στον βρόχο"),
        code(f"""
model_armijo = make_net(0)
params = list(model_armijo.parameters())
c = 1e-4
hist_armijo, alphas = [], []
for epoch in range(EPOCHS):
    model_armijo.zero_grad()
    f0 = loss_fn(model_armijo(Xtr), ytr)
    f0.backward()
    w0 = [p.detach().clone() for p in params]        # αποθηκευμένα βάρη
    g = [p.grad.detach().clone() for p in params]
    gnorm2 = sum((gi ** 2).sum() for gi in g).item()
    f0 = f0.item()
    alpha = 16.0
    while alpha > 1e-8:
        with torch.no_grad():
            for p, w, gi in zip(params, w0, g):
                p.copy_(w - alpha * gi)
            f_new = loss_fn(model_armijo(Xtr), ytr).item()
        if {accept}:
            break
        # απορρίφθηκε: επαναφορά των βαρών και μικρότερο βήμα
        with torch.no_grad():
            for p, w in zip(params, w0):
                p.copy_(w)
        alpha *= 0.5
    hist_armijo.append(f0)
    alphas.append(alpha)
print('τελικό σφάλμα (Armijo):', hist_armijo[-1])
print('βήματα που χρησιμοποιήθηκαν:', sorted(set(alphas)))
"""),
        code("""
plt.semilogy(hist_gd, label='σταθερό βήμα 0.5')
plt.semilogy(hist_armijo, label='Armijo')
plt.xlabel('epoch')
plt.legend()
plt.show()
"""),
        code("""
with torch.no_grad():
    for name, m in [('gd', model_gd), ('armijo', model_armijo)]:
        acc = ((m(Xte) > 0).squeeze(1).numpy() == y_test).mean()
        print(name, 'ακρίβεια στο test:', acc)
"""),
    ]


def bt_armijo_search_raw() -> list[Cell]:
    """moons_linesearch.py: raw tensors, autograd.grad, `armijo_search(f, params, grads, f0)`, alpha0 = 2, rho = 0.8."""
    return [
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=500, noise=0.15, random_state=11)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.33, random_state=11)
scaler = StandardScaler().fit(X_train)
Xt = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).reshape(-1, 1)
Xv = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).reshape(-1, 1)
bce = nn.BCEWithLogitsLoss()


def init_params(seed, hidden=24):
    g = torch.Generator().manual_seed(seed)
    W1 = (torch.randn(2, hidden, generator=g) * 1.5).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    W2 = torch.randn(hidden, 1, generator=g).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    return [W1, b1, W2, b2]


def forward(params, x):
    W1, b1, W2, b2 = params
    return torch.relu(x @ W1 + b1) @ W2 + b2


def armijo_search(f, params, grads, f0, alpha=2.0, rho=0.8, c=1e-4, max_tries=80):
    \"\"\"Backtracking: the first alpha = 2 * 0.8^k with f(w - alpha g) <= f0 - c alpha |g|^2.\"\"\"
    saved = [p.detach().clone() for p in params]
    sq = sum(float((g * g).sum()) for g in grads)
    for _ in range(max_tries):
        with torch.no_grad():
            for p, s, g in zip(params, saved, grads):
                p.copy_(s - alpha * g)
            f_try = float(f())
        if f_try <= f0 - c * alpha * sq:
            return alpha
        with torch.no_grad():                 # undo the rejected trial
            for p, s in zip(params, saved):
                p.copy_(s)
        alpha *= rho
    return 0.0
"""),
        code("""
# --- run 1: fixed learning rate ---
params_fixed = init_params(5)
lr = 0.5
loss_fixed = []
for epoch in range(300):
    loss = bce(forward(params_fixed, Xt), yt)
    grads = torch.autograd.grad(loss, params_fixed)
    with torch.no_grad():
        for p, g in zip(params_fixed, grads):
            p -= lr * g
    loss_fixed.append(loss.item())

# --- run 2: Armijo backtracking ---
params_bt = init_params(5)
loss_bt, steps = [], []
for epoch in range(300):
    loss = bce(forward(params_bt, Xt), yt)
    grads = torch.autograd.grad(loss, params_bt)
    step = armijo_search(lambda: bce(forward(params_bt, Xt), yt), params_bt, grads, loss.item())
    loss_bt.append(loss.item())
    steps.append(step)


def accuracy(params, x, t):
    with torch.no_grad():
        return ((forward(params, x) > 0).float() == t).float().mean().item()


print("fixed : loss %.4f -> %.4f, test acc %.3f" % (loss_fixed[0], loss_fixed[-1], accuracy(params_fixed, Xv, yv)))
print("armijo: loss %.4f -> %.4f, test acc %.3f" % (loss_bt[0], loss_bt[-1], accuracy(params_bt, Xv, yv)))
print("mean step", sum(steps) / len(steps))
"""),
    ]


def bt_closure() -> list[Cell]:
    """moons_closure.ipynb: `ls(closure, params, alpha0=8, rho=0.5)`, 2 logits + CE, no scaler; Japanese."""
    return [
        md("# make_moons:固定学習率とアルミホ条件のバックトラッキング\n\n"
           "直線探索の関数 `ls(closure, params, alpha0=8, rho=0.5)` は、損失を計算する "
           "クロージャを受け取り、アルミホ条件を満たす最初のステップ幅で重みを更新します。"),
        code(MOONS_HEAD + "import matplotlib.pyplot as plt\n%matplotlib inline"),
        code("""
X, y = make_moons(n_samples=400, noise=0.2, random_state=5)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=5)
X_train = torch.tensor(X_train, dtype=torch.float32)
y_train = torch.tensor(y_train)            # int64 のラベル (CrossEntropyLoss 用)
X_test = torch.tensor(X_test, dtype=torch.float32)
y_test = torch.tensor(y_test)
"""),
        code("""
class TwoMoons(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc_in = nn.Linear(2, 20)
        self.mid = nn.Linear(20, 20)
        self.fc_out = nn.Linear(20, 2)     # 2 クラスのロジット

    def forward(self, x):
        return self.fc_out(torch.tanh(self.mid(torch.tanh(self.fc_in(x)))))


ce = nn.CrossEntropyLoss()
"""),
        md("## 固定学習率"),
        code("""
torch.manual_seed(1)
model_fixed = TwoMoons()
sgd = torch.optim.SGD(model_fixed.parameters(), lr=0.3)
losses_fixed = []
for ep in range(250):
    sgd.zero_grad()
    loss = ce(model_fixed(X_train), y_train)
    loss.backward()
    sgd.step()
    losses_fixed.append(loss.item())
"""),
        md("## バックトラッキング直線探索"),
        code("""
def ls(closure, params, alpha0=8, rho=0.5, c=1e-4, max_iter=40):
    # 勾配を計算して、元の重みを保存しておく
    f0 = closure()
    grads = torch.autograd.grad(f0, params)
    f0 = f0.item()
    saved = [p.detach().clone() for p in params]
    gg = sum((g * g).sum().item() for g in grads)
    alpha = alpha0
    for _ in range(max_iter):
        with torch.no_grad():
            for p, w, g in zip(params, saved, grads):
                p.copy_(w - alpha * g)
            f_new = closure().item()
        if f_new <= f0 - c * alpha * gg:      # アルミホ条件
            return alpha, f0
        with torch.no_grad():                  # 不合格なら元に戻す
            for p, w in zip(params, saved):
                p.copy_(w)
        alpha *= rho
    return 0.0, f0


torch.manual_seed(1)
model_ls = TwoMoons()
params = list(model_ls.parameters())
losses_ls, alphas = [], []
for ep in range(250):
    a, f = ls(lambda: ce(model_ls(X_train), y_train), params)
    losses_ls.append(f)
    alphas.append(a)
print("固定:", losses_fixed[-1], " 直線探索:", losses_ls[-1])
"""),
        code("""
plt.plot(losses_fixed, label="fixed lr = 0.3")
plt.plot(losses_ls, label="backtracking")
plt.yscale("log")
plt.legend()
plt.show()
plt.plot(alphas, ".")
plt.title("accepted step sizes")
plt.show()
"""),
        code("""
g0, g1 = torch.meshgrid(torch.linspace(-2, 3, 250), torch.linspace(-1.5, 2, 250), indexing="xy")
pts = torch.stack([g0.reshape(-1), g1.reshape(-1)], dim=1)
with torch.no_grad():
    zz = model_ls(pts).argmax(1).reshape(g0.shape)
    acc = (model_ls(X_test).argmax(1) == y_test).float().mean().item()
plt.contourf(g0, g1, zz, alpha=0.4)
plt.scatter(X_test[:, 0], X_test[:, 1], c=y_test, s=12)
plt.title(f"テスト精度 {acc:.3f}")
plt.show()
"""),
    ]


def bt_trainer_class() -> list[Cell]:
    """optimizer.py: a Trainer class with gd_step and a backtrack method, alpha0 = 1, rho = 0.5; Korean."""
    return [
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler

# 데이터 준비
X, y = make_moons(n_samples=600, noise=0.2, random_state=21)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=21)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)


class Trainer:
    \"\"\"모델 하나와 학습 데이터를 들고 있는 학습기. 고정 학습률 또는 아르미호 백트래킹.\"\"\"

    def __init__(self, model, X, y):
        self.model = model
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
        self.crit = nn.BCEWithLogitsLoss()
        self.losses = []

    def loss(self):
        return self.crit(self.model(self.X), self.y)

    def _grads(self):
        self.model.zero_grad()
        f = self.loss()
        f.backward()
        return f.item(), [p.grad.detach().clone() for p in self.model.parameters()]

    def gd_step(self, lr):
        f, grads = self._grads()
        with torch.no_grad():
            for p, g in zip(self.model.parameters(), grads):
                p -= lr * g
        return f

    def backtrack(self, alpha0=1.0, rho=0.5, c=1e-4):
        f, grads = self._grads()
        old = [p.detach().clone() for p in self.model.parameters()]
        norm2 = sum(float(g.pow(2).sum()) for g in grads)
        alpha = alpha0
        while alpha > 1e-10:
            with torch.no_grad():
                for p, w, g in zip(self.model.parameters(), old, grads):
                    p.copy_(w - alpha * g)
                trial = self.loss().item()
            if trial <= f - c * alpha * norm2:      # 아르미호 조건 만족
                return f
            with torch.no_grad():                   # 거절: 원래 가중치로 복구
                for p, w in zip(self.model.parameters(), old):
                    p.copy_(w)
            alpha *= rho
        return f

    def fit(self, epochs, method="fixed", lr=0.3):
        for _ in range(epochs):
            if method == "fixed":
                self.losses.append(self.gd_step(lr))
            else:
                self.losses.append(self.backtrack())
        return self.losses

    def accuracy(self, X, y):
        with torch.no_grad():
            p = self.model(torch.tensor(X, dtype=torch.float32)).squeeze(1) > 0
        return (p.numpy() == y).mean()


def new_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))


# 1) 고정 학습률
sgd_trainer = Trainer(new_model(), X_train, y_train)
sgd_trainer.fit(300, "fixed", lr=0.3)
# 2) 백트래킹
bt_trainer = Trainer(new_model(), X_train, y_train)
bt_trainer.fit(300, "armijo")

model_sgd, model_bt = sgd_trainer.model, bt_trainer.model
losses_sgd, losses_bt = sgd_trainer.losses, bt_trainer.losses
print("고정 학습률: 손실 %.4f, 정확도 %.3f" % (losses_sgd[-1], sgd_trainer.accuracy(X_test, y_test)))
print("백트래킹:    손실 %.4f, 정확도 %.3f" % (losses_bt[-1], bt_trainer.accuracy(X_test, y_test)))
"""),
    ]


def bt_ordereddict_deep() -> list[Cell]:
    """Lab6_moons.ipynb: OrderedDict nn.Sequential with 4 hidden ReLU layers, scaler, alpha0 = 1, rho = 0.8; Persian."""
    return [
        md("# بخش دوم: داده‌های ماه (make_moons)\n\n"
           "یک شبکه با چهار لایه‌ی پنهان ReLU. ابتدا با نرخ یادگیری ثابت و سپس با جست‌وجوی "
           "خطی عقب‌گرد (شرط آرمیخو) آموزش می‌دهیم."),
        code(MOONS_HEAD + """from collections import OrderedDict
from sklearn.preprocessing import StandardScaler
import matplotlib.pyplot as plt
%matplotlib inline
"""),
        code("""
X, y = make_moons(n_samples=800, noise=0.15, random_state=9)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=9)
std_scaler = StandardScaler()
X_train = std_scaler.fit_transform(X_train)
X_test = std_scaler.transform(X_test)
Xtr, ytr = torch.tensor(X_train).float(), torch.tensor(y_train).float().view(-1, 1)
Xte, yte = torch.tensor(X_test).float(), torch.tensor(y_test).float().view(-1, 1)
"""),
        code("""
def deep_relu(seed):
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict([
        ("h1", nn.Linear(2, 16)), ("r1", nn.ReLU()),
        ("h2", nn.Linear(16, 16)), ("r2", nn.ReLU()),
        ("h3", nn.Linear(16, 16)), ("r3", nn.ReLU()),
        ("h4", nn.Linear(16, 16)), ("r4", nn.ReLU()),
        ("out", nn.Linear(16, 1)),
    ]))

criterion = nn.BCEWithLogitsLoss()
"""),
        md("## نرخ یادگیری ثابت"),
        code("""
model_fixed = deep_relu(3)
optimizer = torch.optim.SGD(model_fixed.parameters(), lr=0.2)
losses_fixed = []
for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model_fixed(Xtr), ytr)
    loss.backward()
    optimizer.step()
    losses_fixed.append(loss.item())
"""),
        md("## جست‌وجوی خطی عقب‌گرد\n$\\alpha_0 = 1$ و $\\rho = 0.8$"),
        code("""
def backtracking(model, criterion, X, y, alpha=1.0, rho=0.8, c=1e-4):
    model.zero_grad()
    f0 = criterion(model(X), y)
    f0.backward()
    ps = list(model.parameters())
    w = [p.detach().clone() for p in ps]
    d = [p.grad.detach().clone() for p in ps]
    dd = sum(float((di * di).sum()) for di in d)
    for _ in range(100):
        with torch.no_grad():
            for p, wi, di in zip(ps, w, d):
                p.copy_(wi - alpha * di)
            f_alpha = criterion(model(X), y).item()
        if f_alpha <= f0.item() - c * alpha * dd:
            return alpha
        with torch.no_grad():
            for p, wi in zip(ps, w):
                p.copy_(wi)
        alpha *= rho
    return 0.0


model_bt = deep_relu(3)
losses_bt = []
step_sizes = []
for epoch in range(300):
    with torch.no_grad():
        losses_bt.append(criterion(model_bt(Xtr), ytr).item())
    step_sizes.append(backtracking(model_bt, criterion, Xtr, ytr))
print(losses_fixed[-1], losses_bt[-1])
"""),
        code("""
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
a1.plot(losses_fixed, label="fixed")
a1.plot(losses_bt, label="armijo")
a1.legend()
a2.hist(step_sizes, bins=20)
a2.set_title("step sizes")
plt.show()
with torch.no_grad():
    for m in (model_fixed, model_bt):
        print(((m(Xte) > 0).float() == yte).float().mean().item())
"""),
    ]


def bt_mixed_mse() -> list[Cell]:
    """moons_mse.py: torch model, NumPy bookkeeping (|g|^2, losses, accuracy), MSE on a linear output, alpha0 = 2."""
    return [
        code("""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(6)
np.random.seed(6)

X, y = make_moons(n_samples=500, noise=0.2, random_state=6)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=6)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
inputs = torch.from_numpy(X_tr).float()
targets = torch.from_numpy(y_tr.reshape(-1, 1)).float()


class Regressor(nn.Module):
    # squared error on 0/1 targets, linear output; class = output > 0.5
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 24)
        self.output = nn.Linear(24, 1)

    def forward(self, x):
        return self.output(torch.tanh(self.hidden(x)))


mse = nn.MSELoss()
net0 = Regressor()
state0 = {k: v.clone() for k, v in net0.state_dict().items()}
"""),
        code("""
model_fixed = Regressor()
model_fixed.load_state_dict(state0)
opt = torch.optim.SGD(model_fixed.parameters(), lr=0.15)
losses_fixed = np.zeros(300)
for i in range(300):
    opt.zero_grad()
    l = mse(model_fixed(inputs), targets)
    l.backward()
    opt.step()
    losses_fixed[i] = l.item()
"""),
        code("""
def armijo_step(model, alpha0=2.0, rho=0.5, c=1e-4):
    model.zero_grad()
    f0 = mse(model(inputs), targets)
    f0.backward()
    f0 = f0.item()
    saved = [p.detach().numpy().copy() for p in model.parameters()]
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    g2 = np.sum([np.sum(g ** 2) for g in grads])
    alpha = alpha0
    while alpha > 1e-9:
        with torch.no_grad():
            for p, w, g in zip(model.parameters(), saved, grads):
                p.copy_(torch.from_numpy(w - alpha * g))
            f1 = mse(model(inputs), targets).item()
        if f1 <= f0 - c * alpha * g2:
            return f0, alpha
        with torch.no_grad():
            for p, w in zip(model.parameters(), saved):
                p.copy_(torch.from_numpy(w))
        alpha = alpha * rho
    return f0, 0.0


model_armijo = Regressor()
model_armijo.load_state_dict(state0)
losses_armijo = np.zeros(300)
for i in range(300):
    losses_armijo[i], _ = armijo_step(model_armijo)
"""),
        code("""
def acc(model):
    with torch.no_grad():
        out = model(torch.from_numpy(X_te).float()).numpy().ravel()
    return np.mean((out > 0.5).astype(int) == y_te)


print("fixed  final mse %.4f acc %.3f" % (losses_fixed[-1], acc(model_fixed)))
print("armijo final mse %.4f acc %.3f" % (losses_armijo[-1], acc(model_armijo)))
print("armijo monotone:", bool(np.all(np.diff(losses_armijo) <= 0)))
"""),
    ]


# =========================================================================== broken

def bug_autograd_no_zero_grad() -> list[Cell]:
    """xor_net.py: torch.autograd.backward(loss) + optimizer.step(), never zero_grad()."""
    return [
        code(f"""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.tensor({XOR_ROWS})
y = torch.tensor([[0.], [1.], [1.], [0.]])

xor_net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
crit = nn.BCELoss()
optimizer = torch.optim.SGD(xor_net.parameters(), lr=0.1)

loss_history = []
for epoch in range(300):
    out = xor_net(X)
    loss = crit(out, y)
    torch.autograd.backward(loss)
    optimizer.step()
    loss_history.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

print(xor_net(X).detach().flatten())
"""),
    ]


def bug_tiny_lr() -> list[Cell]:
    """xor_small_lr.ipynb: raw tensors, learning rate 1e-4."""
    return [
        md("# XOR with raw tensors\nSmall learning rate so it is stable."),
        code("import torch\ntorch.manual_seed(1)"),
        code(f"X = torch.tensor({XOR_ROWS})\nY = torch.tensor([[0.], [1.], [1.], [0.]])"),
        code("""
W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]
"""),
        code("""
lr = 1e-4
losses = []
for epoch in range(2000):
    out = torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2)
    loss = torch.nn.functional.binary_cross_entropy(out, Y)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    losses.append(loss.item())
print(losses[0], losses[-1])
print((out > 0.5).int().flatten().tolist())
"""),
    ]


def bug_moons_on_test() -> list[Cell]:
    """moons_mlp.py: the fixed-rate run is trained and evaluated on the test split."""
    return [
        code(MOONS_HEAD + """from sklearn.preprocessing import StandardScaler

torch.manual_seed(2)
X, y = make_moons(n_samples=500, noise=0.2, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=2)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

X_test_t = torch.tensor(X_test, dtype=torch.float32)
y_test_t = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


model = MLP()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
losses = []
for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model(X_test_t), y_test_t)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

with torch.no_grad():
    acc = ((model(X_test_t) > 0).float() == y_test_t).float().mean().item()
print("loss", losses[0], "->", losses[-1], " accuracy", acc)
"""),
    ]


# =========================================================================== catalogue

ENTRIES: list[Entry] = [
    # ---- correct: XOR ----
    Entry("wild_pt_modulelist_elu", "Untitled1.ipynb", xor_modulelist_elu(), attempts=("xor",),
          style="XOR, nn.Module with `self.layers = nn.ModuleList(...)`, 3 hidden ELU layers, one logit + "
                "BCEWithLogitsLoss, SGD, history `E`, Korean comments, %matplotlib inline + loss plot"),
    Entry("wild_pt_ordereddict_ce", "7.py", xor_ordereddict_ce(), attempts=("xor",),
          style="XOR, nn.Sequential from an OrderedDict, 2 tanh hidden layers, 2 logits + CrossEntropyLoss "
                "on integer labels, argmax, no loss history (printed every 100 epochs), script"),
    Entry("wild_pt_fcin_leaky_deep", "xor_deep.py", xor_fcin_leaky_deep(), attempts=("xor",),
          style="XOR, nn.Module with `self.fc_in`, `self.hidden = nn.Sequential(...)`, `self.fc_out`, 5 hidden "
                "LeakyReLU layers, sigmoid + BCELoss, `loss_values`, script"),
    Entry("wild_pt_online_loader", "xor_online.ipynb", xor_online_loader(), attempts=("xor",),
          style="XOR, DataLoader(TensorDataset, batch_size=1, shuffle=True): per-sample SGD, nn.Module with "
                "attributes a/b/o, 2 tanh hidden layers, optimizer named `optim`, epoch-mean `epoch_err`"),
    Entry("wild_pt_steplr_schedule", "xor_scheduler.py", xor_steplr(), attempts=("xor",),
          style="XOR, nn.Module `self.hidden`/`self.output`, tanh, BCELoss, SGD lr 1.0 with a StepLR schedule "
                "(gamma 0.7 every 400 epochs), script",
          notes="The only entry with a learning-rate schedule: each update is still lr times the gradient, "
                "with the lr the scheduler set for that epoch."),
    Entry("wild_pt_raw_ih_ho", "xor_autograd.ipynb", xor_raw_ih_ho(), attempts=("xor",),
          style="XOR, raw tensors `w_ih, b_h, w_ho, b_o`, tanh, nn.BCELoss on a sigmoid, `W -= eta * W.grad` "
                "then `W.grad.zero_()` under no_grad, `errors` holds detached tensors, Greek markdown"),
    Entry("wild_pt_params_autograd_grad", "lb.py", xor_params_autograd_grad(), attempts=("xor",),
          style="XOR, raw tensors in `params = [W1, b1, W2, b2]`, gradients from `torch.autograd.grad(loss, "
                "params)` (no .grad), MSE on a linear output, history `J`, Japanese comments, script"),
    Entry("wild_pt_dict_columns", "Lab_6 (final).ipynb", xor_dict_columns(), attempts=("xor",),
          style="XOR, raw tensors in a dict, column-major `W @ X + b` (samples are columns), sigmoid, BCE by "
                "hand, `torch.autograd.backward(L)`, `.data -= alpha * .grad.data`, `grad = None`, Persian "
                "markdown, loss plot and contourf decision boundary"),
    Entry("wild_pt_numpy_torch_long", "xor_numpy_torch.py", xor_numpy_torch_long(), attempts=("xor",),
          style="XOR, mixed NumPy + torch: NumPy data and uniform init turned into tensors, 2-3-1 sigmoid, "
                "half summed squared error, 20,000 epochs, losses in a preallocated NumPy array, script",
          notes="One of the two long entries (20,000 epochs, a few seconds)."),
    Entry("wild_pt_numpy_init_float64", "xor_np_init.ipynb", xor_numpy_init_float64(), attempts=("xor",),
          style="XOR, mixed NumPy + torch: NumPy Glorot init into float64 tensors W1..W3, 2 tanh hidden "
                "layers, F.binary_cross_entropy_with_logits, `p.grad = None`, history turned into a NumPy "
                "array, predictions in NumPy"),
    Entry("wild_pt_adam", "xor_adam.ipynb", xor_adam(), attempts=("xor",),
          style="Adam: XOR, nn.Sequential 2-8-1 ReLU, one logit + BCEWithLogitsLoss, torch.optim.Adam lr 0.01",
          bug="trained with Adam where gradient descent was asked",
          fails=(Fail("xor.descent", ()),),
          notes="The network learns XOR; only the optimizer is wrong."),
    # ---- correct: moons, fixed rate ----
    Entry("wild_pt_moons_loader_ce", "moons_classifier.ipynb", moons_loader_ce(), attempts=("moons",),
          style="moons n_samples=1000 noise=0.1, StandardScaler, test_size=0.3, DataLoader batch_size=32, "
                "nn.Module `self.body`/`self.head` ReLU, 2 logits + CrossEntropyLoss, contourf boundary"),
    Entry("wild_pt_moons_raw_noisy", "moons_raw.py", moons_raw_noisy(), attempts=("moons",),
          style="moons 200 points noise=0.3, no scaler, test_size=0.25, raw tensors W1..b3 in a list, 2 tanh "
                "layers, logits squeezed to (N,), F.binary_cross_entropy_with_logits, `.data -=`, script"),
    Entry("wild_pt_moons_online", "moons_online.ipynb", moons_online(), attempts=("moons",),
          style="moons 200 points noise=0.2, scaler `sc` fitted on all points before the split, DataLoader "
                "batch_size=1 (per-sample SGD), nn.Sequential tanh + Sigmoid, BCELoss, epoch-mean `history`"),
    Entry("wild_pt_moons_elu_printed", "moons_elu.py", moons_elu_printed(), attempts=("moons",),
          style="moons, no scaler, test_size=0.4, nn.Module `clf` with 3 hidden ELU layers, sigmoid + "
                "BCELoss, no loss history (printed every 100 epochs), accuracy in NumPy, script"),
    # ---- correct: moons + backtracking ----
    Entry("wild_pt_bt_inline", "armijo_moons.ipynb", bt_inline(), attempts=("moons", "backtracking"),
          style="moons 1000 points noise=0.1, scaler, nn.Sequential 2 tanh layers, BCEWithLogitsLoss, "
                "backtracking inline in the training loop (no function), alpha0=16 rho=0.5, `hist_gd`/"
                "`hist_armijo`, Greek markdown, semilogy plot"),
    Entry("wild_pt_bt_armijo_search", "moons_linesearch.py", bt_armijo_search_raw(),
          attempts=("moons", "backtracking"),
          style="moons, raw tensors in lists (no nn.Module), torch.autograd.grad, ReLU, "
                "`armijo_search(f, params, grads, f0)` with alpha0=2 rho=0.8, `loss_fixed`/`loss_bt`, script"),
    Entry("wild_pt_bt_closure", "moons_closure.ipynb", bt_closure(), attempts=("moons", "backtracking"),
          style="moons, no scaler, nn.Module `fc_in`/`mid`/`fc_out` tanh, 2 logits + CrossEntropyLoss, line "
                "search `ls(closure, params, alpha0=8, rho=0.5)` taking a loss closure, Japanese markdown, "
                "loss/step plots and contourf"),
    Entry("wild_pt_bt_trainer_class", "optimizer.py", bt_trainer_class(), attempts=("moons", "backtracking"),
          style="moons, scaler, a `Trainer` class with `gd_step(lr)` and a `backtrack(alpha0=1.0, rho=0.5)` "
                "method, nn.Sequential tanh, BCEWithLogitsLoss, Korean comments, script named optimizer.py"),
    Entry("wild_pt_bt_ordereddict_deep", "Lab6_moons.ipynb", bt_ordereddict_deep(),
          attempts=("moons", "backtracking"),
          style="moons, `std_scaler`, test_size=0.5, nn.Sequential(OrderedDict) with 4 hidden ReLU layers, "
                "BCEWithLogitsLoss, `backtracking(model, criterion, X, y, alpha=1.0, rho=0.8)`, Persian markdown"),
    Entry("wild_pt_bt_mixed_mse", "moons_mse.py", bt_mixed_mse(), attempts=("moons", "backtracking"),
          style="moons, mixed NumPy + torch: MSE on a linear output (0/1 targets, threshold 0.5), weights "
                "saved and trial steps computed in NumPy, `armijo_step(model, alpha0=2.0, rho=0.5)`, "
                "histories in NumPy arrays, both runs from one saved state_dict, script"),
    # ---- broken ----
    Entry("wild_pt_bug_autograd_no_zero", "xor_net.py", bug_autograd_no_zero_grad(), attempts=("xor",),
          style="XOR, nn.Sequential 2-8-1 tanh + Sigmoid, BCELoss, `torch.autograd.backward(loss)`, script",
          bug="`optimizer.zero_grad()` is missing: `torch.autograd.backward(loss)` adds each new gradient "
              "to the old ones",
          fails=(Fail("xor.gradients", ("gradients accumulate",)),),
          notes="The network still learns XOR (the summed gradients act like momentum without decay), but "
                "the weights grow until the sigmoid saturates (largest weight about 50, loss 5e-7), so a "
                "float32 autograd comparison may fail on rounding."),
    Entry("wild_pt_bug_tiny_lr", "xor_small_lr.ipynb", bug_tiny_lr(), attempts=("xor",),
          style="XOR, raw tensors W1..b2 in `params`, tanh, F.binary_cross_entropy",
          bug="learning rate 1e-4: after 2000 epochs the network has learned nothing",
          fails=(Fail("xor.classifies", ()), Fail("xor.loss", ()))),
    Entry("wild_pt_bug_inline_reversed", "armijo_moons.ipynb",
          bt_inline(accept="f_new > f0 - c * alpha * gnorm2"), attempts=("moons", "backtracking"),
          style="moons 1000 points, scaler, nn.Sequential tanh, backtracking inline in the training loop, "
                "alpha0=16 rho=0.5, Greek markdown",
          bug="the inline Armijo test is reversed (`f_new > f0 - c * alpha * gnorm2`): the first step that "
              "does NOT decrease the loss enough is taken",
          fails=(Fail("backtracking.armijo_steps", ("violate the armijo condition", "reversed")),),
          also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed",
                      "backtracking.armijo"),
          notes="Same notebook as wild_pt_bt_inline but for the test. alpha0 = 16 is too long at the start "
                "(the trial loss is 0.96 against 0.72), so the reversed test takes it; three such steps push "
                "the loss to 63, after which only steps of 3e-8..5e-7 are accepted (float32 rounds them "
                "away). Fresh-data accuracy of the backtracking model: 0.15."),
    Entry("wild_pt_bug_moons_on_test", "moons_mlp.py", bug_moons_on_test(), attempts=("moons",),
          style="moons, scaler, nn.Module fc1..fc3 ReLU, BCEWithLogitsLoss, SGD lr 0.5, script",
          bug="the network is trained on `X_test`/`y_test` (the 150 test points) and its accuracy is "
              "measured on the same points",
          fails=(Fail("moons.loss", ()),),
          notes="150 test points are still enough to learn the moons (accuracy 0.96 on fresh data), so "
                "moons.accuracy passes; only the trace shows that the training inputs are the test rows."),
]

