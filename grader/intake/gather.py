"""From the paths given to ``grader run`` to the submissions to grade (see :mod:`grader.intake`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.intake import archives, canvas, folders, moodle, roster, stage
from grader.intake.model import Found, Intake, found_info, is_skipped


def gather(paths: list[Path], out: Path | None, roster_file: Path | None = None) -> Intake:
    """The submissions under ``paths``, what could not be placed, and (with a roster) who is missing.

    Raises :class:`~grader.intake.roster.RosterError` for a roster that cannot be read;
    everything else that goes wrong is a warning, and the rest is still found.
    """
    students = roster.read(roster_file) if roster_file is not None else None
    intake = Intake()
    for path in paths:
        path = Path(path)
        try:
            _one(path, out, intake)
        except archives.ArchiveError as exc:
            intake.warnings.append(f"{exc}; nothing in it was graded")
        except OSError as exc:
            intake.warnings.append(f"{path}: cannot be read ({exc.strerror or exc}); not graded")
    if students is not None and roster_file is not None:
        intake.missing, notes = roster.apply(students, intake.found, roster_file)
        intake.warnings.extend(notes)
        if out is not None:
            roster.save(out, students, roster_file)
    return intake


def _one(path: Path, out: Path | None, intake: Intake) -> None:
    if path.is_symlink() or not path.exists():  # refused by loading, with the link's target
        intake.found.append(Found(path, path.stem if path.is_file() else path.name,
                                  found_info("link" if path.is_symlink() else "path", None)))
    elif path.is_file() and path.suffix.lower() == ".zip":
        _archive(path, out, intake)
    elif path.is_dir():
        links: list[str] = []
        names = _listing(path, links)
        flat = [n for n in names if "/" not in n]
        if flat and canvas.looks_like(flat) and not folders.holds_code_below(path):
            intake.warnings.extend(links)
            _rearranged(path, names, out, intake, "canvas")
        elif moodle.looks_like(names):
            intake.warnings.extend(links)
            _rearranged(path, names, out, intake, "moodle")
        else:
            folders.discover(path, intake.found, intake.warnings)
    else:
        name = path.stem
        intake.found.append(Found(path, name, found_info("file", name)))


def _listing(folder: Path, warnings: list[str], limit: int = 100_000) -> list[str]:
    """Relative POSIX paths of the regular files under ``folder`` (links reported, not followed)."""
    names: list[str] = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        base = Path(current)
        for d in list(dirs):
            if (base / d).is_symlink():
                warnings.append(f"{base / d}: a symbolic link, not followed; not graded")
        dirs[:] = sorted(d for d in dirs if not is_skipped(d) and not (base / d).is_symlink())
        for f in sorted(files):
            if (base / f).is_symlink():
                warnings.append(f"{base / f}: a symbolic link, not followed; not graded")
            elif not f.startswith(".") and (base / f).is_file():
                names.append((base / f).relative_to(folder).as_posix())
        if len(names) > limit:
            raise archives.ArchiveError(f"{folder}: refused: more than {limit} files")
    return names


def _plan(names: list[str], kind: str) -> tuple[list[canvas.Student] | list[moodle.Student], list[str]]:
    return canvas.plan(names) if kind == "canvas" else moodle.plan(names)


def _add_students(root: Path, students: list, source: Path, intake: Intake) -> None:  # type: ignore[type-arg]
    for student in students:
        folder = root / student.key
        info = student.info()
        info["intake"]["download"] = source.name
        if not folder.is_dir():
            intake.warnings.append(f"{source}: {student.key}: no folder could be made for this "
                                   "student; not graded")
            continue
        intake.found.append(Found(folder, student.key, info))


def _rearranged(folder: Path, names: list[str], out: Path | None, intake: Intake, kind: str) -> None:
    """An unpacked Canvas or Moodle download: each student's files copied into their own folder."""
    students, warnings = _plan(names, kind)
    intake.warnings.extend(f"{folder}/{w}" for w in warnings)

    def fill(work: Path) -> None:
        for student in students:
            (work / student.key).mkdir(parents=True, exist_ok=True)
            for placed, source in student.files.items():
                target = work / student.key / placed
                if archives.safe_name(f"{student.key}/{placed}") is None:
                    intake.warnings.append(f"{folder / source}: unsafe name; not graded")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / source, target, follow_symlinks=False)

    root = stage.build(out, f"{kind}-{folder.name}", stage.folder_key(folder), fill, reuse=False,
                       temporary=intake.temporary)
    _add_students(root, students, folder, intake)


def _archive(path: Path, out: Path | None, intake: Intake) -> None:
    """A zip: a Canvas or Moodle download (rearranged per student), else unpacked as it is
    (into a folder named after it) and discovered as a folder."""
    entries, problems = archives.list_entries(path)
    intake.warnings.extend(problems)
    names = [e.name for e in entries]
    by_name = {e.name: e for e in entries}
    flat = [n for n in names if "/" not in n]
    kind = "canvas" if flat and canvas.looks_like(flat) and len(flat) * 2 > len(names) else \
        "moodle" if moodle.looks_like(names) else "zip"
    students: list = []  # type: ignore[type-arg]
    if kind == "zip":
        top = archives.safe_name(path.stem) or "archive"
        plan = [(e, f"{top}/{e.name}") for e in entries]
    else:
        students, warnings = _plan(names, kind)
        intake.warnings.extend(f"{path}: {w}" for w in warnings)
        plan = [(by_name[source], f"{s.key}/{placed}") for s in students
                for placed, source in s.files.items()]
    unpack_problems: list[str] = []

    def fill(work: Path) -> None:
        for student in students:  # one who sent no file (a text entry) is listed too
            (work / student.key).mkdir(parents=True, exist_ok=True)
        unpack_problems.extend(archives.extract(path, plan, work))

    root = stage.build(out, path.stem, stage.archive_key(path), fill, reuse=True,
                       temporary=intake.temporary)
    intake.warnings.extend(unpack_problems)
    if kind == "zip":
        folders.discover(root / (archives.safe_name(path.stem) or "archive"), intake.found,
                         intake.warnings)
    else:
        _add_students(root, students, path, intake)
