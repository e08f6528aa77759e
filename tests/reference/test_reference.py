"""Behavioural tests of the trusted reference implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference import data, linesearch, moons, numpy_net, torch_module, torch_raw
from reference.mlp import Net, predict

XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """The tensors are tiny; with a busy second core OpenMP threads only slow torch down."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def classifies_xor(net: Net) -> bool:
    X, _ = data.xor_data()
    return bool(np.array_equal((predict(net, X).ravel() > 0.5).astype(float), XOR_TARGETS))


# ---------------------------------------------------------------- data and Net

def test_xor_data_shapes_and_values() -> None:
    X, y = data.xor_data()
    assert X.shape == (4, 2) and y.shape == (4, 1)
    assert X.dtype == y.dtype == np.float64
    assert np.array_equal(y.ravel(), np.logical_xor(X[:, 0], X[:, 1]).astype(float))


def test_moons_split_is_deterministic_and_sized() -> None:
    a, b = data.moons_split(3), data.moons_split(3)
    assert a.X_train.shape == (400, 2) and a.X_test.shape == (100, 2)
    assert a.y_train.shape == (400,) and a.y_train.dtype == np.float64
    assert set(np.unique(a.y_train)) == {0.0, 1.0}
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, data.moons_split(4).X_train)
    X, y = data.moons_sample(3, 50)
    assert X.shape == (50, 2) and y.shape == (50,)
    assert not np.isin(X[:, 0], a.X_train[:, 0]).any()


def test_net_json_round_trip_and_validation() -> None:
    params = numpy_net.init_params([2, 3, 1], seed=1)
    net = numpy_net.to_net(params, "tanh", "sigmoid")
    back = Net.from_json(net.to_json())
    assert back.allclose(net, rtol=0.0) and back.activations == ("tanh", "sigmoid")
    assert net.layer_sizes == (2, 3, 1)
    with pytest.raises(ValueError):
        Net(weights=(np.zeros((2, 3)),), biases=(np.zeros(2),), activations=("relu",))
    with pytest.raises(ValueError):
        Net(weights=(np.zeros((2, 1)),), biases=(np.zeros(1),), activations=("softplus",))


def test_predict_matches_column_convention_forward() -> None:
    params = numpy_net.init_params([2, 5, 3, 2], seed=7)
    X = np.random.default_rng(0).normal(size=(6, 2))
    A, _ = numpy_net.forward(X.T, params, hidden="relu", output="identity")
    net = numpy_net.to_net(params, "relu", "identity")
    np.testing.assert_allclose(predict(net, X), A.T, rtol=1e-12)


# ---------------------------------------------------------------- NumPy backprop

def _autograd_grads(X: np.ndarray, Y: np.ndarray, params: dict, hidden: str, output: str,
                    kind: str) -> tuple[float, dict]:
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "identity": lambda z: z}
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    L = numpy_net.n_layers(params)
    A = torch.tensor(X, dtype=torch.float64)
    for l in range(1, L + 1):
        A = acts[output if l == L else hidden](tp[f"W{l}"] @ A + tp[f"b{l}"])
    Yt = torch.tensor(Y, dtype=torch.float64)
    loss = F.binary_cross_entropy(A, Yt) if kind == "bce" else F.mse_loss(A, Yt)
    loss.backward()
    return loss.item(), {f"d{k}": t.grad.numpy() for k, t in tp.items()}


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("kind,output,sizes", [
    ("bce", "sigmoid", [3, 5, 4, 1]),
    ("bce", "sigmoid", [3, 4, 2]),
    ("mse", "sigmoid", [3, 5, 4, 1]),
    ("mse", "identity", [3, 4, 2]),
])
def test_numpy_backward_matches_autograd(hidden: str, kind: str, output: str,
                                         sizes: list[int]) -> None:
    rng = np.random.default_rng(11)
    m = 7
    X = rng.normal(size=(sizes[0], m))
    Y = rng.integers(0, 2, size=(sizes[-1], m)).astype(float)
    params = numpy_net.init_params(sizes, seed=5)
    for key in params:  # non-zero biases so db is exercised
        if key.startswith("b"):
            params[key] = rng.normal(size=params[key].shape)
    A, cache = numpy_net.forward(X, params, hidden, output)
    grads = numpy_net.backward(Y, params, cache, hidden, output, kind)
    ref_loss, ref_grads = _autograd_grads(X, Y, params, hidden, output, kind)
    assert numpy_net.loss(A, Y, kind) == pytest.approx(ref_loss, rel=1e-12)
    assert set(grads) == set(ref_grads)
    for key, g in grads.items():
        assert g.shape == ref_grads[key].shape, key
        np.testing.assert_allclose(g, ref_grads[key], rtol=1e-9, atol=1e-12, err_msg=key)


# ---------------------------------------------------------------- XOR references

def _non_increasing(history: list[float], slack: float = 1e-12) -> bool:
    return all(b <= a + slack for a, b in zip(history, history[1:]))


def test_numpy_net_learns_xor() -> None:
    X, y = data.xor_data()
    params, history = numpy_net.train(X.T, y.T, [2, 4, 1], epochs=3000, lr=1.0, seed=0)
    assert classifies_xor(numpy_net.to_net(params))
    assert len(history) == 3000 and history[-1] < 0.05 < history[0]
    assert _non_increasing(history)


