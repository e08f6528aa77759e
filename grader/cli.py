"""The ``grader`` command: options in, calls on :mod:`grader.api` and :mod:`grader.report`,
exit codes out. No logic here.

Exit codes:

- 0: grading worked, whatever the scores (``check``: every public check passed;
  ``report``/``export``: written, even if some result.json files were unreadable and skipped);
- 1: ``check`` only: a public check failed;
- 2: usage or rubric error (a rubric mistake, a bad ``--timeout``/``--memory``, an ``--out``
  that is a file; ``report``/``export``: no such results folder, an impossible output), or
  isolation required but unavailable: nothing was graded;
- 3: internal error of the grader (a traceback is printed);
- 4: ``run``/``check``: everything else was graded, but a submission could not be graded
  (``"status": "error"``: unreadable, no code, a refused link, its worker died) or a check
  could not be judged (a check in ``error``); the terminal names each. Takes precedence over 1.

``grader.api`` (torch and the grading stack) is imported only by ``run`` and ``check``, so
``report`` and ``export`` start fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from grader import __version__
from grader.cluster import ClusterUnavailable
from grader.isolation import IsolationUnavailable, Support, detect
from grader.messages import check_summary, environment_line, isolation_notice, run_line, unjudged
from grader.report.batch import record_run, utc_now
from grader.results import GradeResult
from grader.report.classpage import ClassPageError, write_class_report
from grader.report.collect import Collection, ResultsDirError, collect
from grader.report.export import FORMATS, ExportError, export
from grader.report.outputs import BATCH_NAME
from grader.rubric import RubricError, load_rubric, parse_size
from grader.rubric_bounds import limit_problem
from grader.secret import CHECK_NOTE, ENV_SECRET_FILE, SecretError

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOT_JUDGED = 0, 1, 2, 3, 4


def _not_judged(result: GradeResult) -> bool:
    """The grader could not grade this submission, or could not judge one of its checks."""
    return result.status != "graded" or bool(unjudged(result))


def _check_timeout(_ctx: click.Context, _param: click.Parameter, value: float | None
                   ) -> float | None:
    problem = None if value is None else limit_problem("timeout", value)
    if problem:
        raise click.BadParameter(problem)
    return value


def _check_memory(_ctx: click.Context, _param: click.Parameter, value: str | None
                  ) -> int | None:
    if value is None:
        return None
    try:
        size = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    problem = limit_problem("memory", size)
    if problem:
        raise click.BadParameter(problem)
    return size


def _check_out(_ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The results folder: it, or the nearest part of it that exists, must be a folder."""
    for part in (value, *value.parents):
        if part.exists() or part.is_symlink():
            if not part.is_dir():
                raise click.BadParameter(f"{part} is a file, not a folder (results are written "
                                         f"to {value}/<submission>/)", param=param)
            break
    return value


def _rubric_option(function):  # type: ignore[no-untyped-def]
    return click.option("--rubric", "rubric_spec", default="lab6", show_default=True,
                        help="A built-in rubric id or a path to a rubric TOML file.")(function)


def _limit_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--require-isolation", is_flag=True,
                            help="Refuse to grade unless every sandbox protection is available.")(function)
    function = click.option("--timeout", type=float, default=None, callback=_check_timeout,
                            help="Wall-clock limit per submission, in seconds (overrides the rubric).")(function)
    return click.option("--memory", default=None, callback=_check_memory,
                        help="Memory limit per submission, e.g. 4GiB (overrides the rubric).")(function)


def _prepare(rubric_spec: str, timeout: float | None, memory: int | None):  # type: ignore[no-untyped-def]
    """The rubric and the limits in force; a rubric mistake is a usage error (exit 2)."""
    try:
        rubric = load_rubric(rubric_spec)
    except RubricError as exc:
        raise click.UsageError(str(exc)) from None
    from grader import api  # torch and the grading stack: not loaded by `report`/`export`

    return rubric, api.with_overrides(rubric, timeout=timeout, memory=memory)


def _record(out: Path, started: datetime, graded: list[str], rubric_id: str,
            rubric_version: str) -> None:
    """Append the run to DIR/batch.json; the results are written, so a failure only warns."""
    try:
        record_run(out, started, utc_now(), graded, rubric_id, rubric_version)
    except OSError as exc:
        click.echo(f"grader: this run was not recorded in {out / BATCH_NAME}: "
                   f"{exc.strerror or exc} (the results are written)", err=True)


