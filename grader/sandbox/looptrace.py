"""Record what every loop of the student's code did, as data, in any framework.

The instrumented code (:mod:`grader.sandbox.instrument`) calls :meth:`LoopTrace.tick` at
the start of each iteration and :meth:`LoopTrace.end` when a loop is left. Most ticks are a
counter and one comparison; a sample of iterations is recorded, on the geometric schedule
the torch trace uses (every iteration early on, then pairs of consecutive iterations, a
few pairs per doubling of the count), plus sampled loop exits. A recorded iteration keeps
the numbers the loop's frame can reach — NumPy arrays, tensors, ``nn.Module`` parameters,
lists of numbers, and those inside dicts, lists and the student's own objects — but only
the ones that changed since that loop's previous sample (the first sample keeps them all:
the data), plus the scalars in scope (candidates for the loss and the learning rate).

Nothing here judges: the grader finds the network, its data and its loss from these
samples (:mod:`grader.looptrace` and :mod:`grader.evidence`). Sizes are bounded per leaf,
per sample and per unit; a loop past its share records no more.
"""

from __future__ import annotations

import sys
import time
import types
from typing import Any

import numpy as np

from grader.sandbox.instrument import END, MAX_LOOPS, START, TICK, LoopSites

HEAD = 10                 # iterations of a loop that are all recorded
PAIRS_PER_OCTAVE = 4      # then this many consecutive pairs per doubling of the count
MAX_SAMPLES_PER_LOOP = 160  # iterations recorded per loop
MAX_EDGES_PER_LOOP = 48     # and states as it is entered or left
MAX_SAMPLES = 1_200       # per unit, all loops together
MAX_LEAF_ELEMENTS = 40_000
MAX_RECORDS = 5_000      # (x, t) records read as columns (rebuilt at every sample)
MAX_SAMPLE_ELEMENTS = 200_000
MAX_UNIT_ELEMENTS = 1_500_000
MAX_LEAVES = 256          # arrays looked at per sample
MAX_SCALARS = 48
MAX_ITEMS = 32            # items of one dict / list / object walked
MAX_DEPTH = 3
MAX_PATH = 120


