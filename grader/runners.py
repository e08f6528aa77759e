"""One runner per check kind: gather the data a check needs, then call its pure verdict function.

Runners find targets, send probes with inputs drawn *now* (after the student's code has
finished), fetch reference runs and call the functions in :mod:`grader.checks`. They
never trust a number the child computed about itself when the grader can compute it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import netmath, traceloss
from grader.checks.classification import accuracy, check_accuracy, check_xor
from grader.checks.execution import check_cells_ran
from grader.checks.gradients import compare_gradients
from grader.checks.linesearch import check_armijo_step
from grader.checks.loss import (check_ends_below, check_loss_history, check_monotone,
                               check_recomputed_decrease)
from grader.checks.updates import (Step, check_constant_rate, check_explained_mistake,
                                   check_rule_descent, check_rule_gradients, check_searched_steps,
                                   check_update_directions, measure)
from grader.checks.training import (measure_updates, check_armijo_trace, check_descent, check_gradients_reset,
                                    check_history_matches, check_recorded_losses,
                                    check_training_split)
from grader.candidates import Candidate
from grader.cell_problems import cell_hint
from grader.context import GradingContext, Missing
from grader.gradient_probe import backward_gradients
from grader.launcher import ProbeError
from grader.observed_updates import (Update, loss_along, observed_updates, own_gradient_updates,
                                     recomputed_losses, searched_steps)
from grader.update_hypotheses import Explanation, explain
from grader.update_rules import infer_rule
from grader.update_rules import summary as rule_summary
from grader.checks.search_params import infer as infer_search
from grader.checks.search_params import trials_left_applied
from grader.model_modes import holds_dropout, with_dropout_hint
from grader.rubric import CheckSpec
from grader.trace_candidates import stream_network
from grader.training_streams import reshaped_biases, traced, training_seen
from grader.verdict import Verdict, failed, passed
from reference.data import moons_sample, xor_data
from reference.linesearch import backtracking

Runner = Callable[[CheckSpec, GradingContext], Verdict]


def _with(verdict: Verdict, **details: Any) -> Verdict:
    return Verdict(verdict.status, verdict.message, {**verdict.details, **details}, verdict.fraction)


def cells_ran(check: CheckSpec, ctx: GradingContext) -> Verdict:
    cells: list[dict[str, Any]] = []
    reported = {(c["unit"], c["number"]): c for c in ctx.record.cells}
    multiple = len(ctx.submission.units) > 1
    for unit in ctx.submission.units:
        for cell in unit.cells:
            seen = reported.get((unit.name, cell.number))
            if unit.kind == "script":  # the failing line itself, when known (true file lines)
                failed_at = seen.get("line") if seen is not None and seen["status"] != "ok" else None
                where = f"line {failed_at or cell.number} of {unit.name}"
            else:
                where = f"cell {cell.number}" + (f" of {unit.name}" if multiple else "")
            entry = {"index": cell.number, "where": where, "status": "ok", "error": None,
                     "line": None, "hint": None}
            if seen is None:
                entry.update(status="error", error="did not run: "
                             f"{ctx.record.ending_detail or 'the run stopped before it'}")
            elif seen["status"] != "ok":
                entry.update(status="error", error=seen["error"],
                             line=seen["line"] if unit.kind == "notebook" else None,
                             hint=cell_hint(ctx.submission, seen))
            cells.append(entry)
    for problem in ctx.submission.problems:
        cells.append({"index": 0, "where": "file", "status": "error", "error": problem, "line": None})
    if not cells:
        return failed("Nothing in the submission could be run.")
    return check_cells_ran(cells)


def _cannot_classify(network: Any) -> Verdict:
    """The model ignores the inputs it is given, so no accuracy can be measured on new points."""
    return failed(f"The trained model cannot classify new points: {network.call_problem}.",
                  **network.describe())


def xor_classification(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _untrained(check, ctx, check.params["network"])
    if untrained is not None:
        return untrained
    network = ctx.network(check.params["network"])
    if network.call_problem:
        return _cannot_classify(network)
    X, y = xor_data()
    outputs = network.outputs(X)
    return _with(check_xor(outputs, y, network.output_kind, inputs=X), **network.describe())


def loss_decrease(check: CheckSpec, ctx: GradingContext) -> Verdict:
    if check.params.get("network"):
        untrained = _untrained(check, ctx, check.params["network"])
        if untrained is not None:
            return untrained
    recomputed_training = _recomputed_training(check, ctx)
    try:
        history = ctx.find(check.params["history"])
    except Missing:
        if recomputed_training is None:
            raise
        return _with(recomputed_training, history=None)
    values = history.data["values"]
    recomputed, loss_used, wrong = None, None, None
    network = ctx.network(check.params["network"]) if check.params.get("network") else None
    # A history only counts next to the model it trained; with XOR data its end is recomputed.
    if network is not None and check.params.get("data") == "xor" and values.size:
        if network.in_grader and network.candidate.data["sizes"][-1] == 1:
            recomputed, loss_used = _recompute_xor_loss(network, check.params.get("loss", "auto"),
                                                        float(values[-1]))
            wrong = _wrong_xor_losses(network)
    verdict = check_loss_history(values, max_final_ratio=float(check.params.get("max_final_ratio", 0.5)),
                                 target=check.params.get("target"), recomputed_final=recomputed,
                                 wrong_losses=wrong)
    traced = _traced_losses(check, ctx, network) if network is not None else None
    joined = _joined(_joined(verdict, traced), recomputed_training, "recomputed_training")
    return _with(joined, history=history.label, recomputed_with=loss_used)


def _recomputed_training(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """The loss decrease the grader recomputes from a loop-traced network's sampled
    parameters (None when the network was not identified in a loop)."""
    if not check.params.get("network"):
        return None
    candidate = ctx.find(check.params["network"])
    found = candidate.data.get("found")
    observed = _observed(candidate)
    loss = (found.loss if found is not None and found.loss else None) or \
        (observed.loss if observed is not None else None)
    if found is None or loss is None:
        return None
    points = recomputed_losses(found, loss)
    if not points:
        return None
    return check_recomputed_decrease(points, loss=loss,
                                     max_final_ratio=float(check.params.get("max_final_ratio", 0.5)),
                                     target=check.params.get("target") if loss in MEAN_LOSSES
                                     else None)


MEAN_LOSSES = ("mse", "half_mse", "bce", "ce", "bce_logits", "ce_logits")  # a target fits these


def _joined(verdict: Verdict, traced: Verdict | None, key: str = "training_losses") -> Verdict:
    """The history's verdict with the recomputed training losses' (a failure of either fails),
    the second's under ``key`` in the details."""
    if traced is None:
        return verdict
    details = {**verdict.details, key: {"status": traced.status, "message": traced.message,
                                        **traced.details}}
    if traced.status == "passed":
        return Verdict(verdict.status, verdict.message, details, verdict.fraction)
    message = traced.message + ("" if verdict.status == "passed" else " " + verdict.message)
    return failed(message, **details)


