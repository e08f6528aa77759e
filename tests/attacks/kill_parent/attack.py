"""Hostile: kills its parent and signals pid 1."""
import os, signal
x = 1
print("ppid", os.getppid(), flush=True)
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError as exc:
    print("kill parent failed", exc)
try:
    os.kill(1, signal.SIGKILL)
except OSError as exc:
    print("kill 1 failed", exc)
y = 2
