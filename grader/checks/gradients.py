"""Compare a student's backpropagation gradients with trusted ones."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checks._format import listing, num, shape
from grader.netmath import relative_error
from grader.verdict import Verdict, failed, passed


@dataclass(frozen=True)
class _Result:
    """How one parameter's gradient compares."""

    name: str
    error: float | None = None  # relative error, None when it could not be compared
    problem: str | None = None  # why it is wrong, None when correct
    transposed: bool = False
    factor: float | None = None
    numeric: bool = False  # wrong values of the right shape (not missing or misshapen)
    value: np.ndarray | None = None  # the student's gradient in the parameter's shape
    zero: bool = False  # all zeros where the true gradient is not


def _layer_of(name: str) -> str | None:
    """The layer number a name like "W2" or "db_3" ends with, if any."""
    match = re.search(r"(\d+)\s*$", name)
    return match.group(1) if match else None


def _layer(name: str) -> str:
    number = _layer_of(name)
    return f"{name} (layer {number})" if number else name


def _fit_factor(s: np.ndarray, e: np.ndarray, tol: float) -> float | None:
    """k with ``s ≈ k * e`` if the least-squares fit leaves a tiny residual, else None.

    A single number always fits some factor, so one-element gradients never get one.
    """
    ee = float(np.vdot(e, e))
    if e.size < 2 or ee == 0.0 or not np.any(s):
        return None
    k = float(np.vdot(s, e)) / ee
    if relative_error(s, k * e) > tol or abs(k - 1.0) < 1e-3 or not 1e-3 <= abs(k) <= 1e3:
        return None
    return k


def _explain_factor(k: float, batch_size: int | None) -> str:
    def near(value: float) -> bool:
        return abs(k - value) <= 1e-3 * abs(value)

    text = f"it is {num(k)} times the correct value"
    if batch_size is not None and batch_size > 1:
        if near(batch_size):
            return text + " = the batch size: the 1/m averaging over the samples is missing"
        if near(1.0 / batch_size):
            return text + (
                " = 1/batch size: the gradient is divided by the number of samples once too often"
            )
    if near(-1.0):
        return text + ": the sign is flipped (check a - y versus y - a)"
    if near(2.0) or near(0.5):
        return text + ": check the factor 1/2 of the squared error and the derivative of the loss"
    return text


def _wrong_axis(name: str, s: np.ndarray, e: np.ndarray, batch_size: int | None) -> str | None:
    """Why a misshapen bias gradient is wrong, if it has one entry per sample instead of per unit."""
    units = max(e.shape, default=1)
    is_bias = e.ndim <= 1 or 1 in e.shape
    if not is_bias or batch_size is None or batch_size == units or batch_size not in s.shape:
        return None
    return (f"the gradient of {_layer(name)} has shape {shape(s.shape)}: one entry per sample of the"
            f" batch of {batch_size} instead of one per unit ({units}), so the bias gradient sums"
            " over the wrong axis: sum dZ over the samples (the batch axis), not over the units")


def _compare_one(
    name: str, raw: Any, e: np.ndarray, convention: str | None, rtol: float,
    batch_size: int | None = None,
) -> _Result:
    if raw is None:
        return _Result(name, problem=f"the gradient of {_layer(name)} is missing")
    try:
        s = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        return _Result(name, problem=f"the gradient of {_layer(name)} is not an array of numbers")
    transposed = False
    if s.shape != e.shape:
        if s.size == e.size and s.squeeze().shape == e.squeeze().shape:
            s = s.reshape(e.shape)
        elif e.ndim == 2 and s.shape == e.T.shape:
            s, transposed = s.T, True
        else:
            return _Result(
                name,
                problem=_wrong_axis(name, s, e, batch_size)
                or f"the gradient of {_layer(name)} has shape {shape(s.shape)}"
                f" but the parameter has shape {shape(e.shape)}",
            )
    elif e.ndim == 2 and e.shape[0] == e.shape[1] > 1 and convention == "column":
        s, transposed = s.T, True
    if not np.all(np.isfinite(s)):
        return _Result(name, problem=f"the gradient of {_layer(name)} contains NaN or infinity")
    err = relative_error(s, e)
    if err <= rtol:
        return _Result(name, error=err, transposed=transposed)
    square = e.ndim == 2 and e.shape[0] == e.shape[1] and e.shape[0] > 1
    if square and not transposed and relative_error(s.T, e) <= rtol:
        if convention is None:
            return _Result(name, error=relative_error(s.T, e), transposed=True)
        problem = (f"the gradient of {_layer(name)} is the transpose of the correct one: the"
                   " product that forms it has its factors in the wrong order")
        return _Result(name, error=err, problem=problem, numeric=True, value=s)
    if not np.any(s) and np.any(e):
        problem = f"the gradient of {_layer(name)} is all zeros"
        return _Result(name, error=err, transposed=transposed, problem=problem, numeric=True, value=s,
                       zero=True)
    problem = f"the gradient of {_layer(name)} is wrong: relative error {num(err)} (allowed {num(rtol)})"
    factor = _fit_factor(s, e, max(rtol, 1e-6))
    return _Result(name, err, problem, transposed, factor, numeric=True, value=s)


