"""How much time the sandbox adds to one submission, as a ratio to plain ``python``.

Three ways to run the same submission, measured in turn on one pinned core:

* ``plain``: the code converted to one script (notebook cells joined, magics dropped as the
  grader drops them, the worker's own preamble: numpy/torch/matplotlib imported, one torch
  thread, Agg, every generator seeded) run as ``python -s plain.py`` with the environment
  the worker gets (thread variables, ``PYTHONHASHSEED``, a warm matplotlib font cache);
* ``worker``: the grader's sandbox worker (``python -m grader.sandbox``) driven over the
  protocol by a minimal driver here, with no isolation at all: no bubblewrap, cgroup,
  reaper or rlimits; it runs the cells, captures figures and sends the inventory;
* ``sandbox``: the grader's real :class:`~grader.launcher.SandboxSession` with the isolation
  this machine offers (bubblewrap + setpriv + cgroups where available).

So ``sandbox/worker`` is the *isolation* cost, ``worker/plain`` the *harness* cost (the
worker's imports, figure capture, inventory, protocol) and ``sandbox/plain`` the total. Each
timed run covers the whole life of one submission's process up to the inventory and its exit
(not the grading or probes). Optional extra modes: ``degraded`` (SandboxSession without
bubblewrap or cgroups, i.e. the reaper path), ``nocgroup`` (the sandbox without its cgroups)
and ``sys`` (the sandbox with ``/sys/devices/system/cpu`` bound read-only; instrumentation
only, done by wrapping ``grader.launcher.bwrap_command`` in this process).

CPU time is the user+system time of everything a run started, read from a fresh cgroup-v1
``cpuacct`` group that this process joins for the run (children inherit it, bubblewrap's
grandchildren included). ``getrusage(RUSAGE_CHILDREN)`` is also recorded, but it does not see
the processes inside bubblewrap's pid namespace (it reports ~5 ms for a 5 s sandboxed run),
so it is shown only as a cross-check for the unsandboxed modes. Wall time is reported too;
on a shared machine it is the noisier of the two.

Start-up costs are measured precisely (many runs of a trivial submission), but a slowdown of
running code, a few percent of a 10 s run, drowns in this machine's noise: even CPU time of
identical runs varies by ±10% when other work shares the cores. So a *steady-state* section
(``--steady``) keeps three processes alive — bare, sandboxed, sandboxed with /sys bound — and
has them take turns running the same short slice of a training loop (alice's torch step,
carol's NumPy step): adjacent slices see the same load, and their ratio isolates the
sandbox's effect on running code.

Modes run interleaved in a rotating order (A B C, B C A, C A B, ...), so slow drifts in
machine load hit every mode alike; ratios are taken *per round* (adjacent runs) and
summarised as median [lower quartile - upper quartile] (min - max when fewer than 4 rounds).

    python bench/sandbox_overhead.py [--rounds 4] [--trivial 24] [--core 1] [--extra degraded,nocgroup,sys]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader import launcher, protocol
from grader.isolation import Support, detect
from grader.launcher import Limits, SandboxSession, copy_submission, matplotlib_cache
from grader.loading import Submission, load_submission

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CPUACCT = Path("/sys/fs/cgroup/cpuacct")
TRIVIAL = "x = 1\n"
SYS_CPU = "/sys/devices/system/cpu"
SEED = 0
THREADS = 1
BARE = Support(bwrap=None, setpriv=None, cgroup_version=None, reason="benchmark: no isolation")


@dataclass
class Sample:
    """One timed run: wall seconds, cgroup CPU seconds (None if unavailable), rusage CPU seconds."""

    wall: float
    cpu: float | None
    rusage: float


@dataclass
class Workload:
    name: str
    submission: Submission
    repeats: int
    plain_dir: Path
    samples: dict[str, list[Sample]] = field(default_factory=dict)


# --- measuring -------------------------------------------------------------------------------

class CpuAccount:
    """CPU time of every process started while this one sits in a fresh cpuacct cgroup (v1)."""

    def __init__(self) -> None:
        self.home: Path | None = None
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _id, controllers, path = line.split(":", 2)
            if "cpuacct" in controllers.split(","):
                self.home = CPUACCT / path.lstrip("/")
        if self.home is None or not os.access(CPUACCT / "cgroup.procs", os.W_OK):
            self.home = None

    @property
    def available(self) -> bool:
        return self.home is not None

    @contextlib.contextmanager
    def measure(self) -> Iterator[list[float]]:
        """Yields a list that holds the CPU seconds once the block is left."""
        found: list[float] = []
        if self.home is None:
            yield found
            return
        group = CPUACCT / f"labgrade-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        group.mkdir()
        try:
            (group / "cgroup.procs").write_text(str(os.getpid()))
            try:
                yield found
            finally:
                (self.home / "cgroup.procs").write_text(str(os.getpid()))
            found.append(int((group / "cpuacct.usage").read_text()) / 1e9)
        finally:
            for _ in range(50):  # a just-exited child may still be listed for a moment
                try:
                    group.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


def timed(account: CpuAccount, run: Callable[[], None]) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with account.measure() as cpu:
        started = time.perf_counter()
        run()
        wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rusage = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu[0] if cpu else None, rusage)


# --- the three ways to run a submission -------------------------------------------------------

def worker_environment(home: Path, scratch: Path) -> dict[str, str]:
    """The environment the launcher gives its worker, with the warm matplotlib font cache."""
    (scratch / "mpl").mkdir(parents=True, exist_ok=True)
    env = launcher._child_environment(str(home), str(scratch), THREADS)  # noqa: SLF001
    fonts = matplotlib_cache()
    if fonts:
        env["LABGRADE_MPL_SEED"] = fonts
    return env


def plain_script(submission: Submission) -> str:
    """Every unit's runnable cells as one script, after the worker's own preamble."""
    body = "\n".join(cell.source.lstrip("\n") for unit in submission.units for cell in unit.cells
                     if cell.refused is None)
    preamble = ["import random", "import numpy"]
    if "torch" in body:  # as grader.sandbox.worker.preload and seed_everything do
        preamble += ["import torch", f"torch.set_num_threads({THREADS})"]
    if "matplotlib" in body or "plt" in body:
        preamble += ["import matplotlib", "matplotlib.use('Agg')", "import matplotlib.pyplot"]
    preamble += [f"random.seed({SEED})", f"numpy.random.seed({SEED})"]
    if "torch" in body:
        preamble.append(f"torch.manual_seed({SEED})")
    return "\n".join(preamble) + "\n" + body


def prepare_plain(submission: Submission, folder: Path) -> None:
    """The submission's files, plain.py and a matplotlib config dir seeded like the worker's."""
    copy_submission(submission, folder)
    (folder / "plain.py").write_text(plain_script(submission))
    mpl = folder / ".scratch" / "mpl"
    mpl.mkdir(parents=True)
    for font_list in Path(matplotlib_cache() or "/nonexistent").glob("fontlist-*.json"):
        shutil.copyfile(font_list, mpl / font_list.name)


def run_plain(workload: Workload) -> None:
    folder = workload.plain_dir
    subprocess.run([sys.executable, "-s", "plain.py"], cwd=folder, check=True,
                   env=worker_environment(folder, folder / ".scratch"),
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_units(submission: Submission) -> list[dict[str, object]]:
    """The ``units`` of a ``run`` message, as the launcher sends them."""
    return [{"name": u.name, "path": u.name, "cells": [
        {"number": c.number, "source": c.source, "first_line": c.first_line,
         "refused": c.refused} for c in u.cells]}
        for u in submission.units]


def run_worker(workload: Workload) -> None:
    """The sandbox worker with no isolation, driven to its inventory and told to exit."""
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as tmp:
        copy = Path(tmp) / "submission"
        copy.mkdir()
        copy_submission(workload.submission, copy)
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-s", "-m", "grader.sandbox", str(request_read), str(response_write)],
            cwd=copy, env=worker_environment(copy, Path(tmp) / "scratch"),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(request_read, response_write))
        os.close(request_read)
        os.close(response_write)
        with open(request_write, "wb", buffering=0) as requests, \
                open(response_read, "rb", buffering=0) as responses:
            if protocol.read_message(responses)["type"] != "hello":
                raise RuntimeError("the worker did not say hello")
            protocol.write_message(requests, {"type": "run", "units": run_units(workload.submission),
                                              "seed": SEED, "threads": THREADS})
            while protocol.read_message(responses)["type"] != "inventory":
                pass
            protocol.write_message(requests, {"type": "exit"})
        if process.wait(timeout=60) != 0:
            raise RuntimeError(f"the worker exited with {process.returncode}")


def run_session(workload: Workload, support: Support) -> None:
    with SandboxSession(workload.submission, seed=SEED, threads=THREADS, limits=Limits(),
                        support=support) as session:
        record = session.run()
    if record.ending != "finished":
        raise RuntimeError(f"{workload.name}: {record.ending}: {record.ending_detail}")


@contextlib.contextmanager
def cpu_topology_bound() -> Iterator[None]:
    """While active, the launcher's bubblewrap command also binds /sys/devices/system/cpu."""
    original = launcher.bwrap_command

    @functools.wraps(original)
    def with_sys(*args: object, **kwargs: object) -> list[str]:
        extra = list(kwargs.pop("extra_ro_binds", None) or [])  # type: ignore[call-overload]
        return original(*args, **kwargs, extra_ro_binds=extra + [(SYS_CPU, SYS_CPU)])

    launcher.bwrap_command = with_sys
    try:
        yield
    finally:
        launcher.bwrap_command = original


