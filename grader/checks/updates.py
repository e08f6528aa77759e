"""Verdicts on the updates a training loop applied, next to the true gradients (pure functions).

Input: per sampled iteration and parameter, the step the code took (``delta``) and the
gradient of the loss at the parameters before it (``grad``), both recomputed or measured
by the grader (:mod:`grader.observed_updates`). Gradient descent with rate ``lr`` means
``delta = -lr * grad`` for every parameter and iteration.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checks._format import listing, num
from grader.checks.search_params import _cumulative_k
from grader.verdict import Verdict, failed, passed

DIRECTION_TOLERANCE = 1e-2   # |delta + s grad| / |delta|: float32 training, float64 recomputation
RATE_TOLERANCE = 1e-2        # the same rate for every parameter and iteration (relative)


@dataclass(frozen=True)
class Step:
    """One parameter's measured step: ``delta ~ -scale * grad`` with this residual."""

    iteration: int
    path: str
    scale: float
    residual: float
    moved: bool


def measure(updates: Sequence[Any]) -> list[Step]:
    """Fit ``delta = -s * grad`` per update (objects with iteration, path, delta, grad)."""
    steps = []
    for u in updates:
        g, d = np.ravel(u.grad), np.ravel(u.delta)
        gg, dd = float(g @ g), float(d @ d)
        if gg == 0.0:
            steps.append(Step(u.iteration, u.path, 0.0, 0.0 if dd == 0.0 else 1.0, dd > 0.0))
            continue
        s = -float(g @ d) / gg
        residual = float(np.linalg.norm(d + s * g)) / np.sqrt(dd) if dd > 0 else 1.0
        steps.append(Step(u.iteration, u.path, s, residual, dd > 0.0))
    return steps


def frozen(steps: Sequence[Step]) -> list[str]:
    """Parameters that never moved at any measured iteration although their gradient was not
    zero there: the update step leaves them out."""
    return sorted(path for path, items in _by_path(list(steps)).items()
                  if not any(s.moved for s in items) and all(s.residual > 0 for s in items))


def check_frozen(paths: Sequence[str], computed: dict[str, list[str]]) -> Verdict | None:
    """A failed verdict naming parameters the training never updated (None: every one moved).
    ``computed``: for each, the code's own gradient arrays for it (``db1``) that went unused."""
    if not paths:
        return None
    kept = {p: names for p, names in computed.items() if p in paths and names}
    them = "it" if len(paths) == 1 else "them"
    unused = (f" Your code computes {listing(f'`{n[0]}`' for n in kept.values())} but never "
              f"applies {'it' if len(kept) == 1 else 'them'}.") if kept else ""
    return failed(f"{listing(f'`{p}`' for p in paths)} never changed during training, although "
                  f"the gradient of the loss with respect to {them} is not zero: the update step "
                  f"leaves {them} out, so gradient descent trains only part of the network."
                  f"{unused}", frozen=list(paths), unused_gradients=kept)


def _by_path(steps: list[Step]) -> dict[str, list[Step]]:
    found: dict[str, list[Step]] = {}
    for step in steps:
        found.setdefault(step.path, []).append(step)
    return found


