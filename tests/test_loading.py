"""Reading submissions: IPython magics, script splitting, notebook cells and unreadable files."""

from __future__ import annotations

import hashlib
import os
import traceback
from pathlib import Path

import nbformat
import pytest

from grader import loading
from grader.loading import SubmissionError, load_submission, notebook_cells, script_cells
from grader.loading import transform_magics
from grader.sandbox.instrument import compile_cell


def _compiled(cell, filename: str):
    """A cell compiled as the sandbox compiles it: its lines counted from its first line."""
    return compile_cell(cell.source, filename, None, cell.number, cell.first_line)

# --- transform_magics ----------------------------------------------------------------------------

# (source, expected python source or None when refused, words the refusal must contain, notes)
MAGIC_CASES = [
    ("%matplotlib inline\nx = 1\n", "pass\nx = 1\n", None, []),
    ("%config InlineBackend.figure_format = 'retina'\n", "pass\n", None, []),
    ("%load_ext autoreload\n%autoreload 2\ny = 2", "pass\npass\ny = 2", None, []),
    ("!pip install torch\nimport os\n", "pass\nimport os\n", None,
     ["shell command not executed: !pip install torch"]),
    ("%pip install scikit-learn\n", "pass\n", None,
     ["package installation not executed: %pip install scikit-learn"]),
    ("!ls -la\n%conda install numpy\n", "pass\npass\n", None,
     ["shell command not executed: !ls -la", "package installation not executed: %conda install numpy"]),
    ("for i in range(2):\n    %matplotlib inline\n    !echo hi\n    x = i\n",
     "for i in range(2):\n    pass\n    pass\n    x = i\n", None,
     ["shell command not executed: !echo hi"]),
    ("x = 7 % 3\ny = x != 2\nz = f'{x!r}'\n", "x = 7 % 3\ny = x != 2\nz = f'{x!r}'\n", None, []),
    ("ok = (x\n      != y)\n", "ok = (x\n      != y)\n", None, []),
    ("%time x = 1\n", None, "%time", []),
    ("%%timeit\nx = 1\n", None, "%%timeit", []),
    ("%%capture out\nprint(1)\n", None, "%%capture", []),
    ("%%matplotlib inline\n", None, "%%matplotlib", []),
    ("x = 1\n%run other.py\n", None, "%run", []),
    ("if True:\n    %timeit f()\n", None, "%timeit", []),
    ("x = !ls\n", None, "= !", []),
    ("files, more = !ls -la\n", None, "= !", []),
]


@pytest.mark.parametrize(("source", "expected", "refusal", "notes"), MAGIC_CASES,
                         ids=[c[0].splitlines()[0][:30] for c in MAGIC_CASES])
def test_transform_magics(source, expected, refusal, notes):
    python, refused, found_notes = transform_magics(source)
    if expected is None:
        assert refused is not None and refusal in refused
        assert "not run by the grader" in refused
        assert python == source  # a refused cell is left as it was, to be shown, not run
    else:
        assert refused is None
        assert python == expected
        assert len(python.splitlines()) == len(source.splitlines())  # line numbers stay true
        compile(python, "<cell>", "exec")
    assert found_notes == notes


def test_refusal_names_the_magic_and_says_what_to_do():
    _, refused, _ = transform_magics("a = 1\n%time a += 1\n")
    assert refused == ("the IPython magic %time is not run by the grader; remove it so this cell "
                       "runs as plain Python")


STRING_CASES = [
    # (source, expected python source, notes): % and ! lines inside strings are text
    ('doc = """\n%matplotlib inline\n!rm -rf data\n%time x\n"""\n%matplotlib inline\n',
     'doc = """\n%matplotlib inline\n!rm -rf data\n%time x\n"""\npass\n', []),
    ("def f():\n    r\'\'\'Usage:\n    !pip install x\n    \'\'\'\n    return 1\n!ls\n",
     "def f():\n    r\'\'\'Usage:\n    !pip install x\n    \'\'\'\n    return 1\npass\n",
     ["shell command not executed: !ls"]),
    # a closing quote escaped inside the string does not end it; one in a comment opens nothing
    ('s = """a \\""" b\n%run x\n"""  # it\'s\n!echo done\n',
     's = """a \\""" b\n%run x\n"""  # it\'s\npass\n', ["shell command not executed: !echo done"]),
    # a one-line string continued by a backslash, a bracket and a backslash continuation
    ("s = 'a\\\n%run x'\nt = (1,\n%2)\nu = 1 + \\\n%3\n", "s = 'a\\\n%run x'\nt = (1,\n%2)\nu = 1 + \\\n%3\n", []),
    # shell text is not Python: its quote does not open a string
    ("!echo don't\n%matplotlib inline\n", "pass\npass\n", ["shell command not executed: !echo don't"]),
    # a one-line string left open is an error on its line only
    ("s = 'open\n%matplotlib inline\n", "s = 'open\npass\n", []),
]


