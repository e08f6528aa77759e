"""Grade the corpus and write docs/corpus.md (submission, style, bug, verdict, diagnosis).

    python tests/corpus/make_table.py           # grade everything, rewrite docs/corpus.md
    python tests/corpus/make_table.py --check   # exit 1 if docs/corpus.md is stale
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import DOCS, entries, render  # noqa: E402

from grader.api import grade_paths  # noqa: E402
from grader.results import GradeResult  # noqa: E402
from grader.rubric import Rubric, load_rubric  # noqa: E402


def grade_all(rubric: Rubric, out: Path) -> dict[str, GradeResult]:
    """Grade every corpus submission in one ``grade_paths`` call."""
    return {path.name: result for path, result in grade_paths([e.folder for e in entries()], rubric, out, jobs=2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the file is stale")
    args = parser.parse_args(argv)
    rubric = load_rubric("lab6")
    with tempfile.TemporaryDirectory() as tmp:
        text = render(grade_all(rubric, Path(tmp)), rubric)
    if args.check:
        stale = not DOCS.exists() or DOCS.read_text() != text
        print(f"{DOCS} is {'stale' if stale else 'current'}")
        return int(stale)
    DOCS.write_text(text)
    print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
