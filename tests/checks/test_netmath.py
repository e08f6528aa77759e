"""Trusted network maths: forward, losses, autograd gradients, shape conventions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grader import netmath

from grader.netmath import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LOSSES,
    forward,
    gradients,
    infer_activations,
    loss_value,
    normalize_bias,
    orient_chain,
    relative_error,
)


def random_net(
    sizes: list[int], seed: int, scale: float = 1.0
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=scale, size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.normal(scale=0.5, size=b) for b in sizes[1:]]
    return weights, biases


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_forward_matches_numpy_composition() -> None:
    w, b = random_net([3, 5, 2], seed=0)
    X = np.random.default_rng(1).normal(size=(7, 3))
    expected = np.tanh(np.maximum(X @ w[0] + b[0], 0.0) @ w[1] + b[1])
    out = forward(w, b, ("relu", "tanh"), X)
    assert out.shape == (7, 2) and out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-13)


def test_forward_rejects_bad_nets() -> None:
    w, b = random_net([2, 3, 1], seed=0)
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="unknown activation"):
        forward(w, b, ("sigmoid", "softplus"), X)
    with pytest.raises(ValueError, match="do not fit"):
        forward(w, [b[0].reshape(1, -1), b[1]], ("sigmoid", "sigmoid"), X)
    with pytest.raises(ValueError, match="inputs"):
        forward(w, b, ("sigmoid", "sigmoid"), np.zeros((4, 3)))


@pytest.mark.parametrize(
    "loss, formula",
    [
        ("bce", lambda p, y: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
        ("mse", lambda p, y: np.mean((p - y) ** 2)),
        ("half_mse", lambda p, y: 0.5 * np.mean((p - y) ** 2)),
        ("sse", lambda p, y: np.sum((p - y) ** 2)),
        ("half_sse", lambda p, y: 0.5 * np.sum((p - y) ** 2)),
    ],
)
def test_loss_values_on_probabilities(loss: str, formula) -> None:
    w, b = random_net([2, 4, 1], seed=3)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(9, 2))
    Y = rng.integers(0, 2, size=9).astype(float)  # flat labels are reshaped to (m, 1)
    p = sigmoid(sigmoid(X @ w[0] + b[0]) @ w[1] + b[1])
    value = loss_value(w, b, ("sigmoid", "sigmoid"), X, Y, loss)
    assert value == pytest.approx(formula(p, Y.reshape(-1, 1)), rel=1e-12)


def test_bce_logits_equals_bce_of_sigmoid() -> None:
    w, b = random_net([2, 3, 1], seed=5)
    X = np.random.default_rng(6).normal(size=(8, 2))
    Y = np.array([0, 1, 1, 0, 1, 0, 0, 1.0]).reshape(-1, 1)
    on_logits = loss_value(w, b, ("tanh", "identity"), X, Y, "bce_logits")
    on_probs = loss_value(w, b, ("tanh", "sigmoid"), X, Y, "bce")
    assert on_logits == pytest.approx(on_probs, rel=1e-12)


def test_bce_is_finite_when_outputs_saturate() -> None:
    w = [np.array([[100.0]])]
    X = np.array([[1.0], [-1.0]])
    Y = np.array([[0.0], [1.0]])  # confidently wrong
    assert np.isfinite(loss_value(w, [np.zeros(1)], ("sigmoid",), X, Y, "bce"))
    assert np.isfinite(loss_value(w, [np.zeros(1)], ("relu",), X, Y, "bce"))
    g = gradients(w, [np.zeros(1)], ("sigmoid",), X, Y, "bce")
    assert np.all(np.isfinite(g[0][0])) and abs(g[0][0][0, 0]) > 0.5


def test_unknown_loss_is_rejected() -> None:
    w, b = random_net([2, 1], seed=0)
    with pytest.raises(ValueError, match="unknown loss"):
        loss_value(w, b, ("sigmoid",), np.zeros((2, 2)), np.zeros(2), "hinge")


def finite_differences(weights, biases, acts, X, Y, loss, h=1e-6):
    params = [*weights, *biases]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = loss_value(weights, biases, acts, X, Y, loss)
            p[idx] = old - h
            down = loss_value(weights, biases, acts, X, Y, loss)
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    n = len(weights)
    return list(zip(grads[:n], grads[n:]))


@pytest.mark.parametrize(
    "acts, loss",
    [
        (("sigmoid", "sigmoid"), "bce"),
        (("tanh", "identity"), "bce_logits"),
        (("relu", "sigmoid"), "mse"),
        (("tanh", "tanh", "identity"), "half_mse"),
        (("sigmoid", "identity"), "sse"),
        (("identity", "tanh"), "half_sse"),
    ],
)
def test_gradients_match_finite_differences(acts: tuple[str, ...], loss: str) -> None:
    sizes = [2] + [3] * (len(acts) - 1) + [1]
    w, b = random_net(sizes, seed=len(acts) + len(loss))
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 2))
    Y = rng.integers(0, 2, size=(5, 1)).astype(float)
    got = gradients(w, b, acts, X, Y, loss)
    numeric = finite_differences(w, b, acts, X, Y, loss)
    assert len(got) == len(acts)
    for (dw, db), (nw, nb), wi, bi in zip(got, numeric, w, b):
        assert dw.shape == wi.shape and db.shape == bi.shape
        assert relative_error(dw, nw) < 1e-7
        assert relative_error(db, nb) < 1e-7


def numpy_backprop_sigmoid(weights, biases, X, Y, loss):
    """Textbook backprop for an all-sigmoid net with mean BCE or mean squared error."""
    activations = [X]
    for w, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ w + b))
    a, m = activations[-1], X.shape[0]
    if loss == "bce":
        delta = (a - Y) / m
    else:  # mse
        delta = 2 * (a - Y) * a * (1 - a) / m
    grads = []
    for layer in reversed(range(len(weights))):
        grads.append((activations[layer].T @ delta, delta.sum(axis=0)))
        if layer:
            h = activations[layer]
            delta = (delta @ weights[layer].T) * h * (1 - h)
    return grads[::-1]


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_gradients_match_handwritten_backprop_2_4_4_1(loss: str) -> None:
    w, b = random_net([2, 4, 4, 1], seed=11)
    rng = np.random.default_rng(12)
    X = rng.uniform(-1, 1, size=(16, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    got = gradients(w, b, ("sigmoid",) * 3, X, Y, loss)
    for (dw, db), (ew, eb) in zip(got, numpy_backprop_sigmoid(w, b, X, Y, loss)):
        np.testing.assert_allclose(dw, ew, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db, eb, rtol=1e-10, atol=1e-14)


ROW_SHAPES = [(2, 4), (4, 3), (3, 1)]


@pytest.mark.parametrize(
    "shapes, n_inputs, convention",
    [
        (ROW_SHAPES, None, "row"),
        (ROW_SHAPES, 2, "row"),
        ([(4, 2), (3, 4), (1, 3)], None, "column"),
        ([(4, 2), (3, 4), (1, 3)], 2, "column"),
        ([(2, 4), (4, 4), (4, 1)], None, "row"),  # square middle layer follows the others
        ([(4, 2), (4, 4), (1, 4)], None, "column"),
        ([(3, 3), (3, 3)], None, "row"),  # all square: default
        ([(3, 3), (3, 3)], 3, "row"),
        ([(2, 4), (4, 2)], None, "row"),  # mirror shapes chain both ways: default
        ([(2, 4), (4, 2)], 4, "column"),  # ... n_inputs decides
        ([(5, 1)], 5, "row"),
        ([(1, 5)], 5, "column"),
    ],
)
def test_orient_chain(shapes, n_inputs, convention) -> None:
    rng = np.random.default_rng(0)
    mats = [rng.normal(size=s) for s in shapes]
    result = orient_chain(mats, n_inputs)
    assert result is not None
    oriented, name = result
    assert name == convention
    for given, out in zip(mats, oriented):
        np.testing.assert_array_equal(out, given if convention == "row" else given.T)
    for prev, nxt in zip(oriented, oriented[1:]):
        assert prev.shape[1] == nxt.shape[0]


@pytest.mark.parametrize(
    "shapes, n_inputs",
    [([(2, 4), (3, 1)], None), ([(2, 4), (4, 1)], 3), ([(4,)], None), ([], None)],
)
def test_orient_chain_rejects_shapes_that_do_not_chain(shapes, n_inputs) -> None:
    assert orient_chain([np.zeros(s) for s in shapes], n_inputs) is None


@pytest.mark.parametrize("shape", [(3,), (1, 3), (3, 1)])
def test_normalize_bias_accepts_vectors(shape) -> None:
    b = np.arange(3.0).reshape(shape)
    out = normalize_bias(b, 3)
    assert out.shape == (3,) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])


def test_normalize_bias_scalar_and_rejections() -> None:
    assert normalize_bias(np.float64(2.5), 1).tolist() == [2.5]
    for bad in (np.zeros(4), np.zeros((3, 2)), np.zeros((1, 1, 3))):
        with pytest.raises(ValueError):
            normalize_bias(bad, 3)


def centre_biases(w, b, acts, X) -> None:
    """Shift each layer's biases so its pre-activations take both signs (relu != identity)."""
    for layer in range(len(w)):
        z = forward(w[: layer + 1], b[: layer + 1], (*acts[:layer], "identity"), X)
        b[layer] -= np.median(z, axis=0)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("hidden, output", list(itertools.product(HIDDEN_ACTIVATIONS, ACTIVATIONS)))
