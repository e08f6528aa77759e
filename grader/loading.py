"""Read a submission (a folder, a notebook or a script) into units of cells to execute.

Notebooks are read with nbformat; their code cells become cells in order. Scripts are
split into top-level statements so that one failing statement does not stop the rest,
as in a notebook. IPython syntax is handled here, in the trusted process: display-only
line magics are dropped, shell escapes are not executed, and any other magic refuses its
cell with a message saying so. Unreadable files are recorded as problems naming the
file; they never stop the rest of the submission from being graded.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_SCRIPT_BYTES = 2 * 1024 * 1024
MAX_FILES = 200
SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", "__MACOSX"}
DISPLAY_MAGICS = {"matplotlib", "config", "load_ext", "reload_ext", "autoreload", "aimport",
                  "precision", "pprint", "notebook"}
INSTALL_MAGICS = {"pip", "conda", "mamba"}
_MAGIC = re.compile(r"^(\s*)(%{1,2})([A-Za-z_][\w.]*)")
_SHELL = re.compile(r"^(\s*)!(?!=)")  # not a continuation line starting with "!="


class SubmissionError(Exception):
    """The path cannot be graded at all (missing, empty, nothing runnable)."""


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
        elif re.match(r"^\s*[\w.,\s]+=\s*!", line):
            return source, "capturing shell output with '= !' is not run by the grader", notes
    return "\n".join(lines) + ("\n" if source.endswith("\n") else ""), None, notes


def notebook_cells(path: Path) -> list[Cell]:
    """Code cells of a notebook, numbered from 1; raises ValueError with the file's problem."""
    raw = path.read_bytes()
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is {len(raw) // 1024 // 1024} MiB; the limit is "
                         f"{MAX_NOTEBOOK_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the notebook is not UTF-8 text (byte {exc.start})") from None
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON or schema
        raise ValueError(f"the notebook cannot be read: {str(exc).splitlines()[0][:200]}") from None
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source, refused, notes = transform_magics(str(cell.get("source", "")))
        cells.append(Cell(len(cells) + 1, source, 1, refused, tuple(notes)))
    return cells


def script_cells(path: Path) -> list[Cell]:
    """Top-level statements of a script, each a cell padded so line numbers stay true."""
    raw = path.read_bytes()
    if len(raw) > MAX_SCRIPT_BYTES:
        raise ValueError(f"the script is larger than {MAX_SCRIPT_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the script is not UTF-8 text (byte {exc.start})") from None
    text, refused, notes = transform_magics(text)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        # One cell: executing it reports the syntax error with its line to the student.
        return [Cell(1, text, 1, refused, tuple(notes))]
    lines = text.splitlines(True)
    spans: list[list[int]] = []
    for statement in tree.body:
        start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        end = statement.end_lineno or statement.lineno
        if spans and start <= spans[-1][1]:  # statements sharing a line run together
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    cells = [Cell(start, "\n" * (start - 1) + "".join(lines[start - 1:end]), start, refused)
             for start, end in spans]
    if notes and cells:
        cells[0] = Cell(cells[0].number, cells[0].source, cells[0].first_line, refused, tuple(notes))
    return cells


def load_submission(path: Path) -> Submission:
    """Everything the grader needs to know about a submission before running it."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    if path.is_symlink() and not path.is_dir():
        raise SubmissionError(f"{path}: a symbolic link is not a submission")
    root = path if path.is_dir() else path.parent
    files, problems = list_files(path)
    submitted = tuple(SubmittedFile(str(f.relative_to(root)), _digest(f), f.stat().st_size)
                      for f in files)
    units: list[Unit] = []
    for file in files:
        relative = str(file.relative_to(root))
        try:
            if file.suffix == ".ipynb":
                units.append(Unit(relative, "notebook", tuple(notebook_cells(file))))
            elif file.suffix == ".py":
                units.append(Unit(relative, "script", tuple(script_cells(file))))
        except (ValueError, OSError) as exc:
            problems.append(f"{relative}: {exc}")
    name = path.stem if path.is_file() else path.name
    if not units and not problems:
        raise SubmissionError(f"{path}: holds no notebook (.ipynb) or script (.py) to grade")
    return Submission(name, root, submitted, tuple(units), tuple(problems))
