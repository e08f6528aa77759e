"""Diagnoses in the lab's terms: known backprop mistakes, wrong loss, reversed Armijo, broadcasting."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.classification import check_xor
from grader.checks.gradients import compare_gradients
from grader.checks.linesearch import check_armijo_step
from grader.checks.loss import check_loss_history
from grader.gradient_hypotheses import hypotheses
from grader import netmath


def _net(rng: np.random.Generator, hidden: int = 4) -> tuple[list[np.ndarray], list[np.ndarray]]:
    return ([rng.normal(size=(2, hidden)), rng.normal(size=(hidden, 1))],
            [rng.normal(size=hidden), rng.normal(size=1)])


def _pairs(grads: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[str, np.ndarray]]:
    return [(f"{kind}{i}", g) for i, (dW, db) in enumerate(grads, start=1)
            for kind, g in (("W", dW), ("b", db))]


@pytest.mark.parametrize("act, words", [("sigmoid", "sigmoid is applied twice"),
                                        ("tanh", "1 - A instead of 1 - A**2")])
def test_a_known_backprop_mistake_is_named(act: str, words: str) -> None:
    rng = np.random.default_rng(0)
    weights, biases = _net(rng)
    X, Y = rng.normal(size=(8, 2)), (rng.uniform(size=(8, 1)) < 0.5).astype(float)
    acts = (act, "sigmoid")
    known = [(d, _pairs(g)) for d, g in hypotheses(weights, biases, acts, X, Y, "bce")]
    student = next(g for d, g in known if words in d)
    verdict = compare_gradients(student, _pairs(netmath.gradients(weights, biases, acts, X, Y, "bce")),
                                batch_size=8, hypotheses=known)
    assert verdict.status == "failed"
    assert words in verdict.message and verdict.details["diagnosis"]
    assert "W1" in verdict.message and "W2" not in verdict.details["wrong"]


def test_correct_gradients_match_no_hypothesis_and_pass() -> None:
    rng = np.random.default_rng(1)
    weights, biases = _net(rng)
    X, Y = rng.normal(size=(8, 2)), (rng.uniform(size=(8, 1)) < 0.5).astype(float)
    expected = _pairs(netmath.gradients(weights, biases, ("tanh", "sigmoid"), X, Y, "bce"))
    known = [(d, _pairs(g)) for d, g in hypotheses(weights, biases, ("tanh", "sigmoid"), X, Y, "bce")]
    assert len(known) == 5  # applied twice, formula on Z, written 1 - A, 1 + A**2, missing
    assert compare_gradients(expected, expected, hypotheses=known).status == "passed"


def test_a_bias_gradient_with_one_entry_per_sample_sums_over_the_wrong_axis() -> None:
    expected = [("W1", np.ones((2, 3))), ("b1", np.ones(3))]
    student = [("W1", np.ones((2, 3))), ("b1", np.ones(8))]
    verdict = compare_gradients(student, expected, batch_size=8)
    assert verdict.status == "failed"
    assert "wrong axis" in verdict.message and "b1" in verdict.message


def test_an_absurd_scale_factor_is_not_reported() -> None:
    e = np.array([1e30, 1.0, 2.0, 3.0])
    s = np.array([0.0, 1.0, 2.0, 3.0])
    verdict = compare_gradients([("W1", s)], [("W1", e)], rtol=1e-3)
    assert verdict.status == "failed" and "times the correct value" not in verdict.message


def test_a_loss_matching_bce_with_logits_on_probabilities_is_named() -> None:
    history = np.linspace(0.7, 0.507, 50)
    verdict = check_loss_history(history, max_final_ratio=0.5, target=0.15, recomputed_final=0.011,
                                 wrong_losses={"BCEWithLogitsLoss applied to a sigmoid's output": 0.507})
    assert verdict.status == "failed"
    assert "wrong loss for the output activation" in verdict.message
    assert "times less" not in verdict.message
    assert verdict.details["wrong_loss"]


def test_a_rising_loss_points_at_the_learning_rate() -> None:
    verdict = check_loss_history([0.7, 5.0, 50.0], max_final_ratio=0.5, target=None)
    assert "learning rate is too large" in verdict.message


def test_a_search_that_skips_every_acceptable_step_is_called_reversed() -> None:
    verdict = check_armijo_step(alpha=0.5**22, f0=1.0, slope=2.0, f_at_alpha=1.0 - 0.5**21,
                                expected_alpha=1.0, alpha0=1.0, rho=0.5, c=1e-4)
    assert verdict.status == "failed" and "Armijo inequality reversed" in verdict.message


def test_outputs_stuck_at_one_half_mention_broadcast_labels() -> None:
    verdict = check_xor([0.499, 0.501, 0.498, 0.5005], [0, 1, 1, 0], "probability")
    assert verdict.status == "failed" and "broadcast" in verdict.message


def test_outputs_stuck_at_one_half_are_explained_by_untrained_parameters_when_known() -> None:
    verdict = check_xor([0.499, 0.501, 0.498, 0.5005], [0, 1, 1, 0], "probability",
                        untrained=["net.hidden.weight", "net.hidden.bias"])
    assert verdict.status == "failed" and "broadcast" not in verdict.message
    assert "`net.hidden.weight`, `net.hidden.bias` never received a gradient" in verdict.message
