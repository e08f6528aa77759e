"""The sandbox side: strict conversion, the namespace inventory, and running cells."""

from __future__ import annotations

import io
import textwrap
import warnings

import numpy as np
import pytest
import torch

from grader import protocol
from grader.candidates import build_candidates
from grader.sandbox import convert, discovery, execute
from grader.sandbox.convert import NotConvertible, as_array

# --- convert.as_array ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "dtype", "expected"), [
    (torch.tensor([[1.0, 2.0], [3.0, 4.0]]), np.float32, [[1.0, 2.0], [3.0, 4.0]]),
    (torch.nn.Parameter(torch.tensor([0.5, -0.5])), np.float32, [0.5, -0.5]),
    (torch.tensor([1.5, 2.5], dtype=torch.float16), np.float32, [1.5, 2.5]),
    (torch.tensor([1.5, 2.5], dtype=torch.bfloat16), np.float32, [1.5, 2.5]),
    (torch.tensor([1, 2, 3]), np.int64, [1, 2, 3]),
    (torch.tensor([True, False]), np.bool_, [True, False]),
    (torch.tensor(2.0, dtype=torch.float64), np.float64, 2.0),
    (np.array([[1.0, 2.0]]), np.float64, [[1.0, 2.0]]),
    (np.array([1, 2], dtype=np.uint8), np.uint8, [1, 2]),
    (np.array([True]), np.bool_, [True]),
    ([0.9, 0.5, 0.25], np.float64, [0.9, 0.5, 0.25]),
    ((1, 2, 3), np.float64, [1.0, 2.0, 3.0]),
    ([np.float32(0.5), torch.tensor(0.25), np.array([0.125]), 2], np.float64, [0.5, 0.25, 0.125, 2]),
    (3, np.float64, 3.0),
    (2.5, np.float64, 2.5),
    (np.float32(1.25), np.float64, 1.25),
    (np.int64(7), np.float64, 7.0),
], ids=["tensor", "parameter", "float16", "bfloat16", "int-tensor", "bool-tensor", "0d-tensor",
        "ndarray", "uint8", "bool-array", "float-list", "int-tuple", "mixed-list", "int", "float",
        "np-float32", "np-int64"])
def test_as_array_accepts_plain_numeric_data(value, dtype, expected):
    array = as_array(value)
    assert type(array) is np.ndarray
    assert array.dtype == dtype
    np.testing.assert_array_equal(array, np.array(expected))


@pytest.mark.parametrize(("dtype", "expected"), [
    ("uint16", "int64"), ("uint32", "int64"), ("uint64", "float64"), ("longdouble", "float64")])
def test_as_array_widens_dtypes_the_protocol_cannot_carry(dtype, expected):
    values = np.array([0, 7, 65535], dtype=dtype)
    array = as_array(values)
    assert array.dtype == expected
    np.testing.assert_array_equal(array, [0, 7, 65535])
    # and it travels: the decoder refuses uint/long-double arrays, which would end the run
    message = {"type": "inventory", "units": [{"unit": "lab.py", "notes": [],
                                               "objects": discovery.inventory({"a": values})[0]}]}
    back = protocol.read_message(io.BytesIO(protocol.encode_message(message)))
    assert back["units"][0]["objects"][0]["value"].dtype == expected


def test_as_array_returns_a_copy():
    tensor = torch.tensor([1.0, 2.0], requires_grad=True)
    array = as_array(tensor)
    array[0] = 99.0
    assert tensor[0].item() == 1.0
    source = np.array([1.0, 2.0])
    copy = as_array(source)
    assert not np.shares_memory(copy, source)


class _Sub(np.ndarray):
    pass


class _HasArray:
    called = False

    def __array__(self, dtype=None, copy=None):
        _HasArray.called = True
        return np.array([1.0, 2.0])


class _HasFloat:
    called = False

    def __float__(self):
        _HasFloat.called = True
        return 1.0


class _LyingFloat(float):
    def __float__(self):
        return 42.0


class _TensorSub(torch.Tensor):
    pass


def _matrix() -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix([[1.0, 2.0]])


