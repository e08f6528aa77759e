"""Everything one submission's checks share: the run, the candidates, choices, seeds, references."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.candidates import Candidate, Choice, build_candidates, choose, over_bound
from grader.inventory_schema import check_inventory
from grader.launcher import RunRecord, SandboxSession
from grader.loading import Submission
from grader.networks import ResolvedNetwork, resolve
from grader.references import References
from grader.trace_candidates import from_torch_traces, from_traces
from grader.rubric import Rubric


class Missing(Exception):
    """A target the check needs was not found; the message says what was looked for."""


class TooLarge(Exception):
    """The network found for a target is over the rubric's bound; the message says by how much."""


def derive_seed(*parts: str) -> int:
    """A 63-bit seed from text parts (secret, submission digest, purpose)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def submission_digest(submission: Submission) -> str:
    joined = "\n".join(f"{f.path}:{f.sha256}" for f in submission.files)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass
class GradingContext:
    rubric: Rubric
    submission: Submission
    record: RunRecord
    session: SandboxSession | None
    references: References
    candidates: list[Candidate] = field(default_factory=list)
    choices: dict[str, Choice] = field(default_factory=dict)
    resolved: dict[int, ResolvedNetwork] = field(default_factory=dict)
    inventory_problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.record.inventory is not None:
            # Only records matching the exact schema are used; the others are described.
            checked = check_inventory(self.record.inventory, {u.name for u in self.submission.units})
            self.record.inventory = checked.units
            self.inventory_problems = checked.events()
        if self.record.inventory is not None and not self.candidates:
            self.candidates = build_candidates(self.record.inventory)
            # Networks and histories identified by what the loops did come first.
            self.candidates = from_traces(self.record.loops, self.candidates) + self.candidates
            self.candidates = from_torch_traces(self.record.traces, self.candidates,
                                                self.record.loops) + self.candidates
        self.digest = submission_digest(self.submission)

    def rng(self, purpose: str) -> np.random.Generator:
        """A generator the student cannot predict: seeded by the rubric's secret and the work."""
        return np.random.default_rng(derive_seed(self.rubric.secret, self.digest, purpose))

    def seed(self, purpose: str) -> int:
        return derive_seed(self.rubric.secret, self.digest, purpose) % (2**31)

    def choose(self, target_id: str) -> Choice:
        if target_id not in self.choices:
            spec = self.rubric.targets[target_id]
            taken = {other: self.choose(other).candidate for other in spec.distinct_from}
            trained = self._trained_by(target_id)
            self.choices[target_id] = choose(spec, self.candidates, taken, trained)
        return self.choices[target_id]

    def _trained_by(self, target_id: str) -> str | None:
        """For a history: the name of the network the checks judge it beside (a history the
        trace ties to another network is not this one's)."""
        if self.rubric.targets[target_id].kind != "series":
            return None
        networks = {c.params["network"] for task in self.rubric.tasks for c in task.checks
                    if c.params.get("history") == target_id and c.params.get("network")}
        if len(networks) != 1:
            return None
        network = self.choose(next(iter(networks))).candidate
        return network.name if network is not None else None

    def find(self, target_id: str) -> Candidate:
        """The chosen candidate; Missing with the reason when none was found, TooLarge when
        it is a network over the target's bound."""
        if self.record.inventory is None:
            raise Missing("the grader could not inspect the submission's results because "
                          f"{self.record.ending_detail or 'its run did not finish'}")
        choice = self.choose(target_id)
        if choice.candidate is None:
            raise Missing(choice.message)
        problem = over_bound(choice.target, choice.candidate)
        if problem is not None:  # before any of the grader's numerics on it
            raise TooLarge(problem)
        return choice.candidate

    def unit_objects(self, unit: str) -> list[dict[str, Any]]:
        for record in self.record.inventory or []:
            if record.get("unit") == unit:
                return list(record.get("objects", []))
        return []

    def network(self, target_id: str) -> ResolvedNetwork:
        candidate = self.find(target_id)
        key = id(candidate)
        if key not in self.resolved:
            self.resolved[key] = resolve(candidate, self.session, self.rng(f"activations:{target_id}"),
                                         self.unit_objects(candidate.unit))
        return self.resolved[key]
