"""The data behind the student report's plots, computed while grading and kept in result.json.

So that ``report.html`` can be redrawn from ``result.json`` alone, grading stores:

* ``loss_curves``: each loss history a check used, downsampled to at most
  :data:`MAX_CURVE_POINTS` epochs (first and last kept), next to the reference run's history
  on the same data;
* ``boundaries``: the grader's own float64 forward pass of each network a check evaluated,
  on a :data:`GRID` x :data:`GRID` grid over the data, as probabilities of class 1 rounded
  to 4 decimals, next to the reference model's grid, with the points drawn.

Only targets used by the checks that ran appear, so a self-check (public checks only)
holds nothing a hidden check looked at. The moons points are a fresh sample drawn for the
plot, not the held-out data a check scored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import netmath
from grader.checks._format import plain
from grader.context import GradingContext, Missing
from grader.launcher import ProbeError
from grader.references import ReferenceRun
from grader.rubric import CheckSpec, Rubric
from reference.data import moons_sample, xor_data

MAX_CURVE_POINTS = 400
GRID = 60
PLOT_POINTS = 200
XOR_REFERENCE = "xor_module"
HISTORY_KINDS = {"loss_decrease", "loss_monotone", "ends_below"}
REFERENCE_NOTES = {
    "moons_fixed": "the reference MLP trained with a fixed learning rate",
    "moons_backtracking": "the reference MLP trained with Armijo backtracking",
    "xor_module": "the reference 2-4-1 nn.Module (sigmoid, MSE loss, SGD)",
}


def downsample(values: Any, limit: int = MAX_CURVE_POINTS) -> dict[str, Any]:
    """Evenly spaced epochs (1-based) of a history, first and last always kept; 6 digits."""
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    n = int(arr.size)
    if n <= limit:
        index = np.arange(n)
    else:
        index = np.unique(np.round(np.linspace(0, n - 1, limit)).astype(np.int64))
    rounded = [float(f"{v:.6g}") if np.isfinite(v) else None for v in arr[index]]
    return {"n": n, "epochs": [int(i) + 1 for i in index], "values": rounded}


def _uses(rubric: Rubric, param: str, kinds: set[str] | None = None
          ) -> dict[str, list[tuple[str, CheckSpec]]]:
    """target id -> [(task id, check)] for every check naming it under ``param``, in order."""
    found: dict[str, list[tuple[str, CheckSpec]]] = {}
    for task in rubric.tasks:
        for check in task.checks:
            target = check.params.get(param)
            if target and (kinds is None or check.kind in kinds):
                found.setdefault(str(target), []).append((task.id, check))
    return found


def _task_param(rubric: Rubric, task_id: str, param: str) -> str | None:
    """``param`` of the first heldout_accuracy check of the task (its reference, its scaler)."""
    for task in rubric.tasks:
        if task.id == task_id:
            for check in task.checks:
                if check.kind == "heldout_accuracy" and check.params.get(param):
                    return str(check.params[param])
    return None


def _reference_name(rubric: Rubric, target: str, task_id: str) -> str | None:
    name = _task_param(rubric, task_id, "reference")
    if name is None and rubric.targets[target].dataset == "xor":
        name = XOR_REFERENCE
    return name


def _chosen(ctx: GradingContext, target: str) -> Any | None:
    choice = ctx.choices.get(target)
    return None if choice is None else choice.candidate


def loss_curves(rubric: Rubric, ctx: GradingContext) -> list[dict[str, Any]]:
    """One entry per loss history a check used (see module docstring)."""
    used = _uses(rubric, "history", HISTORY_KINDS)
    for target, uses in _uses(rubric, "other", {"ends_below"}).items():
        used.setdefault(target, []).extend(uses)
    curves = []
    for target, uses in used.items():
        candidate = _chosen(ctx, target)
        if candidate is None:
            continue
        reference_name = _reference_name(rubric, target, uses[0][0])
        curve = {"target": target, "label": candidate.label, "dataset": rubric.targets[target].dataset,
                 "checks": [f"{task}.{check.id}" for task, check in uses],
                 "student": downsample(candidate.data["values"]), "reference": None}
        if reference_name is not None:
            run = ctx.references.get(reference_name)
            curve["reference"] = {"name": reference_name, "note": REFERENCE_NOTES.get(reference_name, ""),
                                  **downsample(run.loss_history)}
        curves.append(curve)
    return curves


def _probabilities(outputs: np.ndarray, kind: str) -> list[list[float | None]]:
    out = np.asarray(outputs, dtype=np.float64).reshape(GRID, GRID)
    if kind == "logit":
        with np.errstate(over="ignore"):
            out = 1.0 / (1.0 + np.exp(-out))
    return plain(np.round(out, 4))


def _grid(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    xs, ys = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
    gx, gy = np.meshgrid(xs, ys)  # row j is y = ys[j]
    return np.column_stack([gx.reshape(-1), gy.reshape(-1)])


def _points(dataset: str, ctx: GradingContext, target: str) -> tuple[np.ndarray, np.ndarray]:
    if dataset == "xor":
        X, y = xor_data()
        return X, y.reshape(-1)
    return moons_sample(ctx.seed(f"plot:{target}"), PLOT_POINTS)


def _reference_grid(run: ReferenceRun, grid: np.ndarray) -> list[list[float | None]]:
    net = run.net
    kind = "probability" if net.activations[-1] == "sigmoid" else "logit"
    return _probabilities(netmath.forward(net.weights, net.biases, net.activations, run.scaled(grid)),
                          kind)


def boundary(rubric: Rubric, ctx: GradingContext, target: str, task_id: str,
             checks: list[str]) -> dict[str, Any] | None:
    """The decision-boundary grids of one network target, or None if it was not evaluated."""
    dataset = rubric.targets[target].dataset
    candidate = _chosen(ctx, target)
    if dataset not in ("xor", "moons") or candidate is None or id(candidate) not in ctx.resolved:
        return None
    network = ctx.resolved[id(candidate)]
    X, y = _points(dataset, ctx, target)
    pad = 0.5
    lo, hi = np.floor((X.min(axis=0) - pad) * 10) / 10, np.ceil((X.max(axis=0) + pad) * 10) / 10
    grid = _grid(lo, hi)
    entry: dict[str, Any] = {
        "target": target, "label": candidate.label, "checks": checks, "dataset": dataset,
        "x_range": plain(lo[:1].tolist() + hi[:1].tolist()),
        "y_range": plain(lo[1:].tolist() + hi[1:].tolist()), "size": GRID,
        "points": {"x": plain(np.round(X, 4)), "label": [int(v) for v in y]},
        "scaler": None, "student": None, "note": "", "reference": None}
    inputs = grid
    scaler_target = _task_param(rubric, task_id, "scaler")
    if scaler_target is not None:
        scaler = _chosen(ctx, scaler_target)
        if scaler is not None:
            inputs = (grid - scaler.data["mean"]) / scaler.data["scale"]
            entry["scaler"] = scaler.label
    if network.in_grader:
        outputs = netmath.forward(network.weights, network.biases, network.activations, inputs)
        entry["student"] = _probabilities(outputs, network.output_kind)
    else:
        entry["note"] = ("the grader could not rebuild this model as a chain of Linear layers "
                         "with standard activations, so it drew no boundary for it")
    reference_name = _reference_name(rubric, target, task_id)
    if reference_name is not None:
        run = ctx.references.get(reference_name)
        entry["reference"] = {"name": reference_name, "note": REFERENCE_NOTES.get(reference_name, ""),
                              "grid": _reference_grid(run, grid)}
    return entry


def boundaries(rubric: Rubric, ctx: GradingContext) -> list[dict[str, Any]]:
    """One entry per network a check evaluated on XOR or moons data."""
    entries = []
    for target, uses in _uses(rubric, "network").items():
        entry = boundary(rubric, ctx, target, uses[0][0], [f"{t}.{c.id}" for t, c in uses])
        if entry is not None:
            entries.append(entry)
    return entries


def collect_plots(rubric: Rubric, ctx: GradingContext) -> dict[str, Any]:
    """Both kinds of plot data; a failure leaves that kind empty and says why, never raises."""
    plots: dict[str, Any] = {"loss_curves": [], "boundaries": [], "problems": []}
    for key, build in (("loss_curves", loss_curves), ("boundaries", boundaries)):
        try:
            plots[key] = build(rubric, ctx)
        except (Missing, ProbeError, KeyError, ValueError, TypeError, RuntimeError) as exc:
            plots["problems"].append(f"{key}: {type(exc).__name__}: {exc}")
    return plots
