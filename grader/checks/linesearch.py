"""Backtracking line search: is the chosen step the first Armijo step alpha0 * rho^k?"""

from __future__ import annotations

import math
from typing import Any

from grader.checks._format import num
from grader.verdict import Verdict, failed, passed

STEP_RTOL = 1e-8
"""Relative tolerance when comparing step sizes (alpha0 * rho^k is rounded differently)."""
ARMIJO_RTOL = 1e-10
"""Slack on the Armijo inequality, relative to max(1, |f0|, |f(alpha)|)."""


def _power(alpha: float, alpha0: float, rho: float) -> int | None:
    """k with ``alpha == alpha0 * rho**k`` (within STEP_RTOL), or None."""
    k = round(math.log(alpha / alpha0) / math.log(rho))
    return k if abs(alpha - alpha0 * rho**k) <= STEP_RTOL * alpha else None


def check_armijo_step(
    *,
    alpha: float,
    f0: float,
    slope: float,
    f_at_alpha: float,
    expected_alpha: float,
    alpha0: float,
    rho: float,
    c: float,
) -> Verdict:
    """Judge one backtracking step ``alpha`` chosen by the student.

    ``slope`` is the decrease rate along the search direction, ``-grad · direction``
    (``||grad||^2`` for steepest descent), so it is >= 0 and the Armijo condition reads
    ``f(alpha) <= f0 - c * alpha * slope``. ``f_at_alpha`` is the loss at the student's
    step and ``expected_alpha`` the first step ``alpha0 * rho**k`` (k = 0, 1, ...) that
    satisfies the condition, both computed by the caller. Every problem found is reported.
    """
    alpha, f0, slope, f_at_alpha = float(alpha), float(f0), float(slope), float(f_at_alpha)
    expected_alpha, alpha0, rho, c = float(expected_alpha), float(alpha0), float(rho), float(c)
    if slope < 0 or not 0 < rho < 1 or alpha0 <= 0 or c <= 0:
        raise ValueError("need slope >= 0, 0 < rho < 1, alpha0 > 0 and c > 0")
    details: dict[str, Any] = {
        "alpha": alpha if math.isfinite(alpha) else None,
        "expected_alpha": expected_alpha,
        "alpha0": alpha0,
        "rho": rho,
        "c": c,
        "f0": f0,
        "slope": slope,
    }
    if not math.isfinite(alpha) or alpha <= 0:
        return failed(f"The step size must be a positive number, but it is {num(alpha)}.", **details)
    rhs = f0 - c * alpha * slope
    k = _power(alpha, alpha0, rho)
    k_expected = _power(expected_alpha, alpha0, rho)
    details |= {
        "f_at_alpha": f_at_alpha if math.isfinite(f_at_alpha) else None,
        "armijo_bound": rhs,
        "k": k,
        "expected_k": k_expected,
    }
    problems: list[str] = []
    slack = ARMIJO_RTOL * max(1.0, abs(f0), abs(f_at_alpha) if math.isfinite(f_at_alpha) else 0.0)
    armijo_ok = math.isfinite(f_at_alpha) and f_at_alpha <= rhs + slack
    if not armijo_ok:
        problems.append(
            f"the step {num(alpha)} does not satisfy the Armijo condition: the loss there is"
            f" {num(f_at_alpha, 6)} but it must be at most f0 - c·alpha·slope = {num(f0, 6)} -"
            f" {num(c)}·{num(alpha)}·{num(slope)} = {num(rhs, 6)}"
        )
    if alpha > alpha0 * (1 + STEP_RTOL):
        problems.append(
            f"the step {num(alpha)} is larger than the initial step {num(alpha0)}: backtracking"
            " only ever shrinks the step"
        )
    elif k is None:
        problems.append(
            f"the step {num(alpha, 6)} is not of the form {num(alpha0)}·{num(rho)}^k: each"
            f" rejected step must be multiplied by rho = {num(rho)}, starting from {num(alpha0)}"
        )
    if abs(alpha - expected_alpha) > STEP_RTOL * expected_alpha:
        first = f"the first acceptable step is {num(expected_alpha, 6)}"
        if k_expected is not None:
            first += f" (k = {k_expected})"
        if alpha < expected_alpha:
            problems.append(
                f"the step {num(alpha, 6)} is too small: {first}, so the search went on after the"
                " condition already held; stop at the first step that satisfies it"
                + (" (a search that rejects the steps satisfying the condition either has the"
                   " Armijo inequality reversed, so accept when f(alpha) <= f0 - c·alpha·slope, or"
                   " asks for too large a decrease: the term is c·alpha·|g|^2, with alpha and the"
                   " squared norm)"
                   if k is not None and k_expected is not None and k > k_expected + 2 else "")
            )
        else:
            problems.append(
                f"the step {num(alpha, 6)} is too large: {first}, so a step was accepted that"
                " should have been rejected; check the condition (the sign of the slope term and c)"
            )
    if not problems:
        return passed(
            f"The step {num(alpha, 6)} = {num(alpha0)}·{num(rho)}^{k} is the first one that"
            " satisfies the Armijo condition.",
            **details,
        )
    head = "The line search step is wrong: " if len(problems) == 1 else (
        f"The line search step has {len(problems)} problems: "
    )
    return failed(head + "; ".join(problems) + ".", **details)
