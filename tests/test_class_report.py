"""The class report: statistics, grouped reasons, links, unreadable files, the page in a browser."""

from __future__ import annotations

import html
import json
import re
import statistics
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import browser_page
from graded_results import ERROR_SUBMISSION, GRADED, copy_results, graded_class, load
from grader.cli import main
from grader.report.classpage import points, reason_key, summarise, write_class_report
from grader.report.collect import LoadedResult, collect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graded class plus one corrupt, one foreign-schema and one missing result.json."""
    out = copy_results(graded_class(tmp_path_factory), tmp_path_factory.mktemp("class") / "results")
    (out / "broken").mkdir()
    (out / "broken" / "result.json").write_text('{"schema": 1, "score": ')
    (out / "future").mkdir()
    future = load(out, "xor_raw_py")
    future["schema"] = 99
    (out / "future" / "result.json").write_text(json.dumps(future))
    (out / "ghost").mkdir()
    (out / "ghost" / "stdout.txt").write_text("the grader died before writing result.json\n")
    return out


@pytest.fixture(scope="module")
def page(results: Path) -> tuple[Path, str, str]:
    """``grader report`` run through the CLI: (the page, its HTML, stderr)."""
    cli = CliRunner().invoke(main, ["report", str(results)])
    assert cli.exit_code == 0, cli.output
    path = results / "class.html"
    return path, path.read_text(), cli.stderr


def text_of(page_html: str) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_unreadable_and_missing_results_are_listed_not_fatal(results: Path,
                                                             page: tuple[Path, str, str]) -> None:
    collection = collect(results)
    assert sorted(r.folder for r in collection.results) == sorted([*GRADED, ERROR_SUBMISSION])
    problems = {p.path: p.reason for p in collection.problems}
    assert set(problems) == {"broken/result.json", "future/result.json", "ghost/result.json"}
    assert "not valid JSON" in problems["broken/result.json"]
    assert "schema 99" in problems["future/result.json"]
    assert "missing" in problems["ghost/result.json"]
    _, page_html, stderr = page
    for path in problems:
        assert str(results / path) in stderr
        assert path in page_html
    assert "3 result files could not be read" in text_of(page_html)


def test_summary_numbers_match_the_results(results: Path, page: tuple[Path, str, str]) -> None:
    data = [load(results, f) for f in (*GRADED, ERROR_SUBMISSION)]
    scores = [d["score"] for d in data]
    text = text_of(page[1])
    assert f"{points(round(statistics.fmean(scores), 2))} mean / 100" in text
    assert f"{points(round(statistics.median(scores), 2))} median" in text
    assert "1 not graded" in text
    runs_full = sum(all(c["status"] == "passed" for c in d["tasks"][0]["checks"])
                    for d in data if d["tasks"])
    assert runs_full == 2  # failing_cell_nb loses run points, zed has no tasks
    row = re.search(r'<tr data-task="runs">.*?</tr>', page[1], re.S)
    assert row and f"({runs_full}/3)" in row.group(0)
    bins = [int(n) for n in re.findall(r"<title>[^<]*: (\d+)</title>", page[1])]
    assert len(bins) == 10 and sum(bins) == 4 and bins[0] == 1  # zed's 0 is in the first bin


def test_checks_count_verdicts_and_group_reasons(results: Path, page: tuple[Path, str, str]) -> None:
    bad = next(c for t in load(results, "numpy_bad_db")["tasks"] if t["id"] == "xor"
               for c in t["checks"] if c["id"] == "gradients")
    assert bad["status"] == "failed"
    row = re.search(r'<tr data-check="xor.gradients">.*?</tr>', page[1], re.S)
    assert row
    cells = re.findall(r'<td class="num (?:ok|bad|err)">(\d+)</td>', row.group(0))
    # passed, failed, error where the xor task counted: xor_raw_py and failing_cell_nb
    # (autograd, reset between iterations) pass, numpy_bad_db's backward function fails
    assert cells == ["2", "1", "0"]
    reason = html.escape(bad["message"].split(". ")[0], quote=False)
    assert reason in row.group(0) and "e.g. numpy_bad_db" in row.group(0)
    cell_row = re.search(r'<tr data-check="runs.cells">.*?</tr>', page[1], re.S)
    assert cell_row and "NameError" in html.unescape(cell_row.group(0))


def test_students_rows_link_flag_and_score(results: Path, page: tuple[Path, str, str]) -> None:
    page_html = page[1]
    for folder in (*GRADED, ERROR_SUBMISSION):
        data = load(results, folder)
        row = re.search(rf'<tr data-name="{folder}".*?</tr>', page_html, re.S)
        assert row, folder
        assert f'href="{folder}/report.html"' in row.group(0)
        assert f'{points(data["score"])}/{points(data["max_score"])}' in row.group(0)
    flags = {f: re.search(rf'<tr data-name="{f}".*?</tr>', page_html, re.S).group(0)  # type: ignore[union-attr]
             for f in ("failing_cell_nb", ERROR_SUBMISSION, "xor_raw_py")}
    assert "1 cell error" in flags["failing_cell_nb"]
    assert "not graded" in flags[ERROR_SUBMISSION]
    assert 'data-flagged="0"' in flags["xor_raw_py"]


def test_grading_run_facts(results: Path, page: tuple[Path, str, str]) -> None:
    data = load(results, "xor_raw_py")
    batch = json.loads((results / "batch.json").read_text())
    facts = re.search(r'<dl class="facts" id="facts">.*?</dl>', page[1], re.S)
    assert facts
    text = text_of(facts.group(0))
    assert f"{data['rubric']['id']} {data['rubric']['version']} (4 results)" in text
    assert f"{data['environment']['grader']} (4)" in text
    assert batch["runs"][-1]["started"] in text and "4 submissions" in text
    protections = [k for k, v in data["run"]["protections"].items() if v]
    assert protections and protections[0].replace("_", " ") in text


def test_links_are_relative_to_the_page_and_text_is_escaped(results: Path, tmp_path: Path) -> None:
    copy = copy_results(results, tmp_path / "copy")
    hostile = load(copy, "xor_raw_py")
    hostile["submission"]["name"] = "<script>alert('x')</script>"
    (copy / "evil").mkdir()
    (copy / "evil" / "result.json").write_text(json.dumps(hostile))
    out, collection = write_class_report(copy, tmp_path / "pages" / "class.html")
    page_html = out.read_text()
    assert 'href="../copy/xor_raw_py/report.html"' in page_html
    assert "<script>alert" not in page_html and "&lt;script&gt;alert" in page_html
    assert len(collection.results) == 5


def test_reasons_differing_only_in_numbers_are_one_group(results: Path) -> None:
    first = collect(results)
    numpy = next(r for r in first.results if r.folder == "numpy_bad_db")
    variant = json.loads(json.dumps(numpy.data))
    check = next(c for t in variant["tasks"] if t["id"] == "xor" for c in t["checks"]
                 if c["id"] == "gradients")
    check["message"] = re.sub(r"\d+(\.\d+)?", "7.5", check["message"])
    assert reason_key(check["message"]) == reason_key(
        next(c for t in numpy.data["tasks"] if t["id"] == "xor" for c in t["checks"]
             if c["id"] == "gradients")["message"])
    first.results.append(LoadedResult(folder="numpy_twin", path=numpy.path, data=variant))
    summary = summarise(first, results)
    row = next(c for c in summary["checks"] if (c["task"], c["id"]) == ("xor", "gradients"))
    assert row["failed"] == 2 and [r["count"] for r in row["reasons"]] == [2]


def test_a_missing_results_folder_is_a_usage_error(tmp_path: Path) -> None:
    cli = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere")])
    assert cli.exit_code == 2 and "nowhere" in cli.output


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_the_page_works_in_headless_chromium(page: tuple[Path, str, str]) -> None:
    path = page[0]
    with browser_page(path) as browser:
        assert browser.console_errors() == []
        png = browser.screenshot()
        width, height = png_size(png)
        assert (width, height) == (1280, 900) and len(png) > 20_000
        names = browser.texts("#students tbody tr td:first-child")
        assert names == sorted(names, key=str.lower)
        scores = lambda: [float(v) for v in browser.run(  # noqa: E731
            "return Array.from(document.querySelectorAll('#students tbody tr'))"
            ".map(r => r.cells[1].getAttribute('data-v'))")]
        by_name = scores()
        browser.click("#students th[data-key=score]")
        descending = scores()
        assert descending == sorted(by_name, reverse=True) and descending != by_name
        assert browser.run("return document.querySelector('#students th[data-key=score]')"
                           ".getAttribute('aria-sort')") == "descending"
        browser.click("#students th[data-key=score]")
        assert scores() == sorted(descending)
        browser.type("#filter", "numpy")
        visible = browser.run("return Array.from(document.querySelectorAll('#students tbody tr'))"
                              ".filter(r => !r.hidden).map(r => r.dataset.name)")
        assert visible == ["numpy_bad_db"]
        assert browser.console_errors() == []


def test_two_hundred_results_render_into_one_page(results: Path, tmp_path: Path) -> None:
    """The benchmark's synthetic class renders completely (its speed: bench/class_report.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_class_report", Path(__file__).parent.parent / "bench" / "class_report.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sources = [r.data for r in collect(results).results if r.data["status"] == "graded"]
    bench.synthesise(sources, 200, tmp_path / "class")
    page, collection = write_class_report(tmp_path / "class")
    assert len(collection.results) == 200 and not collection.problems
    assert page.read_text().count('<tr data-name="student-') == 200
