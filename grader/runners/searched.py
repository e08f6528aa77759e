"""Runners that judge a line-searched training from its sampled steps: Armijo on every step, the
alpha0 and rho it used.
"""

from __future__ import annotations

from typing import Any

from grader.checks.search_params import infer as infer_search, trials_left_applied
from grader.checks.training import check_armijo_trace, measure_updates
from grader.checks.updates import check_searched_steps
from grader.context import GradingContext
from grader.model_modes import with_dropout_hint
from grader.observed_updates import loss_along, searched_steps
from grader.rubric import CheckSpec
from grader.runners.common import _unobserved, _with
from grader.runners.observed import LOSS_FAMILIES
from grader.training_streams import traced
from grader.verdict import Verdict


def _search_numbers(ctx: GradingContext, unit: str) -> list[tuple[str, float]]:
    """Numbers the unit's code held through its loops (alpha0, rho, ... under their names)."""
    numbers: list[tuple[str, float]] = []
    trace = ctx.record.loops.get(unit)
    for loop in trace.loops if trace else []:
        if sum(sample.inside for sample in loop.samples) >= 3:  # one pass holds everything constant
            numbers += list(loop.constants().items())
    torch_trace = ctx.record.traces.get(unit)
    if torch_trace is not None:
        numbers += sorted(torch_trace.declared_rates.items())
    return numbers


def _search_params(check: CheckSpec, steps: list[float], numbers: list[tuple[str, float]],
                   precision: float = 0.0) -> tuple[float, float, str]:
    """The rubric's alpha0 and rho where it pins them, else the ones the steps show."""
    if "alpha0" in check.params and "rho" in check.params:
        return float(check.params["alpha0"]), float(check.params["rho"]), "set by the rubric"
    # The student's own alpha0 and rho first: under them, a step that is the sum of every trial
    # is a search that never undid its trials, however well some other pair explains it.
    undone = trials_left_applied(steps, numbers, precision, declared_only=True)
    if undone is not None:
        return undone[0], undone[1], "the alpha0 and rho your code holds"
    inferred = infer_search(steps, numbers, precision)
    if inferred is not None:
        return inferred[0], inferred[1], f"inferred from the {len(steps)} steps the training took"
    undone = trials_left_applied(steps, numbers, precision)
    if undone is not None:
        return undone[0], undone[1], "the steps are sums of every trial step from these"
    return (float(check.params.get("alpha0", 1.0)), float(check.params.get("rho", 0.5)),
            "the lab's defaults: no alpha0 and rho explain every step")


def trace_linesearch(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    c = float(check.params.get("c", 1e-4))
    numbers = _search_numbers(ctx, candidate.unit)
    if found is None:
        loop = candidate.data.get("found")
        if loop is None:
            return _unobserved(candidate, "the line search's steps")
        return _with(_loop_linesearch(check, loop, numbers, c), network=candidate.label)
    moved = [u for u in measure_updates(found.stream) if u.moved and u.step > 0]
    alpha0, rho, source = _search_params(check, [u.step for u in moved], numbers,
                                         max((u.precision for u in moved), default=0.0))
    verdict = check_armijo_trace(found.stream, alpha0=alpha0, rho=rho, c=c)
    verdict = with_dropout_hint(verdict, ctx.unit_objects(candidate.unit), only=candidate.name)
    return _with(verdict, network=candidate.label, search_parameters=source)


def _loop_linesearch(check: CheckSpec, found: Any, numbers: list[tuple[str, float]],
                     c: float) -> Verdict:
    """The line search of a loop-traced network: each sampled update recomputed in float64."""
    losses = [found.loss] if found.loss in LOSS_FAMILIES else list(LOSS_FAMILIES)
    best = None
    for loss in losses:
        steps = searched_steps(found, loss)
        alpha0, rho, source = _search_params(check, [s.step for s in steps], numbers)
        larger = {s.iteration: value for s in steps if s.step < alpha0 * (1 - 1e-9)
                  and (value := loss_along(found, loss, s, s.step / rho)) is not None}
        verdict = check_searched_steps(steps, alpha0=alpha0, rho=rho, c=c, source=source,
                                       larger=larger)
        if verdict.status == "passed":
            return _with(verdict, loss=loss)
        best = best or _with(verdict, loss=loss)
    return best
