"""compare_gradients: per-parameter errors, conventions, named first wrong layer, factors."""

from __future__ import annotations


import numpy as np
import pytest

from grader.checks.gradients import compare_gradients
from grader.netmath import gradients

BATCH = 8


@pytest.fixture(scope="module")
def expected() -> list[tuple[str, np.ndarray]]:
    """True gradients of a 2-4-4-1 sigmoid net (square middle layer) on a batch of 8."""
    rng = np.random.default_rng(0)
    sizes = [2, 4, 4, 1]
    w = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    b = [rng.normal(size=n) for n in sizes[1:]]
    X = rng.normal(size=(BATCH, 2))
    Y = rng.integers(0, 2, size=(BATCH, 1)).astype(float)
    pairs = []
    for i, (dw, db) in enumerate(gradients(w, b, ("sigmoid",) * 3, X, Y, "bce"), start=1):
        pairs += [(f"W{i}", dw), (f"b{i}", db)]
    return pairs


def replace(pairs, name, value):
    return [(n, value if n == name else g) for n, g in pairs]


def test_exact_gradients_pass(expected, assert_plain) -> None:
    v = compare_gradients(expected, expected)
    assert v.status == "passed" and v.fraction == 1.0
    assert set(v.details["relative_errors"]) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert all(e == 0.0 for e in v.details["relative_errors"].values())
    assert_plain(v.details)


def test_small_numeric_noise_passes(expected) -> None:
    noisy = [(n, g * (1 + 1e-7)) for n, g in expected]
    assert compare_gradients(noisy, expected).status == "passed"


def test_column_convention_and_bias_shapes_are_accepted(expected) -> None:
    student = [(n, g.T if n.startswith("W") else g.reshape(-1, 1)) for n, g in expected]
    v = compare_gradients(student, expected)
    assert v.status == "passed"
    assert v.details["convention"] == "column"
    assert v.details["transposed"] == ["W1", "W2"]  # W2 is square: transposed by convention
    assert "compared transposed" in v.message


def test_square_transpose_in_row_convention_is_wrong(expected) -> None:
    dw2 = dict(expected)["W2"]
    v = compare_gradients(replace(expected, "W2", dw2.T), expected)
    assert v.status == "failed"
    assert "W2 (layer 2) is the transpose of the correct one" in v.message


def test_first_wrong_layer_is_named_with_error_and_correct_layers(expected) -> None:
    rng = np.random.default_rng(1)
    dw2 = dict(expected)["W2"]
    v = compare_gradients(replace(expected, "W2", dw2 + rng.normal(size=dw2.shape)), expected)
    assert v.status == "failed"
    assert v.message.startswith("1 of 6 gradients is wrong.")
    assert "the gradient of W2 (layer 2) is wrong: relative error" in v.message
    assert "before it (W1, b1) are correct" in v.message
    assert "output layer is correct" in v.message
    assert v.details["wrong"] == ["W2"]
    assert v.details["relative_errors"]["W2"] > 0.1
    assert v.details["relative_errors"]["W1"] == 0.0
    assert v.fraction == pytest.approx(5 / 6)


def test_missing_and_misshapen_gradients_are_named(expected) -> None:
    student = [(n, g) for n, g in expected if n != "b1"]
    v = compare_gradients(student, expected)
    assert v.status == "failed" and "the gradient of b1 (layer 1) is missing" in v.message
    assert v.details["relative_errors"]["b1"] is None
    assert "output layer is correct" not in v.message  # no backprop hint for a missing value

    v = compare_gradients(replace(expected, "W3", np.zeros((4, 2))), expected)
    assert "W3 (layer 3) has shape (4, 2) but the parameter has shape (4, 1)" in v.message

    v = compare_gradients(replace(expected, "W1", None), expected)
    assert "W1 (layer 1) is missing" in v.message


@pytest.mark.parametrize(
    "factor, batch_size, fragment",
    [
        (BATCH, BATCH, "8 times the correct value = the batch size: the 1/m averaging"),
        (1 / BATCH, BATCH, "= 1/batch size"),
        (-1.0, None, "the sign is flipped"),
        (2.0, None, "factor 1/2 of the squared error"),
        (3.0, None, "it is 3 times the correct value"),
    ],
)
def test_constant_factors_are_recognised(expected, factor, batch_size, fragment) -> None:
    student = [(n, factor * g) for n, g in expected]
    v = compare_gradients(student, expected, batch_size=batch_size)
    assert v.status == "failed" and v.fraction == 0.0
    assert "The first: the gradient of W1 (layer 1)" in v.message
    assert fragment in v.message
    assert v.details["factors"]["W3"] == pytest.approx(factor)


def test_no_factor_claimed_for_unrelated_values(expected) -> None:
    rng = np.random.default_rng(5)
    student = [(n, rng.normal(size=g.shape)) for n, g in expected]
    v = compare_gradients(student, expected, batch_size=BATCH)
    assert v.status == "failed"
    assert "times the correct value" not in v.message
    assert v.details["factors"] == {}


def test_zero_and_nan_gradients(expected, assert_plain) -> None:
    v = compare_gradients(replace(expected, "b2", np.zeros(4)), expected)
    assert "b2 (layer 2) is all zeros" in v.message
    bad = dict(expected)["W1"].copy()
    bad[0, 0] = np.nan
    v = compare_gradients(replace(expected, "W1", bad), expected)
    assert "W1 (layer 1) contains NaN" in v.message
    assert_plain(v.details)


def test_unexpected_names_are_reported_but_ignored(expected) -> None:
    v = compare_gradients([*expected, ("dA1", np.zeros(3))], expected)
    assert v.status == "passed" and v.details["unexpected"] == ["dA1"]


def test_empty_expected_is_a_caller_error() -> None:
    with pytest.raises(ValueError):
        compare_gradients([], [])


def test_float32_student_gradients_give_plain_details(expected, assert_plain) -> None:
    student = [(n, g.astype(np.float32)) for n, g in expected]
    v = compare_gradients(student, expected, rtol=np.float64(1e-5), batch_size=BATCH)
    assert v.status == "passed"
    assert_plain(v.details)


def test_all_square_weights_transposed_are_accepted_when_nothing_tells_the_convention() -> None:
    rng = np.random.default_rng(3)
    expected = [("W1", rng.normal(size=(3, 3))), ("b1", rng.normal(size=3))]
    v = compare_gradients([("W1", expected[0][1].T), ("b1", expected[1][1])], expected)
    assert v.status == "passed"
    assert v.details["transposed"] == ["W1"] and v.details["convention"] == "column"
