"""Decide how to evaluate a student's network in the grader, and say how it was decided.

A network candidate carries its weights. Its activations are known when the
``nn.Module`` registers them as layers; otherwise they are inferred by comparing the
grader's own forward pass with outputs the student's code produced: the model called on
inputs the grader drew after the run, or the student's ``forward``/``predict`` function.
Where nothing can be observed, the lab's stated architecture (sigmoid) is assumed and
the result says so. A module whose forward pass is not a plain Linear chain is
evaluated by calling it in the sandbox, and that is said too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import netmath
from grader.candidates import Candidate
from grader.launcher import ProbeError, SandboxSession
from grader.weight_chains import recorded_pairs

MATCH_TOLERANCE = 1e-4  # float32 models evaluated in float64
RECORDED_TOLERANCE = 1e-2  # outputs the student kept may predate the very last update
ASSUMED = ("sigmoid",)
FORWARD_NAMES = ("forward", "predict", "predict_proba", "forward_propagation", "forward_pass",
                 "model", "net")


class InputIgnored(ProbeError):
    """The model's output does not follow the inputs it is given (e.g. forward() uses the training X)."""


@dataclass
class ResolvedNetwork:
    """A network the grader can evaluate, with the story of how it got there."""

    candidate: Candidate
    activations: tuple[str, ...] | None
    activation_source: str
    output_kind: str  # "probability" | "logit"
    session: SandboxSession | None = None
    call_problem: str | None = None  # why the student's own model cannot be used on new inputs

    @property
    def weights(self) -> list[np.ndarray]:
        return self.candidate.data["weights"]

    @property
    def biases(self) -> list[np.ndarray]:
        return self.candidate.data["biases"]

    @property
    def in_grader(self) -> bool:
        return self.activations is not None

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """Outputs on X (rows are samples): computed by the grader, or by the sandboxed model."""
        if self.activations is not None:
            return netmath.forward(self.weights, self.biases, self.activations, X)
        if self.session is None:
            raise ProbeError("the network cannot be evaluated")
        value = self.session.probe("module_forward", self.candidate.probe_target, X=X)
        output = np.asarray(value["output"], dtype=np.float64)
        n_out = self.candidate.data["sizes"][-1]
        if output.size != len(X) * n_out:
            raise InputIgnored(
                f"called on {len(X)} inputs drawn by the grader, the model returned "
                f"{output.size // max(1, n_out)} outputs, so its predictions do not depend on the "
                "input it is given: forward(self, x) must compute from its argument x, not from "
                "the training data (X) or stored values")
        return output.reshape(len(X), -1)

    def describe(self) -> dict[str, Any]:
        return {"network": self.candidate.label, "activations": list(self.activations or []),
                "activation_source": self.activation_source, "output_kind": self.output_kind,
                "evaluated_by": "grader" if self.in_grader else "the submission's own model"}


def probe_inputs(rng: np.random.Generator, n_inputs: int, rows: int = 64) -> np.ndarray:
    return rng.uniform(-2.0, 2.0, size=(rows, n_inputs))


def _max_error(a: np.ndarray, b: np.ndarray) -> float:
    if a.size != b.size:
        return float("inf")
    error = float(np.max(np.abs(a.reshape(-1) - b.reshape(-1)), initial=0.0))
    return error if np.isfinite(error) else float("inf")


def _output_kind(activations: tuple[str, ...] | None, unit_losses: set[str]) -> str:
    if activations is not None and activations[-1] == "sigmoid":
        return "probability"
    return "logit" if "BCEWithLogitsLoss" in unit_losses else "probability"


