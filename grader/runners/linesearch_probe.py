"""The line-search function called on a problem the grader drew now, its step judged against the
Armijo condition.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import netmath
from grader.checks.armijo_hypotheses import CORRECT, HYPOTHESES, Search, explain
from grader.checks.linesearch import check_armijo_step
from grader.context import GradingContext, Missing
from grader.launcher import ProbeError
from grader.rubric import CheckSpec
from grader.runners.searched import trace_linesearch
from grader.runners.common import _with
from grader.verdict import Verdict, failed, passed
from reference.linesearch import backtracking


def _positive(value: Any, default: float, below: float = 1e3) -> float:
    return float(value) if isinstance(value, (int, float)) and 0 < value < below else default

def _shrink(value: Any) -> float:
    """The function's default rho as the factor below 1 its steps show (a rho above 1 is its
    reciprocal: ``alpha /= rho`` shrinks, ``alpha *= rho`` grows), else the lab's 0.5."""
    if isinstance(value, (int, float)) and 1 < value <= 100:
        return 1 / float(value)
    return _positive(value, 0.5, below=1)


def _from_training(check: CheckSpec, ctx: GradingContext, why: str) -> Verdict:
    """The line search judged from the backtracking run's trace, saying why."""
    verdict = trace_linesearch(check, ctx)
    return Verdict(verdict.status, f"{why}, so the line search is judged from the training: "
                   + verdict.message[0].lower() + verdict.message[1:],
                   {**verdict.details, "judged_from": "training"}, verdict.fraction)

def armijo_step(check: CheckSpec, ctx: GradingContext) -> Verdict:
    try:
        function = ctx.find(check.params["function"])
    except Missing:
        if not check.params.get("network"):
            raise
        return _from_training(check, ctx, "No line-search function was found (it is written "
                              "inline)")
    if ctx.session is None:
        raise Missing("the function can no longer be called")
    pinned = "alpha0" in check.params and "rho" in check.params
    c = float(check.params.get("c", 1e-4))
    rng = ctx.rng(f"armijo:{check.id}")
    verdicts = []
    for problem in range(int(check.params.get("problems", 3))):
        weights = [rng.normal(0, 1.0, (2, 8)), rng.normal(0, 1.0, (8, 1))]
        biases = [rng.normal(0, 0.5, 8), rng.normal(0, 0.5, 1)]
        X = rng.normal(0, 1.0, (32, 2))
        Y = (rng.uniform(size=(32, 1)) < 0.5).astype(np.float64)
        spec = {"weights": weights, "biases": biases, "X": X, "Y": Y,
                "alpha0": float(check.params["alpha0"]) if pinned else None,
                "rho": float(check.params["rho"]) if pinned else None,
                "c": float(check.params["c"]) if "c" in check.params else None}
        try:
            value = ctx.session.probe("module_linesearch", function.probe_target, spec=spec)
        except ProbeError as exc:
            if check.params.get("network"):
                return _from_training(check, ctx, f"The grader could not call {function.name}() "
                                      f"on a problem of its own ({exc})")
            return failed(f"The grader called {function.name}() on a small network and data of its "
                          f"own and it failed: {exc}", function=function.label)
        defaults = value.get("defaults") if isinstance(value.get("defaults"), dict) else {}
        alpha0 = float(check.params["alpha0"]) if pinned else _positive(defaults.get("alpha0"), 1.0)
        rho = float(check.params["rho"]) if pinned else _shrink(defaults.get("rho"))
        c_used = c if "c" in check.params else _positive(defaults.get("c"), 1e-4, below=1)
        verdicts.append(_with(_judge_linesearch(value, spec, alpha0, rho, c_used, problem, c),
                              search_parameters="set by the rubric" if pinned else
                              "the function's own defaults" if defaults else "the lab's defaults"))
        if verdicts[-1].status != "passed":
            return _with(verdicts[-1], function=function.label, problem=problem + 1)
    return _with(verdicts[-1], function=function.label, problems=len(verdicts))


PROBE_LOSSES = ("bce_logits", "mse", "half_mse", "sse", "half_sse")  # objectives a search may use


def _judge_linesearch(value: dict[str, Any], spec: dict[str, Any], alpha0: float, rho: float,
                      c: float, problem: int, rubric_c: float | None = None) -> Verdict:
    """The search judged on the grader's problem under its BCE-with-logits loss, or under the
    standard loss the function itself minimises (a search written for its own MSE objective
    is right when it is right for that objective)."""
    first = _judge_linesearch_under(value, spec, alpha0, rho, c, "bce_logits", rubric_c)
    if first.status == "passed":
        return first
    for loss in PROBE_LOSSES[1:]:
        other = _judge_linesearch_under(value, spec, alpha0, rho, c, loss, rubric_c)
        if other.status == "passed":
            return _with(other, objective=loss)
    return first


PROBE_HYPOTHESES = tuple(h for h in HYPOTHESES if h != "not_reset")  # one call: no run to continue


