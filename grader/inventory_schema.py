"""The exact shape of every inventory record the child may send, checked in the parent.

:func:`grader.protocol.expect` checks only that an ``inventory`` message holds a list of
units. This module checks each unit and each record inside it against the exact format
:mod:`grader.sandbox.discovery` produces: the keys of each record kind (no more, no fewer),
their types, the dtype, dimensions and size of every array, finite numbers wherever a
number is expected, bounded lengths and a bounded nesting depth. A record that breaks it is
dropped with a reason in words (shown in the result's ``run.events``); the rest of the
inventory is still used. Nothing here raises on hostile input.

Array *values* may hold NaN or infinity: a diverged student's weights or loss history are
real data that checks must see and judge. Scalars in the records (layer sizes, slopes,
optimizer settings) must be finite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.protocol import ALLOWED_DTYPES

MAX_DEPTH = 3  # record -> list -> pair/triple/layer: nothing discovery sends is deeper
MAX_RECORDS = 2_000  # per unit (a dict of many number lists yields one record per list)
MAX_ITEMS = 10_000  # entries of any one list inside a record
MAX_NOTES = 2_000
MAX_TEXT = 1_000  # characters in a name, class, key or note
MAX_NDIM = 8
MAX_ELEMENTS = 2_000_000  # one array (grader.sandbox.convert.MAX_ELEMENTS)
MAX_TOTAL_ELEMENTS = 8_000_000  # one inventory (grader.sandbox.discovery.MAX_INVENTORY_ELEMENTS)
MAX_LAYER_WIDTH = 10**9
MAX_REPORTED = 20  # rejection reasons kept in words; more are counted
MAX_UNITS = 200  # units of one inventory when the submission's are not known (loading.MAX_FILES)
MAX_KEYS_SHOWN = 10  # unexpected keys named in a reason

FLOAT64 = frozenset({"float64"})
FLOATS = frozenset({"float64", "float32", "float16"})
SOURCES = ("tensor", "ndarray")
UNIT_KEYS = frozenset({"unit", "objects", "notes"})


class SchemaError(Exception):
    """One part of a record that is not what discovery sends; the message says where and why."""


Check = Callable[[Any, str], None]


def _fail(path: str, problem: str) -> SchemaError:
    return SchemaError(f"{path}: {problem}" if path else problem)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _keys(keys: Collection[Any]) -> str:
    """At most MAX_KEYS_SHOWN keys, sorted and shortened, and how many more there are."""
    shown = sorted(str(k)[:40] for k in list(keys)[:MAX_KEYS_SHOWN])
    more = len(keys) - MAX_KEYS_SHOWN
    return str(shown) + (f" and {more} more" if more > 0 else "")


# --- leaf checks -------------------------------------------------------------------------------

def text(value: Any, path: str) -> None:
    if type(value) is not str:
        raise _fail(path, f"expected text, got {_type_name(value)}")
    if len(value) > MAX_TEXT:
        raise _fail(path, f"text of {len(value)} characters (at most {MAX_TEXT})")


def name(value: Any, path: str) -> None:
    text(value, path)
    if not value:
        raise _fail(path, "empty name")


def flag(value: Any, path: str) -> None:
    if type(value) is not bool:
        raise _fail(path, f"expected true/false, got {_type_name(value)}")


def finite_float(value: Any, path: str) -> None:
    if type(value) is not float:
        raise _fail(path, f"expected a real number, got {_type_name(value)}")
    if not math.isfinite(value):
        raise _fail(path, f"non-finite number {value}")


def width(value: Any, path: str) -> None:
    if type(value) is not int:
        raise _fail(path, f"expected an integer, got {_type_name(value)}")
    if not 0 <= value <= MAX_LAYER_WIDTH:
        raise _fail(path, f"{value} is not a layer size between 0 and {MAX_LAYER_WIDTH}")


def one_of(*choices: str) -> Check:
    def check(value: Any, path: str) -> None:
        if type(value) is not str or value not in choices:
            shown = repr(value)[:40] if type(value) is str else _type_name(value)
            raise _fail(path, f"{shown} is not one of {', '.join(choices)}")
    return check


def array(dtypes: Collection[str] = ALLOWED_DTYPES, *, ndim: int | None = None) -> Check:
    """An ndarray (decoded by the protocol) with one of ``dtypes`` and bounded dimensions."""
    def check(value: Any, path: str) -> None:
        if type(value) is not np.ndarray:
            raise _fail(path, f"expected an array, got {_type_name(value)}")
        if value.dtype.name not in dtypes:
            raise _fail(path, f"array dtype {value.dtype.name} (expected {'/'.join(sorted(dtypes))})")
        if ndim is not None and value.ndim != ndim:
            raise _fail(path, f"array with {value.ndim} dimensions (expected {ndim})")
        if value.ndim > MAX_NDIM:
            raise _fail(path, f"array with {value.ndim} dimensions (at most {MAX_NDIM})")
        if any(size > MAX_ELEMENTS for size in value.shape) or value.size > MAX_ELEMENTS:
            raise _fail(path, f"array of shape {value.shape} is too large "
                        f"(at most {MAX_ELEMENTS} elements)")
    return check


# --- containers --------------------------------------------------------------------------------

def list_of(item: Check, *, limit: int = MAX_ITEMS) -> Check:
    def check(value: Any, path: str) -> None:
        if type(value) is not list:
            raise _fail(path, f"expected a list, got {_type_name(value)}")
        if len(value) > limit:
            raise _fail(path, f"list of {len(value)} entries (at most {limit})")
        for index, entry in enumerate(value):
            item(entry, f"{path}[{index}]")
    return check


def fixed(*items: Check) -> Check:
    """A list of exactly ``len(items)`` entries, each with its own check (a pair, a triple)."""
    def check(value: Any, path: str) -> None:
        if type(value) is not list or len(value) != len(items):
            got = f"a list of {len(value)}" if type(value) is list else _type_name(value)
            raise _fail(path, f"expected a list of {len(items)} entries, got {got}")
        for index, (entry, item) in enumerate(zip(value, items)):
            item(entry, f"{path}[{index}]")
    return check


def exact(keys: dict[str, Check]) -> Check:
    """A dict with exactly these keys, each value checked."""
    def check(value: Any, path: str) -> None:
        if type(value) is not dict:
            raise _fail(path, f"expected an object, got {_type_name(value)}")
        missing, extra = set(keys) - set(value), set(value) - set(keys)
        if missing or extra:
            parts = ([f"missing keys {sorted(missing)}"] if missing else []) + \
                    ([f"unexpected keys {_keys(extra)}"] if extra else [])
            raise _fail(path, " and ".join(parts))
        for key, item in keys.items():
            item(value[key], f"{path}.{key}" if path else key)
    return check


def dict_of(item: Check, *, limit: int = 100) -> Check:
    """A dict with text keys (bounded in number), each value checked."""
    def check(value: Any, path: str) -> None:
        if type(value) is not dict:
            raise _fail(path, f"expected an object, got {_type_name(value)}")
        if len(value) > limit:
            raise _fail(path, f"object with {len(value)} keys (at most {limit})")
        for key, entry in value.items():
            text(key, f"{path} key")
            item(entry, f"{path}[{key!r}]")
    return check


# --- the record kinds --------------------------------------------------------------------------

LAYER_BASE = {"path": text, "type": name}
LAYERS = {
    "Linear": exact({**LAYER_BASE, "in_features": width, "out_features": width, "bias": flag}),
    "LeakyReLU": exact({**LAYER_BASE, "negative_slope": finite_float}),
}
PLAIN_LAYER = exact(LAYER_BASE)


def layer(value: Any, path: str) -> None:
    kind = value.get("type") if type(value) is dict else None
    (LAYERS[kind] if type(kind) is str and kind in LAYERS else PLAIN_LAYER)(value, path)


ARRAY_ENTRY = fixed(text, array(), one_of(*SOURCES))  # [key, array, "tensor" | "ndarray"]
SERIES = array(FLOAT64, ndim=1)
MODULE = {"name": name, "class": name, "layers": list_of(layer),
          "params": list_of(fixed(name, array(FLOAT64))), "training": flag}

RECORDS: dict[str, Check] = {
    "module": exact({"kind": text, **MODULE}),
    "loss_module": exact({"kind": text, **MODULE}),
    "optimizer": exact({"kind": text, "name": name, "class": name,
                        "defaults": dict_of(finite_float)}),
    "array": exact({"kind": text, "name": name, "value": array(), "requires_grad": flag,
                    "source": one_of(*SOURCES)}),
    "series": exact({"kind": text, "name": name, "value": SERIES}),
    "array_list": exact({"kind": text, "name": name, "items": list_of(ARRAY_ENTRY)}),
    "array_dict": exact({"kind": text, "name": name, "items": list_of(ARRAY_ENTRY)}),
    "scaler": exact({"kind": text, "name": name, "class": name, "mean": array(FLOATS, ndim=1),
                     "scale": array(FLOATS, ndim=1)}),
    "function": exact({"kind": text, "name": name, "parameters": list_of(text, limit=1_000)}),
    "instance": exact({"kind": text, "name": name, "class": name, "items": list_of(ARRAY_ENTRY),
                       "series": list_of(fixed(name, SERIES)),
                       "methods": list_of(name, limit=1_000)}),
}


def depth(value: Any) -> int:
    """Nesting depth of dicts and lists (arrays and scalars are leaves), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if type(item) is dict:
            children: Any = item.values()
        elif type(item) is list:
            children = item
        else:
            deepest = max(deepest, level)
            continue
        deepest = max(deepest, level + 1)
        if level + 1 > MAX_DEPTH:
            return level + 1  # deep enough to refuse: no need to walk the rest
        stack.extend((child, level + 1) for child in children)
    return deepest


