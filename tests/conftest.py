"""Suite-wide: ``grader run`` grades with one fixed private secret, never this user's own.

The secret file is named through ``LABGRADE_SECRET_FILE`` (as ``--secret-file``), so results
are the same on every machine and no test creates ``~/.local/share/labgrade/secret``.
Subprocesses inherit it. Tests of the default location unset it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

TEST_SECRET = "labgrade-test-suite-private-secret"
_SAVED: dict[str, str | None] = {}
_FOLDERS: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="labgrade-test-secret-"))
    _FOLDERS.append(folder)
    secret = folder / "secret"
    secret.write_text(TEST_SECRET + "\n")
    secret.chmod(0o600)
    _SAVED["LABGRADE_SECRET_FILE"] = os.environ.get("LABGRADE_SECRET_FILE")
    os.environ["LABGRADE_SECRET_FILE"] = str(secret)


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    saved = _SAVED.get("LABGRADE_SECRET_FILE")
    if saved is None:
        os.environ.pop("LABGRADE_SECRET_FILE", None)
    else:
        os.environ["LABGRADE_SECRET_FILE"] = saved
