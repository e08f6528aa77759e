"""Why a loop's updates are not ``-lr * gradient``: mistakes tested against the observed steps.

Each hypothesis predicts, from the parameters before one sampled iteration, the "gradient"
a particular backpropagation mistake would have produced: a hidden activation's derivative
written wrong, the error propagated through weights already updated, a weight gradient
transposed, a bias gradient summed over every axis. The observed update of each parameter
is compared with the prediction (is it a multiple of it?). A hypothesis that explains every
parameter's step where the true gradient does not is the diagnosis. Trusted float64 code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.evidence import Found
from grader.gradient_hypotheses import hidden_mistakes
from grader.observed_updates import Update, _pairs, _true_gradients

EXPLAINED = 1e-2      # direction residual a hypothesis must reach on every parameter
MUCH_BETTER = 100.0   # ... and how much better than the true gradient it must fit


@dataclass(frozen=True)
class Explanation:
    """A mistake whose predicted gradients the observed updates follow."""

    slug: str
    diagnosis: str
    parameters: tuple[str, ...]       # the parameters whose step the mistake changes
    residual: float                   # worst direction residual over every parameter
    true_residual: float              # the same for the true gradient
    evidence: dict[str, Any] = field(default_factory=dict)
    predicted: dict[tuple[int, str], np.ndarray] = field(default_factory=dict, repr=False,
                                                         compare=False)


def direction_residual(delta: np.ndarray, predicted: np.ndarray) -> float:
    """|delta + s p| / |delta| for the best s (0: delta is exactly a multiple of p)."""
    d, p = np.ravel(delta), np.ravel(predicted)
    dd, pp = float(d @ d), float(p @ p)
    if dd == 0.0:
        return 0.0 if pp == 0.0 else 1.0
    if pp == 0.0:
        return 1.0
    s = -float(p @ d) / pp
    return float(np.linalg.norm(d + s * p)) / np.sqrt(dd)


def _worst(updates: Sequence[Update], predicted: dict[tuple[int, str], np.ndarray]) -> dict[str, float]:
    worst: dict[str, float] = {}
    for u in updates:
        p = predicted.get((u.iteration, u.path))
        r = 1.0 if p is None or p.shape != u.delta.shape else direction_residual(u.delta, p)
        worst[u.path] = max(worst.get(u.path, 0.0), r)
    return worst


def _changed(updates: Sequence[Update], predicted: dict[tuple[int, str], np.ndarray]) -> tuple[str, ...]:
    """The parameters whose predicted gradient differs from the true one."""
    paths: list[str] = []
    for u in updates:
        p = predicted.get((u.iteration, u.path))
        differs = p is None or p.shape != u.grad.shape or direction_residual(u.grad, p) > 1e-9
        if differs and u.path not in paths:
            paths.append(u.path)
    return tuple(paths)


def _sample_numbers(updates: Sequence[Update], path: str,
                    predicted: dict[tuple[int, str], np.ndarray]) -> dict[str, Any]:
    """The first few numbers of one parameter's observed step beside -s * each prediction."""
    u = next(u for u in updates if u.path == path)
    g, d = np.ravel(u.grad), np.ravel(u.delta)
    s = -float(g @ d) / max(float(g @ g), 1e-300)
    row: dict[str, Any] = {"iteration": u.iteration, "parameter": path,
                           "observed": [float(x) for x in d[:4]],
                           "minus_lr_gradient": [float(x) for x in (-s * g)[:4]], "factor": s}
    p = predicted.get((u.iteration, path))
    if p is not None and p.shape == u.delta.shape:
        q = np.ravel(p)
        t = -float(q @ d) / max(float(q @ q), 1e-300)
        row["hypothesis"] = [float(x) for x in (-t * q)[:4]]
    return row


def _backward_hypotheses(found: Found, loss: str, target: int, updates: Sequence[Update]
                         ) -> list[tuple[str, str, dict[tuple[int, str], np.ndarray]]]:
    """(slug, diagnosis, predicted gradient per (iteration, path)) of mistaken backward passes."""
    hidden = set(found.activations[:-1])
    options: list[tuple[str, str, dict[str, Any]]] = []
    if len(found.activations) >= 2 and len(hidden) == 1:
        options += [(slug, text, {"derivative": derivative})
                    for slug, text, derivative in hidden_mistakes(found.activations[0])]
    options.append(("updated_before_propagated", "", {"through": "after"}))
    options += _wrong_matrix_options(found)
    iterations = {u.iteration for u in updates}
    results = []
    for slug, text, how in options:
        predicted: dict[tuple[int, str], np.ndarray] = {}
        for b in _pairs(found):
            iteration = found.loop.samples[b].iteration
            if iteration not in iterations:
                continue
            before, after = found.states[b - 1], found.states[b]
            kwargs = dict(how)
            if kwargs.get("through") == "after":
                kwargs["through"] = {p: after[p] for p in found.layout.weights}
            elif isinstance(kwargs.get("through"), tuple):  # (layer, its stand-in, transposed)
                layer, other, flip = kwargs["through"]
                kwargs["through"] = {layer: before[other].T if flip else before[other]}
            try:
                grads = _true_gradients(found, before, after, loss, target, **kwargs)
            except ValueError:
                grads = None
            if grads is None:
                break
            predicted.update({(iteration, p): g for p, g in grads.items()})
        else:
            results.append((slug, text, predicted))
    return results


