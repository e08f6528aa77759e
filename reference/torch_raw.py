"""XOR with raw tensors (2-4-4-1, sigmoid, hand-written BCE) and a manual update."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from reference.data import xor_data
from reference.mlp import Net

LAYER_SIZES = (2, 4, 4, 1)
_EPS = 1e-12


@dataclass(frozen=True, eq=False)
class RawResult:
    net: Net
    loss_history: list[float]


def init_raw_params(seed: int, dtype: torch.dtype = torch.float64) -> list[torch.Tensor]:
    """[W1, b1, W2, b2, W3, b3]: W_l ~ N(0, 1) of shape (n_in, n_out), b_l zeros."""
    gen = torch.Generator().manual_seed(seed)
    params: list[torch.Tensor] = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]):
        params.append(torch.randn(n_in, n_out, generator=gen, dtype=dtype).requires_grad_())
        params.append(torch.zeros(n_out, dtype=dtype, requires_grad=True))
    return params


def raw_forward(X: torch.Tensor, params: list[torch.Tensor]) -> torch.Tensor:
    """sigmoid(... sigmoid(X @ W1 + b1) ... @ W3 + b3)."""
    a = X
    for W, b in zip(params[0::2], params[1::2]):
        a = torch.sigmoid(a @ W + b)
    return a


def bce(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy written out, with y_hat clamped away from 0 and 1."""
    p = y_hat.clamp(_EPS, 1.0 - _EPS)
    return -(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)).mean()


def train_xor_raw(epochs: int, lr: float, seed: int) -> RawResult:
    """Full-batch gradient descent on XOR; loss_history[i] is the loss before update i."""
    X_np, y_np = xor_data()
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    params = init_raw_params(seed)
    history: list[float] = []
    for _ in range(epochs):
        loss = bce(raw_forward(X, params), y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        history.append(loss.item())
    net = Net(
        weights=tuple(W.detach().numpy().copy() for W in params[0::2]),
        biases=tuple(b.detach().numpy().copy() for b in params[1::2]),
        activations=("sigmoid",) * (len(LAYER_SIZES) - 1),
    )
    return RawResult(net=net, loss_history=history)
