"""Read a submission (a folder, a notebook or a script) into units of cells to execute.

Notebooks are read with nbformat; their code cells become cells in order. Scripts are
split into top-level statements so that one failing statement does not stop the rest,
as in a notebook. IPython syntax is handled here, in the trusted process: display-only
line magics are dropped, shell escapes are not executed, and any other magic refuses its
cell with a message saying so. Unreadable files are recorded as problems naming the
file; they never stop the rest of the submission from being graded. A submission none of
whose notebooks and scripts can be read is not graded at all: :class:`SubmissionError`
names each file and its problem (an error result, not a score of 0).
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.protocol import count_values

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_SCRIPT_BYTES = 2 * 1024 * 1024
MAX_FILES = 200
MAX_SCRIPT_CELLS = 1_000  # beyond, a script's top-level statements run in groups
MAX_NOTEBOOK_CELLS = 1_000  # code cells run per notebook
MAX_CELLS = 4_000  # cells of the whole submission
MAX_SOURCE_CHARS = 8 * 1024 * 1024  # code of the whole submission (it travels in one frame)
MAX_PARSED_TOKENS = 250_000  # a script split into statements here (ast costs up to ~1 KB each)
MAX_NOTEBOOK_VALUES = 2_000_000  # JSON values in a notebook file (each one an object once read)
SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", "__MACOSX"}
DISPLAY_MAGICS = {"matplotlib", "config", "load_ext", "reload_ext", "autoreload", "aimport",
                  "precision", "pprint", "notebook"}
INSTALL_MAGICS = {"pip", "conda", "mamba"}
_MAGIC = re.compile(r"^(\s*)(%{1,2})([A-Za-z_][\w.]*)")
_SHELL = re.compile(r"^(\s*)!(?!=)")  # not a continuation line starting with "!="
_TOKEN = re.compile(r"\w+|[^\w\s]")


class SubmissionError(Exception):
    """The path cannot be graded at all (missing, empty, nothing runnable or readable)."""


@dataclass(frozen=True)
class SubmittedFile:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Cell:
    number: int
    source: str
    first_line: int = 1
    refused: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str  # "notebook" | "script"
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Submission:
    name: str
    root: Path
    files: tuple[SubmittedFile, ...]
    units: tuple[Unit, ...]
    problems: tuple[str, ...] = field(default=())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def list_files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular files of a submission folder; symlinks and special files are refused."""
    if root.is_file():
        return [root], []
    files: list[Path] = []
    problems: list[str] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink():
            problems.append(f"{relative}: symbolic links are not accepted; the link was ignored")
        elif path.is_file():
            files.append(path)
    if len(files) > MAX_FILES:
        problems.append(f"the submission has {len(files)} files; only the first {MAX_FILES} were used")
        files = files[:MAX_FILES]
    return files, problems


def continued_lines(lines: list[str]) -> set[int]:
    """Indices of lines that continue a statement: inside a string or brackets, or after a backslash.

    Such a line is never IPython syntax, whatever it starts with (a ``%`` or ``!`` line in
    a docstring is text). A small scanner of Python's quoting, comments and brackets; lines
    that are themselves magics are not scanned (shell text such as ``!echo don't`` has no
    Python quoting). When the source ends inside a string or brackets it does not tokenize:
    then no line is exempt, as before this scanner existed.
    """
    continued: set[int] = set()
    quote: str | None = None  # the open string's closing delimiter
    depth = 0
    backslash = False
    for index, line in enumerate(lines):
        if quote is not None or depth > 0 or backslash:
            continued.add(index)
        elif _SHELL.match(line) or _MAGIC.match(line):
            continue
        backslash = False
        position, size = 0, len(line)
        while position < size:
            char = line[position]
            if quote is not None:
                if char == "\\":
                    position += 2  # an escape, in raw strings too, never closes the string
                elif line.startswith(quote, position):
                    position, quote = position + len(quote), None
                else:
                    position += 1
                continue
            if char == "#":
                break
            if char in "'\"":
                quote = char * 3 if line.startswith(char * 3, position) else char
                position += len(quote)
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(0, depth - 1)
            elif char == "\\" and position == size - 1:
                backslash = True
            position += 1
        if quote is not None and len(quote) == 1 and position != size + 1:
            quote = None  # a one-line string neither closed nor continued by a backslash: an error
    if quote is not None or depth > 0 or backslash:
        return set()
    return continued


