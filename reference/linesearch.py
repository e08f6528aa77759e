"""Armijo backtracking line search, independent of any tensor library."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LineSearchResult:
    """The step taken and every (alpha, loss) tried, in order.

    If no trial satisfied the Armijo condition, ``accepted`` is False and ``alpha`` is
    the tiny fallback step ``alpha0 * rho ** max_trials`` (not itself evaluated).
    """

    alpha: float
    accepted: bool
    trials: list[tuple[float, float]] = field(default_factory=list)

    @property
    def loss(self) -> float | None:
        """Loss at the accepted step (None when nothing was accepted)."""
        return self.trials[-1][1] if self.accepted else None


def armijo_ok(f_new: float, f0: float, alpha: float, slope: float, c: float = 1e-4) -> bool:
    """Sufficient decrease: f_new <= f0 - c * alpha * slope (False for NaN losses)."""
    return bool(f_new <= f0 - c * alpha * slope)


def backtracking(loss_at: Callable[[float], float], f0: float, slope: float,
                 alpha0: float = 1.0, rho: float = 0.5, c: float = 1e-4,
                 max_trials: int = 30) -> LineSearchResult:
    """Try alpha0, alpha0*rho, ... and return the first step meeting the Armijo condition.

    ``loss_at(alpha)`` is the loss at ``w - alpha * g`` and ``slope`` is ``|g|^2``.
    """
    if not 0.0 < rho < 1.0:
        raise ValueError(f"rho must lie in (0, 1), got {rho}")
    if alpha0 <= 0.0 or max_trials < 1:
        raise ValueError("alpha0 must be positive and max_trials at least 1")
    trials: list[tuple[float, float]] = []
    alpha = alpha0
    for _ in range(max_trials):
        f_new = float(loss_at(alpha))
        trials.append((alpha, f_new))
        if armijo_ok(f_new, f0, alpha, slope, c):
            return LineSearchResult(alpha=alpha, accepted=True, trials=trials)
        alpha *= rho
    return LineSearchResult(alpha=alpha0 * rho**max_trials, accepted=False, trials=trials)


def first_armijo_step(f: Callable[[float], float], grad: float, w: float,
                      alpha0: float = 1.0, rho: float = 0.5, c: float = 1e-4,
                      max_trials: int = 30) -> float:
    """Scalar convenience: the backtracking step for ``f`` at ``w`` with derivative ``grad``."""
    if not math.isfinite(grad):
        raise ValueError("gradient is not finite")
    res = backtracking(lambda a: f(w - a * grad), f(w), grad * grad, alpha0, rho, c, max_trials)
    return res.alpha
