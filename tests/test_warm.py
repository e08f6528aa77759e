"""Warm start: runs forked from the warm parent grade exactly as cold runs do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import warm
from grader.api import grade_paths
from grader.isolation import detect, warm_support
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
    assert "warm start" in run["isolation_note"]
    assert set(run["missing_protections"]) <= {"pid_namespace", "unprivileged_user"}


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
