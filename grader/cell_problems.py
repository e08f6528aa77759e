"""Plain words for a failed cell whose code cannot run here: Python 2, a missing module or file.

Trusted side and pure: :func:`explain` reads only what the sandbox recorded for a failed
cell (its error line and short traceback), the cell's source and the submission's file
names; it never imports or runs the student's code (Python 2 syntax is found by parsing,
as ``grader.loading`` already does). It returns one sentence without a final period, or
None when it has nothing to add to the error itself. Lines are the record's own: within
the file for a script (its cells keep their true line numbers), within the cell for a
notebook ("line 4 of cell 2" when the error came from a function defined in another cell).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader import python2

if TYPE_CHECKING:
    from grader.loading import Submission

LAB_ENVIRONMENT = ("the standard library, numpy, torch, scikit-learn, matplotlib, scipy, tqdm, "
                   "pandas, seaborn and IPython")
LAB_PACKAGES = {"numpy": "numpy", "torch": "torch", "sklearn": "scikit-learn",
                "matplotlib": "matplotlib", "scipy": "scipy", "tqdm": "tqdm", "pandas": "pandas",
                "seaborn": "seaborn", "IPython": "IPython"}
# Packages students often import that the grader does not have, with what they belong to.
KNOWN_MISSING = {"torchvision": "a companion package of torch, installed separately",
                 "torchaudio": "a companion package of torch, installed separately",
                 "torchtext": "a companion package of torch, installed separately",
                 "keras": "the deep-learning library of TensorFlow",
                 "tensorflow": "", "jax": "", "cv2": "OpenCV", "plotly": "", "skimage": "scikit-image", "statsmodels": "",
                 "xgboost": "", "lightgbm": "", "tensorboard": "", "wandb": "", "sympy": ""}
OLD_SUBMODULES = {"sklearn.cross_validation": "sklearn.model_selection",
                  "sklearn.grid_search": "sklearn.model_selection",
                  "sklearn.learning_curve": "sklearn.model_selection",
                  "sklearn.externals.joblib": "joblib",
                  "sklearn.datasets.samples_generator": "sklearn.datasets"}
NETWORK_MARKERS = ("Name or service not known", "Temporary failure in name resolution",
                   "Network is unreachable", "nodename nor servname", "<urlopen error",
                   "Failed to establish a new connection", "No address associated with hostname")
SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}
FILE_ERRORS = {"FileNotFoundError", "OSError", "IOError"}

_ERROR = re.compile(r"(?P<kind>[\w.]+): (?P<message>.*)", re.S)
_FRAME = re.compile(r'^  File "(?P<file>[^"\n]*)", line (?P<line>\d+)[^\n]*\n'
                    r"(?:    (?P<code>[^\n]*)\n)?", re.M)
_CELL_FILE = re.compile(r"<(?P<unit>.+) cell (?P<cell>\d+)>")
_MISSING_FILE = (re.compile(r"\[Errno 2\] No such file or directory: "
                            r"(?P<q>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"),
                 re.compile(r"^(?P<p>.+) not found\.$"))  # numpy's loadtxt/genfromtxt
_WRITES = re.compile(r"\.savefig\(|\.to_(?:csv|json|excel|pickle)\(|\bnp\.save[z]?\(|"
                     r"\btorch\.save\(|\bopen\([^)]*,\s*(?:mode\s*=\s*)?['\"][wax]")
_NOT_READS = re.compile(r"subprocess|os\.system|Popen|\b(?:os|shutil)\.(?:remove|unlink|rename|"
                        r"replace|rmdir|rmtree|chmod|chown|stat|utime|move|copy\w*)\(")
_FOLDERS = re.compile(r"\bos\.(?:chdir|listdir|scandir|walk)\(|\bglob\b|\.iterdir\(")
_ABSOLUTE = re.compile(r"^(?:/|~|[A-Za-z]:[\\/]|\\\\)")


@dataclass(frozen=True)
class Frame:
    """One frame of a recorded traceback; ``unit``/``cell`` are set for the student's own cells."""

    file: str
    line: int
    code: str
    unit: str | None
    cell: int | None


def frames(traceback: str | None) -> list[Frame]:
    """The frames of a short traceback, outermost first (a SyntaxError's location included)."""
    found = []
    for match in _FRAME.finditer(traceback or ""):
        cell = _CELL_FILE.fullmatch(match["file"])
        found.append(Frame(match["file"], int(match["line"]), (match["code"] or "").strip(),
                           cell["unit"] if cell else None, int(cell["cell"]) if cell else None))
    return found


