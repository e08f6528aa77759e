"""Identify the student's trained network by what their training loop did, not by its names.

A trained network is a set of arrays that changed inside one loop and that, chained by
shape, reproduce what the code itself computed on the inputs that reached the loop: an
output array it kept, or a loss it held, at a sampled iteration. Conventions tried: ``X @ W``
and ``W @ X`` (and ``X @ W.T``), a bias per layer (a vector, ``(1, n)``/``(n, 1)``, or one
shared number), no biases, the bias folded into the input as a column of ones; hidden
activations sigmoid / tanh / ReLU / ELU / leaky ReLU / identity, outputs sigmoid, softmax or
linear; losses MSE (mean or sum, halved or not), binary and categorical cross-entropy.

Everything here is trusted float64 NumPy over validated samples (:mod:`grader.looptrace`);
every network found says which loop, which arrays and which observation identified it.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.flat_params import readings
from grader.looptrace import Loop, LoopTrace, spread
from grader.netmath import HIDDEN_ACTIVATIONS

MAX_MATRICES = 10        # changed 2-D arrays considered per loop
MAX_CHAINS = 400         # weight chains enumerated per loop
MAX_VERIFIED = 60        # layouts checked against what the code computed, per pool
MAX_PAIRS = 3            # consecutive sample pairs a chain is verified on
MAX_LAYERS = 6
REL_TOLERANCE = 1e-4     # float32 training in float64: relative to the observed scale
UNIT_WORK = 300_000_000  # multiply-adds the grader spends identifying one unit's networks
LOOP_WORK = 60_000_000   # ... and one loop's
HIDDEN = HIDDEN_ACTIVATIONS
OUTPUT = ("sigmoid", "softmax", "identity", "tanh", "relu")


def _act(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    if name.startswith("leaky_relu"):
        slope = float(name.split(":", 1)[1]) if ":" in name else 0.01
        return np.where(z > 0, z, slope * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


@dataclass(frozen=True)
class Layout:
    """How a chain's arrays form layers: paths, orientation, biases, folded ones."""

    weights: tuple[str, ...]
    biases: tuple[str | None, ...]
    column: bool                      # weights stored (out, in)
    folded: tuple[int | None, ...]    # per layer: index of the ones column in its input, or None

    @property
    def paths(self) -> tuple[str, ...]:
        return self.weights + tuple(b for b in self.biases if b is not None)


@dataclass
class Found:
    """A network identified in one loop, with its final parameters and the evidence."""

    loop: Loop
    layout: Layout
    weights: list[np.ndarray]         # (in, out), the ones column taken out
    biases: list[np.ndarray]          # (out,)
    activations: tuple[str, ...]
    loss: str | None                  # the loss that reproduced a recorded one, if any
    inputs: str                       # the path of the inputs the outputs were reproduced on
    targets: str | None
    evidence: str
    states: list[dict[str, np.ndarray]] = field(default_factory=list, repr=False)
    history_loss: str | None = None   # the loss the code's own loss history holds, if one does

    @property
    def recorded_loss(self) -> str | None:
        """The loss the code itself computed: its history's, else a recorded scalar's."""
        return self.history_loss or (self.loss.split(":", 1)[0] if self.loss else None)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *[w.shape[1] for w in self.weights])


def _layer_arrays(state: dict[str, np.ndarray], layout: Layout
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(in, out) weights and (out,) biases, the ones column of folded layers split off."""
    weights, biases = [], []
    for path, bias, fold in zip(layout.weights, layout.biases, layout.folded):
        W = state[path]
        W = W.reshape(-1, 1) if W.ndim == 1 else (W.T if layout.column else W)
        b = np.zeros(W.shape[1]) if bias is None else np.broadcast_to(
            state[bias].reshape(-1), (W.shape[1],)).astype(np.float64)
        if fold is not None:
            b = b + W[fold]
            W = np.delete(W, fold, axis=0)
        weights.append(np.asarray(W, dtype=np.float64))
        biases.append(np.asarray(b, dtype=np.float64))
    return weights, biases


class WorkExhausted(Exception):
    """The grader's bound on identification work was reached (the student's code sets its size)."""


class PhaseExhausted(WorkExhausted):
    """One phase of a loop's search used its share; the loop's next phase may still run."""


class Work:
    """How much float work identification may still do (bounds the grader, whatever was sent)."""

    def __init__(self, unit: int = UNIT_WORK, loop: int = LOOP_WORK) -> None:
        self.unit, self.loop_share, self.loop = unit, loop, loop
        self.phase: int | None = None

    def next_loop(self) -> None:
        self.loop = min(self.loop_share, self.unit)

    def next_phase(self, share: float | None) -> None:
        """Let the next phase of this loop's search spend ``share`` of what the loop has left
        (None: all of it)."""
        self.phase = None if share is None else int(share * max(self.loop, 0))

    def spend(self, amount: int) -> None:
        self.unit -= amount
        self.loop -= amount
        if self.unit < 0 or self.loop < 0:
            raise WorkExhausted
        if self.phase is not None:
            self.phase -= amount
            if self.phase < 0:
                raise PhaseExhausted


WORK: contextvars.ContextVar[Work] = contextvars.ContextVar("evidence_work")


def spend(amount: int) -> None:
    """Charge identification work to the current unit's budget, if one is set."""
    work = WORK.get(None)
    if work is not None:
        work.spend(amount)


