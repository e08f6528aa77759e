"""Start the sandboxed child for one submission, limit it, and talk to it over the protocol.

The child gets a private copy of the submission as its working directory, a minimal
environment, resource limits (wall clock, CPU seconds, address space, file size, open
files), its own session so the whole process group can be killed, and — where the
platform allows — no network. Everything it sends is decoded with limits and checked
against the expected message shapes; anything else ends the run with a described reason.
"""

from __future__ import annotations

import base64
import ctypes
import functools
import json
import os
import queue
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import protocol
from grader.confine import existing, filter_file, seccomp_supported
from grader.isolation import (MPL_SEED_MOUNT, SANDBOX_UID, SUBMISSION_MOUNT, WORK_MOUNT, Cgroup,
                              Support, bwrap_command, detect, hidden_in_view, python_roots)
from grader.runtime import RUNTIME_MOUNT, runtime
from grader.loading import Submission
from grader.reaper import children_cpu_seconds
from grader import warm
from grader.looptrace import LoopTrace, parse_loops
from grader.tracedata import Trace, parse_trace
from grader.warm import ForkedRun
from grader.cachedir import cache_dir
from grader.scratch import make as make_owned_folder

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
ADDRESS_SPACE_MARGIN = 4 * 1024**3
DISK_FILES = 20000  # entries in the work folders beyond which a reaper-supervised run is stopped
REAPER_GRACE = 5.0  # seconds the reaper gets to clean up before the process group is killed
# What one run may send and what the grader keeps of it, whatever the child sends (frames are
# forgeable: the student's code can reach the worker's channel). See bench/README.md.
MAX_RUN_BYTES = 512 * 1024**2  # every frame of the run, probe answers included
MAX_RUN_VALUES = 4_000_000  # their JSON values in all (one frame: protocol.MAX_FRAME_VALUES)
MAX_PROBE_FRAME_BYTES = 48 * 1024**2  # one probe's answer (a 1,024-wide layer's gradient: 11 MB)
MAX_FIGURES = 24  # figures kept per run (grader.sandbox.execute captures no more)
MAX_FIGURES_BYTES = 16 * 1024**2  # their PNG bytes in all
MAX_TRACES_BYTES = 160 * 1024**2  # training and loop traces kept per run, in frame bytes ...
MAX_TRACES_VALUES = 1_000_000  # ... and in JSON values (the examples send 2,000-26,000)
MAX_ERROR_CHARS = 1_000  # a cell's error line or a probe's error
MAX_TRACEBACK_CHARS = 8_000  # one cell's traceback (the sandbox keeps 4,000)
MAX_TRACEBACKS_CHARS = 1024**2  # all the tracebacks of a run
MAX_DETAIL_CHARS = 2_000  # how a run ended, one event


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's run (seconds and bytes)."""

    timeout: float = 300.0
    cpu: float = 300.0
    memory: int = 6 * 1024**3
    output: int = 1024**2
    file_size: int = 256 * 1024**2
    open_files: int = 256
    probe_timeout: float = 30.0
    pids: int = 128
    disk: int = 256 * 1024**2
    tmp: int = 64 * 1024**2


@dataclass
class RunRecord:
    """What happened in the child, as the parent observed it."""

    cells: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    inventory: list[dict[str, Any]] | None = None
    ending: str = "running"  # finished | timeout | cpu_limit | memory | disk | killed | crashed | exited | protocol
    ending_detail: str = ""
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    protections: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    supervisor_events: list[str] = field(default_factory=list)  # what the reaper had to do
    traces: dict[str, Trace] = field(default_factory=dict)  # unit -> what its training did
    loops: dict[str, LoopTrace] = field(default_factory=dict)  # unit -> what its loops did
    peak_memory: int | None = None  # bytes, from the run's cgroup


class ProbeError(Exception):
    """A probe the child could not answer; the message is meant for the student."""


class GraderFault(RuntimeError):
    """The grader's own side failed while running a submission: never the student's doing."""


def cut(text: str, limit: int, *, keep_end: bool = False) -> str:
    """``text`` of at most ``limit`` characters, saying how much the grader cut (its start
    kept, or its end: a traceback's last lines matter most)."""
    if len(text) <= limit:
        return text
    marker = f"[{len(text) - limit} characters cut by the grader]"
    return f"{marker}\n{text[len(text) - limit:]}" if keep_end else f"{text[:limit]}… {marker}"


