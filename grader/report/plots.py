"""Draw the student report's plots from result.json data as inline SVG, byte-identical every time.

Matplotlib draws into a bare :class:`~matplotlib.figure.Figure` (no pyplot, never in the
sandbox). Each figure gets its own ``svg.hashsalt`` (so element ids differ between the
figures of one page but not between runs), text stays text (``svg.fonttype = none``) and no
date is written. Every string that comes from the student's code (variable names in titles
and legends) is drawn as written: never parsed as mathtext or TeX, so ``$}$`` is three
characters, not a formula that fails to draw.

To keep a page cheap to draw, every figure has a fixed layout (margins in inches, so no
``bbox_inches="tight"``, which draws the figure twice), and a decision boundary's
probability field is one raster image inside the SVG (the grid interpolated bilinearly, in
bands of 0.1 like a filled contour) under the vector 0.5 contour and the points, with its
colour key drawn as plain figure artists rather than a second Axes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import ListedColormap, Normalize  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

LOG_DECADES = 1.5
"""Loss curves use a log y-axis when their positive values span more than this many decades."""
STUDENT_COLOUR, REFERENCE_COLOUR = "#1f5fa8", "#c0392b"
CLASS_COLOURS = ("#2166ac", "#b2182b")  # label 0, label 1
_STYLE = {"svg.fonttype": "none", "svg.image_inline": True, "font.size": 9, "axes.titlesize": 10,
          "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 72, "text.usetex": False}
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)

FIELD_DPI = 144
"""Pixels per inch of the probability field's raster (the SVG's vector parts are unaffected)."""
FIELD_BANDS = 10
"""The field is coloured in bands of 1/FIELD_BANDS, each with RdBu_r at its middle."""
_FIELD_CMAP = ListedColormap(matplotlib.colormaps["RdBu_r"](
    (np.arange(FIELD_BANDS) + 0.5) / FIELD_BANDS), name="labgrade-field")

# Fixed layouts, in inches: figure (width, height) and margins (left, bottom, right, top).
LOSS_SIZE, LOSS_MARGINS = (4.95, 3.4), (0.88, 0.5, 0.2, 0.32)
BOUNDARY_SIZE, BOUNDARY_MARGINS = (3.9, 3.25), (0.45, 0.32, 0.8, 0.32)
COLORBAR_PAD, COLORBAR_WIDTH, COLORBAR_TICK = 0.12, 0.14, 3.5 / 72
"""Gap between the boundary axes and its colour key, the key's width and tick length (inches)."""
LOSS_TITLE_CHARS, BOUNDARY_TITLE_CHARS = 56, 40
"""Longer titles are cut with an ellipsis so that they stay inside the fixed layout."""


def _svg(fig: Figure, key: str) -> str:
    """The figure as an ``<svg>`` element (no XML prologue, no RDF metadata), ids salted with ``key``."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"labgrade-{key}"}):
        fig.savefig(buffer, format="svg", dpi=FIELD_DPI, metadata={"Date": None, "Creator": None})
    return _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1).strip()


def _axes(fig: Figure, margins: tuple[float, float, float, float]) -> Axes:
    """Axes placed by margins in inches (left, bottom, right, top) inside ``fig``."""
    width, height = fig.get_size_inches()
    left, bottom, right, top = margins
    return fig.add_axes((left / width, bottom / height, (width - left - right) / width,
                         (height - bottom - top) / height))


def _colour_key(fig: Figure, axes: Axes, alpha: float) -> None:
    """The field's colorbar drawn as plain figure artists right of ``axes`` (no second Axes).

    Bands of :data:`_FIELD_CMAP`, an outline, ticks at 0, 0.5 and 1, and the label.
    """
    width, height = fig.get_size_inches()
    box = axes.get_position()
    left, bottom, top = box.x1 + COLORBAR_PAD / width, box.y0, box.y1
    across, tick = COLORBAR_WIDTH / width, COLORBAR_TICK / width
    band = (top - bottom) / FIELD_BANDS
    for i in range(FIELD_BANDS):
        fig.add_artist(Rectangle((left, bottom + i * band), across, band, transform=fig.transFigure,
                                 facecolor=_FIELD_CMAP(i), alpha=alpha, linewidth=0))
    fig.add_artist(Rectangle((left, bottom), across, top - bottom, transform=fig.transFigure,
                             fill=False, edgecolor="black", linewidth=0.8))
    for value in (0.0, 0.5, 1.0):
        y = bottom + value * (top - bottom)
        fig.add_artist(Line2D([left + across, left + across + tick], [y, y], transform=fig.transFigure,
                              color="black", linewidth=0.8))
        fig.text(left + across + 2 * tick, y, f"{value:.1f}", ha="left", va="center")
    fig.text(left + across + 2 * tick + 0.3 / width, (bottom + top) / 2, "P(label 1)",
             rotation=90, ha="center", va="center", rotation_mode="anchor")


def _literal(*texts: Text) -> None:
    """Draw ``texts`` exactly as written (no mathtext, no TeX): they hold the student's strings.

    Only these: the log axis's tick labels are mathtext of the grader's own.
    """
    for text in texts:
        text.set_usetex(False)
        text.set_parse_math(False)


def _fit(title: str, limit: int) -> str:
    """``title`` cut to ``limit`` characters (with an ellipsis) so that it fits its figure."""
    return title if len(title) <= limit else title[:limit - 1] + "…"


def safe_key(text: str) -> str:
    """``text`` reduced to characters safe in an SVG id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "plot"


