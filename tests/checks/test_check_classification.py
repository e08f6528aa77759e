"""Labels from outputs, XOR, and accuracy thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.checks.classification import accuracy, check_accuracy, check_xor, predicted_labels

XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [0, 1, 1, 0]


@pytest.mark.parametrize(
    "outputs, kind, expected",
    [
        ([0.1, 0.5, 0.51, 0.9], "probability", [0, 0, 1, 1]),
        ([[-2.0], [0.0], [0.01], [3.0]], "logit", [0, 0, 1, 1]),
        ([[0.2, 0.7]], "probability", [0, 1]),
        ([math.nan, 0.9], "probability", [-1, 1]),
        ([math.inf, -math.inf], "logit", [1, 0]),
    ],
)
def test_predicted_labels(outputs, kind, expected) -> None:
    assert predicted_labels(outputs, kind).tolist() == expected


def test_predicted_labels_rejects_multi_column_and_unknown_kind() -> None:
    with pytest.raises(ValueError):
        predicted_labels(np.zeros((3, 3)), "probability")
    # two columns are the two classes' scores (softmax, or two logits): the larger one wins
    assert predicted_labels(np.array([[0.9, 0.1], [0.2, 0.8], [np.nan, 1.0]]),
                            "probability").tolist() == [0, 1, -1]
    with pytest.raises(ValueError):
        predicted_labels([0.1], "softmax")  # type: ignore[arg-type]


def test_accuracy_counts_nan_as_wrong_and_accepts_column_labels() -> None:
    assert accuracy([0.9, 0.1, 0.8, math.nan], np.array([[1], [0], [0], [0]]), "probability") == 0.5
    assert accuracy([2.0, -1.0], [1.0, 0.0], "logit") == 1.0
    with pytest.raises(ValueError):
        accuracy([0.9, 0.1], [1, 0, 1], "probability")


def test_xor_all_correct(assert_plain) -> None:
    v = check_xor([[0.02], [0.97], [0.96], [0.04]], XOR_Y, "probability")
    assert v.status == "passed" and v.fraction == 1.0
    assert v.details["misclassified"] == []
    assert_plain(v.details)


def test_xor_lists_misclassified_points_with_outputs() -> None:
    v = check_xor([-3.0, 2.5, -0.25, 1.75], XOR_Y, "logit", inputs=XOR_X)
    assert v.status == "failed" and v.fraction == 0.0
    assert "2 of the 4 XOR points" in v.message
    assert "(1, 0) has label 1 but output -0.25" in v.message
    assert "(1, 1) has label 0 but output 1.75" in v.message
    assert "(0, 1)" not in v.message
    assert v.details["misclassified"] == [2, 3]
    assert "close to" not in v.message


def test_xor_without_inputs_names_positions_and_flags_stuck_outputs() -> None:
    v = check_xor([0.5, 0.5, 0.5, 0.5], XOR_Y, "probability")
    assert v.status == "failed"
    assert "point 2 has label 1 but output 0.5" in v.message
    assert "All outputs are close to 0.5" in v.message


def test_xor_nan_output_is_misclassified(assert_plain) -> None:
    v = check_xor([0.1, math.nan, 0.9, 0.1], XOR_Y, "probability")
    assert v.status == "failed"
    assert "output NaN" in v.message
    assert v.details["outputs"][1] is None  # JSON-safe
    assert_plain(v.details)


@pytest.mark.parametrize(
    "acc, kwargs, status, threshold",
    [
        (0.95, dict(minimum=0.9), "passed", 0.9),
        (0.9, dict(minimum=0.9), "passed", 0.9),
        (0.85, dict(minimum=0.9), "failed", 0.9),
        (0.93, dict(minimum=None, reference=0.97, max_below_reference=0.05), "passed", 0.92),
        (0.91, dict(minimum=None, reference=0.97, max_below_reference=0.05), "failed", 0.92),
        (0.91, dict(minimum=0.8, reference=0.97, max_below_reference=0.05), "failed", 0.92),
        (0.85, dict(minimum=0.9, reference=0.92, max_below_reference=0.1), "failed", 0.9),
        (math.nan, dict(minimum=0.5), "failed", 0.5),
    ],
)
def test_check_accuracy_thresholds(acc, kwargs, status, threshold, assert_plain) -> None:
    v = check_accuracy(acc, what="test accuracy on the moons data", **kwargs)
    assert v.status == status
    assert v.details["threshold"] == pytest.approx(threshold)
    assert v.message.startswith("Test accuracy on the moons data")
    assert_plain(v.details)


def test_check_accuracy_message_explains_the_reference() -> None:
    v = check_accuracy(
        0.825, minimum=0.8, reference=0.97, max_below_reference=0.05, what="training accuracy"
    )
    assert "82.5%" in v.message and "below the required 92%" in v.message
    assert "reference solution reaches 97%" in v.message
    assert "5 percentage points" in v.message
    assert v.details["measured"] == 0.825 and v.details["reference"] == 0.97


def test_check_accuracy_needs_a_criterion() -> None:
    with pytest.raises(ValueError):
        check_accuracy(0.9, minimum=None, reference=0.95, what="accuracy")


def test_numpy_inputs_give_plain_details(assert_plain) -> None:
    outputs = np.array([[0.1], [0.9], [0.2], [0.3]], dtype=np.float32)
    v = check_xor(outputs, np.array(XOR_Y), "probability", inputs=np.array(XOR_X))
    assert v.status == "failed" and v.details["misclassified"] == [2]
    assert_plain(v.details)
    acc = accuracy(outputs, XOR_Y, "probability")
    v = check_accuracy(np.float64(acc), minimum=np.float64(0.5), reference=np.float64(1.0),
                       max_below_reference=np.float32(0.25), what="XOR accuracy")
    assert v.status == "passed"
    assert_plain(v.details)


def test_a_hidden_layer_of_identical_units_is_named_as_unbroken_symmetry() -> None:
    from grader.checks.classification import symmetric_layers, with_causes
    same = [np.full((2, 3), 0.4), np.array([[0.2], [0.2], [0.2]])]
    biases = [np.full(3, -0.1), np.zeros(1)]
    assert symmetric_layers(same, biases) == [1]
    varied = [np.array([[0.4, 0.5, 0.4], [0.4, 0.4, 0.4]]), same[1]]
    assert symmetric_layers(varied, biases) == []
    failing = check_xor([0.6, 0.6, 0.6, 0.6], [0, 1, 1, 0], "probability")
    verdict = with_causes(failing, weights=same, biases=biases, accuracy_value=0.5)
    assert "hidden layer 1 has the same weights" in verdict.message
    assert verdict.details["symmetric_layers"] == [1]
    assert with_causes(failing, weights=varied, biases=biases, accuracy_value=0.5) == failing


def test_accuracy_far_below_a_guess_is_named_as_inverted_labels() -> None:
    from grader.checks.classification import with_causes
    low = check_accuracy(0.04, minimum=0.8, what="accuracy")
    assert "flipped labels" in with_causes(low, accuracy_value=0.04).message
    poor = check_accuracy(0.55, minimum=0.8, what="accuracy")
    assert with_causes(poor, accuracy_value=0.55) == poor  # merely poor: no cause claimed
    good = check_accuracy(0.9, minimum=0.8, what="accuracy")
    assert with_causes(good, accuracy_value=0.02) == good
