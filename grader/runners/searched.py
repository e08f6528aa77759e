"""Runners that judge a line-searched training from its sampled steps: Armijo on every step, the
alpha0 and rho it used.
"""

from __future__ import annotations

from typing import Any

from grader.checks.search_params import (declared, declared_c, infer as infer_search, infer_growing,
                                         search_defaults, trials_left_applied)
from grader.checks.armijo_hypotheses import CORRECT, Search, explain
from grader.checks.training import check_armijo_trace, measure_updates
from grader.checks.updates import check_searched_steps
from grader.context import GradingContext, Missing
from grader.model_modes import with_dropout_hint
from grader.observed_updates import first_searched_step, line_along, loss_along, searched_steps
from grader.rubric import CheckSpec
from grader.runners.common import _unobserved, _with
from grader.runners.observed import LOSS_FAMILIES
from grader.runners.traced_search import diagnosed, traced_searches
from grader.training_streams import traced
from grader.verdict import Verdict, failed, passed


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
    sources = [cell.source for u in ctx.submission.units if u.name == unit for cell in u.cells]
    return numbers + search_defaults(sources)  # a search function's own alpha, rho and c


def _search_params(check: CheckSpec, steps: list[float], numbers: list[tuple[str, float]],
                   precision: float = 0.0) -> tuple[float, float, str]:
    """The rubric's alpha0 and rho where it pins them, else the ones the steps show."""
    if "alpha0" in check.params and "rho" in check.params:
        return float(check.params["alpha0"]), float(check.params["rho"]), "set by the rubric"
    # The student's own alpha0 and rho first: a pair of them that explains every step as
    # alpha0 rho^k (a warm-started search's steps may reach alpha0 / rho, which a long sum of
    # trials from a smaller alpha0 also gives); else, under them, a step that is the sum of
    # every trial is a search that never undid its trials, however well some other pair
    # explains it.
    own = infer_search(steps, numbers, precision, own_only=True)
    if own is not None:
        return own[0], own[1], "the alpha0 and rho your code holds"
    undone = trials_left_applied(steps, numbers, precision, declared_only=True)
    if undone is not None:
        return undone[0], undone[1], "the alpha0 and rho your code holds"
    inferred = infer_search(steps, numbers, precision)
    if inferred is not None:
        return inferred[0], inferred[1], f"inferred from the {len(steps)} steps the training took"
    undone = trials_left_applied(steps, numbers, precision)
    if undone is not None:
        return undone[0], undone[1], "the steps are sums of every trial step from these"
    alphas, rhos = declared([(n, v) for n, v in numbers  # a fixed-rate run's lr is no alpha0
                             if not n.rsplit(".", 1)[-1].lower().startswith(("lr", "eta"))])
    if alphas and rhos:  # judged against the student's own numbers (a step above alpha0 shows)
        return alphas[0], rhos[0], "the alpha0 and rho your code holds"
    growing = infer_growing(steps, numbers, precision)
    if growing is not None:  # judged from its smallest step: every larger one grew from it
        return growing[0], growing[1], (f"inferred from the {len(steps)} steps the training took, "
                                        "each the smallest times a power of 1/rho")
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
    if verdict.status == "passed" or "bound" in verdict.details:
        verdict = _replayed(verdict, ctx, check, candidate, found.stream, alpha0, rho,
                            [c] + [x for x in declared_c(numbers) if x != c])
    verdict = with_dropout_hint(verdict, ctx.unit_objects(candidate.unit), only=candidate.name)
    return _with(verdict, network=candidate.label, search_parameters=source)


def _replayed(verdict: Verdict, ctx: GradingContext, check: CheckSpec, candidate: Any, stream: Any,
              alpha0: float, rho: float, cs: list[float]) -> Verdict:
    """The traced verdict, or the Armijo mistake that reproduces every search the grader can
    replay on its own recomputed loss (a step that is not the first Armijo step)."""
    try:
        network = ctx.network(check.params["network"])
    except Missing:
        return verdict
    searches = traced_searches(ctx, candidate, stream, network)
    diagnosis = diagnosed(searches, alpha0, rho, cs)
    if diagnosis is None:
        return verdict
    message = diagnosis.message if verdict.status == "passed" else (
        f"{diagnosis.message} In detail: {verdict.message[0].lower()}{verdict.message[1:]}")
    return failed(message, **{**verdict.details, "hypothesis": diagnosis.name,
                                        "hypothesis_evidence": diagnosis.evidence,
                                        "searches_replayed": len(searches)})


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
        verdict = _diagnosed(verdict, found, loss, steps, alpha0, rho,
                             [c] + [x for x in declared_c(numbers) if x != c],
                             _start_alphas(found, steps))
        if verdict.status == "passed":
            return _with(verdict, loss=loss)
        if verdict.details.get("hypothesis") and not (best and best.details.get("hypothesis")):
            best = _with(verdict, loss=loss)  # the loss under which a mistake explains the steps
        best = best or _with(verdict, loss=loss)
    return best


