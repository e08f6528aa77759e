"""How long ``grader report`` takes over a class of N results (default 200).

Synthesises N result.json files from real ones (``SOURCE``, default ``results/`` as
``setup.sh`` writes it; the examples are graded into a temporary folder when it is absent):
each copy gets a new name, and each passing check fails with probability 0.3 (with a failure
message of the same check from another result, or a synthetic one) and a run times out with
probability 0.05, all seeded so every run builds the same class, with task scores, alternatives and the total recomputed. Then times
``grader report`` as a command (interpreter start included) and the in-process call.

    python bench/class_report.py [N] [SOURCE]
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grader.report.classpage import write_class_report
from grader.report.collect import collect

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261122
FAIL_PROBABILITY = 0.3
TIMEOUT_PROBABILITY = 0.05


def rescore(data: dict[str, Any]) -> None:
    """Task scores from their checks; the best task of each group counts; the total."""
    best: dict[str, float] = {}
    for task in data["tasks"]:
        task["score"] = float(sum(c["score"] for c in task["checks"]))
        if task.get("group"):
            best[task["group"]] = max(best.get(task["group"], -1.0), task["score"])
    total, seen = 0.0, set()
    for task in data["tasks"]:
        group = task.get("group")
        task["counted"] = not group or (task["score"] == best[group] and group not in seen)
        if group and task["counted"]:
            seen.add(group)
        total += task["score"] if task["counted"] else 0.0
    data["score"] = total


def synthesise(sources: list[dict[str, Any]], n: int, out: Path) -> None:
    rng = random.Random(SEED)
    failures: dict[tuple[str, str], list[str]] = {}
    for d in sources:
        for t in d["tasks"]:
            for c in t["checks"]:
                if c["status"] == "failed":
                    failures.setdefault((t["id"], c["id"]), []).append(c["message"])
    for i in range(n):
        data = copy.deepcopy(sources[i % len(sources)])
        name = f"student-{i + 1:03d}"
        data["submission"]["name"] = name
        for task in data["tasks"]:
            for check in task["checks"]:
                if check["status"] == "passed" and rng.random() < FAIL_PROBABILITY:
                    known = failures.get((task["id"], check["id"]))
                    message = rng.choice(known) if known else \
                        f"Synthetic failure: measured {rng.random():.3f}, required 0.9."
                    check.update(status="failed", score=0.0, message=message)
        if rng.random() < TIMEOUT_PROBABILITY:
            data["run"].update(ending="timeout", detail="the run hit the time limit of 60 s")
        rescore(data)
        data["timing"]["total_seconds"] = round(rng.uniform(2, 20), 3)
        (out / name).mkdir(parents=True)
        (out / name / "result.json").write_text(json.dumps(data, indent=2))


def source_results(source: Path, scratch: Path) -> list[dict[str, Any]]:
    if not source.is_dir() or not collect(source).results:
        print(f"{source} holds no results: grading the examples into {scratch} first", file=sys.stderr)
        subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "run",
                        str(ROOT / "examples"),
                        "--out", str(scratch)], check=True, stdout=subprocess.DEVNULL)
        source = scratch
    return [r.data for r in collect(source).results if r.data["status"] == "graded"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    source = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "results"
    with tempfile.TemporaryDirectory() as tmp:
        sources = source_results(source, Path(tmp) / "examples")
        out = Path(tmp) / "class"
        synthesise(sources, n, out)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "report",
                        str(out)], check=True, stdout=subprocess.DEVNULL)
        command = time.perf_counter() - start
        start = time.perf_counter()
        page, collection = write_class_report(out, Path(tmp) / "class-again.html")
        call = time.perf_counter() - start
        assert len(collection.results) == n and not collection.problems
        print(f"{n} results from {len(sources)} real ones; page {page.stat().st_size // 1024} KiB")
        print(f"grader report (command): {command:.2f} s, {n / command:.0f} results/s")
        print(f"write_class_report (in process): {call:.2f} s, {n / call:.0f} results/s")


if __name__ == "__main__":
    main()
