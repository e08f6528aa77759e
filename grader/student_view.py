"""What student code may import from the installation: the lab's libraries and what they need.

The lab is written with NumPy, PyTorch, scikit-learn and matplotlib, and its notebooks often
use tqdm, pandas, seaborn and IPython.display beside them. Every other distribution
installed beside them (the grader's own dependencies: click, jinja2's users, nbformat,
pytest ...) is nothing a submission needs, so its entries in a site folder are covered like
labgrade's own (:func:`grader.runtime.hidden_paths`). The libraries' own requirements are
followed from their installed metadata, so what they import at run time stays in view.
Trusted side only: it reads the installation's metadata, never a submission.
"""

from __future__ import annotations

import os
import re
from importlib import metadata

LAB_DISTRIBUTIONS = ("numpy", "torch", "scikit-learn", "matplotlib")
# What lab notebooks import beside the lab's libraries: progress bars, tables, plot styles,
# IPython.display. Installed with labgrade (pyproject.toml) so such code runs as it did at home.
STUDENT_TOOLBOX = ("tqdm", "pandas", "seaborn", "ipython")
ALWAYS_VISIBLE = ("__pycache__",)  # bytecode of the single-module distributions kept in view
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _needed(requirement: str) -> str | None:
    """The distribution a ``Requires-Dist`` line names, unless only an extra asks for it."""
    if "extra" in requirement.partition(";")[2]:
        return None
    match = _NAME.match(requirement)
    return _normal(match.group(1)) if match else None


def _name(distribution: metadata.Distribution) -> str | None:
    """The distribution's name, or None when its metadata is missing or unreadable.

    The stdlib gives an empty message for a ``.dist-info`` without ``METADATA``; the
    ``importlib_metadata`` backport, when some package has installed its finder, raises.
    """
    try:
        return distribution.metadata["Name"] or None
    except Exception:  # noqa: BLE001 - a broken record is no lab distribution
        return None


def lab_closure(site: str) -> dict[str, metadata.Distribution]:
    """The lab's distributions and the student toolbox installed in ``site``, and everything
    they require there."""
    installed = {}
    for distribution in metadata.distributions(path=[site]):
        name = _name(distribution)
        if name:
            installed[_normal(name)] = distribution
    pending = [_normal(n) for n in LAB_DISTRIBUTIONS + STUDENT_TOOLBOX]
    kept: dict[str, metadata.Distribution] = {}
    while pending:
        name = pending.pop()
        if name in kept or name not in installed:
            continue
        kept[name] = installed[name]
        pending.extend(n for n in map(_needed, kept[name].requires or []) if n)
    return kept


def _entries(site: str, distribution: metadata.Distribution) -> set[str]:
    """The top-level entries of ``site`` that hold ``distribution``'s files."""
    entries = set()
    for file in distribution.files or []:
        parts = file.parts
        if parts and parts[0] not in ("..", "") and not os.path.isabs(str(file)):
            entries.add(parts[0])
    return entries


def outside_the_lab(site: str) -> set[str]:
    """The entries of ``site`` (full paths) that belong to no lab distribution."""
    try:
        names = os.listdir(site)
    except OSError:
        return set()
    closure = lab_closure(site)
    if not closure:
        return set()  # no lab library here (a system folder): nothing to tell apart
    visible = set(ALWAYS_VISIBLE)
    for distribution in closure.values():
        visible |= _entries(site, distribution)
    return {os.path.join(site, name) for name in names if name not in visible}
