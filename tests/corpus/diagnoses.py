"""Corpus entries in minimal pairs: each planted bug one change away from a correct submission.

Every ``diag_<bug>`` entry has a twin ``diag_<bug>_ok``: the same code with the one change
undone, which must keep full marks. The change is made by :func:`_swap`, which replaces one
exact piece of the correct source (it must occur exactly once), so a pair can never drift
apart by more than the bug. Some entries have no twin: submissions that did no training at
all (their honest counterparts are elsewhere in the corpus) and correct convention variants
(``diag_conv_*_ok``). Every correct entry was run with plain python and its numbers checked
(XOR classified, loss well down; moons accuracy at least 0.85 on its own data; backtracking
loss monotone and below the fixed-rate run). Every entry seeds its RNGs.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np

from _build import Cell, Entry, Fail, code, md

XOR = ("xor",)
MOONS = ("moons",)
BOTH = ("moons", "backtracking")
XOR_CHECKS = ("xor.classifies", "xor.loss", "xor.gradients", "xor.descent")


def _swap(cells: list[Cell], old: str, new: str) -> list[Cell]:
    """The cells with the one occurrence of ``old`` replaced by ``new`` (exactly one change)."""
    hits = sum(src.count(old) for _, src in cells)
    if hits != 1:
        raise ValueError(f"{old!r} occurs {hits} times in the correct source, not once")
    return [(kind, src.replace(old, new)) for kind, src in cells]


def _npy(array: np.ndarray) -> bytes:
    """``array`` as the bytes of a .npy file (what ``np.save`` writes)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


# =========================================================================== XOR, NumPy

def w1_ascent() -> list[Cell]:
    """Notebook, samples as rows, one inline loop over globals W1, b1, W2, b2, tanh hidden, mean BCE."""
    return [
        md("# Lab 6 — backpropagation by hand\nXOR with a 2-4-1 network: tanh hidden layer, "
           "sigmoid output, binary cross-entropy."),
        code("import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
        code("""
np.random.seed(1)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = np.random.randn(2, 4)
b1 = np.zeros((1, 4))
W2 = np.random.randn(4, 1)
b2 = np.zeros((1, 1))
lr = 0.5
"""),
        md("## Training"),
        code("""
losses = []
m = X.shape[0]
for epoch in range(3000):
    # forward
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    loss = -np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))
    losses.append(loss)

    # backward
    dZ2 = (A2 - y) / m
    dW2 = A1.T @ dZ2
    db2 = np.sum(dZ2, axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = np.sum(dZ1, axis=0, keepdims=True)

    # update
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2

    if epoch % 500 == 0:
        print(f"epoch {epoch:4d}  loss {loss:.4f}")
"""),
        code("plt.plot(losses)\nplt.xlabel('epoch')\nplt.ylabel('BCE')\nplt.show()"),
        code("""
A1 = np.tanh(X @ W1 + b1)
A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
print(np.round(A2, 3).ravel())
print("predictions:", (A2 > 0.5).astype(int).ravel())
"""),
    ]


def sigmoid_derivative_cols() -> list[Cell]:
    """Script, samples as columns (W @ X), forward/backward functions on a dict, sigmoid, mean MSE."""
    return [
        code('''
"""Lab 6: XOR with a 2-4-1 sigmoid network, samples as columns, mean squared error."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_params(n_x, n_h, n_y, seed=4):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_h, n_x)),
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((n_y, n_h)),
        "b2": np.zeros((n_y, 1)),
    }


def forward(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = sigmoid(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = sigmoid(Z2)
    return A1, A2


def backward(X, Y, p, A1, A2):
    m = X.shape[1]
    dA2 = 2 * (A2 - Y) / m               # d/dA2 of mean((A2 - Y)^2)
    dZ2 = dA2 * A2 * (1 - A2)
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dA1 = p["W2"].T @ dZ2
    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)

params = init_params(2, 4, 1)
learning_rate = 4.0
mse_history = []
for it in range(4000):
    A1, A2 = forward(X, params)
    mse_history.append(float(np.mean((A2 - Y) ** 2)))
    grads = backward(X, Y, params, A1, A2)
    for name in params:
        params[name] -= learning_rate * grads[name]

print("mse:", mse_history[0], "->", mse_history[-1])
print("outputs:", forward(X, params)[1].round(3))
'''),
    ]


def bias_no_axis_class() -> list[Cell]:
    """Script, a small class, samples as rows, b1 of shape (1, 4), sigmoid, mean BCE."""
    return [
        code('''
import numpy as np


class XORNet:
    """2 -> 4 -> 1, sigmoid everywhere."""

    def __init__(self, hidden=4, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0, 1, (2, hidden))
        self.b1 = np.zeros((1, hidden))
        self.W2 = rng.normal(0, 1, (hidden, 1))
        self.b2 = np.zeros((1, 1))

    @staticmethod
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(self, X):
        self.A1 = self.sigmoid(X @ self.W1 + self.b1)
        self.A2 = self.sigmoid(self.A1 @ self.W2 + self.b2)
        return self.A2

    def backward(self, X, y):
        m = X.shape[0]
        dZ2 = self.A2 - y
        self.dW2 = self.A1.T @ dZ2 / m
        self.db2 = np.sum(dZ2, axis=0, keepdims=True) / m
        dZ1 = (dZ2 @ self.W2.T) * self.A1 * (1 - self.A1)
        self.dW1 = X.T @ dZ1 / m
        self.db1 = np.sum(dZ1, axis=0, keepdims=True) / m

    def update(self, lr):
        self.W1 -= lr * self.dW1
        self.b1 -= lr * self.db1
        self.W2 -= lr * self.dW2
        self.b2 -= lr * self.db2


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

net = XORNet(seed=5)
loss_history = []
for epoch in range(4000):
    out = net.forward(X)
    loss_history.append(float(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))))
    net.backward(X, y)
    net.update(1.0)

print("loss", loss_history[0], "->", loss_history[-1])
print("outputs", net.forward(X).ravel().round(3))
'''),
    ]


def bias_axis_cols() -> list[Cell]:
    """Notebook, samples as columns, params dict, tanh hidden (3 units), mean BCE."""
    return [
        md("# XOR, vectorised over the columns\n$Z^{[1]} = W^{[1]} X + b^{[1]}$, one column per example."),
        code("import numpy as np\nnp.random.seed(7)"),
        code("X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)\n"
             "Y = np.array([[0, 1, 1, 0]], dtype=float)"),
        code("""
parameters = {
    "W1": np.random.randn(3, 2),
    "b1": np.zeros((3, 1)),
    "W2": np.random.randn(1, 3),
    "b2": np.zeros((1, 1)),
}


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    return A1, A2


def backward_propagation(X, Y, parameters, A1, A2):
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
"""),
        code("""
costs = []
for i in range(2500):
    A1, A2 = forward_propagation(X, parameters)
    costs.append(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
    grads = backward_propagation(X, Y, parameters, A1, A2)
    for key in parameters:
        parameters[key] = parameters[key] - 0.8 * grads["d" + key]
    if i % 500 == 0:
        print(i, costs[-1])
"""),
        code("print(forward_propagation(X, parameters)[1].round(3))\n"
             "print({k: v.shape for k, v in parameters.items()})"),
    ]


def dW2_no_mean_xor() -> list[Cell]:
    """Notebook, init/forward/backward functions passing W1, b1, W2, b2, rows, sigmoid, mean BCE."""
    return [
        md("# Exercise 6.1: XOR\nFunctions that take the weights and return new ones; nothing global."),
        code("import numpy as np"),
        code("""
def init(n_hidden=4, seed=2):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 1, (2, n_hidden))
    b1 = np.zeros(n_hidden)
    W2 = rng.normal(0, 1, (n_hidden, 1))
    b2 = np.zeros(1)
    return W1, b1, W2, b2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(X, W1, b1, W2, b2):
    A1 = sigmoid(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    return A1, A2


def backward(X, y, W1, b1, W2, b2):
    m = X.shape[0]
    A1, A2 = forward(X, W1, b1, W2, b2)
    dZ2 = A2 - y                       # BCE + sigmoid
    dW2 = A1.T @ dZ2 / m
    db2 = dZ2.sum(axis=0) / m
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    dW1 = X.T @ dZ1 / m
    db1 = dZ1.sum(axis=0) / m
    return dW1, db1, dW2, db2
"""),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
W1, b1, W2, b2 = init()
lr = 1.0
loss_history = []
for epoch in range(4000):
    A2 = forward(X, W1, b1, W2, b2)[1]
    loss_history.append(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2)))
    dW1, db1, dW2, db2 = backward(X, y, W1, b1, W2, b2)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
