"""Rubrics: the built-in lab6, sizes, and broken rubrics refused with file, key and problem."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from grader import rubric
from grader.launcher import Limits
from grader.rubric import RubricError, load_rubric, parse_rubric, parse_size
from grader.rubric_bounds import LIMITS, REFERENCE_RUNS, REFERENCE_SETTINGS, limit_rows

# --- the built-in rubric ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab6():
    return load_rubric("lab6")


def test_lab6_loads_with_its_tasks_and_targets(lab6):
    path = rubric.BUILTIN_DIR / "lab6.toml"
    assert lab6.id == "lab6" and lab6.path == str(path)
    assert lab6.digest == hashlib.sha256(path.read_text(encoding="utf-8").encode()).hexdigest()
    assert [t.id for t in lab6.tasks] == ["runs", "xor", "moons", "backtracking"]
    assert set(lab6.targets) == {"xor_net", "xor_history", "backward", "forward", "moons_fixed",
                                 "moons_bt", "moons_scaler", "moons_fixed_history",
                                 "moons_bt_history", "line_search"}
    assert lab6.targets["moons_bt"].distinct_from == ("moons_fixed",)
    assert lab6.targets["moons_bt_history"].distinct_from == ("moons_fixed_history",)
    # a network in any framework: an nn.Module, weights, or arrays a training loop changed
    networks = [t for t in lab6.targets.values() if t.kind == "network"]
    assert [t.id for t in networks] == ["xor_net", "moons_fixed", "moons_bt"]
    for target in networks:
        assert target.origins == ("module", "weights", "trace"), target.id
        assert target.array_type == "any" and target.inputs == 2, target.id
    assert lab6.targets["xor_net"].hidden_max == 64
    assert (lab6.targets["xor_net"].dataset, lab6.targets["moons_fixed"].dataset) == ("xor", "moons")
    # network and scaler targets may fall back on type and shape; series and functions may not,
    # nor the backtracking network (it must not be the fixed-rate one taken by its shape)
    assert {t.id: t.fallback for t in lab6.targets.values()} == {
        t.id: t.kind in ("network", "scaler") and t.id != "moons_bt" for t in lab6.targets.values()}
    assert lab6.limits.memory == 6 * 1024**3 and lab6.limits.output == 1024**2
    assert lab6.limits.timeout == 600 and lab6.limits.probe_timeout == 30
    assert lab6.reference == {"xor_epochs": 20000, "moons_epochs": 300, "moons_seed": 0}


def test_lab6_core_group_has_two_alternatives_worth_the_same(lab6):
    core = [t for t in lab6.tasks if t.group == "core"]
    assert [t.id for t in core] == ["xor", "moons"]
    # the same four checks on either dataset; the gradients are whatever trained the network
    assert [[c.id for c in t.checks] for t in core] == [
        ["classifies", "loss", "gradients", "descent"], ["accuracy", "loss", "gradients", "descent"]]
    for task in core:
        gradients = next(c for c in task.checks if c.id == "gradients")
        assert gradients.kind == "training_gradients"
        assert {k: gradients.params.get(k) for k in ("backward", "forward")} == {
            "backward": "backward", "forward": "forward"}
    assert [t.nothing_found for t in lab6.tasks if t.id != "runs"] == [
        "no XOR network found", "no make_moons network found",
        "no backtracking line-search work found"]
    assert len({t.max_score for t in core}) == 1 and core[0].max_score > 0
    for task in lab6.tasks:
        for check in task.checks:
            assert check.kind in rubric.CHECK_KINDS and check.points >= 0


def test_lab6_hidden_checks_and_public_only(lab6):
    hidden = {(t.id, c.id) for t in lab6.tasks for c in t.checks if c.visibility == "hidden"}
    assert hidden == {("backtracking", "armijo")}
    public = lab6.public_only()
    assert all(c.visibility == "public" for t in public.tasks for c in t.checks)
    assert [t.id for t in public.tasks] == [t.id for t in lab6.tasks]
    for before, after in zip(lab6.tasks, public.tasks):
        assert [c.id for c in after.checks] == [c.id for c in before.checks
                                                if (before.id, c.id) not in hidden]
        assert after.group == before.group and after.optional == before.optional
        assert after.nothing_found == before.nothing_found
    assert public.targets is lab6.targets and public.digest == lab6.digest
    # the original is untouched
    assert sum(c.visibility == "hidden" for t in lab6.tasks for c in t.checks) == 1
    assert [len(t.checks) for t in public.tasks] == [1, 4, 4, 4]


def test_public_only_drops_a_task_whose_checks_are_all_hidden():
    text = MINIMAL.replace('  points = 10\n', '  points = 10\n  visibility = "hidden"\n', 1)
    parsed = parse_rubric(text, "mini.toml")
    assert [t.id for t in parsed.tasks] == ["a", "b"]
    assert [t.id for t in parsed.public_only().tasks] == ["b"]


def test_load_rubric_by_path_matches_the_builtin(tmp_path, lab6):
    copy = tmp_path / "my_lab6.toml"
    copy.write_text((rubric.BUILTIN_DIR / "lab6.toml").read_text(encoding="utf-8"), encoding="utf-8")
    mine = load_rubric(copy)
    assert mine.path == str(copy) and mine.digest == lab6.digest
    assert mine.tasks == lab6.tasks and mine.targets == lab6.targets


def test_load_rubric_unknown_id_lists_the_builtin_ones():
    with pytest.raises(RubricError) as info:
        load_rubric("lab99")
    builtin = sorted(p.stem for p in rubric.BUILTIN_DIR.glob("*.toml"))
    assert "lab6" in builtin
    assert str(info.value) == f"lab99: no such rubric (built-in rubrics: {', '.join(builtin)})"


def test_load_rubric_unreadable_path_names_it(tmp_path):
    missing = tmp_path / "gone.toml"
    with pytest.raises(RubricError, match="cannot be read") as info:
        load_rubric(missing)
    assert str(missing) in str(info.value)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(RubricError, match="cannot be read"):
        load_rubric(latin)


# --- parse_size ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "size"), [
    ("4GiB", 4 * 1024**3),
    ("512MB", 512 * 1000**2),
    ("512MiB", 512 * 1024**2),
    ("1048576", 1048576),
    (1048576, 1048576),
    ("1.5KiB", 1536),
    (" 10 kb ", 10_000),
    ("2M", 2_000_000),
    ("3k", 3000),
    ("7B", 7),
    ("1TiB", 1024**4),
    ("2 gib", 2 * 1024**3),
])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "-1MB", "5XB", "", "MB", "1 GiBs", "5iB", "1e6", True,
                                  "1,000"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


# --- broken rubrics --------------------------------------------------------------------------

MINIMAL = """\
schema = 1
id = "mini"
version = "1"

