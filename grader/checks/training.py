"""Verdicts on how the training ran, from the recorded trace (see :mod:`grader.tracedata`).

Each recorded pair of consecutive ``backward()`` calls gives one *update*: the parameters
before (``w``), the gradient the step could use (``g``, the ``.grad`` after the first call)
and the parameters at the next call (``w'``). The step is fitted as ``w' - w = -a g``;
the *residual* says how far the move is from any multiple of the gradient. From these:
gradients reset between iterations, descent (sign, proportionality, learning rate), and for
a line search the Armijo condition, the form ``alpha0 * rho^k`` and undone trial steps.
Samples that carry their data are recomputed by the grader (:mod:`grader.traceloss`): the
loss backward() was called on must be the loss of the recorded parameters, and on the
training split, not the test split.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

from grader.checks.search_params import _cumulative_k
from grader.checks.updates import rate_name
from grader.traceloss import Point, Source, close
from grader.tracedata import Sample, Stream
from grader.verdict import Verdict, failed, passed

RESIDUAL_TOLERANCE = 0.02  # |w' - w + a g| / |w' - w| below this: a multiple of the gradient
RATE_RTOL = 2e-3
FORM_TOLERANCE = 1e-3
FLOAT32_EPSILON = 1.2e-7  # parameters are usually float32: steps are measured no finer than this
PLAIN_SGD = {"momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}


@dataclass(frozen=True)
class Update:
    """What one step did (fitted from a pair of recorded calls)."""

    call: int
    step: float              # a in w' - w = -a g (negative: along +g)
    residual: float
    moved: bool
    grad_sq: float
    lr: float | None         # the optimizer's rate in force for this step, if any
    optimizer_steps: int     # optimizer.step() calls between the two backward() calls
    loss_before: float | None
    loss_after: float | None
    parameter_steps: tuple[float | None, ...]  # per parameter (None: no gradient or no move)
    parameter_moved: tuple[bool, ...]
    parameter_has_grad: tuple[bool, ...]
    precision: float = 0.0   # relative uncertainty of ``step`` from float32 rounding of w
    step_grad: bool | None = None  # whether the observed step() calls saw a non-zero gradient
    written: bool | None = None    # whether the parameters were written in place (None: unknown)
    reset: bool = False            # whether every .grad was zero again at the next backward()


def _written(before: Sample, after: Sample) -> bool | None:
    """Whether something wrote into the parameters in place between two calls (``w.sub_()``)."""
    if before.versions is None or after.versions is None:
        return None
    return any(b > a for a, b in zip(before.versions, after.versions))


def _fit(delta: np.ndarray, grad: np.ndarray) -> tuple[float, float]:
    grad_sq = float(grad @ grad)
    if grad_sq == 0.0:
        return 0.0, 0.0 if not delta.any() else 1.0
    step = -float(delta @ grad) / grad_sq
    size = float(np.linalg.norm(delta))
    residual = float(np.linalg.norm(delta + step * grad)) / size if size else 0.0
    return step, residual


def measure_updates(stream: Stream) -> list[Update]:
    """One :class:`Update` per pair of consecutive recorded calls."""
    updates = []
    for before, after in stream.updates():
        deltas = [b - a for a, b in zip(before.values, after.values)]
        delta, grad = np.concatenate(deltas), np.concatenate(before.grads)
        if not (np.all(np.isfinite(delta)) and np.all(np.isfinite(grad))):
            continue
        step, residual = _fit(delta, grad)
        size = float(np.linalg.norm(delta))
        precision = FLOAT32_EPSILON * float(np.linalg.norm(np.concatenate(before.values))) / size \
            if size else 0.0
        per_step, per_moved = [], []
        for d, g in zip(deltas, before.grads):
            per_moved.append(bool(np.any(d != 0)))
            per_step.append(_fit(d, g)[0] if g.any() and d.any() else None)
        updates.append(Update(before.call, step, residual, bool(delta.any()), float(grad @ grad),
                              after.lr, after.steps - before.steps, before.loss, after.loss,
                              tuple(per_step), tuple(per_moved), before.has_grad, precision,
                              after.step_grad, _written(before, after),
                              all(g == 0 for g in after.grad_before)))
    return updates


def _quote(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def untrained_parameters(stream: Stream) -> tuple[list[int], bool]:
    """Parameters no update moves while others move (indices), and whether optimizer steps
    were observed (then none of those steps held them either)."""
    updates = measure_updates(stream)
    moved = [any(u.parameter_moved[i] for u in updates) for i in range(len(stream.names))]
    held = [s.step_held for s in stream.samples if s.step_held is not None]
    if not any(moved):
        return [], bool(held)
    return [i for i, m in enumerate(moved) if not m and not any(h[i] for h in held)], bool(held)


def _left_out(names: list[str], by_optimizer: bool) -> str:
    subject = f"{_quote(names)} {'is' if len(names) == 1 else 'are'}"
    where = "in no optimizer" if by_optimizer else "left out of the update"
    return (f" {subject} {where} and never updated (the descent check names that), so "
            f"{'its' if len(names) == 1 else 'their'} `.grad` piling up is not counted here.")


def check_gradients_reset(stream: Stream) -> Verdict:
    """``.grad`` must be empty or zero before each backward() after the first.

    Parameters that nothing trains (no update moves them and no optimizer holds them) are
    left out: their ``.grad`` piles up because they are outside the training, not because a
    reset is missing, and the descent check already names them."""
    later = stream.samples[1:]
    details: dict = {"samples_checked": len(later), "parameters": list(stream.names)}
    if not later:
        return passed("Only one backward() call was recorded for this training, so resetting "
                      "gradients could not be observed.", observed=False, **details)
    outside, by_optimizer = untrained_parameters(stream)
    judged = [i for i in range(len(stream.names)) if i not in outside]

    def stale(s: Sample, i: int) -> bool:
        return s.grad_before[i] is None or s.grad_before[i] > 0  # type: ignore[operator]

    dirty = [s for s in later if any(stale(s, i) for i in judged)]
    untrained = [stream.names[i] for i in outside]
    if untrained and any(stale(s, i) for s in later for i in outside):
        details["untrained"] = untrained
    if len(dirty) * 2 >= len(later):
        worst = dirty[0]
        names = [worst.names[i] for i in judged if stale(worst, i)]
        return failed(
            "Gradients accumulate across iterations: `.grad` is never reset, so every step uses "
            "the sum of all earlier gradients. Call `optimizer.zero_grad()` (or `W.grad.zero_()` "
            "for each tensor) once per iteration, before `backward()`. "
            f"At backward() call {worst.call + 1}, .grad of {_quote(names[:4])} already held "
            "values from the previous iteration.",
            dirty_samples=len(dirty), first_dirty_call=worst.call, **details)
    note = _left_out(details["untrained"], by_optimizer) if "untrained" in details else ""
    return passed(f"`.grad` was reset before the recorded backward() calls ({len(later)} checked)."
                  + note, observed=True, **details)


def _other_optimizer(optimizers: list[dict], indices: set[int]) -> str | None:
    """A description of a non-plain optimizer used in this stream, or None for plain SGD."""
    for index in sorted(i for i in indices if 0 <= i < len(optimizers)):
        entry = optimizers[index]
        hyper = entry.get("hyperparameters", {})
        if entry["class"] != "SGD" or any(hyper.get(k, v) != v for k, v in PLAIN_SGD.items()):
            shown = ", ".join(f"{k}={v}" for k, v in sorted(hyper.items())
                              if k in ("lr", "momentum", "weight_decay", "betas", "nesterov"))
            return f"{entry['class']} ({shown})"
    return None


def _expected_rate(updates: list[Update], declared: dict[str, float]) -> tuple[float | None, str]:
    for name in ("lr", "learning_rate", "learningrate", "LR", "LEARNING_RATE", "eta", "alpha",
                 "step_size"):
        if name in declared:
            return declared[name], f"`{name}`"
    name = rate_name(list(declared))
    return (declared[name], f"`{name}`") if name else (None, "")


def _never_moving(updates: list[Update]) -> str:
    """Why no recorded update moved the parameters, as far as the steps observed tell."""
    if all(u.written and not u.optimizer_steps and u.grad_sq > 0 for u in updates):
        return _written_unchanged(updates)
    if not all(u.optimizer_steps and u.grad_sq > 0 for u in updates):
        return ("The parameters never change between iterations: no update step is applied "
                "after backward().")
    if all(u.step_grad is False for u in updates):
        return ("The parameters never change between iterations, although optimizer.step() runs "
                "after every backward(): zero_grad() is called between backward() and step(), so "
                "every step sees a zero gradient. Call `optimizer.zero_grad()` before "
                "`loss.backward()` (e.g. at the start of the iteration), then `optimizer.step()`.")
    if any(u.lr == 0 for u in updates):
        return ("The parameters never change between iterations, although optimizer.step() runs "
                "after every backward(): the optimizer's learning rate is 0.")
    return ("The parameters never change between iterations, although optimizer.step() runs after "
            "every backward() and the gradient is not zero: the step does not update these "
            "parameters (does the optimizer hold them?).")


def _written_unchanged(updates: list[Update]) -> str:
    """Why a hand-written in-place update that runs after every backward() moves nothing."""
    if all(u.reset for u in updates):
        return ("The parameters never change between iterations, although an in-place update "
                "(e.g. `w.sub_(lr * w.grad)`) is applied to them after every backward(): the "
                "gradients are zeroed before the update uses them, so every step subtracts a zero "
                "gradient. Zero the gradients (`w.grad.zero_()` / `zero_grad()`) after the update, "
                "or before `loss.backward()`.")
    return ("The parameters never change between iterations, although an in-place update is "
            "applied to them after every backward() and the gradient is not zero: the step it "
            "subtracts is zero (is the learning rate 0, or the update multiplied by zero?).")


def check_descent(stream: Stream, optimizers: list[dict], declared: dict[str, float], *,
                  allow_other_optimizers: bool = True) -> Verdict:
    """Each update moves against the gradient, in proportion to it, by the rate set."""
    updates = measure_updates(stream)
    moving = [u for u in updates if u.moved and u.grad_sq > 0]
    details: dict = {"updates_checked": len(moving), "parameters": list(stream.names)}
    if not updates:
        return passed("No two consecutive backward() calls were recorded for this training, so "
                      "its update steps could not be observed.", observed=False, **details)
    if not moving:
        return failed(_never_moving(updates), **details)
    frozen = [name for i, name in enumerate(stream.names)
              if all(not u.parameter_moved[i] for u in moving)
              and any(u.parameter_has_grad[i] for u in moving)]
    if frozen:
        return failed(f"{_quote(frozen)} {'is' if len(frozen) == 1 else 'are'} never updated, "
                      "although the gradient is not zero: the update step leaves "
                      f"{'it' if len(frozen) == 1 else 'them'} out.", never_updated=frozen, **details)
    steps = [u.step for u in moving]
    residual = statistics.median(u.residual for u in moving)
    slack = 3 * statistics.median(u.precision for u in moving)
    details.update(median_step=statistics.median(steps), median_residual=residual)
    other = _other_optimizer(optimizers, {i for s in stream.samples if (i := s.optimizer) is not None})
    if other is not None:
        details["optimizer"] = other
        note = f"The training used {other}, not plain gradient descent"
        if allow_other_optimizers:
            return passed(f"{note}; this rubric accepts that.", observed=True, **details)
        return failed(f"{note}; this lab asks for plain gradient descent (optim.SGD without "
                      "momentum, or a hand-written update).", **details)
    if residual <= RESIDUAL_TOLERANCE + slack:
        backwards = sorted({stream.names[i] for u in moving for i, s in enumerate(u.parameter_steps)
                            if s is not None and s < 0})
        if statistics.median(steps) < 0:
            return failed("The update adds the gradient instead of subtracting it: the parameters "
                          "move along +gradient (gradient ascent), so the loss grows. Use "
                          "`W -= lr * W.grad`.", **details)
        if backwards:
            return failed(f"The update of {_quote(backwards)} adds the gradient instead of "
                          "subtracting it (gradient ascent for those parameters).",
                          ascending=backwards, **details)
    else:
        return failed("The update is not proportional to the gradient: the parameters do not "
                      f"move along -gradient (they deviate from it by {residual:.0%} of the "
                      "step), which is not plain gradient descent.", **details)
    measured = statistics.median(steps)
    with_rate = [u for u in moving if u.optimizer_steps and u.lr is not None]
    if with_rate:  # the optimizer's own rate, step by step (a scheduler may change it)
        factor = statistics.median(u.step / u.lr for u in with_rate)
        rate, source = statistics.median(u.lr for u in with_rate), "the optimizer's lr"
    else:
        rate, source = _expected_rate(moving, declared)
        factor = measured / rate if rate else 1.0
        if rate and max(steps) > (1 + 0.05 + slack) * min(steps):
            details.update(first_step=steps[0], last_step=steps[-1])
            return passed(f"The updates moved against the gradient with a step that changed during "
                          f"training (from {steps[0]:.4g} to {steps[-1]:.4g} × gradient): a "
                          "learning-rate schedule, so it was not compared with a fixed rate.",
                          observed=True, **details)
    details.update(learning_rate=rate, rate_source=source)
    if rate is not None and abs(factor - 1) > RATE_RTOL + slack:
        return failed(f"The step is not the learning rate times the gradient: the parameters "
                      f"moved by {measured:.4g} × gradient, but the learning rate ({source}) is "
                      f"{rate:.4g}, a factor of {factor:.4g}.", factor=factor, **details)
    said = f"-{measured:.4g} × gradient" + (f", the learning rate set in {source}" if rate else "")
    return passed(f"Each recorded update moved the parameters by {said} ({len(moving)} updates "
                  "checked).", observed=True, **details)


def _power(step: float, alpha0: float, rho: float, precision: float = 0.0) -> int | None:
    k = math.log(step / alpha0) / math.log(rho)
    allowed = FORM_TOLERANCE * 10 + 3 * precision / abs(math.log(rho))
    return round(k) if abs(k - round(k)) < allowed and round(k) >= 0 else None


def check_armijo_trace(stream: Stream, *, alpha0: float, rho: float, c: float) -> Verdict:
    """Accepted steps satisfy Armijo, have the form alpha0 * rho^k, and trials are undone."""
    updates = [u for u in measure_updates(stream) if u.moved and u.grad_sq > 0
               and u.loss_before is not None and u.loss_after is not None]
    details: dict = {"steps_checked": len(updates), "alpha0": alpha0, "rho": rho, "c": c}
    if not updates:
        return failed("No consecutive full steps of this training were recorded, so its line "
                      "search cannot be judged step by step and earns no points here.",
                      observed=False, **details)
    for u in updates:  # every trial left applied: the most specific diagnosis first
        if _power(u.step, alpha0, rho, u.precision) is None:
            k = _cumulative_k(u.step, alpha0, rho, u.precision, 60)
            if k is not None and u.residual <= RESIDUAL_TOLERANCE + 3 * u.precision:
                return failed(
                    f"Rejected trial steps are not undone: at iteration {u.call + 1} the parameters "
                    f"moved by a = {u.step:.4g} = alpha0·(1 + rho + … + rho^{k}), the sum of every "
                    "trial step, so each rejected trial stayed applied. Restore the parameters "
                    "(or compute trial points on a copy) before trying a smaller step.",
                    call=u.call, step=u.step, trials=k + 1, **details)
    for u in updates:
        if u.residual > RESIDUAL_TOLERANCE + 3 * u.precision or u.step <= 0:
            return failed(f"At iteration {u.call + 1} the line search did not move along the "
                          "negative gradient, as backtracking gradient descent must.",
                          call=u.call, step=u.step, residual=u.residual, **details)
        bound = u.loss_before - c * u.step * u.grad_sq
        tolerance = 1e-6 * max(1.0, abs(u.loss_before))  # float32 losses
        if u.loss_after > bound + tolerance:
            increased = u.loss_after > u.loss_before
            return failed(
                "The line search accepts steps that violate the Armijo condition "
                "f(w - a g) <= f(w) - c a |g|^2: at iteration "
                f"{u.call + 1} it took a = {u.step:.4g}, the loss went from {u.loss_before:.6g} to "
                f"{u.loss_after:.6g}, above the bound {bound:.6g}"
                + (" (the loss increased: is the Armijo inequality reversed?)." if increased else "."),
                call=u.call, step=u.step, loss_before=u.loss_before, loss_after=u.loss_after,
                bound=bound, **details)
    for u in updates:  # the form only where every step kept the condition
        if _power(u.step, alpha0, rho, u.precision) is None:
            k = _cumulative_k(u.step, alpha0, rho, u.precision, 60)
            if k is not None:
                return failed(
                    f"Rejected trial steps are not undone: at iteration {u.call + 1} the parameters "
                    f"moved by a = {u.step:.4g} = alpha0·(1 + rho + … + rho^{k}), the sum of every "
                    "trial step, so each rejected trial stayed applied. Restore the parameters "
                    "(or compute trial points on a copy) before trying a smaller step.",
                    call=u.call, step=u.step, trials=k + 1, **details)
            return failed(f"The step sizes are not of the form alpha0 · rho^k (alpha0 = {alpha0:g}, "
                          f"rho = {rho:g}): at iteration {u.call + 1} the step was {u.step:.4g}.",
                          call=u.call, step=u.step, **details)
    powers = sorted({_power(u.step, alpha0, rho, u.precision) for u in updates})
    return passed(f"Every recorded step satisfied the Armijo condition (c = {c:g}) with a step "
                  f"alpha0 · rho^k, k in {powers[:6]} ({len(updates)} steps checked).",
                  observed=True, powers=powers, **details)


def check_history_matches(stream: Stream, history: np.ndarray, earliest_start: int) -> Verdict:
    """The student's loss history holds the losses their backward() calls were made on.

    The training loop began at some call between ``earliest_start`` (just after the previous
    training's last recorded call) and the stream's first recorded call; entry i of the
    history is compared with the loss of call ``start + i`` for each possible start.
    """
    first = stream.samples[0].call
    calls = np.array([s.call for s in stream.samples if s.loss is not None])
    losses = np.array([s.loss for s in stream.samples if s.loss is not None])
    details: dict = {"history_length": int(history.size), "compared": int(calls.size)}
    span = stream.samples[-1].call - first + 1
    if history.size < span or not calls.size:
        return passed(f"The history has {history.size} values for at least {span} backward() "
                      "calls, so it was not compared value by value.", observed=False, **details)

    def hits(start: int) -> np.ndarray:
        index = calls - start
        usable = (index >= 0) & (index < history.size)
        close = np.zeros(calls.size, dtype=bool)
        close[usable] = np.abs(history[index[usable]] - losses[usable]) <= 1e-6 + 1e-5 * np.abs(
            losses[usable])
        return close

    starts = range(max(0, first - 4096, earliest_start), first + 1)
    best = max(starts, key=lambda start: (int(hits(start).sum()), start))
    matched = hits(best)
    details.update(matching=int(matched.sum()), loop_start_call=best)
    if matched.sum() >= 0.9 * calls.size:
        return passed(f"The recorded loss history matches the losses of the training "
                      f"({int(matched.sum())} of {calls.size} sampled iterations compared).",
                      observed=True, **details)
    if len(starts) == 1:  # the loop's start is known exactly: a shift is a bug
        for offset in (1, -1):
            if hits(first - offset).sum() >= 0.9 * calls.size:
                return failed(f"The loss history is shifted by one iteration: entry i holds the "
                              f"loss of iteration i{-offset:+d}.", offset=offset, **details)
    inside = (calls - best) < history.size
    wrong = int(np.flatnonzero(~matched & inside)[0]) if (~matched & inside).any() else 0
    i = int(calls[wrong] - best)
    return failed(f"The recorded losses do not match the training: at iteration {i + 1} the "
                  f"history says {history[i]:.6g}, but backward() was called on a loss of "
                  f"{losses[wrong]:.6g}.", first_mismatch=i, **details)


def _iteration(call: int, first_call: int) -> str:
    return f"iteration {call - first_call + 1}" + (
        f" (backward() call {call + 1})" if first_call else "")


def check_recorded_losses(points: list[Point], loss: str | None, *, first_call: int) -> Verdict:
    """The loss at each recomputed backward() call is the loss of the parameters recorded there.

    ``loss`` is the formula that reproduced one of the samples (None: none did, so what the
    loss was computed on is unknown and nothing is judged).
    """
    details: dict = {"samples_recomputed": len(points), "loss_formula": loss,
                     "recomputed": [{"call": p.call, "recorded": p.recorded,
                                     "grader": p.recomputed} for p in points]}
    if not points:
        return passed("No recorded backward() call of this training carried its data, so its "
                      "losses were not recomputed.", observed=False, **details)
    if loss is None:
        return passed("The grader could not reproduce the recorded losses with a standard loss "
                      "(BCE, MSE, SSE) on the data that reached them, so they were not compared.",
                      observed=False, **details)
    judged = [p for p in points if not p.saturated]
    details["saturated"] = len(points) - len(judged)
    for point in judged:
        if point.recomputed is None or not close(point.recorded, point.recomputed):
            grader = "could not be recomputed" if point.recomputed is None else \
                f"is {point.recomputed:.6g}"
            return failed(
                "The loss backward() was called on is not the loss of the current parameters: at "
                f"{_iteration(point.call, first_call)} the recorded loss is {point.recorded:.6g}, "
                f"but the loss of the parameters recorded at that call, recomputed by the grader "
                f"on the same data ({loss}), {grader}. Compute the loss from a fresh forward "
                "pass in every iteration.", first_mismatch_call=point.call,
                recorded_loss=point.recorded, grader_loss=point.recomputed, **details)
    return passed(f"The grader recomputed the loss of the recorded parameters at {len(judged)} "
                  f"backward() calls ({loss}): each matches the loss the training used."
                  + (f" {len(points) - len(judged)} more had outputs saturated at 0 or 1, where "
                     "float32 losses are clamped, and were not compared." if len(judged) < len(points)
                     else ""),
                  observed=True, **details)


def check_training_split(found: list[Source], point: Point, *, first_call: int,
                         on_train: tuple[str, float] | None = None) -> Verdict:
    """The data the recorded losses were computed on comes from the training split.

    ``found`` are the student's arrays holding that data; ``on_train`` the training split's
    name and the loss the same parameters have on it, when the grader could compute it.
    """
    test = [s for s in found if s.split == "test"]
    train = [s for s in found if s.split == "train"]
    details: dict = {"data_found_in": [s.label for s in found]}
    if not test or train:
        where = ", ".join(s.label for s in found) or "no array of the submission (e.g. batches)"
        return passed(f"The training data is found in {where}.", observed=bool(found), **details)
    other = (f"; on the training split `{on_train[0]}` the loss would be {on_train[1]:.6g}"
             if on_train else "")
    return failed(
        "The test set was used for training: the losses backward() was called on are those of "
        f"the recorded parameters on {', '.join(s.label for s in test)} (at "
        f"{_iteration(point.call, first_call)}: recorded {point.recorded:.6g}, recomputed "
        f"{point.recomputed:.6g}){other}. A model trained on its test split cannot be evaluated "
        "on it: train on the training split and keep the test split for the final evaluation.",
        test_split=[s.name for s in test], loss_on_train=on_train[1] if on_train else None,
        **details)
