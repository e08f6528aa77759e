"""Planted backprop and update mistakes named in the lab's terms: a hidden activation's
derivative written wrong (sigmoid, ReLU, leaky ReLU, ELU), a sign flip on one parameter under
momentum, the gradient divided by N twice, and a training that diverged to NaN."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.updates import (Step, check_divided_twice, check_explained_mistake,
                                   check_rule_descent, check_rule_gradients)
from grader.evidence import find_networks
from grader.identify import identify
from grader.observed_updates import observed_updates
from grader.update_hypotheses import explain
from grader.update_rules import infer_rule, summary
from test_loop_trace import traced

LOOP = """
import numpy as np
rng = np.random.default_rng(4)
X = rng.normal(size=(40, 2))
y = (X[:, :1] * X[:, 1:] > 0).astype(float)
W1, b1 = rng.normal(size=(2, 6)), np.zeros((1, 6))
W2, b2 = rng.normal(size=(6, 1)) * 0.5, np.zeros((1, 1))
lr = 0.2
for epoch in range(60):
    Z1 = X @ W1 + b1
    A1 = @ACT@
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    dZ2 = (A2 - y) / len(X)
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dZ1 = dZ2 @ W2.T * @DERIV@
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
"""

ACTS = {
    "sigmoid": ("1 / (1 + np.exp(-Z1))", "A1 * (1 - A1)"),
    "relu": ("np.maximum(Z1, 0)", "(Z1 > 0)"),
    "leaky": ("np.where(Z1 > 0, Z1, 0.01 * Z1)", "np.where(Z1 > 0, 1.0, 0.01)"),
    "elu": ("np.where(Z1 > 0, Z1, np.exp(Z1) - 1)", "np.where(Z1 > 0, 1.0, np.exp(Z1))"),
}

MISTAKES = {  # name: (activation, the derivative as written, slug, words in the verdict)
    "sigmoid_plus": ("sigmoid", "A1 * (1 + A1)", "sigmoid_plus", "A * (1 + A)"),
    "sigmoid_formula_on_z": ("sigmoid", "Z1 * (1 - Z1)", "formula_on_preactivation",
                             "Z * (1 - Z)"),
    "relu_reversed": ("relu", "(Z1 < 0)", "relu_reversed", "(Z < 0)"),
    "leaky_reversed": ("leaky", "np.where(Z1 > 0, 0.01, 1.0)", "leaky_reversed", "swapped"),
    "leaky_no_slope": ("leaky", "(Z1 > 0)", "leaky_no_slope", "slope 0.01"),
    "elu_exp_everywhere": ("elu", "np.exp(Z1)", "elu_exp_everywhere", "alpha * exp(Z) for every Z"),
    "elu_alpha_z": ("elu", "np.where(Z1 > 0, 1.0, Z1)", "elu_alpha_z", "alpha * Z instead of"),
}


def _network(source: str):
    _, trace = traced(source)
    found = identify(trace) or find_networks(trace)
    assert found, "the network is identified"
    return found[0]


def _source(act: str, derivative: str | None = None) -> str:
    forward, correct = ACTS[act]
    return LOOP.replace("@ACT@", forward).replace("@DERIV@", derivative or correct)


@pytest.mark.parametrize("act", sorted(ACTS))
def test_a_correct_hidden_derivative_is_explained_by_no_mistake(act: str) -> None:
    found = _network(_source(act))
    loss, updates = observed_updates(found, (0.2,))
    assert loss == "bce"
    assert explain(found, loss, updates) is None


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_wrong_hidden_derivative_is_named(name: str) -> None:
    act, derivative, slug, words = MISTAKES[name]
    found = _network(_source(act, derivative))
    loss, updates = observed_updates(found, (0.2,))
    explanation = explain(found, loss, updates)
    assert explanation is not None and explanation.slug == slug
    assert "W1" in explanation.parameters and "W2" not in explanation.parameters
    verdict = check_explained_mistake(explanation.diagnosis, explanation.parameters,
                                      explanation.residual, explanation.true_residual,
                                      explanation.evidence, loss)
    assert verdict.status == "failed" and words in verdict.message and "`W1`" in verdict.message


MOMENTUM = _source("leaky").replace(
    "    W1 -= lr * dW1\n    b1 -= lr * db1\n    W2 -= lr * dW2\n    b2 -= lr * db2\n",
    "    v1 = 0.9 * v1 + dW1; W1 -= lr * v1\n    u1 = 0.9 * u1 + db1; b1 -= lr * u1\n"
    "    v2 = 0.9 * v2 + dW2; W2 -= lr * v2\n    u2 = 0.9 * u2 + db2; @B2@\n").replace(
    "lr = 0.2\n", "lr = 0.2\nv1, u1, v2, u2 = np.zeros((2, 6)), np.zeros((1, 6)), np.zeros((6, 1)), "
    "np.zeros((1, 1))\n")


@pytest.mark.parametrize("update, ascent", [("b2 -= lr * u2", []), ("b2 += lr * u2", ["b2"])])
def test_one_parameter_moving_up_its_gradient_under_momentum_is_named(update: str,
                                                                      ascent: list[str]) -> None:
    found = _network(MOMENTUM.replace("@B2@", update))
    fit = infer_rule(found, "bce")
    assert fit is not None and fit.rule == "momentum" and fit.residual < 1e-6
    assert abs(fit.constants["lr"] - 0.2) < 1e-6 and abs(fit.constants["beta"] - 0.9) < 1e-6
    assert (fit.constants.get("ascent") or []) == ascent
    assert check_rule_gradients(summary(fit), "bce").status == "passed"  # the gradients are right
    descent = check_rule_descent(summary(fit), allow_other_optimizers=True)
    if ascent:
        assert descent.status == "failed" and "`b2`" in descent.message
        assert "gradient ascent" in descent.message and "`W1`" not in descent.message
    else:
        assert descent.status == "passed"


def _steps(rate: float) -> list[Step]:
    return [Step(i, p, rate, 1e-9, True) for i in range(3) for p in ("W1", "b1", "W2", "b2")]


def test_a_gradient_divided_by_n_twice_is_named_with_n() -> None:
    verdict = check_divided_twice(_steps(0.5 / 200), "bce", {"lr": 0.5, "N": 200.0}, 200)
    assert verdict is not None and verdict.status == "failed"
    assert "N = 200" in verdict.message and "twice" in verdict.message and "1/N" in verdict.message
    assert check_divided_twice(_steps(0.5), "bce", {"lr": 0.5}, 200) is None  # the code's rate
    assert check_divided_twice(_steps(0.5 / 200), "bce", {"lr": 0.5, "eta": 0.0025}, 200) is None
    assert check_divided_twice(_steps(0.5 / 200), "bce", {"epoch": 0.5}, 200) is None  # no rate


def test_a_training_that_diverges_to_nan_is_judged_on_its_finite_steps() -> None:
    source = _source("sigmoid", "Z1 * (1 - Z1)").replace("range(60)", "range(400)").replace(
        "lr = 0.2", "lr = 5.0")
    namespace, trace = traced(source)
    assert not np.all(np.isfinite(namespace["W1"]))  # the run itself ends in NaN
    found = _network(source)
    assert all(np.all(np.isfinite(s[p])) for s in found.states for p in found.layout.paths)
    loss, updates = observed_updates(found, (5.0,))
    explanation = explain(found, loss, updates)
    assert explanation is not None and explanation.slug == "formula_on_preactivation"