def _directions(steps: list[Step], loss: str | None) -> tuple[Verdict | None, dict[str, Any]]:
    """A failed verdict when some parameter does not step along minus its gradient, and the
    per-parameter table (worst residual, median step factor, spread of that factor over time)."""
    if not steps:
        return failed("No update of the network's parameters between two consecutive iterations "
                      "was observed, so the gradients the training used cannot be judged.",
                      observed=False), {}
    table: dict[str, Any] = {}
    for path, items in _by_path(steps).items():
        scales = [s.scale for s in items if s.moved]
        middle = float(np.median(scales)) if scales else 0.0
        spread = max((abs(x - middle) for x in scales), default=0.0) / max(abs(middle), 1e-300)
        table[path] = {"worst_residual": max(s.residual for s in items), "scale": middle,
                       "spread": spread}
    ascent = [p for p, row in table.items() if row["scale"] < 0]
    if ascent:
        return failed(f"{listing(f'`{p}`' for p in ascent)} moved up the gradient (gradient ascent "
                      f"on that layer): each step is +{num(-table[ascent[0]]['scale'])} · gradient "
                      "of the loss instead of −lr · gradient. Check the sign of that update.",
                      loss=loss, parameters=table), table
    wrong = [p for p, row in table.items() if row["worst_residual"] > DIRECTION_TOLERANCE]
    if wrong:
        worst = wrong[0]
        return failed(f"The update of {listing(f'`{p}`' for p in wrong)} is not a step along the "
                      f"gradient of the loss: it differs from the best multiple of the true gradient "
                      f"by {num(table[worst]['worst_residual'] * 100, 3)}% of its size (allowed "
                      f"{num(DIRECTION_TOLERANCE * 100)}%), so the backpropagated gradient of that "
                      "layer is wrong.", loss=loss, parameters=table), table
    return None, table


def _factor_words(factor: float) -> str:
    whole = round(factor) if factor >= 1 else round(1 / factor)
    if whole >= 2 and abs((factor if factor >= 1 else 1 / factor) - whole) < 1e-2 * whole:
        more = "a sum where a mean is taken (a missing 1/m)" if factor > 1 else \
            "an extra division (1/m taken twice)"
        return f"{num(factor)} times what it should be, as from {more}"
    return f"{num(factor)} times what it should be"


LOG_LOSSES = {"bce": "binary cross-entropy", "bce_sum": "binary cross-entropy",
              "ce": "cross-entropy", "ce_sum": "cross-entropy",
              "bce_logits": "binary cross-entropy", "ce_logits": "cross-entropy"}
SQUARED_LOSSES = {"mse", "half_mse", "sse", "half_sse"}


def check_loss_consistency(recorded: str | None, followed: str | None, output: str,
                           source: str) -> Verdict | None:
    """A failed verdict when the code records a cross-entropy loss but its updates follow the
    squared error's gradient: the output delta keeps the sigmoid's (softmax's) derivative that
    cross-entropy cancels. ``source``: what showed the recorded loss (``losses``)."""
    if recorded not in LOG_LOSSES or followed not in SQUARED_LOSSES or \
            output not in ("sigmoid", "softmax"):
        return None
    name = LOG_LOSSES[recorded]
    factor = "a(1 − a)" if output == "sigmoid" else "the softmax's Jacobian"
    return failed(f"The loss your code computes is {name} ({source}), but the updates follow "
                  f"the gradient of the squared error instead: the output delta is multiplied "
                  f"by the {output} derivative {factor} once too often. With {name} on a "
                  f"{output} output the delta at the output's pre-activation is simply a − y.",
                  loss=recorded, updates_follow=followed, diagnosis="extra output derivative")


def check_update_directions(steps: list[Step], loss: str | None) -> Verdict:
    """Every parameter steps along the true gradient of the loss, all by one factor.

    The sign of the step is the descent check's: a layer updated with ``+=`` has the right
    gradient and the wrong update."""
    verdict, table = _directions([Step(s.iteration, s.path, abs(s.scale), s.residual, s.moved)
                                  for s in steps], loss)
    if verdict is not None:
        return verdict
    reference = float(np.median([row["scale"] for row in table.values()]))
    odd = {p: row["scale"] / reference for p, row in table.items()
           if abs(row["scale"] / reference - 1) > RATE_TOLERANCE and row["spread"] <= RATE_TOLERANCE}
    if odd and len(odd) < len(table):
        path, factor = next(iter(odd.items()))
        return failed(f"The gradient of {listing(f'`{p}`' for p in odd)} is off by a constant "
                      f"factor: `{path}` steps {num(factor)} times as far along its true gradient as "
                      f"the other parameters, so its gradient is {_factor_words(factor)}.",
                      loss=loss, parameters=table, factors=odd)
    return passed(f"Every update of {listing(f'`{p}`' for p in table)} is a step along the "
                  f"true gradient of the {loss or 'training'} loss (largest deviation "
                  f"{num(max(r['worst_residual'] for r in table.values()) * 100, 2)}%).",
                  loss=loss, parameters=table, observed=True)


