"""The loop trace (instrumented loops, sampled state) and identification by evidence, in process."""

from __future__ import annotations

import traceback

import numpy as np
import pytest

from grader import protocol
from grader.checks.updates import check_constant_rate, check_update_directions, measure
from grader.evidence import find_networks
from grader.looptrace import parse_loops
from grader.observed_updates import observed_updates
from grader.sandbox.instrument import compile_cell
from grader.sandbox.looptrace import LoopTrace, is_sampled, next_sampled
from grader.trace_candidates import matching_series, recomputed_losses, training_dataset


def traced(source: str) -> tuple[dict, object]:
    """Run ``source`` instrumented; return its namespace and the parsed loop trace."""
    namespace: dict = {"__name__": "__main__"}
    loops = LoopTrace(namespace)
    exec(compile_cell(source, "<cell 1>", loops.sites, 1), namespace)  # noqa: S102
    loops.uninstall()
    frame = protocol.encode_message({**loops.message("u"), "calls": []})
    return namespace, parse_loops(protocol.decode_body(frame[protocol.HEADER.size:]))


PREAMBLE = """
import numpy as np
rng = np.random.default_rng(3)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
sig = lambda z: 1 / (1 + np.exp(-z))
"""

INLINE = PREAMBLE + """
wh, bh = rng.normal(size=(2, 4)), np.zeros((1, 4))
wo, bo = rng.normal(size=(4, 1)), np.zeros((1, 1))
lr = 0.5
for epoch in range(3000):
    hidden = sig(X @ wh + bh)
    output = sig(hidden @ wo + bo)
    error = y - output
    d_out = error * output * (1 - output)
    d_hid = d_out @ wo.T * hidden * (1 - hidden)
    wo += lr * hidden.T @ d_out
    bo += lr * d_out.sum(axis=0, keepdims=True)
    wh += lr * X.T @ d_hid
    bh += lr * d_hid.sum(axis=0, keepdims=True)
"""

COLUMNS = PREAMBLE + """
W1, b1 = rng.normal(size=(4, 2)), np.zeros((4, 1))
W2, b2 = rng.normal(size=(1, 4)), np.zeros((1, 1))
Xc, Yc = X.T, y.T
for i in range(3000):
    A1 = np.tanh(W1 @ Xc + b1)
    A2 = sig(W2 @ A1 + b2)
    dZ2 = A2 - Yc
    dW2 = dZ2 @ A1.T / 4
    db2 = dZ2.mean(axis=1, keepdims=True)
    dZ1 = W2.T @ dZ2 * (1 - A1 ** 2)
    W1 -= 1.0 * dZ1 @ Xc.T / 4
    b1 -= 1.0 * dZ1.mean(axis=1, keepdims=True)
    W2 -= 1.0 * dW2
    b2 -= 1.0 * db2
"""

FOLDED = PREAMBLE + """
Xb = np.hstack([np.ones((4, 1)), X])
syn0 = rng.normal(size=(3, 4))
syn1 = rng.normal(size=(5, 1))
for j in range(3000):
    l1 = np.hstack([np.ones((4, 1)), sig(Xb @ syn0)])
    l2 = sig(l1 @ syn1)
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = (l2_delta @ syn1.T * l1 * (1 - l1))[:, 1:]
    syn1 += l1.T @ l2_delta
    syn0 += Xb.T @ l1_delta
"""

SOFTMAX = PREAMBLE + """
labels = np.array([0, 1, 1, 0])
W = {"hidden": rng.normal(size=(2, 6)), "out": rng.normal(size=(6, 2))}
B = {"hidden": np.zeros(6), "out": np.zeros(2)}
E = []
for step in range(2000):
    h = np.maximum(X @ W["hidden"] + B["hidden"], 0)
    z = h @ W["out"] + B["out"]
    p = np.exp(z - z.max(axis=1, keepdims=True)); p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(4), labels]).mean()
    E.append(loss)
    dz = p.copy(); dz[np.arange(4), labels] -= 1; dz /= 4
    dh = dz @ W["out"].T * (h > 0)
    W["out"] -= 0.3 * h.T @ dz
    B["out"] -= 0.3 * dz.sum(axis=0)
    W["hidden"] -= 0.3 * X.T @ dh
    B["hidden"] -= 0.3 * dh.sum(axis=0)
"""


