"""Record what the student's training actually did, as data: sampled ``backward()`` calls and optimizer steps.

Runs inside the sandbox while the student's cells execute. ``torch.autograd.backward`` (which
``Tensor.backward`` calls) and ``torch.autograd.grad`` are wrapped; most calls pass straight through (a counter and one comparison), and a sample of
them is recorded: every call early on, then pairs of consecutive calls, ``PAIRS_PER_OCTAVE``
pairs per doubling of the call count, so 20,000 epochs give a few hundred samples. A
recorded call notes the loss, every leaf tensor the loss depends on (its value before the
call and its ``.grad`` after), whether that ``.grad`` already held a non-zero value (never
reset), the optimizer steps taken so far and the learning rate in force, and for the steps
taken just before it which of its leaves the stepped optimizers held and whether any of their
parameters had a non-zero gradient at step() (zero_grad() between backward() and step()), and
each leaf's version counter (in-place writes such as ``w.sub_(...)``, not through ``.data``). Leaf
tensors are named after the student's globals where one holds them (``W1``, ``model.0.weight``,
``params['W1']``). Optimizer steps are counted with torch's global step hook, with each
optimizer's class and hyperparameters.

The grader (outside) pairs consecutive samples to judge each update; nothing here judges.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.protocol import MAX_TRACE_DATA_ARRAYS, MAX_TRACE_DATA_ELEMENTS

HEAD = 40                # calls below this are all recorded
PAIRS_PER_OCTAVE = 16    # then this many consecutive pairs per doubling of the call count
MAX_SAMPLES = 1000
MAX_ELEMENTS = 50_000    # parameter values recorded per sample (beyond: norms only)
MAX_GRAPH_NODES = 5_000
MAX_STEP_PARAMETERS = 1_000  # an optimizer's parameters looked at in one observed step
RATE_NAMES = ("lr", "learning_rate", "learningrate", "alpha", "eta", "step_size", "LR",
              "LEARNING_RATE", "lr_fixed", "learning_rate_fixed")
HYPERPARAMETERS = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps",
                   "maximize", "alpha", "centered")


def is_sampled(call: int) -> bool:
    """Whether backward call number ``call`` (from 0) is recorded."""
    if call < HEAD:
        return True
    stride = max(2, (1 << (call.bit_length() - 1)) // PAIRS_PER_OCTAVE)
    return call % stride < 2


def next_sampled(call: int) -> int:
    """The first recorded call number at or after ``call`` (strides are powers of two)."""
    if is_sampled(call):
        return call
    stride = max(2, (1 << (call.bit_length() - 1)) // PAIRS_PER_OCTAVE)
    return call - call % stride + stride


def carries_data(index: int) -> bool:
    """Whether the ``index``-th recorded call of one training (from 0) records its data."""
    return index < 2 or index & (index - 1) == 0


def _hyperparameters(optimizer: Any) -> dict[str, Any]:
    group = optimizer.param_groups[0] if optimizer.param_groups else {}
    found: dict[str, Any] = {}
    for key in HYPERPARAMETERS:
        value = group.get(key)
        if isinstance(value, bool) or (isinstance(value, (int, float)) and np.isfinite(value)):
            found[key] = value if isinstance(value, bool) else float(value)
        elif isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
            found[key] = [float(v) for v in value]
    return found


def _finite(value: float) -> float | None:
    """JSON carries no NaN or infinity: such a value travels as None."""
    return value if np.isfinite(value) else None


def _safely(record: Callable[[Callable[[], Any]], Any], run: Callable[[], Any]) -> Any:
    """``record(once)`` where ``once`` runs the student's gradient computation ``run``; if the
    trace's own reading fails (tensors it cannot read, such as ``torch.func``'s wrapped ones),
    the computation still runs exactly once and its result or error is the student's."""
    outcome: list[tuple[bool, Any]] = []

    def once() -> Any:
        try:
            outcome.append((True, run()))
        except Exception as error:
            outcome.append((False, error))
            raise
        return outcome[-1][1]

    try:
        return record(once)
    except Exception as failure:  # noqa: BLE001 - the trace never breaks the student's code
        if not outcome:
            return run()
        ok, value = outcome[0]
        if ok:
            return value
        if value is failure:
            raise
        raise value  # noqa: B904 - the student's own error, as their code raised it


