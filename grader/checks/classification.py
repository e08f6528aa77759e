"""Binary classification: labels from network outputs, XOR, accuracy thresholds."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from grader.checks._format import listing, num, pct, plain
from grader.verdict import Verdict, failed, passed

OutputKind = Literal["probability", "logit"]
_THRESHOLDS: dict[str, float] = {"probability": 0.5, "logit": 0.0}


def _column(values: Any, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2 and 1 not in arr.shape:
        raise ValueError(f"{what} of shape {arr.shape} is not a single output column")
    return arr.reshape(-1)


def predicted_labels(outputs: Any, output_kind: OutputKind) -> np.ndarray:
    """0/1 labels: 1 where the output is strictly above 0.5 (probabilities) or 0 (logits).

    Outputs may be ``(m,)``, ``(m, 1)`` or ``(1, m)``. A NaN output gets label -1, so it
    never matches a true label.
    """
    if output_kind not in _THRESHOLDS:
        raise ValueError(f"unknown output kind {output_kind!r}")
    scores = np.asarray(outputs, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 2 and scores.shape[0] != 1:
        # two outputs (softmax or two logits): the class is the larger one, class 1 the second
        labels = np.argmax(scores, axis=1).astype(np.int64)
        labels[np.isnan(scores).any(axis=1)] = -1
        return labels
    out = _column(outputs, "outputs")
    labels = (out > _THRESHOLDS[output_kind]).astype(np.int64)
    labels[np.isnan(out)] = -1
    return labels


def _labels(y: Any, n: int) -> np.ndarray:
    arr = _column(y, "labels")
    if arr.size != n:
        raise ValueError(f"{arr.size} labels for {n} outputs")
    return np.rint(arr).astype(np.int64)


def accuracy(outputs: Any, y: Any, output_kind: OutputKind) -> float:
    """Share of samples whose predicted label equals ``y`` (0/1); NaN outputs are wrong."""
    pred = predicted_labels(outputs, output_kind)
    if pred.size == 0:
        raise ValueError("no outputs to score")
    return float(np.mean(pred == _labels(y, pred.size)))


def _point(inputs: np.ndarray | None, i: int) -> str:
    if inputs is None:
        return f"point {i + 1}"
    return "(" + ", ".join(num(v) for v in inputs[i]) + ")"


def _positive_class(outputs: Any, output_kind: OutputKind) -> tuple[np.ndarray, OutputKind]:
    """One column: the output itself, or for two outputs the probability of class 1."""
    scores = np.asarray(outputs, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 2 and scores.shape[0] != 1:
        sums_to_one = np.allclose(scores.sum(axis=1), 1.0) and np.all(scores >= 0)
        if not sums_to_one:  # two logits
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            scores = e / e.sum(axis=1, keepdims=True)
        return scores[:, 1].copy(), "probability"
    return _column(outputs, "outputs"), output_kind


def check_xor(
    outputs: Any, y: Any, output_kind: OutputKind, inputs: Any | None = None,
    untrained: Sequence[str] = (),
) -> Verdict:
    """Passed iff every XOR point is classified correctly.

    ``inputs`` (optional, one row per point) only makes the message name points by their
    coordinates instead of their position. ``untrained`` are parameters the training never
    reached (a cut graph): where given, they explain outputs stuck near the threshold.
    """
    out, output_kind = _positive_class(outputs, output_kind)
    pred = predicted_labels(out, output_kind)
    labels = _labels(y, pred.size)
    pts = None if inputs is None else np.asarray(inputs, dtype=np.float64).reshape(pred.size, -1)
    wrong = [i for i in range(pred.size) if pred[i] != labels[i]]
    details = {
        "outputs": plain(out),
        "labels": plain(labels),
        "predicted": plain(pred),
        "misclassified": wrong,
        "output_kind": output_kind,
    }
    if not wrong:
        return passed(f"All {pred.size} XOR points are classified correctly.", **details)
    cut = _THRESHOLDS[output_kind]
    parts = [
        f"{_point(pts, i)} has label {labels[i]} but output {num(out[i])}"
        for i in wrong
    ]
    message = (
        f"The network misclassifies {len(wrong)} of the {pred.size} XOR points: "
        + listing(parts, limit=4, sep="; ")
        + f" (an output above {num(cut)} means label 1)."
    )
    spread = 0.05 if output_kind == "probability" else 0.2
    if np.all(np.abs(out - cut) < spread) and untrained:
        message += (
            f" All outputs are close to {num(cut)}: {listing(f'`{n}`' for n in untrained)} never"
            " received a gradient during training (no recorded backward() call reached them), so"
            " they kept their initial values and the network cannot separate XOR."
        )
    elif np.all(np.abs(out - cut) < spread):
        message += (
            f" All outputs are close to {num(cut)}: either the network has barely moved away from"
            " its start (check the learning rate, the number of epochs and the sign of the update),"
            " or it learned to predict the average label, which is what happens when outputs of"
            " shape (4, 1) are compared with labels of shape (4,): the loss silently broadcasts them"
            " to (4, 4), so every output is pulled towards every label."
        )
    return failed(message, **details)


def check_accuracy(
    acc: float,
    *,
    minimum: float | None,
    reference: float | None = None,
    max_below_reference: float | None = None,
    what: str,
) -> Verdict:
    """Passed if ``acc`` reaches the threshold.

    The threshold is the larger of ``minimum`` and ``reference - max_below_reference``
    (each used when given; at least one must be). ``what`` names the measurement, e.g.
    "test accuracy on the moons data"; it starts the message.
    """
    use_reference = reference is not None and max_below_reference is not None
    if minimum is None and not use_reference:
        raise ValueError("give a minimum, or a reference with max_below_reference")
    bounds = []
    if minimum is not None:
        bounds.append(float(minimum))
    if use_reference:
        bounds.append(float(reference) - float(max_below_reference))  # type: ignore[arg-type]
    threshold = max(bounds)
    value = float(acc)
    details = {
        "measured": plain(value),
        "threshold": plain(threshold),
        "minimum": plain(minimum),
        "reference": plain(reference),
        "max_below_reference": plain(max_below_reference),
    }
    subject = what[:1].upper() + what[1:]
    ref_note = ""
    if use_reference:
        reached, margin = float(reference), 100.0 * float(max_below_reference)  # type: ignore[arg-type]
        ref_note = (
            f" (the reference solution reaches {pct(reached)} on the same data, and you may be"
            f" at most {num(margin)} percentage points below it)"
        )
    if math.isnan(value):
        return failed(f"{subject} could not be measured (it is NaN).", **details)
    if value >= threshold - 1e-12:
        return passed(f"{subject} is {pct(value)}, at least the required {pct(threshold)}.", **details)
    return failed(
        f"{subject} is {pct(value)}, below the required {pct(threshold)}{ref_note}.", **details
    )


INVERTED_BELOW = 0.2  # two balanced classes: a guess gets half right, the opposite labels almost none


def symmetric_layers(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[int]:
    """Hidden layers (1-based) whose units are all the same unit: equal incoming weights and
    bias. ``weights`` as ``(in, out)``; the output layer is not a hidden one."""
    found = []
    for index, (W, b) in enumerate(zip(weights[:-1], biases[:-1]), start=1):
        units = np.vstack([np.asarray(W, dtype=np.float64),
                           np.asarray(b, dtype=np.float64).reshape(1, -1)])
        scale = max(float(np.max(np.abs(units), initial=0.0)), 1e-12)
        if units.shape[1] >= 2 and np.all(np.abs(units - units[:, :1]) <= 1e-9 * scale):
            found.append(index)
    return found


def with_causes(verdict: Verdict, *, weights: Sequence[np.ndarray] | None = None,
                biases: Sequence[np.ndarray] | None = None,
                accuracy_value: float | None = None) -> Verdict:
    """A failed classification verdict with the cause the trained network shows, when one
    does: hidden units that never became different (weights that started equal), or the
    opposite class predicted nearly everywhere (labels flipped)."""
    if verdict.status != "failed":
        return verdict
    hints, details = [], {}
    layers = symmetric_layers(weights, biases) if weights is not None and biases is not None \
        else []
    if layers:
        hints.append(f"Every unit of hidden layer {listing(map(str, layers))} has the same weights "
                     "and bias after training: weights that start equal get equal gradients, so "
                     "the units never become different and the layer works as a single unit. "
                     "Initialise the weights randomly (for example np.random.randn) to break the "
                     "symmetry.")
        details["symmetric_layers"] = layers
    if accuracy_value is not None and accuracy_value < INVERTED_BELOW:
        hints.append(f"Only {pct(accuracy_value)} right is far worse than guessing (50%): the "
                     "network predicts the opposite class almost everywhere, as when it is "
                     "trained on flipped labels (1 − y) or class 1 is read from the wrong output.")
        details["inverted"] = True
    if not hints:
        return verdict
    return dataclasses.replace(verdict, message=verdict.message + " " + " ".join(hints),
                               details={**verdict.details, **details})
