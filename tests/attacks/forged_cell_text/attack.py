"""Hostile: forges the report of a later cell with a 5.6-million-character error and traceback.

The sandbox cuts tracebacks to 4,000 characters, but a forged frame is not cut there: the
grader must cut every student string itself before it reaches result.json and the reports.
The frame is made by the protocol's own encoder, so its text beyond Latin-1 passes; the
statement reported on also sends its own report: the second report of one cell ends the run.
"""
import os
import sys

from grader import protocol


def channel() -> int:
    frame = sys._getframe()
    while frame is not None:
        if "responses" in frame.f_locals and "emit" in frame.f_locals:
            return frame.f_locals["responses"].fileno()
        frame = frame.f_back
    raise RuntimeError("no worker frame")


last = len(open(__file__).read().splitlines())  # the last statement's cell is named by its line
huge = "LGMARK_text € " * 400_000
report = {"type": "cell", "unit": "attack.py", "number": last, "status": "error", "error": huge,
          "traceback": huge, "line": last, "seconds": 0.0}
fd = channel()
view = memoryview(protocol.encode_message(report))
while view:
    view = view[os.write(fd, view):]
loss_history = [1.0, 0.0]  # the last line: the cell the forged report is about
