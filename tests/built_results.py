"""Grade results built by hand (no sandbox run): a lab6-like result with tasks not attempted.

:func:`xor_only_result` is an XOR submission graded on lab6's layout: ``runs`` and ``xor``
pass, the other core alternative (``moons``) and ``backtracking`` found nothing (every check
failed with ``details.missing``), each check with its own inventory message. The task and
check ids and kinds are lab6's; points, titles and which checks are hidden are the tests' own
(the ``gradients`` checks are hidden here, to have a hidden check in an attempted task).
With ``extra_alternative``, a third core alternative that lab6 does not have (``spirals``,
after ``moons``) was not attempted either: two alternatives folded into one line.
"""

from __future__ import annotations

from grader.grading import attempt, count_groups, totals
from grader.results import CheckResult, GradeResult, TaskResult

MOONS_REASON = "no make_moons work found"


def inventory(what: str) -> str:
    """A long "nothing fits" message, as the grader writes it for a missing target."""
    return (f"The grader looked for {what} (names tried first: model, net, *moons*) and found "
            "none that fits. Found: model (nn.Module Linear(2, 8) -> Tanh -> Linear(8, 1)) in "
            "lab.ipynb; losses (2000 numbers) in lab.ipynb.")


def check(cid: str, kind: str, status: str, points: float, *, hidden: bool = False,
          missing: str = "") -> CheckResult:
    """One check; ``missing`` names what was not found (a failed check with ``missing: True``)."""
    if missing:
        return CheckResult(cid, f"{cid} check", kind, "failed", 0.0, points,
                           "hidden" if hidden else "public", inventory(missing), {"missing": True})
    score = points if status == "passed" else 0.0
    return CheckResult(cid, f"{cid} check", kind, status, score, points,
                       "hidden" if hidden else "public", f"{cid}: {status}", {"measured": 1.0})


def task(tid: str, title: str, checks: list[CheckResult], group: str | None = None,
         nothing_found: str = "nothing found for this task") -> TaskResult:
    attempted, reason = attempt(checks, nothing_found)
    return TaskResult(tid, title, round(sum(c.score for c in checks), 2),
                      sum(c.max_score for c in checks), checks, group, True, False, attempted,
                      reason)


def result(tasks: list[TaskResult], *, name: str = "xena", public_only: bool = False
           ) -> GradeResult:
    count_groups(tasks)
    score, maximum = totals(tasks)
    return GradeResult(
        submission={"name": name, "files": [{"path": "lab.ipynb", "sha256": "0" * 64, "size": 1}],
                    "problems": []},
        rubric={"id": "lab6", "version": "1", "digest": "d" * 64, "path": "lab6.toml",
                "public_only": public_only},
        status="graded", score=score, max_score=maximum, tasks=tasks,
        cells=[{"unit": "lab.ipynb", "number": 1, "status": "ok", "error": None,
                "traceback": None, "line": None}],
        run={"ending": "finished", "detail": "", "events": [], "protections": {"network": True},
             "missing_protections": [], "isolation_note": "", "output_truncated": False,
             "stdout_bytes": 0, "stderr_bytes": 0},
        targets={}, figures=[],
        environment={"grader": "0", "python": "3", "libraries": {"torch": "2.13.0"},
                     "seed": 0, "threads": 1, "fingerprint": "f00"},
        timing={"total_seconds": 1.0}, plots={})


def xor_only_result(*, public_only: bool = False, name: str = "xena",
                    extra_alternative: bool = False) -> GradeResult:
    """An XOR submission: moons (and spirals, if asked for) and backtracking not attempted."""
    def unattempted_core(tid: str, title: str, what: str, reason: str) -> TaskResult:
        return task(tid, title, [
            check("accuracy", "heldout_accuracy", "failed", 30, missing=f"a fixed-rate {what}"),
            check("loss", "loss_decrease", "failed", 15, missing=f"a fixed-rate {what} history"),
            check("gradients", "training_gradients", "failed", 10, hidden=True,
                  missing=f"a {what} for gradients"),
            check("descent", "trace_descent", "failed", 5, missing=f"a {what} for its updates")],
            "core", reason)

    tasks = [
        task("runs", "The work runs", [check("cells", "cells_ran", "passed", 10)]),
        task("xor", "A deep network on XOR", [
            check("classifies", "xor_classification", "passed", 30),
            check("loss", "loss_decrease", "passed", 15),
            check("gradients", "training_gradients", "passed", 10, hidden=True),
            check("descent", "trace_descent", "passed", 5)], "core", "no XOR network found"),
        unattempted_core("moons", "A deep network on make_moons", "moons network", MOONS_REASON),
    ]
    if extra_alternative:
        tasks.append(unattempted_core("spirals", "A deep network on two spirals", "spirals network",
                                      "no spirals network found"))
    tasks.append(
        task("backtracking", "Armijo backtracking on make_moons", [
            check("accuracy", "heldout_accuracy", "failed", 10, missing="a backtracking moons MLP"),
            check("monotone", "loss_monotone", "failed", 10, missing="a backtracking history"),
            check("armijo", "armijo_step", "failed", 10, hidden=True,
                  missing="a line-search function")], None, MOONS_REASON))
    if public_only:
        for t in tasks:
            t.checks = [c for c in t.checks if c.visibility == "public"]
            t.score, t.max_score = sum(c.score for c in t.checks), sum(c.max_score for c in t.checks)
    return result(tasks, name=name, public_only=public_only)
