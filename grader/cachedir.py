"""Where the grader keeps what it computes once and reuses: reference runs, a font cache."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$LABGRADE_CACHE``, else ``~/.cache/labgrade``."""
    return Path(os.environ.get("LABGRADE_CACHE") or Path.home() / ".cache" / "labgrade")
