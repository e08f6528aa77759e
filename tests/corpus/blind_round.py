"""Corpus entries from a blind round: styles and planted bugs the grader had not seen.

Written for this project the way students write them (one helper wrote correct submissions in
unseen styles, another planted one bug each), graded blind, then kept here with the verdicts
they must get once the grader learned to give them.

Correct: a learning-rate schedule in NumPy, a leaky ReLU of slope 0.05 called as a function, a
plotting grid beside an XOR net, an Armijo optimizer class, a Nielsen-style network of column
vectors, pure-Python lists, mini-batches inside an epoch loop that keeps the full data's loss.

Bugs: biases never updated, the squared error's output delta under a cross-entropy history, a
constant initialisation, flipped labels, a cut autograd graph, ``zero_grad()`` between
``backward()`` and ``step()``, a layer in no optimizer, the error sent back through the wrong
matrix, and four Armijo mistakes (never reset, compared with the previous trial, a step that
grows, a decrease term without alpha). Every entry is named ``blind_*``.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401


def pt_moons_f64_moduledict() -> list[Cell]:
    """lab6.py"""
    return [
        code(r"""
# Lab 6 -- moons, float64 everywhere, xavier init, leaky relu, exponential lr decay
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)
torch.manual_seed(99)
np.random.seed(99)

Xall, yall = make_moons(n_samples=1000, noise=0.2, random_state=99)
Xtr, Xte, ytr, yte = train_test_split(Xall, yall, test_size=0.2, random_state=99, stratify=yall)
std_scaler = StandardScaler()
Xtr = std_scaler.fit_transform(Xtr)
Xte = std_scaler.transform(Xte)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr_t = torch.from_numpy(ytr).double().reshape(-1, 1)
yte_t = torch.from_numpy(yte).double().reshape(-1, 1)


class DeepMoons(nn.Module):
    def __init__(self, sizes=(2, 24, 24, 1)):
        super().__init__()
        self.layers = nn.ModuleDict({
            f"lin{i}": nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)
        })
        for lin in self.layers.values():
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        n = len(self.layers)
        for i in range(n):
            x = self.layers[f"lin{i}"](x)
            if i < n - 1:
                x = F.leaky_relu(x, negative_slope=0.05)
        return x        # logits


clf = DeepMoons()
opt = torch.optim.SGD(clf.parameters(), lr=0.5)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
loss_f = nn.BCEWithLogitsLoss()

history = []
for epoch in range(700):
    opt.zero_grad()
    loss = loss_f(clf(Xtr), ytr_t)
    loss.backward()
    opt.step()
    sched.step()
    history.append(loss.item())
    if epoch % 100 == 0:
        print(f"epoch {epoch}  loss {loss.item():.4f}  lr {sched.get_last_lr()[0]:.4f}")

with torch.no_grad():
    acc_tr = ((clf(Xtr) > 0).double() == ytr_t).double().mean().item()
    acc_te = ((clf(Xte) > 0).double() == yte_t).double().mean().item()
print(f"train acc {acc_tr:.3f}   test acc {acc_te:.3f}")

"""),
    ]


def pt_nb_seq_mse() -> list[Cell]:
    """Untitled1.ipynb"""
    return [
        md(r"""
# Lab 6 – XOR with a deep network
Gradient descent + backprop (autograd), MSE loss.
"""),
        code(r"""
import torch
import torch.nn as nn
import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline
torch.manual_seed(10)
np.random.seed(10)
"""),
        code(r"""
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([0., 1., 1., 0.]).view(-1, 1)   # float column
X, y
"""),
        md(r"""
Build the network: `n_hidden_layers` tanh layers of width 8, then one sigmoid output.
"""),
        code(r"""
n_hidden_layers = 2
width = 8
layers = []
in_f = 2
for i in range(n_hidden_layers):
    layers += [nn.Linear(in_f, width), nn.Tanh()]
    in_f = width
layers += [nn.Linear(in_f, 1), nn.Sigmoid()]
mlp = nn.Sequential(*layers)
mlp
"""),
        code(r"""
loss_fn = nn.MSELoss()
opt = torch.optim.SGD(mlp.parameters(), lr=0.5)
epochs = 5000
mse_history = []
for epoch in range(epochs):
    opt.zero_grad()
    out = mlp(X)
    loss = loss_fn(out, y)
    loss.backward()
    opt.step()
    mse_history.append(loss.item())
    if epoch % 500 == 0:
        print(f"epoch {epoch}: MSE = {loss.item():.6f}")
"""),
        code(r"""
plt.plot(mse_history)
plt.yscale('log')
plt.xlabel('epoch'); plt.ylabel('MSE')
plt.show()
"""),
        code(r"""
with torch.no_grad():
    p = mlp(X)
print(p.view(-1))
print('predictions:', (p > 0.5).int().view(-1).tolist())
print('all correct:', bool(((p > 0.5).float() == y).all()))
"""),
        md(r"""
## Decision boundary
"""),
        code(r"""
xs = torch.linspace(-0.5, 1.5, 200)
ys = torch.linspace(-0.5, 1.5, 200)
gx, gy = torch.meshgrid(xs, ys, indexing='ij')
grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
with torch.no_grad():
    zz = mlp(grid).reshape(gx.shape)
plt.contourf(gx.numpy(), gy.numpy(), zz.numpy(), levels=20, cmap='RdBu_r')
plt.colorbar()
plt.scatter(X[:, 0], X[:, 1], c=y.view(-1), cmap='RdBu_r', edgecolors='k', s=120)
plt.title('XOR decision boundary')
plt.show()
"""),
    ]


def np_es_nb_xor() -> list[Cell]:
    """tarea6.ipynb"""
    return [
        md(r"""
# Práctica 6: Descenso de gradiente y retropropagación
**Alumno:** Martín Gómez  
**Curso:** Aprendizaje Automático

En esta práctica entrenamos una red neuronal con una capa oculta (tanh) y salida sigmoide para resolver el problema XOR.
"""),
        code(r"""
import numpy as np
import matplotlib.pyplot as plt

generador = np.random.default_rng(semilla := 12)
"""),
        md(r"""
## Datos del problema XOR
"""),
        code(r"""
entradas = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
salidas_deseadas = np.array([[0.], [1.], [1.], [0.]])
print(entradas, salidas_deseadas, sep='\n')
"""),
        md(r"""
## Funciones de activación
- Capa oculta: tangente hiperbólica
- Capa de salida: sigmoide
"""),
        code(r"""
def sigmoide(z):
    return 1.0 / (1.0 + np.exp(-z))

