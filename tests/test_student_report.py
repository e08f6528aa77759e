"""The student report (report.html): drawn from real grading results, checked for its content.

Four gradings, once per module: dave (moons, fixed rate and Armijo backtracking, full
marks), numpy_bad_db (a wrong bias gradient), failing_cell_nb (a cell raising NameError)
and moons_armijo_reversed (a broken Armijo condition), plus a self-check of the latter
through ``grader check``.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from grader.api import grade_paths
from grader.checks._format import num
from grader.cli import main
from grader.plotdata import MAX_CURVE_POINTS, downsample
from grader.references import References
from grader.report import student
from grader.report.plots import use_log_scale
from grader.rubric import load_rubric

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
SUBMISSIONS = {"dave": ROOT / "examples" / "dave", "numpy_bad_db": FIXTURES / "numpy_bad_db",
               "failing_cell_nb": FIXTURES / "failing_cell_nb",
               "moons_armijo_reversed": FIXTURES / "moons_armijo_reversed"}
SELF_CHECKED = "moons_armijo_reversed"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("student-reports")
    results = list(grade_paths(list(SUBMISSIONS.values()), load_rubric("lab6"), folder / "official"))
    assert [r.status for _, r in results] == ["graded"] * len(SUBMISSIONS)
    return folder


@pytest.fixture(scope="module")
def self_check(out: Path) -> tuple[Path, str]:
    run = CliRunner().invoke(main, ["check", str(SUBMISSIONS[SELF_CHECKED]), "--out",
                                    str(out / "check")])
    assert run.exit_code == 1, run.output  # its public backtracking checks fail
    return out / "check" / SELF_CHECKED, run.output


def result(out: Path, name: str) -> dict[str, Any]:
    return json.loads((out / "official" / name / "result.json").read_text())


def page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def section(text: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', text, re.DOTALL)
    assert match, f"no section {sid}"
    return match.group(1)


def visible_text(markup: str) -> str:
    """The page without inline SVGs and images, tags dropped, entities decoded."""
    markup = re.sub(r"<svg.*?</svg>", " ", markup, flags=re.DOTALL)
    markup = re.sub(r'src="data:[^"]*"', "", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def checks(data: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(t, c) for t in data["tasks"] for c in t["checks"]]


def test_score_and_every_lost_point_with_its_reason(out: Path) -> None:
    for name in SUBMISSIONS:
        data, text = result(out, name), page(out / "official" / name)
        score = re.search(r'id="score">([\d.]+) <small>/ ([\d.]+)', text)
        assert score and (float(score[1]), float(score[2])) == (data["score"], data["max_score"])
        lost = visible_text(section(text, "lost"))
        losing = [(t, c) for t, c in checks(data) if t["counted"] and c["score"] < c["max_score"]]
        assert bool(losing) == (name != "dave"), name
        for task, check in losing:
            if task["attempted"]:
                assert f'id="check-{task["id"]}.{check["id"]}"' in text
                assert check["message"] in lost, (name, check["id"])
            else:  # neither the check nor its "found none that fits" inventory is shown
                assert f'{task["id"]}.{check["id"]}' not in text, (name, check["id"])
                # (what was looked for stays in "What the grader used from your work", folded)
                outside = text.replace(section(text, "sandbox"), "")
                assert check["message"] not in visible_text(outside), (name, check["id"])
        if name == "dave":
            assert "No points were lost" in lost
        # A part with nothing found (moons in an XOR submission) is one line: title, points, reason.
        for task in data["tasks"]:
            if task["counted"] and not task["attempted"]:
                block = text.split(f'id="task-{task["id"]}">')[1].split("</div>")[0]
                assert visible_text(block).split() == (
                    f'{task["title"]} ({task["score"]:g} / {task["max_score"]:g}) — not attempted: '
                    f'{task["not_attempted"]}').split(), name
        absent = 'id="task-backtracking"' in text
        assert absent == (name in ("numpy_bad_db", "failing_cell_nb")), name
        assert absent == any(t["id"] == "backtracking" and not t["attempted"] for t in data["tasks"])


def test_the_numbers_behind_a_failed_accuracy_check_are_shown(out: Path) -> None:
    data = result(out, "moons_armijo_reversed")
    accuracy = next(c for t, c in checks(data) if t["id"] == "backtracking" and c["id"] == "accuracy")
    block = visible_text(page(out / "official" / "moons_armijo_reversed").split(
        'id="check-backtracking.accuracy"')[1].split('<div class="lost')[0])
    for label, key in (("measured", "measured"), ("required at least", "threshold"),
                       ("the reference reaches", "reference")):
        assert re.search(rf"{label}\s+{re.escape(num(accuracy['details'][key], 6))}", block), label


def test_the_armijo_table_shows_the_expected_search_and_the_broken_step(out: Path) -> None:
    data = result(out, "moons_armijo_reversed")
    armijo = next(c for t, c in checks(data) if c["id"] == "armijo")["details"]
    assert armijo["trials"][-1]["satisfied"] and armijo["trials"][-1]["alpha"] == armijo["expected_alpha"]
    text = page(out / "official" / "moons_armijo_reversed")
    table = text.split('id="check-backtracking.armijo"')[1].split('data-table="armijo"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"(student)?\">(.*?)</tr>", table, re.DOTALL)
    assert len(rows) == len(armijo["trials"]) + 1  # the search, then the student's step
    mine = [visible_text(r[1]) for r in rows if r[0]]
    assert len(mine) == 1 and num(armijo["alpha"], 6) in mine[0] and str(armijo["k"]) in mine[0]
    assert "your step" in mine[0]


def test_the_gradient_table_names_each_parameter_and_marks_the_wrong_one(out: Path) -> None:
    data = result(out, "numpy_bad_db")
    details = next(c for t, c in checks(data) if t["id"] == "xor" and c["id"] == "gradients")["details"]
    text = page(out / "official" / "numpy_bad_db")
    table = text.split('id="check-xor.gradients"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<tr data-param="([^"]+)">(.*?)</tr>', table, re.DOTALL))
    assert list(rows) == list(details["relative_errors"]) == ["W1", "b1", "W2", "b2"]
    assert details["wrong"] == ["b1"]
    for name, error in details["relative_errors"].items():
        cells = visible_text(rows[name])
        assert num(error, 3) in cells
        assert ("wrong" if name == "b1" else "correct") in cells
    assert "hsl(0," in rows["b1"]  # far above the tolerance: red


def test_a_failed_cell_is_shown_with_its_short_traceback(out: Path) -> None:
    data = result(out, "failing_cell_nb")
    cell = next(c for c in data["cells"] if c["status"] != "ok")
    cells = visible_text(section(page(out / "official" / "failing_cell_nb"), "cells"))
    assert f"cell {cell['number']}" in cells and "NameError: name 'X_train' is not defined" in cells
    assert 'print("training examples:", len(X_train))' in cells
    assert student.short_traceback("\n".join(f"line {i}" for i in range(40))).splitlines() == [
        "… (25 earlier lines left out)"] + [f"line {i}" for i in range(25, 40)]


def test_loss_curves_hold_the_student_and_the_reference_run(out: Path) -> None:
    data, text = result(out, "dave"), page(out / "official" / "dave")
    curves = {c["target"]: c for c in data["plots"]["loss_curves"]}
    assert set(curves) == {"moons_fixed_history", "moons_bt_history"}
    references = References(load_rubric("lab6"))
    for target, name in (("moons_fixed_history", "moons_fixed"), ("moons_bt_history", "moons_backtracking")):
        curve = curves[target]
        assert curve["student"]["n"] == 300 and curve["student"]["epochs"][0] == 1
        assert curve["reference"]["name"] == name
        assert curve["reference"]["values"] == downsample(references.get(name).loss_history)["values"]
        key = f"loss-{target}"
        assert f'id="{key}-student"' in text and f'id="{key}-reference"' in text
    plots = section(text, "loss-curves")
    assert plots.count("<svg") == 2 and plots.index("moons_fixed_history") < plots.index("moons_bt_history")


def test_decision_boundaries_are_the_grader_s_evaluation_of_the_trained_models(out: Path) -> None:
    data, text = result(out, "dave"), page(out / "official" / "dave")
    boundaries = {b["target"]: b for b in data["plots"]["boundaries"]}
    assert set(boundaries) == {"moons_fixed", "moons_bt"}
    for target, entry in boundaries.items():
        points, labels = np.asarray(entry["points"]["x"]), np.asarray(entry["points"]["label"])
        (x0, x1), (y0, y1), size = entry["x_range"], entry["y_range"], entry["size"]
        column = np.rint((points[:, 0] - x0) / (x1 - x0) * (size - 1)).astype(int)
        row = np.rint((points[:, 1] - y0) / (y1 - y0) * (size - 1)).astype(int)
        for grid in (entry["student"], entry["reference"]["grid"]):
            predicted = np.asarray(grid)[row, column] > 0.5
            assert np.mean(predicted == (labels == 1)) > 0.85, target  # trained models separate moons
        for which in ("student", "reference"):
            assert f'id="boundary-{target}-{which}-field"' in text
            assert f'id="boundary-{target}-{which}-boundary' in text


def test_an_xor_submission_is_drawn_against_the_xor_reference_only(out: Path) -> None:
    text = page(out / "official" / "failing_cell_nb")
    curves = section(text, "loss-curves")
    assert curves.count("<svg") == 1 and 'data-target="xor_history"' in curves
    assert 'id="loss-xor_history-reference"' in curves and "moons" not in visible_text(curves)
    boundaries = section(text, "boundaries")
    assert boundaries.count("<svg") == 2 and 'data-target="xor_net"' in boundaries


def test_nan_outputs_and_histories_are_drawn_and_said(recwarn: pytest.WarningsRecorder) -> None:
    from grader.report import plots

    entry = {"size": 3, "x_range": [0, 1], "y_range": [0, 1],
             "points": {"x": [[0, 0], [1, 1]], "label": [0, 1]}}
    svg = plots.boundary_figure(entry, [[None] * 3] * 3, "yours", "nan")
    assert "NaN everywhere" in svg and 'id="nan-field"' not in svg
    curve = {"target_name": "loss_history", "title": "loss_history", "reference": None,
             "student": downsample([1.0, 0.5, float("nan"), float("nan")])}
    assert curve["student"]["values"] == [1.0, 0.5, None, None]
    log, limits = plots.loss_limits([curve])
    svg = plots.loss_figure(curve, "nan-loss", log=log, limits=limits)
    assert svg.startswith("<svg") and 'id="nan-loss-student"' in svg
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_result_json_stays_small_and_long_histories_are_downsampled(out: Path) -> None:
    assert (out / "official" / "dave" / "result.json").stat().st_size < 300_000
    history = np.exp(-np.linspace(0, 8, 20000))
    small = downsample(history)
    assert len(small["epochs"]) <= MAX_CURVE_POINTS and small["n"] == 20000
    assert small["epochs"][0] == 1 and small["epochs"][-1] == 20000
    assert small["epochs"] == sorted(set(small["epochs"])) and small == downsample(history)
    assert use_log_scale([small["values"]]) and not use_log_scale([[0.7, 0.3, 0.26]])
    assert not use_log_scale([[1.0, 0.0]])  # a zero cannot go on a log axis


def test_figures_are_inlined_and_sandbox_and_environment_shown(out: Path) -> None:
    data, text = result(out, "dave"), page(out / "official" / "dave")
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(uris) == len(data["figures"]) == 2
    for uri, figure in zip(uris, data["figures"]):
        assert base64.b64decode(uri) == (out / "official" / "dave" / figure["file"]).read_bytes()
    sandbox = visible_text(section(text, "sandbox"))
    for name, on in data["run"]["protections"].items():
        assert re.search(rf"{name.replace('_', ' ')}\s+{'yes' if on else 'no'}", sandbox), name
    assert re.search(rf"how the run ended\s+{data['run']['ending']}", sandbox)
    assert re.search(r"limits hit\s+none", sandbox)
    environment = visible_text(section(text, "environment"))
    assert data["environment"]["fingerprint"] in environment
    assert data["environment"]["libraries"]["torch"] in environment


def test_a_self_check_report_reveals_no_hidden_check(out: Path, self_check: tuple[Path, str]) -> None:
    folder, output = self_check
    assert f"Report: {folder / 'report.html'}" in output
    data = json.loads((folder / "result.json").read_text())
    assert data["rubric"]["public_only"] is True
    text = page(folder)
    words = visible_text(text)
    assert "This is a self-check" in words
    rubric = load_rubric("lab6")
    hidden = [(t, c) for t in rubric.tasks for c in t.checks if c.visibility == "hidden"]
    assert hidden
    for task, check in hidden:
        assert check.title not in text
        assert not re.search(rf"{task.id}\.{check.id}(?!\w)", text)
        assert not re.search(rf"(?<!\w){check.kind}(?!\w)", text)
    # Their reasons, numbers and thresholds: what the official grading showed for them.
    official = result(out, SELF_CHECKED)
    hidden_details = [c for t, c in checks(official) if c["visibility"] == "hidden"]
    public_keys = {k for t, c in checks(data) for k in c["details"]}
    assert any(c["status"] == "failed" for c in hidden_details)
    for check in hidden_details:
        # (a target that was not found reads the same for every check that needs it)
        assert check["details"].get("missing") or check["message"] not in words
        for key in set(check["details"]) - public_keys:
            label = student.LABELS.get(key, key.replace("_", " "))
            assert f"<dt>{html.escape(label)}</dt>" not in text, key
    # the tables of the hidden checks (the gradients checks are public in lab6: their table may show)
    tables = {"armijo_step": 'data-table="armijo"', "gradient_autograd": 'data-table="gradients"',
              "gradient_backward": 'data-table="gradients"',
              "training_gradients": 'data-table="gradients"'}
    secrets = sorted({tables[c.kind] for _, c in hidden if c.kind in tables})
    assert 'data-table="armijo"' in secrets
    for secret in (*secrets, "not in the self-check"):
        assert secret not in text, secret
    shown = {f"{t['id']}.{c['id']}" for t in data["tasks"] for c in t["checks"]}
    for entry in data["plots"]["loss_curves"] + data["plots"]["boundaries"]:
        assert set(entry["checks"]) <= shown


def test_hidden_checks_in_a_self_check_result_are_dropped_even_if_present(out: Path,
                                                                          tmp_path: Path) -> None:
    data = result(out, "moons_armijo_reversed")
    data["rubric"]["public_only"] = True  # as if a self-check result had leaked a hidden check
    text = student.render(data, out / "official" / "moons_armijo_reversed")
    assert "The line search returns the first step" not in text
    assert not re.search(r"backtracking\.armijo(?!\w)", text) and 'data-table="armijo"' not in text


def test_the_official_report_shows_hidden_checks_marked(out: Path) -> None:
    text = page(out / "official" / "moons_armijo_reversed")
    block = text.split('id="check-backtracking.armijo"')[1].split("</h3>")[0]
    assert "not in the self-check" in block


def test_rendering_is_deterministic_and_needs_only_the_results_folder(out: Path,
                                                                      tmp_path: Path) -> None:
    import shutil

    for name in ("dave", "numpy_bad_db"):
        copy = shutil.copytree(out / "official" / name, tmp_path / name)
        (copy / "report.html").unlink()
        first = student.write_student_report(copy / "result.json").read_bytes()
        assert first == student.write_student_report(copy / "result.json").read_bytes()
        assert first == (out / "official" / name / "report.html").read_bytes()
    assert b"http://" not in first.replace(b"http://www.w3.org", b"")
    assert b"https://" not in first and b"<script" not in first


def test_a_current_result_skipped_on_rerun_gets_its_missing_report(out: Path, tmp_path: Path) -> None:
    import shutil

    copy = shutil.copytree(out / "official" / "dave", tmp_path / "results" / "dave")
    (copy / "report.html").unlink()
    skipped: list[str] = []
    list(grade_paths([SUBMISSIONS["dave"]], load_rubric("lab6"), tmp_path / "results",
                     on_skip=lambda path, _result: skipped.append(path.name)))
    assert skipped == ["dave"]
    assert (copy / "report.html").read_bytes() == (out / "official" / "dave" / "report.html").read_bytes()


def test_a_report_failure_keeps_the_result_and_the_batch(tmp_path: Path, monkeypatch, capsys) -> None:
    def broken(*_args: Any) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(student, "render", broken)
    empty = [tmp_path / "in" / "ann", tmp_path / "in" / "ben"]  # no code: error results, no sandbox
    for folder in empty:
        folder.mkdir(parents=True)
    results = list(grade_paths(empty, load_rubric("lab6"), tmp_path / "out"))
    assert [r.status for _, r in results] == ["error", "error"]
    for name in ("ann", "ben"):
        assert json.loads((tmp_path / "out" / name / "result.json").read_text())["status"] == "error"
        stand_in = page(tmp_path / "out" / name)  # in the report's place: a page saying why
        assert f"The report for {name} could not be drawn" in stand_in
        assert "RuntimeError: template exploded" in stand_in
    err = capsys.readouterr().err
    assert "could not write the report" in err and "template exploded" in err
    assert str(tmp_path / "out" / "ann" / "result.json") in err


def test_an_error_result_gets_a_report_and_a_bad_file_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in" / "cara").mkdir(parents=True)
    list(grade_paths([tmp_path / "in" / "cara"], load_rubric("lab6"), tmp_path / "out"))
    text = page(tmp_path / "out" / "cara")
    assert "could not be graded" in text
    bad = tmp_path / "bad" / "result.json"
    bad.parent.mkdir()
    bad.write_text('{"schema": 1}')
    with pytest.raises(student.ReportError, match=re.escape(str(bad))):
        student.write_student_report(bad)


def test_the_report_opens_in_headless_chromium(out: Path) -> None:
    from browser import browser_page

    with browser_page(out / "official" / "dave" / "report.html", full_page=True) as browser:
        assert browser.console_errors() == []
        png = browser.screenshot()
        assert browser.texts("#score")[0] == f"{result(out, 'dave')['score']:g} / 100 points"
        assert len(browser.texts("#boundaries svg")) == 4
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 1280 and 2000 < height <= 8000
    assert 50_000 < len(png) < 5_000_000


def test_a_diagnosed_update_shows_its_numbers_beside_the_true_gradient() -> None:
    details = {"update": {"iteration": 4, "parameter": "W1", "observed": [0.5, -0.25],
                            "minus_lr_gradient": [0.1, 0.2], "hypothesis": [0.5, -0.25],
                            "factor": 1.0}, "parameters": {"W1": {"scale": 1.0}}}
    view = student.check_view({"id": "xor"}, {"id": "gradients", "title": "g", "kind":
                                              "training_gradients", "status": "failed",
                                              "score": 0, "max_score": 10, "visibility": "public",
                                              "message": "m", "details": details})
    table = view["updates"]
    assert table["parameter"] == "W1" and table["iteration"] == 5
    assert table["titles"] == ["observed step", "−lr · true gradient", "the mistake predicts"]
    assert table["rows"][0] == [num(0.5, 4), num(0.1, 4), num(0.5, 4)]
    assert all(label != "update" for label, _ in view["numbers"])  # drawn as the table only
    assert student.check_view({"id": "t"}, {**{"id": "c", "title": "", "kind": "x", "status":
                                               "passed", "score": 1, "max_score": 1, "visibility":
                                               "public", "message": ""}, "details": {}})["updates"] is None