def test_schedule_is_every_early_iteration_then_pairs() -> None:
    sampled = [n for n in range(5000) if is_sampled(n)]
    assert sampled[:10] == list(range(10))
    assert len(sampled) < 120
    assert all(next_sampled(n) == min(s for s in sampled if s >= n) for n in range(0, 4000, 7))


def test_instrumented_loops_keep_line_numbers() -> None:
    namespace: dict = {}
    loops = LoopTrace(namespace)
    code = compile_cell("x = 0\nfor i in range(3):\n    x += i\n    if i == 2:\n        1 / 0\n",
                        "<cell 1>", loops.sites, 1)
    with pytest.raises(ZeroDivisionError) as info:
        exec(code, namespace)  # noqa: S102
    assert traceback.extract_tb(info.value.__traceback__)[-1].lineno == 5
    assert loops.sites.sites == [(1, 2, "for")]
    assert loops.counts[0] == 3


def test_samples_keep_only_what_changed() -> None:
    _, trace = traced(INLINE)
    loop = trace.loops[0]
    assert loop.iterations == 3000 and 20 < len(loop.samples) < 120
    assert loop.samples[0].start and {"X", "y", "wh", "wo"} <= set(loop.samples[0].arrays)
    assert "hidden" not in loop.samples[0].arrays  # the state before the loop
    assert "X" not in loop.changed() and {"wh", "bh", "wo", "bo"} <= loop.changed()


@pytest.mark.parametrize("source, sizes, acts", [
    (INLINE, (2, 4, 1), ("sigmoid", "sigmoid")),
    (COLUMNS, (2, 4, 1), ("tanh", "sigmoid")),
    (FOLDED, (2, 4, 1), ("sigmoid", "sigmoid")),
    (SOFTMAX, (2, 6, 2), ("relu", "softmax")),
])
def test_networks_are_identified_by_what_the_loop_computed(source: str, sizes: tuple, acts: tuple
                                                          ) -> None:
    namespace, trace = traced(source)
    found = find_networks(trace)
    assert len(found) == 1, [f.evidence for f in found]
    network = found[0]
    assert network.sizes == sizes and network.activations == acts
    assert "reproduced" in network.evidence
    X = namespace["X"]
    from grader.evidence import forward

    out = forward(network.weights, network.biases, network.activations, X)
    labels = out.argmax(axis=1) if out.shape[1] == 2 else (out[:, 0] > 0.5).astype(int)
    assert labels.tolist() == [0, 1, 1, 0]
    assert training_dataset(X, []) == "xor"


def test_a_kept_history_is_matched_to_the_recomputed_losses() -> None:
    namespace, trace = traced(SOFTMAX)
    found = find_networks(trace)[0]
    iterations, by_loss, _ = recomputed_losses(found)
    assert matching_series(np.array(namespace["E"]), iterations, by_loss) == ("ce", 1)
    assert matching_series(np.array(namespace["E"]) * 1.5, iterations, by_loss) is None


def test_correct_updates_are_gradient_descent_with_the_students_rate() -> None:
    _, trace = traced(COLUMNS)
    found = find_networks(trace)[0]
    loss, updates = observed_updates(found, (1.0,))
    steps = measure(updates)
    assert check_update_directions(steps, loss).status == "passed"
    verdict = check_constant_rate(steps, loss, {"lr": 1.0})
    assert verdict.status == "passed" and abs(verdict.details["rate"] - 1.0) < 1e-6