def _fits_inputs(weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray) -> bool:
    """Whether the layers chain from inputs X (a reading whose folds do not fit is no network)."""
    width = X.shape[1]
    for W, b in zip(weights, biases):
        if W.ndim != 2 or W.shape[0] != width or b.shape != (W.shape[1],):
            return False
        width = W.shape[1]
    return True


def forward(weights: list[np.ndarray], biases: list[np.ndarray], acts: tuple[str, ...],
            X: np.ndarray) -> np.ndarray:
    spend(max(X.shape[0] * sum(W.size for W in weights), 20_000))  # a call costs ~20k flops' time
    a = X
    for W, b, act in zip(weights, biases, acts):
        a = _act(act, a @ W + b)
    return a


def _vector(array: np.ndarray) -> bool:
    return array.ndim == 1 or (array.ndim == 2 and 1 in array.shape)


def _bias_options(width: int, vectors: dict[str, np.ndarray], weight: str,
                  chain: list[str], frozen: Collection[str] = ()) -> list[str | None]:
    """Biases that fit a layer of this width, the one named most like a bias of its weight
    first; one the loop changed counts more than a bias name over a ``frozen`` one (``c1``
    trained beside ``V1`` before ``b1`` another loop trained)."""
    fitting = [p for p, a in vectors.items() if (a.size == width or a.size == 1) and p not in chain]

    def affinity(path: str) -> tuple[int, str]:
        leaf = path.rsplit(".", 1)[-1].rsplit("[", 1)[-1].strip("'\"]").lower()
        score = 4 * (leaf.startswith("b") or "bias" in leaf)
        score += 5 * bool(frozen and path not in frozen and not _gradient_named(path))
        score += 3 * ([c for c in weight if c.isdigit()] == [c for c in path if c.isdigit()])
        score += len(os.path.commonprefix([path[::-1], weight[::-1]]))  # wh ~ bh, W_out ~ b_out
        score += len(os.path.commonprefix([path, weight])) // 2          # layers[0].W ~ layers[0].b
        return (-score, path)

    return sorted(fitting, key=affinity)[:3] + [None]


def _chains(matrices: dict[str, tuple[int, int]], column: bool) -> list[list[str]]:
    """Orderings of the matrices whose shapes chain (the next input = this output, or +1)."""
    def io(path: str) -> tuple[int, int]:
        rows, cols = matrices[path]
        return (cols, rows) if column else (rows, cols)

    found: list[list[str]] = []

    def extend(path: list[str]) -> None:
        if len(found) >= MAX_CHAINS:
            return
        if len(path) >= 2:
            found.append(list(path))
        if len(path) >= MAX_LAYERS:
            return
        out = io(path[-1])[1]
        if out < 2:
            return  # a layer of one unit only ends a network
        for nxt in matrices:
            if nxt not in path and io(nxt)[0] in (out, out + 1):
                extend(path + [nxt])

    for start in matrices:
        if io(start)[0] >= 2:
            extend([start])
    return found


def _indices(state: dict[str, np.ndarray]) -> list[str]:
    """Arrays of whole numbers that may pick a mini-batch (``X[idx]``)."""
    return [p for p, a in state.items() if a.ndim == 1 and 2 <= a.size <= 4096
            and np.all(a >= 0) and np.all(a == np.rint(a)) and a.max() > 1  # labels are 0/1
            and np.unique(a).size == a.size][:4]  # a batch picks each sample once


def resolve(state: dict[str, np.ndarray], path: str) -> np.ndarray | None:
    """An input or target path's array: ``A``, ``A.T`` or a batch ``A[idx]`` of it."""
    if path.endswith(".T"):
        array = state.get(path[:-2])
        return None if array is None else array.T
    if path in state:
        return state[path]
    if path.endswith("]") and "[" in path:
        base, index = path[:-1].rsplit("[", 1)
        A, idx = state.get(base), state.get(index)
        if A is not None and idx is not None and idx.size and int(idx.max()) < A.shape[0]:
            return A[idx.astype(int)]
    return None


def _batches(state: dict[str, np.ndarray], fits: Any) -> list[tuple[str, np.ndarray]]:
    found = []
    for index in _indices(state):
        idx = state[index].astype(int)
        for path, array in state.items():
            if path != index and array.ndim >= 1 and array.shape[0] > int(idx.max()) \
                    and array.shape[0] > idx.size and fits(array):
                found.append((f"{path}[{index}]", array[idx]))
    return found[:12]


