"""Loss histories: usable, decreasing, reaching the target, consistent with the final model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.checks.loss import check_ends_below, check_loss_history, check_monotone

GOOD = [0.7 * 0.9**k for k in range(50)]  # 0.7 -> 0.0040


def judge(history, **kwargs):
    options = dict(max_final_ratio=0.5, target=0.01)
    options.update(kwargs)
    return check_loss_history(history, **options)


def test_good_history_passes(assert_plain) -> None:
    v = judge(GOOD)
    assert v.status == "passed"
    assert v.details["n_epochs"] == 50
    assert v.details["final_ratio"] == pytest.approx(0.9**49)
    assert_plain(v.details)


@pytest.mark.parametrize(
    "history, fragment",
    [
        ([], "is empty"),
        ([0.5], "only one value"),
        (["a", "b"], "not a list of numbers"),
        ([0.7, 0.5, math.nan, 0.3], "becomes NaN at epoch 3 (of 4); just before, it was 0.5"),
        ([0.7, math.inf], "becomes infinite at epoch 2"),
        ([0.7, 0.6, -0.1, 0.001], "negative (-0.1) at epoch 3"),
        ([0.7, 0.65, 0.6, 0.5], "does not go down enough: from 0.7 to 0.5"),
        ([0.7, 0.8, 0.9], "the loss goes up: from 0.7 to 0.9"),
        ([0.7, 0.3, 0.1, 0.05], "ends at 0.05, above the target 0.01"),
    ],
)
def test_broken_histories_fail_with_a_specific_message(history, fragment, assert_plain) -> None:
    v = judge(history)
    assert v.status == "failed"
    assert fragment in v.message
    assert_plain(v.details)


def test_nan_epoch_is_in_details() -> None:
    v = judge([1.0, 2.0, math.nan])
    assert v.details["first_nonfinite_epoch"] == 3


def test_only_failing_criteria_are_reported() -> None:
    v = judge([0.7, 0.3, 0.05], target=None)  # ratio fine, no target
    assert v.status == "passed"
    v = judge([0.7, 0.6], target=0.65, max_final_ratio=0.9)
    assert v.status == "passed"
    v = judge([0.7, 0.65], target=0.01)
    assert "2 problems" in v.message
    assert "go down enough" in v.message and "above the target" in v.message


def test_column_shaped_history_is_accepted() -> None:
    assert judge(np.array(GOOD).reshape(-1, 1)).status == "passed"
    assert judge(np.zeros((5, 2))).status == "failed"


@pytest.mark.parametrize(
    "recomputed, ok",
    [
        (GOOD[-1], True),  # recorded after the update
        (GOOD[-1] * 1.04, True),  # within rtol = 5 %
        (GOOD[-1] * 0.9, True),  # recorded before the last update: one more step
        (GOOD[-1] * 0.75, True),  # within twice the recent step
        (GOOD[-1] * 0.3, False),  # far lower: different formula
        (GOOD[-1] * 1.5, False),  # higher than anything recorded at the end
        (GOOD[-1] * 50, False),  # e.g. the sum instead of the mean
    ],
)
def test_recomputed_final_loss_rule(recomputed: float, ok: bool) -> None:
    v = judge(GOOD, recomputed_final=recomputed)
    assert (v.status == "passed") is ok
    assert v.details["final_consistent"] is ok
    if not ok:
        assert "loss of your final model" in v.message
        assert "last recorded loss is 0.004" in v.message


def test_recomputed_rule_uses_absolute_tolerance_near_zero() -> None:
    history = [1.0, 0.1, 1e-6, 1e-7]
    assert judge(history, recomputed_final=5e-5, target=None).status == "passed"
    assert judge(history, recomputed_final=5e-3, target=None).status == "failed"


def test_monotone_passes_with_float_noise() -> None:
    noisy = [1.0, 0.5, 0.5 * (1 + 1e-12), 0.25, 0.25]
    v = check_monotone(noisy)
    assert v.status == "passed" and v.details["n_increases"] == 0


def test_monotone_names_first_increase() -> None:
    v = check_monotone([1.0, 0.8, 0.85, 0.7, 0.9, 0.6])
    assert v.status == "failed"
    assert "goes up at epoch 3: from 0.8 (epoch 2) to 0.85 (+0.05)" in v.message
    assert "2 times" in v.message
    assert v.details["first_increase_epoch"] == 3
    assert v.details["first_increase"] == pytest.approx(0.05)
    assert v.details["largest_increase"] == pytest.approx(0.2)


@pytest.mark.parametrize("history, fragment", [([], "empty"), ([1.0, math.nan], "NaN at epoch 2")])
def test_monotone_unusable_history(history, fragment) -> None:
    v = check_monotone(history)
    assert v.status == "failed" and fragment in v.message


def test_ends_below() -> None:
    v = check_ends_below([1.0, 0.2], [1.0, 0.4], "the run with momentum", "plain gradient descent")
    assert v.status == "passed"
    assert "the run with momentum (0.2) is below that of plain gradient descent (0.4)" in v.message
    v = check_ends_below([1.0, 0.5], [1.0, 0.4], "the run with momentum", "plain gradient descent")
    assert v.status == "failed"
    assert "is above it (0.4)" in v.message
    v = check_ends_below([1.0, 0.4], [1.0, 0.4], "A", "B")
    assert v.status == "failed" and "equal to" in v.message


def test_ends_below_names_the_broken_run() -> None:
    v = check_ends_below([1.0, 0.2], [1.0, math.nan], "the run with momentum", "plain gradient descent")
    assert v.status == "failed"
    assert "loss history of plain gradient descent becomes NaN" in v.message


def test_numpy_inputs_give_plain_details(assert_plain) -> None:
    history = np.array(GOOD, dtype=np.float32)
    v = check_loss_history(
        history,
        max_final_ratio=np.float64(0.5),
        target=np.float64(0.01),
        recomputed_final=np.float32(GOOD[-1]),
    )
    assert v.status == "passed"
    assert_plain(v.details)
    assert_plain(check_monotone(history, rtol=np.float64(1e-6)).details)
    assert_plain(check_ends_below(history, history[::-1], "A", "B").details)


def test_an_epoch_of_per_sample_steps_may_record_more_than_the_weights_it_ends_with() -> None:
    flat = [0.7 * 0.999**k for k in range(3000)]  # slow at the end: one more epoch explains little
    last = flat[-1]
    assert judge(flat, recomputed_final=0.85 * last, target=None).status == "failed"
    assert judge(flat, recomputed_final=0.85 * last, target=None, online=True).status == "passed"
    assert judge(flat, recomputed_final=last / 4, target=None, online=True).status == "failed"  # sum for mean
    assert judge(flat, recomputed_final=1.2 * last, target=None, online=True).status == "failed"
