"""Candidates identified by evidence: the networks the loops trained and the losses they followed.

For every network :mod:`grader.evidence` found in a unit's loop trace this builds a network
candidate (the final parameters, the activations the evidence showed, the data set it was
trained on) and a loss-history candidate: the student's own series when one matches the
losses the grader recomputes from the sampled parameters, else the grader's recomputation
itself. Where the parameters are those of an ``nn.Module`` or of weights the inventory
already holds, that candidate carries the evidence instead of a second copy. Each candidate
says what identified it (``data["evidence"]``); the rubric's names only break ties.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from grader.candidates import Candidate
from grader.checks.training import measure_updates
from grader.evidence import (Found, _layer_arrays, _losses, _targets, find_networks, forward,
                             state_inputs, target_state)
from grader.identify import identify
from grader.observed_updates import observed_updates, step_factors
from grader.looptrace import DataCall, Loop, LoopSample, LoopTrace

HISTORY_RTOL = 1e-3
STRIDES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)


def training_dataset(X: np.ndarray, calls: list[DataCall]) -> str | None:
    """``xor`` for inputs at (or clustered round) the four corners; else the generator whose
    data (all of it, or a split of it) has as many rows as the training inputs: ``moons`` for
    make_moons, ``circles``, ``blobs``, ... for the others. ``calls``: the latest first."""
    if X.shape[1] == 2 and X.shape[0] >= 4:
        corners = np.rint(X)
        if np.all(np.isin(corners, (0.0, 1.0))) and np.max(np.abs(X - corners)) < 0.45 \
                and len({tuple(r) for r in corners}) == 4:
            return "xor"
    generated = [(c.function, c.shapes[0][0]) for c in calls
                 if c.function in GENERATORS and c.shapes and len(c.shapes[0]) == 2]
    rows = X.shape[0]
    drawn = {GENERATORS[c.function] for c in calls if c.function in GENERATORS and c.shapes
             and X.size * c.shapes[0][0] <= MAX_COMPARED
             and (points := regenerated(c)) is not None and rows_within(X, points)}
    if len(drawn) == 1:  # the points themselves tell (row counts may agree by chance)
        return drawn.pop()
    for function, n in generated:
        if n == rows:
            return GENERATORS[function]
    for call in calls:
        if call.function != "train_test_split" or not call.args:
            continue
        source = call.args[0].get("shape") if isinstance(call.args[0], dict) else None
        if source and any(shape and shape[0] == rows for shape in call.shapes):
            for function, n in generated:
                if n == source[0]:
                    return GENERATORS[function]
    kinds = {GENERATORS[f] for f, _ in generated}
    if len(kinds) == 1:
        return kinds.pop()
    return None if kinds else ("moons" if rows >= 50 else None)


MAX_REGENERATED = 20_000
ROW_TOLERANCE = 1e-5
MAX_COMPARED = 2_000_000  # elements compared to tell where a data set's rows come from


REGENERABLE = {"make_moons": {"n_samples", "shuffle", "noise", "random_state"},
               "make_circles": {"n_samples", "shuffle", "noise", "random_state", "factor"}}


def regenerated(call: DataCall) -> np.ndarray | None:
    """The points a seeded generator call drew, drawn again from its plain arguments (None:
    unseeded, an argument that is not plain, too many points, or the call fails)."""
    plain = all(isinstance(v, (int, float, bool)) for v in (*call.args, *call.kwargs.values()))
    n = call.argument("n_samples", 0, 100)
    # only generators whose cost is bounded by n_samples (make_blobs' n_features, centers
    # or make_classification's sizes are the student's to choose: never drawn here)
    if call.function not in REGENERABLE or len(call.args) > 1 \
            or not set(call.kwargs) <= REGENERABLE[call.function] \
            or not plain or not isinstance(call.kwargs.get("random_state"), int) \
            or not isinstance(n, int) or not 0 < n <= MAX_REGENERATED:
        return None
    import sklearn.datasets  # noqa: PLC0415 - only where a generator was called

    try:
        points = getattr(sklearn.datasets, call.function)(*call.args, **call.kwargs)[0]
    except Exception:  # noqa: BLE001 - arguments the generator refuses tell nothing
        return None
    return np.asarray(points, dtype=np.float64)


def rows_within(X: np.ndarray, points: np.ndarray) -> bool:
    """Whether every row of ``X`` is one of ``points`` (to float32 precision)."""
    if X.ndim != 2 or points.ndim != 2 or X.shape[1] != points.shape[1] \
            or X.shape[0] > points.shape[0] or X.size * points.shape[0] > MAX_COMPARED:
        return False
    close_rows = np.abs(X[:, None, :] - points[None, :, :]) <= ROW_TOLERANCE * (1 + np.abs(X[:, None, :]))
    return bool(np.all(close_rows, axis=2).any(axis=1).all())


GENERATORS = {"make_moons": "moons", "make_circles": "circles", "make_blobs": "blobs",
              "make_classification": "classification"}


def _base(path: str | None) -> str | None:
    """``y`` for a batch ``y[idx]`` or ``y (labels)``; the path itself otherwise."""
    if path is None:
        return None
    path = path.removesuffix(" (labels)")
    return path[:-1].rsplit("[", 1)[0] if path.endswith("]") and "[" in path else path


def _rows_of_pairs(path: str, state: dict[str, np.ndarray]) -> np.ndarray | None:
    """``data[3][0]`` is one row of a list of (inputs, target) pairs: all of its rows."""
    match = re.fullmatch(r"(.+)\[(\d+)\]\[(\d+)\]", path)
    if match is None:
        return None
    name, column = match.group(1), match.group(3)
    rows = []
    for index in range(4096):
        row = state.get(f"{name}[{index}][{column}]")
        if row is None:
            break
        rows.append(row.reshape(-1))
    if len(rows) < 2 or len({r.size for r in rows}) != 1:
        return None
    return np.stack(rows)


def _full_inputs(found: Found, state: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """The whole training set where the loop fed one sample or a batch of it at a time."""
    base = found.inputs[:-1].rsplit("[", 1)[0] if found.inputs.endswith("]") else None
    if base is not None and base in state and state[base].ndim == 2:
        return state[base]
    if X.shape[0] > 1:
        return X
    rows = _rows_of_pairs(found.inputs, state)
    if rows is not None:
        return rows
    changed = found.loop.changed()
    for path, array in state.items():
        if path not in changed and array.ndim == 2 and array.shape[1] == X.shape[1] \
                and array.shape[0] > 1 and np.any(np.all(array == X[0], axis=1)):
            return array
    return X


def recomputed_losses(found: Found) -> tuple[list[int], dict[str, list[float]], str | None]:
    """Iterations and, per loss convention, the loss there of the parameters sampled.

    The parameters after iteration k are the ones iteration k + 1 computes its loss with (the
    ones before the loop: iteration 0), counted from the loop's entry. A loop that fed one
    sample or a batch at a time is judged on the whole training set it took them from."""
    iterations: list[int] = []
    by_loss: dict[str, list[float]] = {}
    base = found.loop.samples[0].iteration
    target_path = None
    for sample, state in zip(found.loop.samples, found.states):
        if sample.end:
            continue
        X = state_inputs(found, state)
        try:
            weights, biases = _layer_arrays(state, found.layout)
        except (KeyError, ValueError, IndexError):
            continue
        if X is None or X.shape[1] != weights[0].shape[0]:
            continue
        X = _full_inputs(found, state, X)
        with np.errstate(all="ignore"):
            out = forward(weights, biases, found.activations, X)
        wanted = _base(found.targets) if X.shape[0] != state_inputs(found, state).shape[0] \
            else found.targets
        targets = [(p, Y) for p, Y in _targets(target_state(found.loop, state, found.inputs),
                                                  out.shape[0], out.shape[1])
                   if (wanted is None or p == wanted or _base(p) == wanted)
                   and p != _base(found.inputs)]
        if not targets:
            continue
        target_path = targets[0][0]
        losses = _losses(out, targets[0][1])
        iterations.append(sample.iteration - base + (0 if sample.start else 1))
        for name, value in losses.items():
            by_loss.setdefault(name, []).append(value)
    lengths = {len(v) for v in by_loss.values()}
    if len(lengths) != 1 or len(set(iterations)) != len(iterations):
        return [], {}, None
    return iterations, by_loss, target_path


def _default_loss(found: Found) -> str:
    if found.loss:
        return found.loss
    if found.activations[-1] == "softmax":
        return "ce"
    if found.activations[-1] == "sigmoid":
        return "bce"
    return "mse"


def matching_series(values: np.ndarray, iterations: list[int], by_loss: dict[str, list[float]]
                    ) -> tuple[str, int] | None:
    """(loss, stride) such that ``values[j]`` is the loss at iteration ``stride * j``."""
    if values.size < 2:
        return None
    for stride in STRIDES:
        for loss, recomputed in by_loss.items():
            pairs = [(values[it // stride], r) for it, r in zip(iterations, recomputed)
                     if it % stride == 0 and it // stride < values.size]
            if len(pairs) >= 2 and all(abs(v - r) <= HISTORY_RTOL * max(abs(r), 1e-8) + 1e-9
                                       for v, r in pairs):
                return loss, stride
    return None


STEP_SPREAD = 1e-2  # relative spread of the step factor above which the steps are searched


def step_kind(found: Found) -> str | None:
    """"constant" when every sampled update is the same multiple of the gradient, else "searched"."""
    _loss, updates = observed_updates(found)
    scales = step_factors(updates)
    if len(scales) < 2:
        return None
    middle = float(np.median(scales))
    if middle <= 0:
        return None
    return "constant" if max(abs(s - middle) for s in scales) <= STEP_SPREAD * middle else "searched"


def from_torch_traces(traces: dict[str, Any], candidates: list[Candidate],
                      loops: dict[str, LoopTrace] | None = None) -> list[Candidate]:
    """Networks trained with autograd: evidence and step kind from their backward() trace, and
    their loss history: the student's series that holds the recorded losses, else those losses.
    ``loops``: each unit's loop trace, for the data generators it called."""
    out: list[Candidate] = []
    for unit, trace in traces.items():
        calls = list(reversed(loops[unit].calls)) if loops and unit in loops else []
        labels = unit_labels(loops[unit]) if loops and unit in loops else {}
        for stream in trace.streams():
            measured = [u for u in measure_updates(stream) if u.moved and u.step > 0]
            steps = [u.step for u in measured]
            kind = None
            if len(steps) >= 2:
                middle = float(np.median(steps))
                kind = "constant" if max(abs(s - middle) for s in steps) <= STEP_SPREAD * middle \
                    else "searched"
                # the same step every time is a fixed rate only where an optimizer's lr says so:
                # a hand-written search that accepts alpha0 every time takes one step too
                if kind == "constant" and not all(
                        u.lr is not None and abs(u.lr - middle) <= STEP_SPREAD * middle
                        for u in measured):
                    kind = None
            owner = None
            for candidate in candidates:
                if candidate.kind != "network" or candidate.unit != unit:
                    continue
                keys = set(candidate.keys)
                if stream.names and all(n in keys or n.startswith((f"{candidate.name}.",
                                                                   f"{candidate.name}["))
                                        for n in stream.names):
                    owner = owner or candidate
                    if kind is not None:
                        candidate.data.setdefault("steps", kind)
                    candidate.data.setdefault(
                        "evidence", f"its parameters are the ones {len(stream.samples)} recorded "
                                    f"backward() calls trained ({len(steps)} updates measured)")
            if owner is None:  # raw tensors no inventory network holds: identify them by evidence
                owner = _stream_network(unit, stream, kind, labels)
                if owner is not None:
                    out.append(owner)
            elif owner.data.get("origin") == "weights" and "found" not in owner.data:
                _identify_owner(unit, stream, owner, labels)
            if owner is not None and (trained_on := stream_dataset(stream, calls)) is not None:
                owner.data["datasets"] = frozenset({trained_on})  # not the file's other arrays
            if owner is not None:
                out.extend(_torch_history(unit, stream, candidates, owner, kind))
    return out


