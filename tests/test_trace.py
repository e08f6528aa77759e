"""The optimizer trace: recorded inside the sandbox, validated outside, judged by the rubric's checks."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

from grader import protocol
from grader.api import grade_paths
from grader.checks.training import check_descent
from grader.rubric import load_rubric
from grader.sandbox import trace as sandbox_trace
from grader.tracedata import parse_trace

torch = pytest.importorskip("torch")

MODULE = """
import torch
from torch import nn
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.BCELoss()
losses = []
for epoch in range(3000):
    {zero}
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
"""

RAW = """
import torch
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
torch.manual_seed(0)
W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
lr = 0.5
loss_history = []
for epoch in range(3000):
    out = torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2)
    loss = torch.nn.functional.binary_cross_entropy(out, y)
    loss.backward()
    with torch.no_grad():
        for p in (W1, b1, W2, b2):
            p {sign}= lr * p.grad
            p.grad.zero_()
    loss_history.append(loss.item())
"""

STALE = """
import torch
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
torch.manual_seed(0)
W1 = torch.randn(2, 1, requires_grad=True)
b1 = torch.zeros(1, requires_grad=True)
lr = 0.5
loss_history = []
for epoch in range(300):
    loss = torch.nn.functional.binary_cross_entropy_with_logits(X @ W1 + b1, y)
    if W1.grad is not None:  # the update of the previous gradient comes after the forward pass
        with torch.no_grad():
            W1 -= lr * W1.grad
            b1 -= lr * b1.grad
            W1.grad.zero_()
            b1.grad.zero_()
    loss.backward()
    loss_history.append(loss.item())
