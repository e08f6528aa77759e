"""Draw the student report's plots from result.json data as inline SVG, byte-identical every time.

Matplotlib runs with the Agg backend in the grader process (never in the sandbox). Each
figure gets its own ``svg.hashsalt`` (so element ids differ between the figures of one
page but not between runs), text stays text (``svg.fonttype = none``) and no date is
written.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

LOG_DECADES = 1.5
"""Loss curves use a log y-axis when their positive values span more than this many decades."""
STUDENT_COLOUR, REFERENCE_COLOUR = "#1f5fa8", "#c0392b"
CLASS_COLOURS = ("#2166ac", "#b2182b")  # label 0, label 1
_STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.titlesize": 10, "axes.grid": True,
          "grid.alpha": 0.3, "figure.dpi": 72}
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def _svg(fig: Figure, key: str) -> str:
    """The figure as an ``<svg>`` element (no XML prologue, no RDF metadata), ids salted with ``key``."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": f"labgrade-{key}"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                    bbox_inches="tight")
    plt.close(fig)
    return _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1).strip()


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
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 3.4))
        student, reference = curve["student"], curve.get("reference")
        series = [student["values"]] + ([reference["values"]] if reference else [])
        log = use_log_scale(series) if log is None else log
        line, = ax.plot(student["epochs"], [np.nan if v is None else v for v in student["values"]],
                        color=STUDENT_COLOUR, linewidth=1.6, label=f"yours ({curve['target_name']})")
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
        ax.legend(loc="best", fontsize=8, framealpha=0.8)
        ax.set_title(curve["title"], fontsize=10)
        return _svg(fig, key)


def boundary_figure(entry: dict[str, Any], grid: list[list[float | None]], title: str, key: str) -> str:
    """Probability of class 1 over the grid, the 0.5 boundary, and the points by true label."""
    size = int(entry["size"])
    (x0, x1), (y0, y1) = entry["x_range"], entry["y_range"]
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    values = np.array([[np.nan if v is None else v for v in row] for row in grid], dtype=np.float64)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(4.0, 3.4))
        levels = np.linspace(0.0, 1.0, 11)
        finite = values[np.isfinite(values)]
        filled = None
        if finite.size:
            filled = ax.contourf(xs, ys, values, levels=levels, cmap="RdBu_r", alpha=0.75)
            filled.set_gid(f"{key}-field")
        else:
            ax.text(0.5, 0.5, "the outputs are NaN everywhere", transform=ax.transAxes,
                    ha="center", va="center")
        if finite.size and finite.min() < 0.5 < finite.max():
            edge = ax.contour(xs, ys, values, levels=[0.5], colors="black", linewidths=1.2)
            edge.set_gid(f"{key}-boundary")
        points = np.asarray(entry["points"]["x"], dtype=np.float64)
        labels = np.asarray(entry["points"]["label"], dtype=np.int64)
        for label, colour in enumerate(CLASS_COLOURS):
            mine = points[labels == label]
            ax.scatter(mine[:, 0], mine[:, 1], s=14 if len(points) > 10 else 60, c=colour,
                       edgecolors="white", linewidths=0.5, label=f"label {label}")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_title(title, fontsize=10)
        ax.grid(False)
        if filled is not None:
            fig.colorbar(filled, ax=ax, label="P(label 1)", ticks=[0, 0.5, 1])
        return _svg(fig, key)
