"""Moodle "Download all submissions": a zip (or the folder it was unpacked into).

With "download as folders" (the default): ``<Full Name>_<participant id>_assignsubmission_file/``
(Moodle 3.x adds a trailing ``_``) holding the student's files and folders; the flat form
is ``<Full Name>_<participant id>_assignsubmission_file_<file>``. Names may hold spaces and
accents; blind marking writes ``Participant`` for every name (the submission is then
``Participant <id>``, as Moodle's grading worksheet names it). Other plugins
(``assignsubmission_onlinetext``, ``..._comments``) are not code: noted and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from grader.intake.model import found_info

_FOLDER = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
_FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
BLIND = "Participant"


@dataclass
class Student:
    key: str
    participant_id: str
    full_name: str
    files: dict[str, str] = field(default_factory=dict)  # placed path -> source path
    not_graded: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        blind = self.full_name == BLIND
        return found_info("moodle", self.participant_id, None if blind else self.full_name,
                          participant_id=self.participant_id, blind=blind,
                          not_graded=self.not_graded or None)


def parse(name: str) -> tuple[str, str, str, str] | None:
    """``(full name, participant id, plugin, path inside the student's files)`` of an entry."""
    first, slash, rest = name.partition("/")
    if slash:
        match = _FOLDER.match(first)
        return None if match is None or not rest else (match["name"], match["id"], match["plugin"], rest)
    match = _FLAT.match(name)
    return None if match is None else (match["name"], match["id"], match["plugin"], match["file"])


def looks_like(names: list[str]) -> bool:
    """Whether a download's entries (relative paths) are Moodle's: most parse."""
    names = [n for n in names if not n.startswith((".", "__MACOSX/"))]
    return bool(names) and sum(parse(n) is not None for n in names) * 2 > len(names)


def plan(names: list[str]) -> tuple[list[Student], list[str]]:
    """Group a Moodle download's entries by participant; the students and the warnings."""
    students: dict[str, Student] = {}
    warnings: list[str] = []
    for name in sorted(names):
        parsed = parse(name)
        if parsed is None:
            if not name.startswith((".", "__MACOSX/")):
                warnings.append(f"{name}: not named as Moodle names a submission's file; not graded")
            continue
        full, pid, plugin, inner = parsed
        student = students.setdefault(pid, Student(full, pid, full))
        if plugin != "file":
            student.not_graded.append(f"{name}: the {plugin} plugin's entry, not a file; not graded")
            continue
        student.files[inner] = name
    counts: dict[str, int] = {}
    for student in students.values():
        counts[student.full_name] = counts.get(student.full_name, 0) + 1
    for student in students.values():
        if student.full_name == BLIND or counts[student.full_name] > 1:
            student.key = f"{student.full_name} {student.participant_id}"
    return list(students.values()), warnings
