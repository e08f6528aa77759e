"""Models left in training mode with dropout: a cause the grader can name when losses rise.

The inventory records, for every ``nn.Module``, its leaf layers and whether it was in
training mode when the student's code finished. A model with dropout that was never put in
evaluation mode computes every loss under a fresh random mask, so two losses of the same
weights differ: a line search that compares them accepts steps that raise the loss. When
a check about rising losses fails, this names that cause.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.verdict import Verdict


def _same_model(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two records of one object (``m`` left over from ``for m in (model_a, model_b)``)."""
    pa, pb = a.get("params", []), b.get("params", [])
    return a.get("class") == b.get("class") and len(pa) == len(pb) and all(
        na == nb and np.array_equal(np.asarray(va), np.asarray(vb))
        for (na, va), (nb, vb) in zip(pa, pb))


def holds_dropout(record: dict[str, Any]) -> bool:
    """Whether an inventory module record has a dropout layer (torch's, or one named so)."""
    return any("Dropout" in str(layer.get("type", "")) for layer in record.get("layers", []))


def dropout_in_training(objects: list[dict[str, Any]], only: str | None = None) -> list[str]:
    """Names of the unit's nn.Modules (or just ``only``) that hold dropout and were left training.

    Of several names for one model, the longest (the most telling) is given.
    """
    found: list[dict[str, Any]] = []
    for record in objects:
        if record.get("kind") != "module" or not record.get("training"):
            continue
        if only is not None and record.get("name") != only:
            continue
        if not holds_dropout(record):
            continue
        alias = next((i for i, seen in enumerate(found) if _same_model(seen, record)), None)
        if alias is None:
            found.append(record)
        elif (len(record["name"]), found[alias]["name"]) > (len(found[alias]["name"]), record["name"]):
            found[alias] = record
    return sorted(str(record["name"]) for record in found)


def dropout_hint(names: list[str]) -> str:
    """Why losses of a model with dropout in training mode can go up, in the lab's terms."""
    which = ", ".join(names)
    verb = "is" if len(names) == 1 else "are"
    return (f"{which} {verb} still in training mode with dropout (model.eval() was never "
            "called): every loss is computed under a new random dropout mask, so the losses the "
            "line search compares are not values of one function and a step that passed the test "
            "can raise the loss. Call model.eval() before computing the losses the line search "
            "compares (and model.train() before a training step if you want dropout there).")


def with_dropout_hint(verdict: Verdict, objects: list[dict[str, Any]],
                      only: str | None = None) -> Verdict:
    """The verdict, its message extended with :func:`dropout_hint` when it failed and it applies."""
    if verdict.status != "failed":
        return verdict
    names = dropout_in_training(objects, only)
    if not names:
        return verdict
    return Verdict(verdict.status, f"{verdict.message} {dropout_hint(names)}",
                   {**verdict.details, "dropout_in_training": names}, verdict.fraction)
