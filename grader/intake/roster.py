"""A class roster (CSV): student ids to names, and who sent no submission.

Columns are matched by header, case and spaces ignored. The id is the first column found
of ``github_username`` (a GitHub Classroom roster), ``ID`` (Canvas's gradebook export: the
user id its downloads carry), ``student_id``, ``Identifier`` (Moodle's grading worksheet:
``Participant 123`` reads as ``123``, the participant id its downloads carry), ``id``,
``username``. The name is the first of ``name``, ``Full name`` (Moodle), ``Student``
(Canvas), ``First name`` + ``Last name`` (Moodle's participants, nbgrader's
``first_name``/``last_name``), else the id. Canvas's "Points Possible" row and rows
without an id are skipped. UTF-8 (with or without a BOM); commas, semicolons or tabs.

``grader run --roster`` keeps the roster as ``DIR/roster.json``; the class page and the
exports list each of its students with no result there as "no submission".
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from grader.intake.model import IntakeError

ROSTER_NAME = "roster.json"
ID_COLUMNS = ("github_username", "id", "student_id", "identifier", "username")
NAME_COLUMNS = ("name", "full name", "fullname", "student", "student name")
FIRST, LAST = ("first name", "firstname", "first_name"), ("last name", "lastname", "last_name",
                                                          "surname")
_PARTICIPANT = re.compile(r"^\s*participant\s+(\d+)\s*$", re.IGNORECASE)
MAX_BYTES = 8 * 1024**2


class RosterError(IntakeError):
    """The roster cannot be read (the message names the file and the problem)."""


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def _pick(headers: dict[str, int], names: tuple[str, ...]) -> int | None:
    for name in names:
        for key in (name, name.replace(" ", "_")):
            if key in headers:
                return headers[key]
    return None


def read(path: Path) -> list[dict[str, str]]:
    """The roster's students, ``{"id", "name"}`` each, in file order."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise RosterError(f"{path}: larger than {MAX_BYTES // 1024**2} MiB; not a roster")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise RosterError(f"{path}: empty; expected a header row with an id column")
    headers = {_key(h): i for i, h in reversed(list(enumerate(rows[0])))}
    id_col = _pick(headers, ID_COLUMNS)
    if id_col is None:
        raise RosterError(f"{path}: no id column; expected one of: github_username, ID, "
                          f"student_id, Identifier, id, username (found: {', '.join(rows[0])[:200]})")
    name_col = _pick(headers, NAME_COLUMNS)
    first_col, last_col = _pick(headers, FIRST), _pick(headers, LAST)
    students: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in rows[1:]:
        cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        ident = cell(id_col)
        participant = _PARTICIPANT.match(ident)
        ident = participant.group(1) if participant else ident
        name = cell(name_col) or " ".join(p for p in (cell(first_col), cell(last_col)) if p)
        if not ident or name.lower() == "points possible" or ident in seen:
            continue
        seen.add(ident)
        students.append({"id": ident, "name": name or ident})
    return students


def apply(students: list[dict[str, str]], found: list[Any], source: Path
          ) -> tuple[list[dict[str, str]], list[str]]:
    """Name each found submission whose id is on the roster; returns the roster's students
    with no submission and the warnings (submissions not on the roster)."""
    names = {s["id"]: s["name"] for s in students}
    matched: set[str] = set()
    warnings: list[str] = []
    for item in found:
        sid = item.student_id
        if sid is not None and sid in names:
            item.info["student_name"] = names[sid]
            matched.add(sid)
        elif sid is not None:
            warnings.append(f"{item.path}: student id {sid} is not on the roster {source}")
    if found and not matched:
        warnings.append(f"{source}: no submission's id is on this roster (ids such as "
                        f"{found[0].student_id!r}); its students are not listed as missing")
        return [], warnings
    return [s for s in students if s["id"] not in matched], warnings


def save(out: Path, students: list[dict[str, str]], source: Path) -> None:
    """Keep the roster beside the results (``DIR/roster.json``) for the class page and exports."""
    from grader.results import write_json_atomic  # noqa: PLC0415

    write_json_atomic(out / ROSTER_NAME, {"roster": str(source), "students": students})


def load(results_dir: Path) -> tuple[list[dict[str, str]], str | None]:
    """The saved roster's students and, when it cannot be used, why (never raised)."""
    path = results_dir / ROSTER_NAME
    if not path.is_file():
        return [], None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        students = [{"id": str(s["id"]), "name": str(s.get("name") or s["id"])}
                    for s in data["students"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [], f"cannot be read: {exc}"
    return students, None


def no_submission(students: list[dict[str, str]], ids: set[str]) -> list[dict[str, str]]:
    """The roster's students whose id is not among the results' ``ids``."""
    return [s for s in students if s["id"] not in ids]
