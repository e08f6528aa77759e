"""The loop trace as the grader holds it: validated samples of every loop, and the data calls.

The child sends one ``loops`` message per unit (see :mod:`grader.sandbox.looptrace`).
Nothing in it is trusted: :func:`parse_loops` checks every key, type, size and name and
rejects the whole message otherwise. A sample holds only what changed since its loop's
previous sample; :meth:`Loop.states` carries the rest forward, so each sampled iteration
can be looked at whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import protocol

MAX_SITES = 512
MAX_SAMPLES = 1_200
MAX_UNIT_ELEMENTS = 3_000_000  # twice what the child records (grader.sandbox.looptrace)
MAX_PATH = 120
MAX_ARRAYS_PER_SAMPLE = 256
MAX_SCALARS = 48
MAX_CALLS = 32
MAX_SPLIT = 8             # a loop entered at most this often is split into one loop per entry
DATA_FUNCTIONS = ("make_moons", "make_circles", "make_blobs", "make_classification",
                  "train_test_split", "StandardScaler.fit", "StandardScaler.fit_transform")


@dataclass(frozen=True)
class LoopSample:
    """One recorded state of a loop: after iteration ``iteration``, or as the loop was entered
    (``start``) or left (``end``)."""

    iteration: int
    end: bool
    arrays: dict[str, np.ndarray]
    scalars: dict[str, float]
    start: bool = False
    seq: int = 0             # its place among all the unit's samples, whatever the loop
    partial: bool = False    # not everything that changed fitted the size budget

    @property
    def inside(self) -> bool:
        """After one iteration's work (not the state around the loop)."""
        return not (self.start or self.end)


@dataclass
class Loop:
    """One loop of the student's code and its sampled iterations."""

    id: int
    cell: int
    line: int
    kind: str
    iterations: int
    samples: list[LoopSample] = field(default_factory=list)
    entries: int = 1          # how often the loop was entered (a function called twice: 2)
    execution: int = 0        # which of those entries this is, where they are told apart
    inherited: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # an earlier
    # entry's last state: samples record what changed since the loop's previous sample, even
    # across entries
    _states: list[dict[str, np.ndarray]] | None = field(default=None, repr=False, compare=False)

    def states(self) -> list[dict[str, np.ndarray]]:
        """The arrays in scope at each sample: what it recorded over what came before.

        The numbers in scope are there too, as one-element arrays (a bias may be one number)."""
        if self._states is None:
            current: dict[str, np.ndarray] = dict(self.inherited)
            out = []
            for sample in self.samples:  # (parse_loops cut each loop at its first partial sample)
                numbers = {n: np.array([v]) for n, v in sample.scalars.items()
                           if n not in sample.arrays}
                current = {**current, **numbers, **sample.arrays}
                out.append(current)
            self._states = out
        return self._states

    def numbers(self) -> dict[str, set[float]]:
        """Every value each number in scope took over the loop's samples."""
        seen: dict[str, set[float]] = {}
        for sample in self.samples:
            for name, value in sample.scalars.items():
                seen.setdefault(name, set()).add(value)
        return seen

    def constants(self) -> dict[str, float]:
        """The numbers that kept one value through the loop (a learning rate, an alpha0)."""
        return {n: next(iter(v)) for n, v in sorted(self.numbers().items()) if len(v) == 1}

    def changed(self) -> set[str]:
        """Paths whose value changed inside the loop (recorded again after its first sample),
        and the numbers that took another value."""
        arrays = {path for sample in self.samples[1:] for path in sample.arrays}
        return arrays | {n for n, values in self.numbers().items()
                         if len(values) > 1 and n not in arrays}

    def consecutive(self) -> list[int]:
        """Indices i of samples that are the iteration right after sample i - 1 (both after an
        iteration's work): the pairs an update can be measured on."""
        return [i for i in range(1, len(self.samples))
                if self.samples[i].iteration == self.samples[i - 1].iteration + 1
                and self.samples[i].inside and self.samples[i - 1].inside]

    @property
    def key(self) -> tuple[int, int]:
        return (self.id, self.execution)

    @property
    def where(self) -> str:
        if self.id < 0:  # a backward() stream read as a loop (grader.trace_candidates)
            return "its recorded backward() calls"
        run = f" (run {self.execution + 1} of {self.entries})" if self.entries > 1 and \
            self.entries <= MAX_SPLIT else ""
        return f"the {self.kind} loop at line {self.line}{run}"

    def executions(self) -> list[Loop]:
        """A loop entered a few times (a training function called once per run) as one loop per
        entry, split where it was left; a loop entered often (over samples, inside each epoch)
        stays whole, so consecutive iterations across entries still pair up."""
        if not 1 < self.entries <= MAX_SPLIT:
            return [self]
        runs: list[list[LoopSample]] = [[]]
        for sample in self.samples:
            if sample.start and runs[-1]:
                runs.append([])
            runs[-1].append(sample)
            if sample.end:
                runs.append([])
        loops: list[Loop] = []
        for run in (r for r in runs if r):
            inherited = loops[-1].states()[-1] if loops else {}
            loops.append(Loop(self.id, self.cell, self.line, self.kind, self.iterations, run,
                              self.entries, len(loops), inherited))
        return loops


