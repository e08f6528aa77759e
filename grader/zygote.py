"""The warm parent: a process that has imported the heavy libraries and forks one sandbox per run.

Started by :mod:`grader.warm` with a minimal environment, it imports numpy, torch (one
thread, and one tiny training step so the first optimizer step of a student does not pay
for ``torch._dynamo``), matplotlib (Agg) and scikit-learn, then waits on its control
socket. It never receives a rubric, a secret, a submission or another student's data:
a request carries only a run's folders, limits and five file descriptors (the protocol
pipes, stdout, stderr, the status pipe).

For each request it forks a child that enters the same confinement as a cold run in
degraded mode before any student code runs: its own session, the run's cgroup, rlimits, a
network namespace, the reaper role (:mod:`grader.reaper`: subreaper, disk polling, death
signal) and, in the worker it forks, Landlock, seccomp and no capabilities. The worker
then runs the sandbox loop directly (no new interpreter), reseeding every generator per
unit as always.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import sys
import tempfile
from typing import Any

from grader.reaper import (SETUP_FAILED, become_reaper, report_and_exit_code, start_worker,
                           supervise)

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
MAX_REQUEST = 1 << 20


def preload() -> None:
    """Import what submissions use, with settings that stay safe across fork."""
    import numpy  # noqa: F401,PLC0415
    import torch  # noqa: PLC0415

    torch.set_num_threads(1)  # a warmed multi-threaded OpenMP pool deadlocks forked children
    weight = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.1)
    (weight * weight).sum().backward()
    optimizer.step()
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401,PLC0415

    try:
        import sklearn.datasets  # noqa: F401,PLC0415
        import sklearn.model_selection  # noqa: F401,PLC0415
        import sklearn.preprocessing  # noqa: F401,PLC0415
    except ImportError:
        pass
    import grader.sandbox.worker  # noqa: F401,PLC0415


def _unshare_network() -> None:
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWNET | CLONE_NEWUSER
    ctypes.CDLL(None, use_errno=True).unshare(flags)  # the worker reports whether it worked


def _apply_limits(config: dict[str, Any]) -> None:
    for path in config["cgroup_procs"]:
        with open(path, "w") as handle:
            handle.write(str(os.getpid()))
    for name, (soft, hard) in config["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


def run_child(config: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become this run's reaper, start the confined worker, report."""
    request, response, stdout, stderr, status = fds
    code = SETUP_FAILED
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in (null, stdout, stderr):
            os.close(fd)
        _apply_limits(config)
        if config["network"]:
            _unshare_network()
        os.chdir(config["cwd"])
        os.environ.clear()
        os.environ.update(config["env"])
        tempfile.tempdir = None  # TMPDIR is this run's
        if become_reaper(config["zygote_pid"]):
            from grader.sandbox.worker import serve  # noqa: PLC0415

            worker = start_worker(lambda: serve(request, response), config, status)
            os.close(request)
            os.close(response)
            code = report_and_exit_code(supervise(config, status, worker), status)
    except BaseException as exc:  # noqa: BLE001 - say why, in the run's stderr
        try:
            os.write(2, f"labgrade: the warm sandbox could not be set up: {exc}\n".encode())
        except OSError:
            pass
    os._exit(code)


def serve_forever(control: socket.socket) -> None:
    """Fork one child per request until the grader closes the socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, MAX_REQUEST, 8)
        except OSError:
            return
        if not message:
            return
        config = json.loads(message)
        if len(fds) != 5:
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"pid": None, "error": "expected 5 descriptors"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            run_child({**config, "zygote_pid": os.getppid()}, fds)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid, "error": None}).encode())


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    preload()
    control.send(b'{"ready": true}')
    serve_forever(control)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
