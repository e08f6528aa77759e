"""The training judged from its trace (issue 12): each planted mistake one change away from a
correct NumPy loop is named by the hypothesis its observed updates follow, each update rule is
inferred from consecutive steps, and the correct loop keeps every verdict passed.

Loops run in-process, instrumented as the sandbox instruments them (fast: 300 iterations).
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.loss import check_recomputed_decrease
from grader.checks.updates import (check_explained_mistake, check_rule_descent,
                                   check_rule_gradients, check_searched_steps,
                                   check_update_directions, measure)
from grader.evidence import find_networks
from grader.identify import identify
from grader.observed_updates import observed_updates, recomputed_losses
from grader.update_hypotheses import explain
from grader.update_rules import infer_rule, summary
from test_loop_trace import traced

BASE = """
import numpy as np
rng = np.random.default_rng(3)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
m = 4
sig = lambda z: 1 / (1 + np.exp(-z))
W1, b1 = rng.normal(size=(2, 2)), np.zeros((1, 2))
W2, b2 = rng.normal(size=(2, 1)), np.zeros((1, 1))
v1, v2, u1, u2 = np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((1, 2)), np.zeros((1, 1))
lr = 0.5
for epoch in range(300):
    A1 = sig(X @ W1 + b1)
    A2 = sig(A1 @ W2 + b2)
    loss = -np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))
    dZ2 = A2 - y
    dW2 = A1.T @ dZ2 / m
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = X.T @ dZ1 / m
    db1 = np.sum(dZ1, axis=0, keepdims=True) / m
    W2 -= lr * dW2
    b2 -= lr * db2
    W1 -= lr * dW1
    b1 -= lr * db1
