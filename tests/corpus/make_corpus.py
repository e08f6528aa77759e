"""Generate tests/corpus/: lab submissions written the way students write them, with expected verdicts.

Each entry below becomes ``tests/corpus/<name>/<file>`` (a notebook written with nbformat,
deterministic cell ids and no outputs, or a script) and ``tests/corpus/<name>/expected.toml``.

    python tests/corpus/make_corpus.py          # (re)write every submission and expected.toml
    python tests/corpus/make_corpus.py --check  # exit 1 if a committed file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _build import Cell, Entry, Fail, code, md, to_expected_toml, to_notebook, to_script  # noqa: E402
import wild_numpy  # noqa: E402
import wild_torch  # noqa: E402
import diagnoses  # noqa: E402
import blind_round  # noqa: E402
import blind2_a  # noqa: E402
import blind2_b  # noqa: E402
import blind2_c  # noqa: E402
import blind2_d  # noqa: E402
import blind3_a  # noqa: E402
import blind3_b  # noqa: E402
import blind3_c  # noqa: E402
import blind3_d  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

XOR_TORCH = code("""
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
""")

MOONS_DATA = """
X, y = make_moons(n_samples=500, noise=0.2, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
"""

LINE_SEARCH = """
def backtracking_line_search(model, loss_fn, X, y, alpha0=1.0, rho=0.5, c=1e-4, max_iter=30):
    \"\"\"Take one gradient step whose size satisfies the Armijo condition; return the step.\"\"\"
    model.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    params = list(model.parameters())
    grads = [p.grad.detach().clone() for p in params]
    start = [p.detach().clone() for p in params]
    slope = sum((g * g).sum() for g in grads).item()
    f0 = loss.item()
    alpha = alpha0
    for _ in range(max_iter):
        with torch.no_grad():
            for p, w, g in zip(params, start, grads):
                p.copy_(w - alpha * g)
            trial = loss_fn(model(X), y).item()
        if @ACCEPT@:
            return alpha
        @UNDO@
        alpha *= rho
    return alpha
"""
UNDO_OK = """with torch.no_grad():
            for p, w in zip(params, start):
                p.copy_(w)"""


def line_search(accept: str = "trial <= f0 - c * alpha * slope", undo: str = UNDO_OK,
                trial_from_current: bool = False) -> str:
    src = LINE_SEARCH.replace("@ACCEPT@", accept).replace("@UNDO@", undo)
    if trial_from_current:  # each trial moves on from where the last one left the weights
        src = src.replace("p.copy_(w - alpha * g)", "p.sub_(alpha * g)")
    return src


# --------------------------------------------------------------------------- XOR, nn.Module

def xor_sequential(*, zero_grad: bool = True, loss: str = "nn.BCELoss()", lr: float = 0.5,
                   epochs: int = 1000, final: str = "nn.Sigmoid()") -> list[Cell]:
    layers = "nn.Linear(2, 8),\n    nn.Tanh(),\n    nn.Linear(8, 1)," + (f"\n    {final}," if final else "")
    zero = "    optimizer.zero_grad()\n" if zero_grad else ""
    return [
        md("# Lab 6: XOR with `nn.Sequential`\nA 2-8-1 network, tanh in the hidden layer."),
        code("import torch\nimport torch.nn as nn\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
        XOR_TORCH,
        code(f"model = nn.Sequential(\n    {layers}\n)\nprint(model)"),
        code(f"criterion = {loss}\noptimizer = torch.optim.SGD(model.parameters(), lr={lr})"),
        md("## Training"),
        code(f"""
losses = []
for epoch in range({epochs}):
{zero}    out = model(X)
    loss = criterion(out, y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if epoch % 200 == 0:
        print(epoch, loss.item())
"""),
        code("plt.plot(losses)\nplt.yscale('log')\nplt.xlabel('epoch')\nplt.ylabel('loss')\nplt.show()"),
        code("with torch.no_grad():\n    print(model(X).round(decimals=3))"),
    ]


def xor_class_relu_logits() -> list[Cell]:
    return [
        code("import torch\nfrom torch import nn"),
        code("""
inputs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
labels = torch.tensor([0, 1, 1, 0], dtype=torch.float32).unsqueeze(1)
"""),
        code("""
class MLP(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.layer1 = nn.Linear(2, hidden)
        self.act = nn.ReLU()
        self.layer2 = nn.Linear(hidden, 1)   # logits: the loss applies the sigmoid

    def forward(self, x):
        return self.layer2(self.act(self.layer1(x)))


torch.manual_seed(7)
net = MLP()
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
"""),
        code("""
loss_history = []
for step in range(1500):
    opt.zero_grad()
    loss = loss_fn(net(inputs), labels)
    loss.backward()
    opt.step()
    loss_history.append(float(loss))
print("loss:", loss_history[0], "->", loss_history[-1])
print("predictions:", (torch.sigmoid(net(inputs)) > 0.5).int().flatten().tolist())
"""),
    ]


def xor_minibatch() -> list[Cell]:
    return [
        md("# XOR, mini-batches of 2\nI shuffle the four points every epoch and update after each pair."),
        code("import torch\nimport torch.nn as nn"),
        XOR_TORCH,
        code("""
class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 6)
        self.out = nn.Linear(6, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))

model = XorNet()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
"""),
        code("""
epoch_losses = []
for epoch in range(600):
    perm = torch.randperm(4)
    running = 0.0
    for i in range(0, 4, 2):
        idx = perm[i:i + 2]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        running += loss.item()
    epoch_losses.append(running / 2)
print(epoch_losses[-1])
"""),
        code("with torch.no_grad():\n    print((model(X) > 0.5).float().T, y.T)"),
    ]


def xor_hidden3_mse() -> list[Cell]:
    return [
        md("# Lab 6, part 1\n\nMy network: 2 inputs, 3 hidden sigmoid units, 1 sigmoid output, MSE."),
        code("import numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.optim as optim\n"
             "import matplotlib.pyplot as plt"),
        md("Let me look at the data first."),
        code("""
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])
for a, b in zip(X, Y):
    print(a.tolist(), '->', b.item())
