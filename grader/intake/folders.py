"""The discovery rule: which folders under a class folder are submissions.

Code is a notebook (``.ipynb``) or script (``.py``) that is a regular file, outside hidden
folders, ``__pycache__``, ``.ipynb_checkpoints``, ``__MACOSX`` and ``.git``; a Python
package (a folder holding ``__init__.py``) counts as its parent's own code. A folder's
*branches* are its sub-folders that hold code at any depth. Links are never followed.

1. A folder is **one submission** when it is a clone (holds ``.git``), or it holds code of
   its own and at most one branch, or (below the folder given) it holds no code of its own
   and exactly one branch (``student/assignment/``, as nbgrader's ``submitted/`` has it).
2. Otherwise it is a **group** (a class, a section): two or more branches, or a clone or an
   nbgrader student folder among its sub-folders, or it is the folder given with one
   branch, or the folder given holding only folders and no code at all. Each sub-folder of a group is examined by the same rule; if one of them is a
   group (a section), a sibling that would be a one-branch submission is a group too
   (siblings are alike: ``section/student/``).
3. In a group: a sub-folder holding files but no code is a submission too (its result says
   it holds no notebook, so the student is listed); an empty folder, a file (loose files
   beside the student folders, code included: a group's own code is never put into a
   student's submission) and a link are reported and not graded — a link that would pass
   for a submission (to a folder, a notebook or script, or dangling) gets an error result
   naming its target.

So two students are never merged: a folder with two or more folders of code is never one
submission (unless it is a clone).
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.intake import classroom
from grader.intake.model import RUNNABLE, Found, found_info, is_runnable, is_skipped

SUBMISSION, CHAIN, GROUP, NO_CODE, EMPTY = "submission", "chain", "group", "no code", "empty"


def _is_package(folder: Path) -> bool:
    init = folder / "__init__.py"
    return init.is_file() and not init.is_symlink()


def holds_code(folder: Path) -> bool:
    """Whether a real folder holds code at any depth (links are not followed)."""
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not is_skipped(d)]
        if any(Path(f).suffix in RUNNABLE and is_runnable(Path(current, f)) for f in files
               if not f.startswith(".")):
            return True
    return False


def holds_code_below(folder: Path) -> bool:
    """Whether a sub-folder of ``folder`` holds code."""
    return any(holds_code(c) for c in _subfolders(folder))


def _has_files(folder: Path) -> bool:
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not is_skipped(d)]
        if any(not f.startswith(".") for f in files):
            return True
    return False


def _subfolders(folder: Path) -> list[Path]:
    return sorted(c for c in folder.iterdir()
                  if not is_skipped(c.name) and c.is_dir() and not c.is_symlink())


def kind(folder: Path, top: bool) -> str:
    """What the rule makes of a real folder: SUBMISSION, CHAIN (one by its single branch),
    GROUP, NO_CODE (files but no code) or EMPTY."""
    if classroom.is_repo(folder):
        return SUBMISSION
    children = _subfolders(folder)
    if any(classroom.is_repo(c) or classroom.assignments(c) for c in children):
        return GROUP
    own = any(is_runnable(c) for c in folder.iterdir() if not c.name.startswith(".")) or \
        any(_is_package(c) for c in children)
    branches = sum(1 for c in children if not _is_package(c) and holds_code(c))
    if branches >= 2 or (branches == 1 and not own and top):
        return GROUP
    if own:
        return SUBMISSION
    if branches == 1:
        return CHAIN
    if top and children and not any(c.is_file() for c in folder.iterdir()
                                    if not c.name.startswith(".")):
        return GROUP  # only folders, none with code: each is a student who sent no code
    return NO_CODE if _has_files(folder) else EMPTY


def _looks_like_member(path: Path) -> bool:
    """A link that would pass for a student's entry: to a folder, a notebook or script, or dangling."""
    return path.is_dir() or path.suffix in RUNNABLE or not path.exists()


def discover(top: Path, found: list[Found], warnings: list[str]) -> None:
    """Add the submissions under the real folder ``top`` (see the module's rule)."""
    what = kind(top, top=True)
    if what != GROUP:
        found.append(Found(top, top.name, found_info("folder", top.name)))
        return
    start = len(found)
    _group(top, top, found, warnings)
    found[start:] = sorted(found[start:], key=lambda f: f.path.parts)


def _group(folder: Path, top: Path, found: list[Found], warnings: list[str]) -> None:
    kinds: dict[Path, str] = {}
    repos: list[Path] = []
    for child in sorted(folder.iterdir()):
        if is_skipped(child.name):
            continue
        if child.is_symlink():
            target = os.readlink(child)
            if _looks_like_member(child):
                found.append(Found(child, child.stem if child.suffix in RUNNABLE else child.name,
                                   found_info("link", None, path=_rel(child, top))))
                warnings.append(f"{child}: a symbolic link (to {target}), not followed; its "
                                "result says so")
            else:
                warnings.append(f"{child}: a symbolic link (to {target}), not followed; not graded")
        elif child.is_file():
            what = "code" if child.suffix in RUNNABLE else "a file"
            warnings.append(f"{child}: {what} beside the student folders, part of no student's "
                            "submission; not graded")
        elif not child.is_dir():
            warnings.append(f"{child}: not a regular file or folder; not graded")
        elif classroom.is_repo(child):
            repos.append(child)
        elif classroom.assignments(child):
            more, notes = classroom.nbgrader_student(child, top)
            found.extend(more)
            warnings.extend(notes)
        else:
            kinds[child] = kind(child, top=False)
    found.extend(classroom.clones(repos, top))
    sections = GROUP in kinds.values()
    for child, what in kinds.items():
        if what == GROUP or (what == CHAIN and sections):
            _group(child, top, found, warnings)
        elif what == EMPTY:
            warnings.append(f"{child}: an empty folder; not graded")
        else:
            section = _rel(folder, top) if folder != top else None
            found.append(Found(child, child.name, found_info(
                "folder", child.name, path=_rel(child, top), section=section)))


def _rel(path: Path, top: Path) -> str:
    return path.relative_to(top).as_posix()