def transform_magics(source: str) -> tuple[str, str | None, list[str]]:
    """Rewrite IPython-only lines: returns (python source, refusal reason or None, notes).

    Only lines that start a statement are considered: a ``%`` or ``!`` line inside a
    multi-line string or brackets is left alone. Line numbers never change.
    """
    lines = source.splitlines()
    continued = continued_lines(lines)
    notes: list[str] = []
    for index, line in enumerate(lines):
        if index in continued:
            continue
        shell = _SHELL.match(line)
        magic = _MAGIC.match(line)
        if shell:
            lines[index] = f"{shell.group(1)}pass"
            notes.append(f"shell command not executed: {line.strip()[:120]}")
        elif magic:
            indent, percent, name = magic.groups()
            base = name.split(".")[0]
            if percent == "%" and base in DISPLAY_MAGICS:
                lines[index] = f"{indent}pass"
            elif percent == "%" and base in INSTALL_MAGICS:
                lines[index] = f"{indent}pass"
                notes.append(f"package installation not executed: {line.strip()[:120]}")
            else:
                return source, (f"the IPython magic {percent}{name} is not run by the grader; "
                                "remove it so this cell runs as plain Python"), notes
        elif re.match(r"^\s*[\w.,][\w.,\s]*=\s*!", line):  # linear: no two overlapping repeats
            return source, "capturing shell output with '= !' is not run by the grader", notes
    return "\n".join(lines) + ("\n" if source.endswith("\n") else ""), None, notes


def syntax_size(text: str) -> int:
    """An upper bound on the tokens of ``text`` (word runs, punctuation, lines): what parsing
    it costs. Cheap: one regular-expression pass, none for a short text."""
    if len(text) <= MAX_PARSED_TOKENS:
        return len(text)
    return _TOKEN.subn("", text)[1] + text.count("\n")


def notebook_cells(path: Path) -> list[Cell]:
    """Code cells of a notebook, numbered from 1; raises ValueError with the file's problem."""
    return read_notebook(path)[0]


def read_notebook(path: Path) -> tuple[list[Cell], list[str]]:
    """The code cells of a notebook (at most MAX_NOTEBOOK_CELLS) and what was left out of them;
    raises ValueError with the file's problem."""
    raw = path.read_bytes()
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is {len(raw) / 1024**2:.1f} MiB; the limit is "
                         f"{MAX_NOTEBOOK_BYTES // 1024 // 1024} MiB")
    if count_values(raw) > MAX_NOTEBOOK_VALUES:
        raise ValueError(f"the notebook holds more than {MAX_NOTEBOOK_VALUES} JSON values, the "
                         "grader's limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the notebook is not UTF-8 text (byte {exc.start})") from None
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON or schema
        raise ValueError(f"the notebook cannot be read: {str(exc).splitlines()[0][:200]}") from None
    code = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    del notebook, text, raw
    cells = []
    for cell in code[:MAX_NOTEBOOK_CELLS]:
        source, refused, notes = transform_magics(str(cell.get("source", "")))
        cells.append(Cell(len(cells) + 1, source, 1, refused, tuple(notes)))
    problems = [f"the notebook has {len(code)} code cells; only the first {MAX_NOTEBOOK_CELLS} "
                "were run"] if len(code) > MAX_NOTEBOOK_CELLS else []
    return cells, problems


def script_cells(path: Path) -> list[Cell]:
    """Top-level statements of a script, each a cell knowing the line it starts on."""
    return read_script(path)[0]