def explain(error: str | None, traceback: str | None, source: str,
            submission_files: Sequence[str], *, line: int | None = None,
            first_line: int = 1) -> str | None:
    """One plain sentence on why a failed cell cannot run here, or None (see the module doc).

    ``error`` is the record's last line (``"Type: message"``), ``traceback`` its short
    traceback, ``source`` the cell's code, ``line`` the recorded line of the failure and
    ``first_line`` the line of the file ``source`` starts on (a script's statement).
    """
    match = _ERROR.fullmatch((error or "").strip())
    if match is None:
        return None
    kind, message = match["kind"], match["message"]
    every = frames(traceback)
    student = [f for f in every if f.unit is not None]
    inner = student[-1] if student else None
    here = inner is None or inner.cell == student[0].cell
    line = inner.line if inner is not None else line
    code = _source_line(source, line, first_line) if here or inner is None else inner.code
    unit = inner.unit if inner is not None and inner.unit else ""
    where = f"line {line}" if line is not None else "an unknown line"
    if inner is not None and not here and unit.endswith(".ipynb"):
        where += f" of cell {inner.cell}"
    beside = "the script" if unit.endswith(".py") else "the notebook"
    if kind in SYNTAX_ERRORS and every and every[-1].unit is None:  # in a module it imported
        found = python2.classify_syntax(message, every[-1].code)
        name = re.split(r"[\\/]", every[-1].file)[-1]
        return (None if found is None else
                f"written for Python 2: {found[0]} at line {every[-1].line} of {name} ({found[1]})")
    try:
        if kind in SYNTAX_ERRORS:
            return _syntax(kind, message, source, line, code, first_line)
        found = python2.runtime(kind.rsplit(".", 1)[-1], message, code)
        if found is not None:
            also = _scan(source, first_line) if here else []
            return _python2_sentence([(line or 0, *found)] + also, first_where=where)
        if kind in ("ModuleNotFoundError", "ImportError"):
            return _module(message, code, submission_files, beside)
        if kind in FILE_ERRORS:
            return _file(message, code, submission_files, beside)
        if any(marker in message for marker in NETWORK_MARKERS):
            return ("downloads from the internet, which the grader's sandbox cannot reach: hand "
                    "the data in with the submission, or build it in the code")
    except (RecursionError, MemoryError, ValueError):  # a pathological source: nothing to add
        return None
    return None


def _source_line(source: str, line: int | None, first_line: int = 1) -> str:
    lines = source.splitlines()
    index = None if line is None else line - first_line
    return lines[index] if index is not None and 0 <= index < len(lines) else ""


def _scan(source: str, first_line: int) -> list[tuple[int, str, str]]:
    """Python 2 findings of ``source`` at their lines in the file."""
    return [(number + first_line - 1, construct, fix)
            for number, construct, fix in python2.scan(source)[0]]


def _python2_sentence(findings: list[tuple[int, str, str]], *, first_where: str | None = None) -> str:
    """"written for Python 2: <construct> at line N (<fix>)", then the other lines it found.

    Without ``first_where`` the earliest finding comes first; with it, ``findings[0]`` does.
    """
    if first_where is None:
        findings = sorted(findings, key=lambda f: f[0])
    first_line, construct, fix = findings[0]
    text = f"written for Python 2: {construct} at {first_where or f'line {first_line}'} ({fix})"
    groups: dict[str, list[int]] = {}
    seen = {first_line}
    for number, other, _fix in sorted(findings[1:], key=lambda f: f[0]):
        if number not in seen:
            seen.add(number)
            groups.setdefault(other, []).append(number)
    if not groups:
        return text
    parts, shown = [], 0
    for other, numbers in groups.items():
        if shown >= python2.MAX_LISTED:
            break
        numbers = numbers[:python2.MAX_LISTED - shown]
        shown += len(numbers)
        parts.append(f"{other} at line{'s' if len(numbers) > 1 else ''} {_and(numbers)}")
    left = len(seen) - 1 - shown
    return text + ", also " + ", ".join(parts) + (f" and {left} more lines" if left else "")


