"""Hostile: starts a child in a new session (escaping the process group) and a double fork."""
import os, subprocess, sys
x = 1
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # LGMARK_setsid"],
                         start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "LGMARK_setsid2"])
    os._exit(0)
os.waitpid(pid, 0)
print("spawned", child.pid, flush=True)
