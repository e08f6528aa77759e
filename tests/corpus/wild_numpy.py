"""Corpus entries in the styles real students write (see issue 11): filled in by make_corpus.py."""

from __future__ import annotations

from _build import Entry, Fail, code, md  # noqa: F401

ENTRIES: list[Entry] = []
