"""Candidates: networks rebuilt from hand-made inventories, and choosing one per rubric target."""

from __future__ import annotations

import numpy as np
import pytest

from grader.candidates import Candidate, build_candidates, choose
from grader.rubric import TargetSpec

RNG = np.random.default_rng(42)


# --- inventory records, in the format grader/sandbox/discovery.py produces ----------------------

def linear(path: str, n_in: int, n_out: int) -> dict:
    return {"path": path, "type": "Linear", "in_features": n_in, "out_features": n_out, "bias": True}


def module_record(name: str, sizes: list[int], activations: list[str | None],
                  cls: str = "Sequential") -> dict:
    """An nn.Sequential-like record: Linear layers with the given activation after each."""
    layers, params, index = [], [], 0
    for n_in, n_out, act in zip(sizes, sizes[1:], activations):
        layers.append(linear(str(index), n_in, n_out))
        params += [[f"{index}.weight", RNG.normal(size=(n_out, n_in))],
                   [f"{index}.bias", RNG.normal(size=(n_out,))]]
        index += 1
        if act is not None:
            layers.append({"path": str(index), "type": act})
            index += 1
    return {"kind": "module", "name": name, "class": cls, "layers": layers, "params": params,
            "training": False}


def array_record(name: str, value: np.ndarray, source: str = "ndarray") -> dict:
    return {"kind": "array", "name": name, "value": value, "requires_grad": False, "source": source}


def inventory(*objects: dict, unit: str = "lab.ipynb") -> list[dict]:
    return [{"unit": unit, "objects": list(objects), "notes": []}]


