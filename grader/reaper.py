"""The reaper: a small trusted process between the grader and the worker, where bubblewrap is missing.

Bubblewrap's pid namespace guarantees that every process a submission started ends with its
run. Without it, this process gives the same guarantee with what any Linux offers:

* it is a *child subreaper*, so a process that calls ``setsid`` and double-forks is re-parented
  to it, not to init, and is killed when the run ends;
* it forks the worker, which confines itself (:mod:`grader.confine`: Landlock, seccomp, no
  capabilities) before executing the sandbox worker; Landlock's signal scope means nothing
  inside can signal the reaper or the grader;
* it polls the size of the writable folders, with the files the run's processes keep open
  after unlinking them, and stops the run when they exceed the disk limit (there is no
  size-limited tmpfs without a mount namespace; a warm run that has one, ``"tmpfs"`` in its
  config, is limited by it and not polled);
* it gets ``SIGTERM`` when the grader dies (parent-death signal) or wants the run ended, and then
  kills every descendant before exiting.

Invoked as ``python -m grader.reaper CONFIG_JSON STATUS_FD -- WORKER_ARGV...``. When it exits it
writes one JSON line to ``STATUS_FD`` (which the worker never holds): how the worker ended,
whether the disk limit was hit, how many leftover processes it killed, the CPU seconds they all
used. Its exit code mirrors the worker's, with a signal N shown as 128+N, as bubblewrap does.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import stat
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from grader.confine import Confinement, confine
from grader.hiding import hide, private_mount_namespace
from grader.unprivileged import drop_to

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
POLL_SECONDS = 0.1
SETUP_FAILED = 70


class _Stop(Exception):
    """Raised by the signal handler: the grader wants the run ended."""


def _on_signal(_number: int, _frame: Any) -> None:
    raise _Stop


def folder_usage(folders: list[str], limit_files: int) -> tuple[int, int]:
    """Bytes allocated and entries under ``folders`` (stops counting past ``limit_files``)."""
    used = entries = 0
    stack = list(folders)
    while stack and entries <= limit_files:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return used, entries


def open_unlinked_usage(devices: set[int]) -> int:
    """Bytes held by files on ``devices`` that this process's descendants keep open after
    unlinking them: a folder walk never sees those, yet they fill the disk until closed."""
    held: dict[tuple[int, int], int] = {}
    for pid in descendants():
        folder = f"/proc/{pid}/fd"
        try:
            names = os.listdir(folder)
        except OSError:
            continue  # gone, or not ours to read
        for name in names:
            try:
                if not os.readlink(f"{folder}/{name}").endswith(" (deleted)"):
                    continue
                info = os.stat(f"{folder}/{name}")
            except OSError:
                continue
            if info.st_dev in devices and stat.S_ISREG(info.st_mode):
                held[(info.st_dev, info.st_ino)] = info.st_blocks * 512
    return sum(held.values())


def descendants() -> list[int]:
    """Every process below this one, as ``/proc`` numbers them (``/proc/self`` is the root)."""
    me = int(os.readlink("/proc/self"))
    if not os.path.exists(f"/proc/self/task/{me}/children"):  # a kernel without them
        return _descendants_by_scan(me)
    found, stack = [], [me]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(child) for child in handle.read().split()]
            except (OSError, ValueError):
                continue
            found += children
            stack += children
    return found


def _descendants_by_scan(me: int) -> list[int]:
    found, stack = [], [me]
    while stack:
        children = _children_of(stack.pop())
        found += children
        stack += children
    return found


def _children_of(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return children


def kill_descendants() -> int:
    """SIGKILL every descendant until none is left; returns how many were killed."""
    me, killed = os.getpid(), set()
    for _ in range(1000):
        children = _children_of(me)
        if not children:
            break
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        _reap_all()
        time.sleep(0.005)
    _reap_all()
    return len(killed)


def _reap_all() -> list[tuple[int, int]]:
    reaped = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append((pid, status))


def start_worker(run: Callable[[], None], config: dict[str, Any], status_fd: int) -> int:
    """Fork the worker: it confines itself, then ``run()`` (exec or, warm, the worker loop)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.close(status_fd)
        os.setsid()
        if config.get("sandbox_uid") is not None:  # warm, as root (see grader.unprivileged)
            drop_to(config["sandbox_uid"], config["sandbox_uid"])  # before: it clears PDEATHSIG
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        if config.get("hidden") and private_mount_namespace() \
                and hide(config["hidden"], config["stage"]):
            config = {**config, "hidden": []}  # gone from the view: Landlock need not carve
        confinement = Confinement(read_only=tuple(config["read_only"]),
                                  writable=tuple(config["writable"]),
                                  read_only_files=tuple(config["read_only_files"]),
                                  hidden=tuple(config.get("hidden", ())))
        confine(confinement, landlock=config["landlock"], seccomp=config["seccomp"])
        run()
    except BaseException as exc:  # noqa: BLE001 - report any setup failure, then leave
        os.write(2, f"labgrade: the sandbox could not be set up: {exc}\n".encode())
    os._exit(SETUP_FAILED)


