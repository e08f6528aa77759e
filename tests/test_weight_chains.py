"""Raw weight tensors under the student's own names (no layer numbers) become a network."""

from __future__ import annotations

import numpy as np
import torch

from grader.candidates import Candidate, build_candidates
from grader.sandbox import discovery
from grader.weight_chains import best_chain, order_key, stem

RNG = np.random.default_rng(7)


def tensor(name: str, value: np.ndarray, trainable: bool = True) -> dict:
    return {"kind": "array", "name": name, "value": value, "requires_grad": trainable,
            "source": "tensor"}


def networks(*objects: dict) -> list[Candidate]:
    inventory = [{"unit": "lab.ipynb", "objects": list(objects), "notes": []}]
    return [c for c in build_candidates(inventory) if c.kind == "network"]


def own_names() -> dict[str, np.ndarray]:
    return {"w_hidden": RNG.normal(size=(2, 5)), "b_hidden": RNG.normal(size=5),
            "w_out": RNG.normal(size=(5, 1)), "b_out": RNG.normal(size=1)}


def test_stems_and_order_hints():
    assert stem("w_hidden") == stem("b_hidden") == "hidden"
    assert stem("W_out") == stem("bias_out") == "out"
    assert order_key("w_in") < order_key("w_hidden") < order_key("w_h2") < order_key("w_out")
    assert order_key("w_h1") < order_key("w_h2")


def test_trainable_tensors_with_own_names_are_chained_by_shape():
    arrays = own_names()
    # `w` is the loop variable of `for w in (w_hidden, ..., b_out)`: it still holds b_out
    objects = [tensor(k, v) for k, v in arrays.items()] + [tensor("w", arrays["b_out"])]
    objects.append(tensor("X", np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]), trainable=False))
    (network,) = networks(*objects)
    data = network.data
    assert data["origin"] == "weights" and data["array_type"] == "tensor"
    assert data["sizes"] == (2, 5, 1) and data["convention"] == "row"
    assert data["weight_keys"] == ["w_hidden", "w_out"]
    assert data["bias_keys"] == ["b_hidden", "b_out"]
    assert network.keys == ("w_hidden", "w_out", "b_hidden", "b_out")
    np.testing.assert_array_equal(data["weights"][1], arrays["w_out"])
    np.testing.assert_array_equal(data["biases"][0], arrays["b_hidden"])
    assert set(data["student_arrays"]) == set(network.keys)
    assert "grouped by their shapes" in network.summary


def test_the_order_follows_the_names_and_the_column_convention_is_found():
    objects = [tensor("W_output", RNG.normal(size=(1, 3))), tensor("W_input", RNG.normal(size=(3, 2))),
               tensor("b_input", RNG.normal(size=(3, 1))), tensor("b_output", RNG.normal(size=(1, 1)))]
    (network,) = networks(*objects)
    assert network.data["convention"] == "column" and network.data["sizes"] == (2, 3, 1)
    assert network.data["weight_keys"] == ["W_input", "W_output"]
    assert network.data["bias_keys"] == ["b_input", "b_output"]


def test_square_layers_are_ordered_by_their_names():
    objects = [tensor(n, RNG.normal(size=(4, 4))) for n in ("w_out", "w_h2", "w_h1", "w_in")]
    (network,) = networks(*objects)
    assert network.data["weight_keys"] == ["w_in", "w_h1", "w_h2", "w_out"]


def test_the_chain_that_reproduces_the_recorded_outputs_wins():
    # two 3x3 layers chain in either order; the student's recorded outputs tell which is right
    first, second = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))
    head = RNG.normal(size=(3, 1))
    X = RNG.normal(size=(6, 3))
    probs = 1 / (1 + np.exp(-(np.tanh(np.tanh(X @ second) @ first) @ head)))
    objects = [tensor("alpha", first), tensor("beta", second), tensor("gamma", head),
               tensor("X", X, trainable=False), tensor("probs", probs, trainable=False)]
    assert best_chain(objects[:3]).weight_keys == ("alpha", "beta", "gamma")  # by name alone
    (network,) = networks(*objects)
    assert network.data["weight_keys"] == ["beta", "alpha", "gamma"]


def test_numbered_weights_still_take_the_indexed_path():
    objects = [tensor("W1", RNG.normal(size=(2, 3))), tensor("W2", RNG.normal(size=(3, 1))),
               tensor("extra", RNG.normal(size=(1, 4)))]
    (network,) = networks(*objects)
    assert network.keys == ("W1", "W2") and "grouped" not in network.summary


def test_tensors_that_are_not_trained_are_not_a_network():
    objects = [tensor(k, v, trainable=False) for k, v in own_names().items()]
    assert networks(*objects) == []


def test_copies_of_a_modules_parameters_are_not_a_second_network():
    weight = RNG.normal(size=(1, 2))
    module = {"kind": "module", "name": "model", "class": "Linear",
              "layers": [{"path": "", "type": "Linear", "in_features": 2, "out_features": 1,
                          "bias": False}],
              "params": [["weight", weight]], "training": False}
    found = networks(module, tensor("w", weight.copy()))
    assert [c.name for c in found] == ["model"]


def test_the_inventory_marks_only_trainable_leaves():
    W = torch.randn(2, 3, requires_grad=True)
    namespace = {"W": W, "h": torch.tanh(torch.ones(4, 2) @ W), "X": torch.ones(4, 2)}
    records, _ = discovery.inventory(namespace)
    flags = {r["name"]: r["requires_grad"] for r in records}
    assert flags == {"W": True, "X": False, "h": False}