"""

SUBMISSIONS = {
    "raw_stale_loss": STALE,
    "module_ok": MODULE.format(zero="optimizer.zero_grad()"),
    "module_no_zero_grad": MODULE.format(zero="pass"),
    "raw_ok": RAW.format(sign="-"),
    "raw_ascent": RAW.format(sign="+"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("trace")
    paths = []
    for name, source in SUBMISSIONS.items():
        (root / name).mkdir()
        (root / name / "xor.py").write_text(source)
        paths.append(root / name)
    os.environ.setdefault("LABGRADE_CACHE", str(tmp_path_factory.mktemp("cache")))
    rubric = load_rubric("lab6")
    limits = dataclasses.replace(rubric.limits, timeout=120)
    return {p.name: r for p, r in grade_paths(paths, rubric, root / "out", limits=limits)}


def check(result, task: str, check_id: str):
    return next(c for t in result.tasks if t.id == task for c in t.checks if c.id == check_id)


def test_correct_trainings_pass_the_trace_checks(graded) -> None:
    for name in ("module_ok", "raw_ok"):
        for check_id in ("gradients", "descent"):
            verdict = check(graded[name], "xor", check_id)
            assert verdict.status == "passed", (name, check_id, verdict.message)
        assert check(graded[name], "xor", "descent").details.get("observed") is True


def test_missing_zero_grad_is_diagnosed(graded) -> None:
    verdict = check(graded["module_no_zero_grad"], "xor", "gradients")
    assert verdict.status == "failed"
    assert "gradients accumulate across iterations" in verdict.message.lower()


def test_gradient_ascent_is_diagnosed(graded) -> None:
    verdict = check(graded["raw_ascent"], "xor", "descent")
    assert verdict.status == "failed"
    assert "adds the gradient instead of subtracting it" in verdict.message


def test_recorded_losses_are_recomputed_by_the_grader(graded) -> None:
    for name in ("module_ok", "raw_ok"):
        losses = check(graded[name], "xor", "loss").details["training_losses"]
        assert losses["status"] == "passed" and losses["observed"] is True, (name, losses)
        assert losses["loss_formula"] == "bce" and losses["samples_recomputed"] >= 4


def test_a_loss_of_other_parameters_than_the_recorded_ones_is_named(graded) -> None:
    verdict = check(graded["raw_stale_loss"], "xor", "loss")
    assert verdict.status == "failed"
    # calls 0, 2, 4, 16, ... are recomputed (not call 1): the first mismatch is at call 2
    assert "not the loss of the current parameters: at iteration 3" in verdict.message
    losses = verdict.details["training_losses"]
    assert f"{losses['recorded_loss']:.6g}" in verdict.message
    assert f"{losses['grader_loss']:.6g}" in verdict.message


def test_the_rate_is_read_from_the_optimizer_and_from_lr(graded) -> None:
    assert check(graded["module_ok"], "xor", "descent").details["learning_rate"] == 0.5
    raw = check(graded["raw_ok"], "xor", "descent").details
    assert raw["learning_rate"] == 0.5 and raw["rate_source"] == "`lr`"


# --- inside the sandbox, in-process --------------------------------------------------------------

def test_sampling_keeps_long_trainings_cheap() -> None:
    sampled = [n for n in range(20000) if sandbox_trace.is_sampled(n)]
    assert 250 <= len(sampled) <= 450
    assert all(n in sampled for n in range(sandbox_trace.HEAD))
    later = [n for n in sampled if n >= 1000]
    assert all(n + 1 in sampled or n - 1 in sampled for n in later)  # pairs of consecutive calls


def test_the_fast_path_skips_exactly_the_unrecorded_calls() -> None:
    for call in list(range(0, 5000)) + list(range(65000, 66000)):
        following = sandbox_trace.next_sampled(call)
        assert sandbox_trace.is_sampled(following)
        assert not any(sandbox_trace.is_sampled(n) for n in range(call, following))


def test_trace_records_names_grads_and_optimizer_then_uninstalls() -> None:
    original = torch.autograd.backward
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    assert recorder is not None and torch.autograd.backward is not original
    namespace["net"] = net = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(3):
        net(torch.ones(4, 2)).pow(2).mean().backward()  # no zero_grad: accumulates
        optimizer.step()
    recorder.uninstall()
    assert torch.autograd.backward is original
    message = recorder.message("unit")
    assert message["calls"] == 3 and message["steps"] == 3
    assert message["optimizers"][0]["class"] == "SGD"
    assert message["optimizers"][0]["hyperparameters"]["lr"] == 0.1
    first, second = message["samples"][:2]
    assert first["names"] == ["net.bias", "net.weight"]
    assert first["grad_before"] == [0.0, 0.0] and second["grad_before"][0] > 0
    decoded = parse_trace(protocol.decode_body(protocol.encode_message(message)[4:]))
    assert decoded.streams()[0].names == ("net.bias", "net.weight")
    assert len(decoded.streams()[0].updates()) == 2


@pytest.mark.parametrize("how", ["method", "autograd.backward", "autograd.grad"])
def test_every_way_of_taking_gradients_is_recorded(how: str) -> None:
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    namespace["W"] = W = torch.ones(2, 1, requires_grad=True)
    try:
        for _ in range(3):
            loss = (torch.ones(4, 2) @ W).pow(2).mean()
            if how == "method":
                loss.backward()
            elif how == "autograd.backward":
                torch.autograd.backward(loss)
            else:
                (grad,) = torch.autograd.grad(loss, [W])
                assert grad.shape == (2, 1)
    finally:
        recorder.uninstall()
    message = recorder.message("unit")
    assert message["calls"] == 3 and len(message["samples"]) == 3
    first, second = message["samples"][:2]
    assert first["names"] == ["W"] and np.allclose(first["grads"], [4.0, 4.0])
    if how == "autograd.grad":  # .grad is never written, so nothing accumulates in it
        assert second["grad_before"] == [0.0] and np.allclose(second["grads"], [4.0, 4.0])
    else:
        assert second["grad_before"][0] > 0 and np.allclose(second["grads"], [8.0, 8.0])


def test_a_few_samples_of_each_training_carry_the_data_that_reached_the_loss() -> None:
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    X, y = torch.randn(6, 2), torch.ones(6, 1)
    namespace["first"] = first = torch.nn.Linear(2, 1)
    namespace["second"] = second = torch.nn.Linear(2, 1)
    try:
        for net in (first, second):
            for _ in range(6):
                torch.nn.functional.binary_cross_entropy_with_logits(net(X), y).backward()
    finally:
        recorder.uninstall()
    samples = recorder.message("unit")["samples"]
    carrying = [s["call"] for s in samples if s["data"]]
    assert carrying == [0, 1, 2, 4, 6, 7, 8, 10]  # per training: its 1st, 2nd, 3rd, 5th call
    data = samples[0]["data"]
    assert any(np.array_equal(a, X.double().numpy()) for a in data)
    assert any(np.array_equal(a, y.double().numpy()) for a in data)
    assert all(a.dtype == np.float64 for a in data)
    decoded = parse_trace(protocol.decode_body(protocol.encode_message(recorder.message("u"))[4:]))
    assert len(decoded.samples[0].data) == len(data) and decoded.samples[3].data == ()


def test_a_second_model_is_recorded_from_its_second_call_and_a_steady_one_is_never_walked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    walks = []
    walk = recorder._new_model
    monkeypatch.setattr(recorder, "_new_model", lambda tensors: walks.append(recorder.calls) or walk(tensors))
    X, y = torch.randn(6, 2), torch.ones(6, 1)
    namespace["first"] = first = torch.nn.Linear(2, 1)
    namespace["second"] = second = torch.nn.Linear(2, 1)
    try:
        for net, calls in ((first, 2000), (second, 60)):
            for _ in range(calls):
                net.zero_grad()
                torch.nn.functional.binary_cross_entropy_with_logits(net(X), y).backward()
    finally:
        recorder.uninstall()
    assert walks == [2001]  # only the call that did not reach the first model's parameters
    recorded = [s["call"] for s in recorder.message("unit")["samples"]]
    assert 2000 not in recorded and all(c in recorded for c in range(2001, 2001 + sandbox_trace.HEAD))
    assert [c for c in recorded if c < 2000] == [n for n in range(2000) if sandbox_trace.is_sampled(n)]


def test_what_each_observed_step_held_and_saw_is_recorded() -> None:
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    namespace["net"] = net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
    only_last = torch.optim.SGD(net[1].parameters(), lr=0.1)
    X = torch.ones(4, 2)
    try:
        for late_zero_grad in (False, False, True, True):
            if not late_zero_grad:
                only_last.zero_grad()
            net(X).pow(2).mean().backward()
            if late_zero_grad:  # the gradients are cleared before step() sees them
                only_last.zero_grad()
            only_last.step()
    finally:
        recorder.uninstall()
    samples = recorder.message("unit")["samples"]
    assert samples[0]["names"] == ["net.0.bias", "net.0.weight", "net.1.bias", "net.1.weight"]
    assert samples[0]["step_held"] is None and samples[0]["step_grad"] is None  # no step yet
    assert samples[1]["step_held"] == [False, False, True, True] and samples[1]["step_grad"] is True
    assert samples[3]["step_grad"] is False
    decoded = parse_trace(protocol.decode_body(protocol.encode_message(recorder.message("u"))[4:]))
    assert decoded.samples[1].step_held == (False, False, True, True)
    assert decoded.samples[3].step_grad is False


def test_in_place_writes_into_the_parameters_are_counted() -> None:
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    namespace["W"] = W = torch.ones(2, 1, requires_grad=True)
    try:
        for _ in range(3):
            (torch.ones(4, 2) @ W).pow(2).mean().backward()
            with torch.no_grad():
                W.grad.zero_()          # zeroed before the update uses it
                W.sub_(0.1 * W.grad)    # writes into W, changes nothing
    finally:
        recorder.uninstall()
    message = recorder.message("unit")
    assert [s["versions"][0] for s in message["samples"]] == [0, 1, 2]
    decoded = parse_trace(protocol.decode_body(protocol.encode_message(message)[4:]))
    assert decoded.samples[2].versions == (2,)
    assert "zeroed before the update" in check_descent(decoded.streams()[0], [], {"lr": 0.1}).message


def encoded_trace() -> dict:
    sample = {"call": 0, "loss": 1.0, "steps": 0, "optimizer": None, "lr": None,
              "names": ["W1"], "shapes": [[2, 2]], "values": np.zeros(4), "grads": np.ones(4),
              "has_grad": [True], "grad_before": [0.0], "data": [], "step_held": [True],
              "step_grad": True}
    return {"type": "trace", "unit": "u", "calls": 1, "steps": 0, "optimizers": [],
            "samples": [sample], "truncated": False, "declared_rates": {"lr": 0.1}}


@pytest.mark.parametrize("forge,reason", [
    (lambda m: m["samples"][0].update(extra=1), "unexpected keys"),
    (lambda m: m["samples"][0].update(values=np.zeros(5)), "do not match the shapes"),
    (lambda m: m["samples"][0].update(values=np.zeros(4, dtype=np.float32)), "do not match"),
    (lambda m: m["samples"][0].update(shapes=[[2, -2]]), "shape is malformed"),
    (lambda m: m["samples"][0].update(names=["W1", "b1"]), "disagree in length"),
    (lambda m: m.update(calls=0), "not increasing"),
    (lambda m: m["samples"][0].update(grad_before=["x"]), "grad flags"),
    (lambda m: m["samples"][0].update(step_held=[1]), "grad flags"),
    (lambda m: m["samples"][0].update(step_held=[True, False]), "disagree in length"),
    (lambda m: m["samples"][0].update(step_grad=1), "step_grad is not"),
    (lambda m: m["samples"][0].pop("step_held"), "missing keys"),
    (lambda m: m["samples"][0].update(versions=[-1]), "version counters are malformed"),
    (lambda m: m["samples"][0].update(versions=[1, 2]), "version counters are malformed"),
    (lambda m: m["samples"][0].update(versions=[True]), "version counters are malformed"),
    (lambda m: m["samples"][0].update(data=[np.zeros((2, 2, 2))]), "data arrays are malformed"),
    (lambda m: m["samples"][0].update(data=[np.zeros(3, dtype=np.float32)]), "are malformed"),
    (lambda m: m["samples"][0].update(data=[np.zeros(1000)] * 201), "data arrays are"),
    (lambda m: m["samples"][0].update(data=[np.zeros((500, 500))]), "data arrays are too large"),
])
def test_forged_traces_are_rejected(forge, reason) -> None:
    message = encoded_trace()
    assert parse_trace(protocol.decode_body(protocol.encode_message(message)[4:])).samples
    forge(message)
    with pytest.raises(protocol.ProtocolError, match=reason):
        parse_trace(protocol.decode_body(protocol.encode_message(message)[4:]))


def test_declared_rates_keep_only_positive_finite_numbers() -> None:
    message = encoded_trace()
    message["declared_rates"] = {"lr": 0.1, "alpha": -1, "eta": "big", "x" * 50: 1.0}
    decoded = parse_trace(protocol.decode_body(protocol.encode_message(message)[4:]))
    assert decoded.declared_rates == {"lr": 0.1}


def test_a_student_who_replaces_backward_does_not_break_the_run(tmp_path: Path) -> None:
    from grader.launcher import SandboxSession
    from grader.loading import load_submission

    (tmp_path / "s.py").write_text(
        "import torch\ntorch.Tensor.backward = lambda self, *a, **k: None\n"
        "w = torch.ones(2, requires_grad=True)\n(w * 2).sum().backward()\nx = 1\n")
    with SandboxSession(load_submission(tmp_path), seed=0) as session:
        record = session.run()
    assert record.ending == "finished"
    assert record.traces["s.py"].samples == []


def test_gradients_the_trace_cannot_read_still_reach_the_student() -> None:
    """torch.func.grad hands autograd.grad tensors without storage: nothing is recorded for
    them, and the student's gradients and errors are what plain torch gives."""
    namespace: dict = {}
    recorder = sandbox_trace.start(namespace)
    params = {"w": torch.tensor([1.0, -2.0]), "b": torch.tensor(0.5)}
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    try:
        grads = torch.func.grad(lambda p: (x @ p["w"] + p["b"]).pow(2).mean())(params)
        W = torch.ones(2, requires_grad=True)
        loss = (x @ W).exp().sum()
        loss.backward()
        with pytest.raises(RuntimeError, match="second time"):  # the student's error, once
            loss.backward()
    finally:
        recorder.uninstall()
    z = x @ params["w"] + params["b"]
    assert torch.allclose(grads["w"], z @ x) and torch.allclose(grads["b"], z.sum())
    assert torch.allclose(W.grad, (x @ W).exp().detach() @ x)


def test_a_failing_reading_runs_the_students_computation_exactly_once() -> None:
    runs: list[int] = []

    def run() -> str:
        runs.append(1)
        return "result"

    def fails_before(once):  # noqa: ANN001, ANN202
        raise RuntimeError("cannot read")

    def fails_after(once):  # noqa: ANN001, ANN202
        once()
        raise RuntimeError("cannot read")

    assert sandbox_trace._safely(fails_before, run) == "result" and len(runs) == 1
    assert sandbox_trace._safely(fails_after, run) == "result" and len(runs) == 2

    def student_error() -> None:
        runs.append(1)
        raise ValueError("the student's own")

    with pytest.raises(ValueError, match="student's own"):
        sandbox_trace._safely(lambda once: once(), student_error)
    assert len(runs) == 3
