"""Exports of a results folder: a gradebook CSV, Gradescope ``results.json`` files, one JSON.

- ``csv``: one row per submission (sorted by folder): ``student`` (the roster's or the LMS's
  name, else the submission's), ``id`` (the student id intake found: Canvas user id, Moodle
  participant id, GitHub username, nbgrader student, a folder's name; empty for older
  results), ``folder``, ``status``, one column per task id (that task's score; a
  lower-scoring alternative keeps its own score even though only the best of its group
  counts), ``total``, ``max_score``, ``late`` (``yes`` when Canvas marked it late); then one
  row per roster student with no result, status ``no submission`` and no scores.
- ``gradescope``: one ``results.json`` per submission in Gradescope's autograder format,
  ``OUT/<submission folder>/results.json``, or exactly ``OUT`` when it ends in ``.json``
  and there is one result (``/autograder/results/results.json`` on Gradescope).
- ``json``: ``{"grader", "results": [every result.json, with its "folder"], "problems",
  "no_submission": [roster students with no result: "id", "name"]}``.

Gradescope visibility: public checks are ``"visible"``, hidden checks ``"after_published"``
(students see them once the instructor publishes grades); the total is ``"visible"`` and
the grader's stdout ``"hidden"``. A check's status ``error`` or ``skipped`` becomes
``"failed"`` (Gradescope knows only passed/failed) with ``[grader error]``/``[skipped]``
at the start of its output.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from grader import __version__
from grader.report.classpage import points, student_name
from grader.report.collect import Collection
from grader.report.outputs import EXPORT_DEFAULTS
from grader.results import write_json_atomic

FORMATS = ("csv", "gradescope", "json")
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """The export cannot be written as asked (the message says why)."""


def _safe_cell(text: str) -> str:
    """Keep spreadsheet programs from running a student-chosen name as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def task_ids(collection: Collection) -> list[str]:
    """Task ids in rubric order, as first seen across the results."""
    seen: dict[str, None] = {}
    for result in collection.results:
        for task in result.data["tasks"]:
            seen.setdefault(task["id"], None)
    return list(seen)


def gradebook_csv(collection: Collection) -> str:
    """The gradebook: one row per submission, one column per task, then the total."""
    tasks = task_ids(collection)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "id", "folder", "status", *tasks, "total", "max_score", "late"])
    for result in collection.results:
        data = result.data
        submission = data["submission"]
        scores = {t["id"]: points(float(t["score"])) for t in data["tasks"]}
        late = (submission.get("intake") or {}).get("late") if isinstance(
            submission.get("intake"), dict) else None
        writer.writerow([_safe_cell(student_name(submission)),
                         _safe_cell(str(submission.get("student_id") or "")),
                         _safe_cell(result.folder), data["status"],
                         *(scores.get(t, "") for t in tasks),
                         points(float(data["score"])), points(float(data["max_score"])),
                         "yes" if late else ""])
    for student in collection.no_submission():
        writer.writerow([_safe_cell(student["name"]), _safe_cell(student["id"]), "",
                         "no submission", *("" for _ in tasks), "", "", ""])
    return buffer.getvalue()


def _test_output(check: dict[str, Any], counted: bool) -> str:
    prefix = {"error": "[grader error] ", "skipped": "[skipped] "}.get(check["status"], "")
    note = "" if counted else "\n(An alternative task: another alternative scored higher, so this one does not count.)"
    return prefix + check["message"] + note


def gradescope_result(data: dict[str, Any]) -> dict[str, Any]:
    """One result.json in Gradescope's autograder ``results.json`` format."""
    seconds = float((data.get("timing") or {}).get("total_seconds") or 0)
    rubric = data["rubric"]
    header = f"{rubric.get('id')} {rubric.get('version')}: {points(float(data['score']))}/" \
             f"{points(float(data['max_score']))} points."
    if data["status"] != "graded":
        header += f"\nThe submission could not be graded: {data.get('error')}"
    run = data.get("run") or {}
    if run.get("ending") and run.get("ending") != "finished":
        header += f"\nThe run ended early ({run['ending']}): {run.get('detail', '')}".rstrip(": ")
    failed_cells = [c for c in data.get("cells") or [] if isinstance(c, dict) and c.get("status") != "ok"]
    for cell in failed_cells:
        header += f"\n{cell.get('unit')} cell {cell.get('number')}: {cell.get('error')}"
        if cell.get("hint"):
            header += f" — {cell['hint']}"
    tests = []
    for t_index, task in enumerate(data["tasks"], start=1):
        counted = bool(task.get("counted", True))
        for c_index, check in enumerate(task["checks"], start=1):
            tests.append({
                "name": f"{task['id']}.{check['id']}: {check['title']}",
                "number": f"{t_index}.{c_index}",
                "score": float(check["score"]), "max_score": float(check["max_score"]),
                "status": "passed" if check["status"] == "passed" else "failed",
                "visibility": GRADESCOPE_VISIBILITY.get(check["visibility"], "after_published"),
                "output": _test_output(check, counted),
                "tags": [task["id"], str(check.get("kind", ""))],
            })
    return {
        "score": float(data["score"]),
        "execution_time": math.ceil(seconds),
        "output": header,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"rubric": {k: rubric.get(k) for k in ("id", "version", "digest")},
                       "grader": (data.get("environment") or {}).get("grader"),
                       "fingerprint": (data.get("environment") or {}).get("fingerprint"),
                       "max_score": float(data["max_score"])},
    }


def write_gradescope(collection: Collection, out: Path) -> list[Path]:
    """Write each result as Gradescope's results.json; returns the files written."""
    if out.suffix == ".json":
        if len(collection.results) != 1:
            raise ExportError(f"{out}: a single results.json needs exactly one result, "
                              f"found {len(collection.results)} under {collection.root}")
        write_json_atomic(out, gradescope_result(collection.results[0].data))
        return [out]
    written = []
    for result in collection.results:
        path = out / result.folder / "results.json"
        write_json_atomic(path, gradescope_result(result.data))
        written.append(path)
    return written


def all_results(collection: Collection) -> dict[str, Any]:
    """Every result in one JSON document, with what could not be read."""
    return {"grader": __version__,
            "results": [{"folder": r.folder, **r.data} for r in collection.results],
            "problems": [{"path": p.path, "reason": p.reason} for p in collection.problems],
            "no_submission": collection.no_submission()}


def default_output(results_dir: Path, fmt: str) -> Path:
    return results_dir / EXPORT_DEFAULTS[fmt]


def export(collection: Collection, fmt: str, out: Path | None = None) -> list[Path]:
    """Write ``collection`` in format ``fmt`` (one of :data:`FORMATS`); returns the files written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = out or default_output(collection.root, fmt)
    if fmt == "gradescope":
        return write_gradescope(collection, out)
    if out.is_dir():
        raise ExportError(f"{out}: is a folder; give a file name for the {fmt} export")
    if fmt == "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(f".{out.name}.tmp")
        temporary.write_text(gradebook_csv(collection), encoding="utf-8")
        temporary.replace(out)
    else:
        write_json_atomic(out, all_results(collection))
    return [out]
