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


def test_run_grades_whatever_the_score_and_exits_4_for_an_ungradable_one(tmp_path: Path) -> None:
    broken = write(tmp_path / "class" / "eve", "lab.py", "raise ValueError('nope')\n")
    empty = tmp_path / "class" / "frank"
    write(empty, "notes.txt", "no code here")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 4, result.output  # eve's low score alone would be 0: frank's error
    assert "frank: could not be graded:" in result.output and "1 could not be graded" in result.output
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


# --- a CLI that tells the truth (issue #14) ----------------------------------------------------

RUBRICS = Path(__file__).parent.parent / "rubrics"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", ["run", "check"])
@pytest.mark.parametrize("option", [("--timeout", "-5"), ("--timeout", "0"), ("--timeout", "nan"),
                                    ("--memory", "-1GiB"), ("--memory", "lots"),
                                    ("--memory", "1")],
                         ids=["timeout-negative", "timeout-zero", "timeout-nan", "memory-negative",
                              "memory-nonsense", "memory-one-byte"])
def test_bad_limit_overrides_are_usage_errors(tmp_path: Path, command: str,
                                              option: tuple[str, str]) -> None:
    folder = write(tmp_path / "s", "a.py", "x = 1\n")
    result = invoke(command, str(folder), "--out", str(tmp_path / "out"), *option)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option[0]}'" in result.output
    assert "must be from" in result.output or "is not a size" in result.output
    assert not (tmp_path / "out").exists()  # nothing was graded