def supervise(config: dict[str, Any], status_fd: int, worker: int) -> dict[str, Any]:
    """Watch the started worker to its end (or until stopped); return the status report."""
    report: dict[str, Any] = {"worker": "running", "code": None, "disk_exceeded": False,
                              "stopped": False, "leftovers_killed": 0}
    polled = not config.get("tmpfs")  # a run's own tmpfs limits its folders itself
    devices = {os.stat(folder).st_dev for folder in config["writable"]} if polled else set()
    try:
        while True:
            for pid, status in _reap_all():
                if pid == worker:
                    report["worker"] = "signal" if os.WIFSIGNALED(status) else "exit"
                    report["code"] = os.waitstatus_to_exitcode(status)
            if polled:
                used, entries = folder_usage(config["writable"], config["disk_files"])
                used += open_unlinked_usage(devices)
                report["disk_used"], report["disk_entries"] = used, entries
                if used > config["disk_bytes"] or entries > config["disk_files"]:
                    report["disk_exceeded"] = True
                    break
            if report["worker"] != "running":
                break
            time.sleep(POLL_SECONDS)
    except _Stop:
        report["stopped"] = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    killed = kill_namespace() if os.getpid() == 1 else kill_descendants()
    report["leftovers_killed"] = max(0, killed - (report["worker"] == "running"))
    report["cpu_seconds"] = children_cpu_seconds()  # all reaped: the worker and leftovers
    return report


def children_cpu_seconds() -> float:
    """CPU seconds used by this process's reaped descendants, in total."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kill_namespace() -> int:
    """As init of a pid namespace: SIGKILL every other process in it; returns how many died.

    ``kill(-1)`` reaches exactly the namespace's processes (never the host's, whatever
    ``/proc`` shows); each one ends up reaped here, since orphans are re-parented to init.
    """
    reaped = 0
    for _ in range(1000):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:  # nobody left to signal
            break
        reaped += len(_reap_all())
        time.sleep(0.005)
    while True:  # the last ones may still be exiting
        try:
            os.waitpid(-1, 0)
            reaped += 1
        except ChildProcessError:
            return reaped


def exit_code(report: dict[str, Any]) -> int:
    """The worker's exit code, or 128+N for signal N (bubblewrap's convention)."""
    code = report["code"]
    if code is None:
        return 128 + signal.SIGKILL
    return 128 - code if code < 0 else code


def become_reaper(parent: int) -> bool:
    """Subreaper, stop on SIGTERM/SIGINT/SIGHUP, SIGTERM when ``parent`` dies; False if it has."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, _on_signal)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    return os.getppid() == parent


def report_and_exit_code(report: dict[str, Any], status_fd: int) -> int:
    try:
        os.write(status_fd, (json.dumps(report) + "\n").encode())
    except OSError:
        pass
    return exit_code(report)


def main(argv: list[str]) -> int:
    """Entry point; see the module docstring for the arguments."""
    config, status_fd, command = json.loads(argv[0]), int(argv[1]), argv[3:]
    if not become_reaper(config["grader_pid"]):
        return 128 + signal.SIGKILL  # the grader died before we could arm the death signal
    worker = start_worker(lambda: os.execv(command[0], command), config, status_fd)
    return report_and_exit_code(supervise(config, status_fd, worker), status_fd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