_RATE_LIKE = re.compile(r"lr|eta|alpha|learn|rate|step_?size|^mu$|^gamma$", re.IGNORECASE)
_INDEX_LIKE = re.compile(r"^[ijkmnte]\d*$|^_+$|epoch|iter|idx|index|count|step$|^it$|^ep$",
                         re.IGNORECASE)


def rate_name(names: Sequence[str]) -> str | None:
    """The name to call the learning rate among numbers that held its value: a rate-like name
    (``lr``, ``eta``, ``alpha``...) first, never a loop index or counter that happened to."""
    kept = [n for n in names if not _INDEX_LIKE.search(n.rsplit(".", 1)[-1])]
    return min(kept, key=lambda n: (not _RATE_LIKE.search(n), len(n), n)) if kept else None


def check_divided_twice(steps: list[Step], loss: str | None, declared: dict[str, float],
                        rows: int | None) -> Verdict | None:
    """A failed verdict when every step is the code's learning rate divided by the number of
    samples N times the true gradient of a mean loss: the gradient was divided by N twice
    (``dZ = (A - Y) / N`` and again ``dW = A.T @ dZ / N``). None otherwise."""
    moved = [s.scale for s in steps if s.moved]
    if not moved or not rows or rows < 2 or any(s.residual > DIRECTION_TOLERANCE for s in steps):
        return None
    rate = float(np.median(moved))
    if rate <= 0 or max(abs(x - rate) for x in moved) > RATE_TOLERANCE * rate:
        return None  # a schedule, or layers scaled differently: not this mistake
    if any(abs(v - rate) <= RATE_TOLERANCE * rate for v in declared.values()):
        return None  # a number the code holds is the rate itself
    rates = [n for n, v in declared.items() if abs(v / rows - rate) <= RATE_TOLERANCE * rate
             and _RATE_LIKE.search(n.rsplit(".", 1)[-1]) and not _INDEX_LIKE.search(n.rsplit(".", 1)[-1])]
    if not rates:
        return None
    name = rate_name(rates) or rates[0]
    value = declared[name]
    return failed(f"Every gradient is N = {rows} times too small: each step is {num(rate)} · the "
                  f"gradient of the {loss or 'training'} loss, where your `{name}` = {num(value)} "
                  f"asks for {num(value)} · gradient. The gradient is divided by the number of "
                  f"samples twice (1/N taken twice, e.g. dZ = (A - Y) / N and again dW = A.T @ dZ / N), "
                  f"so the learning rate in effect is {name}/N = {num(rate)}.",
                  loss=loss, rate=rate, declared_rate=value, rows=rows, factor=1.0 / rows,
                  diagnosis="divided by N twice", observed=True)


def check_constant_rate(steps: list[Step], loss: str | None, declared: dict[str, float],
                        gradient: str | None = None) -> Verdict:
    """The steps are -lr * gradient with a learning rate that stays the same from iteration to
    iteration (a layer whose gradient is off by a constant factor is the gradients check's)."""
    verdict, table = _directions(steps, loss)
    if verdict is not None:
        return verdict
    gradient = gradient or f"the gradient of the {loss} loss"
    changing = [p for p, row in table.items() if row["spread"] > RATE_TOLERANCE]
    scales = np.array([s.scale for s in steps if s.moved])
    rate = float(np.median([row["scale"] for row in table.values()]))
    named = [n for n, v in declared.items() if abs(v - rate) <= RATE_TOLERANCE * rate]
    details = {"rate": rate, "loss": loss, "declared": declared, "parameters": table,
               "observed": True}
    if changing:  # as the autograd route judges a scheduler: descent, with a changing rate
        return passed(f"Each update is a step against {gradient} whose size changes during "
                      f"training, as under a learning-rate schedule (from "
                      f"{num(float(scales.min()))} to {num(float(scales.max()))} times the "
                      "gradient): gradient descent, not compared with a fixed rate.",
                      schedule=True, **details)
    name = rate_name(named)
    source = f", your `{name}`" if name else ""
    return passed(f"Each update is −lr · {gradient.removeprefix('the ')} with lr = {num(rate)}{source}, the same for "
                  "every iteration.", **details)


