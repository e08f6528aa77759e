"""Where the data a loop trained on is read from: records, counters, a function's globals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.evidence import find_networks
from grader.identify import identify
from grader.observed_updates import observed_updates, step_factors
from grader.sandbox.global_data import problem_data
from grader.sandbox.looptrace import _record_columns
from test_loop_trace import traced

PER_SAMPLE = """
import numpy as np
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
T = np.array([0., 1., 1., 0.])
rng = np.random.default_rng(11)
W1, b1 = rng.normal(size=(2, 3)), np.zeros(3)
w2, b2 = rng.normal(size=3), 0.0
lr = 0.5
sig = lambda z: 1 / (1 + np.exp(-z))
for epoch in range(80):
    for x, t in zip(X, T):
        h = sig(x @ W1 + b1)
        o = sig(h @ w2 + b2)
        d_o = (o - t) * o * (1 - o)
        d_h = d_o * w2 * h * (1 - h)
        w2 -= lr * d_o * h
        b2 -= lr * d_o
        W1 -= lr * np.outer(x, d_h)
        b1 -= lr * d_h
"""

RECORDS = """
import math
import numpy as np
np.random.seed(5)
data = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
W = np.random.uniform(-1, 1, (2, 3)).tolist()
V = np.random.uniform(-1, 1, 3).tolist()
lr = LR
sig = lambda z: 1.0 / (1.0 + math.exp(-z))
for epoch in range(40):
    gW = [[0.0] * 3 for _ in range(2)]
    gV = [0.0] * 3
    for x, t in data:
        h = [sig(sum(x[i] * W[i][j] for i in range(2))) for j in range(3)]
        o = sig(sum(h[j] * V[j] for j in range(3)))
        d_o = (o - t) * o * (1 - o)
        for j in range(3):
            gV[j] += d_o * h[j]
            for i in range(2):
                gW[i][j] += d_o * V[j] * h[j] * (1 - h[j]) * x[i]
    for j in range(3):
        V[j] -= lr * gV[j]
        for i in range(2):
            W[i][j] -= lr * gW[i][j]
