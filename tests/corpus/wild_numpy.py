"""Corpus entries in the styles real students write (see issue 11): filled in by make_corpus.py.

NumPy submissions only: hand-written forward passes and backprop, no torch. Every correct entry
was run with plain python and its numbers checked (XOR classified, loss down, moons accuracy on
fresh data, backtracking monotone and below the fixed-rate run).
"""

from __future__ import annotations


from _build import Cell, Entry, Fail, code, md  # noqa: F401

# --------------------------------------------------------------------------- XOR, inline loops


def inline_wh_bh(*, out_update: str = "wo += hidden_output.T.dot(d_output) * lr",
                 lr: str = "0.5") -> list[Cell]:
    """The most common tutorial style: one loop, error = y - output, W += lr * X.T @ delta."""
    return [
        code(f"""
import numpy as np

np.random.seed(42)

# XOR truth table
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    # s is already sigmoid(x)
    return s * (1 - s)


epochs = 6000
lr = {lr}
n_input, n_hidden, n_output = 2, 4, 1

wh = np.random.uniform(size=(n_input, n_hidden))
bh = np.random.uniform(size=(1, n_hidden))
wo = np.random.uniform(size=(n_hidden, n_output))
bo = np.random.uniform(size=(1, n_output))

print("initial hidden weights:", wh)
print("initial output weights:", wo)

for i in range(epochs):
    # forward
    hidden_input = np.dot(X, wh) + bh
    hidden_output = sigmoid(hidden_input)
    output_input = np.dot(hidden_output, wo) + bo
    output = sigmoid(output_input)

    # backward
    error = y - output
    d_output = error * sigmoid_derivative(output)
    error_hidden = d_output.dot(wo.T)
    d_hidden = error_hidden * sigmoid_derivative(hidden_output)

    # update
    {out_update}
    bo += np.sum(d_output, axis=0, keepdims=True) * lr
    wh += X.T.dot(d_hidden) * lr
    bh += np.sum(d_hidden, axis=0, keepdims=True) * lr

    if i % 1000 == 0:
        print("epoch", i, "mse", np.mean(error ** 2))

print("final hidden weights:", wh)
print("final output weights:", wo)
print("output after training:", output.ravel())
"""),
    ]


def synapse_bias_column() -> list[Cell]:
    return [
        code("""
import numpy as np


def nonlin(x, deriv=False):
    if deriv == True:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


# the third column is always 1: it works as the bias of the hidden layer
X = np.array([[0, 0, 1],
              [0, 1, 1],
              [1, 0, 1],
              [1, 1, 1]])

y = np.array([[0, 1, 1, 0]]).T

np.random.seed(1)

synapse_0 = 2 * np.random.random((3, 4)) - 1
synapse_1 = 2 * np.random.random((4, 1)) - 1

for j in range(20000):
    l0 = X
    l1 = nonlin(np.dot(l0, synapse_0))
    l2 = nonlin(np.dot(l1, synapse_1))

    loss = y - l2

    if (j % 4000) == 0:
        print("Error:" + str(np.mean(np.abs(loss))))

    l2_delta = loss * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(synapse_1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)

    synapse_1 += l1.T.dot(l2_delta)
    synapse_0 += l0.T.dot(l1_delta)

print("Output After Training:")
print(l2)
"""),
    ]


