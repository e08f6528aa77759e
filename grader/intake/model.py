"""What intake hands to grading: the submissions found, with who they are, and what it could not place."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNABLE = frozenset({".ipynb", ".py"})
SKIPPED_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", ".git", "__MACOSX"})


class IntakeError(ValueError):
    """An input cannot be used at all (the message names the file and the problem)."""


@dataclass
class Found:
    """One submission to grade: a file or folder, its name, and what intake knows of its student.

    ``info`` is merged into ``result.json``'s ``submission`` object: ``student_id``,
    ``student_name`` and ``intake`` (``source`` and the source's own facts).
    """

    path: Path
    name: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def student_id(self) -> str | None:
        value = self.info.get("student_id")
        return None if value is None else str(value)


@dataclass
class Intake:
    """The submissions found under the paths given, the warnings, and who (by roster) sent nothing."""

    found: list[Found] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)  # roster rows without a submission
    temporary: list[Path] = field(default_factory=list)  # removed by close()

    def close(self) -> None:
        """Remove the temporary folders (archives extracted where no results folder was given)."""
        for folder in self.temporary:
            shutil.rmtree(folder, ignore_errors=True)
        self.temporary.clear()


def found_info(source: str, student_id: str | None, student_name: str | None = None,
               **facts: Any) -> dict[str, Any]:
    """The ``submission`` fields of one found submission (facts that are None are left out)."""
    intake = {"source": source, **{k: v for k, v in facts.items() if v is not None}}
    return {"student_id": student_id, "student_name": student_name, "intake": intake}


def is_runnable(path: Path) -> bool:
    """A notebook or script that is a regular file (never a link)."""
    return path.suffix in RUNNABLE and path.is_file() and not path.is_symlink()


def is_skipped(name: str) -> bool:
    """Folders and files the grader never looks into (hidden, caches, VCS, macOS zip litter)."""
    return name.startswith(".") or name in SKIPPED_DIRS