@pytest.mark.parametrize(("source", "expected", "notes"), STRING_CASES,
                         ids=[c[0].splitlines()[0][:30] for c in STRING_CASES])
def test_magic_like_lines_inside_strings_are_left_alone(source, expected, notes):
    python, refused, found_notes = transform_magics(source)
    assert refused is None and found_notes == notes
    assert python == expected
    assert len(python.splitlines()) == len(source.splitlines())


def test_the_string_inside_a_cell_runs_with_its_text_intact():
    source = 'doc = """\n%matplotlib inline\n!pip install torch\n"""\n%matplotlib inline\nn = 1\n'
    python, refused, _ = transform_magics(source)
    namespace: dict = {}
    exec(compile(python, "<cell>", "exec"), namespace)  # noqa: S102
    assert namespace["doc"] == "\n%matplotlib inline\n!pip install torch\n" and namespace["n"] == 1


@pytest.mark.parametrize("source", [
    's = """never closed\n%time x\n',  # ends inside a triple-quoted string
    "f(1,\n%time x\n",  # ends inside brackets
])
def test_a_cell_that_does_not_tokenize_is_handled_as_before(source):
    assert loading.continued_lines(source.splitlines()) == set()
    python, refused, _ = transform_magics(source)
    assert python == source and "%time" in refused


def test_script_with_a_docstring_keeps_true_line_numbers(tmp_path):
    script = tmp_path / "lab.py"
    script.write_text('"""Lab 6.\n\n!pip install torch first\n"""\n%matplotlib inline\nx = 1\nraise ValueError(x)\n')
    cells = script_cells(script)
    assert [c.first_line for c in cells] == [1, 5, 6, 7]
    assert "!pip install torch first" in cells[0].source and cells[0].notes == ()
    with pytest.raises(ValueError) as caught:
        exec(_compiled(cells[-1], "lab.py"), {"x": 1})  # noqa: S102
    assert traceback.extract_tb(caught.value.__traceback__)[-1].lineno == 7


# --- script_cells --------------------------------------------------------------------------------

SCRIPT = """\
import math

# a comment between statements
x = 1
y = (x +
     2)
a = 1; b = 2

def deco(fn):
    return fn

@deco
def broken(v):
    return v / 0

z = broken(3)
w = math.sqrt(4)
"""


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_script_cells_split_top_level_statements_on_their_true_lines(tmp_path):
    cells = script_cells(_write(tmp_path / "work.py", SCRIPT))
    starts = [c.first_line for c in cells]
    assert starts == [1, 4, 5, 7, 9, 12, 16, 17]
    assert [c.number for c in cells] == starts  # script cells are named by their first line
    lines = SCRIPT.splitlines(True)
    by_start = {c.first_line: c for c in cells}
    assert by_start[5].source == "".join(lines[4:6])  # a two-line statement, its lines only
    assert by_start[7].source.strip() == "a = 1; b = 2"  # statements sharing a line run together
    assert by_start[12].source.startswith("@deco\ndef broken")  # decorator included
    for cell in cells:
        assert cell.source == "".join(lines[cell.first_line - 1:][:cell.source.count("\n")])
        assert cell.refused is None and cell.notes == ()
        _compiled(cell, "work.py")


def test_a_failing_statement_reports_the_scripts_real_line(tmp_path):
    cells = script_cells(_write(tmp_path / "work.py", SCRIPT))
    namespace: dict = {"__name__": "__main__"}
    failures = []
    for cell in cells:
        try:
            exec(_compiled(cell, "work.py"), namespace)  # noqa: S102
        except ZeroDivisionError as exc:
            failures.append([(f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)])
    # one failure: the call on line 16, inside broken() on line 14; later cells still ran
    assert len(failures) == 1
    assert failures[0][-2:] == [("work.py", 16), ("work.py", 14)]
    assert namespace["w"] == 2.0 and "z" not in namespace
    assert namespace["a"] == 1 and namespace["b"] == 2 and namespace["y"] == 3