def runners(full: Support) -> dict[str, Callable[[Workload], None]]:
    def with_sys(workload: Workload) -> None:
        with cpu_topology_bound():
            run_session(workload, full)

    return {"plain": run_plain, "worker": run_worker,
            "sandbox": lambda w: run_session(w, full),
            "degraded": lambda w: run_session(w, BARE),
            "nocgroup": lambda w: run_session(w, dataclasses.replace(full, cgroup_version=None)),
            "sys": with_sys}


# --- steady state: the same loop, in and out of the sandbox, in alternating slices ----------

PINGPONG = """
import sys, time
kind = sys.argv[1]
if kind == "torch":  # alice's XOR nn.Module training step
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = torch.tensor([[0.], [1.], [1.], [0.]])
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1),
                                torch.nn.Sigmoid())
    loss_fn, opt = torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1)

    def step():
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()
else:  # carol's NumPy forward/backward step
    import numpy as np
    rng = np.random.default_rng(0)
    X, Y = np.array([[0, 0, 1, 1], [0, 1, 0, 1]]), np.array([[0, 1, 1, 0]])
    W1, b1, W2, b2 = rng.normal(size=(4, 2)), np.zeros((4, 1)), rng.normal(size=(1, 4)), np.zeros((1, 1))

    def step():
        global W1, b1, W2, b2
        A1 = 1 / (1 + np.exp(-(W1 @ X + b1)))
        A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
        dZ2 = A2 - Y
        dW2, db2 = dZ2 @ A1.T / 4, dZ2.sum(axis=1, keepdims=True) / 4
        dZ1 = W2.T @ dZ2 * A1 * (1 - A1)
        dW1, db1 = dZ1 @ X.T / 4, dZ1.sum(axis=1, keepdims=True) / 4
        W1, b1, W2, b2 = W1 - 0.5 * dW1, b1 - 0.5 * db1, W2 - 0.5 * dW2, b2 - 0.5 * db2
for _ in range(500):
    step()
print("ready", flush=True)
for line in sys.stdin:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(int(line)):
        step()
    print(time.process_time() - cpu, time.perf_counter() - wall, flush=True)
"""


