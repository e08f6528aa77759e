"""A warm run as a dedicated unprivileged uid, when the grader runs as root.

A cold run gets its uid from bubblewrap and ``setpriv``. A warm worker is forked from a
parent that imported torch as root, and torch, numpy and scikit-learn keep importing
submodules lazily from the Python installation, which may sit under a folder only root
can enter (``/root/.pyenv``, ``/root`` being mode 0700). So, in the run's private mount
namespace (:mod:`grader.zygote`), the namespace's init covers each such folder with a
small tmpfs that holds only the paths the worker needs, bind-mounted back in place
(:func:`expose`); the worker then drops to the uid (:func:`drop_to`). Nothing changes
outside the run's mount namespace.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Iterable

MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND = 0x2, 0x4, 0x8, 0x1000
MS_REC, MS_PRIVATE, MNT_DETACH = 0x4000, 0x40000, 0x2
PR_SET_DUMPABLE, PR_CAPBSET_DROP, LAST_CAPABILITY = 4, 24, 63

# libc with mount(2)'s argument types declared: shared with grader.zygote's namespace set-up
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_void_p]


class ExposeError(OSError):
    """A path the worker needs could not be made reachable for its uid."""


def _searchable(directory: str, uid: int, gid: int) -> bool:
    """Whether ``uid`` (with only ``gid``) may enter ``directory`` (root's rights aside)."""
    info = os.stat(directory)
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def blocking_folder(path: str, uid: int, gid: int) -> str | None:
    """The outermost folder above ``path`` that ``uid`` cannot enter (None: all can be)."""
    parts = os.path.realpath(path).split("/")[1:-1]
    current = ""
    for part in parts:
        current += "/" + part
        if not _searchable(current, uid, gid):
            return current
    return None


def _mount(source: str, target: str, kind: str | None, flags: int, data: str | None) -> None:
    if libc.mount(source.encode(), target.encode(), kind.encode() if kind else None, flags,
                   data.encode() if data else None) != 0:
        code = ctypes.get_errno()
        raise ExposeError(code, f"mount {source} on {target}: {os.strerror(code)}")


def _cover(folder: str, needed: list[str], covered: list[str]) -> None:
    """Cover ``folder`` with a tmpfs holding only ``needed`` (bound back from the originals)."""
    handles = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in needed}
    try:
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
        covered.append(folder)
        for path, handle in handles.items():
            if os.path.isdir(f"/proc/self/fd/{handle}"):
                os.makedirs(path, mode=0o755, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
            _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC, None)
    finally:
        for handle in handles.values():
            os.close(handle)


def expose(paths: Iterable[str], uid: int, gid: int) -> None:
    """Make every existing path in ``paths`` reachable by ``uid`` (root, in a private mount
    namespace); raises ExposeError if one stays out of reach."""
    wanted = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    covers: dict[str, list[str]] = {}
    for path in wanted:
        folder = blocking_folder(path, uid, gid)
        if folder is not None:
            covers.setdefault(folder, []).append(path)
    covered: list[str] = []
    try:
        for folder in sorted(covers, key=len):
            inner = covers[folder]
            # a path inside another needed one comes along with it
            needed = [p for p in inner if not any(p != q and p.startswith(q + "/") for q in inner)]
            _cover(folder, needed, covered)
        still = [p for p in wanted if blocking_folder(p, uid, gid) is not None]
        if still:
            raise ExposeError(0, f"still out of reach for uid {uid}: {', '.join(still)}")
    except OSError:
        for folder in reversed(covered):  # leave the view as it was (the worker stays root)
            libc.umount2(folder.encode(), MNT_DETACH)
        raise


def drop_to(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary group and no capability, for good."""
    for capability in range(LAST_CAPABILITY + 1):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # EINVAL past the kernel's last
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # clears the permitted and effective capabilities
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # /proc/self stays the worker's own
