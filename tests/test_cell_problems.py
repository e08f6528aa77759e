"""grader.cell_problems: plain words for code that cannot run here (Python 2, modules, data files).

The table runs each snippet through the sandbox's own ``run_cells`` (in this process, in a
scratch folder) so ``explain`` sees exactly the record a real run produces; the end-to-end
test grades small submissions through ``grade_paths``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest
from markupsafe import escape

from grader.api import grade_paths
from grader.cell_problems import LAB_ENVIRONMENT, explain
from grader.checks.execution import check_cells_ran
from grader.loading import script_cells
from grader.messages import run_line
from grader.report.export import gradescope_result
from grader.rubric import load_rubric
from grader.sandbox import execute

NB = ["lab.ipynb"]


def record(*sources: str, unit: str = "lab.ipynb", first_line: int = 1) -> tuple[dict, str]:
    """The sandbox's report of the last cell (starting on ``first_line``), and its source."""
    cells = [{"number": i, "source": textwrap.dedent(s)} for i, s in enumerate(sources, start=1)]
    cells[-1]["first_line"] = first_line
    messages: list[dict] = []
    execute.run_cells(unit, cells, execute.fresh_namespace(unit), messages.append,
                      execute.FigureCapture(messages.append))
    report = [m for m in messages if m["type"] == "cell"][-1]
    assert report["status"] == "error", report
    return report, cells[-1]["source"]


def hint_of(*sources: str, files: list[str] = NB, unit: str = "lab.ipynb") -> str | None:
    report, source = record(*sources, unit=unit)
    return explain(report["error"], report["traceback"], source, files, line=report["line"])


PY2 = "written for Python 2: "
MISSING_TF = ("uses the module 'tensorflow', which is not installed where the grader runs "
              f"(the lab's environment has {LAB_ENVIRONMENT})")
