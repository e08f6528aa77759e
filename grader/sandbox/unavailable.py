"""Hidden distributions import as "not installed", never as empty packages.

The grader covers every installed distribution the lab does not need with an empty folder or
file (or leaves it unreadable). Imported as such, a covered folder would be an empty namespace
package, so a library's optional ``try: import pandas / except ImportError`` (or its
``importlib.util.find_spec`` test) would take the empty one and break later. This finder takes
the path finder's place on ``sys.meta_path`` and finds nothing for a top-level name that
resolves only to a covered entry; a submission's own module of that name, found first on
``sys.path``, is found as usual.
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
    """The path finder, except that a covered entry's top-level module is not found."""

    def __init__(self, hidden: set[str]) -> None:
        self.hidden = hidden
        self.names = {top_level(p) for p in hidden} - {None, "grader"}  # ours: the runtime copy

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or path is not None or fullname not in self.names:
            return spec
        places = [spec.origin] if spec.origin not in (None, "namespace") else \
            list(spec.submodule_search_locations or [])
        if places and all(_covered(p, self.hidden) for p in places):
            return None  # as if not installed: importlib.util.find_spec says None, import raises
        return spec  # a module of the student's of that name

    def invalidate_caches(self) -> None:
        importlib.machinery.PathFinder.invalidate_caches()

    def find_distributions(self, *args: Any, **kwargs: Any) -> Any:
        """importlib.metadata asks the path finder for installed distributions: still answered."""
        return importlib.machinery.PathFinder.find_distributions(*args, **kwargs)


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
    """Put the finder in the path finder's place on ``sys.meta_path`` (once) for the entries
    the grader listed."""
    listed = os.environ.get(ENVIRONMENT, "")
    hidden = {os.path.normpath(p) for p in listed.split(os.pathsep) if p}
    if not hidden or any(isinstance(f, Unavailable) for f in sys.meta_path):
        return
    finder = Unavailable(hidden)
    for index, existing in enumerate(sys.meta_path):
        if existing is importlib.machinery.PathFinder:
            sys.meta_path[index] = finder
            return
    sys.meta_path.append(finder)
