"""GitHub Classroom clones and nbgrader's ``submitted/`` tree: folders whose names say whose they are.

- GitHub Classroom (``gh classroom clone student-repos``): one clone per student,
  ``<assignment prefix>-<username>/``, each with its ``.git`` (never graded). A folder holding
  ``.git`` is one submission whatever its layout. The username is what follows the prefix
  the clones side by side share (cut at its last ``-``); with a single clone, what follows
  its first ``-``.
- nbgrader: ``submitted/<student>/<assignment>/`` with ``timestamp.txt``: each assignment
  folder is a submission of that student (named ``<student>``, or
  ``<student>-<assignment>`` when the student has several).
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.intake.model import Found, found_info, is_skipped

TIMESTAMP = "timestamp.txt"


def is_repo(folder: Path) -> bool:
    """A clone: a real folder holding ``.git`` (a folder, or a file for a worktree)."""
    git = folder / ".git"
    return folder.is_dir() and not folder.is_symlink() and git.exists() and not git.is_symlink()


def usernames(names: list[str]) -> dict[str, str | None]:
    """Each clone's GitHub username, from the prefix the clones share."""
    if len(names) == 1:
        head, dash, tail = names[0].partition("-")
        return {names[0]: tail if dash and tail else None}
    common = os.path.commonprefix(names)
    prefix = common[:common.rfind("-") + 1] if "-" in common else ""
    return {n: (n[len(prefix):] or None) if prefix else None for n in names}


def clones(repos: list[Path], root: Path) -> list[Found]:
    """One submission per clone, named by its username where known."""
    users = usernames([r.name for r in repos])
    found = []
    for repo in repos:
        user = users[repo.name]
        found.append(Found(repo, user or repo.name, found_info(
            "github-classroom", user or repo.name, None, github_username=user,
            repository=repo.name, path=_relative(repo, root))))
    return found


def assignments(student: Path) -> list[Path]:
    """The nbgrader assignment folders of a student folder (those holding ``timestamp.txt``)."""
    if student.is_symlink() or not student.is_dir():
        return []
    return sorted(c for c in student.iterdir() if not is_skipped(c.name) and c.is_dir()
                  and not c.is_symlink() and (c / TIMESTAMP).is_file()
                  and not (c / TIMESTAMP).is_symlink())


def _timestamp(folder: Path) -> str | None:
    try:
        with open(folder / TIMESTAMP, encoding="utf-8", errors="replace") as handle:
            return handle.read(200).strip().splitlines()[0][:100] or None
    except (OSError, IndexError):
        return None


def nbgrader_student(student: Path, root: Path) -> tuple[list[Found], list[str]]:
    """The submissions of one nbgrader student folder, and what else it holds (warnings)."""
    folders = assignments(student)
    found = [Found(a, student.name if len(folders) == 1 else f"{student.name}-{a.name}",
                   found_info("nbgrader", student.name, None, nbgrader_student=student.name,
                              assignment=a.name, timestamp=_timestamp(a),
                              path=_relative(a, root)))
             for a in folders]
    others = [f"{c}: beside nbgrader's assignment folders (no {TIMESTAMP}); not graded"
              for c in sorted(student.iterdir()) if not is_skipped(c.name) and c not in folders]
    return found, others


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name
