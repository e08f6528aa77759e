"""Runners that judge what the training produced: cells that ran, XOR outputs, held-out accuracy,
gradients of the final model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import netmath
from grader.cell_problems import cell_hint
from grader.checks.classification import accuracy, check_accuracy, check_xor, with_causes
from grader.checks.execution import check_cells_ran
from grader.checks.gradients import compare_gradients
from grader.context import GradingContext, Missing
from grader.gradient_probe import backward_gradients
from grader.rubric import CheckSpec
from grader.training_streams import traced, unreached_parameters
from grader.runners.common import _untrained, _with
from grader.verdict import Verdict, failed
from reference.data import moons_sample, xor_data


def _cannot_classify(network: Any) -> Verdict:
    """The model ignores the inputs it is given, so no accuracy can be measured on new points."""
    return failed(f"The trained model cannot classify new points: {network.call_problem}.",
                  **network.describe())

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


def _network_to_classify(check: CheckSpec, ctx: GradingContext) -> tuple[Any, Verdict | None]:
    """The trained network a classification check judges, or the verdict that stops it (no
    training observed, or a model that cannot classify new points)."""
    untrained = _untrained(check, ctx, check.params["network"])
    if untrained is not None:
        return None, untrained
    network = ctx.network(check.params["network"])
    if network.call_problem:
        return None, _cannot_classify(network)
    return network, None


def xor_classification(check: CheckSpec, ctx: GradingContext) -> Verdict:
    network, stop = _network_to_classify(check, ctx)
    if stop is not None:
        return stop
    X, y = xor_data()
    outputs = network.outputs(X)
    candidate, found = traced(ctx, check.params["network"])
    cut = unreached_parameters(candidate, found.stream) if found is not None else []
    verdict = check_xor(outputs, y, network.output_kind, inputs=X,
                        untrained=[f"{candidate.name}.{n}" for n in cut])
    if network.in_grader:
        wrong = len(verdict.details.get("misclassified", []))
        verdict = with_causes(verdict, weights=network.weights, biases=network.biases,
                              accuracy_value=(4 - wrong) / 4)
    return _with(verdict, **network.describe())


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
    student, wanted, names = [], [], {}
    linear = [n[: -len(".weight")] for n in network.candidate.data["param_names"] if n.endswith(".weight")]
    for index, ((dW, db), prefix) in enumerate(zip(_vjp(network, X, R), linear), start=1):
        wanted += [(f"W{index}", dW), (f"b{index}", db)]
        student += [(f"W{index}", by_name.get(f"{prefix}.weight", np.zeros(0)).T),
                    (f"b{index}", by_name.get(f"{prefix}.bias", np.zeros_like(db)))]
        names.update({f"W{index}": f"{prefix}.weight", f"b{index}": f"{prefix}.bias"})
    verdict = compare_gradients(student, wanted, rtol=float(check.params.get("rtol", 2e-3)))
    return _with(verdict, module_parameters=names, **network.describe())


def _vjp(network: Any, X: np.ndarray, R: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return netmath.vjp(network.weights, network.biases, network.activations, X, R)


def heldout_accuracy(check: CheckSpec, ctx: GradingContext) -> Verdict:
    network, stop = _network_to_classify(check, ctx)
    if stop is not None:
        return stop
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
    verdict = with_causes(verdict, weights=network.weights if network.in_grader else None,
                          biases=network.biases if network.in_grader else None,
                          accuracy_value=measured)
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
