"""Shared fixture: verdict details must be plain, strictly JSON-serialisable python data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def _walk(value: Any, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{path}: key {key!r} is not a str"
            _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]")
    else:
        assert value is None or type(value) in (bool, int, float, str), (
            f"{path}: {type(value).__name__} is not a plain JSON type"
        )


@pytest.fixture
def assert_plain() -> Callable[[dict[str, Any]], None]:
    """Check that a details dict holds only python str/int/float/bool/None/lists/dicts."""

    def check(details: dict[str, Any]) -> None:
        _walk(details, "details")
        json.dumps(details, allow_nan=False)

    return check
