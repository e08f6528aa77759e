"""Round-2 Armijo behaviours: a reversed search at its cap, step-scaled slack, a search
function's own defaults, float64 steps below float32's resolution, parameters that are no
history, a bias the loop changed before a frozen one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from grader.candidates import Candidate, is_parameter
from grader.checks.armijo_hypotheses import Search, accepted_k, explain
from grader.checks.search_params import search_defaults
from grader.evidence import _bias_options
from grader.runners.traced_search import resolved


def _linear(f0: float, G: float):
    return lambda a: f0 - a * G + 0.01 * a * a * G


def test_a_reversed_search_rejecting_every_trial_to_its_cap_is_named_only_when_capped() -> None:
    cap = 29
    searches = [Search(i, 1.0, 4.0, 2.0**-cap, _linear(1.0, 4.0)) for i in range(3)]
    named = explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4], names=("reversed",), capped=True)
    assert named is not None and named.name == "reversed"
    assert "Armijo inequality reversed" in named.message
    assert explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4], names=("reversed",)) is None


def test_a_correct_search_is_never_named_reversed_at_its_cap() -> None:
    searches = [Search(i, 1.0, 4.0, 1.0, _linear(1.0, 4.0)) for i in range(3)]
    named = explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4], names=("reversed",), capped=True)
    assert named is not None and named.name == "correct"


def test_norm_not_squared_rejects_tiny_steps_its_bound_misses_by_less_than_1e_9() -> None:
    G = 0.0881  # |g| = 0.2968 < c = 0.3: c a |g| > a |g|^2, every small trial fails
    s = Search(0, 0.479, G, 2.0**-23, lambda a: 0.479 - a * G)
    assert accepted_k("norm_not_squared", s, 2.0, 0.5, 0.3, 24) is None
    assert accepted_k("correct", s, 2.0, 0.5, 0.3, 24) == 0


def test_search_defaults_are_read_where_no_call_overrides_them() -> None:
    source = ("def armijo(model, X, y, alpha=2.0, rho=0.5, c=0.3):\n    pass\n"
              "def train(model, lr=0.5):\n    pass\n"
              "armijo(m, X, y)\ntrain(m)\n")
    assert search_defaults([source]) == [("armijo.alpha", 2.0), ("armijo.rho", 0.5),
                                         ("armijo.c", 0.3)]
    overridden = source.replace("armijo(m, X, y)", "armijo(m, X, y, alpha=1.0)")
    assert ("armijo.alpha", 2.0) not in search_defaults([overridden])
    assert search_defaults([source.replace("armijo(m, X, y)\n", "")]) == []


def test_a_float64_step_below_float32_resolution_is_resolved_by_its_residual() -> None:
    assert resolved(SimpleNamespace(precision=10.6, residual=4e-9))
    assert not resolved(SimpleNamespace(precision=10.6, residual=1e-4))
    assert resolved(SimpleNamespace(precision=1e-7, residual=1e-4))


def _network(bias: np.ndarray) -> Candidate:
    return Candidate("network", "u", "W1", ("W1",), "", {}, {"weights": [np.ones((2, 6))],
                                                              "biases": [bias]})


def test_a_series_holding_a_networks_bias_is_a_parameter_not_a_history() -> None:
    bias = np.linspace(-1, 1, 6)
    kept = Candidate("series", "u", "b1_gd", ("b1_gd",), "", {}, {"values": bias.copy()})
    history = Candidate("series", "u", "loss_gd", ("loss_gd",), "", {},
                        {"values": np.linspace(0.7, 0.2, 6)})
    assert is_parameter(kept, [_network(bias)])
    assert not is_parameter(history, [_network(bias)])


def test_a_bias_the_loop_changed_comes_before_a_frozen_bias_named_one() -> None:
    vectors = {"b1": np.ones(6), "c1": np.zeros(6), "gc1": np.zeros(6)}
    assert _bias_options(6, vectors, "V1", ["V1"], {"b1"})[0] == "c1"
    assert _bias_options(6, vectors, "V1", ["V1"])[0] == "b1"