"""),
        code("""
plt.scatter(X[:, 0], X[:, 1], c=Y.flatten(), s=200, cmap='bwr')
plt.title('XOR')
plt.show()
"""),
        code("""
class Network(nn.Module):
    def __init__(self):
        super(Network, self).__init__()
        self.l1 = nn.Linear(2, 3)
        self.l2 = nn.Linear(3, 1)
        self.s = nn.Sigmoid()

    def forward(self, inp):
        return self.s(self.l2(self.s(self.l1(inp))))

torch.manual_seed(3)
network = Network()
print(network)
print(sum(p.numel() for p in network.parameters()), 'parameters')
"""),
        code("""
mse = nn.MSELoss()
sgd = optim.SGD(network.parameters(), lr=5.0)
costs = []
for it in range(1500):
    sgd.zero_grad()
    cost = mse(network(X), Y)
    cost.backward()
    sgd.step()
    costs.append(cost.item())
"""),
        code("print(costs[::300])\nprint(network(X).detach().numpy().round(2))"),
        md("It works! The hidden layer makes XOR separable."),
    ]


def xor_labels_broadcast() -> list[Cell]:
    return [
        code("import torch\nimport torch.nn as nn"),
        code("X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\ny = torch.tensor([0., 1., 1., 0.])"),
        code("""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x))))

model = Net()
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
losses = []
for epoch in range(1000):
    optimizer.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(model(X).detach().flatten())
"""),
    ]


def xor_forward_uses_global() -> list[Cell]:
    return [
        md("# XOR"),
        code("import torch\nimport torch.nn as nn"),
        XOR_TORCH,
        code("""
class XORModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        h = torch.sigmoid(self.fc1(X))
        return torch.sigmoid(self.fc2(h))

model = XORModel()
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
"""),
        code("""
losses = []
for epoch in range(1500):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(model(X).detach().flatten())
"""),
    ]


# --------------------------------------------------------------------------- XOR, raw tensors

def xor_raw(*, update: str = "{p} -= lr * {p}.grad", zero: bool = True, lr: float = 0.5,
            epochs: int = 1500, seed: int = 0, loss: str = "bce") -> list[Cell]:
    names = ["W1", "b1", "W2", "b2"]
    upd = "\n".join("        " + update.format(p=p) for p in names)
    zeros = ("\n" + "\n".join(f"        {p}.grad.zero_()" for p in names)) if zero else ""
    loss_src = ("-(Y * torch.log(out) + (1 - Y) * torch.log(1 - out)).mean()" if loss == "bce"
                else "((out - Y) ** 2).mean()")
    return [
        md("# XOR with raw tensors\nNo nn.Module: the weights are plain tensors and I write the update myself."),
        code(f"import torch\ntorch.manual_seed({seed})"),
        code("X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\nY = torch.tensor([[0.], [1.], [1.], [0.]])"),
        code("""
W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
"""),
        code(f"""
