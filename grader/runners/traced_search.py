"""An autograd-traced line search replayed along -g: is each step the first Armijo step?

The trace records the parameters and gradients at each sampled backward() call, so each
consecutive pair is one search along minus the gradient. Where the grader can recompute the
training loss itself (``grader/traceloss.py``: the network rebuilt from the recorded
parameters, the recorded inputs and targets, the standard loss that reproduces the recorded
value), it evaluates that loss at any trial step and hands the searches to
``grader/checks/armijo_hypotheses.py``, which names the mistake that reproduces every step.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from grader import netmath, traceloss
from grader.checks.armijo_hypotheses import CORRECT, Diagnosis, Search, explain
from grader.checks.training import measure_updates

MAX_SEARCHES = 24      # searches replayed (each trial is one float64 forward pass)
F0_RTOL = 1e-4         # the recomputed loss before the step must match the recorded one


RESOLVED_RESIDUAL = 1e-6  # a move this close to a multiple of -g was not rounded (float64 weights)


def resolved(update: Any) -> bool:
    """Whether the step is measured well enough to tell its k: float32 weights resolve it
    (``precision``), or the move itself is -a g to ``RESOLVED_RESIDUAL`` (float64 weights,
    where a step below float32's resolution is still exact)."""
    return update.precision <= 1e-5 or update.residual <= RESOLVED_RESIDUAL


def traced_searches(ctx: Any, candidate: Any, stream: Any, network: Any) -> list[Search]:
    """The sampled searches of ``stream`` whose loss the grader recomputes (empty: none)."""
    where = traceloss.layout(candidate, stream.names)
    if where is None or not getattr(network, "in_grader", False):
        return []
    acts = tuple(network.activations)
    arrays, _ = traceloss.unit_arrays(ctx.unit_objects(candidate.unit))
    try:
        _, fit = traceloss.recompute(stream, where, acts, arrays)
    except ValueError:
        return []
    if fit is None:
        return []
    updates = {u.call: u for u in measure_updates(stream)}
    searches: list[Search] = []
    for before, _after in stream.updates():
        u = updates.get(before.call)
        if (u is None or not u.moved or u.step <= 0 or u.loss_before is None or u.residual > 1e-3
                or not resolved(u)):
            continue
        try:
            weights, biases = traceloss.parameters_at(before, where)
            dWs, dbs = traceloss.parameters_at(replace(before, values=before.grads), where)
            f0 = netmath.loss_value(weights, biases, acts, fit.X, fit.Y, fit.loss)
        except (ValueError, IndexError):
            continue
        if not math.isfinite(f0) or abs(f0 - u.loss_before) > F0_RTOL * max(1.0, abs(f0)):
            continue  # another batch or data than the grader's: this search cannot be replayed

        def line(alpha: float, W=weights, b=biases, dW=dWs, db=dbs) -> float | None:
            try:
                value = netmath.loss_value([w - alpha * g for w, g in zip(W, dW)],
                                           [c - alpha * g for c, g in zip(b, db)],
                                           acts, fit.X, fit.Y, fit.loss)
            except (ValueError, FloatingPointError):
                return None
            return float(value) if np.isfinite(value) else None

        grad_sq = float(sum(np.sum(g * g) for g in dWs) + sum(np.sum(g * g) for g in dbs))
        searches.append(Search(before.call, f0, grad_sq, u.step, line))
        if len(searches) >= MAX_SEARCHES:
            break
    return searches


def diagnosed(searches: list[Search], alpha0: float, rho: float, cs: list[float]
              ) -> Diagnosis | None:
    """The mistake that reproduces every replayed step, where a correct search (from alpha0,
    or warm-started) reproduces them not; None otherwise (then nothing is blamed)."""
    if len(searches) < 2:
        return None
    diagnosis = explain(searches, alpha0=alpha0, rho=rho, cs=cs,
                        names=("reversed", "no_alpha", "norm_not_squared", "previous_trial"))
    return None if diagnosis is None or diagnosis.name == CORRECT else diagnosis
