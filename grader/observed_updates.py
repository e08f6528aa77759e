"""The updates a loop applied to a network, next to the true gradient at the same parameters.

For a network identified in a loop trace (:mod:`grader.evidence`), each pair of consecutive
sampled iterations gives the update the code applied to every parameter array (``after -
before``, in the student's own layout: ``(1, n)`` biases, ``W @ X`` matrices, a folded ones
row). The grader recomputes, in float64 torch autograd, the gradient of each standard loss
with respect to those same arrays at the *before* parameters, on the loop's inputs and
targets, and keeps the loss whose gradients explain the updates best. Trusted code only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from grader.evidence import (Found, _gradient_named, _layer_arrays, _losses, _targets, forward,
                             state_inputs, target_state)
from grader.looptrace import spread
from grader.gradient_hypotheses import Derivative, hidden_activation
from grader.netmath import torch_activation

MAX_UPDATES = 4
MAX_SEARCHED = 24  # line-search steps judged per loop
MAX_TARGETS = 3  # target readings tried where the evidence did not say which array they are
LOSSES = ("mse", "half_mse", "sse", "half_sse", "bce", "bce_sum", "ce", "ce_sum", "bce_logits",
          "ce_logits")

@dataclass(frozen=True)
class Update:
    """One parameter's step between two consecutive iterations, and the true gradient there."""

    iteration: int
    path: str
    delta: np.ndarray
    grad: np.ndarray


def _loss(out: torch.Tensor, Y: torch.Tensor, loss: str) -> torch.Tensor:
    sq = (out - Y) ** 2
    if loss in ("mse", "half_mse", "sse", "half_sse"):
        total = sq.mean() if loss.endswith("mse") else sq.sum()
        return 0.5 * total if loss.startswith("half") else total
    if loss == "bce_logits":
        return torch.nn.functional.binary_cross_entropy_with_logits(out, Y)
    if loss == "ce_logits":
        return -(Y * torch.log_softmax(out, dim=1)).sum(dim=1).mean()
    p = out.clamp(1e-12, 1 - 1e-12)
    if loss in ("bce", "bce_sum"):
        value = -(Y * torch.log(p) + (1 - Y) * torch.log(1 - p))
    else:
        value = -(Y * torch.log(p)).sum(dim=1)
    return value.mean() if loss in ("bce", "ce") else value.sum()


def _exact_loss(z: torch.Tensor, out: torch.Tensor, Y: torch.Tensor, loss: str, act: str
                ) -> torch.Tensor:
    """The loss, from the pre-activation where the output is a sigmoid or softmax: exact where
    the outputs saturate (a clamped log would zero the gradient the code's A - Y still has)."""
    if act == "sigmoid" and loss in ("bce", "bce_sum"):
        value = torch.nn.functional.binary_cross_entropy_with_logits(z, Y, reduction="none")
        return value.mean() if loss == "bce" else value.sum()
    if act == "softmax" and loss in ("ce", "ce_sum"):
        value = -(Y * torch.log_softmax(z, dim=1)).sum(dim=1)
        return value.mean() if loss == "ce" else value.sum()
    return _loss(out, Y, loss)


