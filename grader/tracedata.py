"""The training trace as the grader holds it: validated, split into streams, paired into updates.

The child sends one ``trace`` message per unit (see :mod:`grader.sandbox.trace`). Nothing in
it is trusted: :func:`parse_trace` checks exact keys, types, sizes and the consistency of
shapes with values, and rejects the whole trace otherwise. A *stream* is the run of samples
that share the same named parameters (one training loop); an *update* is a pair of
consecutive backward calls in one stream, from which the step taken is measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import protocol

SAMPLE_SCHEMA = {"call": "int", "loss": "float|None", "steps": "int", "optimizer": "int|None",
                 "lr": "float|None", "names": "list", "shapes": "list", "values": "array",
                 "grads": "array", "has_grad": "list", "grad_before": "list", "data": "list",
                 "step_held": "list|None", "step_grad": "bool|None"}
SAMPLE_OPTIONAL = {"versions": "list"}
OPTIMIZER_SCHEMA = {"class": "str", "module": "str", "hyperparameters": "dict", "steps": "int",
                    "first_call": "int"}
MAX_PARAMETERS = 64
MAX_DIMENSIONS = 4


@dataclass(frozen=True)
class Sample:
    """One recorded backward() call."""

    call: int
    loss: float | None
    steps: int
    optimizer: int | None
    lr: float | None
    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    values: tuple[np.ndarray, ...]  # one float64 array per parameter (empty when too big)
    grads: tuple[np.ndarray, ...]
    has_grad: tuple[bool, ...]
    grad_before: tuple[float | None, ...]
    data: tuple[np.ndarray, ...] = ()  # a few samples: tensors that reached the loss (inputs, targets)
    # the optimizer steps observed since the previous call (None: none observed): which
    # parameters they held, and whether any parameter they held had a non-zero gradient
    step_held: tuple[bool, ...] | None = None
    step_grad: bool | None = None
    versions: tuple[int, ...] | None = None  # each parameter's in-place write counter

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.names, self.shapes)


@dataclass
class Stream:
    """Consecutive samples over the same parameters: one training loop."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    samples: list[Sample] = field(default_factory=list)

    def updates(self) -> list[tuple[Sample, Sample]]:
        """Pairs of consecutive backward calls (call n and n+1) with values recorded."""
        return [(a, b) for a, b in zip(self.samples, self.samples[1:])
                if b.call == a.call + 1 and a.values and b.values]

    def covers(self, prefix: str) -> bool:
        """Whether every parameter is named after ``prefix`` (a variable, or its attributes)."""
        return all(n == prefix or n.startswith((f"{prefix}.", f"{prefix}[")) for n in self.names)


@dataclass
class Trace:
    """One unit's trace: totals, optimizers seen, samples."""

    unit: str
    calls: int
    steps: int
    optimizers: list[dict[str, Any]]
    samples: list[Sample]
    truncated: bool
    declared_rates: dict[str, float] = field(default_factory=dict)

    def streams(self) -> list[Stream]:
        streams: list[Stream] = []
        for sample in self.samples:
            if not streams or (streams[-1].names, streams[-1].shapes) != sample.key:
                streams.append(Stream(sample.names, sample.shapes))
            streams[-1].samples.append(sample)
        return streams


def _name(value: Any, index: int) -> str:
    if value is None:
        return f"<unnamed parameter {index}>"
    if not isinstance(value, str) or len(value) > 200:
        raise protocol.ProtocolError("trace: a parameter name is not a short string")
    return value


def _data(raw: Any) -> tuple[np.ndarray, ...]:
    """The data arrays of a sample: a few float64 vectors or matrices, bounded in size."""
    if len(raw) > protocol.MAX_TRACE_DATA_ARRAYS or not all(
            isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim in (1, 2) for a in raw):
        raise protocol.ProtocolError("trace: a sample's data arrays are malformed")
    if sum(a.size for a in raw) > protocol.MAX_TRACE_DATA_ELEMENTS:
        raise protocol.ProtocolError("trace: a sample's data arrays are too large")
    return tuple(raw)


