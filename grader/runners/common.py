"""What every runner shares: details added to a verdict, and the verdicts for work that was not
observed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.candidates import Candidate
from grader.context import GradingContext
from grader.rubric import CheckSpec
from grader.training_streams import training_seen
from grader.verdict import Verdict, failed


Runner = Callable[[CheckSpec, GradingContext], Verdict]


def _with(verdict: Verdict, **details: Any) -> Verdict:
    return Verdict(verdict.status, verdict.message, {**verdict.details, **details}, verdict.fraction)


def _unobserved(candidate: Candidate, what: str) -> Verdict:
    return failed(f"No training of {candidate.label} was observed (no recorded backward() call "
                  f"and no loop that changed its parameters), so {what} cannot be judged and earn "
                  "no points: weights set by hand, fitted by another library or loaded from a "
                  "file are not gradient descent.", observed=False)


def _untrained(check: CheckSpec, ctx: GradingContext, target_id: str) -> Verdict | None:
    """A failed verdict when the rubric asks for a trained network and no training of it was
    seen (``trained = false`` in a check lifts this)."""
    if not check.params.get("trained", True):
        return None
    candidate = ctx.find(target_id)
    if training_seen(ctx, candidate, target_id) is not None:
        return None
    return failed(f"No training of {candidate.label} was observed: no recorded backward() call "
                  "and no loop that changed its parameters. Its results are not the work of "
                  "gradient descent (weights set by hand, fitted by another library or loaded "
                  "from a file), so they earn no points.", observed=False)


