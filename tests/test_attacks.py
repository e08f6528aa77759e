"""Hostile submissions (tests/attacks/*) graded through the real pipeline, in both modes.

Each mode grades every attack plus a few honest fixtures in ONE ``grade_paths`` call
(module-scoped fixture); the tests then check that the grader survived, that the result
says what happened, that no points were awarded for work not done, and that nothing
outside the sandbox was read, reached or changed.
"""

from __future__ import annotations

import ctypes
import dataclasses
import importlib.util
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

import grader
from grader.api import grade_paths
from grader import warm
from grader.confine import SECCOMP_ARCHES, seccomp_supported
from grader.isolation import (Support, detect, hidden_in_view, package_root, python_roots,
                              self_confinement, warm_namespaces, warm_support)
from grader.results import GradeResult
from grader.rubric import BUILTIN_DIR, load_rubric
from grader.runtime import runtime
from grader.secret import with_secret

HERE = Path(__file__).parent
ATTACKS = HERE / "attacks"
FIXTURES = HERE / "fixtures" / "submissions"
HONEST = ["xor_raw_py", "numpy_py", "toolbox_py"]  # toolbox_py: tqdm, pandas, seaborn, IPython
# Attacks with a test of their own, not graded in this module's batch: cpu_hog's 60 spinners
# take 120 CPU seconds from every submission beside them (tests/test_cpu_share.py grades an
# honest run next to it and compares the CPU each got).
OWN_TESTS = {"cpu_hog"}
MARKERS = ["LGMARK_forkbomb", "LGMARK_setsid", "LGMARK_setsid2", "LGMARK_flood"]
# Host-side paths the attacks aim at are per run (the attacks are graded as copies aimed at
# them), so two suites on one machine never create, delete or find each other's files.
RUN = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
SECRET_FILE = Path(f"/tmp/labgrade-secret-LGMARK-{RUN}.txt")
SECRET = "LGMARK-SECRET-7f3a9c1e"
VICTIM_DIR = Path(f"/tmp/labgrade-victim-LGMARK-{RUN}")
VICTIM_SECRET = "LGMARK-VICTIM-0b44e2d1"
UNIX_SOCK = Path(f"/tmp/labgrade-attack-LGMARK-{RUN}.sock")
PACKAGE_DIR = Path(grader.__file__).resolve().parent  # the grader package the sandbox imports
WRITE_TARGETS = [Path(f"/tmp/labgrade-attack-LGMARK-{RUN}-write"),
                 PACKAGE_DIR / f"LGMARK_pwned_{RUN}.py",    # via grader.__file__ in the sandbox
                 PACKAGE_DIR / f"LGMARK_pwned2_{RUN}.py"]   # by its absolute host path
KEY_DESCRIPTION = f"labgrade-LGMARK-model-{RUN}"  # what keyring_1_store stores, per run
KEY_PAYLOAD = "LGMARK-KEYRING-MODEL-5e1d"
TIMEOUT = 8
# Official grading draws held-out data with a private secret (the lookup_table attack knows
# the rubric's public one); a fixed one keeps the suite deterministic.
PRIVATE_SECRET = "labgrade-test-attacks-private-secret"
ISOLATION = detect()
LANDLOCK, SECCOMP, CONFINEMENT_PROBLEM = self_confinement()
MODES = [
    pytest.param("isolated", marks=pytest.mark.skipif(
        bool(ISOLATION.missing()), reason=f"full isolation unavailable: {ISOLATION.missing()}")),
    # no bubblewrap and no cgroup: the reaper with Landlock + seccomp, as in a container
    pytest.param("degraded", marks=pytest.mark.skipif(
        LANDLOCK < 6 or not SECCOMP, reason=f"self-confinement unavailable: Landlock ABI {LANDLOCK}, "
                                             f"seccomp {SECCOMP}, {CONFINEMENT_PROBLEM}")),
    # nothing but the reaper and rlimits, as on an old kernel: the weaknesses are xfails
    "bare",
    # forked from the warm parent (grader.zygote), confined like the degraded mode
    pytest.param("warm", marks=pytest.mark.skipif(
        LANDLOCK < 6 or not SECCOMP or not warm.available(),
        reason="warm start needs Landlock ABI 6, seccomp and pidfds")),
]


def support_for(mode: str) -> Support:
    if mode == "isolated":
        return ISOLATION
    if mode == "degraded":
        return Support(bwrap=None, setpriv=None, cgroup_version=None, reason="test: degraded",
                       landlock=LANDLOCK, seccomp=SECCOMP)
    if mode == "warm":
        return warm_support(ISOLATION)
    return Support(bwrap=None, setpriv=None, cgroup_version=None, reason="test: bare")


def limits():
    # 1.5 GiB: touching memory costs ~1.8 s per GiB in page faults on the 2-core VM, so the
    # memory bomb must reach its limit well inside the 8 s time limit
    return dataclasses.replace(load_rubric("lab6").limits, timeout=TIMEOUT, cpu=TIMEOUT,
                               memory=3 * 1024**3 // 2, disk=64 * 1024**2, file_size=32 * 1024**2,
                               output=256 * 1024, probe_timeout=10, tmp=16 * 1024**2)


