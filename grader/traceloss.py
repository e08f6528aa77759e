"""Recompute, in the grader, the losses a student's backward() calls were made on.

A few samples of each traced training carry the data that reached the loss (the tensors the
autograd graph saved that need no gradient: inputs, often targets; see
:mod:`grader.sandbox.trace`). For a handful of them, chosen deterministically, the grader
rebuilds the network from the *recorded* parameters, finds which recorded input (and which
target: recorded, or one of the student's arrays) with which standard loss reproduces the
recorded loss, and recomputes that loss with :mod:`grader.netmath` in float64. It also says
which of the student's arrays the training data comes from (``X_train``, ``X_test``, ...,
directly or after a fitted scaler), so training on the test split can be named.

Everything here is trusted code working on plain arrays; nothing runs in the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import netmath
from grader.candidates import Candidate
from grader.tracedata import Sample, Stream

MAX_RECOMPUTED = 6              # samples whose loss is recomputed per training
LOSS_RTOL, LOSS_ATOL = 1e-4, 1e-6  # float32 losses against the grader's float64 ones (ok corpus: < 2e-6)
ROW_TOLERANCE = 1e-4            # float32 copies of float64 data (relative to the value)
MAX_ROW_PAIRS = 20_000_000      # rows x rows compared when locating a batch in an array
CHUNK_PAIRS = 200_000           # compared at once (bounds the memory used)
MAX_TARGETS = 12                # target arrays tried per input (bounds the grader's work)
MAX_SOURCES = 32                # student arrays searched for the training inputs
_TEST = re.compile(r"test|valid|holdout|(?:^|_)x?val(?:_|$|\d)", re.IGNORECASE)
_TRAIN = re.compile(r"train|(?:^|_)tr(?:_|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """Where each layer's weight and bias sit among a stream's parameters."""

    weights: tuple[int, ...]
    biases: tuple[int | None, ...]
    transpose: bool  # stored (out, in): nn.Linear, or the W @ X convention


@dataclass(frozen=True)
class Fit:
    """The data and loss that reproduce a recorded loss."""

    X: np.ndarray            # (m, n_in)
    Y: np.ndarray
    loss: str
    value: float
    target: str              # where the targets came from: "recorded" or a student array's name
    sample: Sample


@dataclass(frozen=True)
class Point:
    """One recomputed sample: the loss backward() was called on and the grader's."""

    call: int
    recorded: float
    recomputed: float | None
    saturated: bool = False  # float32 outputs at 0 or 1: torch clamps the log, the loss is not exact


@dataclass(frozen=True)
class Source:
    """A student array the training inputs were found in (all rows, or a batch of them)."""

    name: str
    scaler: str | None       # the fitted scaler applied to it first, if any
    transform: tuple[np.ndarray, np.ndarray] | None  # (mean, scale) of that scaler

    @property
    def label(self) -> str:
        return f"`{self.name}`" + (f" (scaled with `{self.scaler}`)" if self.scaler else "")

    @property
    def split(self) -> str | None:
        """``"test"``, ``"train"`` or None (neither, or both as in ``X_train_val``), from the name."""
        test, train = bool(_TEST.search(self.name)), bool(_TRAIN.search(self.name))
        return None if test == train else "test" if test else "train"


def close(a: float, b: float) -> bool:
    return abs(a - b) <= LOSS_ATOL + LOSS_RTOL * max(abs(a), abs(b))


# --- the recorded parameters as a network ------------------------------------------------------

def layout(candidate: Candidate, names: tuple[str, ...]) -> Layout | None:
    """How a stream's parameters map onto the candidate's layers, or None if they do not."""
    data, index = candidate.data, {name: i for i, name in enumerate(names)}
    if data.get("origin") == "module":
        prefix = f"{candidate.name}."
        linear = [n[: -len("weight")] for n in data.get("param_names", []) if n.endswith("weight")]
        if len(linear) != len(data["weights"]):
            return None
        weights = [index.get(f"{prefix}{p}weight") for p in linear]
        biases = [index.get(f"{prefix}{p}bias") for p in linear]
        transpose = True
    else:
        variable = candidate.probe_target["name"]
        container = data.get("container")

        def stream_name(key: str) -> str:
            return {"dict": f"{variable}[{key!r}]", "instance": f"{variable}.{key}"}.get(
                container, key)

        weights = [index.get(stream_name(k)) for k in data.get("weight_keys", [])]
        biases = [index.get(stream_name(k)) if k else None for k in data.get("bias_keys", [])]
        transpose = data.get("convention") == "column"
    if not weights or any(w is None for w in weights):
        return None
    return Layout(tuple(weights), tuple(biases), transpose)  # type: ignore[arg-type]