"""


def _found(source: str):
    _, trace = traced(source)
    found = identify(trace) or find_networks(trace)
    assert found, "the network is identified"
    return found[0]


def test_records_of_inputs_and_labels_are_read_as_one_array_per_field() -> None:
    columns = dict(_record_columns([([0, 0], 0), ([0, 1], 1), ([1, 0], 1)]))
    assert columns[0].tolist() == [[0, 0], [0, 1], [1, 0]] and columns[1].tolist() == [0, 1, 1]
    assert _record_columns([[1.0, 2.0], [3.0, 4.0]]) == []    # rows of numbers: one matrix already
    assert _record_columns([([0, 0], 0), ([0, 1],)]) == []    # records of different lengths
    assert _record_columns([("a", 0), ("b", 1)]) == []        # not numbers
    layers = [(np.ones((4, 4)), np.zeros(4)), (np.ones((4, 4)), np.zeros(4))]
    assert _record_columns(layers) == []                      # (W, b) per layer: parameters


def test_an_outer_epoch_counter_is_never_read_as_the_label_of_a_per_sample_step() -> None:
    found = _found(PER_SAMPLE)
    loss, updates = observed_updates(found, (0.5,))
    factors = step_factors(updates)
    assert loss in ("half_mse", "half_sse") and factors
    assert max(abs(f - 0.5) for f in factors) < 1e-6, factors  # every sampled step: lr times


@pytest.mark.parametrize("rate", [0.5])
def test_a_whole_epoch_over_a_list_of_records_is_judged_on_all_of_them(rate: float) -> None:
    found = _found(RECORDS.replace("LR", repr(rate)))
    assert found.inputs == "data[:][0]" and found.targets == "data[:][1]"
    loss, updates = observed_updates(found, (rate,))
    factors = step_factors(updates)
    assert loss == "half_sse" and factors and max(abs(f - rate) for f in factors) < 1e-6


def test_a_function_reading_its_data_from_globals_gets_the_problem_data_while_called() -> None:
    namespace: dict = {"np": np, "inputs": np.ones((40, 2), dtype=np.float32),
                       "targets": np.zeros((40, 1)), "lr": 0.1}
    exec("def search(model):\n    return inputs.sum(), targets.shape, lr", namespace)  # noqa: S102
    search = namespace["search"]
    X, Y = np.full((7, 2), 2.0), np.ones(7)
    with problem_data(search, X, Y) as swapped:
        total, shape, lr = search(None)
    assert swapped == ["inputs", "targets"] and total == 28.0 and shape == (7, 1) and lr == 0.1
    assert namespace["inputs"].shape == (40, 2) and namespace["targets"].shape == (40, 1)
    assert namespace["inputs"].dtype == np.float32


def test_a_function_with_two_possible_input_globals_is_left_alone() -> None:
    namespace: dict = {"A": np.ones((40, 2)), "B": np.ones((30, 2)), "t": np.zeros(40)}
    exec("def search(model):\n    return A.sum() + B.sum() + t.sum()", namespace)  # noqa: S102
    with problem_data(namespace["search"], np.zeros((5, 2)), np.zeros(5)) as swapped:
        assert swapped == [] and namespace["search"](None) == 140.0


def _stream(*datas: np.ndarray) -> SimpleNamespace:
    return SimpleNamespace(samples=[SimpleNamespace(data=datas)])


def test_an_autograd_network_is_labelled_by_the_data_its_graph_saved_not_the_files_arrays() -> None:
    from grader.looptrace import DataCall
    from grader.trace_candidates import stream_dataset

    xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert stream_dataset(_stream(xor, targets), []) == "xor"  # a 200x200 plotting grid is not
    moons = DataCall("make_moons", (), {"n_samples": 300}, ((300, 2), (300,)))
    split = DataCall("train_test_split", ({"shape": [300, 2]},), {}, ((240, 2), (60, 2)))
    train = np.random.default_rng(0).normal(size=(240, 2))
    assert stream_dataset(_stream(train), [split, moons]) == "moons"
    assert stream_dataset(_stream(train, xor), [split, moons]) is None  # two data sets: no say
    assert stream_dataset(_stream(targets), []) is None


NIELSEN = """
import random
import numpy as np
random.seed(7)
np.random.seed(7)
sig = lambda z: 1.0 / (1.0 + np.exp(-z))

class Network:
    def __init__(self, sizes):
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sig(w @ a + b)
        return a

    def SGD(self, data, epochs, eta):
        for j in range(epochs):
            random.shuffle(data)
            batches = [data[k:k + 4] for k in range(0, len(data), 4)]
            for batch in batches:
                self.update(batch, eta)
            c = sum(0.5 * float(((y - self.feedforward(x)) ** 2).sum()) for x, y in data) / len(data)

    def update(self, batch, eta):
        nb = [np.zeros(b.shape) for b in self.biases]
        nw = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            h = sig(self.weights[0] @ x + self.biases[0])
            o = sig(self.weights[1] @ h + self.biases[1])
            d2 = (o - y) * o * (1 - o)
            d1 = (self.weights[1].T @ d2) * h * (1 - h)
            nb = [nb[0] + d1, nb[1] + d2]
            nw = [nw[0] + d1 @ x.T, nw[1] + d2 @ h.T]
        self.weights = [w - eta / len(batch) * g for w, g in zip(self.weights, nw)]
        self.biases = [b - eta / len(batch) * g for b, g in zip(self.biases, nb)]