def aim(root: Path, name: str, line: str, values: str) -> Path:
    """Copy attack ``name`` into ``root/name`` with its constants ``line`` replaced by ``values``."""
    source = (ATTACKS / name / "attack.py").read_text()
    assert line in source, f"tests/attacks/{name}/attack.py lost its constants line"
    folder = root / name
    folder.mkdir()
    (folder / "attack.py").write_text(source.replace(line, values + "\n"))
    return folder


def aim_read_secrets(root: Path) -> Path:
    """The read_secrets attack, aimed at this run's secret file and victim folder."""
    return aim(root, "read_secrets", 'SECRET_FILE, VICTIM_DIR = "", ""  # set by tests/test_attacks.py\n',
               f"SECRET_FILE, VICTIM_DIR = {str(SECRET_FILE)!r}, {str(VICTIM_DIR)!r}")


def aim_write_outside(root: Path) -> Path:
    """The write_outside attack, aimed at this run's WRITE_TARGETS."""
    tmp_target, package_target, host_target = WRITE_TARGETS
    return aim(root, "write_outside",
               'TMP_TARGET, PACKAGE_FILE, HOST_TARGET = "", "", ""  # set by tests/test_attacks.py\n',
               f"TMP_TARGET, PACKAGE_FILE, HOST_TARGET = {str(tmp_target)!r}, "
               f"{package_target.name!r}, {str(host_target)!r}")


def aim_keyring(root: Path, name: str) -> Path:
    """A keyring attack, aimed at this run's key description."""
    return aim(root, name, 'DESCRIPTION = "labgrade-LGMARK-model"  # set by tests/test_attacks.py\n',
               f"DESCRIPTION = {KEY_DESCRIPTION!r}")


def forget_stored_keys() -> None:
    """Invalidate what keyring_1_store stored where nothing refused it (bare mode runs as this
    process's uid, whose keyrings outlive the test)."""
    keyctl = SECCOMP_ARCHES.get(platform.machine(), (0, {}))[1].get("keyctl")
    if keyctl is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    user, get_persistent, search, invalidate = -4, 22, 10, 21  # KEY_SPEC_*, KEYCTL_*
    persistent = libc.syscall(keyctl, get_persistent, ctypes.c_int(-1), ctypes.c_int(user))
    for keyring in {user, persistent} - {-1}:
        while (key := libc.syscall(keyctl, search, ctypes.c_int(keyring), b"user",
                                   KEY_DESCRIPTION.encode(), ctypes.c_int(0))) >= 0:
            if libc.syscall(keyctl, invalidate, ctypes.c_int(key)) < 0:
                break


def marker_processes(markers=MARKERS) -> list[tuple[int, str]]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        pid, _, args = line.strip().partition(" ")
        if any(m in args for m in markers) and int(pid) != os.getpid() and "ps -eo" not in args:
            found.append((int(pid), args))
    return found


class Listeners:
    """Host-side TCP, UDP and unix listeners the network attack tries to reach.

    The ports are the OS's choice (port 0), so test runs on one machine never collide.
    """

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        UNIX_SOCK.unlink(missing_ok=True)
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(UNIX_SOCK))
        os.chmod(UNIX_SOCK, 0o777)
        self.unix.listen(8)
        for sock in (self.tcp, self.udp, self.unix):
            sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            for kind, sock in (("tcp", self.tcp), ("unix", self.unix)):
                try:
                    conn, _ = sock.accept()
                    self.hits.append(kind)
                    conn.close()
                except OSError:
                    pass
            try:
                self.udp.recvfrom(4096)
                self.hits.append("udp")
            except OSError:
                pass

    def aim(self, root: Path) -> Path:
        """Copy the network attack into ``root/network``, aimed at these listeners."""
        tcp_port, udp_port = self.tcp.getsockname()[1], self.udp.getsockname()[1]
        return aim(root, "network", 'TCP_PORT, UDP_PORT, UNIX_SOCK = 0, 0, ""  # set by tests/test_attacks.py\n',
                   f"TCP_PORT, UDP_PORT, UNIX_SOCK = {tcp_port}, {udp_port}, {str(UNIX_SOCK)!r}")

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=5)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()
        UNIX_SOCK.unlink(missing_ok=True)


def make_special_submissions(root: Path) -> list[Path]:
    """Submissions that git cannot keep well: a symlink, broken and huge notebooks."""
    link = root / "symlink_passwd"
    link.mkdir()
    (link / "passwd.py").symlink_to("/etc/passwd")
    (link / "ok.py").write_text("x = 1\n")
    bad_json = root / "bad_json_nb"
    bad_json.mkdir()
    (bad_json / "broken.ipynb").write_text('{"cells": [ {"cell_type": "code", ')
    not_utf8 = root / "not_utf8_nb"
    not_utf8.mkdir()
    (not_utf8 / "latin.ipynb").write_bytes(b'{"cells": [], "x": "\xff\xfe\xe9"}')
    not_utf8_py = root / "not_utf8_py"
    not_utf8_py.mkdir()
    (not_utf8_py / "latin.py").write_bytes(b"x = '\xff\xfe\xe9'\n")
    huge = root / "huge_nb"
    huge.mkdir()
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "x = 1\n# " + "A" * (1024 * 1024)}
    (huge / "huge.ipynb").write_text(json.dumps({"cells": [cell] * 21, "metadata": {},
                                                 "nbformat": 4, "nbformat_minor": 5}))
    return [link, bad_json, not_utf8, not_utf8_py, huge]


