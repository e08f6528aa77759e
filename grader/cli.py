"""The ``grader`` command: options in, calls on :mod:`grader.api`, exit codes out. No logic here.

Exit codes: 0 grading worked (``check``: every public check passed), 1 ``check`` found
failing checks, 2 usage or rubric error, or isolation required but unavailable, 3 internal
error of the grader.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from grader import __version__, api
from grader.isolation import IsolationUnavailable, detect
from grader.messages import check_summary, environment_line, isolation_notice, run_line
from grader.rubric import RubricError, load_rubric, parse_size

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _rubric_option(function):  # type: ignore[no-untyped-def]
    return click.option("--rubric", "rubric_spec", default="lab6", show_default=True,
                        help="A built-in rubric id or a path to a rubric TOML file.")(function)


def _limit_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--require-isolation", is_flag=True,
                            help="Refuse to grade unless every sandbox protection is available.")(function)
    function = click.option("--timeout", type=float, default=None,
                            help="Wall-clock limit per submission, in seconds (overrides the rubric).")(function)
    return click.option("--memory", default=None,
                        help="Memory limit per submission, e.g. 4GiB (overrides the rubric).")(function)


def _prepare(rubric_spec: str, timeout: float | None, memory: str | None):  # type: ignore[no-untyped-def]
    try:
        rubric = load_rubric(rubric_spec)
        size = parse_size(memory) if memory is not None else None
    except (RubricError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    return rubric, api.with_overrides(rubric, timeout=timeout, memory=size)


def _announce_isolation() -> None:
    notice = isolation_notice(detect())
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
              help="Folder for DIR/<submission>/result.json.")
@_limit_options
def run(paths: tuple[Path, ...], rubric_spec: str, out: Path, timeout: float | None,
        memory: str | None, require_isolation: bool) -> None:
    """Grade submissions (folders, notebooks or scripts) and write their results.

    A folder holding only submission folders is graded as a class, one result per
    student.

    \b
    Examples:
      grader run examples/alice
      grader run examples --out results
      grader run hw/*.ipynb --rubric rubrics/lab6.toml --timeout 120
    """
    rubric, limits = _prepare(rubric_spec, timeout, memory)
    _announce_isolation()
    try:
        for _path, result in api.grade_paths(list(paths), rubric, out, limits=limits,
                                             require_isolation=require_isolation):
            click.echo(run_line(result, out))
    except IsolationUnavailable as exc:
        click.echo(f"grader: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # noqa: BLE001 - the grader's own failure, reported as such
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_rubric_option
@_limit_options
def check(path: Path, rubric_spec: str, timeout: float | None, memory: str | None,
          require_isolation: bool) -> None:
    """Self-check one submission with the public checks, exactly as official grading runs them.

    \b
    Example:
      grader check my_lab.ipynb
    """
    rubric, limits = _prepare(rubric_spec, timeout, memory)
    _announce_isolation()
    try:
        results = list(api.grade_paths([path], rubric, None, limits=limits, public_only=True,
                                       require_isolation=require_isolation))
    except IsolationUnavailable as exc:
        click.echo(f"grader: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # noqa: BLE001
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    all_passed = True
    for _path, result in results:
        click.echo(check_summary(result))
        click.echo(environment_line(result))
        all_passed &= result.status == "graded" and all(
            c.status == "passed" for t in result.tasks if t.counted for c in t.checks)
    sys.exit(EXIT_OK if all_passed else EXIT_CHECKS_FAILED)
