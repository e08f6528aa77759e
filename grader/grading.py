"""Rubric x run x references -> scored results. A check that crashes yields ``error``, never a crash.

Tasks sharing a group are alternatives: the best-scoring one is counted and the others
are kept in the result, marked ``counted: false``. Optional tasks add to the score but
not to the maximum.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from grader.cell_problems import cell_hint
from grader.context import GradingContext, Missing, TooLarge
from grader.environment import fingerprint
from grader.isolation import Support
from grader.launcher import Limits, ProbeError, RunRecord, SandboxSession
from grader.loading import Submission
from grader.plotdata import collect_plots
from grader.references import References
from grader.results import CheckResult, GradeResult, TaskResult
from grader.rubric import CheckSpec, Rubric, TaskSpec, needs_target
from grader.runners import RUNNERS
from grader.training_streams import any_training
from grader.verdict import Verdict, error, failed


def run_check(check: CheckSpec, ctx: GradingContext) -> Verdict:
    """The verdict of one check; missing targets fail it, grader bugs make it ``error``."""
    try:
        return RUNNERS[check.kind](check, ctx)
    except Missing as exc:
        if "network" in check.params and not any_training(ctx):
            return failed(f"No training was observed anywhere in the submission (no recorded "
                          f"backward() call and no loop that changed any array over several "
                          f"iterations), so there is no trained network to judge. {exc}",
                          missing=True, observed=False)
        return failed(str(exc), missing=True)
    except TooLarge as exc:
        return failed(str(exc), too_large=True)
    except ProbeError as exc:
        return failed(f"The grader called your code on its own inputs and it failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - one broken check must not stop the others
        return error(f"The grader could not run this check ({type(exc).__name__}: {exc}). "
                     "This is not your fault; tell your instructor.")


def _score(points: float, verdict: Verdict) -> float:
    return round(points * float(verdict.fraction or 0.0), 2)


def attempt(checks: list[CheckResult], nothing_found: str) -> tuple[bool, str]:
    """``(attempted, reason)`` of a task from its check verdicts.

    Not attempted (``(False, nothing_found)``): the task has checks that need a target, every
    one of them failed with its target missing (``details.missing``), and no check passed.
    Otherwise ``(True, "")``.
    """
    targeted = [c for c in checks if needs_target(c.kind)]
    nothing = bool(targeted) and all(c.status == "failed" and c.details.get("missing")
                                     for c in targeted)
    if nothing and not any(c.status == "passed" for c in checks):
        return False, nothing_found
    return True, ""


def grade_task(task: TaskSpec, ctx: GradingContext) -> TaskResult:
    """Run a task's checks; a task with nothing found for it is marked not attempted.

    (Not when the run left nothing to inspect at all: then the work may well be there.)
    """
    checks = []
    for check in task.checks:
        verdict = run_check(check, ctx)
        checks.append(CheckResult(check.id, check.title, check.kind, verdict.status,
                                  _score(check.points, verdict), check.points, check.visibility,
                                  verdict.message, verdict.details))
    attempted, reason = attempt(checks, task.nothing_found)
    if ctx.record.inventory is None:
        attempted, reason = True, ""
    return TaskResult(task.id, task.title, round(sum(c.score for c in checks), 2), task.max_score,
                      checks, task.group, True, task.optional, attempted, reason)


def count_groups(tasks: list[TaskResult]) -> None:
    """Among alternatives, only the best-scoring task counts.

    On a tie the one the student attempted most (fewest checks whose targets were missing)
    wins, then the first in the rubric. A task not attempted never counts over one attempted.
    """
    def rank(task: TaskResult) -> tuple[bool, float, int]:
        return task.attempted, task.score, -sum(1 for c in task.checks if c.details.get("missing"))

    best: dict[str, TaskResult] = {}
    for task in tasks:
        if task.group and (task.group not in best or rank(task) > rank(best[task.group])):
            best[task.group] = task
    for task in tasks:
        task.counted = task.group is None or best[task.group] is task


def totals(tasks: list[TaskResult]) -> tuple[float, float]:
    score = sum(t.score for t in tasks if t.counted)
    maximum = sum(t.max_score for t in tasks if t.counted and not t.optional)
    return round(score, 2), round(maximum, 2)


def rubric_maximum(rubric: Rubric) -> float:
    """The maximum score: non-optional tasks, each group of alternatives counted once."""
    groups: set[str] = set()
    total = 0.0
    for task in rubric.tasks:
        if task.optional or (task.group and task.group in groups):
            continue
        if task.group:
            groups.add(task.group)
        total += task.max_score
    return round(total, 2)


def _cells(record: RunRecord, submission: Submission) -> list[dict[str, Any]]:
    """The recorded cells; ``hint`` says in words why a failed cell cannot run here (or None)."""
    return [{**{k: cell[k] for k in ("unit", "number", "status", "error", "traceback", "line")},
             "hint": cell_hint(submission, cell)} for cell in record.cells]


def _figures(record: RunRecord, out_dir: Path | None) -> list[dict[str, Any]]:
    figures = []
    for index, figure in enumerate(record.figures, start=1):
        name = f"figures/figure-{index}.png"
        if out_dir is not None:
            (out_dir / "figures").mkdir(parents=True, exist_ok=True)
            (out_dir / name).write_bytes(figure["png"])
        figures.append({"file": name, "unit": figure["unit"], "cell": figure["cell"]})
    return figures


LIMIT_EVENTS = (("[Errno 28]", "the work folder ran out of space (disk limit)"),
                ("[Errno 27]", "a file grew past the file size limit"),
                ("MemoryError", "the code ran out of memory (memory limit)"),
                ("[Errno 11] Resource temporarily unavailable", "too many processes (pids limit)"))


def run_events(record: RunRecord) -> list[str]:
    """Limits the student's code ran into inside cells that survived them, in words."""
    events = []
    for cell in record.cells:
        for marker, words in LIMIT_EVENTS:
            if cell["error"] and marker in cell["error"]:
                events.append(f"{cell['unit']} cell {cell['number']}: {words}")
    if record.output_truncated:
        events.append("the output was longer than the limit and was cut")
    return events + record.supervisor_events


