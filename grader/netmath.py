"""Trusted float64 maths on fully connected networks.

A network is given as three parallel sequences: ``weights`` (each ``(n_in, n_out)``),
``biases`` (each ``(n_out,)``) and ``activations`` (one name per layer, the last one
being the output activation). Inputs ``X`` are ``(m, n_in)``: one sample per row.
Everything is computed in float64; gradients come from torch autograd so they are
independent of any hand-written backpropagation. Forward passes and losses go through the
inputs in chunks of rows (:data:`CHUNK_ELEMENTS`), so the memory they take is bounded by the
network's size, whatever the number of inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "identity", "elu", "leaky_relu",
                                 "softmax")
LEAKY_SLOPES = (0.1, 0.2, 0.05, 0.02, 0.3)  # besides torch's 0.01: the slopes students pick
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "identity", "elu", "leaky_relu",
                                        *(f"leaky_relu:{s:g}" for s in LEAKY_SLOPES))
"""``softmax`` (over each sample's outputs) is an output activation only; ``leaky_relu`` has
slope 0.01, torch's default."""

LOSSES: tuple[str, ...] = ("bce", "bce_logits", "mse", "half_mse", "sse", "half_sse")
"""Loss names understood by :func:`loss_value` and :func:`gradients`.

All are taken over every element of the output (for one output column: over samples):

* ``bce``: mean binary cross-entropy of probabilities (clipped to [1e-12, 1 - 1e-12];
  with a sigmoid output it is computed from the pre-activation, which is exact and never
  saturates).
* ``bce_logits``: mean binary cross-entropy where the outputs are logits.
* ``mse``: mean squared error; ``half_mse``: half of it.
* ``sse``: sum of squared errors; ``half_sse``: half of it.
"""

_BCE_EPS = 1e-12
CHUNK_ELEMENTS = 1 << 21
"""Activations one layer holds at once in :func:`forward` and :func:`loss_value` (16 MiB of
float64): the rows of a chunk times the widest layer stay below it."""
_MEAN_LOSSES = {"bce", "bce_logits", "mse", "half_mse"}

_TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "identity": lambda z: z,
    "elu": torch.nn.functional.elu,
    "leaky_relu": torch.nn.functional.leaky_relu,
    "softmax": lambda z: torch.softmax(z, dim=1),
}


def torch_activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The torch function of an activation name; ``leaky_relu:0.2`` is a leaky ReLU of slope 0.2."""
    if name.startswith("leaky_relu:"):
        slope = float(name.split(":", 1)[1])
        return lambda z: torch.nn.functional.leaky_relu(z, slope)
    return _TORCH_ACTIVATIONS[name]


def known_activation(name: str) -> bool:
    if name.startswith("leaky_relu:"):
        try:
            return 0.0 < float(name.split(":", 1)[1]) < 1.0
        except ValueError:
            return False
    return name in ACTIVATIONS


def _check_net(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], activations: Sequence[str]
) -> None:
    if not (len(weights) == len(biases) == len(activations)) or not weights:
        raise ValueError(
            f"need one bias and one activation per weight matrix, got {len(weights)} weights, "
            f"{len(biases)} biases, {len(activations)} activations"
        )
    for i, (w, b, act) in enumerate(zip(weights, biases, activations), start=1):
        if not known_activation(act):
            raise ValueError(f"layer {i}: unknown activation {act!r}")
        if np.ndim(w) != 2 or np.shape(b) != (np.shape(w)[1],):
            raise ValueError(f"layer {i}: weight {np.shape(w)} and bias {np.shape(b)} do not fit")
        if i > 1 and np.shape(weights[i - 2])[1] != np.shape(w)[0]:
            raise ValueError(f"layer {i}: weight {np.shape(w)} does not follow the previous layer")


def _torch_pass(
    weights: Sequence[torch.Tensor],
    biases: Sequence[torch.Tensor],
    activations: Sequence[str],
    x: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (pre-activation, activation) of the output layer."""
    a = x
    z = x
    for w, b, act in zip(weights, biases, activations):
        z = a @ w + b
        a = torch_activation(act)(z)
    return z, a


def _as_tensors(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], grad: bool
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    ws = [torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=grad) for w in weights]
    bs = [torch.tensor(np.asarray(b, dtype=np.float64), requires_grad=grad) for b in biases]
    return ws, bs


def _inputs(X: np.ndarray, n_in: int) -> torch.Tensor:
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, n_in)
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ValueError(f"inputs of shape {np.shape(X)} do not fit a first layer with {n_in} inputs")
    return torch.from_numpy(x)


