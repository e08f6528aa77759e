"""Did the student's notebook cells run?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.checks._format import clip_text, listing
from grader.verdict import Verdict, failed, passed, skipped

CELL_STATUSES = ("ok", "error", "skipped")
_MAX_LISTED = 5


def _describe(cell: dict[str, Any]) -> str:
    where = cell.get("where") or f"cell {int(cell['index'])}"
    if cell.get("line") is not None:
        where += f" (line {int(cell['line'])})"
    reason = clip_text(cell.get("error") or "an error was raised")
    hint = f" — {cell['hint']}" if cell.get("hint") else ""
    return f"{where}: {reason}{hint}"


def check_cells_ran(cells: Sequence[dict[str, Any]]) -> Verdict:
    """Passed if every code cell ran; ``fraction`` is the share of counted cells that ran.

    Each cell is ``{"index": int (1-based), "status": "ok"|"error"|"skipped",
    "error": str | None, "line": int | None}`` with an optional ``"where"`` label used
    instead of "cell N" (e.g. "line 12 of train.py") and an optional ``"hint"``: a sentence
    on why the cell cannot run here (:mod:`grader.cell_problems`), added after its error.
    Skipped cells (e.g. shell escapes) are not failures and do not count towards the
    fraction; they are listed in the details.
    If no cell could be counted the verdict is skipped.
    """
    for cell in cells:
        if cell.get("status") not in CELL_STATUSES:
            raise ValueError(f"cell {cell.get('index')}: unknown status {cell.get('status')!r}")
    ran = [c for c in cells if c["status"] == "ok"]
    broken = sorted((c for c in cells if c["status"] == "error"), key=lambda c: int(c["index"]))
    skipped_idx = [int(c["index"]) for c in cells if c["status"] == "skipped"]
    counted = len(ran) + len(broken)
    details: dict[str, Any] = {
        "n_cells": len(cells),
        "n_ok": len(ran),
        "n_error": len(broken),
        "skipped_cells": skipped_idx,
        "failed_cells": [
            {
                "index": int(c["index"]),
                "error": clip_text(c.get("error") or ""),
                "line": None if c.get("line") is None else int(c["line"]),
                "hint": c.get("hint") or None,
            }
            for c in broken
        ],
    }
    skip_note = ""
    if skipped_idx:
        skip_note = f" Not run (not Python code): cell{'s' if len(skipped_idx) > 1 else ''} " + listing(
            (str(i) for i in skipped_idx), limit=_MAX_LISTED
        ) + "."
    if counted == 0:
        return skipped("The notebook has no code cells that could be run." + skip_note, **details)
    if not broken:
        return passed(f"All {counted} code cells ran without errors.{skip_note}", **details)
    first = broken[0]
    summary = (
        f"{len(broken)} of {counted} code cells raised an error: "
        + listing((_describe(c) for c in broken), limit=_MAX_LISTED, sep="; ")
        + "."
    )
    hint = ""
    if len(broken) > 1:
        hint = (
            f" Fix cell {int(first['index'])} first: later errors are often consequences of it."
        )
    return failed(summary + hint + skip_note, fraction=len(ran) / counted, **details)
