"""Turn objects from the student's namespace into plain numpy arrays, or refuse them.

Only exact, well-known types are converted (``torch.Tensor``/``Parameter``, ``np.ndarray``,
Python and numpy numbers, lists/tuples of those). Anything else — subclasses, objects
with a custom ``__array__`` or ``__float__`` — is rejected, so an object cannot lie about
its value through a dunder method.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from grader.protocol import ALLOWED_DTYPES

_NUMBER_TYPES = (int, float, np.floating, np.integer)
_ARRAY_DTYPE_KINDS = "fiub"
MAX_ELEMENTS = 2_000_000


class NotConvertible(Exception):
    """The object is not plain numeric data."""


def _exact_tensor_types() -> tuple[type, ...]:
    torch = sys.modules.get("torch")
    if torch is None:
        return ()
    return (torch.Tensor, torch.nn.Parameter)


def is_tensor(value: Any) -> bool:
    return type(value) in _exact_tensor_types()


def is_number(value: Any) -> bool:
    return type(value) is not bool and isinstance(value, _NUMBER_TYPES) and type(value).__module__ in (
        "builtins", "numpy")


def as_array(value: Any, *, max_elements: int = MAX_ELEMENTS) -> np.ndarray:
    """A copy of ``value`` as a numeric ndarray; raises NotConvertible for anything else."""
    if is_tensor(value):
        if value.is_complex() or value.numel() > max_elements:
            raise NotConvertible("tensor too large or complex")
        tensor = value.detach().to("cpu")
        if tensor.is_floating_point() and tensor.element_size() < 4:
            tensor = tensor.float()  # float16 and bfloat16 (which numpy cannot hold) -> float32
        try:
            array = tensor.clone().numpy()
        except (TypeError, RuntimeError) as exc:
            raise NotConvertible(f"tensor of dtype {tensor.dtype} has no numpy equivalent") from exc
    elif type(value) is np.ndarray:
        if value.dtype.kind not in _ARRAY_DTYPE_KINDS or value.size > max_elements:
            raise NotConvertible("array not numeric or too large")
        array = np.array(value, copy=True)
    elif is_number(value):
        array = np.array(float(value), dtype=np.float64)
    elif type(value) in (list, tuple) and 0 < len(value) <= max_elements:
        array = np.array([as_scalar(item) for item in value], dtype=np.float64)
    else:
        raise NotConvertible(f"{type(value).__name__} is not plain numeric data")
    if array.dtype.kind not in _ARRAY_DTYPE_KINDS:
        raise NotConvertible("not numeric")
    if array.dtype.name not in ALLOWED_DTYPES:
        # The protocol carries only ALLOWED_DTYPES (its decoder refuses the rest, which would end
        # the whole run): uint16/uint32 widen exactly to int64, uint64 and long double to float64.
        exact = array.dtype.kind in "iu" and array.dtype.itemsize < 8
        array = array.astype(np.int64 if exact else np.float64)
    return array


def as_scalar(value: Any) -> float:
    """One real number from a Python/numpy number or a one-element tensor/array."""
    if is_number(value):
        return float(value)
    if is_tensor(value) and value.numel() == 1:
        return float(as_array(value).reshape(()))
    if type(value) is np.ndarray and value.size == 1:
        return float(as_array(value).reshape(()))
    raise NotConvertible(f"{type(value).__name__} is not a number")


def is_series(value: Any) -> bool:
    """A list/tuple of at least two numbers (or 1-element tensors), e.g. a loss history."""
    if type(value) not in (list, tuple) or len(value) < 2:
        return False
    try:
        as_scalar(value[0])
        as_scalar(value[-1])
    except NotConvertible:
        return False
    return True
