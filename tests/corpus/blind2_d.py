"""Corpus entries from blind round 2, part d (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind2_d_*``.

Conventions (correct): a linear output unit under the mean squared error and under half the
sum of squares, leaky ReLU with momentum, ELU moons in mini-batches, ``error = y - output`` with
``+=`` updates. Bugs named in the lab's terms: a wrong ELU derivative, the sigmoid derivative
formula applied to the pre-activation, a reversed ReLU comparison, ``a * (1 + a)``, a sign flip
on one bias under momentum, the loss gradient divided by N twice.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

XOR = ("xor",)
MOONS = ("moons",)


def linear_mse_xor() -> list[Cell]:
    """xor_linear.py"""
    return [code(r"""
# XOR with a regression-style network: tanh hidden layer, LINEAR output unit, MSE loss.
# Prediction = output > 0.5
import numpy as np

rng = np.random.default_rng(7)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = rng.normal(0.0, 1.0, size=(2, 8))
b1 = np.zeros(8)
W2 = rng.normal(0.0, 0.5, size=(8, 1))
b2 = np.zeros(1)

lr = 0.05
losses = []
for it in range(6000):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2                     # no sigmoid here
    loss = np.mean((out - y) ** 2)
    losses.append(loss)

    d_out = 2 * (out - y) / len(X)        # d loss / d out
    gW2 = h.T @ d_out
    gb2 = d_out.sum(axis=0)
    d_h = (d_out @ W2.T) * (1 - h ** 2)
    gW1 = X.T @ d_h
    gb1 = d_h.sum(axis=0)

    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2
    if it % 1000 == 0:
        print(it, loss)

out = np.tanh(X @ W1 + b1) @ W2 + b2
print("outputs:", out.ravel().round(3))
print("predicted classes:", (out > 0.5).astype(int).ravel(), "targets:", y.ravel().astype(int))
print("final MSE", losses[-1])
""")]


def half_sse_columns() -> list[Cell]:
    """lab6_xor.ipynb"""
    return [
        md(r"""
# Lab 6 — XOR
Samples are **columns** here (X has shape 2×4). Hidden layer: sigmoid, output layer: identity.
Cost: $E = \frac12 \sum (\hat y - t)^2$.
"""),
        code(r"""
import numpy as np
np.random.seed(2024)

P = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)     # inputs, one column per pattern
T = np.array([[0, 1, 1, 0]], dtype=float)     # targets
"""),
        code(r"""
def sig(v):
    return 1.0 / (1.0 + np.exp(-v))

n_hidden = 6
Wh = np.random.uniform(-1, 1, (n_hidden, 2))
bh = np.random.uniform(-1, 1, (n_hidden, 1))
Wo = np.random.uniform(-1, 1, (1, n_hidden))
bo = np.zeros((1, 1))
eta = 0.1
E_hist = []
"""),
        code(r"""
for epoch in range(8000):
    Hid = sig(Wh @ P + bh)
    Yhat = Wo @ Hid + bo
    E = 0.5 * np.sum((Yhat - T) ** 2)
    E_hist.append(E)

    delta_o = Yhat - T                           # identity output: dE/dnet_o
    delta_h = (Wo.T @ delta_o) * Hid * (1 - Hid)

    Wo = Wo - eta * delta_o @ Hid.T
    bo = bo - eta * delta_o.sum(axis=1, keepdims=True)
    Wh = Wh - eta * delta_h @ P.T
    bh = bh - eta * delta_h.sum(axis=1, keepdims=True)
"""),
        code(r"""
print("E at start:", E_hist[0], " E at end:", E_hist[-1])
Yhat = Wo @ sig(Wh @ P + bh) + bo
print(np.round(Yhat, 3))
print("correct:", np.all((Yhat > 0.5) == (T > 0.5)))
"""),
    ]


def leaky_momentum_xor(bias_update: str = "b2 -= lr * vb2") -> list[Cell]:
    """xor_leaky.py"""
    return [code(r"""
# Lab 6: XOR, leaky ReLU hidden (slope 0.01), sigmoid output, BCE, gradient descent w/ momentum
import numpy as np

np.random.seed(31)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = np.array([[0.], [1.], [1.], [0.]])
N = X.shape[0]

W1 = np.random.randn(2, 10) * np.sqrt(2 / 2)
b1 = np.zeros((1, 10))
W2 = np.random.randn(10, 1) * np.sqrt(1 / 10)
b2 = np.zeros((1, 1))
vW1, vb1, vW2, vb2 = [np.zeros_like(p) for p in (W1, b1, W2, b2)]
lr, beta = 0.05, 0.9
cost_log = []

