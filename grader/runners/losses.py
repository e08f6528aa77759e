"""Runners that judge the loss: the history the code kept, next to the losses the grader recomputes
from the trace.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import netmath, traceloss
from grader.checks.loss import (check_ends_below, check_loss_history, check_monotone,
                                check_recomputed_decrease)
from grader.checks.training import (check_history_matches, check_recorded_losses,
                                    check_training_split)
from grader.candidates import Candidate
from grader.evidence import state_inputs
from grader.context import GradingContext, Missing
from grader.observed_updates import recomputed_losses
from grader.model_modes import holds_dropout, with_dropout_hint
from grader.rubric import CheckSpec
from grader.runners.common import _unobserved, _untrained, _with
from grader.runners.observed import _observed
from grader.training_streams import traced
from grader.verdict import Verdict, failed
from reference.data import xor_data


def _has_dropout(ctx: GradingContext, candidate: Candidate) -> bool:
    """Dropout makes each training loss random: it cannot be recomputed."""
    return any(o.get("kind") == "module" and o.get("name") == candidate.name and holds_dropout(o)
               for o in ctx.unit_objects(candidate.unit))


def loss_decrease(check: CheckSpec, ctx: GradingContext) -> Verdict:
    if check.params.get("network"):
        untrained = _untrained(check, ctx, check.params["network"])
        if untrained is not None:
            return untrained
    recomputed_training = _recomputed_training(check, ctx)
    try:
        history = ctx.find(check.params["history"])
    except Missing:
        if recomputed_training is None:
            raise
        return _with(recomputed_training, history=None)
    values = history.data["values"]
    recomputed, loss_used, wrong = None, None, None
    network = ctx.network(check.params["network"]) if check.params.get("network") else None
    traced = _traced_losses(check, ctx, network) if network is not None else None
    # A history only counts next to the model it trained; with XOR data its end is recomputed.
    if network is not None and check.params.get("data") == "xor" and values.size:
        if network.in_grader and network.candidate.data["sizes"][-1] == 1:
            recomputed, loss_used = _recompute_xor_loss(
                network, _final_loss(check.params.get("loss", "auto"), traced, network),
                float(values[-1]))
            wrong = _wrong_xor_losses(network)
    verdict = check_loss_history(values, max_final_ratio=float(check.params.get("max_final_ratio", 0.5)),
                                 target=check.params.get("target"), recomputed_final=recomputed,
                                 wrong_losses=wrong, online=_per_sample(network))
    joined = _joined(_joined(verdict, traced), recomputed_training, "recomputed_training")
    return _with(joined, history=history.label, recomputed_with=loss_used)


def _per_sample(network: Any) -> bool:
    """Whether the network was found in a loop that steps on one sample per iteration."""
    found = network.candidate.data.get("found") if network is not None else None
    if found is None or not found.states:
        return False
    X = state_inputs(found, found.states[-1])
    return X is not None and X.shape[0] == 1


def _recomputed_training(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """The loss decrease the grader recomputes from a loop-traced network's sampled
    parameters (None when the network was not identified in a loop)."""
    if not check.params.get("network"):
        return None
    candidate = ctx.find(check.params["network"])
    found = candidate.data.get("found")
    observed = _observed(candidate)
    loss = (found.loss if found is not None and found.loss else None) or \
        (observed.loss if observed is not None else None)
    if found is None or loss is None:
        return None
    points = recomputed_losses(found, loss)
    if not points:
        return None
    return check_recomputed_decrease(points, loss=loss,
                                     max_final_ratio=float(check.params.get("max_final_ratio", 0.5)),
                                     target=check.params.get("target") if loss in MEAN_LOSSES
                                     else None)


MEAN_LOSSES = ("mse", "half_mse", "bce", "ce", "bce_logits", "ce_logits")  # a target fits these


def _joined(verdict: Verdict, traced: Verdict | None, key: str = "training_losses") -> Verdict:
    """The history's verdict with the recomputed training losses' (a failure of either fails),
    the second's under ``key`` in the details."""
    if traced is None:
        return verdict
    details = {**verdict.details, key: {"status": traced.status, "message": traced.message,
                                        **traced.details}}
    if traced.status == "passed":
        return Verdict(verdict.status, verdict.message, details, verdict.fraction)
    message = traced.message + ("" if verdict.status == "passed" else " " + verdict.message)
    return failed(message, **details)


LOGIT_XOR_LOSSES = ("bce_logits", "mse", "half_mse", "sse", "half_sse")  # for unsquashed outputs


