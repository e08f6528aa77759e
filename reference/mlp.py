"""Plain-data description of a trained fully connected network and its forward pass."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import numpy as np

ActivationFn = Callable[[np.ndarray], np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, overflow-free for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_prime(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu_prime(z: np.ndarray) -> np.ndarray:
    """Derivative of ReLU, taken as 0 at z == 0 (the convention torch uses)."""
    return (np.asarray(z) > 0).astype(np.float64)


def identity_prime(z: np.ndarray) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=np.float64))


ACTIVATIONS: dict[str, ActivationFn] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
}
DERIVATIVES: dict[str, ActivationFn] = {
    "sigmoid": sigmoid_prime,
    "tanh": tanh_prime,
    "relu": relu_prime,
    "identity": identity_prime,
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise ValueError."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return name


@dataclass(frozen=True, eq=False)
class Net:
    """A trained fully connected net in row convention: ``a = g(a_prev @ W + b)``.

    ``weights[l]`` has shape (n_in, n_out), ``biases[l]`` shape (n_out,), and
    ``activations[l]`` names the activation applied after layer ``l`` (the last one
    is the output activation). Arrays are float64 copies owned by the Net.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]

    def __post_init__(self) -> None:
        ws = tuple(np.array(w, dtype=np.float64, ndmin=2) for w in self.weights)
        bs = tuple(np.array(b, dtype=np.float64).reshape(-1) for b in self.biases)
        acts = tuple(check_activation(a) for a in self.activations)
        if not (len(ws) == len(bs) == len(acts)) or not ws:
            raise ValueError("weights, biases and activations need the same non-zero length")
        for i, (w, b) in enumerate(zip(ws, bs)):
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise ValueError(f"layer {i + 1}: weight {w.shape} does not fit bias {b.shape}")
            if i and ws[i - 1].shape[1] != w.shape[0]:
                raise ValueError(f"layer {i + 1}: input size {w.shape[0]} != {ws[i - 1].shape[1]}")
        for arr in (*ws, *bs):
            arr.setflags(write=False)
        object.__setattr__(self, "weights", ws)
        object.__setattr__(self, "biases", bs)
        object.__setattr__(self, "activations", acts)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """(n_in, n_hidden..., n_out)."""
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    def allclose(self, other: Net, rtol: float = 1e-7, atol: float = 0.0) -> bool:
        """True if ``other`` has the same architecture and numerically close parameters."""
        return (
            self.activations == other.activations
            and self.layer_sizes == other.layer_sizes
            and all(np.allclose(a, b, rtol=rtol, atol=atol)
                    for a, b in zip((*self.weights, *self.biases), (*other.weights, *other.biases)))
        )

    def to_dict(self) -> dict:
        """JSON-ready dict of nested lists."""
        return {
            "weights": [w.tolist() for w in self.weights],
            "biases": [b.tolist() for b in self.biases],
            "activations": list(self.activations),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Net:
        return cls(
            weights=tuple(np.asarray(w, dtype=np.float64) for w in data["weights"]),
            biases=tuple(np.asarray(b, dtype=np.float64) for b in data["biases"]),
            activations=tuple(data["activations"]),
        )

    def to_json(self) -> str:
        """Serialise to JSON; float64 values round-trip exactly."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Net:
        return cls.from_dict(json.loads(text))


def forward_layers(net: Net, X: np.ndarray) -> list[np.ndarray]:
    """Activations of every layer, input first: [X, A1, ..., A_L] (row convention)."""
    a = np.asarray(X, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.shape[1] != net.weights[0].shape[0]:
        raise ValueError(f"input has {a.shape[1]} features, net expects {net.weights[0].shape[0]}")
    out = [a]
    for w, b, act in zip(net.weights, net.biases, net.activations):
        a = ACTIVATIONS[act](a @ w + b)
        out.append(a)
    return out


def predict(net: Net, X: np.ndarray) -> np.ndarray:
    """Float64 forward pass; X has shape (m, n_in), the result (m, n_out)."""
    return forward_layers(net, X)[-1]
