"""The lab's data sets: XOR and a seeded two-moons split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """X (4, 2) and y (4, 1), float64, rows ordered 00, 01, 10, 11."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


@dataclass(frozen=True, eq=False)
class MoonsSplit:
    """A train/test split of make_moons; y arrays are float64 (n,) of 0/1."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def moons_split(seed: int, n_samples: int = 500, noise: float = 0.2,
                test_size: float = 0.2) -> MoonsSplit:
    """make_moons(random_state=seed) then train_test_split(random_state=seed)."""
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, random_state=seed)
    return MoonsSplit(
        X_train=np.asarray(X_tr, dtype=np.float64),
        X_test=np.asarray(X_te, dtype=np.float64),
        y_train=np.asarray(y_tr, dtype=np.float64),
        y_test=np.asarray(y_te, dtype=np.float64),
    )


def moons_sample(seed: int, n: int, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """A fresh moons sample (held-out data): X (n, 2) and y (n,) float64.

    The random_state is offset from ``seed`` so that, for the same seed, this sample
    does not coincide with the points of :func:`moons_split`.
    """
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed + 1_000_003)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
