"""The exact inventory schema: what real sandbox runs send passes; forged records are dropped with a reason."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import numpy as np
import pytest

from grader import inventory_schema, protocol
from grader.context import GradingContext
from grader.grading import grade_submission
from grader.inventory_schema import RECORDS, check_inventory, check_record
from grader.launcher import RunRecord, SandboxSession
from grader.loading import load_submission
from grader.references import References
from grader.rubric import load_rubric

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
RUBRIC = Path(__file__).parent.parent / "rubrics" / "lab6.toml"

# Kinds the fixtures do not produce: a LeakyReLU, a bias-free layer, an instance of the
# student's own class, a list of arrays, float16 / bool / int32 arrays.
EXTRA = """
import numpy as np
import torch

torch.manual_seed(0)
leaky = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.1),
                            torch.nn.Linear(3, 1, bias=False))
half = np.ones((2, 2), dtype=np.float16)
flags = np.array([True, False])
pair = [torch.ones(2, 2), np.zeros(3, dtype=np.int32)]

class Trainer:
    def __init__(self):
        self.W1 = np.ones((2, 3))
        self.costs = [1.0, 0.5]

    def step(self):
        pass

trainer = Trainer()
"""


@pytest.fixture(scope="module")
def real_units(tmp_path_factory) -> list[dict]:
    """Inventory units from real sandbox runs of two fixtures and one extra script."""
    extra = tmp_path_factory.mktemp("extra")
    (extra / "extra.py").write_text(EXTRA)
    units = []
    for folder in (FIXTURES / "moons_nb", FIXTURES / "numpy_nb", extra):
        with SandboxSession(load_submission(folder), seed=0) as session:
            record = session.run()
        assert record.ending == "finished", record.ending_detail
        units.extend(record.inventory)
    return units


@pytest.fixture(scope="module")
def by_kind(real_units) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for unit in real_units:
        for record in unit["objects"]:
            found.setdefault(record["kind"], record)
    return found


def by_name(real_units, name: str) -> dict:
    return next(r for u in real_units for r in u["objects"] if r["name"] == name)


def test_every_record_kind_from_real_runs_passes(real_units):
    kinds = {record["kind"] for unit in real_units for record in unit["objects"]}
    assert kinds == set(RECORDS)  # the fixtures exercise every kind discovery produces
    checked = check_inventory(real_units, {unit["unit"] for unit in real_units})
    assert checked.rejected == [] and checked.rejected_count == 0
    assert checked.units == real_units
    layer_types = {layer["type"] for unit in real_units for record in unit["objects"]
                   if record["kind"] == "module" for layer in record["layers"]}
    assert {"Linear", "ReLU", "LeakyReLU"} <= layer_types


def _set(path: tuple, value):
    def mutate(record: dict) -> None:
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _deep(record: dict) -> None:
    nested: list = ["x"]
    for _ in range(50):
        nested = [nested]
    record["layers"][0]["path"] = nested


FORGERIES = [
    ("array", lambda r: r.update(extra=1), "unexpected keys ['extra']"),
    ("array", lambda r: r.pop("requires_grad"), "missing keys ['requires_grad']"),
    ("series", lambda r: r.update(kind="serie"), "unknown record kind 'serie'"),
    ("array", _set(("requires_grad",), 1), "requires_grad: expected true/false, got int"),
    ("array", _set(("source",), "pickle"), "source: 'pickle' is not one of tensor, ndarray"),
    ("function", _set(("parameters",), "X, y"), "parameters: expected a list, got str"),
    ("module", _set(("layers", 0, "in_features"), 2.0), "in_features: expected an integer"),
    ("module", _set(("layers", 0, "in_features"), True), "in_features: expected an integer, got bool"),
    ("module", _set(("name",), ""), "name: empty name"),
    ("module", _set(("class",), "C" * 5000), "class: text of 5000 characters"),
    ("optimizer", _set(("defaults", "lr"), float("nan")), "defaults['lr']: non-finite number nan"),
    ("optimizer", _set(("defaults", "lr"), float("inf")), "non-finite number inf"),
    ("module", _set(("params", 0, 1), np.zeros((3_000_000,))), "too large"),
    ("array", _set(("value",), np.zeros((0, 10**8))), "too large"),
    ("array", _set(("value",), np.zeros((1,) * 9)), "9 dimensions (at most 8)"),
    ("module", _set(("params", 0, 1), np.zeros((4, 2), dtype=np.int64)),
     "array dtype int64 (expected float64)"),
    ("series", _set(("value",), np.zeros(3, dtype=np.float32)), "array dtype float32"),
    ("series", _set(("value",), np.zeros((3, 1))), "2 dimensions (expected 1)"),
    ("scaler", _set(("mean",), np.zeros(2, dtype=np.int8)), "mean: array dtype int8"),
    ("array", _set(("value",), [1.0, 2.0]), "value: expected an array, got list"),
    ("array_dict", _set(("items", 0), ["W1", np.zeros(2)]), "expected a list of 3 entries, got a list of 2"),
    ("instance", _set(("series", 0, 1), np.zeros(2, dtype=np.int64)), "series[0][1]: array dtype int64"),
    ("module", _deep, "nested deeper than 3 levels"),
    ("module", _set(("layers", 1), {"path": "1", "type": "LeakyReLU"}), "missing keys ['negative_slope']"),
]


@pytest.mark.parametrize(("kind", "forge", "reason"), FORGERIES,
                         ids=[f"{kind}-{reason[:30]}" for kind, _f, reason in FORGERIES])
def test_forged_records_are_rejected_with_the_reason(by_kind, kind, forge, reason):
    record = copy.deepcopy(by_kind[kind])
    check_record(record)  # the genuine one passes
    forge(record)
    with pytest.raises(inventory_schema.SchemaError) as caught:
        check_record(record)
    assert reason in str(caught.value)
    # In a whole inventory the forged record is dropped, described, and the others are kept.
    good = copy.deepcopy(by_kind["function"])
    checked = check_inventory([{"unit": "lab.py", "objects": [record, good], "notes": []}])
    assert checked.units[0]["objects"] == [good]
    (why,) = checked.events()
    assert why.startswith("inventory of lab.py: record 0") and reason in why


def test_non_finite_number_on_the_wire_is_caught(by_kind):
    """JSON refuses NaN, but 1e999 parses as infinity: the schema must catch it."""
    message = {"type": "inventory", "units": [{"unit": "lab.py", "objects": [by_kind["optimizer"]],
                                               "notes": []}]}
    body = protocol.encode_message(message)[protocol.HEADER.size:].decode()
    lr = json.dumps(by_kind["optimizer"]["defaults"]["lr"])
    forged = body.replace(f'"lr":{lr}', '"lr":1e999').encode()
    assert forged != body.encode()
    units = protocol.read_message(io.BytesIO(protocol.HEADER.pack(len(forged)) + forged))["units"]
    checked = check_inventory(units)
    assert checked.units[0]["objects"] == []
    assert "defaults['lr']: non-finite number inf" in checked.events()[0]


def test_units_are_checked_whole(by_kind):
    good = copy.deepcopy(by_kind["series"])
    checked = check_inventory([
        {"unit": "lab.py", "objects": [good], "notes": []},
        {"unit": "lab.py", "objects": [good], "notes": []},
        {"unit": "other.py", "objects": [good], "notes": []},
        {"unit": "lab.py", "objects": [good], "notes": [], "extra": 1},
        {"unit": "lab.py", "objects": {"x": good}, "notes": []},
        {"unit": "lab.py", "objects": [good], "notes": [3]},
        "lab.py",
    ], expected_units={"lab.py"})
    assert checked.units == [{"unit": "lab.py", "objects": [good], "notes": []}]
    reasons = checked.events()
    assert len(reasons) == 6
    assert "listed twice" in reasons[0]
    assert "'other.py' is not a file of this submission" in reasons[1]
    assert "got ['extra', 'notes', 'objects', 'unit']" in reasons[2]
    assert "objects: expected a list, got dict" in reasons[3]
    assert "notes[0]: expected text, got int" in reasons[4]
    assert "expected keys ['notes', 'objects', 'unit'], got str" in reasons[5]
    assert "expected a list of units" in check_inventory({"units": []}).events()[0]


def test_total_elements_and_reported_reasons_are_bounded(monkeypatch):
    monkeypatch.setattr(inventory_schema, "MAX_TOTAL_ELEMENTS", 10)
    records = [{"kind": "series", "name": f"s{i}", "value": np.zeros(4)} for i in range(3)]
    checked = check_inventory([{"unit": "lab.py", "objects": records, "notes": []}])
    assert [r["name"] for r in checked.units[0]["objects"]] == ["s0", "s1"]
    assert "would exceed 10 array elements" in checked.events()[0]

    bad = [{"kind": "nope", "name": f"n{i}"} for i in range(25)]
    checked = check_inventory([{"unit": "lab.py", "objects": bad, "notes": []}])
    events = checked.events()
    assert checked.rejected_count == 25 and len(events) == inventory_schema.MAX_REPORTED + 1
    assert events[-1] == "... and 5 more inventory records rejected"


def test_the_grading_context_uses_only_valid_records(real_units, by_kind):
    submission = load_submission(FIXTURES / "moons_nb")
    unit = submission.units[0].name
    forged = copy.deepcopy(by_name(real_units, "model_bt"))
    forged["params"][0][1] = forged["params"][0][1].astype(np.float32)
    good = copy.deepcopy(by_name(real_units, "model_fixed"))
    record = RunRecord(inventory=[{"unit": unit, "objects": [forged, good], "notes": []}],
                       ending="finished")
    rubric = load_rubric(RUBRIC)
    ctx = GradingContext(rubric, submission, record, None, References(rubric))
    assert [c.name for c in ctx.candidates if c.kind == "network"] == ["model_fixed"]
    (problem,) = ctx.inventory_problems
    assert "'model_bt', module" in problem and "array dtype float32 (expected float64)" in problem
    assert ctx.unit_objects(unit) == [good]


HOSTILE = """
import numpy as np
import grader.sandbox.worker as worker

def forged(namespace):
    return [{"kind": "array", "name": "W1", "value": np.ones((2, 4)), "requires_grad": False,
             "source": "ndarray", "trusted": True},
            {"kind": "series", "name": "losses", "value": np.array([1.0, 0.5])}], []

worker.inventory = forged
"""


def test_a_submission_forging_its_inventory_sees_the_reason_in_run_events(tmp_path):
    (tmp_path / "lab.py").write_text(HOSTILE)
    result = grade_submission(load_submission(tmp_path), load_rubric(RUBRIC))
    assert result.run["ending"] == "finished"
    forged = [e for e in result.run["events"] if "inventory of lab.py" in e]
    assert forged == ["inventory of lab.py: record 0 ('W1', array) rejected: "
                      "unexpected keys ['trusted']"]