@pytest.mark.parametrize("value", [
    np.arange(3.0).view(_Sub),
    _matrix(),
    np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
    torch.ones(2).as_subclass(_TensorSub),
    _HasArray(),
    _HasFloat(),
    _LyingFloat(1.0),
    [1.0, _LyingFloat(2.0)],
    [1.0, _HasFloat()],
    "1.0",
    b"1.0",
    True,
    np.bool_(True),
    None,
    {"a": 1.0},
    [],
    [[1.0, 2.0], [3.0, 4.0]],
    [[1.0], [2.0, 3.0]],
    [1.0, "2.0"],
    [1.0, True],
    [torch.ones(2), 1.0],
    np.array([1, "a"], dtype=object),
    np.array([1 + 1j]),
    np.array(["a", "b"]),
    torch.tensor([1 + 1j]),
    1 + 2j,
], ids=["ndarray-subclass", "matrix", "masked", "tensor-subclass", "__array__", "__float__",
        "float-subclass", "list-with-float-subclass", "list-with-__float__", "str", "bytes", "bool",
        "np-bool", "None", "dict", "empty-list", "nested-list", "ragged-list", "list-with-str",
        "list-with-bool", "list-with-vector", "object-array", "complex-array", "str-array",
        "complex-tensor", "complex"])
def test_as_array_refuses_anything_else(value):
    _HasArray.called = _HasFloat.called = False
    with pytest.raises(NotConvertible):
        as_array(value)
    assert not _HasArray.called and not _HasFloat.called  # the dunder was never consulted


def test_as_array_element_limit():
    assert as_array(np.zeros(5), max_elements=5).shape == (5,)
    for value in (np.zeros(6), torch.zeros(6), [0.0] * 6):
        with pytest.raises(NotConvertible):
            as_array(value, max_elements=5)


def test_is_series_and_as_scalar():
    assert convert.is_series([1.0, 0.5]) and convert.is_series((torch.tensor(1.0), 0.5))
    assert not convert.is_series([1.0]) and not convert.is_series("ab")
    assert not convert.is_series(["a", "b"]) and not convert.is_series(np.array([1.0, 2.0]))
    assert convert.as_scalar(torch.tensor([[3.0]])) == 3.0
    with pytest.raises(NotConvertible):
        convert.as_scalar(torch.ones(2))


# --- discovery.inventory ------------------------------------------------------------------------

STUDENT = """
import numpy as np
import torch
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1),
                            torch.nn.Sigmoid())
criterion = torch.nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.25)
losses = [0.9, 0.5, 0.25]
params = {"W1": np.ones((2, 3)), "b1": torch.zeros(3), "lr": 0.1, "history": [1.0, 0.4]}
pair = [torch.ones(2, 2), np.zeros(2)]
X = torch.randn(5, 2)
data = np.random.default_rng(0).normal(3.0, 2.0, size=(200, 2))
scaler = StandardScaler().fit(data)
_hidden = np.ones(3)
note = "just text"

def backward(X, y, params, cache=None):
    return {}

class Net:
    def __init__(self):
        self.W1 = np.full((2, 3), 0.5)
        self.b1 = torch.ones(3)
        self.costs = [1.0, 0.5, 0.1]
        self.name = "net"

    def forward(self, X):
        return X @ self.W1

net = Net()

class Hostile:
    def __getattribute__(self, name):
        raise RuntimeError("no peeking")

hostile = Hostile()
"""


@pytest.fixture(scope="module")
def student_namespace():
    namespace = execute.fresh_namespace("lab.py")
    exec(compile(STUDENT, "<lab.py>", "exec"), namespace)  # noqa: S102
    return namespace


def test_inventory_lists_each_kind_in_name_order(student_namespace):
    records, notes = discovery.inventory(student_namespace)
    summary = [(r["kind"], r["name"]) for r in records]
    assert summary == [
        ("array", "X"),
        ("function", "backward"),
        ("loss_module", "criterion"),
        ("array", "data"),
        ("series", "losses"),
        ("module", "model"),
        ("instance", "net"),
        ("optimizer", "optimizer"),
        ("array_list", "pair"),
        ("array_dict", "params"),
        ("series", "params['history']"),
        ("scaler", "scaler"),
    ]
    names = [r["name"] for r in records]
    # modules, classes, private names, plain strings and the hostile object are not listed
    for absent in ("np", "torch", "StandardScaler", "Net", "Hostile", "_hidden", "note",
                   "__builtins__", "hostile"):
        assert absent not in names
    assert notes == ["hostile: could not be read (RuntimeError)"]


def _by_name(records):
    return {r["name"]: r for r in records}