def spread(indices: list[int], most: int) -> list[int]:
    """At most ``most`` of ``indices``, evenly spread, first and last included."""
    if len(indices) <= most:
        return indices
    picks = np.linspace(0, len(indices) - 1, most).round().astype(int)
    return [indices[i] for i in sorted(set(picks.tolist()))]


@dataclass(frozen=True)
class DataCall:
    """A call of a data generator or preprocessing step, with its plain arguments."""

    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    shapes: tuple[tuple[int, ...], ...]
    sample: int = 0  # how many loop samples the unit had recorded when it was called

    def argument(self, name: str, position: int, default: Any = None) -> Any:
        if name in self.kwargs:
            return self.kwargs[name]
        return self.args[position] if position < len(self.args) else default


@dataclass
class LoopTrace:
    """One unit's loops and data calls."""

    unit: str
    loops: list[Loop]
    calls: list[DataCall]
    truncated: bool


def _plain(value: Any, depth: int = 0) -> bool:
    if value is None or isinstance(value, (bool, str)):
        return not isinstance(value, str) or len(value) <= 40
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, list) and depth == 0:
        return len(value) <= 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                       for v in value)
    if isinstance(value, dict) and depth == 0 and len(value) == 1:
        key, item = next(iter(value.items()))
        if key == "shape":
            return isinstance(item, list) and len(item) <= 8 and all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in item)
        return key == "type" and isinstance(item, str) and len(item) <= 40
    return False


def _call(raw: Any) -> DataCall:
    if not isinstance(raw, dict):
        raise protocol.ProtocolError("loops: a data call is not an object")
    protocol.expect({"type": "call", **raw}, {"function": "str", "args": "list", "kwargs": "dict",
                                              "shapes": "list", "sample": "int"})
    if raw["function"] not in DATA_FUNCTIONS or len(raw["args"]) > 8 or len(raw["kwargs"]) > 16:
        raise protocol.ProtocolError("loops: a data call is malformed")
    if not all(_plain(a) for a in raw["args"]) or not all(
            isinstance(k, str) and len(k) <= 40 and _plain(v) for k, v in raw["kwargs"].items()):
        raise protocol.ProtocolError("loops: a data call's arguments are not plain values")
    shapes = raw["shapes"]
    if len(shapes) > 8 or not all(isinstance(s, list) and len(s) <= 8 and all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in s) for s in shapes):
        raise protocol.ProtocolError("loops: a data call's shapes are malformed")
    if raw["sample"] < 0:
        raise protocol.ProtocolError("loops: a data call's time is malformed")
    return DataCall(raw["function"], tuple(raw["args"]), dict(raw["kwargs"]),
                    tuple(tuple(s) for s in shapes), raw["sample"])


