"""Pure verdicts on observed updates and line searches: a table of cases each."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.checks.search_params import infer
from grader.checks.updates import (check_constant_rate, check_searched_steps, rate_name,
                                   check_update_directions, measure)


@pytest.mark.parametrize("steps, numbers, expected", [
    ([8, 4, 8, 2, 8], [], (8.0, 0.5)),
    ([2, 1.6, 1.28], [], (2.0, 0.8)),
    ([1.0, 0.8, 0.32768], [], (1.0, 0.8)),
    ([16, 8, 4], [("alpha0", 16.0), ("rho", 0.5)], (16.0, 0.5)),
    ([0.5, 0.25], [("alpha", 4.0), ("beta", 0.5)], (4.0, 0.5)),  # the student's own numbers
    ([1.5, 1.75], [], None),                                      # trials left applied
    ([], [], None),
])
def test_alpha0_and_rho_are_inferred_from_the_steps(steps, numbers, expected) -> None:
    assert infer(steps, numbers) == expected


@pytest.mark.parametrize("steps, expected", [
    ([1.5, 1.75, 1.0], (1.0, 0.5)),       # 1 + 0.5, 1 + 0.5 + 0.25: trials stayed applied
    ([12.0, 8.0], (8.0, 0.5)),           # 8 + 4
    ([8.0, 4.0, 2.0], None),             # a correct search from alpha0 = 8
])
def test_trials_left_applied_are_recognised(steps, expected) -> None:
    from grader.checks.search_params import trials_left_applied

    assert trials_left_applied(steps) == expected


def test_the_students_own_pair_that_explains_every_step_comes_first() -> None:
    """A search warm-started from twice its last step (capped at alpha_max = 4) takes 1.0 =
    2 * 0.5, a long sum 0.5 (1 + ... + 0.5^16) within the tolerance too: the student's own
    alpha_max and beta explain every step, so no trials are blamed."""
    from types import SimpleNamespace as NS

    from grader.runners.searched import _search_params

    steps = [4.0, 2.0, 1.0, 0.5, 0.25, 1.0 - 1e-8, 2.0, 4.0]
    numbers = [("alpha_max", 4.0), ("beta", 0.5), ("alpha", 0.5)]
    assert _search_params(NS(params={}), steps, numbers, 1e-6)[:2] == (4.0, 0.5)
    assert infer(steps, numbers, 1e-6, own_only=True) == (4.0, 0.5)
    assert infer([3.0, 1.5], numbers, own_only=True) is None


def update(iteration: int, path: str, grad: np.ndarray, scale: float) -> SimpleNamespace:
    return SimpleNamespace(iteration=iteration, path=path, grad=grad, delta=-scale * grad)


G = {"W1": np.array([[0.3, -0.2], [0.1, 0.4]]), "b1": np.array([0.2, -0.1]),
     "W2": np.array([[0.5], [-0.3]])}


def steps_with(scales: dict[str, float], iterations: int = 3, drift: float = 0.0) -> list:
    return measure([update(i, p, g * (1 + i), scales.get(p, 0.5) * (1 + drift * i))
                    for i in range(iterations) for p, g in G.items()])


@pytest.mark.parametrize("scales, drift, status, words", [
    ({}, 0.0, "passed", ["step along the true gradient"]),
    ({"W2": -0.5}, 0.0, "passed", []),  # the right gradient, the wrong sign: descent's to say
    ({"b1": 2.0}, 0.0, "failed", ["`b1`", "4 times", "missing 1/m"]),
    ({}, 0.3, "passed", []),  # a changing rate is the descent check's concern
])
def test_update_directions(scales, drift, status, words) -> None:
    verdict = check_update_directions(steps_with(scales, drift=drift), "mse")
    assert verdict.status == status, verdict.message
    assert all(w in verdict.message for w in words), verdict.message


def test_gradient_ascent_on_one_layer_is_a_descent_failure() -> None:
    verdict = check_constant_rate(steps_with({"W2": -0.5}), "mse", {})
    assert verdict.status == "failed" and "`W2`" in verdict.message and "ascent" in verdict.message


def test_a_rate_that_changes_over_time_is_a_schedule_not_a_fixed_rate() -> None:
    assert check_constant_rate(steps_with({}), "mse", {"lr": 0.5}).status == "passed"
    assert "lr = 0.5, your `lr`" in check_constant_rate(steps_with({}), "mse", {"lr": 0.5}).message
    verdict = check_constant_rate(steps_with({}, drift=0.3), "mse", {})  # a schedule: descent
    assert verdict.status == "passed" and "schedule" in verdict.message
    assert verdict.details["schedule"] is True
    # a constant factor on one layer is the gradients check's, not a changing rate
    assert check_constant_rate(steps_with({"b1": 2.0}), "mse", {}).status == "passed"


def test_the_rate_is_named_after_a_rate_like_number_never_a_loop_index() -> None:
    # an inner loop's index read 0.5 at every sample, like the rate: it is not "your `j`"
    message = check_constant_rate(steps_with({}), "mse", {"j": 0.5, "eta": 0.5}).message
    assert "your `eta`" in message and "`j`" not in message
    message = check_constant_rate(steps_with({}), "mse", {"epoch": 0.5, "i": 0.5}).message
    assert "lr = 0.5" in message and "your" not in message
    assert rate_name(["hidden_size", "self.learning_rate", "k"]) == "self.learning_rate"
    assert rate_name(["n_epochs", "ITERATIONS"]) is None


def searched(step: float, before: float, after: float, grad_sq: float = 1.0) -> SimpleNamespace:
    return SimpleNamespace(iteration=5, step=step, residual=0.0, grad_sq=grad_sq,
                           loss_before=before, loss_after=after)


@pytest.mark.parametrize("step, after, status, words", [
    (2.0, 0.5, "passed", ["Armijo condition"]),
    (2.0, 0.99999, "failed", ["violate the Armijo condition"]),
    (2.0, 1.2, "failed", ["is the Armijo inequality reversed?"]),
    (3.0, 0.5, "failed", ["not of the form alpha0 · rho^k"]),
    (14.0, 0.5, "failed", ["Rejected trial steps are not undone", "rho^2"]),  # 8 + 4 + 2
])
def test_searched_steps(step, after, status, words) -> None:
    verdict = check_searched_steps([searched(step, 1.0, after)], alpha0=8.0, rho=0.5, c=1e-4,
                                   source="inferred")
    assert verdict.status == status, verdict.message
    assert all(w in verdict.message for w in words), verdict.message


def test_a_step_above_the_codes_alpha0_is_a_search_that_grows_the_step() -> None:
    grown = [searched(16.0, 1.0, 0.5)]  # 4 / 0.5^2, where the code holds alpha0 = 4
    verdict = check_searched_steps(grown, alpha0=4.0, rho=0.5, c=1e-4, source="your code")
    assert verdict.status == "failed" and "must shrink the step" in verdict.message
    assert verdict.details["failure"] == "alpha_grows"
    guessed = check_searched_steps(grown, alpha0=4.0, rho=0.5, c=1e-4, source="the lab's defaults")
    assert "must shrink" not in guessed.message  # a guessed alpha0 proves nothing
    fine = check_searched_steps([searched(1.0, 1.0, 0.5)], alpha0=4.0, rho=0.5, c=1e-4,
                                source="your code")
    assert fine.status == "passed"


def test_a_rho_above_one_is_read_as_its_reciprocal_and_growing_steps_are_inferred() -> None:
    from grader.checks.search_params import declared, infer_growing

    assert declared([("rho", 1.5), ("alpha", 6.0)]) == ([6.0], [1 / 1.5])
    assert declared([("rho", 2.0)])[1] == [0.5]          # alpha /= rho with rho = 2 shrinks
    steps = [6.0, 6.0 * 1.5**11, 6.0, 6.0 * 1.5**6, 6.0 * 1.5**7]
    alpha0, rho = infer_growing(steps, [("rho", 1.5)])   # the loop held rho = 1.5
    assert alpha0 == 6.0 and abs(rho - 1 / 1.5) < 1e-12
    assert infer_growing([8.0, 4.0, 2.0, 3.0]) is None   # 3 is no power of any rho from 2
    assert infer_growing([2.0, 2.0]) is None             # nothing grew
    assert infer_growing([1.0, 4.0, 2.0]) == (1.0, 0.5)  # alpha /= 0.5 from 1