def _inputs(state: dict[str, np.ndarray], n_in: int) -> list[tuple[str, np.ndarray]]:
    """Arrays in scope that can be the network's inputs, as (m, n_in) rows (a mini-batch
    ``X[idx]`` picked by an index array in scope too)."""
    found = _batches(state, lambda a: a.ndim == 2 and a.shape[1] == n_in)
    for path, array in state.items():
        if _record_field(path, state) and "[:]" not in path:
            continue  # one record of a list whose column ``data[:][0]`` holds them all
        if array.ndim == 2 and array.shape[1] == n_in and array.shape[0] >= 1:
            found.append((path, array))
        elif array.ndim == 2 and array.shape[0] == n_in:  # (n_in, m) columns, one sample too
            found.append((path + ".T", array.T))
        elif array.ndim == 1 and array.size == n_in:
            found.append((path, array.reshape(1, -1)))
    return found[:12]


def _losses(out: np.ndarray, Y: np.ndarray) -> dict[str, float]:
    """The loss conventions students use, of outputs ``out`` (m, k) against targets ``Y``."""
    found: dict[str, float] = {}
    if Y.shape != out.shape:
        return found
    err = out - Y
    sq = err * err
    found.update(mse=float(sq.mean()), half_mse=float(0.5 * sq.mean()), sse=float(sq.sum()),
                 half_sse=float(0.5 * sq.sum()), mse_rows=float(sq.sum(axis=1).mean()),
                 half_mse_rows=float(0.5 * sq.sum(axis=1).mean()))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(out, 1e-12, 1 - 1e-12)
        if out.shape[1] == 1:
            found["bce"] = float(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)).mean())
            found["bce_sum"] = float(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum())
            z = out
            found["bce_logits"] = float((np.maximum(z, 0) - z * Y + np.log1p(np.exp(-np.abs(z)))).mean())
        else:
            found["ce"] = float(-(Y * np.log(p)).sum(axis=1).mean())
            found["ce_sum"] = float(-(Y * np.log(p)).sum())
            z = out - out.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            found["ce_logits"] = float(-(Y * logp).sum(axis=1).mean())
    return {k: v for k, v in found.items() if np.isfinite(v)}


