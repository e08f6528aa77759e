"""The distribution: an sdist, the wheel built from it, and that wheel grading on its own.

``python -m build`` builds the sdist from a copy of the sources, then the wheel from the
sdist alone (so both work without the checkout). The wheel is installed into a fresh venv
(``--system-site-packages`` for torch and the rest: a few seconds; .ci/run installs it into
a venv of its own with all its dependencies) and grades examples/dave there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "setup.py", "README.md", "grader", "reference", "rubrics"]
VERSION = "0.1.0"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel, built from a copy of the sources (the checkout is left as it is)."""
    pytest.importorskip("build")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(source)], check=True, capture_output=True, timeout=300)
    return out


def _sources(folder: str, suffix: str) -> set[str]:
    return {str(p.relative_to(REPO)).replace("rubrics/", "grader/rubrics/", 1)
            for p in (REPO / folder).rglob(f"*{suffix}") if "__pycache__" not in p.parts}


def test_the_wheel_holds_the_packages_their_data_and_nothing_stray(dist: Path) -> None:
    with zipfile.ZipFile(dist / f"labgrade-{VERSION}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
    tops = {name.split("/")[0] for name in names}
    assert tops == {"grader", "reference", f"labgrade-{VERSION}.dist-info"}, tops
    assert {"grader/py.typed", "grader/rubrics/lab6.toml", "grader/rubrics/__init__.py",
            "grader/sandbox/worker.py", "grader/runtime.py", "reference/moons.py"} <= names
    expected = (_sources("grader", ".py") | _sources("reference", ".py") | _sources("rubrics", ".py")
                | _sources("rubrics", ".toml") | _sources("grader", ".j2"))
    assert expected <= names, expected - names  # every module, rubric and template
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")
                or n.startswith(("tests/", "examples/", "results/"))]


def test_the_sdist_holds_what_a_build_needs_and_nothing_stray(dist: Path) -> None:
    with tarfile.open(dist / f"labgrade-{VERSION}.tar.gz") as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "setup.py", "README.md", "rubrics/lab6.toml", "rubrics/__init__.py",
            "grader/py.typed", "grader/report/templates/student.html.j2",
            "reference/moons.py"} <= names
    tops = {name.split("/")[0] for name in names}
    assert tops <= {"pyproject.toml", "setup.py", "setup.cfg", "README.md", "PKG-INFO", "grader",
                    "reference", "rubrics", "labgrade.egg-info"}, tops


def test_the_wheel_grades_in_a_venv_of_its_own(dist: Path, tmp_path: Path) -> None:
    """Installed, the wheel finds its rubrics and grades examples/dave to 100/100; the
    checkout (whose editable install the base interpreter holds) plays no part."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check",
                    str(dist / f"labgrade-{VERSION}-py3-none-any.whl")],
                   check=True, capture_output=True, timeout=300)
    where = subprocess.run([str(python), "-c", "import grader, reference, grader.rubric as r; "
                            "print(grader.__file__, reference.__file__, r.BUILTIN_DIR)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, timeout=60)
    site = str(venv / "lib")
    assert all(path.startswith(site) for path in where.stdout.split()), where.stdout
    out = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(venv / "bin" / "grader"), "run", str(REPO / "examples" / "dave"),
                           "--out", str(out)], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads((out / "dave" / "result.json").read_text())
    assert (result["status"], result["score"], result["max_score"]) == ("graded", 100.0, 100.0), \
        done.stdout[-2000:]