def greek_hidden_layer_wt() -> list[Cell]:
    return [
        md("""
# Εργασία 6: Οπισθοδιάδοση σφάλματος
Νευρωνικό δίκτυο 2-4-1 για το πρόβλημα XOR. Στο κρυφό επίπεδο χρησιμοποιούμε την
υπερβολική εφαπτομένη (tanh) και στην έξοδο τη σιγμοειδή συνάρτηση. Σφάλμα: διασταυρούμενη εντροπία.
"""),
        code("import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
        md("## Δεδομένα"),
        code("""
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
"""),
        md("## Αρχικοποίηση βαρών"),
        code("""
np.random.seed(3)
hidden_layer_wt = np.random.randn(2, 4)
hidden_layer_bias = np.zeros((1, 4))
output_layer_wt = np.random.randn(4, 1)
output_layer_bias = np.zeros((1, 1))
eta = 0.3   # ρυθμός μάθησης
"""),
        md("## Εκπαίδευση με κατάβαση κλίσης"),
        code("""
E = []
for epoch in range(3000):
    # εμπρόσθια διάδοση
    h = np.tanh(X @ hidden_layer_wt + hidden_layer_bias)
    p = 1 / (1 + np.exp(-(h @ output_layer_wt + output_layer_bias)))
    E.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    # οπισθοδιάδοση
    dz2 = (p - y) / len(X)
    g_out_wt = h.T @ dz2
    g_out_b = dz2.sum(axis=0, keepdims=True)
    dz1 = (dz2 @ output_layer_wt.T) * (1 - h ** 2)
    g_hid_wt = X.T @ dz1
    g_hid_b = dz1.sum(axis=0, keepdims=True)

    # ενημέρωση βαρών
    output_layer_wt -= eta * g_out_wt
    output_layer_bias -= eta * g_out_b
    hidden_layer_wt -= eta * g_hid_wt
    hidden_layer_bias -= eta * g_hid_b
"""),
        code("""
plt.plot(E)
plt.title('Σφάλμα ανά εποχή')
plt.xlabel('εποχή')
plt.ylabel('E')
plt.show()
"""),
        md("## Αποτελέσματα"),
        code("""
h = np.tanh(X @ hidden_layer_wt + hidden_layer_bias)
p = 1 / (1 + np.exp(-(h @ output_layer_wt + output_layer_bias)))
print("Έξοδοι:", p.ravel().round(3))
print("Προβλέψεις:", (p > 0.5).astype(int).ravel())
"""),
    ]


def korean_outer_sgd() -> list[Cell]:
    return [
        md("""
# 실습 6: 역전파 직접 구현하기
XOR 문제를 샘플 하나씩 학습하는 확률적 경사 하강법(SGD)으로 풉니다.
가중치 갱신은 `np.outer` 를 사용합니다.
"""),
        code("import numpy as np"),
        code("""
# 입력과 정답
inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
targets = np.array([0, 1, 1, 0], dtype=float)
"""),
        code("""
rng = np.random.default_rng(11)
input_to_hidden_weights = rng.normal(0, 1, size=(2, 3))
hidden_bias = np.zeros(3)
hidden_to_output_weights = rng.normal(0, 1, size=3)
output_bias = 0.0
learning_rate = 0.5


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
"""),
        md("## 학습 (샘플 단위 업데이트)"),
        code("""
epoch_losses = []
for epoch in range(2500):
    total = 0.0
    for x, t in zip(inputs, targets):
        # 순전파
        h = sigmoid(x @ input_to_hidden_weights + hidden_bias)
        o = sigmoid(h @ hidden_to_output_weights + output_bias)
        total += 0.5 * (o - t) ** 2

        # 역전파
        delta_out = (o - t) * o * (1 - o)
        delta_hidden = delta_out * hidden_to_output_weights * h * (1 - h)

        # 가중치 갱신
        hidden_to_output_weights -= learning_rate * delta_out * h
        output_bias -= learning_rate * delta_out
        input_to_hidden_weights -= learning_rate * np.outer(x, delta_hidden)
        hidden_bias -= learning_rate * delta_hidden
    epoch_losses.append(total / len(inputs))
    if epoch % 500 == 0:
        print(f"에폭 {epoch}: 손실 {epoch_losses[-1]:.4f}")
"""),
        code("""
# 결과 확인
for x, t in zip(inputs, targets):
    h = sigmoid(x @ input_to_hidden_weights + hidden_bias)
    o = sigmoid(h @ hidden_to_output_weights + output_bias)
    print(x, "->", round(float(o), 3), "(정답", int(t), ")")
"""),
    ]


def persian_wij_vjk() -> list[Cell]:
    return [
        code("""
# تمرین ۶ - شبکه عصبی دو لایه برای XOR
# هر ستون ماتریس X یک نمونه است (نمونه ها ستونی هستند)
import numpy as np

np.random.seed(7)

X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
T = np.array([[0, 1, 1, 0]], dtype=float)

n_in, n_hid, n_out = 2, 5, 1

# Wij: وزن از ورودی i به نورون پنهان j  (سطر = j ، ستون = i)
Wij = np.random.randn(n_hid, n_in)
bj = np.zeros((n_hid, 1))
# Vjk: وزن از نورون پنهان j به خروجی k
Vjk = np.random.randn(n_out, n_hid)
bk = np.zeros((n_out, 1))

eta = 2.0
m = X.shape[1]


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


costs = []
for it in range(4000):
    # انتشار رو به جلو
    net_j = Wij @ X + bj
    y_j = sig(net_j)
    net_k = Vjk @ y_j + bk
    y_k = sig(net_k)

    # تابع هزینه: میانگین مربعات خطا
    cost = np.mean((y_k - T) ** 2)
    costs.append(cost)

    # انتشار رو به عقب
    delta_k = 2 * (y_k - T) * y_k * (1 - y_k) / m
    dV = delta_k @ y_j.T
    dbk = delta_k.sum(axis=1, keepdims=True)
    delta_j = (Vjk.T @ delta_k) * y_j * (1 - y_j)
    dW = delta_j @ X.T
    dbj = delta_j.sum(axis=1, keepdims=True)

    # به روز رسانی وزن ها
    Vjk = Vjk - eta * dV
    bk = bk - eta * dbk
    Wij = Wij - eta * dW
    bj = bj - eta * dbj

print("هزینه اولیه:", costs[0])
print("هزینه نهایی:", costs[-1])
print("خروجی شبکه:", sig(Vjk @ sig(Wij @ X + bj) + bk).round(3))
"""),
    ]


def nested_lists() -> list[Cell]:
    return [
        code('''
"""XOR with plain Python lists: every weight is updated one by one."""
import math
import numpy as np

np.random.seed(5)

data = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
H = 3

# W[i][j]: input i -> hidden j,  V[j]: hidden j -> output
W = np.random.uniform(-1, 1, (2, H)).tolist()
b = [0.0] * H
V = np.random.uniform(-1, 1, H).tolist()
c = 0.0
lr = 1.0


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def forward(x):
    h = [sigmoid(sum(x[i] * W[i][j] for i in range(2)) + b[j]) for j in range(H)]
    o = sigmoid(sum(h[j] * V[j] for j in range(H)) + c)
    return h, o


loss_values = []
for epoch in range(3000):
    gW = [[0.0] * H for _ in range(2)]
    gb = [0.0] * H
    gV = [0.0] * H
    gc = 0.0
    loss = 0.0
    for x, t in data:
        h, o = forward(x)
        loss += (o - t) ** 2 / len(data)
        d_o = 2 * (o - t) * o * (1 - o) / len(data)
        for j in range(H):
            gV[j] += d_o * h[j]
            d_h = d_o * V[j] * h[j] * (1 - h[j])
            gb[j] += d_h
            for i in range(2):
                gW[i][j] += d_h * x[i]
        gc += d_o
    # element by element update
    for j in range(H):
        V[j] -= lr * gV[j]
        b[j] -= lr * gb[j]
        for i in range(2):
            W[i][j] -= lr * gW[i][j]
    c -= lr * gc
    loss_values.append(loss)

print("loss:", loss_values[0], "->", loss_values[-1])
for x, t in data:
    print(x, t, round(forward(x)[1], 3))
'''),
    ]


def lists_converted() -> list[Cell]:
    return [
        md("# XOR, ReLU hidden layer\nI keep the weights as lists (easier to print) and turn them into arrays each epoch."),
        code("import numpy as np\nnp.random.seed(21)"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

weights = [
    (np.random.randn(2, 8) * np.sqrt(2 / 2)).tolist(),   # He init
    [[0.1] * 8],
    (np.random.randn(8, 1) * np.sqrt(2 / 8)).tolist(),
    [[0.0]],
]
print(weights[1])
"""),
        code("""
loss_log = []
step = 0.2
for epoch in range(2000):
    W1, b1, W2, b2 = [np.array(w) for w in weights]
    z1 = X @ W1 + b1
    a1 = np.maximum(0, z1)
    z2 = a1 @ W2 + b2
    out = 1 / (1 + np.exp(-z2))
    loss_log.append(float(-np.mean(Y * np.log(out) + (1 - Y) * np.log(1 - out))))

    dz2 = (out - Y) / X.shape[0]
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0, keepdims=True)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0, keepdims=True)

    new = [W1 - step * dW1, b1 - step * db1, W2 - step * dW2, b2 - step * db2]
    weights = [w.tolist() for w in new]
"""),
        code("""
W1, b1, W2, b2 = [np.array(w) for w in weights]
pred = 1 / (1 + np.exp(-(np.maximum(0, X @ W1 + b1) @ W2 + b2)))
print(loss_log[0], loss_log[-1])
print(pred.round(3))
"""),
    ]


# --------------------------------------------------------------------------- classes and layer objects


def dense_layers_moons() -> list[Cell]:
    return [
        code('''
"""make_moons with my own DenseLayer objects: 2-16-16-16-1, ReLU, sigmoid output."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

np.random.seed(0)


class DenseLayer:
    def __init__(self, n_in, n_out, activation="relu"):
        self.W = np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
        self.b = np.zeros((1, n_out))
        self.activation = activation

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        if self.activation == "relu":
            self.a = np.maximum(self.z, 0)
        else:
            self.a = 1 / (1 + np.exp(-self.z))
        return self.a

    def backward(self, grad_a):
        if self.activation == "relu":
            grad_z = grad_a * (self.z > 0)
        else:
            grad_z = grad_a * self.a * (1 - self.a)
        self.dW = self.x.T @ grad_z
        self.db = grad_z.sum(axis=0, keepdims=True)
        return grad_z @ self.W.T

    def update(self, lr):
        self.W -= lr * self.dW
        self.b -= lr * self.db


X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)
y_train = y_train.reshape(-1, 1)

layers = [DenseLayer(2, 16), DenseLayer(16, 16), DenseLayer(16, 16), DenseLayer(16, 1, "sigmoid")]


def predict(x):
    for layer in layers:
        x = layer.forward(x)
    return x


train_loss = []
for epoch in range(800):
    p = np.clip(predict(X_train), 1e-12, 1 - 1e-12)
    train_loss.append(-np.mean(y_train * np.log(p) + (1 - y_train) * np.log(1 - p)))
    # dL/dp for the mean binary cross-entropy
    grad = (p - y_train) / (p * (1 - p)) / len(X_train)
    for layer in reversed(layers):
        grad = layer.backward(grad)
    for layer in layers:
        layer.update(0.1)
    if epoch % 100 == 0:
        print(epoch, round(train_loss[-1], 4))

