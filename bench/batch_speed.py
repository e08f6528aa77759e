"""Grading a batch against running the same code plainly, cold vs warm, 1 vs 2 workers, nbclient.

    python bench/batch_speed.py [--copies 2] [--small] [--modes plain,plain2,cold1,warm1,warm2,nbclient]

The batch is ``--copies`` copies of each example of the lab (alice: XOR nn.Module 20,000
epochs, bob: XOR raw tensors, carol: NumPy, dave: moons fixed + Armijo; their real epoch
counts), or with ``--small`` four tiny submissions of the same styles (a few hundred
epochs), so start-up dominates. Modes, each timed on the whole batch (wall clock):

* ``plain``: ``python -s`` on each submission's code converted to one script (as
  ``bench/sandbox_overhead.py`` converts it: the worker's imports, one thread, seeds),
  one after the other; ``plain2``: the same, two at a time (what the machine itself gains
  from a second process: the ceiling for the grader's 2-worker scaling);
* ``cold1`` / ``warm1`` / ``warm2``: ``grader run CLASS --force --jobs N --cold|--warm``
  (grading included: probes, checks, reports; reference runs already cached);
* ``nbclient``: the notebooks executed by nbclient (the engine nbgrader and Otter use), one
  kernel per notebook, as they do; bob is a script and runs as ``plain`` there.

Prints each mode's time, its ratio to ``plain``, the 2-worker scaling, submissions per
minute, and the largest peak memory of one sandboxed run (its cgroup) and of one grader
worker process (max RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from sandbox_overhead import prepare_plain, worker_environment  # noqa: E402

from grader.loading import load_submission  # noqa: E402

EXAMPLES = ["alice", "bob", "carol", "dave"]
SMALL = {
    "xor_module.py": """
import torch
from torch import nn
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = torch.tensor([[0.], [1.], [1.], [0.]])
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
optimizer = torch.optim.SGD(model.parameters(), lr=0.5); losses = []
for epoch in range(300):
    optimizer.zero_grad(); loss = nn.functional.binary_cross_entropy(model(X), y)
    loss.backward(); optimizer.step(); losses.append(loss.item())
""",
    "numpy_net.py": """
import numpy as np
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = np.array([[0.], [1.], [1.], [0.]])
W1 = np.random.randn(2, 4); b1 = np.zeros(4); W2 = np.random.randn(4, 1); b2 = np.zeros(1)
losses = []
for epoch in range(300):
    h = np.tanh(X @ W1 + b1); out = 1 / (1 + np.exp(-(h @ W2 + b2)))
    losses.append(float(np.mean((out - y) ** 2)))
    d = (out - y) * out * (1 - out); dh = d @ W2.T * (1 - h ** 2)
    W2 -= h.T @ d; b2 -= d.sum(0); W1 -= X.T @ dh; b1 -= dh.sum(0)
""",
    "moons.py": """
import torch
from torch import nn
from sklearn.datasets import make_moons
import matplotlib.pyplot as plt
X, y = make_moons(200, noise=0.2, random_state=0)
X = torch.tensor(X, dtype=torch.float32); y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
model_fixed = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model_fixed.parameters(), lr=0.5); losses_fixed = []
for epoch in range(100):
    optimizer.zero_grad(); loss = nn.functional.binary_cross_entropy_with_logits(model_fixed(X), y)
    loss.backward(); optimizer.step(); losses_fixed.append(loss.item())
plt.plot(losses_fixed)
""",
    "raw.py": """
import torch
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = torch.tensor([[0.], [1.], [1.], [0.]])
W1 = torch.randn(2, 4, requires_grad=True); b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True); b2 = torch.zeros(1, requires_grad=True)
lr = 0.5; loss_history = []
for epoch in range(300):
    out = torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2)
    loss = ((out - y) ** 2).mean(); loss.backward(); loss_history.append(loss.item())
    with torch.no_grad():
        for p in (W1, b1, W2, b2):
            p -= lr * p.grad; p.grad.zero_()