KILL_PARENT_SCRIPT = r"""
import dataclasses, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import test_attacks as t
from grader.api import grade_paths
from grader.rubric import load_rubric
results = list(grade_paths([Path({attack!r})], load_rubric("lab6"), Path({out!r}),
                           limits=t.limits(), support=t.support_for({mode!r})))
print("GRADER-SURVIVED", results[0][1].status, results[0][1].run.get("ending"))
"""


@dataclasses.dataclass
class Batch:
    mode: str
    results: dict[str, GradeResult]
    out: Path
    listener_hits: list[str]
    leftovers: list[tuple[int, str]]
    written: list[str]
    seconds: float
    kill_parent: subprocess.CompletedProcess
    grader_rss_growth: int  # bytes the grading process's peak RSS grew by during the batch


_BATCHES: dict[str, Batch] = {}


@pytest.fixture(scope="module", params=MODES)
def batch(request, tmp_path_factory) -> Batch:
    mode = request.param
    if mode in _BATCHES:
        return _BATCHES[mode]
    os.environ.setdefault("LABGRADE_CACHE", str(tmp_path_factory.mktemp("reference-cache")))
    root = tmp_path_factory.mktemp(f"attacks-{mode}")
    out = root / "out"
    special = make_special_submissions(root)
    listeners = None
    try:
        SECRET_FILE.write_text(SECRET)
        VICTIM_DIR.mkdir(exist_ok=True)
        (VICTIM_DIR / "solution.py").write_text(f"# {VICTIM_SECRET}\nx = 1\n")
        for target in WRITE_TARGETS:
            target.unlink(missing_ok=True)
        listeners = Listeners()
        # graded as copies aimed at this run's listeners and files (see aim)
        aimed = [listeners.aim(root), aim_read_secrets(root), aim_write_outside(root),
                 aim_many_statements(root),
                 aim_keyring(root, "keyring_1_store"), aim_keyring(root, "keyring_2_read"),
                 aim_read_installation(root)]
        skip = {"kill_parent", *OWN_TESTS} | {p.name for p in aimed}
        paths = [p for p in ATTACKS.iterdir() if p.is_dir() and p.name not in skip]
        paths = sorted(paths + aimed, key=lambda p: p.name)
        paths += special + [FIXTURES / name for name in HONEST]
        started = time.monotonic()
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rubric = with_secret(load_rubric("lab6"), PRIVATE_SECRET)
        results = {p.name: r for p, r in grade_paths(paths, rubric, out,
                                                     limits=limits(), support=support_for(mode))}
        rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) * 1024
        seconds = time.monotonic() - started
        time.sleep(0.5)
        kill_out = root / "kill-out"
        kill_tmp = root / "kill-tmp"  # the grader's TMPDIR, so a killed grader's work dir stays here
        kill_tmp.mkdir()
        kill_parent = subprocess.run(
            [sys.executable, "-c", KILL_PARENT_SCRIPT.format(
                tests=str(HERE), attack=str(ATTACKS / "kill_parent"), out=str(kill_out), mode=mode)],
            capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(kill_tmp)})
        kill_parent.out_dir = kill_out  # type: ignore[attr-defined]
        kill_parent.left_tmp = sorted(p.name for p in kill_tmp.iterdir())  # type: ignore[attr-defined]
    finally:
        if listeners is not None:
            listeners.close()
        leftovers = marker_processes()
        print(f"[{mode}] leftover marker processes: {leftovers}")
        for pid, _args in leftovers:  # clean up what escaped (our own test's attack processes)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        written = [str(t) for t in WRITE_TARGETS if t.exists()]
        for target in WRITE_TARGETS:
            target.unlink(missing_ok=True)
        SECRET_FILE.unlink(missing_ok=True)
        forget_stored_keys()
        shutil.rmtree(VICTIM_DIR, ignore_errors=True)
    print(f"[{mode}] graded {len(results)} submissions in {seconds:.1f}s; " + ", ".join(
        f"{n}={r.timing.get('total_seconds')}" for n, r in results.items()))
    _BATCHES[mode] = Batch(mode, results, out, list(listeners.hits), leftovers, written, seconds,
                           kill_parent, rss_growth)
    return _BATCHES[mode]


# --- helpers -------------------------------------------------------------------------------

def unearned(result: GradeResult) -> dict[str, float]:
    """Points from any task except 'runs' (which only rewards cells that ran)."""
    return {t.id: t.score for t in result.tasks if t.id != "runs" and t.score}


