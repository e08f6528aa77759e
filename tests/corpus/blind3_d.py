"""Corpus entries from blind round 3, part d (see tests/corpus/README.md): written for this project
in styles the grader had not seen, each with the verdict it must get. Every entry is named
``blind3_d_*``.
"""

from __future__ import annotations

from _build import Cell, Entry, Fail, code, md  # noqa: F401

ENTRIES: list[Entry] = []
