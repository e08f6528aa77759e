"""Parameters an ``nn.Module``'s training graph never reached: the graph is cut before them.

The trace records, at each sampled backward() call, the leaf tensors the loss depends on
(:mod:`grader.sandbox.trace`). A parameter of the module that is never among them gets no
gradient from the training's loss: something in the forward pass cut the graph (``.detach()``,
``.data``, ``.item()``, a NumPy round trip) or turned ``requires_grad`` off. Where the grader's
own autograd call through the student's model also gives those parameters a zero gradient, and
they are the only wrong ones, that is the diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.verdict import Verdict, failed


def unreached(parameters: Sequence[str], reached: Sequence[str]) -> list[str]:
    """The module's ``parameters`` (its own names, ``fc1.weight``) that no name in ``reached``
    (the training stream's, ``model.fc1.weight``) is; none when nothing was reached."""
    if not reached:
        return []
    return [p for p in parameters if not any(r == p or r.endswith("." + p) for r in reached)]


def _quote(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def check_graph_cut(autograd: Verdict, cut: Sequence[str], prefix: str) -> Verdict | None:
    """The autograd comparison restated as a cut graph, or None where it is not exactly that.

    ``autograd`` is the comparison of the model's autograd gradients with the true ones (its
    details map the compared names to module parameters, ``module_parameters``, and list the
    all-zero ones, ``zero``); ``cut`` the module parameters the training never reached;
    ``prefix`` the model's name, to show parameters as the student's code names them.
    """
    names: dict[str, str] = autograd.details.get("module_parameters") or {}
    wrong = [names.get(n) for n in autograd.details.get("wrong", [])]
    zero = [names[n] for n in autograd.details.get("zero", []) if n in names]
    if autograd.status != "failed" or not zero or len(zero) != len(wrong) or not set(zero) <= set(cut):
        return None
    shown = [f"{prefix}.{n}" for n in zero]
    right = [f"{prefix}.{n}" for n in names.values() if n not in zero]
    one = len(shown) == 1
    it, its = ("it", "its") if one else ("them", "their")
    return failed(
        f"No gradient reaches {_quote(shown)}: the computation graph is cut between {it} and the "
        "loss, e.g. by `.detach()`, `.data`, `.item()` or a NumPy round trip in the forward pass "
        f"(or `requires_grad` is off), so backward() never fills {its} `.grad` and the optimizer "
        f"never trains {it}. No recorded backward() call of the training reached {it}, and autograd "
        f"through your model gives {it} a zero gradient where the true gradient is not zero."
        + (f" The gradients of {_quote(right)} are correct." if right else ""),
        fraction=float(autograd.fraction or 0.0), graph_cut=shown, **autograd.details)
