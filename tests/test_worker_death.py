"""A dead grading process fails only its own job and leaves nothing in the temporary folder.

A pool worker dies in two ways here: a bare-mode submission that reaches it
(tests/attacks/kill_worker) and the kernel's OOM killer, played by this test with SIGKILL
on the worker that grades a sleeping submission (found by its work folder's owner
marker). A grader killed with ``kill -9`` cannot clean up: the next run's start does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from grader import scratch, warm
from grader.isolation import CGROUP_ROOT, Support, detect, warm_support
from grader.jobs import Job, JobOutput
from grader.pool import run_local
from grader.rubric import load_rubric

ATTACKS = Path(__file__).parent / "attacks"
SLEEPER = "import time\nx = 1\ntime.sleep(600)\n"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch) -> Path:
    """This process's (and so its pool's) temporary folder, empty, for this test alone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def class_of(root: Path, **sources: str) -> list[Path]:
    paths = []
    for name, source in sources.items():
        (root / name).mkdir()
        (root / name / f"{name}.py").write_text(source)
        paths.append(root / name)
    return paths


def grade(paths: list[Path], support: Support) -> dict[str, JobOutput]:
    rubric = load_rubric("lab6")
    jobs = [Job(str(p), p.name, rubric, rubric.limits, 1, False, support) for p in paths]
    return {output.name: output for output in run_local(jobs, 2)}


def labgrade_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("labgrade-"))


def test_a_submission_that_kills_its_worker_fails_alone(tmp_path: Path, private_tmp: Path) -> None:
    """Bare mode: nothing keeps the submission from signalling the worker grading it."""
    bare = Support(bwrap=None, setpriv=None, cgroup_version=None, reason="test: bare")
    paths = [ATTACKS / "kill_worker", *class_of(tmp_path, a="x = 1\n", b="y = 2\n", c="z = 3\n")]
    outputs = grade(paths, bare)
    killer = outputs["kill_worker"].result
    assert killer["status"] == "error", killer
    assert "grading worker died while grading this submission" in killer["error"]
    assert "SIGKILL" in killer["error"]
    assert {n: outputs[n].result["status"] for n in "abc"} == dict.fromkeys("abc", "graded")
    assert labgrade_folders(private_tmp) == []


@pytest.mark.skipif(not warm.available(), reason="warm start needs pidfds")
def test_a_worker_killed_from_outside_leaves_no_run_cgroup_or_folder(tmp_path: Path,
                                                                     private_tmp: Path) -> None:
    """Warm mode, the default: the OOM killer's SIGKILL on the worker grading the sleeper."""
    support = warm_support(detect())
    paths = class_of(tmp_path, sleeper=SLEEPER, a="x = 1\n", b="y = 2\n")
    killed: list[int] = []
    killer = threading.Thread(target=_kill_worker_grading, args=(private_tmp, "sleeper.py", killed),
                              daemon=True)
    killer.start()
    outputs = grade(paths, support)
    killer.join(timeout=5)
    assert killed, "the sleeper's worker was never found"
    assert "killed by SIGKILL" in outputs["sleeper"].result["error"], outputs["sleeper"].result
    assert outputs["a"].result["status"] == outputs["b"].result["status"] == "graded"
    assert labgrade_folders(private_tmp) == []
    if support.cgroup_version is not None:  # the run the dead worker had started: gone too
        left = list(CGROUP_ROOT.glob(f"*/labgrade/labgrade-{killed[0]}-*"))
        left += list(CGROUP_ROOT.glob(f"labgrade/labgrade-{killed[0]}-*"))
        assert left == [], left


def _kill_worker_grading(tmp: Path, filename: str, killed: list[int]) -> None:
    """SIGKILL the pool worker whose work folder holds ``filename``, once its run runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for copy in tmp.glob(f"labgrade-worker-*/labgrade-*/submission/{filename}"):
            worker = copy.parents[2]
            pid = json.loads((worker / scratch.MARKER).read_text())["pid"]
            time.sleep(1.0)  # let the run start: the kill lands mid-run
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.1)


def test_the_next_run_removes_what_a_killed_grader_left_but_not_a_live_ones(
        tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    work = tmp_path / "class"
    work.mkdir()
    class_of(work, sleeper_a=SLEEPER, sleeper_b=SLEEPER)
    env = {**os.environ, "TMPDIR": str(tmp), "LABGRADE_NO_BWRAP": "1"}
    grader = subprocess.Popen(
        [sys.executable, "-c", "from grader.cli import main; main()", "run", str(work), "--out",
         str(tmp_path / "out"), "--jobs", "2", "--cold"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(tmp.glob("*/labgrade-*/submission"))) < 2:
            time.sleep(0.2)
        assert len(list(tmp.glob("*/labgrade-*/submission"))) == 2, "the sleepers never started"
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    left = labgrade_folders(tmp)
    assert len(left) == 2 and all(name.startswith("labgrade-worker-") for name in left), left
    # the workers die of their parent-death signal, but a dying process is still alive for a
    # moment (releasing its memory): the next run comes after they are gone
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(
            scratch.owner_gone(scratch._marked_owner(tmp / name) or {}) for name in left):
        time.sleep(0.1)
    # another grader, alive, working in the same folder: its work must stay
    live = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                             "from grader import scratch; print(scratch.make(directory=Path("
                             "sys.argv[1])), flush=True); time.sleep(60)", str(tmp)],
                            stdout=subprocess.PIPE, text=True)
    try:
        theirs = Path(live.stdout.readline().strip())
        # the next run's start: `grader run` detects the machine's isolation first
        subprocess.run([sys.executable, "-c", "from grader.isolation import detect; detect()"],
                       env=env, check=True, timeout=120)
        assert labgrade_folders(tmp) == [theirs.name]
    finally:
        live.kill()
        live.wait()
