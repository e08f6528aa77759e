"""Warm start: runs forked from the warm parent grade exactly as cold runs do."""

from __future__ import annotations

import json
import multiprocessing.forkserver
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import pool, warm
from grader.api import grade_paths
from grader.isolation import SANDBOX_UID, detect, warm_namespaces, warm_support, warm_uid
from grader.launcher import Limits, SandboxSession, _zygote_environment, open_warm_door
from grader.loading import load_submission
from grader.rubric import load_rubric

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
# NumPy, raw torch tensors with a loss history, a notebook with a failing cell and a figure
SUBMISSIONS = ["numpy_py", "xor_raw_py", "failing_cell_nb"]
RUN_FACTS = ("protections", "missing_protections", "isolation_note", "stderr_bytes")

pytestmark = pytest.mark.skipif(not warm.available() or detect().landlock < 6,
                                reason="warm start needs pidfds and Landlock ABI 6")


def comparable(path: Path) -> dict:
    data = json.loads(path.read_text())
    data.pop("timing")
    for key in RUN_FACTS:
        data["run"].pop(key)
    return data


def test_warm_and_cold_give_identical_results(tmp_path: Path) -> None:
    for name in SUBMISSIONS:
        shutil.copytree(FIXTURES / name, tmp_path / "class" / name)
    rubric = load_rubric("lab6")
    cold, hot = tmp_path / "cold", tmp_path / "warm"
    list(grade_paths([tmp_path / "class"], rubric, cold))
    results = dict(grade_paths([tmp_path / "class"], rubric, hot,
                               support=warm_support(detect())))
    for name in SUBMISSIONS:
        assert comparable(cold / name / "result.json") == comparable(hot / name / "result.json")
        assert (cold / name / "stdout.txt").read_text() == (hot / name / "stdout.txt").read_text()
    run = next(iter(results.values())).run
    assert set(run["missing_protections"]) <= {"pid_namespace", "unprivileged_user"}
    assert bool(run["missing_protections"]) == ("warm start" in run["isolation_note"])
    if not warm_namespaces():
        assert run["protections"]["pid_namespace"] is True
        assert set(run["missing_protections"]) <= {"unprivileged_user"}
    if not warm_namespaces() and not warm_uid():  # as root, where the sandbox uid works
        assert run["missing_protections"] == []


def test_the_warm_parent_is_reused_and_holds_no_submission(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "numpy_py", tmp_path / "a")
    support = warm_support(detect())
    rubric = load_rubric("lab6")
    list(grade_paths([tmp_path / "a"], rubric, tmp_path / "out1", support=support))
    parents = {z.process.pid for z in warm._ZYGOTES.values() if z.alive}
    list(grade_paths([tmp_path / "a"], rubric, tmp_path / "out2", support=support))
    assert parents and parents == {z.process.pid for z in warm._ZYGOTES.values() if z.alive}
    # the warm parent was started with no submission path or secret in its environment
    for pid in parents:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert str(tmp_path).encode() not in environ and b"secret" not in environ.lower()


MARKER = "LGMARK_warm_orphan"
PID_PROBE = f"""
import os, subprocess, sys
print("PIDS", os.getpid(), os.getppid(), os.readlink("/proc/self"))
print("UID", os.geteuid())
print("HOSTNAME", __import__("socket").gethostname())
open("mine.txt", "w").write("the work folder is writable")
print("HOST_VISIBLE", [p for p in {{hosts}} if os.path.exists(f"/proc/{{{{p}}}}")])
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # {MARKER}"],
                 start_new_session=True)
"""


def marker_pids() -> list[int]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()
            if MARKER in line and "ps -ww" not in line]


def run_probe(tmp_path: Path, support) -> tuple:
    """Run PID_PROBE; the host pids it looks for: this test's and the warm parent's."""
    hosts = [os.getpid()] + [z.process.pid for z in warm._ZYGOTES.values() if z.alive]
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "probe.py").write_text(PID_PROBE.format(hosts=hosts))
    with SandboxSession(load_submission(folder), seed=0, support=support,
                        limits=Limits(timeout=60, cpu=60)) as session:
        record = session.run()
    return record, hosts


@pytest.mark.skipif(bool(warm_namespaces()), reason=f"no pid namespace here: {warm_namespaces()}")
def test_a_warm_run_has_its_own_pid_namespace_and_leaves_nothing(tmp_path: Path) -> None:
    support = warm_support(detect())
    warm.zygote(_zygote_environment(1))  # started first, so the probe looks for its pid too
    try:
        record, hosts = run_probe(tmp_path, support)
        assert record.ending == "finished", (record.ending_detail, record.stderr)
        line = next(l for l in record.stdout.splitlines() if l.startswith("PIDS"))
        # the worker is pid 2 under the namespace's init, and /proc is the namespace's own
        assert line.split()[1:] == ["2", "1", "2"], line
        assert "HOST_VISIBLE []" in record.stdout, (hosts, record.stdout)
        assert "HOSTNAME sandbox" in record.stdout  # its own UTS namespace, as in bubblewrap
        assert record.protections["pid_namespace"] is True
        uid = int(next(l for l in record.stdout.splitlines() if l.startswith("UID")).split()[1])
        if os.geteuid() == 0 and not warm_uid():  # root: the worker dropped to the sandbox uid
            assert uid == SANDBOX_UID and record.protections["unprivileged_user"] is True
        assert "Traceback" not in record.stderr, record.stderr
        assert any("left running" in event for event in record.supervisor_events)
        assert marker_pids() == []  # the orphan that called setsid died with the namespace
    finally:
        for pid in marker_pids():
            os.kill(pid, 9)