def test_a_flipped_sign_on_one_layer_is_named() -> None:
    _, trace = traced(INLINE.replace("wo += lr", "wo -= lr"))
    found = find_networks(trace)
    assert found, "the network is still identified"
    loss, updates = observed_updates(found[0], (0.5,))
    verdict = check_constant_rate(measure(updates), loss, {"lr": 0.5})
    assert verdict.status == "failed" and "`wo`" in verdict.message and "ascent" in verdict.message
    assert check_update_directions(measure(updates), loss).status == "passed"  # its gradient is right


@pytest.mark.parametrize("bad", [
    {"samples": [{"loop": 5, "iteration": 0, "end": False, "start": False, "partial": False, "arrays": [],
                  "scalars": []}]},
    {"samples": [{"loop": 0, "iteration": 0, "end": False, "start": False, "partial": False,
                  "arrays": [["W", [1, 2]]], "scalars": []}]},
    {"samples": [{"loop": 0, "iteration": 0, "end": False, "start": False, "partial": False, "arrays": [],
                  "scalars": [["x", "1"]]}]},
    {"samples": [{"loop": 0, "iteration": 3, "end": False, "start": False, "partial": False, "arrays": [],
                  "scalars": []},
                 {"loop": 0, "iteration": 1, "end": False, "start": False, "partial": False, "arrays": [],
                  "scalars": []}]},
    {"sites": [[1, 2, "until", 9, 1]]},
    {"calls": [{"function": "os.system", "args": [], "kwargs": {}, "shapes": []}]},
])
def test_malformed_loop_messages_are_refused(bad: dict) -> None:
    message = {"type": "loops", "unit": "u", "sites": [[1, 2, "for", 9, 1]], "samples": [],
               "truncated": False, "calls": [], **bad}
    with pytest.raises(protocol.ProtocolError):
        parse_loops(message)


GLOBALS = PREAMBLE + """
W1, b1 = rng.normal(size=(2, 4)), np.zeros((1, 4))
W2, b2 = rng.normal(size=(4, 1)), np.zeros((1, 1))
def backpropagation(X, y, lr):
    global W1, b1, W2, b2
    h = np.tanh(X @ W1 + b1)
    o = sig(h @ W2 + b2)
    d2 = (o - y) / len(X)
    d1 = d2 @ W2.T * (1 - h ** 2)
    W2 = W2 - lr * h.T @ d2
    b2 = b2 - lr * d2.sum(axis=0)
    W1 = W1 - lr * X.T @ d1
    b1 = b1 - lr * d1.sum(axis=0)
for epoch in range(2000):
    backpropagation(X, y, 1.0)
"""

TWICE = PREAMBLE + """
def train(lr, epochs):
    W = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    for _ in range(epochs):
        h = np.tanh(X @ W[0])
        out = sig(h @ W[1])
        d = (out - y) / 4
        g1 = h.T @ d
        W[0] -= lr * X.T @ (d @ W[1].T * (1 - h ** 2))
        W[1] -= lr * g1
    return W
first = train(0.5, 300)
second = train(2.0, 400)
"""

BATCHES = """
import numpy as np
rng = np.random.default_rng(1)
Xall = rng.normal(size=(64, 2))
yall = (Xall[:, :1] * Xall[:, 1:] > 0).astype(float)
W1, W2 = rng.normal(size=(2, 8)), rng.normal(size=(8, 1))
for epoch in range(30):
    order = rng.permutation(64)
    for start in range(0, 64, 16):
        idx = order[start:start + 16]
        xb, yb = Xall[idx], yall[idx]
        h = np.tanh(xb @ W1)
        p = 1 / (1 + np.exp(-(h @ W2)))
        d = (p - yb) / 16
        W1 -= 0.5 * xb.T @ (d @ W2.T * (1 - h ** 2))
        W2 -= 0.5 * h.T @ d
"""


