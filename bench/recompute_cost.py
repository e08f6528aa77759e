"""What the grader's recomputation of the training costs per submission (issue 12: under 0.3 s).

    python bench/recompute_cost.py [REPEATS] [SUBMISSION...]

Grades each submission (default: the built-in examples, alice bob carol dave) in this process
and times, with wrappers, every call of the trusted code that recomputes the training from
the trace: the observed updates and their true float64 gradients, the update rule inferred
from consecutive steps, the backprop hypotheses, the recomputed loss curve, the line search's
steps and trial losses, and the backward() streams read as loops. Sandbox runs and
identification are not counted (they were there before). One torch thread, as in the grading
workers. Prints, per submission, the median
recomputation time over the repeats, its spread, and its share of the whole grading time.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import trace_candidates
from grader.runners import (linesearch_probe, losses, observed, outcomes, searched,
                            training)
from grader.grading_threads import use_one_thread
from grader.loading import load_submission
from grader.rubric import load_rubric
from grader.stability import grade_stably

ROOT = Path(__file__).resolve().parent.parent
TIMED = ("observed_updates", "infer_rule", "explain", "recomputed_losses", "searched_steps",
         "loss_along", "_module_rule")
# where the runners (grader/runners/) and a backward() stream's reading as a loop
# (grader.trace_candidates) hold the recomputation functions they call
MODULES = (linesearch_probe, losses, observed, outcomes, searched, training, trace_candidates)


class Clock:
    """Seconds spent inside the wrapped functions (nested calls counted once)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.depth = 0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.seconds += time.perf_counter() - started
        return timed


def measure(path: Path, repeats: int) -> tuple[list[float], list[float]]:
    rubric = load_rubric("lab6")
    recompute, total = [], []
    for _ in range(repeats):
        clock = Clock()
        saved = {(module, name): getattr(module, name) for module in MODULES for name in TIMED
                 if hasattr(module, name)}
        for (module, name), function in saved.items():
            setattr(module, name, clock.wrap(function))
        try:
            started = time.perf_counter()
            grade_stably(load_submission(path), rubric)
            total.append(time.perf_counter() - started)
        finally:
            for (module, name), function in saved.items():
                setattr(module, name, function)
        recompute.append(clock.seconds)
    return recompute, total


def main(argv: list[str]) -> int:
    use_one_thread()  # as every grading worker does
    repeats = int(argv[0]) if argv and argv[0].isdigit() else 3
    paths = [Path(a) for a in argv[1 if argv and argv[0].isdigit() else 0:]] or \
        sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())
    print(f"{'submission':<12} {'recompute s (median)':>21} {'min-max':>15} {'grading s':>10} {'share':>7}")
    worst = 0.0
    for path in paths:
        recompute, total = measure(path, repeats)
        middle, whole = statistics.median(recompute), statistics.median(total)
        worst = max(worst, middle)
        print(f"{path.name:<12} {middle:>21.3f} {min(recompute):>7.3f}-{max(recompute):<7.3f} "
              f"{whole:>10.2f} {middle / whole:>7.1%}")
    print(f"largest median recomputation: {worst:.3f} s per submission (target: under 0.3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
