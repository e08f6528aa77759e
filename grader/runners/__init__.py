"""One runner per check kind: gather the data a check needs, then call its pure verdict function.

Runners find targets, send probes with inputs drawn *now* (after the student's code has
finished), fetch reference runs and call the functions in :mod:`grader.checks`. They
never trust a number the child computed about itself when the grader can compute it.

One module per family of checks; :data:`RUNNERS` maps each check kind to its runner.
"""

from __future__ import annotations

from grader.runners.linesearch_probe import armijo_step
from grader.runners.losses import ends_below, loss_decrease, loss_monotone, trace_history
from grader.runners.outcomes import (cells_ran, gradient_autograd, gradient_backward,
                                     heldout_accuracy, xor_classification)
from grader.runners.searched import trace_linesearch
from grader.runners.training import trace_descent, trace_gradients_reset, training_gradients
from grader.runners.common import Runner

RUNNERS: dict[str, Runner] = {
    "trace_gradients_reset": trace_gradients_reset,
    "trace_descent": trace_descent,
    "trace_linesearch": trace_linesearch,
    "trace_history": trace_history,
    "training_gradients": training_gradients,
    "cells_ran": cells_ran,
    "xor_classification": xor_classification,
    "loss_decrease": loss_decrease,
    "gradient_backward": gradient_backward,
    "gradient_autograd": gradient_autograd,
    "heldout_accuracy": heldout_accuracy,
    "loss_monotone": loss_monotone,
    "ends_below": ends_below,
    "armijo_step": armijo_step,
}