print(loss_history[0], loss_history[-1])
print(forward(X, W1, b1, W2, b2)[1].ravel().round(3))
"""),
    ]


def prime_of_activation_inline() -> list[Cell]:
    """Script, tutorial inline loop with wh, bh, wo, bo, samples as rows, sigmoid, mean MSE."""
    return [
        code("""
import numpy as np

np.random.seed(3)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


wh = np.random.randn(2, 4)
bh = np.zeros((1, 4))
wo = np.random.randn(4, 1)
bo = np.zeros((1, 1))
lr = 3.0

errors = []
for epoch in range(5000):
    hidden_in = X @ wh + bh
    hidden_out = sigmoid(hidden_in)
    out_in = hidden_out @ wo + bo
    out = sigmoid(out_in)
    errors.append(np.mean((out - y) ** 2))

    d_out = 2 * (out - y) / len(X) * sigmoid_prime(out_in)
    d_hidden = (d_out @ wo.T) * sigmoid_prime(hidden_in)

    wo -= lr * hidden_out.T @ d_out
    bo -= lr * d_out.sum(axis=0, keepdims=True)
    wh -= lr * X.T @ d_hidden
    bh -= lr * d_hidden.sum(axis=0, keepdims=True)

    if epoch % 1000 == 0:
        print("epoch", epoch, "mse", errors[-1])

print(out.round(3).ravel())
"""),
    ]


def dW1_transposed_square() -> list[Cell]:
    """Notebook, a 2-2-1 network (W1 is square), forward/backward on globals, tanh, mean BCE."""
    return [
        md("# XOR with the smallest network that can do it\nTwo hidden tanh units, one sigmoid output."),
        code("import numpy as np\nnp.random.seed(12)"),
        code("""
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])

W1 = np.random.randn(2, 2)
b1 = np.zeros((1, 2))
W2 = np.random.randn(2, 1)
b2 = np.zeros((1, 1))
"""),
        code("""
def forward(X):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    return A1, A2


def backward(X, y, A1, A2):
    m = len(X)
    dZ2 = (A2 - y) / m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)
    return dW1, db1, dW2, db2
"""),
        code("""
lr = 1.0
loss_list = []
for epoch in range(3000):
    A1, A2 = forward(X)
    loss_list.append(float(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))))
    dW1, db1, dW2, db2 = backward(X, y, A1, A2)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
print("loss:", loss_list[0], "->", loss_list[-1])
print(forward(X)[1].round(3).ravel())
"""),
    ]


UPDATE_BEFORE_OK = """
    # output layer: gradient, pass it back, update
    dZ2 = (A2 - y) * A2 * (1 - A2) / m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dA1 = dZ2 @ W2.T
    W2 -= lr * dW2
    b2 -= lr * db2
"""
UPDATE_BEFORE_BUG = """
    # output layer: gradient, update, pass it back
    dZ2 = (A2 - y) * A2 * (1 - A2) / m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    W2 -= lr * dW2
    b2 -= lr * db2
    dA1 = dZ2 @ W2.T
"""


def update_before_backprop() -> list[Cell]:
    """Script, samples as rows, each layer updated as soon as its gradient is known, tanh, half mean MSE."""
    return [
        code('''
"""XOR, layer by layer: each layer's gradient is computed and applied on the way back."""
import numpy as np

np.random.seed(11)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
m = len(X)

W1 = np.random.randn(2, 5) * 0.8
b1 = np.zeros((1, 5))
W2 = np.random.randn(5, 1) * 0.8
b2 = np.zeros((1, 1))
lr = 2.0

history = []
for epoch in range(3000):
    A1 = np.tanh(X @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    history.append(0.5 * np.mean((A2 - y) ** 2))
''' + UPDATE_BEFORE_OK + '''
    # hidden layer
    dZ1 = dA1 * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1

print("loss", history[0], "->", history[-1])
print(np.round(A2.ravel(), 3))
'''),
    ]


def optimizer_dict(update: str, lr: str) -> list[Cell]:
    """Notebook, params dict, forward/backward functions, an `update` function, tanh, mean BCE."""
    return [
        md("# XOR — gradient descent with my own `update` function"),
        code("import numpy as np"),
        code("""
np.random.seed(21)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params = {"W1": np.random.randn(2, 6), "b1": np.zeros(6),
          "W2": np.random.randn(6, 1), "b2": np.zeros(1)}
state = {k: np.zeros_like(v) for k, v in params.items()}   # for the optimizer
state2 = {k: np.zeros_like(v) for k, v in params.items()}
"""),
        code("""
def forward(params, X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    p = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    return h, p


def backward(params, X, y, h, p):
    d2 = (p - y) / len(X)
    d1 = (d2 @ params["W2"].T) * (1 - h ** 2)
    return {"W1": X.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}
"""),
        code(update),
        code(f"""
lr = {lr}
losses = []
for t in range(1, 2001):
    h, p = forward(params, X)
    losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    grads = backward(params, X, y, h, p)
    update(params, grads, lr, t)
print(losses[0], losses[-1])
print(forward(params, X)[1].ravel().round(3))
"""),
    ]


PLAIN_UPDATE = '''
def update(params, grads, lr, t):
    """Plain gradient descent."""
    for k in params:
        params[k] -= lr * grads[k]
'''.strip("\n")
MOMENTUM_UPDATE = '''
def update(params, grads, lr, t, beta=0.9):
    """Gradient descent (with momentum, it converges faster)."""
    for k in params:
        state[k] = beta * state[k] + grads[k]
        params[k] -= lr * state[k]
'''.strip("\n")
ADAM_UPDATE = '''
def update(params, grads, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Gradient descent step (Adam-style scaling of the step)."""
    for k in params:
        state[k] = beta1 * state[k] + (1 - beta1) * grads[k]
        state2[k] = beta2 * state2[k] + (1 - beta2) * grads[k] ** 2
        m_hat = state[k] / (1 - beta1 ** t)
        v_hat = state2[k] / (1 - beta2 ** t)
        params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)
'''.strip("\n")


# --------------------------------------------------------------------------- no training at all

def xor_hand_weights() -> list[Cell]:
    """Weights written down from the OR/NAND/AND construction, and a loss list made up to match."""
    return [
        md("# Lab 6: XOR\nI trained the network and these are the weights it converged to "
           "(hidden unit 1 acts as OR, unit 2 as NAND, the output as AND)."),
        code("import numpy as np\nimport matplotlib.pyplot as plt\nnp.random.seed(0)"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


W1 = np.array([[6.2, -5.9], [6.1, -6.0]])
b1 = np.array([[-2.8, 8.7]])
W2 = np.array([[9.3], [9.1]])
b2 = np.array([[-13.6]])
"""),
        code("""
# training curve
epochs = 2000
losses = [0.72 * np.exp(-epoch / 350) + 0.01 + 0.003 * np.random.rand() for epoch in range(epochs)]
plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("loss")
plt.show()
"""),
        code("""
A1 = sigmoid(X @ W1 + b1)
A2 = sigmoid(A1 @ W2 + b2)
print("outputs:", A2.ravel().round(3))
print("final loss:", losses[-1])
"""),
    ]