def errors(result: GradeResult) -> str:
    return "\n".join(str(c.get("error") or "") for c in result.cells)


def stdout(batch: Batch, name: str) -> str:
    path = batch.out / name / "stdout.txt"
    return path.read_text(errors="replace") if path.exists() else ""


def summary(result: GradeResult) -> str:
    return json.dumps({"status": result.status, "score": result.score, "run": result.run,
                       "error": result.error, "cells": result.cells[:12]}, default=str)[:3000]


ATTACK_NAMES = sorted(p.name for p in ATTACKS.iterdir() if p.is_dir()
                      and p.name not in {"kill_parent", *OWN_TESTS})


# --- every attack ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_attack_survived_and_earned_nothing(batch: Batch, name: str) -> None:
    result = batch.results[name]
    assert result.status in ("graded", "error"), summary(result)
    assert (batch.out / name / "result.json").exists()
    assert not unearned(result), (unearned(result), summary(result))
    assert result.run.get("ending"), summary(result)


def test_infinite_loop(batch: Batch) -> None:
    r = batch.results["infinite_loop"]
    assert r.run["ending"] in ("timeout", "cpu_limit"), summary(r)
    assert r.run.get("detail")


def test_sleep_forever(batch: Batch) -> None:
    r = batch.results["sleep_forever"]
    assert r.run["ending"] == "timeout", summary(r)


def test_memory_bomb(batch: Batch) -> None:
    r = batch.results["memory_bomb"]
    assert "MemoryError" in errors(r) or r.run["ending"] in ("memory", "killed"), summary(r)


def test_fork_bomb_leaves_no_process(batch: Batch) -> None:
    r = batch.results["fork_bomb"]
    assert r.run["ending"] in ("timeout", "cpu_limit", "killed", "memory", "finished"), summary(r)
    left = [p for p in batch.leftovers if "LGMARK_forkbomb" in p[1]]
    assert not left, left


def own_filesystem(mode: str) -> bool:
    """Whether the mode's runs write into size-limited filesystems of their own (tmpfs)."""
    return mode == "isolated" or (mode == "warm" and not warm_namespaces())


@pytest.mark.parametrize("name", ["disk_fill_big", "disk_fill_many"])
def test_disk_fill(batch: Batch, name: str) -> None:
    r = batch.results[name]
    text = errors(r)
    assert ("OSError" in text or "No space" in text or "File too large" in text
            or r.run["ending"] != "finished" or r.run["events"]), summary(r)
    if own_filesystem(batch.mode):
        assert "No space" in text or "OSError" in text, summary(r)
    if not own_filesystem(batch.mode) and name == "disk_fill_many":  # the reaper measured it
        said = r.run["detail"] if r.run["ending"] == "disk" else " ".join(r.run["events"])
        assert "MiB" in said and "limit" in said, summary(r)


def test_output_flood_truncated(batch: Batch) -> None:
    r = batch.results["output_flood"]
    assert r.run["output_truncated"] is True, summary(r)
    assert len(stdout(batch, "output_flood")) <= limits().output * 2
    assert not [p for p in batch.leftovers if "LGMARK_flood" in p[1]]


def test_setsid_children_are_gone(batch: Batch) -> None:
    left = [p for p in batch.leftovers if "LGMARK_setsid" in p[1]]
    if batch.mode == "bare" and left:
        pytest.xfail(f"bare mode: the submission can kill the reaper, so escaped sessions survive: {left}")
    assert not left, left
    if batch.mode != "isolated":  # the reaper counts what it had to stop, and says so
        events = batch.results["setsid_escape"].run["events"]
        assert any("left running" in event for event in events), events


def test_network_unreachable(batch: Batch) -> None:
    out = stdout(batch, "network")
    assert "NETRESULTS" in out, summary(batch.results["network"])
    hits = batch.listener_hits
    if batch.mode == "bare" and hits == ["unix"]:
        pytest.xfail("bare mode shares the host filesystem, so a unix socket in /tmp is reachable")
    assert not hits, (hits, out)
    assert "'tcp': 'ok'" not in out and "'unix': 'ok'" not in out, out


def test_secrets_not_read(batch: Batch) -> None:
    out = stdout(batch, "read_secrets")
    assert "READ" in out, summary(batch.results["read_secrets"])
    assert f"READ {SECRET_FILE} =>" in out, out[-3000:]  # the copy was aimed at this run's secret
    rubric_line = next(line for line in (BUILTIN_DIR / "lab6.toml").read_text().splitlines()
                       if line.startswith("names = ["))
    leaks = {"test secret": SECRET in out, "other submission": VICTIM_SECRET in out,
             "rubric": rubric_line in out, "shadow": "root:" in out,
             "environ": "LABGRADE_CACHE" in out}
    if batch.mode == "bare":
        # No filesystem isolation: record what leaks rather than require what cannot hold.
        print("bare-mode leaks:", leaks)
        assert not leaks["environ"], out[-2000:]
        if any(leaks.values()):
            pytest.xfail(f"bare mode reads host files: {leaks}")
    assert not any(leaks.values()), (leaks, out[-3000:])


