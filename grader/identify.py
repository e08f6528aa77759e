"""Identify each loop's network: by what the code computed, else by the updates it applied.

The first route (:func:`grader.evidence.find_networks`) needs an output or a loss the loop's
frame held. Code that trains in a function updating globals in place (``backpropagation(X,
y, lr)`` called in the loop) leaves only the parameters themselves in the loop's frame; for
it the second route asks which network (chain, activations, loss) has gradients that the
observed updates are an exact negative multiple of, at two sampled pairs of iterations.
Both are trusted code over validated samples.
"""

from __future__ import annotations

import itertools

import numpy as np

from grader.evidence import (HIDDEN, WORK, Found, Work, WorkExhausted, _inputs, _layer_arrays,
                             _layouts, _ones_column, _pools, _targets, _with_input_fold, data_state,
                             find_networks, spend)
from grader.looptrace import Loop, LoopTrace
from grader.observed_updates import _gradients

UPDATE_TOLERANCE = 1e-6   # NumPy float64 updates against float64 gradients
MAX_LAYOUTS = 8
FAMILIES_ONE = ("mse", "bce", "bce_logits")     # one loss per direction family (scale aside)
FAMILIES_MANY = ("mse", "ce", "ce_logits")


def _explains(found: Found, b: int, X: np.ndarray, Y: np.ndarray, loss: str) -> bool:
    before, after = found.states[b - 1], found.states[b]
    spend(3 * X.shape[0] * sum(before[p].size for p in found.layout.weights if p in before))
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
        if dd == 0.0 and gg == 0.0:
            continue
        if gg == 0.0 or dd == 0.0:
            return False
        s = -float(g @ d) / gg
        if s <= 0 or float(np.linalg.norm(d + s * g)) > UPDATE_TOLERANCE * np.sqrt(dd) + 1e-12:
            return False
        scales.append(s)
    return bool(scales)


def _consecutive(loop: Loop) -> list[int]:
    return [i for i in range(1, len(loop.samples))
            if loop.samples[i].iteration == loop.samples[i - 1].iteration + 1
            and not loop.samples[i].end and not loop.samples[i - 1].end][:2]


def by_updates(loop: Loop) -> Found | None:
    """The network whose true gradients the loop's updates follow, if exactly one reading fits."""
    pairs = _consecutive(loop)
    if len(pairs) < 2:
        return None
    states = loop.states()
    pools = _pools(loop)
    for layout in _layouts(loop, states, pools[0])[:MAX_LAYOUTS] if pools else []:
        first = states[-1][layout.weights[0]]
        rows = first.shape[1] if layout.column else first.shape[0]
        after = states[pairs[0]]
        data = data_state(loop, after, "")
        own = set(layout.paths)
        for in_path, raw_X in _inputs({p: v for p, v in data.items() if p not in own}, rows):
            fold = _ones_column(raw_X)
            use = _with_input_fold(layout, fold)
            X = np.delete(raw_X, fold, axis=1) if fold is not None else raw_X
            try:
                weights, _ = _layer_arrays(states[pairs[0] - 1], use)
            except (KeyError, ValueError, IndexError):
                break
            if X.shape[1] != weights[0].shape[0]:
                continue
            k = weights[-1].shape[1]
            outputs = ("sigmoid", "identity", "softmax") if k > 1 else ("sigmoid", "identity")
            hidden = HIDDEN if len(weights) > 1 else ("identity",)
            for (target_path, Y), h, o, loss in itertools.product(
                    _targets(data, X.shape[0], k), hidden, outputs,
                    FAMILIES_MANY if k > 1 else FAMILIES_ONE):
                acts = tuple([h] * (len(weights) - 1)) + (o,)
                candidate = Found(loop, use, [], [], acts, loss, in_path, target_path, "", states)
                if all(_explains(candidate, b, X, Y, loss) for b in pairs):
                    final_w, final_b = _layer_arrays(states[-1], use)
                    return Found(loop, use, final_w, final_b, acts, loss, in_path, target_path,
                                 f"changed in {loop.where} ({loop.iterations} iterations); every "
                                 f"sampled update is an exact negative multiple of the gradient of "
                                 f"the {loss} loss of this network on `{in_path}`", states)
    return None


def identify(trace: LoopTrace, work: Work | None = None) -> list[Found]:
    """One network per loop that trained one, by the best evidence available, within ``work``."""
    work = work or Work()
    token = WORK.set(work)
    try:
        found = {f.loop.id: f for f in find_networks(trace)}
        for loop in trace.loops:
            if loop.id not in found and len(loop.samples) >= 3:
                work.next_loop()
                try:
                    network = by_updates(loop)
                except WorkExhausted:
                    network = None
                if network is not None:
                    found[loop.id] = network
    finally:
        WORK.reset(token)
    return [found[i] for i in sorted(found)]
