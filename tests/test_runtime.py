"""The sandbox's view of labgrade: its own runtime folder, labgrade's entries hidden.

The attack suite (``read_installation`` in tests/test_attacks.py) checks the result in every
start mode; these check the parts on their own, quickly.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.confine import carve
from grader.runtime import SANDBOX_SIDE, _recorded, hidden_paths, package_dir, runtime, sandbox_files

JUDGING = ["runners", "rubric.py", "references.py", "grading.py", "api.py", "netmath.py",
           "checks", "report", "rubrics"]


def test_the_runtime_holds_the_sandbox_side_and_nothing_else(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path))
    own = runtime()
    folder = Path(own.python) / "grader"
    sources = sorted(p.relative_to(folder) for p in folder.rglob("*.py"))
    assert sources == sandbox_files()
    assert {"sandbox/worker.py", "protocol.py", "zygote.py", "reaper.py"} <= {str(p) for p in sources}
    assert not any((folder / name).exists() for name in JUDGING)
    assert sorted(os.listdir(own.root)) == ["empty", "empty-file", "python", "stage"]
    assert os.listdir(own.python) == ["grader"] and os.listdir(own.empty_dir) == []
    assert list(folder.glob("sandbox/__pycache__/worker.*.pyc"))  # compiled: cold runs start fast
    assert runtime() == own  # built once, found again


def _grader_imports(path: Path) -> set[str]:
    package = ".".join(("grader", *path.relative_to(package_dir()).parent.parts))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "grader" or name.startswith("grader.")}


def _module_of(name: str) -> str:
    """The grader module that ``name`` (a module, or a name imported from one) lives in."""
    parts = name.split(".")[1:]
    while parts:
        path = package_dir().joinpath(*parts)
        if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
            return ".".join(("grader", *parts))
        parts = parts[:-1]
    return "grader"


def test_everything_the_sandbox_side_imports_of_the_grader_is_in_the_runtime() -> None:
    files = sandbox_files()
    modules = {".".join(("grader", *p.with_suffix("").parts)).removesuffix(".__init__")
               for p in files}
    for relative in files:
        missing = {_module_of(name) for name in _grader_imports(package_dir() / relative)} - modules
        assert not missing, f"grader/{relative} imports {missing}, not in SANDBOX_SIDE {SANDBOX_SIDE}"


def test_the_child_imports_its_side_and_cannot_import_the_rest(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path))
    # what the child sees: the editable install's finder is covered (cold) or forgotten (warm)
    code = ("import importlib, sys\n"
            "import grader.sandbox.worker, grader.zygote, grader.reaper, grader.hiding\n"
            "grader.zygote.forget_installed_finders()\n"
            "for name in ('grader.runners', 'grader.rubric', 'grader.api', 'grader.rubrics'):\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "        print('imported', name)\n"
            "    except ImportError:\n"
            "        pass\n"
            "print(sorted({m.__file__.split('/grader/')[0] for n, m in sys.modules.items()\n"
            "              if n.startswith('grader') and getattr(m, '__file__', None)}))\n")
    done = subprocess.run([sys.executable, "-s", "-P", "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=True,
                          env={**os.environ, "PYTHONPATH": runtime().python})
    assert "imported" not in done.stdout, done.stdout
    assert done.stdout.strip() == repr([runtime().python])


def test_an_editable_installs_finder_is_forgotten_by_the_warm_parent(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path))
    code = ("import importlib.util, sys\n"
            "from grader.zygote import forget_installed_finders\n"
            "forget_installed_finders()\n"
            "print(importlib.util.find_spec('reference'), importlib.util.find_spec('grader.runners'),\n"
            "      [p for p in sys.path if p.startswith('__editable__')])\n")
    done = subprocess.run([sys.executable, "-s", "-P", "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=True,
                          env={**os.environ, "PYTHONPATH": runtime().python})
    assert done.stdout.strip() == "None None []", done.stdout


def _fake_site(root: Path) -> Path:
    site = root / "lib" / "python3.11" / "site-packages"
    for folder in ("grader", "reference", "numpy", "__pycache__", "labgrade-0.1.0.dist-info"):
        (site / folder).mkdir(parents=True)
    for name in ("grader/__init__.py", "grader/runners.py", "reference/__init__.py",
                 "numpy/__init__.py", "__editable__.labgrade-0.1.0.pth", "six.py",
                 "__pycache__/__editable___labgrade_0_1_0_finder.cpython-311.pyc",
                 "__pycache__/six.cpython-311.pyc"):
        (site / name).write_text("x = 1\n")
    (site / "labgrade-0.1.0.dist-info" / "RECORD").write_text(
        "../../../bin/grader,sha256=x,1\ngrader/__init__.py,,\ngrader/runners.py,,\n"
        "reference/__init__.py,,\n__editable__.labgrade-0.1.0.pth,,\n"
        "__pycache__/__editable___labgrade_0_1_0_finder.cpython-311.pyc,,\n"
        "labgrade-0.1.0.dist-info/RECORD,,\n")
    return site


def test_labgrades_entries_are_found_from_its_record(tmp_path) -> None:
    site = _fake_site(tmp_path)
    expected = {str(site / name) for name in (
        "grader", "reference", "labgrade-0.1.0.dist-info", "__editable__.labgrade-0.1.0.pth",
        "__pycache__/__editable___labgrade_0_1_0_finder.cpython-311.pyc")}
    assert _recorded(str(site)) >= expected
    assert set(hidden_paths((str(tmp_path),))) == expected  # outermost only, nothing else


def test_landlock_rules_carve_the_hidden_entries_out(tmp_path) -> None:
    site = _fake_site(tmp_path)
    (tmp_path / "bin").mkdir()
    hidden = hidden_paths((str(tmp_path),))
    readable, listed = carve([str(tmp_path), "/usr"], hidden)
    assert "/usr" in readable and str(tmp_path / "bin") in readable
    assert str(site / "numpy") in readable and str(site / "six.py") in readable
    assert str(site / "__pycache__" / "six.cpython-311.pyc") in readable
    assert set(listed) == {str(tmp_path), str(tmp_path / "lib"), str(tmp_path / "lib" / "python3.11"),
                           str(site), str(site / "__pycache__")}
    granted = readable + listed
    assert not any(p == h or p.startswith(h + "/") for p in granted for h in hidden)
    assert carve(["/usr"], hidden) == (["/usr"], [])  # nothing hidden inside: one rule


def test_the_sandbox_sees_the_lab_libraries_and_what_they_need_and_no_other_distribution() -> None:
    import sysconfig

    from grader.student_view import lab_closure, outside_the_lab

    site = os.path.realpath(sysconfig.get_paths()["purelib"])
    closure = lab_closure(site)
    assert {"numpy", "torch", "scikit-learn", "matplotlib", "scipy", "threadpoolctl"} <= set(closure)
    assert {"tqdm", "pandas", "seaborn", "ipython", "traitlets"} <= set(closure)  # the toolbox
    assert not {"click", "nbformat", "pytest", "labgrade"} & set(closure)  # the grader's own
    hidden = {os.path.basename(p) for p in outside_the_lab(site)}
    assert {"click", "nbformat", "_pytest"} <= hidden
    assert not {"numpy", "torch", "sklearn", "matplotlib", "scipy", "PIL"} & hidden
    assert outside_the_lab(os.path.dirname(os.__file__)) == set()  # the standard library
    assert {os.path.join(site, "click"), os.path.join(site, "nbformat")} <= set(
        hidden_paths((os.path.dirname(os.path.dirname(os.path.dirname(site))),)))


def test_a_record_without_metadata_is_no_distribution_even_with_the_backports_finder(tmp_path) -> None:
    importlib_metadata = pytest.importorskip("importlib_metadata")  # installs its finder on import
    assert importlib_metadata.MetadataPathFinder in sys.meta_path or any(
        type(f).__name__ == "MetadataPathFinder" for f in sys.meta_path)
    site = _fake_site(tmp_path)  # labgrade-0.1.0.dist-info holds a RECORD and no METADATA
    from grader.student_view import lab_closure
    assert lab_closure(str(site)) == {}
