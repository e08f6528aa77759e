"""Parameters the training never updates: found as part of the network, named by the descent check."""

from __future__ import annotations

import pytest

from grader.checks.updates import Step, check_frozen, frozen
from grader.evidence import find_networks, gradient_arrays
from grader.observed_updates import observed_updates
from grader.checks.updates import measure
from test_loop_trace import PREAMBLE, traced

FORGETS_BIASES = PREAMBLE + """
W1, b1 = rng.normal(size=(2, 4)), {b1}
W2, b2 = rng.normal(size=(4, 1)), np.zeros((1, 1))
for epoch in range(400):
    a1 = sig(X @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    dz2 = (a2 - y) / 4
    dW2, db2 = a1.T @ dz2, dz2.sum(axis=0, keepdims=True)
    dz1 = dz2 @ W2.T * a1 * (1 - a1)
    dW1, db1 = X.T @ dz1, dz1.sum(axis=0, keepdims=True)
    W1 -= 2.0 * dW1
    W2 -= 2.0 * dW2{more}
"""


@pytest.mark.parametrize("b1", ["np.zeros((1, 4))", "0.5 * rng.normal(size=(1, 4))"])
def test_biases_the_update_leaves_out_are_part_of_the_network_and_named(b1: str) -> None:
    _, trace = traced(FORGETS_BIASES.format(b1=b1, more=""))
    found = find_networks(trace)[0]
    assert found.layout.biases == ("b1", "b2")
    loss, updates = observed_updates(found, (2.0,))
    stuck = frozen(measure(updates))
    assert stuck == ["b1", "b2"]
    verdict = check_frozen(stuck, {p: gradient_arrays(found.loop, p) for p in stuck})
    assert verdict is not None and verdict.status == "failed"
    assert "`b1`, `b2` never changed" in verdict.message and "`db1`, `db2`" in verdict.message


def test_a_zero_bias_without_a_gradient_is_a_network_without_biases() -> None:
    source = FORGETS_BIASES.format(b1="np.zeros((1, 4))", more="")
    source = source.replace("db1 = X.T @ dz1, dz1.sum(axis=0, keepdims=True)",
                            "unused = X.T @ dz1, 0").replace(", db1", ", unused")
    _, trace = traced(source)
    found = find_networks(trace)[0]
    assert "b1" not in found.layout.biases  # zeros, declared, and no gradient of it computed


def test_every_parameter_updated_is_nothing_frozen() -> None:
    _, trace = traced(FORGETS_BIASES.format(b1="np.zeros((1, 4))",
                                            more="\n    b1 -= 2.0 * db1\n    b2 -= 2.0 * db2"))
    found = find_networks(trace)[0]
    _, updates = observed_updates(found, (2.0,))
    assert frozen(measure(updates)) == []
    assert check_frozen([], {}) is None


def test_a_parameter_whose_gradient_is_zero_is_not_frozen() -> None:
    still = [Step(i, "b1", 0.0, 0.0, False) for i in range(3)]  # zero step on a zero gradient
    stuck = [Step(i, "b2", 0.0, 1.0, False) for i in range(3)]  # zero step on a nonzero one
    assert frozen(still + stuck) == ["b2"]