""",
}


def build_class(root: Path, copies: int, small: bool) -> list[Path]:
    folders = []
    for copy in range(copies):
        if small:
            for index, (name, source) in enumerate(SMALL.items()):
                folder = root / f"s{copy:02d}-{index}"
                folder.mkdir(parents=True)
                (folder / name).write_text(source)
                folders.append(folder)
        else:
            for name in EXAMPLES:
                folder = root / f"{name}-{copy:02d}"
                shutil.copytree(ROOT / "examples" / name, folder)
                folders.append(folder)
    return folders


def run_plain(folders: list[Path], scratch: Path, parallel: int = 1) -> float:
    """Each submission's plain script, ``parallel`` at a time (1: one after the other)."""
    scripts = []
    for index, folder in enumerate(folders):
        target = scratch / f"plain-{index}"
        target.mkdir(parents=True)
        prepare_plain(load_submission(folder), target)
        scripts.append(target)
    env = worker_environment(scratch / "home", scratch / "tmp")

    def one(target: Path) -> None:
        subprocess.run([sys.executable, "-s", "plain.py"], cwd=target, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, scripts))
    return time.monotonic() - started


def run_grader(class_dir: Path, out: Path, jobs: int, warm: bool) -> tuple[float, int]:
    command = [sys.executable, "-c", "from grader.cli import main; main()", "run",
               str(class_dir), "--out", str(out), "--force", "--jobs", str(jobs),
               "--warm" if warm else "--cold"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    return seconds, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def peak_sandbox_memory(out: Path) -> int:
    peaks = [json.loads(p.read_text())["timing"].get("peak_memory_bytes") or 0
             for p in out.glob("*/result.json")]
    return max(peaks, default=0)


def run_nbclient(folders: list[Path], scratch: Path) -> float | None:
    try:
        import nbclient  # noqa: PLC0415
        import nbformat  # noqa: PLC0415
    except ImportError:
        return None
    env = worker_environment(scratch / "home", scratch / "tmp")
    started = time.monotonic()
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix == ".ipynb":
                notebook = nbformat.read(path, as_version=4)
                nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                        resources={"metadata": {"path": str(folder)}}).execute(
                                            env=env)
            elif path.suffix == ".py":
                subprocess.run([sys.executable, "-s", path.name], cwd=folder, env=env,
                               check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--modes", default="plain,cold1,warm1,warm2,nbclient")
    args = parser.parse_args()
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as tmp:
        root = Path(tmp)
        folders = build_class(root / "class", args.copies, args.small)
        count = len(folders)
        print(f"batch: {count} submissions ({'small' if args.small else 'the examples'}), "
              f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
        times: dict[str, float] = {}
        memory: dict[str, tuple[int, int]] = {}
        for mode in modes:
            if mode in ("plain", "plain2"):  # plain2: two at a time, the machine's own scaling
                times[mode] = run_plain(folders, root / mode, parallel=2 if mode == "plain2" else 1)
            elif mode == "nbclient":
                seconds = run_nbclient(folders, root / "nb")
                if seconds is None:
                    print("nbclient: not installed (pip install nbclient ipykernel): skipped")
                    continue
                times[mode] = seconds
            else:
                jobs, warm = int(mode[-1]), mode.startswith("warm")
                out = root / f"out-{mode}"
                times[mode], rss = run_grader(root / "class", out, jobs, warm)
                memory[mode] = (peak_sandbox_memory(out), rss)
        plain = times.get("plain")
        print(f"{'mode':<10} {'seconds':>9} {'per sub':>8} {'/plain':>7} {'subs/min':>9} "
              f"{'sandbox peak MiB':>17} {'grader max RSS MiB':>19}")
        for mode, seconds in times.items():
            ratio = f"{seconds / plain:7.2f}" if plain else "      -"
            peak, rss = memory.get(mode, (0, 0))
            print(f"{mode:<10} {seconds:9.1f} {seconds / count:8.2f} {ratio} "
                  f"{60 * count / seconds:9.1f} {peak / 2**20:17.0f} {rss / 1024:19.0f}")
        if "warm1" in times and "warm2" in times:
            print(f"scaling 2 workers / 1 worker (warm): {times['warm1'] / times['warm2']:.2f}x")
        if "plain" in times and "plain2" in times:
            print(f"scaling of plain python itself, 2 at a time / 1: "
                  f"{times['plain'] / times['plain2']:.2f}x")
        if "nbclient" in times and "warm2" in times:
            print(f"nbclient / grader warm (2 workers, the default here): "
                  f"{times['nbclient'] / times['warm2']:.2f}x")
        if "nbclient" in times and "warm1" in times:
            print(f"nbclient / grader warm (1 worker): {times['nbclient'] / times['warm1']:.2f}x")


if __name__ == "__main__":
    main()