DIAGNOSED = ("violated", "rejected_satisfying", "form")   # failures a hypothesis may explain


def _start_alphas(found: Any, steps: list[Any]) -> list[float]:
    """Step-like numbers the loop was entered with that changed inside it and are larger than
    every sampled step (``alpha = 8.0`` before a loop whose searches never reset it)."""
    samples = found.loop.samples
    if not samples or not samples[0].start:
        return []
    changed = found.loop.changed()
    largest = max((s.step for s in steps), default=0.0)
    alphas, _ = declared((n, v) for n, v in samples[0].scalars.items() if n in changed)
    return [a for a in alphas if a > largest * (1 + 1e-6)][:2]


def _search(found: Any, loss: str, step: Any, iteration: int | None = None) -> Search | None:
    """One sampled step as a search along -g (None: the loss along it cannot be recomputed)."""
    line = line_along(found, loss, step)
    if line is None:
        return None
    return Search(step.iteration if iteration is None else iteration, step.loss_before,
                  step.grad_sq, step.step, line)


def _first_search(found: Any, loss: str) -> tuple[Search, Any] | None:
    """The run's first search (from the loop's entry state) and its step, where sampled."""
    step = first_searched_step(found, loss)
    search = _search(found, loss, step, iteration=0) if step is not None else None
    return None if search is None else (search, step)


def _searches(found: Any, loss: str, steps: list[Any]) -> list[Search]:
    return [s for s in (_search(found, loss, step) for step in steps) if s is not None]


def _reversed(searches: list[Search], alpha0: float, rho: float, cs: list[float]) -> Any:
    """The reversed-inequality diagnosis of searches whose every step kept the Armijo condition
    (a search that rejected each satisfying trial up to its cap), else None."""
    diagnosis = explain(searches, alpha0=alpha0, rho=rho, cs=cs, names=("reversed",), capped=True)
    return diagnosis if diagnosis is not None and diagnosis.name == "reversed" else None


def _diagnosed(verdict: Verdict, found: Any, loss: str, steps: list[Any], alpha0: float,
               rho: float, cs: list[float], starts: list[float]) -> Verdict:
    """A failed search named by the Armijo mistake that explains every sampled step (or passed
    where a correct search with the student's own c explains them); a passed one failed only
    where a reversed search (every step its cap) or a search never reset to the alpha0 the
    loop started with explains every step."""
    failure = verdict.details.get("failure")
    if verdict.status != "passed" and failure not in DIAGNOSED:
        return verdict
    searches = _searches(found, loss, steps)
    if len(searches) < len(steps) or not searches:
        return verdict
    if verdict.status != "passed":
        entry = _first_search(found, loss)
        if entry is not None and entry[1].residual <= 1e-2:
            searches = [entry[0], *searches]  # the run's first search, where sampled
        diagnosis = explain(searches, alpha0=alpha0, rho=rho, cs=cs)
        if diagnosis is None:
            return verdict
        if diagnosis.name == CORRECT and diagnosis.evidence:
            factor = diagnosis.evidence["warm_start_factor"]
            cap = f", at most alpha0 = {alpha0:g}" if diagnosis.evidence["warm_start_capped"] else ""
            return passed(f"Every sampled search starts from {factor:g} times the previous "
                          f"iteration's step{cap} (a warm start) and takes the first step "
                          f"satisfying the Armijo condition from there, shrinking by rho = {rho:g} "
                          f"(c = {diagnosis.c:g}, {len(searches)} steps checked).",
                          **{**verdict.details, "c": diagnosis.c, "failure": None,
                             **diagnosis.evidence})
        if diagnosis.name == CORRECT:
            return passed(f"Every sampled step is the first Armijo step alpha0 · rho^k (alpha0 = "
                          f"{alpha0:g}, rho = {rho:g}) under your c = {diagnosis.c:g} "
                          f"({len(searches)} steps checked).",
                          **{**verdict.details, "c": diagnosis.c, "failure": None})
        return failed(diagnosis.message, **{**verdict.details, "hypothesis": diagnosis.name,
                                            "hypothesis_evidence": diagnosis.evidence})
    reversed_search = _reversed(searches, alpha0, rho, cs)
    if reversed_search is not None:
        return failed(reversed_search.message, **{**verdict.details, "hypothesis": "reversed",
                                                   "hypothesis_evidence": reversed_search.evidence})
    entry = _first_search(found, loss) if starts else None
    if entry is None:
        return verdict
    first = entry[0]
    for start in starts:
        diagnosis = explain(searches, alpha0=start, rho=rho, cs=cs, first=first, names=("not_reset",))
        if diagnosis is not None and diagnosis.name == "not_reset":
            return failed(diagnosis.message, **{**verdict.details, "alpha0": start,
                                                "hypothesis": diagnosis.name,
                                                "hypothesis_evidence": diagnosis.evidence})
    return verdict
