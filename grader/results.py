"""Result dataclasses and ``result.json``: the one file format the grader writes per submission.

``result.json`` carries ``schema`` (see :data:`SCHEMA_VERSION` and the README's changelog).
It is written atomically (temporary file, then rename), so a killed grader never leaves
half a file. Everything except ``timing`` is deterministic for a given submission,
rubric and grader version.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 3
# 1: first version.
# 2: ``plots`` (loss curves and decision-boundary grids for report.html), ``rubric.public_only``,
#    ``details.trials`` of the armijo_step check.
# 3: ``tasks[].attempted`` and ``tasks[].not_attempted`` (a task with nothing found for it).
#    ``cells[].hint``: why a failed cell cannot run here, in words (Python 2 code, a missing
#    module or data file), or null (grader.cell_problems). Added later, additively:
#    ``rubric.secret`` and ``rubric.secret_id`` (grader.secret), ``timing.submission_seconds``.


@dataclass
class CheckResult:
    id: str
    title: str
    kind: str
    status: str
    score: float
    max_score: float
    visibility: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskResult:
    id: str
    title: str
    score: float
    max_score: float
    checks: list[CheckResult]
    group: str | None = None
    counted: bool = True
    optional: bool = False
    attempted: bool = True  # False: nothing was found for any of its checks (see grading.attempt)
    not_attempted: str = ""  # then the one-line reason, from the rubric's ``nothing_found``


@dataclass
class GradeResult:
    submission: dict[str, Any]
    rubric: dict[str, Any]
    status: str  # "graded" | "error"
    score: float
    max_score: float
    tasks: list[TaskResult]
    cells: list[dict[str, Any]]
    run: dict[str, Any]
    targets: dict[str, str]
    figures: list[dict[str, Any]]
    environment: dict[str, Any]
    timing: dict[str, Any]
    error: str | None = None
    plots: dict[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema": data.pop("schema"), **data}

    def public_checks(self) -> list[tuple[TaskResult, CheckResult]]:
        return [(t, c) for t in self.tasks for c in t.checks if c.visibility == "public"]


_SCALAR = r"(?:-?\d[\d.eE+-]*|null|true|false)"
_SCALAR_LIST = re.compile(rf"\[\n\s*({_SCALAR}(?:,\n\s*{_SCALAR})*)\n\s*\]")


def _finite(value: Any) -> Any:
    """The data with every NaN or infinite number as null (JSON has no such numbers; a verdict
    detail computed from a diverged training must not cost the whole result)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(data: Any) -> str:
    """Indented JSON with each list of plain numbers on one line (plot grids stay compact).

    A ``[`` that ends a line is always JSON structure (strings cannot hold a raw newline),
    so the rewrite never touches text inside strings.
    """
    text = json.dumps(_finite(data), indent=2, sort_keys=False, allow_nan=False)
    return _SCALAR_LIST.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON next to its final place, then rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         prefix=f".{path.name}.", suffix=".tmp")
    try:
        with handle:
            handle.write(dumps(data))
            handle.write("\n")
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_result(result: GradeResult, directory: Path) -> Path:
    path = directory / "result.json"
    write_json_atomic(path, result.to_dict())
    return path
