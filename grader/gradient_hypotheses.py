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

def _slope(act: str) -> float | None:
    """The negative-side slope of a leaky ReLU name (``leaky_relu``: 0.01, ``leaky_relu:0.2``)."""
    if act == "leaky_relu":
        return 0.01
    if act.startswith("leaky_relu:"):
        return float(act.split(":", 1)[1])
    return None


def _act(act: str) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The forward function of a hidden activation the hypotheses know."""
    if act in ("sigmoid", "tanh", "relu", "elu") or _slope(act) is not None:
        return netmath.torch_activation(act)
    return None


def _correct(act: str) -> Derivative | None:
    """The true derivative da/dz of a hidden activation, as (z, a) -> tensor."""
    slope = _slope(act)
    if slope is not None:
        return lambda z, a: torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))
    return {
        "sigmoid": lambda z, a: a * (1 - a),
        "tanh": lambda z, a: 1 - a**2,
        "relu": lambda z, a: (z > 0).to(z.dtype),
        "elu": lambda z, a: torch.where(z > 0, torch.ones_like(z), torch.exp(z)),
    }.get(act)


_SIMPLE = {"sigmoid": "A * (1 - A)", "tanh": "1 - A**2", "relu": "(Z > 0)",
           "elu": "1 for Z > 0 and alpha * exp(Z) (= A + alpha) for Z <= 0"}
_LABEL = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "elu": "ELU"}


def _twice(act: str) -> Derivative:
    """g'(g(z)): the derivative function fed the activation instead of the pre-activation."""
    forward, correct = _act(act), _correct(act)
    assert forward is not None and correct is not None
    return lambda z, a: correct(a, forward(a))


def _formula_on_z(act: str) -> Derivative:
    """The derivative formula written for the activation (A (1 - A), 1 - A**2) fed Z instead."""
    correct = _correct(act)
    assert correct is not None
    return lambda z, a: correct(z, z)


def _smooth_mistakes(act: str) -> list[tuple[str, str, Derivative]]:
    """Mistakes in a sigmoid's or tanh's derivative."""
    on_z = "Z * (1 - Z)" if act == "sigmoid" else "1 - Z**2"
    found: list[tuple[str, str, Derivative]] = [
        ("derivative_of_activation",
         f"the derivative of the {act} is taken of the activation A = {act}(Z) instead"
         f" of the pre-activation Z, so the {act} is applied twice: use {_SIMPLE[act]}"
         f" with A, or {act}'(Z) with Z", _twice(act)),
        ("formula_on_preactivation",
         f"the {act} derivative formula meant for the activation is applied to the"
         f" pre-activation: {on_z} instead of {_SIMPLE[act]} (a derivative written for"
         f" A = {act}(Z) was called on Z)", _formula_on_z(act))]
    if act == "tanh":
        found += [("tanh_one_minus_a", "the derivative of tanh is written 1 - A instead of"
                   " 1 - A**2", lambda z, a: 1 - a),
                  ("tanh_plus", "the derivative of tanh is written 1 + A**2 instead of 1 - A**2:"
                   " a plus where the minus belongs", lambda z, a: 1 + a**2)]
    if act == "sigmoid":
        found += [("sigmoid_missing_one_minus_a", "the derivative of the sigmoid is written A"
                   " instead of A * (1 - A): the factor (1 - A) is missing", lambda z, a: a),
                  ("sigmoid_missing_a", "the derivative of the sigmoid is written (1 - A)"
                   " instead of A * (1 - A): the factor A is missing", lambda z, a: 1 - a),
                  ("sigmoid_plus", "the derivative of the sigmoid is written A * (1 + A) instead"
                   " of A * (1 - A): a plus where the minus belongs", lambda z, a: a * (1 + a))]
    return found


