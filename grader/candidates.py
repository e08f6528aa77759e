"""Turn the child's inventory into typed candidates and choose one per rubric target.

This is the trusted half of discovery: the child only lists what its namespace holds;
here the grader rebuilds networks from weights (an ``nn.Module``'s Linear chain, globals
``W1, b1, ...``, a dict ``params['W1']``, an object's ``self.W1``, or trainable tensors
under the student's own names chained by shape: :mod:`grader.weight_chains`), collects number
series, scalers and functions, and picks for each target the candidate whose name ranks
first among the rubric's names, then the first in a fixed order. Every choice says what
was used and what else was considered; a miss says what was looked for and what exists.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import netmath
from grader.rubric import TargetSpec
from grader.weight_chains import Chain, best_chain

_WEIGHT = re.compile(r"^(?:w|weight|weights|theta)_?(\d+)$", re.IGNORECASE)
_BIAS = re.compile(r"^(?:b|bias|biases)_?(\d+)$", re.IGNORECASE)
_ACTIVATION_MODULES = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "Identity": "identity",
                       "ELU": "elu", "LeakyReLU": "leaky_relu", "Softmax": "softmax"}
_PASS_THROUGH = {"Dropout", "Flatten"}


@dataclass(frozen=True)
class Candidate:
    """Something found in the student's namespace that a target may use."""

    kind: str  # network | series | scaler | function
    unit: str
    name: str
    keys: tuple[str, ...]
    summary: str
    probe_target: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.summary}) in {self.unit}"


@dataclass(frozen=True)
class Choice:
    """The outcome of looking for one target."""

    target: TargetSpec
    candidate: Candidate | None
    considered: tuple[str, ...]
    message: str


def _sizes(weights: list[np.ndarray]) -> tuple[int, ...]:
    return (weights[0].shape[0], *[w.shape[1] for w in weights])


def _arrow(sizes: tuple[int, ...]) -> str:
    return "→".join(str(s) for s in sizes)


def module_network(unit: str, record: dict[str, Any]) -> Candidate | None:
    """A plain Linear chain from an nn.Module record; activations known when registered."""
    params = dict((name, array) for name, array in record["params"])
    linear_paths, activations, gaps = [], [], []
    pending: list[str] = []
    plain = True
    for layer in record["layers"]:
        if layer["type"] == "Linear":
            if linear_paths:
                gaps.append(pending)
            linear_paths.append(layer["path"])
            pending = []
        elif layer["type"] == "LeakyReLU" and layer.get("negative_slope", 0.01) != 0.01:
            slope = float(layer["negative_slope"])
            if 0.0 < slope < 1.0:
                pending.append(f"leaky_relu:{slope:g}")
            else:
                plain = False
        elif layer["type"] in _ACTIVATION_MODULES:
            pending.append(_ACTIVATION_MODULES[layer["type"]])
        elif layer["type"] not in _PASS_THROUGH:
            plain = False
    if not linear_paths:
        return None
    gaps.append(pending)
    weights, biases = [], []
    for path in linear_paths:
        prefix = f"{path}." if path else ""
        W = params.get(f"{prefix}weight")
        if W is None:
            return None
        weights.append(np.asarray(W, dtype=np.float64).T.copy())
        b = params.get(f"{prefix}bias")
        biases.append(np.zeros(W.shape[0]) if b is None else np.asarray(b, dtype=np.float64))
    if any(prev.shape[1] != nxt.shape[0] for prev, nxt in zip(weights, weights[1:])):
        plain = False
    if all(len(g) == 1 for g in gaps[:-1]) and len(gaps[-1]) <= 1 and any(gaps):
        activations = tuple([g[0] for g in gaps[:-1]] + [gaps[-1][0] if gaps[-1] else "identity"])
    else:
        activations = None
    sizes = _sizes(weights)
    return Candidate("network", unit, record["name"], (record["name"],),
                     f"nn.Module {record['class']} {_arrow(sizes)}",
                     {"unit": unit, "name": record["name"]},
                     {"origin": "module", "array_type": "tensor", "weights": weights,
                      "biases": biases, "activations": activations, "plain": plain,
                      "sizes": sizes, "container": "module", "class": record["class"],
                      "param_names": [n for n, _ in record["params"]]})


