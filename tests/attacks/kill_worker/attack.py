"""Hostile: kills the grading worker that is grading it (where it can reach that process).

A pool worker is forked by multiprocessing's fork server, so it shows the server's command
line; the attack walks up its ancestors and SIGKILLs the nearest that does. Only the bare
mode (no pid namespace, no Landlock signal scope, the grader's own uid) lets it; elsewhere
it finds nothing it may signal. Graded one by one (no pool), it finds no worker.
"""
import os, signal
x = 1


def parent_of(pid):
    with open(f"/proc/{pid}/stat", "rb") as handle:
        return int(handle.read().rsplit(b")", 1)[1].split()[1])


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return handle.read()


pid, found = parent_of(os.getpid()), None
try:
    while pid > 1 and found is None:
        if b"forkserver" in cmdline(pid):
            found = pid
        pid = parent_of(pid)
except OSError as exc:
    print("ancestors out of reach:", exc)
print("grading worker:", found, flush=True)
if found is not None:
    try:
        os.kill(found, signal.SIGKILL)
    except OSError as exc:
        print("kill failed:", exc)
y = 2
