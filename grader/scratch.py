"""The grader's temporary folders (``$TMPDIR/labgrade-*``): each names its owner, and what a
dead owner left is removed.

Every folder made by :func:`make` holds an owner marker (``.labgrade-owner``): the pid of
the process that made it, that process's start time (so a reused pid is not mistaken for
it), the boot and the pid namespace. A process that is killed (``kill -9``, the OOM killer)
cannot remove its folders; :func:`remove_dead` removes each folder whose owner is provably
gone, and leaves everything else: folders of live processes (another grader running on the
same machine), folders without a marker (being made right now, or not ours), folders of
another user or another pid namespace. It runs when a grader starts
(:func:`grader.isolation.detect`), when a pool starts, and after a pool worker dies.

A pool worker :func:`claim`\\ s one folder as its ``tempfile`` directory, so everything it
makes (its jobs' output folders, its runs' work folders) lies inside one marked folder.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

PREFIX = "labgrade-"
MARKER = ".labgrade-owner"
MARKER_BYTES = 4096  # a marker is a few dozen bytes; anything bigger is not one of ours


def base() -> Path:
    """Where the grader's temporary folders go: ``tempfile``'s directory as it is now."""
    return Path(tempfile.gettempdir())


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


@functools.lru_cache(maxsize=1)
def _boot() -> str:
    return _read("/proc/sys/kernel/random/boot_id")


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def identity(pid: int | None = None) -> dict[str, Any]:
    """What a marker records about process ``pid`` (default: this one)."""
    pid = os.getpid() if pid is None else pid
    fields = _stat_fields(pid)
    start = int(fields[19]) if fields and len(fields) > 19 else None  # stat field 22: starttime
    return {"pid": pid, "start": start, "boot": _boot(), "pid_namespace": _pid_namespace()}


def owner_gone(owner: dict[str, Any]) -> bool:
    """Whether the process a marker names has certainly ended (unsure: False)."""
    if not isinstance(owner.get("pid"), int) or not owner.get("boot"):
        return False
    if owner["boot"] != _boot():
        return bool(_boot())  # the machine restarted since: every process then is gone
    if owner.get("pid_namespace") != _pid_namespace():
        return False  # its pids are not ours to look up
    fields = _stat_fields(owner["pid"])
    if fields is None or fields[0] in (b"Z", b"X"):
        return True  # no such process, or only its zombie
    return owner.get("start") is not None and len(fields) > 19 \
        and int(fields[19]) != owner["start"]  # the pid was reused


def make(prefix: str = PREFIX, directory: Path | None = None) -> Path:
    """A new private folder (mode 0700) in ``directory`` (default :func:`base`), marked as
    this process's; the first call per directory also removes what dead owners left there."""
    directory = base() if directory is None else directory
    remove_dead_once(str(directory))
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=directory))
    (folder / MARKER).write_text(json.dumps(identity()))
    return folder


def claim(directory: Path, prefix: str = PREFIX + "worker-") -> Path:
    """Make this process's own marked folder and make it ``tempfile``'s directory, so every
    temporary file or folder it makes from now on lies inside (a pool worker's)."""
    folder = make(prefix, directory)
    folder.chmod(0o711)  # as the shared tmp: the sandbox user may traverse to its own folders
    tempfile.tempdir = str(folder)
    return folder


def _marked_owner(folder: Path) -> dict[str, Any] | None:
    """The owner a folder's marker names, if the folder and its marker are ours and sound."""
    try:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return None  # a symlink, a file, or someone else's
        marker = folder / MARKER
        marker_info = marker.lstat()
        if not stat.S_ISREG(marker_info.st_mode) or marker_info.st_size > MARKER_BYTES:
            return None
        owner = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


def remove_dead(directory: Path | None = None) -> list[Path]:
    """Remove every marked ``labgrade-*`` folder in ``directory`` whose owner has ended; the
    folders removed."""
    directory = base() if directory is None else directory
    removed = []
    try:
        entries = [e for e in directory.iterdir() if e.name.startswith(PREFIX)]
    except OSError:
        return []
    for folder in entries:
        owner = _marked_owner(folder)
        if owner is not None and owner_gone(owner) and _remove(folder):
            removed.append(folder)
    return removed


def _remove(folder: Path) -> bool:
    """Remove ``folder``, its marker last: a folder that cannot be emptied now keeps its marker
    and is tried again next time."""
    try:
        for entry in folder.iterdir():
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if any(e.name != MARKER for e in folder.iterdir()):
            return False
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()
    except OSError:
        return not folder.exists()  # another grader may have removed it first
    return True


@functools.lru_cache(maxsize=16)
def remove_dead_once(directory: str) -> None:
    """:func:`remove_dead` once per process and directory."""
    remove_dead(Path(directory))
