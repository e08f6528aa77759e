"""Human text for the terminal: one line per graded submission, the self-check summary."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.isolation import Support
from grader.results import GradeResult

MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


def _points(value: float) -> str:
    return f"{value:g}"


def unjudged(result: GradeResult) -> list[str]:
    """``task.check`` of each check the grader could not judge (status ``error``)."""
    return [f"{task.id}.{check.id}" for task in result.tasks for check in task.checks
            if check.status == "error"]


def unjudged_note(result: GradeResult) -> str:
    """``2 check(s) not judged (grader error, 0 points, still in the maximum): a.b, c.d`` or ''."""
    ids = unjudged(result)
    if not ids:
        return ""
    return (f"{len(ids)} check(s) not judged (grader error, 0 points, still in the maximum): "
            f"{', '.join(ids)}")


def run_line(result: GradeResult, out: Path | None) -> str:
    """`alice: 95/100 -> results/alice/result.json` (or the error)."""
    name = result.submission["name"]
    where = f" -> {out / name / 'result.json'}" if out is not None else ""
    if result.status != "graded":
        return f"{name}: could not be graded: {result.error}{where}"
    notes = []
    ending = result.run.get("ending")
    if ending and ending != "finished":
        notes.append(result.run.get("detail") or ending)
    failed_cells = [c for c in result.cells if c["status"] != "ok"]
    if failed_cells:
        hinted = next((c for c in failed_cells if c.get("hint")), None)  # the first in words
        hint = "" if hinted is None else (
            f" — {hinted['unit']}" + ("" if hinted["unit"].endswith(".py") else f" cell {hinted['number']}")
            + f": {hinted['hint']}")
        notes.append(f"{len(failed_cells)} cell(s) failed{hint}")
    if unjudged(result):
        notes.insert(0, unjudged_note(result))
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"{name}: {_points(result.score)}/{_points(result.max_score)}{extra}{where}"


def check_summary(result: GradeResult) -> str:
    """Every public check with its verdict and reason, then the score so far."""
    if result.status != "graded":
        return f"{result.submission['name']}: could not be checked: {result.error}"
    lines = [f"Self-check of {result.submission['name']} against {result.rubric['id']} "
             f"(version {result.rubric['version']}), public checks only", ""]
    tasks = [(t, [c for c in t.checks if c.visibility == "public"]) for t in result.tasks]
    tasks = [(t, checks) for t, checks in tasks if checks]
    skipped: dict[str | None, list[str]] = {}  # per group: alternatives neither counted nor tried
    for task, _ in tasks:
        if not task.counted and not task.attempted:
            skipped.setdefault(task.group, []).append(task.title)
    for task, checks in tasks:
        if not task.counted and not task.attempted:
            if task.group in skipped:  # one line for the group, where its first one stands
                lines.append(f"(not attempted, other ways of doing the same part: "
                             f"{'; '.join(skipped.pop(task.group))})")
            continue
        if not task.attempted:
            lines.append(f"{task.title}: {_points(task.score)}/{_points(task.max_score)}"
                         f" - not attempted: {task.not_attempted}")
            continue
        if not task.counted:
            lines.append(f"(not counted, another way of doing the same part scored higher: "
                         f"{task.title}: {_points(task.score)}/{_points(task.max_score)})")
            continue
        lines.append(f"{task.title}: {_points(task.score)}/{_points(task.max_score)}")
        for check in checks:
            lines.append(f"  {MARKS[check.status]:5} {check.title} "
                         f"({_points(check.score)}/{_points(check.max_score)})")
            if check.status != "passed":
                lines.extend(textwrap.wrap(check.message, width=96, initial_indent="        ",
                                           subsequent_indent="        "))
    lines += ["", f"Score so far (public checks): {_points(result.score)}/{_points(result.max_score)}"]
    if unjudged(result):
        lines.append(f"The grader failed on {unjudged_note(result)}. This is not your fault; "
                     "tell your instructor.")
    return "\n".join(lines)


def environment_line(result: GradeResult) -> str:
    env = result.environment
    libraries = ", ".join(f"{k} {v}" for k, v in env.get("libraries", {}).items())
    return (f"Environment {env.get('fingerprint')}: grader {env.get('grader')}, Python "
            f"{env.get('python')}, {libraries}; seed {env.get('seed')}, {env.get('threads')} thread(s)")


def isolation_notice(support: Support) -> str:
    """A warning when submissions will run with less than full isolation ('' otherwise)."""
    missing = support.missing()
    if not missing:
        return ""
    return (f"warning: reduced isolation, missing: {', '.join(missing)}. {support.reason}. "
            "Results record this; use --require-isolation to refuse instead.")
