"""The trace verdicts on simulated trainings: each planted bug gets its diagnosis, correct ones pass."""

from __future__ import annotations

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