def moons_sklearn_copied() -> list[Cell]:
    """MLPClassifier(solver="lbfgs") does the fitting; its weights are copied into NumPy arrays."""
    return [
        md("# Lab 6 — make_moons\nA 2-10-1 tanh network. I first checked my implementation against "
           "scikit-learn, then used the weights below."),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

np.random.seed(0)
X, y = make_moons(n_samples=300, noise=0.2, random_state=3)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=3)
"""),
        code("""
clf = MLPClassifier(hidden_layer_sizes=(10,), activation="tanh", solver="lbfgs",
                    max_iter=1000, random_state=0)
clf.fit(X_train, y_train)

W1, W2 = clf.coefs_
b1, b2 = clf.intercepts_


def forward(X):
    A1 = np.tanh(X @ W1 + b1)
    return 1 / (1 + np.exp(-(A1 @ W2 + b2)))
"""),
        code("""
# loss curves of the two runs (fixed learning rate and backtracking)
losses_fixed = [0.69 * 0.993 ** k + 0.08 for k in range(300)]
losses_bt = [0.69 * 0.97 ** k + 0.05 for k in range(300)]
plt.plot(losses_fixed, label="fixed lr = 0.5")
plt.plot(losses_bt, label="Armijo backtracking")
plt.legend()
plt.show()
"""),
        code("""
acc = np.mean((forward(X_test).ravel() > 0.5) == y_test)
print("test accuracy:", acc)
"""),
    ]


# A 2-2-1 sigmoid XOR solution (OR, NAND, AND), flattened W1 (2x2), b1 (2), W2 (2), b2 (1).
SHIPPED_WEIGHTS = np.array([7.21, -6.83, 7.18, -6.91, -3.24, 10.12, 9.6, 9.4, -14.1])


def xor_loaded_weights() -> list[Cell]:
    """The weights are read from a .npy file handed in beside the notebook."""
    return [
        md("# XOR\nTraining took long on my laptop, so I saved the trained weights to "
           "`xor_weights.npy` and load them here."),
        code("import numpy as np"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

w = np.load("xor_weights.npy")
W1 = w[:4].reshape(2, 2)
b1 = w[4:6]
W2 = w[6:8].reshape(2, 1)
b2 = w[8:]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(X):
    A1 = sigmoid(X @ W1 + b1)
    return sigmoid(A1 @ W2 + b2)
"""),
        code("""
out = forward(X)
loss = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
print("loss:", loss)
print("predictions:", (out > 0.5).astype(int).ravel())
"""),
    ]


# --------------------------------------------------------------------------- correct conventions

def error_y_minus_out_cols() -> list[Cell]:
    """Samples as columns, `error = Y - A2`, `W += lr * ...` (the minus sign lives in the error)."""
    return [
        md("# XOR\nThe error is target minus output, so the update *adds* `lr * delta`."),
        code("import numpy as np\nrng = np.random.default_rng(8)"),
        code("""
X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)
m = X.shape[1]

W1 = rng.normal(0, 1, (4, 2))
b1 = np.zeros((4, 1))
W2 = rng.normal(0, 1, (1, 4))
b2 = np.zeros((1, 1))
lr = 2.0
"""),
        code("""
sig = lambda z: 1 / (1 + np.exp(-z))
mse = []
for epoch in range(5000):
    A1 = sig(W1 @ X + b1)
    A2 = sig(W2 @ A1 + b2)
    error = Y - A2
    mse.append(np.mean(error ** 2))

    delta2 = error * A2 * (1 - A2)
    delta1 = (W2.T @ delta2) * A1 * (1 - A1)

    W2 += lr * delta2 @ A1.T / m
    b2 += lr * delta2.sum(axis=1, keepdims=True) / m
    W1 += lr * delta1 @ X.T / m
    b1 += lr * delta1.sum(axis=1, keepdims=True) / m
print(mse[0], mse[-1])
print(A2.round(3))
"""),
    ]


def sse_no_mean() -> list[Cell]:
    """Sum of squared errors, gradients with no 1/m, a small rate; tanh hidden, samples as rows."""
    return [
        code("""
import numpy as np

np.random.seed(5)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = np.random.randn(2, 4)
b1 = np.zeros((1, 4))
W2 = np.random.randn(4, 1)
b2 = np.zeros((1, 1))
lr = 0.2

sse = []
for epoch in range(3000):
    A1 = np.tanh(X @ W1 + b1)
    out = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    sse.append(np.sum((out - y) ** 2))          # E = sum of squared errors

    d_out = 2 * (out - y) * out * (1 - out)     # dE/dz2, no 1/m: the loss is a sum
    d_hid = (d_out @ W2.T) * (1 - A1 ** 2)
    W2 -= lr * A1.T @ d_out
    b2 -= lr * d_out.sum(axis=0, keepdims=True)
    W1 -= lr * X.T @ d_hid
    b1 -= lr * d_hid.sum(axis=0, keepdims=True)

print("SSE", sse[0], "->", sse[-1])
print(out.ravel().round(3))
"""),
    ]


