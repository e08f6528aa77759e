"""Which recorded training a network went through: its torch stream or the loop that changed it.

A network earns training points only where the grader saw it trained: a recorded stream of
backward() calls over its parameters (:mod:`grader.tracedata`), a loop whose sampled
iterations changed its arrays and reproduce what the code computed (:mod:`grader.evidence`),
or at least a loop that changed its arrays over several iterations. Weights set by hand,
fitted by another library or loaded from a file show none of these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.candidates import Candidate
from grader.checks.autograd_graph import unreached
from grader.context import GradingContext
from grader.evidence import _gradient_named
from grader.tracedata import Stream, Trace

MIN_CHANGES = 2   # sampled iterations that must change a network's arrays to count as training


@dataclass(frozen=True)
class Traced:
    trace: Trace
    stream: Stream
    earliest_start: int  # the first call the training loop can have started at


def _belongs(stream: Stream, candidate: Candidate) -> bool:
    keys = set(candidate.keys)
    return bool(stream.names) and all(
        name in keys or name.startswith((f"{candidate.name}.", f"{candidate.name}["))
        for name in stream.names)


def _held_elsewhere(stream: Stream, candidate: Candidate) -> Stream | None:
    """The stream under the module's own names, when it trained this module under another path
    (an object's attribute) and its last recorded values are the module's, one step before."""
    names = candidate.data.get("param_names")
    if candidate.data.get("origin") != "module" or not names or len(names) != len(stream.names):
        return None
    renamed = []
    for name in stream.names:
        own = next((n for n in names if name.endswith("." + n)), None)
        if own is None:
            return None
        renamed.append(f"{candidate.name}.{own}")
    last = next((s for s in reversed(stream.samples) if s.values), None)
    if last is None or len(set(renamed)) != len(renamed):
        return None
    mine = np.sort(np.concatenate([np.ravel(w) for w in candidate.data["weights"]]))
    theirs = np.sort(np.concatenate([v for v, n in zip(last.values, stream.names)
                                     if n.endswith("weight")]))
    if mine.shape != theirs.shape or np.linalg.norm(mine - theirs) > 0.05 * np.linalg.norm(mine):
        return None
    return Stream(tuple(renamed), stream.shapes, stream.samples)


def traced(ctx: GradingContext, target_id: str) -> tuple[Candidate, Traced | None]:
    """The chosen network and the longest recorded training stream over its parameters."""
    candidate = ctx.find(target_id)
    trace = ctx.record.traces.get(candidate.unit)
    if trace is None:
        return candidate, None
    streams = trace.streams()
    matching = [i for i, stream in enumerate(streams) if _belongs(stream, candidate)]
    if not matching:  # the model was held elsewhere while it trained (``trainer.model``)
        for i, stream in enumerate(streams):
            renamed = _held_elsewhere(stream, candidate)
            if renamed is not None:
                streams[i] = renamed
                matching.append(i)
    if not matching:
        return candidate, None
    index = max(matching, key=lambda i: len(streams[i].samples))
    earliest = streams[index - 1].samples[-1].call + 1 if index else 0
    return candidate, Traced(trace, streams[index], earliest)



def unreached_parameters(candidate: Candidate, stream: Stream) -> list[str]:
    """An nn.Module's parameters (its own names) that no recorded backward() call of its
    training reached (none for other networks)."""
    if candidate.data.get("origin") != "module":
        return []
    return unreached(candidate.data.get("param_names") or [], stream.names)


def _owned(path: str, candidate: Candidate) -> bool:
    keys = set(candidate.keys)
    return path in keys or any(path.startswith((f"{k}.", f"{k}[")) for k in keys)


def training_seen(ctx: GradingContext, candidate: Candidate, target_id: str) -> str | None:
    """How the grader saw this network trained, or None when it saw no training at all."""
    found = candidate.data.get("found")
    if found is not None:
        return found.evidence
    _, stream = traced(ctx, target_id)
    if stream is not None:
        return f"{len(stream.stream.samples)} recorded backward() calls over its parameters"
    trace = ctx.record.loops.get(candidate.unit)
    for loop in trace.loops if trace else []:
        changes = sum(1 for sample in loop.samples[1:]
                      if sample.inside and any(_owned(p, candidate) for p in sample.arrays))
        if changes >= MIN_CHANGES:
            return f"{loop.where} changed its arrays in {changes} sampled iterations"
    return None


def reshaped_biases(ctx: GradingContext) -> list[tuple[str, str, tuple[int, ...], tuple[int, ...]]]:
    """(unit, path, shape before, shape after) of vectors a training loop turned into matrices:
    a bias ``(n, 1)`` that became ``(n, m)`` got a gradient summed over the wrong axis, which
    broadcasting turned into one bias per sample."""
    found = []
    for unit, trace in sorted(ctx.record.loops.items()):
        for loop in trace.loops:
            first = loop.samples[0] if loop.samples else None
            if first is None or not first.start:
                continue
            for path, array in first.arrays.items():
                if array.ndim > 2 or (array.ndim == 2 and min(array.shape) != 1) or array.size < 2:
                    continue
                if _gradient_named(path):  # a dZ of the last, smaller mini-batch is no bias
                    continue
                later = next((s.arrays[path] for s in loop.samples[1:] if path in s.arrays), None)
                if later is not None and later.ndim == 2 and min(later.shape) > 1 \
                        and array.size in later.shape:
                    found.append((unit, path, tuple(array.shape), tuple(later.shape)))
    return found


def any_training(ctx: GradingContext) -> bool:
    """Whether anything in the submission was trained: a backward() call, or a loop that changed
    the same array in several sampled iterations."""
    if any(trace.calls for trace in ctx.record.traces.values()):
        return True
    for trace in ctx.record.loops.values():
        for loop in trace.loops:
            counts: dict[str, int] = {}
            for sample in loop.samples[1:]:
                if sample.inside:
                    for path, array in sample.arrays.items():
                        if array.size > 1:
                            counts[path] = counts.get(path, 0) + 1
            if any(n >= MIN_CHANGES for n in counts.values()):
                return True
    return False
