"""What this machine can do to contain a submission, and the means to do it.

Two mechanisms beyond a plain child process with rlimits:

* **bubblewrap**: new mount, pid, network, ipc and uts namespaces; a filesystem view of
  only ``/usr``, the Python installation (labgrade's own entries covered with empty ones),
  the sandbox side of the grader (:mod:`grader.runtime`) and the submission (all
  read-only), a size-limited writable ``/work`` and private ``/tmp``. When the grader runs
  as root, bwrap sets the namespaces up and ``setpriv`` then drops to a dedicated
  unprivileged uid with no capabilities; otherwise bwrap maps the caller's uid into a user
  namespace with further user namespaces disabled. Either way bwrap installs the seccomp
  filter of :mod:`grader.confine` (no keyrings, user namespaces, perf events or io_uring).
* **cgroups** (v1 or v2): a memory limit that OOM-kills and a pids limit that stops fork
  bombs (``RLIMIT_NPROC`` does nothing for root), a way to kill every process the
  submission started, wherever it went, and a CPU share of its own (see :class:`Cgroup`).
  Without the cpu controller (or without cgroups) the scheduler shares the CPU among
  processes and sessions, not runs: a run with many spinning processes slows the runs
  beside it. What holds then is each process's CPU-time rlimit and each run's wall-clock
  timeout, after which everything the run started is killed, so a hostile neighbour slows
  an honest run for at most its own timeout (``cpu_share`` is reported missing).

Without bubblewrap the *degraded mode* runs the child under :mod:`grader.reaper`, which
confines it with :mod:`grader.confine` (Landlock, seccomp, no capabilities) where the kernel
allows. Warm runs (:mod:`grader.zygote`) use the same reaper and confinement inside their own
pid, mount and network namespaces, as the sandbox uid when root: :func:`warm_support` probes
what of that works here. :func:`detect` probes the rest once. What is missing is reported,
never silently skipped.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import grader
from grader import scratch
from grader.confine import filter_file, landlock_abi, seccomp_supported
from grader.runtime import RUNTIME_MOUNT, hidden_paths, runtime

CGROUP_ROOT = Path("/sys/fs/cgroup")
SANDBOX_UID = int(os.environ.get("LABGRADE_SANDBOX_UID", "65534"))
WORK_MOUNT = "/home/student"
SUBMISSION_MOUNT = "/labgrade-submission"
MPL_SEED_MOUNT = "/labgrade-matplotlib"
PROTECTIONS = ("own_process", "resource_limits", "no_network", "filesystem_isolation",
               "pid_namespace", "process_cleanup", "signal_isolation", "unprivileged_user",
               "no_capabilities", "memory_cgroup", "pids_cgroup", "cpu_share", "disk_quota")
LANDLOCK_SIGNAL_SCOPE_ABI = 6
WARM_NOTE = "warm start: "  # opens the part of Support.reason that describes warm runs


class IsolationUnavailable(Exception):
    """Full isolation was required but this machine cannot provide it."""


@dataclass(frozen=True)
class Support:
    """The isolation this machine offers (probed once per grader process)."""

    bwrap: str | None
    setpriv: str | None
    cgroup_version: int | None  # 1, 2 or None
    reason: str  # why something is missing, in words
    landlock: int = 0  # Landlock ABI the degraded mode applies (0: none)
    seccomp: bool = False  # the degraded mode's socket filter works here
    warm: bool = False  # fork runs from a warm parent (grader.zygote) instead of a new interpreter
    warm_namespaces: bool = False  # a warm run gets its own pid namespace and /proc here
    warm_uid: bool = False  # a warm worker can drop to SANDBOX_UID (root only, grader.unprivileged)
    cgroup_cpu: bool = True  # the cgroups include the cpu controller: each run its CPU share

    @property
    def root(self) -> bool:
        return os.geteuid() == 0

    @property
    def uses_reaper(self) -> bool:
        """Without bubblewrap (or warm), :mod:`grader.reaper` supervises and confines the worker."""
        return self.bwrap is None or self.warm

    def protections(self, network_isolated: bool, pid_isolated: bool = False,
                    uid_dropped: bool = False) -> dict[str, bool]:
        """Which protections a run gets; ``network_isolated``, ``pid_isolated`` (its own pid
        namespace and /proc) and ``uid_dropped`` (not uid 0) are what the child observed;
        the last two count for warm runs."""
        full = self.bwrap is not None and not self.warm
        own_pids = full or (self.warm and self.warm_namespaces and pid_isolated)
        own_uid = self.warm and self.warm_namespaces and self.warm_uid and uid_dropped
        cgroup = self.cgroup_version is not None
        signals_scoped = full or self.landlock >= LANDLOCK_SIGNAL_SCOPE_ABI
        return {"own_process": True, "resource_limits": True, "no_network": network_isolated,
                "filesystem_isolation": full or self.landlock >= 1,
                "pid_namespace": own_pids,
                # the reaper cleans up too, unless the submission can signal it away
                "process_cleanup": own_pids or cgroup or signals_scoped,
                "signal_isolation": signals_scoped,
                "unprivileged_user": (full and self.setpriv is not None) or not self.root
                                     or own_uid,
                "no_capabilities": not self.root or not full or self.setpriv is not None,
                "memory_cgroup": cgroup, "pids_cgroup": cgroup,
                "cpu_share": cgroup and self.cgroup_cpu,  # see Cgroup
                "disk_quota": True}  # a size-limited tmpfs, or the reaper's polling

    def missing(self) -> list[str]:
        return [name for name, ok in self.protections(True, True, True).items() if not ok]


def python_roots() -> list[str]:
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(roots)


def package_root() -> str:
    """The folder holding the ``grader`` package (never in the sandbox's view: the child
    imports the copy of its own side in :func:`grader.runtime.runtime`)."""
    return str(Path(grader.__file__).resolve().parent)


def hidden_in_view() -> tuple[str, ...]:
    """Labgrade's own entries in the installation the sandbox sees (``/usr`` and the Python
    roots): covered in its view, or left unreadable by Landlock (:mod:`grader.runtime`)."""
    return hidden_paths(tuple(sorted({"/usr", *python_roots()})))


def bwrap_command(support: Support, command: list[str], *, submission: Path, work_size: int,
                  tmp_size: int, env: dict[str, str],
                  extra_ro_binds: list[tuple[str, str]] | None = None,
                  seccomp_fd: int | None = None) -> list[str]:
    """The full argv that runs ``command`` inside bubblewrap (see the module docstring).

    ``seccomp_fd`` (:func:`grader.confine.filter_file`, passed to bwrap) holds the filter
    bwrap installs just before it executes ``command``.
    """
    assert support.bwrap is not None
    argv = [support.bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
            "--hostname", "sandbox"]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    drop_to_uid = support.root and support.setpriv is not None
    if not drop_to_uid:
        # Not root: a user namespace maps our own uid; no further namespaces inside.
        argv += ["--unshare-user", "--disable-userns", "--uid", str(os.geteuid()),
                 "--gid", str(os.getegid())]
    # Writable scratch first: binds below may sit inside /tmp (a checkout in /tmp) and must
    # land on top of the tmpfs, not under it.
    argv += ["--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(work_size), "--tmpfs", WORK_MOUNT,
             "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        link = Path("/") / name
        if link.is_symlink():
            argv += ["--symlink", os.readlink(link), f"/{name}"]
        elif link.is_dir():
            argv += ["--ro-bind", str(link), f"/{name}"]
    binds = [root for root in python_roots() if not root.startswith("/usr/")]
    # Folders above each bind are created world-readable: the sandbox user must traverse
    # them, and Python lists the folder on PYTHONPATH (bwrap would copy /root's 0700).
    parents = sorted({str(p) for bind in binds for p in Path(bind).parents if str(p) != "/"},
                     key=lambda p: p.count("/"))
    for parent in parents:
        argv += ["--perms", "0755", "--dir", parent]
    for bind in binds:
        argv += ["--ro-bind", bind, bind]
    own = runtime()  # the sandbox side of the grader alone; labgrade's own files covered
    argv += ["--ro-bind", own.python, RUNTIME_MOUNT]
    for path in hidden_in_view():
        empty = own.empty_dir if os.path.isdir(path) and not os.path.islink(path) else own.empty_file
        argv += ["--ro-bind", empty, path]
    for host, inside in extra_ro_binds or []:
        argv += ["--ro-bind", host, inside]
    argv += ["--ro-bind", str(submission), SUBMISSION_MOUNT, "--proc", "/proc", "--dev", "/dev",
             "--chdir", WORK_MOUNT, "--remount-ro", "/"]
    for key, value in sorted(env.items()):
        argv += ["--setenv", key, value]
    if drop_to_uid:
        argv += [support.setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}",
                 "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return argv + command


def _bwrap_works(bwrap: str, setpriv: str | None) -> str:
    """'' when a trivial sandbox starts here (with the seccomp filter, where this
    architecture has one), else bwrap's complaint."""
    support = Support(bwrap, setpriv, None, "")
    probe = Path("/tmp") / f"labgrade-probe-{uuid.uuid4().hex}"
    probe.mkdir()
    seccomp = filter_file(sockets=False) if seccomp_supported() else None
    try:
        argv = bwrap_command(support, [sys.executable, "-s", "-P", "-c", "import grader.protocol"],
                             submission=probe, work_size=1 << 20, tmp_size=1 << 20,
                             env={"PATH": "/usr/bin", "PYTHONPATH": RUNTIME_MOUNT},
                             seccomp_fd=seccomp)
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False,
                              pass_fds=[seccomp] if seccomp is not None else [])
        return "" if done.returncode == 0 else done.stderr.decode(errors="replace").strip()[:300]
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    finally:
        probe.rmdir()
        if seccomp is not None:
            os.close(seccomp)


