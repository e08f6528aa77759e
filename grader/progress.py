"""Batch progress in words: one line per submission with done/failed/ETA, and a summary."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from grader.results import GradeResult


def duration(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``3700`` -> ``1h01m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass
class Progress:
    """Counts a batch as results arrive; ``started`` is a ``time.monotonic()`` value."""

    total: int
    started: float = field(default_factory=time.monotonic)
    graded: int = 0
    failed: int = 0
    current: int = 0
    unjudged: int = 0  # graded, but with checks the grader could not judge (status error)
    scores: list[float] = field(default_factory=list)

    def add(self, result: GradeResult, *, skipped: bool = False) -> None:
        if skipped:
            self.current += 1
        elif result.status == "graded":
            self.graded += 1
        else:
            self.failed += 1
        if result.status == "graded" and any(c.status == "error" for t in result.tasks
                                             for c in t.checks):
            self.unjudged += 1
        if result.status == "graded" and result.max_score:
            self.scores.append(100.0 * result.score / result.max_score)

    @property
    def done(self) -> int:
        return self.graded + self.failed + self.current

    def eta(self) -> str:
        worked = self.graded + self.failed
        remaining = self.total - self.done
        if not worked or not remaining:
            return ""
        rate = (time.monotonic() - self.started) / worked
        return f" · ETA {duration(rate * remaining)}"

    def prefix(self) -> str:
        failed = f" · {self.failed} failed" if self.failed else ""
        unjudged = f" · {self.unjudged} with grader errors" if self.unjudged else ""
        return f"[{self.done}/{self.total}{failed}{unjudged}{self.eta()}]"

    def summary(self) -> str:
        parts = [f"{self.graded} graded"]
        if self.failed:
            parts.append(f"{self.failed} could not be graded")
        if self.unjudged:
            parts.append(f"{self.unjudged} with checks the grader could not judge (status error: "
                         "0 points, still in the maximum)")
        if self.current:
            parts.append(f"{self.current} already current (not regraded; --force regrades)")
        mean = f"; mean score {statistics.mean(self.scores):.1f}%" if self.scores else ""
        return (f"{self.done} submission(s) in {duration(time.monotonic() - self.started)}: "
                f"{', '.join(parts)}{mean}")