def _diagnose(
    wrong: Sequence[_Result],
    hypotheses: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]],
    tol: float,
) -> str | None:
    """The first hypothesis (a known mistake and the gradients it gives) matching every wrong value."""
    numeric = [r for r in wrong if r.value is not None]
    if not numeric or len(numeric) != len(wrong):
        return None
    for diagnosis, grads in hypotheses:
        given = {name: np.asarray(g, dtype=np.float64) for name, g in grads}
        if all(r.name in given and given[r.name].size == r.value.size  # type: ignore[union-attr]
               and relative_error(r.value, given[r.name].reshape(r.value.shape)) <= tol  # type: ignore[union-attr]
               for r in numeric):
            return diagnosis
    return None


def _convention(
    student: dict[str, Any], expected: Sequence[tuple[str, np.ndarray]]
) -> str | None:
    """"row"/"column" as shown by the first non-square 2-D gradient, None if none tells."""
    for name, e in expected:
        s = student.get(name)
        if s is None or e.ndim != 2 or e.shape[0] == e.shape[1]:
            continue
        s_shape = np.shape(s)
        if s_shape == e.shape:
            return "row"
        if s_shape == e.T.shape:
            return "column"
    return None


def compare_gradients(
    student: Sequence[tuple[str, Any]],
    expected: Sequence[tuple[str, np.ndarray]],
    *,
    rtol: float = 1e-5,
    batch_size: int | None = None,
    hypotheses: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]] = (),
) -> Verdict:
    """Passed if every expected gradient is matched within relative error ``rtol``.

    Both sequences hold ``(name, gradient)`` in layer order (``W1, b1, W2, ...``); the
    student's are looked up by name (a missing name or a None value is "missing").
    Weight gradients stored as ``(out, in)`` are compared transposed (the convention is
    taken from the first non-square weight and also applied to square ones); biases may
    be ``(n,)``, ``(1, n)`` or ``(n, 1)``. ``fraction`` is the share of correct gradients.
    ``hypotheses`` are known mistakes, each ``(diagnosis, gradients that mistake gives)``: when
    every wrong gradient matches one, its diagnosis ends the message (``details["diagnosis"]``).
    """
    if not expected:
        raise ValueError("no expected gradients")
    given = {name: value for name, value in student}
    exp = [(name, np.asarray(g, dtype=np.float64)) for name, g in expected]
    convention = _convention(given, exp)
    results = [_compare_one(name, given.get(name), e, convention, rtol, batch_size)
               for name, e in exp]
    wrong = [r for r in results if r.problem is not None]
    right = [r for r in results if r.problem is None]
    transposed = [r.name for r in results if r.transposed]
    details: dict[str, Any] = {
        "relative_errors": {r.name: r.error for r in results},
        "wrong": [r.name for r in wrong],
        "zero": [r.name for r in wrong if r.zero],
        "transposed": transposed,
        "factors": {r.name: r.factor for r in wrong if r.factor is not None},
        "convention": convention or ("column" if transposed else "row"),
        "rtol": float(rtol),
        "unexpected": [name for name in given if name not in dict(exp)],
    }
    note = ""
    if transposed:
        note = (
            " Your weight gradients are stored as (outputs, inputs); they were compared"
            " transposed."
        )
    if not wrong:
        return passed(f"All {len(results)} gradients are correct.{note}", **details)
    first = wrong[0]
    text = first.problem or ""
    if first.factor is not None:
        text += "; " + _explain_factor(first.factor, batch_size)
    before = [r.name for r in results[: results.index(first)]]
    parts = [
        f"{len(wrong)} of {len(results)} gradients {'is' if len(wrong) == 1 else 'are'} wrong.",
        f" The first: {text}.",
    ]
    if before:
        parts.append(f" The gradients before it ({listing(before)}) are correct.")
    if len(wrong) > 1:
        parts.append(f" Also wrong: {listing(r.name for r in wrong[1:])}.")
    last_layer = _layer_of(exp[-1][0])
    if (
        last_layer is not None
        and all(r.numeric and _layer_of(r.name) != last_layer for r in wrong)
        and any(_layer_of(r.name) == last_layer for r in right)
    ):
        parts.append(
            " The output layer is correct, so the mistake is in passing the error back to the"
            " earlier layers (the weight matrix used or the derivative of the activation)."
        )
    diagnosis = _diagnose(wrong, hypotheses, max(rtol, 1e-6)) if hypotheses else None
    if diagnosis is not None:
        parts.append(f" Diagnosis: {diagnosis}.")
        details["diagnosis"] = diagnosis
    return failed("".join(parts) + note, fraction=len(right) / len(results), **details)