def _wrong_matrix_options(found: Found) -> list[tuple[str, str, dict[str, Any]]]:
    """The error sent back through the wrong weights: another layer's matrix of the same shape,
    or a square matrix untransposed (``d @ W`` where ``d @ W.T`` is needed)."""
    weights = list(found.layout.weights)
    state = found.states[-1] if found.states else {}
    shapes = {w: np.shape(state.get(w)) for w in weights}
    options = []
    for layer in weights[1:]:  # the first layer sends no error back
        for other in weights:
            if other != layer and shapes[other] == shapes[layer]:
                options.append(("wrong_matrix", f"the error reaching {{names}} is propagated back "
                                f"through `{other}` instead of `{layer}`: the backward pass uses "
                                "the wrong layer's weight matrix (each layer's delta goes back "
                                "through that layer's own weights)", {"through": (layer, other, False)}))
        if len(shapes[layer]) == 2 and shapes[layer][0] == shapes[layer][1] > 1:
            options.append(("untransposed", f"the error reaching {{names}} is propagated back "
                            f"through `{layer}` untransposed (d @ W where d @ W.T is needed, or "
                            "the reverse): with a square matrix the shapes fit either way",
                            {"through": (layer, layer, True)}))
    return options[:12]


def _transposed(updates: Sequence[Update], path: str) -> dict[tuple[int, str], np.ndarray]:
    """One square weight's gradient transposed."""
    return {(u.iteration, u.path): (u.grad.T if u.path == path else u.grad) for u in updates}


def _square(updates: Sequence[Update]) -> list[str]:
    return sorted({u.path for u in updates
                   if u.grad.ndim == 2 and u.grad.shape[0] == u.grad.shape[1] > 1})


def _same_step(updates: Sequence[Update], path: str) -> dict[tuple[int, str], np.ndarray]:
    """Every unit of one bias given the same step: the sum of its true gradient's entries."""
    return {(u.iteration, u.path): (np.full(u.grad.shape, float(u.grad.sum()))
                                    if u.path == path else u.grad) for u in updates}


def _bias_over_units(found: Found, loss: str, target: int, updates: Sequence[Update]
                     ) -> list[tuple[str, str, dict[tuple[int, str], np.ndarray]]]:
    """A bias gradient summed over the units (``np.sum(dZ, axis=1)``) instead of the samples:
    one number per sample, which broadcasts into a bias only as wide as the batch is long."""
    sizes = {u.path: u.grad.size for u in updates}
    iterations = {u.iteration for u in updates}
    per_sample: dict[int, dict[str, np.ndarray]] = {}
    for b in _pairs(found):
        iteration = found.loop.samples[b].iteration
        if iteration in iterations:
            grads = _true_gradients(found, found.states[b - 1], found.states[b], loss, target,
                                    per_sample_bias=True)
            if grads is not None:
                per_sample[iteration] = grads
    options = []
    for bias in (b for b in found.layout.biases if b is not None and sizes.get(b, 0) > 1):
        predicted = {}
        for u in updates:
            dz = per_sample.get(u.iteration, {}).get(u.path)
            if u.path == bias and dz is not None and dz.ndim == 2 and dz.shape[0] == u.grad.size:
                predicted[(u.iteration, u.path)] = dz.sum(axis=1).reshape(u.grad.shape)
            elif u.path != bias:
                predicted[(u.iteration, u.path)] = u.grad
        if any(p == bias for _, p in predicted):
            options.append(("bias_units_axis", "the bias gradient is summed over the wrong "
                            "axis: over the units (np.sum(dZ, axis=1)) instead of over the samples "
                            "(axis=0), so each entry of the bias gets one sample's sum; it only "
                            "fits because there are as many samples as units (broadcasting hides "
                            "it)", predicted))
    return options


MAX_ORDERS = 24  # orders of a flat gradient's pieces tried (every order of four pieces)


