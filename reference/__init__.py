"""Trusted reference implementations of the lab's networks, data and line search.

Every function here is deterministic given its ``seed`` and returns plain data
(:class:`reference.mlp.Net`, lists of floats), so the grader can compare a
student's trained objects against them without sharing any state.
"""

from reference.mlp import Net, predict

__all__ = ["Net", "predict"]
