"""Which update rule a loop applied: gradient descent, momentum, Adam, RMSprop, Adagrad, or
gradient descent scaled by the loss.

Each rule is a hypothesis over consecutive sampled iterations: from the true float64
gradients at the parameters before each iteration (:mod:`grader.observed_updates`) it
predicts the next step, and the rule's constants (a rate, a momentum) are fitted by least
squares over every parameter at once. The rule whose prediction leaves the smallest residual
is the one that holds. Trusted code only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.evidence import Found
from grader.observed_updates import _converged, _gradients, _loss_value, _pair_data, diverging

FITS = 1e-2          # relative residual a rule must reach
BETTER = 10.0        # ... and by how much it must beat plain gradient descent
HEAD = 12            # consecutive iterations from the loop's start simulated for adaptive rules
MAX_SAMPLES = 48     # samples read for the other rules (the sampler's head and first octaves)


@dataclass(frozen=True)
class RuleFit:
    """A rule, its fitted constants and how well it predicts the observed steps."""

    rule: str                     # gd, momentum, accumulated, adam, rmsprop, adagrad, loss_scaled
    residual: float
    constants: dict[str, Any] = field(default_factory=dict)  # numbers; ``ascent``: paths
    steps: int = 0


@dataclass
class _Run:
    """Consecutive iterations: the parameters' steps and the true gradients before each."""

    deltas: list[np.ndarray]
    grads: list[np.ndarray]
    losses: list[float]
    iterations: list[int]


def _flat(found: Found, state: dict[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(state[p]) for p in found.layout.paths])


def _slices(found: Found) -> dict[str, slice]:
    """Where each parameter lies in the flattened vector of :func:`_flat`."""
    state = found.states[-1] if found.states else {}
    out, start = {}, 0
    for p in found.layout.paths:
        if p not in state:
            return {}
        out[p] = slice(start, start + int(np.size(state[p])))
        start += int(np.size(state[p]))
    return out


def _runs(found: Found, loss: str, target: int, start: bool) -> list[_Run]:
    """Runs of consecutive samples (from the loop's start when ``start``: adaptive rules need
    their state from the first iteration on)."""
    samples, states = found.loop.samples, found.states
    runs: list[_Run] = []
    current: _Run | None = None
    limit = HEAD + 1 if start else min(len(samples), MAX_SAMPLES)
    for b in range(1, min(len(samples), limit)):
        prev, cur = samples[b - 1], samples[b]
        follows = cur.inside and (prev.inside and cur.iteration == prev.iteration + 1
                                  or prev.start and cur.iteration == 0)
        if not follows:
            if start:
                break
            current = None
            continue
        before, after = states[b - 1], states[b]
        data = _pair_data(found, after, target)
        grads = _data_gradients(found, before, data, loss)
        if grads is None or data is None or any(p not in before for p in found.layout.paths) \
                or not _finite(found, before, after, grads) \
                or (not start and _converged(found, before, after)):
            if start:
                break
            current = None
            continue
        if current is None:
            current = _Run([], [], [], [])
            runs.append(current)
        current.deltas.append(_flat(found, after) - _flat(found, before))
        current.grads.append(np.concatenate([np.ravel(grads[p]) for p in found.layout.paths]))
        current.losses.append(_loss_value(found, before, data[0], data[1], loss))
        current.iterations.append(samples[b].iteration)
    return [r for r in runs if r.deltas]


def _finite(found: Found, before: dict[str, np.ndarray], after: dict[str, np.ndarray],
            grads: dict[str, np.ndarray]) -> bool:
    """Both states and the gradient are finite and not huge (a diverging training says nothing
    more)."""
    return not diverging(found, before, after, grads)


def _data_gradients(found: Found, before: dict[str, np.ndarray],
                    data: tuple[np.ndarray, np.ndarray] | None, loss: str
                    ) -> dict[str, np.ndarray] | None:
    if data is None:
        return None
    try:
        return _gradients(found, before, data[0], data[1], loss)
    except (RuntimeError, ValueError, KeyError, IndexError):
        return None


