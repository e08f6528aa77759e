"""Confinement a process can apply to itself without privileges: Landlock, seccomp, no capabilities.

Used where bubblewrap is unavailable (see :mod:`grader.reaper`): the child applies these to
itself after fork and before it executes the sandbox worker, so they bind everything the
student's code does.

* **Landlock** (Linux 5.13+, unprivileged): files can be read only under the given
  read-only roots and written only under the given writable roots; TCP bind/connect are
  refused (ABI 4+); signals to, and abstract unix sockets of, processes outside the
  sandbox are refused (ABI 6+). Landlock also refuses ``ptrace`` of outside processes.
  The worker's own ``/proc/self`` is readable but for its mount table (``mountinfo``,
  ``mounts``, ``mountstats`` and ``task/``, which holds them again per thread): the host's
  mounts are none of its business.
* **seccomp** (:func:`filter_program`, also handed to bubblewrap for cold runs): the kernel
  keyrings (``add_key``, ``request_key``, ``keyctl``: a uid's keyrings outlive its runs),
  ``perf_event_open`` and new user namespaces (``unshare``/``clone`` with ``CLONE_NEWUSER``;
  ``clone3``, whose flags a filter cannot read, says ``ENOSYS`` so libc falls back to
  ``clone``) fail with ``EPERM``; ``io_uring_setup`` (io_uring would bypass the filter) and,
  outside bubblewrap (whose network namespace and filesystem view suffice), ``socket()`` for
  every address family (UDP, unix sockets in a shared ``/tmp``, raw sockets) fail with
  ``EACCES``. ``socketpair`` stays allowed.
* **capabilities**: a process drops its bounding set and every capability it holds (as
  root, or as the owner of a user namespace, as a warm run's worker when the grader is not
  root), so ``execve`` does not grant them back; root stays uid 0, which Landlock then contains.

Everything here is plain ``ctypes`` over the kernel's documented ABI.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from collections.abc import Iterable
from dataclasses import dataclass

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

# Filesystem rights, by the ABI version that introduced them.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_ABI1_ALL = (1 << 13) - 1  # execute ... make_sym
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_CAPBSET_DROP = 38, 22, 24
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x45, 0x06
SECCOMP_DATA_NR, SECCOMP_DATA_ARCH, SECCOMP_DATA_ARG0 = 0, 4, 16  # arg0's low word (little-endian)
X32_SYSCALL_BIT = 0x40000000
CLONE_NEWUSER = 0x10000000
SYS_IO_URING_SETUP = 425  # the same number on every architecture
# architecture -> (AUDIT_ARCH value, the syscall numbers the filter names)
SECCOMP_ARCHES = {
    "x86_64": (0xC000003E, {"socket": 41, "clone": 56, "add_key": 248, "request_key": 249,
                            "keyctl": 250, "unshare": 272, "perf_event_open": 298,
                            "io_uring_setup": 425, "clone3": 435}),
    "aarch64": (0xC00000B7, {"unshare": 97, "socket": 198, "add_key": 217, "request_key": 218,
                             "keyctl": 219, "clone": 220, "perf_event_open": 241,
                             "io_uring_setup": 425, "clone3": 435}),
}
REFUSED = {"add_key": errno.EPERM, "request_key": errno.EPERM, "keyctl": errno.EPERM,
           "perf_event_open": errno.EPERM, "io_uring_setup": errno.EACCES,
           "clone3": errno.ENOSYS}
NO_NEW_USER_NAMESPACE = ("unshare", "clone")  # refused (EPERM) when flags hold CLONE_NEWUSER
HIDDEN_PROC_ENTRIES = frozenset({"mountinfo", "mounts", "mountstats", "task"})
LINUX_CAPABILITY_VERSION_3 = 0x20080522
LAST_CAPABILITY = 63

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class ConfinementError(OSError):
    """A confinement step failed; the message names the step."""


@dataclass(frozen=True)
class Confinement:
    """What to allow: paths readable (and executable), paths writable too."""

    read_only: tuple[str, ...]
    writable: tuple[str, ...]
    read_only_files: tuple[str, ...] = ()
    drop_capabilities: bool = True
    hidden: tuple[str, ...] = ()  # inside read_only, yet not to be read (see carve)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is absent or disabled."""
    version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(0, int(version))