def _cgroup_version() -> int | None:
    if os.geteuid() != 0:
        return None
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        controllers = (CGROUP_ROOT / "cgroup.controllers").read_text().split()
        return 2 if {"memory", "pids"} <= set(controllers) else None
    if all(os.access(CGROUP_ROOT / c / "cgroup.procs", os.W_OK) for c in ("memory", "pids")):
        return 1
    return None


def _cgroup_cpu(version: int) -> bool:
    """Whether runs can have a cgroup of the cpu controller (see :class:`Cgroup`)."""
    if version == 2:
        try:
            return "cpu" in (CGROUP_ROOT / "cgroup.controllers").read_text().split()
        except OSError:
            return False
    return (CGROUP_ROOT / "cpu" / "cpu.shares").exists() \
        and os.access(CGROUP_ROOT / "cpu" / "cgroup.procs", os.W_OK)


def self_confinement() -> tuple[int, bool, str]:
    """Landlock ABI and seccomp as a trial child could apply them ('' or the complaint)."""
    abi = landlock_abi()
    trial = ("import sys; from grader.confine import Confinement, confine; "
             f"confine(Confinement(read_only=(sys.prefix,), writable=()), landlock={abi}, "
             f"seccomp={seccomp_supported()})")
    try:
        done = subprocess.run([sys.executable, "-s", "-P", "-c", trial], capture_output=True, timeout=30,
                              check=False, env={**os.environ, "PYTHONPATH": runtime().python})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 0, False, str(exc)
    if done.returncode != 0:
        return 0, False, done.stderr.decode(errors="replace").strip().splitlines()[-1][:300]
    return abi, seccomp_supported(), ""


