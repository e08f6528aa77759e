"""One grading job as plain data, run anywhere (this process, a local worker, a Dask worker).

A :class:`Job` names a submission, the rubric file and the limits; :func:`run_job` grades it
into a private temporary folder and returns a :class:`JobOutput`: the result as a dict and
every file the grading wrote (stdout, stderr, figures), as bytes. The caller writes them
into the results folder with :func:`write_output` (each file atomically, ``result.json``
last), so a grader killed mid-batch leaves complete results or none, never half a file.
Nothing a job returns comes from the sandbox unchecked: it is the trusted grader's output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader.isolation import Support
from grader.launcher import Limits
from grader.scratch import make as make_scratch
from grader.results import SCHEMA_VERSION, GradeResult, write_json_atomic
from grader.rubric import Rubric

RESULT_FILE = "result.json"
_REFERENCES: dict[str, Any] = {}  # per process: reference runs reused across its jobs


@dataclass(frozen=True)
class Job:
    """Everything needed to grade one submission (picklable, no open resources)."""

    path: str
    name: str
    rubric: Rubric
    limits: Limits
    threads: int = 1
    public_only: bool = False
    support: Support | None = None  # None: detect on the machine that runs the job


@dataclass
class JobOutput:
    """What a job produced: the result and the files to write beside it."""

    name: str
    path: str
    result: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0


def submission_fingerprint(files: list[dict[str, Any]]) -> str:
    """The digest of a submission's files (path and sha256), as in ``result.json``."""
    joined = "\n".join(f"{f['path']}:{f['sha256']}" for f in files)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def run_job(job: Job, references: Any = None) -> JobOutput:
    """Grade one submission; any failure becomes an error result, never an exception.

    Without ``references`` the process keeps one set per rubric across its jobs (a pool or
    Dask worker trains or loads them once).
    """
    from grader.grading import error_result  # noqa: PLC0415 - heavy imports, worker side
    from grader.grading_threads import use_one_thread  # noqa: PLC0415
    from grader.loading import SubmissionError, load_submission  # noqa: PLC0415
    from grader.references import References  # noqa: PLC0415
    from grader.stability import grade_stably  # noqa: PLC0415

    use_one_thread()
    started = time.monotonic()
    rubric = job.rubric.public_only() if job.public_only else job.rubric
    if references is None:
        references = _REFERENCES.setdefault(f"{rubric.digest}:{job.public_only}", References(rubric))
    scratch = make_scratch("labgrade-job-")  # marked: a killed run's copy is cleaned next time
    try:
        out_dir = scratch / "out"
        try:
            result = grade_stably(load_submission(Path(job.path)), rubric, limits=job.limits,
                                  threads=job.threads,
                                  references=references, out_dir=out_dir,
                                  support=job.support, public_only=job.public_only)
        except SubmissionError as exc:
            result = error_result(job.name, rubric, str(exc), job.threads, job.public_only)
        except Exception as exc:  # noqa: BLE001 - the grader's own bug must not stop the batch
            result = error_result(job.name, rubric, f"internal grader error: "
                                  f"{type(exc).__name__}: {exc}", job.threads, job.public_only)
            result.run = {**result.run, "traceback": traceback.format_exc()[-4000:]}
        _write_report(out_dir, result.to_dict())
        files = {str(p.relative_to(out_dir)): p.read_bytes()
                 for p in sorted(out_dir.rglob("*")) if p.is_file() and p != out_dir / RESULT_FILE}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return JobOutput(job.name, job.path, result.to_dict(), files,
                     round(time.monotonic() - started, 3))


def _write_report(out_dir: Path, result: dict[str, Any]) -> None:
    """Draw ``report.html`` here, in the worker, so a class's reports render in parallel.

    The scratch ``result.json`` it is drawn from is not shipped: :func:`write_output`
    writes the result itself, last. A report that fails here is not shipped either: the
    caller draws it again in the results folder, where a failure is told with the real path
    and a page saying why takes the report's place.
    """
    from grader.report.student import write_student_report  # noqa: PLC0415 - worker side

    write_json_atomic(out_dir / RESULT_FILE, result)
    try:
        write_student_report(out_dir / RESULT_FILE)
    except Exception:  # noqa: BLE001 - told by the caller's second attempt
        pass


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_output(output: JobOutput, directory: Path) -> Path:
    """Write the files, then ``result.json`` last; returns the result's path."""
    for relative, data in output.files.items():
        target = (directory / relative).resolve()
        if directory.resolve() not in target.parents or relative == RESULT_FILE:
            continue  # only files under the folder, and never a second result.json
        _write_bytes_atomic(target, data)
    path = directory / RESULT_FILE
    write_json_atomic(path, output.result)
    return path


def is_current(directory: Path, submission_files: list[dict[str, Any]], rubric_digest: str,
               rubric_version: str, public_only: bool) -> bool:
    """Whether ``directory/result.json`` already grades this exact submission with this rubric
    and this grader version (so a rerun can skip it). A result with a check the grader could
    not judge (``error``) is never current: a rerun tries it again."""
    try:
        data = json.loads((directory / RESULT_FILE).read_text(encoding="utf-8"))
        return (data["status"] == "graded" and data.get("schema") == SCHEMA_VERSION
                and not any(c["status"] == "error" for t in data["tasks"] for c in t["checks"])
                and submission_fingerprint(data["submission"]["files"])
                == submission_fingerprint(submission_files)
                and data["rubric"]["digest"] == rubric_digest
                and data["rubric"]["version"] == rubric_version
                and bool(data["rubric"].get("public_only", False)) == public_only
                and data["environment"]["grader"] == grader.__version__)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def result_from_dict(data: dict[str, Any]) -> GradeResult:
    """A :class:`GradeResult` back from ``result.json`` data."""
    from grader.results import CheckResult, TaskResult  # noqa: PLC0415

    tasks = [TaskResult(**{**t, "checks": [CheckResult(**c) for c in t["checks"]]})
             for t in data["tasks"]]
    fields = {k: v for k, v in data.items() if k not in ("tasks", "schema")}
    return GradeResult(**fields, tasks=tasks)
