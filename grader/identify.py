"""Identify each loop's network: by what the code computed, else by the updates it applied.

The first route (:func:`grader.evidence.find_networks`) needs an output or a loss the loop's
frame held. Code that trains in a function updating globals in place (``backpropagation(X,
y, lr)`` called in the loop) leaves only the parameters themselves in the loop's frame; for
it the second route asks which network (chain, activations, loss) has gradients that the
observed updates are an exact negative multiple of, at two sampled pairs of iterations.
Both are trusted code over validated samples.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from grader.evidence import (HIDDEN, WORK, Found, Work, WorkExhausted, _inputs, _layer_arrays,
                             aliases, by_priority,
                             _layouts, _ones_column, _pools, _targets, _with_input_fold,
                             Layout, cut_layout, find_networks, resolve, spend, target_state)
from grader.flat_params import readings
from grader.looptrace import Loop, LoopTrace
from grader.observed_updates import _gradients

UPDATE_TOLERANCE = 1e-6   # NumPy float64 updates against float64 gradients
MAX_LAYOUTS = 8
UPDATE_WORK = 1_000_000_000  # about 3,000 gradient computations of a small network
OUTERMOST_WORK = UPDATE_WORK // 10  # telling nested loops' gradient steps apart, per unit
FAMILIES_ONE = ("mse", "bce", "bce_logits")     # one loss per direction family (scale aside)
FAMILIES_MANY = ("mse", "ce", "ce_logits")


def _data(found: Found, state: dict[str, np.ndarray], k: int
          ) -> tuple[np.ndarray, np.ndarray] | None:
    """The inputs and targets iteration's work used, by their paths, in ``state``."""
    X = resolve(state, found.inputs)
    labels = found.targets.endswith(" (labels)")
    Y = resolve(state, found.targets.removesuffix(" (labels)"))
    if X is None or Y is None:
        return None
    X = X.reshape(1, -1) if X.ndim == 1 else X
    fold = found.layout.folded[0]
    if fold is not None:
        X = np.delete(X, fold, axis=1)
    if labels:
        Y = np.eye(k)[Y.reshape(-1).astype(int)]
    return (X, Y.reshape(X.shape[0], k)) if Y.size == X.shape[0] * k else None


def _explains(found: Found, b: int, k: int, loss: str) -> bool:
    before, after = found.states[b - 1], found.states[b]
    data = _data(found, after, k)
    if data is None:
        return False
    X, Y = data
    spend(max(3 * X.shape[0] * sum(before[p].size for p in found.layout.weights if p in before),
              300_000))  # an autograd call costs ~300k flops' time
    try:
        grads = _gradients(found, before, X, Y, loss)
    except (RuntimeError, ValueError, KeyError, IndexError):
        return False
    if grads is None:
        return False
    scales = []
    for path in found.layout.paths:
        g, d = grads[path].ravel(), (after[path] - before[path]).ravel()
        gg, dd = float(g @ g), float(d @ d)
        if gg == 0.0 or dd == 0.0:
            return False  # every parameter of a network trained by gradient descent moves
        s = -float(g @ d) / gg
        if s <= 0 or float(np.linalg.norm(d + s * g)) > UPDATE_TOLERANCE * np.sqrt(dd) + 1e-12:
            return False
        scales.append(s)
    return len(scales) == len(found.layout.paths)


MAX_COMBINATIONS = 6  # (inputs, targets) readings tried per layout


def _stem(path: str) -> str:
    """What a data array's name says beyond X or y: ``_tr`` of ``X_tr``, ``train`` of ``y_train``."""
    base = path.removesuffix(" (labels)").removesuffix(".T").split("[", 1)[0]
    return base[1:].lstrip("_").lower() if base[:1].lower() in "xy" else base.lower()


def _index(path: str) -> str | None:
    """The index array's name of a batch ``X[idx]`` (not a literal: ``data[:][0]`` is a field)."""
    path = path.removesuffix(" (labels)")
    index = path[:-1].rsplit("[", 1)[1] if path.endswith("]") and "[" in path else None
    return index if index is not None and index.isidentifier() else None