@functools.lru_cache(maxsize=1)
def detect() -> Support:
    """Probe bubblewrap, setpriv, cgroups and self-confinement once.

    ``LABGRADE_NO_BWRAP=1`` turns bwrap off (degraded mode, as on a machine without it).
    """
    reasons = []
    bwrap = None if os.environ.get("LABGRADE_NO_BWRAP") else shutil.which("bwrap")
    setpriv = shutil.which("setpriv") if os.geteuid() == 0 else None
    if bwrap is None:
        reasons.append("bubblewrap is not installed (or LABGRADE_NO_BWRAP is set)")
    else:
        problem = _bwrap_works(bwrap, setpriv)
        if problem:
            reasons.append(f"bubblewrap cannot start a sandbox here: {problem}")
            bwrap = None
    version = _cgroup_version()
    if version is not None:  # what graders killed before left: their cgroups, their folders
        remove_stale_cgroups(version)
    scratch.remove_dead()
    if version is None:
        reasons.append("no writable cgroup with memory and pids controllers (needs root)")
    cpu = version is not None and _cgroup_cpu(version)
    if version is not None and not cpu:
        reasons.append("no cpu cgroup controller: runs share the CPU process by process, so "
                       "one with many processes slows the others (CPU rlimits and timeouts hold)")
    # Degraded and warm runs confine themselves: probe that whether or not bwrap works.
    landlock, seccomp, problem = self_confinement()
    if problem:
        reasons.append(f"a run cannot confine itself (Landlock/seccomp): {problem}")
    elif landlock < LANDLOCK_SIGNAL_SCOPE_ABI:
        reasons.append(f"Landlock ABI {landlock} (signal scoping needs ABI 6)")
    return Support(bwrap, setpriv, version, "; ".join(reasons), landlock, seccomp,
                   cgroup_cpu=cpu)


