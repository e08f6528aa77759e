"""Batches: parallel workers give the same results, reruns resume, a killed batch loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.api import grade_paths
from grader.isolation import detect
from grader.jobs import Job, JobOutput, run_job, write_output
from grader.progress import Progress, duration
from grader.results import GradeResult
from grader.rubric import load_rubric
from grader.secret import for_run

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
CLASS = ["numpy_py", "xor_raw_py", "failing_cell_nb"]


def comparable(path: Path) -> dict:
    data = json.loads(path.read_text())
    data.pop("timing")
    return data


@pytest.fixture(scope="module")
def class_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    for name in CLASS:
        shutil.copytree(FIXTURES / name, root / name)
    return root


@pytest.fixture(scope="module")
def serial_and_parallel(class_dir, tmp_path_factory) -> tuple[Path, Path]:
    rubric = load_rubric("lab6")
    serial, parallel = tmp_path_factory.mktemp("serial"), tmp_path_factory.mktemp("parallel")
    list(grade_paths([class_dir], rubric, serial, jobs=1))
    list(grade_paths([class_dir], rubric, parallel, jobs=2))
    return serial, parallel


def test_two_workers_give_the_same_results_as_one(serial_and_parallel) -> None:
    serial, parallel = serial_and_parallel
    for name in CLASS:
        assert comparable(serial / name / "result.json") == comparable(parallel / name / "result.json")
        assert sorted(p.name for p in (serial / name).iterdir()) == sorted(
            p.name for p in (parallel / name).iterdir())


def test_a_rerun_skips_current_results_and_force_regrades(class_dir, serial_and_parallel) -> None:
    serial, _ = serial_and_parallel
    rubric = load_rubric("lab6")
    skipped: list[str] = []
    before = {n: (serial / n / "result.json").stat().st_mtime_ns for n in CLASS}
    results = list(grade_paths([class_dir], rubric, serial, jobs=2,
                               on_skip=lambda p, r: skipped.append(p.name)))
    assert sorted(skipped) == sorted(CLASS) and len(results) == len(CLASS)
    assert {n: (serial / n / "result.json").stat().st_mtime_ns for n in CLASS} == before
    forced = list(grade_paths([class_dir / "numpy_py"], rubric, serial, force=True,
                              on_skip=lambda p, r: skipped.append("again")))
    assert len(forced) == 1 and "again" not in skipped


def test_a_changed_submission_is_regraded(class_dir, tmp_path) -> None:
    rubric = load_rubric("lab6")
    work = tmp_path / "class"
    shutil.copytree(class_dir, work)
    out = tmp_path / "out"
    list(grade_paths([work / "numpy_py", work / "failing_cell_nb"], rubric, out))
    notebook = next((work / "failing_cell_nb").glob("*.ipynb"))
    notebook.write_text(notebook.read_text().replace("# Lab 3", "# Lab 3 (resubmitted)", 1))
    skipped: list[str] = []
    list(grade_paths([work / "numpy_py", work / "failing_cell_nb"], rubric, out,
                     on_skip=lambda p, r: skipped.append(p.name)))
    assert skipped == ["numpy_py"]


def test_a_job_draws_its_report_itself_so_a_class_renders_in_parallel(class_dir) -> None:
    rubric = load_rubric("lab6")
    output = run_job(Job(str(class_dir / "numpy_py"), "numpy_py", rubric, rubric.limits, 1, False,
                         detect()))
    assert "result.json" not in output.files  # written last, by write_output, from the result
    page = output.files["report.html"].decode()
    assert "numpy_py" in page and f"{output.result['score']:g}" in page


def test_write_output_keeps_files_inside_the_folder(tmp_path: Path) -> None:
    output = JobOutput("s", "s", {"status": "graded"}, {
        "stdout.txt": b"hello", "figures/figure-1.png": b"png", "../escape.txt": b"no",
        "result.json": b"forged"})
    written = write_output(output, tmp_path / "s")
    assert json.loads(written.read_text()) == {"status": "graded"}
    assert (tmp_path / "s" / "figures" / "figure-1.png").read_bytes() == b"png"
    assert not (tmp_path / "escape.txt").exists()
    assert not list((tmp_path / "s").rglob("*.tmp"))


def test_progress_counts_and_estimates() -> None:
    progress = Progress(total=4, started=time.monotonic() - 60)
    result = GradeResult({"name": "a"}, {}, "graded", 50.0, 100.0, [], [], {}, {}, [], {}, {})
    progress.add(result)
    progress.add(GradeResult({"name": "b"}, {}, "error", 0, 100.0, [], [], {}, {}, [], {}, {}))
    progress.add(result, skipped=True)
    assert progress.prefix().startswith("[3/4 · 1 failed · ETA ")
    summary = progress.summary()
    assert "1 graded" in summary and "1 could not be graded" in summary
    assert "1 already current" in summary and "mean score 50.0%" in summary
    assert duration(75) == "1m15s" and duration(3700) == "1h01m" and duration(5) == "5s"


SLEEPER = ("import subprocess, sys, time\nx = 1\n"
           "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', "
           "'LGMARK_batchkill'], start_new_session=True)\ntime.sleep(600)\n")


def test_killing_the_grader_mid_batch_loses_nothing_and_leaves_nothing(class_dir, tmp_path) -> None:
    work = tmp_path / "class"
    shutil.copytree(class_dir, work)
    for name in ("sleeper_a", "sleeper_b"):
        (work / name).mkdir()
        (work / name / "s.py").write_text(SLEEPER)
    out = tmp_path / "out"
    grader = subprocess.Popen(
        [sys.executable, "-c", "from grader.cli import main; main()", "run", str(work), "--out",
         str(out), "--jobs", "2"], start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env={**os.environ, **GRADER_MARK})
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (
                len(list(out.glob("*/result.json"))) >= 1 and _markers()):
            time.sleep(0.2)
        assert _markers(), "no sleeper started"
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        assert len(_grader_processes()) >= 4  # the grader, its fork server, workers, warm parent
        deadline = time.monotonic() + 15
        while (_markers() or _grader_processes()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _markers() == []
        assert _grader_processes() == []  # no worker, fork server or warm parent outlived it
    finally:
        for pid in _markers() + _grader_processes():
            os.kill(pid, signal.SIGKILL)
    assert not list(out.rglob("*.tmp")), "a half-written file was left"
    finished = {p.parent.name for p in out.glob("*/result.json")}
    for path in out.glob("*/result.json"):
        json.loads(path.read_text())  # complete JSON, or it would not be there
    # the secret `grader run` graded with (tests/conftest.py names it): results are current
    rubric = for_run(load_rubric("lab6"), Path(os.environ["LABGRADE_SECRET_FILE"])).rubric
    skipped: list[str] = []
    redone = {p.name for p, _ in grade_paths([work / n for n in CLASS], rubric, out,
                                             on_skip=lambda p, r: skipped.append(p.name))}
    assert set(skipped) == finished & set(CLASS) and redone == set(CLASS)


# inherited by every process of that grader: its workers, and (as an OPENBLAS_ variable, the
# only kind passed on) its warm parent and runs
GRADER_MARK = {"OPENBLAS_LGMARK_BATCHKILL": "1"}


def _grader_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"OPENBLAS_LGMARK_BATCHKILL=1" in (
                    entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _markers() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"LGMARK_batchkill" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_ctrl_c_stops_the_batch_at_once_without_waiting_for_runs_in_flight(class_dir, tmp_path) -> None:
    work = tmp_path / "class"
    shutil.copytree(class_dir, work)
    (work / "sleeper").mkdir()
    (work / "sleeper" / "s.py").write_text(SLEEPER)
    out = tmp_path / "out"
    grader = subprocess.Popen(  # the sleeper may run for 300 s: Ctrl-C must not wait for it
        [sys.executable, "-c", "from grader.cli import main; main()", "run", str(work), "--out",
         str(out), "--jobs", "2", "--timeout", "300"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, **GRADER_MARK},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not _markers() and grader.poll() is None:
            time.sleep(0.2)
        assert _markers(), "the sleeper never started"
        grader.send_signal(signal.SIGINT)
        _out, err = grader.communicate(timeout=120)
        assert grader.returncode != 0 and "Aborted" in err and "Traceback" not in err, err
        deadline = time.monotonic() + 15
        while (_markers() or _grader_processes()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _markers() == [] and _grader_processes() == []
    finally:
        grader.kill()
        for pid in _markers() + _grader_processes():
            os.kill(pid, signal.SIGKILL)
    assert not list(out.rglob("*.tmp"))
    assert not (out / "sleeper" / "result.json").exists()
    for path in out.glob("*/result.json"):
        json.loads(path.read_text())