def _targets(state: dict[str, np.ndarray], m: int, k: int) -> list[tuple[str, np.ndarray]]:
    """Arrays that can be the targets of m outputs of width k (one-hot from integer labels)."""
    found = []
    batches = dict(_batches(state, lambda a: a.size // a.shape[0] in (1, k)))
    for path, array in [*state.items(), *batches.items()]:
        if _record_field(path, state) and "[:]" not in path:
            continue  # one record's label: its column holds them all
        if array.size == m * k and (array.ndim == 1 or 1 in array.shape or array.shape == (m, k)):
            Y = array.reshape(m, k) if array.shape != (k, m) else array.T
            found.append((path, Y))
        if k > 1 and array.size == m and np.all(np.isin(array, np.arange(k))):
            found.append((path + " (labels)", np.eye(k)[array.reshape(-1).astype(int)]))
    # labels first: targets are whole numbers (0/1, one-hot) far more often than not
    found.sort(key=lambda item: (not np.all(np.isin(item[1], (0.0, 1.0))),
                                 not np.all(item[1] == np.rint(item[1]))))
    return found[:16]


def _steady_sizes(loop: Loop) -> set[str]:
    """Changed paths whose size never changed (computed once per loop)."""
    cached = getattr(loop, "_steady_cache", None)
    if cached is None:
        sizes: dict[str, set[int]] = {}
        for past in loop.states():
            for path, array in past.items():
                sizes.setdefault(path, set()).add(array.size)
        cached = {p for p, found in sizes.items() if len(found) == 1}
        loop._steady_cache = cached  # type: ignore[attr-defined]
    return cached


def _counters(loop: Loop) -> set[str]:
    """Numbers that count (an outer loop's epoch seen from the inner loop): whole, never
    decreasing, past 1. Never a target: at epoch 0 a counter reads like a 0/1 label."""
    cached = getattr(loop, "_counter_cache", None)
    if cached is None:
        values: dict[str, list[float]] = {}
        for past in loop.states():
            for path, array in past.items():
                if array.size == 1:
                    values.setdefault(path, []).append(float(array.reshape(-1)[0]))
        cached = {p for p, seen in values.items()
                  if max(seen) >= 2 and all(v.is_integer() for v in seen)
                  and all(a <= b for a, b in zip(seen, seen[1:]))}
        loop._counter_cache = cached  # type: ignore[attr-defined]
    return cached


def data_state(loop: Loop, state: dict[str, np.ndarray], in_path: str) -> dict[str, np.ndarray]:
    """What can be data (inputs, targets): constant through the loop, unless the inputs change
    (mini-batches), when everything the loop did not train may be."""
    changed = loop.changed()
    base = in_path[:-2] if in_path.endswith(".T") else in_path
    if base not in changed and not base.endswith("]"):
        steady = {p: state[p] for p in sorted(changed) if p in state and p in _steady_sizes(loop)}
        indices = set(_indices(steady))  # a batch index keeps its size; a growing history does not
        return {p: v for p, v in state.items() if p not in changed or p in indices}
    return state


def target_state(loop: Loop, state: dict[str, np.ndarray], in_path: str) -> dict[str, np.ndarray]:
    """What can be the targets: the data (:func:`data_state`) without the counters."""
    counters = _counters(loop)
    return {p: v for p, v in data_state(loop, state, in_path).items() if p not in counters}


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    # relative to the observed scale, down to 0.01: near-zero arrays (an optimizer's second
    # moments) would otherwise be "reproduced" by any chain whose outputs are near zero too
    scale = max(1e-2, float(np.max(np.abs(b), initial=0.0)))
    return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= REL_TOLERANCE * scale


def _informative(observed: np.ndarray) -> bool:
    """Outputs worth reproducing: they differ between samples (a constant is matched by chance)."""
    return observed.shape[0] == 1 or float(np.ptp(observed, axis=0).max(initial=0.0)) > 1e-6


def _informative_network(weights: list[np.ndarray], biases: list[np.ndarray],
                         acts: tuple[str, ...], X: np.ndarray) -> bool:
    """The network's own outputs differ between the inputs (not saturated to one value)."""
    if not _fits_inputs(weights, biases, X):
        return True  # the match that follows says no
    with np.errstate(all="ignore"):
        out = forward(weights, biases, acts, X)
    return bool(np.all(np.isfinite(out))) and _informative(out)


def _observed(state: dict[str, np.ndarray], scalars: dict[str, float], m: int, k: int,
              recorded: set[str], own: set[str] | frozenset[str] = frozenset()
              ) -> list[tuple[str, np.ndarray]]:
    """What the code computed anew at a sample that can be the network's m x k outputs (never
    one of the network's own parameters, nor a record of the data)."""
    outs = []
    for path in sorted(recorded):  # a set: sorted, so the same run always reads the same way
        if _record_field(path, state):
            continue  # a shuffled record is data, not something computed
        array = state.get(path)
        if array is not None and array.size == m * k:
            if array.ndim == 2 and array.shape == (k, m) and k != m:
                outs.append((path, array.T))
            else:
                outs.append((path, array.reshape(m, k)))
    if m * k == 1:
        outs += [(name, np.array([[value]])) for name, value in scalars.items() if name not in own]
    return outs


def _pairs(loop: Loop) -> list[int]:
    """Consecutive sample pairs to verify a reading on, spread over the loop."""
    return spread(loop.consecutive(), MAX_PAIRS)


def _layouts(loop: Loop, states: list[dict[str, np.ndarray]], changed: set[str]) -> list[Layout]:
    """Every way these changed arrays chain into layers (bounded)."""
    last = states[-1]
    changed = _without_aliases(changed, states)
    matrices = {p: last[p].shape for p in sorted(changed)
                if p in last and last[p].ndim == 2 and min(last[p].shape) > 1
                or p in last and last[p].ndim == 2 and _is_output_column(last[p])}
    # a one-output layer's weights may be a plain vector (h,): its matrix is (h, 1)
    matrices.update({p: (last[p].size, 1) for p in sorted(changed) if p in last
                     and last[p].ndim == 1 and last[p].size >= 2 and p not in matrices})
    matrices = dict(list(matrices.items())[:MAX_MATRICES])
    vectors = {p: last[p] for p in sorted(changed) if p in last and _vector(last[p])
               and not _counter(p, states)}
    frozen = frozen_biases(loop, states)
    vectors.update(frozen)
    layouts: list[Layout] = []
    for column in (False, True):
        shapes = _stored_shapes(matrices, last, column)
        for chain in _chains(shapes, column):
            sizes = [(shapes[p][1], shapes[p][0]) if column else shapes[p] for p in chain]
            folds: list[tuple[int | None, ...]] = [(None,)]
            for prev, nxt in zip(sizes, sizes[1:]):
                folds.append((None,) if nxt[0] == prev[1] else (0, -1))  # a ones column: first or last
            options = [_bias_options(size[1], vectors, path, chain, set(frozen))
                       for size, path in zip(sizes, chain)]
            for folded in itertools.product(*folds):
                for biases in itertools.islice(itertools.product(*options), 16):
                    used = [b for b in biases if b is not None]
                    if len(set(used)) != len(used) or set(used) & set(chain):
                        continue
                    layouts.append(Layout(tuple(chain), tuple(biases), column, tuple(folded)))
    # no gradient- or bias-named weights, the most layers first, then the most biases, then
    # no layer biased twice (a ones column and a bias), the row convention, no folds
    return sorted(layouts, key=lambda l: (sum(map(_gradient_named, l.paths)),
                                          sum(map(_bias_named, l.weights)),
                                          sum(last[p].ndim == 1 for p in l.weights), -len(l.weights),
                                          -sum(b is not None for b in l.biases),
                                          sum(b is not None and f is not None
                                              for b, f in zip(l.biases, l.folded)),
                                          l.column, sum(f is not None for f in l.folded)))


def _stored_shapes(matrices: dict[str, tuple[int, int]], last: dict[str, np.ndarray],
                   column: bool) -> dict[str, tuple[int, int]]:
    """The matrices' shapes as stored in this convention: a plain vector ``(h,)`` is a
    one-output layer in either, ``(h, 1)`` as (in, out) and ``(1, h)`` as (out, in)."""
    return {p: (shape[1], shape[0]) if column and last[p].ndim == 1 else shape
            for p, shape in matrices.items()}


def _bias_named(path: str) -> bool:
    leaf = _leaf(path).lower()
    return leaf.startswith("b") or "bias" in leaf


def frozen_biases(loop: Loop, states: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Bias-named vectors set before the loop that it never changed: biases the update misses.

    A nonzero one is tried like any bias (the outputs it must reproduce show whether the code
    uses it); an all-zero one only where the loop computes its gradient (``db1`` for ``b1``),
    since adding zeros reproduces the outputs of a network without it just as well."""
    first = loop.samples[0]
    if not first.start or loop.id < 0:
        return {}
    changed, last = loop.changed(), states[-1]
    found = {}
    for path, array in first.arrays.items():
        if path in changed or path not in last or not _vector(array) or not _bias_named(path):
            continue
        if np.any(array != 0) or gradient_arrays(loop, path):
            found[path] = last[path]
    return found


def gradient_arrays(loop: Loop, path: str) -> list[str]:
    """The loop's gradient-named arrays named after this parameter (``db1``, ``grad_b1``)."""
    leaf = _leaf(path)
    return sorted(p for p in loop.changed() if _gradient_named(p) and _leaf(p) != leaf
                  and _leaf(p).endswith(leaf))


_GRADIENT = re.compile(r"^(d|g|grad|grads|gradient|gradients|delta|deltas|err|error|errors|"
                       r"update|updates|step|velocity|vel|mom|moment|cache|m|v|s|r)"
                       r"(_\w*|[A-Z]\w*|[a-z]\d*|\d+)?$")  # optimizer state too: m1, s_W1, cache


def _leaf(path: str) -> str:
    """The innermost name of a path: ``W1`` of ``params['W1']``, ``grads`` of ``grads[0]``."""
    if path.endswith("]") and "[" in path:
        inner = path[:-1].rsplit("[", 1)[1].strip("'\"")
        return inner if not inner.isdigit() else _leaf(path[:-1].rsplit("[", 1)[0])
    return path.rsplit(".", 1)[-1]


def _gradient_named(path: str) -> bool:
    """Named like a gradient or an update (``dW1``, ``grads['W1']``, ``g[0]``), not a parameter:
    the rubric's names only order the readings tried, the evidence decides."""
    outer = path.split("[", 1)[0].split(".", 1)[0]
    return bool(_GRADIENT.match(_leaf(path)) or _GRADIENT.match(outer))


def _counter(path: str, states: list[dict[str, np.ndarray]]) -> bool:
    """A number that only ever held whole numbers (an epoch or batch counter, not a bias)."""
    values = [s[path] for s in states if path in s]
    return all(v.size == 1 and float(v.reshape(-1)[0]).is_integer() for v in values)


def _without_aliases(paths: set[str], states: list[dict[str, np.ndarray]]) -> set[str]:
    """One name per array: ``self.W`` inside a method is the global ``nn.W`` (same values
    throughout), and trying both would only double the readings."""
    kept: list[str] = []
    for path in sorted(paths, key=lambda p: (p.startswith("self."), p)):
        if not any(_same_throughout(path, other, states) for other in kept):
            kept.append(path)
    return set(kept)


def _same_throughout(a: str, b: str, states: list[dict[str, np.ndarray]]) -> bool:
    picks = [states[0], states[len(states) // 2], states[-1]]
    seen = False
    for state in picks:
        if a in state and b in state:
            if state[a].shape != state[b].shape or not np.array_equal(state[a], state[b]):
                return False
            seen = True
    return seen


def aliases(loop: Loop, states: list[dict[str, np.ndarray]], paths: set[str] | tuple[str, ...]
            ) -> set[str]:
    """These paths and every other name of the same arrays (``self.W`` beside ``net.W``, same
    values throughout): a reading's inputs and outputs are none of them."""
    cache: dict[str, frozenset[str]] = loop.__dict__.setdefault("_alias_cache", {})
    found = set(paths)
    for path in paths:
        if path not in cache:
            shape = states[-1][path].shape if path in states[-1] else None
            cache[path] = frozenset(other for other, array in states[-1].items()
                                    if other != path and array.shape == shape
                                    and _same_throughout(path, other, states))
        found |= cache[path]
    return found


def _record_field(path: str, known: set[str] | dict[str, Any]) -> bool:
    """A field of one record of a list the trace read as records (``data[2][0]`` beside the
    column ``data[:][0]``), or such a column: data, whatever shuffling does to it."""
    if "[:]" in path:
        return True
    match = re.fullmatch(r"(.+)\[\d+\]\[(\d+)\]", path)
    return bool(match) and f"{match[1]}[:][{match[2]}]" in known


def _is_output_column(array: np.ndarray) -> bool:
    """A (h, 1) or (1, h) weight of a one-output layer (h > 1)."""
    return 1 in array.shape and max(array.shape) > 1


def _confirmed(layout: Layout, loop: Loop, states: list[dict[str, np.ndarray]], in_path: str,
               acts: tuple[str, ...], same_state: bool, moving: set[str], loss: str | None) -> bool:
    """The same reading (inputs, activations, loss) reproduces the code at every sampled pair
    where something was computed (at least two); none contradicts it."""
    agreeing = 0
    for b in _pairs(loop):
        state_b, sample = states[b], loop.samples[b]
        X = resolve(state_b, in_path)
        if X is None:
            return False
        X = X.reshape(1, -1) if X.ndim == 1 else X
        if layout.folded[0] is not None:
            X = np.delete(X, layout.folded[0], axis=1)
        if not np.any(X):
            continue  # says nothing about the first layer
        try:
            weights, biases = _layer_arrays(state_b if same_state else states[b - 1], layout)
        except (KeyError, ValueError, IndexError):
            return False
        if X.shape[1] != weights[0].shape[0]:
            return False
        if not all(np.any(W) for W in weights):
            continue  # an all-zero layer says nothing either
        scalars = _computed_scalars(loop, sample.scalars, moving)
        own = aliases(loop, states, layout.paths)
        if loss is None:
            outs = [(p, o) for p, o in _observed(state_b, scalars, X.shape[0], weights[-1].shape[1],
                                                 set(sample.arrays) - own, own)
                    if _informative(o)]
            if not outs or not _informative_network(weights, biases, acts, X):
                continue  # nothing computed anew (converged), or every output saturated: a
                # diverging training's network says nothing either way
            if _match_outputs(weights, biases, X, outs, (acts,)) is None:
                return False
        else:
            if not scalars:
                continue
            found, _ = _match_loss(weights, biases, acts, X, target_state(loop, state_b, in_path),
                                   scalars)
            if found != loss:
                return False
        agreeing += 1
    return agreeing >= 2


def _moving_scalars(loop: Loop) -> set[str]:
    """Scalars that took more than one value in the loop (a loss does; a learning rate does not)."""
    return {name for name, values in loop.numbers().items() if len(values) > 1}


def _computed_scalars(loop: Loop, scalars: dict[str, float], moving: set[str]) -> dict[str, float]:
    """A sample's numbers that can be an output or a loss: moving, and not always whole (a
    loop counter ``j`` reads 0 where a network outputs 0)."""
    cached = getattr(loop, "_whole_cache", None)
    if cached is None:
        cached = {n for n, seen in loop.numbers().items() if all(v.is_integer() for v in seen)}
        loop._whole_cache = cached  # type: ignore[attr-defined]
    return {n: v for n, v in scalars.items() if n in moving and n not in cached}


def _with_input_fold(layout: Layout, fold: int | None) -> Layout:
    return Layout(layout.weights, layout.biases, layout.column, (fold, *layout.folded[1:]))


def _ones_column(X: np.ndarray) -> int | None:
    """The index of a column of ones (a bias folded into the inputs), if X has one."""
    if X.shape[1] < 2 or X.shape[0] < 2:
        return None
    ones = np.flatnonzero(np.all(X == 1.0, axis=0))
    return int(ones[0]) if ones.size else None


def _ones_entry(states: list[dict[str, np.ndarray]], in_path: str) -> int | None:
    """The index of a constant 1 in one sample's inputs (``x + [1.0]``: a bias folded into
    each sample of a per-sample loop), first or last, where the other entries vary."""
    seen = [X.reshape(-1) for X in (resolve(s, in_path) for s in states)
            if X is not None and (X.ndim == 1 or X.shape[0] == 1)]
    if len(seen) < 3 or len({x.size for x in seen}) != 1 or seen[0].size < 2:
        return None
    rows = np.stack(seen)
    for index in (rows.shape[1] - 1, 0):
        rest = np.delete(rows, index, axis=1)
        if np.all(rows[:, index] == 1.0) and np.ptp(rest, axis=0).max() > 0:
            return index
    return None


def _reproduce(layout: Layout, loop: Loop, states: list[dict[str, np.ndarray]], moving: set[str],
               by_loss: bool
               ) -> tuple[Layout, tuple[str, ...], str, np.ndarray, str | None, str | None, str] | None:
    """(layout, activations, inputs, X, loss, targets, evidence) when the layout reproduces the
    code's kept outputs (or, ``by_loss``, a loss it held)."""
    first = states[-1][layout.weights[0]]
    rows = first.shape[1] if layout.column else first.shape[0]
    for b in _pairs(loop):
        state_b = states[b]
        sample = loop.samples[b]
        own = aliases(loop, states, layout.paths)
        for in_path, raw_X in _inputs({p: v for p, v in state_b.items() if p not in own}, rows):
            fold = _ones_column(raw_X)
            if fold is None and raw_X.shape[0] == 1:
                fold = _ones_entry(states, in_path)
            use = _with_input_fold(layout, fold)
            X = np.delete(raw_X, fold, axis=1) if fold is not None else raw_X
            if not np.any(X):
                continue  # a zero input (XOR's [0, 0]) reproduces any first layer: no evidence
            for params in (states[b - 1], state_b):
                try:
                    weights, biases = _layer_arrays(params, use)
                except (KeyError, ValueError, IndexError):
                    return None
                if not all(np.any(W) for W in weights):
                    continue  # an all-zero layer (an XOR point posing as weights) fits anything
                k = weights[-1].shape[1]
                scalars = _computed_scalars(loop, sample.scalars, moving)
                recorded = set(sample.arrays) - own
                if loop.id < 0:  # a backward() stream's saved data are inputs, never outputs
                    recorded = {p for p in recorded if not re.fullmatch(r"data\d+", p)}
                outs = _observed(state_b, scalars, X.shape[0], k, recorded, own)
                hit = None if by_loss else _match_outputs(weights, biases, X, outs)
                if hit is not None and _confirmed(use, loop, states, in_path, hit[0], params is state_b,
                                                  moving, None):
                    acts, out_path = hit
                    loss, target = _match_loss(weights, biases, acts, X,
                                               target_state(loop, state_b, in_path), scalars)
                    return use, acts, in_path, X, loss and loss.split(":")[0], target, (
                        f"its outputs `{out_path}` at iteration {sample.iteration} are reproduced "
                        f"from `{in_path}`")
                for acts in _act_options(len(weights), k) if by_loss and scalars else ():
                    loss, target = _match_loss(weights, biases, acts, X,
                                               target_state(loop, state_b, in_path), scalars)
                    if loss is not None and _confirmed(use, loop, states, in_path, acts,
                                                       params is state_b, moving, loss):
                        kind, name = loss.split(":", 1)
                        return use, acts, in_path, X, kind, target, (
                            f"the loss `{name}` it computed at iteration {sample.iteration} is "
                            f"reproduced from `{in_path}`")
    return None


def _act_options(layers: int, outputs: int) -> list[tuple[str, ...]]:
    hidden = HIDDEN if layers > 1 else ("identity",)
    final = OUTPUT if outputs > 1 else tuple(o for o in OUTPUT if o != "softmax")
    return [tuple([h] * (layers - 1)) + (o,) for h in hidden for o in final]


def _match_outputs(weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray,
                   outs: list[tuple[str, np.ndarray]], options: Any = None
                   ) -> tuple[tuple[str, ...], str] | None:
    if not outs:
        return None
    if not _fits_inputs(weights, biases, X):
        return None
    for acts in options or _act_options(len(weights), weights[-1].shape[1]):
        with np.errstate(all="ignore"):
            out = forward(weights, biases, acts, X)
        for path, observed in outs:
            if _informative(observed) and _close(out, observed):
                return acts, path
    return None


def _match_loss(weights: list[np.ndarray], biases: list[np.ndarray], acts: tuple[str, ...],
                X: np.ndarray, state: dict[str, np.ndarray], scalars: dict[str, float]
                ) -> tuple[str | None, str | None]:
    if not scalars or not _fits_inputs(weights, biases, X):
        return None, None
    with np.errstate(all="ignore"):
        out = forward(weights, biases, acts, X)
    for target_path, Y in _targets(state, out.shape[0], out.shape[1]):
        for loss, value in _losses(out, Y).items():
            for name, recorded in scalars.items():
                if recorded != 0 and abs(value - recorded) <= 1e-6 * max(1.0, abs(recorded)):
                    return f"{loss}:{name}", target_path
    return None, None


def _pools(loop: Loop) -> list[set[str]]:
    """Where to look for parameters: first the arrays that existed before the loop and changed
    in it (parameters are set up before training; a loop's intermediates appear inside it),
    then everything that changed."""
    changed = loop.changed()
    if loop.id < 0:  # a backward() stream: its parameters, not the data its graph saved
        changed = {p for p in changed if not re.fullmatch(r"data\d+|loss", p)}
    known = loop.states()[-1] if loop.samples else {}
    changed = {p for p in changed if not _record_field(p, known)}  # shuffled data: no parameter
    first = loop.samples[0]
    before = changed & (set(first.arrays) | set(first.scalars)) if first.start else set()
    return [pool for pool in (before, changed) if pool][: 1 if before == changed else 2]


OUTPUT_SHARE = 5 / 6  # of a loop's budget left, an output search's (a loss search follows it)


def _search(loop: Loop, states: list[dict[str, np.ndarray]]) -> Any:
    """The first reading that reproduces the code: by kept outputs, then by a held loss, over
    each pool. An output search that runs out of its share leaves the rest to the loss search
    after it (the output search of a loop with many one-sample inputs would use it all)."""
    moving = _moving_scalars(loop)
    work = WORK.get(None)
    try:
        for pool, by_loss in itertools.product(_pools(loop), (False, True)):
            if work is not None:
                work.next_phase(OUTPUT_SHARE if not by_loss else None)
            try:
                result = _search_phase(loop, states, pool, moving, by_loss)
            except PhaseExhausted:
                continue
            if result is not None:
                return result
        return None
    finally:
        if work is not None:
            work.next_phase(None)


def _search_phase(loop: Loop, states: list[dict[str, np.ndarray]], pool: set[str],
                  moving: set[str], by_loss: bool) -> Any:
    for layout in _layouts(loop, states, pool)[:MAX_VERIFIED]:
        result = _reproduce(layout, loop, states, moving, by_loss)
        if result is not None:
            return result
    return None


def find_networks(trace: LoopTrace) -> list[Found]:
    """Every network a loop of this unit trained, one per loop, in loop order.

    Runs within the current :class:`Work` budget: a loop past its share is left unidentified."""
    found: list[Found] = []
    work = WORK.get(None)
    if work is None:
        token = WORK.set(Work())
        try:
            return find_networks(trace)
        finally:
            WORK.reset(token)
    for loop in by_priority(trace.loops):
        if len(loop.samples) < 3:
            continue
        states = loop.states()
        if work is not None:
            work.next_loop()
        try:
            result = _search(loop, states)
            if result is None:
                loop, states, result = _search_flat(loop) or (loop, states, None)
        except WorkExhausted:
            result = None
        if result is None:
            continue
        use, acts, inputs, _X, loss, targets, evidence = result
        weights, biases = _layer_arrays(states[-1], use)
        cut = getattr(loop, "cut", None)
        read = f"{cut.describe()}; " if cut is not None else ""
        found.append(Found(loop, use, weights, biases, acts, loss, inputs, targets,
                           f"changed in {loop.where} ({loop.iterations} iterations); " + read
                           + evidence, states))
    return sorted(found, key=lambda f: f.loop.key)


def _search_flat(loop: Loop) -> tuple[Loop, list[dict[str, np.ndarray]], Any] | None:
    """The first cut of a flat parameter vector (``theta``) whose layers reproduce the code
    (:mod:`grader.flat_params`), as (the loop read with the cut, its states, the reading)."""
    moving = _moving_scalars(loop)
    for derived in readings(loop):
        states = derived.states()
        layout = cut_layout(derived.cut)
        for by_loss in (False, True):
            result = _reproduce(layout, derived, states, moving, by_loss)
            if result is not None:
                return derived, states, result
    return None


def cut_layout(cut: Any) -> Layout:
    """The layers of a flat vector's cut: each weight with its bias, in order."""
    weights = [p for p in cut.pieces if p.role.startswith("W")]
    biases = {p.role[1:]: p for p in cut.pieces if p.role.startswith("b")}
    return Layout(tuple(w.path(cut.vector) for w in weights),
                  tuple(biases[w.role[1:]].path(cut.vector) if w.role[1:] in biases else None
                        for w in weights), cut.column, (None,) * len(weights))


def by_priority(loops: list[Loop]) -> list[Loop]:
    """Loops in the order their networks are looked for (the work budget may run out): loops
    entered once (a training loop) before those entered again and again (a line search's
    inner loop, a loop over the parameters inside each step); of those, the ones whose
    parameters change from one iteration to the next (a per-sample step) before the ones whose
    parameters change only between entries (a loop over neurons inside a forward pass)."""
    return sorted(loops, key=lambda loop: (loop.entries > 1,
                                           loop.entries > 1 and not _steps_every_iteration(loop),
                                           loop.key))


def _steps_every_iteration(loop: Loop) -> bool:
    """Some array set before the loop changed at every sampled pair of consecutive iterations."""
    pools = _pools(loop)
    arrays = pools[0] & set(loop.states()[-1]) if pools and loop.samples[0].start else set()
    pairs = loop.consecutive()
    return bool(arrays) and bool(pairs) and all(arrays & set(loop.samples[b].arrays)
                                                for b in pairs)


def state_inputs(found: Found, state: dict[str, np.ndarray]) -> np.ndarray | None:
    """The inputs the network was found on, as (m, n_in) rows, its ones column taken out."""
    X = resolve(state, found.inputs)
    if X is None:
        return None
    X = X.reshape(1, -1) if X.ndim == 1 else X
    fold = found.layout.folded[0]
    return np.delete(X, fold, axis=1) if fold is not None else X
