"""Hostile: looks for the grader's judging code and the reference solutions.

It imports them, opens their files by every path it can think of (the host paths the test
gives, each folder on sys.path, the site folders, next to the grader modules it runs with)
and lists the site folders and labgrade's entries there, printing all it reached.
tests/test_attacks.py grades a copy with HOST_FILES set to the files' real host paths.
"""
import glob, importlib, os, site, sys, sysconfig
HOST_FILES = []  # set by tests/test_attacks.py
MODULES = ["reference", "reference.moons", "reference.linesearch", "grader.runners",
           "grader.rubric", "grader.references", "grader.api", "grader.rubrics"]
for name in MODULES:
    try:
        module = importlib.import_module(name)
        path = list(getattr(module, "__path__", []) or [])
        print(f"IMPORT {name}: ok file={getattr(module, '__file__', None)} path={path} "
              f"holds={[sorted(os.listdir(p)) for p in path if os.path.isdir(p)]}")
    except Exception as exc:
        print(f"IMPORT {name}: failed {type(exc).__name__}: {str(exc)[:100]}")
folders = [p for p in sys.path if p and os.path.isdir(p)]
folders += [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
try:
    folders += site.getsitepackages()
except Exception:
    pass
folders = list(dict.fromkeys(os.path.realpath(p) for p in folders))
candidates = list(HOST_FILES)
for folder in folders:
    for relative in ("reference/moons.py", "reference/__init__.py", "grader/grading.py",
                     "grader/rubric.py", "grader/rubrics/lab6.toml", "../grading.py"):
        candidates.append(os.path.join(folder, relative))
    candidates += glob.glob(os.path.join(folder, "__editable__*labgrade*"))
    candidates += glob.glob(os.path.join(folder, "labgrade-*.dist-info", "*"))
try:
    import grader
    here = os.path.dirname(grader.__file__)
    candidates += [os.path.join(here, "grading.py"), os.path.join(here, "rubrics", "lab6.toml"),
                   os.path.join(here, "..", "reference", "moons.py")]
except Exception as exc:
    print("no grader package", exc)
for path in dict.fromkeys(candidates):
    try:
        with open(path, "rb") as handle:
            data = handle.read(4000)
        print(f"READ {path} => OK {len(data)} bytes: {data[:300]!r}")
    except OSError as exc:
        print(f"READ {path} => DENIED {type(exc).__name__}")
for folder in folders:
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        print(f"LIST {folder} => DENIED {type(exc).__name__}")
        continue
    ours = [n for n in names if "labgrade" in n or n in ("reference", "grader", "rubrics")]
    print(f"LIST {folder} => {len(names)} entries, ours: {ours}")
    for name in ours:
        inner = os.path.join(folder, name)
        try:
            print(f"LIST {inner} => {sorted(os.listdir(inner)) if os.path.isdir(inner) else 'file'}")
        except OSError as exc:
            print(f"LIST {inner} => DENIED {type(exc).__name__}")
print("INSTALLATION done", flush=True)