def _gradients(found: Found, state: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
               loss: str, *, derivative: Derivative | None = None,
               through: dict[str, np.ndarray] | None = None,
               per_sample_bias: bool = False) -> dict[str, np.ndarray] | None:
    """The gradient of ``loss`` with respect to every parameter array, in float64 autograd.

    ``derivative``: the hidden layers' activation derivative to backpropagate with instead of
    the true one (a hypothesis about a mistake). ``through``: the weights the error is
    propagated back through, where they differ from the forward pass's (weights updated
    before the gradient was propagated through them). ``per_sample_bias``: each bias's
    gradient is returned per sample, (m, units): the layer's dZ."""
    layout = found.layout
    tensors = {p: torch.tensor(state[p], dtype=torch.float64, requires_grad=True)
               for p in layout.paths}
    a = torch.from_numpy(np.asarray(X, dtype=np.float64))
    fold0 = layout.folded[0]
    if fold0 is not None:  # the inputs carried the ones column: put it back where it was
        ones = torch.ones(a.shape[0], 1, dtype=torch.float64)
        a = torch.cat([a[:, :fold0], ones, a[:, fold0:]], dim=1)
    last = len(layout.weights) - 1
    for index, (path, bias, act) in enumerate(zip(layout.weights, layout.biases, found.activations)):
        W = _oriented(tensors[path], layout.column)
        fold = layout.folded[index] if index else None
        if fold is not None:
            ones = torch.ones(a.shape[0], 1, dtype=torch.float64)
            a = torch.cat([ones, a] if fold == 0 else [a, ones], dim=1)
        if through is not None and index and path in through:
            back = _oriented(torch.from_numpy(np.asarray(through[path], dtype=np.float64)),
                             layout.column)
            z = a.detach() @ W + a @ back - (a @ back).detach()  # value a W, error back through `back`
        else:
            z = a @ W
        if bias is not None and per_sample_bias:
            rows = tensors[bias].detach().reshape(1, -1).expand(a.shape[0], -1).clone()
            tensors[bias] = rows.requires_grad_(True)
            z = z + rows
        elif bias is not None:
            z = z + tensors[bias].reshape(-1)
        if derivative is not None and index < last:
            a = hidden_activation(z, act, derivative)
        else:
            a = torch_activation(act)(z)
    if a.shape != Y.shape:
        return None
    value = _exact_loss(z, a, torch.from_numpy(Y), loss, found.activations[-1])
    grads = torch.autograd.grad(value, list(tensors.values()), allow_unused=True)
    return {p: (np.zeros(tuple(t.shape)) if g is None else g.numpy().copy())
            for (p, t), g in zip(tensors.items(), grads)}


def _oriented(W: torch.Tensor, column: bool) -> torch.Tensor:
    """A weight array as the (in, out) matrix of ``a @ W``."""
    return W.reshape(-1, 1) if W.dim() == 1 else (W.T if column else W)