def stream_dataset(stream: Any, calls: list[DataCall]) -> str | None:
    """The data set a backward() stream trained on, from the two-column inputs its graphs saved
    (None when they show none, or disagree). ``calls``: the data generators, the latest first."""
    kinds = set()
    for sample in stream.samples:
        for data in sample.data:
            if data.ndim == 2 and data.shape[1] == 2 and data.shape[0] >= 4:
                kinds.add(training_dataset(data, calls))
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def unit_labels(trace: LoopTrace) -> dict[str, np.ndarray]:
    """The small whole-number arrays (0/1 labels, class indices) the unit's loops held as they
    started: the targets of a loss whose graph saved none (``((p - y) ** 2).mean()`` saves only
    the difference), at most :data:`MAX_LABELS` of them."""
    found: dict[str, np.ndarray] = {}
    for loop in trace.loops:
        if not loop.samples:
            continue
        for path, array in loop.samples[0].arrays.items():
            if len(found) >= MAX_LABELS or array.size > MAX_LABEL_ELEMENTS or array.ndim > 2 \
                    or array.size < 2 or path in found:
                continue
            if np.all(np.isfinite(array)) and np.all(array == np.rint(array)) \
                    and 0 <= array.min() and array.max() <= 9 and array.min() != array.max():
                found[path] = array
    return found