def align_outputs(values: np.ndarray, shape: tuple[int, ...], what: str = "values") -> np.ndarray:
    """``values`` as float64 of the output ``shape`` ``(m, n_out)``.

    Accepts that shape, its transpose ``(n_out, m)`` (column convention) and, for a single
    output column, any vector of ``m`` values. Raises ValueError otherwise.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape == shape:
        return arr
    if arr.ndim == 2 and arr.T.shape == shape:
        return arr.T.copy()
    if arr.size == int(np.prod(shape)) and 1 in shape and arr.squeeze().ndim <= 1:
        return arr.reshape(shape)
    raise ValueError(f"{what} of shape {arr.shape} do not fit outputs of shape {shape}")


def _targets(Y: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(align_outputs(Y, tuple(like.shape), "targets"))


def chunk_rows(weights: Sequence[np.ndarray]) -> int:
    """Rows per chunk of inputs: :data:`CHUNK_ELEMENTS` over the widest layer (at least one)."""
    widest = max((max(np.shape(w)) for w in weights), default=1)
    return max(1, CHUNK_ELEMENTS // max(1, widest))


def _loss(z: torch.Tensor, a: torch.Tensor, y: torch.Tensor, loss: str, output_act: str,
          reduction: str = "mean") -> torch.Tensor:
    """The loss; with ``reduction="sum"`` a mean loss gives its sum (chunks add up)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    reduce = torch.mean if reduction == "mean" and loss in _MEAN_LOSSES else torch.sum
    bce_logits = torch.nn.functional.binary_cross_entropy_with_logits
    if loss == "bce":
        if output_act == "sigmoid":
            return bce_logits(z, y, reduction="mean" if reduce is torch.mean else "sum")
        p = a.clamp(_BCE_EPS, 1.0 - _BCE_EPS)
        return -reduce(y * torch.log(p) + (1.0 - y) * torch.log1p(-p))
    if loss == "bce_logits":
        return bce_logits(a, y, reduction="mean" if reduce is torch.mean else "sum")
    squared = (a - y) ** 2
    return 0.5 * reduce(squared) if loss.startswith("half_") else reduce(squared)


def forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
    X: np.ndarray,
) -> np.ndarray:
    """Outputs ``(m, n_out)`` of the network for inputs ``X`` ``(m, n_in)``, chunk by chunk."""
    _check_net(weights, biases, activations)
    ws, bs = _as_tensors(weights, biases, grad=False)
    x = _inputs(X, ws[0].shape[0])
    rows = chunk_rows(weights)
    with torch.no_grad():
        parts = [_torch_pass(ws, bs, activations, x[i:i + rows])[1]
                 for i in range(0, max(1, len(x)), rows)]
    return (parts[0] if len(parts) == 1 else torch.cat(parts)).numpy().copy()


def loss_value(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
) -> float:
    """The loss (one of :data:`LOSSES`) of the network on ``(X, Y)``, chunk by chunk."""
    _check_net(weights, biases, activations)
    ws, bs = _as_tensors(weights, biases, grad=False)
    x = _inputs(X, ws[0].shape[0])
    rows = chunk_rows(weights)
    with torch.no_grad():
        if len(x) <= rows:
            z, a = _torch_pass(ws, bs, activations, x)
            return float(_loss(z, a, _targets(Y, a), loss, activations[-1]))
        shape = (len(x), ws[-1].shape[1])
        y = torch.from_numpy(align_outputs(Y, shape, "targets"))
        total = 0.0
        for i in range(0, len(x), rows):
            z, a = _torch_pass(ws, bs, activations, x[i:i + rows])
            total += float(_loss(z, a, y[i:i + rows], loss, activations[-1], reduction="sum"))
        return total / (shape[0] * shape[1]) if loss in _MEAN_LOSSES else total


