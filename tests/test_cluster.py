"""Grading on a Dask cluster gives the same results as grading here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.api import grade_paths
from grader.cluster import ClusterUnavailable, run_on_cluster
from grader.jobs import Job
from grader.launcher import Limits
from grader.rubric import load_rubric

distributed = pytest.importorskip("distributed")

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
CLASS = ["numpy_py", "numpy_bad_db"]


def comparable(path: Path) -> dict:
    data = json.loads(path.read_text())
    data.pop("timing")
    return data


def test_a_local_cluster_grades_like_a_local_run(tmp_path: Path) -> None:
    for name in CLASS:
        shutil.copytree(FIXTURES / name, tmp_path / "class" / name)
    rubric = load_rubric("lab6")
    local, remote = tmp_path / "local", tmp_path / "remote"
    list(grade_paths([tmp_path / "class"], rubric, local))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        results = list(grade_paths([tmp_path / "class"], rubric, remote,
                                   cluster=cluster.scheduler_address))
    assert sorted(p.name for p, _ in results) == sorted(CLASS)
    for name in CLASS:
        assert comparable(local / name / "result.json") == comparable(remote / name / "result.json")
        assert (remote / name / "report.html").exists()
        assert sorted(p.name for p in (local / name).iterdir()) == sorted(
            p.name for p in (remote / name).iterdir())


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    job = Job(str(FIXTURES / "numpy_py"), "numpy_py", load_rubric("lab6"), Limits())
    with pytest.raises(ClusterUnavailable, match="tcp://127.0.0.1:1"):
        list(run_on_cluster([job], "tcp://127.0.0.1:1", timeout=2))