def _pair_data(found: Found, after: dict[str, np.ndarray], target: int
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """The inputs and the ``target``-th reading of the targets one iteration used (in scope
    after it)."""
    X = state_inputs(found, after)
    if X is None:
        return None
    targets = [Y for p, Y in _targets(target_state(found.loop, after, found.inputs),
                                      X.shape[0], found.weights[-1].shape[1])
               if found.targets is None or p == found.targets][target:target + 1]
    return (X, targets[0]) if targets else None


def _true_gradients(found: Found, before: dict[str, np.ndarray], after: dict[str, np.ndarray],
                    loss: str, target: int, **hypothesis: Any) -> dict[str, np.ndarray] | None:
    """The gradient of ``loss`` at the parameters before one iteration, on the data it used
    (``hypothesis``: a mistaken backward pass, see :func:`_gradients`)."""
    data = _pair_data(found, after, target)
    if data is None:
        return None
    try:
        return _gradients(found, before, data[0], data[1], loss, **hypothesis)
    except (RuntimeError, ValueError, KeyError, IndexError):
        return None


def batch_rows(found: Found) -> int | None:
    """How many samples (rows of the inputs) the first measured update was computed on."""
    for b in _pairs(found)[:1]:
        data = _pair_data(found, found.states[b], 0)
        if data is not None:
            return int(data[0].shape[0])
    return None


def step_factors(updates: list[Update]) -> list[float]:
    """The factor s of each update delta = -s * grad (updates that moved along a gradient)."""
    factors = []
    for u in updates:
        gg = float(u.grad.ravel() @ u.grad.ravel())
        if gg > 0 and float(u.delta.ravel() @ u.delta.ravel()) > 0:
            factors.append(-float(u.grad.ravel() @ u.delta.ravel()) / gg)
    return factors


def _converged(found: Found, before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> bool:
    """A step too small to tell anything (training has converged to rounding noise)."""
    moved = sum(float(np.sum((after[p] - before[p]) ** 2)) for p in found.layout.paths)
    size = sum(float(np.sum(before[p] ** 2)) for p in found.layout.paths)
    return moved <= 1e-20 * max(size, 1e-300)


HUGE = 1e100  # a parameter past this has diverged: its squares would overflow float64


def diverging(found: Found, *states: dict[str, np.ndarray]) -> bool:
    """A parameter is non-finite or huge in one of these states (a diverging training, whose
    steps say nothing the grader can measure)."""
    return any(not np.all(np.abs(np.asarray(state[p], dtype=float)) < HUGE)
               for state in states for p in found.layout.paths if p in state)


def _pairs(found: Found) -> list[int]:
    """Consecutive sample pairs whose updates are measured, spread over the loop."""
    return spread(found.loop.consecutive(), MAX_UPDATES)


def _residual(updates: list[Update]) -> float:
    """How far the updates are from being a multiple of the gradient, one per parameter (0:
    exactly). The sign is left to the descent check: a layer updated with ``+=`` still shows
    which loss's gradient it follows."""
    worst = 0.0
    for u in updates:
        g, d = u.grad.ravel(), u.delta.ravel()
        gg, dd = float(g @ g), float(d @ d)
        if dd == 0.0 and gg == 0.0:
            continue
        if gg == 0.0 or dd == 0.0:
            worst = max(worst, 1.0)
            continue
        s = -float(g @ d) / gg
        worst = max(worst, float(np.linalg.norm(d + s * g)) / np.sqrt(dd))
    return worst


def observed_updates(found: Found, rates: tuple[float, ...] = ()) -> tuple[str | None, list[Update]]:
    """(the loss that explains the updates best, the updates with its gradients).

    Losses that differ only by a constant factor (mean or sum, halved or not) explain the
    directions equally well; among those, the one whose step factor is one of ``rates``
    (the learning rates the code holds) is taken.
    """
    best: tuple[float, str | None, list[Update]] = (float("inf"), None, [])
    scored: list[tuple[float, str, list[Update]]] = []
    pairs = _pairs(found)
    states = found.states
    readings = [(loss, target) for target in range(MAX_TARGETS if found.targets is None else 1)
                for loss in ([found.loss] if found.loss in LOSSES else [])
                + [l for l in LOSSES if l != found.loss]]
    for loss, target in readings:
        updates: list[Update] = []
        for b in pairs:
            before, after = states[b - 1], states[b]
            grads = _true_gradients(found, before, after, loss, target)
            if grads is None:
                continue
            if diverging(found, before, after) or _converged(found, before, after):
                continue
            for path in found.layout.paths:
                updates.append(Update(found.loop.samples[b].iteration, path,
                                      after[path] - before[path], grads[path]))
        if updates:
            # directions first; then a reading whose step factor stays the same (a wrong target
            # still points a one-sample step the right way, but by a factor that keeps changing)
            # ... and before both, how many parameters the loss explains at all: a mistake in
            # one layer's backward leaves the other layers pointing along the right loss
            residual = 2.0 * _unexplained(updates) + _residual(updates) \
                + 1e-3 * min(_spread(updates), 1.0)
            scored.append((residual, loss, updates))
            if residual < best[0]:
                best = (residual, loss, updates)
            if loss == found.loss and residual <= 1e-4 and (not rates or _rate_matches(updates, rates)):
                return loss, updates  # the loss the code itself computed explains every step
    for residual, loss, updates in scored:
        if residual <= best[0] + 1e-3 and _rate_matches(updates, rates):
            return loss, updates
    return best[1], best[2]


def _unexplained(updates: list[Update], tolerance: float = 1e-2) -> int:
    """The parameters some of whose updates are not a multiple of their gradient."""
    wrong = set()
    for u in updates:
        g, d = u.grad.ravel(), u.delta.ravel()
        gg, dd = float(g @ g), float(d @ d)
        if dd == 0.0 and gg == 0.0:
            continue
        if gg == 0.0 or dd == 0.0 or \
                float(np.linalg.norm(d + (-float(g @ d) / gg) * g)) > tolerance * np.sqrt(dd):
            wrong.add(u.path)
    return len(wrong)


def _spread(updates: list[Update]) -> float:
    """Relative spread of the step factor over the sampled iterations."""
    scales = step_factors(updates)
    if len(scales) < 2:
        return 0.0
    middle = float(np.median(scales))
    return max(abs(x - middle) for x in scales) / max(abs(middle), 1e-300)


def _rate_matches(updates: list[Update], rates: tuple[float, ...]) -> bool:
    """The median step factor is one of the learning rates the code holds."""
    scales = step_factors(updates)
    if not scales or not rates:
        return False
    rate = float(np.median(scales))
    return any(abs(rate - r) <= 1e-2 * r for r in rates)


@dataclass(frozen=True)
class SearchedStep:
    """One whole update of a line-searched training: its step size and the losses around it."""

    iteration: int
    step: float          # a in w' = w - a g (one a for every parameter), NaN if none fits
    residual: float      # how far the update is from -a g
    grad_sq: float       # |g|^2 over every parameter
    loss_before: float
    loss_after: float
    sample: int = 0      # the sample after the update (its parameters before are sample - 1)


def _loss_value(found: Found, state: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                loss: str) -> float:
    """The loss at ``state``, computed as exactly as the gradients are (from the logits where
    the output is a sigmoid or softmax: a saturated output gives a large loss, not infinity)."""
    if loss in ("bce", "bce_sum", "ce", "ce_sum") and found.activations[-1] in ("sigmoid",
                                                                                "softmax"):
        with torch.no_grad():
            value = _network_loss(found, state, X, Y, loss)
        if value is not None:
            return float(value)
    weights, biases = _layer_arrays(state, found.layout)
    with np.errstate(all="ignore"):
        out = forward(weights, biases, found.activations, X)
    return float(_losses(out, Y).get(loss, float("nan")))


def _network_loss(found: Found, state: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                  loss: str) -> torch.Tensor | None:
    weights, biases = _layer_arrays(state, found.layout)
    a = torch.from_numpy(np.asarray(X, dtype=np.float64))
    z = a
    for W, b, act in zip(weights, biases, found.activations):
        z = a @ torch.from_numpy(W) + torch.from_numpy(b)
        a = torch_activation(act)(z)
    if a.shape != Y.shape:
        return None
    return _exact_loss(z, a, torch.from_numpy(np.asarray(Y, dtype=np.float64)), loss,
                       found.activations[-1])


def searched_steps(found: Found, loss: str) -> list[SearchedStep]:
    """Every sampled consecutive update (up to MAX_SEARCHED, spread over the loop) as one step
    a along -gradient of ``loss``: a search that misbehaves only now and then must be seen."""
    steps = []
    for b in spread(found.loop.consecutive(), MAX_SEARCHED):
        before, after = found.states[b - 1], found.states[b]
        data = _pair_data(found, after, 0)
        grads = _true_gradients(found, before, after, loss, 0)
        if grads is None or data is None:
            continue
        X, Y = data
        g = np.concatenate([grads[p].ravel() for p in found.layout.paths])
        d = np.concatenate([(after[p] - before[p]).ravel() for p in found.layout.paths])
        gg, dd = float(g @ g), float(d @ d)
        if gg == 0.0 or dd == 0.0:
            continue
        a = -float(g @ d) / gg
        residual = float(np.linalg.norm(d + a * g)) / np.sqrt(dd)
        steps.append(SearchedStep(found.loop.samples[b].iteration, a, residual, gg,
                                  _loss_value(found, before, X, Y, loss),
                                  _loss_value(found, after, X, Y, loss), b))
    return steps


def loss_along(found: Found, loss: str, step: SearchedStep, a: float) -> float | None:
    """The loss at w - a g from the parameters before ``step`` (a trial the search could take)."""
    line = line_along(found, loss, step)
    return None if line is None else line(a)


def line_along(found: Found, loss: str, step: SearchedStep) -> Callable[[float], float] | None:
    """a -> the loss at w - a g from the parameters before ``step`` (the gradient computed once)."""
    before, after = found.states[step.sample - 1], found.states[step.sample]
    data = _pair_data(found, after, 0)
    grads = _true_gradients(found, before, after, loss, 0)
    if data is None or grads is None:
        return None

    def line(a: float) -> float:
        trial = {**before, **{p: before[p] - a * grads[p] for p in found.layout.paths}}
        return _loss_value(found, trial, data[0], data[1], loss)
    return line


def first_searched_step(found: Found, loss: str) -> SearchedStep | None:
    """The loop's first update (from the state it was entered with), where both were sampled."""
    samples = found.loop.samples
    if len(samples) < 2 or not samples[0].start or not samples[1].inside or samples[1].iteration:
        return None
    before, after = found.states[0], found.states[1]
    data = _pair_data(found, after, 0)
    grads = _true_gradients(found, before, after, loss, 0)
    if data is None or grads is None or not all(p in before for p in found.layout.paths):
        return None
    g = np.concatenate([grads[p].ravel() for p in found.layout.paths])
    d = np.concatenate([(after[p] - before[p]).ravel() for p in found.layout.paths])
    gg, dd = float(g @ g), float(d @ d)
    if gg == 0.0 or dd == 0.0:
        return None
    a = -float(g @ d) / gg
    return SearchedStep(0, a, float(np.linalg.norm(d + a * g)) / np.sqrt(dd), gg,
                        _loss_value(found, before, *data, loss), _loss_value(found, after, *data, loss), 1)


def own_gradient_updates(found: Found) -> list[Update] | None:
    """The updates next to the student's own gradient arrays (``dW1``, ``grads['W1']``): for
    each parameter, the array of its shape computed in the same iteration that the step is a
    multiple of. None when some parameter has none (the gradient was not kept in scope)."""
    updates: list[Update] = []
    own = set(found.layout.paths)
    for b in _pairs(found):
        before, after = found.states[b - 1], found.states[b]
        sample = found.loop.samples[b]
        # a gradient kept as one number (``db = np.sum(dZ)``) steps every entry alike
        fresh = {**{n: np.array(v) for n, v in sample.scalars.items() if _gradient_named(n)},
                 **sample.arrays}
        for path in found.layout.paths:
            delta = after[path] - before[path]
            dd = float(delta.ravel() @ delta.ravel())
            if delta.size == 1:
                continue  # every number is a multiple of a one-number gradient: no evidence
            match = None
            for name in sorted(fresh):
                g = fresh[name]
                if g.ndim == 0:
                    g = np.full(delta.shape, float(g))
                if name in own or g.shape != delta.shape or dd == 0.0 or not _gradient_named(name):
                    continue
                gg = float(g.ravel() @ g.ravel())
                if gg == 0.0:
                    continue
                s = -float(g.ravel() @ delta.ravel()) / gg
                if float(np.linalg.norm(delta + s * g)) <= 1e-6 * np.sqrt(dd):
                    match = Update(found.loop.samples[b].iteration, path, delta, g)
                    break
            if match is None:
                return None
            updates.append(match)
    return updates or None


MAX_LOSS_POINTS = 24


def recomputed_losses(found: Found, loss: str) -> list[tuple[int, float]]:
    """(iteration, loss) at sampled iterations, every one on the data of the last sample (so a
    mini-batch training is compared on one batch); empty when that data is a single point."""
    inside = [i for i, s in enumerate(found.loop.samples) if s.inside or s.start]
    if len(inside) < 2:
        return []
    data = _pair_data(found, found.states[inside[-1]], 0)
    if data is None or data[0].shape[0] < 4:
        return []
    X, Y = data
    chosen = sorted(set(spread(inside, MAX_LOSS_POINTS)) | {inside[0], inside[-1]})
    points = []
    for i in chosen:
        state = found.states[i]
        if any(p not in state for p in found.layout.paths):
            continue
        try:
            sample = found.loop.samples[i]  # the state the loop was entered with: iteration -1
            points.append((-1 if sample.start else sample.iteration,
                           _loss_value(found, state, X, Y, loss)))
        except (ValueError, KeyError, IndexError):
            return []
    return points