OWN_FILESYSTEM = """
import errno, os, sys
from grader.zygote import enter_namespaces, own_filesystems
folder, user = sys.argv[1], sys.argv[2] == "user"
if not enter_namespaces(False, user=user or None).proc:
    sys.exit(3)
assert own_filesystems({folder: 1 << 20}, 100)
kept = os.path.join(folder, "sub", "kept.txt")
print("KEPT", open(kept).read(), oct(os.stat(kept).st_mode & 0o777))
fd = os.open(os.path.join(folder, "hidden"), os.O_WRONLY | os.O_CREAT)
os.unlink(os.path.join(folder, "hidden"))
written = 0
try:
    while written < 4 << 20:
        written += os.write(fd, bytes(1 << 16))
except OSError as exc:
    print("STOPPED", errno.errorcode[exc.errno], written)
"""


@pytest.mark.skipif(bool(warm_namespaces()), reason=f"no mount namespace here: {warm_namespaces()}")
@pytest.mark.parametrize("namespace", ["grader's", "user"])
def test_a_warm_runs_folders_are_size_limited_filesystems_of_its_own(tmp_path: Path,
                                                                     namespace: str) -> None:
    """What a folder held is copied in; a file unlinked and written through its descriptor
    stops at the size; the host's folder is untouched. Also in a user namespace of its own,
    as when the grader is not root."""
    folder = tmp_path / "work"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "kept.txt").write_text("LGMARK")
    (folder / "sub" / "kept.txt").chmod(0o640)
    done = subprocess.run([sys.executable, "-c", OWN_FILESYSTEM, str(folder), namespace],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    if done.returncode == 3:
        pytest.skip(f"no {namespace} mount namespace here")
    assert done.returncode == 0, done.stderr
    assert "KEPT LGMARK 0o640" in done.stdout, done.stdout
    stopped = next(line for line in done.stdout.splitlines() if line.startswith("STOPPED"))
    assert stopped.split()[1] == "ENOSPC" and int(stopped.split()[2]) <= 1 << 20, stopped
    assert sorted(p.name for p in folder.rglob("*")) == ["kept.txt", "sub"]
    assert str(folder) not in Path("/proc/self/mountinfo").read_text()


def test_a_warm_parent_that_cannot_start_falls_back_to_cold(tmp_path: Path, monkeypatch) -> None:
    def broken(_env):
        raise warm.WarmStartError("the warm parent did not start (test)")

    monkeypatch.setattr(warm, "zygote", broken)
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "a.py").write_text("import os\nprint('PID', os.getpid())\n")
    with SandboxSession(load_submission(folder), seed=0, support=warm_support(detect()),
                        limits=Limits(timeout=60, cpu=60)) as session:
        record = session.run()
        assert session.support.warm is False
        assert "this run started cold" in session.support.reason
    assert record.ending == "finished", record.ending_detail
    assert any("warm start failed" in event for event in record.supervisor_events)


def test_warm_is_the_default_start_where_available() -> None:
    support, line = warm.choose(None)
    if not warm.weaker_than_cold(detect()):
        assert support is not None and support.warm and line.startswith("start: warm")
    else:
        assert support is None and "would lack" in line
    assert warm.choose(False) == (None, "start: cold (--cold): a new interpreter per run")
    assert warm.choose(None, cluster=True)[0] is None
    forced, line = warm.choose(True)
    assert forced is not None and forced.warm and "--warm" in line
    strict, line = warm.choose(None, require_isolation=True)
    if warm_support(detect()).missing():  # e.g. root without the sandbox uid: cold
        assert strict is None and "--require-isolation" in line
    elif not warm.weaker_than_cold(detect()):
        assert strict is not None and strict.warm


def test_a_warm_run_starts_from_the_parents_imports(tmp_path: Path) -> None:
    """A forked run finds torch already imported (the parent's), where a cold run has none."""
    folder = tmp_path / "quick"
    folder.mkdir()
    (folder / "a.py").write_text("import sys\nprint('PRELOADED', ('tor' + 'ch') in sys.modules)\n")
    submission = load_submission(folder)
    seen = {}
    for name, support in (("warm", warm_support(detect())), ("cold", detect())):
        with SandboxSession(submission, seed=0, support=support) as session:
            record = session.run()
        assert record.ending == "finished", record.ending
        seen[name] = "PRELOADED True" in record.stdout
    assert seen == {"warm": True, "cold": False}


