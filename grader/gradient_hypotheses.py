"""Gradients that known backpropagation mistakes produce, to name the mistake a student made.

Each hypothesis re-runs the trusted float64 autograd pass with one hidden-layer activation
whose backward is deliberately wrong in the way students get it wrong. When a student's
wrong gradients equal one of these, the gradient check can say what the mistake is
instead of only "relative error 0.04".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from grader import netmath

Derivative = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (z, a) -> da/dz as used

_ACT: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
}
_CORRECT: dict[str, Derivative] = {
    "sigmoid": lambda z, a: a * (1 - a),
    "tanh": lambda z, a: 1 - a**2,
    "relu": lambda z, a: (z > 0).to(z.dtype),
}
_SIMPLE = {"sigmoid": "A * (1 - A)", "tanh": "1 - A**2", "relu": "(Z > 0)"}


def _twice(act: str) -> Derivative:
    """g'(g(z)): the derivative function fed the activation instead of the pre-activation."""
    return lambda z, a: _CORRECT[act](a, _ACT[act](a))


def hidden_mistakes(act: str) -> list[tuple[str, str, Derivative]]:
    """(slug, diagnosis, derivative as used) for each known mistake in a hidden ``act``'s backward."""
    found: list[tuple[str, str, Derivative]] = []
    if act in ("sigmoid", "tanh"):
        found.append(("derivative_of_activation",
                      f"the derivative of the {act} is taken of the activation A = {act}(Z) instead"
                      f" of the pre-activation Z, so the {act} is applied twice: use {_SIMPLE[act]}"
                      f" with A, or {act}'(Z) with Z", _twice(act)))
    if act in _CORRECT:
        found.append(("derivative_missing",
                      f"the derivative of the hidden {act} is missing: dZ = dA must be multiplied"
                      f" by {act}'(Z) = {_SIMPLE[act]}", lambda z, a: torch.ones_like(z)))
    if act == "tanh":
        found.append(("tanh_one_minus_a", "the derivative of tanh is written 1 - A instead of"
                      " 1 - A**2", lambda z, a: 1 - a))
    if act == "sigmoid":
        found.append(("sigmoid_missing_one_minus_a", "the derivative of the sigmoid is written A"
                      " instead of A * (1 - A): the factor (1 - A) is missing", lambda z, a: a))
        found.append(("sigmoid_missing_a", "the derivative of the sigmoid is written (1 - A)"
                      " instead of A * (1 - A): the factor A is missing", lambda z, a: 1 - a))
    return found


def _mistakes(act: str) -> list[tuple[str, Derivative]]:
    return [(diagnosis, derivative) for _, diagnosis, derivative in hidden_mistakes(act)]


def hidden_activation(z: torch.Tensor, act: str, derivative: Derivative) -> torch.Tensor:
    """``act(z)`` whose backward uses ``derivative`` (sigmoid, tanh and ReLU only)."""
    if act not in _ACT:
        raise ValueError(f"no hypotheses for the activation {act!r}")
    return _Act.apply(z, act, derivative)


class _Act(torch.autograd.Function):
    """A hidden activation whose backward uses a given (possibly wrong) derivative."""

    @staticmethod
    def forward(ctx, z, act, derivative):  # type: ignore[override]
        a = _ACT[act](z)
        ctx.save_for_backward(z, a)
        ctx.derivative = derivative
        return a

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        z, a = ctx.saved_tensors
        return grad * ctx.derivative(z, a), None, None


def _gradients(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], acts: Sequence[str],
               X: np.ndarray, Y: np.ndarray, loss: str, derivative: Derivative
               ) -> list[tuple[np.ndarray, np.ndarray]]:
    ws = [torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True) for w in weights]
    bs = [torch.tensor(np.asarray(b, dtype=np.float64).reshape(-1), requires_grad=True) for b in biases]
    a = torch.tensor(np.asarray(X, dtype=np.float64))
    z = a
    for index, (w, b) in enumerate(zip(ws, bs)):
        z = a @ w + b
        if index < len(ws) - 1:
            a = _Act.apply(z, acts[index], derivative)
        else:
            a = netmath.torch_activation(acts[-1])(z)
    y = torch.tensor(netmath.align_outputs(np.asarray(Y, dtype=np.float64), tuple(a.shape), "targets"))
    value = netmath._loss(z, a, y, loss, acts[-1])
    grads = torch.autograd.grad(value, [*ws, *bs])
    n = len(ws)
    return [(grads[i].numpy().copy(), grads[n + i].numpy().copy()) for i in range(n)]


def hypotheses(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], acts: Sequence[str],
               X: np.ndarray, Y: np.ndarray, loss: str
               ) -> list[tuple[str, list[tuple[np.ndarray, np.ndarray]]]]:
    """(diagnosis, per-layer (dW, db)) for each known mistake in the hidden layers' backward.

    Empty when the network has no hidden layer, its hidden activations differ, or the
    construction does not reproduce the correct gradients (then it would name nothing).
    """
    hidden = set(acts[:-1])
    if len(acts) < 2 or len(hidden) != 1 or not hidden <= set(_CORRECT):
        return []
    act = acts[0]
    try:
        reference = netmath.gradients(weights, biases, acts, X, Y, loss)
        rebuilt = _gradients(weights, biases, acts, X, Y, loss, _CORRECT[act])
    except (ValueError, RuntimeError, KeyError):
        return []
    if any(netmath.relative_error(r, g) > 1e-9 for pair_r, pair_g in zip(reference, rebuilt)
           for r, g in zip(pair_r, pair_g)):
        return []
    return [(diagnosis, _gradients(weights, biases, acts, X, Y, loss, derivative))
            for diagnosis, derivative in _mistakes(act)]