def _and(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _syntax(kind: str, message: str, source: str, line: int | None, code: str,
            first_line: int = 1) -> str | None:
    if kind == "TabError" or "inconsistent use of tabs and spaces" in message:
        return (f"indents line {line} with a mix of tabs and spaces, which Python 3 refuses "
                "(Python 2 accepted it): indent with spaces only")
    known = python2.classify_syntax(message, code)
    if known is None:
        return None
    findings = _scan(source, first_line)
    if not findings and line is not None:  # the source given is not the one that failed
        findings = [(line, known[0], known[1])]
    return _python2_sentence(findings) if findings else None


def _module(message: str, code: str, files: Sequence[str], beside: str) -> str | None:
    named = re.match(r"No module named '([\w.]+)'", message)
    if named is None:
        return _cannot_import(message)
    module = named[1]
    top = module.split(".")[0]
    if top == "google" and ("colab" in code or module.startswith("google.colab")):
        return ("uses Google Colab ('google.colab'), which exists only in Colab: remove the "
                f"drive.mount(...) code and hand the data files in beside {beside}")
    if module in OLD_SUBMODULES:
        return (f"uses the module '{module}', which the installed "
                f"{LAB_PACKAGES.get(top, top)} no longer has (it is now {OLD_SUBMODULES[module]})")
    if top in LAB_PACKAGES and module != top:
        return (f"uses the module '{module}', which the installed {LAB_PACKAGES[top]} does not "
                "have (it may belong to another version)")
    if f"{top}.py" in files or f"{top}/__init__.py" in files:
        return (f"imports its own module '{top}', which is in the submission's top folder but "
                "was not found: a problem of the grader's, not of the code (tell the teacher)")
    own = [f for f in files if f.endswith((f"/{top}.py", f"/{top}/__init__.py"))]
    if own:
        return (f"imports its own module '{top}' from {own[0]}, which Python does not find "
                f"from where the grader runs the code (the submission's top folder): "
                f"put {top}.py in the top folder beside {beside}")
    note = KNOWN_MISSING.get(top)
    what = f"the module '{module}'" + (f" ({note})" if note else "")
    text = (f"uses {what}, which is not installed where the grader runs (the lab's environment "
            f"has {LAB_ENVIRONMENT})")
    if note is None and top not in LAB_PACKAGES:
        text += f": if it is your own module, hand in {top}.py beside {beside}"
    return text


def _cannot_import(message: str) -> str | None:
    named = re.match(r"cannot import name '(\w+)' from '([\w.]+)'", message)
    if named is None or named[2].split(".")[0] not in LAB_PACKAGES:
        return None
    package = LAB_PACKAGES[named[2].split(".")[0]]
    return (f"imports '{named[1]}' from {named[2]}, which the installed {package} does not have "
            "(it was probably renamed or removed: see the library's documentation)")


def _missing_path(message: str) -> str | None:
    quoted = _MISSING_FILE[0].search(message)
    if quoted is not None:
        try:
            return str(ast.literal_eval(quoted["q"]))
        except (ValueError, SyntaxError):
            return quoted["q"][1:-1]
    plain = _MISSING_FILE[1].match(message)
    return plain["p"] if plain is not None else None


def _file(message: str, code: str, files: Sequence[str], beside: str) -> str | None:
    path = _missing_path(message)
    if not path or _NOT_READS.search(code):
        return None
    parts = [p for p in re.split(r"[\\/]+", path) if p not in ("", ".")]
    if not parts:
        return None
    name, relative = parts[-1], "/".join(parts)
    place = ("a path in Google Colab" if path.startswith("/content/")
             else "a path in Kaggle" if path.startswith("/kaggle/")
             else "a path on the student's own computer")
    if _WRITES.search(code):
        if _ABSOLUTE.match(path):
            return (f"writes '{path}', {place}: write to a path relative to {beside}, "
                    f"such as '{name}'")
        folder = "/".join(parts[:-1])
        if not folder:
            return None
        return (f"writes '{path}', but its folder '{folder}' does not exist where the grader "
                f"runs: create it first with os.makedirs('{folder}', exist_ok=True)")
    if _FOLDERS.search(code):
        if any(f.startswith(relative + "/") for f in files):
            return None
        origin = f", {place}," if _ABSOLUTE.match(path) else ""
        return (f"opens the folder '{path}'{origin} which is not in the submission: hand in its "
                f"files beside {beside} and name them relative to it")
    by_name = [f for f in files if f.rsplit("/", 1)[-1] == name]
    by_case = [f for f in files if f.rsplit("/", 1)[-1].lower() == name.lower()]
    if _ABSOLUTE.match(path):
        if by_name:
            return (f"reads '{path}', {place}: the submission has that file as "
                    f"'{by_name[0]}', so open it as '{by_name[0]}'")
        return (f"reads the data file '{path}', {place}, which is not in the submission: "
                f"hand it in beside {beside} and open it as '{name}', or build the data in the code")
    if relative in files:
        if relative != path and "\\" in path:
            return (f"reads '{path}' with Windows backslashes: write '{relative}', which "
                    "works everywhere")
        return None  # it is there: the code must have changed folder or removed it
    if by_name:
        return (f"reads '{path}', but the submission has that file at '{by_name[0]}': the grader "
                f"runs the code from the submission's top folder, so open it as '{by_name[0]}'")
    if by_case:
        return (f"reads '{path}', but the submission has '{by_case[0]}': file names are "
                "case-sensitive where the grader runs")
    return (f"reads the data file '{path}', which is not in the submission: hand it in beside "
            f"{beside}, or build the data in the code")


@functools.lru_cache(maxsize=32)  # the result and the runs check ask for the same cells
def _explain_cached(error: str | None, traceback: str | None, source: str,
                    files: tuple[str, ...], line: int | None, first_line: int) -> str | None:
    return explain(error, traceback, source, files, line=line, first_line=first_line)


def cell_hint(submission: Submission, cell: Mapping[str, Any]) -> str | None:
    """The sentence for one recorded cell of ``submission`` (None for a cell that ran)."""
    if cell.get("status") == "ok" or not cell.get("error"):
        return None
    unit = next((u for u in submission.units if u.name == cell.get("unit")), None)
    found = None if unit is None else next(
        (c for c in unit.cells if c.number == cell.get("number")), None)
    files = tuple(f.path for f in submission.files)
    return _explain_cached(cell.get("error"), cell.get("traceback"),
                           "" if found is None else found.source, files, cell.get("line"),
                           1 if found is None else found.first_line)