def test_a_prestarted_parent_is_not_waited_for_until_a_run_needs_it() -> None:
    env = {**_zygote_environment(1), "LABGRADE_TEST_PRESTART": "1"}  # a parent of its own
    warm.prestart(env)
    started = warm._ZYGOTES[json.dumps(env, sort_keys=True)]
    assert started.alive and not started.ready  # prestart returned without waiting
    assert warm.zygote(env) is started and started.ready
    started.close()


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def descends_from_us(pid: int) -> bool:
    while pid > 1:
        if pid == os.getpid():
            return True
        pid = parent_of(pid)
    return False


def zygote_roots() -> dict[int, int]:
    """Warm parents started by this process or its descendants (not their runs): pid -> parent."""
    roots = {}
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            parent = parent_of(int(entry.name))
            parent_args = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")
            ours = descends_from_us(parent)
        except (OSError, ValueError, IndexError):
            continue
        if ours and b"grader.zygote" in args and b"grader.zygote" not in parent_args:
            roots[int(entry.name)] = parent
    return roots


def test_one_warm_parent_forks_the_runs_of_every_pool_worker(tmp_path: Path, monkeypatch) -> None:
    """Also when the environment changed after the pool's fork server started: the workers
    take the grader's environment of now, so they ask for the same warm parent. The results
    are those of a cold run, one at a time."""
    pool._context()
    multiprocessing.forkserver.ensure_running()
    monkeypatch.setenv("OPENBLAS_LABGRADE_TEST", "1")  # passed on to the warm parent
    for number, name in enumerate(SUBMISSIONS + ["numpy_py"]):
        shutil.copytree(FIXTURES / name, tmp_path / "class" / f"{name}-{number}")
    parents: set[int] = set()
    results = []
    for _path, result in grade_paths([tmp_path / "class"], load_rubric("lab6"), tmp_path / "out",
                                     support=warm_support(detect()), jobs=2):
        results.append(result)
        parents |= set(zygote_roots().values())  # while the pool's workers are alive
    assert len(results) == 4 and all(r.status == "graded" for r in results)
    assert parents == {os.getpid()}  # no worker started a warm parent of its own
    assert all("warm start failed" not in str(r.run) for r in results)
    list(grade_paths([tmp_path / "class"], load_rubric("lab6"), tmp_path / "cold"))
    for folder in (tmp_path / "class").iterdir():
        assert comparable(tmp_path / "out" / folder.name / "result.json") == \
            comparable(tmp_path / "cold" / folder.name / "result.json"), folder.name


SLEEPER_WORKER = """
import json, socket, sys
from pathlib import Path
from grader import pool, warm
from grader.isolation import detect, warm_support
from grader.launcher import Limits, SandboxSession
from grader.loading import load_submission
env, pid, folder = json.loads(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
warm.use_door(env, socket.socket(fileno=int(sys.argv[1])), pid)
with SandboxSession(load_submission(folder), seed=0, support=warm_support(detect()),
                    limits=Limits(timeout=600, cpu=600)) as session:
    session.run()
"""


def test_a_pool_worker_that_dies_takes_its_warm_run_with_it(tmp_path: Path) -> None:
    """The batch's warm parent outlives a killed worker; the run it forked for it does not."""
    env, door, pid = open_warm_door(1)
    folder = tmp_path / "sleeper"
    folder.mkdir()
    (folder / "a.py").write_text(  # a child whose command line the test can find
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # {MARKER}'])\n"
        "time.sleep(600)\n")
    worker = subprocess.Popen([sys.executable, "-c", SLEEPER_WORKER, str(door.fileno()),
                               json.dumps(env), str(pid), str(folder)], pass_fds=[door.fileno()])
    try:
        deadline = time.monotonic() + 60
        while not marker_pids() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert marker_pids(), "the run never started"
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 30
        while marker_pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker_pids() == []
        assert warm.zygote(env).pid == pid  # the shared parent lives on for the others
    finally:
        worker.kill()
        for leftover in marker_pids():
            os.kill(leftover, 9)


def test_the_warm_parent_survives_bad_requests_and_workers_that_vanish() -> None:
    parent = warm.Zygote.start({**_zygote_environment(1), "LABGRADE_TEST_BAD": "1"})
    try:
        parent.wait_ready()
        with pytest.raises(warm.WarmStartError, match="5 descriptors"):
            parent.fork({"cwd": "/"}, [])
        gone = warm.Zygote.through(parent.door, parent.pid)
        nulls = [os.open(os.devnull, os.O_RDONLY) for _ in range(5)]
        socket.send_fds(gone.control, [b"{}"], nulls)  # then vanish before the reply
        for fd in nulls:
            os.close(fd)
        gone.control.close()
        other = warm.Zygote.through(parent.door, parent.pid)  # served after the vanished one
        with pytest.raises(warm.WarmStartError, match="5 descriptors"):
            other.fork({}, [])
        assert parent.alive and other.alive
    finally:
        parent.close()