acc = np.mean((predict(X_test).ravel() > 0.5) == y_test)
print("test accuracy:", acc)
'''),
    ]


def japanese_linear_layers() -> list[Cell]:
    return [
        md("""
# 課題6：多層ニューラルネットワークでXOR
隠れ層を4つ重ねた 2-6-6-6-6-1 のネットワークです。活性化関数は tanh、出力はシグモイド。
各層は `Linear_layer` クラスのインスタンスで、リストに入れて順番に呼び出します。
"""),
        code("import numpy as np\nimport matplotlib.pyplot as plt"),
        md("## 層の定義"),
        code("""
class Linear_layer:
    # 全結合層
    def __init__(self, n_in, n_out, rng):
        self.W = rng.normal(0, np.sqrt(1.0 / n_in), (n_in, n_out))
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Tanh_layer:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class Sigmoid_layer:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)
"""),
        md("## ネットワークの構築"),
        code("""
rng = np.random.default_rng(2024)
sizes = [2, 6, 6, 6, 6, 1]
net = []
for i in range(len(sizes) - 1):
    net.append(Linear_layer(sizes[i], sizes[i + 1], rng))
    net.append(Tanh_layer() if i < len(sizes) - 2 else Sigmoid_layer())

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
t = np.array([[0], [1], [1], [0]], dtype=float)
"""),
        md("## 学習（勾配降下法）"),
        code("""
lr = 0.2
loss_history = []
for epoch in range(3000):
    h = X
    for layer in net:
        h = layer.forward(h)
    loss = -np.mean(t * np.log(h) + (1 - t) * np.log(1 - h))   # 交差エントロピー
    loss_history.append(loss)
    d = (h - t) / (h * (1 - h)) / len(X)
    for layer in reversed(net):
        d = layer.backward(d)
    for layer in net:
        if isinstance(layer, Linear_layer):
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db
"""),
        code("""
plt.semilogy(loss_history)
plt.xlabel('epoch')
plt.ylabel('loss')
plt.show()
h = X
for layer in net:
    h = layer.forward(h)
print('出力:', h.ravel().round(3))
"""),
    ]


def neuralnetwork_class() -> list[Cell]:
    return [
        md("# Neural network from scratch\nA `NeuralNetwork` class with `feedforward`, `backprop` and `train`."),
        code("import numpy as np"),
        code("""
def sigmoid(x):
    return 1.0 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    return s * (1.0 - s)


class NeuralNetwork:
    def __init__(self, x, y, hidden=4, lr=0.5):
        self.input = x
        self.y = y
        self.lr = lr
        self.weights1 = np.random.rand(self.input.shape[1], hidden) - 0.5
        self.bias1 = np.zeros((1, hidden))
        self.weights2 = np.random.rand(hidden, 1) - 0.5
        self.bias2 = np.zeros((1, 1))
        self.output = np.zeros(self.y.shape)
        self.loss_history = []

    def feedforward(self):
        self.layer1 = sigmoid(np.dot(self.input, self.weights1) + self.bias1)
        self.output = sigmoid(np.dot(self.layer1, self.weights2) + self.bias2)
        return self.output

    def backprop(self):
        # chain rule on the sum of squared errors
        d_out = 2 * (self.y - self.output) * sigmoid_derivative(self.output)
        d_weights2 = np.dot(self.layer1.T, d_out)
        d_bias2 = np.sum(d_out, axis=0, keepdims=True)
        d_hidden = np.dot(d_out, self.weights2.T) * sigmoid_derivative(self.layer1)
        d_weights1 = np.dot(self.input.T, d_hidden)
        d_bias1 = np.sum(d_hidden, axis=0, keepdims=True)
        # the minus sign is already inside (y - output)
        self.weights1 += self.lr * d_weights1
        self.bias1 += self.lr * d_bias1
        self.weights2 += self.lr * d_weights2
        self.bias2 += self.lr * d_bias2

    def train(self, epochs):
        for _ in range(epochs):
            self.feedforward()
            self.loss_history.append(np.sum((self.y - self.output) ** 2))
            self.backprop()
"""),
        code("""
np.random.seed(10)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])
nn = NeuralNetwork(X, y)
nn.train(3000)
print("sum of squared errors:", nn.loss_history[0], "->", nn.loss_history[-1])
print(nn.feedforward())
"""),
    ]


# --------------------------------------------------------------------------- other XOR conventions


def dict_softmax_onehot() -> list[Cell]:
    return [
        md("# XOR as a 2-class problem\nTwo output units, softmax and cross-entropy; the labels are one-hot."),
        code("import numpy as np\nnp.random.seed(8)"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
labels = np.array([0, 1, 1, 0])
Y = np.eye(2)[labels]          # one-hot
print(Y)
"""),
        code("""
W = {'hidden': np.random.randn(2, 5) * 0.8, 'out': np.random.randn(5, 2) * 0.8}
b = {'hidden': np.zeros(5), 'out': np.zeros(2)}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(X):
    h = np.tanh(X @ W['hidden'] + b['hidden'])
    return h, softmax(h @ W['out'] + b['out'])
"""),
        code("""
alpha = 0.5
cost_history = []
for epoch in range(1500):
    h, P = forward(X)
    cost = -np.sum(Y * np.log(P)) / len(X)
    cost_history.append(cost)
    dlogits = (P - Y) / len(X)
    grad_W_out = h.T @ dlogits
    grad_b_out = dlogits.sum(axis=0)
    dh = dlogits @ W['out'].T * (1 - h ** 2)
    grad_W_hidden = X.T @ dh
    grad_b_hidden = dh.sum(axis=0)
    W['out'] -= alpha * grad_W_out
    b['out'] -= alpha * grad_b_out
    W['hidden'] -= alpha * grad_W_hidden
    b['hidden'] -= alpha * grad_b_hidden
    if epoch % 300 == 0:
        print(epoch, cost)
"""),
        code("""
_, P = forward(X)
print(P.round(3))
print("predicted classes:", P.argmax(axis=1), "true:", labels)
"""),
    ]


def backpropagation_globals() -> list[Cell]:
    return [
        code("import numpy as np"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

np.random.seed(4)
W1 = np.random.normal(size=(2, 4))
b1 = np.zeros((1, 4))
W2 = np.random.normal(size=(4, 1))
b2 = np.zeros((1, 1))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
"""),
        code("""
def backpropagation(X, y, lr):
    \"\"\"One gradient-descent step on the global weights. Returns the MSE before the step.\"\"\"
    global W1, b1, W2, b2
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    n = X.shape[0]
    mse = np.mean((a2 - y) ** 2)
    delta2 = 2 * (a2 - y) / n * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    W2 = W2 - lr * a1.T @ delta2
    b2 = b2 - lr * delta2.sum(axis=0, keepdims=True)
    W1 = W1 - lr * X.T @ delta1
    b1 = b1 - lr * delta1.sum(axis=0, keepdims=True)
    return mse
"""),
        code("""
errors = []
for epoch in range(5000):
    errors.append(backpropagation(X, y, 2.0))
print(errors[0], errors[-1])
"""),
        code("print(sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2))"),
    ]


def linear_output_mse() -> list[Cell]:
    return [
        code("""
# XOR with a linear output unit and mean squared error.
# no seed here: the numbers change from run to run, it always works anyway
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0], dtype=float).reshape(4, 1)

W1 = np.random.randn(2, 6) * 0.7
b1 = np.zeros(6)
W2 = np.random.randn(6, 1) * 0.7
b2 = np.zeros(1)

lr = 0.1
mse_list = []
for epoch in range(2500):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2                  # no activation on the output
    mse_list.append(np.mean((out - y) ** 2))
    g = 2 * (out - y) / len(X)
    gW2 = h.T @ g
    gb2 = g.sum(axis=0)
    gh = (g @ W2.T) * (1 - h ** 2)
    gW1 = X.T @ gh
    gb1 = gh.sum(axis=0)
    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2

print("first / last MSE:", mse_list[0], mse_list[-1])
out = np.tanh(X @ W1 + b1) @ W2 + b2
print("outputs:", out.ravel().round(3), "classes:", (out.ravel() > 0.5).astype(int))
"""),
    ]


def shared_scalar_bias() -> list[Cell]:
    return [
        md("""
# XOR, one bias per layer
Every neuron of a layer shares the same bias, a single number. So $b_1$ and $b_2$ are scalars
and their gradient is the sum over the samples **and** the units.
"""),
        code("import numpy as np\nimport matplotlib.pyplot as plt"),
        code("""
np.random.seed(12)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = np.random.randn(2, 4)
b1 = 0.0
W2 = np.random.randn(4, 1)
b2 = 0.0
lr = 0.5
"""),
        code("""
J = []
for it in range(3000):
    A1 = np.tanh(X @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    J.append(float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
    dZ2 = (A2 - Y) / 4
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum()
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum()
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
"""),
        code("""
plt.plot(J)
plt.ylabel('J')
plt.show()
print('J:', J[0], '->', J[-1])
print(A2.round(3).ravel(), 'b1 =', b1, 'b2 =', b2)
"""),
    ]


def while_grad_norm() -> list[Cell]:
    return [
        md("# Train until the gradient vanishes\nStop when $\\|\\nabla L\\| < 10^{-3}$ (or after 30000 iterations, just in case)."),
        code("import numpy as np"),
        code("""
np.random.seed(2)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params = {"W1": np.random.randn(2, 4), "b1": np.zeros((1, 4)),
          "W2": np.random.randn(4, 1), "b2": np.zeros((1, 1))}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loss_and_grads(params, X, y):
    h = sigmoid(X @ params["W1"] + params["b1"])
    p = sigmoid(h @ params["W2"] + params["b2"])
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    d2 = (p - y) / len(X)
    d1 = (d2 @ params["W2"].T) * h * (1 - h)
    grads = {"W1": X.T @ d1, "b1": d1.sum(0, keepdims=True),
             "W2": h.T @ d2, "b2": d2.sum(0, keepdims=True)}
    return loss, grads
"""),
        code("""
lr = 2.0
loss_hist = []
it = 0
while True:
    loss, grads = loss_and_grads(params, X, y)
    loss_hist.append(loss)
    grad_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if grad_norm < 1e-3 or it >= 30000:
        break
    for k in params:
        params[k] -= lr * grads[k]
    it += 1
print("stopped after", it, "iterations, |grad| =", grad_norm, "loss =", loss)
"""),
        code("""
h = sigmoid(X @ params["W1"] + params["b1"])
print(sigmoid(h @ params["W2"] + params["b2"]).round(3))
"""),
    ]


def hundred_k_epochs() -> list[Cell]:
    return [
        code("""
import numpy as np

np.random.seed(0)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

w1 = np.random.uniform(-1, 1, (2, 3))
b1 = np.zeros((1, 3))
w2 = np.random.uniform(-1, 1, (3, 1))
b2 = np.zeros((1, 1))
lr = 0.05

for epoch in range(100000):
    a1 = 1 / (1 + np.exp(-(X @ w1 + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ w2 + b2)))
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ w2.T) * a1 * (1 - a1)
    w2 -= lr * a1.T @ d2
    b2 -= lr * d2.sum(axis=0)
    w1 -= lr * X.T @ d1
    b1 -= lr * d1.sum(axis=0)
    if epoch % 10000 == 0:
        print("epoch %6d  loss %.5f" % (epoch, 0.5 * np.sum((a2 - y) ** 2)))

print(a2)
"""),
    ]


def toy10_then_xor() -> list[Cell]:
    return [
        code('''
