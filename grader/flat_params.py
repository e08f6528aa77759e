"""A network whose parameters all live in one flat 1-D vector (``theta``, ``w``).

Students who write ``W1 = theta[:8].reshape(2, 4)`` inside their forward function leave the
training loop holding one vector only: no matrices to chain by shape. This module proposes
the ways such a vector can be cut into layers (weights then bias per layer, or every weight
then every bias; each weight row-major as (in, out) or as (out, in)), for the layer widths
its size allows given the inputs and targets in scope, and reads the loop again with the
pieces in place of the vector (``theta[0:8]``, ``theta[8:12]``, ...), so that the usual
evidence (the outputs or loss the code computed) decides which cut, if any, is the network.

Trusted float64 NumPy over validated samples; the number of cuts tried is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from grader.looptrace import Loop, LoopSample

MIN_SIZE = 5            # a vector smaller than this is no network's parameters
MAX_SIZE = 200_000
MAX_VECTORS = 3         # flat vectors tried per loop
MAX_CUTS = 12           # cuts tried per vector
MAX_WIDTH = 256         # hidden widths considered
MAX_DATA_WIDTH = 64     # an input or target width read from the data in scope


@dataclass(frozen=True)
class Piece:
    """One layer's weight or bias inside the flat vector."""

    role: str                   # "W1", "b1", "W2", ...
    start: int
    stop: int
    shape: tuple[int, ...]

    def slice(self, vector: str) -> str:
        return f"{vector}[{self.start}:{self.stop}]"

    def path(self, vector: str) -> str:
        """The piece's name in the grader's readings and messages: ``theta[8:12] (b1)``."""
        return f"{self.slice(vector)} ({self.role})"


@dataclass(frozen=True)
class Cut:
    """How a flat vector is read as layers."""

    vector: str
    pieces: tuple[Piece, ...]
    column: bool = False        # weights stored (out, in)

    def describe(self) -> str:
        """``theta`` read as W1 2×4 = theta[0:8], b1 = theta[8:12], ..."""
        parts = ", ".join(f"{p.role} {'×'.join(map(str, p.shape))} = `{p.slice(self.vector)}`"
                          for p in self.pieces)
        return f"`{self.vector}` is read as {parts}"


@dataclass
class FlatLoop(Loop):
    """A loop read with one flat vector cut into its layers."""

    cut: Cut | None = field(default=None, repr=False)


