"""Each run has a CPU share of its own: a hostile neighbour's 60 spinners cannot starve it.

The files a kernel reads are checked on fake v1 and v2 hierarchies; on this machine's real
cgroups an honest run is graded beside tests/attacks/cpu_hog. What is compared is CPU time
counted by the two runs' cgroups over the same seconds, not wall time, so the verdict does
not depend on what else loads the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader import isolation
from grader.isolation import Cgroup, Support, detect, warm_support
from grader.launcher import Limits, SandboxSession
from grader.loading import load_submission
from test_attacks import MODES, aim
from test_scratch import dead_pid

HONEST = """
import time
started = time.process_time()
x = 0
while time.process_time() - started < 0.5:
    x += 1
print("HONEST", round(time.process_time() - started, 2))
"""


def fake_v1(root: Path, *, together: bool = False) -> None:
    for controller in ("memory", "pids"):
        (root / controller).mkdir()
    if together:  # cpu and cpuacct mounted as one hierarchy, as on most v1 systems
        (root / "cpu,cpuacct").mkdir()
        (root / "cpu").symlink_to("cpu,cpuacct")
        (root / "cpuacct").symlink_to("cpu,cpuacct")
    else:
        (root / "cpu").mkdir()
        (root / "cpuacct").mkdir()
    (root / "cpu" / "cpu.shares").write_text("1024\n")
    (root / "cpuacct" / "cpuacct.usage").write_text("0\n")


@pytest.mark.parametrize("together", [False, True], ids=["separate", "cpu,cpuacct"])
def test_v1_gives_each_run_equal_shares_and_a_quota_of_its_threads(tmp_path: Path, monkeypatch,
                                                                   together: bool) -> None:
    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    fake_v1(tmp_path, together=together)
    group = Cgroup(1, memory=1 << 30, pids=64, cpus=2)
    cpu = tmp_path / "cpu" / "labgrade" / group.dirs[0].name
    assert group.cpu_share
    assert (cpu / "cpu.shares").read_text() == "1024"
    assert (cpu / "cpu.cfs_quota_us").read_text() == "200000"  # two cores' worth per period
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    joined = {os.path.realpath(path) for path in group.procs_files}
    assert os.path.realpath(cpu / "cgroup.procs") in joined  # warm and cold runs join it
    real = {os.path.realpath(d) for d in group.dirs}
    assert len(real) == len(group.dirs) == (3 if together else 4)  # one folder per hierarchy


def test_v2_enables_the_cpu_controller_with_weight_and_max(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    group = Cgroup(2, memory=1 << 30, pids=64)
    (directory,) = group.dirs
    assert group.cpu_share
    assert "+cpu" in (tmp_path / "labgrade" / "cgroup.subtree_control").read_text()
    assert (directory / "cpu.weight").read_text() == "100"
    assert (directory / "cpu.max").read_text() == "100000 100000"  # one core: one thread


def test_v2_without_the_cpu_controller_still_limits_memory_and_pids(tmp_path: Path,
                                                                    monkeypatch) -> None:
    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    (tmp_path / "cgroup.controllers").write_text("memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    group = Cgroup(2, memory=1 << 30, pids=64)
    assert not group.cpu_share and not (group.dirs[0] / "cpu.max").exists()
    assert (group.dirs[0] / "pids.max").read_text() == "64"
    assert (tmp_path / "labgrade" / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_a_machine_without_the_cpu_controller_says_a_run_has_no_cpu_share() -> None:
    without = Support(None, None, 1, "", landlock=7, seccomp=True, cgroup_cpu=False)
    assert "cpu_share" in without.missing()
    assert "cpu_share" in Support(None, None, None, "").missing()
    assert "cpu_share" not in Support(None, None, 1, "", landlock=7, seccomp=True).missing()


def test_a_dead_workers_cgroups_are_emptied_and_other_owners_only_removed_when_empty(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    owners = {"killed": dead_pid(), "other": dead_pid()}
    runs = {}
    for owner, pid in owners.items():
        runs[owner] = subprocess.Popen(["sleep", "60"])
        folder = tmp_path / "pids" / "labgrade" / f"labgrade-{pid}-x"
        folder.mkdir(parents=True)
        (folder / "cgroup.procs").write_text(f"{runs[owner].pid}\n")  # a fake folder keeps files
    try:
        isolation.remove_stale_cgroups(1, killed_owners={owners["killed"]})
        assert runs["killed"].wait(timeout=5) == -signal.SIGKILL
        assert runs["other"].poll() is None  # maybe another pid namespace's grader: left alone
    finally:
        for run in runs.values():
            run.kill()
            run.wait()


CGROUP_MODES = [m for m in MODES if getattr(m, "values", [m])[0] in ("isolated", "warm")]


@pytest.mark.parametrize("mode", CGROUP_MODES)
def test_an_honest_run_keeps_its_share_beside_a_run_of_60_spinners(tmp_path: Path,
                                                                   mode: str) -> None:
    support = detect() if mode == "isolated" else warm_support(detect())
    if support.cgroup_version is None or not support.cgroup_cpu:
        pytest.skip(f"no cpu cgroup here: {support.reason}")
    hog_folder = aim(tmp_path, "cpu_hog", "SPIN_SECONDS, SPINNERS = 2.0, 60  # set by tests/test_cpu_share.py\n",
                     "SPIN_SECONDS, SPINNERS = 60.0, 60")
    (tmp_path / "honest").mkdir()
    (tmp_path / "honest" / "honest.py").write_text(HONEST)
    limits = Limits(timeout=60, cpu=60)
    with SandboxSession(load_submission(hog_folder), seed=0, support=support,
                        limits=limits) as hog:
        spinning = threading.Thread(target=hog.run, daemon=True)
        spinning.start()
        try:
            started_hog, started = _spinning(hog, spinning), time.monotonic()
            with SandboxSession(load_submission(tmp_path / "honest"), seed=0, support=support,
                                limits=limits) as honest:
                record = honest.run()
                honest_cpu = honest._cgroup.cpu_seconds()
            hog_used, seconds = hog._cgroup.cpu_seconds() - started_hog, time.monotonic() - started
        finally:
            if hog._cgroup is not None:
                hog._cgroup.kill_all()  # the hog's run ends here, not after its SPIN_SECONDS
            spinning.join(timeout=30)
    assert record.ending == "finished" and "HONEST" in record.stdout, record.ending_detail
    # 60 spinners against one process: without a share of its own the honest run got about
    # 1/60 of the CPU the hog got (measured: 1.7 s against 103 s); with it, about as much
    assert honest_cpu >= 0.4 * hog_used, (honest_cpu, hog_used, seconds)
    assert hog_used <= 1.15 * seconds + 0.3, (hog_used, seconds)  # its quota: one core


def _spinning(hog: SandboxSession, spinning: threading.Thread) -> float:
    """Wait until the hog's 60 spinners exist; the CPU seconds its cgroup counted so far."""
    deadline = time.monotonic() + 90  # a cold start under a heavy load takes its time
    while time.monotonic() < deadline and spinning.is_alive():
        if hog._cgroup is not None and len(hog._cgroup.pids()) > 60:
            return hog._cgroup.cpu_seconds()
        time.sleep(0.1)
    raise AssertionError(f"the hog's spinners never ran: {hog.record.ending_detail}")