"""

MISTAKES = {  # name: (replacements, hypothesis slug, parameter named, words in the verdict)
    "one_minus_a": ({"dZ1 = dA1 * A1 * (1 - A1)": "dZ1 = dA1 * A1"},
                    "sigmoid_missing_one_minus_a", "W1", "(1 - A)"),
    "of_activation": ({"dZ1 = dA1 * A1 * (1 - A1)": "dZ1 = dA1 * sig(A1) * (1 - sig(A1))"},
                      "derivative_of_activation", "W1", "pre-activation"),
    "no_derivative": ({"dZ1 = dA1 * A1 * (1 - A1)": "dZ1 = dA1"},
                      "derivative_missing", "W1", "is missing"),
    "transposed": ({"dW1 = X.T @ dZ1 / m": "dW1 = (X.T @ dZ1 / m).T"}, "transposed", "W1",
                   "transposed"),
    "bias_no_axis": ({"db1 = np.sum(dZ1, axis=0, keepdims=True) / m": "db1 = np.sum(dZ1) / m"},
                     "bias_all_axes", "b1", "wrong axis"),
    "before_propagation": ({"    W2 -= lr * dW2\n": "", "dA1 = dZ2 @ W2.T":
                            "W2 -= lr * dW2\n    dA1 = dZ2 @ W2.T"},
                           "updated_before_propagated", "W1", "before"),
}

RULES = {  # name: (replacements, rule)
    "momentum": ({"W2 -= lr * dW2": "v2 = 0.9 * v2 + dW2; W2 -= lr * v2",
                  "b2 -= lr * db2": "u2 = 0.9 * u2 + db2; b2 -= lr * u2",
                  "W1 -= lr * dW1": "v1 = 0.9 * v1 + dW1; W1 -= lr * v1",
                  "b1 -= lr * db1": "u1 = 0.9 * u1 + db1; b1 -= lr * u1"}, "momentum"),
    "accumulated": ({"W2 -= lr * dW2": "v2 += dW2; W2 -= lr * v2",
                     "b2 -= lr * db2": "u2 += db2; b2 -= lr * u2",
                     "W1 -= lr * dW1": "v1 += dW1; W1 -= lr * v1",
                     "b1 -= lr * db1": "u1 += db1; b1 -= lr * u1"}, "accumulated"),
    "adam": ({"W2 -= lr * dW2\n    b2 -= lr * db2\n    W1 -= lr * dW1\n    b1 -= lr * db1\n":
              "t = epoch + 1\n"
              "    for P, G, M, V in ((W1, dW1, v1, s1), (W2, dW2, v2, s2), (b1, db1, u1, r1),"
              " (b2, db2, u2, r2)):\n"
              "        M[...] = 0.9 * M + 0.1 * G\n"
              "        V[...] = 0.999 * V + 0.001 * G * G\n"
              "        P -= 0.05 * (M / (1 - 0.9**t)) / (np.sqrt(V / (1 - 0.999**t)) + 1e-8)\n",
              "v1, v2, u1, u2 = ": "s1, s2, r1, r2 = np.zeros((2, 2)), np.zeros((2, 1)), "
              "np.zeros((1, 2)), np.zeros((1, 1))\nv1, v2, u1, u2 = "}, "adam"),
}


def _variant(replacements: dict[str, str]) -> str:
    source = BASE
    for old, new in replacements.items():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def _network(source: str):
    _, trace = traced(source)
    found = identify(trace) or find_networks(trace)
    assert found, "the network is identified"
    return found[0]


def test_the_correct_loop_is_plain_gradient_descent_and_no_mistake_explains_it() -> None:
    found = _network(BASE)
    loss, updates = observed_updates(found, (0.5,))
    assert loss == "bce"
    assert check_update_directions(measure(updates), loss).status == "passed"
    assert explain(found, loss, updates) is None
    fit = infer_rule(found, loss)
    assert fit is not None and fit.rule == "gd" and abs(fit.constants["lr"] - 0.5) < 1e-6
    assert check_rule_gradients(summary(fit), loss) is None
    assert check_rule_descent(summary(fit), allow_other_optimizers=False) is None


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_backprop_mistake_is_named_with_its_parameter(name: str) -> None:
    replacements, slug, parameter, words = MISTAKES[name]
    found = _network(_variant(replacements))
    loss, updates = observed_updates(found, (0.5,))
    explanation = explain(found, loss, updates)
    assert explanation is not None and explanation.slug == slug
    assert parameter in explanation.parameters
    assert explanation.residual < 1e-6 < explanation.true_residual
    verdict = check_explained_mistake(explanation.diagnosis, explanation.parameters,
                                      explanation.residual, explanation.true_residual,
                                      explanation.evidence, loss)
    assert verdict.status == "failed" and words in verdict.message
    assert f"`{parameter}`" in verdict.message
    evidence = verdict.details["update"]
    assert len(evidence["observed"]) == len(evidence["hypothesis"]) >= 1  # the numbers shown


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_update_rule_is_inferred_from_consecutive_steps(name: str) -> None:
    replacements, rule = RULES[name]
    found = _network(_variant(replacements))
    loss, updates = observed_updates(found, (0.5,))
    fits = [infer_rule(found, other) for other in ("bce", "mse")]
    fit = min((f for f in fits if f is not None), key=lambda f: f.residual)
    assert fit.rule == rule and fit.residual < 1e-6
    descent = check_rule_descent(summary(fit), allow_other_optimizers=False)
    gradients = check_rule_gradients(summary(fit), loss)
    if rule == "accumulated":
        assert gradients.status == "failed" and "accumulate" in gradients.message
    else:
        assert gradients.status == "passed"  # the gradients are right; the rule is not plain GD
        assert descent.status == "failed"
        assert {"momentum": "momentum", "adam": "Adam"}[rule] in descent.message
        assert check_rule_descent(summary(fit), allow_other_optimizers=True).status == "passed"


def test_the_loss_curve_is_recomputed_from_the_sampled_parameters() -> None:
    found = _network(BASE)
    points = recomputed_losses(found, "bce")
    assert points[0][0] == -1 and len(points) >= 5   # from before training on
    values = [v for _, v in points]
    assert values[-1] < values[0]
    verdict = check_recomputed_decrease(points, loss="bce", max_final_ratio=0.99, target=None)
    assert verdict.status == "passed"
    stuck = check_recomputed_decrease(points, loss="bce", max_final_ratio=0.01, target=None)
    assert stuck.status == "failed" and "final/initial" in stuck.message


class _Step:
    def __init__(self, iteration: int, step: float, before: float, after: float) -> None:
        self.iteration, self.step, self.residual, self.grad_sq = iteration, step, 0.0, 1.0
        self.loss_before, self.loss_after = before, after


def test_a_search_that_rejects_a_step_satisfying_armijo_is_a_reversed_test() -> None:
    steps = [_Step(0, 0.25, 1.0, 0.9)]  # a = alpha0 rho^2
    honest = check_searched_steps(steps, alpha0=1.0, rho=0.5, c=1e-4, source="test",
                                  larger={0: 1.2})   # a / rho = 0.5 violated: 1.2 > 1 - 5e-5
    assert honest.status == "passed"
    reversed_ = check_searched_steps(steps, alpha0=1.0, rho=0.5, c=1e-4, source="test",
                                     larger={0: 0.8})  # a / rho = 0.5 satisfied it
    assert reversed_.status == "failed" and "reversed" in reversed_.message
    assert reversed_.details["rejected_step"] == 0.5


def test_every_trial_left_applied_is_named_and_a_plain_first_step_is_not() -> None:
    undone = check_searched_steps([_Step(0, 8.0 + 4.0 + 2.0, 1.0, 0.5)], alpha0=8.0, rho=0.5,
                                  c=1e-4, source="test")
    assert undone.status == "failed" and "not undone" in undone.message
    first = check_searched_steps([_Step(0, 8.0, 1.0, 0.5)], alpha0=8.0, rho=0.5, c=1e-4,
                                 source="test")
    assert first.status == "passed"


def test_a_gradient_scaled_by_the_loss_fails_the_gradients_check() -> None:
    rule = {"rule": "loss_scaled", "residual": 1e-9, "constants": {"lr": 0.5}, "steps": 10,
            "described": "gradient descent with every gradient multiplied by the loss"}
    verdict = check_rule_gradients(rule, "bce")
    assert verdict.status == "failed" and "scaled by the loss" in verdict.message
    assert check_rule_descent(rule, allow_other_optimizers=False) is None
    assert np.isfinite(verdict.details["rule"]["residual"])


DEEP = """
import numpy as np
rng = np.random.default_rng(5)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
W1, b1 = rng.normal(size=(2, 3)), np.zeros(3)
W2, b2 = rng.normal(size=(3, 3)), np.zeros(3)
W3, b3 = rng.normal(size=(3, 3)), np.zeros(3)
W4, b4 = rng.normal(size=(3, 1)), np.zeros(1)
for epoch in range(200):
    a1 = np.tanh(X @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    a3 = np.tanh(a2 @ W3 + b3)
    p = 1 / (1 + np.exp(-(a3 @ W4 + b4)))
    d4 = (p - y) / 4
    d3 = d4 @ W4.T * (1 - a3 ** 2)
    d2 = d3 @ W3.T * (1 - a2 ** 2)
    d1 = d2 @ W2.T * (1 - a1 ** 2)
    W4 -= 0.5 * a3.T @ d4; b4 -= 0.5 * d4.sum(0)
    W3 -= 0.5 * a2.T @ d3; b3 -= 0.5 * d3.sum(0)
    W2 -= 0.5 * a1.T @ d2; b2 -= 0.5 * d2.sum(0)
    W1 -= 0.5 * X.T @ d1; b1 -= 0.5 * d1.sum(0)
"""


@pytest.mark.parametrize("old, new, words, parameter", [
    ("d1 = d2 @ W2.T", "d1 = d2 @ W3.T", "through `W3` instead of `W2`", "W1"),
    ("d2 = d3 @ W3.T", "d2 = d3 @ W3", "through `W3` untransposed", "W2"),
])
def test_the_error_sent_back_through_the_wrong_weights_is_named(old: str, new: str, words: str,
                                                                parameter: str) -> None:
    found = _network(DEEP)
    loss, updates = observed_updates(found, (0.5,))
    assert explain(found, loss, updates) is None  # the correct deep network: no mistake
    found = _network(DEEP.replace(old, new))
    loss, updates = observed_updates(found, (0.5,))
    explanation = explain(found, loss, updates)
    assert explanation is not None and words in explanation.diagnosis
    assert parameter in explanation.parameters