"""First I test my backprop on a small toy set of 10 points, then I train on XOR."""
import numpy as np

np.random.seed(3)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init(n_in, n_hidden):
    return [np.random.randn(n_in, n_hidden), np.zeros(n_hidden), np.random.randn(n_hidden, 1), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    h = sigmoid(X @ W1 + b1)
    return h, sigmoid(h @ W2 + b2)


def backward(params, X, y, h, out):
    W1, b1, W2, b2 = params
    d_out = (out - y) / len(X)                 # cross-entropy + sigmoid
    d_h = (d_out @ W2.T) * h * (1 - h)
    return [X.T @ d_h, d_h.sum(axis=0), h.T @ d_out, d_out.sum(axis=0)]


def fit(X, y, n_hidden=4, lr=1.0, epochs=2000):
    params = init(X.shape[1], n_hidden)
    losses = []
    for _ in range(epochs):
        h, out = forward(params, X)
        losses.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
        grads = backward(params, X, y, h, out)
        params = [p - lr * g for p, g in zip(params, grads)]
    return params, losses


# ten hand-made points: class 1 when x1 + x2 > 1
toy_X = np.array([[0.1, 0.2], [0.4, 0.1], [0.3, 0.5], [0.2, 0.7], [0.5, 0.3],
                  [0.9, 0.6], [0.7, 0.8], [0.6, 0.9], [1.0, 0.4], [0.8, 0.5]])
toy_y = np.array([[0], [0], [0], [0], [0], [1], [1], [1], [1], [1]])
toy_params, toy_losses = fit(toy_X, toy_y, lr=2.0, epochs=800)
print("toy set accuracy:", np.mean((forward(toy_params, toy_X)[1] > 0.5) == toy_y))

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params, losses = fit(X, y)
print("XOR loss:", losses[0], "->", losses[-1])
print("XOR outputs:", forward(params, X)[1].ravel().round(3))
'''),
    ]


def noisy_xor_leaky() -> list[Cell]:
    return [
        code('''
"""XOR with leaky ReLU: the four points, then 200 noisy points around the corners."""
import numpy as np
import matplotlib.pyplot as plt

rng = np.random.default_rng(42)
SLOPE = 0.01


def leaky_relu(z):
    return np.where(z > 0, z, SLOPE * z)


def leaky_relu_grad(z):
    return np.where(z > 0, 1.0, SLOPE)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train(X, y, hidden=8, lr=0.3, epochs=2000):
    W1 = rng.normal(0, 1, (2, hidden))
    b1 = np.full(hidden, 0.1)
    W2 = rng.normal(0, np.sqrt(2 / hidden), (hidden, 1))
    b2 = np.zeros(1)
    history = []
    for epoch in range(epochs):
        z1 = X @ W1 + b1
        a1 = leaky_relu(z1)
        p = sigmoid(a1 @ W2 + b2)
        history.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        dz2 = (p - y) / len(X)
        dz1 = (dz2 @ W2.T) * leaky_relu_grad(z1)
        W2 -= lr * a1.T @ dz2
        b2 -= lr * dz2.sum(axis=0)
        W1 -= lr * X.T @ dz1
        b1 -= lr * dz1.sum(axis=0)
    return (W1, b1, W2, b2), history


def predict(weights, X):
    W1, b1, W2, b2 = weights
    return sigmoid(leaky_relu(X @ W1 + b1) @ W2 + b2)


# part 1: the truth table
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
weights, history = train(X, y)
print("4 points:", history[0], "->", history[-1], predict(weights, X).ravel().round(2))

# part 2: 50 noisy points around each corner
corners = np.repeat(X, 50, axis=0)
X_noisy = corners + rng.normal(0, 0.15, corners.shape)
y_noisy = np.repeat(y, 50, axis=0)
weights_noisy, history_noisy = train(X_noisy, y_noisy, epochs=1500)
acc = np.mean((predict(weights_noisy, X_noisy) > 0.5) == y_noisy)
print("noisy XOR accuracy:", acc)

plt.plot(history, label="4 points")
plt.plot(history_noisy, label="noisy, 200 points")
plt.legend()
plt.show()
'''),
    ]


# --------------------------------------------------------------------------- moons, fixed rate


def theta_softmax_minibatch() -> list[Cell]:
    return [
        code('''
"""Moons, 2 output classes with softmax, integer labels, mini-batches of 32."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(0)

X, y = make_moons(n_samples=600, noise=0.2, random_state=3)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=3)

theta = {
    "l1": rng.normal(0, 0.5, (2, 20)), "b1": np.zeros(20),
    "l2": rng.normal(0, 0.5, (20, 2)), "b2": np.zeros(2),
}


def forward(theta, X):
    h = np.tanh(X @ theta["l1"] + theta["b1"])
    s = h @ theta["l2"] + theta["b2"]
    s = s - s.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return h, probs


def cross_entropy(probs, y):
    return -np.mean(np.log(probs[np.arange(len(y)), y]))


def gradients(theta, X, y):
    h, probs = forward(theta, X)
    d = probs.copy()
    d[np.arange(len(y)), y] -= 1
    d /= len(y)
    dh = d @ theta["l2"].T * (1 - h ** 2)
    return {"l2": h.T @ d, "b2": d.sum(0), "l1": X.T @ dh, "b1": dh.sum(0)}


lr = 0.2
batch = 32
train_loss = [cross_entropy(forward(theta, X_tr)[1], y_tr)]
for epoch in range(60):
    order = rng.permutation(len(X_tr))
    for start in range(0, len(X_tr), batch):
        idx = order[start:start + batch]
        g = gradients(theta, X_tr[idx], y_tr[idx])
        for k in theta:
            theta[k] -= lr * g[k]
    train_loss.append(cross_entropy(forward(theta, X_tr)[1], y_tr))

print("train loss", train_loss[0], "->", train_loss[-1])
print("test accuracy", np.mean(forward(theta, X_te)[1].argmax(axis=1) == y_te))
'''),
    ]


def elu_moons_1000() -> list[Cell]:
    return [
        md("# make_moons, 1000 samples, ELU hidden layer"),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
%matplotlib inline
"""),
        code("""
X, y = make_moons(n_samples=1000, noise=0.1, random_state=7)
y = y.reshape(-1, 1)
plt.scatter(X[:, 0], X[:, 1], c=y.ravel(), cmap='coolwarm', s=8)
plt.show()
"""),
        code("""
def elu(z, a=1.0):
    return np.where(z > 0, z, a * (np.exp(np.minimum(z, 0)) - 1))


def elu_grad(z, a=1.0):
    return np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


np.random.seed(1)
W1 = np.random.randn(2, 16) * 0.7
b1 = np.zeros(16)
W2 = np.random.randn(16, 1) * 0.25
b2 = np.zeros(1)
"""),
        code("""
lr = 0.5
hist_gd = []
for epoch in range(1500):
    z1 = X @ W1 + b1
    a1 = elu(z1)
    p = sigmoid(a1 @ W2 + b2)
    hist_gd.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    dz2 = (p - y) / len(X)
    dz1 = (dz2 @ W2.T) * elu_grad(z1)
    W2 -= lr * (a1.T @ dz2)
    b2 -= lr * dz2.sum(axis=0)
    W1 -= lr * (X.T @ dz1)
    b1 -= lr * dz1.sum(axis=0)
print(hist_gd[0], hist_gd[-1])
"""),
        code("""
xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1, 1.5, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
zz = sigmoid(elu(grid @ W1 + b1) @ W2 + b2).reshape(xx.shape)
plt.contourf(xx, yy, zz, levels=20, cmap='coolwarm', alpha=0.6)
plt.scatter(X[:, 0], X[:, 1], c=y.ravel(), cmap='coolwarm', s=8)
plt.title('decision boundary')
plt.show()
acc = np.mean((sigmoid(elu(X @ W1 + b1) @ W2 + b2) > 0.5) == y)
print('training accuracy', acc)
"""),
    ]


