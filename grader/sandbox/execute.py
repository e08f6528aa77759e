"""Run one unit of student code (a notebook's cells or a script's statements) in a namespace.

Each cell is compiled and executed on its own; a failing cell is recorded with its error
line and a traceback cut down to the student's own frames, and the following cells still
run. Cells the parent marked as refused (a magic the grader does not run, ``input()``)
are reported without being executed. Open matplotlib figures are captured after each
cell and closed, as Jupyter's inline backend does.
"""

from __future__ import annotations

import base64
import builtins
import io
import linecache
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from grader.sandbox.instrument import LoopSites, compile_cell

MAX_TRACEBACK_CHARS = 4000
MAX_FIGURES = 24
FIGURE_DPI = 72


class InputNotAvailable(RuntimeError):
    """Raised by the replacement ``input()``: grading is not interactive."""


InputNotAvailable.__module__ = "builtins"  # tracebacks show the bare name to the student


def _refuse_input(*_args: Any, **_kwargs: Any) -> str:
    raise InputNotAvailable("input() is not available during grading: the notebook must run "
                            "without typing anything")


def fresh_namespace(filename: str) -> dict[str, Any]:
    """A namespace like a new kernel's or ``python script.py``'s ``__main__``."""
    safe_builtins = dict(vars(builtins))
    safe_builtins["input"] = _refuse_input
    return {"__name__": "__main__", "__file__": filename, "__builtins__": safe_builtins}


def cell_filename(unit: str, number: int) -> str:
    return f"<{unit} cell {number}>"


class CellLines(Sequence[str]):
    """A cell's lines as ``linecache`` reads them: numbered from the line the cell starts on
    in its file, the lines before it blank (never stored: a script has thousands of cells)."""

    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines, self.offset = lines, first_line - 1

    def __len__(self) -> int:
        return self.offset + len(self.lines)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.lines[index - self.offset] if index >= self.offset else "\n"


def short_traceback(exc: BaseException, student_files: set[str]) -> tuple[str, int | None]:
    """The traceback limited to the student's frames, and the line that failed in the cell."""
    frames = traceback.extract_tb(exc.__traceback__)
    # Start at the student's first frame: the harness frames above it mean nothing to them.
    first = next((i for i, frame in enumerate(frames) if frame.filename in student_files), len(frames))
    # Drop this module's own frames below it too (the replacement input() raising).
    frames = [frame for frame in frames[first:] if frame.filename != __file__]
    line = next((f.lineno for f in frames if f.filename in student_files), None)
    if line is None and isinstance(exc, SyntaxError) and exc.filename in student_files:
        line = exc.lineno  # raised by compile(): no frame of the cell exists
    text = "".join(traceback.format_list(frames[-8:]))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    if len(text) > MAX_TRACEBACK_CHARS:
        text = "…\n" + text[-MAX_TRACEBACK_CHARS:]
    return text, line


def error_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    summary = text[-1] if text else type(exc).__name__
    return summary[:300]


class FigureCapture:
    """Collects the student's matplotlib figures as PNG bytes (at most MAX_FIGURES)."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self.emit = emit
        self.count = 0
        self.unit = ""
        self.cell = 0

    def install(self) -> None:
        """Make ``plt.show()`` capture and close the open figures, as the inline backend does."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None and not getattr(pyplot.show, "_labgrade", False):
            def show(*args: Any, **kwargs: Any) -> None:
                self.flush()

            show._labgrade = True  # type: ignore[attr-defined]
            pyplot.show = show  # type: ignore[assignment]

    def flush(self, *_args: Any, **_kwargs: Any) -> None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            figure = pyplot.figure(number)
            if self.count < MAX_FIGURES:
                buffer = io.BytesIO()
                try:
                    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
                except Exception:  # a figure that cannot be drawn is simply not captured
                    continue
                self.count += 1
                self.emit({"type": "figure", "unit": self.unit, "cell": self.cell,
                           "png": base64.b64encode(buffer.getvalue()).decode("ascii")})
        pyplot.close("all")


def run_cells(unit: str, cells: list[dict[str, Any]], namespace: dict[str, Any],
              emit: Callable[[dict[str, Any]], None], figures: FigureCapture,
              sites: LoopSites | None = None) -> None:
    """Execute the cells in order, emitting one ``cell`` message per cell.

    With ``sites``, every loop is instrumented for the loop trace (line numbers unchanged).
    """
    student_files = {cell_filename(unit, c["number"]) for c in cells}
    for cell in cells:
        number = cell["number"]
        report: dict[str, Any] = {"type": "cell", "unit": unit, "number": number, "status": "ok",
                                  "error": None, "traceback": None, "line": None, "seconds": 0.0}
        if cell.get("refused"):
            report.update(status="error", error=cell["refused"])
            emit(report)
            continue
        filename = cell_filename(unit, number)
        source, first_line = cell["source"], cell.get("first_line", 1)
        linecache.cache[filename] = (len(source), None,
                                     CellLines(source.splitlines(True), first_line), filename)
        figures.unit, figures.cell = unit, number
        figures.install()
        started = time.perf_counter()
        try:
            code = compile_cell(source, filename, sites, number, first_line)
            exec(code, namespace)  # noqa: S102 - running the submission is the point
        except SystemExit as exc:
            report.update(status="error", error=f"the code called exit({exc.code!r}); the rest of "
                          "this cell did not run")
        except BaseException as exc:  # noqa: BLE001 - a student's crash is data
            if isinstance(exc, KeyboardInterrupt):
                raise
            text, line = short_traceback(exc, student_files)
            report.update(status="error", error=error_line(exc), traceback=text, line=line)
        report["seconds"] = round(time.perf_counter() - started, 4)
        figures.install()
        figures.flush()
        emit(report)