CELL_SCHEMA = {"unit": "str", "number": "int", "status": "str", "error": "str|None",
               "traceback": "str|None", "line": "int|None", "seconds": "float"}


class _OutputDrain(threading.Thread):
    """Reads one output pipe to the end, keeping at most ``cap`` bytes."""

    def __init__(self, stream: Any, cap: int) -> None:
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap
        self.data = bytearray()
        self.truncated = False

    def run(self) -> None:
        while chunk := self.stream.read(65536):
            room = self.cap - len(self.data)
            if room > 0:
                self.data.extend(chunk[:room])
            if len(chunk) > room:
                self.truncated = True

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class _FrameReader(threading.Thread):
    """Reads the child's frames one at a time, each only once the session asks for it.

    So at most one frame waits decoded: a child that sends faster than the grader reads
    blocks on its full pipe. Every frame is taken from the run's :class:`protocol.Budget`
    (:data:`MAX_RUN_BYTES`, :data:`MAX_RUN_VALUES`). A bad frame ends the channel: the queue
    then gets the error (None when the child closed it), and the thread stops.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.queue: queue.Queue[protocol.Frame | Exception | None] = queue.Queue(maxsize=1)
        self.budget = protocol.Budget(MAX_RUN_BYTES, MAX_RUN_VALUES)
        self.max_bytes = protocol.MAX_FRAME_BYTES  # lowered for the probes' answers
        self._asked = threading.Semaphore(0)
        self._stopped = False

    def ask(self) -> None:
        """Let the thread read one more frame."""
        self._asked.release()

    def stop(self) -> None:
        """End the thread (at once, or when the frame it is reading arrives or fails)."""
        self._stopped = True
        self._asked.release()

    def run(self) -> None:
        try:
            while True:
                self._asked.acquire()
                if self._stopped:
                    return
                item = self._read()
                self.queue.put(item)
                if not isinstance(item, protocol.Frame):
                    return
        finally:
            self.stream.close()

    def _read(self) -> protocol.Frame | Exception | None:
        try:
            return protocol.read_frame(self.stream, max_bytes=self.max_bytes, budget=self.budget)
        except protocol.ChannelClosed:
            return None
        except (protocol.ProtocolError, OSError) as exc:
            return exc
        except MemoryError:
            return GraderFault("the grader ran out of memory reading the run's data")


def _unshare_network() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWNET | CLONE_NEWUSER
    return libc.unshare(flags) == 0


def _die_with_parent() -> None:
    """Without bubblewrap: the child gets SIGKILL if the grader dies (PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def rlimits(limits: Limits, cgroup: Cgroup | None) -> dict[str, tuple[int, int]]:
    """The rlimits of a run, by ``resource`` constant name."""
    cpu = max(1, int(limits.cpu))
    # With a cgroup the memory limit is real (OOM kill); the address space is only a backstop,
    # kept well above it because torch reserves far more address space than it uses.
    address_space = limits.memory + ADDRESS_SPACE_MARGIN if cgroup is not None else limits.memory
    return {"RLIMIT_CPU": (cpu, cpu + 5), "RLIMIT_AS": (address_space, address_space),
            "RLIMIT_FSIZE": (limits.file_size, limits.file_size),
            "RLIMIT_NOFILE": (limits.open_files, limits.open_files), "RLIMIT_CORE": (0, 0)}


def _limit_child(limits: Limits, cgroup: Cgroup | None, own_network: bool) -> None:
    """Runs in the child between fork and exec: cgroup first, then rlimits."""
    if cgroup is not None:
        cgroup.join()
    for name, pair in rlimits(limits, cgroup).items():
        resource.setrlimit(getattr(resource, name), pair)
    if own_network:
        _unshare_network()  # the child reports in its hello whether this took effect
        _die_with_parent()


def _give_to(folder: Path, uid: int) -> None:
    """Make ``folder`` and everything in it belong to ``uid`` (the warm worker's own folders)."""
    os.lchown(folder, uid, uid)
    for path in folder.rglob("*"):
        os.lchown(path, uid, uid)


def copy_submission(submission: Submission, workdir: Path) -> None:
    """A private copy of the submitted regular files (world-readable, for the sandbox user)."""
    workdir.chmod(0o755)
    for file in submission.files:
        target = workdir / file.path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        shutil.copyfile(submission.root / file.path, target, follow_symlinks=False)
        target.chmod(0o644)


def _child_environment(home: str, tmp: str, threads: int) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{tmp}/mpl", "TMPDIR": tmp,
        "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads), "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": runtime().python,
        # what the run must import as "not installed" (grader.sandbox.unavailable)
        "LABGRADE_HIDDEN": os.pathsep.join(hidden_in_view()),
        **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_") and k not in (
            "OPENBLAS_NUM_THREADS",)},
    }


