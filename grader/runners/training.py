"""Runners that judge the training itself from the trace: each sampled update against the true
gradient, the rule, the reset.
"""

from __future__ import annotations

from typing import Any

from grader.candidates import Candidate
from grader.checks.autograd_graph import check_graph_cut
from grader.checks.training import check_descent, check_gradients_reset
from grader.checks.updates import (check_constant_rate, check_divided_twice,
                                   check_explained_mistake, check_frozen,
                                   check_loss_consistency,
                                   check_rule_descent, check_rule_gradients,
                                   check_update_directions, frozen, measure)
from grader.context import GradingContext, Missing
from grader.evidence import gradient_arrays
from grader.gradient_probe import backward_gradients
from grader.launcher import ProbeError
from grader.observed_updates import (Update, batch_rows, observed_updates,
                                     own_gradient_updates)
from grader.rubric import CheckSpec
from grader.runners.common import _unobserved, _with
from grader.runners.observed import _loop_constants, _observed, _observed_steps
from grader.runners.outcomes import gradient_autograd
from grader.trace_candidates import stream_network
from grader.training_streams import reshaped_biases, traced, training_seen, unreached_parameters
from grader.update_rules import infer_rule, summary as rule_summary
from grader.verdict import Verdict, failed


def trace_gradients_reset(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    if found is None:
        return _unobserved(candidate, "gradient resets")
    return _with(check_gradients_reset(found.stream), network=candidate.label)


def _loop_gradients(candidate: Candidate) -> Verdict | None:
    """The gradients a loop-traced network's updates followed: the inferred rule first
    (momentum or Adam have right gradients; accumulated or loss-scaled ones are wrong), then
    each step against the true gradient, and a named mistake where one explains the steps."""
    observed = _observed(candidate)
    if observed is None or not observed.steps:
        return None
    details = {"network": candidate.label, "evidence": candidate.data.get("evidence")}
    found = candidate.data["found"]
    mismatch = check_loss_consistency(found.recorded_loss, observed.loss, found.activations[-1],
                                      "its loss history" if found.history_loss
                                      else "the loss value it records")
    if mismatch is not None and \
            check_update_directions(observed.steps, observed.loss).status == "passed":
        return _with(mismatch, **details)
    stuck = frozen(observed.steps)
    moving = [s for s in observed.steps if s.path not in stuck]
    if stuck and moving:  # never updated: the descent check's; judge the gradients that were used
        return _with(check_update_directions(moving, observed.loss), frozen=stuck, **details)
    if observed.rule is not None:
        by_rule = check_rule_gradients(observed.rule, observed.loss)
        if by_rule is not None:
            return _with(by_rule, **details)
    verdict = check_update_directions(observed.steps, observed.loss)
    twice = check_divided_twice(observed.steps, observed.loss, _loop_constants(found),
                                batch_rows(found)) if verdict.status == "passed" else None
    if twice is not None:
        return _with(twice, **details)
    explanation = observed.explanation
    if explanation is not None:
        return _with(check_explained_mistake(explanation.diagnosis, explanation.parameters,
                                             explanation.residual, explanation.true_residual,
                                             explanation.evidence, observed.loss), **details)
    return _with(verdict, **details)


def training_gradients(check: CheckSpec, ctx: GradingContext) -> Verdict:
    """The gradients whatever trained the network used: autograd, a backward function, a loop.

    Where a loop's updates were observed they are the evidence: correct updates pass, whatever
    a backward function does on the grader's own inputs; wrong ones take the backward function's
    diagnosis where it has one (which layer, which factor)."""
    try:
        candidate = ctx.find(check.params["network"])
    except Missing:
        reshaped = reshaped_biases(ctx)
        if not reshaped:
            raise
        unit, path, before, after = reshaped[0]
        return failed(f"The bias `{path}` changed shape during training, from {before} to {after} "
                      f"(in {unit}): its gradient was summed over the wrong axis (over the units "
                      "instead of the samples), and broadcasting turned it into one bias per "
                      "training sample. Sum dZ over the samples' axis (keepdims=True), so the "
                      "bias keeps its shape; the grader could not rebuild the network from it.",
                      parameter=path, shape_before=list(before), shape_after=list(after))
    if candidate.data.get("origin") == "module":
        _, stream = traced(ctx, check.params["network"])
        if stream is None:
            return _unobserved(candidate, "the gradients its training used")
        reset = check_gradients_reset(stream.stream)  # accumulating is wrong whatever autograd does
        if reset.status != "passed":
            return _with(reset, network=candidate.label)
        scaled = _module_rule(candidate, stream)
        if scaled is not None:
            return _with(scaled, network=candidate.label)
        verdict = gradient_autograd(check, ctx)
        cut = check_graph_cut(verdict, unreached_parameters(candidate, stream.stream), candidate.name)
        return verdict if cut is None else cut
    observed = _loop_gradients(candidate)
    if observed is not None and (observed.status == "passed" or observed.details.get("diagnosis")
                                 or observed.details.get("rule")):
        return observed  # what the training did, named, outweighs a probe of a function
    if observed is None and training_seen(ctx, candidate, check.params["network"]) is None:
        return _unobserved(candidate, "the gradients its training used")
    backward = _backward_verdict(check, ctx)
    if backward is not None and (observed is None or backward.status == "failed"
                                 and not backward.details.get("uncallable")):
        return backward
    if observed is not None:
        return observed
    _, stream = traced(ctx, check.params["network"])
    if stream is not None:  # autograd computed the gradients of raw tensors: were they reset?
        return _with(check_gradients_reset(stream.stream), network=candidate.label)
    return failed(f"No training of {candidate.label} was observed (no loop changed its "
                  "parameters), so no gradient it used can be judged.", observed=False)


def _module_rule(candidate: Candidate, stream: Any) -> Verdict | None:
    """An nn.Module's recorded gradients against the true ones its stream's parameters and data
    give: a failed verdict where they are scaled by the loss (``loss.backward(loss)``)."""
    if "module_rule" in candidate.data:  # computed once per network, whichever task asks
        return candidate.data["module_rule"]
    candidate.data["module_rule"] = verdict = _module_rule_of(candidate, stream)
    return verdict


def _module_rule_of(candidate: Candidate, stream: Any) -> Verdict | None:
    network = stream_network(candidate.unit, stream.stream)
    if network is None:
        return None
    loss, updates = observed_updates(network)
    fit = infer_rule(network, loss) if loss is not None and updates else None
    if fit is None or fit.rule != "loss_scaled":
        return None
    return check_rule_gradients(rule_summary(fit), loss)


def _backward_verdict(check: CheckSpec, ctx: GradingContext) -> Verdict | None:
    """The hand-written backward function's verdict on the grader's inputs, if there is one."""
    if not (check.params.get("backward") and check.params.get("forward")):
        return None
    try:
        ctx.find(check.params["backward"])
        ctx.find(check.params["forward"])
        verdict = backward_gradients(check, ctx)
    except Missing:
        return None
    except ProbeError as exc:
        return failed(f"The grader called your code on its own inputs and it failed: {exc}",
                      uncallable=True)
    if verdict.status != "passed" and "did not return" in verdict.message:
        return _with(verdict, uncallable=True)
    return verdict


def trace_descent(check: CheckSpec, ctx: GradingContext) -> Verdict:
    candidate, found = traced(ctx, check.params["network"])
    if found is None:
        steps = _observed_steps(candidate)
        if steps is None:
            return failed(f"No training of {candidate.label} was observed (no recorded backward() "
                          "call and no loop that changed its parameters), so its update steps "
                          "cannot be judged.", observed=False)
        loss, measured = steps
        never_moved = frozen(measured)
        stuck = check_frozen(never_moved, {p: gradient_arrays(candidate.data["found"].loop, p)
                                           for p in never_moved})
        if stuck is not None:
            return _with(stuck, network=candidate.label)
        declared = _loop_constants(candidate.data["found"])
        rule = _observed(candidate).rule
        by_rule = check_rule_descent(rule, bool(check.params.get("allow_other_optimizers", True))) \
            if rule is not None else None
        if by_rule is not None:
            return _with(by_rule, network=candidate.label)
        # The update rule is judged on the gradient the code computed where it kept one in scope
        # (``dW1``, ``grads['W1']``); whether that gradient is right is the gradients check's
        # question. Otherwise the steps are judged against the true gradient.
        own = own_gradient_updates(candidate.data["found"])
        explanation = _observed(candidate).explanation
        if own is None and explanation is not None:  # the code's gradient is the mistaken one
            own = [Update(u.iteration, u.path, u.delta, explanation.predicted[(u.iteration, u.path)])
                   for u in _observed(candidate).updates
                   if (u.iteration, u.path) in explanation.predicted]
        if own is not None:
            names = sorted({f"`{u.path}`" for u in own})
            return _with(check_constant_rate(measure(own), None, declared,
                                             "the gradient your code computed for it"),
                         network=candidate.label, own_gradients=True, parameters_checked=names)
        return _with(check_constant_rate(measured, loss, declared), network=candidate.label)
    verdict = check_descent(found.stream, found.trace.optimizers, found.trace.declared_rates,
                            allow_other_optimizers=bool(check.params.get("allow_other_optimizers",
                                                                         True)))
    return _with(verdict, network=candidate.label)
