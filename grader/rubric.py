"""Rubrics: TOML files read into frozen dataclasses, validated with errors naming file and key.

A rubric names *targets* (what to look for in the student's namespace: a network, a
loss history, a scaler, a function) and *tasks* made of *checks* (a kind from
:data:`CHECK_KINDS`, the targets it uses, points, visibility and thresholds). Tasks that
share a ``group`` are alternatives: only the best-scoring one counts. An ``optional``
task is a bonus: its points add to the score but not to the maximum.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from grader.launcher import Limits
from grader.rubric_bounds import (LIMITS, PARAMS, REFERENCE_RUNS, REFERENCE_SETTINGS, SEED,
                                   limit_problem)

RUBRIC_SCHEMA = 1
BUILTIN_PACKAGE = "grader.rubrics"  # the repository's rubrics/ folder, installed as package data


def builtin_rubrics() -> Traversable:
    """The built-in rubrics, found with importlib.resources (in a wheel: ``grader/rubrics/``;
    in a checkout: ``rubrics/``, which setup.py maps there)."""
    try:
        return resources.files(BUILTIN_PACKAGE)
    except ModuleNotFoundError:  # an editable install made before that mapping
        return Path(__file__).resolve().parent.parent / "rubrics"


BUILTIN_DIR = Path(str(builtin_rubrics()))  # on disk wherever the package is (not zipped)
TARGET_KINDS = {"network", "series", "scaler", "function"}
NETWORK_ORIGINS = {"module", "weights", "trace"}
VISIBILITIES = {"public", "hidden"}
DATASETS = {"xor", "none"}
LOSSES = {"auto", "bce", "bce_logits", "mse", "half_mse"}

# kind -> {parameter: (type, required)}; targets are named by id and resolved at grading time.
CHECK_KINDS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "cells_ran": {},
    "xor_classification": {"network": (str, True)},
    "loss_decrease": {"history": (str, True), "network": (str, False), "data": (str, False),
                      "loss": (str, False), "max_final_ratio": ((int, float), False),
                      "target": ((int, float), False)},
    "gradient_backward": {"backward": (str, True), "forward": (str, True), "network": (str, True),
                          "rtol": ((int, float), False), "batch": (int, False)},
    "gradient_autograd": {"network": (str, True), "rtol": ((int, float), False)},
    "heldout_accuracy": {"network": (str, True), "scaler": (str, False),
                         "minimum": ((int, float), False),
                         "max_below_reference": ((int, float), False),
                         "reference": (str, False), "samples": (int, False)},
    "loss_monotone": {"history": (str, True), "network": (str, False)},
    "ends_below": {"history": (str, True), "other": (str, True), "network": (str, False)},
    "armijo_step": {"function": (str, True), "network": (str, False), "alpha0": ((int, float), False),
                    "rho": ((int, float), False), "c": ((int, float), False),
                    "problems": (int, False)},
    # judged from the training trace recorded while the student's code ran
    "trace_gradients_reset": {"network": (str, True)},
    "trace_descent": {"network": (str, True), "allow_other_optimizers": (bool, False)},
    "trace_linesearch": {"network": (str, True), "alpha0": ((int, float), False),
                         "rho": ((int, float), False), "c": ((int, float), False)},
    "trace_history": {"network": (str, True), "history": (str, True)},
    # whatever trained the network: autograd (checked with its reset), a hand-written backward
    # function (called on the grader's inputs), or updates observed in a loop (recomputed)
    "training_gradients": {"network": (str, True), "backward": (str, False),
                           "forward": (str, False), "rtol": ((int, float), False)},
}
TARGET_ROLES = {"network", "history", "other", "scaler", "backward", "forward", "function"}
NOTHING_FOUND = "nothing found for this task"  # a task's default ``nothing_found``
# The largest network the grader evaluates for a target unless the rubric says otherwise: its
# own float64 numerics (held-out points, the plot grid, gradients) scale with these.
DEFAULT_PARAMS_MAX = 1_000_000  # weights and biases, all layers together
DEFAULT_WIDTH_MAX = 4_096  # units in any one layer


def needs_target(kind: str) -> bool:
    """Whether checks of this kind look up a target in the student's work (all but cells_ran)."""
    return any(name in TARGET_ROLES for name in CHECK_KINDS.get(kind, {}))


