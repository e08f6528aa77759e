"""The child's main loop: run the units the grader sent, report an inventory, answer probes."""

from __future__ import annotations

import os
import random
import shutil
import socket
import sys
from collections.abc import Callable
from typing import Any

from grader import protocol
from grader.sandbox import probes, trace, unavailable
from grader.sandbox.datacalls import DataCalls
from grader.sandbox.discovery import inventory
from grader.sandbox.execute import FigureCapture, fresh_namespace, run_cells
from grader.sandbox.looptrace import LoopTrace


def network_isolated() -> bool:
    """True in a fresh network namespace (loopback only) or where sockets cannot be created."""
    try:
        if [name for _, name in socket.if_nameindex()] == ["lo"]:
            return True
    except OSError:
        pass
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    except PermissionError:
        return True  # the seccomp filter refuses socket(): nothing can reach the network
    return False


def pid_isolated() -> bool:
    """True in a pid namespace of the run's own, with a /proc that shows only its processes.

    The worker's parent is then the namespace's init (pid 1: bubblewrap's, or the warm
    run's reaper) and ``/proc/self`` names the worker by its pid in that namespace.
    """
    try:
        return os.getppid() == 1 and os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def seed_everything(seed: int) -> None:
    """Seed every generator the student might use; torch only if it is loaded."""
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def preload(sources: str, threads: int) -> None:
    """Import what the unit uses before seeding, so every generator gets seeded."""
    import numpy  # noqa: F401,PLC0415 - cheap, and nearly every submission needs it

    if "torch" in sources:
        import torch  # noqa: PLC0415

        torch.set_num_threads(threads)
    if "matplotlib" in sources or "plt" in sources:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401,PLC0415


def answer(probe: dict[str, Any], namespaces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run one probe; the student's objects are looked up afresh each time."""
    op = probe["op"]
    target = probes.resolve(namespaces, probe["target"])
    if op == "module_forward":
        return probes.module_forward(target, probe["X"])
    if op == "module_vjp":
        return probes.module_vjp(target, probe["X"], probe["R"])
    if op == "call":
        return probes.call(target, probes.as_tensors(probe["args"]) if probe.get("as_tensor")
                           else probe["args"])
    if op == "forward_backward":
        backward = probes.resolve(namespaces, probe["backward"])
        return probes.forward_backward(target, backward, probe["args"])
    if op == "instance_backprop":
        return probes.instance_backprop(target, probe["attrs"], probe["args"], probe["forward"],
                                        probe["backward"])
    if op == "module_linesearch":
        return probes.module_linesearch(target, probe["spec"])
    raise probes.ProbeFailed(f"unknown probe {op!r}")


def take_submission() -> None:
    """Inside bubblewrap the submission is mounted read-only: copy it into the work dir."""
    source = os.environ.get("LABGRADE_SUBMISSION")
    if not source or not os.path.isdir(source):
        return
    for folder, _dirs, files in os.walk(source):
        target = os.path.join(os.getcwd(), os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        for name in files:  # contents only: the work dir's own metadata is not ours to change
            shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))


def seed_matplotlib_cache() -> None:
    """Copy the grader's prebuilt font list into this run's matplotlib config dir."""
    source, target = os.environ.get("LABGRADE_MPL_SEED"), os.environ.get("MPLCONFIGDIR")
    if not source or not target or not os.path.isdir(source):
        return
    os.makedirs(target, exist_ok=True)
    for name in os.listdir(source):
        if name.startswith("fontlist-") and name.endswith(".json"):
            shutil.copyfile(os.path.join(source, name), os.path.join(target, name))


def serve(request_fd: int, response_fd: int) -> None:
    unavailable.install()
    take_submission()
    seed_matplotlib_cache()
    requests = os.fdopen(request_fd, "rb", buffering=0)
    responses = os.fdopen(response_fd, "wb", buffering=0)

    def emit(message: dict[str, Any]) -> None:
        protocol.write_message(responses, message)

    emit({"type": "hello", "protocol": protocol.PROTOCOL_VERSION,
          "network_isolated": network_isolated(), "pid_namespace": pid_isolated(),
          "uid": os.geteuid()})
    # The grader's own message: the code it holds may be text beyond Latin-1 from end to end.
    run = protocol.read_message(requests, max_wide_chars=protocol.MAX_FRAME_BYTES)
    namespaces = execute_units(run, emit)
    records = []
    for unit, namespace in namespaces.items():
        objects, notes = inventory(namespace)
        records.append({"unit": unit, "objects": objects, "notes": notes})
    emit({"type": "inventory", "units": records})
    while True:
        try:
            message = protocol.read_message(requests)
        except protocol.ChannelClosed:
            break
        if message["type"] != "probe":
            break
        reply = probe_reply(message, namespaces)
        try:
            emit(reply)
        except (ValueError, protocol.ProtocolError) as exc:
            emit({**reply, "ok": False, "value": None, "error": f"unsendable result: {exc}"})
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the student may have replaced the streams
            pass
    os._exit(0)


def execute_units(run: dict[str, Any], emit: Callable[[dict[str, Any]], None]
                  ) -> dict[str, dict[str, Any]]:
    figures = FigureCapture(emit)
    namespaces: dict[str, dict[str, Any]] = {}
    for unit in run["units"]:
        cells = unit["cells"]
        sources = "\n".join(c["source"] for c in cells)
        preload(sources, run["threads"])
        seed_everything(run["seed"])
        namespace = fresh_namespace(unit["path"])
        namespaces[unit["name"]] = namespace
        # Only where the unit uses torch: a warm worker has torch loaded for every unit.
        training = trace.start(namespace) if "torch" in sources else None
        loops = LoopTrace(namespace)
        data = DataCalls(clock=lambda: len(loops.samples))
        data.install(sources)
        try:
            run_cells(unit["name"], cells, namespace, emit, figures, loops.sites)
        finally:
            loops.uninstall()  # the grader's probes must not be traced
            data.uninstall()
            if training is not None:
                training.uninstall()
        if training is not None:
            emit(training.message(unit["name"]))
        emit({**loops.message(unit["name"]), "calls": data.calls})
    return namespaces


def probe_reply(message: dict[str, Any], namespaces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    reply: dict[str, Any] = {"type": "probe_result", "id": message["id"], "ok": True,
                             "value": None, "error": None}
    try:
        seed_everything(int(message.get("seed", 0)))
        reply["value"] = answer(message, namespaces)
    except probes.ProbeFailed as exc:
        reply.update(ok=False, error=str(exc))
    except BaseException as exc:  # noqa: BLE001 - the student's code failed under the probe
        reply.update(ok=False, error=f"{type(exc).__name__}: {str(exc)[:300]}")
    return reply