for step in range(3000):
    Z1 = X @ W1 + b1
    A1 = np.where(Z1 > 0, Z1, 0.01 * Z1)
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    eps = 1e-12
    J = -np.mean(Y * np.log(A2 + eps) + (1 - Y) * np.log(1 - A2 + eps))
    cost_log.append(J)

    dZ2 = (A2 - Y) / N
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * np.where(Z1 > 0, 1.0, 0.01)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)

    # momentum: v <- beta v + g ; p <- p - lr v
    vW1 = beta * vW1 + dW1
    vb1 = beta * vb1 + db1
    vW2 = beta * vW2 + dW2
    vb2 = beta * vb2 + db2
    W1 -= lr * vW1
    b1 -= lr * vb1
    W2 -= lr * vW2
    @BIAS@

print("cost", cost_log[0], "->", cost_log[-1])
A1 = np.where(X @ W1 + b1 > 0, X @ W1 + b1, 0.01 * (X @ W1 + b1))
print("p =", (1 / (1 + np.exp(-(A1 @ W2 + b2)))).ravel().round(3))
""".replace("@BIAS@", bias_update))]


def leaky_plain_xor() -> list[Cell]:
    """leaky_xor.ipynb"""
    return [
        code(r"""
import numpy as np
rs = np.random.RandomState(5)
data = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
labels = np.array([0, 1, 1, 0], float).reshape(4, 1)
"""),
        code(r"""
slope = 0.01
def leaky(x):
    return np.maximum(x, slope * x)
def leaky_grad(x):
    g = np.ones_like(x)
    g[x < 0] = slope
    return g
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
"""),
        code(r"""
w_in = rs.randn(2, 12) * 0.8
b_in = np.zeros(12)
w_out = rs.randn(12, 1) * 0.3
b_out = np.zeros(1)
rate = 0.5
loss_curve = []
for n in range(4000):
    pre = data @ w_in + b_in
    hid = leaky(pre)
    prob = sigmoid(hid @ w_out + b_out)
    bce = -np.mean(labels * np.log(prob) + (1 - labels) * np.log(1 - prob))
    loss_curve.append(bce)
    g_logit = (prob - labels) / 4
    g_wout = hid.T @ g_logit
    g_bout = g_logit.sum(0)
    g_pre = g_logit @ w_out.T * leaky_grad(pre)
    g_win = data.T @ g_pre
    g_bin = g_pre.sum(0)
    w_in -= rate * g_win
    b_in -= rate * g_bin
    w_out -= rate * g_wout
    b_out -= rate * g_bout
print(loss_curve[-1], (prob > 0.5).ravel())
"""),
    ]


def elu_moons(derivative: str = "np.where(z > 0, 1.0, alpha * np.exp(z))") -> list[Cell]:
    """moons_elu.py"""
    return [code(r"""
# make_moons, two ELU hidden layers (16, 16), sigmoid output, BCE, mini-batches of 50
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 11
rng = np.random.default_rng(SEED)
X, y = make_moons(n_samples=400, noise=0.2, random_state=SEED)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
scaler = StandardScaler().fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)
y_train = y_train.reshape(-1, 1).astype(float)
y_test = y_test.reshape(-1, 1).astype(float)

alpha = 1.0
def elu(z):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))
def elu_deriv(z):
    return @DERIV@
def sigmoid(z):
    return 1 / (1 + np.exp(-z))

sizes = [2, 16, 16, 1]
Ws = [rng.normal(0, np.sqrt(1 / m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros((1, n)) for n in sizes[1:]]

def forward(Xb):
    zs, acts = [], [Xb]
    a = Xb
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W + b
        a = sigmoid(z) if i == len(Ws) - 1 else elu(z)
        zs.append(z)
        acts.append(a)
    return zs, acts

def bce(p, t):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))

lr = 0.3
batch = 50
epoch_losses = []
for epoch in range(150):
    order = rng.permutation(len(X_train))
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        xb, yb = X_train[idx], y_train[idx]
        zs, acts = forward(xb)
        delta = (acts[-1] - yb) / len(xb)
        for layer in range(len(Ws) - 1, -1, -1):
            gW = acts[layer].T @ delta
            gb = delta.sum(axis=0, keepdims=True)
            if layer > 0:
                delta = (delta @ Ws[layer].T) * elu_deriv(zs[layer - 1])
            Ws[layer] -= lr * gW
            bs[layer] -= lr * gb
    epoch_losses.append(bce(forward(X_train)[1][-1], y_train))