def test_torch_raw_learns_xor_deterministically() -> None:
    a = torch_raw.train_xor_raw(epochs=1500, lr=1.0, seed=0)
    b = torch_raw.train_xor_raw(epochs=1500, lr=1.0, seed=0)
    assert classifies_xor(a.net)
    assert a.net.layer_sizes == (2, 4, 4, 1) and a.net.activations == ("sigmoid",) * 3
    assert a.loss_history[-1] < 0.1 * a.loss_history[0]
    assert a.net.allclose(b.net, rtol=0.0) and a.loss_history == b.loss_history


def test_torch_module_learns_xor_and_converts() -> None:
    net, history = torch_module.train_xor_module(epochs=1500, lr=2.0, seed=0)
    assert classifies_xor(net)
    assert net.layer_sizes == (2, 4, 1) and net.activations == ("sigmoid", "sigmoid")
    assert history[-1] < 0.1 * history[0]
    net2, history2 = torch_module.train_xor_module(epochs=1500, lr=2.0, seed=0)
    assert net.allclose(net2, rtol=0.0) and history == history2


def test_training_leaves_global_torch_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    torch_module.train_xor_module(epochs=2, seed=9)
    moons.make_mlp(4)
    assert torch.equal(torch.rand(3), expected)


class _SharedSigmoid(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2, self.sigmoid = nn.Linear(2, 3), nn.Linear(3, 1), nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigmoid(self.fc2(self.sigmoid(self.fc1(x))))


class _Functional(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(2, 3), nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x))))


def test_module_to_net_follows_call_order() -> None:
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 1))
    net = torch_module.module_to_net(seq)
    assert net.activations == ("tanh", "relu", "identity")
    shared = torch_module.module_to_net(_SharedSigmoid())
    assert shared.activations == ("sigmoid", "sigmoid")
    with pytest.raises(ValueError):
        torch_module.module_to_net(_Functional())


# ---------------------------------------------------------------- line search

def test_backtracking_on_quadratic_takes_first_acceptable_step() -> None:
    # f(w) = w^2 at w = 1: g = 2, slope = |g|^2 = 4, f(w - a g) = (1 - 2a)^2.
    def loss_at(a: float) -> float:
        return (1.0 - 2.0 * a) ** 2

    res = linesearch.backtracking(loss_at, f0=1.0, slope=4.0, alpha0=1.0)
    assert res.accepted and res.alpha == 0.5
    assert res.trials == [(1.0, 1.0), (0.5, 0.0)]
    # c = 0.6: a = 0.5 needs 0 <= 1 - 1.2 (no); a = 0.25 needs 0.25 <= 0.4 (yes).
    res = linesearch.backtracking(loss_at, f0=1.0, slope=4.0, alpha0=1.0, c=0.6)
    assert res.alpha == 0.25 and [a for a, _ in res.trials] == [1.0, 0.5, 0.25]
    assert linesearch.first_armijo_step(lambda w: w * w, grad=2.0, w=1.0) == 0.5


def test_backtracking_without_acceptable_step_returns_tiny_step() -> None:
    res = linesearch.backtracking(lambda a: 2.0, f0=1.0, slope=1.0, alpha0=1.0, rho=0.5,
                                  max_trials=10)
    assert not res.accepted and res.alpha == 0.5**10 and len(res.trials) == 10
    nan = linesearch.backtracking(lambda a: math.nan, f0=1.0, slope=1.0, max_trials=3)
    assert not nan.accepted and nan.loss is None


# ---------------------------------------------------------------- two moons

@pytest.fixture(scope="module")
def moons_runs() -> dict[int, tuple[moons.MoonsRun, moons.MoonsRun]]:
    out = {}
    for split_seed in (42, 0, 1):
        split = data.moons_split(split_seed)
        out[split_seed] = (moons.train_fixed(split, seed=0), moons.train_backtracking(split, seed=0))
    return out


def test_moons_accuracies_in_expected_range(moons_runs) -> None:
    fixed, bt = moons_runs[42]
    assert fixed.test_acc == pytest.approx(0.86, abs=0.03)
    assert bt.test_acc == pytest.approx(0.98, abs=0.02)
    for fixed, bt in moons_runs.values():
        assert 0.78 <= fixed.test_acc <= 0.95 and bt.test_acc >= 0.93
        assert bt.loss_history[-1] < fixed.loss_history[-1]
        assert fixed.net.activations == ("relu", "identity")
        assert len(fixed.loss_history) == len(bt.loss_history) == 300


def test_moons_losses_decrease(moons_runs) -> None:
    for fixed, bt in moons_runs.values():
        assert fixed.loss_history[-1] < 0.5 * fixed.loss_history[0]
        assert _non_increasing(bt.loss_history, slack=0.0)
        assert all(0.0 < a <= 1.0 for a in bt.alphas)


def test_moons_runs_are_deterministic(moons_runs) -> None:
    split = data.moons_split(42)
    fixed, bt = moons_runs[42]
    again = moons.train_backtracking(split, seed=0)
    assert again.net.allclose(bt.net, rtol=0.0) and again.loss_history == bt.loss_history
    assert moons.train_fixed(split, seed=0).loss_history == fixed.loss_history


def test_moons_net_continues_the_loss_history(moons_runs) -> None:
    split = data.moons_split(42)
    for run in moons_runs[42]:
        scaled = (split.X_train - run.scaler_mean) / run.scaler_scale
        z = predict(run.net, scaled).ravel()
        y = split.y_train
        bce = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
        # the net is the model after the last step: a little below the last recorded loss
        assert bce < run.loss_history[-1] and bce == pytest.approx(run.loss_history[-1], abs=2e-3)
