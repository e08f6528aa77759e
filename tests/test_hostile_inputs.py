"""Inputs that must break neither the grader nor its reports (issue #13, items 12-14).

- A symbolic link is never graded as a submission nor expanded as a class: it gets an error
  result naming the link and its target, and the rest of the class is graded.
- A student's strings (a loss-history key such as ``$}$``) are drawn as written, never parsed
  as mathtext; a report that cannot be drawn anyway is replaced by a page saying why, and the
  class page links to something that exists.
- A submission named like a grader output (``batch.json``, ``class.html``...) is stored
  under ``submission-<name>/``, so ``grader run`` and ``grader report`` both work.

Only one submission here runs through the sandbox (a one-line script); the others hold no
code (error results) or are built by hand (:mod:`built_results`).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from built_results import xor_only_result
from grader.api import expand_submissions, grade_paths
from grader.cli import main
from grader.loading import SubmissionError, load_submission
from grader.plotdata import downsample
from grader.report import plots, student
from grader.report.outputs import GRADER_NAMES, submission_folder
from grader.rubric import load_rubric


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path_factory.getbasetemp() / "hostile-cache"))


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def result_of(out: Path, folder: str) -> dict[str, Any]:
    return json.loads((out / folder / "result.json").read_text())


# -- 12: symbolic links -------------------------------------------------------------------

def test_a_linked_submission_in_a_class_gets_an_error_naming_its_target(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "victim" / "lab.py", "SCORE_ME = 1\n")
    (klass / "mallory").symlink_to("victim", target_is_directory=True)
    (klass / "root").symlink_to("/", target_is_directory=True)  # never expanded as a class
    (klass / "gone").symlink_to("nowhere")
    run = CliRunner().invoke(main, ["run", str(klass), "--out", str(tmp_path / "out"),
                                    "--jobs", "1", "--cold"])
    assert run.exit_code == 4, run.output  # graded, but error results: exit 4
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == [
        "gone", "mallory", "root", "victim"]
    assert result_of(tmp_path / "out", "victim")["status"] == "graded"
    for link, target in (("mallory", "victim"), ("root", "/"), ("gone", "nowhere")):
        data = result_of(tmp_path / "out", link)
        assert data["status"] == "error" and data["score"] == 0 and data["submission"]["files"] == []
        assert f"{klass / link}: a symbolic link (to {target}) is not a submission" in data["error"]
        assert "could not be graded" in (tmp_path / "out" / link / "report.html").read_text()


def test_a_link_given_on_the_command_line_is_refused_not_expanded(tmp_path: Path) -> None:
    write(tmp_path / "class" / "victim" / "lab.py")
    link = tmp_path / "class" / "mallory"
    link.symlink_to("victim", target_is_directory=True)
    (tmp_path / "class-link").symlink_to("class", target_is_directory=True)
    assert expand_submissions([tmp_path / "class-link", link]) == [tmp_path / "class-link", link]
    with pytest.raises(SubmissionError, match=r"mallory: a symbolic link \(to victim\)"):
        load_submission(link)
    results = list(grade_paths([link, tmp_path / "class-link"], load_rubric("lab6"),
                               tmp_path / "out"))
    assert [(p.name, r.status) for p, r in results] == [("mallory", "error"), ("class-link", "error")]
    assert "(to class)" in result_of(tmp_path / "out", "class-link")["error"]


def test_a_linked_script_beside_the_class_does_not_turn_the_class_into_one_submission(
        tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "alice" / "lab.py")
    (klass / "mallory.py").symlink_to(klass / "alice" / "lab.py")
    (klass / "notes.md").symlink_to(klass / "alice" / "lab.py")  # not a submission: left out
    assert expand_submissions([klass]) == [klass / "alice", klass / "mallory.py"]


# -- 13: student strings reach matplotlib ---------------------------------------------------

HOSTILE_TEXTS = ["$}$", r"$\frac{$", "$$", r"a_b^c $x$", r"\$", r"$\undefinedcommand$", "$"]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_student_strings_are_drawn_as_written_never_as_mathtext(text: str) -> None:
    curve = {"target_name": text, "title": f"history[{text}]", "student": downsample([1.0, 1e-3, 1e-4]),
             "reference": {"name": "reference_xor", **downsample([1.0, 1e-2, 1e-3])}}
    svg = plots.loss_figure(curve, "hostile")
    texts = [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]
    assert f"history[{text}]" in texts and f"yours ({text})" in texts
    assert "<tspan" in svg  # the log axis's own mathtext ticks (10^-3) are still drawn as such
    entry = {"size": 2, "x_range": [0, 1], "y_range": [0, 1],
             "points": {"x": [[0, 0], [1, 1]], "label": [0, 1]}}
    svg = plots.boundary_figure(entry, [[0.2, 0.8], [0.3, 0.9]], f"yours: {text}", "hostile-b")
    assert f"yours: {text}" in [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def hostile_result(folder: Path, key: str = "$}$") -> Path:
    """A built XOR result whose loss history and network carry a hostile name."""
    data = xor_only_result(name="mallory").to_dict()
    label = f"history['{key}'] (3 numbers) in lab.py"
    data["plots"] = {"loss_curves": [{
        "target": "xor_history", "label": label, "dataset": "xor", "checks": ["xor.loss"],
        "student": downsample([0.7, 0.4, 0.1]), "reference": None}],
        "boundaries": [{
            "target": "xor_net", "label": f"net['{key}'] in lab.py", "checks": ["xor.classifies"],
            "dataset": "xor", "x_range": [-0.5, 1.5], "y_range": [-0.5, 1.5], "size": 2,
            "points": {"x": [[0, 0], [0, 1], [1, 0], [1, 1]], "label": [0, 1, 1, 0]},
            "scaler": None, "student": [[0.1, 0.9], [0.9, 0.1]], "note": "", "reference": None}],
        "problems": []}
    path = folder / "result.json"
    write(path, json.dumps(data))
    return path


def test_a_hostile_history_key_gets_its_full_report(tmp_path: Path, capsys) -> None:
    path = hostile_result(tmp_path / "results" / "mallory")
    assert student.write_report_safely(path) == path.parent / "report.html"
    page = (path.parent / "report.html").read_text()
    assert "could not be drawn" not in page and capsys.readouterr().err == ""
    text = html.unescape(page)
    assert page.count("<svg") == 2 and "yours (history['$}$'])" in text
    assert "yours: net['$}$']" in text


def test_a_report_that_cannot_be_drawn_is_replaced_by_a_page_saying_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise ValueError("cannot draw <b>this</b>")

    monkeypatch.setattr(plots, "loss_figure", broken)
    path = hostile_result(tmp_path / "results" / "mallory")
    written = student.write_report_safely(path)
    page = (path.parent / "report.html").read_text()
    assert written == path.parent / "report.html"
    assert "The report for mallory could not be drawn" in page
    assert "ValueError: cannot draw &lt;b&gt;this&lt;/b&gt;" in page and "<b>this" not in page
    assert '<a href="result.json">' in page
    assert "could not write the report" in capsys.readouterr().err
    assert json.loads(path.read_text())["score"] == 70  # the result itself is untouched


def test_the_class_page_links_to_a_report_that_exists(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "results"
    drawn = hostile_result(results / "mallory")
    student.write_report_safely(drawn)
    monkeypatch.setattr(student, "render", lambda *_a: "\ud800")  # a lone surrogate: not UTF-8
    assert student.write_report_safely(hostile_result(results / "surrogate")) is not None
    hostile_result(results / "old")  # from a grader that left no report.html
    run = CliRunner().invoke(main, ["report", str(results)])
    assert run.exit_code == 0, run.output
    page = (results / "class.html").read_text()
    links = re.findall(r'<a href="([^"]+)">', page)
    assert sorted(links) == ["mallory/report.html", "old/result.json", "surrogate/report.html"]
    assert all((results / link).is_file() for link in links)


# -- 14: submission names that are the grader's own ----------------------------------------

@pytest.mark.parametrize(("name", "used", "folder"), [
    ("alice", set(), "alice"),
    ("alice", {"alice"}, "alice-2"),
    ("batch.json", set(), "submission-batch.json"),
    ("CLASS.HTML", set(), "submission-CLASS.HTML"),
    ("gradescope", set(), "submission-gradescope"),
    (".hidden", set(), "submission-.hidden"),
    ("batch.json", {"submission-batch.json"}, "submission-batch.json-2"),
])
def test_submission_folders_keep_clear_of_grader_outputs(name: str, used: set[str],
                                                         folder: str) -> None:
    assert submission_folder(name, set(used)) == folder


def test_submissions_named_like_grader_outputs_are_graded_and_reported(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    for name in sorted(GRADER_NAMES):
        write(klass / name / "notes.txt", "no code")  # error results: no sandbox needed
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["run", str(klass), "--out", str(out), "--jobs", "1", "--cold"])
    assert run.exit_code == 4, run.output  # graded, but error results: exit 4
    assert (out / "batch.json").is_file()
    assert len(json.loads((out / "batch.json").read_text())["runs"][-1]["submissions"]) == \
        len(GRADER_NAMES)
    for name in GRADER_NAMES:
        assert result_of(out, f"submission-{name}")["status"] == "error"
        assert not (out / name).is_dir()
    report = CliRunner().invoke(main, ["report", str(out)])
    assert report.exit_code == 0, report.output
    page = (out / "class.html").read_text()
    assert 'href="submission-class.html/report.html"' in page
    assert f"{len(GRADER_NAMES)} results" in report.output
    assert CliRunner().invoke(main, ["export", str(out), "--format", "gradescope"]).exit_code == 0
    assert (out / "gradescope" / "submission-gradescope" / "results.json").is_file()


def test_an_older_results_folder_with_such_names_is_told_not_crashed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    hostile_result(out / "class.html")
    hostile_result(out / "batch.json")
    report = CliRunner().invoke(main, ["report", str(out)])
    assert report.exit_code == 2
    assert f"{out / 'class.html'}: is a folder" in report.output and "-o FILE" in report.output
    elsewhere = CliRunner().invoke(main, ["report", str(out), "-o", str(tmp_path / "class.html")])
    assert elsewhere.exit_code == 0 and "2 results" in elsewhere.output
    write(tmp_path / "class" / "ann" / "notes.txt", "no code")
    run = CliRunner().invoke(main, ["run", str(tmp_path / "class"), "--out", str(out),
                                    "--jobs", "1", "--cold"])
    assert run.exit_code == 4, run.output  # graded, but error results: exit 4
    assert f"this run was not recorded in {out / 'batch.json'}" in run.stderr
    assert result_of(out, "ann")["status"] == "error"