def _gather(paths: list[Path], out: Path, roster: Path | None):  # type: ignore[no-untyped-def]
    """The submissions to grade (grader.intake), each warning on stderr; a roster that cannot
    be read is a usage error."""
    from grader.intake import RosterError, gather  # noqa: PLC0415

    try:
        intake = gather(paths, out, roster)
    except RosterError as exc:
        raise click.UsageError(str(exc)) from None
    except Exception:  # noqa: BLE001 - the grader's own failure, reported as such
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    for warning in intake.warnings:
        click.echo(f"grader: warning: {warning}", err=True)
    return intake


def _announce_isolation(support: Support | None = None) -> None:
    notice = isolation_notice(support or detect())
    if notice:
        click.echo(notice, err=True)


@click.group()
@click.version_option(__version__, prog_name="grader")
def main() -> None:
    """labgrade: sandboxed grading of gradient-descent and backpropagation labs."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_rubric_option
@click.option("--out", "out", default="results", show_default=True, type=click.Path(path_type=Path),
              callback=_check_out, help="Folder for DIR/<submission>/result.json.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once, each by its own worker process "
                   "(default: the number of cores).")
@click.option("--force", is_flag=True,
              help="Regrade submissions whose result.json is already current.")
@click.option("--warm/--cold", default=None,
              help="Warm (the default where available): fork each run from a process that has "
                   "already imported torch, numpy, scikit-learn and matplotlib, in its own pid, "
                   "mount and network namespaces, Landlock-confined (see README). Cold: a new "
                   "interpreter per run, in bubblewrap where available. The mode in force is "
                   "printed first.")
@click.option("--cluster", default=None, metavar="ADDRESS",
              help="Grade on a Dask cluster (scheduler address, e.g. tcp://host:8786); "
                   "results are written here.")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar=ENV_SECRET_FILE, show_envvar=True,
              help="The private secret to draw held-out data and probes with (e.g. one a "
                   "course shares). Default: the rubric's secret_file, else this user's own, "
                   "created on first use (see README, Secrets).")
@click.option("--public-secret", is_flag=True,
              help="Grade with the rubric's own secret, which students can read (as "
                   "`grader check` does); a warning says so.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A class roster CSV (a Canvas or Moodle export, or id,name): names the "
                   "students and lists who sent no submission (see README).")
@_limit_options
def run(paths: tuple[Path, ...], rubric_spec: str, out: Path, timeout: float | None,
        memory: int | None, require_isolation: bool, jobs: int | None, force: bool,
        warm: bool | None, cluster: str | None, secret_file: Path | None,
        public_secret: bool, roster: Path | None = None) -> None:
    """Grade submissions (folders, notebooks or scripts) and write their results.

    A folder of submission folders, at any depth (sections), is graded as a class, one
    result per student; so is a Canvas or Moodle download (its .zip or the folder it was
    unpacked into), GitHub Classroom clones and nbgrader's submitted/ folder. What cannot be
    placed is warned about on stderr. A submission whose result.json is current (same files, rubric, secret and
    grader version) is skipped, so an interrupted batch resumes where it stopped. Held-out
    data and probes are drawn with a private secret kept outside the rubric.

    \b
    Examples:
      grader run examples/alice
      grader run examples --out results
      grader run lab6_submissions.zip --roster roster.csv --out results
      grader run hw/*.ipynb --rubric rubrics/lab6.toml --timeout 120 --jobs 4
    """
    rubric, limits = _prepare(rubric_spec, timeout, memory)
    from grader import api  # noqa: PLC0415
    from grader.warm import choose  # noqa: PLC0415

    try:
        secret = api.official_secret(rubric, secret_file, public=public_secret)
    except SecretError as exc:
        raise click.UsageError(str(exc)) from None
    rubric = secret.rubric
    support, start = choose(warm, require_isolation=require_isolation, cluster=cluster is not None)
    click.echo(start, err=True)
    _announce_isolation(support)
    for notice in secret.notices:
        click.echo(notice, err=True)
    started, graded, not_judged = utc_now(), [], 0
    intake = _gather(list(paths), out, roster)
    try:
        from grader import api
        from grader.progress import Progress

        progress = Progress(total=len(intake.found))
        current: set[int] = set()

        def skipped(_path: Path, result: GradeResult) -> None:
            current.add(id(result))
            progress.add(result, skipped=True)
            click.echo(f"{progress.prefix()} {run_line(result, out)} (current, not regraded)")

        for _path, result in api.grade_paths(list(paths), rubric, out, limits=limits,
                                             require_isolation=require_isolation,
                                             jobs=jobs or os.cpu_count() or 1, force=force,
                                             on_skip=skipped, cluster=cluster, support=support,
                                             intake=intake):
            if id(result) in current:
                continue
            progress.add(result)
            click.echo(f"{progress.prefix()} {run_line(result, out)}")
            graded.append(result.submission["name"])
            not_judged += _not_judged(result)
        click.echo(progress.summary())
        for student in intake.missing:
            click.echo(f"no submission: {student['name']} ({student['id']}, on the roster)")
        if graded:
            _record(out, started, graded, rubric.id, rubric.version)
    except (IsolationUnavailable, ClusterUnavailable) as exc:
        click.echo(f"grader: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # noqa: BLE001 - the grader's own failure, reported as such
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    if not_judged:
        click.echo(f"grader: {not_judged} submission(s) not fully graded: see the lines above "
                   f"(exit {EXIT_NOT_JUDGED})", err=True)
        sys.exit(EXIT_NOT_JUDGED)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_rubric_option
@click.option("--out", "out", default="labgrade-check", show_default=True,
              type=click.Path(path_type=Path), callback=_check_out,
              help="Folder for DIR/<submission>/result.json and report.html.")
@_limit_options
def check(paths: tuple[Path, ...], rubric_spec: str, out: Path, timeout: float | None,
          memory: int | None, require_isolation: bool) -> None:
    """Self-check a submission with the public checks, exactly as official grading runs them.

    Always a cold start (one run: a warm parent would import the same libraries first, so
    it would not be faster), in bubblewrap where available, and always graded again. Writes
    DIR/<submission>/report.html (and result.json) and prints where, for each submission.

    \b
    Example:
      grader check my_lab.ipynb
      grader check my_lab.ipynb --out /tmp/my-check
    """
    rubric, limits = _prepare(rubric_spec, timeout, memory)
    _announce_isolation()
    click.echo(CHECK_NOTE, err=True)
    try:
        written: dict[int, Path | None] = {}  # id(result) -> its result.json
        from grader import api

        results = list(api.grade_paths(list(paths), rubric, out, limits=limits, public_only=True,
                                       require_isolation=require_isolation, force=True,
                                       on_result=lambda _p, r, w: written.update({id(r): w})))
    except IsolationUnavailable as exc:
        click.echo(f"grader: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # noqa: BLE001
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    all_passed, not_judged = True, False
    for _path, result in results:
        click.echo(check_summary(result))
        click.echo(environment_line(result))
        result_file = written.get(id(result))
        report = result_file.parent / "report.html" if result_file is not None else None
        if report is not None and report.is_file():
            click.echo(f"Report: {report}")
        all_passed &= result.status == "graded" and all(
            c.status == "passed" for t in result.tasks if t.counted for c in t.checks)
        not_judged |= _not_judged(result)
    sys.exit(EXIT_NOT_JUDGED if not_judged else EXIT_OK if all_passed else EXIT_CHECKS_FAILED)


def _list_problems(collection: Collection) -> None:
    for problem in collection.problems:
        click.echo(f"grader: skipped {collection.root / problem.path}: {problem.reason}", err=True)


@main.command()
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default RESULTS_DIR/class.html).")
def report(results_dir: Path, out: Path | None) -> None:
    """Write the class report: one self-contained HTML page over every result.json.

    Unreadable or missing result.json files are listed on the page and on stderr.

    \b
    Example:
      grader report results -o class.html
    """
    try:
        written, collection = write_class_report(results_dir, out)
    except (ResultsDirError, ClassPageError) as exc:
        raise click.UsageError(str(exc)) from None
    except Exception:  # noqa: BLE001
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    _list_problems(collection)
    click.echo(f"{len(collection.results)} results -> {written}")


@main.command("export")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: a gradebook; gradescope: results.json per submission; json: everything.")
@click.option("-o", "--out", "out", default=None, type=click.Path(path_type=Path),
              help="File (csv, json) or folder (gradescope; a .json file for one result). "
                   "Default: RESULTS_DIR/gradebook.csv, RESULTS_DIR/gradescope/, "
                   "RESULTS_DIR/all-results.json.")
def export_command(results_dir: Path, fmt: str, out: Path | None) -> None:
    """Export the results: a gradebook CSV, Gradescope results.json files, or one JSON.

    \b
    Examples:
      grader export results --format csv -o grades.csv
      grader export results --format gradescope
      grader export /tmp/out --format gradescope -o /autograder/results/results.json
    """
    try:
        collection = collect(results_dir)
        written = export(collection, fmt, out)
    except (ResultsDirError, ExportError) as exc:
        raise click.UsageError(str(exc)) from None
    except Exception:  # noqa: BLE001
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    _list_problems(collection)
    where = written[0] if len(written) == 1 else f"{len(written)} files under {out or written[0].parent.parent}"
    click.echo(f"{len(collection.results)} results -> {where}")