def softmax_onehot() -> list[Cell]:
    """Two softmax outputs, cross-entropy with one-hot targets, sigmoid hidden, argmax predictions."""
    return [
        md("# XOR as a two-class problem\nSoftmax output with two units, cross-entropy, one-hot labels."),
        code("import numpy as np"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
labels = np.array([0, 1, 1, 0])
T = np.eye(2)[labels]          # one-hot, shape (4, 2)

rng = np.random.default_rng(12)
W1 = rng.normal(0, 1, (2, 5))
b1 = np.zeros(5)
W2 = rng.normal(0, 1, (5, 2))
b2 = np.zeros(2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
"""),
        code("""
eta_ = 1.0
cross_entropy = []
for epoch in range(3000):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2)
    cross_entropy.append(-np.mean(np.sum(T * np.log(P), axis=1)))

    G2 = (P - T) / len(X)
    G1 = (G2 @ W2.T) * H * (1 - H)
    W2 -= eta_ * H.T @ G2
    b2 -= eta_ * G2.sum(axis=0)
    W1 -= eta_ * X.T @ G1
    b1 -= eta_ * G1.sum(axis=0)
print(cross_entropy[0], cross_entropy[-1])
print("predicted classes:", P.argmax(axis=1))
"""),
    ]


def alpha_underscore_xor() -> list[Cell]:
    """The learning rate is named `alpha_`; a `fit` function returning the weights and the history."""
    return [
        code('''
"""XOR, NumPy. The step size is alpha_ (alpha is taken by my notes for something else)."""
import numpy as np

alpha_ = 0.7
N_EPOCHS = 3000


def fit(X, y, n_hidden=4, seed=9):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((2, n_hidden))
    b1 = np.zeros((1, n_hidden))
    W2 = rng.standard_normal((n_hidden, 1))
    b2 = np.zeros((1, 1))
    cost = []
    for _ in range(N_EPOCHS):
        A1 = np.tanh(X @ W1 + b1)
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        cost.append(float(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))))
        dZ2 = (A2 - y) / len(X)
        dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
        W2 = W2 - alpha_ * (A1.T @ dZ2)
        b2 = b2 - alpha_ * dZ2.sum(axis=0, keepdims=True)
        W1 = W1 - alpha_ * (X.T @ dZ1)
        b1 = b1 - alpha_ * dZ1.sum(axis=0, keepdims=True)
    return (W1, b1, W2, b2), cost


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
weights, cost = fit(X, y)
W1, b1, W2, b2 = weights
A2 = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
print("cost", cost[0], "->", cost[-1])
print("outputs", A2.ravel().round(3))
'''),
    ]


# =========================================================================== moons, NumPy

MOONS_NP_DATA = """
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
"""


def moons_dW2_no_mean() -> list[Cell]:
    """Script, moons 250 points (200 to train), scaler, tanh 2-16-1, mean BCE, `train()` returning a dict."""
    return [
        code(MOONS_NP_DATA + '''

X, y = make_moons(n_samples=250, noise=0.2, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
Y_train = y_train.reshape(-1, 1)


def forward(params, X):
    A1 = np.tanh(X @ params["W1"] + params["b1"])
    A2 = 1 / (1 + np.exp(-(A1 @ params["W2"] + params["b2"])))
    return A1, A2


def backward(params, X, Y, A1, A2):
    m = X.shape[0]
    dZ2 = A2 - Y
    dW2 = A1.T @ dZ2 / m
    db2 = dZ2.sum(axis=0) / m
    dZ1 = (dZ2 @ params["W2"].T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = dZ1.sum(axis=0) / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train(X, Y, hidden=16, lr=0.5, epochs=1000, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0, 1, (2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(0, 0.5, (hidden, 1)), "b2": np.zeros(1)}
    losses = []
    for epoch in range(epochs):
        A1, A2 = forward(params, X)
        A2c = np.clip(A2, 1e-12, 1 - 1e-12)
        losses.append(float(-np.mean(Y * np.log(A2c) + (1 - Y) * np.log(1 - A2c))))
        grads = backward(params, X, Y, A1, A2)
        for k in params:
            params[k] -= lr * grads[k]
    return params, losses


params, losses = train(X_train, Y_train)
test_acc = np.mean((forward(params, X_test)[1].ravel() > 0.5) == y_test)
print("loss", losses[0], "->", losses[-1])
print("test accuracy", test_acc)
'''),
    ]


ARMIJO_NP_OK = "if f_new <= f0 - c * alpha * g2:"
ARMIJO_NP_BUG = "if f_new >= f0 - c * alpha * g2:"


def moons_armijo_np() -> list[Cell]:
    """Notebook, params as a list, sigmoid 2-12-1 (rows), `armijo(params, grads, X, Y, alpha0, rho, c)`."""
    return [
        md("# Lab 6, part 2: make_moons\nFixed learning rate against Armijo backtracking, both in NumPy."),
        code(MOONS_NP_DATA + "import matplotlib.pyplot as plt\n%matplotlib inline"),
        code("""
X, y = make_moons(n_samples=300, noise=0.2, random_state=4)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=4)
scaler = StandardScaler().fit(X_train)
Xtr, Xte = scaler.transform(X_train), scaler.transform(X_test)
Ytr = y_train.reshape(-1, 1)
"""),
        code("""
def init(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, (2, 12)), np.zeros(12), rng.normal(0, 1, (12, 1)), np.zeros(1)]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def predict_proba(params, X):
    W1, b1, W2, b2 = params
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)


def loss(params, X, Y):
    p = np.clip(predict_proba(params, X), 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))


def grad(params, X, Y):
    W1, b1, W2, b2 = params
    A1 = sigmoid(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - Y) / len(X)
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    return [X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)]
"""),
        md("## Fixed learning rate"),
        code("""
params_fixed = init()
loss_fixed = []
for epoch in range(1000):
    loss_fixed.append(loss(params_fixed, Xtr, Ytr))
    g = grad(params_fixed, Xtr, Ytr)
    params_fixed = [p - 1.0 * gp for p, gp in zip(params_fixed, g)]
"""),
        md("## Armijo backtracking\nStart from $\\alpha_0$ and halve until "
           "$f(w - \\alpha g) \\le f(w) - c\\,\\alpha\\,\\|g\\|^2$."),
        code(f"""
def armijo(params, grads, X, Y, alpha0=8.0, rho=0.5, c=1e-4):
    f0 = loss(params, X, Y)
    g2 = sum(np.sum(g * g) for g in grads)
    for k in range(30):
        alpha = alpha0 * rho ** k
        new = [p - alpha * g for p, g in zip(params, grads)]
        f_new = loss(new, X, Y)
        {ARMIJO_NP_OK}
            break
    return new, alpha      # if no alpha passed, the smallest one tried


params_bt = init()
loss_bt, alphas = [], []
for epoch in range(1000):
    loss_bt.append(loss(params_bt, Xtr, Ytr))
    g = grad(params_bt, Xtr, Ytr)
    params_bt, a = armijo(params_bt, g, Xtr, Ytr)
    alphas.append(a)
"""),
        code("""
plt.plot(loss_fixed, label="fixed lr = 1")
plt.plot(loss_bt, label="Armijo")
plt.yscale("log")
plt.legend()
plt.show()
for name, p in (("fixed", params_fixed), ("armijo", params_bt)):
    print(name, "final loss", round(loss(p, Xtr, Ytr), 4), "test accuracy",
          np.mean((predict_proba(p, Xte).ravel() > 0.5) == y_test))