def _sample(raw: Any) -> Sample:
    if not isinstance(raw, dict):
        raise protocol.ProtocolError("trace: a sample is not an object")
    protocol.expect({"type": "sample", **raw}, SAMPLE_SCHEMA, optional=SAMPLE_OPTIONAL)
    count = len(raw["names"])
    lists = ("shapes", "has_grad", "grad_before") + (("step_held",) if raw["step_held"] is not None
                                                      else ())
    if count > MAX_PARAMETERS or not all(len(raw[k]) == count for k in lists):
        raise protocol.ProtocolError("trace: a sample's parameter lists disagree in length")
    shapes = []
    for shape in raw["shapes"]:
        if not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS or not all(
                isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 1_000_000 for d in shape):
            raise protocol.ProtocolError("trace: a parameter shape is malformed")
        shapes.append(tuple(shape))
    sizes = [math.prod(shape) for shape in shapes]
    values, grads = raw["values"], raw["grads"]
    for array in (values, grads):
        if array.ndim != 1 or array.dtype != np.float64 or array.size not in (0, sum(sizes)):
            raise protocol.ProtocolError("trace: values or gradients do not match the shapes")
    if values.size != grads.size:
        raise protocol.ProtocolError("trace: values and gradients differ in size")
    if not all(isinstance(b, bool) for b in raw["has_grad"] + (raw["step_held"] or [])) or not all(
            b is None or (isinstance(b, (int, float)) and not isinstance(b, bool))
            for b in raw["grad_before"]):
        raise protocol.ProtocolError("trace: grad flags are malformed")
    if raw["call"] < 0 or raw["steps"] < 0:
        raise protocol.ProtocolError("trace: negative counters")
    versions = _versions(raw.get("versions"), count)
    split = np.cumsum(sizes)[:-1] if sizes else []
    return Sample(call=raw["call"], loss=raw["loss"], steps=raw["steps"], optimizer=raw["optimizer"],
                  lr=raw["lr"], names=tuple(_name(n, i) for i, n in enumerate(raw["names"])),
                  shapes=tuple(shapes),
                  values=tuple(np.split(values, split)) if values.size else (),
                  grads=tuple(np.split(grads, split)) if grads.size else (),
                  has_grad=tuple(raw["has_grad"]), grad_before=tuple(raw["grad_before"]),
                  data=_data(raw["data"]),
                  step_held=None if raw["step_held"] is None else tuple(raw["step_held"]),
                  step_grad=raw["step_grad"], versions=versions)


def _versions(raw: Any, count: int) -> tuple[int, ...] | None:
    """The parameters' version counters: one non-negative int each (None: not sent)."""
    if raw is None:
        return None
    if len(raw) != count or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                    for v in raw):
        raise protocol.ProtocolError("trace: version counters are malformed")
    return tuple(raw)


def parse_trace(message: dict[str, Any]) -> Trace:
    """Validate a ``trace`` message; raises :class:`protocol.ProtocolError` on anything odd."""
    protocol.expect(message, {"unit": "str", "calls": "int", "steps": "int", "optimizers": "list",
                              "samples": "list", "truncated": "bool", "declared_rates": "dict"})
    rates = {k: float(v) for k, v in list(message["declared_rates"].items())[:16]
             if isinstance(k, str) and len(k) < 40 and isinstance(v, (int, float))
             and not isinstance(v, bool) and math.isfinite(v) and v > 0}
    optimizers = []
    for raw in message["optimizers"][:32]:
        if not isinstance(raw, dict):
            raise protocol.ProtocolError("trace: an optimizer entry is not an object")
        entry = protocol.expect({"type": "optimizer", **raw}, OPTIMIZER_SCHEMA)
        entry["hyperparameters"] = {
            k: v for k, v in entry["hyperparameters"].items()
            if isinstance(k, str) and len(k) < 40 and (isinstance(v, (int, float, bool)) or (
                isinstance(v, list) and len(v) <= 4 and all(isinstance(x, (int, float)) for x in v)))}
        optimizers.append(entry)
    samples = [_sample(raw) for raw in message["samples"]]
    calls = [s.call for s in samples]
    if calls != sorted(set(calls)) or (calls and calls[-1] >= message["calls"]):
        raise protocol.ProtocolError("trace: sample call numbers are not increasing")
    return Trace(message["unit"], message["calls"], message["steps"],
                 [{k: v for k, v in o.items() if k != "type"} for o in optimizers], samples,
                 message["truncated"], rates)
