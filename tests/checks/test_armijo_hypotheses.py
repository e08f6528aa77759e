"""Armijo mistakes named from synthetic searches: each student search below is written with one
mistake and run on a quadratic line f(a) = f0 - a G + L a^2 G / 2 (G = |g|^2), where the
Armijo condition holds exactly for a <= 2 (1 - c) / L."""

from __future__ import annotations

import math

import pytest

from grader.checks.armijo_hypotheses import CORRECT, Search, explain


def line(f0: float, G: float, L: float):
    return lambda a: f0 - a * G + 0.5 * L * a * a * G


def student(mistake: str, f, f0: float, G: float, alpha0: float, rho: float, c: float,
            trials: int = 20) -> float:
    """A search as a student would write it, with ``mistake``."""
    alpha, previous = alpha0, f0
    for _ in range(trials):
        value = f(alpha)
        if mistake == "no_alpha":
            ok = value <= f0 - c * G
        elif mistake == "norm_not_squared":
            ok = value <= f0 - c * alpha * math.sqrt(G)
        elif mistake == "previous_trial":
            ok = value <= previous - c * alpha * G
        elif mistake == "reversed":
            ok = value > f0 - c * alpha * G
        else:
            ok = value <= f0 - c * alpha * G
        if ok:
            return alpha
        previous = value
        alpha = alpha / rho if mistake == "alpha_grows" else alpha * rho
    return alpha


def run(mistake: str, curvatures, *, alpha0=1.0, rho=0.5, c=1e-4, f0=1.0, G=4.0,
        trials: int = 20) -> list[Search]:
    searches = []
    for i, L in enumerate(curvatures):
        f = line(f0, G, L)
        searches.append(Search(i, f0, G, student(mistake, f, f0, G, alpha0, rho, c, trials), f))
    return searches


CURVES = [0.3, 1.5, 3.0, 7.0, 12.0, 40.0]


def test_a_correct_search_is_correct_under_the_rubric_c() -> None:
    assert explain(run("none", CURVES), alpha0=1.0, rho=0.5, cs=[1e-4]).name == CORRECT


def test_a_correct_search_with_its_own_c_is_correct_too() -> None:
    searches = run("none", CURVES, c=0.5)
    assert explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4, 0.5]).name == CORRECT


def test_a_decrease_term_without_alpha_is_named_not_called_reversed() -> None:
    searches = run("no_alpha", [0.05, 0.1, 0.3, 1.0, 4.0], c=0.5, G=1.0)
    diagnosis = explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4, 0.5])
    assert diagnosis.name == "no_alpha" and diagnosis.c == 0.5
    assert "lacks alpha" in diagnosis.message and "reversed" not in diagnosis.message
    assert diagnosis.evidence["iteration"] >= 0 and "armijo_bound" in diagnosis.evidence


def test_a_norm_that_is_not_squared_is_named() -> None:
    searches = run("norm_not_squared", CURVES, c=0.3, G=0.25, alpha0=2.0)
    diagnosis = explain(searches, alpha0=2.0, rho=0.5, cs=[1e-4, 0.3])
    assert diagnosis.name == "norm_not_squared" and "not squared" in diagnosis.message


def test_comparing_with_the_previous_trial_is_named() -> None:
    searches = run("previous_trial", [0.5, 3.0, 10.0, 30.0], alpha0=16.0)
    diagnosis = explain(searches, alpha0=16.0, rho=0.5, cs=[1e-4])
    assert diagnosis.name == "previous_trial" and "previous trial" in diagnosis.message


def test_a_step_that_grows_is_named_with_the_students_alpha0() -> None:
    searches = run("alpha_grows", [0.1, 0.2, 5.0, 9.0], alpha0=4.0, trials=12)
    assert searches[-1].step == 4.0 * 2**12  # the search ran out of trials
    diagnosis = explain(searches, alpha0=4.0, rho=0.5, cs=[1e-4])
    assert diagnosis.name == "alpha_grows" and "shrink the step" in diagnosis.message


def test_a_reversed_test_is_called_reversed() -> None:
    searches = run("reversed", [1.0, 3.0, 10.0, 30.0], alpha0=1.0)
    diagnosis = explain(searches, alpha0=1.0, rho=0.5, cs=[1e-4])
    assert diagnosis.name == "reversed" and "inequality reversed" in diagnosis.message