acc = np.mean((forward(X_test)[1][-1] > 0.5) == y_test)
print(f"final train loss {epoch_losses[-1]:.4f}, test accuracy {acc:.3f}")
""".replace("@DERIV@", derivative))]


def tanh_error_plus() -> list[Cell]:
    """xor_tanh.py"""
    return [code(r"""
# XOR neural net (2-4-1), tanh hidden, sigmoid output.
# Classic form: error = target - output, weights += lr * (...)
import numpy as np

np.random.seed(3)
inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
targets = np.array([[0], [1], [1], [0]])

hidden_w = 2 * np.random.random((2, 4)) - 1
hidden_b = np.zeros((1, 4))
out_w = 2 * np.random.random((4, 1)) - 1
out_b = np.zeros((1, 1))
learning_rate = 0.3

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

errors = []
for epoch in range(10000):
    hidden = np.tanh(inputs @ hidden_w + hidden_b)
    output = sigmoid(hidden @ out_w + out_b)

    error = targets - output
    errors.append(float(np.mean(error ** 2)))

    d_output = error * output * (1 - output)
    d_hidden = d_output @ out_w.T * (1 - hidden ** 2)

    out_w += learning_rate * hidden.T @ d_output
    out_b += learning_rate * np.sum(d_output, axis=0, keepdims=True)
    hidden_w += learning_rate * inputs.T @ d_hidden
    hidden_b += learning_rate * np.sum(d_hidden, axis=0, keepdims=True)

    if epoch % 2000 == 0:
        print("epoch", epoch, "mse", errors[-1])

print(output.round(3).ravel())
""")]


def sig_prime_on_z_xor() -> list[Cell]:
    """backprop_xor.ipynb"""
    return [
        md("## XOR — sigmoid network 2-3-1, MSE"),
        code(r"""
import numpy as np
np.random.seed(8)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
y = np.array([[0], [1], [1], [0]], dtype=np.float64)

def sigmoid(s):
    return 1 / (1 + np.exp(-s))

def sigmoid_prime(s):
    # derivative of the sigmoid
    return s * (1 - s)
"""),
        code(r"""
W1 = np.random.randn(2, 3)
b1 = np.zeros((1, 3))
W2 = np.random.randn(3, 1)
b2 = np.zeros((1, 1))
lr = 1.0
mse = []
for epoch in range(5000):
    z1 = X @ W1 + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + b2
    a2 = sigmoid(z2)
    mse.append(np.mean((a2 - y) ** 2))

    delta2 = (a2 - y) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * sigmoid_prime(z1)
    W2 -= lr * a1.T @ delta2
    b2 -= lr * delta2.sum(axis=0, keepdims=True)
    W1 -= lr * X.T @ delta1
    b1 -= lr * delta1.sum(axis=0, keepdims=True)
print(mse[0], mse[-1])
print(a2.ravel())
"""),
    ]


def relu_reversed_moons() -> list[Cell]:
    """relu_moons.py"""
    return [code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

np.random.seed(4)
Xd, yd = make_moons(300, noise=0.15, random_state=4)
Xtr, Xte, ytr, yte = train_test_split(Xd, yd, test_size=0.3, random_state=4)
sc = StandardScaler()
Xtr = sc.fit_transform(Xtr)
Xte = sc.transform(Xte)
ytr = ytr[:, None].astype(float)

H = 20
W1 = np.random.randn(2, H) * 0.7
b1 = np.zeros(H)
W2 = np.random.randn(H, 1) * 0.3
b2 = np.zeros(1)

def relu(z):
    return np.maximum(0, z)

def relu_derivative(z):
    return (z < 0).astype(float)

lr = 0.5
loss_hist = []
m = len(Xtr)
for epoch in range(500):
    z1 = Xtr @ W1 + b1
    a1 = relu(z1)
    p = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    loss_hist.append(-np.mean(ytr * np.log(p + 1e-10) + (1 - ytr) * np.log(1 - p + 1e-10)))
    dz2 = (p - ytr) / m
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = dz2 @ W2.T * relu_derivative(z1)
    dW1 = Xtr.T @ dz1
    db1 = dz1.sum(axis=0)
    W1 -= lr * dW1; b1 -= lr * db1
    W2 -= lr * dW2; b2 -= lr * db2

pte = 1 / (1 + np.exp(-(relu(Xte @ W1 + b1) @ W2 + b2)))
print("test acc", np.mean((pte.ravel() > 0.5) == yte))
""")]


