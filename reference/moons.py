"""Two moons with a 2-16-1 ReLU MLP and BCEWithLogitsLoss: fixed-rate SGD vs Armijo.

Inputs are standardised with a StandardScaler fitted on the training split; models
are float32 like the students' and are read back as float64 :class:`Net` objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.preprocessing import StandardScaler
from torch import nn

from reference._torch_util import seeded
from reference.data import MoonsSplit
from reference.linesearch import backtracking
from reference.mlp import Net, predict
from reference.torch_module import module_to_net


@dataclass(frozen=True, eq=False)
class MoonsRun:
    """A trained moons model; ``net`` outputs logits on standardised inputs."""

    net: Net
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    loss_history: list[float]
    train_acc: float
    test_acc: float
    alphas: list[float] | None = None

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(y = 1) for raw (unscaled) inputs, shape (m,)."""
        z = predict(self.net, (np.asarray(X, dtype=np.float64) - self.scaler_mean)
                    / self.scaler_scale)
        return 1.0 / (1.0 + np.exp(-z.ravel()))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean((self.predict_proba(X) > 0.5) == (np.asarray(y).ravel() > 0.5)))


def make_mlp(seed: int) -> nn.Sequential:
    """2-16-1 ReLU MLP with torch's default initialisation under ``seed``."""
    with seeded(seed):
        return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))


def _prepare(split: MoonsSplit) -> tuple[np.ndarray, np.ndarray, torch.Tensor, torch.Tensor]:
    scaler = StandardScaler().fit(split.X_train)
    mean, scale = scaler.mean_.astype(np.float64), scaler.scale_.astype(np.float64)
    X = torch.tensor(scaler.transform(split.X_train), dtype=torch.float32)
    y = torch.tensor(split.y_train, dtype=torch.float32).reshape(-1, 1)
    return mean, scale, X, y


def _finish(model: nn.Module, split: MoonsSplit, mean: np.ndarray, scale: np.ndarray,
            history: list[float], alphas: list[float] | None = None) -> MoonsRun:
    run = MoonsRun(net=module_to_net(model), scaler_mean=mean, scaler_scale=scale,
                   loss_history=history, train_acc=0.0, test_acc=0.0, alphas=alphas)
    object.__setattr__(run, "train_acc", run.accuracy(split.X_train, split.y_train))
    object.__setattr__(run, "test_acc", run.accuracy(split.X_test, split.y_test))
    return run


def train_fixed(split: MoonsSplit, epochs: int = 300, lr: float = 0.1, seed: int = 0) -> MoonsRun:
    """Full-batch SGD with a fixed learning rate; history is the loss before each step."""
    mean, scale, X, y = _prepare(split)
    model = make_mlp(seed)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history: list[float] = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        history.append(loss.item())
    return _finish(model, split, mean, scale, history)


def armijo_step(model: nn.Module, loss_fn: nn.Module, X: torch.Tensor, y: torch.Tensor,
                alpha0: float = 1.0, rho: float = 0.5, c: float = 1e-4,
                max_trials: int = 30) -> tuple[float, float, bool]:
    """One backtracking gradient step in place; returns (loss before, alpha, accepted)."""
    params = [p for p in model.parameters() if p.requires_grad]
    model.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    grads = [p.grad.detach().clone() for p in params]
    start = [p.detach().clone() for p in params]
    slope = float(sum(float((g.double() ** 2).sum()) for g in grads))

    def set_step(alpha: float) -> None:
        with torch.no_grad():
            for p, w, g in zip(params, start, grads):
                p.copy_(w - alpha * g)

    def loss_at(alpha: float) -> float:
        set_step(alpha)
        with torch.no_grad():
            return float(loss_fn(model(X), y))

    f0 = loss.item()
    res = backtracking(loss_at, f0, slope, alpha0, rho, c, max_trials)
    set_step(res.alpha)  # restores w0 and applies the accepted (or tiny) step
    return f0, res.alpha, res.accepted


def train_backtracking(split: MoonsSplit, epochs: int = 300, alpha0: float = 1.0,
                       rho: float = 0.5, c: float = 1e-4, seed: int = 0) -> MoonsRun:
    """Full-batch gradient descent with an Armijo step each epoch."""
    mean, scale, X, y = _prepare(split)
    model = make_mlp(seed)
    loss_fn = nn.BCEWithLogitsLoss()
    history: list[float] = []
    alphas: list[float] = []
    for _ in range(epochs):
        f0, alpha, _accepted = armijo_step(model, loss_fn, X, y, alpha0, rho, c)
        history.append(f0)
        alphas.append(alpha)
    return _finish(model, split, mean, scale, history, alphas)