MAX_LABELS = 8
MAX_LABEL_ELEMENTS = 4_096


def _identify_owner(unit: str, stream: Any, owner: Candidate,
                    labels: dict[str, np.ndarray] | None = None) -> None:
    """Raw tensors an inventory network holds: the stream read as a loop shows how they form a
    network (its activations, its loss), as the loss they reproduce."""
    found = stream_network(unit, stream, labels)
    if found is not None and set(found.layout.paths) == set(owner.keys):
        owner.data["found"] = found


def stream_network(unit: str, stream: Any, labels: dict[str, np.ndarray] | None = None,
                   *, unowned: bool = False) -> Found | None:
    """The network a backward() stream trained, identified as a loop's (None: not shown).
    ``labels``: the unit's label arrays (:func:`unit_labels`), tried where the graphs saved no
    targets; ``unowned`` (tensors no inventory network holds): then tried once more without the
    ones :func:`missing_targets` drops, where the search ran out of work."""
    found = _stream_found(unit, stream_as_loop(stream))
    if found is None and labels:
        found = _stream_found(unit, stream_as_loop(stream, labels))
    fewer = missing_targets(stream, labels or {}) if unowned and found is None else {}
    if fewer and len(fewer) < len(labels or {}):
        found = _stream_found(unit, stream_as_loop(stream, fewer))
    return found