[targets.net]
kind = "network"
names = ["model"]

[targets.hist]
kind = "series"

[[tasks]]
id = "a"
title = "Task A"
group = "core"

  [[tasks.checks]]
  id = "classifies"
  title = "Classifies XOR"
  kind = "xor_classification"
  network = "net"
  points = 10

[[tasks]]
id = "b"
title = "Task B"
group = "core"

  [[tasks.checks]]
  id = "monotone"
  title = "Loss never increases"
  kind = "loss_monotone"
  history = "hist"
  points = 10
"""


def test_the_minimal_rubric_is_valid():
    parsed = parse_rubric(MINIMAL, "mini.toml")
    assert [t.id for t in parsed.tasks] == ["a", "b"]
    assert parsed.tasks[0].checks[0].params == {"network": "net"}
    assert parsed.tasks[0].checks[0].visibility == "public"
    assert parsed.targets["net"].fallback is True and parsed.targets["hist"].fallback is False


def test_nothing_found_is_a_task_s_one_line_reason_with_a_default():
    text = MINIMAL.replace('title = "Task A"\n',
                           'title = "Task A"\nnothing_found = "  no XOR work found "\n')
    parsed = parse_rubric(text, "mini.toml")
    assert [t.nothing_found for t in parsed.tasks] == ["no XOR work found", rubric.NOTHING_FOUND]
    assert rubric.NOTHING_FOUND == "nothing found for this task"
    assert parsed.public_only().tasks[0].nothing_found == "no XOR work found"


def _once(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _second(old: str, new: str):
    def edit(text: str) -> str:
        first = text.index(old) + len(old)
        second = text.index(old, first)
        return text[:second] + new + text[second + len(old):]
    return edit


# (id, edit of MINIMAL, dotted key, words of the problem)
BROKEN = [
    ("unknown-top-level-key", _once("schema = 1\n", 'schema = 1\ncolour = "red"\n'),
     "colour", "unknown key"),
    ("unknown-check-kind", _once('kind = "loss_monotone"', 'kind = "loss_wobble"'),
     "tasks[1].checks[0].kind", "'loss_wobble' is not one of"),
    ("undefined-target", _once('network = "net"', 'network = "nett"'),
     "tasks[0].checks[0].network", "names target 'nett', which is not defined under [targets]"),
    ("wrong-target-role", _once('history = "hist"', 'history = "ghost"'),
     "tasks[1].checks[0].history", "names target 'ghost'"),
    ("negative-points", _once("points = 10", "points = -1"),
     "tasks[0].checks[0].points", "must not be negative"),
    ("points-string", _once("points = 10", 'points = "ten"'),
     "tasks[0].checks[0].points", "expected an integer or a number, got str"),
    ("points-bool", _second("points = 10", "points = true"),
     "tasks[1].checks[0].points", "got a boolean"),
    ("missing-points", _once("  points = 10\n", ""),
     "tasks[0].checks[0].points", "is required"),
    ("bad-visibility", _once("points = 10\n", 'points = 10\n  visibility = "secret"\n'),
     "tasks[0].checks[0].visibility", "'secret' is not one of hidden, public"),
    ("unknown-check-key", _once("points = 10\n", "points = 10\n  weight = 2\n"),
     "tasks[0].checks[0].weight", "unknown key"),
    ("missing-check-target", _once('  network = "net"\n', ""),
     "tasks[0].checks[0].network", "is required"),
    ("different-totals", _second("points = 10", "points = 12"),
     "tasks[1].group", "tasks in group 'core' must be worth the same points (alternatives): "
                       "a=10, b=12"),
    ("duplicate-task-ids", _once('id = "b"', 'id = "a"'),
     "tasks", "task ids repeat: ['a', 'a']"),
    ("duplicate-check-ids", _once('  points = 10\n', '  points = 10\n\n  [[tasks.checks]]\n'
                                  '  id = "classifies"\n  title = "Again"\n  kind = "cells_ran"\n'
                                  '  points = 0\n'),
     "tasks[0].checks", "check ids repeat"),
    ("wrong-schema", _once("schema = 1", "schema = 2"),
     "schema", "this grader reads rubric schema 1, not 2"),
    ("distinct-from-unknown", _once('kind = "series"\n', 'kind = "series"\ndistinct_from = ["ghost"]\n'),
     "targets.hist.distinct_from", "unknown target 'ghost'"),
    ("bad-target-kind", _once('kind = "series"', 'kind = "sequence"'),
     "targets.hist.kind", "'sequence' is not one of"),
    ("bad-origins", _once('names = ["model"]', 'names = ["model"]\norigins = ["pickle"]'),
     "targets.net.origins", "allowed origins are module, trace, weights"),
    ("unknown-target-key", _once('names = ["model"]', 'names = ["model"]\nsize = 3'),
     "targets.net.size", "unknown key"),
    ("bad-loss", _once('kind = "loss_monotone"', 'kind = "loss_decrease"\n  loss = "hinge"'),
     "tasks[1].checks[0].loss", "'hinge' is not one of auto, bce, bce_logits, half_mse, mse"),
    ("no-tasks", lambda text: text[:text.index("[[tasks]]")], "tasks", "is required"),
    ("empty-task-list", lambda text: "tasks = []\n" + text[:text.index("[[tasks]]")],
     "tasks", "a rubric needs at least one task"),
    ("missing-id", _once('id = "mini"\n', ""), "id", "is required"),
    ("unknown-limit", _once("[targets.net]", "[limits]\nmemmory = \"1GiB\"\n\n[targets.net]"),
     "limits.memmory", "unknown key"),
    ("nothing-found-number", _once('group = "core"\n', 'group = "core"\nnothing_found = 3\n'),
     "tasks[0].nothing_found", "expected a string, got int"),
    ("nothing-found-list", _second('group = "core"\n', 'group = "core"\nnothing_found = ["x"]\n'),
     "tasks[1].nothing_found", "expected a string, got list"),
    ("nothing-found-empty", _once('group = "core"\n', 'group = "core"\nnothing_found = "  "\n'),
     "tasks[0].nothing_found", "expected one line of text"),
    ("nothing-found-two-lines", _once('group = "core"\n',
                                      'group = "core"\nnothing_found = "no\\nwork"\n'),
     "tasks[0].nothing_found", "expected one line of text"),
]



def _assert_refused(path, edit, key, problem):
    """``edit(MINIMAL)`` written to ``path`` is refused, naming the file, the key and the problem."""
    text = edit(MINIMAL)
    assert text != MINIMAL
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert problem in message, message


@pytest.mark.parametrize(("edit", "key", "problem"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_broken_rubrics_name_file_key_and_problem(tmp_path, edit, key, problem):
    path = tmp_path / "course" / "broken_rubric.toml"
    path.parent.mkdir()
    _assert_refused(path, edit, key, problem)


def test_invalid_toml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace("points = 10", "points = ", 1), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    line = MINIMAL.splitlines().index("  points = 10") + 1
    assert message.startswith(f"{path}: not valid TOML: ")
    assert f"line {line}" in message


def test_parse_rubric_names_the_given_path():
    with pytest.raises(RubricError, match=r"^<course rubric>: schema: "):
        parse_rubric(MINIMAL.replace("schema = 1", "schema = 3"), "<course rubric>")


# --- every number and name checked at load (issue #14) ---------------------------------------

HELDOUT = _once('kind = "xor_classification"', 'kind = "heldout_accuracy"\n  reference = "moons_fixed"')


def _heldout(line: str):
    """MINIMAL's first check as a heldout_accuracy check with ``line`` added."""
    return lambda text: HELDOUT(text).replace('reference = "moons_fixed"',
                                              f'reference = "moons_fixed"\n  {line}', 1)