def test_infer_activations_recovers_the_truth(hidden: str, output: str, seed: int) -> None:
    w, b = random_net([3, 6, 5, 2], seed=seed, scale=1.5)
    X = np.random.default_rng(100 + seed).normal(size=(40, 3))
    centre_biases(w, b, (hidden, hidden, output), X)
    observed = forward(w, b, (hidden, hidden, output), X)
    acts, err = infer_activations(w, b, X, observed)
    assert acts == (hidden, hidden, output)
    assert err == 0.0


def test_infer_activations_tie_break_and_single_layer() -> None:
    w = [np.array([[1.0], [1.0]])]
    X = np.array([[1.0, 2.0], [0.5, 0.5]])  # all pre-activations positive: relu == identity
    acts, err = infer_activations(w, [np.zeros(1)], X, X.sum(axis=1))
    assert acts == ("relu",) and err == 0.0
    acts, _ = infer_activations(
        w, [np.zeros(1)], X, X.sum(axis=1), output_candidates=("identity", "relu")
    )
    assert acts == ("identity",)


def test_infer_activations_reports_remaining_error() -> None:
    w, b = random_net([2, 3, 1], seed=2)
    X = np.random.default_rng(3).normal(size=(10, 2))
    observed = forward(w, b, ("tanh", "sigmoid"), X) + 0.01
    acts, err = infer_activations(w, b, X, observed)
    assert acts == ("tanh", "sigmoid")
    assert err == pytest.approx(0.01, rel=1e-9)
    nan_obs = np.full_like(observed, np.nan)
    assert infer_activations(w, b, X, nan_obs)[1] == float("inf")


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (np.zeros(3), np.zeros(3), 0.0),
        (np.ones(4), np.ones(4), 0.0),
        (np.array([1.0, 0.0]), np.array([-1.0, 0.0]), 1.0),
        (np.array([3.0, 4.0]), np.zeros(2), 1.0),
        (np.array([[2.0]]), np.array([[1.0]]), 1.0 / 3.0),
    ],
)
def test_relative_error(a, b, expected) -> None:
    assert relative_error(a, b) == pytest.approx(expected)
    assert isinstance(relative_error(a, b), float)