def test_a_script_with_a_syntax_error_is_one_cell_that_reports_the_line(tmp_path):
    text = "x = 1\nprint(x)\ny = (\nz = 2\n"
    cells = script_cells(_write(tmp_path / "bad.py", text))
    assert len(cells) == 1
    assert cells[0].number == 1 and cells[0].first_line == 1 and cells[0].source == text
    with pytest.raises(SyntaxError) as info:
        compile(cells[0].source, "bad.py", "exec")
    assert info.value.lineno == 3


def test_script_magics_become_notes_or_a_refusal(tmp_path):
    cells = script_cells(_write(tmp_path / "s.py", "!pip install torch\nimport os\nx = 1\n"))
    assert [c.first_line for c in cells] == [1, 2, 3]
    assert cells[0].source == "pass\n" and cells[0].notes == ("shell command not executed: "
                                                              "!pip install torch",)
    assert all(c.notes == () for c in cells[1:])

    refused = script_cells(_write(tmp_path / "t.py", "x = 1\n%time y = 2\n"))
    assert len(refused) == 1 and "%time" in refused[0].refused


# --- notebook_cells ------------------------------------------------------------------------------

def _notebook(path: Path, cells: list) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, str(path))
    return path


def test_notebook_cells_number_code_cells_from_one_skipping_markdown(tmp_path):
    v4 = nbformat.v4
    path = _notebook(tmp_path / "lab.ipynb", [
        v4.new_markdown_cell("# Lab 6\n%matplotlib is mentioned here"),
        v4.new_code_cell("import numpy as np\na = 1"),
        v4.new_markdown_cell("Some text"),
        v4.new_raw_cell("raw = 1"),
        v4.new_code_cell("%matplotlib inline\nb = a + 1"),
        v4.new_code_cell("%%timeit\nc = 3"),
        v4.new_code_cell("!pip install torch"),
    ])
    cells = notebook_cells(path)
    assert [c.number for c in cells] == [1, 2, 3, 4]
    assert [c.first_line for c in cells] == [1, 1, 1, 1]
    assert cells[0].source == "import numpy as np\na = 1" and cells[0].refused is None
    assert cells[1].source == "pass\nb = a + 1" and cells[1].refused is None
    assert "%%timeit" in cells[2].refused and cells[2].source == "%%timeit\nc = 3"
    assert cells[3].source == "pass" and cells[3].notes == ("shell command not executed: "
                                                            "!pip install torch",)


def test_an_empty_notebook_has_no_cells(tmp_path):
    assert notebook_cells(_notebook(tmp_path / "e.ipynb", [])) == []


# --- load_submission -----------------------------------------------------------------------------

def test_load_submission_records_unreadable_files_and_keeps_the_rest(tmp_path, monkeypatch):
    folder = tmp_path / "alice"
    folder.mkdir()
    good = _notebook(folder / "good.ipynb", [nbformat.v4.new_code_cell("x = 1")])
    _write(folder / "broken.ipynb", '{"cells": [ this is not json')
    latin_nb = _write(folder / "latin.ipynb", b'{"cells": [], "note": "caf\xe9"}').read_bytes()
    latin_py = _write(folder / "latin.py", b"x = 'caf\xe9'\n").read_bytes()
    _write(folder / "train.py", "y = 2\n")
    sub = load_submission(folder)
    assert sub.name == "alice" and sub.root == folder
    assert sorted(u.name for u in sub.units) == ["good.ipynb", "train.py"]
    assert {u.name: u.kind for u in sub.units} == {"good.ipynb": "notebook", "train.py": "script"}
    problems = sorted(sub.problems)
    assert len(problems) == 3
    assert problems[0].startswith("broken.ipynb: the notebook cannot be read")
    assert problems[1] == ("latin.ipynb: the notebook is not UTF-8 text "
                           f"(byte {latin_nb.index(0xE9)})")
    assert problems[2] == f"latin.py: the script is not UTF-8 text (byte {latin_py.index(0xE9)})"

    monkeypatch.setattr(loading, "MAX_NOTEBOOK_BYTES", good.stat().st_size - 1)
    sub = load_submission(folder)
    assert "good.ipynb" not in [u.name for u in sub.units]
    oversize = [p for p in sub.problems if p.startswith("good.ipynb:")]
    assert len(oversize) == 1 and "the limit is" in oversize[0]


