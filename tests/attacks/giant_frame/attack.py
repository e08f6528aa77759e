"""Hostile: one 95 MiB frame of empty objects, written straight to the worker's channel.

As an inventory it would be 33 million bogus units: parsed, copied and walked, it cost the
grader 5.4 GB and 68 s. The grader must refuse it while reading, after its first megabytes.
"""
import os
import struct
import sys


def channel() -> int:
    """The worker's response pipe, found in its serve() frame (no permission is needed)."""
    frame = sys._getframe()
    while frame is not None:
        if "responses" in frame.f_locals and "emit" in frame.f_locals:
            return frame.f_locals["responses"].fileno()
        frame = frame.f_back
    raise RuntimeError("no worker frame")


body = b'{"type":"inventory","units":[' + b"{}," * (95 * 1024 * 1024 // 3 - 20) + b"{}]}"
os.write(channel(), struct.pack(">I", len(body)))
view = memoryview(body)
while view:  # blocks once the grader stops reading: then it stops us
    view = view[os.write(channel(), view[:1 << 20]):]
loss_history = [1.0, 0.0]