def _reassigned(found: Found, updates: Sequence[Update]
                ) -> list[tuple[str, str, dict[tuple[int, str], np.ndarray]]]:
    """Gradients paired with the wrong parameters: a flat gradient concatenated in another
    order than its parameter vector is laid out (each piece then takes what the other order
    puts at its offsets), or two parameters of one size swapping their gradients (a list of
    gradients in another order than the list of parameters)."""
    grads = {(u.iteration, u.path): u.grad for u in updates}
    iterations = sorted({u.iteration for u in updates})
    cut = getattr(found.loop, "cut", None)
    options: list[tuple[str, str, dict[tuple[int, str], np.ndarray]]] = []
    if cut is not None:
        pieces = list(cut.pieces)
        paths = [p.path(cut.vector) for p in pieces]
        for order in itertools.islice(itertools.permutations(range(len(pieces))), 1, MAX_ORDERS + 1):
            predicted: dict[tuple[int, str], np.ndarray] = {}
            for it in iterations:
                if not all((it, p) in grads for p in paths):
                    continue
                flat = np.concatenate([grads[(it, paths[i])].ravel() for i in order])
                for piece, path in zip(pieces, paths):
                    predicted[(it, path)] = flat[piece.start:piece.stop].reshape(grads[(it, path)].shape)
            roles = ", ".join(pieces[i].role for i in order)
            layout = ", ".join(p.role for p in pieces)
            options.append(("flat_order", f"the gradient is concatenated in another order than "
                            f"`{cut.vector}` is laid out: the parameters are [{layout}] but the "
                            f"gradient vector is [{roles}], so {{names}} {{take}} the gradient of "
                            "other layers (build the gradient in the same order as the parameters)",
                            predicted))
        return options
    sizes = {u.path: u.grad.size for u in updates}
    names = sorted(sizes)
    for a, b in itertools.combinations(names, 2):
        if sizes[a] != sizes[b] or len(options) >= MAX_ORDERS:
            continue
        predicted = {}
        for (it, path), g in grads.items():
            other = b if path == a else a if path == b else None
            source = grads.get((it, other)) if other is not None else g
            if source is not None:
                predicted[(it, path)] = source.reshape(g.shape)
        options.append(("swapped", f"`{a}` is stepped by the gradient of `{b}` and `{b}` by the "
                        f"gradient of `{a}`: the gradients are paired with the wrong parameters "
                        "(the gradients are in another order than the parameters they update)",
                        predicted))
    return options


def explain(found: Found, loss: str, updates: Sequence[Update], target: int = 0
            ) -> Explanation | None:
    """The mistake that explains the observed updates where the true gradient does not."""
    if not updates:
        return None
    truth = _worst(updates, {(u.iteration, u.path): u.grad for u in updates})
    true_worst = max(truth.values())
    if true_worst <= 1e-6:
        return None
    candidates: list[tuple[str, str, dict[tuple[int, str], np.ndarray]]] = []
    candidates += _backward_hypotheses(found, loss, target, updates)
    candidates += [("transposed", "", _transposed(updates, p)) for p in _square(updates)]
    candidates += [("bias_all_axes", "", _same_step(updates, b)) for b in found.layout.biases
                   if b is not None and any(u.path == b and u.grad.size > 1 for u in updates)]
    candidates += _reassigned(found, updates)
    candidates += _bias_over_units(found, loss, target, updates)
    best: Explanation | None = None
    for slug, text, predicted in candidates:
        worst = _worst(updates, predicted)
        residual = max(worst.values())
        if residual > EXPLAINED or residual * MUCH_BETTER > true_worst:
            continue
        changed = tuple(p for p in _changed(updates, predicted) if truth.get(p, 0.0) > residual)
        if not changed:
            continue
        if best is None or residual < best.residual:
            evidence = _sample_numbers(updates, max(changed, key=lambda p: truth[p]), predicted)
            best = Explanation(slug, _text(slug, text, changed, found), changed, residual,
                               true_worst, evidence, predicted)
    return best


def _text(slug: str, text: str, changed: tuple[str, ...], found: Found) -> str:
    names = ", ".join(f"`{p}`" for p in changed)
    if slug == "transposed":
        return (f"the gradient of {names} is transposed: each step is a multiple of the transpose of "
                "its true gradient, as from a product taken in the wrong order (e.g. dZ.T @ X "
                "instead of X.T @ dZ)")
    if slug == "bias_all_axes":
        return (f"every unit of {names} gets the same step: the bias gradient is summed over every "
                "axis (np.sum(dZ) without axis) instead of over the samples only, so it is summed "
                "over the wrong axis")
    if slug == "updated_before_propagated":
        weights = [w for w in found.layout.weights[1:]]
        through = ", ".join(f"`{w}`" for w in weights) or "the next layer's weights"
        return (f"the error reaching {names} was propagated back through {through} after "
                f"{'they were' if len(weights) > 1 else 'it was'} already updated: the weights "
                "were updated before the gradient was propagated through them (compute every "
                "gradient first, then update)")
    if slug == "flat_order":
        text = text.replace("{take}", "takes" if len(changed) == 1 else "take")
    return text.replace("{names}", names)