def is_sampled(count: int) -> bool:
    """Whether iteration ``count`` (from 0) of a loop is recorded."""
    if count < HEAD:
        return True
    stride = max(2, (1 << (count.bit_length() - 1)) // PAIRS_PER_OCTAVE)
    return count % stride < 2


def next_sampled(count: int) -> int:
    """The first recorded iteration at or after ``count`` (strides are powers of two)."""
    if is_sampled(count):
        return count
    stride = max(2, (1 << (count.bit_length() - 1)) // PAIRS_PER_OCTAVE)
    return count - count % stride + stride


def _torch() -> Any:
    return sys.modules.get("torch")


def _number(value: Any) -> float | None:
    kind = type(value)
    if kind is float or kind is int or (kind.__module__ == "numpy" and isinstance(
            value, (np.floating, np.integer))):
        number = float(value)
        return number if np.isfinite(number) else None
    return None


def _numeric_list(value: list[Any] | tuple[Any, ...]) -> np.ndarray | None:
    """A list of numbers, or of equal-length lists of numbers, as a float64 array."""
    if not value or len(value) > MAX_LEAF_ELEMENTS:
        return None
    first = value[0]
    if type(first) in (list, tuple):
        width = len(first)
        if not width or len(value) * width > MAX_LEAF_ELEMENTS:
            return None
        if not all(type(row) in (list, tuple) and len(row) == width for row in value):
            return None
        rows = [[_number(x) for x in row] for row in value]
        if any(x is None for row in rows for x in row):
            return None
        return np.array(rows, dtype=np.float64)
    numbers = [_number(x) for x in value]
    if any(x is None for x in numbers):
        return None
    return np.array(numbers, dtype=np.float64)


def _flat_vector(cell: np.ndarray) -> np.ndarray:
    """A record's array as float64, a column or row vector ``(n, 1)``/``(1, n)`` flattened (a
    ``(1, 1)`` label to a number): one sample's inputs are a row of the stacked column."""
    array = np.array(cell, dtype=np.float64)
    if array.ndim == 2 and 1 in array.shape:
        return array.reshape(-1) if array.size > 1 else array.reshape(())
    return array


def _record_columns(value: list[Any] | tuple[Any, ...]) -> list[tuple[int, np.ndarray]]:
    """A list of equal records ``[(x, t), ...]`` (inputs with their label) as one array per
    field: the data a per-sample loop walks, which no single record shows whole."""
    first = value[0] if value else None
    if type(first) not in (list, tuple) or not 2 <= len(first) <= 4 \
            or not 2 <= len(value) <= MAX_RECORDS:
        return []
    columns: list[tuple[int, np.ndarray]] = []
    for column in range(len(first)):
        cells = []
        for record in value:
            if type(record) not in (list, tuple) or len(record) != len(first):
                return []
            cell = record[column]
            number = _number(cell)
            if number is not None:
                cells.append(np.array(number))
            elif type(cell) in (list, tuple) and cell and _number(cell[0]) is not None:
                row = _numeric_list(cell)
                if row is None:
                    return []
                cells.append(row)
            elif type(cell) is np.ndarray and cell.dtype.kind in "fiub" and cell.size <= 64:
                cells.append(_flat_vector(cell))
            else:
                return []
        if len({c.shape for c in cells}) != 1 or sum(c.size for c in cells) > MAX_LEAF_ELEMENTS:
            return []
        columns.append((column, np.stack(cells).astype(np.float64)))
    if not any(array.ndim == 1 for _, array in columns) or all(a.ndim == 1 for _, a in columns):
        return []  # not inputs beside their labels: rows of numbers (one array already), or
        # per-layer (W, b) pairs, whose stacked copies would only pose as more parameters
    return columns


def _one_element(value: Any) -> float | None:
    """A one-element tensor (a loss computed with torch) as a number."""
    torch = _torch()
    if torch is None or type(value) not in (torch.Tensor, torch.nn.Parameter) or value.numel() != 1:
        return None
    try:
        number = float(value.detach())
    except Exception:  # noqa: BLE001
        return None
    return number if np.isfinite(number) else None


def _plain_tensor(torch: Any, value: Any) -> np.ndarray | None:
    """A tensor no autograd graph tracks (backprop written with tensor ops) as float64; None for
    one autograd tracks (the backward() trace records those), or one on another device, sparse,
    complex or too large."""
    if value.requires_grad or value.layout is not torch.strided or value.device.type != "cpu" \
            or value.is_complex() or value.numel() > MAX_LEAF_ELEMENTS:
        return None
    return np.array(value.detach().numpy(), dtype=np.float64)


class LoopTrace:
    """Samples the loops of one unit; installs its two entry points into the namespace."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.sites = LoopSites()
        self.counts = [0] * MAX_LOOPS
        self.nexts = [0] * MAX_LOOPS
        self.ends = [0] * MAX_LOOPS
        self.samples: list[dict[str, Any]] = []
        self.per_loop = [0] * MAX_LOOPS
        self.per_edge = [0] * MAX_LOOPS
        self.previous: dict[int, dict[str, np.ndarray]] = {}
        self.elements = 0
        self.truncated = False
        self.recording_seconds = 0.0
        self.active = True
        self.partial = False
        counts, nexts, record = self.counts, self.nexts, self._record

        def tick(loop: int) -> None:
            count = counts[loop]
            counts[loop] = count + 1
            if count >= nexts[loop]:
                record(loop, count, "")

        def start(loop: int) -> None:
            if self.active and is_sampled(self.ends[loop]):
                record(loop, counts[loop], "start")

        def end(loop: int) -> None:
            if not self.active:
                return
            self.ends[loop] += 1
            if is_sampled(self.ends[loop] - 1) and counts[loop]:
                record(loop, counts[loop], "end")

        namespace[TICK] = tick
        namespace[START] = start
        namespace[END] = end

    # --- recording --------------------------------------------------------------------------
    def _record(self, loop: int, count: int, at: str) -> None:
        """Record one state of ``loop``: after iteration ``count`` (``at`` empty), or as the
        loop is entered (``start``) or left (``end``)."""
        started = time.perf_counter()
        if not at:
            self.nexts[loop] = next_sampled(count + 1)
        counter = self.per_loop if not at else self.per_edge
        if counter[loop] >= (MAX_EDGES_PER_LOOP if at else MAX_SAMPLES_PER_LOOP) \
                or len(self.samples) >= MAX_SAMPLES or self.elements >= MAX_UNIT_ELEMENTS:
            if not at:
                self.nexts[loop] = 1 << 62
            self.truncated = True
            return
        frame = sys._getframe(2)  # record <- tick/start/end <- the student's loop
        try:
            arrays, scalars = self._changed(loop, frame)
        finally:
            del frame
        counter[loop] += 1
        self.samples.append({"loop": loop, "iteration": count, "end": at == "end",
                             "start": at == "start", "partial": self.partial, "arrays": arrays,
                             "scalars": scalars})
        self.recording_seconds += time.perf_counter() - started

    def _scopes(self, frame: types.FrameType) -> list[tuple[str, Any]]:
        names: list[tuple[str, Any]] = []
        seen: set[str] = set()
        scopes = [frame.f_locals]
        if frame.f_globals is not frame.f_locals:
            scopes.append(frame.f_globals)
        for scope in scopes:
            for name, value in list(scope.items()):
                if type(name) is str and not name.startswith("_") and name not in seen:
                    seen.add(name)
                    names.append((name, value))
        return names

    def _changed(self, loop: int, frame: types.FrameType
                 ) -> tuple[list[list[Any]], list[list[Any]]]:
        previous = self.previous.setdefault(loop, {})
        arrays: list[list[Any]] = []
        scalars: list[list[Any]] = []
        budget = [MAX_LEAVES, min(MAX_SAMPLE_ELEMENTS, MAX_UNIT_ELEMENTS - self.elements)]
        for name, value in self._scopes(frame):
            if budget[0] <= 0:
                break
            number = _number(value)
            if number is None:
                number = _one_element(value)
            if number is not None:
                if len(scalars) < MAX_SCALARS:
                    scalars.append([name, number])
                continue
            for path, array in self._leaves(name, value, 0, budget, previous):
                if array is not None:  # None: unchanged since this loop's last sample
                    arrays.append([path, array])
        # The smallest first (parameters before a batch's activations), within the budget; a
        # sample that cannot hold everything that changed is marked partial.
        arrays.sort(key=lambda item: item[1].size)
        room, kept, self.partial = budget[1], [], False
        for path, array in arrays:
            if array.size > room:
                self.partial = True
                continue
            room -= array.size
            previous[path] = array
            kept.append([path, array])
            self.elements += array.size
        return kept, scalars

    def _leaves(self, path: str, value: Any, depth: int, budget: list[int],
                previous: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray | None]]:
        """(path, copy) of each numeric leaf under ``value``; None for one that did not change."""
        if budget[0] <= 0 or len(path) > MAX_PATH:
            return []
        budget[0] -= 1
        old = previous.get(path)
        if type(value) is np.ndarray and old is not None and old.shape == value.shape \
                and np.array_equal(old, value):
            return [(path, None)]  # compared in place: no copy of an unchanged array
        try:
            array = self._as_leaf(value)
        except Exception:  # noqa: BLE001 - a hostile or odd object is simply not a leaf
            return []
        if array is not None:
            if array.size > MAX_LEAF_ELEMENTS or array.size == 0:
                return []
            if old is not None and old.shape == array.shape and np.array_equal(old, array):
                return [(path, None)]
            return [(path, array)]
        if depth >= MAX_DEPTH:
            return []
        try:
            return self._children(path, value, depth, budget, previous)
        except Exception:  # noqa: BLE001
            return []

    def _as_leaf(self, value: Any) -> np.ndarray | None:
        kind = type(value)
        if kind is np.ndarray:
            if value.dtype.kind not in "fiub" or value.size > MAX_LEAF_ELEMENTS:
                return None
            return np.array(value, dtype=np.float64)
        torch = _torch()
        if torch is not None and kind is torch.Tensor:
            return _plain_tensor(torch, value)
        if kind in (list, tuple) and value and _number(value[0]) is not None \
                or kind in (list, tuple) and value and type(value[0]) in (list, tuple):
            if len(value) > 256 and type(value[0]) not in (list, tuple):
                return None  # a long flat list grows by one each epoch: a history, not a parameter
            return _numeric_list(value)
        return None

    def _children(self, path: str, value: Any, depth: int, budget: list[int],
                  previous: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray | None]]:
        kind = type(value)
        found: list[tuple[str, np.ndarray | None]] = []
        torch = _torch()
        if torch is not None and isinstance(value, torch.nn.Module):
            return found  # torch training is recorded by the backward() trace (grader.sandbox.trace)
        if kind in (list, tuple):
            for column, array in _record_columns(value):  # [(x, t), ...]: data as records
                found += self._leaves(f"{path}[:][{column}]", array, depth + 1, budget, previous)
            for index, item in enumerate(value[:MAX_ITEMS]):
                found += self._leaves(f"{path}[{index}]", item, depth + 1, budget, previous)
        elif kind is dict:
            for key, item in list(value.items())[:MAX_ITEMS]:
                if type(key) in (str, int):
                    found += self._leaves(f"{path}[{key!r}]", item, depth + 1, budget, previous)
        elif kind.__module__ == "__main__" and isinstance(getattr(value, "__dict__", None), dict):
            for attr, item in list(vars(value).items())[:MAX_ITEMS]:
                if type(attr) is str and not attr.startswith("__"):
                    found += self._leaves(f"{path}.{attr}", item, depth + 1, budget, previous)
        return found

    # --- reporting --------------------------------------------------------------------------
    def message(self, unit: str) -> dict[str, Any]:
        """The ``loops`` message for this unit (arrays travel as .npy)."""
        iterations = {i: self.counts[i] for i in range(len(self.sites.sites))}
        return {"type": "loops", "unit": unit,
                "sites": [[cell, line, kind, iterations[i], self.ends[i]]
                          for i, (cell, line, kind) in enumerate(self.sites.sites)],
                "samples": self.samples, "truncated": self.truncated}

    def uninstall(self) -> None:
        """The loops stop recording (the grader's probes must not be traced)."""
        self.active = False
        for loop in range(MAX_LOOPS):
            self.nexts[loop] = 1 << 62