def networks(candidates: list[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.kind == "network"]


def target(kind: str = "network", **kwargs) -> TargetSpec:
    return TargetSpec(id=kwargs.pop("id", "t"), kind=kind, **kwargs)


# --- networks from modules --------------------------------------------------------------------

def test_a_module_with_registered_activations_becomes_a_known_network():
    record = module_record("model", [2, 4, 1], ["Sigmoid", "Sigmoid"])
    (network,) = build_candidates(inventory(record))
    params = dict((n, a) for n, a in record["params"])
    assert network.kind == "network" and network.name == "model" and network.unit == "lab.ipynb"
    data = network.data
    assert data["origin"] == "module" and data["container"] == "module"
    assert data["array_type"] == "tensor" and data["plain"] is True
    assert data["activations"] == ("sigmoid", "sigmoid")
    assert data["sizes"] == (2, 4, 1)
    assert [w.shape for w in data["weights"]] == [(2, 4), (4, 1)]
    np.testing.assert_array_equal(data["weights"][0], params["0.weight"].T)
    np.testing.assert_array_equal(data["weights"][1], params["2.weight"].T)
    np.testing.assert_array_equal(data["biases"][1], params["2.bias"])
    assert data["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert network.summary == "nn.Module Sequential 2→4→1"
    assert network.label == "model (nn.Module Sequential 2→4→1) in lab.ipynb"
    assert network.probe_target == {"unit": "lab.ipynb", "name": "model"}


@pytest.mark.parametrize(("layer_acts", "expected"), [
    (["ReLU", None], ("relu", "identity")),
    (["Tanh", "Sigmoid"], ("tanh", "sigmoid")),
    (["ReLU", "Identity"], ("relu", "identity")),
    ([None, None], None),            # only Linear layers: the activations are not known
    ([None, "Sigmoid"], None),       # nothing registered between the layers
])
def test_module_activations(layer_acts, expected):
    (network,) = build_candidates(inventory(module_record("net", [2, 3, 1], layer_acts)))
    assert network.data["activations"] == expected
    assert network.data["sizes"] == (2, 3, 1)


def test_a_module_with_only_linear_layers_still_has_its_weights():
    record = module_record("net", [2, 8, 8, 1], [None, None, None], cls="XorNet")
    (network,) = build_candidates(inventory(record))
    assert network.data["activations"] is None
    assert network.data["sizes"] == (2, 8, 8, 1)
    assert network.summary == "nn.Module XorNet 2→8→8→1"


def test_dropout_passes_through_but_other_layers_make_it_not_plain():
    record = module_record("net", [2, 3, 1], ["ReLU", None])
    record["layers"].insert(2, {"path": "drop", "type": "Dropout"})
    (network,) = build_candidates(inventory(record))
    assert network.data["activations"] == ("relu", "identity") and network.data["plain"]

    record["layers"].insert(2, {"path": "bn", "type": "BatchNorm1d"})
    (network,) = build_candidates(inventory(record))
    assert network.data["plain"] is False


def test_two_activations_in_a_row_leave_activations_unknown():
    record = module_record("net", [2, 3, 1], ["ReLU", "Sigmoid"])
    record["layers"].insert(2, {"path": "extra", "type": "Tanh"})
    (network,) = build_candidates(inventory(record))
    assert network.data["activations"] is None


def test_a_bare_linear_module_and_a_module_without_linear_layers():
    W, b = RNG.normal(size=(1, 2)), RNG.normal(size=(1,))
    bare = {"kind": "module", "name": "lin", "class": "Linear", "layers": [linear("", 2, 1)],
            "params": [["weight", W], ["bias", b]], "training": True}
    no_linear = {"kind": "module", "name": "act", "class": "ReLU",
                 "layers": [{"path": "", "type": "ReLU"}], "params": [], "training": True}
    loss = {"kind": "loss_module", "name": "criterion", "class": "BCELoss", "layers": [],
            "params": [], "training": True}
    found = build_candidates(inventory(bare, no_linear, loss))
    assert [c.name for c in found] == ["lin"]
    np.testing.assert_array_equal(found[0].data["weights"][0], W.T)
    assert found[0].data["sizes"] == (2, 1)


def test_a_linear_without_bias_gets_zero_biases():
    record = module_record("net", [2, 3], ["Sigmoid"])
    record["params"] = [p for p in record["params"] if not p[0].endswith("bias")]
    (network,) = build_candidates(inventory(record))
    np.testing.assert_array_equal(network.data["biases"][0], np.zeros(3))


# --- networks from weights --------------------------------------------------------------------

def _column_weights() -> dict[str, np.ndarray]:
    return {"W1": RNG.normal(size=(4, 2)), "b1": RNG.normal(size=(4, 1)),
            "W2": RNG.normal(size=(1, 4)), "b2": RNG.normal(size=(1, 1))}


@pytest.mark.parametrize("n_inputs", [2, None])
def test_global_weights_in_column_convention_are_oriented(n_inputs):
    weights = _column_weights()
    objects = [array_record(k, v) for k, v in weights.items()]
    objects.append(array_record("X", RNG.normal(size=(4, 2))))
    (network,) = networks(build_candidates(inventory(*objects), n_inputs=n_inputs))
    data = network.data
    assert data["origin"] == "weights" and data["container"] == "globals"
    assert data["convention"] == "column" and data["array_type"] == "ndarray"
    assert data["sizes"] == (2, 4, 1)
    np.testing.assert_array_equal(data["weights"][0], weights["W1"].T)
    np.testing.assert_array_equal(data["weights"][1], weights["W2"].T)
    np.testing.assert_array_equal(data["biases"][0], weights["b1"].reshape(4))
    assert data["biases"][1].shape == (1,)
    assert data["weight_keys"] == ["W1", "W2"] and data["bias_keys"] == ["b1", "b2"]
    assert data["activations"] is None
    assert network.name == "W1, W2, b1, b2" and network.keys == ("W1", "W2", "b1", "b2")
    assert network.summary == "weights 2→4→1 (column convention, globals)"


def test_global_weights_in_row_convention_and_their_array_type():
    objects = [array_record("w1", RNG.normal(size=(2, 5)), "tensor"),
               array_record("w2", RNG.normal(size=(5, 1)), "tensor"),
               array_record("b_1", RNG.normal(size=(5,)), "tensor")]
    (network,) = networks(build_candidates(inventory(*objects), n_inputs=2))
    assert network.data["convention"] == "row" and network.data["array_type"] == "tensor"
    assert network.data["sizes"] == (2, 5, 1)
    np.testing.assert_array_equal(network.data["biases"][1], np.zeros(1))  # b2 missing

    objects[1] = array_record("w2", RNG.normal(size=(5, 1)), "ndarray")
    (network,) = networks(build_candidates(inventory(*objects), n_inputs=2))
    assert network.data["array_type"] == "mixed"


@pytest.mark.parametrize("weights", [
    {"W1": np.ones((2, 3)), "W3": np.ones((3, 1))},            # W2 missing
    {"W1": np.ones((2, 3)), "W2": np.ones((4, 1))},            # shapes do not chain
    {"W1": np.ones((2, 3)), "W2": np.ones((3, 1)), "b1": np.ones(5)},  # bias does not fit
    {"b1": np.ones(3)},                                        # no weights at all
], ids=["gap", "no-chain", "bad-bias", "bias-only"])
def test_weights_that_do_not_make_a_network(weights):
    found = build_candidates(inventory(*[array_record(k, v) for k, v in weights.items()]))
    assert networks(found) == []


def test_a_dict_of_weights_becomes_a_network_in_a_dict_container():
    weights = _column_weights()
    items = [[k, v, "ndarray"] for k, v in weights.items()] + [["lr", np.array(0.1), "ndarray"]]
    record = {"kind": "array_dict", "name": "params", "items": items}
    (network,) = build_candidates(inventory(record), n_inputs=2)
    assert network.kind == "network" and network.name == "params"
    assert network.data["container"] == "dict" and network.data["convention"] == "column"
    assert network.keys == ("params", "W1", "W2", "b1", "b2")
    assert network.summary == "weights 2→4→1 (column convention, dict)"
    assert network.probe_target == {"unit": "lab.ipynb", "name": "params"}
    assert set(network.data["student_arrays"]) == {"W1", "W2", "b1", "b2"}


def test_an_instance_gives_a_network_its_series_and_its_methods():
    record = {"kind": "instance", "name": "nn", "class": "NeuralNet",
              "items": [["W1", RNG.normal(size=(2, 3)), "ndarray"],
                        ["W2", RNG.normal(size=(3, 1)), "ndarray"]],
              "series": [["losses", np.array([0.7, 0.5, 0.2])]],
              "methods": ["backward", "forward"]}
    found = build_candidates(inventory(record))
    assert [(c.kind, c.name) for c in found] == [
        ("network", "nn"), ("series", "nn.losses"), ("function", "nn.backward"),
        ("function", "nn.forward")]
    assert found[0].data["container"] == "instance"
    assert found[0].data["methods"] == ["backward", "forward"]
    assert found[1].keys == ("nn.losses", "losses")
    assert found[2].probe_target == {"unit": "lab.ipynb", "name": "nn", "method": "backward"}


def test_series_scalers_and_functions():
    objects = [
        {"kind": "series", "name": "losses", "value": np.array([1.0, 0.5])},
        array_record("loss_history", np.array([0.9, 0.4, 0.1])),
        array_record("labels", np.array([0, 1, 1, 0])),        # integers: not a loss history
        array_record("one", np.array([0.5])),                  # too short
        {"kind": "scaler", "name": "scaler", "class": "StandardScaler",
         "mean": np.zeros(2), "scale": np.ones(2)},
        {"kind": "function", "name": "backward", "parameters": ["X", "y", "params"]},
        {"kind": "optimizer", "name": "opt", "class": "SGD", "defaults": {"lr": 0.1}},
    ]
    found = build_candidates(inventory(*objects))
    assert [(c.kind, c.name, c.summary) for c in found] == [
        ("series", "losses", "2 numbers"), ("series", "loss_history", "3 numbers"),
        ("scaler", "scaler", "StandardScaler"),
        ("function", "backward", "function(X, y, params)")]
    assert found[1].data["values"].dtype == np.float64


def test_candidates_come_in_unit_order():
    inv = (inventory(module_record("b", [2, 2, 1], ["ReLU", None]), unit="one.ipynb")
           + inventory(module_record("a", [2, 2, 1], ["ReLU", None]), unit="two.py"))
    assert [(c.unit, c.name) for c in build_candidates(inv)] == [("one.ipynb", "b"), ("two.py", "a")]


# --- choose() -----------------------------------------------------------------------------------

def _modules(*names_and_sizes) -> list[Candidate]:
    records = [module_record(name, sizes, ["Sigmoid"] * (len(sizes) - 1))
               for name, sizes in names_and_sizes]
    return build_candidates(inventory(*records))


def test_choose_ranks_by_the_order_of_the_rubric_names():
    found = _modules(("clf", [2, 4, 1]), ("my_model", [2, 4, 1]), ("net", [2, 4, 1]),
                     ("model", [2, 4, 1]))
    spec = target(names=("model", "net", "*model*"))
    choice = choose(spec, found, {})
    assert choice.candidate.name == "model"
    assert [label.split(" ")[0] for label in choice.considered] == ["model", "net", "my_model",
                                                                     "clf"]
    # (no loop trace identified it: the message says how it was chosen)
    assert choice.message.startswith("used model (nn.Module Sequential 2→4→1) in lab.ipynb — "
                                     "chosen by its name and shape; also considered: net ")
    # without the exact names the wildcard wins over a name matching nothing
    assert choose(spec, found[:2], {}).candidate.name == "my_model"
    # patterns are case-insensitive
    assert choose(target(names=("MODEL",)), found, {}).candidate.name == "model"


def test_choose_falls_back_to_the_first_candidate_when_no_name_matches():
    found = _modules(("first", [2, 4, 1]), ("second", [2, 4, 1]))
    assert choose(target(names=("model",)), found, {}).candidate.name == "first"


@pytest.mark.parametrize(("spec_kwargs", "expected"), [
    ({"inputs": 2}, "model"),
    ({"inputs": 3}, "wide_in"),
    ({"outputs": 2}, "two_out"),
    ({"inputs": 2, "outputs": 1, "hidden_max": 8}, "small"),
    ({"hidden_max": 2}, None),
])
def test_choose_respects_inputs_outputs_and_hidden_max(spec_kwargs, expected):
    found = _modules(("model", [2, 64, 1]), ("wide_in", [3, 4, 1]), ("two_out", [2, 4, 2]),
                     ("small", [2, 8, 8, 1]))
    choice = choose(target(names=("model", "*"), **spec_kwargs), found, {})
    assert (choice.candidate.name if choice.candidate else None) == expected


def test_choose_respects_origins_and_array_type():
    module = module_record("model", [2, 3, 1], ["Sigmoid", "Sigmoid"])
    tensors = [array_record("W1", RNG.normal(size=(2, 3)), "tensor"),
               array_record("W2", RNG.normal(size=(3, 1)), "tensor")]
    params = {"kind": "array_dict", "name": "params",
              "items": [["W1", RNG.normal(size=(2, 3)), "ndarray"],
                        ["W2", RNG.normal(size=(3, 1)), "ndarray"]]}
    found = build_candidates(inventory(module, *tensors, params), n_inputs=2)
    names = ("model", "params", "W1")
    assert choose(target(names=names), found, {}).candidate.name == "model"
    assert choose(target(names=names, origins=("weights",)), found, {}).candidate.name == "params"
    tensor_choice = choose(target(names=names, origins=("weights",), array_type="tensor"), found, {})
    assert tensor_choice.candidate.name == "W1, W2"
    ndarray_choice = choose(target(names=("W1",), array_type="ndarray"), found, {})
    assert ndarray_choice.candidate.name == "params"
    assert choose(target(names=names, origins=("module",), array_type="ndarray"), found,
                  {}).candidate is None


def test_choose_only_takes_candidates_of_the_target_kind():
    found = build_candidates(inventory(
        {"kind": "series", "name": "model", "value": np.array([1.0, 0.5])},
        module_record("net", [2, 2, 1], ["ReLU", None])))
    assert choose(target(names=("model",)), found, {}).candidate.name == "net"
    assert choose(target("series", names=("model",)), found, {}).candidate.name == "model"


def test_choose_honours_distinct_from():
    found = _modules(("model", [2, 16, 1]), ("model2", [2, 16, 1]))
    fixed_spec = target(id="moons_fixed", names=("model", "*model*"))
    fixed = choose(fixed_spec, found, {})
    assert fixed.candidate.name == "model"
    bt_names = ("*bt*", "*armijo*")
    # without distinct_from the backtracking target would take the very same model
    assert choose(target(id="moons_bt", names=bt_names), found,
                  {"moons_fixed": fixed.candidate}).candidate.name == "model"
    bt = choose(target(id="moons_bt", names=bt_names, distinct_from=("moons_fixed",)), found,
                {"moons_fixed": fixed.candidate})
    assert bt.candidate.name == "model2"
    assert all(not label.startswith("model ") for label in bt.considered)
    # an earlier target that found nothing excludes nothing
    assert choose(target(names=bt_names, distinct_from=("moons_fixed",)), found,
                  {"moons_fixed": None}).candidate.name == "model"
    # with only one candidate, distinct_from leaves nothing
    alone = choose(target(names=bt_names, distinct_from=("moons_fixed",)), found[:1],
                   {"moons_fixed": fixed.candidate})
    assert alone.candidate is None


def test_choose_without_fallback_refuses_unnamed_candidates():
    found = build_candidates(inventory(
        {"kind": "series", "name": "accuracies", "value": np.array([0.5, 0.9])},
        {"kind": "series", "name": "my_losses", "value": np.array([0.9, 0.2])}))
    strict = target("series", names=("loss_history", "*loss*"), fallback=False,
                    description="the list of training losses")
    assert choose(strict, found, {}).candidate.name == "my_losses"
    miss = choose(strict, found[:1], {})
    assert miss.candidate is None and miss.considered == ()
    assert miss.message == (
        "The grader looked for the list of training losses (names accepted: loss_history, "
        "*loss*) and found none that fits. Found: accuracies (2 numbers) in lab.ipynb.")
    lenient = target("series", names=("loss_history", "*loss*"), fallback=True)
    assert choose(lenient, found[:1], {}).candidate.name == "accuracies"


def test_a_miss_says_what_was_looked_for_and_what_exists():
    found = _modules(("big", [5, 4, 1]), ("other", [2, 4, 3]))
    spec = target(names=("model", "net"), inputs=2, outputs=1,
                  description="a trained nn.Module with 2 inputs and 1 output")
    miss = choose(spec, found, {})
    assert miss.candidate is None
    assert "looked for a trained nn.Module with 2 inputs and 1 output" in miss.message
    assert "(names tried first: model, net)" in miss.message
    assert "Found: big (nn.Module Sequential 5→4→1) in lab.ipynb; other (nn.Module Sequential " \
           "2→4→3) in lab.ipynb." in miss.message

    nothing = choose(target("scaler", names=("scaler",)), found, {})
    assert nothing.candidate is None
    assert nothing.message == ("The grader looked for a scaler (names tried first: scaler) and "
                               "found none that fits. Found: no scaler at all.")
