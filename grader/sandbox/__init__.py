"""Code that runs inside the sandbox, next to the student's code.

Everything here is untrusted once the student's code has run: it may have been
monkeypatched. So it only ever *reports data* (cell outcomes, figures, an inventory of
the namespace, answers to probes) through :mod:`grader.protocol`; it never decides a
verdict or a score. Modules in this package import only the standard library, numpy,
torch/matplotlib/scikit-learn (lazily, when the student's code uses them) and
``grader.protocol`` — ``tests/test_boundary.py`` enforces that.
"""