def derivada_tanh(a):
    # a = tanh(z)
    return 1.0 - a ** 2

def entropia_cruzada(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
"""),
        md(r"""
## Inicialización de pesos y sesgos
"""),
        code(r"""
neuronas_ocultas = 4
pesos_ocultos = generador.normal(0, 1, (2, neuronas_ocultas))
sesgo_oculto = np.zeros((1, neuronas_ocultas))
pesos_salida = generador.normal(0, 1, (neuronas_ocultas, 1))
sesgo_salida = np.zeros((1, 1))
"""),
        md(r"""
## Entrenamiento
La tasa de aprendizaje decae como $\eta_t = \eta_0 / (1 + k\,t)$.
"""),
        code(r"""
tasa_inicial = 1.0
k_decaimiento = 1e-4
epocas = 10000
historial_perdida = []

for epoca in range(epocas):
    tasa = tasa_inicial / (1 + k_decaimiento * epoca)
    # propagación hacia adelante
    oculta = np.tanh(entradas @ pesos_ocultos + sesgo_oculto)
    prediccion = sigmoide(oculta @ pesos_salida + sesgo_salida)
    perdida = entropia_cruzada(salidas_deseadas, prediccion)
    historial_perdida.append(perdida)

    # retropropagación
    n = entradas.shape[0]
    delta_salida = (prediccion - salidas_deseadas) / n
    grad_pesos_salida = oculta.T @ delta_salida
    grad_sesgo_salida = np.sum(delta_salida, axis=0, keepdims=True)
    delta_oculta = (delta_salida @ pesos_salida.T) * derivada_tanh(oculta)
    grad_pesos_ocultos = entradas.T @ delta_oculta
    grad_sesgo_oculto = np.sum(delta_oculta, axis=0, keepdims=True)

    # actualización (descenso de gradiente)
    pesos_salida -= tasa * grad_pesos_salida
    sesgo_salida -= tasa * grad_sesgo_salida
    pesos_ocultos -= tasa * grad_pesos_ocultos
    sesgo_oculto -= tasa * grad_sesgo_oculto

    if epoca % 2000 == 0:
        print(f'época {epoca}: pérdida = {perdida:.5f}, tasa = {tasa:.4f}')
"""),
        md(r"""
## Resultados
"""),
        code(r"""
resultado = sigmoide(np.tanh(entradas @ pesos_ocultos + sesgo_oculto) @ pesos_salida + sesgo_salida)
for e, r in zip(entradas, resultado):
    print(e, '->', round(float(r[0]), 4), '=> clase', int(r[0] > 0.5))
"""),
        code(r"""
plt.plot(historial_perdida)
plt.yscale('log')
plt.xlabel('época')
plt.ylabel('pérdida (entropía cruzada)')
plt.title('Curva de aprendizaje')
"""),
        md(r"""
**Conclusión:** la red clasifica correctamente los cuatro puntos de XOR.
"""),
    ]


def pt_closure_sgd() -> list[Cell]:
    """xor_torch.py"""
    return [
        code(r"""
# Lab 6 - XOR with PyTorch, using the closure API of the optimizer
# (I read in the docs that LBFGS needs a closure, SGD accepts one too)
import torch
import torch.nn as nn
import torch.optim as optim
import numpy as np

torch.manual_seed(42)
np.random.seed(42)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])


class TinyXor(nn.Module):
    def __init__(self, hidden=6):
        super().__init__()
        self.l1 = nn.Linear(2, hidden)
        self.l2 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.tanh(self.l1(x))
        return torch.sigmoid(self.l2(h))


xor_model = TinyXor()
criterion = nn.BCELoss()
optimizer = optim.SGD(xor_model.parameters(), lr=0.5)

loss_history = []


def closure():
    optimizer.zero_grad()
    out = xor_model(X)
    loss = criterion(out, Y)
    loss.backward()
    return loss


n_epochs = 3000
for epoch in range(n_epochs):
    loss = optimizer.step(closure)
    loss_history.append(loss.item())
    if epoch % 500 == 0:
        print(f"epoch {epoch:5d}  loss = {loss.item():.5f}")

print("final loss:", loss_history[-1])
with torch.no_grad():
    preds = xor_model(X)
print(preds.squeeze())
print("predicted classes:", (preds > 0.5).int().squeeze().tolist())
print("accuracy:", ((preds > 0.5).float() == Y).float().mean().item())

"""),
    ]


def pt_functional_dict() -> list[Cell]:
    """lab6_xor.py"""
    return [
        code(r'''
"""Lab 6: XOR, purely functional network (no nn.Module).

