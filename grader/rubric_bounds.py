"""What a rubric's numbers may be: limits, reference-run settings, check parameters, seeds.

One list for the parser (:mod:`grader.rubric`), the CLI's overrides (``--timeout``,
``--memory``) and the README's limits table (a test compares the two). A value outside its
bound is a rubric error, refused before anything is graded, rather than a grade lowered for
every student by a limit nobody could meet or a check that cannot run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from grader.launcher import Limits

KIB, MIB, GIB = 1024, 1024**2, 1024**3
SEED_MAX = 2**32 - 1  # numpy.random.seed takes 0 .. 2**32 - 1


@dataclass(frozen=True)
class Bound:
    """A closed (or, with ``open_low``/``open_high``, open) range of numbers."""

    low: float
    high: float
    open_low: bool = False
    open_high: bool = False

    def holds(self, value: float) -> bool:
        """Whether ``value`` is inside (never for NaN)."""
        if isinstance(value, float) and math.isnan(value):
            return False
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return above and below

    def text(self, unit: str = "") -> str:
        """``from 1 s to 86400 s``, ``above 0, at most 1``, ``above 0 and below 1``, ``at least 0``."""
        low, high = _show(self.low, unit), _show(self.high, unit)
        start = f"above {low}" if self.open_low else f"at least {low}"
        if math.isinf(self.high):
            return start
        if not self.open_low and not self.open_high:
            return f"from {low} to {high}"
        return f"{start} and below {high}" if self.open_high else f"{start}, at most {high}"


@dataclass(frozen=True)
class LimitKey:
    """One ``[limits]`` key: its unit (``s``, ``bytes`` or ``count``), its bound, its meaning."""

    unit: str
    bound: Bound
    meaning: str


LIMITS: dict[str, LimitKey] = {
    "timeout": LimitKey("s", Bound(1, 86_400), "wall-clock budget of the whole submission: its "
                        "run and every call the grader makes of its code"),
    "cpu": LimitKey("s", Bound(1, 86_400), "CPU seconds of the run, all threads together"),
    "probe_timeout": LimitKey("s", Bound(1, 3_600), "each call the grader makes of the code"),
    "memory": LimitKey("bytes", Bound(256 * MIB, 256 * GIB), "memory of the run (cgroup; the "
                       "address-space rlimit is a backstop above it)"),
    "output": LimitKey("bytes", Bound(1 * KIB, 64 * MIB), "captured stdout and stderr, each"),
    "file_size": LimitKey("bytes", Bound(1 * KIB, 16 * GIB), "the largest file the code may write"),
    "disk": LimitKey("bytes", Bound(1 * MIB, 16 * GIB), "the writable work folder "
                     "(`/home/student`)"),
    "tmp": LimitKey("bytes", Bound(1 * MIB, 16 * GIB), "the private `/tmp`"),
    "open_files": LimitKey("count", Bound(16, 65_536), "open files at once"),
    "pids": LimitKey("count", Bound(8, 4_096), "processes and threads at once (cgroup)"),
}

# [reference] settings of the reference runs: key -> (bound, default)
REFERENCE_SETTINGS: dict[str, tuple[Bound, int]] = {
    "xor_epochs": (Bound(1, 200_000), 20_000),
    "moons_epochs": (Bound(1, 100_000), 300),
    "moons_seed": (Bound(0, SEED_MAX), 0),
}
# The reference runs a check's ``reference`` may name (grader.references.BUILDERS, tested).
REFERENCE_RUNS = ("moons_fixed", "moons_backtracking", "xor_module")

# Numeric check parameters (whatever the check kind).
PARAMS: dict[str, Bound] = {
    "rtol": Bound(0, 1, open_low=True),
    "max_final_ratio": Bound(0, 1, open_low=True),
    "target": Bound(0, math.inf),
    "minimum": Bound(0, 1),
    "max_below_reference": Bound(0, 1),
    "samples": Bound(1, 10_000),
    "batch": Bound(1, 4_096),
    "problems": Bound(1, 100),
    "alpha0": Bound(0, 1e6, open_low=True),
    "rho": Bound(0, 1, open_low=True, open_high=True),
    "c": Bound(0, 1, open_low=True, open_high=True),
}
SEED = Bound(0, SEED_MAX)


def limit_problem(key: str, value: float) -> str | None:
    """Why ``value`` cannot be the limit ``key`` (None when it can)."""
    spec = LIMITS[key]
    if spec.bound.holds(value):
        return None
    return f"must be {spec.bound.text(spec.unit)}, not {_show(value, spec.unit)}"


def format_size(size: float) -> str:
    """``6442450944`` -> ``6 GiB``; a size no binary unit divides stays in bytes."""
    for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= factor and size % factor == 0:
            return f"{size / factor:g} {unit}"
    return f"{size:g} bytes"


def _show(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_size(value)
    whole = math.isfinite(value) and value == int(value)
    number = f"{int(value)}" if whole else f"{value:g}"
    return f"{number} s" if unit == "s" else number


def limit_rows() -> list[tuple[str, str, str, str]]:
    """The README's limits table: (key, default, allowed, meaning), as the parser knows them."""
    base = Limits()
    return [(key, _show(getattr(base, key), spec.unit), spec.bound.text(spec.unit), spec.meaning)
            for key, spec in LIMITS.items()]