NAMESPACE_TRIAL = """
import os, sys
from grader.zygote import enter_namespaces, mount_proc
namespaces = enter_namespaces(True)
if not namespaces.pid or not namespaces.proc:
    sys.exit(3)
child = os.fork()
if child == 0:
    os._exit(0 if os.getpid() == 1 and mount_proc() and os.readlink("/proc/self") == "1" else 4)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
"""


@functools.lru_cache(maxsize=1)
def warm_namespaces() -> str:
    """'' when a warm run can have its own pid and mount namespaces and /proc, else why not.

    Tried in a throw-away process, exactly as :mod:`grader.zygote` does it.
    """
    problem = _trial(NAMESPACE_TRIAL)
    return f"no pid namespace with its own /proc can be created here ({problem})" if problem else ""


UID_TRIAL = """
import os, sys, sysconfig
from grader.zygote import enter_namespaces, mount_proc
from grader.unprivileged import drop_to, expose
uid, paths = int(sys.argv[1]), sys.argv[2:]
namespaces = enter_namespaces(False)
if not namespaces.pid or not namespaces.proc:
    sys.exit(3)
child = os.fork()
if child == 0:
    mount_proc()
    expose(paths, uid, uid)
    drop_to(uid, uid)
    os.listdir(sysconfig.get_paths()["purelib"])  # what a lazy import reads
    import email.mime.text  # noqa: F401 - a lazy import from the installation
    os._exit(0 if os.geteuid() == uid else 5)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
"""


def _trial(script: str, *args: str) -> str:
    """'' when ``script`` exits 0 in a fresh interpreter, else its complaint."""
    try:
        done = subprocess.run([sys.executable, "-s", "-P", "-c", script, *args], capture_output=True,
                              timeout=30, check=False,
                              env={**os.environ, "PYTHONPATH": runtime().python})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return ""
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else f"exit code {done.returncode}"


@functools.lru_cache(maxsize=1)
def warm_uid() -> str:
    """'' when a warm worker (grader as root) can run as SANDBOX_UID, else why not.

    The paths the worker reads are made reachable in its mount namespace
    (:mod:`grader.unprivileged`); tried in a throw-away process, as the zygote does it.
    """
    if os.geteuid() != 0:
        return "not root"
    problem = _trial(UID_TRIAL, str(SANDBOX_UID), *python_roots(), runtime().root)
    return f"the sandbox uid cannot reach the Python installation ({problem})" if problem else ""


def warm_support(support: Support) -> Support:
    """The same machine, running each submission forked from the warm parent (grader.zygote)."""
    problem = warm_namespaces()
    uid_problem = warm_uid() if os.geteuid() == 0 and not problem else ""
    lacks = [problem] if problem else []
    if os.geteuid() == 0 and (problem or uid_problem):
        lacks.append(f"no separate uid (the worker keeps uid 0, with no capability, inside "
                     f"Landlock{': ' + uid_problem if uid_problem else ''})")
    note = (WARM_NOTE + "each run is forked from a warm parent and confined by "
            + ("" if problem else "its own pid, mount and network namespaces, ")
            + ("the sandbox uid, " if os.geteuid() == 0 and not lacks else "")
            + "Landlock, seccomp, the reaper and the cgroup"
            + (f"; unlike a cold run in bubblewrap: {'; '.join(lacks)}" if lacks else ""))
    return dataclasses.replace(support, warm=True, warm_namespaces=not problem,
                               warm_uid=os.geteuid() == 0 and not problem and not uid_problem,
                               reason="; ".join(r for r in (support.reason, note) if r))


def _cgroup_parents(version: int) -> list[Path]:
    if version == 2:
        return [CGROUP_ROOT / "labgrade"]
    parents = [CGROUP_ROOT / c / "labgrade" for c in ("memory", "pids", "cpuacct", "cpu")]
    return list({os.path.realpath(p): p for p in parents}.values())  # cpu,cpuacct: once