def _limits(body: str):
    return _once("[targets.net]", f"[limits]\n{body}\n\n[targets.net]")


def _reference(body: str):
    return _once("[targets.net]", f"[reference]\n{body}\n\n[targets.net]")


CHECKED = [
    ("reference-typo", lambda t: HELDOUT(t).replace('"moons_fixed"', '"moons_fixd"'),
     "tasks[0].checks[0].reference", "'moons_fixd' is not a reference run the grader knows "
                                     "(known: moons_fixed, moons_backtracking, xor_module)"),
    ("reference-unknown-key", _reference("moons_epoch = 300"), "reference.moons_epoch",
     "unknown key (allowed: moons_epochs, moons_seed, xor_epochs)"),
    ("reference-string", _reference('xor_epochs = "many"'), "reference.xor_epochs",
     "expected an integer, got str"),
    ("reference-float", _reference("moons_epochs = 2.5"), "reference.moons_epochs",
     "expected an integer, got float"),
    ("reference-zero-epochs", _reference("moons_epochs = 0"), "reference.moons_epochs",
     "must be from 1 to 100000, not 0"),
    ("reference-negative-seed", _reference("moons_seed = -1"), "reference.moons_seed",
     "must be from 0 to 4294967295, not -1"),
    ("negative-timeout", _limits("timeout = -5"), "limits.timeout",
     "must be from 1 s to 86400 s, not -5 s"),
    ("zero-timeout", _limits("timeout = 0"), "limits.timeout", "must be from 1 s to 86400 s"),
    ("huge-timeout", _limits("timeout = 1e9"), "limits.timeout", "must be from 1 s to 86400 s"),
    ("nan-timeout", _limits("timeout = nan"), "limits.timeout", "not nan s"),
    ("negative-cpu", _limits("cpu = -1"), "limits.cpu", "must be from 1 s"),
    ("tiny-memory", _limits("memory = 1"), "limits.memory", "must be from 256 MiB to 256 GiB"),
    ("memory-nonsense", _limits('memory = "lots"'), "limits.memory",
     "'lots' is not a size such as '512MiB' or '4GiB'"),
    ("memory-negative", _limits('memory = "-1GiB"'), "limits.memory", "is not a size"),
    ("zero-output", _limits("output = 0"), "limits.output", "must be from 1 KiB to 64 MiB"),
    ("zero-pids", _limits("pids = 0"), "limits.pids", "must be from 8 to 4096, not 0"),
    ("pids-float", _limits("pids = 1.5"), "limits.pids", "expected an integer, got float"),
    ("huge-disk", _limits('disk = "1TiB"'), "limits.disk", "must be from 1 MiB to 16 GiB"),
    ("negative-tmp", _limits("tmp = -3"), "limits.tmp", "must be from 1 MiB"),
    ("open-files-zero", _limits("open_files = 0"), "limits.open_files", "must be from 16"),
    ("negative-probe", _limits("probe_timeout = -1"), "limits.probe_timeout", "must be from 1 s"),
    ("seed-negative", _once('version = "1"\n', 'version = "1"\nseed = -1\n'), "seed",
     "must be from 0 to 4294967295, not -1"),
    ("stability-seed-huge", _once('version = "1"\n', 'version = "1"\nstability_seeds = [0, 4294967296]\n'),
     "stability_seeds", "must be from 0 to 4294967295"),
    ("samples-zero", _heldout("samples = 0"), "tasks[0].checks[0].samples",
     "must be from 1 to 10000, not 0"),
    ("minimum-percent", _heldout("minimum = 80"), "tasks[0].checks[0].minimum",
     "must be from 0 to 1, not 80"),
    ("rho-one", _once('kind = "loss_monotone"\n  history = "hist"',
                      'kind = "trace_linesearch"\n  network = "net"\n  rho = 1.0'),
     "tasks[1].checks[0].rho",
     "must be above 0 and below 1, not 1.0"),
]