lr = {lr}
loss_history = []
for epoch in range({epochs}):
    h = torch.tanh(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    loss = {loss_src}
    loss.backward()
    with torch.no_grad():
{upd}{zeros}
    loss_history.append(loss.item())
print(loss_history[0], loss_history[-1])
"""),
    ]


def xor_raw_own_names() -> list[Cell]:
    return [
        code("import torch\nimport torch.nn.functional as F\nimport matplotlib.pyplot as plt"),
        code("X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\nt = torch.tensor([[0.], [1.], [1.], [0.]])"),
        md("### weights (my own names)"),
        code("""
torch.manual_seed(11)
w_hidden = (torch.randn(2, 5) * 0.8).requires_grad_()
b_hidden = torch.zeros(5, requires_grad=True)
w_out = (torch.randn(5, 1) * 0.8).requires_grad_()
b_out = torch.zeros(1, requires_grad=True)
"""),
        code("""
step_size = 0.8
cost_history = []
for i in range(1500):
    hidden = torch.tanh(X @ w_hidden + b_hidden)
    prob = torch.sigmoid(hidden @ w_out + b_out)
    cost = F.binary_cross_entropy(prob, t)
    cost.backward()
    with torch.no_grad():
        for w in (w_hidden, b_hidden, w_out, b_out):
            w -= step_size * w.grad
            w.grad = None
    cost_history.append(cost.item())
plt.plot(cost_history)
plt.show()
"""),
    ]


def xor_raw_list_mse() -> list[Cell]:
    return [
        code("import torch"),
        code("X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\nY = torch.tensor([[0.], [1.], [1.], [0.]])"),
        code("""
torch.manual_seed(2)
W1 = torch.randn(2, 6, requires_grad=True)
b1 = torch.zeros(1, 6, requires_grad=True)
W2 = torch.randn(6, 1, requires_grad=True)
b2 = torch.zeros(1, 1, requires_grad=True)
params = [W1, b1, W2, b2]
"""),
        code("""
def predict(x):
    return torch.sigmoid(torch.sigmoid(x @ W1 + b1) @ W2 + b2)

learning_rate = 4.0
losses = []
for epoch in range(2000):
    loss = torch.mean((predict(X) - Y) ** 2)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= learning_rate * p.grad
            p.grad.zero_()
    losses.append(loss.item())
print('final loss', losses[-1])
"""),
    ]


def xor_raw_data_style() -> list[Cell]:
    return [
        code("import torch\nimport numpy as np"),
        code("""
X = torch.from_numpy(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64))
Y = torch.from_numpy(np.array([[0], [1], [1], [0]], dtype=np.float64))
"""),
        code("""
torch.manual_seed(5)
W1 = torch.randn(2, 4, dtype=torch.float64)
W1.requires_grad_()
b1 = torch.zeros(4, dtype=torch.float64).requires_grad_()
W2 = torch.randn(4, 1, dtype=torch.float64).requires_grad_()
b2 = torch.zeros(1, dtype=torch.float64).requires_grad_()
eta = 1.0
history = []
for epoch in range(1500):
    a1 = torch.sigmoid(X.mm(W1) + b1)
    a2 = torch.sigmoid(a1.mm(W2) + b2)
    loss = torch.nn.functional.binary_cross_entropy(a2, Y)
    loss.backward()
    W1.data -= eta * W1.grad.data
    b1.data -= eta * b1.grad.data
    W2.data -= eta * W2.grad.data
    b2.data -= eta * b2.grad.data
    W1.grad.data.zero_(); b1.grad.data.zero_(); W2.grad.data.zero_(); b2.grad.data.zero_()
    history.append(loss.item())
print(history[-1])
"""),
    ]


# --------------------------------------------------------------------------- XOR, NumPy

def numpy_rows(*, dW2: str = "A1.T @ dZ2 / m", db: str = "np.sum(dZ1, axis=0) / m",
               dZ1: str = "dA1 * (1 - A1 ** 2)", hidden: int = 4, lr: float = 0.5,
               iterations: int = 2000, act: str = "tanh") -> list[Cell]:
    h_act = "np.tanh(Z1)" if act == "tanh" else "sigmoid(Z1)"
    return [
        md("# Backprop in NumPy, one row per sample"),
        code("import numpy as np\nnp.random.seed(0)"),
        code("X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)\ny = np.array([[0], [1], [1], [0]], dtype=float)"),
        code(f"""
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

params = {{
    "W1": np.random.randn(2, {hidden}) * 0.5,
    "b1": np.zeros({hidden}),
    "W2": np.random.randn({hidden}, 1) * 0.5,
    "b2": np.zeros(1),
}}
"""),
        code(f"""
