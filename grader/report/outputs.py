"""The grader's own names at the top of a results folder, kept apart from submissions' folders.

``grader run --out DIR`` writes ``DIR/<submission>/`` for each submission beside its own
files (``batch.json``, ``roster.json``; ``grader report`` and ``grader export`` add ``class.html``,
``gradebook.csv``, ``gradescope/`` and ``all-results.json``). A submission whose name is one
of these (compared case-insensitively, for file systems that ignore case) or starts with a
dot (hidden from the reports, and the prefix of the grader's temporary files) is stored
under ``DIR/submission-<name>/`` instead, so no student can take the place of a grader file.
"""

from __future__ import annotations

BATCH_NAME = "batch.json"
CLASS_PAGE = "class.html"
ROSTER_NAME = "roster.json"  # written by ``grader run --roster`` (grader.intake.roster)
EXPORT_DEFAULTS = {"csv": "gradebook.csv", "gradescope": "gradescope", "json": "all-results.json"}
GRADER_NAMES = frozenset({BATCH_NAME, CLASS_PAGE, ROSTER_NAME, *EXPORT_DEFAULTS.values()})
SUBMISSION_PREFIX = "submission-"

_FOLDED = frozenset(name.casefold() for name in GRADER_NAMES)


def is_grader_name(name: str) -> bool:
    """Whether a submission folder called ``name`` would collide with a grader output."""
    return name.casefold() in _FOLDED or name.startswith(".") or not name


def submission_folder(name: str, used: set[str]) -> str:
    """The results folder name for submission ``name``: clear of grader outputs and of ``used``.

    ``used`` (the names already given in this batch) gets the new name added; a repeated
    name gets ``-2``, ``-3``... appended.
    """
    base = f"{SUBMISSION_PREFIX}{name}" if is_grader_name(name) else name
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}-{number}", number + 1
    used.add(candidate)
    return candidate
