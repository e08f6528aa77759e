"""What a sandboxed run sees of labgrade and of the Python installation.

The child imports only the sandbox side of the grader: :data:`SANDBOX_SIDE` (the worker,
the protocol, and the reaper, zygote and confinement code that runs in the run's own
processes). :func:`runtime` copies those files, compiled, into a folder of their own
(``runtime/python``, first on the child's ``PYTHONPATH``), so neither the judging code nor
the reference solutions are ever in the child's view: the checkout (editable install) is
not bound or readable at all, and :func:`hidden_paths` lists labgrade's own entries in the
installation's site folders (a wheel's ``grader/`` and ``reference/``, the ``.dist-info``,
an editable install's ``.pth`` and finder). A cold run in bubblewrap, a warm run in its own
mount namespace and a degraded run as root (in one of the worker's own) cover each with an
empty read-only folder or file (:mod:`grader.hiding`); where no mount namespace can be had,
Landlock leaves them unreadable (:func:`grader.confine.carve`).
"""

from __future__ import annotations

import compileall
import csv
import functools
import glob
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import grader
from grader.cachedir import cache_dir
from grader.student_view import outside_the_lab

DISTRIBUTION = "labgrade"
PACKAGES = ("grader", "reference")  # the distribution's top-level packages
# grader/-relative files the child (and the warm parent and reaper that start it) import
SANDBOX_SIDE = ("__init__.py", "protocol.py", "confine.py", "reaper.py", "unprivileged.py",
                "zygote.py", "hiding.py", "sandbox/*.py")
RUNTIME_MOUNT = "/labgrade-python"  # where a cold run in bubblewrap sees runtime().python


@dataclass(frozen=True)
class Runtime:
    """The child's own folder: ``python`` (its import path), ``empty_dir`` and ``empty_file``
    (what bubblewrap binds over a hidden entry) and ``stage`` (where a warm run mounts the
    read-only tmpfs it binds from, :mod:`grader.hiding`)."""

    root: str

    @property
    def python(self) -> str:
        return os.path.join(self.root, "python")

    @property
    def empty_dir(self) -> str:
        return os.path.join(self.root, "empty")

    @property
    def empty_file(self) -> str:
        return os.path.join(self.root, "empty-file")

    @property
    def stage(self) -> str:
        return os.path.join(self.root, "stage")


def package_dir() -> Path:
    """The folder the grader imports its own package from."""
    return Path(grader.__file__).resolve().parent


def sandbox_files(package: Path | None = None) -> list[Path]:
    """The sandbox side's source files, relative to the package folder."""
    base = package or package_dir()
    found = {path.relative_to(base) for pattern in SANDBOX_SIDE for path in base.glob(pattern)}
    return sorted(found)


@functools.lru_cache(maxsize=4)
def _digest(package: Path) -> str:
    """What the runtime folder is named by: the Python version and the sources it holds."""
    digest = hashlib.sha256(sys.version.encode())
    for relative in sandbox_files(package):
        digest.update(str(relative).encode() + b"\0" + (package / relative).read_bytes())
    return digest.hexdigest()[:20]


def _build(final: Path, package: Path) -> None:
    """Copy and compile the sandbox side into ``final`` (atomically: whole or not at all)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=final.parent))
    try:
        for relative in sandbox_files(package):
            target = building / "python" / "grader" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / relative, target)
        compileall.compile_dir(str(building / "python"), quiet=1)
        for folder in ("empty", "stage"):
            (building / folder).mkdir()
        (building / "empty-file").touch()
        for path in [building, *building.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # for the sandbox uid too
        try:
            building.rename(final)
        except OSError:  # another process built the same one first
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)


def runtime() -> Runtime:
    """The child's runtime folder for this package's sources (built once, in the cache)."""
    package = package_dir()
    final = cache_dir().resolve() / "sandbox-runtime" / _digest(package)
    if not (final / "python" / "grader" / "__init__.py").exists():
        _build(final, package)
    return Runtime(str(final))


def _site_dirs(roots: tuple[str, ...]) -> list[str]:
    """The site folders inside ``roots``: those on ``sys.path`` and each root's own."""
    found = [os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)]
    for root in roots:
        for pattern in ("lib*/python3*/site-packages", "lib*/python3*/dist-packages",
                        "local/lib*/python3*/dist-packages", "lib/python3/dist-packages"):
            found += [os.path.realpath(p) for p in glob.glob(os.path.join(root, pattern))]
    inside = [p for p in dict.fromkeys(found)
              if any(p == r or p.startswith(r.rstrip("/") + "/") for r in roots)]
    return sorted(inside)


def _recorded(site: str) -> set[str]:
    """Labgrade's entries in one site folder, from each of its ``.dist-info`` RECORD: a
    package folder or the dist-info whole, any other file alone."""
    hidden: set[str] = set()
    for info in glob.glob(os.path.join(site, f"{DISTRIBUTION}-*.dist-info")):
        hidden.add(info)
        try:
            with open(os.path.join(info, "RECORD"), newline="", encoding="utf-8") as handle:
                paths = [row[0] for row in csv.reader(handle) if row]
        except OSError:
            continue
        inside = [p for p in paths if not os.path.isabs(p) and ".." not in p.split("/")]
        packages = {p.split("/")[0] for p in inside if p.count("/") == 1
                    and p.endswith("/__init__.py")}
        for path in inside:
            top = path.split("/")[0]
            hidden.add(os.path.join(site, top if top in packages else path))
    for name in glob.glob(os.path.join(site, f"__editable__*{DISTRIBUTION}*")):
        hidden.add(name)
    return hidden


def _package_folders() -> set[str]:
    """Where this process imports labgrade's packages from."""
    folders = {str(package_dir())}
    spec = importlib.util.find_spec("reference")
    if spec is not None and spec.origin and spec.origin.endswith("__init__.py"):
        folders.add(os.path.realpath(os.path.dirname(spec.origin)))
    return folders


@functools.lru_cache(maxsize=4)
def hidden_paths(roots: tuple[str, ...]) -> tuple[str, ...]:
    """Labgrade's own entries in the site folders under ``roots`` (the folders the sandbox
    sees): what the child must neither import nor read."""
    hidden: set[str] = set()
    packages = _package_folders()
    for site in _site_dirs(roots):
        hidden |= _recorded(site)
        hidden |= outside_the_lab(site)  # every distribution the lab's libraries do not need
        hidden |= {os.path.join(site, name) for name in PACKAGES
                   if os.path.realpath(os.path.join(site, name)) in packages}
    outermost = [p for p in hidden if not any(p.startswith(q + "/") for q in hidden)]
    return tuple(sorted(p for p in outermost if os.path.lexists(p)))
