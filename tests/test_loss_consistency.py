"""A loss the code records, against the loss its updates follow (the extra output derivative)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.candidates import Candidate
from grader.checks.updates import check_loss_consistency
from grader.runners.training import _loop_gradients
from grader.trace_candidates import from_traces
from test_loop_trace import PREAMBLE, traced

BCE_HISTORY = PREAMBLE + """
W1, b1 = rng.normal(size=(2, 4)), np.zeros((1, 4))
W2, b2 = rng.normal(size=(4, 1)), np.zeros((1, 1))
losses = []
for epoch in range(300):
    a1 = sig(X @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    losses.append(float(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2))))
    dz2 = (a2 - y){extra} / 4
    dz1 = dz2 @ W2.T * a1 * (1 - a1)
    W2 -= 2.0 * a1.T @ dz2
    b2 -= 2.0 * dz2.sum(axis=0, keepdims=True)
    W1 -= 2.0 * X.T @ dz1
    b1 -= 2.0 * dz1.sum(axis=0, keepdims=True)
"""


def _gradients_verdict(extra: str):
    namespace, trace = traced(BCE_HISTORY.format(extra=extra))
    values = np.asarray(namespace["losses"])
    history = Candidate("series", "u", "losses", ("losses",), f"{values.size} numbers",
                        {"unit": "u", "name": "losses"}, {"values": values})
    networks = [c for c in from_traces({"u": trace}, [history]) if c.kind == "network"]
    assert history.data.get("evidence"), "the history is matched to the recomputed losses"
    return _loop_gradients(networks[0])


def test_a_cross_entropy_history_with_the_squared_errors_output_delta_is_named() -> None:
    verdict = _gradients_verdict(" * a2 * (1 - a2)")
    assert verdict.status == "failed"
    assert "binary cross-entropy" in verdict.message and "a(1 − a)" in verdict.message
    assert "a − y" in verdict.message


def test_the_cross_entropy_delta_with_its_own_history_passes() -> None:
    assert _gradients_verdict("").status == "passed"


@pytest.mark.parametrize("recorded, followed, output, flagged", [
    ("bce", "half_mse", "sigmoid", True),
    ("ce", "sse", "softmax", True),
    ("mse", "bce", "sigmoid", False),   # the tutorials' a - y under a printed MSE: left alone
    ("bce", "bce", "sigmoid", False),
    ("bce", "mse", "identity", False),
    (None, "mse", "sigmoid", False),
])
def test_only_a_log_loss_recorded_with_squared_error_updates_is_a_mismatch(
        recorded, followed, output, flagged) -> None:
    verdict = check_loss_consistency(recorded, followed, output, "its loss history")
    assert (verdict is not None) is flagged


class _Net:
    def __init__(self, last: str) -> None:
        self.activations = ("sigmoid", last)


def test_an_unsquashed_xor_output_is_recomputed_with_the_formula_that_reproduced_training() -> None:
    """F.binary_cross_entropy_with_logits is no loss module: the trace's formula says logits;
    a sigmoid output keeps ``auto`` so BCEWithLogitsLoss after its sigmoid is still named."""
    from grader.runners.losses import _final_loss
    from grader.verdict import failed, passed

    reproduced = passed("matches", loss_formula="bce_logits")
    assert _final_loss("auto", reproduced, _Net("identity")) == "bce_logits"
    assert _final_loss("auto", reproduced, _Net("sigmoid")) == "auto"
    assert _final_loss("mse", reproduced, _Net("identity")) == "mse"  # the rubric's choice stands
    assert _final_loss("auto", failed("no", loss_formula="bce_logits"), _Net("identity")) == "auto"
    assert _final_loss("auto", passed("matches", loss_formula="ce"), _Net("identity")) == "auto"
    assert _final_loss("auto", None, _Net("identity")) == "auto"
