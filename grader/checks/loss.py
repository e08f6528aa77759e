"""Loss histories: do they exist, stay finite, go down, and describe the final model?

Epochs are numbered from 1: ``history[k - 1]`` is the loss recorded at epoch ``k``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from grader.checks._format import num, plain
from grader.verdict import Verdict, failed, passed

RECENT_STEPS = 5
"""How many of the last recorded decreases bound the size of one more training step."""

ONLINE_RTOL = 0.35
"""How far below an epoch's recorded loss the final model's may be when the network is updated
after every sample: the epoch's loss adds each sample's loss before that sample's own step, so
it stays above the loss of the weights the epoch ends with (a sum-for-mean slip is 1/n)."""


def _as_history(history: Sequence[float] | Any) -> np.ndarray | None:
    """The history as a 1-D float64 array, or None if it is not a list of numbers."""
    try:
        arr = np.asarray(history, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.ndim == 0:
        return None
    if arr.ndim > 1:
        if arr.size != arr.shape[0]:
            return None
        arr = arr.reshape(-1)
    return arr


def _unusable(h: np.ndarray | None, name: str = "The loss history") -> Verdict | None:
    """A failed verdict if the history cannot be judged at all, else None."""
    if h is None:
        return failed(f"{name} is not a list of numbers.")
    if h.size == 0:
        return failed(f"{name} is empty: record the loss once per epoch.", n_epochs=0)
    if h.size < 2:
        return failed(
            f"{name} has only one value ({num(h[0])}): record the loss at every epoch.",
            n_epochs=1,
        )
    bad = np.flatnonzero(~np.isfinite(h))
    if bad.size:
        k = int(bad[0])
        kind = "NaN" if np.isnan(h[k]) else "infinite"
        before = f"; just before, it was {num(h[k - 1])}" if k > 0 else ""
        return failed(
            f"{name} becomes {kind} at epoch {k + 1} (of {h.size}){before}. This usually means"
            " training diverged (learning rate too high) or a log of 0 was taken.",
            n_epochs=int(h.size),
            first_nonfinite_epoch=k + 1,
        )
    return None


def _final_matches(h: np.ndarray, recomputed: float, rtol: float, atol: float,
                   online: bool = False) -> tuple[bool, str]:
    """Rule for comparing the grader's loss of the final model with the last recorded one.

    Accepted when ``|recomputed - last| <= atol + rtol * max(|recomputed|, |last|)`` (the
    student recorded the loss after the update), or when ``recomputed`` lies at most that
    tolerance above ``last`` and at most ``2 * d + tolerance`` below it, where ``d`` is the
    largest single decrease among the last ``RECENT_STEPS`` recorded steps: many students
    record the loss before the last update, so the final model is one step further on.
    ``online`` (updated after every sample) also accepts it up to ``ONLINE_RTOL`` below.
    """
    last = float(h[-1])
    tol = atol + rtol * max(abs(recomputed), abs(last))
    if abs(recomputed - last) <= tol:
        return True, ""
    recent = h[-(RECENT_STEPS + 1):]
    step = max(0.0, float(np.max(recent[:-1] - recent[1:])))
    if last - (2.0 * step + tol) <= recomputed <= last + tol:
        return True, ""
    if online and last * (1.0 - ONLINE_RTOL) - tol <= recomputed <= last + tol:
        return True, ""
    if recomputed > last:
        return False, (
            f"the last recorded loss is {num(last)}, but the loss of your final model is"
            f" {num(recomputed)}: the recorded values do not describe the trained model"
            " (check that the loss is computed on the whole training set with the right formula)"
        )
    return False, (
        f"the last recorded loss is {num(last)}, but the loss of your final model is only"
        f" {num(recomputed)} ({num(last / recomputed) if recomputed > 0 else 'far'} times less),"
        " more than one more training step explains: check that the recorded loss uses the"
        " same formula (e.g. mean, not sum) and is recorded at every epoch"
    )


def check_loss_history(
    history: Sequence[float],
    *,
    max_final_ratio: float,
    target: float | None,
    recomputed_final: float | None = None,
    rtol: float = 0.05,
    atol: float = 1e-4,
    wrong_losses: dict[str, float] | None = None,
    online: bool = False,
) -> Verdict:
    """Judge a recorded loss curve.

    Fails if the history is unusable (not numbers, fewer than 2 values, NaN/inf), has a
    negative value, if ``final / initial > max_final_ratio``, if the final value is above
    ``target``, or if ``recomputed_final`` (the grader's loss of the final model) disagrees
    with the last recorded value under the rule of :func:`_final_matches`. All problems
    found are reported together. ``wrong_losses`` maps a known mistake (e.g. a loss that does
    not fit the output activation) to the value that mistaken loss has on the final model:
    when the recorded values disagree with the right loss but match one of these, the
    mistake is named (``details["wrong_loss"]``). ``online``: the network was updated after
    every sample (see :func:`_final_matches`).
    """
    h = _as_history(history)
    unusable = _unusable(h)
    if unusable is not None:
        return unusable
    assert h is not None
    initial, final = float(h[0]), float(h[-1])
    ratio = final / initial if initial > 0 else (0.0 if final <= 0 else float("inf"))
    details: dict[str, Any] = {
        "n_epochs": int(h.size),
        "initial": initial,
        "final": final,
        "minimum": float(h.min()),
        "final_ratio": plain(ratio),
        "max_final_ratio": float(max_final_ratio),
        "target": plain(target),
        "recomputed_final": plain(recomputed_final),
    }
    problems: list[str] = []
    negative = np.flatnonzero(h < -atol)
    if negative.size:
        k = int(negative[0])
        problems.append(
            f"the loss is negative ({num(h[k])}) at epoch {k + 1}, which a cross-entropy or"
            " squared error never is: check the signs in the loss formula"
        )
    if ratio > max_final_ratio:
        trend = "goes up" if final > initial else "does not go down enough"
        problems.append(
            f"the loss {trend}: from {num(initial)} to {num(final)} (final/initial ="
            f" {num(ratio)}, it should be at most {num(max_final_ratio)})"
            + (": training diverges, the learning rate is too large" if final > initial else "")
        )
    if target is not None and final > target:
        problems.append(f"the loss ends at {num(final)}, above the target {num(target)}")
    if recomputed_final is not None:
        ok, why = _final_matches(h, float(recomputed_final), rtol, atol, online)
        details["final_consistent"] = ok
        mistake = None if ok else next(
            (text for text, value in (wrong_losses or {}).items()
             if _final_matches(h, float(value), rtol, atol)[0]), None)
        if mistake is not None:
            details["wrong_loss"] = mistake
            problems.insert(0, f"the wrong loss for the output activation: the recorded values are"
                               f" those of {mistake}")
        elif not ok:
            problems.append(why)
    if not problems:
        return passed(
            f"The loss goes down from {num(initial)} to {num(final)} over {h.size} epochs.",
            **details,
        )
    head = "The loss history has a problem: " if len(problems) == 1 else (
        f"The loss history has {len(problems)} problems: "
    )
    return failed(head + "; ".join(problems) + ".", **details)


def check_monotone(history: Sequence[float], *, rtol: float = 1e-9) -> Verdict:
    """Passed if the loss never increases by more than ``rtol`` (relative) between epochs."""
    h = _as_history(history)
    unusable = _unusable(h)
    if unusable is not None:
        return unusable
    assert h is not None
    prev, nxt = h[:-1], h[1:]
    rises = np.flatnonzero(nxt - prev > rtol * np.maximum(np.abs(prev), np.abs(nxt)))
    details: dict[str, Any] = {
        "n_epochs": int(h.size),
        "n_increases": int(rises.size),
        "rtol": float(rtol),
    }
    if rises.size == 0:
        return passed(f"The loss never increases over {h.size} epochs.", **details)
    k = int(rises[0])
    jumps = nxt[rises] - prev[rises]
    details |= {
        "first_increase_epoch": k + 2,
        "first_increase": float(nxt[k] - prev[k]),
        "largest_increase": float(jumps.max()),
    }
    more = f" It increases {rises.size} times in total." if rises.size > 1 else ""
    return failed(
        f"The loss goes up at epoch {k + 2}: from {num(prev[k])} (epoch {k + 1}) to"
        f" {num(nxt[k])} (+{num(nxt[k] - prev[k])}).{more} With full-batch gradient descent and"
        " a small enough learning rate it should never go up; a too large learning rate or a"
        " wrong gradient makes it do so.",
        **details,
    )


def check_ends_below(
    history_a: Sequence[float], history_b: Sequence[float], label_a: str, label_b: str
) -> Verdict:
    """Passed if run A's last loss is strictly below run B's.

    Labels are noun phrases such as "the run with momentum".
    """
    runs = []
    for hist, label in ((history_a, label_a), (history_b, label_b)):
        h = _as_history(hist)
        unusable = _unusable(h, name=f"The loss history of {label}")
        if unusable is not None:
            return failed(unusable.message, **unusable.details)
        runs.append(float(h[-1]))  # type: ignore[index]
    a, b = runs
    details = {"final_a": a, "final_b": b, "label_a": label_a, "label_b": label_b}
    if a < b:
        return passed(
            f"The final loss of {label_a} ({num(a)}) is below that of {label_b} ({num(b)}).",
            **details,
        )
    return failed(
        f"The final loss of {label_a} ({num(a)}) should be below that of {label_b}, but it is"
        f" {'equal to' if a == b else 'above'} it ({num(b)}).",
        **details,
    )


def check_recomputed_decrease(points: Sequence[tuple[int, float]], *, loss: str,
                              max_final_ratio: float, target: float | None) -> Verdict:
    """The training loss the grader recomputed from the sampled parameters goes down.

    ``points``: (iteration, loss of the parameters after it), every one on the same data."""
    details: dict[str, Any] = {"recomputed": [[i, v] for i, v in points], "loss": loss,
                               "observed": True}
    values = np.array([v for _, v in points], dtype=np.float64)
    if values.size < 2 or not np.all(np.isfinite(values)):
        bad = "" if values.size >= 2 else " (fewer than two sampled iterations)"
        return failed(f"The grader could not recompute the training loss from the sampled "
                      f"parameters{bad or ': it is not finite'}.", **details)
    first, last = float(values[0]), float(values[-1])
    start = "before training" if points[0][0] < 0 else f"after iteration {points[0][0] + 1}"
    where = (f"the {loss} loss the grader recomputed from your network's parameters goes from "
             f"{num(first)} ({start}) to {num(last)} (after iteration {points[-1][0] + 1})")
    problems = []
    if first > 0 and last / first > max_final_ratio:
        problems.append(f"final/initial = {num(last / first)}, it should be at most "
                        f"{num(max_final_ratio)}")
    if target is not None and last > target:
        problems.append(f"it ends above the target {num(target)}")
    if problems:
        return failed(f"The training does not bring the loss down enough: {where}; "
                      + "; ".join(problems) + ".", **details)
    return passed(f"The training brings the loss down: {where}.", **details)