def check_searched_steps(steps: Sequence[Any], *, alpha0: float, rho: float, c: float,
                         source: str, larger: dict[int, float] | None = None) -> Verdict:
    """Each sampled step a is alpha0 * rho^k, satisfies f(w - a g) <= f(w) - c a |g|^2, and is
    the first such step: the trial before it, a / rho, violated the condition.

    ``steps``: objects with iteration, step, residual, grad_sq, loss_before, loss_after, as
    the grader recomputed them from the sampled parameters (float64); ``larger``: per
    iteration, the loss at the step a / rho the search tried before (k >= 1)."""
    details: dict[str, Any] = {"steps_checked": len(steps), "alpha0": alpha0, "rho": rho, "c": c,
                               "search_parameters": source, "observed": bool(steps)}
    if not steps:
        return failed("No whole update of the backtracking run was sampled, so its line search "
                      "cannot be judged.", **details)
    powers = []
    for s in steps:  # every trial left applied: the most specific diagnosis first
        k = math.log(s.step / alpha0) / math.log(rho) if s.step > 0 else 0.0
        undone = _cumulative_k(s.step, alpha0, rho, 0.0, 60) if s.step > 0 and (
            abs(k - round(k)) > 1e-3 or round(k) < 0) else None
        if undone is not None and s.residual <= DIRECTION_TOLERANCE:
            return failed(
                f"Rejected trial steps are not undone: at iteration {s.iteration + 1} the "
                f"parameters moved by a = {num(s.step)} = alpha0·(1 + rho + … + rho^{undone}), the "
                "sum of every trial step, so each rejected trial stayed applied. Restore the "
                "parameters (or compute trial points on a copy) before trying a smaller step.",
                iteration=s.iteration, step=s.step, trials=undone + 1, failure="not_undone",
                **details)
    grown = "default" not in source  # alpha0 the code holds or the steps show, not a guess
    for s in steps:  # a step alpha0 / rho^j: the search grew the step instead of shrinking it
        k = math.log(s.step / alpha0) / math.log(rho) if s.step > 0 else 0.0
        if grown and round(k) <= -1 and abs(k - round(k)) <= 1e-3 and s.residual <= DIRECTION_TOLERANCE:
            return failed(
                f"Backtracking must shrink the step, but this search grows it: at iteration "
                f"{s.iteration + 1} it took a = {num(s.step)} = alpha0 / rho^{-round(k)} (alpha0 = "
                f"{num(alpha0)}, rho = {num(rho)}, {source}), larger than alpha0: each rejected "
                f"trial multiplies the step by {num(1 / rho)} (alpha = alpha / rho, or alpha = rho "
                f"* alpha with rho = {num(1 / rho)} > 1). Multiply the trial step by a factor "
                "0 < rho < 1 (alpha = rho * alpha) after each rejected trial.",
                iteration=s.iteration, step=s.step, failure="alpha_grows", **details)
    for s in steps:
        where = f"at iteration {s.iteration + 1}"
        if s.residual > DIRECTION_TOLERANCE or s.step <= 0:
            return failed(f"{where.capitalize()} the update is not a step along minus the gradient "
                          f"(it differs from the best multiple by {num(s.residual * 100, 3)}%), as "
                          "backtracking gradient descent must take.", iteration=s.iteration,
                          failure="direction", **details)
        bound = s.loss_before - c * s.step * s.grad_sq
        if s.loss_after > bound + 1e-12 * max(1.0, abs(s.loss_before)):
            raised = s.loss_after > s.loss_before
            return failed(
                "The line search accepts steps that violate the Armijo condition "
                f"f(w - a g) <= f(w) - c a |g|^2: {where} it took a = {num(s.step)}, the loss went "
                f"from {num(s.loss_before, 6)} to {num(s.loss_after, 6)}, above the bound "
                f"{num(bound, 6)}" + (" (the loss increased: is the Armijo inequality reversed?)."
                                      if raised else "."),
                iteration=s.iteration, step=s.step, loss_before=s.loss_before,
                loss_after=s.loss_after, bound=bound, failure="violated", **details)
    for s in steps:  # the form only where every step kept the condition
        where = f"at iteration {s.iteration + 1}"
        k = math.log(s.step / alpha0) / math.log(rho)
        if abs(k - round(k)) > 1e-3 or round(k) < 0:
            undone = _cumulative_k(s.step, alpha0, rho, 0.0, 60)
            if undone is not None:
                return failed(
                    f"Rejected trial steps are not undone: {where} the parameters moved by a = "
                    f"{num(s.step)} = alpha0·(1 + rho + … + rho^{undone}), the sum of every trial "
                    "step, so each rejected trial stayed applied. Restore the parameters (or compute "
                    "trial points on a copy) before trying a smaller step.",
                    iteration=s.iteration, step=s.step, trials=undone + 1, failure="not_undone",
                    **details)
            return failed(f"The step sizes are not of the form alpha0 · rho^k (alpha0 = {num(alpha0)}, "
                          f"rho = {num(rho)}, {source}): {where} the step was {num(s.step)}.",
                          iteration=s.iteration, step=s.step, failure="form", **details)
        previous = (larger or {}).get(s.iteration)
        if round(k) >= 1 and previous is not None:
            wider = s.step / rho
            bound_wider = s.loss_before - c * wider * s.grad_sq
            if previous <= bound_wider - 1e-6 * max(1.0, abs(s.loss_before)):  # float32 margin
                return failed(
                    f"The line search rejects steps that satisfy the Armijo condition: {where} the "
                    f"step a = {num(wider)} gave the loss {num(previous, 6)}, within the bound "
                    f"f(w) - c a |g|^2 = {num(bound_wider, 6)}, yet the search went on to "
                    f"a = {num(s.step)}. Its test is stricter than Armijo's: check that the "
                    "decrease term is c·a·|g|^2 (with a, the squared norm, 0 < c < 1) and that "
                    "the inequality is not reversed: backtrack while f(w - a g) > f(w) - "
                    "c a |g|^2 and stop at the first step that satisfies it.",
                    iteration=s.iteration, step=s.step, rejected_step=wider,
                    rejected_loss=previous, rejected_bound=bound_wider, failure="rejected_satisfying",
                    **details)
        powers.append(int(round(k)))
    return passed(f"Every sampled step satisfied the Armijo condition (c = {num(c)}) with a step "
                  f"alpha0 · rho^k (alpha0 = {num(alpha0)}, rho = {num(rho)}, {source}), k in "
                  f"{sorted(set(powers))[:6]} ({len(steps)} steps checked).",
                  powers=sorted(set(powers)), **details)