The parameters are a dict of leaf tensors, the forward pass is a pure function f(params, x),
gradients come from torch.autograd.grad and each step builds a brand new dict.
"""
import numpy as np
import torch

torch.manual_seed(3)
np.random.seed(3)

X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
t = torch.tensor([0, 1, 1, 0], dtype=torch.float32).reshape(-1, 1)

H = 5
params = {
    'w1': (torch.randn(2, H) * 0.8).requires_grad_(),
    'b1': torch.zeros(H, requires_grad=True),
    'w2': (torch.randn(H, 1) * 0.8).requires_grad_(),
    'b2': torch.zeros(1, requires_grad=True),
}


def f(params, x):
    z1 = x @ params['w1'] + params['b1']
    a1 = torch.tanh(z1)
    z2 = a1 @ params['w2'] + params['b2']
    return torch.sigmoid(z2)


def bce(p, y):
    eps = 1e-7
    p = p.clamp(eps, 1 - eps)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


lr = 0.8
costs = []
for it in range(4000):
    L = bce(f(params, X), t)
    grads = torch.autograd.grad(L, list(params.values()))
    params = {k: (v - lr * g).detach().requires_grad_()
              for (k, v), g in zip(params.items(), grads)}
    costs.append(L.item())
    if it % 1000 == 0:
        print("iter", it, "cost", round(L.item(), 5))

print("last cost", costs[-1])
with torch.no_grad():
    out = f(params, X)
print("outputs:", out.flatten())
print("rounded:", out.round().flatten().tolist(), "targets:", t.flatten().tolist())

'''),
    ]


def pt_armijo_optimizer() -> list[Cell]:
    """armijo_lab.py"""
    return [
        code(r'''
# Lab 6 (part 3): Armijo backtracking as a torch Optimizer subclass
# comparing with plain SGD on the two moons dataset
import numpy as np
import torch
import torch.nn as nn
from torch.optim import Optimizer
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

torch.manual_seed(123)
np.random.seed(123)


class ArmijoSGD(Optimizer):
    """Gradient descent where each step size is found by backtracking:
    start at lr0, multiply by beta until f(x - a g) <= f(x) - c a ||g||^2."""

    def __init__(self, params, lr0=2.0, beta=0.5, c=1e-4, max_iter=25):
        defaults = dict(lr0=lr0, beta=beta, c=c, max_iter=max_iter)
        super().__init__(params, defaults)
        self.last_step = None

    @torch.no_grad()
    def step(self, closure):
        with torch.enable_grad():
            loss = closure()          # closure zeroes grads and calls backward
        group = self.param_groups[0]
        params = [p for p in group['params'] if p.grad is not None]
        saved = [p.detach().clone() for p in params]
        grads = [p.grad.detach().clone() for p in params]
        g2 = sum((g * g).sum() for g in grads).item()
        t = group['lr0']
        for _ in range(group['max_iter']):
            for p, p0, g in zip(params, saved, grads):
                p.copy_(p0 - t * g)
            new_loss = closure(backward=False).item()
            if new_loss <= loss.item() - group['c'] * t * g2:
                break
            t *= group['beta']
        self.last_step = t
        return loss


data_X, data_y = make_moons(n_samples=400, noise=0.15, random_state=5)
X_train, X_test, y_train, y_test = train_test_split(data_X, data_y, test_size=0.25, random_state=5)
sc = StandardScaler().fit(X_train)
Xt = torch.tensor(sc.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xv = torch.tensor(sc.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 12)
        self.b = nn.Linear(12, 12)
        self.c = nn.Linear(12, 1)

    def forward(self, x):
        return self.c(torch.relu(self.b(torch.relu(self.a(x)))))


bce = nn.BCEWithLogitsLoss()
start_state = MoonNet().state_dict()


def make_closure(model, opt):
    def closure(backward=True):
        # backward=False is used by the line search to only evaluate the loss
        if not backward:
            return bce(model(Xt), yt)
        opt.zero_grad()
        loss = bce(model(Xt), yt)
        loss.backward()
        return loss
    return closure


def test_accuracy(model):
    with torch.no_grad():
        return ((model(Xv) > 0).float() == yv).float().mean().item()


n_iter = 400

# plain SGD, fixed step
model_fixed = MoonNet(); model_fixed.load_state_dict(start_state)
sgd = torch.optim.SGD(model_fixed.parameters(), lr=0.5)
losses_fixed = []
for i in range(n_iter):
    sgd.zero_grad()
    l = bce(model_fixed(Xt), yt)
    l.backward()
    sgd.step()
    losses_fixed.append(l.item())

# Armijo
model_armijo = MoonNet(); model_armijo.load_state_dict(start_state)
armijo_opt = ArmijoSGD(model_armijo.parameters(), lr0=2.0, beta=0.5)
cl = make_closure(model_armijo, armijo_opt)
losses_armijo, steps = [], []
for i in range(n_iter):
    l = armijo_opt.step(cl)
    losses_armijo.append(l.item())
    steps.append(armijo_opt.last_step)

print("fixed : loss %.4f  test acc %.3f" % (losses_fixed[-1], test_accuracy(model_fixed)))
print("armijo: loss %.4f  test acc %.3f" % (losses_armijo[-1], test_accuracy(model_armijo)))
print("average accepted step", np.mean(steps))

fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].semilogy(losses_fixed, label="SGD lr=0.5")
ax[0].semilogy(losses_armijo, label="Armijo")
ax[0].legend(); ax[0].set_xlabel("iteration")
ax[1].plot(steps); ax[1].set_title("accepted step size")
fig.savefig("armijo_vs_sgd.png")

'''),
    ]


def np_bias_frozen() -> list[Cell]:
    """xor_backprop.py"""
    return [
        code(r"""
# Lab 6 - XOR with a 2-4-1 network, backprop by hand
# Maria K.
import numpy as np

np.random.seed(42)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

n_in, n_hidden, n_out = 2, 4, 1
W1 = np.random.randn(n_in, n_hidden)
b1 = np.zeros((1, n_hidden))
W2 = np.random.randn(n_hidden, n_out)
b2 = np.zeros((1, n_out))

lr = 1.0
losses = []
for epoch in range(10000):
    # forward
    z1 = X @ W1 + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + b2
    a2 = sigmoid(z2)
    loss = -np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2))
    losses.append(loss)

    # backward
    m = X.shape[0]
    dz2 = (a2 - Y) / m
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0, keepdims=True)
    da1 = dz2 @ W2.T
    dz1 = da1 * a1 * (1 - a1)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0, keepdims=True)

    # gradient descent step
    W1 -= lr * dW1
    W2 -= lr * dW2

    if epoch % 2000 == 0:
        print(f"epoch {epoch}: loss {loss:.4f}")

pred = (a2 > 0.5).astype(int)
print("predictions:", pred.ravel(), "targets:", Y.ravel().astype(int))
print("final loss", losses[-1])

"""),
    ]


def np_bce_extra_prime() -> list[Cell]:
    """xor_lab.ipynb"""
    return [
        md(r"""
Lab 6 - backpropagation on XOR
Lukas H. -- sigmoid everywhere, cross-entropy loss
"""),
        code(r"""
import numpy as np
np.random.seed(5)
"""),
        code(r"""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
"""),
        code(r"""
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def sigmoid_derivative(a):
    # a is already sigmoid(z)
    return a * (1 - a)

class XORNetwork:
    def __init__(self, n_hidden=4):
        self.W1 = np.random.uniform(-1, 1, (2, n_hidden))
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.uniform(-1, 1, (n_hidden, 1))
        self.b2 = np.zeros((1, 1))

    def forward(self, X):
        self.a1 = sigmoid(X @ self.W1 + self.b1)
        self.a2 = sigmoid(self.a1 @ self.W2 + self.b2)
        return self.a2

    def loss(self, y):
        return -np.mean(y * np.log(self.a2) + (1 - y) * np.log(1 - self.a2))

    def backward(self, X, y):
        m = X.shape[0]
        # output layer: derivative of the cross-entropy times the sigmoid derivative
        delta2 = (self.a2 - y) * sigmoid_derivative(self.a2)
        self.dW2 = self.a1.T @ delta2 / m
        self.db2 = delta2.sum(axis=0, keepdims=True) / m
        delta1 = (delta2 @ self.W2.T) * sigmoid_derivative(self.a1)
        self.dW1 = X.T @ delta1 / m
        self.db1 = delta1.sum(axis=0, keepdims=True) / m

    def step(self, lr):
        self.W1 -= lr * self.dW1
        self.b1 -= lr * self.db1
        self.W2 -= lr * self.dW2
        self.b2 -= lr * self.db2
