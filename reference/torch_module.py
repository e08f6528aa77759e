"""XOR with an nn.Module (2-4-1, sigmoid, MSELoss, SGD) and Module -> Net conversion."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn, optim

from reference._torch_util import seeded
from reference.data import xor_data
from reference.mlp import Net, predict

_ACTIVATION_MODULES: dict[type[nn.Module], str] = {
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
    nn.ReLU: "relu",
    nn.Identity: "identity",
}
_PASS_THROUGH = (nn.Dropout, nn.Flatten)


class XorNet(nn.Module):
    """2-4-1 fully connected net with sigmoid on both layers."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.act1 = nn.Sigmoid()
        self.fc2 = nn.Linear(4, 1)
        self.act2 = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act2(self.fc2(self.act1(self.fc1(x))))


def train_xor_module(epochs: int, lr: float = 0.1, seed: int = 0) -> tuple[Net, list[float]]:
    """Train :class:`XorNet` in float32 with MSELoss and SGD; history is loss before each step."""
    X_np, y_np = xor_data()
    X = torch.tensor(X_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32)
    with seeded(seed):
        model = XorNet()
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    history: list[float] = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return module_to_net(model), history


def _leaf_call_order(module: nn.Module, n_in: int) -> list[nn.Module]:
    """Leaf modules in the order a forward pass on a dummy batch calls them."""
    calls: list[nn.Module] = []
    handles = [
        m.register_forward_hook(lambda mod, _inp, _out: calls.append(mod))
        for m in module.modules()
        if not list(m.children())
    ]
    try:
        param = next(module.parameters())
        with torch.no_grad():
            module(torch.zeros(2, n_in, dtype=param.dtype, device=param.device))
    finally:
        for h in handles:
            h.remove()
    return calls


def module_to_net(module: nn.Module, check: bool = True) -> Net:
    """Read a chain of Linear layers with Sigmoid/Tanh/ReLU modules into a :class:`Net`.

    The layer order is the order in which a forward pass calls the leaf modules, so a
    single ``nn.Sigmoid`` reused after every layer is handled. Activations applied as
    functions (``torch.sigmoid(...)``) are invisible to hooks; with ``check`` the Net's
    output is compared with the module's and a ValueError raised on mismatch.
    """
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("module has no nn.Linear layer")
    n_in = linears[0].in_features
    was_training = module.training
    module.eval()
    try:
        calls = _leaf_call_order(module, n_in)
        weights: list[np.ndarray] = []
        biases: list[np.ndarray] = []
        acts: list[str] = []
        for m in calls:
            if isinstance(m, nn.Linear):
                if weights and acts[-1] is None:
                    acts[-1] = "identity"
                w = m.weight.detach().cpu().double().numpy().T.copy()
                b = (m.bias.detach().cpu().double().numpy().copy() if m.bias is not None
                     else np.zeros(m.out_features))
                weights.append(w)
                biases.append(b)
                acts.append(None)  # type: ignore[arg-type]
            elif type(m) in _ACTIVATION_MODULES:
                if not weights or acts[-1] is not None:
                    raise ValueError(f"{type(m).__name__} does not follow an nn.Linear layer")
                acts[-1] = _ACTIVATION_MODULES[type(m)]
            elif not isinstance(m, _PASS_THROUGH):
                raise ValueError(f"unsupported layer {type(m).__name__}")
        acts = [a if a is not None else "identity" for a in acts]
        net = Net(weights=tuple(weights), biases=tuple(biases), activations=tuple(acts))
        if check:
            _check_same_output(module, net, n_in)
    finally:
        module.train(was_training)
    return net


def _check_same_output(module: nn.Module, net: Net, n_in: int) -> None:
    param = next(module.parameters())
    X = np.random.default_rng(0).uniform(-2.0, 2.0, size=(16, n_in))
    with torch.no_grad():
        out = module(torch.tensor(X, dtype=param.dtype, device=param.device))
    out_np = out.detach().cpu().double().numpy().reshape(len(X), -1)
    tol = 1e-10 if param.dtype == torch.float64 else 1e-4
    if out_np.shape != (len(X), net.weights[-1].shape[1]) or not np.allclose(
            out_np, predict(net, X), rtol=tol, atol=tol):
        raise ValueError("module output differs from the Linear/activation chain read from it "
                         "(activations applied as functions, or a non-chain architecture?)")
