"""Run grading jobs on N local worker processes, yielding each output as soon as it is ready.

Workers are separate processes that inherit no state from the caller: they are forked by
multiprocessing's fork server, a fresh interpreter that has imported the grading stack
(torch, scikit-learn, matplotlib) once for all of them (``spawn`` where there is no fork
server), and they take the caller's environment as it is when the pool starts. Each grades
one submission at a time, with one torch thread, so N workers on N cores do not
oversubscribe. A worker gets a parent-death signal: if the grader is killed, its workers
die, and with them their sandboxes (bubblewrap's ``--die-with-parent``, the reaper's own
death signal; a warm run is stopped by its warm parent when its worker's socket closes).
One job's failure, timeout or hostility never stops the others, and neither does a worker's
death: the pool is this module's own (``concurrent.futures``' breaks for good when one
worker dies, failing every pending job), so only the job that worker was grading fails, a
new worker grades the rest, and the dead one's folders and cgroups are removed at once.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import shutil
import signal
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from grader import scratch
from grader.isolation import remove_stale_cgroups
from grader.jobs import Job, JobOutput, run_job

PR_SET_PDEATHSIG = 1
STOP_SECONDS = 10.0  # a worker told to stop gets this long before it is killed
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


@dataclass
class _Worker:
    """One worker process, its end of the job channel, and the job it is grading."""

    process: BaseProcess
    connection: Connection
    job: Job | None = None
    dying: bool = False  # its channel ended before its answer: its death is about to show


def _serve(connection: Connection, grader: int, environ: dict[str, str], door: WarmDoor | None,
           tmp: str) -> None:
    """A worker's life: grade the jobs it is sent, one at a time, until told to stop.

    Everything it makes in ``tmp`` lies in one folder marked as its own
    (:func:`grader.scratch.claim`), so whoever sees it die can remove what it left.
    """
    _worker_start(grader, environ, door)
    folder = scratch.claim(Path(tmp))
    try:
        while True:
            try:
                job = connection.recv()
            except (EOFError, OSError):
                return  # the grader is gone
            if job is None:
                return
            try:
                output = run_job(job)
            except Exception as exc:  # noqa: BLE001 - run_job's own failure is this job's
                output = crashed_output(job, exc)
            connection.send(output)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start_worker(context: multiprocessing.context.BaseContext, args: tuple[Any, ...]) -> _Worker:
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, *args), name="labgrade-worker")
    process.start()
    theirs.close()
    return _Worker(process, ours)


def run_local(jobs: list[Job], workers: int) -> Iterator[JobOutput]:
    """Outputs in completion order, on ``workers`` processes.

    A worker that dies (the OOM killer, a submission that reached it) fails only the job it
    was grading, with an error saying so; a new worker takes its place for the rest, and
    what the dead one left (work folders, cgroups, runs) is removed. For warm jobs, one warm
    parent, started here, forks the runs of every worker. If the caller stops early
    (Ctrl-C, or it closes this generator), the workers are killed at once, and with them
    the runs in flight, instead of grading what they had started.
    """
    context = _context()
    door = None
    if jobs and jobs[0].support is not None and jobs[0].support.warm:
        from grader.launcher import open_warm_door  # noqa: PLC0415

        door = open_warm_door(jobs[0].threads)
    tmp = scratch.base()
    cgroups = next((j.support.cgroup_version for j in jobs if j.support is not None), None)
    scratch.remove_dead(tmp)
    args = (os.getpid(), dict(os.environ), door, str(tmp))
    waiting = deque(jobs)
    pool: list[_Worker] = []
    dead: list[int] = []
    done = False
    try:
        pool = [_start_worker(context, args) for _ in range(min(workers, len(jobs)))]
        while waiting or any(worker.job is not None for worker in pool):
            for worker in pool:
                if worker.job is None and waiting:
                    _send(worker, waiting)
            ready = set(wait([w.connection for w in pool if w.job is not None and not w.dying]
                             + [w.process.sentinel for w in pool]))
            for worker in list(pool):
                if worker.job is not None and worker.connection in ready:
                    output = _receive(worker)
                    worker.dying = output is None
                    if output is not None:
                        worker.job = None
                        yield output
                if worker.process.sentinel in ready:
                    worker.process.join()
                    pool.remove(worker)
                    dead.append(worker.process.pid)
                    if worker.job is not None:
                        yield died_output(worker.job, worker.process.exitcode)
                    _clean(tmp, cgroups, dead)
                    if waiting:
                        pool.append(_start_worker(context, args))
        done = True
    finally:
        _stop(pool, politely=done)
        _clean(tmp, cgroups, dead + [w.process.pid for w in pool])


def _send(worker: _Worker, waiting: deque[Job]) -> None:
    """Give ``worker`` the next job; if it cannot take it (it just died), the job waits on."""
    job = waiting.popleft()
    try:
        worker.connection.send(job)
        worker.job = job
    except OSError:
        waiting.appendleft(job)


def _receive(worker: _Worker) -> JobOutput | None:
    """A worker's answer, or None if it died writing it (its death is then seen at once)."""
    try:
        output = worker.connection.recv()
    except Exception:  # noqa: BLE001 - EOF or a torn message: the worker died mid-answer
        return None
    return output if isinstance(output, JobOutput) else None


def _stop(pool: list[_Worker], *, politely: bool) -> None:
    """End the workers: told to stop when all is done, else killed at once (with their runs)."""
    for worker in pool:
        if politely:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        else:
            worker.process.kill()
    for worker in pool:
        worker.process.join(timeout=STOP_SECONDS)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()
        worker.connection.close()


def _clean(tmp: Path, cgroups: int | None, dead: list[int]) -> None:
    """Remove what dead workers left: first their runs' cgroups (killing what still runs
    there), then their folders."""
    if cgroups is not None and dead:
        remove_stale_cgroups(cgroups, killed_owners=set(dead))
    scratch.remove_dead(tmp)


def died_output(job: Job, exitcode: int | None) -> JobOutput:
    """The error result of a job whose worker died while grading it."""
    if exitcode is not None and exitcode < 0:
        how = f"killed by {signal.Signals(-exitcode).name}"
        if -exitcode == signal.SIGKILL:
            how += ", most often by the kernel when the machine ran out of memory"
    else:
        how = f"exit code {exitcode}"
    return _error_output(job, f"the grading worker died while grading this submission ({how}); "
                              "the other submissions were graded, and a rerun grades this one again")


def crashed_output(job: Job, exc: BaseException) -> JobOutput:
    """An error result for a job whose worker failed outside the grading code."""
    return _error_output(job, f"the grading worker failed: {type(exc).__name__}: {exc}")


def _error_output(job: Job, message: str) -> JobOutput:
    from grader.grading import error_result  # noqa: PLC0415

    result = error_result(job.name, job.rubric, message, job.threads, job.public_only)
    return JobOutput(job.name, job.path, result.to_dict())
