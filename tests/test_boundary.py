"""The trust boundary, checked on the source itself.

Code that runs inside the sandbox (``grader/sandbox/`` and ``grader/protocol.py``) may import
only the standard library, numpy, torch, matplotlib, scikit-learn and its own side of the
boundary — never the trusted grader. And nothing in ``grader/`` may unpickle: no pickle,
dill or cloudpickle, and no ``np.load``/``torch.load`` that could fall back to pickle.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import grader

PACKAGE = Path(grader.__file__).resolve().parent
SANDBOX_FILES = sorted((PACKAGE / "sandbox").glob("*.py")) + [PACKAGE / "protocol.py"]
ALL_FILES = sorted(PACKAGE.rglob("*.py"))
THIRD_PARTY = {"numpy", "torch", "matplotlib", "sklearn"}
PICKLERS = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "shelve"}
# loader -> (keyword, value) that makes it refuse pickles
SAFE_LOADERS = {
    "numpy.load": ("allow_pickle", False),
    "numpy.lib.format.read_array": ("allow_pickle", False),
    "torch.load": ("weights_only", True),
    "torch.serialization.load": ("weights_only", True),
}
UNPICKLING_CALLS = {"pandas.read_pickle", "pandas.io.pickle.read_pickle"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


@dataclass
class Found:
    imports: list[tuple[str, int]]  # (module imported, line)
    problems: list[str]  # things that cannot be checked statically, or unsafe loads


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_package(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.is_dir() and (path / "__init__.py").exists()


def scan(source: str, package: str = "grader") -> Found:
    """Every import (static or through __import__/import_module) and every pickle-based load."""
    tree = ast.parse(source)
    found = Found([], [])
    aliases: dict[str, str] = {}  # local name -> dotted module or object
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.imports.append((alias.name, node.lineno))
                local = alias.asname or alias.name.split(".")[0]
                aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, package)
            for alias in node.names:
                # "from grader import protocol" imports the submodule grader.protocol
                full = f"{module}.{alias.name}"
                target = full if module.split(".")[0] == "grader" and _is_package(module) else module
                found.imports.append((target, node.lineno))
                aliases[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func, aliases)
            if name in ("__import__", "importlib.import_module", "importlib.__import__"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(
                        node.args[0].value, str):
                    found.imports.append((node.args[0].value, node.lineno))
                else:
                    found.problems.append(f"line {node.lineno}: dynamic import of a computed name")
            if name in SAFE_LOADERS:
                keyword, safe = SAFE_LOADERS[name]
                given = {k.arg: k.value for k in node.keywords}
                value = given.get(keyword)
                if not (isinstance(value, ast.Constant) and value.value is safe):
                    found.problems.append(f"line {node.lineno}: {name}() without {keyword}={safe}")
            if name in UNPICKLING_CALLS:
                found.problems.append(f"line {node.lineno}: {name}() unpickles")
        elif isinstance(node, ast.Name) and node.id in PICKLERS:
            found.problems.append(f"line {node.lineno}: uses the name {node.id}")
    return found


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    head = aliases.get(node.id, node.id)
    return ".".join([head, *reversed(parts)])


def sandbox_import_allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "grader":
        return (module == "grader.protocol" or module == "grader.sandbox"
                or module.startswith("grader.sandbox."))
    return top in THIRD_PARTY or (top in sys.stdlib_module_names and top not in PICKLERS)


def pickle_free(found: Found) -> list[str]:
    bad = [f"line {line}: imports {module}" for module, line in found.imports
           if module.split(".")[0] in PICKLERS]
    return bad + found.problems


# --- the checkers themselves catch what they must -----------------------------------------------

@pytest.mark.parametrize(("source", "package", "allowed"), [
    ("import os, json\nfrom collections import abc", "grader.sandbox", True),
    ("import numpy as np\nimport torch.nn as nn\nfrom sklearn.preprocessing import X", "grader", True),
    ("import matplotlib.pyplot", "grader.sandbox", True),
    ("from grader import protocol", "grader.sandbox", True),
    ("from grader.sandbox import probes\nfrom . import convert", "grader.sandbox", True),
    ("from .convert import as_array", "grader.sandbox", True),
    ("from grader import rubric", "grader.sandbox", False),
    ("from grader.candidates import choose", "grader.sandbox", False),
    ("from .. import launcher", "grader.sandbox", False),
    ("from ..verdict import Verdict", "grader.sandbox", False),
    ("import grader.netmath", "grader.sandbox", False),
    ("import requests", "grader.sandbox", False),
    ("import scipy", "grader.sandbox", False),
    ("def f():\n    import pandas", "grader.sandbox", False),
    ("__import__('yaml')", "grader.sandbox", False),
    ("import importlib\nimportlib.import_module('grader.results')", "grader.sandbox", False),
])
def test_the_import_checker(source, package, allowed):
    found = scan(source, package)
    assert found.imports
    assert all(sandbox_import_allowed(m) for m, _ in found.imports) == allowed


@pytest.mark.parametrize(("source", "safe"), [
    ("import json\njson.load(f)", True),
    ("import numpy as np\nnp.load(f, allow_pickle=False)", True),
    ("import torch\ntorch.load(p, weights_only=True)", True),
    ("x = model.load(p)", True),
    ("import numpy as np\nnp.load(f)", False),
    ("import numpy\nnumpy.load(f, allow_pickle=True)", False),
    ("import numpy as np\nnp.lib.format.read_array(f)", False),
    ("from numpy import load as L\nL(f)", False),
    ("import torch as T\nT.load(p)", False),
    ("import torch\ntorch.load(p, weights_only=False)", False),
    ("from torch import load\nload(p, weights_only=flag)", False),
    ("import pickle", False),
    ("from dill import loads", False),
    ("def f():\n    import cloudpickle", False),
    ("import _pickle as p", False),
    ("__import__('pickle')", False),
    ("import importlib\nimportlib.import_module('dill')", False),
    ("x = pickle.loads(b)", False),
    ("import pandas as pd\npd.read_pickle(p)", False),
    ("from pandas import read_pickle\nread_pickle(p)", False),
])
def test_the_pickle_checker(source, safe):
    assert (pickle_free(scan(source)) == []) == safe


# --- the real source ---------------------------------------------------------------------------

def test_the_sandbox_file_list_is_complete():
    names = {p.name for p in SANDBOX_FILES}
    assert {"protocol.py", "__init__.py", "worker.py", "execute.py", "discovery.py", "convert.py",
            "probes.py", "__main__.py"} <= names


def test_the_scan_sees_the_real_imports():
    worker = PACKAGE / "sandbox" / "worker.py"
    imported = {m for m, _ in scan(worker.read_text(encoding="utf-8"), _package_of(worker)).imports}
    assert {"grader.protocol", "grader.sandbox.probes", "grader.sandbox.discovery",
            "grader.sandbox.execute", "os", "numpy", "torch"} <= imported


@pytest.mark.parametrize("path", SANDBOX_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sandbox_modules_import_only_what_the_sandbox_may(path):
    found = scan(path.read_text(encoding="utf-8"), _package_of(path))
    bad = [f"line {line}: {module}" for module, line in found.imports
           if not sandbox_import_allowed(module)]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports outside the sandbox boundary: {bad}"
    assert not any("dynamic import" in p for p in found.problems), found.problems


def test_the_package_init_imports_nothing():
    # every "import grader.protocol" in the sandbox runs grader/__init__.py first
    found = scan((PACKAGE / "__init__.py").read_text(encoding="utf-8"), "grader")
    assert [m for m, _ in found.imports if m != "__future__"] == []


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_in_the_grader_unpickles(path):
    found = scan(path.read_text(encoding="utf-8"), _package_of(path))
    assert pickle_free(found) == [], f"{path.relative_to(PACKAGE)}: {pickle_free(found)}"


def test_importing_the_sandbox_loads_no_trusted_module_and_no_heavy_library():
    """The same boundary at run time, in a fresh interpreter."""
    modules = [_module_name(p) for p in SANDBOX_FILES if p.name != "__main__.py"]
    code = ("import json, sys\n"
            + "".join(f"import {m}\n" for m in modules)
            + "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    loaded = set(json.loads(result.stdout))
    ours = {m for m in loaded if m == "grader" or m.startswith("grader.")}
    assert ours == {"grader", "grader.protocol", "grader.sandbox", *modules}
    # torch, matplotlib and scikit-learn are imported only when the student's code uses them
    # (pickle itself is not checked here: numpy imports it on its own)
    assert loaded & {"torch", "matplotlib", "sklearn", "dill", "cloudpickle"} == set()