def indexed_network(unit: str, name: str, items: dict[str, np.ndarray], container: str,
                    array_types: dict[str, str], n_inputs: int | None) -> Candidate | None:
    """Weights named W1, b1, W2, ... (globals, dict keys or attributes) as a network."""
    weights: dict[int, str] = {}
    biases: dict[int, str] = {}
    for key in items:
        if (match := _WEIGHT.match(key)) and items[key].ndim == 2:
            weights[int(match.group(1))] = key
        elif match := _BIAS.match(key):
            biases[int(match.group(1))] = key
    order = sorted(weights)
    if not order or order != list(range(order[0], order[0] + len(order))):
        return None
    oriented = netmath.orient_chain([items[weights[i]] for i in order], n_inputs)
    if oriented is None:
        return None
    mats, convention = oriented
    bias_list = []
    for index, W in zip(order, mats):
        try:
            bias_list.append(netmath.normalize_bias(items[biases[index]], W.shape[1])
                             if index in biases else np.zeros(W.shape[1]))
        except ValueError:
            return None
    keys = [weights[i] for i in order] + [biases[i] for i in order if i in biases]
    kinds = {array_types.get(k, "ndarray") for k in keys}
    sizes = _sizes(mats)
    label = ", ".join(keys) if container == "globals" else name
    return Candidate("network", unit, label, tuple([name] + keys if container != "globals" else keys),
                     f"weights {_arrow(sizes)} ({convention} convention, {container})",
                     {"unit": unit, "name": name},
                     {"origin": "weights", "array_type": kinds.pop() if len(kinds) == 1 else "mixed",
                      "weights": mats, "biases": bias_list, "activations": None, "plain": True,
                      "sizes": sizes, "container": container, "convention": convention,
                      "student_arrays": {k: items[k] for k in keys},
                      "weight_keys": [weights[i] for i in order],
                      "bias_keys": [biases.get(i) for i in order]})


def named_network(unit: str, objects: list[dict[str, Any]], n_inputs: int | None
                  ) -> Candidate | None:
    """Trainable global tensors under the student's own names, chained by their shapes."""
    chain: Chain | None = best_chain(objects, n_inputs)
    if chain is None:
        return None
    keys, sizes = chain.keys, chain.sizes
    arrays = {o["name"]: np.asarray(o["value"]) for o in objects if o.get("kind") == "array"}
    return Candidate("network", unit, ", ".join(keys), keys,
                     f"weights {_arrow(sizes)} ({chain.convention} convention, globals, "
                     "grouped by their shapes)",
                     {"unit": unit, "name": keys[0]},
                     {"origin": "weights", "array_type": "tensor", "weights": list(chain.weights),
                      "biases": list(chain.biases), "activations": None, "plain": True,
                      "sizes": sizes, "container": "globals", "convention": chain.convention,
                      "student_arrays": {k: arrays[k] for k in keys},
                      "weight_keys": list(chain.weight_keys), "bias_keys": list(chain.bias_keys)})


def unit_datasets(objects: list[dict[str, Any]]) -> frozenset[str]:
    """Which of the lab's data sets a file holds: XOR's four 0/1 points, or a moons-sized cloud."""
    found = set()
    for record in objects:
        if record.get("kind") != "array":
            continue
        value = np.asarray(record["value"])
        if value.ndim != 2 or 2 not in value.shape:
            continue
        rows = value.shape[0] if value.shape[1] == 2 else value.shape[1]
        if rows == 4 and np.all(np.isin(value, (0, 1))):
            found.add("xor")
        elif rows >= 50 and value.dtype.kind == "f":
            found.add("moons")
    return frozenset(found)


