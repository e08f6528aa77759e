"""A warm run's view of the installation without labgrade's own files.

In the run's private mount namespace (:mod:`grader.zygote`), init mounts a small tmpfs on
the runtime's ``stage`` folder holding one empty folder and one empty file, makes it
read-only, and binds one of them over each path of :func:`grader.runtime.hidden_paths`
(a wheel's ``grader/`` and ``reference/``, labgrade's ``.dist-info``, an editable install's
``.pth`` and finder). Nothing changes outside the run's mount namespace, and the worker,
which holds no capability, cannot undo a mount. A cold run without bubblewrap does the same
in a mount namespace of the worker's own where it can (as root); elsewhere Landlock leaves
those paths unreadable (:func:`grader.confine.carve`).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

from grader.unprivileged import MNT_DETACH, MS_BIND, MS_NODEV, MS_NOSUID, MS_PRIVATE, MS_REC, libc

MS_RDONLY, MS_REMOUNT = 0x1, 0x20
CLONE_NEWNS = 0x20000


def private_mount_namespace() -> bool:
    """As root without one yet (a cold run without bubblewrap): enter a mount namespace of
    this process's own, whose mounts never reach the host; whether that worked."""
    if os.geteuid() != 0 or libc.unshare(CLONE_NEWNS) != 0:
        return False
    return libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0


def _mount(source: str | None, target: str, kind: str | None, flags: int,
           data: str | None = None) -> None:
    if libc.mount(source.encode() if source else None, target.encode(),
                  kind.encode() if kind else None, flags, data.encode() if data else None) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount on {target}: {os.strerror(code)}")


def hide(paths: Iterable[str], stage: str) -> bool:
    """Cover each existing path with an empty read-only folder or file; False (nothing left
    mounted) if that cannot be done here."""
    targets = [p for p in paths if os.path.lexists(p)]
    if not targets:
        return True
    mounted: list[str] = []
    try:
        _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,nr_inodes=8,mode=0755")
        mounted.append(stage)
        empty_dir, empty_file = os.path.join(stage, "d"), os.path.join(stage, "f")
        os.mkdir(empty_dir, 0o755)
        os.close(os.open(empty_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444))
        _mount(None, stage, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        for target in targets:
            folder = os.path.isdir(target) and not os.path.islink(target)
            _mount(empty_dir if folder else empty_file, target, None, MS_BIND)
            mounted.append(target)
        return True
    except OSError:
        for target in reversed(mounted):
            libc.umount2(target.encode(), MNT_DETACH)
        return False
