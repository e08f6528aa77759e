"""Make the README's screenshots of the HTML reports with headless Chromium.

    python docs/make_screenshots.py [RESULTS_DIR]

RESULTS_DIR (default ``results/``, which ``setup.sh`` fills by grading ``examples/``) is
graded from ``examples/`` into a temporary folder when it holds no results. One function
per page, each writing ``docs/img/<page>.png``:

- :func:`class_report`: the class page over a class of 30 synthesised from those results
  (names and check verdicts varied with a fixed seed, as ``bench/class_report.py`` does),
  so the histogram and the grouped reasons have something to show.
- :func:`student_report`: one student's ``report.html``, for the fixture
  ``moons_armijo_reversed`` (a broken Armijo condition: lost points with their numbers,
  loss curves over the reference's, decision boundaries), graded into a temporary folder.

Needs Chromium and chromedriver (``setup.sh`` installs them) and selenium (the ``test`` extra).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page  # noqa: E402  (tests/browser.py)

from grader.report.classpage import write_class_report  # noqa: E402


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_class_report", ROOT / "bench" / "class_report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def class_report(results_dir: Path, png: Path = IMAGES / "class-report.png", size: int = 30) -> Path:
    """Screenshot of the class page's top 1280 x 2300 px over ``size`` synthesised results."""
    bench = _bench()
    with tempfile.TemporaryDirectory() as tmp:
        sources = bench.source_results(results_dir, Path(tmp) / "examples")
        demo = Path(tmp) / "class"
        bench.synthesise(sources, size, demo)
        page, _ = write_class_report(demo)
        with browser_page(page, width=1280, height=2300, skip=False) as browser:
            errors = browser.console_errors()
            if errors:
                raise RuntimeError(f"{page}: console errors: {errors}")
            png.parent.mkdir(parents=True, exist_ok=True)
            png.write_bytes(browser.screenshot())
    return png


def student_report(results_dir: Path, png: Path = IMAGES / "student-report.png",
                   submission: Path = ROOT / "tests" / "fixtures" / "submissions" / "moons_armijo_reversed"
                   ) -> Path:
    """Screenshot of the top 1280 x 2900 px of one student's report (``results_dir`` unused)."""
    from grader.api import grade_paths  # noqa: PLC0415
    from grader.rubric import load_rubric  # noqa: PLC0415

    del results_dir
    with tempfile.TemporaryDirectory() as tmp:
        list(grade_paths([submission], load_rubric("lab6"), Path(tmp)))
        page = Path(tmp) / submission.name / "report.html"
        with browser_page(page, width=1280, height=2900, skip=False) as browser:
            errors = browser.console_errors()
            if errors:
                raise RuntimeError(f"{page}: console errors: {errors}")
            png.parent.mkdir(parents=True, exist_ok=True)
            png.write_bytes(browser.screenshot())
    return png


def main() -> None:
    results_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "results"
    for make in (class_report, student_report):
        print(make(results_dir))


if __name__ == "__main__":
    main()
