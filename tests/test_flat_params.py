"""Networks stored in unusual ways, identified and judged in process: one flat parameter vector
cut by slicing, a constant-1 input per sample, and the mistakes those layouts allow (a gradient
concatenated in another order, a bias gradient summed over the units)."""

from __future__ import annotations

import numpy as np

from grader.evidence import find_networks
from grader.flat_params import cuts, layer_dims
from grader.identify import identify
from grader.observed_updates import observed_updates
from grader.update_hypotheses import explain

from test_loop_trace import traced

FLAT = """
import numpy as np
rng = np.random.RandomState(21)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = np.array([[0.], [1.], [1.], [0.]])
theta = rng.uniform(-1, 1, 17)

def parts(t):
    return t[:8].reshape(2, 4), t[8:12], t[12:16].reshape(4, 1), t[16:]

def cost_grad(t):
    W1, b1, W2, b2 = parts(t)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    d2 = 2 * (a2 - Y) * a2 * (1 - a2) / 4
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    g = [(X.T @ d1).ravel(), d1.sum(0), (a1.T @ d2).ravel(), d2.sum(0)]
    return np.mean((a2 - Y) ** 2), np.concatenate(ORDER)

for it in range(600):
    J, grad = cost_grad(theta)
    theta -= 2.0 * grad
"""


def _flat(order: str = "[g[0], g[1], g[2], g[3]]") -> str:
    return FLAT.replace("ORDER", order)


def test_layer_widths_are_solved_from_the_vector_size() -> None:
    assert layer_dims(17, 2, 1, True)[0] == (2, 4, 1)
    assert (2, 3, 3, 1) in layer_dims(2 * 3 + 3 + 9 + 3 + 3 + 1, 2, 1, True)
    assert layer_dims(16, 2, 1, True) == []          # no widths give 16 with biases
    roles = [[p.role for p in c.pieces] for c in cuts("theta", 17, 2, 1)]
    assert ["W1", "b1", "W2", "b2"] in roles and ["W1", "W2", "b1", "b2"] in roles


def test_a_flat_theta_is_cut_into_the_layers_that_reproduce_its_loss() -> None:
    _, trace = traced(_flat())
    found = find_networks(trace)
    assert len(found) == 1
    network = found[0]
    assert network.sizes == (2, 4, 1) and network.activations == ("sigmoid", "sigmoid")
    assert network.layout.weights == ("theta[0:8] (W1)", "theta[12:16] (W2)")
    assert "`theta` is read as W1 2×4" in network.evidence
    loss, updates = observed_updates(network, (2.0,))
    assert updates and explain(network, loss, updates) is None  # correct: nothing to explain


def test_a_flat_gradient_in_another_order_is_named() -> None:
    _, trace = traced(_flat("[g[0], g[2], g[1], g[3]]"))
    network = find_networks(trace)[0]
    loss, updates = observed_updates(network, (2.0,))
    explanation = explain(network, loss, updates)
    assert explanation is not None and explanation.slug == "flat_order"
    assert set(explanation.parameters) == {"theta[8:12] (b1)", "theta[12:16] (W2)"}
    assert "[W1, W2, b1, b2]" in explanation.diagnosis


SWAPPED = """
import numpy as np
np.random.seed(13)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
t = np.array([[0.], [1.], [1.], [0.]])
params = [np.random.uniform(-1, 1, (2, 4)), np.zeros(4), np.random.uniform(-1, 1, (4, 1)), np.zeros(1)]

def backprop(params):
    W1, b1, W2, b2 = params
    h = 1 / (1 + np.exp(-(X @ W1 + b1)))
    out = 1 / (1 + np.exp(-(h @ W2 + b2)))
    d2 = (out - t) * out * (1 - out)
    d1 = (d2 @ W2.T) * h * (1 - h)
    loss = 0.5 * np.sum((out - t) ** 2)
    return loss, [X.T @ d1, DB1, h.T @ d2, d2.sum(0)]

for i in range(500):
    loss, grads = backprop(params)
    for p, g in zip(params, grads):
        p -= 1.0 * g
"""


