"""The ``grader`` command: exit codes, the self-check summary, runs that end badly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.rubric import load_rubric

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path_factory.getbasetemp() / "cli-cache"))


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return folder


def test_check_passes_on_correct_work_and_hides_hidden_checks(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "moons_nb"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "FAIL" not in result.output
    assert "Score so far (public checks)" in result.output
    assert "Environment" in result.output and "torch 2.13" in result.output
    hidden = [c.title for t in load_rubric("lab6").tasks for c in t.checks if c.visibility == "hidden"]
    assert hidden and not any(title in result.output for title in hidden)


def test_check_fails_with_reasons_on_broken_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "moons_low_accuracy"), "--out",
                                       str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "below the required" in result.output


def test_check_prints_a_task_not_attempted_as_one_line(tmp_path: Path, monkeypatch) -> None:
    from built_results import MOONS_REASON, xor_only_result
    from grader import api

    graded = xor_only_result(public_only=True, extra_alternative=True)

    def grade_paths(paths, *_args, on_result=None, **_options):  # type: ignore[no-untyped-def]
        if on_result:
            on_result(paths[0], graded, None)
        yield paths[0], graded

    monkeypatch.setattr(api, "grade_paths", grade_paths)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output  # backtracking, not attempted, still fails
    lines = result.output.splitlines()
    assert f"Armijo backtracking on make_moons: 0/20 - not attempted: {MOONS_REASON}" in lines
    assert ("(not attempted, other ways of doing the same part: A deep network on make_moons; "
            "A deep network on two spirals)") in lines
    assert "FAIL" not in result.output and "found none that fits" not in result.output
    assert "  PASS  classifies check (30/30)" in lines


def test_run_exits_zero_whatever_the_score_and_writes_results(tmp_path: Path) -> None:
    broken = write(tmp_path / "class" / "eve", "lab.py", "raise ValueError('nope')\n")
    empty = tmp_path / "class" / "frank"
    write(empty, "notes.txt", "no code here")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    eve = json.loads((tmp_path / "out" / "eve" / "result.json").read_text())
    assert eve["status"] == "graded" and eve["score"] == 0
    assert "ValueError: nope" in eve["tasks"][0]["checks"][0]["message"]
    frank = json.loads((tmp_path / "out" / "frank" / "result.json").read_text())
    assert frank["status"] == "error" and "no notebook" in frank["error"]
    assert broken.exists()


def test_unknown_rubric_is_a_usage_error(tmp_path: Path) -> None:
    folder = write(tmp_path / "s", "a.py", "x = 1\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--rubric", "nosuch"])
    assert result.exit_code == 2
    assert "nosuch" in result.output and "lab6" in result.output


def test_a_run_past_its_time_limit_is_reported_and_still_graded(tmp_path: Path) -> None:
    folder = write(tmp_path / "slow", "slow.py", "losses = [1.0, 0.5]\nwhile True:\n    pass\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(tmp_path / "out"),
                                       "--timeout", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "slow" / "result.json").read_text())
    assert data["run"]["ending"] == "timeout"
    cells = data["tasks"][0]["checks"][0]
    assert "time limit of 3 s" in cells["message"]
    assert data["timing"]["run_seconds"] < 30


def test_a_submission_that_kills_its_own_interpreter_is_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "quitter", "q.py", "import os\nx = [1.0, 2.0]\nos._exit(0)\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    data = json.loads((tmp_path / "out" / "quitter" / "result.json").read_text())
    assert data["run"]["ending"] == "exited"
    assert "ended the Python process itself" in data["run"]["detail"]


def test_output_is_capped_without_losing_the_grade(tmp_path: Path) -> None:
    folder = write(tmp_path / "loud", "loud.py", "for i in range(300000):\n    print('x' * 20)\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    data = json.loads((tmp_path / "out" / "loud" / "result.json").read_text())
    assert data["run"]["output_truncated"] is True
    assert data["run"]["stdout_bytes"] <= 1024**2
    assert data["tasks"][0]["checks"][0]["status"] == "passed"
    assert os.path.getsize(tmp_path / "out" / "loud" / "stdout.txt") <= 1024**2