def _recompute_xor_loss(network: Any, loss: str, last: float) -> tuple[float, str]:
    X, y = xor_data()
    options = [loss] if loss != "auto" else (
        ["bce_logits", "mse", "half_mse", "sse", "half_sse"] if network.output_kind == "logit"
        else ["bce", "mse", "half_mse", "sse", "half_sse"])
    values = {name: netmath.loss_value(network.weights, network.biases, network.activations, X, y, name)
              for name in options}
    best = min(values, key=lambda name: abs(values[name] - last))
    return values[best], best


def _wrong_xor_losses(network: Any) -> dict[str, float]:
    """Losses of the final model under mistakes that pair a loss with the wrong output activation."""
    if network.activations[-1] != "sigmoid":
        return {}
    X, y = xor_data()
    # "bce_logits" on a sigmoid network applies BCEWithLogitsLoss to its probabilities
    value = netmath.loss_value(network.weights, network.biases, network.activations, X, y, "bce_logits")
    return {"BCEWithLogitsLoss applied to outputs that already went through a sigmoid (the loss "
            "applies the sigmoid a second time, so it cannot go below 0.31 and the gradients "
            "shrink): use nn.BCELoss with a sigmoid output, or drop the final sigmoid and keep "
            "BCEWithLogitsLoss": value}