def missing_targets(stream: Any, labels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The label arrays that can be the targets the graphs did not save: one of each set of
    equal arrays (``y`` inside the function, ``Y`` outside), none the graphs saved (inputs).
    Each extra one multiplies the identification's work."""
    saved = [d for sample in stream.samples for d in sample.data]
    kept: dict[str, np.ndarray] = {}
    for path, array in labels.items():
        if not any(_same_array(array, other) for other in [*saved, *kept.values()]):
            kept[path] = array
    return kept


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a.astype(np.float64), b))


def _stream_found(unit: str, loop: Loop) -> Found | None:
    if len(loop.samples) < 3:
        return None
    found = find_networks(LoopTrace(unit, [loop], [], False))
    return found[0] if found else None


def stream_as_loop(stream: Any, labels: dict[str, np.ndarray] | None = None) -> Loop:
    """A backward() stream read as a loop: each recorded call an iteration holding the parameters,
    the data the graph saved (``data0``, ``data1``, ...), the ``labels`` given and the loss."""
    samples = []
    for sample in stream.samples:
        if not sample.values:
            continue
        arrays = {name: value.reshape(shape) for name, value, shape in
                  zip(sample.names, sample.values, sample.shapes)}
        arrays.update({f"data{i}": d for i, d in enumerate(sample.data)})
        arrays.update({f"labels:{path}": a for path, a in (labels or {}).items()})
        scalars = {"loss": sample.loss} if sample.loss is not None else {}
        samples.append(LoopSample(sample.call, False, arrays, scalars, seq=sample.call))
    return Loop(-1, 0, 0, "backward()", len(samples), samples)