def gradients(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer ``(dW (n_in, n_out), db (n_out,))`` of the loss, by float64 autograd."""
    _check_net(weights, biases, activations)
    ws, bs = _as_tensors(weights, biases, grad=True)
    z, a = _torch_pass(ws, bs, activations, _inputs(X, ws[0].shape[0]))
    value = _loss(z, a, _targets(Y, a), loss, activations[-1])
    grads = torch.autograd.grad(value, [*ws, *bs], allow_unused=True)
    n = len(ws)
    out = []
    for i in range(n):
        gw, gb = grads[i], grads[n + i]
        dw = np.zeros(ws[i].shape) if gw is None else gw.numpy().copy()
        db = np.zeros(bs[i].shape) if gb is None else gb.numpy().copy()
        out.append((dw, db))
    return out


def _chains(shapes: list[tuple[int, int]], n_inputs: int | None) -> bool:
    if n_inputs is not None and shapes[0][0] != n_inputs:
        return False
    return all(prev[1] == nxt[0] for prev, nxt in zip(shapes, shapes[1:]))


def orient_chain(
    mats: Sequence[np.ndarray], n_inputs: int | None = None
) -> tuple[list[np.ndarray], str] | None:
    """Weight matrices in ``(in, out)`` orientation plus the convention they were stored in.

    ``"row"`` means stored ``(in, out)`` (used as ``X @ W``), ``"column"`` means stored
    ``(out, in)`` (used as ``W @ X``). One convention applies to the whole chain. When both
    conventions chain (only possible with square or mirror-image shapes) and ``n_inputs``
    does not tell them apart, the row convention wins. Returns None if the shapes do not
    chain in either convention (or a matrix is not 2-D).
    """
    arrays = [np.asarray(m, dtype=np.float64) for m in mats]
    if not arrays or any(a.ndim != 2 for a in arrays):
        return None
    row = [(a.shape[0], a.shape[1]) for a in arrays]
    col = [(a.shape[1], a.shape[0]) for a in arrays]
    if _chains(row, n_inputs):
        return arrays, "row"
    if _chains(col, n_inputs):
        return [a.T.copy() for a in arrays], "column"
    return None


def normalize_bias(b: np.ndarray, n_out: int) -> np.ndarray:
    """Bias as float64 ``(n_out,)``, from ``(n_out,)``, ``(1, n_out)`` or ``(n_out, 1)``.

    A scalar is accepted when ``n_out == 1``. Raises ValueError otherwise.
    """
    arr = np.asarray(b, dtype=np.float64)
    fits = arr.size == n_out and (
        arr.ndim == 0 or arr.ndim == 1 or (arr.ndim == 2 and 1 in arr.shape)
    )
    if not fits:
        raise ValueError(f"a bias of shape {arr.shape} does not fit a layer with {n_out} outputs")
    return arr.reshape(n_out).copy()


def infer_activations(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    X: np.ndarray,
    observed: np.ndarray,
    hidden_candidates: Sequence[str] = HIDDEN_ACTIVATIONS,
    output_candidates: Sequence[str] = ACTIVATIONS,
) -> tuple[tuple[str, ...], float]:
    """The activations (one shared by all hidden layers, one for the output) that best
    reproduce ``observed`` outputs, and the max absolute error they leave.

    ``observed`` may be ``(m, n_out)``, ``(n_out, m)`` or, for one output, a vector.
    Ties go to the earliest candidate (hidden first, then output). For a single-layer
    network only the output activation is searched. Non-finite errors count as infinite.
    """
    n_layers = len(weights)
    hidden_options: Sequence[str | None] = hidden_candidates if n_layers > 1 else (None,)
    best: tuple[tuple[str, ...], float] | None = None
    for hidden in hidden_options:
        for out_act in output_candidates:
            acts = (*([hidden] * (n_layers - 1)), out_act)
            out = forward(weights, biases, acts, X)  # type: ignore[arg-type]
            target = align_outputs(observed, out.shape, "observed outputs")
            err = float(np.max(np.abs(out - target), initial=0.0))
            if not np.isfinite(err):
                err = float("inf")
            if best is None or err < best[1]:
                best = (acts, err)  # type: ignore[assignment]
    if best is None:
        raise ValueError("no candidate activations given")
    return best


def vjp(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], activations: Sequence[str],
        X: np.ndarray, R: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gradients of ``sum(net(X) * R)`` per layer (dW as ``(n_in, n_out)``, db), in float64."""
    _check_net(weights, biases, activations)
    ws, bs = _as_tensors(weights, biases, grad=True)
    _, out = _torch_pass(ws, bs, activations, _inputs(X, np.shape(weights[0])[0]))
    (out * torch.from_numpy(np.asarray(R, dtype=np.float64))).sum().backward()
    return [(w.grad.numpy().copy(), b.grad.numpy().copy()) for w, b in zip(ws, bs)]


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / max(||a|| + ||b||, 1e-12)`` (Frobenius); 0 when both are zero."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} vs {y.shape}")
    num = float(np.linalg.norm(x - y))
    den = max(float(np.linalg.norm(x)) + float(np.linalg.norm(y)), 1e-12)
    return num / den