xs = [np.array([[0.], [0.]]), np.array([[0.], [1.]]), np.array([[1.], [0.]]), np.array([[1.], [1.]])]
ys = [np.array([[0.]]), np.array([[1.]]), np.array([[1.]]), np.array([[0.]])]
training_data = list(zip(xs, ys))
net = Network([2, 4, 1])
net.SGD(training_data, 120, 3.0)
"""


def test_column_vector_records_shuffled_each_epoch_are_data_and_the_lists_are_the_network() -> None:
    columns = dict(_record_columns([(np.zeros((2, 1)), np.ones((1, 1)))] * 3))
    assert columns[0].shape == (3, 2) and columns[1].shape == (3,)  # a sample's column: one row
    found = _found(NIELSEN)
    assert [p.split(".", 1)[1] for p in found.layout.weights] == ["weights[0]", "weights[1]"]
    assert found.layout.column and found.sizes == (2, 4, 1)
    assert all(b is not None and "biases" in b for b in found.layout.biases)
    assert found.inputs == "data[:][0]" and found.targets == "data[:][1]"
    assert found.activations == ("sigmoid", "sigmoid") and found.loss == "half_mse"


PURE_PYTHON = """
import math
import random
random.seed(3)
sig = lambda v: 1.0 / (1.0 + math.exp(-v))
inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [0, 1, 1, 0]
w_ih = [[random.uniform(-1, 1) for i in range(2)] for j in range(3)]   # (out, in)
b_h = [0.0 for j in range(3)]
w_ho = [random.uniform(-1, 1) for j in range(3)]                       # one output: a plain list
b_o = 0.0

def feed(x):
    hid = []
    for j in range(3):
        s = b_h[j]
        for i in range(2):
            s += w_ih[j][i] * x[i]
        hid.append(sig(s))
    s = b_o
    for j in range(3):
        s += w_ho[j] * hid[j]
    return hid, sig(s)

for epoch in range(100):
    for n in range(4):
        x, t = inputs[n], targets[n]
        hid, o = feed(x)
        delta_o = (o - t) * o * (1 - o)
        delta_h = [delta_o * w_ho[j] * hid[j] * (1 - hid[j]) for j in range(3)]
        for j in range(3):
            w_ho[j] -= 0.5 * delta_o * hid[j]
        b_o -= 0.5 * delta_o
        for j in range(3):
            for i in range(2):
                w_ih[j][i] -= 0.5 * delta_h[j] * x[i]
            b_h[j] -= 0.5 * delta_h[j]
"""


def test_a_pure_python_network_stored_out_by_in_with_a_list_as_its_output_layer() -> None:
    _, trace = traced(PURE_PYTHON)
    found = identify(trace)
    assert len(found) == 1, [(f.loop.line, f.layout) for f in found]
    network = found[0]
    assert network.layout.weights == ("w_ih", "w_ho") and network.layout.column
    assert network.layout.biases == ("b_h", "b_o") and network.sizes == (2, 3, 1)
    assert network.inputs == "x" and network.activations == ("sigmoid", "sigmoid")
    assert network.loop.line == 26  # the per-sample loop, whose iterations are single steps


MINI_BATCHES_AND_FULL_OUTPUTS = """
import numpy as np
rng = np.random.default_rng(4)
X = rng.normal(size=(64, 2))
y = (X[:, :1] * X[:, 1:] > 0).astype(float)
W1, b1 = rng.normal(size=(2, 6)), np.zeros(6)
W2, b2 = rng.normal(size=(6, 1)), np.zeros(1)
sig = lambda z: 1 / (1 + np.exp(-z))
for epoch in range(40):
    order = rng.permutation(len(X))
    for start in range(0, len(X), 16):
        idx = order[start:start + 16]
        xb, yb = X[idx], y[idx]
        h = np.tanh(xb @ W1 + b1)
        p = sig(h @ W2 + b2)
        d2 = (p - yb) / len(xb)
        d1 = d2 @ W2.T * (1 - h ** 2)
        W2 -= 0.5 * h.T @ d2
        b2 -= 0.5 * d2.sum(axis=0)
        W1 -= 0.5 * xb.T @ d1
        b1 -= 0.5 * d1.sum(axis=0)
    full = sig(np.tanh(X @ W1 + b1) @ W2 + b2)
"""


def test_mini_batch_steps_are_the_training_loop_even_when_the_epoch_keeps_full_outputs() -> None:
    _, trace = traced(MINI_BATCHES_AND_FULL_OUTPUTS)
    found = identify(trace)
    assert len(found) == 1 and found[0].loop.line == 11, [f.loop.where for f in found]
    assert found[0].inputs == "X[idx]" and found[0].layout.weights == ("W1", "W2")
    loss, updates = observed_updates(found[0], (0.5,))
    factors = step_factors(updates)
    assert loss == "bce" and factors and max(abs(f - 0.5) for f in factors) < 1e-6, factors