def _enable_controllers_v2(parent: Path) -> bool:
    """Turn on memory, pids and, if the kernel lets us, cpu for the runs under ``parent``;
    whether cpu is on (the kernel refuses it, for one, while a real-time process sits in a
    cgroup below the root, and refuses a whole write that names it)."""
    folders = [CGROUP_ROOT / "cgroup.subtree_control", parent / "cgroup.subtree_control"]
    try:
        offered = (CGROUP_ROOT / "cgroup.controllers").read_text().split()
    except OSError:
        offered = []
    if "cpu" in offered and _write_all({folder: "+memory +pids +cpu" for folder in folders}):
        return True
    for folder in folders:
        folder.write_text("+memory +pids")
    return False


def _write_all(values: dict[Path, str]) -> bool:
    """Write each cgroup file; False (the rest unwritten) at the first the kernel refuses."""
    try:
        for path, value in values.items():
            path.write_text(value)
    except OSError:
        return False
    return True


def remove_stale_cgroups(version: int, killed_owners: Collection[int] = ()) -> None:
    """Remove the cgroups left by grader processes that were killed (the pid is in the name).

    Those of ``killed_owners`` (pids the caller saw die: its pool workers) are emptied
    first: what still runs there is a run nobody supervises any more. Any other's is only
    removed once empty, as a pid that is not running here may be another pid namespace's.
    """
    for parent in _cgroup_parents(version):
        for directory in parent.glob("labgrade-*") if parent.is_dir() else []:
            owner = directory.name.split("-")[1]
            if not owner.isdigit() or Path(f"/proc/{owner}").exists():
                continue
            for _ in range(25 if int(owner) in killed_owners else 1):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # still has processes
                    if int(owner) in killed_owners:
                        _kill_members(directory)
                        time.sleep(0.02)