def _never_reset(curvatures, alpha0: float) -> tuple[Search, list[Search]]:
    alpha, searches = alpha0, []
    for i, L in enumerate(curvatures):
        f = line(1.0, 4.0, L)
        alpha = student("none", f, 1.0, 4.0, alpha, 0.5, 1e-4)  # starts where the last one ended
        searches.append(Search(i, 1.0, 4.0, alpha, f))
    return searches[0], searches[1:]


def test_a_step_never_reset_to_alpha0_is_named() -> None:
    first, searches = _never_reset([0.6, 0.05, 0.05, 0.1, 0.05], alpha0=8.0)
    assert [s.step for s in searches] == [2.0] * 4  # looks like alpha0 = 2
    diagnosis = explain(searches, alpha0=8.0, rho=0.5, cs=[1e-4], first=first,
                        names=("not_reset",))
    assert diagnosis.name == "not_reset" and "not reset to alpha0 = 8" in diagnosis.message
    assert diagnosis.evidence["armijo_step"] == 8.0


def test_a_search_reset_every_time_is_not_blamed_for_its_start() -> None:
    searches = run("none", [0.6, 0.05, 0.05, 0.1], alpha0=8.0)
    assert explain(searches[1:], alpha0=8.0, rho=0.5, cs=[1e-4], first=searches[0],
                   names=("not_reset",)).name == CORRECT


@pytest.mark.parametrize("mistake", ["no_alpha", "reversed", "alpha_grows"])
def test_no_hypothesis_names_a_correct_search(mistake: str) -> None:
    diagnosis = explain(run("none", CURVES), alpha0=1.0, rho=0.5, cs=[1e-4], names=(mistake,))
    assert diagnosis is not None and diagnosis.name == CORRECT


def _warm(curvatures, alpha0: float, factor: float, cap: bool = True) -> list[Search]:
    """A correct search whose every start is ``factor`` times the previous step (capped)."""
    alpha, searches = alpha0, []
    for i, L in enumerate(curvatures):
        f = line(1.0, 4.0, L)
        start = min(factor * alpha, alpha0) if cap else factor * alpha
        alpha = student("none", f, 1.0, 4.0, start, 0.5, 1e-4)
        searches.append(Search(i, 1.0, 4.0, alpha, f))
    return searches


@pytest.mark.parametrize("factor, cap", [(2.0, True), (2.0, False)])
def test_a_search_warm_started_from_twice_the_last_step_is_correct(factor: float, cap: bool) -> None:
    searches = _warm([0.6, 0.05, 0.05, 0.1, 3.0, 0.05, 0.05], alpha0=8.0, factor=factor, cap=cap)
    assert explain(searches, alpha0=8.0, rho=0.5, cs=[1e-4], names=()).name == CORRECT
    assert _explained_first(searches) is False  # no search from alpha0 = 8 takes these steps
    diagnosis = explain(searches, alpha0=8.0, rho=0.5, cs=[1e-4])
    assert diagnosis.name == CORRECT and diagnosis.evidence["warm_start_factor"] == 2.0


def _explained_first(searches: list[Search]) -> bool:
    from grader.checks.armijo_hypotheses import _explains
    return _explains(CORRECT, searches, 8.0, 0.5, 1e-4, None) is not None


def test_a_search_never_reset_is_no_warm_start() -> None:
    first, searches = _never_reset([0.6, 0.05, 0.05, 0.1, 0.05], alpha0=8.0)
    from grader.checks.armijo_hypotheses import warm_started
    assert warm_started([first, *searches], 8.0, 0.5, 1e-4) is None


def test_a_replayed_traced_search_is_blamed_only_for_a_named_mistake() -> None:
    from grader.runners.traced_search import diagnosed

    wrong = run("norm_not_squared", CURVES, c=0.3, G=0.25, alpha0=2.0)
    diagnosis = diagnosed(wrong, 2.0, 0.5, [1e-4, 0.3])
    assert diagnosis is not None and diagnosis.name == "norm_not_squared"
    assert diagnosed(run("none", CURVES), 1.0, 0.5, [1e-4]) is None       # correct: nothing blamed
    assert diagnosed(_warm(CURVES, 8.0, 2.0), 8.0, 0.5, [1e-4]) is None   # a warm start neither
    assert diagnosed(wrong[:1], 2.0, 0.5, [1e-4, 0.3]) is None            # one search proves little