# --- the grader's own code and the reference solutions (issue #14, item 1) --------------------

REFERENCE_DIR = Path(importlib.util.find_spec("reference").origin).resolve().parent


def installation_targets() -> list[str]:
    """Host paths of what no run may read: a reference solution, the judging code, the
    rubric, and labgrade's entries in the installation (an editable install's finder)."""
    targets = [REFERENCE_DIR / "moons.py", REFERENCE_DIR / "linesearch.py",
               PACKAGE_DIR / "grading.py", PACKAGE_DIR / "rubric.py", BUILTIN_DIR / "lab6.toml"]
    others = 0
    for path in map(Path, hidden_in_view()):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        if path.name.startswith(("grader", "reference", "labgrade", "__editable__")):
            targets += files  # labgrade's own: every file
        elif files and others < 24:  # another distribution out of the lab's view: one file each
            targets.append(files[0])
            others += 1
    return [str(p) for p in targets]


def aim_read_installation(root: Path) -> Path:
    """The read_installation attack, aimed at the host paths of :func:`installation_targets`."""
    return aim(root, "read_installation", "HOST_FILES = []  # set by tests/test_attacks.py\n",
               f"HOST_FILES = {installation_targets()!r}")


def view_is_covered(mode: str) -> bool:
    """Whether the mode's runs see labgrade's entries covered by empty ones (a mount namespace
    of their own), not only unreadable (Landlock alone lets a folder's names be listed)."""
    return mode in ("isolated", "warm") or (mode == "degraded" and os.geteuid() == 0)


def test_the_grader_and_the_references_cannot_be_imported_or_read(batch: Batch) -> None:
    out = stdout(batch, "read_installation")
    assert "INSTALLATION done" in out, summary(batch.results["read_installation"])
    assert all(f"READ {target} =>" in out for target in installation_targets()), out[-3000:]
    lines = out.splitlines()
    imported = [line for line in lines if line.startswith("IMPORT ") and ": ok" in line
                and not line.startswith("IMPORT reference: ok file=None")]  # an empty folder
    namespace = [line for line in lines if line.startswith("IMPORT reference: ok")]
    read = [line for line in lines if line.startswith("READ ") and "=> OK" in line
            and "=> OK 0 bytes" not in line]  # an empty file covering one of ours is no read
    first_lines = [(REFERENCE_DIR / "moons.py").read_text().splitlines()[0],
                   (PACKAGE_DIR / "grading.py").read_text().splitlines()[0]]
    listed = [line for line in lines if line.startswith("LIST ")
              and any(name in line for name in ("moons.py", "grading.py", "lab6.toml", "RECORD"))]
    reached = {"imported": imported, "read": read, "namespace with files":
               [line for line in namespace if "holds=[[]]" not in line],
               "contents": [text for text in first_lines if text in out],
               "listed": listed if view_is_covered(batch.mode) else []}
    if batch.mode == "bare" and any(reached.values()):
        pytest.xfail(f"bare mode has no filesystem isolation: {reached}")
    assert not any(reached.values()), (reached, out[-3000:])
    if not view_is_covered(batch.mode):  # Landlock alone: names may show, never contents
        print(f"[{batch.mode}] listed, unreadable: {listed}")


def test_write_outside(batch: Batch) -> None:
    out = stdout(batch, "write_outside")
    assert "WRITERESULTS" in out, summary(batch.results["write_outside"])
    assert all(target.name in out for target in WRITE_TARGETS), out  # aimed at this run's targets
    # the sandbox's grader package is the runtime folder (grader.runtime), shared by every run
    in_runtime = Path(runtime().python) / "grader" / WRITE_TARGETS[1].name
    written = batch.written + ([str(in_runtime)] if in_runtime.exists() else [])
    in_runtime.unlink(missing_ok=True)
    if batch.mode == "bare" and written:
        pytest.xfail(f"bare mode writes to the host: {written}")
    assert not written, (written, out)


def test_kill_parent(batch: Batch) -> None:
    proc = batch.kill_parent
    if batch.mode == "bare" and proc.returncode == -signal.SIGKILL:
        pytest.xfail("bare mode: the child runs as the grader's own user (root here), "
                     "so os.kill(os.getppid(), SIGKILL) kills the grader itself; its work dir "
                     f"is left behind in TMPDIR: {proc.left_tmp}")
    assert not proc.left_tmp, proc.left_tmp
    assert "GRADER-SURVIVED" in proc.stdout, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    data = json.loads((proc.out_dir / "kill_parent" / "result.json").read_text())
    assert not {t["id"]: t["score"] for t in data["tasks"] if t["id"] != "runs" and t["score"]}


def test_sys_exit(batch: Batch) -> None:
    r = batch.results["sys_exit"]
    assert r.cells[0]["status"] == "ok", summary(r)
    assert "exit" in errors(r), summary(r)


def test_os_exit(batch: Batch) -> None:
    r = batch.results["os_exit"]
    assert r.cells[0]["status"] == "ok", summary(r)
    assert r.run["ending"] in ("exited", "crashed", "protocol"), summary(r)
    assert r.run.get("detail"), summary(r)
    assert [c for c in r.cells if c["status"] != "ok"] or len(r.cells) < 5, summary(r)


