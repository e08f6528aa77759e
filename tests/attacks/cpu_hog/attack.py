"""Hostile: 60 spinning processes, each in its own session, to starve the runs beside it.

The spinners start together, once all are forked (forking is slow for a process that has
imported torch, and slower still beside the spinners), spin for SPIN_SECONDS
(tests/test_cpu_share.py grades an honest run meanwhile) and stop by themselves; the cell
waits for them.
"""
import os, time
SPIN_SECONDS, SPINNERS = 2.0, 60  # set by tests/test_cpu_share.py
x = 1
go_read, go_write = os.pipe()
spinners = []
for _ in range(SPINNERS):
    pid = os.fork()
    if pid == 0:
        os.setsid()  # a session of its own: its own scheduling autogroup, outside the run's
        os.close(go_write)
        os.read(go_read, 1)  # returns when every spinner is forked and the pipe is closed
        started = time.monotonic()
        while time.monotonic() - started < SPIN_SECONDS:
            pass
        os._exit(0)
    spinners.append(pid)
os.close(go_write)
for pid in spinners:
    os.waitpid(pid, 0)
print("spun", len(spinners), flush=True)
y = 2
