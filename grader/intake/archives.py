"""Reading a ``.zip`` safely: every entry checked before anything is written.

An archive is refused as a whole (:class:`ArchiveError`, naming the zip and the problem)
when it is not a readable zip, has more than :data:`LIMITS.entries` entries, would unpack
to more than :data:`LIMITS.total` bytes (or more than the disk has free), or holds an entry
compressed more than :data:`LIMITS.ratio` times (a zip bomb), checked on the sizes the
archive declares; :mod:`zipfile` then never reads past a declared size (it checks the
CRC), and the bytes written are counted again. A single bad entry is left out with a
reason and the rest is kept: a path outside the target (``../../evil.py``), an absolute
path or drive, a symbolic link or other special file, an encrypted entry, a duplicate.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    entries: int = 20_000
    total: int = 2 * 1024**3  # bytes unpacked, the whole archive
    entry: int = 512 * 1024**2  # bytes unpacked, one entry
    ratio: float = 200.0  # unpacked / compressed, for entries over ratio_floor bytes
    ratio_floor: int = 1024**2


LIMITS = ZipLimits()


class ArchiveError(ValueError):
    """The archive is refused as a whole; the message names it and says why."""


@dataclass(frozen=True)
class Entry:
    name: str  # the safe relative POSIX path inside the archive
    info: zipfile.ZipInfo


def _decoded(info: zipfile.ZipInfo) -> str:
    """The entry's name: UTF-8 when the archive did not say so (as most zippers write it)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def safe_name(raw: str) -> str | None:
    """The entry's path if it stays inside the target, else None (absolute, drive, ``..``, NUL)."""
    text = raw.replace("\\", "/")
    if "\x00" in text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _entry_problem(info: zipfile.ZipInfo, name: str | None) -> str | None:
    if name is None:
        return "its path leads outside the folder it is unpacked into (absolute or '..')"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link; links are never followed"
    if mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file"
    if info.flag_bits & 0x1:
        return "encrypted"
    return None


def list_entries(archive: Path, limits: ZipLimits | None = None) -> tuple[list[Entry], list[str]]:
    """The archive's files that may be unpacked, and why each other entry was left out.

    Raises :class:`ArchiveError` when the archive itself is refused.
    """
    limits = limits or LIMITS
    try:
        with zipfile.ZipFile(archive) as handle:
            infos = handle.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(f"{archive}: not a readable zip archive ({exc})") from None
    if len(infos) > limits.entries:
        raise ArchiveError(f"{archive}: refused: {len(infos)} entries, more than the limit of "
                           f"{limits.entries}")
    total = sum(i.file_size for i in infos)
    if total > limits.total:
        raise ArchiveError(f"{archive}: refused: it would unpack to {total / 1024**2:.0f} MiB, "
                           f"more than the limit of {limits.total / 1024**2:.0f} MiB")
    for info in infos:
        if info.file_size > limits.entry:
            raise ArchiveError(f"{archive}: refused: {info.filename!r} would unpack to "
                               f"{info.file_size / 1024**2:.0f} MiB, more than the limit of "
                               f"{limits.entry / 1024**2:.0f} MiB per file")
        if info.file_size > limits.ratio_floor and \
                info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ArchiveError(f"{archive}: refused as a zip bomb: {info.filename!r} is compressed "
                               f"{info.file_size / max(info.compress_size, 1):.0f} times (limit "
                               f"{limits.ratio:.0f})")
    entries: list[Entry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for info in infos:
        raw = _decoded(info)
        name = safe_name(raw)
        problem = _entry_problem(info, name)
        if problem is None and info.is_dir():
            continue
        if problem is None and name in seen:
            problem = "a second entry with the same name"
        if problem is not None:
            problems.append(f"{archive}: entry {raw!r} left out: {problem}")
            continue
        assert name is not None
        seen.add(name)
        entries.append(Entry(name, info))
    return entries, problems


def extract(archive: Path, plan: list[tuple[Entry, str]], target: Path,
            limits: ZipLimits | None = None) -> list[str]:
    """Write each planned entry to ``target / relative`` (relative: a safe POSIX path).

    Returns the problems of entries that could not be written (the rest are). Raises
    :class:`ArchiveError` when the disk lacks room or the archive breaks as a whole.
    """
    limits = limits or LIMITS
    needed = sum(entry.info.file_size for entry, _ in plan)
    target.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(target).free < needed + 64 * 1024**2:
        raise ArchiveError(f"{archive}: refused: unpacking needs {needed / 1024**2:.0f} MiB and "
                           f"{target} has less free")
    problems: list[str] = []
    written = 0
    root = target.resolve()
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{archive}: not a readable zip archive ({exc})") from None
    with handle:
        for entry, relative in plan:
            destination = target / relative
            if safe_name(relative) != relative or root not in destination.resolve().parents:
                problems.append(f"{archive}: entry {entry.name!r} left out: unsafe target {relative!r}")
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with handle.open(entry.info) as source, open(destination, "xb") as sink:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limits.total:
                            raise ArchiveError(f"{archive}: refused: it unpacks to more than "
                                               f"{limits.total / 1024**2:.0f} MiB")
                        sink.write(chunk)
            except ArchiveError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                destination.unlink(missing_ok=True)
                problems.append(f"{archive}: entry {entry.name!r} left out: it cannot be read ({exc})")
    return problems