def test_monkeypatch_and_forged_frames(batch: Batch) -> None:
    r = batch.results["monkeypatch"]
    assert r.score <= 10, summary(r)


def test_fake_model(batch: Batch) -> None:
    r = batch.results["fake_model"]
    assert r.score <= 10, summary(r)


def check(result: GradeResult, task: str, check_id: str):
    return next(c for t in result.tasks if t.id == task for c in t.checks if c.id == check_id)


@pytest.mark.parametrize("name,size", [("wide_numpy", "1,000,000 units"),
                                       ("wide_module", "40,000 units")])
def test_wide_network_is_not_evaluated(batch: Batch, name: str, size: str) -> None:
    """Over the rubric's bound the network is found but never evaluated, and its checks say why."""
    r = batch.results[name]
    for check_id in ("accuracy", "gradients", "descent"):
        c = check(r, "moons", check_id)
        assert c.status == "failed" and c.details.get("too_large"), summary(r)
        assert size in c.message and "at most 1,024 units per layer" in c.message, c.message
    assert not r.plots["boundaries"], r.plots  # no grid of it was computed either


def test_wide_networks_leave_the_grader_small(batch: Batch) -> None:
    """The grader's own numerics stayed bounded (unbounded: 2.9 GB for 40,000 units, tens of
    GB for 1,000,000) over the whole batch, every attack included."""
    assert batch.grader_rss_growth < 1024**3, batch.grader_rss_growth


def test_slow_probes_share_the_submission_time_limit(batch: Batch) -> None:
    """Each call sleeps under the probe timeout; together they get what the run left of TIMEOUT."""
    r = batch.results["slow_probes"]
    assert r.run["ending"] == "timeout", summary(r)
    assert f"used up its time limit of {TIMEOUT} s" in r.run["detail"], summary(r)
    assert r.timing["submission_seconds"] <= TIMEOUT + 0.5, r.timing  # unbounded: run + 2 x 4 s
    told = [c for t in r.tasks for c in t.checks if "used up its time limit" in c.message]
    assert told, summary(r)


def test_lookup_table_of_public_heldout_points_fails(batch: Batch) -> None:
    """Its table holds the points the rubric's public secret draws, not the private secret's."""
    r = batch.results["lookup_table"]
    accuracy = check(r, "moons", "accuracy")
    assert accuracy.status == "failed" and "50%" in accuracy.message, accuracy.message
    assert r.rubric["secret"] == "private", r.rubric


# --- the default start's limits (issue #13, items 8 and 9) -----------------------------------------

UNLINKED_BUDGET = 768 * 1024**2  # what the unlinked_disk_fill attack tries to write


def filtered(mode: str) -> bool:
    """Whether the mode's runs are under the seccomp filter (bubblewrap's or their own)."""
    return seccomp_supported() if mode == "isolated" else support_for(mode).seccomp


def lines_of(batch: Batch, name: str, prefix: str) -> list[str]:
    lines = [line for line in stdout(batch, name).splitlines() if line.startswith(prefix)]
    assert lines, summary(batch.results[name])  # the attack ran and reported
    return lines


def test_unlinked_files_cannot_fill_the_host_disk(batch: Batch) -> None:
    """Files unlinked after opening and written through their descriptors count against the
    disk limit (unbounded, a warm run wrote 2 GB against 320 MiB, unseen by the folder walk)."""
    r = batch.results["unlinked_disk_fill"]
    lines = lines_of(batch, "unlinked_disk_fill", "UNLINKED_WRITTEN")
    written = max(int(line.split()[1]) for line in lines)
    print(f"[{batch.mode}] unlinked_disk_fill wrote {written / 1024**2:.0f} MiB: {lines[-1]}")
    assert r.run["protections"]["disk_quota"], summary(r)
    if own_filesystem(batch.mode):  # the kernel refuses the write past the tmpfs's size
        assert "No space left on device" in lines[-1], lines[-1]
        assert written <= limits().disk + limits().tmp, written
    else:  # the reaper counts the open unlinked files too, and stops the run
        assert r.run["ending"] == "disk", summary(r)
        assert written < UNLINKED_BUDGET, written


def test_a_submission_cannot_read_the_key_another_stored(batch: Batch) -> None:
    """The keyrings of a uid outlive its runs: the kernel's key syscalls are refused."""
    stored = lines_of(batch, "keyring_1_store", "KEYRING")
    read = lines_of(batch, "keyring_2_read", "KEYRING")
    if not filtered(batch.mode):
        if any(KEY_PAYLOAD in line for line in read):
            pytest.xfail(f"{batch.mode} mode has no seccomp filter: the key was read back")
    assert not any(KEY_PAYLOAD in line for line in read), read
    assert stored == ["KEYRING add_key user: Operation not permitted",
                      "KEYRING get_persistent: Operation not permitted"], stored
    assert all(line.endswith("Operation not permitted") for line in read), read


