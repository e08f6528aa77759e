"""Record the student's calls of the lab's data generators and preprocessing, with their arguments.

``make_moons``, ``make_circles``, ``make_blobs``, ``make_classification``,
``train_test_split`` and ``StandardScaler.fit``/``fit_transform`` are wrapped in scikit-learn's own
modules before the student's code runs, so ``from sklearn.datasets import make_moons`` gets
the wrapper. A call passes straight through; its plain arguments (numbers, strings, booleans,
None) are noted, and of array arguments and results only their shapes. The grader draws its
held-out data from these arguments; nothing here judges.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

MAX_CALLS = 32
GENERATORS = ("make_moons", "make_circles", "make_blobs", "make_classification")


def _plain(value: Any) -> Any:
    """A JSON-safe description of one argument."""
    if value is None or type(value) in (bool, str):
        return value if type(value) is not str else value[:40]
    if type(value) in (int, float) or isinstance(value, (np.integer, np.floating)):
        number = float(value) if isinstance(value, (float, np.floating)) else int(value)
        return number if np.isfinite(number) else None
    if type(value) in (list, tuple) and len(value) <= 4 and all(
            type(v) in (int, float) for v in value):
        return [float(v) for v in value]
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(type(d) is int for d in shape):
        return {"shape": list(shape)}
    return {"type": type(value).__name__[:40]}


def _shapes(result: Any) -> list[list[int]]:
    items = result if isinstance(result, (tuple, list)) else [result]
    return [list(item.shape) for item in items[:8]
            if isinstance(getattr(item, "shape", None), tuple)]


class DataCalls:
    """Wraps the generators while one unit runs; :meth:`uninstall` puts them back."""

    def __init__(self, clock: Any = None) -> None:
        """``clock()`` tells how many loop samples were recorded before a call (its time)."""
        self.calls: list[dict[str, Any]] = []
        self.clock = clock or (lambda: 0)
        self._saved: list[tuple[Any, str, Any]] = []

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None or getattr(original, "_labgrade", False):
            return
        calls, clock = self.calls, self.clock

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if len(calls) < MAX_CALLS:
                try:
                    calls.append({"function": label,
                                  "args": [_plain(a) for a in args[:8]],
                                  "kwargs": {str(k)[:40]: _plain(v) for k, v in
                                             list(kwargs.items())[:16]},
                                  "shapes": _shapes(result), "sample": int(clock())})
                except Exception:  # noqa: BLE001,S110 - a call that cannot be described is not noted
                    pass
            return result

        wrapper._labgrade = True  # type: ignore[attr-defined]
        self._saved.append((owner, name, original))
        setattr(owner, name, wrapper)

    def install(self, sources: str) -> None:
        """Wrap what the unit may call (only where it mentions scikit-learn)."""
        if "sklearn" not in sources:
            return
        try:
            import sklearn.datasets as datasets  # noqa: PLC0415
            import sklearn.model_selection as selection  # noqa: PLC0415
            import sklearn.preprocessing as preprocessing  # noqa: PLC0415
        except ImportError:
            return
        for name in GENERATORS:
            self._wrap(datasets, name, name)
        self._wrap(selection, "train_test_split", "train_test_split")
        scaler = preprocessing.StandardScaler
        self._wrap(scaler, "fit", "StandardScaler.fit")
        self._wrap(scaler, "fit_transform", "StandardScaler.fit_transform")

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
