"""check_cells_ran: which notebook cells raised, and the partial credit for the rest."""

from __future__ import annotations


import pytest

from grader.checks.execution import check_cells_ran


def cell(index: int, status: str = "ok", error: str | None = None, line: int | None = None) -> dict:
    return {"index": index, "status": status, "error": error, "line": line}


def test_all_cells_ran() -> None:
    v = check_cells_ran([cell(1), cell(2), cell(3)])
    assert v.status == "passed" and v.fraction == 1.0
    assert "All 3 code cells" in v.message
    assert v.details["n_ok"] == 3 and v.details["failed_cells"] == []


def test_errors_are_listed_with_cell_line_and_reason(assert_plain) -> None:
    cells = [
        cell(1),
        cell(4, "error", "NameError: name 'x' is not defined", line=3),
        cell(2),
        cell(3, "error", "ValueError: shapes (4,2) and (3,1) not aligned"),
    ]
    v = check_cells_ran(cells)
    assert v.status == "failed"
    assert v.fraction == pytest.approx(0.5)
    assert v.message.startswith("2 of 4 code cells raised an error")
    assert "cell 4 (line 3): NameError: name 'x' is not defined" in v.message
    assert "cell 3: ValueError" in v.message
    assert v.message.index("cell 3") < v.message.index("cell 4")  # ordered by position
    assert "Fix cell 3 first" in v.message
    assert [c["index"] for c in v.details["failed_cells"]] == [3, 4]
    assert_plain(v.details)


def test_skipped_cells_do_not_count_but_are_mentioned() -> None:
    broken = cell(3, "error", "ZeroDivisionError: division by zero")
    v = check_cells_ran([cell(1), cell(2, "skipped"), broken])
    assert v.status == "failed"
    assert v.fraction == pytest.approx(0.5)  # 1 ok of 2 counted cells
    assert v.details["skipped_cells"] == [2]
    assert "cell 2" in v.message and "Not run" in v.message
    assert "Fix cell" not in v.message  # a single error needs no ordering hint

    ok = check_cells_ran([cell(1), cell(2, "skipped")])
    assert ok.status == "passed" and ok.fraction == 1.0
    assert ok.details["skipped_cells"] == [2]


def test_long_error_text_and_many_failures_are_truncated() -> None:
    cells = [cell(i, "error", "RuntimeError: " + "x" * 1000) for i in range(1, 13)]
    v = check_cells_ran(cells)
    assert v.status == "failed" and v.fraction == 0.0
    assert "and 7 more" in v.message
    assert len(v.message) < 1500
    assert all(len(c["error"]) <= 200 for c in v.details["failed_cells"])


def test_nothing_to_run_is_skipped() -> None:
    assert check_cells_ran([]).status == "skipped"
    assert check_cells_ran([cell(1, "skipped")]).status == "skipped"


def test_unknown_status_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        check_cells_ran([cell(1, "timeout")])