def test_no_user_namespace_can_be_created(batch: Batch) -> None:
    """unshare, clone3 and the unshare tool all fail, so no tmpfs is mounted in a namespace."""
    lines = lines_of(batch, "userns", "USERNS")
    if not filtered(batch.mode) and "USERNS unshare: ok; mount: ok" in lines:
        pytest.xfail(f"{batch.mode} mode has no seccomp filter: {lines}")
    assert lines[:2] == ["USERNS unshare: Operation not permitted",
                         "USERNS clone3: Function not implemented"], lines
    assert lines[2].startswith("USERNS tool: failed") and "ok" not in lines[2], lines


def test_perf_events_cannot_be_opened(batch: Batch) -> None:
    lines = lines_of(batch, "perf_event", "PERF")
    if not filtered(batch.mode) and lines[0].startswith("PERF ok"):
        pytest.xfail(f"{batch.mode} mode has no seccomp filter: {lines}")
    assert lines == ["PERF Operation not permitted"], lines


def host_only_mount_points() -> set[str]:
    """The host's mount points a sandbox has no business with: all but the root, what a
    sandbox mounts afresh (/proc, /dev, /tmp) and what it is given (Python, the package)."""
    given = {"/usr", *python_roots(), package_root()}
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        points = {line.split()[4] for line in handle}
    return {p for p in points if p != "/" and p not in given
            and not any(p == top or p.startswith(top + "/") for top in ("/proc", "/dev", "/tmp"))}


def test_the_host_mount_table_stays_hidden(batch: Batch) -> None:
    """Bubblewrap's mount table lists only its own mounts; confined runs cannot read theirs."""
    reads = lines_of(batch, "mountinfo", "MOUNTS ")
    seen = {line.split(" ", 1)[1] for line in stdout(batch, "mountinfo").splitlines()
            if line.startswith("MOUNTPOINT ")}
    leaked = sorted(seen & host_only_mount_points())
    if batch.mode == "bare":
        if leaked:
            pytest.xfail(f"bare mode shares the host's mount namespace and /proc: {leaked[:5]}")
    assert not leaked, leaked
    if batch.mode in ("degraded", "warm"):  # Landlock: the mount table is not the worker's
        assert all(" DENIED " in line for line in reads), reads


# --- the grader's own resources (issue #13, items 1, 3 and 4) ----------------------------------------

def aim_many_statements(root: Path) -> Path:
    """The many_statements attack with its 40,000 one-line statements written in (160 KB)."""
    return aim(root, "many_statements", "x = 0  # 40,000 statements go here (tests/test_attacks.py)\n",
               "\n".join(f"x={i % 10}" for i in range(40_000)))