def test_files_carry_their_sha256_and_size(tmp_path):
    folder = tmp_path / "bob"
    (folder / "sub").mkdir(parents=True)
    contents = {"main.py": b"print('hi')\n", "sub/data.csv": b"a,b\n1,2\n",
                "sub/notes.txt": bytes(range(256))}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    sub = load_submission(folder)
    assert {f.path: (f.sha256, f.size) for f in sub.files} == {
        name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in contents.items()}
    assert [u.name for u in sub.units] == ["main.py"]


def test_a_single_file_submission(tmp_path):
    path = _write(tmp_path / "carol_lab6.py", "x = 1\ny = 2\n")
    sub = load_submission(path)
    assert sub.name == "carol_lab6" and sub.root == tmp_path
    assert [f.path for f in sub.files] == ["carol_lab6.py"]
    assert [c.first_line for c in sub.units[0].cells] == [1, 2]


def test_symlinks_are_ignored_with_a_problem(tmp_path):
    secret = _write(tmp_path / "outside.py", "SECRET = 'do not read'\n")
    folder = tmp_path / "dave"
    folder.mkdir()
    _write(folder / "main.py", "x = 1\n")
    os.symlink(secret, folder / "link.py")
    sub = load_submission(folder)
    assert [f.path for f in sub.files] == ["main.py"]
    assert [u.name for u in sub.units] == ["main.py"]
    assert sub.problems == ("link.py: symbolic links are not accepted; the link was ignored",)
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_submission(folder / "link.py")


def test_hidden_and_checkpoint_folders_are_skipped(tmp_path):
    folder = tmp_path / "erin"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "__pycache__").mkdir()
    _write(folder / ".ipynb_checkpoints" / "lab-checkpoint.py", "x = 1\n")
    _write(folder / ".hidden" / "h.py", "x = 1\n")
    _write(folder / "__pycache__" / "c.py", "x = 1\n")
    _write(folder / "lab.py", "x = 1\n")
    assert [f.path for f in load_submission(folder).files] == ["lab.py"]


def test_too_many_files_keeps_the_first_ones_with_a_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_FILES", 2)
    for name in ("a.py", "b.py", "c.py"):
        _write(tmp_path / name, "x = 1\n")
    sub = load_submission(tmp_path)
    assert [f.path for f in sub.files] == ["a.py", "b.py"]
    assert sub.problems == ("the submission has 3 files; only the first 2 were used",)


def test_a_missing_path_raises(tmp_path):
    with pytest.raises(SubmissionError, match="no such file or folder") as info:
        load_submission(tmp_path / "nobody")
    assert "nobody" in str(info.value)


@pytest.mark.parametrize("files", [{}, {"README.md": "hello", "data.csv": "1,2"}],
                         ids=["empty", "no-code"])
def test_a_folder_with_nothing_runnable_raises(tmp_path, files):
    folder = tmp_path / "frank"
    folder.mkdir()
    for name, text in files.items():
        _write(folder / name, text)
    with pytest.raises(SubmissionError, match=r"holds no notebook \(\.ipynb\) or script"):
        load_submission(folder)


@pytest.mark.parametrize(("data", "problem"), [
    (b"not json at all", "the notebook cannot be read: Notebook does not appear to be JSON"),
    (b'{"nbformat": 99, "nbformat_minor": 0, "cells": [], "metadata": {}}',
     "the notebook cannot be read: Unsupported nbformat version 99"),
    (bytes(range(128, 256)) * 8, "the notebook is not UTF-8 text (byte 0)"),
    (b"", "the notebook cannot be read"),
], ids=["not-json", "nbformat-99", "binary", "empty"])
def test_a_submission_whose_only_notebook_is_broken_is_not_graded(tmp_path, data, problem):
    """Nothing readable: an error naming the file and its problem, never a graded 0."""
    (tmp_path / "only.ipynb").write_bytes(data)
    for path in (tmp_path, tmp_path / "only.ipynb"):
        with pytest.raises(SubmissionError) as info:
            load_submission(path)
        assert str(info.value).startswith(f"{path}: no notebook or script could be graded: ")
        assert f"only.ipynb: {problem}" in str(info.value)


