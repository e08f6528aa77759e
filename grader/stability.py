"""Seed-sensitive checks judged over several runs: the median, with the spread reported.

A student's training result depends on the seed its code runs under (initial weights, data
shuffling): a borderline network can classify XOR on one seed and not on another. A rubric
that lists ``stability_seeds`` has each submission run once per seed; every check marked
``seed_sensitive`` is then judged on the run whose measured value is the (lower) median of
them all, or by majority where a check has no measured value. The other checks come from
the first seed's run. Each such check records every seed's outcome and the spread.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from typing import Any

from grader.grading import attempt, count_groups, grade_submission, totals
from grader.loading import Submission
from grader.results import CheckResult, GradeResult
from grader.rubric import Rubric

MEASURES = ("measured", "accuracy", "final")


def measured_value(check: CheckResult) -> float | None:
    """The number a check judged (accuracy, final loss, ...), if it reports one."""
    for key in MEASURES:
        value = check.details.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def representative(runs: list[CheckResult]) -> CheckResult:
    """The median run by measured value; by majority status where there is no number."""
    values = [measured_value(c) for c in runs]
    if all(v is not None for v in values):
        middle = statistics.median_low(values)  # type: ignore[type-var]
        return runs[values.index(middle)]
    counts = Counter(c.status for c in runs)
    top = max(counts.values())
    return next(c for c in runs if counts[c.status] == top)  # a tie keeps the first seed's


def combine(results: list[GradeResult], seeds: list[int], sensitive: set[tuple[str, str]]
            ) -> GradeResult:
    """The first seed's result, with each seed-sensitive check judged over every seed."""
    base = results[0]
    for t_index, task in enumerate(base.tasks):
        for c_index, check in enumerate(task.checks):
            if (task.id, check.id) not in sensitive:
                continue
            runs = [r.tasks[t_index].checks[c_index] for r in results]
            chosen = representative(runs)
            values = [measured_value(c) for c in runs]
            numbers = [v for v in values if v is not None]
            details: dict[str, Any] = {
                **chosen.details,
                "seeds": [{"seed": s, "status": c.status, "score": c.score, "measured": v}
                          for s, c, v in zip(seeds, runs, values)],
                "judged_on": f"the median of {len(seeds)} seeds" if len(numbers) == len(runs)
                             else f"the majority of {len(seeds)} seeds",
                "spread": round(max(numbers) - min(numbers), 6) if numbers else None}
            task.checks[c_index] = dataclasses.replace(chosen, details=details)
        task.score = round(sum(c.score for c in task.checks), 2)
        if not task.attempted:  # another seed's run may have found something after all
            task.attempted, task.not_attempted = attempt(task.checks, task.not_attempted)
    count_groups(base.tasks)
    base.score, base.max_score = totals(base.tasks)
    base.run = {**base.run, "seeds": seeds}
    base.timing = {**base.timing, "total_seconds": round(
        sum(r.timing.get("total_seconds", 0.0) for r in results), 3)}
    return base


def grade_stably(submission: Submission, rubric: Rubric, **options: Any) -> GradeResult:
    """Grade once, or once per stability seed and combine (see the module docstring)."""
    if len(rubric.stability_seeds) < 2:
        return grade_submission(submission, rubric, **options)
    seeds = list(rubric.stability_seeds)
    results = []
    for index, seed in enumerate(seeds):
        run_options = options if index == 0 else {**options, "out_dir": None}
        results.append(grade_submission(submission, dataclasses.replace(rubric, seed=seed),
                                        **run_options))
    sensitive = {(t.id, c.id) for t in rubric.tasks for c in t.checks if c.seed_sensitive}
    return combine(results, seeds, sensitive)
