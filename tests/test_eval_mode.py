"""A model left in training mode is judged in eval mode; dropout left on is named as a cause."""

from __future__ import annotations

import numpy as np
import torch

from grader.model_modes import dropout_in_training, with_dropout_hint
from grader.sandbox import discovery, probes
from grader.verdict import failed, passed


def dropout_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                               torch.nn.Linear(32, 1))


def test_module_forward_is_deterministic_and_restores_the_mode():
    model = dropout_model()
    X = np.random.default_rng(0).uniform(-2, 2, size=(64, 2))
    first = probes.module_forward(model, X)["output"]
    second = probes.module_forward(model, X)["output"]
    np.testing.assert_array_equal(first, second)
    with torch.no_grad():
        expected = model.eval()(torch.as_tensor(X, dtype=torch.float32)).numpy()
    model.train()
    np.testing.assert_allclose(first, expected, rtol=1e-6)
    assert model.training and all(m.training for m in model.modules())


def test_a_mixed_mode_is_restored_per_submodule():
    model = dropout_model()
    model[2].eval()
    probes.module_forward(model, np.zeros((3, 2)))
    assert model.training and model[0].training and not model[2].training


def test_module_vjp_has_no_dropout_and_leaves_the_model_training():
    model = dropout_model()
    X = np.random.default_rng(1).normal(size=(16, 2))
    R = np.random.default_rng(2).normal(size=(16, 1))
    one = probes.module_vjp(model, X, R)
    two = probes.module_vjp(model, X, R)
    for (name, a), (_, b) in zip(one["grads"], two["grads"]):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert model.training


def _inventory(**models: torch.nn.Module) -> list[dict]:
    records, _ = discovery.inventory(dict(models))
    return records


def test_dropout_in_training_names_each_model_once():
    model_bt, model_fixed = dropout_model(), dropout_model()
    with torch.no_grad():
        model_fixed[0].weight.add_(1.0)
    plain = torch.nn.Sequential(torch.nn.Linear(2, 1))
    evaluated = dropout_model().eval()
    objects = _inventory(m=model_bt, model_bt=model_bt, model_fixed=model_fixed, plain=plain,
                         evaluated=evaluated)
    assert dropout_in_training(objects) == ["model_bt", "model_fixed"]
    assert dropout_in_training(objects, only="model_bt") == ["model_bt"]
    assert dropout_in_training(objects, only="evaluated") == []


def test_a_failed_verdict_gets_the_dropout_hint_and_a_passed_one_does_not():
    objects = _inventory(model_bt=dropout_model())
    verdict = with_dropout_hint(failed("The loss goes up at epoch 3."), objects)
    assert verdict.status == "failed" and verdict.message.startswith("The loss goes up at epoch 3.")
    assert "dropout" in verdict.message and "model.eval()" in verdict.message
    assert verdict.details["dropout_in_training"] == ["model_bt"]
    kept = passed("The loss never increases.")
    assert with_dropout_hint(kept, objects) is kept
    assert with_dropout_hint(failed("x"), _inventory(model_bt=dropout_model().eval())).message == "x"


class Squeezed(torch.nn.Module):
    """One logit per sample, squeezed from (m, 1) to (m,)."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = torch.nn.Linear(2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x).squeeze(-1)


def test_module_vjp_weights_a_squeezed_output_one_number_per_sample():
    torch.manual_seed(0)
    model = Squeezed()
    rng = np.random.default_rng(0)
    X, R = rng.uniform(-2, 2, size=(16, 2)), rng.normal(size=(16, 1))
    grads = dict(probes.module_vjp(model, X, R)["grads"])
    np.testing.assert_allclose(grads["inner.weight"], (R.T @ X), rtol=1e-5)
    np.testing.assert_allclose(grads["inner.bias"], R.sum(axis=0), rtol=1e-5)