class RubricError(Exception):
    """A rubric that cannot be used; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class TargetSpec:
    id: str
    kind: str
    names: tuple[str, ...] = ()
    origins: tuple[str, ...] = ("module", "weights")
    array_type: str = "any"  # for weights: "tensor", "ndarray" or "any"
    inputs: int | None = None
    outputs: int | None = None
    outputs_max: int | None = None  # e.g. 2: one output (sigmoid, a logit) or two (softmax)
    hidden_max: int | None = None  # a network with a wider hidden layer is not this target
    # The grader's bound: a network over it is still the one found, but is never evaluated
    # (its checks fail saying so), which bounds the grader's own time and memory.
    params_max: int = DEFAULT_PARAMS_MAX
    width_max: int = DEFAULT_WIDTH_MAX
    distinct_from: tuple[str, ...] = ()
    description: str = ""
    fallback: bool = True  # accept a candidate that matches no name, by type and shape alone
    dataset: str | None = None  # "xor" or "moons": skip files that visibly hold only the other
    steps: str | None = None  # "constant" | "searched": the training's step sizes, where observed


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    kind: str
    points: float
    visibility: str
    params: dict[str, Any] = field(default_factory=dict)
    seed_sensitive: bool = False  # judged over the rubric's stability_seeds (see grader.stability)


@dataclass(frozen=True)
class TaskSpec:
    id: str
    title: str
    checks: tuple[CheckSpec, ...]
    group: str | None = None
    optional: bool = False
    nothing_found: str = NOTHING_FOUND  # the one-line reason when nothing was found for the task

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class Rubric:
    id: str
    version: str
    title: str
    seed: int
    secret: str
    limits: Limits
    targets: dict[str, TargetSpec]
    tasks: tuple[TaskSpec, ...]
    path: str
    digest: str
    reference: dict[str, Any] = field(default_factory=dict)
    stability_seeds: tuple[int, ...] = ()  # run once per seed; seed-sensitive checks take the median
    secret_file: str | None = None  # where ``grader run`` reads the private secret (see grader.secret)
    secret_private: bool = False  # ``secret`` came from a private file, not from the rubric text

    @property
    def secret_id(self) -> str:
        """A short fingerprint of the secret in force (says which one, reveals nothing of it)."""
        return hashlib.sha256(f"labgrade-secret-id\x1f{self.secret}".encode()).hexdigest()[:12]

    def public_only(self) -> Rubric:
        """The same rubric with hidden checks removed (what a self-check runs)."""
        tasks = []
        for task in self.tasks:
            checks = tuple(c for c in task.checks if c.visibility == "public")
            if checks:
                tasks.append(dataclasses.replace(task, checks=checks))
        return dataclasses.replace(self, tasks=tuple(tasks))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "KIB": 1024, "M": 1000**2, "MB": 1000**2,
          "MIB": 1024**2, "G": 1000**3, "GB": 1000**3, "GIB": 1024**3, "T": 1000**4,
          "TB": 1000**4, "TIB": 1024**4}


def parse_size(text: str | int) -> int:
    """'4GiB', '512MB', '1048576' -> bytes."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _SIZE.match(str(text))
    unit = (match.group(2) or "").upper() if match else None
    if not match or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size such as '512MiB' or '4GiB'")
    return int(float(match.group(1)) * _UNITS[unit])


