"""``batch.json``: what each ``grader run --out DIR`` did, appended to ``DIR/batch.json``.

result.json carries no wall-clock time (it stays deterministic), so the class report takes
"when" and "how long" of the grading runs from here: one entry per run with ``started``,
``finished`` (UTC, ISO 8601), ``seconds``, ``submissions``, ``rubric`` and ``grader``.
The file is optional: the class report falls back on the results' file times.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader import __version__
from grader.report.outputs import BATCH_NAME
from grader.results import write_json_atomic


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def read_batch(out: Path) -> dict[str, Any] | None:
    """The batch file of a results folder, or ``None`` when absent or unreadable."""
    try:
        data = json.loads((out / BATCH_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        return None
    data["runs"] = [r for r in data["runs"] if isinstance(r, dict)]
    return data


def record_run(out: Path, started: datetime, finished: datetime, submissions: list[str],
               rubric_id: str, rubric_version: str) -> Path:
    """Append this run to ``out/batch.json`` (written atomically)."""
    batch = read_batch(out) or {"runs": []}
    batch["runs"].append({
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 1),
        "submissions": submissions, "rubric": {"id": rubric_id, "version": rubric_version},
        "grader": __version__,
    })
    path = out / BATCH_NAME
    write_json_atomic(path, batch)
    return path