def _kill_members(directory: Path) -> None:
    try:
        members = [int(pid) for pid in (directory / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return
    for pid in members:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


CPU_PERIOD_US = 100_000  # the scheduler period of a run's CPU quota
CPU_WEIGHT_V2, CPU_SHARES_V1 = 100, 1024  # every run alike (the kernel's defaults, made explicit)


class Cgroup:
    """One run's cgroup(s): memory and pids limits, a CPU share, membership, kill-all, OOM and
    CPU report.

    The CPU share (the ``cpu`` controller, where the kernel offers it): every run has the same
    weight (``cpu.weight`` in v2, ``cpu.shares`` in v1), so the scheduler divides the CPU
    between runs, not between their processes: 60 spinning processes of one run get what
    one honest process of another run gets. A quota (``cpu.max``, ``cpu.cfs_quota_us``) caps a
    run at ``cpus`` cores, the threads it was given, so N runs on N cores cannot crowd out
    the grader either. ``cpu_share`` says whether the run got this.
    """

    def __init__(self, version: int, memory: int, pids: int, cpus: int = 1) -> None:
        self.version = version
        name = f"labgrade-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.cpu_dir: Path | None = None  # where the run's CPU time is counted
        self.cpu_share = False  # the run has its own CPU weight and quota
        quota = str(max(1, cpus) * CPU_PERIOD_US)
        if version == 2:
            self.dirs = [CGROUP_ROOT / "labgrade" / name]
            parent = CGROUP_ROOT / "labgrade"
            parent.mkdir(exist_ok=True)
            cpu_enabled = _enable_controllers_v2(parent)
            self.dirs[0].mkdir()
            (self.dirs[0] / "memory.max").write_text(str(memory))
            if (self.dirs[0] / "memory.swap.max").exists():
                (self.dirs[0] / "memory.swap.max").write_text("0")
            (self.dirs[0] / "pids.max").write_text(str(pids))
            self.cpu_dir = self.dirs[0]  # cpu.stat exists even without the cpu controller
            if cpu_enabled:
                self.cpu_share = _write_all({self.dirs[0] / "cpu.weight": str(CPU_WEIGHT_V2),
                                             self.dirs[0] / "cpu.max": f"{quota} {CPU_PERIOD_US}"})
        else:
            self.dirs = [CGROUP_ROOT / "memory" / "labgrade" / name,
                         CGROUP_ROOT / "pids" / "labgrade" / name]
            for directory in self.dirs:
                directory.mkdir(parents=True)
            (self.dirs[0] / "memory.limit_in_bytes").write_text(str(memory))
            (self.dirs[1] / "pids.max").write_text(str(pids))
            # optional, each: CPU time (cpuacct) and the CPU share (cpu), often one hierarchy
            cpuacct = self._optional_v1("cpuacct", "cpuacct.usage", name)
            if cpuacct is not None:
                self.cpu_dir = cpuacct
            cpu = self._optional_v1("cpu", "cpu.shares", name)
            if cpu is not None:
                self.cpu_share = _write_all({cpu / "cpu.shares": str(CPU_SHARES_V1),
                                             cpu / "cpu.cfs_period_us": str(CPU_PERIOD_US),
                                             cpu / "cpu.cfs_quota_us": quota})
        self.procs_files = [str(d / "cgroup.procs") for d in self.dirs]

    def _optional_v1(self, controller: str, probe: str, name: str) -> Path | None:
        """This run's folder in a v1 hierarchy that may be missing (None then); a hierarchy
        mounted together with one already joined (``cpu,cpuacct``) is the same folder."""
        root = CGROUP_ROOT / controller
        if not (root / probe).exists():
            return None
        folder = root / "labgrade" / name
        if any(os.path.realpath(d) == os.path.realpath(folder) for d in self.dirs):
            return folder
        try:
            folder.mkdir(parents=True)
        except OSError:
            return None
        self.dirs.append(folder)
        return folder

    def join(self) -> None:
        """Move the calling process in (runs in the child before exec)."""
        for path in self.procs_files:
            with open(path, "w") as handle:
                handle.write(str(os.getpid()))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.procs_files:
            try:
                found |= {int(line) for line in Path(path).read_text().split()}
            except OSError:
                continue
        return found

    def kill_all(self) -> None:
        """SIGKILL every member, including ones that called setsid or double-forked."""
        if self.version == 2 and (self.dirs[0] / "cgroup.kill").exists():
            (self.dirs[0] / "cgroup.kill").write_text("1")
        for _ in range(50):
            members = self.pids()
            if not members:
                return
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def oom_killed(self) -> bool:
        try:
            if self.version == 2:
                events = (self.dirs[0] / "memory.events").read_text().split()
                return int(events[events.index("oom_kill") + 1]) > 0
            control = (self.dirs[0] / "memory.oom_control").read_text().split()
            return "oom_kill" in control and int(control[control.index("oom_kill") + 1]) > 0
        except (OSError, ValueError, IndexError):
            return False

    def stuck_at_memory_limit(self, limit: int) -> bool:
        """Whether the run has hit its memory limit and still holds (nearly) all of it.

        Without swap the kernel reclaims for a long time before its OOM killer acts (10-17 s
        of system time measured here, cgroup v1), so a run can reach its time limit while
        stuck at the memory limit: that run ran out of memory.
        """
        try:
            if self.version == 2:
                events = (self.dirs[0] / "memory.events").read_text().split()
                hit = int(events[events.index("max") + 1]) > 0
                usage = int((self.dirs[0] / "memory.current").read_text())
            else:
                hit = int((self.dirs[0] / "memory.failcnt").read_text()) > 0
                usage = int((self.dirs[0] / "memory.usage_in_bytes").read_text())
        except (OSError, ValueError, IndexError):
            return False
        return hit and usage >= 0.9 * limit

    def peak_memory(self) -> int | None:
        """The most memory the run's processes held at once, in bytes (None if unknown)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.dirs[0] / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def cpu_seconds(self) -> float | None:
        """CPU time used by all the run's processes so far (None if not measured)."""
        if self.cpu_dir is None:
            return None
        try:
            if self.version == 2:
                stat = (self.cpu_dir / "cpu.stat").read_text().split()
                return int(stat[stat.index("usage_usec") + 1]) / 1e6
            return int((self.cpu_dir / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def pids_exhausted(self) -> bool:
        directory = self.dirs[0] if self.version == 2 else self.dirs[1]
        try:
            events = (directory / "pids.events").read_text().split()
            return int(events[events.index("max") + 1]) > 0
        except (OSError, ValueError, IndexError):
            return False

    def remove(self) -> None:
        self.kill_all()
        for directory in self.dirs:
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
