"""A task with nothing found for it is "not attempted": one line in the result, the reports, the terminal.

Built from hand-made results (no sandbox run): see ``built_results.py``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from built_results import MOONS_REASON, check, inventory, result, task, xor_only_result
from grader import grading
from grader.grading import attempt, count_groups
from grader.messages import check_summary
from grader.report import student
from grader.report.classpage import summarise
from grader.report.collect import Collection, LoadedResult, collect, read_result
from grader.results import write_json_atomic
from grader.rubric import CheckSpec, TaskSpec
from grader.stability import combine
from grader.verdict import Verdict

MISSING = "missing"  # in the table below: failed with its target missing

# (case, [(kind, status)], attempted)
VERDICTS = [
    ("all-missing", [("heldout_accuracy", MISSING), ("loss_monotone", MISSING)], False),
    ("one-missing", [("heldout_accuracy", MISSING)], False),
    ("one-found-and-failed", [("heldout_accuracy", MISSING), ("loss_monotone", "failed")], True),
    ("one-passed", [("heldout_accuracy", MISSING), ("loss_monotone", "passed")], True),
    ("one-errored", [("heldout_accuracy", MISSING), ("loss_monotone", "error")], True),
    ("one-skipped", [("heldout_accuracy", MISSING), ("loss_monotone", "skipped")], True),
    ("all-failed-found", [("heldout_accuracy", "failed"), ("loss_monotone", "failed")], True),
    ("all-passed", [("xor_classification", "passed"), ("loss_decrease", "passed")], True),
    # checks needing no target (cells_ran) do not make a task attempted, unless they pass
    ("missing-and-cells-failed", [("armijo_step", MISSING), ("cells_ran", "failed")], False),
    ("missing-and-cells-passed", [("armijo_step", MISSING), ("cells_ran", "passed")], True),
    ("only-cells-failed", [("cells_ran", "failed")], True),
    ("only-cells-passed", [("cells_ran", "passed")], True),
    ("no-checks", [], True),
]


@pytest.mark.parametrize(("verdicts", "attempted"), [v[1:] for v in VERDICTS],
                         ids=[v[0] for v in VERDICTS])
def test_attempt_from_check_verdicts(verdicts: list[tuple[str, str]], attempted: bool) -> None:
    checks = [check(f"c{i}", kind, status, 10, missing="it" if status == MISSING else "")
              for i, (kind, status) in enumerate(verdicts)]
    assert attempt(checks, "no moons work found") == (
        (True, "") if attempted else (False, "no moons work found"))


def test_missing_means_the_details_flag_not_the_words() -> None:
    worded = check("a", "heldout_accuracy", "failed", 10)
    worded.message = inventory("a moons MLP")  # same words, but the target was found
    assert attempt([worded], "x") == (True, "")


def _spec(nothing_found: str = "no moons work found") -> TaskSpec:
    checks = tuple(CheckSpec(cid, cid, kind, 10.0, "public", {"network": "n"})
                   for cid, kind in (("accuracy", "heldout_accuracy"), ("monotone", "loss_monotone")))
    return TaskSpec("moons", "Moons", checks, None, False, nothing_found)


def test_grade_task_marks_a_task_with_nothing_found_and_keeps_its_checks(monkeypatch) -> None:
    verdicts = {"accuracy": Verdict("failed", inventory("a model"), {"missing": True}, 0.0),
                "monotone": Verdict("failed", inventory("a history"), {"missing": True}, 0.0)}
    monkeypatch.setattr(grading, "run_check", lambda spec, ctx: verdicts[spec.id])
    ctx = SimpleNamespace(record=SimpleNamespace(inventory=[]))
    graded = grading.grade_task(_spec(), ctx)  # type: ignore[arg-type]
    assert (graded.attempted, graded.not_attempted, graded.score) == (False, "no moons work found", 0)
    assert [c.message for c in graded.checks] == [verdicts["accuracy"].message,
                                                  verdicts["monotone"].message]
    # a run that left nothing to inspect (killed, timed out): every target is "missing",
    # yet the work may be there, so the task is not called unattempted
    ctx.record.inventory = None
    assert grading.grade_task(_spec(), ctx).attempted  # type: ignore[arg-type]
    verdicts["monotone"] = Verdict("passed", "ok", {}, 1.0)
    ctx.record.inventory = []
    assert grading.grade_task(_spec(), ctx).attempted  # type: ignore[arg-type]


def test_a_task_not_attempted_never_counts_over_one_attempted() -> None:
    # xor found nothing for its 2 checks; moons found its model but failed, missing 3 of 4:
    # both score 0, and by "fewest missing checks" alone xor would have counted.
    xor = task("xor", "XOR", [check("g", "training_gradients", "failed", 30, missing="fns"),
                              check("c", "xor_classification", "failed", 30, missing="net")],
               "core")
    moons = task("moons", "Moons", [check("a", "heldout_accuracy", "failed", 15),
                                    check("l", "loss_decrease", "failed", 15, missing="history"),
                                    check("g", "training_gradients", "failed", 15, missing="model"),
                                    check("t", "trace_descent", "failed", 15, missing="trace")],
                 "core")
    assert not xor.attempted and moons.attempted and xor.score == moons.score == 0
    for order in ([xor, moons], [moons, xor]):
        count_groups(order)
        assert moons.counted and not xor.counted
    # with nothing attempted, the old rule stands: fewest missing checks, then rubric order
    other = task("other", "Other", [check("x", "heldout_accuracy", "failed", 60, missing="m")],
                 "core")
    count_groups([xor, other])
    assert other.counted and not xor.counted
    # a higher score still wins among attempted tasks
    good = task("good", "Good", [check("x", "xor_classification", "passed", 60)], "core")
    count_groups([moons, good])
    assert good.counted and not moons.counted


def test_another_seed_finding_something_makes_the_task_attempted() -> None:
    def run(status: str) -> object:
        checks = [check("accuracy", "heldout_accuracy", "failed", 10, missing="m"),
                  check("monotone", "loss_monotone", status, 10,
                        missing="h" if status == MISSING else "")]
        return result([task("moons", "Moons", checks, None, MOONS_REASON)])

    combined = combine([run(MISSING), run("passed"), run("passed")], [1, 2, 3],
                       {("moons", "monotone")})
    assert combined.tasks[0].attempted and combined.tasks[0].not_attempted == ""
    kept = combine([run(MISSING), run(MISSING), run(MISSING)], [1, 2, 3], {("moons", "monotone")})
    assert (kept.tasks[0].attempted, kept.tasks[0].not_attempted) == (False, MOONS_REASON)


# --- the result ------------------------------------------------------------------------------


def test_result_json_marks_the_task_and_keeps_every_check(tmp_path: Path) -> None:
    data = xor_only_result().to_dict()
    tasks = {t["id"]: t for t in data["tasks"]}
    assert data["schema"] == 3
    assert (tasks["backtracking"]["attempted"], tasks["backtracking"]["not_attempted"]) == (
        False, MOONS_REASON)
    assert (tasks["xor"]["attempted"], tasks["xor"]["not_attempted"]) == (True, "")
    assert (tasks["moons"]["attempted"], tasks["moons"]["not_attempted"]) == (False, MOONS_REASON)
    assert len(tasks["backtracking"]["checks"]) == 3 and tasks["backtracking"]["score"] == 0
    assert all(c["details"]["missing"] for c in tasks["backtracking"]["checks"])
    assert len(tasks["moons"]["checks"]) == 4
    assert all(c["details"]["missing"] for c in tasks["moons"]["checks"])
    assert tasks["xor"]["counted"] and not tasks["moons"]["counted"]


def test_older_results_without_the_fields_read_as_attempted(tmp_path: Path) -> None:
    from grader.jobs import result_from_dict

    data = xor_only_result().to_dict()
    data["schema"] = 2
    for t in data["tasks"]:
        del t["attempted"], t["not_attempted"]
    assert all(t.attempted and t.not_attempted == "" for t in result_from_dict(data).tasks)
    path = tmp_path / "old" / "result.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data))
    summary = summarise(Collection(tmp_path, [LoadedResult("old", path, read_result(path))]),
                        tmp_path)
    assert all(t["not_attempted"] == 0 for t in summary["tasks"])
    row = next(c for c in summary["checks"] if (c["task"], c["id"]) == ("backtracking", "accuracy"))
    assert row["failed"] == 1 and row["not_attempted"] == 0  # as these results always read


# --- the student report ----------------------------------------------------------------------


def visible_text(markup: str) -> str:
    markup = re.sub(r"<(svg|style)\b.*?</\1>", " ", markup, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def section(markup: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', markup, re.DOTALL)
    assert match, sid
    return match.group(1)


# the core alternatives not attempted: lab6's other one, or two of them (folded into one line)
FOLDED = [(False, "A deep network on make_moons", 7),
          (True, "A deep network on make_moons; A deep network on two spirals", 11)]


@pytest.mark.parametrize(("extra", "titles", "checks_absent"), FOLDED, ids=["lab6", "two-folded"])
def test_the_student_page_shows_a_task_not_attempted_as_one_line(tmp_path: Path, extra: bool,
                                                                 titles: str,
                                                                 checks_absent: int) -> None:
    data = xor_only_result(extra_alternative=extra).to_dict()
    page = student.render(data, tmp_path)
    words = visible_text(page)
    lost = section(page, "lost")
    block = re.search(r'<div class="lost absent" id="task-backtracking">(.*?)</div>', lost, re.S)
    assert block and block.group(1).strip().count("\n") == 0  # one line
    assert visible_text(block.group(1)) == (
        f"Armijo backtracking on make_moons (0 / 30) — not attempted: {MOONS_REASON}")
    assert visible_text(lost) == "Where points were lost " + visible_text(block.group(1))
    # no check of a task not attempted is listed, and no inventory message is shown
    absent = [(t, c) for t in data["tasks"] if not t["attempted"] for c in t["checks"]]
    assert len(absent) == checks_absent
    for t, c in absent:
        assert c["message"] not in words and f'{t["id"]}.{c["id"]}' not in page, c["id"]
    assert "found none that fits" not in words
    tasks = visible_text(section(page, "tasks"))
    assert f"not attempted: {MOONS_REASON}" in tasks
    # the core alternatives not done and not counted: one line, in the table and the list
    folded = f"Other ways of doing the core part that you did not attempt (not counted): {titles}"
    assert tasks.count(folded) == 1 and visible_text(section(page, "all-checks")).count(folded) == 1
    assert page.count('data-folded="core"') == 2
    every = visible_text(section(page, "all-checks"))
    assert f"Armijo backtracking on make_moons — 0 / 30 — not attempted: {MOONS_REASON}" in every
    assert "classifies check" in every  # attempted tasks keep their checks


def test_a_counted_task_not_attempted_in_a_group_keeps_its_line(tmp_path: Path) -> None:
    graded = xor_only_result(extra_alternative=True)
    xor = next(t for t in graded.tasks if t.id == "xor")
    for c in xor.checks:
        c.status, c.score, c.details, c.message = "failed", 0.0, {"missing": True}, inventory("x")
    xor.score, (xor.attempted, xor.not_attempted) = 0.0, attempt(xor.checks, "no XOR model found")
    count_groups(graded.tasks)
    counted = next(t for t in graded.tasks if t.group == "core" and t.counted)
    page = student.render(graded.to_dict(), tmp_path)
    assert f'id="task-{counted.id}"' in page and f"not attempted: {counted.not_attempted}" in page
    others = [t.title for t in graded.tasks if t.group == "core" and not t.counted]
    assert counted.id == "xor" and counted.not_attempted == "no XOR model found"
    assert len(others) == 2 and "; ".join(others) in visible_text(section(page, "tasks"))
    assert "No points were lost" not in page


def test_a_self_check_page_stays_free_of_hidden_checks(tmp_path: Path) -> None:
    official = xor_only_result()
    hidden = [(t.id, c) for t in official.tasks for c in t.checks if c.visibility == "hidden"]
    assert hidden
    for data in (xor_only_result(public_only=True).to_dict(),
                 {**official.to_dict(), "rubric": {**official.rubric, "public_only": True}}):
        page = student.render(data, tmp_path)
        assert f"not attempted: {MOONS_REASON}" in page
        for tid, c in hidden:
            assert c.title not in page and c.message not in page
            assert not re.search(rf"{tid}\.{c.id}(?!\w)", page)
        assert "not in the self-check" not in page


# --- the class page --------------------------------------------------------------------------


def test_the_class_page_counts_not_attempted_apart_from_failed(tmp_path: Path) -> None:
    results = []
    for name, graded in (("xena", xor_only_result(name="xena")),
                         ("yuri", xor_only_result(name="yuri"))):
        results.append(graded.to_dict())
    # a third student attempted backtracking and failed its accuracy check
    third = xor_only_result(name="zoe")
    bt = next(t for t in third.tasks if t.id == "backtracking")
    bt.checks[0] = check("accuracy", "heldout_accuracy", "failed", 10)
    bt.checks[0].message = "The held-out accuracy 0.61 is below the required 0.85."
    bt.attempted, bt.not_attempted = attempt(bt.checks, MOONS_REASON)
    results.append(third.to_dict())
    for data in results:
        write_json_atomic(tmp_path / data["submission"]["name"] / "result.json", data)
    collection = collect(tmp_path)
    assert len(collection.results) == 3 and not collection.problems
    summary = summarise(collection, tmp_path)
    tasks = {t["id"]: t for t in summary["tasks"]}
    assert (tasks["backtracking"]["not_attempted"], tasks["backtracking"]["failed"],
            tasks["backtracking"]["full"]) == (2, 1, 0)
    assert (tasks["xor"]["not_attempted"], tasks["xor"]["failed"]) == (0, 0)
    assert tasks["moons"]["not_attempted"] == 3
    checks = {(c["task"], c["id"]): c for c in summary["checks"]}
    accuracy = checks[("backtracking", "accuracy")]
    assert (accuracy["failed"], accuracy["not_attempted"]) == (1, 2)
    assert [r["reason"] for r in accuracy["reasons"]] == [
        "The held-out accuracy 0.61 is below the required 0.85."]
    monotone = checks[("backtracking", "monotone")]  # zoe's history is still missing
    assert (monotone["failed"], monotone["not_attempted"]) == (1, 2)
    assert checks[("moons", "accuracy")]["not_counted"] == 3  # alternatives: as before
    from grader.report.classpage import render

    page = render(summary)
    row = re.search(r'<tr data-task="backtracking">.*?</tr>', page, re.S)
    assert row and '<td class="num not-attempted">2/3</td>' in row.group(0)
    assert '<td class="num task-failed">1/3</td>' in row.group(0)
    check_row = re.search(r'<tr data-check="backtracking.accuracy">.*?</tr>', page, re.S)
    assert check_row and "2 not attempted" in check_row.group(0)
    assert "found none that fits" not in check_row.group(0)
    cell = re.search(r'<tr data-name="xena".*?</tr>', page, re.S)
    assert cell and f'title="not attempted: {MOONS_REASON}"' in cell.group(0)


# --- the terminal ----------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "titles", "checks_absent"), FOLDED, ids=["lab6", "two-folded"])
def test_check_summary_prints_a_task_not_attempted_as_one_line(extra: bool, titles: str,
                                                               checks_absent: int) -> None:
    text = check_summary(xor_only_result(public_only=True, extra_alternative=extra))
    lines = text.splitlines()
    assert f"Armijo backtracking on make_moons: 0/20 - not attempted: {MOONS_REASON}" in lines
    assert f"(not attempted, other ways of doing the same part: {titles})" in lines
    assert "found none that fits" not in text and "accuracy check" not in text
    assert "  PASS  classifies check (30/30)" in lines