def test_relative_error_refuses_broadcasting() -> None:
    with pytest.raises(ValueError):
        relative_error(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("loss", LOSSES)
def test_every_listed_loss_is_non_negative_and_zero_at_a_perfect_fit(loss: str) -> None:
    w, b = [np.array([[2.0]])], [np.array([0.0])]
    X = np.array([[1.0], [-1.0], [0.5]])
    act = "identity" if loss == "bce_logits" else "sigmoid"
    Y = (X > 0).astype(float)
    assert loss_value(w, b, (act,), X, Y, loss) > 0.0
    if loss not in ("bce", "bce_logits"):  # cross-entropy is only 0 in the limit
        perfect = forward(w, b, (act,), X)
        assert loss_value(w, b, (act,), X, perfect, loss) == 0.0
def test_targets_and_observed_outputs_may_be_transposed() -> None:
    w, b = random_net([3, 4, 2], seed=8)
    rng = np.random.default_rng(9)
    X = rng.normal(size=(6, 3))
    Y = rng.integers(0, 2, size=(6, 2)).astype(float)
    acts = ("tanh", "sigmoid")
    assert loss_value(w, b, acts, X, Y.T, "mse") == loss_value(w, b, acts, X, Y, "mse")
    observed = forward(w, b, acts, X)
    assert infer_activations(w, b, X, observed.T) == (acts, 0.0)
    with pytest.raises(ValueError, match="do not fit"):
        loss_value(w, b, acts, X, Y.reshape(3, 4), "mse")  # same size, wrong layout


@pytest.mark.parametrize("shape", [(6,), (6, 1), (1, 6)])
def test_single_output_targets_in_any_vector_layout(shape) -> None:
    w, b = random_net([2, 3, 1], seed=10)
    X = np.random.default_rng(11).normal(size=(6, 2))
    Y = np.array([0, 1, 1, 0, 1, 0], dtype=float)
    ref = gradients(w, b, ("relu", "sigmoid"), X, Y.reshape(6, 1), "bce")
    got = gradients(w, b, ("relu", "sigmoid"), X, Y.reshape(shape), "bce")
    for (dw, db), (rw, rb) in zip(got, ref):
        np.testing.assert_array_equal(dw, rw)
        np.testing.assert_array_equal(db, rb)


def test_vjp_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    weights = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    biases = [rng.normal(size=3), rng.normal(size=1)]
    acts = ("tanh", "sigmoid")
    X, R = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    grads = netmath.vjp(weights, biases, acts, X, R)

    def f(ws, bs):
        return float(np.sum(netmath.forward(ws, bs, acts, X) * R))

    eps = 1e-6
    for layer in range(2):
        bumped = [w.copy() for w in weights]
        bumped[layer][1, 0] += eps
        numeric = (f(bumped, biases) - f(weights, biases)) / eps
        assert abs(grads[layer][0][1, 0] - numeric) < 1e-4
        bumped_b = [b.copy() for b in biases]
        bumped_b[layer][0] += eps
        assert abs(grads[layer][1][0] - (f(weights, bumped_b) - f(weights, biases)) / eps) < 1e-4
