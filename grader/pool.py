"""Run grading jobs on N local worker processes, yielding each output as soon as it is ready.

Workers are separate processes that inherit no state from the caller: they are forked by
multiprocessing's fork server, a fresh interpreter that has imported the grading stack
(torch, scikit-learn, matplotlib) once for all of them (``spawn`` where there is no fork
server), and they take the caller's environment as it is when the pool starts. Each grades
one submission at a time, with one torch thread, so N workers on N cores do not
oversubscribe. A worker gets a parent-death signal: if the grader is killed, its workers
die, and with them their sandboxes (bubblewrap's ``--die-with-parent``, the reaper's own
death signal; a warm run is stopped by its warm parent when its worker's socket closes).
One job's failure, timeout or hostility never stops the others.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from grader.jobs import Job, JobOutput, run_job

PR_SET_PDEATHSIG = 1
# imported once by the fork server, before it forks the workers
PRELOAD = ["grader.jobs", "grader.stability", "grader.report.student", "grader.report.plots"]


WarmDoor = tuple[dict[str, str], socket.socket, int]  # a batch zygote's environment, door, pid


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _context() -> multiprocessing.context.BaseContext:
    """The fork server, preloading the grading stack; ``spawn`` where there is none (or no
    pidfds, which its workers need to notice the grader's death)."""
    if "forkserver" not in multiprocessing.get_all_start_methods() \
            or not hasattr(os, "pidfd_open"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # no effect once this process's server runs
    return context


def _exit_with(grader: int) -> None:
    """Exit as soon as the grader's process ends (a thread waits on its pidfd).

    A worker forked by the fork server is that server's child, and the server outlives the
    grader while any worker lives, so the death signal alone would never fire.
    """
    try:
        pidfd = os.pidfd_open(grader)
    except OSError:  # already gone
        os._exit(1)

    def wait_then_exit() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=wait_then_exit, name="labgrade-grader-watch", daemon=True).start()


def _worker_start(grader: int, environ: dict[str, str], door: WarmDoor | None) -> None:
    """Die with the grader; ignore Ctrl-C (the grader handles it and stops the pool).

    The worker's parent is the grader (spawned) or its fork server; if it is neither, the
    grader is already gone. The worker takes the grader's environment of now (the fork
    server's is that of its start). With a ``door``, its warm runs are forked by the
    batch's one warm parent.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if grader not in (os.getppid(), _parent_of(os.getppid())):
        os._exit(1)
    if os.getppid() != grader:
        _exit_with(grader)
    os.environ.clear()
    os.environ.update(environ)
    if door is not None:
        from grader.warm import use_door  # noqa: PLC0415

        use_door(*door)


def run_local(jobs: list[Job], workers: int) -> Iterator[JobOutput]:
    """Outputs in completion order; a worker that dies is reported as an error for its job.

    For warm jobs, one warm parent, started here, forks the runs of every worker. If the
    caller stops early (Ctrl-C, or it closes this generator), the workers are killed at
    once, and with them the runs in flight, instead of grading what they had started.
    """
    context = _context()
    door = None
    if jobs and jobs[0].support is not None and jobs[0].support.warm:
        from grader.launcher import open_warm_door  # noqa: PLC0415

        door = open_warm_door(jobs[0].threads)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                             initargs=(os.getpid(), dict(os.environ), door)) as pool:
        pending: dict[Future[JobOutput], Job] = {pool.submit(run_job, job): job for job in jobs}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        yield future.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker: tell, go on
                        yield crashed_output(job, exc)
        finally:
            if pending:  # stopped early; the pool then fails what is left (not cancelled:
                _kill_workers(pool)  # Python 3.11's executor trips over cancelled futures)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes (the executor offers no public way to)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):
            pass  # already gone


def crashed_output(job: Job, exc: BaseException) -> JobOutput:
    """An error result for a job whose worker failed outside the grading code."""
    from grader.grading import error_result  # noqa: PLC0415

    result = error_result(job.name, job.rubric, f"the grading worker failed: {type(exc).__name__}: "
                          f"{exc}", job.threads, job.public_only)
    return JobOutput(job.name, job.path, result.to_dict())