"""),
        code(r"""
net = XORNetwork()
loss_history = []
for epoch in range(15000):
    net.forward(X)
    loss_history.append(net.loss(y))
    net.backward(X, y)
    net.step(lr=2.0)
print("first/last loss:", loss_history[0], loss_history[-1])
"""),
        code(r"""
print(np.round(net.forward(X), 3).ravel())
print("predictions:", (net.forward(X) > 0.5).astype(int).ravel())
"""),
    ]


def np_constant_init() -> list[Cell]:
    """xor.py"""
    return [
        code(r"""
# Lab 6: XOR, 2-3-1 network, tanh hidden layer, sigmoid output
# Felix R.
import numpy as np

np.random.seed(0)

def init_params(n_x, n_h, n_y):
    # small constant start so every run is the same
    W1 = np.full((n_x, n_h), 0.1)
    b1 = np.zeros((1, n_h))
    W2 = np.full((n_h, n_y), 0.1)
    b2 = np.zeros((1, n_y))
    return W1, b1, W2, b2

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X, W1, b1, W2, b2):
    A1 = np.tanh(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    return A1, A2

def backward(X, Y, A1, A2, W2):
    m = X.shape[0]
    dZ2 = A2 - Y
    dW2 = A1.T @ dZ2 / m
    db2 = dZ2.mean(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = dZ1.mean(axis=0, keepdims=True)
    return dW1, db1, dW2, db2

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

W1, b1, W2, b2 = init_params(2, 3, 1)
lr = 0.5
cost_history = []
for i in range(10000):
    A1, A2 = forward(X, W1, b1, W2, b2)
    cost = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    cost_history.append(cost)
    dW1, db1, dW2, db2 = backward(X, Y, A1, A2, W2)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2

print("final cost:", cost_history[-1])
print("outputs:", forward(X, W1, b1, W2, b2)[1].ravel().round(3))

"""),
    ]


def np_labels_flipped() -> list[Cell]:
    """moons_mlp.py"""
    return [
        code(r"""
# Lab 6 - moons with a PyTorch MLP (fixed lr)
# Ravi T.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
X, y = make_moons(n_samples=400, noise=0.2, random_state=3)
scaler = StandardScaler().fit(X)
Xs = scaler.transform(X)


def make_targets(labels):
    # target 1 for the upper moon
    return torch.tensor((labels == 0).astype(np.float32)).view(-1, 1)


X_t = torch.tensor(Xs, dtype=torch.float32)
y_t = make_targets(y)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 24)
        self.l2 = nn.Linear(24, 24)
        self.l3 = nn.Linear(24, 1)

    def forward(self, x):
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        return self.l3(x)


net = MLP()
opt = torch.optim.SGD(net.parameters(), lr=0.2)
losses = []
for epoch in range(600):
    opt.zero_grad()
    loss = F.binary_cross_entropy_with_logits(net(X_t), y_t)
    loss.backward()
    opt.step()
    losses.append(loss.item())

with torch.no_grad():
    pred = (net(X_t) > 0).float()
print("loss", losses[0], "->", losses[-1])
print("train accuracy", (pred == y_t).float().mean().item())

"""),
    ]


def pt_detach_hidden() -> list[Cell]:
    """xor_pytorch.py"""
    return [
        code(r"""
# Lab 6: XOR with PyTorch autograd
# Anna P.
import torch
import torch.nn as nn

torch.manual_seed(0)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        h = torch.sigmoid(self.hidden(x))
        self.h = h.detach()          # keep the hidden activations to plot them later
        return torch.sigmoid(self.out(self.h))


net = XorNet()
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=1.0)

loss_history = []
for epoch in range(5000):
    optimizer.zero_grad()
    pred = net(X)
    loss = loss_fn(pred, Y)
    loss.backward()
    optimizer.step()
    loss_history.append(loss.item())
    if epoch % 1000 == 0:
        print(f"epoch {epoch:5d}  loss {loss.item():.4f}")

with torch.no_grad():
    out = net(X)
print(out.squeeze().numpy().round(3))
print("correct:", ((out > 0.5).float() == Y).all().item())

"""),
    ]


def pt_zero_grad_before_step() -> list[Cell]:
    """train_moons.py"""
    return [
        code(r"""
# Lab 6 -- make_moons, PyTorch nn.Sequential, plain SGD
# Oskar N.
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(2024)

X_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=0)
scaler = StandardScaler()
X_np = scaler.fit_transform(X_np)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.float32).reshape(-1, 1)

model = nn.Sequential(
    nn.Linear(2, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.ReLU(),
    nn.Linear(16, 1),
)
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.3)

history = []
for epoch in range(400):
    logits = model(X)
    loss = loss_fn(logits, y)
    loss.backward()
    opt.zero_grad()          # clear the gradients so they don't pile up
    opt.step()
    history.append(loss.item())

print("loss first/last:", history[0], history[-1])
with torch.no_grad():
    acc = ((model(X) > 0).float() == y).float().mean()
print("train accuracy", acc.item())

"""),
    ]


def pt_only_fc2() -> list[Cell]:
    """moons_torch.py"""
    return [
        code(r'''
"""Lab 6: make_moons with a small MLP in PyTorch, fixed learning rate.
Student: Tomasz W."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)
np.random.seed(1)