def moons200_per_sample() -> list[Cell]:
    return [
        code('''
"""Moons with 200 points, stochastic gradient descent one sample at a time."""
import numpy as np
from sklearn.datasets import make_moons

np.random.seed(9)
X, y = make_moons(n_samples=200, noise=0.1, random_state=5)

n_hidden = 8
W1 = np.random.randn(2, n_hidden)
b1 = np.zeros(n_hidden)
W2 = np.random.randn(n_hidden)
b2 = 0.0
eta = 0.3


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


avg_losses = []
for epoch in range(100):
    perm = np.random.permutation(len(X))
    epoch_loss = 0.0
    for i in perm:
        x, t = X[i], y[i]
        h = sigmoid(x @ W1 + b1)
        p = sigmoid(h @ W2 + b2)
        epoch_loss += -(t * np.log(p) + (1 - t) * np.log(1 - p))
        e = p - t                      # dL/dz for BCE with a sigmoid output
        dh = e * W2 * h * (1 - h)
        W2 -= eta * e * h
        b2 -= eta * e
        W1 -= eta * np.outer(x, dh)
        b1 -= eta * dh
    avg_losses.append(epoch_loss / len(X))
    if epoch % 20 == 0:
        print("epoch", epoch, "loss", round(avg_losses[-1], 4))

pred = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2) > 0.5
print("accuracy on the 200 points:", np.mean(pred == y))
'''),
    ]


def circles_and_moons() -> list[Cell]:
    return [
        md("# Two datasets, one training function\nFirst `make_circles`, then `make_moons`."),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.model_selection import train_test_split
"""),
        code("""
def train_mlp(X, y, hidden=10, lr=0.5, epochs=1500, seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 1, (X.shape[1], hidden))
    b1 = np.zeros(hidden)
    W2 = rng.normal(0, 1 / np.sqrt(hidden), (hidden, 1))
    b2 = np.zeros(1)
    y = y.reshape(-1, 1)
    losses = []
    for _ in range(epochs):
        H = np.tanh(X @ W1 + b1)
        P = 1 / (1 + np.exp(-(H @ W2 + b2)))
        losses.append(-np.mean(y * np.log(P) + (1 - y) * np.log(1 - P)))
        G = (P - y) / len(X)
        GH = (G @ W2.T) * (1 - H ** 2)
        W2 = W2 - lr * H.T @ G
        b2 = b2 - lr * G.sum(0)
        W1 = W1 - lr * X.T @ GH
        b1 = b1 - lr * GH.sum(0)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses


def predict(net, X):
    H = np.tanh(X @ net["W1"] + net["b1"])
    return (1 / (1 + np.exp(-(H @ net["W2"] + net["b2"])))).ravel()
"""),
        md("## Circles"),
        code("""
Xc, yc = make_circles(n_samples=400, noise=0.05, factor=0.5, random_state=1)
circle_net, circle_losses = train_mlp(Xc, yc)
print("circles accuracy:", np.mean((predict(circle_net, Xc) > 0.5) == yc))
"""),
        md("## Moons"),
        code("""
Xm, ym = make_moons(n_samples=400, noise=0.15, random_state=1)
Xm_train, Xm_test, ym_train, ym_test = train_test_split(Xm, ym, test_size=0.3, random_state=1)
moon_net, moon_losses = train_mlp(Xm_train, ym_train, seed=1)
print("moons test accuracy:", np.mean((predict(moon_net, Xm_test) > 0.5) == ym_test))
plt.plot(circle_losses, label='circles')
plt.plot(moon_losses, label='moons')
plt.legend()
plt.show()
"""),
    ]


def no_bias_moons() -> list[Cell]:
    return [
        md("# Moons without any bias\nAfter standardising, the two moons are mirror images through the origin, so I try a network with no biases at all."),
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
"""),
        code("""
X, y = make_moons(n_samples=400, noise=0.15, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=2)
sc = StandardScaler()
X_train = sc.fit_transform(X_train)
X_test = sc.transform(X_test)
t = y_train[:, None]
"""),
        code("""
np.random.seed(6)
W1 = np.random.randn(2, 12)
W2 = np.random.randn(12, 1) * 0.3
for epoch in range(1200):
    H = np.tanh(X_train @ W1)
    P = 1 / (1 + np.exp(-(H @ W2)))
    dZ = (P - t) / len(t)
    dW2 = H.T @ dZ
    dW1 = X_train.T @ ((dZ @ W2.T) * (1 - H ** 2))
    W1 -= 0.5 * dW1
    W2 -= 0.5 * dW2
"""),
        code("""
P_test = 1 / (1 + np.exp(-(np.tanh(X_test @ W1) @ W2)))
print("test accuracy:", np.mean((P_test.ravel() > 0.5) == y_test))
"""),
    ]


# --------------------------------------------------------------------------- moons + Armijo backtracking


def armijo_inline() -> list[Cell]:
    return [
        md("# Lab 6 – final version\nPart 1: fixed learning rate. Part 2: Armijo backtracking written directly in the loop."),
        code("""
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
%matplotlib inline
"""),
        code("""
X, y = make_moons(n_samples=500, noise=0.2, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
Y_train = y_train.reshape(-1, 1)


def init_weights(seed):
    r = np.random.RandomState(seed)
    return [r.randn(2, 10), np.zeros((1, 10)), r.randn(10, 1) * 0.3, np.zeros((1, 1))]


def forward(w, X):
    h = np.tanh(X @ w[0] + w[1])
    return h, 1 / (1 + np.exp(-(h @ w[2] + w[3])))


def bce(w, X, Y):
    p = np.clip(forward(w, X)[1], 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))


def grad(w, X, Y):
    h, p = forward(w, X)
    d2 = (p - Y) / len(X)
    d1 = (d2 @ w[2].T) * (1 - h ** 2)
    return [X.T @ d1, d1.sum(0, keepdims=True), h.T @ d2, d2.sum(0, keepdims=True)]


def accuracy(w, X, y):
    return np.mean((forward(w, X)[1].ravel() > 0.5) == y)
"""),
        md("## 1. Fixed learning rate"),
        code("""
w_fixed = init_weights(0)
loss_fixed = []
for epoch in range(300):
    loss_fixed.append(bce(w_fixed, X_train, Y_train))
    g = grad(w_fixed, X_train, Y_train)
    w_fixed = [wi - 0.3 * gi for wi, gi in zip(w_fixed, g)]
print("fixed: loss", loss_fixed[-1], "test acc", accuracy(w_fixed, X_test, y_test))
"""),
        md("## 2. Backtracking line search (Armijo)\nStart from $\\alpha = 4$, halve it until $f(w - \\alpha g) \\le f(w) - c\\,\\alpha\\,\\|g\\|^2$."),
        code("""
w_bt = init_weights(0)
loss_bt = []
alphas = []
c = 1e-4
for epoch in range(300):
    f0 = bce(w_bt, X_train, Y_train)
    loss_bt.append(f0)
    g = grad(w_bt, X_train, Y_train)
    g2 = sum(np.sum(gi ** 2) for gi in g)
    alpha = 4.0
    while True:
        w_try = [wi - alpha * gi for wi, gi in zip(w_bt, g)]
        if bce(w_try, X_train, Y_train) <= f0 - c * alpha * g2 or alpha < 1e-8:
            break
        alpha = alpha * 0.5
    w_bt = w_try
    alphas.append(alpha)
print("backtracking: loss", loss_bt[-1], "test acc", accuracy(w_bt, X_test, y_test))
"""),
        code("""
plt.plot(loss_fixed, label='fixed lr = 0.3')
plt.plot(loss_bt, label='Armijo')
plt.legend()
plt.xlabel('epoch')
plt.show()
"""),
    ]