def forward_pass(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = {h_act}
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = sigmoid(Z2)
    return A2, (Z1, A1, A2)


def backward_pass(X, y, params, cache):
    Z1, A1, A2 = cache
    m = X.shape[0]
    dZ2 = A2 - y
    dW2 = {dW2}
    db2 = np.sum(dZ2, axis=0) / m
    dA1 = dZ2 @ params["W2"].T
    dZ1 = {dZ1}
    dW1 = X.T @ dZ1 / m
    db1 = {db}
    return {{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}}
"""),
        code(f"""
loss_list = []
for i in range({iterations}):
    out, cache = forward_pass(X, params)
    loss = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    grads = backward_pass(X, y, params, cache)
    for k in params:
        params[k] -= {lr} * grads["d" + k]
    loss_list.append(loss)
print(loss_list[0], loss_list[-1])
"""),
    ]


def numpy_columns(*, hidden: int = 3, loss: str = "half_mse", db1: str = "np.sum(dZ1, axis=1, keepdims=True)",
                  dZ1: str = "dA1 * sigmoid_derivative(Z1)", lr: float = 5.0, iterations: int = 3000,
                  seed: int = 2) -> list[Cell]:
    if loss == "half_mse":
        cost = "0.5 * np.mean((A2 - Y) ** 2)"
        dz2 = "(A2 - Y) * A2 * (1 - A2)"
    else:
        cost = "-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))"
        dz2 = "A2 - Y"
    return [
        md("# Lab 6 - NumPy, columns are examples\n$Z = WX + b$, $A = \\sigma(Z)$."),
        code(f"import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline\nnp.random.seed({seed})"),
        code("X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]])\nY = np.array([[0, 1, 1, 0]])"),
        code("""
def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)
"""),
        code(f"""
parameters = {{"W1": np.random.randn({hidden}, 2), "b1": np.zeros(({hidden}, 1)),
              "W2": np.random.randn(1, {hidden}), "b2": np.zeros((1, 1))}}

