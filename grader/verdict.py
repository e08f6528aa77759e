"""The outcome of one trusted check: a closed set of statuses, a reason, the numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "error", "skipped"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "skipped")


@dataclass(frozen=True)
class Verdict:
    """What a check concluded.

    ``fraction`` is the share of the check's points earned (1.0 for passed, 0.0 for
    failed unless the check grants partial credit). ``message`` is one or two sentences
    a student understands; ``details`` holds JSON-serialisable numbers behind it.
    """

    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    fraction: float | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}")
        if self.fraction is None:
            object.__setattr__(self, "fraction", 1.0 if self.status == "passed" else 0.0)
        if not 0.0 <= float(self.fraction) <= 1.0:  # type: ignore[arg-type]
            raise ValueError(f"fraction {self.fraction} outside [0, 1]")


def passed(message: str, **details: Any) -> Verdict:
    return Verdict("passed", message, details)


def failed(message: str, fraction: float = 0.0, **details: Any) -> Verdict:
    return Verdict("failed", message, details, fraction)


def skipped(message: str, **details: Any) -> Verdict:
    return Verdict("skipped", message, details)


def error(message: str, **details: Any) -> Verdict:
    return Verdict("error", message, details)
