"""Hostile: forges 300 large figure frames, then 5,000 tiny ones, through the worker's channel.

The sandbox captures at most 24 figures, but the frames come from the student's code: the
grader must cap the figures it keeps (count and bytes) and stay bounded while they pour in.
"""
import base64
import json
import os
import struct
import sys

PNG = b"\x89PNG\r\n\x1a\n"


def channel() -> int:
    frame = sys._getframe()
    while frame is not None:
        if "responses" in frame.f_locals and "emit" in frame.f_locals:
            return frame.f_locals["responses"].fileno()
        frame = frame.f_back
    raise RuntimeError("no worker frame")


def figure(size: int) -> bytes:
    png = base64.b64encode(PNG + os.urandom(size)).decode("ascii")
    body = json.dumps({"type": "figure", "unit": "attack.py", "cell": 1, "png": png}).encode()
    return struct.pack(">I", len(body)) + body


fd = channel()
big, tiny = figure(256 * 1024), figure(16)
for _ in range(300):
    view = memoryview(big)
    while view:
        view = view[os.write(fd, view):]
for _ in range(5):
    os.write(fd, tiny * 1000)
loss_history = [1.0, 0.0]