def test_updates_identify_a_network_trained_by_a_function_on_globals() -> None:
    from grader.identify import identify

    _, trace = traced(GLOBALS)
    assert find_networks(trace) == []  # the loop's frame holds no output and no loss
    (network,) = identify(trace)
    assert network.sizes == (2, 4, 1) and network.activations == ("tanh", "sigmoid")
    assert "exact negative multiple of the gradient" in network.evidence


def test_a_training_function_called_twice_is_two_trainings() -> None:
    from grader.identify import identify

    _, trace = traced(TWICE)
    found = identify(trace)
    assert [f.loop.execution for f in found] == [0, 1]
    assert "(run 2 of 2)" in found[1].evidence
    rates = [observed_updates(f, ())[1] for f in found]
    assert [round(float(np.median([s.scale for s in measure(u)])), 6) for u in rates] == [0.5, 2.0]


def test_mini_batches_are_reproduced_from_the_batch_in_scope() -> None:
    from grader.identify import identify

    _, trace = traced(BATCHES)
    found = [f for f in identify(trace) if f.sizes == (2, 8, 1)]
    assert found and found[0].activations == ("tanh", "sigmoid")
    loss, updates = observed_updates(found[0], (0.5,))
    verdict = check_constant_rate(measure(updates), loss, {"lr": 0.5})
    assert verdict.status == "passed", verdict.message


def test_the_generator_whose_points_hold_the_rows_decides_the_data_set() -> None:
    """300 training rows split from 400 moons, next to 300 circles: the points tell, not the count."""
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    from grader.looptrace import DataCall

    circles = DataCall("make_circles", (), {"n_samples": 300, "noise": 0.08, "random_state": 3},
                       ((300, 2), (300,)))
    moons = DataCall("make_moons", (), {"n_samples": 400, "noise": 0.2, "random_state": 11},
                     ((400, 2), (400,)))
    split = DataCall("train_test_split", ({"shape": [400, 2]}, {"shape": [400]}),
                     {"test_size": 0.25}, ((300, 2), (100, 2), (300,), (100,)))
    X = train_test_split(make_moons(400, noise=0.2, random_state=11)[0], test_size=0.25,
                         random_state=1)[0].astype(np.float32).astype(np.float64)
    assert training_dataset(X, [split, moons, circles]) == "moons"
    unseeded = DataCall("make_moons", (), {"n_samples": 400}, ((400, 2), (400,)))
    assert training_dataset(X, [split, unseeded, circles]) == "circles"  # the row count alone


def test_only_generators_bounded_by_their_sample_count_are_drawn_again() -> None:
    """The grader draws a recorded call's points itself only where n_samples bounds the cost."""
    from grader.looptrace import DataCall
    from grader.trace_candidates import regenerated

    def call(function: str, **kwargs: object) -> DataCall:
        return DataCall(function, (), kwargs, ((1, 2), (1,)))

    points = regenerated(call("make_moons", n_samples=400, noise=0.2, random_state=11))
    assert points is not None and points.shape == (400, 2)
    assert regenerated(call("make_blobs", n_samples=100, n_features=10**8, random_state=0)) is None
    assert regenerated(call("make_moons", n_samples=400, random_state=11, extra=1)) is None
    assert regenerated(call("make_moons", n_samples=10**9, random_state=11)) is None
    assert regenerated(call("make_moons", n_samples=400)) is None  # unseeded: other points


def test_labels_the_graphs_saved_or_that_repeat_another_are_not_targets() -> None:
    from grader.trace_candidates import missing_targets
    from grader.tracedata import Sample, Stream

    X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = np.array([[0.], [1.], [1.], [0.]], dtype=np.float32)
    sample = Sample(call=0, loss=0.2, steps=0, optimizer=None, lr=None, names=("w",), shapes=((2,),),
                    values=(np.zeros(2),), grads=(np.zeros(2),), has_grad=(True,),
                    grad_before=(0.0,), data=(X,))
    stream = Stream(("w",), ((2,),), [sample])
    kept = missing_targets(stream, {"y": y, "Y": y.copy(), "X": X.astype(np.float32)})
    assert list(kept) == ["y"]
