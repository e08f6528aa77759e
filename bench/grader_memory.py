"""The grader's own peak memory per submission: honest work, and the worst the limits allow.

    python bench/grader_memory.py [SCENARIO ...] [--grader PATH] [--timeout S]

Each scenario is graded in a fresh interpreter (``grader.api.grade_paths`` with the lab6
rubric, forced, the isolation this machine has) and reports that process's peak resident
memory (``getrusage(RUSAGE_SELF).ru_maxrss``: the trusted side only; the sandboxed child is
another process with its own limit), its wall time, how the run ended and the sizes of what
it wrote. ``--grader PATH`` grades with the grader package found under PATH instead (for
example an export of an older commit: ``git archive HEAD | tar -x -C /tmp/old``).

The hostile scenarios reach the worker's channel the way student code can (its ``serve()``
frame, found with ``sys._getframe()``) or replace its ``probe_reply``, and each pushes one
limit to its end: the frame size, the values in a frame, the text in a frame, the figures,
the traces and the probe answers a run may send, the statements of a script and the values
of a notebook. Without scenarios, all of them run; the table is what bench/README.md shows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HONEST = {"honest: carol (NumPy notebook)": ROOT / "examples" / "carol",
          "honest: alice (torch notebook)": ROOT / "examples" / "alice",
          "honest: dave (moons + Armijo)": ROOT / "examples" / "dave"}

CHANNEL = '''
import base64, json, os, struct, sys
from grader import protocol


def channel():
    frame = sys._getframe()
    while frame is not None:
        if "responses" in frame.f_locals and "emit" in frame.f_locals:
            return frame.f_locals["responses"].fileno()
        frame = frame.f_back


def send(body):
    fd = channel()
    view = memoryview(struct.pack(">I", len(body)) + body)
    while view:
        view = view[os.write(fd, view):]
'''

TRACE = '''
import numpy as np

names = [f"layer{k}.weight" for k in range(64)]
sample = {"call": 0, "loss": 1.0, "steps": 0, "optimizer": None, "lr": None, "names": names,
          "shapes": [[1]] * 64, "has_grad": [True] * 64, "grad_before": [0.0] * 64, "data": []}
samples = [{**sample, "call": call, "values": np.full(64, 0.5), "grads": np.full(64, 0.1)}
           for call in range(2_900)]  # just under a frame's 1,000,000 values
message = {"type": "trace", "unit": UNIT, "calls": 3_000, "steps": 0, "optimizers": [],
           "samples": samples, "truncated": False, "declared_rates": {}}
send(protocol.encode_message(message)[4:])
'''
PROBES = '''
import grader.sandbox.worker as worker
import torch

X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
loss_history = []
for epoch in range(30):
    model.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), y)
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= 0.5 * parameter.grad
    loss_history.append(loss.item())


def probe_reply(message, namespaces):
    return {"type": "probe_result", "id": message["id"], "ok": False, "value": None,
            "error": "P" * (47 * 2**20)}  # just under MAX_PROBE_FRAME_BYTES


worker.probe_reply = probe_reply
'''
FIGURES = '''
png = base64.b64encode(b"\\x89PNG\\r\\n\\x1a\\n" + os.urandom(SIZE)).decode()
body = json.dumps({"type": "figure", "unit": UNIT, "cell": 1, "png": png}).encode()
for _ in range(COUNT):
    send(body)
'''


def _filled(template: str, **names: object) -> str:
    return "".join(f"{name} = {value!r}\n" for name, value in names.items()) + template


# Each hostile scenario: file name -> source (CHANNEL is prepended to each that sends).
HOSTILE: dict[str, dict[str, str]] = {
    "frame of 95 MiB of {} (33 M values)": {"attack.py": '''
send(b'{"type":"inventory","units":[' + b"{}," * (95 * 2**20 // 3 - 20) + b"{}]}")
'''},
    "frame of 1 M values, each a dict": {"attack.py": '''
send(b'{"type":"inventory","units":[' + b'{"a":1},' * 499_000 + b'{"a":1}]}')
'''},
    "frame of 95 MiB holding one string": {"attack.py": '''
report = {"type": "cell", "unit": "attack.py", "number": 99, "status": "error",
          "error": "E" * (95 * 2**20), "traceback": None, "line": 1, "seconds": 0.0}
send(protocol.encode_message(report)[4:])
x = 1
'''},
    "frame of 96 MiB, 3.3 M characters beyond Latin-1": {"attack.py": '''
wide = "€" * 3_300_000  # 10 bytes each on the wire, 5 characters once parsed: 16.5 M of 16 Mi
report = {"type": "cell", "unit": "attack.py", "number": 99, "status": "error",
          "error": wide, "traceback": "T" * (60 * 2**20), "line": 1, "seconds": 0.0}
send(protocol.encode_message(report)[4:])
x = 1
'''},
    "300 figures of 2 MiB": {
        "attack.py": _filled(FIGURES, UNIT="attack.py", SIZE=2 * 2**20 - 16, COUNT=300)},
    "3 traces of 1 M values (3 files)": {
        f"part{i}.py": _filled(TRACE, UNIT=f"part{i}.py") for i in range(3)},
    "every probe answers 47 MiB": {"attack.py": PROBES},
    "all at once: 2 traces, 24 figures, 47 MiB probe answers": {
        **{f"part{i}.py": _filled(TRACE, UNIT=f"part{i}.py") for i in range(2)},
        "part2.py": _filled(FIGURES, UNIT="part2.py", SIZE=680 * 1024, COUNT=24) + PROBES},
    "script of 40,000 statements (160 KB)": {
        "attack.py": "".join(f"x={i % 10}\n" for i in range(40_000))},
    "script of 249,000 tokens (parsed here)": {"attack.py": "x\n" * 124_000 + "y = 1\n"},
    "script of 2 MiB, 2 M tokens": {"attack.py": "x\n" * (2**20 - 8)},
    "notebook of 20 MiB, 2 M values": {"attack.ipynb": json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "source": "x = 1",
                   "outputs": [{"output_type": "stream", "name": "stdout",
                                "text": ["0123456789"] * 1_450_000}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5})},
}

ONE = '''
import json, resource, sys, time
from pathlib import Path
from grader.api import grade_paths
from grader.rubric import load_rubric
import dataclasses
rubric = load_rubric("lab6")
limits = dataclasses.replace(rubric.limits, timeout={timeout})
started = time.monotonic()
(path, result), = grade_paths([Path({path!r})], rubric, Path({out!r}), limits=limits, force=True)
seconds = time.monotonic() - started
folder = Path({out!r}) / path.name
print(json.dumps({{
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": seconds,
    "status": result.status, "ending": result.run.get("ending"), "detail": result.run.get("detail"),
    "events": result.run.get("events", []), "problems": result.submission.get("problems", []),
    "error": result.error, "figures": len(result.figures), "cells": len(result.cells),
    "written_mib": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20}}))
'''


def write_hostile(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(CHANNEL + text if name.endswith(".py") and "send(" in text
                                   else text)
    return folder


def measure(path: Path, out: Path, grader: Path, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(grader)}
    done = subprocess.run([sys.executable, "-c", ONE.format(path=str(path), out=str(out),
                                                            timeout=timeout)],
                          capture_output=True, text=True, env=env, cwd=grader)
    if done.returncode != 0:
        return {"failed": done.stderr[-2000:], "peak_mib": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="names (or parts of names) to run")
    parser.add_argument("--grader", type=Path, default=ROOT, help="folder holding grader/")
    parser.add_argument("--timeout", type=float, default=60.0, help="the run's time limit")
    args = parser.parse_args()
    everything = {**{k: v for k, v in HONEST.items()}, **HOSTILE}
    chosen = [name for name in everything
              if not args.scenarios or any(part in name for part in args.scenarios)]
    print(f"grader: {args.grader}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print("| scenario | grader peak RSS | seconds | ending | kept / said |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="grader-memory-") as scratch:
        for index, name in enumerate(chosen):
            path = everything[name] if name in HONEST else \
                write_hostile(Path(scratch) / f"s{index}" / "submission", HOSTILE[name])
            row = measure(path, Path(scratch) / f"out{index}", args.grader, args.timeout)
            if "failed" in row:
                print(f"| {name} | grader failed | | | {row['failed'][-300:]!r} |")
                continue
            told = [row["detail"], *row["events"], *row["problems"], row["error"]]
            said = "; ".join(str(text)[:140] for text in told if text)
            print(f"| {name} | {row['peak_mib']:.0f} MiB | {row['seconds']:.1f} | {row['ending']} | "
                  f"{row['figures']} figures, {row['cells']} cells, {row['written_mib']:.1f} MiB "
                  f"written; {said} |", flush=True)
    print(f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