def _lstsq(columns: list[np.ndarray], target: np.ndarray) -> tuple[np.ndarray, float]:
    A = np.stack(columns, axis=1)
    coef, *_ = np.linalg.lstsq(A, target, rcond=None)
    norm = float(np.linalg.norm(target))
    return coef, (float(np.linalg.norm(A @ coef - target)) / norm if norm > 0 else 0.0)


def _gd(runs: list[_Run]) -> RuleFit:
    d = np.concatenate([x for r in runs for x in r.deltas])
    g = np.concatenate([x for r in runs for x in r.grads])
    (lr,), res = _lstsq([-g], d)
    return RuleFit("gd", res, {"lr": float(lr)}, sum(len(r.deltas) for r in runs))


def _loss_scaled(runs: list[_Run]) -> tuple[RuleFit, float] | None:
    """Each step -lr * loss * gradient (``backward(loss)`` seeds backprop with the loss)."""
    d = np.concatenate([x for r in runs for x in r.deltas])
    g = np.concatenate([x * l for r in runs for x, l in zip(r.grads, r.losses)])
    if not np.all(np.isfinite(g)) or len({round(l, 12) for r in runs for l in r.losses}) < 2:
        return None
    (lr,), res = _lstsq([-g], d)
    return RuleFit("loss_scaled", res, {"lr": float(lr)}, sum(len(r.deltas) for r in runs)), \
        _gd(runs).residual


def _momentum(runs: list[_Run], slices: dict[str, slice] | None = None
              ) -> tuple[RuleFit, float] | None:
    """d_t = -lr g_t + beta d_{t-1}: heavy-ball momentum (beta near 1: gradients accumulating)."""
    d, g, prev = [], [], []
    for r in runs:
        for t in range(1, len(r.deltas)):
            d.append(r.deltas[t]); g.append(r.grads[t]); prev.append(r.deltas[t - 1])
    if len(d) < 2:
        return None
    D, G, P = np.concatenate(d), np.concatenate(g), np.concatenate(prev)
    (lr, beta), res = _lstsq([-G, P], D)
    constants = {"lr": float(lr), "beta": float(beta)}
    signed = _signed_momentum(runs, slices, d, g, prev) if res > FITS and slices else None
    if signed is not None:
        (lr, beta), res, constants = signed[0], signed[1], {"lr": signed[0][0], "beta": signed[0][1],
                                                            "ascent": signed[2]}
    if beta < 0.05:
        return None
    rule = "accumulated" if abs(beta - 1.0) <= 1e-2 else "momentum"
    return RuleFit(rule, res, constants, len(d)), _lstsq([-G], D)[1]


def _signed_momentum(runs: list[_Run], slices: dict[str, slice], d: list[np.ndarray],
                     g: list[np.ndarray], prev: list[np.ndarray]
                     ) -> tuple[tuple[float, float], float, list[str]] | None:
    """Momentum with one rate and beta whose gradient enters some parameters with the wrong
    sign (``b2 += lr * v``): ((lr, beta), residual, the parameters that ascend), or None."""
    fits: dict[str, tuple[float, float]] = {}
    for path, part in slices.items():
        Dp = np.concatenate([x[part] for x in d])
        if not np.any(Dp):
            return None
        (lr_p, beta_p), _ = _lstsq([-np.concatenate([x[part] for x in g]),
                                    np.concatenate([x[part] for x in prev])], Dp)
        fits[path] = (float(lr_p), float(beta_p))
    ascent = sorted(p for p, (lr_p, _) in fits.items() if lr_p < 0)
    if not ascent or len(ascent) == len(fits):
        return None
    sign = np.ones(len(d[0]))
    for path in ascent:
        sign[slices[path]] = -1.0
    D = np.concatenate(d)
    (lr, beta), res = _lstsq([-np.concatenate([sign * x for x in g]), np.concatenate(prev)], D)
    return ((float(lr), float(beta)), res, ascent) if res <= FITS and lr > 0 else None


