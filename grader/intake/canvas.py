"""Canvas "Download Submissions": one flat zip (or the folder it was unpacked into).

Each entry is ``<sortable name>[_LATE]_<user id>_<attachment id>_<file>`` (the sortable
name lowercased, non-word characters removed); anonymous grading writes
``[LATE_]anon_<anonymous id>_<attachment id>_<file>`` (with or without a name before it).
Text and URL submissions are ``<prefix>_text.html`` and ``<prefix>_link.html``: not code,
noted and left out. A student's files share the prefix and form one submission, each under
its own file name. A file Canvas renamed on resubmission (``lab-1.ipynb``, ``lab-2.ipynb``)
counts in its latest version (the highest ``-N``; none is 0), under its first name
(``lab.ipynb``); the earlier versions are not graded and the result says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from grader.intake.model import found_info

_NAMED = re.compile(r"^(?P<name>\w+?)(?P<late>_LATE)?_(?P<sid>\d+)_(?P<rest>.+)$")
_ANON = re.compile(r"^(?:(?P<name>\w+?)(?P<late0>_LATE)?_)??(?P<late1>LATE_)?anon_(?P<anon>[A-Za-z0-9]+)"
                   r"_(?P<rest>.+)$")
_ATTACHMENT = re.compile(r"^(?P<aid>\d+)_(?P<file>.+)$")
_TEXT = frozenset({"text.html", "link.html"})
_VERSION = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)$")


@dataclass(frozen=True)
class Entry:
    student_id: str  # the user id, or "anon_<id>"
    sortable: str  # the lowercased sortable name ("" when anonymous)
    late: bool
    attachment: str | None  # None for a text or URL entry
    file: str  # the file's name as submitted ("text.html" / "link.html" for those entries)


def _entry(sid: str, sortable: str, late: bool, rest: str) -> Entry | None:
    if rest in _TEXT:
        return Entry(sid, sortable, late, None, rest)
    attachment = _ATTACHMENT.match(rest)
    if attachment is None:
        return None
    return Entry(sid, sortable, late, attachment["aid"], attachment["file"])


def _anonymous(name: str) -> Entry | None:
    match = _ANON.match(name)
    if match is None:
        return None
    late = bool(match["late0"] or match["late1"])
    return _entry(f"anon_{match['anon']}", match["name"] or "", late, match["rest"])


def parse(name: str) -> Entry | None:
    """The parts of a Canvas entry's name, or None when it is not one."""
    if "/" in name:
        return None
    if name.startswith(("anon_", "LATE_anon_")):
        return _anonymous(name)
    named = _NAMED.match(name)
    entry = None if named is None else _entry(named["sid"], named["name"], bool(named["late"]),
                                               named["rest"])
    if entry is not None and "anon_" in entry.sortable:  # "<name>_anon_<id>_...": anonymous
        return _anonymous(name) or entry
    return entry or _anonymous(name)


def looks_like(names: list[str]) -> bool:
    """Whether a flat list of file names is a Canvas download (most of them parse)."""
    flat = [n for n in names if "/" not in n and not n.startswith(".")]
    parsed = sum(parse(n) is not None for n in flat)
    return bool(flat) and parsed * 2 > len(flat)


def version(file: str) -> tuple[str, int]:
    """``lab-2.ipynb`` -> (``lab.ipynb``, 2); ``lab.ipynb`` -> (``lab.ipynb``, 0)."""
    stem, dot, suffix = file.rpartition(".")
    if not dot:
        stem, suffix = file, ""
    match = _VERSION.match(stem)
    if match is None:
        return file, 0
    return match["stem"] + (f".{suffix}" if dot else ""), int(match["n"])


@dataclass
class Student:
    key: str  # the folder name its files are placed in
    student_id: str
    sortable: str
    late: bool = False
    files: dict[str, str] = field(default_factory=dict)  # placed name -> entry name
    not_graded: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        anonymous = self.student_id.startswith("anon_")
        return found_info("canvas", self.student_id, None, late=self.late, anonymous=anonymous,
                          sortable_name=self.sortable or None,
                          not_graded=self.not_graded or None)


def plan(names: list[str]) -> tuple[list[Student], list[str]]:
    """Group a Canvas download's entries by student; returns the students and the entries
    that are not a student's file (warnings)."""
    students: dict[str, Student] = {}
    versions: dict[tuple[str, str], list[tuple[int, str]]] = {}  # (student, placed) -> versions
    warnings: list[str] = []
    for name in sorted(names):
        entry = parse(name)
        if entry is None:
            if not name.startswith((".", "__MACOSX/")):
                warnings.append(f"{name}: not named as Canvas names a submission's file; not graded")
            continue
        student = students.get(entry.student_id)
        if student is None:
            key = entry.sortable or entry.student_id
            student = students[entry.student_id] = Student(key, entry.student_id, entry.sortable)
        student.late |= entry.late
        if entry.attachment is None:
            student.not_graded.append(f"{name}: a {entry.file[:4]} entry, not code; not graded")
            continue
        placed, number = version(entry.file)
        versions.setdefault((entry.student_id, placed), []).append((number, name))
    for (sid, placed), found in versions.items():
        found.sort()
        latest = found[-1][1]
        students[sid].files[placed] = latest
        students[sid].not_graded.extend(f"{name}: an earlier version of {placed} ({latest} "
                                        "counts); not graded" for _, name in found[:-1])
    keys: set[str] = set()
    for student in students.values():  # two students with one sortable name: add the id
        if student.key in keys:
            student.key = f"{student.key}_{student.student_id}"
        keys.add(student.key)
        student.not_graded.sort()
    return list(students.values()), warnings