def _stream_network(unit: str, stream: Any, kind: str | None,
                    labels: dict[str, np.ndarray] | None = None) -> Candidate | None:
    """The network of raw tensors a backward() stream trained, by the loss it reproduces."""
    network = stream_network(unit, stream, labels, unowned=True)
    if network is None:
        return None
    X = state_inputs(network, network.states[-1])
    dataset = training_dataset(X, []) if X is not None else None
    candidate = _network(unit, network, frozenset({dataset or "unknown"}), [])
    candidate.data.update(steps=kind, evidence="the parameters the recorded backward() calls "
                          "trained; " + network.evidence.split("; ", 1)[-1])
    return candidate


def _torch_history(unit: str, stream: Any, candidates: list[Candidate], owner: Candidate,
                   kind: str | None) -> list[Candidate]:
    points = [(s.call, s.loss) for s in stream.samples if s.loss is not None]
    if len(points) < 3:
        return []
    first = stream.samples[0].call
    iterations = [call - first for call, _ in points]
    losses = {"recorded": [loss for _, loss in points]}
    for candidate in candidates:
        if candidate.kind != "series" or candidate.unit != unit or candidate.data.get("evidence"):
            continue
        match = matching_series(np.asarray(candidate.data["values"], dtype=np.float64),
                                iterations, losses)
        if match is not None:
            every = "every iteration" if match[1] == 1 else f"every {match[1]} iterations"
            candidate.data.update(evidence=f"holds the losses the backward() calls training "
                                           f"{owner.name} were made on ({every})",
                                  steps=kind, network=owner.name)
            return []
    name = f"losses of the backward() calls training {owner.name}"
    values = np.asarray(losses["recorded"], dtype=np.float64)
    return [Candidate("series", unit, name, (name,), f"{values.size} numbers",
                      {"unit": unit, "name": name},
                      {"values": values, "iterations": iterations, "recomputed": True,
                       "steps": kind, "network": owner.name,
                       "datasets": owner.data.get("datasets") or frozenset(),
                       "evidence": f"no loss history was kept: these are the losses {values.size} "
                                   f"sampled backward() calls training {owner.name} were made on"})]


def _owner(found: Found, candidates: list[Candidate], unit: str) -> Candidate | None:
    """An inventory network whose parameters are the ones the loop changed."""
    paths = set(found.layout.paths)
    for candidate in candidates:
        if candidate.kind != "network" or candidate.unit != unit:
            continue
        if candidate.data.get("origin") == "module":
            prefix = candidate.name + "."
            if paths and all(p.startswith(prefix) for p in paths):
                return candidate
        else:
            keys = set(candidate.keys)
            inside = {f"{candidate.name}[{k!r}]" for k in keys} | {f"{candidate.name}.{k}" for k in keys}
            if (paths <= keys or paths <= inside) and _same_values(found, candidate):
                return candidate
    return None


def _same_values(found: Found, candidate: Candidate) -> bool:
    """The candidate holds the trained values (not another network under the same keys)."""
    final = {tuple(np.round(np.sort(w.ravel()), 6)) for w in found.weights}
    held = {tuple(np.round(np.sort(np.asarray(w, dtype=np.float64).ravel()), 6))
            for w in candidate.data.get("weights", [])}
    return final == held


def from_traces(loops: dict[str, LoopTrace], inventory_candidates: list[Candidate]
                ) -> list[Candidate]:
    """Evidence-identified candidates (networks, histories), marking inventory ones they confirm."""
    out: list[Candidate] = []
    for unit, trace in loops.items():
        calls = [c.function for c in trace.calls]
        for index, found in enumerate(identify(trace)):
            found.weights, found.biases = _final_parameters(trace, found)
            last_X = state_inputs(found, found.states[-1])
            if last_X is not None:
                last_X = _full_inputs(found, found.states[-1], last_X)
            before = [c for c in trace.calls if c.sample <= found.loop.samples[0].seq]
            dataset = training_dataset(last_X, before[::-1]) if last_X is not None else None
            datasets = frozenset({dataset or "unknown"})
            evidence = found.evidence
            steps = step_kind(found)
            owner = _owner(found, inventory_candidates, unit)
            if owner is not None:
                owner.data.update(evidence=evidence, datasets=datasets or owner.data.get("datasets"),
                                  trained_in=found.loop.key, found=found, steps=steps)
                if owner.data.get("origin") != "module":
                    # the arrangement the evidence verified (orientation, folds, activations)
                    owner.data.update(origin="trace", weights=found.weights, biases=found.biases,
                                      activations=found.activations, sizes=found.sizes,
                                      output_kind=_output_kind(found))
                network_name = owner.name
            else:
                network = _network(unit, found, datasets, calls)
                network.data["steps"] = steps
                out.append(network)
                network_name = network.name
            for history in _history(unit, found, inventory_candidates, datasets, network_name, index):
                history.data["steps"] = steps
                out.append(history)
    return out