def build_candidates(inventory: list[dict[str, Any]], n_inputs: int | None = None) -> list[Candidate]:
    """Every candidate in the inventory, in unit order then name order.

    A malformed record (the child is untrusted) is skipped rather than trusted.
    """
    found: list[Candidate] = []
    for unit_record in inventory:
        try:
            unit = str(unit_record["unit"])
            objects = [o for o in unit_record["objects"] if isinstance(o, dict)]
            datasets = unit_datasets(objects)
            arrays = [o for o in objects if o.get("kind") == "array"]
            globals_arrays = {o["name"]: np.asarray(o["value"]) for o in arrays}
            globals_types = {o["name"]: o["source"] for o in arrays}
            chain = indexed_network(unit, "W1", globals_arrays, "globals", globals_types, n_inputs)
            if chain is None:
                chain = named_network(unit, objects, n_inputs)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        unit_found = [chain] if chain is not None else []
        for record in objects:
            try:
                unit_found.extend(_from_record(unit, record, n_inputs))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                continue
        for candidate in unit_found:
            candidate.data["datasets"] = datasets
        found.extend(unit_found)
    return found


def _from_record(unit: str, record: dict[str, Any], n_inputs: int | None) -> list[Candidate]:
    kind, name = record["kind"], record["name"]
    target = {"unit": unit, "name": name}
    if kind == "module":
        network = module_network(unit, record)
        return [network] if network else []
    if kind in ("array_dict", "instance"):
        items = {k: np.asarray(v) for k, v, _ in record["items"]}
        sources = {k: source for k, _, source in record["items"]}
        container = "dict" if kind == "array_dict" else "instance"
        network = indexed_network(unit, name, items, container, sources, n_inputs)
        out = [network] if network else []
        if kind == "instance":
            for attr, values in record["series"]:
                out.append(Candidate("series", unit, f"{name}.{attr}", (f"{name}.{attr}", attr),
                                     f"{len(values)} numbers", target, {"values": values}))
            for method in record["methods"]:
                out.append(Candidate("function", unit, f"{name}.{method}", (method,),
                                     f"method of {record['class']}",
                                     {**target, "method": method}, {"instance": name}))
            if network is not None:
                network.data["methods"] = list(record["methods"])
        return out
    if kind == "series" or (kind == "array" and record["value"].ndim == 1
                            and record["value"].size >= 2 and record["value"].dtype.kind == "f"):
        values = np.asarray(record["value"], dtype=np.float64)
        return [Candidate("series", unit, name, (name,), f"{values.size} numbers", target,
                          {"values": values})]
    if kind == "scaler":
        return [Candidate("scaler", unit, name, (name,), record["class"], target,
                          {"mean": record["mean"], "scale": record["scale"]})]
    if kind == "function":
        return [Candidate("function", unit, name, (name,),
                          f"function({', '.join(record['parameters'])})", target,
                          {"parameters": record["parameters"]})]
    return []


def _fits(spec: TargetSpec, candidate: Candidate) -> bool:
    if candidate.kind != spec.kind:
        return False
    datasets = candidate.data.get("datasets") or frozenset()
    if spec.dataset and datasets and spec.dataset not in datasets:
        return False
    if spec.kind != "network":
        return True
    data = candidate.data
    origin = data["origin"]
    if origin not in spec.origins and not (origin == "trace" and "weights" in spec.origins):
        return False
    if spec.array_type != "any" and data["array_type"] not in (spec.array_type, "any"):
        return False
    sizes = data["sizes"]
    if spec.inputs is not None and sizes[0] != spec.inputs:
        return False
    if spec.outputs is not None and sizes[-1] != spec.outputs:
        return False
    if spec.outputs_max is not None and sizes[-1] > spec.outputs_max:
        return False
    return spec.hidden_max is None or all(s <= spec.hidden_max for s in sizes[1:-1])


def network_size(candidate: Candidate) -> tuple[int, int]:
    """``(parameters, widest layer)`` of a network candidate: weights and biases, inputs included."""
    data = candidate.data
    parameters = sum(int(np.size(w)) for w in data["weights"]) \
        + sum(int(np.size(b)) for b in data["biases"])
    return parameters, max(int(s) for s in data["sizes"])


def over_bound(spec: TargetSpec, candidate: Candidate) -> str | None:
    """Why the grader will not evaluate this network for ``spec`` (None: within its bounds).

    Checked before any of the grader's own numerics on the network, whose time and memory
    grow with its size (see ``TargetSpec.params_max`` and ``width_max``)."""
    if spec.kind != "network" or candidate.kind != "network":
        return None
    parameters, width = network_size(candidate)
    if parameters <= spec.params_max and width <= spec.width_max:
        return None
    return (f"{candidate.label} has {parameters:,} parameters and layers up to {width:,} units "
            f"wide: for {spec.description or spec.id} the grader evaluates networks of at most "
            f"{spec.params_max:,} parameters with at most {spec.width_max:,} units per layer, "
            "so it did not evaluate this one. The lab's networks need far fewer.")