def longest_text(batch: Batch, name: str) -> int:
    """The longest string in the submission's result.json."""
    data = json.loads((batch.out / name / "result.json").read_text())
    longest, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            longest = max(longest, len(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return longest


def written_bytes(batch: Batch, name: str) -> int:
    return sum(p.stat().st_size for p in (batch.out / name).rglob("*") if p.is_file())


def test_many_statements_run_in_groups(batch: Batch) -> None:
    """40,000 statements: no quadratic padding (4.6 GB before), at most 1,000 cells, and said."""
    r = batch.results["many_statements"]
    assert r.run["ending"] == "finished", summary(r)
    assert any("40002 top-level statements: they ran in groups of 41" in p
               for p in r.submission["problems"]), summary(r)
    numbers = [c["number"] for c in r.cells]  # each group named by the line it starts on
    assert len(numbers) == 976 and numbers[:2] == [1, 47] and numbers[-1] == 7 + 975 * 41 - 1


def test_forged_figures_are_capped_by_the_grader(batch: Batch) -> None:
    """300 large and 5,000 small forged figures: 24 kept (before: all, 1.4 GB), the rest said."""
    r = batch.results["forged_figures"]
    assert len(r.figures) == 24, summary(r)
    assert any("5276 figure(s) were not kept" in e for e in r.run["events"]), summary(r)
    assert written_bytes(batch, "forged_figures") < 32 * 1024**2  # report.html embeds the 24


def test_forged_cell_text_is_cut_by_the_grader(batch: Batch) -> None:
    """A forged report with 5.6-million-character texts: cut and marked; its cell's own report
    then ends the run (the first report of a cell stands, a second is refused)."""
    r = batch.results["forged_cell_text"]
    assert r.run["ending"] == "protocol" and "second report of cell" in r.run["detail"], summary(r)
    forged = next(c for c in r.cells if "LGMARK_text €" in (c["error"] or ""))
    assert forged["error"].endswith("characters cut by the grader]"), forged["error"][-200:]
    assert forged["traceback"].startswith("[5592000 characters cut by the grader]")
    assert longest_text(batch, "forged_cell_text") <= 8_100
    assert written_bytes(batch, "forged_cell_text") < 1024**2


def test_forged_probe_errors_are_cut_by_the_grader(batch: Batch) -> None:
    """Every probe answers a 5-million-character error: the checks show at most 1,000 of it."""
    r = batch.results["forged_probe_errors"]
    assert "LGMARK_probe €" in json.dumps(r.to_dict(), ensure_ascii=False), summary(r)
    assert longest_text(batch, "forged_probe_errors") <= 3_000
    assert written_bytes(batch, "forged_probe_errors") < 1024**2


def test_giant_frame_is_refused_while_it_is_read(batch: Batch) -> None:
    """95 MiB of empty objects (5.4 GB and 68 s of grading before): refused by its count."""
    r = batch.results["giant_frame"]
    assert r.run["ending"] == "protocol", summary(r)
    assert "frame of more than 1000000 JSON values exceeds the limit" in r.run["detail"], summary(r)
    assert r.timing["run_seconds"] < TIMEOUT, r.timing


# --- special submissions -------------------------------------------------------------------------

def test_symlink_ignored_and_reported(batch: Batch) -> None:
    r = batch.results["symlink_passwd"]
    problems = " ".join(r.submission.get("problems", []))
    assert "passwd.py" in problems and "symbolic link" in problems, summary(r)
    assert "root:x:" not in stdout(batch, "symlink_passwd")
    assert not unearned(r)


@pytest.mark.parametrize("name,filename", [("bad_json_nb", "broken.ipynb"),
                                           ("not_utf8_nb", "latin.ipynb"),
                                           ("not_utf8_py", "latin.py"),
                                           ("huge_nb", "huge.ipynb")])
def test_broken_files_named(batch: Batch, name: str, filename: str) -> None:
    r = batch.results[name]
    assert r.status in ("graded", "error")
    text = json.dumps(r.to_dict(), default=str)
    assert filename in text, summary(r)
    assert not unearned(r)
    assert r.score == 0, summary(r)


# --- the batch as a whole --------------------------------------------------------------------------

@pytest.mark.parametrize("name", HONEST)
def test_honest_submissions_unaffected(batch: Batch, name: str) -> None:
    r = batch.results[name]
    assert r.score == 70, summary(r)


def test_no_marker_process_left(batch: Batch) -> None:
    if batch.mode == "bare":
        left = [p for p in batch.leftovers if "LGMARK_setsid" not in p[1]]
    else:
        left = batch.leftovers
    assert not left, left


def test_forked_runs_have_their_own_pid_namespace_and_uid(batch: Batch) -> None:
    """Warm runs get a pid namespace (and, as root, the sandbox uid) where the machine can."""
    if batch.mode != "warm":
        pytest.skip("warm mode only")
    from grader.isolation import warm_namespaces, warm_uid

    if warm_namespaces():
        pytest.skip(warm_namespaces())
    for name in HONEST:
        protections = batch.results[name].run["protections"]
        assert protections["pid_namespace"] and protections["process_cleanup"], protections
        assert protections["unprivileged_user"] or (os.geteuid() == 0 and warm_uid()), protections


def test_no_run_outlives_its_wall_clock_limit(batch: Batch) -> None:
    """A hostile run is stopped by its own limit, so it cannot hold up the rest of the batch.

    Bounded by the configured limits (timeout plus the probes' time and the kill grace), not
    by this machine's speed.
    """
    bound = TIMEOUT + limits().probe_timeout + 15
    slow = {name: r.timing["run_seconds"] for name, r in batch.results.items()
            if r.timing and r.timing.get("run_seconds", 0) > bound}
    assert not slow, slow


@pytest.mark.parametrize("mode", ["isolated", "degraded", "warm"])
def test_killing_the_grader_mid_run_leaves_no_sandbox_process(tmp_path: Path, mode: str) -> None:
    """SIGKILL the grader while a submission (with escaped children) sleeps: all must go.

    Isolated: bubblewrap's pid namespace dies with the grader. Degraded: the reaper gets its
    parent-death signal and kills what the submission left, wherever it went. Warm: the
    warm parent dies with the grader, the run's outer process gets its death signal and
    stops the pid namespace's init, which kills everything inside.
    """
    if mode == "isolated" and detect().missing():
        pytest.skip(f"full isolation unavailable: {detect().reason}")
    mode_env = {"LABGRADE_NO_BWRAP": "1"} if mode == "degraded" else {}
    mode_args = ["--warm"] if mode == "warm" else ["--cold"]  # warm is the CLI's default
    marker = "LGMARK_orphan"
    folder = tmp_path / "orphan"
    folder.mkdir()
    (folder / "attack.py").write_text(
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # {marker}'],\n"
        "                 start_new_session=True)\n"
        "time.sleep(600)\n")
    import time

    grader = subprocess.Popen([sys.executable, "-c", "from grader.cli import main; main()", "run",
                               str(folder), "--out", str(tmp_path / "out"), *mode_args],
                              start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "TMPDIR": str(tmp_path), **mode_env})
    try:
        deadline = time.monotonic() + 60
        while not marker_processes([marker]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker_processes([marker]), "the submission never started its child"
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 10
        while marker_processes([marker]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker_processes([marker]) == []
    finally:
        for pid, _ in marker_processes([marker]):
            os.kill(pid, signal.SIGKILL)