@pytest.mark.parametrize(("edit", "key", "problem"), [b[1:] for b in CHECKED],
                         ids=[b[0] for b in CHECKED])
def test_rubric_numbers_and_names_are_checked_at_load(tmp_path, edit, key, problem):
    """What loaded before and then cost every student points (an `error` check, a run limit
    nobody could meet) is refused with the file, the key and the problem."""
    path = tmp_path / "lab.toml"
    _assert_refused(path, edit, key, problem)


def test_every_limit_the_launcher_enforces_can_be_set():
    """pids, disk and tmp are Limits fields the launcher enforces: a rubric may set them."""
    text = _limits('pids = 64\ndisk = "128MiB"\ntmp = "32MiB"\ntimeout = 90\nmemory = 2147483648')(MINIMAL)
    limits = parse_rubric(text, "mini.toml").limits
    assert (limits.pids, limits.disk, limits.tmp) == (64, 128 * 1024**2, 32 * 1024**2)
    assert (limits.timeout, limits.memory) == (90.0, 2 * 1024**3)
    assert parse_rubric(MINIMAL, "mini.toml").limits == Limits()


def test_parser_limits_are_the_launchers_and_the_readme_table():
    """The README's limits table is the parser's list: keys, defaults, ranges and meanings."""
    assert set(LIMITS) == {f.name for f in dataclasses.fields(Limits)}
    for key, spec in LIMITS.items():
        assert spec.bound.holds(getattr(Limits(), key)), key  # the defaults are allowed
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n### Limits\n") + len("\n### Limits\n"):]
    rows = []
    for line in section.splitlines():
        if line.startswith("#"):
            break
        if line.startswith("| `"):
            key, default, allowed, meaning = (cell.strip() for cell in line.strip("|").split(" | "))
            rows.append((key.strip("`"), default, allowed, meaning))
    assert rows == limit_rows()
    # and the parser accepts each of those keys at its lowest and highest value
    for key, spec in LIMITS.items():
        for value in (spec.bound.low, spec.bound.high):
            text = _limits(f"{key} = {int(value)}")(MINIMAL)
            assert getattr(parse_rubric(text, "mini.toml").limits, key) == value, key


def test_reference_names_are_the_builders():
    from grader.references import BUILDERS

    assert set(BUILDERS) == set(REFERENCE_RUNS)
    for key, (bound, default) in REFERENCE_SETTINGS.items():
        assert bound.holds(default), key


def test_every_shipped_rubric_loads():
    for path in sorted(rubric.BUILTIN_DIR.glob("*.toml")):
        load_rubric(path)