def test_inventory_records_carry_plain_data(student_namespace):
    records = _by_name(discovery.inventory(student_namespace)[0])
    model = student_namespace["model"]

    module = records["model"]
    assert module["class"] == "Sequential" and module["training"] is True
    assert [(layer["path"], layer["type"]) for layer in module["layers"]] == [
        ("0", "Linear"), ("1", "Tanh"), ("2", "Linear"), ("3", "Sigmoid")]
    assert module["layers"][0]["in_features"] == 2 and module["layers"][2]["out_features"] == 1
    assert [name for name, _ in module["params"]] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    np.testing.assert_array_equal(module["params"][0][1], model[0].weight.detach().numpy())
    assert module["params"][0][1].dtype == np.float64

    assert records["optimizer"]["class"] == "SGD" and records["optimizer"]["defaults"]["lr"] == 0.25
    np.testing.assert_array_equal(records["losses"]["value"], [0.9, 0.5, 0.25])
    assert records["X"]["source"] == "tensor" and records["X"]["value"].shape == (5, 2)
    assert records["data"]["source"] == "ndarray"

    items = {key: (array, source) for key, array, source in records["params"]["items"]}
    assert set(items) == {"W1", "b1"}
    assert items["W1"][1] == "ndarray" and items["b1"][1] == "tensor"
    np.testing.assert_array_equal(items["W1"][0], np.ones((2, 3)))
    np.testing.assert_array_equal(records["params['history']"]["value"], [1.0, 0.4])
    assert [source for _, _, source in records["pair"]["items"]] == ["tensor", "ndarray"]

    scaler = records["scaler"]
    assert scaler["class"] == "StandardScaler"
    np.testing.assert_allclose(scaler["mean"], student_namespace["data"].mean(axis=0))
    np.testing.assert_allclose(scaler["scale"], student_namespace["data"].std(axis=0))
    np.testing.assert_allclose(scaler["mean"], [3.0, 3.0], atol=0.5)

    assert records["backward"]["parameters"] == ["X", "y", "params", "cache"]

    instance = records["net"]
    assert instance["class"] == "Net" and instance["methods"] == ["__init__", "forward"]
    attrs = {key: (array, source) for key, array, source in instance["items"]}
    assert set(attrs) == {"W1", "b1"} and attrs["b1"][1] == "tensor"
    np.testing.assert_array_equal(attrs["W1"][0], np.full((2, 3), 0.5))
    assert [(k, list(v)) for k, v in instance["series"]] == [("costs", [1.0, 0.5, 0.1])]


def test_the_inventory_is_what_the_grader_builds_candidates_from(student_namespace):
    records, notes = discovery.inventory(student_namespace)
    found = build_candidates([{"unit": "lab.py", "objects": records, "notes": notes}], n_inputs=2)
    by_name = {(c.kind, c.name): c for c in found}
    model = by_name[("network", "model")]
    assert model.data["activations"] == ("tanh", "sigmoid") and model.data["sizes"] == (2, 4, 1)
    np.testing.assert_allclose(model.data["weights"][1],
                               student_namespace["model"][2].weight.detach().numpy().T)
    assert by_name[("network", "params")].data["container"] == "dict"
    assert by_name[("network", "net")].data["container"] == "instance"
    assert {name for kind, name in by_name if kind == "series"} == {
        "losses", "params['history']", "net.costs"}
    assert {name for kind, name in by_name if kind == "function"} == {
        "backward", "net.__init__", "net.forward"}
    assert ("scaler", "scaler") in by_name


def test_the_inventory_travels_over_the_protocol(student_namespace):
    records, notes = discovery.inventory(student_namespace)
    message = {"type": "inventory", "units": [{"unit": "lab.py", "objects": records, "notes": notes}]}
    back = protocol.read_message(io.BytesIO(protocol.encode_message(message)))
    objects = _by_name(back["units"][0]["objects"])
    np.testing.assert_array_equal(objects["model"]["params"][2][1],
                                  student_namespace["model"][2].weight.detach().numpy())


def test_inventory_budget():
    budget = discovery.Budget(5)
    budget.take(np.zeros(3))
    with pytest.raises(NotConvertible):
        budget.take(np.zeros(3))
    assert budget.left == 2


# --- execute.run_cells --------------------------------------------------------------------------

CELL_SCHEMA = {"unit": "str", "number": "int", "status": "str", "error": "str|None",
               "traceback": "str|None", "line": "int|None", "seconds": "float"}


def _run(cells, unit="lab.ipynb"):
    messages = []
    namespace = execute.fresh_namespace(unit)
    execute.run_cells(unit, cells, namespace, messages.append, execute.FigureCapture(messages.append))
    reports = [m for m in messages if m["type"] == "cell"]
    for report in reports:
        protocol.expect(report, CELL_SCHEMA)  # exactly what the parent accepts
    return reports, namespace, messages