def armijo_function_alpha8() -> list[Cell]:
    return [
        code('''
"""Moons: plain gradient descent against gradient descent with Armijo backtracking.

The network is 2-16-1 with ReLU; all parameters live in one list so the line search can
treat them as one vector.
"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=400, noise=0.2, random_state=10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=10)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
y_col = y_train.reshape(-1, 1)


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, (2, 16)), np.zeros(16), rng.normal(0, 0.25, (16, 1)), np.zeros(1)]


def forward(params, X):
    W1, b1, W2, b2 = params
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    return z1, a1, 1 / (1 + np.exp(-(a1 @ W2 + b2)))


def objective(params, X, y):
    p = np.clip(forward(params, X)[2], 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def gradient(params, X, y):
    W1, b1, W2, b2 = params
    z1, a1, p = forward(params, X)
    dz2 = (p - y) / len(X)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    return [X.T @ dz1, dz1.sum(0), a1.T @ dz2, dz2.sum(0)]


def backtracking(params, grads, f, alpha0=8.0, rho=0.5, c=1e-4, max_halvings=40):
    """Armijo: the first alpha0 * rho**k with f(w - a g) <= f(w) - c a |g|^2."""
    f_w = f(params)
    slope = sum(np.sum(g * g) for g in grads)
    alpha = alpha0
    for _ in range(max_halvings):
        trial = [p - alpha * g for p, g in zip(params, grads)]
        if f(trial) <= f_w - c * alpha * slope:
            return trial, alpha
        alpha *= rho
    return params, 0.0


EPOCHS = 300

params_gd = make_params()
losses_gd = []
for epoch in range(EPOCHS):
    losses_gd.append(objective(params_gd, X_train, y_col))
    grads = gradient(params_gd, X_train, y_col)
    params_gd = [p - 0.5 * g for p, g in zip(params_gd, grads)]

params_ls = make_params()
losses_ls = []
steps = []
for epoch in range(EPOCHS):
    losses_ls.append(objective(params_ls, X_train, y_col))
    grads = gradient(params_ls, X_train, y_col)
    params_ls, a = backtracking(params_ls, grads, lambda w: objective(w, X_train, y_col))
    steps.append(a)


def accuracy(params, X, y):
    return np.mean((forward(params, X)[2].ravel() > 0.5) == y)


print(f"fixed lr 0.5 : loss {losses_gd[-1]:.4f}  test acc {accuracy(params_gd, X_test, y_test):.3f}")
print(f"backtracking : loss {losses_ls[-1]:.4f}  test acc {accuracy(params_ls, X_test, y_test):.3f}")
print("mean accepted step:", np.mean(steps))
'''),
    ]


def armijo_function_alpha2_rho08() -> list[Cell]:
    return [
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
import matplotlib.pyplot as plt
"""),
        code("""
X, y = make_moons(n_samples=300, noise=0.15, random_state=4)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=4)
ytr = ytr.reshape(-1, 1)
"""),
        code("""
class MLP:
    def __init__(self, seed):
        np.random.seed(seed)
        self.W1 = np.random.randn(2, 12) * 0.8
        self.b1 = np.zeros((1, 12))
        self.W2 = np.random.randn(12, 1) * 0.3
        self.b2 = np.zeros((1, 1))

    def get(self):
        return [self.W1.copy(), self.b1.copy(), self.W2.copy(), self.b2.copy()]

    def set(self, ws):
        self.W1, self.b1, self.W2, self.b2 = ws

    def out(self, X):
        self.h = np.tanh(X @ self.W1 + self.b1)
        self.p = 1 / (1 + np.exp(-(self.h @ self.W2 + self.b2)))
        return self.p

    def loss(self, X, y):
        p = self.out(X)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def grads(self, X, y):
        p = self.out(X)
        d2 = (p - y) / len(X)
        d1 = d2 @ self.W2.T * (1 - self.h ** 2)
        return [X.T @ d1, d1.sum(0, keepdims=True), self.h.T @ d2, d2.sum(0, keepdims=True)]
"""),
        code("""
def armijo_step(net, X, y, alpha0=2.0, rho=0.8, c=1e-4):
    start = net.get()
    f0 = net.loss(X, y)
    g = net.grads(X, y)
    gg = sum(float(np.sum(gi ** 2)) for gi in g)
    alpha = alpha0
    while alpha > 1e-10:
        net.set([w - alpha * gi for w, gi in zip(start, g)])
        if net.loss(X, y) <= f0 - c * alpha * gg:
            return alpha
        alpha = rho * alpha
    net.set(start)
    return 0.0
"""),
        code("""
net_fixed = MLP(0)
loss_fixed = []
for i in range(500):
    loss_fixed.append(net_fixed.loss(Xtr, ytr))
    g = net_fixed.grads(Xtr, ytr)
    net_fixed.set([w - 0.2 * gi for w, gi in zip(net_fixed.get(), g)])

net_armijo = MLP(0)
loss_armijo = []
for i in range(500):
    loss_armijo.append(net_armijo.loss(Xtr, ytr))
    armijo_step(net_armijo, Xtr, ytr)
"""),
        code("""
plt.plot(loss_fixed, label='lr=0.2')
plt.plot(loss_armijo, label='armijo')
plt.legend(); plt.show()
for name, net in [('fixed', net_fixed), ('armijo', net_armijo)]:
    print(name, loss_fixed[-1] if name == 'fixed' else loss_armijo[-1],
          np.mean((net.out(Xte).ravel() > 0.5) == yte))
"""),
    ]


def armijo_function_alpha1_two_hidden() -> list[Cell]:
    return [
        md("""
# Κατάβαση κλίσης με αναζήτηση γραμμής (Armijo)
Δίκτυο 2-8-8-1 με σιγμοειδείς νευρώνες πάνω στα δεδομένα make_moons. Συγκρίνουμε σταθερό βήμα
με οπισθοδρόμηση (backtracking) που ξεκινά από $a_0 = 1$ και πολλαπλασιάζει με $\\rho = 0.5$.
"""),
        code("""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
"""),
        code("""
X, y = make_moons(n_samples=300, noise=0.1, random_state=0)
klimaka = StandardScaler()   # κλιμάκωση
X = klimaka.fit_transform(X)
Y = y.reshape(-1, 1).astype(float)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def arxikopoiisi(seed=0):
    r = np.random.default_rng(seed)
    return {"W1": r.normal(0, 1, (2, 8)), "b1": np.zeros(8),
            "W2": r.normal(0, 0.5, (8, 8)), "b2": np.zeros(8),
            "W3": r.normal(0, 0.5, (8, 1)), "b3": np.zeros(1)}


def forward(p, X):
    a1 = sigmoid(X @ p["W1"] + p["b1"])
    a2 = sigmoid(a1 @ p["W2"] + p["b2"])
    a3 = sigmoid(a2 @ p["W3"] + p["b3"])
    return a1, a2, a3