def forward(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = sigmoid(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {{"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}}

def backward(X, Y, parameters, cache):
    m = X.shape[1]
    Z1, A1, A2 = cache["Z1"], cache["A1"], cache["A2"]
    dZ2 = {dz2} / m
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dA1 = parameters["W2"].T @ dZ2
    dZ1 = {dZ1}
    dW1 = dZ1 @ X.T
    db1 = {db1}
    return {{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}}
"""),
        code(f"""
costs = []
for i in range({iterations}):
    A2, cache = forward(X, parameters)
    costs.append({cost})
    grads = backward(X, Y, parameters, cache)
    for key in parameters:
        parameters[key] = parameters[key] - {lr} * grads["d" + key]
plt.plot(costs)
plt.show()
"""),
        code("print(np.round(forward(X, parameters)[0], 3))"),
    ]


def numpy_class() -> list[Cell]:
    return [
        code("import numpy as np"),
        code("""
class TwoLayerNet:
    \"\"\"2 -> 4 -> 1, sigmoid everywhere, cross-entropy.\"\"\"

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0, 1, (n_in, n_hidden))
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = rng.normal(0, 1, (n_hidden, n_out))
        self.b2 = np.zeros((1, n_out))

    @staticmethod
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(self, X):
        self.X = X
        self.a1 = self.sigmoid(X @ self.W1 + self.b1)
        self.a2 = self.sigmoid(self.a1 @ self.W2 + self.b2)
        return self.a2

    def backward(self, y):
        m = y.shape[0]
        d2 = (self.a2 - y) / m
        self.dW2 = self.a1.T @ d2
        self.db2 = d2.sum(axis=0, keepdims=True)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        self.dW1 = self.X.T @ d1
        self.db1 = d1.sum(axis=0, keepdims=True)

    def step(self, lr):
        for name in ("W1", "b1", "W2", "b2"):
            setattr(self, name, getattr(self, name) - lr * getattr(self, "d" + name))
"""),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
net = TwoLayerNet(2, 4, 1, seed=3)
history = []
for epoch in range(3000):
    p = net.forward(X)
    history.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    net.backward(y)
    net.step(1.0)
print(history[-1], net.forward(X).ravel().round(2))
"""),
    ]


# --------------------------------------------------------------------------- moons

MOONS_IMPORTS = """
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
"""


def moons_no_scaler() -> list[Cell]:
    return [
        md("# Moons: SGD vs Armijo backtracking\nNo scaling: the moons are already around the origin."),
        code(MOONS_IMPORTS + "import matplotlib.pyplot as plt\n%matplotlib inline"),
        code(MOONS_DATA + """
Xtr = torch.tensor(X_train, dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).reshape(-1, 1)
"""),
        code("""
def build():
    return nn.Sequential(nn.Linear(2, 10), nn.Tanh(), nn.Linear(10, 1), nn.Sigmoid())

criterion = nn.BCELoss()
torch.manual_seed(0)
model_gd = build()
optimizer = torch.optim.SGD(model_gd.parameters(), lr=0.5)
loss_history = []
for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model_gd(Xtr), ytr)
    loss.backward()
    optimizer.step()
    loss_history.append(loss.item())
"""),
        code("""
def armijo(model, criterion, X, y, alpha=1.0, beta=0.5, c=1e-4):
    model.zero_grad()
    f0 = criterion(model(X), y)
    f0.backward()
    old = [p.detach().clone() for p in model.parameters()]
    g = [p.grad.detach().clone() for p in model.parameters()]
    gg = sum(float((gi ** 2).sum()) for gi in g)
    while alpha > 1e-8:
        with torch.no_grad():
            for p, o, gi in zip(model.parameters(), old, g):
                p.copy_(o - alpha * gi)
            if criterion(model(X), y).item() <= f0.item() - c * alpha * gg:
                break
        alpha = alpha * beta
    return alpha
"""),
        code("""
torch.manual_seed(0)
model_armijo = build()
losses_armijo = []
for epoch in range(300):
    with torch.no_grad():
        losses_armijo.append(criterion(model_armijo(Xtr), ytr).item())
    armijo(model_armijo, criterion, Xtr, ytr)
plt.plot(loss_history, label='fixed')
plt.plot(losses_armijo, label='armijo')
plt.legend()
plt.show()
"""),
    ]


def moons_script(*, fixed_lr: float = 0.1, fixed_epochs: int = 40, minibatch: bool = True,
                 search: str | None = None, train_on: str = "train", bt_epochs: int = 200,
                 hidden: str = "nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1)") -> list[Cell]:
    Xfit, yfit = ("Xt", "yt") if train_on == "train" else ("Xv", "yv")
    if minibatch:
        fixed = f"""
losses_fixed = []
for epoch in range({fixed_epochs}):
    order = torch.randperm(len({Xfit}))
    total = 0.0
    for start in range(0, len({Xfit}), 64):
        idx = order[start:start + 64]
        opt.zero_grad()
        loss = loss_fn(model_fixed({Xfit}[idx]), {yfit}[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    losses_fixed.append(total / len({Xfit}))
"""
    else:
        fixed = f"""
losses_fixed = []
for epoch in range({fixed_epochs}):
    opt.zero_grad()
    loss = loss_fn(model_fixed({Xfit}), {yfit})
    loss.backward()
    opt.step()
    losses_fixed.append(loss.item())
"""
    return [
        code(MOONS_IMPORTS + "from sklearn.preprocessing import StandardScaler"),
        code(MOONS_DATA + f"""
sc = StandardScaler().fit(X_train)
Xt = torch.tensor(sc.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).view(-1, 1)
Xv = torch.tensor(sc.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).view(-1, 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential({hidden})

    def forward(self, x):
        return self.body(x)


loss_fn = nn.BCEWithLogitsLoss()
torch.manual_seed(0)
model_fixed = Net()
opt = torch.optim.SGD(model_fixed.parameters(), lr={fixed_lr})
"""),
        code(fixed),
        code(search or line_search()),
        code(f"""
torch.manual_seed(0)
model_bt = Net()
losses_bt = []
for epoch in range({bt_epochs}):
    with torch.no_grad():
        losses_bt.append(loss_fn(model_bt({Xfit}), {yfit}).item())
    backtracking_line_search(model_bt, loss_fn, {Xfit}, {yfit})
with torch.no_grad():
    for name, m in (("fixed", model_fixed), ("bt", model_bt)):
        acc = ((m(Xv) > 0).float() == yv).float().mean().item()
        print(name, "test accuracy", round(acc, 3))
"""),
    ]


def moons_two_hidden() -> list[Cell]:
    return [
        md("# Part 3: two moons\nTwo hidden layers of 8 ReLU units. First I explore the data."),
        code(MOONS_IMPORTS + "from sklearn.preprocessing import StandardScaler\nimport matplotlib.pyplot as plt"),
        code(MOONS_DATA + "print(X_train.shape, X_test.shape, y_train.mean())"),
        code("plt.scatter(X[:, 0], X[:, 1], c=y, s=8)\nplt.show()"),
        code("""
scaler = StandardScaler()
X_train_s = scaler.fit_transform(X_train)
X_test_s = scaler.transform(X_test)
inputs = torch.tensor(X_train_s, dtype=torch.float32)
targets = torch.tensor(y_train, dtype=torch.float32)[:, None]
"""),
        code("""
def new_net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))

criterion = nn.BCEWithLogitsLoss()
model_sgd = new_net(1)
sgd = torch.optim.SGD(model_sgd.parameters(), lr=0.2)
losses_sgd = []
for epoch in range(300):
    sgd.zero_grad()
    l = criterion(model_sgd(inputs), targets)
    l.backward()
    sgd.step()
    losses_sgd.append(l.item())
"""),
        code("""
def line_search(net, criterion, inputs, targets, alpha0=1.0, rho=0.5, c=1e-4):
    net.zero_grad()
    loss = criterion(net(inputs), targets)
    loss.backward()
    w0 = [p.detach().clone() for p in net.parameters()]
    g = [p.grad.detach().clone() for p in net.parameters()]
    norm2 = sum((x * x).sum().item() for x in g)
    alpha = alpha0
    while True:
        with torch.no_grad():
            for p, w, d in zip(net.parameters(), w0, g):
                p.copy_(w - alpha * d)
            new = criterion(net(inputs), targets).item()
        if new <= loss.item() - c * alpha * norm2 or alpha < 1e-10:
            return alpha
        alpha *= rho
"""),
        code("""
model_ls = new_net(1)
losses_ls, steps = [], []
for epoch in range(300):
    with torch.no_grad():
        losses_ls.append(criterion(model_ls(inputs), targets).item())
    steps.append(line_search(model_ls, criterion, inputs, targets))
print("steps used:", sorted(set(steps)))
"""),
        code("""
fig, ax = plt.subplots()
ax.plot(losses_sgd, label="SGD lr=0.2")
ax.plot(losses_ls, label="Armijo")
ax.legend()
plt.show()
"""),
    ]


THREE_HIDDEN = ("nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), "
                "nn.Linear(32, 1)")


def moons_dropout_no_eval() -> list[Cell]:
    cells = moons_script(minibatch=False, fixed_epochs=300, fixed_lr=0.5,
                         hidden="nn.Linear(2, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 1)")
    return cells


# --------------------------------------------------------------------------- catalogue

ENTRIES: list[Entry] = [
    # ---- correct ----
    Entry("ok_seq_tanh_bce", "xor.ipynb", xor_sequential(), attempts=("xor",),
          style="XOR, nn.Sequential 2-8-1, tanh hidden, sigmoid output, BCELoss, SGD, notebook with plot"),
    Entry("ok_class_relu_logits", "xor_relu.py", xor_class_relu_logits(), attempts=("xor",),
          style="XOR, nn.Module class 2-16-1, ReLU, logits with BCEWithLogitsLoss, script, no plot"),
    Entry("ok_module_minibatch", "xor_minibatch.ipynb", xor_minibatch(), attempts=("xor",),
          style="XOR, nn.Module, mini-batches of 2 shuffled each epoch, epoch mean loss recorded"),
    Entry("ok_module_hidden3_mse", "lab6.ipynb", xor_hidden3_mse(), attempts=("xor",),
          style="XOR, nn.Module 2-3-1 sigmoid, MSELoss, extra exploration cells and plots, `costs`"),
    Entry("ok_raw_own_names", "xor.ipynb", xor_raw_own_names(), attempts=("xor",),
          style="XOR, raw tensors with own names (w_hidden, w_out), tanh, F.binary_cross_entropy, `w.grad = None`",
          notes="No layer numbers in the names: the trainable tensors are chained by their shapes "
                "(grader/weight_chains.py); the loop variable `w` left holding b_out is not used."),
    Entry("ok_raw_list_mse", "xor_raw.py", xor_raw_list_mse(), attempts=("xor",),
          style="XOR, raw tensors 2-6-1 in a list, sigmoid, MSE, update loop over params, script"),
    Entry("ok_raw_data_float64", "xor_data.py", xor_raw_data_style(), attempts=("xor",),
          style="XOR, raw float64 tensors, old-style `.data -=` update and `.grad.data.zero_()`, `eta`"),
    Entry("ok_numpy_rows_tanh", "backprop.ipynb", numpy_rows(), attempts=("xor",),
          style="NumPy, rows are samples, tanh hidden, forward_pass/backward_pass, `loss_list`"),
    Entry("ok_numpy_cols_mse", "numpy_mse.ipynb", numpy_columns(), attempts=("xor",),
          style="NumPy, columns are samples, 2-3-1 sigmoid, half squared error, `parameters` dict"),
    Entry("ok_numpy_class", "net.py", numpy_class(), attempts=("xor",),
          style="NumPy, a class with forward/backward/step methods, gradients in self.dW1..., script"),
    Entry("ok_moons_no_scaler", "moons.ipynb", moons_no_scaler(), attempts=("moons", "backtracking"),
          style="moons, no scaler, nn.Sequential tanh + Sigmoid, BCELoss, `armijo(alpha, beta)`, own names"),
    Entry("ok_moons_minibatch", "moons.py", moons_script(), attempts=("moons", "backtracking"),
          style="moons, class wrapping nn.Sequential ReLU, scaler `sc`, mini-batch SGD, full-batch line search, script"),
    Entry("ok_moons_two_hidden", "moons_lab.ipynb", moons_two_hidden(), attempts=("moons", "backtracking"),
          style="moons, 2-8-8-1 ReLU, `model_sgd`/`model_ls`, `line_search(net, criterion, inputs, targets)`, exploration"),
    # ---- broken: hand-written backprop ----
    Entry("bug_numpy_dW2_no_mean", "backprop.ipynb", numpy_rows(dW2="A1.T @ dZ2"), attempts=("xor",),
          style="NumPy, rows are samples, tanh hidden",
          bug="`dW2 = A1.T @ dZ2` misses the 1/m",
          fails=(Fail("xor.gradients", ("W2", "batch size", "1/m")),)),
    Entry("bug_numpy_sigmoid_twice", "backprop.ipynb",
          numpy_rows(act="sigmoid", dZ1="dA1 * sigmoid_prime(A1)", lr=2.0, iterations=3000),
          attempts=("xor",), style="NumPy, rows are samples, sigmoid hidden",
          bug="`sigmoid_prime(A1)`: the sigmoid derivative is taken of the activation, so the sigmoid is applied twice",
          fails=(Fail("xor.gradients", ("W1", "sigmoid is applied twice")),)),
    Entry("bug_numpy_bias_axis", "backprop.ipynb", numpy_rows(db="np.sum(dZ1, axis=1) / m"),
          attempts=("xor",), style="NumPy, rows are samples, tanh hidden, 4 hidden units",
          bug="`db1 = np.sum(dZ1, axis=1) / m` sums over the units instead of the samples; with 4 samples"
              " and 4 hidden units the shapes agree, so training runs on wrong bias gradients",
          fails=(Fail("xor.gradients", ("b1", "wrong axis")),)),
    Entry("bug_numpy_tanh_derivative", "backprop.ipynb", numpy_rows(dZ1="dA1 * (1 - A1)"),
          attempts=("xor",), style="NumPy, rows are samples, tanh hidden",
          bug="the tanh derivative is written `1 - A1` instead of `1 - A1 ** 2`",
          fails=(Fail("xor.gradients", ("W1", "1 - A instead of 1 - A**2")),),
          also_fails=("xor.loss",)),
    # ---- broken: the training loop ----
    Entry("bug_module_no_zero_grad", "xor.ipynb", xor_sequential(zero_grad=False), attempts=("xor",),
          style="XOR, nn.Sequential 2-8-1 tanh, BCELoss, SGD",
          bug="`optimizer.zero_grad()` is missing",
          fails=(Fail("xor.gradients", ("gradients accumulate across iterations",), needs_trace=True),),
          may_fail=("xor.gradients",),
          notes="The weights grow until the sigmoid saturates; the hidden autograd check can then fail on "
                "float32 rounding (relative error 0.009 against 0.002 allowed, seen in one run of two)."),
    Entry("bug_raw_no_grad_reset", "xor_raw.py", xor_raw(zero=False), attempts=("xor",),
          style="XOR, raw tensors 2-4-1, tanh, BCE by hand",
          bug="`.grad` is never zeroed after the update",
          fails=(Fail("xor.gradients", ("gradients accumulate across iterations",), needs_trace=True),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("bug_raw_update_sign", "xor_raw.ipynb", xor_raw(update="{p} += lr * {p}.grad"),
          attempts=("xor",), style="XOR, raw tensors 2-4-1, tanh, BCE by hand",
          bug="`W += lr * W.grad`: gradient ascent",
          fails=(Fail("xor.descent", ("adds the gradient instead of subtracting it",), needs_trace=True),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("bug_raw_wrong_rate", "xor_raw.py", xor_raw(update="{p} -= lr / 4 * {p}.grad", epochs=3000),
          attempts=("xor",), style="XOR, raw tensors 2-4-1, tanh, BCE by hand",
          bug="the update uses `lr / 4` instead of `lr`",
          fails=(Fail("xor.descent", ("not the learning rate times the gradient",), needs_trace=True),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("bug_moons_trials_not_undone", "moons.py",
          moons_script(minibatch=False, fixed_epochs=300, fixed_lr=0.2,
                       search=line_search(undo="pass", trial_from_current=True), hidden=THREE_HIDDEN),
          attempts=("moons", "backtracking"),
          style="moons, class wrapping nn.Sequential 2-32-32-32-1 ReLU (alpha = 1 is often rejected), scaler, script",
          bug="each trial step moves on from the last trial (`p.sub_(alpha * g)`); rejected trials are never undone",
          fails=(Fail("backtracking.armijo_steps", ("rejected trial steps are not undone",), needs_trace=True),),
          also_fails=("backtracking.monotone",), may_fail=("backtracking.beats_fixed",),
          notes="The grader's own call of the line search (backtracking.armijo) does not catch it: on its "
                "three small problems alpha0 = 1 is accepted at once, so no trial is ever rejected."),
    Entry("bug_moons_armijo_reversed", "moons.py",
          moons_script(minibatch=False, fixed_epochs=300, fixed_lr=0.5,
                       search=line_search(accept="trial > f0 - c * alpha * slope")),
          attempts=("moons", "backtracking"),
          style="moons, class wrapping nn.Sequential ReLU, scaler, script",
          bug="the Armijo test is reversed: `trial > f0 - c * alpha * slope`",
          fails=(Fail("backtracking.armijo", ("too small", "Armijo inequality reversed")),),
          also_fails=("backtracking.accuracy", "backtracking.beats_fixed"),
          notes="The accepted steps are about 2e-7, too small to change the float32 weights, so the "
                "training trace cannot see them; the grader's own call of the line search catches it."),
    # ---- broken: losses, rates, data ----
    Entry("bug_sigmoid_then_logits_loss", "xor.ipynb",
          xor_sequential(loss="nn.BCEWithLogitsLoss()", epochs=1500), attempts=("xor",),
          style="XOR, nn.Sequential 2-8-1 tanh with a final nn.Sigmoid",
          bug="BCEWithLogitsLoss after an nn.Sigmoid output: the sigmoid is applied twice in the loss",
          fails=(Fail("xor.loss", ("BCEWithLogitsLoss", "sigmoid")),)),
    Entry("bug_lr_diverges", "xor.ipynb", xor_sequential(lr=200.0, epochs=500), attempts=("xor",),
          style="XOR, nn.Sequential 2-8-1 tanh, BCELoss",
          bug="learning rate 200: training diverges",
          fails=(Fail("xor.loss", ("goes up", "learning rate is too large")),),
          also_fails=("xor.classifies",)),
    Entry("bug_moons_trained_on_test", "moons.py",
          moons_script(minibatch=False, fixed_epochs=300, fixed_lr=0.5, train_on="test"),
          attempts=("moons", "backtracking"), style="moons, class wrapping nn.Sequential ReLU, scaler, script",
          bug="both runs train on `X_test`/`y_test` (the 100 test points) instead of the training split",
          fails=(Fail("moons.loss", ("test set was used for training",)),),
          notes="found from the trace: the grader recomputes sampled training losses from the recorded "
                "parameters and inputs, and those inputs are the rows of `X_test` after the scaler"),
    Entry("bug_labels_broadcast", "xor_mse.py", xor_labels_broadcast(), attempts=("xor",),
          style="XOR, nn.Module 2-4-1 sigmoid, MSELoss, script",
          bug="labels of shape (4,) against outputs of shape (4, 1): MSELoss broadcasts to (4, 4) and the"
              " best the network can do is output 0.5 everywhere",
          fails=(Fail("xor.classifies", ("broadcast",)),),
          also_fails=("xor.loss",)),
    Entry("bug_forward_ignores_input", "xor_global.ipynb", xor_forward_uses_global(), attempts=("xor",),
          style="XOR, nn.Module 2-4-1 sigmoid, MSELoss",
          bug="`forward(self, x)` computes on the global training `X`, not on `x`: predictions do not depend"
              " on the input",
          fails=(Fail("xor.classifies", ("do not depend on the input",)),),
          also_fails=("xor.gradients", "xor.loss")),
    Entry("bug_moons_dropout_no_eval", "moons_dropout.py", moons_dropout_no_eval(),
          attempts=("moons", "backtracking"),
          style="moons, nn.Dropout(0.1) in the model, class wrapping nn.Sequential ReLU, scaler, script",
          bug="`model.eval()` is never called: the line search compares losses under different dropout masks,"
              " so it accepts steps that increase the loss and the recorded losses go up",
          fails=(Fail("backtracking.monotone", ("goes up", "dropout", "model.eval()")),
                 Fail("backtracking.armijo_steps", ("violate the Armijo condition", "dropout",
                                                    "model.eval()"), needs_trace=True)),
          also_fails=("backtracking.beats_fixed",),
          notes="The grader's probes call the model in eval mode (restoring its mode afterwards), so "
                "dropout is off wherever the grader judges the model; only the student's own losses "
                "are computed under dropout."),
]
ENTRIES += wild_numpy.ENTRIES + wild_torch.ENTRIES + diagnoses.ENTRIES + blind_round.ENTRIES
ENTRIES += blind2_a.ENTRIES + blind2_b.ENTRIES + blind2_c.ENTRIES + blind2_d.ENTRIES
ENTRIES += blind3_a.ENTRIES + blind3_b.ENTRIES + blind3_c.ENTRIES + blind3_d.ENTRIES


def targets() -> list[tuple[Path, str | bytes]]:
    """Every file the corpus consists of, with its content (bytes for the extra files an entry ships)."""
    files: list[tuple[Path, str | bytes]] = []
    for entry in ENTRIES:
        folder = HERE / entry.name
        text = to_notebook(entry.cells) if entry.file.endswith(".ipynb") else to_script(entry.cells)
        files += [(folder / entry.file, text), (folder / "expected.toml", to_expected_toml(entry))]
        files += [(folder / name, data) for name, data in sorted(entry.files.items())]
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    stale = []
    for path, text in targets():
        if path.exists() and (path.read_bytes() if isinstance(text, bytes) else path.read_text()) == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    names = {entry.name for entry in ENTRIES}
    orphans = [p for p in sorted(HERE.iterdir()) if (p / "expected.toml").is_file() and p.name not in names]
    for folder in orphans:
        print(f"not in the catalogue (delete it): {folder.relative_to(ROOT)}")
    return 1 if (args.check and stale) or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
