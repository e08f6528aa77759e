"""Reference runs: trained once per rubric version, cached on disk as JSON, never pickled.

Each run is a plain-data record (a network, a scaler, a loss history) produced by the
``reference`` package with the rubric's settings. The cache key holds the rubric id,
version and digest, so editing a rubric recomputes its references. The cache lives in
``$LABGRADE_CACHE`` or ``~/.cache/labgrade``; a corrupt entry is recomputed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.cachedir import cache_dir
from grader.grading_threads import use_one_thread
from grader.rubric import Rubric
from grader.rubric_bounds import REFERENCE_SETTINGS
from reference.mlp import Net

REFERENCE_FORMAT = 1


@dataclass(frozen=True)
class ReferenceRun:
    name: str
    net: Net
    loss_history: tuple[float, ...]
    scaler_mean: np.ndarray | None = None
    scaler_scale: np.ndarray | None = None

    def scaled(self, X: np.ndarray) -> np.ndarray:
        if self.scaler_mean is None or self.scaler_scale is None:
            return X
        return (X - self.scaler_mean) / self.scaler_scale

    def to_dict(self) -> dict[str, Any]:
        return {"format": REFERENCE_FORMAT, "name": self.name, "net": self.net.to_dict(),
                "loss_history": list(self.loss_history),
                "scaler_mean": None if self.scaler_mean is None else self.scaler_mean.tolist(),
                "scaler_scale": None if self.scaler_scale is None else self.scaler_scale.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReferenceRun:
        if data.get("format") != REFERENCE_FORMAT:
            raise ValueError("old reference format")
        mean, scale = data["scaler_mean"], data["scaler_scale"]
        return cls(data["name"], Net.from_dict(data["net"]), tuple(data["loss_history"]),
                   None if mean is None else np.asarray(mean), None if scale is None else np.asarray(scale))


def _setting(settings: dict[str, Any], key: str) -> int:
    """A ``[reference]`` setting of the rubric (validated there), else its default."""
    return int(settings.get(key, REFERENCE_SETTINGS[key][1]))


def _moons_fixed(settings: dict[str, Any]) -> ReferenceRun:
    from reference.data import moons_split  # noqa: PLC0415 - torch-heavy, only when needed
    from reference.moons import train_fixed  # noqa: PLC0415

    run = train_fixed(moons_split(_setting(settings, "moons_seed")),
                      epochs=_setting(settings, "moons_epochs"))
    return ReferenceRun("moons_fixed", run.net, tuple(run.loss_history), run.scaler_mean,
                        run.scaler_scale)


def _moons_backtracking(settings: dict[str, Any]) -> ReferenceRun:
    from reference.data import moons_split  # noqa: PLC0415
    from reference.moons import train_backtracking  # noqa: PLC0415

    run = train_backtracking(moons_split(_setting(settings, "moons_seed")),
                             epochs=_setting(settings, "moons_epochs"))
    return ReferenceRun("moons_backtracking", run.net, tuple(run.loss_history), run.scaler_mean,
                        run.scaler_scale)


def _xor_module(settings: dict[str, Any]) -> ReferenceRun:
    from reference.torch_module import train_xor_module  # noqa: PLC0415

    net, history = train_xor_module(_setting(settings, "xor_epochs"))
    return ReferenceRun("xor_module", net, tuple(history))


BUILDERS: dict[str, Callable[[dict[str, Any]], ReferenceRun]] = {
    "moons_fixed": _moons_fixed,
    "moons_backtracking": _moons_backtracking,
    "xor_module": _xor_module,
}


class References:
    """Lazily computed, disk-cached reference runs for one rubric."""

    def __init__(self, rubric: Rubric, directory: Path | None = None) -> None:
        self.rubric = rubric
        self.directory = directory or cache_dir()
        self._runs: dict[str, ReferenceRun] = {}

    def _path(self, name: str) -> Path:
        key = f"{self.rubric.id}-{self.rubric.version}-{self.rubric.digest[:12]}-{name}.json"
        return self.directory / key

    def get(self, name: str) -> ReferenceRun:
        if name in self._runs:
            return self._runs[name]
        if name not in BUILDERS:
            raise KeyError(f"no reference run named {name!r} (known: {', '.join(BUILDERS)})")
        path = self._path(name)
        run = None
        if path.exists():
            try:
                run = ReferenceRun.from_dict(json.loads(path.read_text()))
            except (ValueError, KeyError, TypeError):
                run = None
        if run is None:
            use_one_thread()  # as every grading process: the same sums on any machine
            run = BUILDERS[name](self.rubric.reference)
            self._store(path, run)
        self._runs[name] = run
        return run

    def _store(self, path: Path, run: ReferenceRun) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
                json.dump(run.to_dict(), f)
            os.replace(f.name, path)
        except OSError:
            pass  # an unwritable cache only costs time