def _combinations(data: dict[str, np.ndarray], own: set[str], rows: int, layout: Any,
                  last: dict[str, np.ndarray], whole: bool = False
                  ) -> list[tuple[str, np.ndarray, str]]:
    """(inputs path, inputs, targets path) readings, the likeliest first: inputs and targets
    picked by the same index array, named alike (``X_tr`` with ``y_tr``), full data before
    batches of it. ``whole``: where no index array picks batches, the inputs with the most
    samples first (a flat vector's loss over the data in scope, not a tuple of its sizes)."""
    inputs = _inputs({p: v for p, v in data.items() if p not in own}, rows)
    last_weight = last[layout.weights[-1]]
    k = 1 if last_weight.ndim == 1 else (last_weight.shape[0] if layout.column else last_weight.shape[1])
    batches = any(_index(p) is not None for p, _ in inputs)  # an index array changes: mini-batches
    most = max((X.shape[0] if X.ndim == 2 else 1 for _, X in inputs), default=0)
    found = []
    for in_path, raw_X in inputs:
        for target_path, _Y in _targets(data, raw_X.shape[0] if raw_X.ndim == 2 else 1, k):
            if target_path.removesuffix(" (labels)") == in_path:
                continue
            part = whole and not batches and (raw_X.shape[0] if raw_X.ndim == 2 else 1) < most
            score = (part, _index(in_path) != _index(target_path),
                     (_index(in_path) is None) == batches, _stem(in_path) != _stem(target_path))
            found.append((score, in_path, raw_X, target_path))
    found.sort(key=lambda item: item[0])
    return [(p, X, t) for _, p, X, t in found[:MAX_COMBINATIONS]]


def by_updates(loop: Loop) -> Found | None:
    """The network whose true gradients the loop's updates follow, if exactly one reading fits."""
    pairs = loop.consecutive()[:2]
    if len(pairs) < 2:
        return None
    states = loop.states()
    pools = _pools(loop)
    for layout in _layouts(loop, states, pools[0])[:MAX_LAYOUTS] if pools else []:
        found = _fit(loop, states, layout, pairs)
        if found is not None:
            return found
    return None


def by_flat_updates(loop: Loop) -> Found | None:
    """:func:`by_updates` for a flat parameter vector (``theta``): the first cut of it
    (:mod:`grader.flat_params`, bounded) whose layers' true gradients, recomputed in float64,
    the sampled updates are exact negative multiples of."""
    pairs = loop.consecutive()[:2]
    if len(pairs) < 2:
        return None
    for derived in readings(loop):
        states = derived.states()
        found = _fit(derived, states, cut_layout(derived.cut), pairs,
                     f"{derived.cut.describe()}; ", whole=True)
        if found is not None:
            return found
    return None


def _fit(loop: Loop, states: list[dict[str, np.ndarray]], layout: Layout, pairs: list[int],
         read: str = "", whole: bool = False) -> Found | None:
    """The first (inputs, targets, activations, loss) reading of ``layout`` whose gradients
    explain the updates at both sampled ``pairs``; ``read`` opens the evidence's reading,
    ``whole`` orders the data readings (:func:`_combinations`)."""
    first = states[-1][layout.weights[0]]
    rows = first.shape[1] if layout.column else first.shape[0]
    after = states[pairs[0]]
    data = target_state(loop, after, "")
    own = aliases(loop, states, layout.paths)
    for in_path, raw_X, target_path in _combinations(data, own, rows, layout, states[-1], whole):
        fold = _ones_column(raw_X)
        use = _with_input_fold(layout, fold)
        X = np.delete(raw_X, fold, axis=1) if fold is not None else raw_X
        try:
            weights, _ = _layer_arrays(states[pairs[0] - 1], use)
        except (KeyError, ValueError, IndexError):
            return None
        if X.shape[1] != weights[0].shape[0]:
            continue
        k = weights[-1].shape[1]
        outputs = ("sigmoid", "softmax", "identity") if k > 1 else ("sigmoid", "identity")
        hidden = HIDDEN if len(weights) > 1 else ("identity",)
        for h, o, loss in itertools.product(hidden, outputs,
                                            FAMILIES_MANY if k > 1 else FAMILIES_ONE):
            acts = tuple([h] * (len(weights) - 1)) + (o,)
            candidate = Found(loop, use, [], [], acts, loss, in_path, target_path, "", states)
            if all(_explains(candidate, b, k, loss) for b in pairs):
                final_w, final_b = _layer_arrays(states[-1], use)
                return Found(loop, use, final_w, final_b, acts, loss, in_path, target_path,
                             f"changed in {loop.where} ({loop.iterations} iterations); {read}every "
                             f"sampled update is an exact negative multiple of the gradient of "
                             f"the {loss} loss of this network on `{in_path}`", states)
    return None