def test_an_unreadable_file_is_named_with_its_problem(tmp_path, monkeypatch):
    _write(tmp_path / "lab.py", "x = 1\n")
    _write(tmp_path / "locked.py", "y = 2\n")
    real = Path.read_bytes

    def read_bytes(self):  # as root, chmod 000 does not stop a read: refuse it here
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    sub = load_submission(tmp_path)
    assert [u.name for u in sub.units] == ["lab.py"] and [f.path for f in sub.files] == ["lab.py"]
    assert sub.problems == ("locked.py: cannot be read: Permission denied",)
    with pytest.raises(SubmissionError, match="locked.py: cannot be read: Permission denied"):
        load_submission(tmp_path / "locked.py")


# --- the grader's own resources: bounded whatever the submission holds ----------------------------

def test_forty_thousand_statements_cost_no_padding_and_run_in_groups(tmp_path):
    import tracemalloc

    script = _write(tmp_path / "long.py", "".join(f"x={i % 10}\n" for i in range(40_000))
                    + "y = 1 / 0\n")  # 160 KB: padding each cell cost 4.6 GB
    tracemalloc.start()
    cells, problems = loading.read_script(script)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 150 * 1024**2, peak  # the AST of 40,000 statements, then the cells alone
    assert sum(len(c.source) for c in cells) == script.stat().st_size
    assert len(cells) == 976 and [c.first_line for c in cells[:2]] == [1, 42]  # 41 per cell
    assert problems == ["the script has 40001 top-level statements: they ran in groups of 41 (the "
                        "grader runs at most 1000 cells per script), so an error stopped the rest "
                        "of its group"]
    with pytest.raises(ZeroDivisionError) as caught:
        exec(_compiled(cells[-1], "long.py"), {})  # noqa: S102
    assert traceback.extract_tb(caught.value.__traceback__)[-1].lineno == 40_001


def test_a_script_too_large_to_parse_here_runs_as_one_cell(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_PARSED_TOKENS", 1_000)
    text = "x = 1\n" * 300  # 1,200 tokens
    cells, problems = loading.read_script(_write(tmp_path / "big.py", text))
    assert [(c.number, c.first_line, c.source) for c in cells] == [(1, 1, text)]
    assert problems == ["the script is too large for the grader to split into statements (1200 "
                        "tokens; the limit is 1000): it ran as one cell, so its first error "
                        "stopped the rest"]


def test_a_script_too_deep_to_parse_is_one_cell_not_a_grader_crash(tmp_path):
    text = "y = " + "x+" * 60_000 + "x\n"  # ast.parse raises RecursionError
    cells, problems = loading.read_script(_write(tmp_path / "deep.py", text))
    assert len(cells) == 1 and cells[0].source == text and problems == []


def test_magic_detection_is_linear_in_the_line_length():
    import time

    started = time.process_time()
    source, refused, _notes = transform_magics(" " * 200_000 + "x\n")  # quadratic before: hours
    assert refused is None and time.process_time() - started < 5


def _notebook_of(path, count):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(f"x = {i}") for i in range(count)]
    nbformat.write(notebook, str(path))
    return path


def test_notebook_cells_and_values_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_NOTEBOOK_CELLS", 3)
    cells, problems = loading.read_notebook(_notebook_of(tmp_path / "n.ipynb", 5))
    assert [c.source for c in cells] == ["x = 0", "x = 1", "x = 2"]
    assert problems == ["the notebook has 5 code cells; only the first 3 were run"]
    monkeypatch.setattr(loading, "MAX_NOTEBOOK_VALUES", 20)
    with pytest.raises(ValueError, match="more than 20 JSON values, the grader's limit"):
        loading.read_notebook(tmp_path / "n.ipynb")


def test_the_submissions_cells_and_code_are_bounded_as_a_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_CELLS", 5)
    for name in ("a.py", "b.py", "c.py"):
        _write(tmp_path / name, "x = 1\ny = 2\n")
    sub = load_submission(tmp_path)
    assert [u.name for u in sub.units] == ["a.py", "b.py"]
    assert sub.problems == ("c.py: not run: with it the submission would have more than 5 cells "
                            "or 8 Mi characters of code, the grader's limits",)
    monkeypatch.setattr(loading, "MAX_CELLS", 100)
    monkeypatch.setattr(loading, "MAX_SOURCE_CHARS", 20)
    assert [u.name for u in load_submission(tmp_path).units] == ["a.py"]