def _zygote_environment(threads: int) -> dict[str, str]:
    """The warm parent's environment: nothing about any run or student."""
    home = cache_dir() / "zygote"
    (home / "mpl").mkdir(parents=True, exist_ok=True)
    return {**_child_environment(str(home), str(home), threads),
            "MPLCONFIGDIR": matplotlib_cache() or str(home / "mpl")}


def prestart_warm(threads: int = 1) -> None:
    """Start this process's warm parent now, so its imports overlap with the grader's own."""
    warm.prestart(_zygote_environment(threads))


def open_warm_door(threads: int = 1) -> tuple[dict[str, str], socket.socket, int] | None:
    """Start this process's warm parent for a pool of workers to share: its environment,
    door and pid (see :func:`grader.warm.use_door`), or None if it cannot start."""
    env = _zygote_environment(threads)
    door = warm.open_door(env)
    return None if door is None else (env, *door)


def matplotlib_cache() -> str | None:
    """A folder holding matplotlib's font list, built once, copied into each sandbox.

    Without it every run rebuilds the font cache (a few tenths of a second) because the
    sandbox's config dir starts empty. It lives in :func:`cache_dir` as it is now.
    """
    return _matplotlib_cache(cache_dir())


@functools.lru_cache(maxsize=8)
def _matplotlib_cache(cache: Path) -> str | None:
    try:
        from importlib.metadata import version  # noqa: PLC0415

        folder = cache / f"matplotlib-{version('matplotlib')}"
    except Exception:  # noqa: BLE001 - no matplotlib: nothing to warm
        return None
    if not any(folder.glob("fontlist-*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       env={**os.environ, "MPLCONFIGDIR": str(folder)}, capture_output=True)
    return str(folder) if any(folder.glob("fontlist-*.json")) else None


class SandboxSession:
    """One child process running one submission; use as a context manager."""

    def __init__(self, submission: Submission, *, seed: int, threads: int = 1,
                 limits: Limits | None = None, support: Support | None = None) -> None:
        self.submission = submission
        self.seed, self.threads = seed, threads
        self.limits = limits or Limits()
        self.support = support or detect()
        self._cgroup: Cgroup | None = None
        self.record = RunRecord()
        self._probe_id = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._tmp = make_owned_folder()  # marked as ours: removed if this process dies first
        self._status_read: int | None = None
        self._status_write: int | None = None
        self._reaper_report: dict[str, Any] | None = None
        self._children_cpu_at_start = 0.0
        self._notes: list[str] = []  # how the run was started, when not as asked
        # The submission's one time budget (limits.timeout): its run, then every probe's wait.
        self._time_used = 0.0

    def __enter__(self) -> SandboxSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- running ---------------------------------------------------------------------------
    def run(self) -> RunRecord:
        """Execute every unit, collecting cells, figures and the inventory (or why not)."""
        copy = self._tmp / "submission"
        copy.mkdir()
        copy_submission(self.submission, copy)
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        command = [sys.executable, "-s", "-m", "grader.sandbox", str(request_read),
                   str(response_write)]
        if self.support.warm:
            self._warm_or_cold()
        sandboxed = self.support.bwrap is not None and not self.support.warm
        pass_fds = [request_read, response_write]
        if sandboxed:
            fonts = matplotlib_cache()
            env = {**_child_environment(WORK_MOUNT, "/tmp", self.threads),
                   "LABGRADE_SUBMISSION": SUBMISSION_MOUNT, "PYTHONPATH": RUNTIME_MOUNT,
                   **({"LABGRADE_MPL_SEED": MPL_SEED_MOUNT} if fonts else {})}
            seccomp = filter_file(sockets=False) if seccomp_supported() else None
            command = bwrap_command(self.support, command, submission=copy,
                                    work_size=self.limits.disk, tmp_size=self.limits.tmp, env=env,
                                    extra_ro_binds=[(fonts, MPL_SEED_MOUNT)] if fonts else [],
                                    seccomp_fd=seccomp)
            pass_fds += [seccomp] if seccomp is not None else []
            env, cwd = {}, self._tmp
        elif not self.support.warm:
            command, env = self._reaper_command(command, copy)
            pass_fds.append(self._status_write)
            cwd = copy
        if self.support.cgroup_version is not None:
            self._cgroup = Cgroup(self.support.cgroup_version, self.limits.memory, self.limits.pids,
                                  cpus=self.threads)
            if self.support.cgroup_cpu and not self._cgroup.cpu_share:
                self._notes.append("the kernel refused this run a CPU share of its own (cpu "
                                   "cgroup): runs beside it with many processes could slow it")
        started = time.monotonic()
        self._children_cpu_at_start = children_cpu_seconds()
        if self.support.warm:
            self._process = self._spawn_warm(copy, request_read, response_write)
        else:
            self._process = subprocess.Popen(
                command, cwd=cwd, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=pass_fds, start_new_session=True,
                preexec_fn=functools.partial(_limit_child, self.limits,  # noqa: PLW1509
                                             self._cgroup, not sandboxed))
            os.close(request_read)
            os.close(response_write)
        if self._status_write is not None:
            os.close(self._status_write)
            self._status_write = None
        if sandboxed and seccomp is not None:
            os.close(seccomp)  # bubblewrap holds its own copy
        self._requests = os.fdopen(request_write, "wb", buffering=0)
        self._reader = _FrameReader(os.fdopen(response_read, "rb", buffering=0))
        self._asked = False  # whether the reader was let read a frame not yet taken
        self._frame = protocol.Frame({}, 0, 0)  # the last one taken
        self._kept = {"figure bytes": 0, "figures dropped": 0, "trace bytes": 0, "trace values": 0,
                      "traceback chars": 0}
        self._reader.start()
        self._drains = [_OutputDrain(self._process.stdout, self.limits.output),
                        _OutputDrain(self._process.stderr, self.limits.output)]
        for drain in self._drains:
            drain.start()
        # until the worker's hello says what it observed
        self.record.protections = self.support.protections(network_isolated=False)
        self._collect(started + self.limits.timeout)
        self._time_used = time.monotonic() - started
        self.record.seconds = round(self._time_used, 3)
        return self.record

    def _warm_or_cold(self) -> None:
        """Start (or reuse) the warm parent; if it cannot start, run cold and say why."""
        try:
            warm.zygote(_zygote_environment(self.threads))
        except warm.WarmStartError as exc:
            self.support = warm.cold_fallback(self.support, str(exc))
            self._notes.append(f"warm start failed ({exc}): this run started cold")

    def _reaper_command(self, command: list[str], copy: Path) -> tuple[list[str], dict[str, str]]:
        """Without bubblewrap: the worker runs under :mod:`grader.reaper`, confined to its folders."""
        config, env = self._reaper_config(copy)
        # -P: not the submission's folder (the reaper's cwd) first on sys.path
        reaper = [sys.executable, "-s", "-P", "-m", "grader.reaper", json.dumps(config),
                  str(self._status_write), "--"]
        return reaper + command, env

    def _reaper_config(self, copy: Path) -> tuple[dict[str, Any], dict[str, str]]:
        """The reaper's settings (folders, confinement, disk) and the worker's environment."""
        scratch = self._tmp / "scratch"
        (scratch / "mpl").mkdir(parents=True)
        # PYTHONPATH is the runtime folder, the sandbox side alone (grader.runtime): Landlock
        # keeps the checkout and labgrade's entries in the installation unreadable.
        env = _child_environment(str(copy), str(scratch), self.threads)
        fonts = matplotlib_cache()
        if fonts:
            env["LABGRADE_MPL_SEED"] = fonts
        read_only = existing(["/usr", "/bin", "/lib", "/lib64", "/sbin", *python_roots(),
                              runtime().root, fonts or "", "/proc/self",
                              "/sys/devices/system/cpu"])
        config = {"grader_pid": os.getpid(), "landlock": self.support.landlock,
                  "seccomp": self.support.seccomp, "read_only": read_only,
                  "writable": [str(copy), str(scratch)],
                  "read_only_files": existing(["/dev/null", "/dev/zero", "/dev/urandom",
                                               "/dev/random", "/proc/cpuinfo", "/proc/meminfo"]),
                  "disk_bytes": self.limits.disk + self.limits.tmp, "disk_files": DISK_FILES,
                  # labgrade's own entries in the installation: covered (warm) or carved out
                  "hidden": list(hidden_in_view()), "stage": runtime().stage}
        self._status_read, self._status_write = os.pipe()
        return config, env

    def _spawn_warm(self, copy: Path, request_read: int, response_write: int) -> ForkedRun:
        """Fork the run from the warm zygote (see :mod:`grader.zygote`)."""
        config, env = self._reaper_config(copy)
        config.update(cwd=str(copy), env=env, network=True,
                      rlimits=rlimits(self.limits, self._cgroup),
                      cgroup_procs=self._cgroup.procs_files if self._cgroup else [],
                      sandbox_uid=None,
                      # each folder becomes a tmpfs of this size in the run (as in bubblewrap)
                      tmpfs_sizes=dict(zip(config["writable"], (self.limits.disk, self.limits.tmp))))
        if self.support.warm_uid and os.geteuid() == 0:
            config["sandbox_uid"] = SANDBOX_UID
            for folder in config["writable"]:
                _give_to(Path(folder), SANDBOX_UID)
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        status_read, status_write = self._status_read, self._status_write
        self._status_read = self._status_write = None  # the ForkedRun reads the status
        return warm.spawn(_zygote_environment(self.threads), config,
                          [request_read, response_write, stdout_write, stderr_write, status_write],
                          stdout_read, stderr_read, status_read)

    def _read_reaper_report(self) -> dict[str, Any] | None:
        """The reaper's one-line status, once it has exited (None without a reaper)."""
        if isinstance(self._process, ForkedRun):
            return self._process.report
        if self._status_read is None:
            return self._reaper_report
        with os.fdopen(self._status_read, "rb") as handle:
            line = handle.read(65536)
        self._status_read = None
        try:
            report = json.loads(line)
            self._reaper_report = report if isinstance(report, dict) else None
        except ValueError:
            self._reaper_report = None
        return self._reaper_report

    def _reaper_events(self) -> list[str]:
        report = self._read_reaper_report() or {}
        events = []
        if report.get("leftovers_killed"):
            events.append(f"{report['leftovers_killed']} process(es) the submission left running "
                          "were stopped when its run ended")
        if report.get("disk_exceeded") and self.record.ending != "disk":
            events.append(f"the run's folders held {report.get('disk_used', 0) / 1024**2:.0f} MiB "
                          f"in {report.get('disk_entries', 0)} entries, over the limit of "
                          f"{self.limits.disk / 1024**2:.0f} MiB: the run was stopped there")
        return events

    def _send(self, message: dict[str, Any]) -> bool:
        """Send the grader's own message; False if the child closed its input."""
        try:
            frame = protocol.encode_message(message)
        except (protocol.ProtocolError, ValueError) as exc:
            raise GraderFault(f"the grader could not send its {message['type']} message to the "
                              f"sandbox ({exc}): a limit of the grader's, not a fault of the "
                              "submission") from None
        try:
            self._requests.write(frame)
            return True
        except (BrokenPipeError, OSError):
            return False

    def _next(self, deadline: float) -> dict[str, Any] | Exception | None:
        """The child's next message: None once it closed the channel, an exception for a bad
        frame; TimeoutError past ``deadline``, even while messages keep coming."""
        if time.monotonic() >= deadline:
            raise TimeoutError
        if not self._asked:
            self._reader.ask()
            self._asked = True
        try:
            item = self._reader.queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None
        self._asked = False
        if isinstance(item, GraderFault):
            raise item
        if isinstance(item, protocol.Frame):
            self._frame = item
            return item.message
        return item

    def _collect(self, deadline: float) -> None:
        units = [{"name": u.name, "path": u.name, "cells": [
            {"number": c.number, "source": c.source, "first_line": c.first_line,
             "refused": c.refused} for c in u.cells]} for u in self.submission.units]
        self._unreported = {(u.name, c.number) for u in self.submission.units for c in u.cells}
        self._traced: set[tuple[str, str]] = set()
        first = True
        while True:
            try:
                message = self._next(deadline)
            except TimeoutError:
                self._end_at_time_limit()
                return
            if message is None or isinstance(message, Exception):
                self._finish_without_inventory(message)
                return
            kind = message["type"]
            try:
                if first:
                    protocol.expect(message, {"protocol": "int", "network_isolated": "bool",
                                              "pid_namespace": "bool", "uid": "int"})
                    self.record.protections = self.support.protections(
                        message["network_isolated"], message["pid_namespace"], message["uid"] != 0)
                    first = False
                    self._send({"type": "run", "units": units, "seed": self.seed,
                                "threads": self.threads})
                elif kind == "cell":
                    self._accept_cell(protocol.expect(message, CELL_SCHEMA))
                elif kind == "figure":
                    self._accept_figure(protocol.expect(message, {"unit": "str", "cell": "int",
                                                                  "png": "str"}))
                elif kind in ("trace", "loops"):
                    self._accept_trace(kind, message)
                elif kind == "inventory":
                    self.record.inventory = protocol.expect(message, {"units": "list"})["units"]
                    self.record.ending = "finished"
                    self._reader.max_bytes = MAX_PROBE_FRAME_BYTES  # the reader waits: no race
                    return
                else:
                    raise protocol.ProtocolError(f"unexpected {protocol.shown(kind)!r} message")
            except protocol.ProtocolError as exc:
                self._end("protocol", f"the submission's process sent invalid data ({exc})")
                return

    def _known_unit(self, kind: str, unit: Any) -> str:
        if unit not in {u.name for u in self.submission.units}:
            raise protocol.ProtocolError(f"a {kind} message for {protocol.shown(unit)!r}, which is "
                                         "not a file of the submission")
        return unit

    def _accept_cell(self, cell: dict[str, Any]) -> None:
        """Keep one cell's report: each cell once, its texts cut to the grader's limits."""
        key = (self._known_unit("cell", cell["unit"]), cell["number"])
        if key not in self._unreported:
            raise protocol.ProtocolError(f"a second report of cell {cell['number']} of {key[0]!r}, "
                                         "or of a cell it does not have")
        self._unreported.remove(key)
        if cell["error"] is not None:
            cell["error"] = cut(cell["error"], MAX_ERROR_CHARS)
        if cell["traceback"] is not None:
            room = max(0, MAX_TRACEBACKS_CHARS - self._kept["traceback chars"])
            cell["traceback"] = cut(cell["traceback"], min(MAX_TRACEBACK_CHARS, room),
                                    keep_end=True)
            self._kept["traceback chars"] += len(cell["traceback"])
        self.record.cells.append(cell)

    def _accept_figure(self, message: dict[str, Any]) -> None:
        self._known_unit("figure", message["unit"])
        if len(self.record.figures) >= MAX_FIGURES or \
                self._kept["figure bytes"] + len(message["png"]) * 3 // 4 > MAX_FIGURES_BYTES:
            self._kept["figures dropped"] += 1
            return
        try:
            png = base64.b64decode(message["png"], validate=True)
        except ValueError:
            raise protocol.ProtocolError("figure is not base64") from None
        if not png.startswith(PNG_SIGNATURE) or len(png) > protocol.MAX_FIGURE_BYTES:
            raise protocol.ProtocolError("figure is not a PNG of acceptable size")
        self._kept["figure bytes"] += len(png)
        self.record.figures.append({"unit": message["unit"], "cell": message["cell"], "png": png})

    def _accept_trace(self, kind: str, message: dict[str, Any]) -> None:
        """One unit's training trace or loop trace, once, while the run's traces fit the limits."""
        unit = self._known_unit(kind, message.get("unit"))
        if (kind, unit) in self._traced:
            raise protocol.ProtocolError(f"a second {kind} message for {unit!r}")
        self._traced.add((kind, unit))
        what = "training trace" if kind == "trace" else "loop trace"
        bytes_, values = self._kept["trace bytes"] + self._frame.size, \
            self._kept["trace values"] + self._frame.values
        if bytes_ > MAX_TRACES_BYTES or values > MAX_TRACES_VALUES:
            self.record.supervisor_events.append(
                f"the {what} of {unit} was not kept: with it the run's traces would pass the "
                f"grader's limit of {MAX_TRACES_BYTES // 1024**2} MiB or "
                f"{MAX_TRACES_VALUES} values")
            return
        self._kept["trace bytes"], self._kept["trace values"] = bytes_, values
        if kind == "trace":
            self.record.traces[unit] = parse_trace(message)
            return
        try:  # an optional observation: a bad one is dropped, the run goes on
            self.record.loops[unit] = parse_loops(message)
        except protocol.ProtocolError as exc:
            self.record.supervisor_events.append(f"the loop trace of {unit} was refused ({exc})")

    def _limit_events(self) -> list[str]:
        """What the grader did not keep of what the run sent, in words."""
        dropped = self._kept["figures dropped"]
        if not dropped:
            return []
        return [f"{dropped} figure(s) were not kept: the grader keeps at most {MAX_FIGURES} "
                f"figures and {MAX_FIGURES_BYTES // 1024**2} MiB of them per run"]

    def _finish_without_inventory(self, problem: Exception | None) -> None:
        if isinstance(problem, Exception):
            self._end("protocol", f"the submission's process sent invalid data ({problem})")
            return
        code = self._process.wait() if self._process else None
        number = self._signal_of(code)
        reaper = self._read_reaper_report() if self._process else None
        if reaper and reaper.get("disk_exceeded"):
            self._end("disk", f"the run wrote more than the disk limit of {self.limits.disk / 1024**2:.0f} MiB "
                      "into its folders and was stopped")
        elif self._cgroup is not None and self._cgroup.oom_killed():
            self._end("memory", f"the run used more memory than the limit of "
                      f"{self.limits.memory / 1024**3:.3g} GiB and was stopped")
        elif number is not None:
            if number == signal.SIGXCPU or (number == signal.SIGKILL and self._cpu_exhausted()):
                self._end("cpu_limit", f"the run used more than {self.limits.cpu:g} s of CPU time")
            elif number == signal.SIGKILL:
                self._end("killed", "the process was killed (most often: out of memory)")
            else:
                self._end("crashed", f"the Python process crashed ({signal.Signals(number).name})")
        else:
            self._end("exited", f"the submission ended the Python process itself (exit code {code}) "
                      "before the grader could inspect its results")

    def _signal_of(self, code: int | None) -> int | None:
        """The signal that ended the child; through bwrap a signal shows as exit code 128+N."""
        if code is None:
            return None
        if code < 0:
            return -code
        if 128 < code < 128 + 65:  # bubblewrap and the reaper both report signal N so
            return code - 128
        return None

    def _cpu_exhausted(self) -> bool:
        """Whether the whole run used its CPU budget: counted by its cgroup, else by the
        reaper, else (bubblewrap without a cgroup) from our reaped children since the start."""
        used = self._cgroup.cpu_seconds() if self._cgroup is not None else None
        if used is None:
            used = (self._read_reaper_report() or {}).get("cpu_seconds")
        if not isinstance(used, (int, float)):
            used = children_cpu_seconds() - self._children_cpu_at_start
        return used >= self.limits.cpu

    def _end_at_time_limit(self) -> None:
        """A timeout, unless the run was stuck at its memory limit (then it ran out of memory)."""
        if self._cgroup is not None and self._cgroup.stuck_at_memory_limit(self.limits.memory):
            self._end("memory", f"the run used up its memory limit of "
                      f"{self.limits.memory / 1024**3:.3g} GiB and was still stuck there (the "
                      f"system reclaiming memory) when the time limit of "
                      f"{self.limits.timeout:g} s passed")
            return
        self._end("timeout", f"the run exceeded the time limit of {self.limits.timeout:g} s")

    def _end(self, ending: str, detail: str) -> None:
        self.record.ending, self.record.ending_detail = ending, cut(detail, MAX_DETAIL_CHARS)
        self._kill()

    # --- probing ---------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.record.ending == "finished" and self._process is not None \
            and self._process.poll() is None

    @property
    def time_used(self) -> float:
        """Seconds the submission's code has had: its run, then the grader's probes."""
        return self._time_used

    @property
    def time_left(self) -> float:
        """Seconds left of the submission's budget (``limits.timeout``) for the grader's probes."""
        return max(0.0, self.limits.timeout - self._time_used)

    def _out_of_time(self) -> str:
        return (f"the submission used up its time limit of {self.limits.timeout:g} s (its run "
                "and the grader's calls of its code together)")

    def probe(self, op: str, target: dict[str, str], *, seed: int = 0, **payload: Any) -> Any:
        """Ask the child to evaluate something; returns its raw answer or raises ProbeError.

        Each probe may take ``limits.probe_timeout`` seconds, and all of them together what
        the run left of ``limits.timeout``: past that the child is stopped and every later
        probe fails saying the submission used its time."""
        if self.alive and self.time_left <= 0.0:
            self._end("timeout", self._out_of_time())
        if not self.alive:
            raise ProbeError("the submission's process is no longer running: "
                             f"{self.record.ending_detail or self.record.ending}")
        self._probe_id += 1
        if not self._send({"type": "probe", "id": self._probe_id, "op": op, "target": target,
                           "seed": seed, **payload}):
            raise ProbeError("the submission's process closed its input")
        wait = min(self.limits.probe_timeout, self.time_left)
        asked = time.monotonic()
        try:
            reply = self._next(asked + wait)
        except TimeoutError:
            self._time_used += wait
            if wait < self.limits.probe_timeout:
                self._end("timeout", self._out_of_time())
                raise ProbeError(self._out_of_time()) from None
            self._end("timeout", f"a probe took longer than {self.limits.probe_timeout:g} s")
            raise ProbeError("the code did not answer within the time limit") from None
        self._time_used += time.monotonic() - asked
        if reply is None or isinstance(reply, Exception):
            self._finish_without_inventory(reply)
            raise ProbeError(f"the submission's process stopped: {self.record.ending_detail}")
        try:
            protocol.expect(reply, {"id": "int", "ok": "bool", "value": "dict|None",
                                    "error": "str|None"})
            if reply["id"] != self._probe_id:
                raise protocol.ProtocolError("reply to the wrong probe")
        except protocol.ProtocolError as exc:
            self._end("protocol", f"the submission's process sent invalid data ({exc})")
            raise ProbeError(self.record.ending_detail) from None
        if not reply["ok"]:
            raise ProbeError(cut(reply["error"], MAX_ERROR_CHARS) if reply["error"]
                             else "the probe failed")
        return reply["value"]

    # --- ending ----------------------------------------------------------------------------
    def _kill(self) -> None:
        if self._process is None:
            return
        if self.support.uses_reaper and self._process.poll() is None:
            # The reaper kills every descendant, including ones that left the process group.
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=REAPER_GRACE)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._cgroup is not None:
            self._cgroup.kill_all()
        self._process.wait()

    def close(self) -> None:
        """End the child (politely, then by force), collect its output, remove the work dir."""
        if self._process is not None:
            if self._process.poll() is None:
                self._send({"type": "exit"})
                try:
                    self._process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            self._kill()
            for drain in self._drains:
                drain.join(timeout=2)
            self.record.stdout, self.record.stderr = (d.text() for d in self._drains)
            self.record.output_truncated = any(d.truncated for d in self._drains)
            self._requests.close()
            self._reader.stop()
            self.record.supervisor_events = (self._notes + self.record.supervisor_events
                                             + self._limit_events() + self._reaper_events())
        if self._cgroup is not None:
            self.record.peak_memory = self._cgroup.peak_memory()
            self._cgroup.remove()
        shutil.rmtree(self._tmp, ignore_errors=True)