def _sample(raw: Any, sites: int, seq: int) -> tuple[int, LoopSample]:
    if not isinstance(raw, dict):
        raise protocol.ProtocolError("loops: a sample is not an object")
    protocol.expect({"type": "sample", **raw}, {"loop": "int", "iteration": "int", "end": "bool",
                                                "start": "bool", "partial": "bool", "arrays": "list",
                                                "scalars": "list"})
    if not 0 <= raw["loop"] < sites or raw["iteration"] < 0:
        raise protocol.ProtocolError("loops: a sample names no loop")
    if len(raw["arrays"]) > MAX_ARRAYS_PER_SAMPLE or len(raw["scalars"]) > MAX_SCALARS:
        raise protocol.ProtocolError("loops: a sample holds too much")
    arrays: dict[str, np.ndarray] = {}
    diverged = False
    for item in raw["arrays"]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and 0 < len(item[0]) <= MAX_PATH and isinstance(item[1], np.ndarray)
                and item[1].dtype == np.float64 and 1 <= item[1].ndim <= 4):
            raise protocol.ProtocolError("loops: a recorded array is malformed")
        if not np.all(np.isfinite(item[1])):
            diverged = True  # dropped: it would read as unchanged from here on, so the loop ends
            continue
        arrays[item[0]] = item[1]
    scalars: dict[str, float] = {}
    for item in raw["scalars"]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and 0 < len(item[0]) <= MAX_PATH and isinstance(item[1], (int, float))
                and not isinstance(item[1], bool) and math.isfinite(item[1])):
            raise protocol.ProtocolError("loops: a recorded scalar is malformed")
        scalars[item[0]] = float(item[1])
    return raw["loop"], LoopSample(raw["iteration"], raw["end"], arrays, scalars, raw["start"], seq,
                                   raw["partial"] or diverged)


def parse_loops(message: dict[str, Any]) -> LoopTrace:
    """Validate a ``loops`` message; raises :class:`protocol.ProtocolError` on anything odd."""
    protocol.expect(message, {"unit": "str", "sites": "list", "samples": "list",
                              "truncated": "bool", "calls": "list"})
    if len(message["sites"]) > MAX_SITES or len(message["samples"]) > MAX_SAMPLES \
            or len(message["calls"]) > MAX_CALLS:
        raise protocol.ProtocolError("loops: too many loops, samples or calls")
    loops = []
    for index, site in enumerate(message["sites"]):
        if not (isinstance(site, list) and len(site) == 5 and site[2] in ("for", "while")
                and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                        for v in (site[0], site[1], site[3], site[4]))):
            raise protocol.ProtocolError("loops: a loop site is malformed")
        loops.append(Loop(index, site[0], site[1], site[2], site[3], entries=site[4]))
    elements = 0
    cut: set[int] = set()
    for seq, raw in enumerate(message["samples"]):
        loop, sample = _sample(raw, len(loops), seq)
        elements += sum(a.size for a in sample.arrays.values())
        if elements > MAX_UNIT_ELEMENTS:
            raise protocol.ProtocolError("loops: the recorded arrays are too large")
        previous = loops[loop].samples[-1].iteration if loops[loop].samples else -1
        if sample.iteration < previous or sample.iteration > loops[loop].iterations:
            raise protocol.ProtocolError("loops: sample iterations are not in order")
        if sample.partial:
            cut.add(loop)  # what it left out would read as unchanged from here on
        if loop not in cut:
            loops[loop].samples.append(sample)
    return LoopTrace(message["unit"], [run for loop in loops if loop.samples
                                       for run in loop.executions()],
                     [_call(raw) for raw in message["calls"]], message["truncated"])