def _row(values: Sequence[float]) -> str:
    return "[" + ", ".join(num(v, 4) for v in values) + "]"


def evidence_words(evidence: dict[str, Any]) -> str:
    """One parameter's observed step beside -lr * gradient (and the hypothesis), in words."""
    if not evidence:
        return ""
    words = (f" At iteration {evidence['iteration'] + 1}, `{evidence['parameter']}` moved by "
             f"{_row(evidence['observed'])} where −lr · gradient is "
             f"{_row(evidence['minus_lr_gradient'])}")
    if "hypothesis" in evidence:
        words += f" and this mistake predicts {_row(evidence['hypothesis'])}"
    return words + " (first entries)."


ROUNDING = 1e-9   # a relative difference below this is float rounding, not a number to print


def check_explained_mistake(diagnosis: str, parameters: Sequence[str], residual: float,
                            true_residual: float, evidence: dict[str, Any],
                            loss: str | None) -> Verdict:
    """A named backpropagation mistake that the observed updates follow (where the true
    gradient does not)."""
    names = listing(f"`{p}`" for p in parameters)
    closeness = ("exactly (up to float rounding)" if residual < ROUNDING
                 else f"to within {num(residual * 100, 3)}%")
    return failed(f"The gradient of {names} is wrong: {diagnosis}. Every sampled update follows "
                  f"this mistake's gradient {closeness}, while it differs "
                  f"from the true gradient of the {loss or 'training'} loss by up to "
                  f"{num(true_residual * 100, 3)}%." + evidence_words(evidence),
                  loss=loss, diagnosis=diagnosis, parameters_wrong=list(parameters),
                  hypothesis_residual=residual, true_residual=true_residual, update=evidence,
                  observed=True)


