"""Warm start, the grader's side: one :mod:`grader.zygote` per grader process, asked to fork runs.

:func:`spawn` sends a run's configuration and its five descriptors to the zygote over a unix
socket (``SCM_RIGHTS``) and returns a :class:`ForkedRun`, which offers the parts of
``subprocess.Popen`` the launcher uses (``pid``, ``poll``, ``wait``, ``send_signal``,
``stdout``, ``stderr``, ``returncode``). The run is the zygote's child, so its end is seen
through a pidfd and its exit status comes from the reaper's status line. :func:`choose`
decides between warm and cold start for ``grader run`` and says why.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from typing import IO, Any

from grader.isolation import WARM_NOTE, Support, detect, warm_support
from grader.reaper import exit_code

READY_TIMEOUT = 120.0


class WarmStartError(Exception):
    """The zygote could not be started or did not answer."""


class Zygote:
    """A warm parent's control socket: of a zygote this process started, or one taken at a door.

    A zygote started here also has a *door*: local pool workers each take their own control
    socket there (:meth:`through`), so one warm parent serves a whole batch.
    """

    def __init__(self, control: socket.socket, pid: int, *,
                 process: subprocess.Popen[bytes] | None = None,
                 door: socket.socket | None = None, pidfd: int | None = None) -> None:
        self.control, self.pid, self.process, self.door = control, pid, process, door
        self.lock = threading.Lock()
        self.ready = process is None  # a door opens only once the imports are done
        self._pidfd = pidfd  # for a zygote started elsewhere: is it alive?

    @classmethod
    def start(cls, env: dict[str, str]) -> Zygote:
        """Start a warm parent (it imports for a few seconds: see :meth:`wait_ready`)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        door, door_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        from grader.launcher import _die_with_parent  # noqa: PLC0415

        try:
            process = subprocess.Popen(
                [sys.executable, "-s", "-P", "-m", "grader.zygote", str(theirs.fileno()),
                 str(door_theirs.fileno())],
                pass_fds=[theirs.fileno(), door_theirs.fileno()], env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509
        except OSError:
            for end in (ours, door):
                end.close()
            raise
        finally:
            theirs.close()
            door_theirs.close()
        return cls(ours, process.pid, process=process, door=door)

    @classmethod
    def through(cls, door: socket.socket, pid: int) -> Zygote:
        """A control socket of this process's own, taken at another process's zygote's door.

        Waits until that zygote has finished its imports (it opens its door only then).
        """
        pidfd = os.pidfd_open(pid)  # before knocking: the pid cannot be reused under us
        try:
            door.settimeout(READY_TIMEOUT)  # every holder of this end sets it alike
            door.send(b"knock")
            _message, fds, _flags, _address = socket.recv_fds(door, 1024, 1)
        except OSError as exc:
            os.close(pidfd)
            raise WarmStartError(f"the batch's warm parent did not answer ({exc})") from None
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            os.close(pidfd)
            raise WarmStartError("the batch's warm parent did not answer")
        return cls(socket.socket(fileno=fds[0]), pid, pidfd=pidfd)

    def wait_ready(self) -> None:
        """Block until the parent has finished its imports (it says so once)."""
        if self.ready:
            return
        ready, _, _ = select.select([self.control], [], [], READY_TIMEOUT)
        if not ready or not self.control.recv(1024):
            self.close()
            raise WarmStartError("the warm parent did not start (imports failed?)")
        self.ready = True

    @property
    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return self._pidfd is not None and not select.select([self._pidfd], [], [], 0)[0]

    def fork(self, config: dict[str, Any], fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.control, [json.dumps(config).encode()], fds)
            reply = json.loads(self.control.recv(4096) or b"{}")
        if not reply.get("pid"):
            raise WarmStartError(f"the warm parent refused the run: {reply.get('error')}")
        return int(reply["pid"])

    def close(self) -> None:
        self.control.close()
        if self.door is not None:
            self.door.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()


_ZYGOTES: dict[str, Zygote] = {}
_FAILED: dict[str, str] = {}  # environment -> why its zygote could not start (not retried)
_DOORS: dict[str, tuple[socket.socket, int]] = {}  # environment -> a batch zygote's door, pid
_LOCK = threading.Lock()


def _started(key: str, env: dict[str, str]) -> Zygote:
    """The zygote for ``key``: the batch's (through its door) or one started here, if none
    is alive (caller holds the lock)."""
    if key in _FAILED:
        raise WarmStartError(_FAILED[key])
    current = _ZYGOTES.get(key)
    if current is None or not current.alive:
        if key in _DOORS:  # tried once: if the batch's zygote is gone, start one of our own
            door, pid = _DOORS.pop(key)
            try:
                current = _ZYGOTES[key] = Zygote.through(door, pid)
                return current
            except (OSError, WarmStartError):
                pass
            finally:
                door.close()
        try:
            current = _ZYGOTES[key] = Zygote.start(env)
        except OSError as exc:
            _FAILED[key] = str(exc)
            raise WarmStartError(str(exc)) from None
    return current


def open_door(env: dict[str, str]) -> tuple[socket.socket, int] | None:
    """Start this process's zygote (not waiting) and return its door and pid, to hand to
    local pool workers (:func:`use_door`); None if it cannot start (they start their own)."""
    with _LOCK:
        try:
            current = _started(json.dumps(env, sort_keys=True), env)
        except WarmStartError:
            return None
        return (current.door, current.pid) if current.door is not None else None


def use_door(env: dict[str, str], door: socket.socket, pid: int) -> None:
    """In a pool worker: take runs for ``env`` from the batch's zygote behind ``door``."""
    with _LOCK:
        _DOORS[json.dumps(env, sort_keys=True)] = (door, pid)


def prestart(env: dict[str, str]) -> None:
    """Start this process's zygote now, without waiting for its imports.

    Its imports (a few seconds) then overlap with the grader's own; :func:`zygote` waits.
    Failures surface there, where a run can fall back to cold.
    """
    open_door(env)


def zygote(env: dict[str, str]) -> Zygote:
    """This process's zygote for this environment, started (or restarted) on demand and ready."""
    key = json.dumps(env, sort_keys=True)
    with _LOCK:
        current = _started(key, env)
        try:
            current.wait_ready()
        except (OSError, WarmStartError) as exc:
            _FAILED[key] = str(exc)
            _ZYGOTES.pop(key, None)
            raise WarmStartError(str(exc)) from None
        return current


class ForkedRun:
    """A run forked by the zygote, seen from the grader (a ``Popen`` look-alike)."""

    def __init__(self, pid: int, stdout: IO[bytes], stderr: IO[bytes], status: int) -> None:
        self.pid = pid
        self.stdout, self.stderr = stdout, stderr
        self._pidfd = os.pidfd_open(pid)
        self._status = status
        self.returncode: int | None = None
        self.report: dict[str, Any] | None = None

    def _finish(self) -> int:
        if self.returncode is None:
            with os.fdopen(self._status, "rb") as handle:
                line = handle.read(65536)
            try:
                self.report = json.loads(line) if line else None
            except ValueError:
                self.report = None
            self.returncode = exit_code(self.report) if isinstance(self.report, dict) \
                else 128 + signal.SIGKILL
            os.close(self._pidfd)
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        ready, _, _ = select.select([self._pidfd], [], [], 0)
        return self._finish() if ready else None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is not None:
            return self.returncode
        ready, _, _ = select.select([self._pidfd], [], [], timeout)
        if not ready:
            raise subprocess.TimeoutExpired(f"warm run {self.pid}", timeout or 0)
        return self._finish()

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            try:
                signal.pidfd_send_signal(self._pidfd, number)
            except ProcessLookupError:
                pass


def spawn(env_for_zygote: dict[str, str], config: dict[str, Any], fds: list[int],
          stdout: int, stderr: int, status: int) -> ForkedRun:
    """Fork a warm run; ``fds`` are the child's ends (closed here once sent)."""
    try:
        pid = zygote(env_for_zygote).fork(config, fds)
    finally:
        for fd in fds:
            os.close(fd)
    return ForkedRun(pid, os.fdopen(stdout, "rb"), os.fdopen(stderr, "rb"), status)


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Warm start needs Linux pidfds (5.3+) and SCM_RIGHTS from Python 3.9+."""
    return hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")


def cold_fallback(support: Support, problem: str) -> Support:
    """The cold support to use when the warm parent cannot start, saying so in its reason."""
    base = support.reason.split(WARM_NOTE)[0].rstrip("; ")
    note = f"warm start was chosen but failed ({problem}), so this run started cold"
    return dataclasses.replace(support, warm=False, warm_namespaces=False, warm_uid=False,
                               reason="; ".join(r for r in (base, note) if r))


def weaker_than_cold(cold: Support) -> list[str]:
    """Protections a warm run would lack that a cold run has here, beyond the separate uid."""
    warm = set(warm_support(cold).missing())
    return sorted(warm - set(cold.missing()) - {"unprivileged_user"})


def choose(requested: bool | None, *, require_isolation: bool = False,
           cluster: bool = False) -> tuple[Support | None, str]:
    """The support for ``grader run`` and a line saying which start is in force, and why.

    ``requested``: True (``--warm``), False (``--cold``), None (the default: warm where it
    is available and confines as well as a cold run, but for the separate uid). A support
    of None means "detect on the machine that runs each job" (a cluster's workers). Cluster
    runs are always cold: each Dask worker detects its own sandbox and starts a new
    interpreter per run (there is no warm parent on a worker), whatever ``requested`` says.
    """
    if requested is False:
        return None, "start: cold (--cold): a new interpreter per run"
    if cluster:
        how = "--warm has no effect with --cluster" if requested else "always, with --cluster"
        return None, (f"start: cold ({how}): each Dask worker starts a new interpreter per "
                      "run, in the sandbox it detects itself")
    if not available():
        return None, "start: cold (warm start needs Linux pidfds and Python's send_fds here)"
    cold = detect()
    if requested is None:
        lacking = weaker_than_cold(cold)
        if lacking:
            return None, (f"start: cold (a warm run would lack {', '.join(lacking)} here; "
                          "--warm forces it)")
        if require_isolation and warm_support(cold).missing():
            return None, ("start: cold (--require-isolation: a warm run would lack "
                          f"{', '.join(warm_support(cold).missing())})")
    how = "--warm" if requested else "the default; --cold for a new interpreter per run"
    return warm_support(cold), (f"start: warm ({how}): runs are forked from a parent that has "
                                "imported torch, numpy, scikit-learn and matplotlib")