X, y = make_moons(n_samples=400, noise=0.2, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

Xtr = torch.tensor(X_train, dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(X_test, dtype=torch.float32)
yte = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonsNet(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.tanh(self.fc1(x))
        return self.fc2(h)


model = MoonsNet()
criterion = nn.BCEWithLogitsLoss()
optimizer = optim.SGD(model.fc2.parameters(), lr=0.5)

losses = []
for epoch in range(500):
    optimizer.zero_grad()
    out = model(Xtr)
    loss = criterion(out, ytr)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

with torch.no_grad():
    acc = ((model(Xte) > 0).float() == yte).float().mean().item()
print("test accuracy:", acc)

'''),
    ]


def np_armijo_no_reset() -> list[Cell]:
    """moons_bt.py"""
    return [
        code(r"""
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

"""),
    ]


def np_armijo_prev_trial() -> list[Cell]:
    """lab6.py"""
    return [
        code(r"""
# Lab 6: gradient descent vs. backtracking line search on make_moons (PyTorch)
# Kofi A.
import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)
Xn, yn = make_moons(n_samples=300, noise=0.25, random_state=1)
scaler = StandardScaler()
X = torch.tensor(scaler.fit_transform(Xn), dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).view(-1, 1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


criterion = nn.BCEWithLogitsLoss()

torch.manual_seed(1)
model_gd = MoonNet()
opt = torch.optim.SGD(model_gd.parameters(), lr=0.5)
losses_gd = []
for epoch in range(300):
    opt.zero_grad()
    loss = criterion(model_gd(X), y)
    loss.backward()
    opt.step()
    losses_gd.append(loss.item())


def armijo_step(model, criterion, X, y, alpha=16.0, rho=0.5, c=1e-4, max_trials=30):
    model.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    w0 = parameters_to_vector(model.parameters()).detach().clone()
    g = parameters_to_vector([p.grad for p in model.parameters()]).detach().clone()
    gg = torch.dot(g, g).item()
    f_prev = loss.item()
    with torch.no_grad():
        for _ in range(max_trials):
            vector_to_parameters(w0 - alpha * g, model.parameters())
            f_new = criterion(model(X), y).item()
            if f_new <= f_prev - c * alpha * gg:
                return alpha
            f_prev = f_new
            alpha *= rho
    return alpha


torch.manual_seed(1)
model_armijo = MoonNet()
losses_armijo = []
for epoch in range(200):
    with torch.no_grad():
        losses_armijo.append(criterion(model_armijo(X), y).item())
    armijo_step(model_armijo, criterion, X, y)

with torch.no_grad():
    for name, m in [("gd", model_gd), ("armijo", model_armijo)]:
        print(name, "loss", round(criterion(m(X), y).item(), 4),
              "acc", ((m(X) > 0).float() == y).float().mean().item())
print("increases in the armijo run:", sum(b > a for a, b in zip(losses_armijo, losses_armijo[1:])))

"""),
    ]


def np_delta_wrong_matrix() -> list[Cell]:
    """deep_moons.py"""
    return [
        code(r"""
# Lab 6 -- deeper network (3 hidden layers of 10) on make_moons, NumPy only
# author: Jonas B.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(7)
X, y = make_moons(n_samples=300, noise=0.2, random_state=7)
scaler = StandardScaler()
X = scaler.fit_transform(X)
y = y.reshape(-1, 1).astype(float)
N = X.shape[0]

H = 10
W1 = rng.normal(0, np.sqrt(1 / 2), (2, H)); b1 = np.zeros(H)
W2 = rng.normal(0, np.sqrt(1 / H), (H, H)); b2 = np.zeros(H)
W3 = rng.normal(0, np.sqrt(1 / H), (H, H)); b3 = np.zeros(H)
W4 = rng.normal(0, np.sqrt(1 / H), (H, 1)); b4 = np.zeros(1)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(X):
    a1 = np.tanh(X @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    a3 = np.tanh(a2 @ W3 + b3)
    p = sigmoid(a3 @ W4 + b4)
    return a1, a2, a3, p


def bce(p, y):
    eps = 1e-12
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


lr = 0.3
loss_history = []
for it in range(1500):
    a1, a2, a3, p = forward(X)
    loss_history.append(bce(p, y))

    d4 = (p - y) / N
    gW4 = a3.T @ d4;  gb4 = d4.sum(0)
    d3 = (d4 @ W4.T) * (1 - a3 ** 2)
    gW3 = a2.T @ d3;  gb3 = d3.sum(0)
    d2 = (d3 @ W3.T) * (1 - a2 ** 2)
    gW2 = a1.T @ d2;  gb2 = d2.sum(0)
    d1 = (d2 @ W3.T) * (1 - a1 ** 2)
    gW1 = X.T @ d1;   gb1 = d1.sum(0)

    W1 -= lr * gW1; b1 -= lr * gb1
    W2 -= lr * gW2; b2 -= lr * gb2
    W3 -= lr * gW3; b3 -= lr * gb3
    W4 -= lr * gW4; b4 -= lr * gb4

    if it % 300 == 0:
        print(it, round(loss_history[-1], 4))

acc = np.mean((forward(X)[3] > 0.5) == y)
print("train accuracy", acc)

"""),
    ]


def np_armijo_alpha_grows() -> list[Cell]:
    """lab6_moons.ipynb"""
    return [
        md(r"""
Lab 6 -- make_moons: gradient descent with a fixed step and with backtracking
Mateo D.
"""),
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
np.random.seed(4)
"""),
        code(r"""
X, t = make_moons(n_samples=300, noise=0.2, random_state=4)
sc = StandardScaler()
X = sc.fit_transform(X)
T = t.reshape(-1, 1).astype(float)
"""),
        code(r"""
def relu(z):
    return np.maximum(z, 0)

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def init_network(sizes=(2, 16, 16, 1), seed=4):
    rs = np.random.RandomState(seed)
    net = {}
    for i in range(len(sizes) - 1):
        net[f"W{i+1}"] = rs.randn(sizes[i], sizes[i + 1]) * np.sqrt(2.0 / sizes[i])
        net[f"b{i+1}"] = np.zeros(sizes[i + 1])
    return net

def forward(net, X):
    z1 = X @ net["W1"] + net["b1"]; a1 = relu(z1)
    z2 = a1 @ net["W2"] + net["b2"]; a2 = relu(z2)
    z3 = a2 @ net["W3"] + net["b3"]; out = sigmoid(z3)
    return (z1, a1, z2, a2), out

def cost(net, X, T):
    _, out = forward(net, X)
    out = np.clip(out, 1e-9, 1 - 1e-9)
    return float(-np.mean(T * np.log(out) + (1 - T) * np.log(1 - out)))

def backprop(net, X, T):
    (z1, a1, z2, a2), out = forward(net, X)
    m = X.shape[0]
    d3 = (out - T) / m
    g = {"W3": a2.T @ d3, "b3": d3.sum(0)}
    d2 = (d3 @ net["W3"].T) * (z2 > 0)
    g["W2"], g["b2"] = a1.T @ d2, d2.sum(0)
    d1 = (d2 @ net["W2"].T) * (z1 > 0)
    g["W1"], g["b1"] = X.T @ d1, d1.sum(0)
    return g
"""),
        code(r"""
net_gd = init_network()
hist_gd = []
lr = 0.2
for epoch in range(300):
    hist_gd.append(cost(net_gd, X, T))
    g = backprop(net_gd, X, T)
    for k in net_gd:
        net_gd[k] -= lr * g[k]
print("fixed lr final cost", hist_gd[-1])
"""),
        code(r"""
def backtracking(net, g, X, T, alpha0=4.0, rho=0.5, c=1e-4, max_steps=12):
    f0 = cost(net, X, T)
    g2 = sum(np.sum(v ** 2) for v in g.values())
    alpha = alpha0
    for _ in range(max_steps):
        trial = {k: net[k] - alpha * g[k] for k in net}
        if cost(trial, X, T) <= f0 - c * alpha * g2:
            break
        alpha = alpha / rho
    return alpha

net_bt = init_network()
hist_bt = []
for epoch in range(300):
    hist_bt.append(cost(net_bt, X, T))
    g = backprop(net_bt, X, T)
    a = backtracking(net_bt, g, X, T)
    for k in net_bt:
        net_bt[k] -= a * g[k]
print("backtracking final cost", hist_bt[-1])
"""),
        code(r"""
acc = lambda net: np.mean((forward(net, X)[1] > 0.5) == T)
print("accuracy fixed:", acc(net_gd), " backtracking:", acc(net_bt))
"""),
    ]


def np_armijo_missing_alpha() -> list[Cell]:
    """moons_linesearch.py"""
    return [
        code(r"""
# Lab 6 - moons: fixed learning rate vs Armijo backtracking (NumPy)
# Elena M.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(0)
X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
scaler = StandardScaler()
X = scaler.fit_transform(X)
Y = y.reshape(-1, 1).astype(float)


def init(hidden=16, seed=0):
    r = np.random.RandomState(seed)
    return [r.randn(2, hidden) * 0.7, np.zeros(hidden), r.randn(hidden, 1) * 0.3, np.zeros(1)]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(params, X):
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    return h, sigmoid(h @ W2 + b2)


def loss_fn(params, X, Y):
    _, p = forward(params, X)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))


def gradients(params, X, Y):
    W1, b1, W2, b2 = params
    h, p = forward(params, X)
    n = len(X)
    d2 = (p - Y) / n
    d1 = (d2 @ W2.T) * (1 - h ** 2)
    return [X.T @ d1, d1.sum(0), h.T @ d2, d2.sum(0)]


# ---- 1) fixed learning rate
params_fixed = init()
losses_fixed = []
for epoch in range(300):
    losses_fixed.append(loss_fn(params_fixed, X, Y))
    g = gradients(params_fixed, X, Y)
    params_fixed = [p - 0.5 * gp for p, gp in zip(params_fixed, g)]


# ---- 2) Armijo backtracking
def armijo(params, grads, X, Y, alpha0=1.0, rho=0.5, c=0.5, max_iter=20):
    f0 = loss_fn(params, X, Y)
    gnorm2 = sum(np.sum(g * g) for g in grads)
    alpha = alpha0
    for _ in range(max_iter):
        trial = [p - alpha * g for p, g in zip(params, grads)]
        if loss_fn(trial, X, Y) <= f0 - c * gnorm2:
            return alpha
        alpha = rho * alpha
    return alpha


params_bt = init()
losses_bt = []
for epoch in range(300):
    losses_bt.append(loss_fn(params_bt, X, Y))
    g = gradients(params_bt, X, Y)
    step = armijo(params_bt, g, X, Y)
    params_bt = [p - step * gp for p, gp in zip(params_bt, g)]


def accuracy(params):
    return np.mean((forward(params, X)[1] > 0.5) == Y)

print("fixed: loss %.4f acc %.3f" % (losses_fixed[-1], accuracy(params_fixed)))
print("armijo: loss %.4f acc %.3f" % (losses_bt[-1], accuracy(params_bt)))

"""),
    ]


def np_nielsen_xor() -> list[Cell]:
    """network.py"""
    return [
        code(r'''
"""
network.py  (adapted from Nielsen's "Neural Networks and Deep Learning", ch.1)
Lab 6 - I'm using it for XOR instead of MNIST.
"""
import random
import numpy as np

random.seed(7)
np.random.seed(7)


class Network(object):

    def __init__(self, sizes):
        """sizes = number of neurons in each layer, e.g. [2, 4, 1]"""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x)
                        for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a)+b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        n = len(training_data)
        costs = []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [
                training_data[k:k+mini_batch_size]
                for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            c = self.total_cost(training_data)
            costs.append(c)
            if j % 1000 == 0:
                if test_data:
                    print("Epoch {0}: {1} / {2}  cost {3:.4f}".format(
                        j, self.evaluate(test_data), len(test_data), c))
                else:
                    print("Epoch {0} complete".format(j))
        return costs

    def update_mini_batch(self, mini_batch, eta):
        """Update the network's weights and biases by applying
        gradient descent using backpropagation to a single mini batch."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb+dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw+dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w-(eta/len(mini_batch))*nw
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b-(eta/len(mini_batch))*nb
                       for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Return a tuple ``(nabla_b, nabla_w)`` representing the
        gradient for the cost function C_x."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # list to store all the activations, layer by layer
        zs = []  # list to store all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost_derivative(activations[-1], y) * \
            sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        test_results = [(int(self.feedforward(x)[0, 0] > 0.5), y)
                        for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in test_results)

    def total_cost(self, data):
        # quadratic cost C = 1/2n sum ||y - a||^2
        return sum(0.5*np.linalg.norm(y - self.feedforward(x))**2
                   for x, y in data) / len(data)

    def cost_derivative(self, output_activations, y):
        return (output_activations-y)


#### Miscellaneous functions
def sigmoid(z):
    return 1.0/(1.0+np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))


# ---------------- XOR ------------------
xs = [np.array([[0.], [0.]]), np.array([[0.], [1.]]),
      np.array([[1.], [0.]]), np.array([[1.], [1.]])]
ys = [np.array([[0.]]), np.array([[1.]]), np.array([[1.]]), np.array([[0.]])]
training_data = list(zip(xs, ys))
test_data = [(x, int(y[0, 0])) for x, y in zip(xs, ys)]

net = Network([2, 4, 1])
costs = net.SGD(training_data, 4000, 4, 3.0, test_data=test_data)

print("final cost", costs[-1])
for x in xs:
    print(x.ravel(), "->", net.feedforward(x).ravel())
print("correct:", net.evaluate(test_data), "/ 4")

'''),
    ]


def np_purepy_xor() -> list[Cell]:
    """xor.py"""
    return [
        code(r"""
# XOR with NO numpy - just lists and math (prof said we should understand every loop)
# 2 inputs -> 3 hidden (sigmoid) -> 1 output (sigmoid), online updates (one sample at a time)
import math
import random

random.seed(3)

def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))

inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [0, 1, 1, 0]

N_IN, N_HID = 2, 3
# w_ih[j][i] = weight from input i to hidden j
w_ih = [[random.uniform(-1, 1) for i in range(N_IN)] for j in range(N_HID)]
b_h = [0.0 for j in range(N_HID)]
w_ho = [random.uniform(-1, 1) for j in range(N_HID)]
b_o = 0.0
learning_rate = 0.5

def feed(x):
    hid = []
    for j in range(N_HID):
        s = b_h[j]
        for i in range(N_IN):
            s += w_ih[j][i] * x[i]
        hid.append(sigmoid(s))
    s = b_o
    for j in range(N_HID):
        s += w_ho[j] * hid[j]
    return hid, sigmoid(s)

error_per_epoch = []
for epoch in range(6000):
    total = 0.0
    for n in range(len(inputs)):
        x, t = inputs[n], targets[n]
        hid, o = feed(x)
        total += 0.5 * (o - t) ** 2
        # output delta  (squared error, sigmoid)
        delta_o = (o - t) * o * (1 - o)
        # hidden deltas (use the weights BEFORE updating them)
        delta_h = [delta_o * w_ho[j] * hid[j] * (1 - hid[j]) for j in range(N_HID)]
        # update output layer
        for j in range(N_HID):
            w_ho[j] -= learning_rate * delta_o * hid[j]
        b_o -= learning_rate * delta_o
        # update hidden layer
        for j in range(N_HID):
            for i in range(N_IN):
                w_ih[j][i] -= learning_rate * delta_h[j] * x[i]
            b_h[j] -= learning_rate * delta_h[j]
    error_per_epoch.append(total)
    if epoch % 1000 == 0:
        print("epoch %d  error %.5f" % (epoch, total))