def read_script(path: Path) -> tuple[list[Cell], list[str]]:
    """A script's cells (its top-level statements, in at most MAX_SCRIPT_CELLS groups) and how
    they differ from one per statement; raises ValueError with the file's problem.

    A cell's source is its statement's lines only; ``first_line`` says where they start, and
    the sandbox compiles the cell from there, so line numbers stay true.
    """
    raw = path.read_bytes()
    if len(raw) > MAX_SCRIPT_BYTES:
        raise ValueError(f"the script is larger than {MAX_SCRIPT_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the script is not UTF-8 text (byte {exc.start})") from None
    text, refused, notes = transform_magics(text)
    whole = [Cell(1, text, 1, refused, tuple(notes))]
    size = syntax_size(text)
    if size > MAX_PARSED_TOKENS:
        return whole, [f"the script is too large for the grader to split into statements ({size} "
                       f"tokens; the limit is {MAX_PARSED_TOKENS}): it ran as one cell, so its "
                       "first error stopped the rest"]
    try:
        tree = ast.parse(text)
    except (SyntaxError, MemoryError, RecursionError):
        # One cell: executing it reports the syntax error with its line to the student.
        return whole, []
    spans: list[list[int]] = []
    for statement in tree.body:
        start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        end = statement.end_lineno or statement.lineno
        if spans and start <= spans[-1][1]:  # statements sharing a line run together
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    del tree
    problems = []
    per_cell = -(-len(spans) // MAX_SCRIPT_CELLS)
    if per_cell > 1:
        problems.append(f"the script has {len(spans)} top-level statements: they ran in groups "
                        f"of {per_cell} (the grader runs at most {MAX_SCRIPT_CELLS} cells per "
                        "script), so an error stopped the rest of its group")
        spans = [[spans[i][0], spans[min(i + per_cell, len(spans)) - 1][1]]
                 for i in range(0, len(spans), per_cell)]
    lines = text.splitlines(True)
    cells = [Cell(start, "".join(lines[start - 1:end]), start, refused) for start, end in spans]
    if notes and cells:
        cells[0] = Cell(cells[0].number, cells[0].source, cells[0].first_line, refused, tuple(notes))
    return cells, problems


def load_submission(path: Path) -> Submission:
    """Everything the grader needs to know about a submission before running it."""
    path = Path(path)
    if path.is_symlink():  # a link to a folder too: it would be graded with another's files
        raise SubmissionError(f"{path}: a symbolic link (to {os.readlink(path)}) is not a "
                              "submission; it was not followed")
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    root = path if path.is_dir() else path.parent
    files, problems = list_files(path)
    submitted, files = _fingerprints(files, root, problems)
    units: list[Unit] = []
    cells_left, chars_left = MAX_CELLS, MAX_SOURCE_CHARS
    for file in files:
        relative = str(file.relative_to(root))
        kind = {".ipynb": "notebook", ".py": "script"}.get(file.suffix)
        if kind is None:
            continue
        try:
            cells, notes = read_notebook(file) if kind == "notebook" else read_script(file)
        except (ValueError, OSError) as exc:
            problems.append(f"{relative}: {exc}")
            continue
        chars = sum(len(cell.source) for cell in cells)
        if len(cells) > cells_left or chars > chars_left:
            problems.append(f"{relative}: not run: with it the submission would have more than "
                            f"{MAX_CELLS} cells or {MAX_SOURCE_CHARS // 1024**2} Mi characters of "
                            "code, the grader's limits")
            continue
        cells_left, chars_left = cells_left - len(cells), chars_left - chars
        units.append(Unit(relative, kind, tuple(cells)))
        problems.extend(f"{relative}: {note}" for note in notes)
    name = path.stem if path.is_file() else path.name
    if not units and problems:  # each problem names its file
        raise SubmissionError(f"{path}: no notebook or script could be graded: "
                              f"{'; '.join(problems)}")
    if not units:
        raise SubmissionError(f"{path}: holds no notebook (.ipynb) or script (.py) to grade")
    return Submission(name, root, submitted, tuple(units), tuple(problems))


def _fingerprints(files: list[Path], root: Path, problems: list[str]
                  ) -> tuple[tuple[SubmittedFile, ...], list[Path]]:
    """Each readable file's digest and size; an unreadable one is a problem naming it."""
    submitted, readable = [], []
    for file in files:
        try:
            submitted.append(SubmittedFile(str(file.relative_to(root)), _digest(file),
                                           file.stat().st_size))
        except OSError as exc:
            problems.append(f"{file.relative_to(root)}: cannot be read: "
                            f"{exc.strerror or type(exc).__name__}")
            continue
        readable.append(file)
    return tuple(submitted), readable