def identify(trace: LoopTrace, work: Work | None = None) -> list[Found]:
    """One network per loop that trained one, by the best evidence available, within ``work``."""
    token = WORK.set(work or Work())
    try:
        found = {f.loop.key: f for f in find_networks(trace)}
    finally:
        WORK.reset(token)
    work = Work(unit=UPDATE_WORK, loop=UPDATE_WORK // 3)  # the second route's own budget
    token = WORK.set(work)
    try:
        for loop in by_priority(trace.loops):
            if loop.key in found:
                work.next_loop()
                try:
                    network = by_updates(loop) if _one_sample_misfit(found[loop.key]) else None
                except WorkExhausted:
                    network = None
                if network is not None:
                    found[loop.key] = network
            elif len(loop.samples) >= 3:
                work.next_loop()
                try:
                    network = by_updates(loop) or by_flat_updates(loop)
                except WorkExhausted:
                    network = None
                if network is not None:
                    found[loop.key] = network
    finally:
        WORK.reset(token)
    return _outermost([found[i] for i in sorted(found)])


def _one_sample_misfit(found: Found) -> bool:
    """A network found from one point's forward pass (the last ``x`` of a loop over the data)
    whose updates that point's gradient does not explain: an epoch's step over all of it, for
    :func:`by_updates` to read on the whole data."""
    pairs = found.loop.consecutive()[:2]
    if not pairs:
        return False
    after = found.states[pairs[0]]
    X = resolve(after, found.inputs)
    if X is None or (X.ndim == 2 and X.shape[0] > 1):
        return False
    k = found.weights[-1].shape[1]
    losses = FAMILIES_MANY if k > 1 else FAMILIES_ONE
    targets = [found.targets] if found.targets is not None else [
        p for p, _Y in _targets(target_state(found.loop, after, found.inputs), 1, k)][:3]
    return not any(_explains(dataclasses.replace(found, targets=t), pairs[0], k, loss)
                   for t in targets for loss in losses)


def _steps_explained(found: Found) -> bool:
    """Whether the loop's first sampled update is a step along the gradient of some loss of
    this network on the inputs it was found on (each iteration one gradient step)."""
    pairs = found.loop.consecutive()[:1]
    if not pairs:
        return False
    k = found.weights[-1].shape[1]
    losses = [found.loss] if found.loss in (FAMILIES_MANY + FAMILIES_ONE) else \
        list(FAMILIES_MANY if k > 1 else FAMILIES_ONE)
    after = found.states[pairs[0]]
    targets = [found.targets] if found.targets is not None else [
        p for p, _Y in _targets(target_state(found.loop, after, found.inputs),
                                _rows(found, after), k)][:3]
    return any(_explains(dataclasses.replace(found, targets=t), pairs[0], k, loss)
               for t in targets for loss in losses)


def _rows(found: Found, state: dict[str, np.ndarray]) -> int:
    """How many samples the network's inputs hold in ``state`` (0: none there)."""
    X = resolve(state, found.inputs)
    return 0 if X is None else (1 if X.ndim == 1 else X.shape[0])


def _outermost(found: list[Found]) -> list[Found]:
    """One network per set of parameters: where nested loops all show it (a list updated
    element by element in inner loops), the loop around the others, whose iterations are
    whole training steps; unless the inner loop's iterations are gradient steps and the outer
    one's are not (mini-batches inside an epoch that also kept its full-data outputs)."""
    def span(f: Found) -> tuple[int, int]:
        return f.loop.samples[0].seq, f.loop.samples[-1].seq

    def encloses(outer: Found, inner: Found) -> bool:
        return outer is not inner and set(outer.layout.paths) == set(inner.layout.paths) \
            and span(outer)[0] <= span(inner)[0] and span(outer)[1] >= span(inner)[1] \
            and span(outer) != span(inner)

    explained: dict[int, bool] = {}
    work = Work(unit=OUTERMOST_WORK, loop=OUTERMOST_WORK)  # all the comparisons together

    def steps(f: Found) -> bool:
        if id(f) not in explained:
            token = WORK.set(work)
            try:
                explained[id(f)] = _steps_explained(f)
            except WorkExhausted:
                explained[id(f)] = False  # unknown: the outer loop is kept, as before
            finally:
                WORK.reset(token)
        return explained[id(f)]

    def inner_steps(outer: Found, inner: Found) -> bool:
        return steps(inner) and not steps(outer)

    return [f for f in found
            if not any(encloses(g, f) and not inner_steps(g, f) for g in found)
            and not any(encloses(f, g) and inner_steps(f, g) for g in found)]