def _positive(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and v > 0 and math.isfinite(v)]


def use_log_scale(series: Sequence[Sequence[float | None]]) -> bool:
    """True when all values are positive and span more than :data:`LOG_DECADES` decades."""
    values = [v for s in series for v in s if v is not None]
    positive = _positive(values)
    if not positive or len(positive) != len(values):
        return False
    return math.log10(max(positive) / min(positive)) > LOG_DECADES


def loss_limits(curves: Sequence[dict[str, Any]]) -> tuple[bool, tuple[float, float] | None]:
    """(log scale?, shared y-limits) for curves drawn side by side."""
    series = [c["student"]["values"] for c in curves] + [
        c["reference"]["values"] for c in curves if c.get("reference")]
    log = use_log_scale(series)
    values = [v for s in series for v in s if v is not None and math.isfinite(v)]
    if not values:
        return log, None
    low, high = min(values), max(values)
    if log:
        return log, (low / 1.3, high * 1.3)
    span = (high - low) or max(abs(high), 1.0)
    return log, (low - 0.05 * span, high + 0.05 * span)


def loss_figure(curve: dict[str, Any], key: str, *, log: bool | None = None,
                limits: tuple[float, float] | None = None) -> str:
    """The student's loss history over the reference run's, on the same axes."""
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=LOSS_SIZE)
        ax = _axes(fig, LOSS_MARGINS)
        student, reference = curve["student"], curve.get("reference")
        series = [student["values"]] + ([reference["values"]] if reference else [])
        log = use_log_scale(series) if log is None else log
        line, = ax.plot(student["epochs"], [np.nan if v is None else v for v in student["values"]],
                        color=STUDENT_COLOUR, linewidth=1.6,
                        label=f"yours ({_fit(str(curve['target_name']), LOSS_TITLE_CHARS)})")
        line.set_gid(f"{key}-student")
        if reference:
            ref, = ax.plot(reference["epochs"], [np.nan if v is None else v for v in reference["values"]],
                           color=REFERENCE_COLOUR, linewidth=1.2, linestyle="--",
                           label=f"reference ({reference['name']})")
            ref.set_gid(f"{key}-reference")
        if log:
            ax.set_yscale("log")
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (log scale)" if log else "loss")
        ax.grid(True, alpha=0.3)
        legend = ax.legend(loc="best", fontsize=8, framealpha=0.8)
        _literal(*legend.get_texts(), ax.set_title(_fit(str(curve["title"]), LOSS_TITLE_CHARS),
                                                   fontsize=10))
        return _svg(fig, key)


def boundary_figure(entry: dict[str, Any], grid: list[list[float | None]], title: str, key: str) -> str:
    """Probability of class 1 over the grid, the 0.5 boundary, and the points by true label.

    The field is an image whose pixel centres are the grid points (so it reaches half a cell
    past the axes, which clip it), interpolated bilinearly before it is coloured.
    """
    size = int(entry["size"])
    (x0, x1), (y0, y1) = entry["x_range"], entry["y_range"]
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    values = np.array([[np.nan if v is None else v for v in row] for row in grid], dtype=np.float64)
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=BOUNDARY_SIZE)
        ax = _axes(fig, BOUNDARY_MARGINS)
        finite = values[np.isfinite(values)]
        field = None
        if finite.size:
            dx, dy = (x1 - x0) / max(size - 1, 1) / 2, (y1 - y0) / max(size - 1, 1) / 2
            field = ax.imshow(values, origin="lower", extent=(x0 - dx, x1 + dx, y0 - dy, y1 + dy),
                              aspect="auto", cmap=_FIELD_CMAP, norm=Normalize(0.0, 1.0), alpha=0.75,
                              interpolation="bilinear", interpolation_stage="data")
            field.set_gid(f"{key}-field")
        else:
            ax.text(0.5, 0.5, "the outputs are NaN everywhere", transform=ax.transAxes,
                    ha="center", va="center")
        if finite.size and finite.min() < 0.5 < finite.max():
            edge = ax.contour(xs, ys, values, levels=[0.5], colors="black", linewidths=1.2)
            edge.set_gid(f"{key}-boundary")
        points = np.asarray(entry["points"]["x"], dtype=np.float64).reshape(-1, 2)
        labels = np.asarray(entry["points"]["label"], dtype=np.int64)
        for label, colour in enumerate(CLASS_COLOURS):
            mine = points[labels == label]
            ax.scatter(mine[:, 0], mine[:, 1], s=14 if len(points) > 10 else 60, c=colour,
                       edgecolors="white", linewidths=0.5, label=f"label {label}")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        # y given: no search for tick labels above the axes (there are none here) on each draw
        _literal(ax.set_title(_fit(title, BOUNDARY_TITLE_CHARS), fontsize=10, y=1.0))
        ax.grid(False)
        if field is not None:
            _colour_key(fig, ax, 0.75)
        return _svg(fig, key)