Direction = Callable[[list[np.ndarray]], list[np.ndarray]]


def _adam(grads: list[np.ndarray], b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
          ) -> list[np.ndarray]:
    m = np.zeros_like(grads[0]); v = np.zeros_like(grads[0]); out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        out.append((m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps))
    return out


def _rmsprop(grads: list[np.ndarray], rho: float = 0.9, eps: float = 1e-8) -> list[np.ndarray]:
    v = np.zeros_like(grads[0]); out = []
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        out.append(g / (np.sqrt(v) + eps))
    return out


def _adagrad(grads: list[np.ndarray], eps: float = 1e-8) -> list[np.ndarray]:
    v = np.zeros_like(grads[0]); out = []
    for g in grads:
        v = v + g * g
        out.append(g / (np.sqrt(v) + eps))
    return out


ADAPTIVE: dict[str, Direction] = {"adam": _adam, "rmsprop": _rmsprop,
                                  "rmsprop_0.99": lambda g: _rmsprop(g, 0.99), "adagrad": _adagrad}


def _adaptive(run: _Run, name: str) -> tuple[RuleFit, float]:
    u = ADAPTIVE[name](run.grads)
    D = np.concatenate(run.deltas)
    (lr,), res = _lstsq([-np.concatenate(u)], D)
    return RuleFit(name.split("_")[0], res, {"lr": float(lr)}, len(run.deltas)), \
        _lstsq([-np.concatenate(run.grads)], D)[1]


def infer_rule(found: Found, loss: str, target: int = 0) -> RuleFit | None:
    """The update rule that explains the sampled steps best, or None when too few steps were
    sampled to tell (or the training had already converged). Each other rule must fit within
    FITS and beat plain gradient descent on the same iterations by BETTER."""
    runs = _runs(found, loss, target, start=False)
    if not runs:
        return None
    gd = _gd(runs)
    if gd.residual <= 1e-6:
        return gd
    others: list[tuple[RuleFit, float] | None] = [_loss_scaled(runs),
                                                  _momentum(runs, _slices(found))]
    head = _runs(found, loss, target, start=True)
    if head and len(head[0].deltas) >= 3:
        others += [_adaptive(head[0], name) for name in ADAPTIVE]
    holding = [fit for fit, plain in (o for o in others if o is not None)
               if fit.residual <= FITS and fit.residual * BETTER <= plain]
    return min(holding, key=lambda f: f.residual) if holding else gd


def describe(fit: RuleFit) -> str:
    """The rule in the lab's words."""
    c = fit.constants
    if fit.rule == "gd":
        return f"plain gradient descent with rate {c.get('lr', float('nan')):.4g}"
    if fit.rule == "momentum":
        ascent = c.get("ascent") or []
        flipped = (f"; for {', '.join(f'`{p}`' for p in ascent)} +{c['lr']:.4g} * gradient: "
                   "gradient ascent there") if ascent else ""
        return (f"gradient descent with momentum (each step is -{c['lr']:.4g} * gradient + "
                f"{c['beta']:.3g} * the previous step{flipped})")
    if fit.rule == "accumulated":
        return ("gradient descent whose gradients accumulate: each step is the previous step plus "
                f"-{c['lr']:.4g} * the new gradient, so the gradient is never reset")
    if fit.rule == "loss_scaled":
        return ("gradient descent with every gradient multiplied by the loss itself (as "
                "backward(loss) does: it seeds backpropagation with the loss instead of 1)")
    names = {"adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
    return f"{names.get(fit.rule, fit.rule)} (rate {c.get('lr', float('nan')):.4g})"


def summary(fit: RuleFit) -> dict[str, Any]:
    return {"rule": fit.rule, "residual": fit.residual, "constants": dict(fit.constants),
            "steps": fit.steps, "described": describe(fit)}
