"""The corpus as data: read each ``expected.toml``, compare it with a graded result, render the docs table.

Used by ``tests/test_corpus.py`` and by ``python tests/corpus/make_table.py``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from _build import Fail as ExpectedFail  # the generator's record of a check that must fail

from grader.results import GradeResult
from grader.rubric import Rubric

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DOCS = ROOT / "docs" / "corpus.md"
CORE = ("xor", "moons")


@dataclass(frozen=True)
class Expected:
    """One corpus submission's expected.toml."""

    name: str
    folder: Path
    file: str
    style: str
    bug: str
    correct: bool
    attempts: tuple[str, ...]
    fails: tuple[ExpectedFail, ...]
    also_fails: tuple[str, ...]
    may_fail: tuple[str, ...]
    known_gap: str
    notes: str

    @property
    def tasks(self) -> set[str]:
        """The tasks whose checks are judged: the run plus what the submission attempts."""
        return {"runs", *self.attempts}

    @property
    def needs_trace(self) -> bool:
        return any(f.needs_trace for f in self.fails)


def load(folder: Path) -> Expected:
    """Read ``folder/expected.toml``."""
    data = tomllib.loads((folder / "expected.toml").read_text())
    fails = tuple(ExpectedFail(f["check"], tuple(f.get("diagnosis", ())), bool(f.get("needs_trace", False)))
                  for f in data.get("fails", []))
    return Expected(folder.name, folder, data["file"], data["style"], data["bug"], bool(data["correct"]),
                    tuple(data["attempts"]), fails, tuple(data.get("also_fails", ())),
                    tuple(data.get("may_fail", ())), data.get("known_gap", ""), data.get("notes", ""))


def entries() -> list[Expected]:
    """Every corpus submission, sorted by name."""
    return [load(p) for p in sorted(HERE.iterdir()) if (p / "expected.toml").is_file()]


def has_trace_checks(rubric: Rubric) -> bool:
    """Whether the rubric judges the optimizer trace (check kinds starting with ``trace``)."""
    return any(check.kind.startswith("trace") for task in rubric.tasks for check in task.checks)


def failing(result: GradeResult, tasks: set[str]) -> dict[str, str]:
    """``task.check`` -> message for every check of ``tasks`` that did not pass."""
    return {f"{t.id}.{c.id}": c.message for t in result.tasks if t.id in tasks for c in t.checks
            if c.status != "passed"}


def problems(expected: Expected, result: GradeResult) -> list[str]:
    """How the result differs from the expected verdicts (empty: as expected)."""
    found: list[str] = []
    if result.status != "graded":
        return [f"not graded: {result.error}"]
    tasks = {t.id: t for t in result.tasks}
    missing = expected.tasks - set(tasks)
    if missing:
        return [f"the rubric has no task {sorted(missing)}"]
    fails = failing(result, expected.tasks)
    if expected.correct:
        for task_id in sorted(expected.tasks):
            task = tasks[task_id]
            if task.score != task.max_score:
                found.append(f"{task_id}: {task.score}/{task.max_score}")
            if task.group and not task.counted:
                found.append(f"{task_id} is not the alternative that counts")
        found += [f"{key} failed: {message}" for key, message in sorted(fails.items())]
        return found
    wanted = {f.check for f in expected.fails} | set(expected.also_fails)
    for key in sorted(set(fails) - wanted - set(expected.may_fail)):
        found.append(f"{key} failed but was expected to pass: {fails[key]}")
    for key in sorted(wanted - set(fails)):
        found.append(f"{key} passed but was expected to fail")
    for fail in expected.fails:
        message = fails.get(fail.check)
        if message is None:
            continue
        absent = [word for word in fail.diagnosis if word.lower() not in message.lower()]
        if absent:
            found.append(f"{fail.check}: {absent} not in the message {message!r}")
    lost = sum(tasks[t].max_score - tasks[t].score for t in expected.tasks)
    if not lost:
        found.append("no points were lost")
    return found


# --------------------------------------------------------------------------- the docs table

def _cell(text: str, limit: int = 0) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def _score(value: float) -> str:
    return f"{value:g}"


def verdict(expected: Expected, result: GradeResult) -> str:
    """Score, and what failed among the judged tasks."""
    if result.status != "graded":
        return f"not graded: {result.error}"
    fails = {k: v for k, v in failing(result, expected.tasks).items() if k not in expected.may_fail}

    def lost_to_rounding(task: object) -> float:  # points of may_fail checks, so the table is stable
        return sum(c.max_score - c.score for c in task.checks  # type: ignore[attr-defined]
                   if f"{task.id}.{c.id}" in expected.may_fail)  # type: ignore[attr-defined]

    attempted = ", ".join(f"{t.id} {_score(t.score + lost_to_rounding(t))}/{_score(t.max_score)}"
                          for t in result.tasks if t.id in expected.attempts)
    total = result.score + sum(lost_to_rounding(t) for t in result.tasks if t.id in expected.attempts)
    text = f"{_score(total)}/{_score(result.max_score)} ({attempted})"
    if expected.may_fail:
        text += f" counting {', '.join(f'`{k}`' for k in expected.may_fail)} as passed (float rounding decides it)"
    return text + (f"; fails {', '.join(f'`{k}`' for k in sorted(fails))}" if fails else "; nothing fails")


def diagnosis(expected: Expected, result: GradeResult) -> str:
    """The messages of the checks the bug is expected to fail."""
    fails = failing(result, expected.tasks)
    parts = [f"`{f.check}`: {_cell(fails[f.check], 800)}" for f in expected.fails if f.check in fails]
    return "<br>".join(parts) if parts else "—"


def render(results: dict[str, GradeResult], rubric: Rubric) -> str:
    """docs/corpus.md from the expected.toml files and the graded results."""
    rows = entries()
    correct = [e for e in rows if e.correct]
    broken = [e for e in rows if not e.correct]
    as_expected = sum(1 for e in rows if e.name in results and not problems(e, results[e.name]))
    lines = [
        "# The grading corpus",
        "",
        "Generated by `python tests/corpus/make_table.py` from `tests/corpus/*/expected.toml` and the",
        f"grader's verdicts with rubric `{rubric.id}` {rubric.version}; `tests/test_corpus.py` checks",
        "that this file is current. The submissions are written by `tests/corpus/make_corpus.py`.",
        "",
        f"{len(correct)} correct and {len(broken)} broken submissions; {as_expected} of {len(rows)} get "
        "exactly the expected verdicts. A correct submission must get full marks for every task it "
        "attempts; a broken one must fail exactly the listed checks (plus those its bug breaks as a "
        "consequence), each with a message naming the mistake.",
        "",
        "| submission | style | bug | verdict | diagnosis |",
        "|---|---|---|---|---|",
    ]
    for entry in correct + broken:
        result = results.get(entry.name)
        gap = f"<br>**Known gap:** {_cell(entry.known_gap)}" if entry.known_gap else ""
        if result is None:
            lines.append(f"| `{entry.name}` | {_cell(entry.style)} | {_cell(entry.bug)} | not graded | — |")
            continue
        wrong = problems(entry, result)
        mark = "" if not wrong else " **(unexpected)**"
        lines.append(f"| `{entry.name}` | {_cell(entry.style)} | {_cell(entry.bug)}{gap} | "
                     f"{verdict(entry, result)}{mark} | {diagnosis(entry, result)} |")
    return "\n".join(lines) + "\n"