class _Reader:
    """Reads one TOML table with errors that name the file and the dotted key."""

    def __init__(self, path: str, table: dict[str, Any], where: str = "") -> None:
        self.path, self.table, self.where = path, table, where

    def fail(self, key: str, problem: str) -> RubricError:
        dotted = f"{self.where}.{key}" if self.where else key
        return RubricError(f"{self.path}: {dotted}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *,
            choices: set[str] | None = None) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "is required")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool and bool not in (
                kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(key, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        if choices is not None and value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value

    def only(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"str": "a string", "int": "an integer", "float": "a number",
                        "bool": "true or false", "list": "a list", "dict": "a table"}
                       .get(k.__name__, k.__name__) for k in kinds)


def _limits(reader: _Reader) -> Limits:
    """``[limits]``: every key of :data:`grader.rubric_bounds.LIMITS`, each inside its bound."""
    reader.only(set(LIMITS))
    base, values = Limits(), {}
    for key, spec in LIMITS.items():
        default = getattr(base, key)
        if spec.unit == "bytes":
            raw = reader.get(key, (str, int), default)
            try:
                value: float = parse_size(raw)
            except ValueError as exc:
                raise reader.fail(key, str(exc)) from None
        elif spec.unit == "count":
            value = reader.get(key, int, default)
        else:
            value = float(reader.get(key, (int, float), default))
        problem = limit_problem(key, value)
        if problem:
            raise reader.fail(key, problem)
        values[key] = value
    return Limits(**values)


def _reference(reader: _Reader) -> dict[str, Any]:
    """``[reference]``: the reference runs' settings, known keys only, each inside its bound."""
    reader.only(set(REFERENCE_SETTINGS))
    for key, (bound, _default) in REFERENCE_SETTINGS.items():
        value = reader.get(key, int, None)
        if value is not None and not bound.holds(value):
            raise reader.fail(key, f"must be {bound.text()}, not {value}")
    return dict(reader.table)


def _seed(reader: _Reader, key: str, value: int) -> int:
    if not SEED.holds(value):
        raise reader.fail(key, f"must be {SEED.text()}, not {value}")
    return value


def _target(path: str, target_id: str, table: Any) -> TargetSpec:
    if not isinstance(table, dict):
        raise RubricError(f"{path}: targets.{target_id}: expected a table")
    reader = _Reader(path, table, f"targets.{target_id}")
    reader.only({"kind", "names", "origins", "array_type", "inputs", "outputs", "outputs_max", "hidden_max",
                 "params_max", "width_max", "distinct_from", "description", "fallback", "dataset", "steps"})
    names = reader.get("names", list, [])
    origins = reader.get("origins", list, ["module", "weights"])
    if not all(isinstance(n, str) for n in names):
        raise reader.fail("names", "expected a list of strings")
    if not set(origins) <= NETWORK_ORIGINS:
        raise reader.fail("origins", f"allowed origins are {', '.join(sorted(NETWORK_ORIGINS))}")
    kind = reader.get("kind", str, choices=TARGET_KINDS)
    return TargetSpec(
        id=target_id, kind=kind, names=tuple(names),
        fallback=reader.get("fallback", bool, kind in ("network", "scaler")),
        dataset=reader.get("dataset", str, None, choices={"xor", "moons"}),
        origins=tuple(origins),
        array_type=reader.get("array_type", str, "any", choices={"tensor", "ndarray", "any"}),
        inputs=reader.get("inputs", int, None), outputs=reader.get("outputs", int, None),
        outputs_max=reader.get("outputs_max", int, None),
        hidden_max=reader.get("hidden_max", int, None),
        params_max=_positive(reader, "params_max", DEFAULT_PARAMS_MAX),
        width_max=_positive(reader, "width_max", DEFAULT_WIDTH_MAX),
        distinct_from=tuple(reader.get("distinct_from", list, [])),
        steps=reader.get("steps", str, None, choices={"constant", "searched"}),
        description=reader.get("description", str, ""))


def _positive(reader: _Reader, key: str, default: int) -> int:
    value = reader.get(key, int, default)
    if value < 1:
        raise reader.fail(key, "must be a positive integer")
    return value


def _check(path: str, where: str, table: Any, targets: dict[str, TargetSpec]) -> CheckSpec:
    if not isinstance(table, dict):
        raise RubricError(f"{path}: {where}: expected a table")
    reader = _Reader(path, table, where)
    kind = reader.get("kind", str, choices=set(CHECK_KINDS))
    schema = CHECK_KINDS[kind]
    reader.only({"id", "title", "kind", "points", "visibility", "seed_sensitive"} | set(schema))
    params = {}
    for name, (param_type, required) in schema.items():
        value = reader.get(name, param_type, ... if required else None)
        if value is None:
            continue
        if name in TARGET_ROLES and value not in targets:
            raise reader.fail(name, f"names target {value!r}, which is not defined under [targets]")
        if name == "data" and value not in DATASETS:
            raise reader.fail(name, f"{value!r} is not one of {', '.join(sorted(DATASETS))}")
        if name == "loss" and value not in LOSSES:
            raise reader.fail(name, f"{value!r} is not one of {', '.join(sorted(LOSSES))}")
        if name == "reference" and value not in REFERENCE_RUNS:
            raise reader.fail(name, f"{value!r} is not a reference run the grader knows (known: "
                                    f"{', '.join(REFERENCE_RUNS)})")
        if name in PARAMS and not isinstance(value, bool) and not PARAMS[name].holds(value):
            raise reader.fail(name, f"must be {PARAMS[name].text()}, not {value}")
        params[name] = value
    points = float(reader.get("points", (int, float)))
    if points < 0:
        raise reader.fail("points", "must not be negative")
    return CheckSpec(id=reader.get("id", str), title=reader.get("title", str), kind=kind,
                     points=points,
                     visibility=reader.get("visibility", str, "public", choices=VISIBILITIES),
                     params=params, seed_sensitive=reader.get("seed_sensitive", bool, False))


def _task(path: str, index: int, table: Any, targets: dict[str, TargetSpec]) -> TaskSpec:
    where = f"tasks[{index}]"
    if not isinstance(table, dict):
        raise RubricError(f"{path}: {where}: expected a table")
    reader = _Reader(path, table, where)
    reader.only({"id", "title", "group", "optional", "checks", "nothing_found"})
    raw_checks = reader.get("checks", list)
    if not raw_checks:
        raise reader.fail("checks", "a task needs at least one check")
    checks = tuple(_check(path, f"{where}.checks[{i}]", c, targets) for i, c in enumerate(raw_checks))
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise reader.fail("checks", f"check ids repeat: {ids}")
    return TaskSpec(id=reader.get("id", str), title=reader.get("title", str), checks=checks,
                    group=reader.get("group", str, None),
                    optional=reader.get("optional", bool, False),
                    nothing_found=_one_line(reader, "nothing_found", NOTHING_FOUND))


def _one_line(reader: _Reader, key: str, default: str) -> str:
    """A string key that must hold one non-empty line of text."""
    text = reader.get(key, str, default)
    if not text.strip() or "\n" in text:
        raise reader.fail(key, "expected one line of text, e.g. \"no make_moons work found\"")
    return text.strip()


def parse_rubric(text: str, path: str = "<rubric>") -> Rubric:
    """A validated rubric from TOML text; RubricError names the file, key and problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from None
    reader = _Reader(path, data)
    reader.only({"schema", "id", "version", "title", "seed", "secret", "secret_file", "limits",
                 "targets", "tasks", "reference", "stability_seeds"})
    stability = reader.get("stability_seeds", list, [])
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in stability) \
            or len(set(stability)) != len(stability):
        raise reader.fail("stability_seeds", "expected a list of distinct integers")
    for seed in stability:
        _seed(reader, "stability_seeds", seed)
    schema = reader.get("schema", int, RUBRIC_SCHEMA)
    if schema != RUBRIC_SCHEMA:
        raise reader.fail("schema", f"this grader reads rubric schema {RUBRIC_SCHEMA}, not {schema}")
    raw_targets = reader.get("targets", dict, {})
    targets = {tid: _target(path, tid, t) for tid, t in raw_targets.items()}
    for target in targets.values():
        for other in target.distinct_from:
            if other not in targets:
                raise RubricError(f"{path}: targets.{target.id}.distinct_from: unknown target "
                                  f"{other!r}")
    tasks = tuple(_task(path, i, t, targets) for i, t in enumerate(reader.get("tasks", list)))
    if not tasks:
        raise reader.fail("tasks", "a rubric needs at least one task")
    task_ids = [t.id for t in tasks]
    if len(set(task_ids)) != len(task_ids):
        raise reader.fail("tasks", f"task ids repeat: {task_ids}")
    _check_groups(path, tasks)
    return Rubric(
        id=reader.get("id", str), version=str(reader.get("version", (str, int))),
        title=reader.get("title", str, ""), seed=_seed(reader, "seed", reader.get("seed", int, 0)),
        secret=reader.get("secret", str, ""), secret_file=_secret_file(reader, path),
        limits=_limits(_Reader(path, reader.get("limits", dict, {}), "limits")),
        targets=targets, tasks=tasks, path=path,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        reference=_reference(_Reader(path, reader.get("reference", dict, {}), "reference")),
        stability_seeds=tuple(stability))


def _secret_file(reader: _Reader, path: str) -> str | None:
    """The rubric's ``secret_file``: ``~`` expanded, relative to the rubric's own folder."""
    value = reader.get("secret_file", str, None)
    if value is None:
        return None
    if not value.strip():
        raise reader.fail("secret_file", "expected a path, e.g. \"/srv/course/labgrade-secret\"")
    return str(Path(path).parent / Path(value).expanduser())


def _check_groups(path: str, tasks: tuple[TaskSpec, ...]) -> None:
    groups: dict[str, list[tuple[int, TaskSpec]]] = {}
    for index, task in enumerate(tasks):
        if task.group:
            groups.setdefault(task.group, []).append((index, task))
    for group, members in groups.items():
        first = members[0][1].max_score
        odd = next((i for i, t in members if t.max_score != first), None)
        if odd is not None:
            totals = ", ".join(f"{t.id}={t.max_score:g}" for _, t in members)
            raise RubricError(f"{path}: tasks[{odd}].group: tasks in group {group!r} must be worth "
                              f"the same points (alternatives): {totals}")


def load_rubric(spec: str | Path) -> Rubric:
    """A rubric by built-in id (``lab6``) or by path to a TOML file."""
    path = Path(spec)
    if not path.suffix and not path.exists():
        builtin = builtin_rubrics()
        path = Path(str(builtin.joinpath(f"{spec}.toml")))
        if not path.exists():
            known = ", ".join(sorted(p.name.removesuffix(".toml") for p in builtin.iterdir()
                                     if p.name.endswith(".toml")))
            raise RubricError(f"{spec}: no such rubric (built-in rubrics: {known or 'none'})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: cannot be read: {exc}") from None
    return parse_rubric(text, str(path))