def _final_loss(asked: str, traced: Verdict | None, network: Any) -> str:
    """The formula the final XOR model's loss is recomputed with: the rubric's; for a network
    whose last layer is not squashed, the one that reproduced the training's own recorded
    losses (``F.binary_cross_entropy_with_logits`` is no loss module to read the outputs' kind
    from); else ``auto``. A sigmoid output keeps ``auto``, so BCEWithLogitsLoss applied after
    its sigmoid is still named."""
    if asked != "auto" or traced is None or traced.status != "passed" \
            or network.activations[-1] == "sigmoid":
        return asked
    formula = traced.details.get("loss_formula")
    return formula if formula in LOGIT_XOR_LOSSES else asked


def _recompute_xor_loss(network: Any, loss: str, last: float) -> tuple[float, str]:
    X, y = xor_data()
    options = [loss] if loss != "auto" else (
        list(LOGIT_XOR_LOSSES) if network.output_kind == "logit"
        else ["bce", "mse", "half_mse", "sse", "half_sse"])
    values = {name: netmath.loss_value(network.weights, network.biases, network.activations, X, y, name)
              for name in options}
    best = min(values, key=lambda name: abs(values[name] - last))
    return values[best], best


def _wrong_xor_losses(network: Any) -> dict[str, float]:
    """Losses of the final model under mistakes that pair a loss with the wrong output activation."""
    if network.activations[-1] != "sigmoid":
        return {}
    X, y = xor_data()
    # "bce_logits" on a sigmoid network applies BCEWithLogitsLoss to its probabilities
    value = netmath.loss_value(network.weights, network.biases, network.activations, X, y, "bce_logits")
    return {"BCEWithLogitsLoss applied to outputs that already went through a sigmoid (the loss "
            "applies the sigmoid a second time, so it cannot go below 0.31 and the gradients "
            "shrink): use nn.BCELoss with a sigmoid output, or drop the final sigmoid and keep "
            "BCEWithLogitsLoss": value}


def _history_untrained(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """A history only counts beside a network whose training was seen (``network`` given)."""
    return _untrained(check, ctx, check.params["network"]) if check.params.get("network") else None


def loss_monotone(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _history_untrained(check, ctx)
    if untrained is not None:
        return untrained
    history = ctx.find(check.params["history"])
    verdict = with_dropout_hint(check_monotone(history.data["values"]),
                                ctx.unit_objects(history.unit))
    return _with(verdict, history=history.label)


def ends_below(check: CheckSpec, ctx: GradingContext) -> Verdict:
    untrained = _history_untrained(check, ctx)
    if untrained is not None:
        return untrained
    first = ctx.find(check.params["history"])
    other = ctx.find(check.params["other"])
    return check_ends_below(first.data["values"], other.data["values"], first.name, other.name)


def _traced_losses(check: CheckSpec, ctx: GradingContext, network: Any) -> Verdict | None:
    """Recompute sampled training losses from the recorded parameters and data (None: no trace)."""
    candidate, found = traced(ctx, check.params["network"])
    if found is None or not network.in_grader or _has_dropout(ctx, candidate):
        return None
    where = traceloss.layout(candidate, found.stream.names)
    if where is None:
        return None
    arrays, scalers = traceloss.unit_arrays(ctx.unit_objects(candidate.unit))
    try:
        points, fit = traceloss.recompute(found.stream, where, tuple(network.activations), arrays)
    except ValueError:  # recorded shapes that do not chain as the chosen network's layers
        return None
    if fit is None:  # no data the grader could see reproduces any recorded loss: nothing to judge
        return None
    first = found.stream.samples[0].call
    verdict = check_recorded_losses(points, fit.loss if fit else None, first_call=first)
    if verdict.status != "passed" or fit is None:
        return verdict
    located = traceloss.sources(fit.X, arrays, scalers)
    tested = [s for s in located if s.split == "test"]
    on_train = traceloss.split_loss(fit, tested[0], arrays, where, tuple(network.activations)) \
        if tested else None
    point = next(p for p in points if p.call == fit.sample.call)
    split = check_training_split(located, point, first_call=first, on_train=on_train)
    if split.status != "passed":
        return _with(split, **verdict.details)
    return _with(verdict, **split.details)


def trace_history(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    history = ctx.find(check.params["history"])
    if found is None:
        return _unobserved(candidate, "the losses of the training")
    verdict = check_history_matches(found.stream, np.asarray(history.data["values"], dtype=float),
                                    found.earliest_start)
    return _with(verdict, network=candidate.label, history=history.label)
