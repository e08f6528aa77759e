"""A loop-traced network's observed updates, computed once per candidate and shared by the checks
that judge them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.candidates import Candidate
from grader.checks.updates import Step, measure
from grader.observed_updates import LOSSES, observed_updates
from grader.update_hypotheses import Explanation, explain
from grader.update_rules import infer_rule, summary as rule_summary


def _loop_constants(found: Any) -> dict[str, float]:
    """Positive numbers that stayed the same through the training loop (learning-rate candidates)."""
    return {n: v for n, v in found.loop.constants().items() if v > 0}


@dataclass(frozen=True)
class _Observed:
    """What the grader recomputed about one loop-traced network's updates (computed once)."""

    loss: str | None
    updates: list[Any]
    steps: list[Step]
    rule: dict[str, Any] | None
    explanation: Explanation | None   # the backprop mistake the updates follow, if one does


def _observed(candidate: Candidate) -> _Observed | None:
    """The updates a loop applied to this network and the rule they follow, if a loop trace
    identified it."""
    found = candidate.data.get("found")
    if found is None:
        return None
    cached = candidate.data.get("observed_updates")
    if cached is None:
        loss, updates = observed_updates(found, tuple(_loop_constants(found).values()))
        fit = infer_rule(found, loss) if loss is not None and updates else None
        if fit is not None and (fit.rule == "gd" and fit.residual > 1e-2
                                or fit.rule != "gd" and fit.residual > 1e-6):
            # not gradient descent on the loss the steps' directions suggested: an adaptive
            # rule's steps point along no gradient, so try the rules under every loss (the
            # loss the directions suggested is a guess where no step is along a gradient)
            others = [(f, other) for f, other in ((infer_rule(found, other), other)
                                                  for other in LOSS_FAMILIES if other != loss)
                      if f is not None and f.rule != "gd"]
            best = min(others, key=lambda item: item[0].residual) if others else None
            if best is not None and (fit.rule == "gd" or best[0].residual * 2 < fit.residual):
                fit, loss = best
        explanation = explain(found, loss, updates) if loss is not None and (
            fit is None or fit.rule == "gd") else None
        cached = _Observed(loss, updates, measure(updates),
                           rule_summary(fit) if fit is not None else None, explanation)
        candidate.data["observed_updates"] = cached
    return cached


def _observed_steps(candidate: Candidate) -> tuple[str | None, list[Step]] | None:
    """The steps a loop applied to this network, if a loop trace identified it."""
    observed = _observed(candidate)
    return None if observed is None else (observed.loss, observed.steps)


LOSS_FAMILIES = LOSSES  # every loss the updates are recomputed under
