"""The trace verdicts on simulated trainings: each planted bug gets its diagnosis, correct ones pass."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.checks.training import (check_armijo_trace, check_descent, check_gradients_reset,
                                    check_history_matches, measure_updates)
from grader.tracedata import Sample, Stream

NAMES = ("W1", "b1")
SHAPES = ((2, 3), (3,))


def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
    """A smooth convex stand-in for a training loss over a flat parameter vector."""
    target = np.linspace(-1, 1, w.size)
    return float(0.5 * np.sum((w - target) ** 2) + 0.1 * np.sum(w**4)), (w - target) + 0.4 * w**3


def sample(call: int, w: np.ndarray, grad: np.ndarray, loss: float, *, steps: int = 0,
           before: float = 0.0, lr: float | None = None, optimizer: int | None = None) -> Sample:
    return Sample(call=call, loss=loss, steps=steps, optimizer=optimizer, lr=lr, names=NAMES,
                  shapes=SHAPES, values=(w[:6].copy(), w[6:].copy()),
                  grads=(grad[:6].copy(), grad[6:].copy()), has_grad=(True, True),
                  grad_before=(before, before))


def train(epochs: int = 12, lr: float = 0.1, *, sign: float = 1.0, accumulate: bool = False,
          freeze_bias: bool = False, scale: float = 1.0, optimizer: bool = False) -> Stream:
    """Gradient descent with one optional planted bug; every call recorded."""
    w = np.random.default_rng(0).normal(size=9)
    stream, held = Stream(NAMES, SHAPES), np.zeros(9)
    for call in range(epochs):
        loss, grad = loss_and_grad(w)
        before = float(np.abs(held).max()) if accumulate else 0.0  # zero_grad() empties .grad
        held = held + grad if accumulate else grad
        stream.samples.append(sample(call, w, held, loss, steps=call if optimizer else 0,
                                     before=before, lr=lr if optimizer and call else None,
                                     optimizer=0 if optimizer and call else None))
        move = -sign * lr * scale * held
        if freeze_bias:
            move[6:] = 0
        w = w + move
    return stream


SGD = [{"class": "SGD", "module": "torch.optim.sgd", "hyperparameters": {"lr": 0.1, "momentum": 0.0},
        "steps": 12, "first_call": 1}]


def test_plain_gradient_descent_passes_every_check() -> None:
    stream = train()
    assert check_gradients_reset(stream).status == "passed"
    verdict = check_descent(stream, [], {"lr": 0.1})
    assert verdict.status == "passed", verdict.message
    assert verdict.details["learning_rate"] == 0.1 and verdict.details["updates_checked"] == 11


def test_an_optimizers_rate_is_the_one_checked() -> None:
    verdict = check_descent(train(optimizer=True), SGD, {})
    assert verdict.status == "passed" and "optimizer's lr" in verdict.message


def test_missing_zero_grad_is_named() -> None:
    verdict = check_gradients_reset(train(accumulate=True))
    assert verdict.status == "failed"
    assert "gradients accumulate across iterations" in verdict.message.lower()
    assert "zero_grad()" in verdict.message


def test_a_flipped_sign_is_gradient_ascent() -> None:
    verdict = check_descent(train(sign=-1.0, epochs=4), [], {"lr": 0.1})
    assert verdict.status == "failed"
    assert "adds the gradient instead of subtracting it" in verdict.message


def test_a_step_that_is_not_the_learning_rate_is_measured() -> None:
    verdict = check_descent(train(scale=0.25), [], {"lr": 0.1})
    assert verdict.status == "failed"
    assert "not the learning rate times the gradient" in verdict.message
    assert verdict.details["factor"] == pytest.approx(0.25)


def test_a_parameter_left_out_of_the_update_is_named() -> None:
    verdict = check_descent(train(freeze_bias=True), [], {"lr": 0.1})
    assert verdict.status == "failed" and "`b1` is never updated" in verdict.message


def test_momentum_is_reported_and_the_rubric_decides() -> None:
    momentum = [{**SGD[0], "hyperparameters": {"lr": 0.1, "momentum": 0.9}}]
    stream = train(optimizer=True)
    accepted = check_descent(stream, momentum, {}, allow_other_optimizers=True)
    refused = check_descent(stream, momentum, {}, allow_other_optimizers=False)
    assert accepted.status == "passed" and "momentum=0.9" in accepted.message
    assert refused.status == "failed" and "plain gradient descent" in refused.message


def test_updates_not_along_the_gradient_are_not_plain_descent() -> None:
    stream = train()
    rng = np.random.default_rng(1)
    for i, s in enumerate(stream.samples):  # replace the gradients by unrelated directions
        noise = rng.normal(size=9)
        stream.samples[i] = Sample(**{**s.__dict__, "grads": (noise[:6], noise[6:])})
    verdict = check_descent(stream, [], {"lr": 0.1})
    assert verdict.status == "failed" and "not proportional to the gradient" in verdict.message


def test_no_pair_of_calls_means_not_observed_rather_than_failed() -> None:
    stream = train(epochs=1)
    assert check_descent(stream, [], {}).details["observed"] is False
    assert check_gradients_reset(stream).details["observed"] is False


# --- backtracking -----------------------------------------------------------------------------

def backtrack(epochs: int = 10, *, undo: bool = True, reversed_armijo: bool = False,
              c: float = 1e-4, alpha0: float = 1.0, rho: float = 0.5) -> Stream:
    w = np.random.default_rng(2).normal(size=9)
    stream = Stream(NAMES, SHAPES)
    for call in range(epochs):
        loss, grad = loss_and_grad(w)
        stream.samples.append(sample(call, w, grad, loss))
        alpha, current = alpha0, w.copy()
        for _ in range(40):
            trial = current - alpha * grad
            new_loss = loss_and_grad(trial)[0]
            bound = loss - c * alpha * float(grad @ grad)
            accepted = new_loss >= bound if reversed_armijo else new_loss <= bound
            if accepted:
                break
            if not undo:
                current = trial  # the rejected trial stays applied
            alpha *= rho
        w = trial
    return stream


def test_correct_backtracking_passes() -> None:
    verdict = check_armijo_trace(backtrack(), alpha0=1.0, rho=0.5, c=1e-4)
    assert verdict.status == "passed", verdict.message
    assert max(verdict.details["powers"]) >= 1  # some steps were actually shrunk


def test_trials_that_are_not_undone_are_named() -> None:
    verdict = check_armijo_trace(backtrack(epochs=3, undo=False), alpha0=1.0, rho=0.5, c=1e-4)
    assert verdict.status == "failed"
    assert "rejected trial steps are not undone" in verdict.message.lower()


def test_a_reversed_armijo_inequality_is_named() -> None:
    verdict = check_armijo_trace(backtrack(reversed_armijo=True), alpha0=1.0, rho=0.5, c=1e-4)
    assert verdict.status == "failed"
    assert "violate the Armijo condition" in verdict.message
    assert "reversed" in verdict.message


def test_steps_of_another_form_are_reported() -> None:
    stream = backtrack(alpha0=0.3)  # student used alpha0 = 0.3; the rubric says 1.0
    verdict = check_armijo_trace(stream, alpha0=1.0, rho=0.5, c=1e-4)
    assert verdict.status == "failed" and "alpha0 · rho^k" in verdict.message


# --- the loss history ---------------------------------------------------------------------------

def test_history_that_holds_the_training_losses_matches() -> None:
    stream = train(epochs=30)
    history = np.array([s.loss for s in stream.samples])
    assert check_history_matches(stream, history, 0).status == "passed"


def test_history_shifted_by_one_iteration_is_named() -> None:
    stream = train(epochs=30)
    losses = [s.loss for s in stream.samples]
    history = np.array([99.0] + losses[:-1])  # entry i holds the loss of iteration i-1
    verdict = check_history_matches(stream, history, 0)
    assert verdict.status == "failed" and "shifted by one iteration" in verdict.message


def test_history_of_other_numbers_is_a_mismatch() -> None:
    stream = train(epochs=30)
    history = np.array([s.loss * 0.5 for s in stream.samples])
    verdict = check_history_matches(stream, history, 0)
    assert verdict.status == "failed" and "do not match" in verdict.message


def test_history_with_an_unknown_start_is_aligned() -> None:
    """A second training whose first calls were not sampled: its start is searched for."""
    full = train(epochs=60)
    stream = Stream(NAMES, SHAPES, [s for s in full.samples if s.call >= 7])
    history = np.array([s.loss for s in full.samples])
    verdict = check_history_matches(stream, history, 0)
    assert verdict.status == "passed" and verdict.details["loop_start_call"] == 0


def test_measure_updates_pairs_only_consecutive_calls() -> None:
    stream = train(epochs=6)
    del stream.samples[3]
    assert [u.call for u in measure_updates(stream)] == [0, 1, 4]


def test_a_decaying_hand_written_rate_is_a_schedule_not_a_wrong_rate() -> None:
    scaled = Stream(NAMES, SHAPES)
    w = np.random.default_rng(0).normal(size=9)
    for call in range(12):  # lr = 0.1 * 0.9**call, declared lr ends smaller
        loss, grad = loss_and_grad(w)
        scaled.samples.append(sample(call, w, grad, loss))
        w = w - 0.1 * 0.9**call * grad
    verdict = check_descent(scaled, [], {"lr": 0.1 * 0.9**11})
    assert verdict.status == "passed" and "schedule" in verdict.message


# --- recomputing the recorded losses (grader.traceloss) -----------------------------------------

from grader import netmath, traceloss  # noqa: E402
from grader.candidates import Candidate  # noqa: E402
from grader.checks.training import check_recorded_losses, check_training_split  # noqa: E402
from grader.sandbox.trace import carries_data  # noqa: E402

NET_NAMES = ("W1", "W2", "b1", "b2")
ACTS = ("tanh", "sigmoid")
RAW = Candidate("network", "u.py", "W1, W2, b1, b2", NET_NAMES, "weights 2→3→1", {"unit": "u.py",
                "name": "W1"}, {"origin": "weights", "container": "globals", "convention": "row",
                                "weight_keys": ["W1", "W2"], "bias_keys": ["b1", "b2"]})


def moons(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * [2.0, 1.0] + [1.0, -3.0]
    return X, (X[:, 0] > 1.0).astype(np.float64).reshape(-1, 1)


def net_stream(X: np.ndarray, Y: np.ndarray, *, epochs: int = 10, stale_from: int | None = None,
               with_data: bool = True) -> Stream:
    """Gradient descent on a 2-3-1 network (BCE); each call records its parameters and data."""
    rng = np.random.default_rng(3)
    weights, biases = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))], [np.zeros(3), np.zeros(1)]
    stream = Stream(NET_NAMES, ((2, 3), (3, 1), (3,), (1,)))
    stale = None
    for call in range(epochs):
        loss = netmath.loss_value(weights, biases, ACTS, X, Y, "bce")
        stale = loss if stale_from is not None and call == stale_from else stale
        grads = netmath.gradients(weights, biases, ACTS, X, Y, "bce")
        values = (weights[0].ravel(), weights[1].ravel(), biases[0], biases[1])
        flat = (grads[0][0].ravel(), grads[1][0].ravel(), grads[0][1], grads[1][1])
        data = (X.astype(np.float32).astype(np.float64), Y) if with_data and carries_data(call) else ()
        stream.samples.append(Sample(call=call, loss=stale if stale is not None else loss, steps=0,
                                     optimizer=None, lr=None, names=NET_NAMES, shapes=stream.shapes,
                                     values=tuple(v.copy() for v in values), grads=flat,
                                     has_grad=(True,) * 4, grad_before=(0.0,) * 4, data=data))
        weights = [W - 0.5 * dW for W, (dW, _) in zip(weights, grads)]
        biases = [b - 0.5 * db for b, (_, db) in zip(biases, grads)]
    return stream


def recomputed(stream: Stream, arrays: dict | None = None):
    where = traceloss.layout(RAW, stream.names)
    assert where is not None and where.weights == (0, 1) and where.biases == (2, 3)
    points, fit = traceloss.recompute(stream, where, ACTS, arrays or {})
    return check_recorded_losses(points, fit.loss if fit else None, first_call=0), fit


def test_recorded_losses_of_the_recorded_parameters_match() -> None:
    verdict, fit = recomputed(net_stream(*moons(200, 0)))
    assert verdict.status == "passed" and verdict.details["observed"] is True, verdict.message
    assert verdict.details["loss_formula"] == "bce" and fit.target == "recorded"
    assert [p["call"] for p in verdict.details["recomputed"]] == [0, 1, 2, 4, 8]


def test_a_loss_that_is_not_the_current_parameters_loss_is_named_with_both_values() -> None:
    verdict, _ = recomputed(net_stream(*moons(200, 0), stale_from=1))  # loss frozen after call 1
    assert verdict.status == "failed"
    assert "not the loss of the current parameters" in verdict.message
    assert "at iteration 3" in verdict.message
    details = verdict.details
    assert details["first_mismatch_call"] == 2
    assert f"{details['recorded_loss']:.6g}" in verdict.message
    assert f"{details['grader_loss']:.6g}" in verdict.message


def test_targets_may_come_from_the_students_arrays() -> None:
    X, Y = moons(100, 1)
    stream = net_stream(X, Y)
    for i, s in enumerate(stream.samples):  # only the input reached the graph's saved tensors
        stream.samples[i] = Sample(**{**s.__dict__, "data": s.data[:1]})
    verdict, fit = recomputed(stream, {"y_train": Y.ravel()})
    assert verdict.status == "passed" and fit.target == "y_train"


def test_without_data_the_losses_are_not_observed() -> None:
    verdict, fit = recomputed(net_stream(*moons(50, 0), with_data=False))
    assert fit is None and verdict.status == "passed" and verdict.details["observed"] is False


def test_training_on_the_scaled_test_split_is_named() -> None:
    X_train, y_train = moons(400, 0)
    X_test, y_test = moons(100, 1)
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0)
    stream = net_stream((X_test - mean) / scale, y_test)
    arrays = {"X_train": X_train, "X_test": X_test, "y_train": y_train.ravel(),
              "y_test": y_test.ravel()}
    verdict, fit = recomputed(stream, arrays)
    assert verdict.status == "passed"
    found = traceloss.sources(fit.X, arrays, {"sc": (mean, scale)})
    assert [(s.name, s.scaler, s.split) for s in found] == [("X_test", "sc", "test")]
    where = traceloss.layout(RAW, stream.names)
    on_train = traceloss.split_loss(fit, found[0], arrays, where, ACTS)
    assert on_train is not None and on_train[0] == "X_train"
    point = traceloss.Point(fit.sample.call, fit.sample.loss, fit.value)
    split = check_training_split(found, point, first_call=0, on_train=on_train)
    assert split.status == "failed" and "test set was used for training" in split.message.lower()
    assert "`X_test` (scaled with `sc`)" in split.message and "`X_train`" in split.message


def test_a_batch_of_the_training_split_is_training_data() -> None:
    X_train, y_train = moons(400, 0)
    batch = X_train[np.random.default_rng(0).permutation(400)[:64]]
    found = traceloss.sources(batch, {"X_train": X_train, "X_test": moons(100, 1)[0]}, {})
    assert [(s.name, s.split) for s in found] == [("X_train", "train")]
    point = traceloss.Point(0, 0.5, 0.5)
    assert check_training_split(found, point, first_call=0).status == "passed"


def test_a_module_layout_maps_linear_layers_in_order() -> None:
    module = Candidate("network", "u.py", "model", ("model",), "nn.Module", {"unit": "u.py",
                       "name": "model"}, {"origin": "module", "weights": [0, 0],
                                          "param_names": ["0.weight", "0.bias", "2.weight", "2.bias"]})
    names = ("model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight")
    where = traceloss.layout(module, names)
    assert where == traceloss.Layout((1, 3), (0, 2), True)
    assert traceloss.layout(module, names[:3]) is None


def test_split_names() -> None:
    split = {name: traceloss.Source(name, None, None).split
             for name in ("X_test", "Xtest", "x_val", "X_valid", "X_train", "Xtr", "X_tr", "X",
                          "X_train_val", "interval")}
    assert split == {"X_test": "test", "Xtest": "test", "x_val": "test", "X_valid": "test",
                     "X_train": "train", "Xtr": None, "X_tr": "train", "X": None,
                     "X_train_val": None, "interval": None}


# --- what the observed optimizer steps held and saw -------------------------------------------

def _with_steps(stream: Stream, held: tuple[bool, ...] | None, saw: bool | None) -> Stream:
    """The stream with every call after the first preceded by one observed step()."""
    samples = [stream.samples[0]] + [Sample(**{**s.__dict__, "steps": s.call, "step_held": held,
                                               "step_grad": saw}) for s in stream.samples[1:]]
    return Stream(stream.names, stream.shapes, samples)


def test_zero_grad_between_backward_and_step_is_named_not_a_missing_step() -> None:
    stream = _with_steps(train(lr=0.0), (True, True), False)  # step() ran, saw no gradient
    verdict = check_descent(stream, SGD, {"lr": 0.1})
    assert verdict.status == "failed"
    assert "zero_grad() is called between backward() and step()" in verdict.message
    assert "no update step is applied" not in verdict.message


def test_parameters_that_never_move_without_an_observed_step_keep_the_old_diagnosis() -> None:
    verdict = check_descent(train(lr=0.0), [], {"lr": 0.1})
    assert verdict.status == "failed" and "no update step is applied after backward()" in verdict.message


def test_a_step_that_saw_the_gradient_but_moved_nothing_is_not_blamed_on_zero_grad() -> None:
    verdict = check_descent(_with_steps(train(lr=0.0), (True, True), True), SGD, {"lr": 0.1})
    assert verdict.status == "failed" and "zero_grad()" not in verdict.message
    assert "optimizer.step() runs" in verdict.message


def test_gradients_of_parameters_no_optimizer_holds_are_not_blamed_on_a_missing_reset() -> None:
    # only W1 is in the optimizer: zero_grad() empties it, b1's .grad piles up and b1 never moves
    w = np.random.default_rng(0).normal(size=9)
    stream, held = Stream(NAMES, SHAPES), np.zeros(3)
    for call in range(8):
        loss, grad = loss_and_grad(w)
        before = float(np.abs(held).max())
        held = held + grad[6:]
        stream.samples.append(Sample(
            call=call, loss=loss, steps=call, optimizer=0 if call else None, lr=0.1 if call else None,
            names=NAMES, shapes=SHAPES, values=(w[:6].copy(), w[6:].copy()),
            grads=(grad[:6].copy(), held.copy()), has_grad=(True, True), grad_before=(0.0, before),
            step_held=(True, False) if call else None, step_grad=True if call else None))
        w = np.concatenate([w[:6] - 0.1 * grad[:6], w[6:]])
    verdict = check_gradients_reset(stream)
    assert verdict.status == "passed", verdict.message
    assert "`b1` is in no optimizer and never updated" in verdict.message
    assert verdict.details["untrained"] == ["b1"]
    assert check_descent(stream, SGD, {}).details["never_updated"] == ["b1"]  # named once, there


def test_a_missing_reset_of_parameters_the_optimizer_holds_still_fails() -> None:
    verdict = check_gradients_reset(_with_steps(train(accumulate=True), (True, True), True))
    assert verdict.status == "failed" and "zero_grad()" in verdict.message


def _frozen_stream(*, written: bool, reset: bool = True) -> Stream:
    """A training whose parameters never move: an in-place write (or none) after each call."""
    w = np.random.default_rng(1).normal(size=9)
    stream = Stream(NAMES, SHAPES)
    for call in range(4):
        loss, grad = loss_and_grad(w)
        s = sample(call, w, grad, loss, before=0.0 if reset or not call else 1.0)
        version = call if written else 0
        stream.samples.append(dataclasses.replace(s, versions=(version, version)))
    return stream


def test_gradients_zeroed_before_an_in_place_update_are_named() -> None:
    verdict = check_descent(_frozen_stream(written=True), [], {"lr": 0.1})
    assert verdict.status == "failed"
    assert "zeroed before the update uses them" in verdict.message
    unwritten = check_descent(_frozen_stream(written=False), [], {"lr": 0.1})
    assert "no update step is applied" in unwritten.message
    kept = check_descent(_frozen_stream(written=True, reset=False), [], {"lr": 0.1})
    assert "the step it subtracts is zero" in kept.message