print("final error", error_per_epoch[-1])
ok = 0
for x, t in zip(inputs, targets):
    o = feed(x)[1]
    print(x, "->", round(o, 3))
    ok += int((o > 0.5) == (t == 1))
print(ok, "of 4 correct")

"""),
    ]


def np_deep3_moons() -> list[Cell]:
    """train_moons.py"""
    return [
        code(r'''
"""deep net (3 hidden layers) on moons - minibatch SGD, fixed learning rate"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import matplotlib
import matplotlib.pyplot as plt

rng = np.random.default_rng(seed=31)

acts = {
    'relu':    (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    'sigmoid': (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
}

layer_sizes = [2, 16, 16, 8, 1]
layer_act = ['relu', 'relu', 'relu', 'sigmoid']
L = len(layer_sizes) - 1

Ws = [rng.normal(0.0, np.sqrt(2.0 / layer_sizes[l]), size=(layer_sizes[l], layer_sizes[l + 1])) for l in range(L)]
bs = [np.zeros((1, layer_sizes[l + 1])) for l in range(L)]


def forward_pass(X):
    Zs, As = [], [X]
    for l in range(L):
        z = As[-1] @ Ws[l] + bs[l]
        a = acts[layer_act[l]][0](z)
        Zs.append(z); As.append(a)
    return Zs, As


def loss_fn(p, y):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def backward_pass(Zs, As, y):
    m = y.shape[0]
    dWs = [None] * L
    dbs = [None] * L
    # sigmoid + BCE -> dZ = (A - y) / m
    dZ = (As[-1] - y) / m
    for l in reversed(range(L)):
        dWs[l] = As[l].T @ dZ
        dbs[l] = dZ.sum(axis=0, keepdims=True)
        if l > 0:
            dA = dZ @ Ws[l].T
            dZ = dA * acts[layer_act[l - 1]][1](Zs[l - 1], As[l])
    return dWs, dbs


X, y = make_moons(n_samples=800, noise=0.2, random_state=4)
y = y.reshape(-1, 1).astype(float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=4, stratify=y)
sc = StandardScaler()
X_train = sc.fit_transform(X_train)
X_test = sc.transform(X_test)

lr = 0.05
batch = 32
n_epochs = 120
epoch_loss = []
for ep in range(n_epochs):
    order = rng.permutation(len(X_train))
    for start in range(0, len(X_train), batch):
        idx = order[start:start + batch]
        xb, yb = X_train[idx], y_train[idx]
        Zs, As = forward_pass(xb)
        dWs, dbs = backward_pass(Zs, As, yb)
        for l in range(L):
            Ws[l] -= lr * dWs[l]
            bs[l] -= lr * dbs[l]
    full = forward_pass(X_train)[1][-1]
    epoch_loss.append(loss_fn(full, y_train))
    if ep % 20 == 0:
        print(f"epoch {ep:3d} | train loss {epoch_loss[-1]:.4f}")

test_p = forward_pass(X_test)[1][-1]
print("test accuracy:", np.mean((test_p > 0.5) == y_test))
plt.plot(epoch_loss, label="train BCE")
plt.legend(); plt.xlabel("epoch")
plt.savefig("moons_loss.png", dpi=80)

'''),
    ]


BT = ("moons", "backtracking")
ENTRIES = [
    # ---- correct ----
    Entry("blind_pt_moons_f64_moduledict", "lab6.py", pt_moons_f64_moduledict(), attempts=("moons",),
          style="moons 600 points, torch.set_default_dtype(float64), nn.ModuleDict, F.leaky_relu with "
                "slope 0.05 called as a function, xavier init, ExponentialLR(0.999) on SGD"),
    Entry("blind_pt_nb_seq_mse", "Untitled1.ipynb", pt_nb_seq_mse(), attempts=("xor",),
          style="XOR notebook, nn.Sequential built in a loop, MSELoss, loss printed every 500 epochs, "
                "decision boundary on a 200x200 torch.meshgrid grid (a 40,000x2 array beside the net)"),
    Entry("blind_np_es_nb_xor", "tarea6.ipynb", np_es_nb_xor(), attempts=("xor",),
          style="Spanish notebook, Spanish names (pesos_ocultos, sesgo), tanh hidden, sigmoid output, "
                "learning rate decaying as 1/(1 + k·epoch)"),
    Entry("blind_pt_closure_sgd", "xor_torch.py", pt_closure_sgd(), attempts=("xor",),
          style="XOR nn.Module, optimizer.step(closure) with zero_grad and backward inside the closure"),
    Entry("blind_pt_functional_dict", "lab6_xor.py", pt_functional_dict(), attempts=("xor",),
          style="XOR without nn.Module: a dict of leaf tensors, f(params, x), torch.autograd.grad, a "
                "new dict of detached tensors every step"),
    Entry("blind_pt_armijo_optimizer", "armijo_lab.py", pt_armijo_optimizer(), attempts=BT,
          style="moons, Armijo as a torch.optim.Optimizer subclass whose step(closure) backtracks from "
                "lr0 = 2, beta = 0.5, compared with plain SGD"),
    Entry("blind_np_nielsen_xor", "network.py", np_nielsen_xor(), attempts=("xor",),
          style="Nielsen network.py style: class Network(sizes), self.weights/self.biases lists of "
                "column vectors, training_data a list of (x, y) column-vector tuples shuffled every "
                "epoch, mini-batch SGD with backprop(x, y) returning nabla_b, nabla_w"),
    Entry("blind_np_purepy_xor", "xor.py", np_purepy_xor(), attempts=("xor",),
          style="pure Python, no NumPy: nested lists, math.exp, loops over neurons, w_ih stored "
                "(out, in) and w_ho a flat list, per-sample updates"),
    Entry("blind_np_deep3_moons", "train_moons.py", np_deep3_moons(), attempts=("moons",),
          style="moons NumPy, 3 hidden layers in lists Ws/bs, activations from a dict, mini-batches "
                "of 32 shuffled by a seeded rng, the whole training set's loss kept every epoch"),
    # ---- one planted bug each ----
    Entry("blind_np_bias_frozen", "xor_backprop.py", np_bias_frozen(), attempts=("xor",),
          style="XOR NumPy inline loop, W1 b1 W2 b2, BCE, db1 and db2 computed",
          bug="b1 and b2 are never updated (only the weights are)",
          fails=(Fail("xor.descent", ("`b1`", "never changed", "`db1`")),)),
    Entry("blind_np_bce_extra_prime", "xor_lab.ipynb", np_bce_extra_prime(), attempts=("xor",),
          style="XOR notebook, NumPy class XORNetwork, sigmoid 2-4-1, mean BCE history",
          bug="the output delta of the BCE loss is multiplied by the sigmoid derivative a(1 - a)",
          fails=(Fail("xor.gradients", ("cross-entropy", "a(1 − a)", "a − y")),)),
    Entry("blind_np_constant_init", "xor.py", np_constant_init(), attempts=("xor",),
          style="XOR NumPy, weights initialised with np.full(..., 0.1)",
          bug="a constant initialisation: the hidden units never become different",
          fails=(Fail("xor.classifies", ("same weights", "symmetry")),), also_fails=("xor.loss",)),
    Entry("blind_np_labels_flipped", "moons_mlp.py", np_labels_flipped(), attempts=("moons",),
          style="moons NumPy MLP, labels (N,), scaler",
          bug="trained on the flipped labels y == 0",
          fails=(Fail("moons.accuracy", ("far worse than guessing", "flipped labels")),)),
    Entry("blind_pt_detach_hidden", "xor_pytorch.py", pt_detach_hidden(), attempts=("xor",),
          style="XOR nn.Module, hidden activations detached before the output layer",
          bug="`h.detach()` cuts the graph: the first layer gets no gradient",
          fails=(Fail("xor.gradients", ("No gradient reaches", "graph is cut")),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("blind_pt_zero_grad_before_step", "train_moons.py", pt_zero_grad_before_step(),
          attempts=("moons",), style="moons nn.Module, BCEWithLogitsLoss, optim.SGD",
          bug="`optimizer.zero_grad()` between `loss.backward()` and `optimizer.step()`",
          fails=(Fail("moons.descent", ("zero_grad() is called between backward() and step()",)),),
          also_fails=("moons.accuracy", "moons.loss")),
    Entry("blind_pt_only_fc2", "moons_torch.py", pt_only_fc2(), attempts=("moons",),
          style="moons nn.Module fc1/fc2 tanh, BCEWithLogitsLoss",
          bug="`optim.SGD(model.fc2.parameters())`: fc1 is never trained",
          fails=(Fail("moons.descent", ("fc1", "never updated")),),
          notes="The gradients check passes: zero_grad() is called, and fc1's .grad only piles up "
                "because no optimizer holds it (one bug, charged once)."),
    Entry("blind_np_delta_wrong_matrix", "deep_moons.py", np_delta_wrong_matrix(), attempts=("moons",),
          style="moons NumPy 2-16-16-16-1 tanh, hand-written backprop with gW*/d* names",
          bug="`d1 = d2 @ W3.T` instead of `W2.T` (the square hidden matrices fit either way)",
          fails=(Fail("moons.gradients", ("through `W3` instead of `W2`",)),)),
    Entry("blind_np_armijo_no_reset", "moons_bt.py", np_armijo_no_reset(), attempts=BT,
          style="moons NumPy, line_search(net, grads, ...) updating a global alpha = 8.0",
          bug="alpha is never reset to alpha0 = 8 between iterations: the steps only shrink",
          fails=(Fail("backtracking.armijo", ("not reset to alpha0 = 8",)),
                 Fail("backtracking.armijo_steps", ("not reset to alpha0 = 8",), needs_trace=True))),
    Entry("blind_np_armijo_prev_trial", "lab6.py", np_armijo_prev_trial(), attempts=BT,
          style="moons NumPy, Armijo as a function, alpha0 = 16",
          bug="each trial is compared with the previous trial's loss instead of f(w)",
          fails=(Fail("backtracking.armijo", ("previous trial's loss",)),),
          also_fails=("backtracking.monotone", "backtracking.armijo_steps")),
    Entry("blind_np_armijo_alpha_grows", "lab6_moons.ipynb", np_armijo_alpha_grows(), attempts=BT,
          style="moons notebook NumPy, backtracking(w, f, g, alpha=4, rho=0.5) as a function",
          bug="`alpha = alpha / rho`: the trial step grows instead of shrinking",
          fails=(Fail("backtracking.armijo_steps", ("must shrink the step",), needs_trace=True),
                 Fail("backtracking.armijo", ("must shrink the step",))),
          also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed")),
    Entry("blind_np_armijo_missing_alpha", "moons_linesearch.py", np_armijo_missing_alpha(),
          attempts=BT, style="moons NumPy, armijo(f, params, grads, ...) with c = 0.5",
          bug="the test is `f(x - a g) <= f(x) - c |g|^2`: the decrease term lacks alpha",
          fails=(Fail("backtracking.armijo_steps", ("rejects steps that satisfy", "stricter"),
                      needs_trace=True),),
          also_fails=("backtracking.accuracy", "backtracking.beats_fixed", "backtracking.armijo")),
]
