"""The library facade the CLI calls: grade submissions, write their results, self-check."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from grader.grading import error_result
from grader.isolation import IsolationUnavailable, Support, detect
from grader.launcher import Limits
from grader.loading import SubmissionError, load_submission
from grader.references import References
from grader.results import GradeResult, write_result
from grader.rubric import Rubric
from grader.stability import grade_stably

RUNNABLE = {".ipynb", ".py"}


def expand_submissions(paths: list[Path]) -> list[Path]:
    """Each path is a submission, unless it is a folder of submission folders (a class)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir() and not any(p.suffix in RUNNABLE for p in path.iterdir() if p.is_file()):
            children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
            if children:
                expanded.extend(children)
                continue
        expanded.append(path)
    return expanded


def _unique_dir(out: Path, name: str, used: set[str]) -> Path:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}-{number}", number + 1
    used.add(candidate)
    return out / candidate


def with_overrides(rubric: Rubric, *, timeout: float | None = None, memory: int | None = None
                   ) -> Limits:
    limits = rubric.limits
    if timeout is not None:
        limits = dataclasses.replace(limits, timeout=timeout, cpu=max(limits.cpu, timeout))
    if memory is not None:
        limits = dataclasses.replace(limits, memory=memory)
    return limits


def grade_paths(paths: list[Path], rubric: Rubric, out: Path | None, *, limits: Limits | None = None,
                threads: int = 1, public_only: bool = False, support: Support | None = None,
                require_isolation: bool = False,
                on_result: Callable[[Path, GradeResult, Path | None], None] | None = None
                ) -> Iterator[tuple[Path, GradeResult]]:
    """Grade each submission in turn; a broken one yields an error result, never an exception.

    Raises IsolationUnavailable before grading anything when ``require_isolation`` is set
    and this machine lacks a protection.
    """
    support = support or detect()
    if require_isolation and support.missing():
        raise IsolationUnavailable(
            f"full isolation was required, but these protections are missing: "
            f"{', '.join(support.missing())} ({support.reason})")
    if public_only:
        rubric = rubric.public_only()
    references = References(rubric)
    used: set[str] = set()
    for path in expand_submissions(paths):
        name = path.stem if path.is_file() else path.name
        target = _unique_dir(out, name, used) if out is not None else None
        try:
            submission = load_submission(path)
            result = grade_stably(submission, rubric, limits=limits or rubric.limits,
                                  threads=threads, references=references, out_dir=target,
                                  support=support)
        except SubmissionError as exc:
            result = error_result(name, rubric, str(exc), threads)
        written = write_result(result, target) if target is not None else None
        if on_result is not None:
            on_result(path, result, written)
        yield path, result