def _rank(spec: TargetSpec, candidate: Candidate) -> int:
    for index, pattern in enumerate(spec.names):
        if any(fnmatch.fnmatchcase(key.lower(), pattern.lower()) for key in candidate.keys):
            return index
    return len(spec.names)


def _tier(candidate: Candidate) -> int:
    """0: identified by evidence; 1: found by name and shape; 2: recomputed by the grader."""
    if candidate.data.get("recomputed"):
        return 2
    return 0 if candidate.data.get("evidence") else 1


def _elsewhere(candidate: Candidate, trained: str | None) -> bool:
    """A history the trace ties to another network than the one it is judged beside."""
    owner = candidate.data.get("network") if candidate.kind == "series" else None
    return bool(trained and owner and owner != trained)


def _contradicts(spec: TargetSpec, candidate: Candidate) -> bool:
    """The training's observed step sizes say otherwise: searched steps for a fixed-rate target.
    (Steps that all look alike do not rule out a search: one that accepts alpha0 every time
    takes the same step, so they contradict nothing.)"""
    observed = candidate.data.get("steps")
    return bool(spec.steps == "constant" and observed == "searched")


def is_parameter(series: Candidate, candidates: list[Candidate]) -> bool:
    """Whether a series candidate holds a network's bias or weight vector (``b1_gd = b1`` kept
    after training), not a history: its values are those of a network's parameter."""
    values = np.asarray(series.data.get("values", ()), dtype=np.float64).ravel()
    for network in candidates:
        if network.kind != "network" or network.unit != series.unit:
            continue
        for array in [*network.data.get("weights", []), *network.data.get("biases", [])]:
            if array is not None and np.size(array) == values.size and np.array_equal(
                    np.asarray(array, dtype=np.float64).ravel(), values):
                return True
    return False


def choose(spec: TargetSpec, candidates: list[Candidate],
           taken: dict[str, Candidate | None], trained: str | None = None) -> Choice:
    """The candidate for one target; ``taken`` holds earlier choices for ``distinct_from``;
    ``trained``: for a history, the network it goes with (histories the trace ties to another
    network come after the others)."""
    excluded = {id(taken[t]) for t in spec.distinct_from if taken.get(t) is not None}
    fitting = [c for c in candidates if _fits(spec, c) and id(c) not in excluded
               and not (spec.kind == "series" and is_parameter(c, candidates))]
    if not spec.fallback:  # a candidate identified by what the code did needs no name
        fitting = [c for c in fitting if _rank(spec, c) < len(spec.names) or c.data.get("evidence")]
    # Evidence first (what the training did), then the rubric's names, then the order found; a
    # history the grader recomputed only where the student kept none under a fitting name.
    ranked = sorted(range(len(fitting)), key=lambda i: (
        _elsewhere(fitting[i], trained), _tier(fitting[i]), _contradicts(spec, fitting[i]),
        _rank(spec, fitting[i]), i))
    considered = tuple(fitting[i].label for i in ranked)
    if not ranked:
        kind_found = [c.label for c in candidates if c.kind == spec.kind][:8]
        wanted = spec.description or f"a {spec.kind}"
        names = ", ".join(spec.names[:12]) or "any"
        tried = "names tried first" if spec.fallback else "names accepted"
        found = "; ".join(kind_found) if kind_found else f"no {spec.kind} at all"
        return Choice(spec, None, (), f"The grader looked for {wanted} ({tried}: {names}) and "
                      f"found none that fits. Found: {found}.")
    best = fitting[ranked[0]]
    others = f"; also considered: {', '.join(considered[1:4])}" if len(considered) > 1 else ""
    evidence = best.data.get("evidence")
    why = f" — identified by evidence: {evidence}" if evidence else " — chosen by its name and shape"
    return Choice(spec, best, considered, f"used {best.label}{why}{others}")
