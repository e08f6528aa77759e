"""Describe what a student's namespace holds, as plain data for the grader to choose from.

The inventory lists every candidate the grader might need — trained ``nn.Module``s with
their layer chain and weights, arrays and tensors, dicts and lists of arrays, number
series (loss histories), fitted scalers, optimizers, loss modules, the student's own
functions and the array attributes of their own class instances. It does not choose:
the trusted grader picks among candidates using the rubric's names and shapes.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

import numpy as np

from grader.sandbox.convert import NotConvertible, as_array, as_scalar, is_series, is_tensor

MAX_OBJECTS = 400
MAX_INVENTORY_ELEMENTS = 8_000_000


class Budget:
    """Caps how many array elements one inventory may carry."""

    def __init__(self, elements: int = MAX_INVENTORY_ELEMENTS) -> None:
        self.left = elements

    def take(self, array: np.ndarray) -> np.ndarray:
        if array.size > self.left:
            raise NotConvertible("inventory size budget exhausted")
        self.left -= array.size
        return array


def _torch() -> Any:
    return sys.modules.get("torch")


def _is_module(value: Any) -> bool:
    torch = _torch()
    return torch is not None and isinstance(value, torch.nn.Module)


def describe_module(name: str, module: Any, budget: Budget) -> dict[str, Any]:
    """Layer chain (leaf modules in registration order) and parameters of an nn.Module."""
    layers = []
    for path, child in module.named_modules():
        if any(True for _ in child.children()):
            continue
        kind = type(child).__name__
        layer: dict[str, Any] = {"path": path, "type": kind}
        if kind == "Linear":
            layer.update(in_features=int(child.in_features), out_features=int(child.out_features),
                         bias=child.bias is not None)
        elif kind == "LeakyReLU":
            layer["negative_slope"] = float(child.negative_slope)
        layers.append(layer)
    params = [[pname, budget.take(as_array(p).astype(np.float64))]
              for pname, p in module.named_parameters()]
    is_loss = type(module).__module__.startswith("torch.nn.modules.loss")
    return {"kind": "loss_module" if is_loss else "module", "name": name,
            "class": type(module).__name__, "layers": layers, "params": params,
            "training": bool(module.training)}


def _describe_function(name: str, function: types.FunctionType) -> dict[str, Any]:
    try:
        signature = inspect.signature(function)
        parameters = [p.name for p in signature.parameters.values()]
    except (TypeError, ValueError):
        parameters = []
    return {"kind": "function", "name": name, "parameters": parameters}


def _arrays_of(items: list[tuple[str, Any]], budget: Budget) -> list[list[Any]]:
    arrays = []
    for key, item in items:
        try:
            if is_tensor(item) or type(item) is np.ndarray:
                source = "tensor" if is_tensor(item) else "ndarray"
                arrays.append([key, budget.take(as_array(item)), source])
        except NotConvertible:
            continue
    return arrays


def _series(value: Any, budget: Budget) -> np.ndarray:
    return budget.take(np.array([as_scalar(v) for v in value], dtype=np.float64))


def describe(name: str, value: Any, budget: Budget) -> list[dict[str, Any]]:
    """Zero or more inventory records for one global name."""
    if isinstance(value, types.ModuleType) or isinstance(value, type):
        return []
    if _is_module(value):
        return [describe_module(name, value, budget)]
    torch = _torch()
    if torch is not None and isinstance(value, torch.optim.Optimizer):
        defaults = {k: float(v) for k, v in value.defaults.items()
                    if type(v) in (int, float) and not isinstance(v, bool)}
        return [{"kind": "optimizer", "name": name, "class": type(value).__name__,
                 "defaults": defaults}]
    if is_tensor(value) or type(value) is np.ndarray:
        array = budget.take(as_array(value))
        # a trainable leaf (a weight); tensors computed from one (h = X @ W) are not
        grad = bool(is_tensor(value) and value.requires_grad and value.is_leaf)
        return [{"kind": "array", "name": name, "value": array, "requires_grad": grad,
                 "source": "tensor" if is_tensor(value) else "ndarray"}]
    if is_series(value):
        return [{"kind": "series", "name": name, "value": _series(value, budget)}]
    if type(value) in (list, tuple):
        arrays = _arrays_of([(str(i), v) for i, v in enumerate(value)], budget)
        if arrays and len(arrays) == len(value):
            return [{"kind": "array_list", "name": name, "items": arrays}]
        return []
    if type(value) is dict:
        return _describe_dict(name, value, budget)
    if hasattr(value, "mean_") and hasattr(value, "scale_") and type(value).__module__.startswith(
            "sklearn"):
        return [{"kind": "scaler", "name": name, "class": type(value).__name__,
                 "mean": budget.take(as_array(value.mean_)),
                 "scale": budget.take(as_array(value.scale_))}]
    if isinstance(value, types.FunctionType):
        return [_describe_function(name, value)]
    if type(value).__module__ == "__main__":
        return [_describe_instance(name, value, budget)]
    return []


def _describe_dict(name: str, value: dict[Any, Any], budget: Budget) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    keyed = [(str(k), v) for k, v in value.items() if isinstance(k, (str, int))]
    arrays = _arrays_of(keyed, budget)
    if arrays:
        records.append({"kind": "array_dict", "name": name, "items": arrays})
    for key, item in keyed:
        if is_series(item):
            records.append({"kind": "series", "name": f"{name}[{key!r}]",
                            "value": _series(item, budget)})
    return records


def _describe_instance(name: str, value: Any, budget: Budget) -> dict[str, Any]:
    attributes = vars(value) if isinstance(getattr(value, "__dict__", None), dict) else {}
    methods = sorted(m for m, f in vars(type(value)).items() if isinstance(f, types.FunctionType))
    series = [[k, _series(v, budget)] for k, v in attributes.items() if is_series(v)]
    return {"kind": "instance", "name": name, "class": type(value).__name__,
            "items": _arrays_of(list(attributes.items()), budget), "series": series,
            "methods": methods}


def inventory(namespace: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Records for every global of interest, in name order, and notes on what was skipped."""
    budget = Budget()
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    for name in sorted(k for k in namespace if isinstance(k, str) and not k.startswith("_")):
        if len(records) >= MAX_OBJECTS:
            notes.append(f"stopped after {MAX_OBJECTS} objects")
            break
        try:
            records.extend(describe(name, namespace[name], budget))
        except NotConvertible as exc:
            notes.append(f"{name}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a hostile object must not stop the inventory
            notes.append(f"{name}: could not be read ({type(exc).__name__})")
    return records, notes