def gradient_backward(check: CheckSpec, ctx: GradingContext) -> Verdict:
    return backward_gradients(check, ctx)


def gradient_autograd(check: CheckSpec, ctx: GradingContext) -> Verdict:
    network = ctx.network(check.params["network"])
    if not network.in_grader:
        return failed("The grader could not rebuild this model as a chain of Linear layers with "
                      "standard activations, so its gradients cannot be compared.",
                      **network.describe())
    if ctx.session is None:
        raise Missing("the model can no longer be called")
    rng = ctx.rng(f"autograd:{check.id}")
    sizes = network.candidate.data["sizes"]
    X = rng.uniform(-2.0, 2.0, size=(16, sizes[0]))
    R = rng.normal(size=(16, sizes[-1]))
    value = ctx.session.probe("module_vjp", network.candidate.probe_target, X=X, R=R)
    by_name = {name: np.asarray(grad, dtype=np.float64) for name, grad in value["grads"]}
    student, wanted = [], []
    linear = [n[: -len(".weight")] for n in network.candidate.data["param_names"] if n.endswith(".weight")]
    for index, ((dW, db), prefix) in enumerate(zip(_vjp(network, X, R), linear), start=1):
        wanted += [(f"W{index}", dW), (f"b{index}", db)]
        student += [(f"W{index}", by_name.get(f"{prefix}.weight", np.zeros(0)).T),
                    (f"b{index}", by_name.get(f"{prefix}.bias", np.zeros_like(db)))]
    verdict = compare_gradients(student, wanted, rtol=float(check.params.get("rtol", 2e-3)))
    return _with(verdict, **network.describe())


