"""A run that ignores SIGXCPU is killed by the hard CPU limit and must still end "cpu_limit".

The SIGKILL of the hard ``RLIMIT_CPU`` looks like any other kill; the grader tells them apart
by the run's CPU time, which it must see in every mode: through bubblewrap, under the reaper
and forked from the warm parent (where the run is not the grader's child). It is counted by
the run's cgroup, else by the reaper (degraded, bare and warm runs).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.launcher import Limits, SandboxSession
from grader.loading import load_submission
from test_attacks import MODES, support_for

IGNORE_SIGXCPU = """
import signal
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
x = 0
while True:
    x += 1
"""


@pytest.mark.parametrize("cgroup", [True, False], ids=["cgroup", "no-cgroup"])
@pytest.mark.parametrize("mode", MODES)
def test_ignoring_sigxcpu_still_ends_at_the_cpu_limit(tmp_path: Path, mode: str,
                                                      cgroup: bool) -> None:
    support = support_for(mode)
    if cgroup != (support.cgroup_version is not None):
        if cgroup:
            pytest.skip(f"{mode}: no cgroup")
        support = dataclasses.replace(support, cgroup_version=None)
    (tmp_path / "spin.py").write_text(IGNORE_SIGXCPU)
    # the soft limit's SIGXCPU is ignored; the hard one (2 + 5 s of CPU) kills, long before 60 s
    with SandboxSession(load_submission(tmp_path), seed=0, support=support,
                        limits=Limits(timeout=60, cpu=2)) as session:
        record = session.run()
    if mode == "isolated" and not cgroup and record.ending == "killed":
        pytest.xfail("bubblewrap without a cgroup: the run's CPU time is not folded into ours")
    assert record.ending == "cpu_limit", (record.ending, record.ending_detail, record.stderr)