ROWS = [
    # --- Python 2 syntax -------------------------------------------------------------------
    ("print", ['x = 1\nprint "loss", x\n'],
     NB, PY2 + "print statement at line 2 (Python 3 needs print(...))"),
    ("print-chevron", ['import sys\nprint >>sys.stderr, "x"\n'],
     NB, PY2 + "'print >>f, ...' at line 2 (Python 3 needs print(..., file=f))"),
    ("except-comma", ['try:\n    x = int("a")\nexcept ValueError, e:\n    pass\n'],
     NB, PY2 + "'except X, e:' at line 3 (Python 3 needs 'except X as e:')"),
    ("backticks", ["x = 1\ns = `x`\n"], NB, PY2 + "backticks at line 2 (Python 3 needs repr(...))"),
    ("exec", ['exec "y = 1"\n'], NB, PY2 + "exec statement at line 1 (Python 3 needs exec(...))"),
    ("octal", ["import os\nmode = 0777\n"],
     NB, PY2 + "octal number 0777 at line 2 (Python 3 writes 0o777)"),
    ("ur-string", ['import re\npattern = ur"\\d+"\n'],
     NB, PY2 + "string prefix ur at line 2 (Python 3 has r'...')"),
    ("not-equal", ["if 1 <> 2:\n    pass\n"], NB, PY2 + "operator <> at line 1 (Python 3 needs !=)"),
    ("long", ["n = 10L\n"], NB, PY2 + "long number 10L at line 1 (Python 3 writes 10)"),
    ("raise-comma", ['raise ValueError, "bad"\n'],
     NB, PY2 + "'raise E, message' at line 1 (Python 3 needs raise E(message))"),
    ("tuple-parameter", ["def f((a, b)):\n    return a\n"], NB, PY2 + "tuple parameter at line 1"),
    ("several", ['for i in xrange(2):\n    print i\nprint "done"\nd = {}\nprint d.has_key(1)\n'],
     NB, PY2 + "xrange at line 1 (Python 3 has range), also print statement at lines 2, 3 and 5"),
    # --- Python 2 at run time --------------------------------------------------------------
    ("xrange", ["total = 0\nfor i in xrange(3):\n    total += i\n"],
     NB, PY2 + "xrange at line 2 (Python 3 has range)"),
    ("raw_input", ["n = int(raw_input('epochs? '))\n"], NB, PY2 + "raw_input at line 1 (Python 3 has input()"),
    ("unicode", ["s = unicode('a')\n"], NB, PY2 + "unicode at line 1 (Python 3 has str)"),
    ("basestring", ["ok = isinstance('a', basestring)\n"], NB, PY2 + "basestring at line 1 (Python 3 has str)"),
    ("has_key", ["d = {}\nif d.has_key('a'):\n    pass\n"],
     NB, PY2 + "dict.has_key() at line 2 (Python 3 has 'key in d')"),
    ("iteritems", ["d = {'a': 1}\nfor k, v in d.iteritems():\n    pass\n"],
     NB, PY2 + "dict.iteritems() at line 2 (Python 3 has .items())"),
    ("string.letters", ["import string\nabc = string.letters\n"],
     NB, PY2 + "string.letters at line 2 (Python 3 has string.ascii_letters)"),
    ("sys.maxint", ["import sys\nbig = sys.maxint\n"], NB, PY2 + "sys.maxint at line 2 (Python 3 has sys.maxsize)"),
    ("next-method", ["it = iter([1, 2])\nfirst = it.next()\n"], NB, PY2 + ".next() at line 2"),
    ("keys-index", ["d = {'a': 1}\nfirst = d.keys()[0]\n"], NB, PY2 + "indexing dict.keys() at line 2"),
    ("sort-cmp", ["xs = sorted([2, 1], cmp=lambda a, b: a - b)\n"], NB, PY2 + "sort(cmp=...) at line 1"),
    ("cPickle", ["import cPickle\n"], NB, PY2 + "the module cPickle at line 1 (Python 3 has pickle)"),
    ("other-cell", ["def train():\n    for i in xrange(2):\n        pass\n", "train()\n"],
     NB, PY2 + "xrange at line 2 of cell 1 (Python 3 has range)"),
    # --- modules ----------------------------------------------------------------------------
    ("tensorflow", ["import numpy as np\nimport tensorflow as tf\n"], NB, MISSING_TF),
    ("torchvision", ["from torchvision import datasets\n"],
     NB, "uses the module 'torchvision' (a companion package of torch, installed separately), "
         "which is not installed where the grader runs"),
    ("old-sklearn", ["from sklearn.cross_validation import train_test_split\n"],
     NB, "uses the module 'sklearn.cross_validation', which the installed scikit-learn no longer "
         "has (it is now sklearn.model_selection)"),
    ("colab", ["from google.colab import drive\n"], NB, "uses Google Colab ('google.colab')"),
    ("own-module-elsewhere", ["import helpers_of_alice\n"], ["lab.ipynb", "src/helpers_of_alice.py"],
     "imports its own module 'helpers_of_alice' from src/helpers_of_alice.py"),
    ("own-module-at-top", ["import helpers_of_bob\n"], ["lab.ipynb", "helpers_of_bob.py"],
     "a problem of the grader's, not of the code"),
    ("unknown-module", ["import mylib_xyz\n"], NB, "if it is your own module, hand in mylib_xyz.py "
                                                     "beside the notebook"),
    ("cannot-import-name", ["from numpy import no_such_function\n"],
     NB, "imports 'no_such_function' from numpy, which the installed numpy does not have"),
    # --- data files -------------------------------------------------------------------------
    ("open-missing", ["f = open('data/xor.csv')\n"],
     NB, "reads the data file 'data/xor.csv', which is not in the submission: hand it in beside "
         "the notebook, or build the data in the code"),
    ("loadtxt-missing", ["import numpy as np\nX = np.loadtxt('data/xor.csv', delimiter=',')\n"],
     NB, "reads the data file 'data/xor.csv', which is not in the submission"),
    ("windows-absolute", ["f = open('C:\\\\Users\\\\alice\\\\lab\\\\xor.csv')\n"], ["lab.ipynb", "xor.csv"],
     "reads 'C:\\Users\\alice\\lab\\xor.csv', a path on the student's own computer: the submission "
     "has that file as 'xor.csv', so open it as 'xor.csv'"),
    ("home-absolute", ["import numpy as np\nX = np.load('/home/alice/moons.npy')\n"], NB,
     "reads the data file '/home/alice/moons.npy', a path on the student's own computer, which is "
     "not in the submission: hand it in beside the notebook and open it as 'moons.npy'"),
    ("colab-path", ["f = open('/content/drive/MyDrive/xor.csv')\n"], NB, "a path in Google Colab"),
    ("other-folder", ["f = open('data/xor.csv')\n"], ["lab.ipynb", "xor.csv"],
     "reads 'data/xor.csv', but the submission has that file at 'xor.csv'"),
    ("backslashes", ["f = open('data\\\\xor.csv')\n"], ["lab.ipynb", "data/xor.csv"],
     "reads 'data\\xor.csv' with Windows backslashes: write 'data/xor.csv'"),
    ("case", ["f = open('XOR.csv')\n"], ["lab.ipynb", "xor.csv"], "file names are case-sensitive"),
    ("write-folder", ["f = open('out/log.txt', 'w')\n"], NB,
     "writes 'out/log.txt', but its folder 'out' does not exist where the grader runs: create it "
     "first with os.makedirs('out', exist_ok=True)"),
    ("colab-folder", ["import os\nos.chdir('/content/drive/MyDrive/lab')\n"], NB,
     "opens the folder '/content/drive/MyDrive/lab', a path in Google Colab, which is not in the "
     "submission"),
    # --- other -----------------------------------------------------------------------------
    ("tabs", ["if 1:\n        x = 1\n\ty = 2\n"], NB, "indents line 3 with a mix of tabs and spaces"),
]
NOTHING = [
    ("name-error", ["y = undefined_name + 1\n"]),
    ("zero-division", ["x = 1 / 0\n"]),
    ("plain-syntax-error", ["x = (1,\n"]),
    ("variable-called-file", ["n = len(file)\n"]),
    ("file-removed", ["import os\nos.remove('gone.txt')\n"]),
    ("folder-handed-in", ["import os\nos.listdir('data')\n"]),
]