def seccomp_supported() -> bool:
    """True on the architectures whose syscall numbers this module knows."""
    return platform.machine() in SECCOMP_ARCHES


def _fail(step: str) -> ConfinementError:
    code = ctypes.get_errno()
    return ConfinementError(code, f"{step}: {os.strerror(code)}")


def _fs_rights(abi: int) -> int:
    rights = FS_ABI1_ALL
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not os.path.isdir(path):
            rights &= FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
        attr = struct.pack("=Qi", rights, fd)  # struct landlock_path_beneath_attr (packed)
        buffer = ctypes.create_string_buffer(attr, len(attr))
        if _libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                         ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), buffer, ctypes.c_uint32(0)) != 0:
            raise _fail(f"Landlock rule for {path}")
    finally:
        os.close(fd)


def apply_landlock(confinement: Confinement, abi: int) -> None:
    """Restrict this process (and what it executes) to the given paths, no TCP, no signals out."""
    handled_fs = _fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("=QQQ", handled_fs, handled_net, scoped)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    buffer = ctypes.create_string_buffer(attr[:size], size)
    ruleset = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(size),
                            ctypes.c_uint32(0))
    if ruleset < 0:
        raise _fail("Landlock ruleset")
    try:
        read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
        readable, listed = carve(confinement.read_only, confinement.hidden)
        for path in without_mount_table(readable + list(confinement.read_only_files)):
            _add_path_rule(ruleset, path, read)
        for path in listed:
            _add_path_rule(ruleset, path, FS_READ_DIR)
        for path in confinement.writable:
            _add_path_rule(ruleset, path, handled_fs)
        _no_new_privs()
        if _libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise _fail("Landlock restrict_self")
    finally:
        os.close(ruleset)


def carve(read_only: Iterable[str], hidden: Iterable[str]) -> tuple[list[str], list[str]]:
    """The rules that grant ``read_only`` but none of ``hidden``: (paths readable in full,
    folders only listable). A folder above a hidden path is replaced by its entries, down to
    the hidden one; it stays listable, and so do the folders below it (Landlock grants a
    listing to a whole subtree), so a hidden folder's names can be listed, never its files read."""
    concealed = {os.path.realpath(p) for p in hidden}
    readable: list[str] = []
    listed: list[str] = []
    seen: set[str] = set()

    def grant(path: str) -> None:
        real = os.path.realpath(path)
        if real in concealed or real in seen:
            return
        seen.add(real)
        if not any(h.startswith(real.rstrip("/") + "/") for h in concealed) \
                or not os.path.isdir(real):
            readable.append(path)
            return
        listed.append(real)
        try:
            names = sorted(os.listdir(real))
        except OSError:
            return
        for name in names:
            grant(os.path.join(real, name))

    for path in read_only:
        grant(path)
    return readable, listed


def without_mount_table(paths: Iterable[str]) -> list[str]:
    """``paths`` with a process's own ``/proc/PID`` folder replaced by its entries but the
    mount table ones (:data:`HIDDEN_PROC_ENTRIES`) and its symlinks (``root``, ``cwd`` and
    ``exe``: a rule on one would cover what it points to)."""
    expanded = []
    for path in paths:
        real = os.path.realpath(path)
        head, _, pid = real.rpartition("/")
        if head != "/proc" or not pid.isdigit():
            expanded.append(path)
            continue
        try:
            with os.scandir(real) as entries:
                expanded += sorted(entry.path for entry in entries
                                   if entry.name not in HIDDEN_PROC_ENTRIES
                                   and not entry.is_symlink())
        except OSError:
            continue
    return expanded


