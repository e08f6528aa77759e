"""Grade some corpus entries and print how each differs from its expected verdicts.

    python tests/corpus/grade_entries.py blind2_          # every entry whose name starts so
    python tests/corpus/grade_entries.py NAME [NAME ...] --out /tmp/graded

Faster than the corpus test while working on a few entries; exit 1 if any differs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import corpus  # noqa: E402

from grader.api import grade_paths  # noqa: E402
from grader.rubric import load_rubric  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="entry names or name prefixes")
    parser.add_argument("--out", type=Path, help="where results and reports go (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    chosen = [e for e in corpus.entries() if any(e.folder.name.startswith(n) for n in args.names)]
    if not chosen:
        print("no entry matches", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="corpus-"))
    graded = {path.name: result for path, result in
              grade_paths([e.folder for e in chosen], load_rubric("lab6"), out, jobs=args.jobs)}
    bad = 0
    for entry in chosen:
        result = graded[entry.folder.name]
        wrong = corpus.problems(entry, result)
        score = f"{result.score}/{result.max_score}" if result.status == "graded" else result.status
        print(f"{'ok  ' if not wrong else 'FAIL'} {entry.folder.name} ({score})")
        for line in wrong:
            print(f"       {line}")
        bad += bool(wrong)
    print(f"{len(chosen) - bad} of {len(chosen)} as expected; results in {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
