"""Exports: the gradebook CSV, Gradescope's results.json per submission, one JSON of all."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graded_results import ERROR_SUBMISSION, GRADED, copy_results, graded_class, load
from grader.cli import main
from grader.report.classpage import points
from grader.rubric import load_rubric

pytestmark = pytest.mark.slow
FOLDERS = sorted([*GRADED, ERROR_SUBMISSION])
# Gradescope autograder results.json: top-level and per-test keys, and visibility values.
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
                  "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                  "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
                   "output_format", "tags", "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = copy_results(graded_class(tmp_path_factory), tmp_path_factory.mktemp("export") / "results")
    (out / "broken").mkdir()
    (out / "broken" / "result.json").write_text("[1, 2")
    return out


def export(*args: str) -> tuple[int, str, str]:
    cli = CliRunner().invoke(main, ["export", *args])
    return cli.exit_code, cli.stdout, cli.stderr


def test_gradebook_csv_has_a_row_per_submission_and_a_column_per_task(results: Path,
                                                                        tmp_path: Path) -> None:
    code, _, stderr = export(str(results), "--format", "csv", "-o", str(tmp_path / "grades.csv"))
    assert code == 0
    assert "broken/result.json" in stderr and "not valid JSON" in stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    task_ids = [t.id for t in load_rubric("lab6").tasks]
    assert list(rows[0]) == ["student", "id", "folder", "status", *task_ids, "total", "max_score",
                             "late"]
    assert [r["folder"] for r in rows] == FOLDERS
    for row in rows:
        data = load(results, row["folder"])
        assert row["student"] == data["submission"]["name"] and row["status"] == data["status"]
        assert row["total"] == points(data["score"]) and row["max_score"] == points(data["max_score"])
        for task in data["tasks"]:
            assert row[task["id"]] == points(task["score"])
    zed = next(r for r in rows if r["folder"] == ERROR_SUBMISSION)
    assert zed["status"] == "error" and zed["total"] == "0" and zed["runs"] == ""


def test_csv_cells_cannot_start_a_formula(results: Path, tmp_path: Path) -> None:
    copy = copy_results(results, tmp_path / "copy")
    data = load(copy, "xor_raw_py")
    data["submission"]["name"] = "=HYPERLINK(\"http://x\")"
    (copy / "xor_raw_py" / "result.json").write_text(json.dumps(data))
    assert export(str(copy))[0] == 0
    rows = list(csv.DictReader(io.StringIO((copy / "gradebook.csv").read_text())))
    assert next(r for r in rows if r["folder"] == "xor_raw_py")["student"] == "'" + data["submission"]["name"]


def test_gradescope_results_follow_the_autograder_format(results: Path, tmp_path: Path) -> None:
    code, stdout, _ = export(str(results), "--format", "gradescope", "-o", str(tmp_path / "gs"))
    assert code == 0 and "4 files" in stdout
    assert sorted(p.name for p in (tmp_path / "gs").iterdir()) == FOLDERS
    for folder in FOLDERS:
        data = load(results, folder)
        gs = json.loads((tmp_path / "gs" / folder / "results.json").read_text())
        assert set(gs) <= GRADESCOPE_TOP
        assert gs["score"] == data["score"] and isinstance(gs["execution_time"], int)
        assert gs["visibility"] in VISIBILITIES and gs["stdout_visibility"] in VISIBILITIES
        checks = [(t, c) for t in data["tasks"] for c in t["checks"]]
        assert len(gs["tests"]) == len(checks)
        for test, (task, check) in zip(gs["tests"], checks):
            assert set(test) <= GRADESCOPE_TEST
            assert test["name"].startswith(f"{task['id']}.{check['id']}: ")
            assert (test["score"], test["max_score"]) == (check["score"], check["max_score"])
            assert test["status"] == ("passed" if check["status"] == "passed" else "failed")
            expected = "visible" if check["visibility"] == "public" else "after_published"
            assert test["visibility"] == expected
            assert check["message"] in test["output"]
        counted = sum(test["score"] for test, (task, _) in zip(gs["tests"], checks) if task["counted"])
        assert counted == pytest.approx(data["score"])
        if folder == ERROR_SUBMISSION:
            assert gs["tests"] == [] and data["error"] in gs["output"]
    hidden = [t for t in json.loads((tmp_path / "gs" / "xor_raw_py" / "results.json").read_text())["tests"]
              if t["visibility"] == "after_published"]
    assert hidden, "lab6 has hidden checks: they must not be visible before publishing"


def test_gradescope_single_file_for_one_result(results: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    copy_results(results / "xor_raw_py", one / "xor_raw_py")
    target = tmp_path / "autograder" / "results" / "results.json"
    assert export(str(one), "--format", "gradescope", "-o", str(target))[0] == 0
    assert json.loads(target.read_text())["score"] == load(results, "xor_raw_py")["score"]
    code, stdout, stderr = export(str(results), "--format", "gradescope", "-o", str(target))
    assert code == 2 and "exactly one result" in stdout + stderr


def test_json_export_holds_every_result_and_the_problems(results: Path) -> None:
    assert export(str(results), "--format", "json")[0] == 0
    everything = json.loads((results / "all-results.json").read_text())
    assert [r["folder"] for r in everything["results"]] == FOLDERS
    assert everything["results"][0] == {"folder": FOLDERS[0], **load(results, FOLDERS[0])}
    assert [p["path"] for p in everything["problems"]] == ["broken/result.json"]


def test_bad_input_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    code, stdout, stderr = export(str(tmp_path / "missing"))
    assert code == 2 and str(tmp_path / "missing") in stdout + stderr
    code, stdout, stderr = export(str(tmp_path), "--format", "xlsx")
    assert code == 2 and "xlsx" in stdout + stderr
