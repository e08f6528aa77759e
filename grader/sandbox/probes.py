"""Answer the grader's probes: call the student's objects on inputs the grader just drew.

Probes run after every cell has finished, on inputs the student's code could not have
seen, and return raw outputs only. Student functions have free-form signatures, so
arguments are bound by parameter name through :data:`ALIASES` (``X``, ``inputs``,
``params``, ``cache`` ...); a parameter that matches nothing and has no default makes the
probe fail with a message naming it.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from grader.sandbox.global_data import problem_data
from grader.sandbox.convert import NotConvertible, as_array, as_scalar, is_tensor

ALIASES: dict[str, tuple[str, ...]] = {
    "X": ("x", "inputs", "input", "a0", "a_prev", "data", "features", "x_train", "xb", "x_batch"),
    "Y": ("y", "targets", "target", "labels", "y_true", "y_train", "yb", "y_batch", "t"),
    "params": ("params", "parameters", "weights", "theta", "network", "net", "param", "p", "w"),
    "cache": ("cache", "caches", "memory", "store", "activations", "forward_cache", "intermediates"),
    "output": ("a", "al", "a_out", "a2", "a3", "a_l", "y_hat", "yhat", "y_pred", "ypred", "output",
               "out", "pred", "preds", "predictions", "probs", "h", "outputs", "a_last"),
    "model": ("model", "net", "network", "mlp", "module"),
    "loss_fn": ("loss_fn", "criterion", "loss_function", "lossfn", "loss_func", "loss", "f"),
    "alpha0": ("alpha0", "alpha", "alpha_0", "a0", "alpha_init", "step", "t0", "lr0", "init_alpha",
               "initial_alpha", "eta0", "lr"),
    "rho": ("rho", "beta", "shrink", "decay", "factor", "tau"),
    "c": ("c", "c1", "sigma", "armijo_c"),
}


class ProbeFailed(Exception):
    """The probe could not be answered; the message says why, in the student's terms."""


def _torch() -> Any:
    torch = sys.modules.get("torch")
    if torch is None:
        import torch  # noqa: PLC0415 - only when the student's code did not load it already
    return torch


def resolve(namespaces: dict[str, dict[str, Any]], target: dict[str, Any]) -> Any:
    """The object a probe names: ``{"unit": ..., "name": ...}``."""
    namespace = namespaces.get(target.get("unit", ""))
    if namespace is None or target.get("name") not in namespace:
        raise ProbeFailed(f"{target.get('name')!r} no longer exists")
    return namespace[target["name"]]


