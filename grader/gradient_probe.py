"""Check a hand-written backward pass against autograd on parameters and data the grader draws.

The student's ``forward``/``backward`` (functions, or methods of their network object)
are called in the sandbox on random parameters shaped like theirs and on a random batch.
Their outputs tell the grader the activations; their returned gradients (a dict such as
``grads['dW1']``, a list, or attributes like ``self.dW1``) are matched to parameters by
name, then by shape. The expected gradients come from torch autograd in float64 for the
standard mean losses; the loss whose output-layer gradient fits best is the one compared.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import numpy as np

from grader import netmath
from grader.gradient_hypotheses import hypotheses
from grader.candidates import Candidate
from grader.checks.gradients import compare_gradients
from grader.context import GradingContext, Missing
from grader.networks import MATCH_TOLERANCE
from grader.rubric import CheckSpec
from grader.verdict import Verdict, failed

_PREFIX = re.compile(r"^(?:grads?|delta|d)(?=[wb])")


def _normal(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _grad_key(key: str) -> str:
    return _PREFIX.sub("", _normal(key))


def _flatten(value: Any) -> list[tuple[str, np.ndarray]]:
    if isinstance(value, np.ndarray):
        return [("", value)]
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items() if isinstance(v, np.ndarray)] + [
            item for v in value.values() if isinstance(v, (list, dict)) for item in _flatten(v)]
    if isinstance(value, list):
        return [item for v in value for item in _flatten(v)]
    return []


def match_gradients(returned: Any, attributes: dict[str, np.ndarray] | None,
                    params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The student's gradient for each parameter key, matched by name first, then by shape."""
    found = _flatten(returned)
    if attributes:
        found += [(k, v) for k, v in attributes.items() if _PREFIX.match(_normal(k))]
    matched: dict[str, np.ndarray] = {}
    used: set[int] = set()
    for key in params:
        for index, (name, array) in enumerate(found):
            if index not in used and name and _grad_key(name) == _normal(key) \
                    and _normal(name) != _normal(key):
                matched[key] = array
                used.add(index)
                break
    for key, param in params.items():
        if key in matched:
            continue
        for index, (name, array) in enumerate(found):
            if index not in used and not name and array.size == param.size and (
                    array.shape == param.shape or sorted(array.shape) == sorted(param.shape)):
                matched[key] = array
                used.add(index)
                break
    return matched


def _pick_method(methods: list[str], patterns: tuple[str, ...]) -> str | None:
    for pattern in patterns:
        for method in methods:
            if fnmatch.fnmatchcase(method.lower(), pattern.lower()):
                return method
    return None


def _call(ctx: GradingContext, check: CheckSpec, network: Candidate, params: dict[str, np.ndarray],
          X: np.ndarray, Y: np.ndarray) -> dict[str, Any]:
    assert ctx.session is not None
    args = {"X": X, "Y": Y, "params": params}
    if network.data["container"] == "instance":
        methods = network.data.get("methods", [])
        forward = _pick_method(methods, ctx.rubric.targets[check.params["forward"]].names)
        backward = _pick_method(methods, ctx.rubric.targets[check.params["backward"]].names)
        if forward is None or backward is None:
            raise Missing(f"{network.name} has no forward and backward methods (it has: "
                          f"{', '.join(methods) or 'none'})")
        return ctx.session.probe("instance_backprop", network.probe_target, attrs=params,
                                 args={"X": X, "Y": Y}, forward=forward, backward=backward)
    forward = ctx.find(check.params["forward"])
    backward = ctx.find(check.params["backward"])
    return ctx.session.probe("forward_backward", forward.probe_target,
                             backward=backward.probe_target, args=args)