def _judge_linesearch_under(value: dict[str, Any], spec: dict[str, Any], alpha0: float,
                            rho: float, c: float, loss: str, rubric_c: float | None = None
                            ) -> Verdict:
    acts = ("relu", "identity")
    weights, biases, X, Y = spec["weights"], spec["biases"], spec["X"], spec["Y"]
    f0 = netmath.loss_value(weights, biases, acts, X, Y, loss)
    grads = netmath.gradients(weights, biases, acts, X, Y, loss)
    slope = float(sum(np.sum(dW**2) + np.sum(db**2) for dW, db in grads))

    def loss_at(alpha: float) -> float:
        return netmath.loss_value([W - alpha * dW for W, (dW, _) in zip(weights, grads)],
                                  [b - alpha * db for b, (_, db) in zip(biases, grads)],
                                  acts, X, Y, loss)

    search = backtracking(loss_at, f0, slope, alpha0, rho, c)
    trials = _trials(search.trials, f0, slope, c)
    alpha = _returned_alpha(value, weights, biases, grads, slope)
    if alpha is None:
        return failed("The line search neither returned a step size nor changed the model's "
                      "parameters along the gradient, so the grader cannot tell which step it took.",
                      trials=trials)
    undone = _trials_left_applied(value, weights, biases, grads, slope, alpha, alpha0, rho)
    if undone is not None:
        return failed(undone, trials=trials, alpha=alpha)
    verdict = check_armijo_step(alpha=alpha, f0=f0, slope=slope, f_at_alpha=loss_at(alpha),
                                expected_alpha=search.alpha, alpha0=alpha0, rho=rho, c=c)
    if verdict.status != "passed":
        diagnosis = explain([Search(0, f0, slope, alpha, loss_at)], alpha0=alpha0, rho=rho,
                            cs=[c, *([rubric_c] if rubric_c not in (None, c) else [])],
                            names=PROBE_HYPOTHESES)
        if diagnosis is not None and diagnosis.name == CORRECT:
            return _with(passed(f"The step {alpha:.6g} is the first one that satisfies the Armijo "
                                f"condition with c = {diagnosis.c:g}.", **verdict.details),
                         trials=trials)
        if diagnosis is not None:
            verdict = failed(f"{diagnosis.message} In detail: {verdict.message[0].lower()}"
                             f"{verdict.message[1:]}", **verdict.details, hypothesis=diagnosis.name,
                             hypothesis_evidence=diagnosis.evidence)
    return _with(verdict, trials=trials)


def _trials_left_applied(value: dict[str, Any], weights: list[np.ndarray], biases: list[np.ndarray],
                         grads: list[tuple[np.ndarray, np.ndarray]], slope: float, alpha: float,
                         alpha0: float, rho: float) -> str | None:
    """Why the move differs from the returned step, when it is the sum of every trial step."""
    moved = _moved_alpha(value, weights, biases, grads, slope)
    if moved is None or abs(moved - alpha) <= 1e-2 * alpha:
        return None
    total = 0.0
    for k in range(60):
        total += alpha0 * rho**k
        if k >= 1 and abs(total - moved) <= 1e-2 * total:
            return (f"Rejected trial steps are not undone: the line search returned the step "
                    f"{alpha:.6g}, but the model's parameters moved by {moved:.6g} = alpha0·(1 + rho"
                    f" + … + rho^{k}), the sum of all {k + 1} trial steps, so every rejected trial "
                    "stayed applied and each new trial started from the last one. Restore the "
                    "parameters (or compute trial points from a copy) before trying a smaller step.")
    return None


def _trials(tried: list[tuple[float, float]], f0: float, slope: float, c: float
            ) -> list[dict[str, Any]]:
    """The correct search's steps k = 0, 1, ...: loss, Armijo bound, whether it held."""
    rows = []
    for k, (alpha, loss) in enumerate(tried):
        bound = f0 - c * alpha * slope
        rows.append({"k": k, "alpha": alpha, "loss": loss if np.isfinite(loss) else None,
                     "bound": bound, "satisfied": bool(loss <= bound)})
    return rows


def _returned_alpha(value: dict[str, Any], weights: list[np.ndarray], biases: list[np.ndarray],
                    grads: list[tuple[np.ndarray, np.ndarray]], slope: float) -> float | None:
    result = value.get("result")
    moved = _moved_alpha(value, weights, biases, grads, slope)
    if isinstance(result, list):  # several numbers returned (f0, alpha): the one it moved by
        numbers = [float(x) for x in result if isinstance(x, (int, float)) and np.isfinite(x)]
        if len(numbers) > 1 and moved is not None:
            result = min(numbers, key=lambda x: abs(x - moved))
        elif numbers:
            result = numbers[-1] if len(numbers) > 1 else numbers[0]
    if isinstance(result, (int, float)) and np.isfinite(result):
        return float(result)
    return moved


def _moved_alpha(value: dict[str, Any], weights: list[np.ndarray], biases: list[np.ndarray],
                 grads: list[tuple[np.ndarray, np.ndarray]], slope: float) -> float | None:
    """The step a the model's parameters moved by along -gradient, if they moved forward."""
    after = value.get("params_after") or []
    if len(after) != 2 * len(weights) or slope <= 0:
        return None
    moved = 0.0
    for index, (W, b) in enumerate(zip(weights, biases)):
        dW, db = grads[index]
        moved += float(np.sum((W.T - np.asarray(after[2 * index])) * dW.T))
        moved += float(np.sum((b - np.asarray(after[2 * index + 1]).reshape(b.shape)) * db))
    alpha = moved / slope
    return alpha if alpha > 0 else None
