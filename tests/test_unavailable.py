"""Covered distributions import as "not installed" in the sandbox (grader.sandbox.unavailable)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from grader.sandbox.unavailable import top_level

CHILD = """
import sys
sys.path[:0] = {paths!r}
import os
os.environ["LABGRADE_HIDDEN"] = {hidden!r}
from grader.sandbox import unavailable
unavailable.install()
unavailable.install()  # once only
print(sum(isinstance(f, unavailable.Unavailable) for f in sys.meta_path))
import importlib.util, importlib.metadata
print(importlib.util.find_spec("covered"))
print(importlib.metadata.version("pytest") == __import__("pytest").__version__)
for name in ("covered", "single", "mine", "json"):
    try:
        module = __import__(name)
        print(name, "ok", getattr(module, "VALUE", None))
    except ModuleNotFoundError as error:
        print(name, "missing", error.name)
"""


def _run(tmp_path: Path, own: bool) -> list[str]:
    tmp_path = tmp_path / ("own" if own else "none")
    site, home = tmp_path / "site", tmp_path / "home"
    (site / "covered").mkdir(parents=True)  # an empty folder over a hidden package
    (site / "single.py").write_text("")      # an empty file over a hidden module
    (site / "mine").mkdir()
    home.mkdir()
    if own:  # the student's own module of a hidden name, first on sys.path
        (home / "mine.py").write_text("VALUE = 7\n")
    hidden = ":".join(str(site / n) for n in ("covered", "single.py", "mine"))
    code = CHILD.format(paths=[str(home), str(site), str(Path(__file__).parents[1])], hidden=hidden)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    return out.splitlines()


def test_a_covered_package_or_module_is_not_installed_and_a_students_own_module_still_loads(
        tmp_path: Path) -> None:
    assert _run(tmp_path, own=True) == ["1", "None", "True", "covered missing covered",
                                        "single missing single", "mine ok 7", "json ok None"]
    assert _run(tmp_path, own=False)[5] == "mine missing mine"


def test_the_module_name_of_a_site_entry() -> None:
    assert top_level("/s/site-packages/pandas") == "pandas"
    assert top_level("/s/site-packages/six.py") == "six"
    assert top_level("/s/site-packages/_cffi_backend.cpython-311-x86_64-linux-gnu.so") == "_cffi_backend"
    assert top_level("/s/site-packages/click-8.1.7.dist-info") is None
    assert top_level("/s/site-packages/distutils-precedence.pth") is None
    assert top_level("/s/site-packages/__pycache__") is None