def layer_dims(size: int, n_in: int, k: int, biased: bool) -> list[tuple[int, ...]]:
    """Layer widths (n_in, h1[, h2], k) whose parameters count exactly ``size``: one hidden
    layer, or two (the equal widths first)."""
    found: list[tuple[int, ...]] = []
    extra = 1 if biased else 0
    rest = size - (k if biased else 0)
    per = n_in + extra + k
    if rest > 0 and rest % per == 0 and 2 <= rest // per <= MAX_WIDTH:
        found.append((n_in, rest // per, k))
    two = []
    for h1 in range(2, MAX_WIDTH + 1):
        # size = n_in*h1 + e*h1 + h1*h2 + e*h2 + h2*k + e*k
        left = size - n_in * h1 - extra * h1 - extra * k
        per2 = h1 + extra + k
        if left < 2 * per2:
            break
        if left % per2 == 0 and 2 <= left // per2 <= MAX_WIDTH:
            two.append((n_in, h1, left // per2, k))
    two.sort(key=lambda d: (d[1] != d[2], abs(d[1] - d[2])))
    return found + two[:3]


def _order(dims: tuple[int, ...], biased: bool, grouped: bool, column: bool
           ) -> list[tuple[str, int, tuple[int, ...]]]:
    """(role, count, shape) of each piece in storage order."""
    layers = list(zip(dims, dims[1:]))
    weights = [(f"W{i + 1}", a * b, (b, a) if column else (a, b)) for i, (a, b) in enumerate(layers)]
    biases = [(f"b{i + 1}", b, (b,)) for i, (_a, b) in enumerate(layers)] if biased else []
    if grouped:
        return weights + biases
    return [piece for i, w in enumerate(weights) for piece in [w, *biases[i:i + 1]]]


def cuts(vector: str, size: int, n_in: int, k: int) -> list[Cut]:
    """The readings of a flat vector of ``size`` numbers as a network from n_in to k."""
    found: list[Cut] = []
    for biased in (True, False):
        for dims in layer_dims(size, n_in, k, biased):
            for grouped in (False, True) if biased else (False,):
                for column in (False, True):
                    pieces, start = [], 0
                    for role, count, shape in _order(dims, biased, grouped, column):
                        pieces.append(Piece(role, start, start + count, shape))
                        start += count
                    found.append(Cut(vector, tuple(pieces), column))
    return found


def _data_widths(loop: Loop) -> tuple[list[int], list[int]]:
    """Input widths and output widths the data in scope suggests (unchanged arrays)."""
    changed = loop.changed()
    last = loop.states()[-1]
    inputs: list[int] = []
    outputs: list[int] = [1, 2]
    for path, array in sorted(last.items()):
        if path in changed:
            continue
        if array.ndim == 2 and min(array.shape) >= 1:
            for width in (array.shape[1], array.shape[0]):
                if 2 <= width <= MAX_DATA_WIDTH and width not in inputs:
                    inputs.append(width)
            if array.shape[1] <= 16 and array.shape[1] not in outputs:
                outputs.append(array.shape[1])
        elif array.ndim == 1 and 2 <= array.size <= 16 and array.size not in inputs:
            inputs.append(array.size)  # one sample's inputs in a per-sample loop
    return inputs[:4], outputs[:4]


def flat_vectors(loop: Loop) -> list[str]:
    """The loop's changed 1-D vectors that may hold a whole network, set before the loop."""
    first = loop.samples[0]
    if not first.start or loop.id < 0:
        return []
    states = loop.states()
    last = states[-1]
    found = [p for p in sorted(loop.changed())
             if p in first.arrays and p in last and last[p].ndim == 1
             and MIN_SIZE <= last[p].size <= MAX_SIZE
             and all(s[p].shape == last[p].shape for s in states if p in s)]  # not a history
    return found[:MAX_VECTORS]


def _split(arrays: dict[str, np.ndarray], cut: Cut) -> dict[str, np.ndarray]:
    flat = arrays.get(cut.vector)
    if flat is None or flat.ndim != 1 or flat.size != cut.pieces[-1].stop:
        return arrays
    out = {p: a for p, a in arrays.items() if p != cut.vector}
    for piece in cut.pieces:
        out[piece.path(cut.vector)] = flat[piece.start:piece.stop].reshape(piece.shape)
    return out


def read_cut(loop: Loop, cut: Cut) -> FlatLoop:
    """The loop with the flat vector replaced by its pieces in every sample."""
    samples = [LoopSample(s.iteration, s.end, _split(s.arrays, cut), s.scalars, s.start, s.seq,
                          s.partial) for s in loop.samples]
    return FlatLoop(loop.id, loop.cell, loop.line, loop.kind, loop.iterations, samples,
                    loop.entries, loop.execution, _split(dict(loop.inherited), cut), cut=cut)


def readings(loop: Loop) -> Iterator[FlatLoop]:
    """Every cut of every flat vector of the loop, the likeliest first, each as a loop to search
    (bounded; built one at a time, as the search asks for the next)."""
    vectors = flat_vectors(loop)
    if not vectors:
        return
    inputs, outputs = _data_widths(loop)
    last = loop.states()[-1]
    options = [c for vector in vectors for n_in in inputs for k in outputs
               for c in cuts(vector, last[vector].size, n_in, k)]
    options.sort(key=_unlikeliness)  # stable: the data's widths keep their order within a kind
    for cut in options[:MAX_CUTS * len(vectors)]:
        yield read_cut(loop, cut)


def _unlikeliness(cut: Cut) -> tuple[int, int, int, int]:
    """Biased layers before unbiased, one hidden layer before two, each weight beside its bias
    before every weight first, (in, out) before (out, in)."""
    roles = [p.role for p in cut.pieces]
    biased = any(r.startswith("b") for r in roles)
    layers = sum(r.startswith("W") for r in roles)
    grouped = biased and roles[1].startswith("W")
    return (not biased, layers, grouped, cut.column)