def resolve(candidate: Candidate, session: SandboxSession | None, rng: np.random.Generator,
            unit_objects: list[dict[str, Any]]) -> ResolvedNetwork:
    """Settle the activations of a network candidate (see module docstring)."""
    losses = {o.get("class", "") for o in unit_objects if o.get("kind") == "loss_module"}
    data = candidate.data
    X = probe_inputs(rng, data["sizes"][0])
    if data["origin"] == "module":
        return _resolve_module(candidate, session, X, losses)
    if data["origin"] == "trace":  # the evidence showed the activations: outputs were reproduced
        return ResolvedNetwork(candidate, tuple(data["activations"]),
                               "shown by the training: " + data["evidence"], data["output_kind"])
    observed, how = _observe_weights_network(candidate, session, X, unit_objects)
    if observed is not None:
        acts, error = netmath.infer_activations(data["weights"], data["biases"], X, observed)
        if error <= MATCH_TOLERANCE * max(1.0, float(np.max(np.abs(observed), initial=0.0))):
            return ResolvedNetwork(candidate, acts, f"inferred from {how}", _output_kind(acts, losses))
    found = data.get("found")  # the training loop or backward() stream reproduced them
    if found is not None and len(found.activations) == len(data["weights"]):
        acts = tuple(found.activations)
        return ResolvedNetwork(candidate, acts, "shown by the training: " + found.evidence,
                               _output_kind(acts, losses))
    for name, inputs, outputs in _recorded_outputs(candidate, unit_objects):
        acts, error = netmath.infer_activations(data["weights"], data["biases"], inputs, outputs)
        if error <= RECORDED_TOLERANCE * max(1.0, float(np.max(np.abs(outputs), initial=0.0))):
            return ResolvedNetwork(candidate, acts, f"inferred from your recorded outputs {name}",
                                   _output_kind(acts, losses))
    acts = tuple(ASSUMED * len(data["weights"]))
    return ResolvedNetwork(candidate, acts, "assumed: sigmoid in every layer, as in the lab "
                           "(no forward function or recorded outputs to infer them from)",
                           _output_kind(acts, losses))


def _recorded_outputs(candidate: Candidate, unit_objects: list[dict[str, Any]]
                      ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, inputs, outputs) pairs from arrays the student kept: e.g. X and probs = forward(X)."""
    return recorded_pairs(candidate.data["sizes"][0], candidate.data["sizes"][-1], unit_objects)


def _resolve_module(candidate: Candidate, session: SandboxSession | None, X: np.ndarray,
                    losses: set[str]) -> ResolvedNetwork:
    data = candidate.data
    try:
        observed = ResolvedNetwork(candidate, None, "", "probability", session).outputs(X)
    except ProbeError as exc:
        if data["activations"] is not None and data["plain"]:
            return ResolvedNetwork(candidate, data["activations"],
                                   f"taken from the registered layers (the model could not be "
                                   f"called: {exc})", _output_kind(data["activations"], losses),
                                   call_problem=str(exc) if isinstance(exc, InputIgnored) else None)
        raise
    scale = max(1.0, float(np.max(np.abs(observed), initial=0.0)))
    if data["plain"]:
        if data["activations"] is not None:
            mine = netmath.forward(data["weights"], data["biases"], data["activations"], X)
            if _max_error(mine, observed) <= MATCH_TOLERANCE * scale:
                return ResolvedNetwork(candidate, data["activations"],
                                       "taken from the model's layers and confirmed on grader inputs",
                                       _output_kind(data["activations"], losses), session)
        acts, error = netmath.infer_activations(data["weights"], data["biases"], X, observed)
        if error <= MATCH_TOLERANCE * scale:
            return ResolvedNetwork(candidate, acts, "inferred from the model's own outputs on "
                                   "inputs drawn by the grader", _output_kind(acts, losses), session)
    return ResolvedNetwork(candidate, None, "unknown: the forward pass is not a plain chain of "
                           "Linear layers with sigmoid/tanh/ReLU, so the model itself was called",
                           _output_kind(None, losses), session)


def _observe_weights_network(candidate: Candidate, session: SandboxSession | None, X: np.ndarray,
                             unit_objects: list[dict[str, Any]]) -> tuple[np.ndarray | None, str]:
    """Outputs of the student's own forward function for the trained weights on X."""
    if session is None:
        return None, ""
    column = candidate.data.get("convention") == "column"
    student_X = X.T.copy() if column else X
    functions = [o for o in unit_objects if o.get("kind") == "function"]
    ordered = sorted(functions, key=lambda o: (FORWARD_NAMES.index(o["name"])
                                               if o["name"] in FORWARD_NAMES else len(FORWARD_NAMES)))
    params = {k: np.asarray(v) for k, v in candidate.data["student_arrays"].items()}
    for function in ordered:
        if function["name"] not in FORWARD_NAMES:
            continue
        target = {"unit": candidate.unit, "name": function["name"]}
        for as_tensor in (False, True):
            try:
                value = session.probe("call", target, args={"X": student_X, "params": params},
                                      as_tensor=as_tensor)
            except ProbeError:
                continue
            output = _first_array(value.get("result"))
            if output is not None and output.size == X.shape[0] * candidate.data["sizes"][-1]:
                output = output.T if column and output.ndim == 2 else output
                return np.asarray(output, dtype=np.float64).reshape(X.shape[0], -1), \
                    f"the output of your {function['name']}() on inputs drawn by the grader"
    return None, ""


def _first_array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        return value[0]
    return None