def _piecewise_mistakes(act: str) -> list[tuple[str, str, Derivative]]:
    """Mistakes in a ReLU's, leaky ReLU's or ELU's derivative."""
    one, zero = torch.ones_like, torch.zeros_like
    if act == "relu":
        return [("relu_reversed", "the ReLU derivative's comparison is reversed: (Z < 0) instead"
                 " of (Z > 0), so the error flows back only through the units that were off",
                 lambda z, a: (z < 0).to(z.dtype))]
    if act == "elu":
        return [("elu_exp_everywhere", "the ELU derivative is written alpha * exp(Z) for every Z:"
                 " for Z > 0 it must be 1 (alpha * exp(Z) holds only for Z <= 0)",
                 lambda z, a: torch.exp(z)),
                ("elu_alpha_z", "the ELU derivative for Z <= 0 is written alpha * Z instead of"
                 " alpha * exp(Z) (= A + alpha); for Z > 0 it is 1",
                 lambda z, a: torch.where(z > 0, one(z), z)),
                ("elu_zero_negative", "the ELU derivative is 0 for Z <= 0 (as ReLU's) instead of"
                 " alpha * exp(Z) (= A + alpha)", lambda z, a: (z > 0).to(z.dtype))]
    slope = _slope(act)
    if slope is None:
        return []
    return [("leaky_reversed", f"the leaky ReLU derivative's branches are swapped: {slope:g} for"
             f" Z > 0 and 1 for Z < 0 instead of 1 for Z > 0 and {slope:g} for Z < 0 (the"
             " comparison is reversed)",
             lambda z, a: torch.where(z > 0, torch.full_like(z, slope), one(z))),
            ("leaky_no_slope", f"the leaky ReLU derivative is 0 for Z < 0 (as ReLU's) instead of"
             f" its slope {slope:g}", lambda z, a: torch.where(z > 0, one(z), zero(z)))]


def hidden_mistakes(act: str) -> list[tuple[str, str, Derivative]]:
    """(slug, diagnosis, derivative as used) for each known mistake in a hidden ``act``'s backward."""
    if _correct(act) is None:
        return []
    found = _smooth_mistakes(act) if act in ("sigmoid", "tanh") else _piecewise_mistakes(act)
    label = _LABEL.get(act, "leaky ReLU")
    simple = _SIMPLE[act] if act in _SIMPLE else f"1 for Z > 0 and {_slope(act):g} for Z < 0"
    found.append(("derivative_missing",
                  f"the derivative of the hidden {label} is missing: dZ = dA must be multiplied"
                  f" by {label}'(Z) = {simple}", lambda z, a: torch.ones_like(z)))
    return found


def _mistakes(act: str) -> list[tuple[str, Derivative]]:
    return [(diagnosis, derivative) for _, diagnosis, derivative in hidden_mistakes(act)]


def hidden_activation(z: torch.Tensor, act: str, derivative: Derivative) -> torch.Tensor:
    """``act(z)`` whose backward uses ``derivative`` (sigmoid, tanh, ReLU, leaky ReLU, ELU)."""
    if _act(act) is None:
        raise ValueError(f"no hypotheses for the activation {act!r}")
    return _Act.apply(z, act, derivative)


class _Act(torch.autograd.Function):
    """A hidden activation whose backward uses a given (possibly wrong) derivative."""

    @staticmethod
    def forward(ctx, z, act, derivative):  # type: ignore[override]
        a = _act(act)(z)
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
    if len(acts) < 2 or len(hidden) != 1 or _correct(acts[0]) is None:
        return []
    act = acts[0]
    try:
        reference = netmath.gradients(weights, biases, acts, X, Y, loss)
        rebuilt = _gradients(weights, biases, acts, X, Y, loss, _correct(act))
    except (ValueError, RuntimeError, KeyError):
        return []
    if any(netmath.relative_error(r, g) > 1e-9 for pair_r, pair_g in zip(reference, rebuilt)
           for r, g in zip(pair_r, pair_g)):
        return []
    return [(diagnosis, _gradients(weights, biases, acts, X, Y, loss, derivative))
            for diagnosis, derivative in _mistakes(act)]
