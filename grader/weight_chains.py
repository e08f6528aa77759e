"""Raw weight tensors under the student's own names, grouped into a network by their shapes.

Students who train a network from raw tensors do not always number them (``W1, b1``):
``w_hidden, b_hidden, w_out, b_out`` is as common. Here every trainable tensor of a unit
(a global leaf tensor that requires gradients, not a copy of an ``nn.Module``'s parameter)
is a possible layer: 2-D tensors are weight
matrices, 1-D ones (and a ``(1, n)``/``(n, 1)`` tensor named like a bias) are biases.
Weight matrices are chained when each layer's inputs are the previous layer's outputs,
in one convention for the whole chain (``X @ W`` or ``W @ X``), and each layer takes the
bias whose length is its width. Among the chains, the grader prefers one that reproduces
outputs the student recorded (e.g. ``prob`` computed from ``X``), then one that uses the
most trainable tensors, the row convention, an order that agrees with the names (input,
hidden, numbers, output) and weight/bias-like names; ties go by name, so the choice is
deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import netmath

MAX_WEIGHTS = 8  # trainable 2-D tensors considered per unit
MAX_PATHS = 2_000  # chains enumerated per convention
MAX_VERIFIED = 8  # best-ranked chains compared with the student's recorded outputs
REPRODUCE_TOLERANCE = 1e-2  # recorded outputs may predate the very last update
MAX_RECORDED_PAIRS = 50

_WEIGHT_PREFIX = re.compile(r"^(?:weights?|theta|w)", re.IGNORECASE)
_BIAS_PREFIX = re.compile(r"^(?:bias(?:es)?|b)", re.IGNORECASE)
_EARLY = {"in", "inp", "input", "inputs", "first"}
_HIDDEN = {"h", "hid", "hidden"}
_LATE = {"o", "out", "output", "outputs", "last", "final"}


@dataclass(frozen=True, eq=False)
class Chain:
    """Weight matrices (oriented ``(in, out)``) and biases taken from named tensors."""

    weight_keys: tuple[str, ...]
    bias_keys: tuple[str | None, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    convention: str  # "row" (X @ W) | "column" (W @ X)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *[w.shape[1] for w in self.weights])

    @property
    def keys(self) -> tuple[str, ...]:
        return self.weight_keys + tuple(k for k in self.bias_keys if k is not None)


def stem(name: str) -> str:
    """The name without its weight/bias prefix: ``w_hidden`` and ``b_hidden`` give ``hidden``."""
    lowered = name.lower()
    pattern = _BIAS_PREFIX if _BIAS_PREFIX.match(lowered) and not _WEIGHT_PREFIX.match(lowered) \
        else _WEIGHT_PREFIX
    return pattern.sub("", lowered, count=1).strip("_") or lowered


def order_key(name: str) -> tuple[int, int]:
    """Where a name suggests its layer sits: (input 0 / hidden 1 / unknown 2 / output 3, number)."""
    tokens = re.findall(r"[a-z]+|\d+", stem(name))
    numbers = [int(t) for t in tokens if t.isdigit()]
    words = {t for t in tokens if not t.isdigit()}
    stage = 0 if words & _EARLY else 3 if words & _LATE else 1 if words & _HIDDEN else 2
    return stage, numbers[0] if numbers else 0


def _inversions(keys: list[tuple[int, int]]) -> int:
    return sum(1 for i, a in enumerate(keys) for b in keys[i + 1:] if a > b)


def _looks_like_bias(name: str) -> bool:
    lowered = name.lower()
    return bool(_BIAS_PREFIX.match(lowered)) and not _WEIGHT_PREFIX.match(lowered)


def trainable_arrays(objects: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Global tensors that require gradients, minus copies of an nn.Module's parameters."""
    module_params = [np.asarray(a) for o in objects if o.get("kind") == "module"
                     for _, a in o.get("params", [])]
    found: dict[str, np.ndarray] = {}
    for record in objects:
        if record.get("kind") != "array" or not record.get("requires_grad"):
            continue
        value = np.asarray(record["value"])
        if value.dtype.kind != "f" or value.ndim not in (1, 2) or value.size == 0:
            continue
        if any(p.shape == value.shape and np.array_equal(p, value) for p in module_params):
            continue
        found[str(record["name"])] = value
    return found


