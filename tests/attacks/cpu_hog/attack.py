"""Hostile: 60 spinning processes, each in its own session, to starve the runs beside it.

The cell spins for SPIN_SECONDS (tests/test_cpu_share.py grades an honest run meanwhile),
then waits for its spinners, which stop by themselves.
"""
import os, time
SPIN_SECONDS, SPINNERS = 2.0, 60  # set by tests/test_cpu_share.py
x = 1
started = time.monotonic()
spinners = []
for _ in range(SPINNERS):
    pid = os.fork()
    if pid == 0:
        os.setsid()  # a session of its own: its own scheduling autogroup, outside the run's
        while time.monotonic() - started < SPIN_SECONDS:
            pass
        os._exit(0)
    spinners.append(pid)
for pid in spinners:
    os.waitpid(pid, 0)
print("spun", len(spinners), flush=True)
y = 2