def elements(record: dict[str, Any]) -> int:
    """Array elements a (valid) record carries."""
    total, stack = 0, [record]
    while stack:
        item = stack.pop()
        if type(item) is np.ndarray:
            total += item.size
        elif type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return total


def check_record(record: Any) -> None:
    """Raise :class:`SchemaError` unless ``record`` is exactly one of the kinds above."""
    if type(record) is not dict:
        raise _fail("", f"a record must be an object, got {_type_name(record)}")
    if depth(record) > MAX_DEPTH:
        raise _fail("", f"nested deeper than {MAX_DEPTH} levels")
    kind = record.get("kind")
    if type(kind) is not str or kind not in RECORDS:
        shown = repr(kind)[:40] if type(kind) is str else _type_name(kind)
        raise _fail("kind", f"unknown record kind {shown}")
    RECORDS[kind](record, "")


# --- whole inventories -------------------------------------------------------------------------

@dataclass
class CheckedInventory:
    """The units and records that passed, and why the others were dropped."""

    units: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    rejected_count: int = 0

    def reject(self, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(reason)

    def events(self) -> list[str]:
        """The reasons in words, with a count of those left out."""
        left = self.rejected_count - len(self.rejected)
        return self.rejected + ([f"... and {left} more inventory records rejected"] if left else [])


def _label(record: Any, index: int) -> str:
    if type(record) is dict and type(record.get("name")) is str:
        kind = record.get("kind")
        kind_text = f", {kind}" if type(kind) is str and kind in RECORDS else ""
        return f"record {index} ({record['name'][:60]!r}{kind_text})"
    return f"record {index}"


def check_inventory(units: Any, expected_units: Collection[str] | None = None) -> CheckedInventory:
    """Keep the units and records that match the schema exactly; describe the rest."""
    checked = CheckedInventory()
    if type(units) is not list:
        checked.reject(f"inventory rejected: expected a list of units, got {_type_name(units)}")
        return checked
    allowed = MAX_UNITS if expected_units is None else len(expected_units)
    if len(units) > allowed + MAX_REPORTED:  # at once: millions of bogus units took minutes
        checked.reject(f"inventory rejected: {len(units)} units, but the submission has "
                       f"{allowed} files to run" if expected_units is not None else
                       f"inventory rejected: {len(units)} units (at most {MAX_UNITS})")
        return checked
    seen: set[str] = set()
    total = 0
    for position, unit in enumerate(units):
        where = f"inventory unit {position}"
        if type(unit) is not dict or set(unit) != UNIT_KEYS:
            keys = _keys(unit) if type(unit) is dict else _type_name(unit)
            checked.reject(f"{where} rejected: expected keys {sorted(UNIT_KEYS)}, got {keys}")
            continue
        try:
            text(unit["unit"], "unit")
            list_of(lambda _value, _path: None, limit=MAX_RECORDS)(unit["objects"], "objects")
            list_of(text, limit=MAX_NOTES)(unit["notes"], "notes")
        except SchemaError as exc:
            checked.reject(f"{where} rejected: {exc}")
            continue
        unit_name = unit["unit"]
        if expected_units is not None and unit_name not in expected_units:
            checked.reject(f"{where} rejected: {unit_name[:80]!r} is not a file of this submission")
            continue
        if unit_name in seen:
            checked.reject(f"{where} rejected: {unit_name[:80]!r} is listed twice")
            continue
        seen.add(unit_name)
        objects = []
        for index, record in enumerate(unit["objects"]):
            try:
                check_record(record)
            except SchemaError as exc:
                checked.reject(f"inventory of {unit_name}: {_label(record, index)} rejected: {exc}")
                continue
            size = elements(record)
            if total + size > MAX_TOTAL_ELEMENTS:
                checked.reject(f"inventory of {unit_name}: {_label(record, index)} rejected: the "
                               f"inventory would exceed {MAX_TOTAL_ELEMENTS} array elements")
                continue
            total += size
            objects.append(record)
        checked.units.append({"unit": unit_name, "objects": objects, "notes": unit["notes"]})
    return checked
