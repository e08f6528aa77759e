"""NumPy network written out by the backpropagation formulas (column convention).

X has shape (n_in, m), W_l shape (n_out, n_in), b_l shape (n_out, 1). The cost is a
mean over every element of the output, as torch's ``BCELoss``/``MSELoss`` compute it:

    bce: J = -mean(Y log A + (1 - Y) log(1 - A))      mse: J = mean((A - Y)^2)

``backward`` divides by m in dW and db, so the derivative it starts from is that of
the per-sample cost, ``m * dJ/dA``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from reference.mlp import ACTIVATIONS, DERIVATIVES, Net, check_activation

LossKind = Literal["bce", "mse"]
Params = dict[str, np.ndarray]
Cache = dict[str, np.ndarray]

_BCE_EPS = 1e-15


def init_params(layer_sizes: list[int] | tuple[int, ...], seed: int) -> Params:
    """W_l ~ N(0, 1/n_in) of shape (n_out, n_in), b_l zeros of shape (n_out, 1)."""
    rng = np.random.default_rng(seed)
    params: Params = {}
    for l, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
        params[f"b{l}"] = np.zeros((n_out, 1))
    return params


def n_layers(params: Params) -> int:
    """Number of layers L in a params dict with keys W1, b1, ..., WL, bL."""
    return sum(1 for k in params if k.startswith("W"))


def forward(X: np.ndarray, params: Params, hidden: str = "sigmoid",
            output: str = "sigmoid") -> tuple[np.ndarray, Cache]:
    """Forward pass; cache holds A0 (= X), and Z_l, A_l for every layer."""
    g_hidden, g_out = ACTIVATIONS[check_activation(hidden)], ACTIVATIONS[check_activation(output)]
    L = n_layers(params)
    A = np.asarray(X, dtype=np.float64)
    cache: Cache = {"A0": A}
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = (g_out if l == L else g_hidden)(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


def loss(A: np.ndarray, Y: np.ndarray, kind: LossKind = "bce") -> float:
    """Mean binary cross-entropy (A clipped to [1e-15, 1 - 1e-15]) or mean squared error."""
    A, Y = np.asarray(A, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if kind == "bce":
        Ac = np.clip(A, _BCE_EPS, 1.0 - _BCE_EPS)
        return float(-np.mean(Y * np.log(Ac) + (1.0 - Y) * np.log(1.0 - Ac)))
    if kind == "mse":
        return float(np.mean((A - Y) ** 2))
    raise ValueError(f"unknown loss {kind!r}; expected 'bce' or 'mse'")


def output_delta(A: np.ndarray, Y: np.ndarray, Z: np.ndarray, output: str,
                 kind: LossKind) -> np.ndarray:
    """dZ_L = m * dJ/dZ_L for the cost of :func:`loss` (the 1/m is applied in dW, db)."""
    n_out = A.shape[0]
    if kind == "bce" and output == "sigmoid":
        return (A - Y) / n_out
    if kind == "bce":
        dA = (A - Y) / (A * (1.0 - A)) / n_out
    elif kind == "mse":
        dA = 2.0 * (A - Y) / n_out
    else:
        raise ValueError(f"unknown loss {kind!r}; expected 'bce' or 'mse'")
    return dA * DERIVATIVES[check_activation(output)](Z)


def backward(Y: np.ndarray, params: Params, cache: Cache, hidden: str = "sigmoid",
             output: str = "sigmoid", loss: LossKind = "bce") -> Params:
    """Gradients {"dW1", "db1", ...} of :func:`loss` by the textbook recursion.

    dZ = dA * g'(Z); dW = dZ @ A_prev.T / m; db = sum(dZ, axis=1) / m; dA_prev = W.T @ dZ.
    """
    g_prime = DERIVATIVES[check_activation(hidden)]
    L = n_layers(params)
    Y = np.asarray(Y, dtype=np.float64)
    m = Y.shape[1]
    grads: Params = {}
    dZ = output_delta(cache[f"A{L}"], Y, cache[f"Z{L}"], output, loss)
    for l in range(L, 0, -1):
        A_prev = cache[f"A{l - 1}"]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA_prev = params[f"W{l}"].T @ dZ
            dZ = dA_prev * g_prime(cache[f"Z{l - 1}"])
    return grads


def train(X: np.ndarray, Y: np.ndarray, layer_sizes: list[int] | tuple[int, ...],
          epochs: int, lr: float, seed: int, hidden: str = "sigmoid",
          output: str = "sigmoid", loss: LossKind = "bce") -> tuple[Params, list[float]]:
    """Full-batch gradient descent; loss_history[i] is the cost before update i."""
    params = init_params(layer_sizes, seed)
    history: list[float] = []
    for _ in range(epochs):
        A, cache = forward(X, params, hidden, output)
        history.append(_loss(A, Y, loss))
        grads = backward(Y, params, cache, hidden, output, loss)
        for key in params:
            params[key] = params[key] - lr * grads[f"d{key}"]
    return params, history


_loss = loss  # ``train`` and ``backward`` take a parameter named ``loss``


def to_net(params: Params, hidden: str = "sigmoid", output: str = "sigmoid") -> Net:
    """Convert column-convention params to a row-convention :class:`Net`."""
    L = n_layers(params)
    return Net(
        weights=tuple(np.asarray(params[f"W{l}"], dtype=np.float64).T for l in range(1, L + 1)),
        biases=tuple(np.asarray(params[f"b{l}"], dtype=np.float64).reshape(-1)
                     for l in range(1, L + 1)),
        activations=tuple([hidden] * (L - 1) + [output]),
    )