def test_a_rubric_mistake_stops_the_run_before_grading(tmp_path: Path) -> None:
    text = (RUBRICS / "lab6.toml").read_text(encoding="utf-8")
    path = tmp_path / "typo.toml"
    path.write_text(text.replace('reference = "moons_fixed"', 'reference = "moons_fixd"', 1))
    folder = write(tmp_path / "s", "a.py", "x = 1\n")
    result = invoke("run", str(folder), "--rubric", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert f"{path}: tasks[2].checks[0].reference: 'moons_fixd' is not a reference run" \
        in result.output
    assert not (tmp_path / "out").exists()


def test_run_out_that_is_a_file_is_a_usage_error_before_grading(tmp_path: Path) -> None:
    folder = write(tmp_path / "s", "a.py", "x = 1\n")
    taken = tmp_path / "results.txt"
    taken.write_text("keep me")
    for out in (taken, taken / "inside"):
        result = invoke("run", str(folder), "--out", str(out))
        assert result.exit_code == 2, result.output
        assert f"{taken} is a file, not a folder" in result.output
        assert "Traceback" not in result.output
    assert taken.read_text() == "keep me"


def _fake_grading(monkeypatch: pytest.MonkeyPatch, results, seen: dict | None = None):  # type: ignore[no-untyped-def]
    """``api.grade_paths`` yielding ``results`` (each with its own report.html under out)."""
    from grader import api

    def grade_paths(paths, rubric, out, *, on_result=None, **options):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.update(options)
        for graded in results:
            folder = out / graded.submission["name"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "report.html").write_text("<html></html>")
            if on_result:
                on_result(Path(graded.submission["name"]), graded, folder / "result.json")
            yield Path(graded.submission["name"]), graded

    monkeypatch.setattr(api, "grade_paths", grade_paths)


def test_check_of_several_submissions_prints_each_one_s_report(tmp_path: Path, monkeypatch) -> None:
    from built_results import xor_only_result

    _fake_grading(monkeypatch, [xor_only_result(public_only=True, name=n) for n in ("ann", "ben")])
    (tmp_path / "class").mkdir()
    out = tmp_path / "out"
    result = invoke("check", str(tmp_path / "class"), "--out", str(out))
    assert result.exit_code == 1, result.output
    reports = [line for line in result.output.splitlines() if line.startswith("Report: ")]
    assert reports == [f"Report: {out / 'ann' / 'report.html'}",
                       f"Report: {out / 'ben' / 'report.html'}"]


def _with_an_error_check(name: str = "dave"):  # type: ignore[no-untyped-def]
    from built_results import check, result, task

    return result([task("runs", "The work runs", [check("cells", "cells_ran", "passed", 10)]),
                   task("moons", "Moons", [check("accuracy", "heldout_accuracy", "error", 30),
                                           check("loss", "loss_decrease", "passed", 15)])],
                  name=name, public_only=True)


def test_checks_the_grader_could_not_judge_are_named_counted_and_exit_4(tmp_path: Path,
                                                                        monkeypatch) -> None:
    from built_results import xor_only_result

    _fake_grading(monkeypatch, [_with_an_error_check(), xor_only_result(name="xena")])
    folder = write(tmp_path / "class" / "dave", "a.py", "x = 1\n")
    write(tmp_path / "class" / "xena", "a.py", "x = 1\n")
    result = invoke("run", str(folder.parent), "--out", str(tmp_path / "out"))
    assert result.exit_code == 4, result.output
    lines = result.stdout.splitlines()
    dave = next(line for line in lines if " dave: " in line)
    assert dave.startswith("[1/2 · 1 with grader errors"), dave
    assert dave.endswith("] dave: 25/55 (1 check(s) not judged (grader error, 0 points, still in "
                         f"the maximum): moons.accuracy) -> {tmp_path / 'out' / 'dave'}"
                         "/result.json"), dave
    assert "1 with checks the grader could not judge" in lines[-1], lines
    assert "1 submission(s) not fully graded" in result.stderr

    _fake_grading(monkeypatch, [_with_an_error_check()])
    result = invoke("check", str(folder), "--out", str(tmp_path / "check"))
    assert result.exit_code == 4, result.output  # not 1: the grader failed, not the student
    assert "ERROR" in result.output
    assert "The grader failed on 1 check(s) not judged" in result.output


def test_a_result_with_an_error_check_is_regraded(tmp_path: Path) -> None:
    from grader.jobs import is_current
    from grader.results import write_json_atomic

    data = _with_an_error_check().to_dict()
    data["environment"]["grader"] = __import__("grader").__version__
    write_json_atomic(tmp_path / "result.json", data)
    files, digest = data["submission"]["files"], data["rubric"]["digest"]
    assert not is_current(tmp_path, files, digest, "1", True)
    for task in data["tasks"]:
        for check in task["checks"]:
            check["status"] = "passed" if check["status"] == "error" else check["status"]
    write_json_atomic(tmp_path / "result.json", data)
    assert is_current(tmp_path, files, digest, "1", True)


def test_cluster_runs_say_they_are_cold(tmp_path: Path, monkeypatch) -> None:
    seen: dict = {}
    _fake_grading(monkeypatch, [], seen)
    folder = write(tmp_path / "s", "a.py", "x = 1\n")
    for flag in ("--warm", None):
        result = invoke("run", str(folder), "--out", str(tmp_path / "out"),
                        "--cluster", "tcp://127.0.0.1:1", *([flag] if flag else []))
        assert result.exit_code == 0, result.output
        first = result.stderr.splitlines()[0]
        assert first.startswith("start: cold (") and "warm" not in first.split(")")[1], first
        assert ("--warm has no effect with --cluster" in first) == bool(flag)
        assert seen["support"] is None  # each worker detects its own (cold) sandbox


def test_a_corrupt_notebook_is_an_error_result_and_exit_4_end_to_end(tmp_path: Path) -> None:
    """A real ``grader run``: the corrupt notebook is named with its problem, the rest graded."""
    import subprocess
    import sys

    work = tmp_path / "class"
    write(work / "zoe", "lab.ipynb", '{"nbformat": 99, "nbformat_minor": 0, "cells": []}')
    (work / "yan").mkdir()
    (work / "yan" / "lab.ipynb").write_bytes(bytes(range(256)) * 4)
    write(work / "amy", "lab.py", "x = 1\n")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "run",
                           str(work), "--out", str(out), "--jobs", "1", "--timeout", "60"],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 4, done.stdout + done.stderr
    for name, problem in (("zoe", "lab.ipynb: the notebook cannot be read: Unsupported nbformat "
                                  "version 99"),
                          ("yan", "lab.ipynb: the notebook is not UTF-8 text (byte 128)")):
        data = json.loads((out / name / "result.json").read_text())
        assert data["status"] == "error" and problem in data["error"], data["error"]
        assert f"{name}: could not be graded: {work / name}: no notebook or script could be " \
               f"graded: {problem}" in done.stdout, done.stdout
    assert json.loads((out / "amy" / "result.json").read_text())["status"] == "graded"
    assert "1 graded, 2 could not be graded" in done.stdout
