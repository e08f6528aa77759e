"""Number and list formatting shared by the checks' messages and details."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any


def num(x: Any, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits for a message ("nan"/"inf" spelled out)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)[:40]
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return f"{value:.{digits}g}"


def pct(x: float) -> str:
    """A share in [0, 1] as a percentage ("97.5%")."""
    return f"{100.0 * float(x):.4g}%"


def plain(x: Any) -> Any:
    """A JSON-safe copy: python floats/ints/str/lists/dicts; non-finite floats become None."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "tolist"):  # numpy scalars and arrays
        return plain(x.tolist())
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    return str(x)


def listing(items: Iterable[str], limit: int = 6, sep: str = ", ") -> str:
    """Join ``items``, showing at most ``limit`` of them and then "and N more"."""
    shown = list(items)
    if len(shown) <= limit:
        return sep.join(shown)
    return sep.join(shown[:limit]) + f"{sep}and {len(shown) - limit} more"


def shape(s: Sequence[int]) -> str:
    """A shape as "(3, 4)"."""
    return "(" + ", ".join(str(int(d)) for d in s) + ("," if len(s) == 1 else "") + ")"


def clip_text(text: str, limit: int = 200) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
