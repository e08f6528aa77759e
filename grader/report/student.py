"""The student report: ``report.html`` beside ``result.json``, drawn from it and the figures folder.

:func:`build_view` turns a result (a ``result.json`` dict) into plain data for the
template: the score, each check with its reason and the numbers behind it, loss curves
and decision boundaries (SVG, from the result's ``plots``), the student's own figures
(PNG data URIs), failed cells, the sandbox and the environment. :func:`render` fills
``templates/student.html.j2``; the page needs no network and no script. The same result
gives the same bytes. A task not attempted (``attempted: false``) is one line with its
reason, never its checks; alternatives that did not count and were not attempted share
one line per group.

A self-check result (``rubric.public_only``) holds no hidden check; as a safeguard the
view drops any hidden check and any plot only hidden checks used from such a result.
A report that cannot be drawn is replaced by a plain page saying so and why
(:func:`write_report_safely`), so a link to ``report.html`` never leads nowhere.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import math
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from grader.checks._format import num
from grader.results import SCHEMA_VERSION

REPORT_NAME = "report.html"
TRACEBACK_LINES = 15
MAX_LIST_ITEMS = 8

LABELS: dict[str, str] = {
    "measured": "measured", "threshold": "required at least", "minimum": "fixed minimum",
    "reference": "the reference reaches", "max_below_reference": "allowed below the reference",
    "n_epochs": "epochs recorded", "initial": "first loss", "final": "last loss",
    "final_ratio": "last / first", "max_final_ratio": "last / first allowed at most",
    "target": "last loss allowed at most", "recomputed_final": "loss of your final model (grader)",
    "final_consistent": "recorded loss matches the final model",
    "first_nonfinite_epoch": "first NaN/infinite epoch",
    "n_increases": "number of increases", "first_increase_epoch": "first increase at epoch",
    "first_increase": "first increase by", "largest_increase": "largest increase",
    "final_a": "final loss (first run)", "final_b": "final loss (second run)",
    "label_a": "first run", "label_b": "second run",
    "alpha": "your step α", "expected_alpha": "first step satisfying Armijo",
    "alpha0": "initial step α0", "rho": "shrink factor ρ", "c": "Armijo constant c",
    "f0": "loss at the start f0", "slope": "slope ‖g‖²", "f_at_alpha": "loss at your step",
    "armijo_bound": "Armijo bound f0 − c·α·slope at your step", "k": "your k (α = α0·ρ^k)",
    "expected_k": "expected k", "problem": "grader problem number", "problems": "problems solved",
    "rtol": "allowed relative error", "convention": "weight layout", "loss": "loss compared",
    "batch_size": "batch size", "activations": "activations", "functions": "called as",
    "n_cells": "cells", "n_ok": "ran", "n_error": "failed", "network": "model used",
    "scaler": "scaling", "history": "loss history used", "function": "function used",
    "activation_source": "activations found by", "output_kind": "output", "evaluated_by":
    "evaluated by", "recomputed_with": "loss formula recognised", "max_output_error":
    "largest output difference", "missing": "target not found",
}
SPECIAL = {"relative_errors", "trials", "outputs", "labels", "predicted", "misclassified",
           "failed_cells", "factors", "wrong", "transposed", "unexpected", "skipped_cells",
           "update", "parameters", "recomputed", "rule"}
XOR_POINTS = ("(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)")


class ReportError(ValueError):
    """The result cannot be turned into a report; the message names the file."""


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return num(value, 6) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:MAX_LIST_ITEMS])
        return shown + (f", … ({len(value)} in all)" if len(value) > MAX_LIST_ITEMS else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def numbers(details: dict[str, Any]) -> list[tuple[str, str]]:
    """The check's details as (label, value) rows, except those drawn as tables."""
    return [(LABELS.get(key, key.replace("_", " ")), _value(value))
            for key, value in details.items() if key not in SPECIAL and value is not None]


def _heat(error: float | None, rtol: float) -> str:
    """Green for 1e-4·rtol or less, yellow at rtol, red at 1e4·rtol or more; grey if unknown."""
    if error is None:
        return "hsl(0, 0%, 80%)"
    ratio = math.log10(max(error, 1e-300) / rtol) if rtol > 0 else 4.0
    return f"hsl({60.0 - 15.0 * min(max(ratio, -4.0), 4.0):.0f}, 70%, 75%)"


