"""Grade the whole corpus (tests/corpus/) in one run and check every expected verdict.

Correct submissions in unusual styles must get full marks for what they attempt; each
broken one must fail exactly the checks its planted bug breaks, with a message that names
the mistake in the lab's terms. Expectations that need the optimizer trace are xfailed
while the rubric has no trace check; entries with a ``known_gap`` are strict xfails.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from grader.api import grade_paths
from grader.results import GradeResult
from grader.rubric import load_rubric

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

import corpus  # noqa: E402
import make_corpus  # noqa: E402

RUBRIC = load_rubric("lab6")
ENTRIES = {entry.name: entry for entry in corpus.entries()}


def _param(name: str) -> object:
    entry = ENTRIES[name]
    if entry.known_gap:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=entry.known_gap))
    return name


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradeResult]:
    out = tmp_path_factory.mktemp("corpus-results")
    return {path.name: result for path, result in
            grade_paths([entry.folder for entry in ENTRIES.values()], RUBRIC, out, jobs=2)}


def test_the_corpus_is_large_enough_and_generated() -> None:
    correct = [e for e in ENTRIES.values() if e.correct]
    broken = [e for e in ENTRIES.values() if not e.correct]
    assert len(correct) >= 12 and len(broken) >= 15
    assert all(e.fails for e in broken) and not any(e.fails for e in correct)
    assert make_corpus.main(["--check"]) == 0, "run python tests/corpus/make_corpus.py"


@pytest.mark.parametrize("name", [_param(n) for n in sorted(n for n, e in ENTRIES.items() if e.correct)])
def test_correct_submission_gets_full_marks_for_what_it_attempts(graded, name: str) -> None:
    wrong = corpus.problems(ENTRIES[name], graded[name])
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", [_param(n) for n in sorted(n for n, e in ENTRIES.items() if not e.correct)])
def test_broken_submission_fails_where_its_bug_is_with_a_diagnosis(graded, name: str) -> None:
    entry = ENTRIES[name]
    if entry.needs_trace and not corpus.has_trace_checks(RUBRIC):
        pytest.xfail("needs the optimizer trace")
    wrong = corpus.problems(entry, graded[name])
    assert not wrong, "\n".join(wrong)


def test_docs_table_is_current(graded) -> None:
    text = corpus.render(graded, RUBRIC)
    if os.environ.get("LABGRADE_WRITE_CORPUS_DOCS"):  # regenerate instead of comparing
        corpus.DOCS.write_text(text)
    assert corpus.DOCS.read_text() == text, (
        "docs/corpus.md is stale: run python tests/corpus/make_table.py")
