"""Where archives are unpacked and LMS downloads rearranged: a stable folder, built atomically.

Under a results folder ``DIR`` the place is ``DIR/.intake/<name>-<key>/`` (hidden, so the
reports never read it and no submission's results folder can take its name), ``key``
naming the input (an archive's sha256, a folder's absolute path) so a rerun finds the same
files at the same paths and :func:`grader.jobs.is_current` skips what is graded. It is
built in a marked scratch folder beside it (:mod:`grader.scratch`: what a killed grader
left is removed by the next one) and renamed into place when complete; a built archive is
reused, a rearranged folder is rebuilt each run (its source may have changed). Without a
results folder the place is a scratch folder, removed when grading ends.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from grader import scratch

STAGE_DIR = ".intake"
COMPLETE = ".complete"
LAYOUT = "1"  # bump when the arrangement changes, so old stages are rebuilt


def archive_key(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def folder_key(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _safe(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return cleaned[:60] or "input"


def _complete(folder: Path) -> bool:
    try:
        return (folder / COMPLETE).read_text(encoding="utf-8").strip() == LAYOUT
    except OSError:
        return False


def build(out: Path | None, name: str, key: str, fill: Callable[[Path], None], *,
          reuse: bool, temporary: list[Path]) -> Path:
    """The stable folder for input ``name``: reused when complete and ``reuse``, else filled
    by ``fill(folder)`` in a scratch folder and renamed into place. Exceptions from ``fill``
    propagate (the scratch folder is removed)."""
    if out is None:
        folder = scratch.make("labgrade-intake-")  # marked; removed by Intake.close()
        temporary.append(folder)
        fill(folder)
        return folder
    base = out / STAGE_DIR
    final = base / f"{_safe(name)}-{key}"
    if reuse and _complete(final):
        return final
    base.mkdir(parents=True, exist_ok=True)
    work = scratch.make("labgrade-intake-", base)
    try:
        fill(work)
        (work / COMPLETE).write_text(LAYOUT, encoding="utf-8")
        work.chmod(0o755)
        old = None
        if final.exists():
            old = base / f"{scratch.PREFIX}old-{os.getpid()}-{final.name}"
            os.replace(final, old)
        os.replace(work, final)
        (final / scratch.MARKER).unlink(missing_ok=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final