def bind(function: Callable[..., Any], available: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``function`` chosen by its parameter names."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        raise ProbeFailed("its signature cannot be read") from None
    kwargs: dict[str, Any] = {}
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        lowered = parameter.name.lower()
        role = next((r for r, names in ALIASES.items() if r in available
                     and (lowered in names or lowered == r.lower())), None)
        if role is not None:
            kwargs[parameter.name] = available[role]
        elif parameter.default is parameter.empty:
            raise ProbeFailed(f"the grader cannot tell what to pass for parameter "
                              f"{parameter.name!r} of {getattr(function, '__name__', 'it')}()")
    return kwargs


def plain(value: Any, depth: int = 0) -> Any:
    """A returned value as protocol data: arrays, numbers, lists and str-keyed dicts only."""
    if depth > 4:
        return None
    if is_tensor(value) or type(value) is np.ndarray:
        return as_array(value)
    if type(value) in (int, float) or type(value).__module__ == "numpy" and np.ndim(value) == 0:
        try:
            return as_scalar(value)
        except NotConvertible:
            return None
    if type(value) in (list, tuple):
        return [plain(item, depth + 1) for item in value[:64]]
    if type(value) is dict:
        return {str(k): plain(v, depth + 1) for k, v in list(value.items())[:64]
                if isinstance(k, (str, int))}
    return None


def as_tensors(args: dict[str, Any]) -> dict[str, Any]:
    """The same arguments with arrays turned into float32 tensors (for torch-style code)."""
    torch = _torch()
    return {k: torch.as_tensor(v, dtype=torch.float32) if isinstance(v, np.ndarray) else v
            for k, v in args.items()}


def _as_input(module: Any, X: np.ndarray) -> Any:
    torch = _torch()
    first = next(module.parameters(), None)
    dtype = first.dtype if first is not None else torch.float32
    return torch.as_tensor(X).to(dtype)


@contextlib.contextmanager
def evaluation_mode(module: Any) -> Iterator[Any]:
    """The module in eval mode (dropout off, batch-norm statistics frozen), then each
    submodule's own mode again: the grader judges the model deterministically."""
    modes = [(child, child.training) for child in module.modules()]
    module.eval()
    try:
        yield module
    finally:
        for child, training in modes:
            child.training = training


def module_forward(module: Any, X: np.ndarray) -> dict[str, Any]:
    torch = _torch()
    with torch.no_grad(), evaluation_mode(module):
        output = module(_as_input(module, X))
    if isinstance(output, (tuple, list)):
        output = output[0]
    return {"output": as_array(output)}


def module_vjp(module: Any, X: np.ndarray, R: np.ndarray) -> dict[str, Any]:
    """Gradients of sum(model(X) * R) with respect to each parameter."""
    torch = _torch()
    module = copy.deepcopy(module).eval()  # a copy: the student's model keeps its mode
    module.zero_grad(set_to_none=True)
    output = module(_as_input(module, X))
    (output * _like(torch.as_tensor(R).to(output.dtype), output)).sum().backward()
    grads = [[name, as_array(p.grad) if p.grad is not None else np.zeros(tuple(p.shape))]
             for name, p in module.named_parameters()]
    return {"output": as_array(output.detach()), "grads": grads}


def _like(weights: Any, output: Any) -> Any:
    """``weights`` in the shape of ``output`` where they hold one number per output: a model
    that squeezes its (m, 1) logits to (m,) would otherwise broadcast them to (m, m)."""
    if weights.shape != output.shape and weights.numel() == output.numel():
        return weights.reshape(output.shape)
    return weights


def call(function: Callable[..., Any], args: dict[str, Any]) -> dict[str, Any]:
    return {"result": plain(function(**bind(function, args)))}


def forward_backward(forward: Callable[..., Any], backward: Callable[..., Any],
                     args: dict[str, Any]) -> dict[str, Any]:
    """Call the student's forward, then their backward with what forward returned."""
    params = copy.deepcopy(args.get("params"))
    available = dict(args, params=params)
    result = forward(**bind(forward, available))
    if isinstance(result, tuple) and len(result) >= 2:
        available["output"], available["cache"] = result[0], result[1]
    else:
        available["output"] = result
    grads = backward(**bind(backward, available))
    return {"output": plain(available["output"]), "grads": plain(grads)}


def instance_backprop(instance: Any, attrs: dict[str, np.ndarray], args: dict[str, Any],
                      forward: str, backward: str) -> dict[str, Any]:
    """Set an object's weights, call its forward then backward; report returns and d* attributes."""
    instance = copy.deepcopy(instance)
    for name, value in attrs.items():
        setattr(instance, name, value.copy())
    output = getattr(instance, forward)(**bind(getattr(instance, forward), args))
    available = dict(args, output=output[0] if isinstance(output, tuple) else output)
    grads = getattr(instance, backward)(**bind(getattr(instance, backward), available))
    after = {k: as_array(v) for k, v in vars(instance).items()
             if type(v) is np.ndarray or is_tensor(v)}
    return {"output": plain(available["output"]), "grads": plain(grads), "attributes": after}


def search_defaults(function: Callable[..., Any]) -> dict[str, float]:
    """The function's own default alpha0, rho and c (by ALIASES), where it declares them."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return {}
    found: dict[str, float] = {}
    for parameter in parameters:
        default = parameter.default
        if type(default) not in (int, float) or not 0 < default < 1e3:
            continue
        lowered = parameter.name.lower()
        for role in ("alpha0", "rho", "c"):
            if role not in found and (lowered == role or lowered in ALIASES.get(role, ())):
                found[role] = float(default)
    return found


def module_linesearch(function: Callable[..., Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Call a line-search routine on a small net and problem the grader chose."""
    torch = _torch()
    layers: list[Any] = []
    weights, biases = spec["weights"], spec["biases"]
    for index, (W, b) in enumerate(zip(weights, biases)):
        linear = torch.nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(W.T))
            linear.bias.copy_(torch.as_tensor(b))
        layers.append(linear)
        if index < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    X = torch.as_tensor(spec["X"], dtype=torch.float32)
    Y = torch.as_tensor(spec["Y"], dtype=torch.float32).reshape(-1, 1)
    pristine = torch.nn.Sequential(*layers)
    last_error: Exception | None = None
    for prefill in (False, True):  # some routines compute the gradient, some expect it computed
        model = copy.deepcopy(pristine)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        if prefill:
            model.zero_grad()
            loss_fn(model(X), Y).backward()
        available = {"model": model, "loss_fn": loss_fn, "X": X, "Y": Y,
                     **{k: spec[k] for k in ("alpha0", "rho", "c") if spec.get(k) is not None}}
        try:
            with problem_data(function, spec["X"], spec["Y"]) as swapped:
                result = function(**bind(function, available))
        except ProbeFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - try the other calling convention
            last_error = exc
            continue
        params = [as_array(p.detach()) for p in model.parameters()]
        return {"result": plain(result), "params_after": params, "prefilled": prefill,
                "defaults": search_defaults(function), "data_globals": swapped}
    raise ProbeFailed(f"calling it raised {type(last_error).__name__}: {last_error}")