@pytest.fixture(autouse=True)
def _scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths resolve in an empty folder, as in a run


@pytest.mark.parametrize(("sources", "files", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_explain_names_the_problem_and_its_line(sources: list[str], files: list[str], expected: str) -> None:
    hint = hint_of(*sources, files=files)
    assert hint is not None and expected in hint, hint
    assert not hint.endswith(".")


@pytest.mark.parametrize("sources", [r[1] for r in NOTHING], ids=[r[0] for r in NOTHING])
def test_explain_has_nothing_to_add_to_ordinary_errors(sources: list[str]) -> None:
    assert hint_of(*sources, files=["lab.ipynb", "data/xor.csv"]) is None


def test_a_refused_cell_or_a_missing_record_gets_no_hint() -> None:
    assert explain("the IPython magic %time is not run by the grader; remove it", None, "%time x",
                   NB) is None
    assert explain(None, None, "", NB) is None
    assert explain("did not run: the run timed out", None, "x = 1", NB) is None


def test_network_and_pandas_style_messages() -> None:
    url = "urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>"
    assert "downloads from the internet" in explain(url, None, "fetch()", NB)
    pandas = "FileNotFoundError: [Errno 2] No such file or directory: 'moons.csv'"
    tb = ('  File "<lab.ipynb cell 2>", line 1, in <module>\n    df = pd.read_csv("moons.csv")\n'
          "FileNotFoundError: [Errno 2] No such file or directory: 'moons.csv'\n")
    assert explain(pandas, tb, 'df = pd.read_csv("moons.csv")\n', NB, line=1) == (
        "reads the data file 'moons.csv', which is not in the submission: hand it in beside the "
        "notebook, or build the data in the code")


def test_a_python2_module_it_imports_is_named_with_its_own_line() -> None:
    error = "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?"
    tb = ('  File "<lab.ipynb cell 1>", line 2, in <module>\n    import helpers\n'
          '  File "<frozen importlib._bootstrap>", line 1176, in _find_and_load\n'
          '  File "/tmp/run/helpers.py", line 3\n    print "hi"\n    ^^^^^^^^^^\n' + error + "\n")
    assert explain(error, tb, "import os\nimport helpers\n", ["lab.ipynb", "helpers.py"], line=2) == (
        PY2 + "print statement at line 3 of helpers.py (Python 3 needs print(...))")


PY2_SCRIPT = '''\
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0])
for i in xrange(3):
    pass
print "loss", 0.5
print "done"
'''


def test_a_whole_python2_script_is_one_cell_named_at_its_first_python2_line(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(PY2_SCRIPT)
    cells = script_cells(path)
    assert len(cells) == 1  # it cannot be split into statements
    report, source = record(cells[0].source, unit="train.py")
    assert report["line"] == 7  # the SyntaxError's true line in the file
    hint = explain(report["error"], report["traceback"], source, ["train.py"], line=report["line"])
    assert hint == (PY2 + "xrange at line 5 (Python 3 has range), also print statement at lines 7 and 8")


def test_lines_of_a_split_script_are_lines_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text("import numpy as np\n\nx = 1\nfor i in xrange(3):\n    x += i\n")
    cell = script_cells(path)[-1]
    report, source = record(cell.source, unit="train.py", first_line=cell.first_line)
    assert report["line"] == 4
    assert explain(report["error"], report["traceback"], source, ["train.py"], line=report["line"],
                   first_line=cell.first_line) == PY2 + "xrange at line 4 (Python 3 has range)"
    path.write_text("import os\nopen('data/xor.csv')\n")
    cell = script_cells(path)[-1]
    report, source = record(cell.source, unit="train.py", first_line=cell.first_line)
    assert "hand it in beside the script" in explain(report["error"], report["traceback"], source,
                                                     ["train.py"], line=report["line"],
                                                     first_line=cell.first_line)


def test_the_runs_check_adds_the_hint_after_the_error_it_explains() -> None:
    cells = [{"index": 1, "status": "ok", "error": None, "line": None},
             {"index": 2, "status": "error", "error": "ModuleNotFoundError: No module named 'jax'",
              "line": 1, "hint": "uses the module 'jax', which is not installed"},
             {"index": 3, "status": "error", "error": "NameError: name 'jnp' is not defined",
              "line": 2, "hint": None}]
    verdict = check_cells_ran(cells)
    assert ("cell 2 (line 1): ModuleNotFoundError: No module named 'jax' — uses the module 'jax', "
            "which is not installed; cell 3 (line 2): NameError: name 'jnp' is not defined.") in verdict.message
    assert [c["hint"] for c in verdict.details["failed_cells"]] == [
        "uses the module 'jax', which is not installed", None]


# --- end to end -------------------------------------------------------------------------------

def _notebook(path: Path, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    import os

    os.environ.setdefault("LABGRADE_CACHE", str(tmp_path_factory.mktemp("reference-cache")))
    root = tmp_path_factory.mktemp("submissions")
    (root / "py2").mkdir()
    (root / "py2" / "train.py").write_text(PY2_SCRIPT)
    _notebook(root / "tf" / "lab.ipynb", "import numpy as np\nX = np.zeros((4, 2))",
              "import tensorflow as tf\nmodel = tf.keras.Sequential()")
    _notebook(root / "csv" / "lab.ipynb", "import numpy as np",
              "data = np.loadtxt('data/xor.csv', delimiter=',')\nX, y = data[:, :2], data[:, 2]")
    out = tmp_path_factory.mktemp("results")
    rubric = load_rubric("lab6")
    results = {}
    for path, result in grade_paths([root / n for n in ("py2", "tf", "csv")], rubric, out):
        results[path.name] = json.loads((out / path.name / "result.json").read_text())
        results[path.name]["report.html"] = (out / path.name / "report.html").read_text()
        results[path.name]["run_line"] = run_line(result, None)
    return results


def _runs_message(data: dict) -> str:
    return next(c["message"] for t in data["tasks"] for c in t["checks"] if c["kind"] == "cells_ran")


@pytest.mark.parametrize(("name", "hint", "where"), [
    ("py2", PY2 + "xrange at line 5 (Python 3 has range), also print statement at lines 7 and 8",
     "line 7 of train.py: SyntaxError: Missing parentheses in call to 'print'"),
    ("tf", "uses the module 'tensorflow', which is not installed where the grader runs",
     "cell 2 (line 1): ModuleNotFoundError: No module named 'tensorflow' — uses the module"),
    ("csv", "reads the data file 'data/xor.csv', which is not in the submission: hand it in "
            "beside the notebook, or build the data in the code",
     "cell 2 (line 1): FileNotFoundError: data/xor.csv not found. — reads the data file"),
])
def test_graded_result_says_why_the_cell_cannot_run(graded: dict, name: str, hint: str, where: str) -> None:
    data = graded[name]
    assert data["status"] == "graded"
    failed = [c for c in data["cells"] if c["status"] != "ok"]
    assert len(failed) == 1 and failed[0]["hint"].startswith(hint), failed
    assert all(c["hint"] is None for c in data["cells"] if c["status"] == "ok")
    message = _runs_message(data)
    assert where in message and hint in message, message
    sentence = failed[0]["hint"]
    assert f'<p class="hint">{escape(sentence[0].upper() + sentence[1:])}.</p>' in data["report.html"]
    assert sentence in data["run_line"]  # grader run's line on the terminal
    assert sentence in gradescope_result(data)["output"]