def _vjp(network: Any, X: np.ndarray, R: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return netmath.vjp(network.weights, network.biases, network.activations, X, R)


def heldout_accuracy(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _untrained(check, ctx, check.params["network"])
    if untrained is not None:
        return untrained
    network = ctx.network(check.params["network"])
    if network.call_problem:
        return _cannot_classify(network)
    noise, data_note = _student_noise(ctx, network.candidate.unit)
    X, y = moons_sample(ctx.seed(f"heldout:{check.id}"), int(check.params.get("samples", 1000)),
                        noise)
    scaler_note = "no scaler was used"
    inputs = X
    if check.params.get("scaler"):
        try:
            scaler = ctx.find(check.params["scaler"])
            inputs = (X - scaler.data["mean"]) / scaler.data["scale"]
            scaler_note = f"inputs scaled with {scaler.label}"
        except Missing:
            scaler_note = "no fitted scaler was found, so raw inputs were used"
    measured = accuracy(network.outputs(inputs), y, network.output_kind)
    reference_accuracy = None
    if check.params.get("reference"):
        run = ctx.references.get(check.params["reference"])
        reference_accuracy = accuracy(netmath.forward(run.net.weights, run.net.biases,
                                                      run.net.activations, run.scaled(X)), y, "logit")
    verdict = check_accuracy(measured, minimum=check.params.get("minimum"), reference=reference_accuracy,
                             max_below_reference=check.params.get("max_below_reference"),
                             what=f"accuracy on {len(y)} held-out moons drawn by the grader")
    return _with(verdict, scaler=scaler_note, data=data_note, **network.describe())


DEFAULT_NOISE = 0.2  # the lab's make_moons noise, when the code's own call was not recorded


def _student_noise(ctx: GradingContext, unit: str) -> tuple[float, str]:
    """The noise of the student's own make_moons call (the held-out data follows it)."""
    traces = [ctx.record.loops[unit]] if unit in ctx.record.loops else []
    traces += [t for u, t in sorted(ctx.record.loops.items()) if u != unit]
    for trace in traces:
        for call in trace.calls:
            if call.function == "make_moons":
                noise = call.argument("noise", 2, None)
                if noise is None:
                    return 0.0, "make_moons() without noise, as your code called it"
                if isinstance(noise, (int, float)) and 0.0 <= noise <= 1.0:
                    return float(noise), f"make_moons(noise={noise:g}), as your code called it"
    return DEFAULT_NOISE, f"make_moons(noise={DEFAULT_NOISE:g}), the lab's default (no call of " \
        "make_moons was recorded)"


def _history_untrained(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """A history only counts beside a network whose training was seen (``network`` given)."""
    return _untrained(check, ctx, check.params["network"]) if check.params.get("network") else None


def loss_monotone(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _history_untrained(check, ctx)
    if untrained is not None:
        return untrained
    history = ctx.find(check.params["history"])
    verdict = with_dropout_hint(check_monotone(history.data["values"]),
                                ctx.unit_objects(history.unit))
    return _with(verdict, history=history.label)


def ends_below(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _history_untrained(check, ctx)
    if untrained is not None:
        return untrained
    first = ctx.find(check.params["history"])
    other = ctx.find(check.params["other"])
    return check_ends_below(first.data["values"], other.data["values"], first.name, other.name)


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
        rho = float(check.params["rho"]) if pinned else _positive(defaults.get("rho"), 0.5, below=1)
        c_used = c if "c" in check.params else _positive(defaults.get("c"), 1e-4, below=1)
        verdicts.append(_with(_judge_linesearch(value, spec, alpha0, rho, c_used, problem),
                              search_parameters="set by the rubric" if pinned else
                              "the function's own defaults" if defaults else "the lab's defaults"))
        if verdicts[-1].status != "passed":
            return _with(verdicts[-1], function=function.label, problem=problem + 1)
    return _with(verdicts[-1], function=function.label, problems=len(verdicts))


def _positive(value: Any, default: float, below: float = 1e3) -> float:
    return float(value) if isinstance(value, (int, float)) and 0 < value < below else default


PROBE_LOSSES = ("bce_logits", "mse", "half_mse", "sse", "half_sse")  # objectives a search may use


def _judge_linesearch(value: dict[str, Any], spec: dict[str, Any], alpha0: float, rho: float,
                      c: float, problem: int) -> Verdict:
    """The search judged on the grader's problem under its BCE-with-logits loss, or under the
    standard loss the function itself minimises (a search written for its own MSE objective
    is right when it is right for that objective)."""
    first = _judge_linesearch_under(value, spec, alpha0, rho, c, "bce_logits")
    if first.status == "passed":
        return first
    for loss in PROBE_LOSSES[1:]:
        other = _judge_linesearch_under(value, spec, alpha0, rho, c, loss)
        if other.status == "passed":
            return _with(other, objective=loss)
    return first


def _judge_linesearch_under(value: dict[str, Any], spec: dict[str, Any], alpha0: float,
                            rho: float, c: float, loss: str) -> Verdict:
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


# --- the training trace ---------------------------------------------------------------------

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


def _has_dropout(ctx: GradingContext, candidate: Candidate) -> bool:
    """Dropout makes each training loss random: it cannot be recomputed."""
    return any(o.get("kind") == "module" and o.get("name") == candidate.name and holds_dropout(o)
               for o in ctx.unit_objects(candidate.unit))


def _traced_losses(check: CheckSpec, ctx: GradingContext, network: Any) -> Verdict | None:
    """Recompute sampled training losses from the recorded parameters and data (None: no trace)."""
    candidate, found = traced(ctx, check.params["network"])
    if found is None or not network.in_grader or _has_dropout(ctx, candidate):
        return None
    where = traceloss.layout(candidate, found.stream.names)
    if where is None:
        return None
    arrays, scalers = traceloss.unit_arrays(ctx.unit_objects(candidate.unit))
    try:
        points, fit = traceloss.recompute(found.stream, where, tuple(network.activations), arrays)
    except ValueError:  # recorded shapes that do not chain as the chosen network's layers
        return None
    if fit is None:  # no data the grader could see reproduces any recorded loss: nothing to judge
        return None
    first = found.stream.samples[0].call
    verdict = check_recorded_losses(points, fit.loss if fit else None, first_call=first)
    if verdict.status != "passed" or fit is None:
        return verdict
    located = traceloss.sources(fit.X, arrays, scalers)
    tested = [s for s in located if s.split == "test"]
    on_train = traceloss.split_loss(fit, tested[0], arrays, where, tuple(network.activations)) \
        if tested else None
    point = next(p for p in points if p.call == fit.sample.call)
    split = check_training_split(located, point, first_call=first, on_train=on_train)
    if split.status != "passed":
        return _with(split, **verdict.details)
    return _with(verdict, **split.details)


def trace_gradients_reset(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    if found is None:
        return _unobserved(candidate, "gradient resets")
    return _with(check_gradients_reset(found.stream), network=candidate.label)


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
        if fit is not None and fit.rule == "gd" and fit.residual > 1e-2:
            # not gradient descent on the loss the steps' directions suggested: an adaptive
            # rule's steps point along no gradient, so try the rules under every loss
            others = [f for f in (infer_rule(found, other) for other in LOSS_FAMILIES
                                  if other != loss) if f is not None and f.rule != "gd"]
            if others:
                fit = min(others, key=lambda f: f.residual)
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


def _loop_gradients(candidate: Candidate) -> Verdict | None:
    """The gradients a loop-traced network's updates followed: the inferred rule first
    (momentum or Adam have right gradients; accumulated or loss-scaled ones are wrong), then
    each step against the true gradient, and a named mistake where one explains the steps."""
    observed = _observed(candidate)
    if observed is None or not observed.steps:
        return None
    details = {"network": candidate.label, "evidence": candidate.data.get("evidence")}
    if observed.rule is not None:
        by_rule = check_rule_gradients(observed.rule, observed.loss)
        if by_rule is not None:
            return _with(by_rule, **details)
    verdict = check_update_directions(observed.steps, observed.loss)
    explanation = observed.explanation
    if explanation is not None:
        return _with(check_explained_mistake(explanation.diagnosis, explanation.parameters,
                                             explanation.residual, explanation.true_residual,
                                             explanation.evidence, observed.loss), **details)
    return _with(verdict, **details)


def training_gradients(check: CheckSpec, ctx: GradingContext) -> Verdict:
    """The gradients whatever trained the network used: autograd, a backward function, a loop.

    Where a loop's updates were observed they are the evidence: correct updates pass, whatever
    a backward function does on the grader's own inputs; wrong ones take the backward function's
    diagnosis where it has one (which layer, which factor)."""
    try:
        candidate = ctx.find(check.params["network"])
    except Missing:
        reshaped = reshaped_biases(ctx)
        if not reshaped:
            raise
        unit, path, before, after = reshaped[0]
        return failed(f"The bias `{path}` changed shape during training, from {before} to {after} "
                      f"(in {unit}): its gradient was summed over the wrong axis (over the units "
                      "instead of the samples), and broadcasting turned it into one bias per "
                      "training sample. Sum dZ over the samples' axis (keepdims=True), so the "
                      "bias keeps its shape; the grader could not rebuild the network from it.",
                      parameter=path, shape_before=list(before), shape_after=list(after))
    if candidate.data.get("origin") == "module":
        _, stream = traced(ctx, check.params["network"])
        if stream is None:
            return _unobserved(candidate, "the gradients its training used")
        reset = check_gradients_reset(stream.stream)  # accumulating is wrong whatever autograd does
        if reset.status != "passed":
            return _with(reset, network=candidate.label)
        scaled = _module_rule(candidate, stream)
        if scaled is not None:
            return _with(scaled, network=candidate.label)
        return gradient_autograd(check, ctx)
    observed = _loop_gradients(candidate)
    if observed is not None and (observed.status == "passed" or observed.details.get("diagnosis")
                                 or observed.details.get("rule")):
        return observed  # what the training did, named, outweighs a probe of a function
    if observed is None and training_seen(ctx, candidate, check.params["network"]) is None:
        return _unobserved(candidate, "the gradients its training used")
    backward = _backward_verdict(check, ctx)
    if backward is not None and (observed is None or backward.status == "failed"
                                 and not backward.details.get("uncallable")):
        return backward
    if observed is not None:
        return observed
    _, stream = traced(ctx, check.params["network"])
    if stream is not None:  # autograd computed the gradients of raw tensors: were they reset?
        return _with(check_gradients_reset(stream.stream), network=candidate.label)
    return failed(f"No training of {candidate.label} was observed (no loop changed its "
                  "parameters), so no gradient it used can be judged.", observed=False)


def _module_rule(candidate: Candidate, stream: Any) -> Verdict | None:
    """An nn.Module's recorded gradients against the true ones its stream's parameters and data
    give: a failed verdict where they are scaled by the loss (``loss.backward(loss)``)."""
    if "module_rule" in candidate.data:  # computed once per network, whichever task asks
        return candidate.data["module_rule"]
    candidate.data["module_rule"] = verdict = _module_rule_of(candidate, stream)
    return verdict


def _module_rule_of(candidate: Candidate, stream: Any) -> Verdict | None:
    network = stream_network(candidate.unit, stream.stream)
    if network is None:
        return None
    loss, updates = observed_updates(network)
    fit = infer_rule(network, loss) if loss is not None and updates else None
    if fit is None or fit.rule != "loss_scaled":
        return None
    return check_rule_gradients(rule_summary(fit), loss)


def _backward_verdict(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """The hand-written backward function's verdict on the grader's inputs, if there is one."""
    if not (check.params.get("backward") and check.params.get("forward")):
        return None
    try:
        ctx.find(check.params["backward"])
        ctx.find(check.params["forward"])
        verdict = backward_gradients(check, ctx)
    except Missing:
        return None
    except ProbeError as exc:
        return failed(f"The grader called your code on its own inputs and it failed: {exc}",
                      uncallable=True)
    if verdict.status != "passed" and "did not return" in verdict.message:
        return _with(verdict, uncallable=True)
    return verdict


def trace_descent(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    if found is None:
        steps = _observed_steps(candidate)
        if steps is None:
            return failed(f"No training of {candidate.label} was observed (no recorded backward() "
                          "call and no loop that changed its parameters), so its update steps "
                          "cannot be judged.", observed=False)
        loss, measured = steps
        declared = _loop_constants(candidate.data["found"])
        rule = _observed(candidate).rule
        by_rule = check_rule_descent(rule, bool(check.params.get("allow_other_optimizers", True))) \
            if rule is not None else None
        if by_rule is not None:
            return _with(by_rule, network=candidate.label)
        # The update rule is judged on the gradient the code computed where it kept one in scope
        # (``dW1``, ``grads['W1']``); whether that gradient is right is the gradients check's
        # question. Otherwise the steps are judged against the true gradient.
        own = own_gradient_updates(candidate.data["found"])
        explanation = _observed(candidate).explanation
        if own is None and explanation is not None:  # the code's gradient is the mistaken one
            own = [Update(u.iteration, u.path, u.delta, explanation.predicted[(u.iteration, u.path)])
                   for u in _observed(candidate).updates
                   if (u.iteration, u.path) in explanation.predicted]
        if own is not None:
            names = sorted({f"`{u.path}`" for u in own})
            return _with(check_constant_rate(measure(own), None, declared,
                                             "the gradient your code computed for it"),
                         network=candidate.label, own_gradients=True, parameters_checked=names)
        return _with(check_constant_rate(measured, loss, declared), network=candidate.label)
    verdict = check_descent(found.stream, found.trace.optimizers, found.trace.declared_rates,
                            allow_other_optimizers=bool(check.params.get("allow_other_optimizers",
                                                                         True)))
    return _with(verdict, network=candidate.label)


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


LOSS_FAMILIES = ("mse", "half_mse", "sse", "half_sse", "bce", "bce_sum", "ce", "ce_sum",
                 "bce_logits", "ce_logits")


def trace_history(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    history = ctx.find(check.params["history"])
    if found is None:
        return _unobserved(candidate, "the losses of the training")
    verdict = check_history_matches(found.stream, np.asarray(history.data["values"], dtype=float),
                                    found.earliest_start)
    return _with(verdict, network=candidate.label, history=history.label)


RUNNERS: dict[str, Runner] = {
    "trace_gradients_reset": trace_gradients_reset,
    "trace_descent": trace_descent,
    "trace_linesearch": trace_linesearch,
    "trace_history": trace_history,
    "training_gradients": training_gradients,
    "cells_ran": cells_ran,
    "xor_classification": xor_classification,
    "loss_decrease": loss_decrease,
    "gradient_backward": gradient_backward,
    "gradient_autograd": gradient_autograd,
    "heldout_accuracy": heldout_accuracy,
    "loss_monotone": loss_monotone,
    "ends_below": ends_below,
    "armijo_step": armijo_step,
}
