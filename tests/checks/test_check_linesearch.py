"""check_armijo_step on a 1-D quadratic, where every quantity is known exactly."""

from __future__ import annotations


import numpy as np
import pytest

from grader.checks.linesearch import check_armijo_step

# f(x) = (x - 3)^2 at x = 0: f0 = 9, grad = -6, steepest descent direction +6, slope = 36.
# f(alpha) = (6 alpha - 3)^2.  With c = 0.5, rho = 0.5, alpha0 = 1:
# alpha = 1 -> 9 > 9 - 18 (rejected); 0.5 -> 0 <= 0 (accepted) => first acceptable = 0.5.
PARAMS = dict(f0=9.0, slope=36.0, alpha0=1.0, rho=0.5, c=0.5, expected_alpha=0.5)


def f(alpha: float) -> float:
    return (6 * alpha - 3) ** 2


def judge(alpha: float, **overrides):
    args = dict(PARAMS, alpha=alpha, f_at_alpha=f(alpha))
    args.update(overrides)
    return check_armijo_step(**args)


def test_first_acceptable_step_passes(assert_plain) -> None:
    v = judge(0.5)
    assert v.status == "passed"
    assert "0.5 = 1·0.5^1" in v.message
    assert v.details["k"] == 1 and v.details["expected_k"] == 1
    assert_plain(v.details)


def test_armijo_violation_shows_both_sides() -> None:
    v = judge(1.0)  # f = 9 > 9 - 0.5 * 1 * 36 = -9
    assert v.status == "failed"
    assert "does not satisfy the Armijo condition" in v.message
    assert "the loss there is 9 but it must be at most" in v.message
    assert "= -9" in v.message
    assert "too large" in v.message
    assert v.details["armijo_bound"] == pytest.approx(-9.0)


def test_step_too_small_means_searched_too_far() -> None:
    v = judge(0.25)  # satisfies Armijo (2.25 <= 4.5) but is not the first
    assert v.status == "failed"
    assert "Armijo" not in v.message
    assert "too small" in v.message and "first acceptable step is 0.5 (k = 1)" in v.message
    assert v.details["k"] == 2


def test_step_too_large_although_condition_reported_as_holding() -> None:
    # The student's loss value at alpha makes the condition hold, but the reference search
    # (different loss at that step) rejects it: report it as accepted too early.
    v = judge(1.0, f_at_alpha=-10.0)
    assert v.status == "failed"
    assert "Armijo" not in v.message
    assert "too large" in v.message


@pytest.mark.parametrize(
    "alpha, fragment",
    [
        (0.3, "is not of the form 1·0.5^k"),
        (2.0, "larger than the initial step 1"),
    ],
)
def test_step_not_on_the_backtracking_grid(alpha: float, fragment: str) -> None:
    v = judge(alpha, f_at_alpha=0.0)
    assert v.status == "failed"
    assert fragment in v.message


def test_float_rounding_of_the_grid_is_tolerated() -> None:
    alpha = 0.1 * 0.1 * 0.1  # 0.0010000000000000002, as a student's loop produces it
    v = check_armijo_step(
        alpha=alpha, f0=1.0, slope=1.0, f_at_alpha=0.5, expected_alpha=1e-3, alpha0=1.0, rho=0.1, c=1e-4
    )
    assert v.status == "passed" and v.details["k"] == 3


@pytest.mark.parametrize("alpha", [0.0, -0.5, float("nan")])
def test_non_positive_step_fails(alpha: float, assert_plain) -> None:
    v = judge(alpha, f_at_alpha=0.0)
    assert v.status == "failed" and "positive number" in v.message
    assert_plain(v.details)


def test_invalid_parameters_are_caller_errors() -> None:
    with pytest.raises(ValueError):
        judge(0.5, slope=-36.0)
    with pytest.raises(ValueError):
        judge(0.5, rho=1.5)


def test_numpy_inputs_give_plain_details(assert_plain) -> None:
    args = {k: np.float64(v) for k, v in PARAMS.items()}
    v = check_armijo_step(alpha=np.float64(0.25), f_at_alpha=np.float64(f(0.25)), **args)
    assert v.status == "failed"
    assert_plain(v.details)