def _cells(*sources, refused=None):
    refused = refused or {}
    return [{"number": i, "source": textwrap.dedent(src), **({"refused": refused[i]} if i in refused
                                                             else {})}
            for i, src in enumerate(sources, start=1)]


def test_run_cells_runs_in_order_and_continues_after_failures():
    cells = _cells(
        "x = 1\norder = [1]\n",
        "order.append(2)\ny = x + 1\nz = undefined_name\nnot_reached = True\n",
        "order.append(3)\nw = y * 10\n",
        "order.append(4)\nname = input('your name? ')\n",
        "import sys\norder.append(5)\nsys.exit(3)\nafter_exit = True\n",
        "order.append(6)\ndone = True\n",
        "order.append(7)\n",
        refused={7: "the IPython magic %time is not run by the grader"},
    )
    reports, namespace, _ = _run(cells)
    assert [r["number"] for r in reports] == [1, 2, 3, 4, 5, 6, 7]
    assert [r["status"] for r in reports] == ["ok", "error", "ok", "error", "error", "ok", "error"]
    assert namespace["order"] == [1, 2, 3, 4, 5, 6]
    assert namespace["w"] == 20 and namespace["done"] is True
    assert "not_reached" not in namespace and "after_exit" not in namespace and "name" not in namespace

    ok = reports[0]
    assert ok["error"] is None and ok["traceback"] is None and ok["line"] is None
    assert ok["seconds"] >= 0.0

    name_error = reports[1]
    assert name_error["error"] == "NameError: name 'undefined_name' is not defined"
    assert name_error["line"] == 3
    assert name_error["traceback"].startswith('  File "<lab.ipynb cell 2>", line 3, in <module>\n')
    assert "z = undefined_name" in name_error["traceback"]
    for harness in ("execute.py", "run_cells", "grader", "exec(code"):
        assert harness not in name_error["traceback"]

    no_input = reports[3]
    assert no_input["error"].startswith("InputNotAvailable: input() is not available during grading")
    assert no_input["line"] == 2
    assert no_input["traceback"].startswith('  File "<lab.ipynb cell 4>", line 2')
    assert "execute.py" not in no_input["traceback"]

    exited = reports[4]
    assert exited["error"] == "the code called exit(3); the rest of this cell did not run"
    assert reports[6]["error"] == "the IPython magic %time is not run by the grader"
    assert reports[6]["traceback"] is None


def test_exit_without_a_code_and_builtin_exit():
    reports, namespace, _ = _run(_cells("import sys\nsys.exit()\n", "a = 1\nexit(0)\n", "b = 2\n"))
    assert reports[0]["error"] == "the code called exit(None); the rest of this cell did not run"
    assert reports[1]["error"] == "the code called exit(0); the rest of this cell did not run"
    assert reports[2]["status"] == "ok" and namespace["a"] == 1 and namespace["b"] == 2


def test_a_traceback_through_a_function_from_an_earlier_cell():
    cells = _cells(
        """
        def divide(a, b):
            return a / b
        """,
        "first = divide(1, 1)\nsecond = divide(1, 0)\n",
    )
    reports, namespace, _ = _run(cells)
    report = reports[1]
    assert report["error"] == "ZeroDivisionError: division by zero"
    assert report["line"] == 2  # the failing line of the cell that ran, not the function's
    lines = report["traceback"].splitlines()
    assert lines[0] == '  File "<lab.ipynb cell 2>", line 2, in <module>'
    assert '  File "<lab.ipynb cell 1>", line 3, in divide' in lines
    assert namespace["first"] == 1.0


def test_script_cells_report_the_scripts_line():
    cells = [{"number": 1, "source": "a = 1\n"}, {"number": 4, "source": "\n\n\nb = a + missing\n"}]
    reports, _, _ = _run(cells, unit="lab.py")
    assert reports[1]["line"] == 4
    assert reports[1]["traceback"].startswith('  File "<lab.py cell 4>", line 4')


def test_a_syntax_error_reports_its_line_without_harness_frames():
    reports, namespace, _ = _run(_cells("a = 1\n", "b = 2\nc = (\nd = 3\n", "e = a\n"))
    report = reports[1]
    assert report["status"] == "error" and report["error"].startswith("SyntaxError")
    assert report["line"] == 2  # "c = (" is never closed
    assert "execute.py" not in report["traceback"]
    assert 'File "<lab.ipynb cell 2>", line 2' in report["traceback"]
    assert "b" not in namespace and namespace["e"] == 1