def test_a_bias_gradient_summed_over_the_units_is_named() -> None:
    _, trace = traced(SWAPPED.replace("DB1", "np.sum(d1, axis=1)"))
    network = find_networks(trace)[0]
    loss, updates = observed_updates(network, (1.0,))
    explanation = explain(network, loss, updates)
    assert explanation is not None and explanation.slug == "bias_units_axis"
    assert explanation.parameters == ("params[1]",)
    assert "axis=1" in explanation.diagnosis


def test_the_correct_bias_gradient_is_not_blamed() -> None:
    _, trace = traced(SWAPPED.replace("DB1", "np.sum(d1, axis=0)"))
    network = find_networks(trace)[0]
    loss, updates = observed_updates(network, (1.0,))
    assert explain(network, loss, updates) is None


PER_SAMPLE_ONES = """
import random, math
random.seed(8)
data = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]
w_h = [[random.uniform(-1, 1) for _ in range(3)] for _ in range(4)]
w_o = [random.uniform(-1, 1) for _ in range(5)]
sig = lambda v: 1 / (1 + math.exp(-v))
for epoch in range(300):
    for x, y in data:
        inp = x + [1.0]
        hid = [sig(sum(w * e for w, e in zip(row, inp))) for row in w_h] + [1.0]
        out = sig(sum(w * h for w, h in zip(w_o, hid)))
        d_o = (out - y) * out * (1 - out)
        d_h = [d_o * w_o[j] * hid[j] * (1 - hid[j]) for j in range(4)]
        for j in range(5):
            w_o[j] -= 0.7 * d_o * hid[j]
        for j in range(4):
            for i in range(3):
                w_h[j][i] -= 0.7 * d_h[j] * inp[i]
"""


def test_a_constant_one_appended_to_each_sample_is_a_folded_bias() -> None:
    _, trace = traced(PER_SAMPLE_ONES)
    found = find_networks(trace)
    assert found and found[0].sizes == (2, 4, 1), [f.evidence for f in found]
    assert found[0].layout.folded[0] == 2
    assert np.allclose(found[0].biases[0], np.array(found[0].states[-1]["w_h"])[:, 2])


UPDATES_ONLY = """
import numpy as np
rng = np.random.RandomState(8)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = np.array([[0.], [1.], [1.], [0.]])
theta = rng.uniform(-1, 1, 17)
history = []

def dJ(t):
    W1, b1, W2, b2 = t[:8].reshape(2, 4), t[8:12], t[12:16].reshape(4, 1), t[16:]
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    d2 = 2 * (a2 - Y) * a2 * (1 - a2) / 4
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    history.append(float(np.mean((a2 - Y) ** 2)))
    return np.concatenate([(X.T @ d1).ravel(), d1.sum(0), (a1.T @ d2).ravel(), SCALE * d2.sum(0)])

for it in range(500):
    theta = theta - 2.0 * dJ(theta)
"""


def test_a_flat_theta_whose_loop_keeps_no_loss_is_found_from_its_updates() -> None:
    _, trace = traced(UPDATES_ONLY.replace("SCALE", "1"))
    assert find_networks(trace) == []        # no output or loss scalar in the loop to confirm a cut
    (network,) = identify(trace)
    assert network.sizes == (2, 4, 1)
    assert network.layout.weights == ("theta[0:8] (W1)", "theta[12:16] (W2)")
    assert "`theta` is read as W1 2×4" in network.evidence
    assert "exact negative multiple of the gradient of the mse loss" in network.evidence


def test_a_flat_vector_moved_by_noise_is_not_a_trained_network() -> None:
    walk = UPDATES_ONLY.replace("2.0 * dJ(theta)", "0.01 * rng.standard_normal(17) + 0 * dJ(theta)")
    _, trace = traced(walk.replace("SCALE", "1"))
    assert identify(trace) == []