def _split(arrays: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """(weight names, bias names): a 2-D tensor named like a bias with a size-1 axis is a bias."""
    weights, biases = [], []
    for name in sorted(arrays):
        value = arrays[name]
        if value.ndim == 1 or (_looks_like_bias(name) and 1 in value.shape):
            biases.append(name)
        else:
            weights.append(name)
    return weights[:MAX_WEIGHTS], biases


def _paths(shapes: dict[str, tuple[int, int]], n_inputs: int | None) -> Iterator[list[str]]:
    """Every simple path of weights whose sizes chain, in name order, at most MAX_PATHS."""
    count = 0
    stack = [[name] for name in sorted(shapes, reverse=True)
             if n_inputs is None or shapes[name][0] == n_inputs]
    while stack and count < MAX_PATHS:
        path = stack.pop()
        count += 1
        yield path
        out = shapes[path[-1]][1]
        stack.extend([*path, name] for name in sorted(shapes, reverse=True)
                     if name not in path and shapes[name][0] == out)


def _assign_biases(path: list[str], widths: list[int], weight_names: set[str],
                   arrays: dict[str, np.ndarray], bias_names: list[str]) -> list[str | None]:
    """For each layer, the unused bias of its width, preferring one whose stem matches."""
    unused = [b for b in bias_names if b not in path] + \
        [w for w in sorted(weight_names) if w not in path and _looks_like_bias(w)]
    chosen: list[str | None] = []
    for weight, width in zip(path, widths):
        fitting = [b for b in unused if arrays[b].size == width
                   and (arrays[b].ndim == 1 or 1 in arrays[b].shape)]
        fitting.sort(key=lambda b: (stem(b) != stem(weight), not _looks_like_bias(b), b))
        chosen.append(fitting[0] if fitting else None)
        if fitting:
            unused.remove(fitting[0])
    return chosen


def _chain(path: list[str], convention: str, widths: list[int], bias_keys: list[str | None],
           arrays: dict[str, np.ndarray]) -> Chain:
    mats = [arrays[n] if convention == "row" else arrays[n].T for n in path]
    return Chain(tuple(path), tuple(bias_keys),
                 tuple(np.asarray(m, dtype=np.float64).copy() for m in mats),
                 tuple(netmath.normalize_bias(arrays[b], w) if b else np.zeros(w)
                       for b, w in zip(bias_keys, widths)),
                 convention)


def _rank(chain: Chain, n_arrays: int) -> tuple[Any, ...]:
    """Fewest tensors left out, row convention, order agreeing with the names, w*/b* names."""
    names = chain.weight_keys
    return (n_arrays - len(chain.keys), chain.convention != "row",
            _inversions([order_key(n) for n in names]),
            sum(_looks_like_bias(n) or not _WEIGHT_PREFIX.match(n.lower()) for n in names),
            chain.keys)


def _chains(arrays: dict[str, np.ndarray], n_inputs: int | None) -> list[Chain]:
    """Every chain, best-ranked first (without the recorded-output test)."""
    weight_names, bias_names = _split(arrays)
    chains = []
    for convention in ("row", "column"):
        shapes = {n: (arrays[n].shape if convention == "row" else arrays[n].shape[::-1])
                  for n in weight_names}
        for path in _paths(shapes, n_inputs):
            widths = [shapes[n][1] for n in path]
            bias_keys = _assign_biases(path, widths, set(weight_names), arrays, bias_names)
            chains.append(_chain(path, convention, widths, bias_keys, arrays))
    return sorted(chains, key=lambda chain: _rank(chain, len(arrays)))


def recorded_pairs(n_in: int, n_out: int, objects: list[dict[str, Any]]
                   ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, inputs, outputs) pairs from arrays the student kept: e.g. X and probs = forward(X)."""
    arrays = [(o["name"], np.asarray(o["value"], dtype=np.float64)) for o in objects
              if o.get("kind") == "array" and np.asarray(o["value"]).dtype.kind == "f"]
    inputs = [(name, a if a.shape[1] == n_in else a.T) for name, a in arrays
              if a.ndim == 2 and n_in in a.shape]
    pairs = []
    for in_name, X in inputs:
        rows = X.shape[0]
        for out_name, values in arrays:
            # arrays of exact 0s and 1s are labels (targets), never a network's recorded outputs
            if out_name != in_name and values.size == rows * n_out and np.all(np.isfinite(values)) \
                    and not np.all((values == 0.0) | (values == 1.0)):
                shaped = values.T if values.ndim == 2 and values.shape == (n_out, rows) else values
                pairs.append((f"{out_name} (for inputs {in_name})", X, shaped.reshape(rows, n_out)))
    return pairs[:MAX_RECORDED_PAIRS]


def reproduces(chain: Chain, objects: list[dict[str, Any]]) -> bool:
    """Whether the chain, with some activations, gives outputs the student recorded."""
    for _, inputs, outputs in recorded_pairs(chain.sizes[0], chain.sizes[-1], objects):
        try:
            _, error = netmath.infer_activations(list(chain.weights), list(chain.biases), inputs,
                                                 outputs)
        except ValueError:
            continue
        if error <= REPRODUCE_TOLERANCE * max(1.0, float(np.max(np.abs(outputs), initial=0.0))):
            return True
    return False


def best_chain(objects: list[dict[str, Any]], n_inputs: int | None = None) -> Chain | None:
    """The best chain of a unit's trainable tensors (see the module docstring), if any."""
    ranked = _chains(trainable_arrays(objects), n_inputs)
    verified = next((c for c in ranked[:MAX_VERIFIED] if reproduces(c, objects)), None)
    return verified or (ranked[0] if ranked else None)
