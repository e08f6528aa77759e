"""Intake: the submissions in what ``grader run`` is given, as a class arrives.

A path is a notebook or script (one submission); a folder (a class at any depth, see
:mod:`grader.intake.folders` for the rule; GitHub Classroom clones and nbgrader's
``submitted/`` tree, :mod:`grader.intake.classroom`); a Canvas or Moodle download, as its
zip or the folder it was unpacked into (:mod:`grader.intake.canvas`,
:mod:`grader.intake.moodle`); or any other zip, unpacked safely
(:mod:`grader.intake.archives`) into a stable folder (:mod:`grader.intake.stage`) and read
as a folder. What cannot be placed is a warning, never a reason to stop; two students are
never merged. An optional roster (:mod:`grader.intake.roster`) names the students and
lists who sent nothing. Standard library only (``grader report`` imports the roster).
"""

from grader.intake.gather import gather
from grader.intake.model import Found, Intake, IntakeError
from grader.intake.roster import RosterError

__all__ = ["Found", "Intake", "IntakeError", "RosterError", "gather"]