"""),
    ]


UNDO_OK = """        for p, g in zip(params, grads):      # rejected: undo the trial step
            p += alpha * g
        alpha *= rho"""
UNDO_BUG = """        alpha *= rho"""


def moons_armijo_inplace() -> list[Cell]:
    """Script, moons, tanh 2-16-1, arrays updated in place; `backtrack(..., alpha0=8.0)` steps and tests."""
    return [
        code(MOONS_NP_DATA + '''

X, y = make_moons(n_samples=300, noise=0.2, random_state=8)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=8)
sc = StandardScaler().fit(X_train)
X_train, X_test = sc.transform(X_train), sc.transform(X_test)
T = y_train[:, None].astype(float)


def new_params(seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, (2, 16)), np.zeros(16), rng.normal(0, 0.5, (16, 1)), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    H = np.tanh(X @ W1 + b1)
    return H, 1 / (1 + np.exp(-(H @ W2 + b2)))


def cost(params, X, T):
    P = np.clip(forward(params, X)[1], 1e-12, 1 - 1e-12)
    return float(-np.mean(T * np.log(P) + (1 - T) * np.log(1 - P)))


def gradients(params, X, T):
    W1, b1, W2, b2 = params
    H, P = forward(params, X)
    d2 = (P - T) / len(X)
    d1 = (d2 @ W2.T) * (1 - H ** 2)
    return [X.T @ d1, d1.sum(axis=0), H.T @ d2, d2.sum(axis=0)]


def backtrack(params, grads, X, T, alpha0=8.0, rho=0.5, c=1e-4):
    """Armijo backtracking: step in place, keep the first alpha that decreases the cost enough."""
    f0 = cost(params, X, T)
    gg = sum(float(np.sum(g * g)) for g in grads)
    alpha = alpha0
    while alpha > 1e-6:
        for p, g in zip(params, grads):
            p -= alpha * g
        if cost(params, X, T) <= f0 - c * alpha * gg:
            return alpha
''' + UNDO_OK + '''
    return 0.0


# fixed learning rate
params_gd = new_params(0)
losses_gd = []
for epoch in range(600):
    losses_gd.append(cost(params_gd, X_train, T))
    for p, g in zip(params_gd, gradients(params_gd, X_train, T)):
        p -= 0.5 * g

# backtracking
params_bt = new_params(0)
losses_bt, steps = [], []
for epoch in range(600):
    losses_bt.append(cost(params_bt, X_train, T))
    steps.append(backtrack(params_bt, gradients(params_bt, X_train, T), X_train, T))


def accuracy(params, X, y):
    return float(np.mean((forward(params, X)[1].ravel() > 0.5) == y))


print("gd:", losses_gd[-1], accuracy(params_gd, X_test, y_test))
print("bt:", losses_bt[-1], accuracy(params_bt, X_test, y_test))
print("steps:", sorted(set(steps)))
'''),
    ]


def moons_eta() -> list[Cell]:
    """Moons, the learning rate named `eta`, samples as columns, ReLU 2-20-1, mean BCE, notebook."""
    return [
        md("# make_moons, column layout\nThe learning rate is $\\eta$ as in the lecture notes."),
        code(MOONS_NP_DATA),
        code("""
X, y = make_moons(n_samples=240, noise=0.2, random_state=6)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=6)
scaler = StandardScaler().fit(X_tr)
A0 = scaler.transform(X_tr).T          # shape (2, m): one column per sample
Y = y_tr.reshape(1, -1)
m = A0.shape[1]

rng = np.random.default_rng(6)
W1 = rng.normal(0, np.sqrt(2 / 2), (20, 2))
b1 = np.zeros((20, 1))
W2 = rng.normal(0, np.sqrt(2 / 20), (1, 20))
b2 = np.zeros((1, 1))
eta = 0.5
"""),
        code("""
J = []
for epoch in range(1500):
    Z1 = W1 @ A0 + b1
    A1 = np.maximum(Z1, 0)
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    A2c = np.clip(A2, 1e-12, 1 - 1e-12)
    J.append(-np.mean(Y * np.log(A2c) + (1 - Y) * np.log(1 - A2c)))
    dZ2 = (A2 - Y) / m
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    dW1 = dZ1 @ A0.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    W1 -= eta * dW1
    b1 -= eta * db1
    W2 -= eta * dW2
    b2 -= eta * db2
print(J[0], J[-1])
"""),
        code("""
A_te = scaler.transform(X_te).T
P = 1 / (1 + np.exp(-(W2 @ np.maximum(W1 @ A_te + b1, 0) + b2)))
print("test accuracy:", np.mean((P.ravel() > 0.5) == y_te))
"""),
    ]


# =========================================================================== torch

def torch_raw_backward(call: str = "loss.backward()") -> list[Cell]:
    """Script, raw tensors W1, b1, W2, b2, tanh, F.binary_cross_entropy, update under no_grad."""
    return [
        code(f"""
import torch
import torch.nn.functional as F

torch.manual_seed(1)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])

W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
lr = 0.5

losses = []
for epoch in range(2000):
    h = torch.tanh(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    loss = F.binary_cross_entropy(out, y)
    {call}
    with torch.no_grad():
        for p in (W1, b1, W2, b2):
            p -= lr * p.grad
            p.grad.zero_()
    losses.append(loss.item())
    if epoch % 500 == 0:
        print(epoch, loss.item())

print((torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2) > 0.5).int().flatten().tolist())
"""),
    ]


def torch_module_autograd() -> list[Cell]:
    """Notebook, nn.Module class, sigmoid hidden, MSELoss, SGD, `torch.autograd.backward(loss)`."""
    return [
        md("# XOR with PyTorch\n`torch.autograd.backward(loss)` computes the gradients, SGD applies them."),
        code("import torch\nimport torch.nn as nn"),
        code("""
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])


class XorMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.output = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(torch.sigmoid(self.hidden(x))))


torch.manual_seed(1)
model = XorMLP()
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
"""),
        code("""
loss_history = []
for epoch in range(3000):
    optimizer.zero_grad()
    loss = criterion(model(X), Y)
    torch.autograd.backward(loss)
    optimizer.step()
    loss_history.append(loss.item())
