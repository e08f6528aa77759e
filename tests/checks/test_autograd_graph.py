"""A cut autograd graph: parameters the training never reached, named as such."""

from __future__ import annotations

import numpy as np

from grader.checks.autograd_graph import check_graph_cut, unreached
from grader.checks.gradients import compare_gradients
from grader.verdict import Verdict

MODULE = {"W1": "hidden.weight", "b1": "hidden.bias", "W2": "out.weight", "b2": "out.bias"}


def autograd(zero_first_layer: bool) -> Verdict:
    """A comparison where autograd gave the first layer nothing (or a wrong value)."""
    rng = np.random.default_rng(0)
    true = [("W1", rng.normal(size=(2, 3))), ("b1", rng.normal(size=3)),
            ("W2", rng.normal(size=(3, 1))), ("b2", rng.normal(size=1))]
    given = [(n, np.zeros_like(g) if zero_first_layer else 2 * g) if n.endswith("1") else (n, g)
             for n, g in true]
    verdict = compare_gradients(given, true)
    return Verdict(verdict.status, verdict.message, {**verdict.details, "module_parameters": MODULE},
                   verdict.fraction)


def test_parameters_outside_the_recorded_graph_are_unreached() -> None:
    reached = ("net.out.bias", "net.out.weight")
    assert unreached(list(MODULE.values()), reached) == ["hidden.weight", "hidden.bias"]
    assert unreached(list(MODULE.values()), ()) == []


def test_zero_gradients_of_unreached_parameters_are_a_cut_graph() -> None:
    before = autograd(zero_first_layer=True)
    assert "derivative of the activation" in before.message  # the hand-written backprop causes
    verdict = check_graph_cut(before, ["hidden.weight", "hidden.bias"], "net")
    assert verdict is not None and verdict.status == "failed"
    assert verdict.message.startswith("No gradient reaches `net.hidden.weight`, `net.hidden.bias`")
    assert "cut between them and the loss" in verdict.message and ".detach()" in verdict.message
    assert "The gradients of `net.out.weight`, `net.out.bias` are correct." in verdict.message
    assert verdict.fraction == before.fraction and verdict.details["graph_cut"][0] == "net.hidden.weight"


def test_without_the_trace_evidence_the_comparison_stands() -> None:
    assert check_graph_cut(autograd(zero_first_layer=True), [], "net") is None  # all reached
    assert check_graph_cut(autograd(zero_first_layer=False), ["hidden.weight", "hidden.bias"],
                           "net") is None  # wrong values, not missing ones
