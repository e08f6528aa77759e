"""The grader's bound on the networks it evaluates, and its chunked float64 numerics."""

from __future__ import annotations

import numpy as np
import pytest

from grader import context, netmath
from grader.candidates import Candidate, over_bound
from grader.context import GradingContext
from grader.grading import grade_task
from grader.launcher import RunRecord
from grader.loading import load_submission
from grader.plotdata import collect_plots
from grader.references import References
from grader.rubric import (DEFAULT_PARAMS_MAX, DEFAULT_WIDTH_MAX, RubricError, TargetSpec,
                           load_rubric, parse_rubric)
from grader.secret import with_secret

LAB6 = load_rubric("lab6")
RNG = np.random.default_rng(7)


def network(sizes: tuple[int, ...]) -> Candidate:
    weights = [np.zeros((a, b)) for a, b in zip(sizes, sizes[1:])]
    return Candidate("network", "lab.py", "W1", ("W1",), "weights", {}, {
        "weights": weights, "biases": [np.zeros(b) for b in sizes[1:]], "sizes": sizes})


# --- the rubric's bounds ------------------------------------------------------------------------

def test_lab6_bounds_its_networks() -> None:
    assert (LAB6.targets["moons_fixed"].width_max, LAB6.targets["moons_fixed"].params_max) == \
        (1024, 500_000)
    assert LAB6.targets["xor_net"].params_max == 50_000
    assert LAB6.targets["xor_net"].width_max == DEFAULT_WIDTH_MAX
    assert TargetSpec("t", "network").params_max == DEFAULT_PARAMS_MAX


@pytest.mark.parametrize("line,problem", [("width_max = 0", "must be a positive integer"),
                                          ("params_max = -5", "must be a positive integer"),
                                          ("params_max = true", "expected an integer, got a boolean"),
                                          ("width_max = 1.5", "expected an integer")])
def test_bad_bounds_are_rubric_errors(line: str, problem: str) -> None:
    lines = [row for row in open(LAB6.path).read().splitlines()
             if not row.startswith(line.split(" =")[0] + " = ")]
    text = "\n".join(lines).replace("hidden_max = 64\n", f"hidden_max = 64\n{line}\n")
    with pytest.raises(RubricError, match=rf"targets\.xor_net\.\w+_max: {problem}"):
        parse_rubric(text, "lab6.toml")


@pytest.mark.parametrize("sizes,over", [((2, 1024, 1), False), ((2, 1025, 1), True),
                                        ((2, 700, 700, 1), False), ((2, 710, 710, 1), True)])
def test_over_bound_counts_width_and_parameters(sizes: tuple[int, ...], over: bool) -> None:
    spec = LAB6.targets["moons_fixed"]
    problem = over_bound(spec, network(sizes))
    assert (problem is not None) == over
    if over:
        assert "parameters" in problem and "at most 500,000 parameters" in problem
        assert "at most 1,024 units per layer" in problem and spec.description in problem


def test_bounds_are_for_networks_only() -> None:
    assert over_bound(LAB6.targets["moons_fixed_history"], network((2, 10**6, 1))) is None


# --- enforced before any of the grader's numerics -----------------------------------------------

def array(name: str, value: np.ndarray) -> dict:
    return {"kind": "array", "name": name, "value": value, "requires_grad": False,
            "source": "ndarray"}


def test_a_wide_network_fails_its_checks_without_being_evaluated(tmp_path, monkeypatch) -> None:
    (tmp_path / "lab.py").write_text("x = 1\n")
    submission = load_submission(tmp_path)
    width = 5000
    objects = [array("X", RNG.normal(size=(200, 2))),
               array("W1", RNG.normal(size=(2, width))), array("b1", np.zeros(width)),
               array("W2", RNG.normal(size=(width, 1))), array("b2", np.zeros(1))]
    record = RunRecord(inventory=[{"unit": "lab.py", "objects": objects, "notes": []}],
                       ending="finished")

    def no_numerics(*_args, **_kwargs):
        raise AssertionError("the grader evaluated a network over its bound")

    monkeypatch.setattr(context, "resolve", no_numerics)
    monkeypatch.setattr(netmath, "forward", no_numerics)
    rubric = with_secret(LAB6, "bounds-test-secret-0123456789")
    ctx = GradingContext(rubric, submission, record, None, References(rubric))
    moons = next(t for t in rubric.tasks if t.id == "moons")
    task = grade_task(moons, ctx)
    network_checks = [c for c in task.checks if c.id != "loss"]
    assert network_checks and all(c.status == "failed" and c.details["too_large"]
                                  for c in network_checks), [c.message for c in task.checks]
    assert "5,000 units wide" in network_checks[0].message
    assert task.attempted  # the work is there: it is too large, not missing
    assert collect_plots(rubric, ctx)["boundaries"] == []


# --- chunked forward passes and losses ---------------------------------------------------------

@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netmath, "CHUNK_ELEMENTS", 64)


def test_chunk_rows_bound_the_activations_held() -> None:
    weights = [np.zeros((2, 4096)), np.zeros((4096, 1))]
    rows = netmath.chunk_rows(weights)
    assert rows * 4096 <= netmath.CHUNK_ELEMENTS and rows >= 1
    assert netmath.chunk_rows([np.zeros((2, 10**8 // 2))]) == 1


def test_chunked_forward_and_losses_match_one_pass(small_chunks: None) -> None:
    weights = [RNG.normal(size=(2, 16)), RNG.normal(size=(16, 3))]
    biases = [RNG.normal(size=16), RNG.normal(size=3)]
    X = RNG.normal(size=(101, 2))
    Y = (RNG.uniform(size=(101, 3)) < 0.5).astype(float)
    assert netmath.chunk_rows(weights) == 4  # 26 chunks
    for acts in (("tanh", "sigmoid"), ("relu", "softmax"), ("elu", "identity")):
        ws, bs = netmath._as_tensors(weights, biases, grad=False)
        z, a = netmath._torch_pass(ws, bs, acts, netmath._inputs(X, 2))
        np.testing.assert_allclose(netmath.forward(weights, biases, acts, X), a.numpy(),
                                   rtol=1e-12, atol=1e-14)
        for loss in netmath.LOSSES:
            whole = float(netmath._loss(z, a, netmath._targets(Y, a), loss, acts[-1]))
            assert netmath.loss_value(weights, biases, acts, X, Y, loss) == \
                pytest.approx(whole, rel=1e-12), loss
    assert netmath.forward(weights, biases, ("tanh", "sigmoid"), np.zeros((0, 2))).shape == (0, 3)