class TrainingTrace:
    """Wraps ``Tensor.backward`` and hooks optimizer steps while one unit runs."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch
        self.namespace: dict[str, Any] = {}
        self.calls = 0
        self._next = 0  # the next call number to record
        self._origin = 0  # the first recorded call of the newest stream: sampling counts from it
        self._seen: set[str] = set()
        self._known: set[int] = set()  # ids of the parameters recorded calls trained
        self._last_new = -HEAD - 1      # the call at which a new model was last seen
        self._probe: Any = None  # the first parameter of the last recorded call
        self.steps = 0
        self.samples: list[dict[str, Any]] = []
        self.optimizers: list[dict[str, Any]] = []
        self._optimizer_index: dict[int, int] = {}
        self._last_optimizer: int | None = None
        self._last_lr: Any = None
        self._stream: tuple[Any, int] = ((), 0)  # (names and shapes, samples so far) of this training
        # what the steps before the next recorded call saw: (that call, ids held, any gradient)
        self._step_seen: tuple[int, set[int], bool] | None = None
        self.recording_seconds = 0.0  # time spent recording (the student's backward excluded)
        self._original = torch.autograd.backward
        self._original_grad = torch.autograd.grad
        self._name_cache: tuple[tuple[int, ...], list[Any], list[str | None]] | None = None
        self._hook: Any = None

    # --- installing -------------------------------------------------------------------------
    def install(self, namespace: dict[str, Any]) -> None:
        """Wrap ``torch.autograd.backward`` (which ``Tensor.backward`` calls) and
        ``torch.autograd.grad``: every way of taking gradients with autograd passes one of them."""
        self.namespace = namespace
        original, original_grad, trace = self._original, self._original_grad, self

        @functools.wraps(original)
        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            call = trace.calls
            trace.calls = call + 1
            run = functools.partial(original, tensors, *args, **kwargs)
            if call < trace._next:  # the hot path: no recording, so no _safely around it
                return trace._watched(call, tensors, run)
            if not trace._single(tensors):
                return run()
            trace._next = trace._after(call)
            result = _safely(lambda once: trace._record(call, trace._first(tensors), once, None), run)
            trace._next = trace._after(call)  # a new stream restarts the sampling (see _record)
            return result

        @functools.wraps(original_grad)
        def grad(outputs: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            call = trace.calls
            trace.calls = call + 1
            if not trace._single(outputs) or call < trace._next and not trace._new_inputs(inputs):
                return original_grad(outputs, inputs, *args, **kwargs)
            trace._next = trace._after(call)
            leaves = [inputs] if isinstance(inputs, trace.torch.Tensor) else list(inputs)
            result = _safely(lambda once: trace._record(call, trace._first(outputs), once, leaves),
                             functools.partial(original_grad, outputs, inputs, *args, **kwargs))
            trace._next = trace._after(call)
            return result

        self.torch.autograd.backward = backward
        self.torch.autograd.grad = grad
        from torch.optim.optimizer import register_optimizer_step_post_hook  # noqa: PLC0415

        self._hook = register_optimizer_step_post_hook(self._on_step)

    def _first(self, tensors: Any) -> Any:
        return tensors if isinstance(tensors, self.torch.Tensor) else tensors[0]

    def _single(self, tensors: Any) -> bool:
        """One scalar loss (several outputs at once pass through unrecorded)."""
        if isinstance(tensors, (list, tuple)) and len(tensors) == 1:
            tensors = tensors[0]
        return isinstance(tensors, self.torch.Tensor) and tensors.numel() == 1

    def _after(self, call: int) -> float:
        """The next call to record (none once the sample budget is spent), counted from the
        first recorded call of the current stream: a second model trained after the first gets
        its own run of consecutive calls."""
        if len(self.samples) >= MAX_SAMPLES - 1:
            return float("inf")
        return self._origin + next_sampled(call + 1 - self._origin)

    def uninstall(self) -> None:
        """Put torch back as it was (before the grader's probes run)."""
        self.torch.autograd.backward = self._original
        self.torch.autograd.grad = self._original_grad
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    # --- recording --------------------------------------------------------------------------
    def _on_step(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        self.steps += 1
        index = self._optimizer_index.get(id(optimizer))
        if index is None:
            index = self._optimizer_index[id(optimizer)] = len(self.optimizers)
            self.optimizers.append({"class": type(optimizer).__name__,
                                    "module": type(optimizer).__module__,
                                    "hyperparameters": _hyperparameters(optimizer),
                                    "steps": 0, "first_call": self.calls})
        self.optimizers[index]["steps"] += 1
        self._last_optimizer = index
        self._last_lr = optimizer.param_groups[0].get("lr") if optimizer.param_groups else None
        if self.calls >= self._next:  # the next backward() call is recorded: note what step() saw
            try:
                self._observe_step(optimizer)
            except Exception:  # noqa: BLE001 - an odd optimizer is simply not observed
                self._step_seen = None

    def _observe_step(self, optimizer: Any) -> None:
        """Which parameters this step held and whether any had a non-zero gradient (the hook
        runs after step(), which leaves ``.grad`` as it found it)."""
        params = [p for group in optimizer.param_groups for p in group.get("params", ())
                  if isinstance(p, self.torch.Tensor)][:MAX_STEP_PARAMETERS]
        with self.torch.no_grad():
            saw = any(p.grad is not None and bool(p.grad.ne(0).any()) for p in params)
        seen = self._step_seen
        if seen is None or seen[0] != self.calls:
            seen = (self.calls, set(), False)
        seen[1].update(id(p) for p in params)
        self._step_seen = (self.calls, seen[1], seen[2] or saw)

    def _steps_before(self, call: int, leaves: list[Any]) -> tuple[list[bool] | None, bool | None]:
        """For the steps observed since the previous backward() call: which leaves they held,
        and whether they saw a gradient (None, None: no step observed)."""
        seen, self._step_seen = self._step_seen, None
        if seen is None or seen[0] != call:
            return None, None
        return [id(p) in seen[1] for p in leaves], seen[2]

    def _watched(self, call: int, tensors: Any, run: Any) -> Any:
        """An unrecorded ``backward()``: run it, and if it did not reach the last recorded
        call's first parameter (its ``.grad`` neither replaced nor added to), look whether it
        trains a new model, whose next call is then recorded. A model that keeps training costs
        two attribute reads per call; the graph is walked only when something else trained."""
        probe = self._probe
        grad = None if probe is None else probe.grad
        version = -1 if grad is None else grad._version
        result = run()
        try:
            if probe is None or probe.grad is grad and (grad is None or grad._version == version):
                if self._single(tensors) and self._new_model(tensors):
                    self._next = call + 1
        except Exception:  # noqa: BLE001,S110 - a graph the trace cannot walk is not looked at
            pass
        return result

    def _throttled(self) -> bool:
        """No new model is looked for now: the budget is spent, or one was seen lately (tensors
        re-created every step look new each time: look now and then)."""
        return len(self.samples) >= MAX_SAMPLES - 1 or self.calls - self._last_new <= HEAD

    def _new_inputs(self, inputs: Any) -> bool:
        """Whether ``torch.autograd.grad`` is asked for the gradient of parameters no recorded
        call touched (its inputs name them: no graph to walk)."""
        if self._throttled():
            return False
        first = inputs if isinstance(inputs, self.torch.Tensor) else \
            next(iter(inputs), None) if isinstance(inputs, (list, tuple)) else None
        if first is None or id(first) in self._known:
            return False
        self._last_new = self.calls
        return True

    def _new_model(self, tensors: Any) -> bool:
        """Whether this loss trains parameters no recorded call touched (a second model's
        training starts: its calls are recorded from the next one, not left to the sampling).
        Only the graph's first parameter is looked for."""
        if self._throttled():
            return False
        node = getattr(self._first(tensors), "grad_fn", None)
        for _ in range(64):
            if node is None:
                return False
            variable = getattr(node, "variable", None)
            if variable is not None:
                if id(variable) in self._known:
                    return False
                self._last_new = self.calls
                return True
            nexts = [fn for fn, _ in node.next_functions if fn is not None]
            node = nexts[0] if nexts else None
        return False

    def _leaves(self, tensor: Any) -> list[Any]:
        found, seen, stack = [], set(), [tensor.grad_fn]
        while stack and len(seen) < MAX_GRAPH_NODES:
            node = stack.pop()
            if node is None or node in seen:
                continue
            seen.add(node)
            variable = getattr(node, "variable", None)
            if variable is not None:
                found.append(variable)
                continue
            stack.extend(reversed([fn for fn, _ in node.next_functions]))
        return found

    def _saved_data(self, tensor: Any) -> list[np.ndarray]:
        """Tensors the graph saved that need no gradient (inputs, targets), as float64 copies."""
        torch, found, seen, kept = self.torch, [], set(), set()
        stack, total = [tensor.grad_fn], 0
        while stack and len(seen) < MAX_GRAPH_NODES and len(found) < MAX_TRACE_DATA_ARRAYS:
            node = stack.pop()
            if node is None or node in seen:
                continue
            seen.add(node)
            for attr in dir(node):
                if not attr.startswith("_saved_"):
                    continue
                try:
                    value = getattr(node, attr)
                except Exception:  # noqa: BLE001,S112 - a saved value that cannot be read is skipped
                    continue
                if not isinstance(value, torch.Tensor) or value.requires_grad or \
                        not value.is_floating_point() or not 1 <= value.dim() <= 2 or value.numel() < 1:
                    continue
                key = (value.data_ptr(), tuple(value.shape), tuple(value.stride()))
                if key in kept or total + value.numel() > MAX_TRACE_DATA_ELEMENTS:
                    continue
                kept.add(key)
                total += value.numel()
                found.append(value.detach().cpu().double().numpy().copy())
            stack.extend(reversed([fn for fn, _ in node.next_functions]))
        return found

    def _names(self, leaves: list[Any]) -> list[str | None]:
        """Each leaf's name among the student's globals (reused while the leaves stay the same)."""
        key = tuple(id(p) for p in leaves)
        if self._name_cache is not None and self._name_cache[0] == key \
                and all(a is b for a, b in zip(self._name_cache[1], leaves)):
            return list(self._name_cache[2])
        names = self._find_names(leaves)
        if all(name is not None for name in names):  # an unnamed leaf may get a name later
            self._name_cache = (key, list(leaves), names)
        return list(names)

    def _find_names(self, leaves: list[Any]) -> list[str | None]:
        torch, wanted = self.torch, {id(p) for p in leaves}
        names: dict[int, str] = {}

        def note(value: Any, name: str) -> None:
            if isinstance(value, torch.Tensor) and id(value) in wanted:
                names.setdefault(id(value), name)

        items = [(k, v) for k, v in list(self.namespace.items()) if not k.startswith("_")]
        # a model's own name before a trainer object's attribute that holds the same model
        items.sort(key=lambda kv: not isinstance(kv[1], (torch.nn.Module, torch.Tensor)))
        for var, value in items:
            try:
                if isinstance(value, torch.nn.Module):
                    for pname, parameter in value.named_parameters():
                        note(parameter, f"{var}.{pname}")
                elif isinstance(value, dict):
                    for key, item in list(value.items())[:64]:
                        note(item, f"{var}[{key!r}]")
                elif isinstance(value, (list, tuple)):
                    for i, item in enumerate(value[:64]):
                        note(item, f"{var}[{i}]")
                elif isinstance(value, torch.Tensor):
                    note(value, var)
                elif not isinstance(value, type) and hasattr(value, "__dict__"):
                    for attr, item in list(vars(value).items())[:64]:
                        if isinstance(item, torch.nn.Module):  # a trainer holding its model
                            for pname, parameter in item.named_parameters():
                                note(parameter, f"{var}.{attr}.{pname}")
                        else:
                            note(item, f"{var}.{attr}")
            except Exception:  # noqa: BLE001,S112 - an odd student object is simply not a name
                continue
        return [names.get(id(p)) for p in leaves]

    def _record(self, call: int, tensor: Any, run: Any, inputs: list[Any] | None) -> Any:
        """Record one gradient computation around ``run`` (``inputs``: those of autograd.grad)."""
        started = time.perf_counter()
        if inputs is not None:
            leaves = [p for p in inputs if isinstance(p, self.torch.Tensor)]
        else:
            leaves = self._leaves(tensor) if getattr(tensor, "grad_fn", None) is not None else []
        names = self._names(leaves)
        held, step_grad = self._steps_before(call, leaves)
        order = sorted(range(len(leaves)), key=lambda i: (names[i] is None, names[i] or "", i))
        leaves, names = [leaves[i] for i in order], [names[i] for i in order]
        held = None if held is None else [held[i] for i in order]
        position = {id(p): i for i, p in enumerate(inputs or [])}
        shapes = [list(p.shape) for p in leaves]
        key, index = self._stream
        index = index + 1 if key == (names, shapes) else 0
        self._stream = ((names, shapes), index)
        self._known.update(id(p) for p in leaves)
        self._probe = leaves[0] if leaves and inputs is None else None
        if index == 0 and repr(key := (names, shapes)) not in self._seen:
            self._seen.add(repr(key))  # a model never seen before (not one trained in turns)
            self._origin = call
        versions = [int(p._version) for p in leaves]  # in-place writes so far (p.sub_(...))
        with self.torch.no_grad():
            before = [0.0 if p.grad is None else _finite(float(p.grad.detach().abs().max()))
                      for p in leaves]
            elements = sum(p.numel() for p in leaves)
            keep = elements <= MAX_ELEMENTS
            values = [p.detach().cpu().double().numpy().ravel().copy() for p in leaves] if keep else []
            data = self._saved_data(tensor) if keep and leaves and carries_data(index) else []
        paused = time.perf_counter()
        result = run()
        resumed = time.perf_counter()
        with self.torch.no_grad():
            if inputs is not None:  # autograd.grad returns the gradients; .grad is left alone
                given = [result[position[id(p)]] for p in leaves]
            else:
                given = [p.grad for p in leaves]
            grads = [np.zeros(p.numel()) if g is None else
                     g.detach().cpu().double().numpy().ravel().copy()
                     for p, g in zip(leaves, given)] if keep else []
            loss = float(tensor.detach().double()) if tensor.numel() == 1 else None
        self.samples.append({
            "call": call, "loss": None if loss is None else _finite(loss),
            "steps": self.steps, "optimizer": self._last_optimizer,
            "lr": self._current_lr(), "names": names,
            "shapes": shapes, "data": data,
            "values": np.concatenate(values) if values else np.zeros(0),
            "grads": np.concatenate(grads) if grads else np.zeros(0),
            "has_grad": [g is not None for g in given],
            "grad_before": before, "step_held": held, "step_grad": step_grad,
            "versions": versions})
        self.recording_seconds += (paused - started) + (time.perf_counter() - resumed)
        return result

    def _current_lr(self) -> float | None:
        lr = self._last_lr
        return _finite(float(lr)) if isinstance(lr, (int, float)) else None

    def declared_rates(self) -> dict[str, float]:
        """Learning rates the student named at top level (for hand-written updates)."""
        found = {}
        for name in RATE_NAMES:
            value = self.namespace.get(name)
            if type(value) in (int, float) and np.isfinite(value) and value > 0:
                found[name] = float(value)
        return found

    def message(self, unit: str) -> dict[str, Any]:
        """The ``trace`` message for this unit (arrays travel as .npy)."""
        return {"type": "trace", "unit": unit, "calls": self.calls, "steps": self.steps,
                "optimizers": self.optimizers, "samples": self.samples,
                "declared_rates": self.declared_rates(),
                "truncated": len(self.samples) >= MAX_SAMPLES}


def start(namespace: dict[str, Any]) -> TrainingTrace | None:
    """A trace installed for one unit, or None where torch is not loaded."""
    import sys  # noqa: PLC0415

    torch = sys.modules.get("torch")
    if torch is None:
        return None
    trace = TrainingTrace(torch)
    trace.install(namespace)
    return trace