def _final_parameters(trace: LoopTrace, found: Found) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The network as training left it: the state its loop was left in, else that of the
    innermost loop around it (an inner loop entered often is not sampled to its very end)."""
    if found.loop.samples[-1].end:  # the state this run of the loop was left in
        return found.weights, found.biases
    first, last = found.loop.samples[0].seq, found.loop.samples[-1].seq
    paths = set(found.layout.paths)
    around = [loop for loop in trace.loops if loop.samples and loop.samples[0].start
              and loop.samples[-1].end and loop.samples[0].seq <= first
              and loop.samples[-1].seq >= last and paths <= set(loop.states()[-1])]
    if around:  # the innermost loop around it that was left with its state recorded
        outer = max(around, key=lambda loop: loop.samples[0].seq)
        try:
            return _layer_arrays(outer.states()[-1], found.layout)
        except (KeyError, ValueError, IndexError):
            pass
    return found.weights, found.biases


def _output_kind(found: Found) -> str:
    return "logit" if found.activations[-1] == "identity" and found.loss in (
        "bce_logits", "ce_logits") else "probability"


def _network(unit: str, found: Found, datasets: frozenset[str], calls: list[str]) -> Candidate:
    sizes = found.sizes
    paths = found.layout.paths
    label = ", ".join(paths)
    acts = found.activations
    output_kind = _output_kind(found)
    return Candidate("network", unit, label, tuple(paths),
                     f"weights {'→'.join(str(s) for s in sizes)} trained in {found.loop.where}",
                     {"unit": unit, "name": paths[0]},
                     {"origin": "trace", "array_type": "any", "weights": found.weights,
                      "biases": found.biases, "activations": acts, "plain": True, "sizes": sizes,
                      "container": "loop", "convention": "column" if found.layout.column else "row",
                      "evidence": found.evidence, "output_kind": output_kind,
                      "trained_in": found.loop.key, "datasets": datasets, "calls": calls,
                      "found": found,
                      "student_arrays": {p: found.states[-1][p] for p in paths},
                      "weight_keys": list(found.layout.weights),
                      "bias_keys": list(found.layout.biases)})


def _history(unit: str, found: Found, inventory: list[Candidate], datasets: frozenset[str],
             network: str, index: int) -> list[Candidate]:
    iterations, by_loss, _targets_path = recomputed_losses(found)
    if len(iterations) < 2:
        return []
    for candidate in inventory:
        if candidate.kind != "series" or candidate.unit != unit:
            continue
        values = np.asarray(candidate.data["values"], dtype=np.float64)
        match = matching_series(values, iterations, by_loss)
        if match is not None:
            loss, stride = match
            found.history_loss = loss
            every = "every iteration" if stride == 1 else f"every {stride} iterations"
            candidate.data.update(
                steps=step_kind(found),
                evidence=f"matches the {loss} losses the grader recomputed from the parameters "
                         f"sampled in {found.loop.where} ({every})",
                datasets=datasets, network=network, trained_in=found.loop.key)
            return []
    loss = _default_loss(found)
    values = np.asarray(by_loss.get(loss) or next(iter(by_loss.values())), dtype=np.float64)
    name = f"recomputed losses of {found.loop.where}"
    return [Candidate("series", unit, name, (name,), f"{values.size} numbers",
                      {"unit": unit, "name": name},
                      {"values": values, "iterations": iterations, "recomputed": True,
                       "datasets": datasets, "network": network, "trained_in": found.loop.key,
                       "evidence": f"no loss history was kept: the grader recomputed the {loss} "
                                   f"loss at {values.size} sampled iterations of {found.loop.where}"})]
