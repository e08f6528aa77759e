"""The library facade the CLI calls: grade submissions, write their results, self-check."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grader.cluster import run_on_cluster
from grader.intake import Found, Intake
from grader.intake import gather as gather_intake
from grader.intake.folders import discover
from grader.isolation import IsolationUnavailable, Support, detect
from grader.jobs import Job, JobOutput, is_current, result_from_dict, run_job, write_output
from grader.launcher import Limits, prestart_warm
from grader.loading import SubmissionError, load_submission
from grader.pool import run_local
from grader.references import BUILDERS, References
from grader.report.outputs import submission_folder
from grader.report.student import REPORT_NAME, write_report_safely
from grader.results import GradeResult, write_json_atomic
from grader.rubric import Rubric
from grader.secret import SecretChoice, for_run

RUNNABLE = {".ipynb", ".py"}


def expand_submissions(paths: list[Path]) -> list[Path]:
    """The submissions under ``paths`` by the discovery rule (:mod:`grader.intake.folders`):
    a folder of submission folders, at any depth, is a class; never two students as one.

    Symbolic links are never followed: a linked submission stays one path, which
    :func:`~grader.loading.load_submission` refuses, and a link is never expanded as a class.
    A zip stays one path here (:func:`gather` unpacks it, into a results folder).
    """
    expanded: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir() and not path.is_symlink() and path.suffix.lower() != ".zip":
            found: list[Found] = []
            discover(path, found, [])
            expanded.extend(f.path for f in found)
        else:
            expanded.append(path)
    return expanded


def gather(paths: list[Path], out: Path | None, roster: Path | None = None) -> Intake:
    """What ``grader run`` grades (:mod:`grader.intake`): each submission with its student,
    the warnings (what could not be placed), and, with a roster, who sent nothing. Raises
    :class:`~grader.intake.RosterError` for a roster that cannot be read."""
    return gather_intake(paths, out, roster)


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
                on_result: Callable[[Path, GradeResult, Path | None], None] | None = None,
                jobs: int = 1, force: bool = False,
                on_skip: Callable[[Path, GradeResult], None] | None = None,
                cluster: str | None = None, intake: Intake | None = None
                ) -> Iterator[tuple[Path, GradeResult]]:
    """Grade each submission; a broken one yields an error result, never an exception.

    The submissions are those :func:`gather` finds under ``paths``, or ``intake``'s (a
    :func:`gather` already made, whose warnings the caller told); what intake knows of each
    student (``student_id``, ``student_name``, ``intake``) is written into its result's
    ``submission``.

    With ``jobs`` > 1 the submissions are graded by that many worker processes and yielded as
    they finish; with ``cluster`` (a Dask scheduler address) they run on that cluster's
    workers and the results come back here. With an ``out`` folder, a submission whose ``result.json`` is current (same
    files, rubric and grader version) is not graded again unless ``force``; it is yielded
    from its file (and told to ``on_skip``). Raises IsolationUnavailable before grading
    anything when ``require_isolation`` is set and this machine lacks a protection.
    """
    support = support or detect()
    if require_isolation and support.missing():
        raise IsolationUnavailable(
            f"full isolation was required, but these protections are missing: "
            f"{', '.join(support.missing())} ({support.reason})")
    checked = rubric.public_only() if public_only else rubric
    used: set[str] = set()
    places: dict[str, tuple[Path, Path | None, dict[str, Any]]] = {}
    own = intake is None
    intake = gather_intake(paths, out) if intake is None else intake
    try:
        yield from _grade_found(intake, rubric, checked, out, used, places, limits=limits,
                                threads=threads, public_only=public_only, support=support,
                                on_result=on_result, jobs=jobs, force=force, on_skip=on_skip,
                                cluster=cluster)
    finally:
        if own:
            intake.close()


def _with_student(target: Path, info: dict[str, Any]) -> GradeResult:
    """The current result there, with the student's intake facts as they are now (rewritten
    when they changed, e.g. a name from a new roster)."""
    data = json.loads((target / "result.json").read_text("utf-8"))
    if info and any(data["submission"].get(k) != v for k, v in info.items()):
        data["submission"].update(info)
        write_json_atomic(target / "result.json", data)
        write_report_safely(target / "result.json")
    return result_from_dict(data)


def _grade_found(intake: Intake, rubric: Rubric, checked: Rubric, out: Path | None,
                 used: set[str], places: dict[str, tuple[Path, Path | None, dict[str, Any]]], *,
                 limits: Limits | None, threads: int, public_only: bool, support: Support,
                 on_result: Callable[[Path, GradeResult, Path | None], None] | None,
                 jobs: int, force: bool, on_skip: Callable[[Path, GradeResult], None] | None,
                 cluster: str | None) -> Iterator[tuple[Path, GradeResult]]:
    pending: list[Job] = []
    for found in intake.found:
        path, name = found.path, found.name
        target = out / submission_folder(name, used) if out is not None else None
        places[target.name if target is not None else name] = (path, target, found.info)
        if target is not None and not force and _is_current(path, target, checked, public_only):
            result = _with_student(target, found.info)
            if not (target / REPORT_NAME).exists():
                write_report_safely(target / "result.json")
            if on_skip is not None:
                on_skip(path, result)
            yield path, result
            continue
        pending.append(Job(str(path), target.name if target is not None else name, rubric,
                           limits or rubric.limits, threads, public_only, support))
    outputs = run_on_cluster(pending, cluster) if cluster and pending else \
        _outputs(pending, checked, jobs)
    for output in outputs:
        path, target, info = places[output.name]
        output.result["submission"].update(info)
        written = write_output(output, target) if target is not None else None
        if written is not None and REPORT_NAME not in output.files:  # normally drawn by the job
            write_report_safely(written)
        result = result_from_dict(output.result)
        if on_result is not None:
            on_result(path, result, written)
        yield path, result


def _is_current(path: Path, target: Path, rubric: Rubric, public_only: bool) -> bool:
    try:
        submission = load_submission(path)
    except SubmissionError:
        return False
    files = [{"path": f.path, "sha256": f.sha256} for f in submission.files]
    return is_current(target, files, rubric.digest, rubric.version, public_only) \
        and _same_secret(target, rubric)


def _same_secret(target: Path, rubric: Rubric) -> bool:
    """Whether the result there was graded with the secret in force now (another draws other points)."""
    try:
        data = json.loads((target / "result.json").read_text("utf-8"))
        return data["rubric"].get("secret_id") == rubric.secret_id
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def official_secret(rubric: Rubric, secret_file: Path | None = None, *,
                    public: bool = False) -> SecretChoice:
    """The rubric with the secret ``grader run`` grades with, and what to tell the user
    (see :mod:`grader.secret`); SecretError when a named secret file cannot be used."""
    return for_run(rubric, secret_file, public=public)


def _outputs(pending: list[Job], rubric: Rubric, jobs: int) -> Iterator[JobOutput]:
    """Run the jobs here one by one, or on ``jobs`` local workers."""
    references = References(rubric)
    if jobs <= 1 or len(pending) <= 1:
        if pending and pending[0].support.warm:
            prestart_warm(pending[0].threads)  # its imports overlap with the grading stack's
        for job in pending:
            yield run_job(job, references)
        return
    for name in BUILDERS:  # trained once here, so the workers find them in the cache
        references.get(name)
    yield from run_local(pending, jobs)