def backward_gradients(check: CheckSpec, ctx: GradingContext) -> Verdict:
    network = ctx.find(check.params["network"])
    if ctx.session is None:
        raise Missing("the functions can no longer be called")
    data = network.data
    column = data["convention"] == "column"
    rng = ctx.rng(f"backward:{check.id}")
    batch = int(check.params.get("batch", 8))
    originals = {k: np.asarray(v, dtype=np.float64) for k, v in data["student_arrays"].items()}
    # Globals cannot be swapped from outside a function's closure: keep the trained values there.
    params = originals if data["container"] == "globals" else {
        k: rng.normal(0.0, 1.0, v.shape) for k, v in originals.items()}
    sizes = data["sizes"]
    X = rng.normal(0.0, 1.0, (batch, sizes[0]))
    Y = (rng.uniform(size=(batch, sizes[-1])) < 0.5).astype(np.float64)
    value = _call(ctx, check, network, params, X.T.copy() if column else X, Y.T.copy() if column else Y)

    weights = [params[k].T if column else params[k] for k in data["weight_keys"]]
    biases = [netmath.normalize_bias(params[k], w.shape[1]) if k else np.zeros(w.shape[1])
              for k, w in zip(data["bias_keys"], weights)]
    output = value.get("output")
    output = output[0] if isinstance(output, list) and output else output
    if not isinstance(output, np.ndarray) or output.size != batch * sizes[-1]:
        return failed("Your forward function did not return the network's output for the grader's "
                      "batch, so the backward pass could not be checked.")
    observed = (output.T if column and output.ndim == 2 else output).reshape(batch, -1)
    acts, error = netmath.infer_activations(weights, biases, X, observed)
    if error > MATCH_TOLERANCE * max(1.0, float(np.max(np.abs(observed)))):
        return failed("Your forward pass does not compute a standard network (no combination of "
                      "sigmoid, tanh, ReLU or identity reproduces its output), so the grader cannot "
                      "tell which gradients to expect.", max_output_error=error)
    student = match_gradients(value.get("grads"), value.get("attributes"), params)
    losses = ["bce_logits", "mse", "half_mse"] if acts[-1] == "identity" else ["bce", "mse", "half_mse"]
    best: tuple[float, str, list[tuple[str, np.ndarray]]] | None = None
    last_key = data["weight_keys"][-1]
    for loss in losses:
        expected = _expected(weights, biases, acts, X, Y, loss, data, params, column)
        mine = student.get(last_key)
        target = dict(expected)[last_key]
        score = (netmath.relative_error(np.asarray(mine).reshape(target.shape), target)
                 if mine is not None and np.asarray(mine).size == target.size else float("inf"))
        if best is None or score < best[0]:
            best = (score, loss, expected)
    assert best is not None
    pairs = [(key, student.get(key)) for key, _ in best[2]]
    known = [(diagnosis, _as_pairs(grads, data, params, column))
             for diagnosis, grads in hypotheses(weights, biases, acts, X, Y, best[1])]
    verdict = compare_gradients(pairs, best[2], rtol=float(check.params.get("rtol", 1e-5)),
                                batch_size=batch, hypotheses=known)
    return Verdict(verdict.status, verdict.message,
                   {**verdict.details, "activations": list(acts), "loss": best[1],
                    "batch_size": batch, "functions": "methods" if data["container"] == "instance"
                    else "functions"}, verdict.fraction)


def _expected(weights: list[np.ndarray], biases: list[np.ndarray], acts: tuple[str, ...],
              X: np.ndarray, Y: np.ndarray, loss: str, data: dict[str, Any],
              params: dict[str, np.ndarray], column: bool) -> list[tuple[str, np.ndarray]]:
    return _as_pairs(netmath.gradients(weights, biases, acts, X, Y, loss), data, params, column)


def _as_pairs(grads: list[tuple[np.ndarray, np.ndarray]], data: dict[str, Any],
              params: dict[str, np.ndarray], column: bool) -> list[tuple[str, np.ndarray]]:
    """Per-layer (dW, db) as (student's key, gradient in the student's layout) pairs."""
    pairs: list[tuple[str, np.ndarray]] = []
    for (dW, db), w_key, b_key in zip(grads, data["weight_keys"], data["bias_keys"]):
        pairs.append((w_key, dW.T.copy() if column else dW))
        if b_key:
            pairs.append((b_key, db.reshape(params[b_key].shape)))
    return pairs