def parameters_at(sample: Sample, where: Layout) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The network's weights ``(in, out)`` and biases as recorded at one backward() call."""
    weights, biases = [], []
    for w, b in zip(where.weights, where.biases):
        W = sample.values[w].reshape(sample.shapes[w])
        W = W.T if where.transpose else W
        weights.append(W)
        biases.append(np.zeros(W.shape[1]) if b is None else
                      netmath.normalize_bias(sample.values[b], W.shape[1]))
    return weights, biases


# --- which data and loss reproduce the recorded loss --------------------------------------------

def _inputs(sample: Sample, n_in: int) -> list[tuple[int, np.ndarray]]:
    found = []
    for i, array in enumerate(sample.data):
        if array.ndim == 2 and array.shape[1] == n_in:
            found.append((i, array))
        elif array.ndim == 2 and array.shape[0] == n_in and array.shape[1] != n_in:
            found.append((i, array.T))
    return found


def _targets(sample: Sample, skip: int, rows: int, n_out: int,
             arrays: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    found = [("recorded", a) for i, a in enumerate(sample.data) if i != skip and a.size == rows * n_out]
    found += [(name, a) for name, a in arrays.items()
              if a.size == rows * n_out and a.dtype.kind in "fiub" and np.all(np.isin(a, (0, 1)))]
    return found[:MAX_TARGETS]


def fits(sample: Sample, weights: list[np.ndarray], biases: list[np.ndarray],
         activations: tuple[str, ...], arrays: dict[str, np.ndarray],
         losses: tuple[str, ...] = netmath.LOSSES) -> list[Fit]:
    """Every (inputs, targets, loss) the grader can evaluate at this sample, closest first."""
    if sample.loss is None:
        return []
    found = []
    n_out = weights[-1].shape[1]
    for index, X in _inputs(sample, weights[0].shape[0]):
        for source, Y in _targets(sample, index, X.shape[0], n_out, arrays):
            for loss in losses:
                try:
                    value = netmath.loss_value(weights, biases, activations, X, Y, loss)
                except ValueError:
                    continue
                if np.isfinite(value):
                    found.append(Fit(X, Y, loss, value, source, sample))
    return sorted(found, key=lambda f: abs(f.value - sample.loss))


def chosen(stream: Stream) -> list[Sample]:
    """Up to :data:`MAX_RECOMPUTED` samples with data, evenly spread, first and last included."""
    usable = [s for s in stream.samples if s.data and s.values and s.loss is not None]
    if len(usable) <= MAX_RECOMPUTED:
        return usable
    picks = np.linspace(0, len(usable) - 1, MAX_RECOMPUTED).round().astype(int)
    return [usable[i] for i in sorted(set(picks.tolist()))]


def recompute(stream: Stream, where: Layout, activations: tuple[str, ...],
              arrays: dict[str, np.ndarray]) -> tuple[list[Point], Fit | None]:
    """The recomputed loss at each chosen sample, and the fit that first reproduced one.

    The loss formula is settled at the first sample some data reproduces; each sample is
    then recomputed with that formula on the data that comes closest to its recorded loss.
    """
    samples = chosen(stream)
    settled: Fit | None = None
    candidates = []
    for sample in samples:
        weights, biases = parameters_at(sample, where)
        candidates.append((sample, fits(sample, weights, biases, activations, arrays)))
        if settled is None and candidates[-1][1] and close(candidates[-1][1][0].value, sample.loss):
            settled = candidates[-1][1][0]
    points = []
    for sample, found in candidates:
        same = [f for f in found if settled is None or f.loss == settled.loss]
        saturated = bool(same) and _saturated(same[0], sample, where, activations)
        points.append(Point(sample.call, float(sample.loss), same[0].value if same else None,
                            saturated))
    return points, settled


def _saturated(fit: Fit, sample: Sample, where: Layout, activations: tuple[str, ...]) -> bool:
    """Whether a sigmoid output rounds to 0 or 1 in float32, where BCE's logs are clamped."""
    if fit.loss != "bce" or activations[-1] != "sigmoid":
        return False
    outputs = netmath.forward(*parameters_at(sample, where), activations, fit.X)
    return bool(np.any(outputs > 1 - 6e-8) or np.any(outputs < 1e-37))


# --- where the training data comes from ---------------------------------------------------------

def _rows_inside(X: np.ndarray, A: np.ndarray) -> bool:
    """Whether every row of ``X`` is (to float32 precision) a row of ``A``."""
    if A.ndim != 2 or A.shape[1] != X.shape[1] or A.shape[0] < X.shape[0]:
        return False
    tolerance = ROW_TOLERANCE * (1.0 + np.abs(X))
    if A.shape == X.shape and np.all(np.abs(A - X) <= tolerance):
        return True
    if X.shape[0] * A.shape[0] > MAX_ROW_PAIRS:
        return False
    chunk = max(1, CHUNK_PAIRS // A.shape[0])
    for start in range(0, X.shape[0], chunk):
        rows, tol = X[start:start + chunk], tolerance[start:start + chunk]
        near = np.all(np.abs(rows[:, None, :] - A[None, :, :]) <= tol[:, None, :], axis=2)
        if not near.any(axis=1).all():
            return False
    return True


def _source(X: np.ndarray, name: str, A: np.ndarray,
            scalers: dict[str, tuple[np.ndarray, np.ndarray]]) -> Source | None:
    options: list[tuple[str | None, tuple[np.ndarray, np.ndarray] | None]] = [(None, None)]
    options += [(s, t) for s, t in scalers.items() if t[0].size == X.shape[1] == t[1].size]
    for scaler, transform in options:
        for oriented in (A, A.T):
            if oriented.shape[-1] != X.shape[1]:
                continue
            scaled = oriented if transform is None else (oriented - transform[0]) / transform[1]
            if _rows_inside(X, scaled):
                return Source(name, scaler, transform)
    return None


def sources(X: np.ndarray, arrays: dict[str, np.ndarray],
            scalers: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[Source]:
    """The student's arrays whose rows hold the training inputs ``X``, raw or scaled."""
    shaped = [(name, A) for name, A in arrays.items()
              if A.ndim == 2 and A.dtype.kind == "f" and X.shape[1] in A.shape][:MAX_SOURCES]
    found = [_source(X, name, A, scalers) for name, A in shaped]
    return [s for s in found if s is not None]


def split_loss(fit: Fit, test: Source, arrays: dict[str, np.ndarray], where: Layout,
               activations: tuple[str, ...]) -> tuple[str, float] | None:
    """The loss the recorded parameters have on the training split matching ``test``.

    The split is the array named like ``test`` with "train" in place of "test"/"val"
    (``X_test`` -> ``X_train``), prepared the same way (the same scaler); its targets are
    an array with "train" in its name and one value per row.
    """
    name = re.sub(r"test|valid|val|holdout", "train", test.name, count=1, flags=re.IGNORECASE)
    X = arrays.get(name)
    if X is None or X.ndim != 2 or name == test.name:
        return None
    X = X if X.shape[1] == fit.X.shape[1] else X.T
    if test.transform is not None:
        X = (X - test.transform[0]) / test.transform[1]
    weights, biases = parameters_at(fit.sample, where)
    for target, Y in arrays.items():
        if target != name and _TRAIN.search(target) and Y.size == X.shape[0] * weights[-1].shape[1]:
            try:
                return name, netmath.loss_value(weights, biases, activations, X, Y, fit.loss)
            except ValueError:
                continue
    return None


def unit_arrays(objects: list[dict[str, Any]]) -> tuple[dict[str, np.ndarray],
                                                         dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The unit's top-level arrays and fitted scalers (mean, scale), by name."""
    arrays = {o["name"]: np.asarray(o["value"]) for o in objects
              if o.get("kind") == "array" and not o.get("requires_grad")
              and np.asarray(o["value"]).ndim in (1, 2)}
    scalers = {o["name"]: (np.asarray(o["mean"], dtype=np.float64),
                           np.asarray(o["scale"], dtype=np.float64))
               for o in objects if o.get("kind") == "scaler"}
    return arrays, scalers