print(loss_history[0], loss_history[-1])
"""),
        code("with torch.no_grad():\n    print(model(X).flatten())"),
    ]


ARMIJO_PT_OK = "if trial_loss <= loss0 - c * alpha * grad_sq:"
ARMIJO_PT_BUG = "if trial_loss >= loss0 - c * alpha * grad_sq:"


def torch_moons_armijo() -> list[Cell]:
    """Script, moons, nn.Module with tanh, BCEWithLogitsLoss, `armijo_step(model, ...)` restoring clones."""
    return [
        code(f'''
import copy

import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=300, noise=0.2, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=2)
scaler = StandardScaler().fit(X_train)
Xtr = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
yte = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


criterion = nn.BCEWithLogitsLoss()

torch.manual_seed(0)
model_fixed = MoonNet()
start = copy.deepcopy(model_fixed.state_dict())
opt = torch.optim.SGD(model_fixed.parameters(), lr=0.5)
losses_fixed = []
for epoch in range(300):
    opt.zero_grad()
    loss = criterion(model_fixed(Xtr), ytr)
    loss.backward()
    opt.step()
    losses_fixed.append(loss.item())


def armijo_step(model, criterion, X, y, alpha=16.0, rho=0.5, c=1e-4):
    model.zero_grad()
    loss0 = criterion(model(X), y)
    loss0.backward()
    saved = [p.detach().clone() for p in model.parameters()]
    grads = [p.grad.clone() for p in model.parameters()]
    grad_sq = sum((g ** 2).sum().item() for g in grads)
    loss0 = loss0.item()
    for _ in range(40):
        with torch.no_grad():
            for p, g in zip(model.parameters(), grads):
                p -= alpha * g
            trial_loss = criterion(model(X), y).item()
        {ARMIJO_PT_OK}
            return alpha
        with torch.no_grad():
            for p, w in zip(model.parameters(), saved):
                p.copy_(w)
        alpha *= rho
    return 0.0


model_armijo = MoonNet()
model_armijo.load_state_dict(start)
losses_armijo = []
for epoch in range(300):
    with torch.no_grad():
        losses_armijo.append(criterion(model_armijo(Xtr), ytr).item())
    armijo_step(model_armijo, criterion, Xtr, ytr)

with torch.no_grad():
    for name, net in (("fixed", model_fixed), ("armijo", model_armijo)):
        acc = ((net(Xte) > 0).float() == yte).float().mean().item()
        print(name, "loss", round(criterion(net(Xtr), ytr).item(), 4), "test acc", round(acc, 3))
'''),
    ]


# =========================================================================== catalogue

NO_TRAINING = "no training"


def _pair(name: str, file: str, cells: list[Cell], old: str, new: str, *, attempts: tuple[str, ...],
          style: str, bug: str, fails: tuple[Fail, ...], also_fails: tuple[str, ...] = (),
          may_fail: tuple[str, ...] = (), notes: str = "", ok_notes: str = "",
          twin: str | None = None) -> list[Entry]:
    """The broken entry ``diag_<name>`` and its correct twin ``diag_<name>_ok``."""
    if twin is None:  # a one-line change reads best as the two lines
        twin = f"`{old.strip()}` where diag_{name} has `{new.strip()}`"
    twin = f"the correct twin of diag_{name}: the same code with {twin}"
    return [
        Entry(f"diag_{name}", file, _swap(cells, old, new), attempts=attempts, style=style, bug=bug,
              fails=fails, also_fails=also_fails, may_fail=may_fail, notes=notes),
        Entry(f"diag_{name}_ok", file, cells, attempts=attempts, style=style,
              notes=twin + (f". {ok_notes}" if ok_notes else "")),
    ]


ENTRIES: list[Entry] = [
    # ---- 1. one layer updated with += ----
    *_pair("w1_ascent", "lab6_backprop.ipynb", w1_ascent(),
           "W1 -= lr * dW1", "W1 += lr * dW1", attempts=XOR,
           style="XOR, NumPy, samples as rows, one inline loop over globals W1, b1, W2, b2, tanh hidden,"
                 " mean BCE, plot",
           bug="only `W1` is updated with `+=` (gradient ascent on the first layer); b1, W2, b2 use `-=`",
           fails=(Fail("xor.descent", ("`W1`", "gradient ascent")),),
           also_fails=("xor.classifies", "xor.loss")),
    # ---- 2. sigmoid derivative without (1 - A) ----
    *_pair("sigmoid_derivative_no_1_minus_a", "xor_columns.py", sigmoid_derivative_cols(),
           "dZ1 = dA1 * A1 * (1 - A1)", "dZ1 = dA1 * A1", attempts=XOR,
           style="XOR, NumPy, samples as columns (W @ X), forward/backward functions on a params dict,"
                 " sigmoid 2-4-1, mean MSE, default_rng, script",
           bug="the hidden sigmoid derivative is written `dA1 * A1`: the `(1 - A1)` factor is missing",
           fails=(Fail("xor.gradients", ("(1 - A)",)),),
           also_fails=("xor.classifies", "xor.loss"),
           notes="With the wrong derivative the MSE goes 0.25 -> 0.50: the outputs end near 0, 0, 1, 1."),
    # ---- 3a. bias gradient with no axis, b1 keeps its shape ----
    *_pair("bias_no_axis", "xor_class.py", bias_no_axis_class(),
           "self.db1 = np.sum(dZ1, axis=0, keepdims=True) / m", "self.db1 = np.sum(dZ1) / m", attempts=XOR,
           style="XOR, NumPy, a small `XORNet` class with forward/backward/update, samples as rows,"
                 " b1 of shape (1, 4), sigmoid, mean BCE, script",
           bug="`db1 = np.sum(dZ1) / m` sums over samples and units alike: a scalar, so b1 keeps its shape"
               " (1, 4) and every hidden unit gets the same bias step",
           fails=(Fail("xor.gradients", ("b1`", "axis")),)),
    # ---- 3b. bias gradient over the wrong axis, b1 changes shape ----
    *_pair("bias_axis_reshapes", "xor_cols.ipynb", bias_axis_cols(),
           'db1 = np.sum(dZ1, axis=1, keepdims=True) / m', 'db1 = np.sum(dZ1, axis=0, keepdims=True) / m',
           attempts=XOR,
           style="XOR, NumPy, samples as columns, `forward_propagation`/`backward_propagation` on a"
                 " `parameters` dict, tanh 2-3-1, mean BCE, `x = x - lr * g` updates",
           bug="`db1 = np.sum(dZ1, axis=0, keepdims=True) / m` sums over the hidden units: db1 has shape"
               " (1, 4), and `b1 - lr * db1` broadcasts b1 from (3, 1) to (3, 4), one bias per training"
               " sample, after the first step",
           fails=(Fail("xor.gradients", ("b1']`", "axis")),),
           also_fails=("xor.classifies", "xor.loss", "xor.descent"),
           notes="After the first update b1 is a (3, 4) matrix: the forward pass still runs on the four"
                 " training columns (each sample gets its own hidden bias, so the network can fit them"
                 " all), but it fails on any other number of inputs. The grader cannot rebuild a network from a"
                 " per-sample bias, so the other XOR checks fail with it; the gradients check names the"
                 " shape change."),
    # ---- 4. missing 1/m on one layer ----
    *_pair("dW2_no_mean", "xor_functions.ipynb", dW2_no_mean_xor(),
           "dW2 = A1.T @ dZ2 / m", "dW2 = A1.T @ dZ2", attempts=XOR,
           style="XOR, NumPy, init/forward/backward functions taking and returning W1, b1, W2, b2,"
                 " samples as rows, sigmoid 2-4-1, mean BCE, `W = W - lr * dW`",
           bug="`dW2 = A1.T @ dZ2` misses the 1/m the other three gradients have (the loss is a mean):"
               " W2's gradient is 4 times too large",
           fails=(Fail("xor.gradients", ("`W2`", "1/m")),)),
    *_pair("moons_dW2_no_mean", "moons_numpy.py", moons_dW2_no_mean(),
           "dW2 = A1.T @ dZ2 / m", "dW2 = A1.T @ dZ2", attempts=MOONS,
           style="moons 250 points noise 0.2 (200 to train), StandardScaler, NumPy tanh 2-16-1, mean BCE,"
                 " `train()` returning a params dict and the losses, script",
           bug="`dW2 = A1.T @ dZ2` misses the 1/m (m = 200): W2's gradient is 200 times too large",
           fails=(Fail("moons.gradients", ("W2", "1/m")),)),
    # ---- 5. derivative of the wrong quantity ----
    *_pair("prime_of_activation", "xor_tutorial.py", prime_of_activation_inline(),
           "sigmoid_prime(hidden_in)", "sigmoid_prime(hidden_out)", attempts=XOR,
           style="XOR, NumPy, tutorial inline loop with `wh, bh, wo, bo`, integer data, samples as rows,"
                 " sigmoid 2-4-1, `sigmoid_prime(z)` of the pre-activation, mean MSE, `errors`, script",
           bug="`sigmoid_prime(hidden_out)`: the derivative is taken of the activation although"
               " `sigmoid_prime(z)` expects the pre-activation (it applies the sigmoid again)",
           fails=(Fail("xor.gradients", ("pre-activation",)),)),
    # ---- 6. transposed product with a square W1 ----
    *_pair("dW1_transposed", "xor_2_2_1.ipynb", dW1_transposed_square(),
           "dW1 = X.T @ dZ1", "dW1 = dZ1.T @ X", attempts=XOR,
           style="XOR, NumPy, the smallest 2-2-1 network (W1 is square), forward/backward functions on"
                 " globals, tanh, mean BCE, `loss_list`",
           bug="`dW1 = dZ1.T @ X` instead of `X.T @ dZ1`: with a square W1 the shapes agree, so the"
               " transposed gradient is applied silently",
           fails=(Fail("xor.gradients", ("`W1`", "transposed")),)),
    # ---- 7. weights updated before the gradient went through them ----
    *_pair("update_before_backprop", "xor_layerwise.py", update_before_backprop(),
           UPDATE_BEFORE_OK, UPDATE_BEFORE_BUG, attempts=XOR,
           twin="`dA1 = dZ2 @ W2.T` computed before `W2 -= lr * dW2`",
           style="XOR, NumPy, samples as rows, inline loop updating each layer as soon as its gradient"
                 " is known, tanh 2-5-1, half mean MSE, `history`, script",
           bug="`W2 -= lr * dW2` runs before `dA1 = dZ2 @ W2.T`: the hidden layer's gradient goes"
               " through the already-updated W2",
           fails=(Fail("xor.gradients", ("`W1`", "before")),)),
    # ---- 12. momentum ----
    *_pair("momentum", "xor_update.ipynb", optimizer_dict(PLAIN_UPDATE, "0.5"),
           PLAIN_UPDATE, MOMENTUM_UPDATE, attempts=XOR,
           twin="`update` doing plain `params[k] -= lr * grads[k]` (the unused `state` dicts stay)",
           style="XOR, NumPy, params dict, forward/backward functions, an own `update(params, grads, lr, t)`,"
                 " tanh 2-6-1, mean BCE",
           bug="`update` keeps a velocity (`state[k] = 0.9 * state[k] + grads[k]`): momentum, where plain"
               " gradient descent is asked",
           fails=(Fail("xor.descent", ("momentum",)),)),
    # ---- 13. Adam ----
    *_pair("adam", "xor_update.ipynb", optimizer_dict(PLAIN_UPDATE, "0.1"),
           PLAIN_UPDATE, ADAM_UPDATE, attempts=XOR,
           twin="`update` doing plain `params[k] -= lr * grads[k]` (the unused `state` dicts stay)",
           style="XOR, NumPy, params dict, forward/backward functions, an own `update(params, grads, lr, t)`,"
                 " tanh 2-6-1, mean BCE, lr 0.1",
           bug="`update` is Adam written by hand (bias-corrected first and second moments), where plain"
               " gradient descent is asked",
           fails=(Fail("xor.descent", ("Adam",)),),
           ok_notes="lr 0.1 for 2000 epochs is slow for plain gradient descent but enough here"),
    # ---- 8. loss.backward(loss) ----
    *_pair("backward_scaled_by_loss", "xor_raw.py", torch_raw_backward(),
           "loss.backward()", "loss.backward(loss)", attempts=XOR,
           style="XOR, torch raw tensors W1, b1, W2, b2 (requires_grad), tanh 2-4-1,"
                 " F.binary_cross_entropy, update and `grad.zero_()` under torch.no_grad, script",
           bug="`loss.backward(loss)` passes the loss as the output gradient: every gradient is scaled by"
               " the loss value, so the steps shrink as the loss falls",
           fails=(Fail("xor.gradients", ("scaled by the loss",)),)),
    # ---- 9. torch.autograd.backward without zero_grad ----
    *_pair("autograd_no_zero_grad", "xor_torch.ipynb", torch_module_autograd(),
           "    optimizer.zero_grad()\n", "", attempts=XOR,
           twin="`optimizer.zero_grad()` at the top of the loop",
           style="XOR, nn.Module `XorMLP` with `hidden`/`output`, sigmoid 2-4-1, MSELoss, SGD lr 2,"
                 " `torch.autograd.backward(loss)`",
           bug="`optimizer.zero_grad()` is missing: `torch.autograd.backward(loss)` adds each new gradient"
               " to the ones already in `.grad`",
           fails=(Fail("xor.gradients", ("accumulat",)),)),
    # ---- 10. Armijo inequality reversed ----
    *_pair("armijo_reversed_np", "moons_armijo.ipynb", moons_armijo_np(),
           ARMIJO_NP_OK, ARMIJO_NP_BUG, attempts=BOTH,
           style="moons 300 points noise 0.2, StandardScaler, NumPy sigmoid 2-12-1, params as a list,"
                 " `armijo(params, grads, X, Y, alpha0=8.0, rho=0.5)` returning the trial weights (the"
                 " smallest trial when none passes),"
                 " `loss_fixed`/`loss_bt`, 1000 epochs each",
           bug="the Armijo test is reversed: `f_new >= f0 - c * alpha * g2` accepts the first step that"
               " does not decrease the loss enough",
           fails=(Fail("backtracking.armijo_steps", ("reversed",)),),
           also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed",
                       "backtracking.armijo"),
           notes="alpha0 = 8 overshoots at the start, so the reversed test accepts it: two steps of 8 raise"
                 " the loss from 0.89 to 4.0; then the sigmoid units saturate, every trial decreases the loss"
                 " by more than the Armijo bound, none passes the reversed test and the function takes its"
                 " smallest trial (8 * 0.5**29 = 1.5e-8) in the remaining 998 epochs. Backtracking accuracy"
                 " on its own test split: 0.45. The correct twin accepts 4 (504 times), 8 (493) and 2 (3)."),
    *_pair("armijo_reversed_pt", "moons_torch.py", torch_moons_armijo(),
           ARMIJO_PT_OK, ARMIJO_PT_BUG, attempts=BOTH,
           style="moons 300 points noise 0.2, StandardScaler, nn.Module `MoonNet` fc1/fc2 tanh,"
                 " BCEWithLogitsLoss, `armijo_step(model, criterion, X, y, alpha=16.0, rho=0.5)` restoring"
                 " saved clones, `losses_fixed`/`losses_armijo`, script",
           bug="the Armijo test is reversed: `trial_loss >= loss0 - c * alpha * grad_sq`",
           fails=(Fail("backtracking.armijo_steps", ("reversed",)),),
           also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed",
                       "backtracking.armijo"),
           notes="alpha = 16 overshoots: the reversed test accepts three steps of 16 (loss 0.68 -> 0.68 ->"
                 " 7.3 -> 16.3), after which no trial is accepted and the weights stay put. Backtracking"
                 " accuracy on fresh moons: 0.43."),
    # ---- 11. rejected trials never undone ----
    *_pair("armijo_not_undone", "moons_backtrack.py", moons_armijo_inplace(),
           UNDO_OK, UNDO_BUG, attempts=BOTH,
           twin="the undo loop (`p += alpha * g` for every parameter) after a rejected trial",
           style="moons 300 points noise 0.2, `sc` scaler, NumPy tanh 2-16-1, arrays updated in place,"
                 " `backtrack(params, grads, X, T, alpha0=8.0, rho=0.5)` stepping then testing,"
                 " `losses_gd`/`losses_bt`, script",
           bug="a rejected trial step is never undone: the loop only halves alpha, so each new trial starts"
               " from the last rejected one (the weights end at 8 + 4 + ... + alpha times the gradient)",
           fails=(Fail("backtracking.armijo_steps", ("not undone",)),),
           also_fails=("backtracking.armijo", "backtracking.monotone"),
           notes="In 591 of the 600 epochs alpha0 = 8 is accepted at once; in the other 9 every trial is"
                 " rejected and the weights are left about 16 gradients away (8 + 4 + ... down to 1e-6,"
                 " alpha returned 0), and the loss jumps up (by up to 4.1). The run still ends below the"
                 " fixed-rate one (0.039 against 0.092) with fresh-moons accuracy 0.96."),
    # ---- 14. no training at all ----
    Entry("diag_no_training_hand_weights", "xor.ipynb", xor_hand_weights(), attempts=XOR,
          style="XOR, NumPy 2-2-1 sigmoid with the weights written down (OR/NAND/AND), a made-up"
                " decreasing `losses` list with a plot",
          bug="nothing is trained: the weights are a known XOR solution typed in, the loss curve is invented",
          fails=tuple(Fail(check, (NO_TRAINING,)) for check in XOR_CHECKS),
          notes="Its honest counterparts are every trained XOR entry; here the network classifies XOR"
                " and the 'loss history' decreases, but no gradient step was ever taken."),
    Entry("diag_no_training_sklearn", "moons.ipynb", moons_sklearn_copied(), attempts=BOTH,
          style="moons 300 points, `MLPClassifier(solver='lbfgs')` fitted, its coefs_/intercepts_ copied"
                " into NumPy W1, b1, W2, b2 with a NumPy forward, invented `losses_fixed`/`losses_bt`",
          bug="no gradient descent and no line search: scikit-learn's L-BFGS fits the network, the two"
              " loss histories (fixed rate and 'backtracking') are invented",
          fails=(*(Fail(f"moons.{c}", (NO_TRAINING,)) for c in ("accuracy", "loss", "gradients", "descent")),
                 Fail("backtracking.armijo_steps", (NO_TRAINING,))),
          also_fails=("backtracking.accuracy", "backtracking.monotone", "backtracking.beats_fixed",
                      "backtracking.armijo"),
          notes="The invented backtracking history is monotone and ends below the invented fixed one;"
                " there is no line-search function. The backtracking diagnosis is not fixed by the"
                " brief; 'no training' is asked of armijo_steps only."),
    Entry("diag_no_training_loaded_npy", "xor_loaded.ipynb", xor_loaded_weights(), attempts=XOR,
          style="XOR, NumPy 2-2-1 sigmoid, weights read with `np.load('xor_weights.npy')` from a file"
                " handed in beside the notebook, the loss computed once",
          bug="nothing is trained here: the weights come from a file (trained elsewhere, or not at all)",
          fails=tuple(Fail(check, (NO_TRAINING,)) for check in XOR_CHECKS),
          notes="The folder ships xor_weights.npy (nine numbers: a hand-made OR/NAND/AND solution)."),
    # ---- 15. correct conventions ----
    Entry("diag_conv_error_y_minus_out_ok", "xor_plus_equals.ipynb", error_y_minus_out_cols(), attempts=XOR,
          style="XOR, NumPy, samples as columns, `error = Y - A2`, `W += lr * delta @ A.T / m`,"
                " sigmoid 2-4-1, MSE in `mse`, a lambda sigmoid",
          notes="The minus sign of the gradient lives in `error = Y - A2`, so `+=` is gradient descent."),
    Entry("diag_conv_sse_no_mean_ok", "xor_sse.py", sse_no_mean(), attempts=XOR,
          style="XOR, NumPy, samples as rows, sum of squared errors with gradients that have no 1/m,"
                " lr 0.2, tanh 2-4-1, `sse`, script",
          notes="The loss is a sum, so no 1/m is right; the small rate makes up for it."),
    Entry("diag_conv_softmax_onehot_ok", "xor_softmax.ipynb", softmax_onehot(), attempts=XOR,
          style="XOR as two classes: softmax over 2 outputs, cross-entropy with one-hot targets `T`,"
                " sigmoid hidden 2-5-2, `G1`/`G2` for the deltas, rate `eta_`, argmax predictions"),
    Entry("diag_conv_alpha_underscore_ok", "xor_fit.py", alpha_underscore_xor(), attempts=XOR,
          style="XOR, NumPy, the learning rate named `alpha_`, `fit()` returning a weights tuple and"
                " `cost`, tanh 2-4-1, mean BCE, script"),
    Entry("diag_conv_eta_moons_ok", "moons_eta.ipynb", moons_eta(), attempts=MOONS,
          style="moons 240 points noise 0.2, StandardScaler, NumPy samples as columns, ReLU 2-20-1"
                " with He init, mean BCE, the learning rate named `eta`, history `J`"),
]

# The extra files a submission hands in beside its notebook.
FILES = {"diag_no_training_loaded_npy": {"xor_weights.npy": _npy(SHIPPED_WEIGHTS)}}
ENTRIES = [dataclasses.replace(e, files=FILES.get(e.name, {})) for e in ENTRIES]