def _run_summary(record: RunRecord, support: Support, inventory_problems: list[str]
                 ) -> dict[str, Any]:
    missing = [name for name, ok in record.protections.items() if not ok]
    return {"ending": record.ending, "detail": record.ending_detail,
            "events": run_events(record) + inventory_problems,
            "protections": record.protections, "missing_protections": missing,
            "isolation_note": support.reason if missing else "",
            "output_truncated": record.output_truncated,
            "stdout_bytes": len(record.stdout.encode()), "stderr_bytes": len(record.stderr.encode())}


def grade_submission(submission: Submission, rubric: Rubric, *, limits: Limits | None = None,
                     threads: int = 1, references: References | None = None,
                     out_dir: Path | None = None, support: Support | None = None,
                     public_only: bool = False) -> GradeResult:
    """Run one submission in the sandbox and grade it against the rubric.

    ``public_only`` only records that ``rubric`` holds the public checks alone (a self-check).
    """
    started = time.monotonic()
    references = references or References(rubric)
    with SandboxSession(submission, seed=rubric.seed, threads=threads,
                        limits=limits or rubric.limits, support=support) as session:
        record = session.run()
        ran = time.monotonic()
        ctx = GradingContext(rubric, submission, record, session, references)
        tasks = [grade_task(task, ctx) for task in rubric.tasks]
        plots = collect_plots(rubric, ctx)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "stdout.txt").write_text(record.stdout, encoding="utf-8")
        (out_dir / "stderr.txt").write_text(record.stderr, encoding="utf-8")
    count_groups(tasks)
    score, maximum = totals(tasks)
    return GradeResult(
        submission={"name": submission.name,
                    "files": [{"path": f.path, "sha256": f.sha256, "size": f.size}
                              for f in submission.files],
                    "problems": list(submission.problems)},
        rubric=_rubric_facts(rubric, public_only),
        status="graded", score=score, max_score=maximum, tasks=tasks, cells=_cells(record, submission),
        run=_run_summary(record, session.support, ctx.inventory_problems),
        targets={tid: choice.message for tid, choice in sorted(ctx.choices.items())},
        figures=_figures(record, out_dir),
        environment=fingerprint(seed=rubric.seed, threads=threads),
        timing={"run_seconds": round(ran - started, 3),
                "grading_seconds": round(time.monotonic() - ran, 3),
                "total_seconds": round(time.monotonic() - started, 3),
                "submission_seconds": round(session.time_used, 3),
                "peak_memory_bytes": record.peak_memory,
                "cells": {f"{c['unit']}:{c['number']}": c["seconds"] for c in record.cells}},
        plots=plots)


def _rubric_facts(rubric: Rubric, public_only: bool) -> dict[str, Any]:
    return {"id": rubric.id, "version": rubric.version, "digest": rubric.digest,
            "path": rubric.path, "public_only": public_only,
            "secret": "private" if rubric.secret_private else "public",
            "secret_id": rubric.secret_id}


def error_result(name: str, rubric: Rubric, message: str, threads: int = 1,
                 public_only: bool = False) -> GradeResult:
    """The result for a submission the grader could not grade at all."""
    return GradeResult(submission={"name": name, "files": [], "problems": [message]},
                       rubric=_rubric_facts(rubric, public_only),
                       status="error", score=0.0, max_score=rubric_maximum(rubric),
                       tasks=[], cells=[], run={}, targets={}, figures=[],
                       environment=fingerprint(seed=rubric.seed, threads=threads),
                       timing={}, error=message)