class Looper:
    """A process running PINGPONG: each request runs N steps and answers CPU and wall seconds."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path,
                 preexec: Callable[[], None] | None = None) -> None:
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, text=True, bufsize=1,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, preexec_fn=preexec)
        if self.process.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
            raise RuntimeError(f"the loop process did not start: {argv[:3]}")

    def slice(self, steps: int) -> tuple[float, float]:
        self.process.stdin.write(f"{steps}\n")  # type: ignore[union-attr]
        cpu, wall = self.process.stdout.readline().split()  # type: ignore[union-attr]
        return float(cpu), float(wall)

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait(timeout=30)


def steady_state(full: Support, kind: str, turns: int, slice_seconds: float
                 ) -> dict[str, list[float]]:
    """Per-slice CPU and wall ratios of one training-step loop: sandboxed / bare, /sys bound / not.

    Three processes live side by side on the pinned core — bare, sandboxed, sandboxed with
    /sys/devices/system/cpu bound — and take turns (rotating order) running the same number
    of steps, so the slices compared saw the same machine load. What is left is the sandbox's
    effect on code that is already running (filesystem view, uid, cgroups, /sys), not start-up.
    """
    limits = Limits()
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        folder.chmod(0o755)
        (folder / "pingpong.py").write_text(PINGPONG)
        (folder / "pingpong.py").chmod(0o644)
        loopers = {"bare": Looper([sys.executable, "-s", str(folder / "pingpong.py"), kind],
                                  worker_environment(folder, folder / "scratch"), folder)}
        stack.callback(loopers["bare"].close)
        env = launcher._child_environment(launcher.WORK_MOUNT, "/tmp", THREADS)  # noqa: SLF001
        for name, binds in (("sandbox", []), ("sys", [(SYS_CPU, SYS_CPU)])):
            cgroup = launcher.Cgroup(full.cgroup_version, limits.memory, limits.pids) \
                if full.cgroup_version else None
            if cgroup is not None:
                stack.callback(cgroup.remove)
            argv = launcher.bwrap_command(
                full, [sys.executable, "-s", f"{launcher.SUBMISSION_MOUNT}/pingpong.py", kind],
                submission=folder, work_size=limits.disk, tmp_size=limits.tmp, env=env,
                extra_ro_binds=binds)
            loopers[name] = Looper(argv, {}, folder, functools.partial(
                launcher._limit_child, limits, cgroup, False))  # noqa: SLF001
            stack.callback(loopers[name].close)
        steps, cpu = 100, 0.0
        while cpu < 0.05:  # calibrate on a run long enough for process_time to resolve
            steps *= 4
            cpu = loopers["bare"].slice(steps)[0]
        steps = max(50, int(steps * slice_seconds / cpu))
        taken: dict[str, list[tuple[float, float]]] = {name: [] for name in loopers}
        for turn in range(turns):
            for name in rotated(list(loopers), turn):
                taken[name].append(loopers[name].slice(steps))
    ratios: dict[str, list[float]] = {}
    for label, a, b in (("sandbox/bare", "sandbox", "bare"), ("sys/sandbox", "sys", "sandbox")):
        for index, unit in enumerate(("cpu", "wall")):
            ratios[f"{label} {unit}"] = [x[index] / y[index] for x, y in zip(taken[a], taken[b])]
    return ratios


# --- summarising -----------------------------------------------------------------------------

def spread(values: list[float]) -> tuple[float, float, float]:
    """Median and quartiles (min and max below 4 values)."""
    if len(values) >= 4:
        low, median, high = statistics.quantiles(values, n=4, method="inclusive")
        return median, low, high
    return statistics.median(values), min(values), max(values)


def show(values: list[float], digits: int = 3) -> str:
    median, low, high = spread(values)
    return f"{median:.{digits}f} [{low:.{digits}f}–{high:.{digits}f}]"


def median_interval(values: list[float]) -> tuple[float, float]:
    """A ~95% confidence interval of the median from order statistics (sign test)."""
    ordered, half = sorted(values), 0.98 * len(values) ** 0.5
    low = max(0, int(len(values) / 2 - half))
    high = min(len(values) - 1, int(len(values) / 2 + half + 0.999))
    return ordered[low], ordered[high]


def metric(sample: Sample, name: str) -> float:
    value = getattr(sample, name)
    return float("nan") if value is None else value


COMPARISONS = (("isolation", "sandbox", "worker"), ("harness", "worker", "plain"),
               ("total", "sandbox", "plain"), ("/sys bound", "sys", "sandbox"),
               ("cgroups", "sandbox", "nocgroup"), ("reaper", "degraded", "worker"))


def table(workloads: list[Workload], modes: list[str], name: str) -> list[str]:
    """Markdown rows: median seconds per mode, then paired ratios and added seconds."""
    pairs = [(label, a, b) for label, a, b in COMPARISONS if a in modes and b in modes]
    head = ["workload", "n"] + [f"{m} s" for m in modes] + [f"{label} {a}/{b}" for label, a, b in pairs]
    head.append("isolation +s")
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for workload in (w for w in workloads if w.samples):
        values = {m: [metric(s, name) for s in workload.samples[m]] for m in modes}
        cells = [workload.name, str(len(values[modes[0]]))]
        cells += [f"{statistics.median(values[m]):.3f}" for m in modes]
        cells += [show([x / y for x, y in zip(values[a], values[b])]) for _label, a, b in pairs]
        cells.append(show([x - y for x, y in zip(values["sandbox"], values["worker"])]))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def rusage_check(workloads: list[Workload]) -> str:
    """How far getrusage and cpuacct disagree on the unsandboxed runs (a sanity check)."""
    gaps = [s.rusage - s.cpu for w in workloads for m in ("plain", "worker")
            for s in w.samples.get(m, []) if s.cpu is not None]
    if not gaps:
        return "cpuacct unavailable: CPU columns are getrusage (blind inside bubblewrap)"
    sandboxed = [s.rusage for w in workloads for s in w.samples.get("sandbox", [])] or [float("nan")]
    return (f"getrusage - cpuacct on plain/worker runs: median {statistics.median(gaps) * 1000:+.1f} ms "
            f"(min {min(gaps) * 1000:+.1f}, max {max(gaps) * 1000:+.1f}); getrusage on sandbox runs: "
            f"median {statistics.median(sandboxed) * 1000:.1f} ms (blind inside bubblewrap)")


# --- main ------------------------------------------------------------------------------------

def rotated(modes: list[str], index: int) -> list[str]:
    shift = index % len(modes)
    return modes[shift:] + modes[:shift]


def load_workloads(root: Path, rounds: int, trivial: int, only: set[str] | None) -> list[Workload]:
    folders = {"trivial": root / "trivial"}
    (root / "trivial").mkdir()
    (root / "trivial" / "trivial.py").write_text(TRIVIAL)
    folders.update((p.name, p) for p in sorted(EXAMPLES.iterdir()) if p.is_dir())
    workloads = []
    for name, folder in folders.items():
        if only and name not in only:
            continue
        plain_dir = root / f"plain-{name}"
        plain_dir.mkdir()
        submission = load_submission(folder)
        prepare_plain(submission, plain_dir)
        workloads.append(Workload(name, submission, trivial if name == "trivial" else rounds,
                                  plain_dir))
    return workloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="runs per mode per example")
    parser.add_argument("--trivial", type=int, default=24, help="runs per mode of the trivial submission")
    parser.add_argument("--core", type=int, default=max(os.sched_getaffinity(0)),
                        help="the one core every run is pinned to")
    parser.add_argument("--extra", default="", help="extra modes, comma-separated: degraded, nocgroup, sys")
    parser.add_argument("--only", default="", help="workloads, comma-separated (trivial, alice, ...)")
    parser.add_argument("--steady", type=int, default=40, help="turns of steady-state slices (0: skip)")
    parser.add_argument("--slice", type=float, default=0.25, help="seconds per steady-state slice")
    parser.add_argument("--json", type=Path, help="write every sample here")
    args = parser.parse_args()

    full = detect()
    modes = ["plain", "worker", "sandbox"] + [m for m in args.extra.split(",") if m]
    run = runners(full)
    unknown = set(modes) - set(run)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)}")
    os.sched_setaffinity(0, {args.core})  # children inherit the single core
    account = CpuAccount()
    print(f"# {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.node()}, {os.cpu_count()} cores, pinned to core {args.core}, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"# isolation here: missing {full.missing() or 'nothing'}; CPU from "
          f"{'cgroup cpuacct' if account.available else 'getrusage only'}; modes {modes}")
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as tmp:
        workloads = load_workloads(Path(tmp), args.rounds, args.trivial,
                                   set(args.only.split(",")) if args.only else None)
        warm = next((w for w in workloads if w.name == "trivial"), workloads[0])
        for mode in modes:  # untimed: caches, the font list, bwrap's first start
            run[mode](warm)
        started = time.monotonic()
        rounds = max(w.repeats for w in workloads if w.name != "trivial") if any(
            w.name != "trivial" for w in workloads) else 1
        turn = 0
        for round_index in range(rounds):
            for workload in workloads:
                share = workload.repeats // rounds + (round_index < workload.repeats % rounds)
                for _ in range(share):
                    turn += 1
                    try:
                        taken = {mode: timed(account, functools.partial(run[mode], workload))
                                 for mode in rotated(modes, turn)}
                    except (RuntimeError, OSError, protocol.ProtocolError,
                            subprocess.SubprocessError) as exc:
                        print(f"# {workload.name}: a run failed, the turn is dropped: {exc}")
                        continue
                    for mode, sample in taken.items():  # whole turns only: ratios stay paired
                        workload.samples.setdefault(mode, []).append(sample)
            print(f"# round {round_index + 1}/{rounds} done, {time.monotonic() - started:.0f} s, "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    print("\nCPU seconds (user+system of all processes of a run), median [quartiles] of per-round ratios:\n")
    print("\n".join(table(workloads, modes, "cpu" if account.available else "rusage")))
    print("\nWall seconds, same layout:\n")
    print("\n".join(table(workloads, modes, "wall")))
    print(f"\n{rusage_check(workloads) if account.available else ''}")
    steady: dict[str, dict[str, list[float]]] = {}
    if args.steady and full.bwrap is not None:
        print(f"\nSteady state: {args.steady} turns of ~{args.slice:g} s slices of one training-step "
              "loop per process, median [quartiles] (95% CI of the median) of per-turn ratios:\n")
        print("| loop | sandbox/bare cpu | sandbox/bare wall | /sys bound/sandbox cpu | "
              "/sys bound/sandbox wall |\n|---|---|---|---|---|")
        for kind in ("torch", "numpy"):
            steady[kind] = steady_state(full, kind, args.steady, args.slice)
            print(f"| {kind} | " + " | ".join(
                show(v, 3) + " ({:.3f}–{:.3f})".format(*median_interval(v))
                for v in steady[kind].values()) + " |", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"runs": {w.name: {m: [vars(s) for s in v]
                                                           for m, v in w.samples.items()}
                                                  for w in workloads}, "steady": steady}, indent=1))


if __name__ == "__main__":
    main()
