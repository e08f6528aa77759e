"""How long one student's ``report.html`` takes to draw (no grading).

Builds one realistic result in a temporary folder, the size of the example dave's (two
moons parts): two 300-epoch loss curves with their reference runs, two decision-boundary
entries with a 60 x 60 grid for the student's model and one for the reference model, and
the points drawn for the plot (``--points``, default 200 as the grader draws), as
``grader/plotdata.py`` stores them. With ``--result PATH`` a real ``result.json`` (and its
``figures/``) is copied and drawn instead. Then times, after one warm-up call:

* ``write_student_report`` (load, build the view, render, write), N times;
* each figure function alone (``loss_figure``, ``boundary_figure``), N times each.

Wall and CPU time are printed (mean, min) with the page size.

    python bench/report_speed.py [N] [--points P] [--result PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.report import plots, student  # noqa: E402
from grader.results import SCHEMA_VERSION  # noqa: E402

GRID = 60  # grader.plotdata.GRID (not imported: it pulls in the grading stack)
EPOCHS = 300
SEED = 20261201


def _moons(n: int, rng: Any) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles with noise, rounded as plotdata rounds them."""
    import numpy as np

    half = n // 2
    t0, t1 = rng.uniform(0, math.pi, half), rng.uniform(0, math.pi, n - half)
    x = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    x += rng.normal(0, 0.15, x.shape)
    return np.round(x, 4).tolist(), [0] * half + [1] * (n - half)


def _field(x_range: list[float], y_range: list[float], sharpness: float, shift: float) -> list[list[float]]:
    """A smooth probability of label 1 over the grid (row j is y = ys[j]), 4 decimals."""
    import numpy as np

    xs, ys = np.linspace(*x_range, GRID), np.linspace(*y_range, GRID)
    gx, gy = np.meshgrid(xs, ys)
    score = 0.25 + shift - gy - 0.5 * np.sin(2.0 * (gx - 0.5))
    return np.round(1.0 / (1.0 + np.exp(-sharpness * score)), 4).tolist()


def _curve(start: float, rate: float, rng: Any) -> list[float]:
    return [float(f"{start * math.exp(-rate * e) + 0.05 + 0.01 * rng.random():.6g}")
            for e in range(EPOCHS)]


def synthetic_result(points: int) -> dict[str, Any]:
    """One graded result with dave's plots (see module docstring)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    tasks, curves, boundaries = [], [], []
    # (lab6's target, the task that judges it): the fixed-rate run in core, then backtracking
    for part, task_id, (sharp, shift) in (("moons_fixed", "moons", (6.0, 0.0)),
                                          ("moons_bt", "backtracking", (9.0, 0.1))):
        qids = [f"{task_id}.accuracy", f"{task_id}.loss"]
        tasks.append({"id": task_id, "title": f"Train {part}", "score": 20.0, "max_score": 20.0,
                      "group": None, "counted": True, "optional": False, "checks": [
                          {"id": "accuracy", "title": "Held-out accuracy", "kind": "heldout_accuracy",
                           "status": "passed", "score": 10.0, "max_score": 10.0, "visibility": "public",
                           "message": "Accuracy 0.97 on held-out data.",
                           "details": {"measured": 0.97, "threshold": 0.85, "reference": 0.98}},
                          {"id": "loss", "title": "The loss decreases", "kind": "loss_decrease",
                           "status": "passed", "score": 10.0, "max_score": 10.0, "visibility": "hidden",
                           "message": "The loss fell from 0.7 to 0.06.",
                           "details": {"n_epochs": EPOCHS, "initial": 0.7, "final": 0.06}}]})
        epochs = list(range(1, EPOCHS + 1))
        curves.append({"target": f"{part}_history", "label": f"losses_{part} ({EPOCHS} numbers) in lab.ipynb",
                       "dataset": "moons", "checks": qids,
                       "student": {"n": EPOCHS, "epochs": epochs, "values": _curve(0.7, 0.02, rng)},
                       "reference": {"name": part, "note": "the reference MLP", "n": EPOCHS,
                                     "epochs": epochs, "values": _curve(0.69, 0.025, rng)}})
        x, labels = _moons(points, rng)
        x_range, y_range = [-1.9, 2.9], [-1.4, 2.0]
        boundaries.append({"target": part, "label": f"model_{part} (nn.Module Sequential 2→16→1) in lab.ipynb",
                           "checks": qids, "dataset": "moons", "x_range": x_range, "y_range": y_range,
                           "size": GRID, "points": {"x": x, "label": labels},
                           "scaler": "scaler (StandardScaler) in lab.ipynb", "note": "",
                           "student": _field(x_range, y_range, sharp, shift),
                           "reference": {"name": part, "note": "the reference MLP",
                                         "grid": _field(x_range, y_range, 8.0, 0.05)}})
    return {"schema": SCHEMA_VERSION, "status": "graded", "score": 40.0, "max_score": 40.0, "error": None,
            "submission": {"name": "bench", "files": [{"path": "lab.ipynb", "sha256": "0" * 64, "size": 1}],
                           "problems": []},
            "rubric": {"id": "lab6", "version": "bench", "digest": "0" * 64, "path": "lab6.toml",
                       "public_only": False},
            "tasks": tasks, "cells": [], "figures": [], "targets": {},
            "run": {"ending": "finished", "detail": "", "events": [], "protections": {"landlock": True},
                    "missing_protections": [], "isolation_note": "", "output_truncated": False,
                    "stdout_bytes": 0, "stderr_bytes": 0},
            "environment": {"fingerprint": "bench", "grader": "bench", "python": "3.11",
                            "implementation": "CPython", "machine": "x86_64", "libraries": {},
                            "seed": 0, "threads": 1},
            "plots": {"loss_curves": curves, "boundaries": boundaries, "problems": []}}


def timed(call: Callable[[], Any], n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``n`` calls."""
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        call()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return wall, cpu


def line(name: str, wall: list[float], cpu: list[float]) -> str:
    return (f"{name:<28} wall mean {statistics.mean(wall) * 1000:7.1f} ms  min {min(wall) * 1000:7.1f} ms"
            f"   cpu mean {statistics.mean(cpu) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=20, help="repeats (default 20)")
    parser.add_argument("--points", type=int, default=200, help="points per boundary plot (default 200)")
    parser.add_argument("--result", type=Path, help="a real result.json to draw instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench"
        if args.result:
            shutil.copytree(args.result.parent, folder)
        else:
            folder.mkdir()
            (folder / "result.json").write_text(json.dumps(synthetic_result(args.points)))
        path = folder / "result.json"
        first = time.perf_counter()
        page = student.write_student_report(path)
        print(f"first call (imports, caches)  {(time.perf_counter() - first) * 1000:7.1f} ms; "
              f"page {page.stat().st_size / 1024:.0f} KiB; n = {args.n}")
        print(line("write_student_report", *timed(lambda: student.write_student_report(path), args.n)))
        data = student.load(path)
        curve = data["plots"]["loss_curves"][0]
        named = {**curve, "target_name": "losses", "title": "losses"}
        log, limits = plots.loss_limits([curve])
        print(line("loss_figure", *timed(lambda: plots.loss_figure(named, "loss-b", log=log, limits=limits),
                                         args.n)))
        entry = data["plots"]["boundaries"][0]
        print(line(f"boundary_figure ({len(entry['points']['x'])} pts)",
                   *timed(lambda: plots.boundary_figure(entry, entry["student"], "yours: model", "b"),
                          args.n)))


if __name__ == "__main__":
    main()