def sigmoid_plus_xor() -> list[Cell]:
    """xor_net.py"""
    return [code(r"""
import numpy as np

np.random.seed(21)

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

def dsigmoid(a):
    "derivative, written in terms of the output a = sigmoid(x)"
    return a * (1 + a)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
T = np.array([[0], [1], [1], [0]], dtype=float)
W = [np.random.uniform(-1, 1, (2, 5)), np.random.uniform(-1, 1, (5, 1))]
B = [np.zeros((1, 5)), np.zeros((1, 1))]
alpha = 0.8
history = []
for i in range(6000):
    H = sigmoid(X @ W[0] + B[0])
    O = sigmoid(H @ W[1] + B[1])
    history.append(float(-np.mean(T * np.log(O) + (1 - T) * np.log(1 - O))))
    gO = (O - T) / len(X)                 # BCE + sigmoid
    gH = (gO @ W[1].T) * dsigmoid(H)
    W[1] -= alpha * H.T @ gO
    B[1] -= alpha * gO.sum(axis=0, keepdims=True)
    W[0] -= alpha * X.T @ gH
    B[0] -= alpha * gH.sum(axis=0, keepdims=True)
print("loss", history[0], history[-1])
print("out", O.ravel().round(3))
""")]


def moons_double_n() -> list[Cell]:
    """moons_gd.ipynb"""
    return [
        md("# Moons — NumPy MLP 2-12-1 (tanh), fixed learning rate"),
        code(r"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

np.random.seed(17)
X, y = make_moons(n_samples=300, noise=0.2, random_state=17)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=17)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
Y = y_train.reshape(-1, 1)
N = X_train.shape[0]
"""),
        code(r"""
W1 = np.random.randn(2, 12) * 0.5
b1 = np.zeros((1, 12))
W2 = np.random.randn(12, 1) * 0.5
b2 = np.zeros((1, 1))
lr = 1.0
losses = []
for epoch in range(600):
    A1 = np.tanh(X_train @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    losses.append(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))

    dZ2 = (A2 - Y) / N
    dW2 = A1.T @ dZ2 / N
    db2 = np.sum(dZ2, axis=0, keepdims=True) / N
    dZ1 = dZ2 @ W2.T * (1 - A1 ** 2)
    dW1 = X_train.T @ dZ1 / N
    db1 = np.sum(dZ1, axis=0, keepdims=True) / N

    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
"""),
        code(r"""
A2t = 1 / (1 + np.exp(-(np.tanh(X_test @ W1 + b1) @ W2 + b2)))
print("loss", losses[0], "->", losses[-1])
print("test accuracy", np.mean((A2t.ravel() > 0.5) == y_test))
"""),
    ]


ENTRIES: list[Entry] = [
    # ---- correct, in conventions the grader once misread ----
    Entry("blind2_d_linear_mse_xor", "xor_linear.py", linear_mse_xor(), attempts=XOR,
          style="XOR NumPy inline loop, tanh 2-8-1 with a LINEAR output unit (`out = h @ W2 + b2`), "
                "`loss = np.mean((out - y)**2)`, classes by `out > 0.5`"),
    Entry("blind2_d_half_sse_cols", "lab6_xor.ipynb", half_sse_columns(), attempts=XOR,
          style="XOR notebook, samples as columns (W @ P), sigmoid hidden, identity output, "
                "`E = 0.5 * np.sum((Yhat - T)**2)`, `W = W - eta * ...`"),
    Entry("blind2_d_leaky_plain_xor", "leaky_xor.ipynb", leaky_plain_xor(), attempts=XOR,
          style="XOR notebook, leaky ReLU (slope 0.01) as functions with a mask-assigned gradient, "
                "sigmoid output, mean BCE, own names w_in/b_in/w_out/b_out, 1-D biases"),
    Entry("blind2_d_elu_moons_minibatch", "moons_elu.py", elu_moons(), attempts=MOONS,
          style="moons 400 points, scaler, NumPy 2-16-16-1 with ELU hidden layers in lists Ws/bs, "
                "backward loop over layers, mini-batches of 50 shuffled by default_rng, epoch loss "
                "on the whole training set"),
    Entry("blind2_d_tanh_error_plus", "xor_tanh.py", tanh_error_plus(), attempts=XOR,
          style="XOR NumPy tutorial style: `error = targets - output`, `out_w += lr * hidden.T @ d_output`"
                " (ascent on the error is descent on the squared loss), integer inputs, tanh hidden"),
    # ---- momentum is correct backprop but not the plain gradient descent the rubric asks ----
    Entry("blind2_d_leaky_momentum_xor", "xor_leaky.py", leaky_momentum_xor(), attempts=XOR,
          style="XOR NumPy inline loop, leaky ReLU hidden (slope 0.01) via np.where, sigmoid output, "
                "mean BCE, heavy-ball momentum beta = 0.9 (`v = beta v + g; p -= lr v`)",
          bug="momentum 0.9 where the rubric asks for plain gradient descent (backprop is correct)",
          fails=(Fail("xor.descent", ("momentum", "0.9")),),
          notes="The gradients are right, so xor.gradients passes; the rubric's descent check has "
                "allow_other_optimizers = false, so momentum costs the descent points by design."),
    # ---- one planted bug each ----
    Entry("blind2_d_elu_exp_everywhere", "moons_elu.py", elu_moons("alpha * np.exp(z)"),
          attempts=MOONS,
          style="moons NumPy 2-16-16-1 ELU hidden layers, mini-batches of 50 (the twin of "
                "blind2_d_elu_moons_minibatch)",
          bug="`elu_deriv(z) = alpha * np.exp(z)` for every z: the z > 0 branch (derivative 1) is lost",
          fails=(Fail("moons.gradients", ("ELU", "derivative", "exp(Z)", "Z > 0")),),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind2_d_elu_alpha_z", "moons_elu.py", elu_moons("np.where(z > 0, 1.0, alpha * z)"),
          attempts=MOONS,
          style="moons NumPy 2-16-16-1 ELU hidden layers, mini-batches of 50 (the twin of "
                "blind2_d_elu_moons_minibatch)",
          bug="`elu_deriv` is `alpha * z` for z <= 0 instead of `alpha * exp(z)`",
          fails=(Fail("moons.gradients", ("ELU", "derivative", "alpha * Z", "exp(Z)")),),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind2_d_sig_prime_on_z", "backprop_xor.ipynb", sig_prime_on_z_xor(), attempts=XOR,
          style="XOR notebook, sigmoid 2-3-1, mean MSE, `sigmoid_prime(s) = s * (1 - s)` (a formula "
                "for the activation) called on the pre-activation `z1` in the hidden layer only",
          bug="`sigmoid_prime(z1)` with `sigmoid_prime(s) = s * (1 - s)`: the derivative formula meant "
              "for A is applied to the pre-activation Z",
          fails=(Fail("xor.gradients", ("`W1`", "pre-activation", "Z * (1 - Z)")),),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind2_d_relu_reversed", "relu_moons.py", relu_reversed_moons(), attempts=MOONS,
          style="moons 300 points noise 0.15, scaler, NumPy ReLU 2-20-1, 1-D biases, mean BCE",
          bug="`relu_derivative(z) = (z < 0)`: the comparison is reversed, the error flows only "
              "through the inactive units",
          fails=(Fail("moons.gradients", ("ReLU", "reversed", "Z < 0", "`W1`")),),
          may_fail=("moons.accuracy", "moons.loss")),
    Entry("blind2_d_sigmoid_plus", "xor_net.py", sigmoid_plus_xor(), attempts=XOR,
          style="XOR NumPy, weights in lists W[0], W[1] and B[0], B[1], sigmoid 2-5-1, mean BCE",
          bug="`dsigmoid(a) = a * (1 + a)`: plus instead of minus in the hidden sigmoid's derivative",
          fails=(Fail("xor.gradients", ("A * (1 + A)", "A * (1 - A)", "`W[0]`")),),
          may_fail=("xor.classifies", "xor.loss")),
    Entry("blind2_d_b2_sign_momentum", "xor_leaky.py", leaky_momentum_xor("b2 += lr * vb2"),
          attempts=XOR,
          style="XOR NumPy inline loop, leaky ReLU hidden (slope 0.01), sigmoid output, mean BCE, "
                "momentum 0.9 (the twin of blind2_d_leaky_momentum_xor)",
          bug="`b2 += lr * vb2`: the output bias alone moves up its (momentum) gradient",
          fails=(Fail("xor.descent", ("`b2`", "gradient ascent")),),
          may_fail=("xor.classifies", "xor.loss"),
          notes="Momentum already costs the descent points; the message must still name b2's sign."),
    Entry("blind2_d_moons_double_n", "moons_gd.ipynb", moons_double_n(), attempts=MOONS,
          style="moons notebook, 300 points (240 to train), scaler, NumPy tanh 2-12-1, mean BCE, lr = 1",
          bug="`dZ2 = (A2 - Y) / N` and again `dW2 = A1.T @ dZ2 / N` (every gradient): each step is "
              "N = 240 times too small",
          fails=(Fail("moons.gradients", ("1/N", "twice", "240")),),
          may_fail=("moons.accuracy", "moons.loss"),
          notes="The run still reaches about 85% held-out accuracy; the gradients check names the factor."),
]
