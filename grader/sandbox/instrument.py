"""Instrument the student's loops before they run: one cheap call per iteration, two per loop.

An AST pass wraps the body of every ``for`` and ``while`` loop in ``try: ... finally:
__labgrade_loop__(ID)``, so the call runs once at the end of each iteration, however it ends
(``continue``, ``break``, an exception): the state it sees is the one iteration's work, its
loop variables and what it computed together. Each loop itself is preceded by
``__labgrade_loop_start__(ID)`` (the state before it: where parameters are set up) and
wrapped in ``try: ... finally: __labgrade_loop_end__(ID)`` (the state it was left in). Every
inserted node takes the line and column of its loop, and nothing else is moved, so tracebacks
and line numbers stay true.

Nothing here records or judges: :mod:`grader.sandbox.looptrace` decides which iterations to
sample and what to keep.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

TICK = "__labgrade_loop__"
START = "__labgrade_loop_start__"
END = "__labgrade_loop_end__"
MAX_LOOPS = 512  # loops instrumented per unit (beyond: left as written)


@dataclass
class LoopSites:
    """Where each instrumented loop is: its id is its index here."""

    sites: list[tuple[int, int, str]] = field(default_factory=list)  # (cell, line, "for" | "while")

    def add(self, cell: int, line: int, kind: str) -> int | None:
        if len(self.sites) >= MAX_LOOPS:
            return None
        self.sites.append((cell, line, kind))
        return len(self.sites) - 1


def _call(name: str, loop_id: int, at: ast.AST) -> ast.Expr:
    node = ast.Expr(ast.Call(ast.Name(name, ast.Load()), [ast.Constant(loop_id)], []))
    for child in ast.walk(node):
        ast.copy_location(child, at)
        child.end_lineno, child.end_col_offset = at.lineno, at.col_offset  # type: ignore[attr-defined]
    return node


class _Loops(ast.NodeTransformer):
    def __init__(self, sites: LoopSites, cell: int) -> None:
        self.sites, self.cell = sites, cell

    def _instrument(self, node: ast.For | ast.While | ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)  # inner loops first
        loop_id = self.sites.add(self.cell, node.lineno, "while" if isinstance(node, ast.While)
                                 else "for")
        if loop_id is None:
            return node
        body = ast.Try(body=node.body, handlers=[], orelse=[], finalbody=[_call(TICK, loop_id, node)])
        node.body = [ast.copy_location(body, node)]
        wrapper = ast.Try(body=[_call(START, loop_id, node), node], handlers=[], orelse=[],
                          finalbody=[_call(END, loop_id, node)])
        return ast.copy_location(wrapper, node)

    visit_For = _instrument
    visit_While = _instrument
    visit_AsyncFor = _instrument


def instrument(tree: ast.Module, sites: LoopSites, cell: int) -> ast.Module:
    """The same module with every loop instrumented (see the module docstring)."""
    tree = _Loops(sites, cell).visit(tree)
    return ast.fix_missing_locations(tree)


def compile_cell(source: str, filename: str, sites: LoopSites | None, cell: int,
                 first_line: int = 1) -> object:
    """Compile one cell, its loops instrumented when ``sites`` is given.

    ``first_line`` is the line the cell starts on in its file (a script's statement): every
    line number, a syntax error's included, is counted from there. A syntax error is
    otherwise raised exactly as ``compile`` raises it.
    """
    offset = first_line - 1
    if sites is None and offset == 0:
        return compile(source, filename, "exec", dont_inherit=True)
    try:
        tree = ast.parse(source, filename, "exec")
    except SyntaxError as exc:
        for attribute in ("lineno", "end_lineno"):
            if getattr(exc, attribute, None) is not None:
                setattr(exc, attribute, getattr(exc, attribute) + offset)
        raise
    if offset:
        ast.increment_lineno(tree, offset)
    if sites is not None:
        tree = instrument(tree, sites, cell)
    return compile(tree, filename, "exec", dont_inherit=True)