def kostos(p, X, Y):
    a3 = np.clip(forward(p, X)[2], 1e-12, 1 - 1e-12)
    return -np.mean(Y * np.log(a3) + (1 - Y) * np.log(1 - a3))


def backward(p, X, Y):
    a1, a2, a3 = forward(p, X)
    d3 = (a3 - Y) / len(X)
    d2 = (d3 @ p["W3"].T) * a2 * (1 - a2)
    d1 = (d2 @ p["W2"].T) * a1 * (1 - a1)
    return {"W3": a2.T @ d3, "b3": d3.sum(0), "W2": a1.T @ d2, "b2": d2.sum(0),
            "W1": X.T @ d1, "b1": d1.sum(0)}
"""),
        md("## Οπισθοδρόμηση Armijo"),
        code("""
def armijo(p, g, X, Y, alpha0=1.0, rho=0.5, c=1e-4):
    f0 = kostos(p, X, Y)
    norma2 = sum(np.sum(g[k] ** 2) for k in p)
    a = alpha0
    for _ in range(50):
        neo = {k: p[k] - a * g[k] for k in p}
        if kostos(neo, X, Y) <= f0 - c * a * norma2:
            return neo, a
        a *= rho
    return p, 0.0
"""),
        code("""
# σταθερό βήμα
p_fixed = arxikopoiisi()
kostos_fixed = []
for epoxi in range(1000):
    kostos_fixed.append(kostos(p_fixed, X, Y))
    g = backward(p_fixed, X, Y)
    p_fixed = {k: p_fixed[k] - 0.5 * g[k] for k in p_fixed}

# Armijo
p_bt = arxikopoiisi()
kostos_bt = []
for epoxi in range(1000):
    kostos_bt.append(kostos(p_bt, X, Y))
    p_bt, a = armijo(p_bt, backward(p_bt, X, Y), X, Y)

print("σταθερό βήμα:", kostos_fixed[-1], "Armijo:", kostos_bt[-1])
print("ακρίβεια Armijo:", np.mean((forward(p_bt, X)[2] > 0.5) == Y))
"""),
    ]


# --------------------------------------------------------------------------- broken


def bug_tiny_lr() -> list[Cell]:
    return [
        md("# XOR, 2-4-1 sigmoid network\nI use a small learning rate to be safe."),
        code("import numpy as np\nnp.random.seed(1)"),
        code("""
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
W1 = np.random.randn(2, 4)
b1 = np.zeros((1, 4))
W2 = np.random.randn(4, 1)
b2 = np.zeros((1, 1))
learning_rate = 1e-4
"""),
        code("""
def sigmoid(z):
    return 1 / (1 + np.exp(-z))

losses = []
for i in range(3000):
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    losses.append(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2)))
    dz2 = (a2 - y) / 4
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    W2 -= learning_rate * a1.T @ dz2
    b2 -= learning_rate * dz2.sum(axis=0, keepdims=True)
    W1 -= learning_rate * X.T @ dz1
    b1 -= learning_rate * dz1.sum(axis=0, keepdims=True)
print(losses[0], losses[-1])
print(a2.ravel())
"""),
    ]


def bug_epochs_zero() -> list[Cell]:
    return [
        code('''
"""XOR with forward() and backward() functions."""
import numpy as np

np.random.seed(6)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
params = {"W1": np.random.randn(2, 4), "b1": np.zeros(4), "W2": np.random.randn(4, 1), "b2": np.zeros(1)}

epochs = int(1e-4)   # 10^4 epochs
lr = 1.0


def forward(params, X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    return h, out


def backward(params, X, y, h, out):
    d2 = (out - y) / len(X)
    d1 = (d2 @ params["W2"].T) * (1 - h ** 2)
    return {"W1": X.T @ d1, "b1": d1.sum(0), "W2": h.T @ d2, "b2": d2.sum(0)}


loss_history = []
for epoch in range(epochs):
    h, out = forward(params, X)
    loss_history.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
    grads = backward(params, X, y, h, out)
    for k in params:
        params[k] -= lr * grads[k]

print("trained for", epochs, "epochs")
print(forward(params, X)[1].round(3))
'''),
    ]


def bug_sigmoid_derivative() -> list[Cell]:
    return [
        md("# XOR, NumPy, functions for everything"),
        code("import numpy as np"),
        code("""
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(a):
    # derivative of the sigmoid, written with its output a
    return a
"""),
        code("""