def gradient_rows(details: dict[str, Any]) -> list[dict[str, Any]] | None:
    """One row per parameter: relative error, allowed, verdict, colour, the factor if one fits."""
    errors = details.get("relative_errors")
    if not isinstance(errors, dict):
        return None
    rtol = float(details.get("rtol") or 0.0)
    wrong = set(details.get("wrong") or [])
    factors = details.get("factors") or {}
    return [{"name": name, "error": "—" if error is None else num(error, 3),
             "ok": name not in wrong, "colour": _heat(error, rtol),
             "factor": None if name not in factors else num(factors[name], 4)}
            for name, error in errors.items()]


def trial_rows(details: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The correct backtracking search, step by step, with the student's step marked."""
    trials = details.get("trials")
    if not isinstance(trials, list):
        return None
    rows = [{"k": t["k"], "alpha": num(t["alpha"], 6), "loss": num(t["loss"], 8),
             "bound": num(t["bound"], 8), "satisfied": t["satisfied"], "student": False}
            for t in trials]
    alpha = details.get("alpha")
    if alpha is not None and details.get("f_at_alpha") is not None:
        mine = next((r for r, t in zip(rows, trials) if math.isclose(t["alpha"], alpha, rel_tol=1e-8)),
                    None)
        if mine is not None:
            mine["student"] = True
        else:
            rows.append({"k": details.get("k") if details.get("k") is not None else "—",
                         "alpha": num(alpha, 6), "loss": num(details["f_at_alpha"], 8),
                         "bound": num(details.get("armijo_bound"), 8),
                         "satisfied": details["f_at_alpha"] <= details.get("armijo_bound", math.inf),
                         "student": True})
    return rows


def xor_rows(details: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The four XOR points with label, output and predicted label."""
    outputs, labels = details.get("outputs"), details.get("labels")
    if not isinstance(outputs, list) or not isinstance(labels, list) or len(outputs) != 4:
        return None
    predicted = details.get("predicted") or [None] * 4
    return [{"point": XOR_POINTS[i], "label": labels[i], "output": num(outputs[i], 4),
             "predicted": predicted[i], "ok": predicted[i] == labels[i]} for i in range(4)]


def update_rows(details: dict[str, Any]) -> dict[str, Any] | None:
    """One parameter's observed step beside −lr · gradient and the mistake's prediction, entry
    by entry (the numbers behind a diagnosis of the training's updates)."""
    evidence = details.get("update")
    if not isinstance(evidence, dict) or not isinstance(evidence.get("observed"), list):
        return None
    columns = [("observed", "observed step"), ("minus_lr_gradient", "−lr · true gradient"),
               ("hypothesis", "the mistake predicts")]
    shown = [(key, title) for key, title in columns if isinstance(evidence.get(key), list)]
    length = min(len(evidence[key]) for key, _ in shown)
    rows = [[num(evidence[key][i], 4) if isinstance(evidence[key][i], (int, float)) else "—"
             for key, _ in shown] for i in range(min(length, MAX_LIST_ITEMS))]
    return {"parameter": str(evidence.get("parameter", "")),
            "iteration": int(evidence.get("iteration", 0)) + 1,
            "titles": [title for _, title in shown], "rows": rows}


def check_view(task: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    """One check for the page: verdict, points lost, reason, numbers, and its table if any."""
    details = check.get("details") or {}
    kind = str(check.get("kind", ""))
    lost = round(float(check["max_score"]) - float(check["score"]), 2)
    return {"qid": f"{task['id']}.{check['id']}", "title": check["title"], "kind": kind,
            "status": check["status"], "score": check["score"], "max_score": check["max_score"],
            "lost": lost, "visibility": check["visibility"], "message": check["message"],
            "missing": bool(details.get("missing")), "numbers": numbers(details),
            "gradients": gradient_rows(details) if kind.startswith("gradient_")
            or kind == "training_gradients" else None,
            "trials": trial_rows(details) if kind == "armijo_step" else None,
            "xor": xor_rows(details) if kind == "xor_classification" else None,
            "updates": update_rows(details)}


def _visible(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Tasks with the checks this report may show (no hidden check in a self-check)."""
    public_only = bool(data.get("rubric", {}).get("public_only"))
    tasks = []
    for task in data.get("tasks", []):
        checks = [check_view(task, c) for c in task["checks"]
                  if not (public_only and c["visibility"] != "public")]
        if not checks:
            continue
        counted, attempted = task.get("counted", True), task.get("attempted", True)
        tasks.append({"id": task["id"], "title": task["title"], "score": task["score"],
                      "max_score": task["max_score"], "counted": counted,
                      "optional": task.get("optional", False), "group": task.get("group"),
                      "attempted": attempted, "not_attempted": task.get("not_attempted", ""),
                      "folded": not counted and not attempted, "checks": checks})
    return tasks


def folded_alternatives(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per group, the alternatives that did not count and were not attempted: one line each group."""
    groups: dict[str, list[str]] = {}
    for task in tasks:
        if task["folded"]:
            groups.setdefault(str(task["group"]), []).append(task["title"])
    return [{"group": group, "titles": titles} for group, titles in groups.items()]


def plotted_checks(tasks: list[dict[str, Any]]) -> set[str]:
    """Checks whose plots the page draws: shown, in a counted task, their targets found.

    (An XOR history also matched by a moons target is not drawn against the moons reference.)
    """
    return {c["qid"] for t in tasks if t["counted"] for c in t["checks"] if not c["missing"]}


def _shown_plot(entry: dict[str, Any], usable: set[str]) -> bool:
    return any(c in usable for c in entry.get("checks", []))


def _curve_title(entry: dict[str, Any]) -> str:
    """The student's variable name ("losses_fixed (300 numbers) in x.ipynb" -> "losses_fixed")."""
    return entry["label"].split(" ")[0]


def curve_views(data: dict[str, Any], usable: set[str]) -> list[dict[str, Any]]:
    """Loss-curve SVGs; curves on the same data set share their y-axis and sit side by side."""
    from grader.report import plots  # noqa: PLC0415 - matplotlib only when a page is drawn
    curves = [c for c in data.get("plots", {}).get("loss_curves", []) if _shown_plot(c, usable)]
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for curve in curves:
        by_dataset.setdefault(str(curve.get("dataset")), []).append(curve)
    views = []
    for group in by_dataset.values():
        log, limits = plots.loss_limits(group)
        for curve in group:
            key = plots.safe_key(f"loss-{curve['target']}")
            named = {**curve, "target_name": _curve_title(curve), "title": _curve_title(curve)}
            views.append({"target": curve["target"], "label": curve["label"], "log": log,
                          "checks": curve["checks"], "reference": curve.get("reference"),
                          "svg": plots.loss_figure(named, key, log=log, limits=limits)})
    return views


def boundary_views(data: dict[str, Any], usable: set[str]) -> list[dict[str, Any]]:
    """Decision-boundary SVGs: the student's model next to the reference model."""
    from grader.report import plots  # noqa: PLC0415
    views = []
    for entry in data.get("plots", {}).get("boundaries", []):
        if not _shown_plot(entry, usable):
            continue
        key = plots.safe_key(f"boundary-{entry['target']}")
        student = None if entry.get("student") is None else plots.boundary_figure(
            entry, entry["student"], f"yours: {entry['label'].split(' ')[0]}", f"{key}-student")
        reference = entry.get("reference")
        reference_svg = None if not reference else plots.boundary_figure(
            entry, reference["grid"], f"reference: {reference['name']}", f"{key}-reference")
        views.append({"target": entry["target"], "label": entry["label"], "note": entry.get("note"),
                      "scaler": entry.get("scaler"), "dataset": entry.get("dataset"),
                      "checks": entry["checks"], "student_svg": student,
                      "reference_svg": reference_svg,
                      "reference_note": reference.get("note") if reference else None})
    return views


def figure_views(data: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    """The student's own figures as PNG data URIs (a missing file is said, not raised)."""
    views = []
    for figure in data.get("figures", []):
        path = folder / figure["file"]
        view = {"file": figure["file"], "unit": figure.get("unit"), "cell": figure.get("cell"),
                "uri": None}
        if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
            view["uri"] = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
        views.append(view)
    return views


def short_traceback(text: str | None) -> str:
    lines = (text or "").rstrip("\n").splitlines()
    if len(lines) <= TRACEBACK_LINES:
        return "\n".join(lines)
    return "\n".join([f"… ({len(lines) - TRACEBACK_LINES} earlier lines left out)"]
                     + lines[-TRACEBACK_LINES:])


def failed_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"unit": c["unit"], "number": c["number"], "line": c.get("line"), "error": c.get("error"),
             "hint": c.get("hint"), "traceback": short_traceback(c.get("traceback"))}
            for c in data.get("cells", []) if c.get("status") != "ok"]


def lost_points(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per counted task, the checks that lost points; ``absent`` when the task was not attempted.

    A task not attempted (e.g. the moons tasks in an XOR submission) is one line with its
    reason and no checks.
    """
    groups = []
    for task in tasks:
        checks = [c for c in task["checks"] if c["lost"] > 0 or c["status"] in ("failed", "error")]
        if task["counted"] and checks:
            absent = not task["attempted"]
            groups.append({"task": task, "checks": [] if absent else checks, "absent": absent,
                           "lost": round(sum(c["lost"] for c in checks), 2)})
    return groups


def build_view(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Everything the template shows, as plain data (see module docstring)."""
    tasks = _visible(data)
    usable = plotted_checks(tasks)
    lost = lost_points(tasks)
    run = data.get("run") or {}
    return {
        "name": data["submission"]["name"], "status": data["status"], "error": data.get("error"),
        "score": data["score"], "max_score": data["max_score"], "rubric": data["rubric"],
        "public_only": bool(data["rubric"].get("public_only")), "files": data["submission"].get("files", []),
        "problems": data["submission"].get("problems", []), "tasks": tasks, "lost": lost,
        "folded": folded_alternatives(tasks),
        "curves": curve_views(data, usable),
        "boundaries": boundary_views(data, usable),
        "plot_problems": data.get("plots", {}).get("problems", []),
        "figures": figure_views(data, folder), "cells": failed_cells(data),
        "n_cells": len(data.get("cells", [])), "run": run,
        "protections": sorted((run.get("protections") or {}).items()),
        "targets": sorted((data.get("targets") or {}).items()),
        "environment": data.get("environment") or {},
    }


@functools.cache
def _environment() -> Environment:
    """The template environment, built once per process (it caches the compiled template)."""
    env = Environment(loader=PackageLoader("grader.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["points"] = lambda v: f"{float(v):g}"
    return env


def render(data: dict[str, Any], folder: Path) -> str:
    """The report page for one result; ``folder`` holds its ``figures/``."""
    return _environment().get_template("student.html.j2").render(v=build_view(data, folder))


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the result: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ReportError(f"{path}: result schema {found!r} is not {SCHEMA_VERSION}; regrade it "
                          "to draw its report")
    return data


def _write_page(target: Path, page: str) -> Path:
    """Write ``page`` to ``target`` atomically (unencodable characters, e.g. lone surrogates, escaped)."""
    partial = target.with_name(f".{target.name}.tmp")
    try:
        partial.write_text(page, encoding="utf-8", errors="backslashreplace")
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)  # a half-written page is never left behind
        raise
    return target


def write_student_report(result_path: Path) -> Path:
    """Write ``report.html`` next to ``result_path`` (atomically) and return its path."""
    page = render(load(result_path), result_path.parent)
    return _write_page(result_path.parent / REPORT_NAME, page)


_UNAVAILABLE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Report not drawn – {name}</title></head>
<body>
<h1>The report for {name} could not be drawn</h1>
<p id="reason">Why: <code>{reason}</code></p>
<p>The grade itself is not affected: it is in <a href="result.json">result.json</a> beside this
page. Tell the course staff, who can redraw the report once the problem is fixed.</p>
</body>
</html>
"""
REASON_CHARS = 2000


def unavailable_page(name: str, reason: str) -> str:
    """The plain page written instead of a report that could not be drawn, saying why."""
    cut = reason if len(reason) <= REASON_CHARS else reason[:REASON_CHARS - 1] + "…"
    return _UNAVAILABLE.format(name=html.escape(name), reason=html.escape(cut))


def _submission_name(result_path: Path) -> str:
    try:
        name = json.loads(result_path.read_text(encoding="utf-8"))["submission"]["name"]
    except Exception:  # noqa: BLE001 - the page must be written whatever the file holds
        return result_path.parent.name
    return name if isinstance(name, str) else result_path.parent.name


def write_report_safely(result_path: Path) -> Path | None:
    """:func:`write_student_report`, but a failure is told on stderr and never raised.

    When the report cannot be drawn, :func:`unavailable_page` takes its place (so a link to
    ``report.html`` always leads somewhere); ``None`` only when even that cannot be written.
    """
    try:
        return write_student_report(result_path)
    except Exception as exc:  # noqa: BLE001 - a report must never cost a result or the batch
        reason = f"{type(exc).__name__}: {exc}"
        print(f"grader: could not write the report for {result_path}: {reason}", file=sys.stderr)
    try:
        page = unavailable_page(_submission_name(result_path), reason)
        return _write_page(result_path.parent / REPORT_NAME, page)
    except Exception as exc:  # noqa: BLE001
        print(f"grader: could not write the page saying so either: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return None
