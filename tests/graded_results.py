"""A small class of real grading results, graded once per test session and shared.

``graded_class(tmp_path_factory)`` grades three fixture submissions and one folder with no
code (an ``error`` result) with ``grader run`` and returns the results folder; later calls
in the same session reuse it. Tests must copy it (:func:`copy_results`) before changing it.

    xor_raw_py       correct XOR with raw tensors: 70/100
    numpy_bad_db     NumPy backprop with a wrong db1: the gradient check fails
    failing_cell_nb  XOR nn.Module with one failing cell: a "cell error" flag
    zed              no notebook or script: status "error"

The reference-run cache is the normal one (``$LABGRADE_CACHE``, default
``~/.cache/labgrade``), which ``setup.sh`` fills by grading the examples.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grader.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
GRADED = ("xor_raw_py", "numpy_bad_db", "failing_cell_nb")
ERROR_SUBMISSION = "zed"


def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of the small class (graded on first use in the session)."""
    base = tmp_path_factory.getbasetemp() / "graded-class"
    out = base / "results"
    if (out / "batch.json").exists():
        return out
    shutil.rmtree(base, ignore_errors=True)
    submissions = base / "submissions"
    for name in GRADED:
        shutil.copytree(FIXTURES / name, submissions / name)
    (submissions / ERROR_SUBMISSION).mkdir(parents=True)
    (submissions / ERROR_SUBMISSION / "notes.txt").write_text("I did not do the lab.\n")
    run = CliRunner().invoke(main, ["run", str(submissions), "--out", str(out)])
    assert run.exit_code == 4, run.output  # all graded but zed, an error result: exit 4
    return out


def copy_results(source: Path, target: Path) -> Path:
    """A private copy of a results folder (result.json, batch.json and the outputs)."""
    shutil.copytree(source, target)
    return target


def load(results: Path, folder: str) -> dict[str, Any]:
    return json.loads((results / folder / "result.json").read_text())
