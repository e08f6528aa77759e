"""Hostile: a (bounded) fork bomb; every child sleeps with a marker in its argv."""
import os, sys
x = 1
forked = 0
errors = []
for _ in range(300):
    try:
        pid = os.fork()
    except OSError as exc:
        errors.append(str(exc))
        break
    if pid == 0:
        try:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "LGMARK_forkbomb"])
        finally:
            os._exit(0)
    forked += 1
print("forked", forked, "errors", errors[:1], flush=True)
import time
time.sleep(10_000)
