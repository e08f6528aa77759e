"""Which Armijo mistake a line search made, tested against the grader's own recomputation (pure).

For each sampled search the grader knows the loss at the parameters before it (``f0``), the
squared gradient norm and the loss at any trial step along minus the gradient (``line``).
Each hypothesis simulates a search written with one mistake and says which step it would
accept; the one that reproduces every sampled step is named, with the numbers of the first
step where it parts from a correct search. A hypothesis is a diagnosis only: a correct
search (under the rubric's c or the student's own) is never failed by it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from grader.checks._format import num

MAX_TRIALS = 60
STEP_RTOL = 1e-6
CORRECT = "correct"
HYPOTHESES = ("reversed", "no_alpha", "norm_not_squared", "previous_trial", "alpha_grows",
              "not_reset")


@dataclass
class Search:
    """One sampled line search: the loss before, |g|^2, the step it took and the loss at w - a g."""

    iteration: int
    f0: float
    grad_sq: float
    step: float
    line: Callable[[float], float | None]
    _cache: dict[float, float | None] = field(default_factory=dict, repr=False)

    def loss(self, alpha: float) -> float | None:
        if alpha not in self._cache:
            value = self.line(alpha)
            self._cache[alpha] = value if value is not None and math.isfinite(value) else None
        return self._cache[alpha]


@dataclass(frozen=True)
class Diagnosis:
    """The hypothesis that explains every sampled step, in words and numbers."""

    name: str
    c: float
    message: str
    evidence: dict[str, float]


def _bound(name: str, s: Search, alpha: float, c: float, reference: float) -> float:
    if name == "no_alpha":
        return reference - c * s.grad_sq
    if name == "norm_not_squared":
        return reference - c * alpha * math.sqrt(s.grad_sq)
    return reference - c * alpha * s.grad_sq


def _accepts(name: str, s: Search, alpha: float, c: float, previous: float | None) -> bool:
    value = s.loss(alpha)
    if value is None:
        return name == "reversed"  # an overflowing loss violates the condition
    reference = previous if name == "previous_trial" and previous is not None else s.f0
    bound = _bound(name, s, alpha, c, reference)
    return value > bound + _slack(name, s, alpha) if name == "reversed" \
        else value <= bound + _slack(name, s, alpha)


def _slack(name: str, s: Search, alpha: float) -> float:
    """Rounding slack on the tested inequality. A mistaken search's is scaled by the step
    (at most 1): at a tiny step its bound and the loss differ by less than a fixed 1e-9 (a
    search never squaring |g| ~ 0.3 parts from a correct one by c a (|g| - |g|^2))."""
    slack = 1e-9 * max(1.0, abs(s.f0))
    return slack if name == CORRECT else slack * min(1.0, alpha)


def _trial(name: str, start: float, rho: float, k: int) -> float:
    return start / rho**k if name == "alpha_grows" else start * rho**k


def _observed_k(name: str, s: Search, start: float, rho: float) -> int | None:
    ratio = s.step / start if name != "alpha_grows" else start / s.step
    if ratio <= 0:
        return None
    k = math.log(ratio) / math.log(rho)
    return round(k) if abs(k - round(k)) < 1e-4 and 0 <= round(k) <= MAX_TRIALS else None


def accepted_k(name: str, s: Search, start: float, rho: float, c: float, upto: int) -> int | None:
    """The first trial k <= upto that the search ``name`` accepts (None: it rejects them all)."""
    test = CORRECT if name in ("alpha_grows", "not_reset") else name
    previous = None
    for k in range(upto + 1):
        alpha = _trial(name, start, rho, k)
        if _accepts(test, s, alpha, c, previous):
            return k
        previous = s.loss(alpha)
    return None


def _explains(name: str, searches: Sequence[Search], alpha0: float, rho: float, c: float,
              first: Search | None, capped: bool = False) -> tuple[int, Search | None] | None:
    """(how many steps it explains by an accepted trial, the first step where it parts from
    a correct search), or None when some step is not what this search would take. A step no
    trial before it passed is explained as the search's cap when it is the longest search. A
    reversed search may explain every step so: it rejected every trial up to its cap, each a
    step satisfying the Armijo condition, where a correct search stops at the first."""
    runs = ([first] if first is not None else []) + list(searches)
    starts: list[float | None] = []
    for index, s in enumerate(runs):
        if name != "not_reset" or (first is not None and index == 0):
            starts.append(alpha0)
        else:
            before = runs[index - 1] if index else None
            starts.append(before.step if before is not None and
                          before.iteration == s.iteration - 1 else None)
    ks = [_observed_k(name, s, start, rho) if start is not None else None
          for s, start in zip(runs, starts)]
    if name == "not_reset":
        if first is None or any(b.step < a.step * (1 - STEP_RTOL) for b, a in zip(runs, runs[1:])):
            return None  # the steps of a search never reset only ever shrink
    cap = max((k for k in ks if k is not None), default=None)
    exact, parted = 0, None
    for s, start, k in zip(runs, starts, ks):
        if start is None:  # continues from a step not sampled: no larger than the last one seen
            continue
        if k is None:
            return None
        taken = accepted_k(name, s, start, rho, c, k)
        if taken == k:
            exact += 1
        elif name == CORRECT or not (taken is None and k == cap and k >= 8):
            return None
        if parted is None and name != CORRECT:
            correct = accepted_k(CORRECT, s, alpha0, rho, c, MAX_TRIALS)
            if correct is None or abs(alpha0 * rho**correct - s.step) > STEP_RTOL * s.step:
                parted = s
    if not exact and not (capped and name == "reversed" and parted is not None):
        return None
    return exact, parted


def warm_started(searches: Sequence[Search], alpha0: float, rho: float, c: float
                 ) -> tuple[float, bool] | None:
    """(factor, capped) of a correct search warm-started from the previous iteration's step:
    each search starts at ``factor * previous step`` (``factor`` = 1 / rho or 2, at most alpha0
    where ``capped``) and takes its first Armijo step from there. A legitimate variant (Nocedal
    and Wright, ch. 3), unlike a step never reset (factor 1: the steps only shrink). Judged on
    the searches whose previous iteration was sampled too; None unless at least two are and
    every one of them is reproduced."""
    for factor in sorted({1 / rho, 2.0}):
        for capped in (True, False):
            checked = 0
            for before, s in zip(searches, searches[1:]):
                if before.iteration != s.iteration - 1:
                    continue
                start = factor * before.step
                start = min(start, alpha0) if capped else start
                k = _observed_k(CORRECT, s, start, rho)
                if k is None or accepted_k(CORRECT, s, start, rho, c, k) != k:
                    break
                checked += 1
            else:
                if checked >= 2:
                    return factor, capped
    return None


def explain(searches: Sequence[Search], *, alpha0: float, rho: float, cs: Sequence[float],
            first: Search | None = None, names: Sequence[str] = HYPOTHESES,
            capped: bool = False) -> Diagnosis | None:
    """The search that reproduces every sampled step: ``correct`` (under one of ``cs``; also
    warm-started from the previous step, its evidence then says how) or the hypothesis that
    explains most steps by an accepted trial; None when none does.
    ``first``: the run's first search, where known (a search never reset starts there);
    ``capped``: a reversed search may explain steps that are all its cap (for steps that
    every one kept the Armijo condition, where no other mistake rejects them all)."""
    if not searches or not 0 < rho < 1 or alpha0 <= 0:
        return None
    for c in cs:
        if _explains(CORRECT, searches, alpha0, rho, c, None) is not None:
            return Diagnosis(CORRECT, c, "", {})
    for c in cs:
        warm = warm_started(searches, alpha0, rho, c)
        if warm is not None:
            return Diagnosis(CORRECT, c, "", {"warm_start_factor": warm[0],
                                              "warm_start_capped": float(warm[1])})
    best: tuple[int, str, float, Search] | None = None
    for name in names:
        for c in cs:
            found = _explains(name, searches, alpha0, rho, c, first if name == "not_reset" else None,
                              capped)
            if found is not None and found[1] is not None and (best is None or found[0] > best[0]):
                best = (found[0], name, c, found[1])
    if best is None:
        return None
    _, name, c, s = best
    return _diagnosis(name, s, alpha0, rho, c, first)


def _numbers(s: Search, alpha: float, c: float) -> str:
    value = s.loss(alpha)
    bound = s.f0 - c * alpha * s.grad_sq
    shown = "overflows" if value is None else f"is {num(value, 6)}"
    return f"f(w - a g) at a = {num(alpha)} {shown}, the Armijo bound f(w) - c a |g|^2 = {num(bound, 6)}"


def _diagnosis(name: str, s: Search, alpha0: float, rho: float, c: float,
               first: Search | None) -> Diagnosis:
    where = f"at iteration {s.iteration + 1}"
    correct = accepted_k(CORRECT, s, alpha0, rho, c, MAX_TRIALS)
    right = alpha0 * rho**correct if correct is not None else None
    evidence = {"iteration": s.iteration, "step": s.step, "loss_before": s.f0,
                "grad_sq": s.grad_sq, "c": c, "alpha0": alpha0, "rho": rho}
    if right is not None:
        evidence |= {"armijo_step": right, "loss_at_armijo_step": s.loss(right) or math.nan,
                     "armijo_bound": s.f0 - c * right * s.grad_sq}
    first_ok = (f"; the first Armijo step from alpha0 = {num(alpha0)} is a = {num(right)} "
                f"({_numbers(s, right, c)})" if right is not None else "")
    took = f"{where} it took a = {num(s.step)} ({_numbers(s, s.step, c)}){first_ok}"
    if name == "reversed":
        text = ("The search has the Armijo inequality reversed: it accepts the first step that violates "
                f"f(w - a g) <= f(w) - c a |g|^2 (c = {num(c)}): {took}. Backtrack while "
                "f(w - a g) > f(w) - c a |g|^2 and stop at the first step that satisfies it.")
    elif name == "no_alpha":
        text = ("The sufficient-decrease term lacks alpha: the search tests f(w - a g) <= f(w) - "
                f"c |g|^2 (c = {num(c)}) instead of f(w) - c a |g|^2, far too strict for small "
                f"steps, so it rejects steps that satisfy the Armijo condition: {took}, while "
                f"f(w) - c |g|^2 = {num(s.f0 - c * s.grad_sq, 6)}. Multiply c |g|^2 by alpha.")
    elif name == "norm_not_squared":
        text = ("The gradient norm is not squared: the search tests f(w - a g) <= f(w) - c a |g| "
                f"(c = {num(c)}) instead of f(w) - c a |g|^2 (|g| = {num(math.sqrt(s.grad_sq))}): "
                f"{took}. Use the squared norm |g|^2 = sum of g·g.")
    elif name == "previous_trial":
        text = ("Each trial is compared with the previous trial's loss instead of f(w): "
                f"{took}, so a step the condition rejects passes against a worse previous trial. "
                "Compare every trial with the loss at the current parameters, f(w).")
    elif name == "alpha_grows":
        text = ("Backtracking must shrink the step, but this search multiplies it by "
                f"{num(1 / rho)} after each rejected trial (alpha = alpha / rho with rho = "
                f"{num(rho)}, or alpha = rho * alpha with rho = {num(1 / rho)} > 1; alpha0 = "
                f"{num(alpha0)}): {took}. Shrink the step by a factor 0 < rho < 1: alpha = rho * alpha.")
    else:
        start = f" (the first search, at iteration {first.iteration + 1}, took a = {num(first.step)})" \
            if first is not None else ""
        text = (f"The step is not reset to alpha0 = {num(alpha0)} before each search: every search "
                f"starts from the previous iteration's step{start}, so the steps only ever shrink: "
                f"{took}. Set alpha = alpha0 at the start of every line search.")
    return Diagnosis(name, c, text, evidence)
