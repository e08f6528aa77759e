"""Read every ``result.json`` under a results folder, keeping the unreadable ones as problems.

Every schema from 1 to the grader's own is read (the fields the reports use are in all).
A results folder is what ``grader run --out DIR`` writes: ``DIR/<submission>/result.json``
(nested folders are read too). A file that is not JSON, not an object, of another schema,
or lacks a field the reports use is listed with the reason, never raised. A submission
folder holding the grader's other outputs (``stdout.txt``, ``stderr.txt``, ``figures/``)
but no ``result.json`` is listed as missing. A roster kept by ``grader run --roster``
(``roster.json``) is read too: :meth:`Collection.no_submission` lists its students with no
result here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.intake.roster import ROSTER_NAME, load as load_roster, no_submission
from grader.results import SCHEMA_VERSION

RESULT_NAME = "result.json"
GRADER_OUTPUTS = ("stdout.txt", "stderr.txt", "figures")


class ResultsDirError(ValueError):
    """The results folder itself cannot be used (missing, not a folder)."""


@dataclass(frozen=True)
class LoadedResult:
    folder: str  # the submission folder relative to the results folder, POSIX style ("alice")
    path: Path  # its result.json
    data: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the results folder
    reason: str


@dataclass
class Collection:
    root: Path
    results: list[LoadedResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    roster: list[dict[str, str]] = field(default_factory=list)  # DIR/roster.json's students

    def no_submission(self) -> list[dict[str, str]]:
        """The roster's students (``id``, ``name``) with no result here, in roster order."""
        ids = {str(r.data["submission"].get("student_id")) for r in self.results
               if r.data["submission"].get("student_id") is not None}
        return no_submission(self.roster, ids)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CHECK_FIELDS = {"id": str, "title": str, "status": str, "score": float, "max_score": float,
                 "visibility": str, "message": str}
_TASK_FIELDS = {"id": str, "title": str, "score": float, "max_score": float, "checks": list}
_TOP_FIELDS = {"submission": dict, "rubric": dict, "status": str, "score": float,
               "max_score": float, "tasks": list}


def _field_problem(obj: dict[str, Any], fields: dict[str, type], where: str) -> str | None:
    for key, kind in fields.items():
        if key not in obj:
            return f"{where}{key} is missing"
        value = obj[key]
        ok = _is_number(value) if kind is float else isinstance(value, kind)
        if not ok:
            expected = "a number" if kind is float else f"a {kind.__name__}"
            return f"{where}{key}: expected {expected}, got {json.dumps(value)[:40]}"
    return None


def validation_problem(data: Any) -> str | None:
    """Why ``data`` is not a result the reports can use, or ``None`` when it is."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    schema = data.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or not 1 <= schema <= SCHEMA_VERSION:
        return (f"schema {schema!r} is not supported "
                f"(this grader reads schemas 1 to {SCHEMA_VERSION})")
    problem = _field_problem(data, _TOP_FIELDS, "")
    if problem:
        return problem
    if not isinstance(data["submission"].get("name"), str):
        return "submission.name is missing"
    for t, task in enumerate(data["tasks"]):
        if not isinstance(task, dict):
            return f"tasks[{t}]: expected an object"
        problem = _field_problem(task, _TASK_FIELDS, f"tasks[{t}].")
        if problem:
            return problem
        for c, check in enumerate(task["checks"]):
            if not isinstance(check, dict):
                return f"tasks[{t}].checks[{c}]: expected an object"
            problem = _field_problem(check, _CHECK_FIELDS, f"tasks[{t}].checks[{c}].")
            if problem:
                return problem
    return None


def read_result(path: Path) -> dict[str, Any]:
    """One result.json, validated; raises ValueError with the reason (not the path)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot be read: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    problem = validation_problem(data)
    if problem:
        raise ValueError(problem)
    return data


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def collect(root: Path) -> Collection:
    """Every result under ``root``, sorted by submission folder, and what could not be read."""
    if not root.exists():
        raise ResultsDirError(f"{root}: no such folder")
    if not root.is_dir():
        raise ResultsDirError(f"{root}: not a folder (give the folder `grader run --out` wrote)")
    collection = Collection(root=root)
    found = sorted(p for p in root.rglob(RESULT_NAME) if p.is_file() and _visible(p, root))
    for path in found:
        relative = path.relative_to(root)
        folder = relative.parent.as_posix()
        try:
            collection.results.append(LoadedResult(folder=folder, path=path, data=read_result(path)))
        except ValueError as exc:
            collection.problems.append(Problem(path=relative.as_posix(), reason=str(exc)))
    with_result = {p.parent for p in found}
    for folder in sorted(p for p in root.rglob("*") if p.is_dir() and _visible(p, root)):
        if folder not in with_result and any((folder / name).exists() for name in GRADER_OUTPUTS):
            relative = (folder / RESULT_NAME).relative_to(root).as_posix()
            collection.problems.append(Problem(path=relative, reason="missing (the grader's other "
                                                                     "outputs are there)"))
    collection.roster, roster_problem = load_roster(root)
    if roster_problem:
        collection.problems.append(Problem(path=ROSTER_NAME, reason=roster_problem))
    collection.problems.sort(key=lambda p: p.path)
    return collection
