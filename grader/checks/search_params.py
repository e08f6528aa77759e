"""Which alpha0 and rho a backtracking search used, inferred from the steps it took (pure).

Every accepted step of a backtracking search is ``alpha0 * rho**k`` with ``k >= 0``. Given
the steps measured from the training (and the numbers the student's code held, which name
the likeliest values), the grader takes the pair that explains every step, preferring the
student's own numbers, then a search whose largest step is alpha0 itself, then the larger
rho. ``None`` when no pair explains them (the steps are then judged against the rubric's).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

ALPHA0S = (1.0, 2.0, 4.0, 8.0, 16.0, 0.5, 10.0, 5.0, 3.0, 32.0, 0.25, 0.1, 20.0, 100.0)
RHOS = (0.5, 0.8, 0.9, 0.7, 0.6, 0.75, 0.95, 0.25, 0.3, 0.4, 0.2, 0.1)
_ALPHA_NAME = re.compile(r"^(alpha|a|step|t|lr|eta)_?(0|init|initial|start|max)?$|^init_?alpha$",
                         re.IGNORECASE)
_RHO_NAME = re.compile(r"^(rho|beta|tau|shrink|decay|factor|gamma)$", re.IGNORECASE)


def _k(step: float, alpha0: float, rho: float, precision: float) -> int | None:
    k = math.log(step / alpha0) / math.log(rho)
    allowed = 1e-5 + 3 * precision / abs(math.log(rho))  # tight: 2 - 2^-9 is no power of 2
    return round(k) if abs(k - round(k)) < allowed and round(k) >= 0 else None


def declared(numbers: Iterable[tuple[str, float]]) -> tuple[list[float], list[float]]:
    """The student's likely alpha0 and rho values, by the names of the numbers they held. A
    factor named like rho above 1 (``rho = 2`` with ``alpha /= rho``, or ``rho = 1.5`` with
    ``alpha *= rho``, a step that grows) is taken as its reciprocal, the factor below 1 that
    the steps show either way."""
    alphas, rhos = [], []
    for name, value in numbers:
        leaf = name.rsplit(".", 1)[-1]
        if _ALPHA_NAME.match(leaf) and 1e-4 <= value <= 1e3 and value not in alphas:  # a start
            alphas.append(float(value))
        elif _RHO_NAME.match(leaf) and (0 < value < 1 or 1 < value <= 100):
            factor = float(value) if value < 1 else 1 / float(value)
            if factor not in rhos:
                rhos.append(factor)
    return alphas, rhos


_C_NAME = re.compile(r"^(c|c1|c_1|c_armijo|armijo_c)$", re.IGNORECASE)


def declared_c(numbers: Iterable[tuple[str, float]]) -> list[float]:
    """The student's likely Armijo constants c (0 < c < 1), by the names of the numbers they held."""
    found: list[float] = []
    for name, value in numbers:
        if _C_NAME.match(name.rsplit(".", 1)[-1]) and 0 < value < 1 and value not in found:
            found.append(float(value))
    return found


def infer(steps: Sequence[float], numbers: Iterable[tuple[str, float]] = (),
          precision: float = 0.0, own_only: bool = False) -> tuple[float, float] | None:
    """(alpha0, rho) explaining every step as alpha0 * rho^k, or None. ``own_only``: only
    pairs of the student's own numbers."""
    steps = [s for s in steps if s > 0 and math.isfinite(s)]
    if not steps:
        return None
    alphas, rhos = declared(numbers)
    if not own_only:
        alphas, rhos = alphas + [a for a in ALPHA0S if a not in alphas], \
            rhos + [r for r in RHOS if r not in rhos]
    own_alphas, own_rhos = declared(numbers)
    best: tuple[tuple[int, int, float], tuple[float, float]] | None = None
    for a_rank, alpha0 in enumerate(alphas):
        for r_rank, rho in enumerate(rhos):
            powers = [_k(s, alpha0, rho, precision) for s in steps]
            if any(k is None for k in powers):
                continue
            own = (a_rank >= len(own_alphas)) + (r_rank >= len(own_rhos))
            key = (own, 0 if min(powers) == 0 else 1, -rho)  # type: ignore[type-var]
            if best is None or key < best[0]:
                best = (key, (alpha0, rho))
    return None if best is None else best[1]