def _no_new_privs() -> None:
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise _fail("no_new_privs")


def _instruction(code: int, k: int, jump_true: int = 0, jump_false: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jump_true, jump_false, k)


def _refuse(code: int) -> bytes:
    return _instruction(BPF_RET_K, SECCOMP_RET_ERRNO | code)


def filter_program(machine: str, *, sockets: bool = True) -> bytes:
    """The BPF program (see the module docstring); ``sockets``: refuse ``socket()`` too."""
    audit_arch, numbers = SECCOMP_ARCHES[machine]
    allow = _instruction(BPF_RET_K, SECCOMP_RET_ALLOW)
    program = [
        _instruction(BPF_LD_W_ABS, SECCOMP_DATA_ARCH),
        _instruction(BPF_JEQ_K, audit_arch, 1, 0),          # our arch? skip the refusal
        _refuse(errno.ENOSYS),                              # a foreign ABI (i386 on x86_64)
        _instruction(BPF_LD_W_ABS, SECCOMP_DATA_NR),
        _instruction(BPF_JSET_K, X32_SYSCALL_BIT, 0, 1),    # the x32 ABI
        _refuse(errno.ENOSYS),
    ]
    refused = {**REFUSED, **({"socket": errno.EACCES} if sockets else {})}
    for name, code in refused.items():
        program += [_instruction(BPF_JEQ_K, numbers[name], 0, 1), _refuse(code)]
    for name in NO_NEW_USER_NAMESPACE:  # the one syscall matched: allow unless the flag is set
        program += [_instruction(BPF_JEQ_K, numbers[name], 0, 4),
                    _instruction(BPF_LD_W_ABS, SECCOMP_DATA_ARG0),
                    _instruction(BPF_JSET_K, CLONE_NEWUSER, 0, 1),
                    _refuse(errno.EPERM), allow]
    return b"".join(program + [allow])


def apply_filter(*, sockets: bool = True) -> None:
    """Install the seccomp filter of :func:`filter_program` on this process."""
    program = filter_program(platform.machine(), sockets=sockets)
    code = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(program) // 8, ctypes.cast(code, ctypes.c_void_p))
    _no_new_privs()
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise _fail("seccomp filter")


def filter_file(*, sockets: bool) -> int:
    """A file descriptor (at offset 0) holding the program, as bubblewrap's ``--seccomp`` reads it."""
    fd = os.memfd_create("labgrade-seccomp", os.MFD_CLOEXEC)
    os.write(fd, filter_program(platform.machine(), sockets=sockets))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def drop_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable capability sets."""
    for capability in range(LAST_CAPABILITY + 1):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 \
                and ctypes.get_errno() not in (errno.EINVAL, errno.EPERM):
            raise _fail("dropping the capability bounding set")
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = struct.pack("=Ii", LINUX_CAPABILITY_VERSION_3, 0)
    data = bytes(24)  # two empty __user_cap_data_struct
    if _libc.capset(ctypes.create_string_buffer(header, 8), ctypes.create_string_buffer(data, 24)) != 0:
        raise _fail("capset")


def capabilities_empty() -> bool:
    """Whether this process holds no capability at all (read from /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith("Cap"))
    return all(int(fields.get(name, "0").strip(), 16) == 0 for name in ("CapEff", "CapPrm", "CapBnd"))


def confine(confinement: Confinement, *, landlock: int, seccomp: bool) -> None:
    """Apply everything available, in an order that keeps each step possible."""
    if landlock:
        apply_landlock(confinement, landlock)
    if seccomp:
        apply_filter()
    if confinement.drop_capabilities:  # harmless without any: what is not held is not dropped
        drop_capabilities()


def existing(paths: Iterable[str]) -> tuple[str, ...]:
    """The given paths that exist, de-duplicated, in order."""
    seen: dict[str, None] = {}
    for path in paths:
        if path and os.path.exists(path):
            seen.setdefault(path)
    return tuple(seen)