def forward(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    return a1, a2


def backprop(X, y, W1, b1, W2, b2):
    a1, a2 = forward(X, W1, b1, W2, b2)
    delta2 = (a2 - y) * sigmoid_derivative(a2)
    delta1 = (delta2 @ W2.T) * sigmoid_derivative(a1)
    return X.T @ delta1, delta1.sum(0), a1.T @ delta2, delta2.sum(0)
"""),
        code("""
np.random.seed(0)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
W1, b1 = np.random.randn(2, 4), np.zeros(4)
W2, b2 = np.random.randn(4, 1), np.zeros(1)

loss_history = []
for epoch in range(4000):
    a2 = forward(X, W1, b1, W2, b2)[1]
    loss_history.append(0.5 * np.sum((a2 - y) ** 2))
    dW1, db1, dW2, db2 = backprop(X, y, W1, b1, W2, b2)
    W1 -= 0.5 * dW1
    b1 -= 0.5 * db1
    W2 -= 0.5 * dW2
    b2 -= 0.5 * db2
print(loss_history[0], loss_history[-1])
print(forward(X, W1, b1, W2, b2)[1].ravel())
"""),
    ]


XOR = ("xor",)
MOONS = ("moons",)
BOTH = ("moons", "backtracking")

ENTRIES: list[Entry] = [
    # ---- XOR, inline loops and odd names ----
    Entry("wild_np_inline_wh_bh", "xor_tutorial.py", inline_wh_bh(), attempts=XOR,
          style="XOR, inline loop with no functions, `wh, bh, wo, bo`, uniform init, `error = y - output`,"
                " `W += lr * X.T @ delta` (SSE gradient), MSE printed every 1000 epochs, no history, script"),
    Entry("wild_np_synapse_bias_column", "7.py", synapse_bias_column(), attempts=XOR,
          style="XOR, `synapse_0, synapse_1`, bias folded into the input as a column of ones, no output bias,"
                " `loss = y - l2` is really the error, `nonlin(x, deriv=True)`, implicit rate 1, script"),
    Entry("wild_np_greek_hidden_layer_wt", "ergasia6.ipynb", greek_hidden_layer_wt(), attempts=XOR,
          style="XOR, Greek markdown and comments, `hidden_layer_wt`/`output_layer_wt`, tanh hidden, BCE,"
                " history named `E`, plot"),
    Entry("wild_np_korean_outer_sgd", "xor_sgd.ipynb", korean_outer_sgd(), attempts=XOR,
          style="XOR, Korean markdown and comments, `input_to_hidden_weights`, per-sample SGD with `np.outer`,"
                " 1-D output weights and a float output bias, half squared error averaged per epoch"),
    Entry("wild_np_persian_Wij_Vjk", "lb.py", persian_wij_vjk(), attempts=XOR,
          style="XOR, Persian comments, `Wij, Vjk` with `bj, bk`, column-major `W @ X` (samples as columns),"
                " MSE, `W = W - eta * dW`, script"),
    Entry("wild_np_nested_lists", "xor_lists.py", nested_lists(), attempts=XOR,
          style="XOR, weights as nested Python lists, math.exp, forward and gradients in Python loops,"
                " every weight updated element by element, MSE in `loss_values`, script"),
    Entry("wild_np_lists_converted", "xor_relu.ipynb", lists_converted(), attempts=XOR,
          style="XOR, ReLU hidden 2-8-1, weights kept as lists and converted to arrays (and back with"
                " `.tolist()`) every epoch, BCE in `loss_log`"),
    Entry("wild_np_neuralnetwork_class", "neural_network.ipynb", neuralnetwork_class(), attempts=XOR,
          style="XOR, `NeuralNetwork` class with `.feedforward()`, `.backprop()`, `.train()`, `self.weights1`,"
                " `self.weights2`, integer data, sum of squared errors, `+=` with the sign inside (y - output)"),
    Entry("wild_np_japanese_linear_layers", "xor_deep.ipynb", japanese_linear_layers(), attempts=XOR,
          style="XOR, Japanese markdown and comments, `Linear_layer`/`Tanh_layer`/`Sigmoid_layer` objects in a"
                " list, 4 hidden tanh layers 2-6-6-6-6-1, BCE, semilog plot"),
    Entry("wild_np_dict_softmax_onehot", "xor_softmax.ipynb", dict_softmax_onehot(), attempts=XOR,
          style="XOR as 2 classes, softmax + cross-entropy with one-hot labels, weights in dicts"
                " `W['hidden'], W['out']`, tanh hidden, argmax predictions"),
    Entry("wild_np_backpropagation_globals", "xor_globals.ipynb", backpropagation_globals(), attempts=XOR,
          style="XOR, `backpropagation(X, y, lr)` rebinding the global weights with `global`, returns the MSE,"
                " history named `errors`"),
    Entry("wild_np_linear_output_mse", "xor_linear.py", linear_output_mse(), attempts=XOR,
          style="XOR, tanh hidden, linear output unit with MSE, threshold 0.5, no seed (relies on the"
                " grader's seed), script"),
    Entry("wild_np_shared_scalar_bias", "xor_scalar_bias.ipynb", shared_scalar_bias(), attempts=XOR,
          style="XOR, one shared scalar bias per layer (`b1 = 0.0`, gradient summed over samples and units),"
                " tanh hidden, BCE history named `J`"),
    Entry("wild_np_while_grad_norm", "xor_until.ipynb", while_grad_norm(), attempts=XOR,
          style="XOR, `while True:` until the gradient norm is below 1e-3 with a 30000-iteration cap,"
                " `loss_and_grads(params, X, y)`, params dict"),
    Entry("wild_np_100k_epochs", "xor_long.py", hundred_k_epochs(), attempts=XOR,
          style="XOR, 100,000 epochs of a tiny 2-3-1 sigmoid net, lr 0.05, SSE gradient, loss printed"
                " every 10000 epochs with %-formatting, no history, script"),
    Entry("wild_np_toy10_then_xor", "toy.py", toy10_then_xor(), attempts=XOR,
          style="a 10-point toy set first, then XOR, with `fit()` returning a params list and the losses,"
                " sigmoid hidden, BCE, script"),
    Entry("wild_np_noisy_xor_leaky", "noisy_xor.py", noisy_xor_leaky(), attempts=XOR,
          style="XOR 4 points and 200 noisy points around the corners, leaky ReLU hidden, `train()` returning"
                " a weights tuple, default_rng, plot, script"),
    # ---- moons, fixed rate ----
    Entry("wild_np_theta_softmax_minibatch", "moons_softmax.py", theta_softmax_minibatch(), attempts=MOONS,
          style="moons, softmax + cross-entropy with integer labels, `theta['l1']`, mini-batches of 32,"
                " default_rng shuffling, tanh hidden 2-20-2, script"),
    Entry("wild_np_elu_moons_1000", "moons_elu.ipynb", elu_moons_1000(), attempts=MOONS,
          style="moons n_samples=1000 noise=0.1, no split, ELU hidden 2-16-1, BCE history `hist_gd`,"
                " scatter and decision-boundary plots"),
    Entry("wild_np_dense_layers_moons", "moons_layers.py", dense_layers_moons(), attempts=MOONS,
          style="moons, `DenseLayer` objects with forward/backward/update in a list, 3 hidden ReLU layers"
                " 2-16-16-16-1, BCE gradient through dL/dp, StandardScaler, script"),
    Entry("wild_np_moons200_per_sample", "moons_sgd.py", moons200_per_sample(), attempts=MOONS,
          style="moons with 200 points noise 0.1, per-sample SGD with `np.outer`, shuffled each epoch,"
                " sigmoid hidden, running epoch loss in `avg_losses`, script"),
    Entry("wild_np_circles_and_moons", "circles_moons.ipynb", circles_and_moons(), attempts=MOONS,
          style="make_circles then make_moons with the same `train_mlp()` function returning a dict,"
                " tanh hidden, two loss curves"),
    Entry("wild_np_no_bias_moons", "moons_nobias.ipynb", no_bias_moons(), attempts=MOONS,
          style="moons, no biases at all (tanh 2-12-1 after StandardScaler), loss never computed or printed,"
                " no history"),
    # ---- moons + Armijo ----
    Entry("wild_np_armijo_inline", "lab6 final (1).ipynb", armijo_inline(), attempts=BOTH,
          style="moons, Armijo backtracking written inline in the training loop (alpha0 1, rho 0.5),"
                " weights as a list, `loss_fixed`/`loss_bt`, tanh 2-10-1"),
    Entry("wild_np_armijo_fn_alpha8", "optimizer.py", armijo_function_alpha8(), attempts=BOTH,
          style="moons, `backtracking(params, grads, f, alpha0=8.0, rho=0.5)` returning the accepted trial,"
                " ReLU 2-16-1, StandardScaler, `losses_gd`/`losses_ls`, script"),
    Entry("wild_np_armijo_fn_alpha2_rho08", "Untitled.ipynb", armijo_function_alpha2_rho08(), attempts=BOTH,
          style="moons, no markdown, `MLP` class with get/set, `armijo_step(net, X, y, alpha0=2.0, rho=0.8)`"
                " restoring from the saved weights, tanh 2-12-1"),
    Entry("wild_np_armijo_greek_two_hidden", "askisi_armijo.ipynb", armijo_function_alpha1_two_hidden(),
          attempts=BOTH,
          style="moons noise 0.1, Greek markdown, Greek-transliterated names (`kostos`, `arxikopoiisi`),"
                " sigmoid 2-8-8-1, params dict, `armijo(p, g, X, Y, alpha0=1.0, rho=0.5)`"),
    # ---- broken ----
    Entry("wild_np_bug_tiny_lr", "xor.ipynb", bug_tiny_lr(), attempts=XOR,
          style="XOR, 2-4-1 sigmoid, BCE, inline loop, globals W1, b1, W2, b2",
          bug="learning rate 1e-4: after 3000 epochs the weights have hardly moved and the loss is where"
              " it started",
          fails=(Fail("xor.loss", ()),),
          also_fails=("xor.classifies",)),
    Entry("wild_np_bug_output_ascent", "xor_tutorial.py",
          inline_wh_bh(out_update="wo -= hidden_output.T.dot(d_output) * lr"), attempts=XOR,
          style="XOR, inline loop with no functions, `wh, bh, wo, bo`, `error = y - output`, script",
          bug="the output weights are updated with `wo -= ...` although the minus sign is already in"
              " `error = y - output`: gradient ascent on the output layer",
          fails=(Fail("xor.descent", ()),),
          also_fails=("xor.classifies", "xor.loss")),
    Entry("wild_np_bug_epochs_zero", "xor_functions.py", bug_epochs_zero(), attempts=XOR,
          style="XOR, `forward`/`backward` functions, params dict, tanh hidden, BCE, script",
          bug="`epochs = int(1e-4)` (meant 1e4) is 0: the training loop never runs",
          fails=(Fail("xor.loss", ()), Fail("xor.descent", ("no training",))),
          also_fails=("xor.classifies", "xor.gradients"),
          notes="`loss_history` stays empty and the weights are the initial ones; no training step is"
                " ever taken."),
    Entry("wild_np_bug_sigmoid_derivative", "xor_fns.ipynb", bug_sigmoid_derivative(), attempts=XOR,
          style="XOR, `forward`/`backprop` functions taking the weights, sigmoid 2-4-1, SSE",
          bug="`sigmoid_derivative(a)` returns `a` instead of `a * (1 - a)`",
          fails=(Fail("xor.gradients", ()),),
          also_fails=("xor.classifies", "xor.loss"),
          notes="Seed-dependent consequence: with this seed (0) the half SSE only goes 0.65 -> 0.51 and"
                " (1, 0) is misclassified; with some other seeds the wrong gradient still solves XOR and"
                " only xor.gradients fails. The update is lr times the wrong gradient, so a descent check"
                " that compares the step with the true gradient may fail too."),
]