def infer_growing(steps: Sequence[float], numbers: Iterable[tuple[str, float]] = (),
                  precision: float = 0.0) -> tuple[float, float] | None:
    """(alpha0, rho) explaining every step as alpha0 / rho^k (k >= 0): a search that grows the
    step after each rejected trial (``alpha /= rho``, or ``alpha *= rho`` with rho > 1),
    alpha0 its smallest step. Tried where no shrinking search explains the steps; None unless
    some step grew."""
    steps = [s for s in steps if s > 0 and math.isfinite(s)]
    if not steps or max(steps) <= min(steps) * (1 + 1e-6):
        return None
    _, rhos = declared(numbers)
    alpha0 = min(steps)
    for rho in rhos + [r for r in RHOS if r not in rhos]:
        if all(_k(alpha0, s, rho, precision) is not None for s in steps):
            return alpha0, rho
    return None


def _cumulative_k(step: float, alpha0: float, rho: float, precision: float,
                  trials: int = 10) -> int | None:
    """j where step = alpha0 (1 + rho + ... + rho^j), j >= 1 (a long search that never undid
    its trials ends near alpha0 / (1 - rho))."""
    total = 0.0
    tolerance = (1e-5 + 3 * precision) * step
    for j in range(trials):  # noqa: B007
        total += alpha0 * rho**j
        if j >= 1 and abs(total - step) <= tolerance:
            return j
    return None


MAX_TRIALS = 10        # trials left applied recognised under a guessed alpha0 and rho
MAX_OWN_TRIALS = 60    # and under the student's own


def trials_left_applied(steps: Sequence[float], numbers: Iterable[tuple[str, float]] = (),
                        precision: float = 0.0, declared_only: bool = False
                        ) -> tuple[float, float] | None:
    """(alpha0, rho) under which some step is the sum of every trial alpha0 (1 + rho + ... +
    rho^j) and the others are plain alpha0 rho^k: the signature of trials never undone. Tried
    where :func:`infer` finds no pair that explains every step."""
    steps = [s for s in steps if s > 0 and math.isfinite(s)]
    alphas, rhos = declared(numbers)
    if declared_only:
        if not (alphas and rhos):
            return None
    else:
        alphas += [a for a in (1.0, 2.0, 4.0, 8.0, 0.5) if a not in alphas]
        rhos += [r for r in (0.5, 0.8, 0.9) if r not in rhos]
    for alpha0 in alphas:
        for rho in rhos:
            kinds = [("power" if _k(s, alpha0, rho, precision) is not None else
                      "sum" if _cumulative_k(s, alpha0, rho, precision,
                                             MAX_OWN_TRIALS if declared_only else MAX_TRIALS)
                      is not None else None)
                     for s in steps]
            # a step now and then that neither form explains (a search ended by its own
            # iteration cap) does not hide the sums
            if kinds and "sum" in kinds and kinds.count(None) * 4 <= len(kinds):
                return alpha0, rho
    return None


def _default_pairs(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[int | None, str, Any]]:
    """(positional index or None for keyword-only, name, default node) of each defaulted parameter."""
    args = function.args
    positional = args.posonlyargs + args.args
    first = len(positional) - len(args.defaults)
    pairs: list[tuple[int | None, str, Any]] = [
        (first + i, positional[first + i].arg, d) for i, d in enumerate(args.defaults)]
    pairs += [(None, a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return pairs


def _overridden(calls: list[ast.Call], index: int | None, name: str) -> bool:
    """Whether some call passes the parameter (by position, by keyword or through ``**``)."""
    for call in calls:
        if any(k.arg in (name, None) for k in call.keywords):
            return True
        if any(isinstance(a, ast.Starred) for a in call.args):
            return True
        if index is not None and len(call.args) > index:
            return True
    return False


def _searches(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function takes a shrink factor (``rho``, ``beta``, ...): a line search."""
    args = function.args
    return any(_RHO_NAME.match(a.arg) for a in args.posonlyargs + args.args + args.kwonlyargs)


def search_defaults(sources: Iterable[str]) -> list[tuple[str, float]]:
    """The numeric defaults (``alpha=2.0, rho=0.5, c=1e-4``) of the functions in ``sources``
    that take a shrink factor (line searches), are called and are never passed that
    parameter: the numbers such a search runs with. A function never called, or a default
    some call may override, gives nothing."""
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except (SyntaxError, ValueError):
            continue
    functions = [node for tree in trees for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    calls: dict[str, list[ast.Call]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                calls.setdefault(node.func.id, []).append(node)
    found: list[tuple[str, float]] = []
    for function in functions:
        sites = calls.get(function.name, []) if _searches(function) else []
        for index, name, default in _default_pairs(function) if sites else []:
            value = default.value if isinstance(default, ast.Constant) else None
            if (type(value) in (int, float) and not _overridden(sites, index, name)
                    and (_ALPHA_NAME.match(name) or _RHO_NAME.match(name) or _C_NAME.match(name))):
                found.append((f"{function.name}.{name}", float(value)))
    return found
