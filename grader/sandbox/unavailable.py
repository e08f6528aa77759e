"""Hidden distributions import as "not installed", never as empty packages.

The grader covers every installed distribution the lab does not need with an empty folder or
file (or leaves it unreadable). Imported as such, a covered folder would be an empty namespace
package, so a library's optional ``try: import pandas / except ImportError`` would take the
empty one and break later. This finder, first on ``sys.meta_path``, raises
``ModuleNotFoundError`` for a top-level name that resolves only to a covered entry; a
submission's own module of that name, found first on ``sys.path``, is left alone.
Sandbox side: it reads the list the grader put in the environment, nothing else.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from importlib.abc import MetaPathFinder
from typing import Any

ENVIRONMENT = "LABGRADE_HIDDEN"


class Unavailable(MetaPathFinder):
    """Refuses the covered entries' top-level modules."""

    def __init__(self, hidden: set[str]) -> None:
        self.hidden = hidden
        self.names = {top_level(p) for p in hidden} - {None, "grader"}  # ours: the runtime copy

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if path is not None or fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname)
        if spec is None:
            return None
        places = [spec.origin] if spec.origin not in (None, "namespace") else \
            list(spec.submodule_search_locations or [])
        if places and all(_covered(p, self.hidden) for p in places):
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)
        return None  # a module of the student's: the usual finders load it


def _covered(place: str, hidden: set[str]) -> bool:
    places = {os.path.normpath(place), os.path.realpath(place)}
    return any(p in hidden or os.path.dirname(p) in hidden for p in places)


def top_level(path: str) -> str | None:
    """The module name a site-folder entry provides (None: metadata, a .pth, bytecode)."""
    name = os.path.basename(path.rstrip("/"))
    if name.endswith((".dist-info", ".egg-info", ".pth", ".data")) or name == "__pycache__":
        return None
    stem = name.split(".", 1)[0] if name.endswith((".py", ".so", ".pyd")) else name
    return stem if stem.isidentifier() else None


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once) for the entries the grader listed."""
    listed = os.environ.get(ENVIRONMENT, "")
    hidden = {os.path.normpath(p) for p in listed.split(os.pathsep) if p}
    if hidden and not any(isinstance(f, Unavailable) for f in sys.meta_path):
        sys.meta_path.insert(0, Unavailable(hidden))