GRADIENT_RULES = ("accumulated", "loss_scaled")   # rules that say the gradient itself is wrong
OTHER_OPTIMIZERS = ("momentum", "adam", "rmsprop", "adagrad")


def check_rule_gradients(rule: dict[str, Any], loss: str | None) -> Verdict | None:
    """The gradients check's verdict from the inferred update rule (None: the rule says
    nothing about the gradients, judge them step by step)."""
    if rule["rule"] == "accumulated":
        return failed("Gradients accumulate across iterations: every step is the previous step plus "
                      "−lr · the new gradient, so the gradient is never reset (call "
                      "zero_grad() or set p.grad to zero / recompute it fresh each step). Inferred: "
                      f"{rule['described']} (fits within {num(rule['residual'] * 100, 3)}%).",
                      rule=rule, loss=loss, observed=True)
    if rule["rule"] == "loss_scaled":
        return failed("The gradient is scaled by the loss: each step is −lr · loss · gradient, "
                      "as backward(loss) does (it seeds backpropagation with the loss instead of "
                      "1): call loss.backward() with no argument. Inferred: "
                      f"{rule['described']} (fits within {num(rule['residual'] * 100, 3)}%).",
                      rule=rule, loss=loss, observed=True)
    if rule["rule"] in OTHER_OPTIMIZERS:
        return passed(f"The updates follow the true gradients of the {loss or 'training'} loss "
                      f"through {rule['described']} (within {num(rule['residual'] * 100, 3)}%): "
                      "the gradients are right (the update rule is the descent check's).",
                      rule=rule, loss=loss, observed=True)
    return None


def check_rule_descent(rule: dict[str, Any], allow_other_optimizers: bool) -> Verdict | None:
    """The descent check's verdict where the inferred rule is not plain gradient descent."""
    if rule["rule"] not in OTHER_OPTIMIZERS:
        return None
    words = (f"The updates are {rule['described']}, inferred from the sampled steps (it predicts "
             f"them within {num(rule['residual'] * 100, 3)}%)")
    ascent = rule.get("constants", {}).get("ascent") or []
    if ascent:
        return failed(f"{listing(f'`{p}`' for p in ascent)} moved up the gradient (gradient ascent "
                      f"on that parameter): its update adds lr · gradient where every other "
                      f"parameter subtracts it. Check the sign of that update. {words}.",
                      rule=rule, ascent=list(ascent), observed=True)
    if allow_other_optimizers:
        return passed(words + ".", rule=rule, observed=True)
    return failed(words + ", not plain gradient descent W ← W − lr · gradient as the lab asks.",
                  rule=rule, observed=True)
