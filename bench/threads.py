"""Which torch thread count is fastest for the lab's small networks, alone and next to other work.

    python bench/threads.py [REPEATS]

Each workload (the lab's networks at their real sizes, a fixed number of epochs) runs in a
fresh interpreter with ``torch.set_num_threads(T)`` (and ``OMP_NUM_THREADS=T``) for T = 1
and 2, first on an idle machine, then with one busy process per other core (what another
grading worker looks like to it). The time is the wall clock of the training loop alone
(imports excluded), median of the repeats. Prints the times and the ratios T=2 / T=1: the
grader runs every sandbox with one thread, so N workers on N cores never oversubscribe.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap

WORKLOADS = {
    "XOR 2-8-1 nn.Module, 5000 epochs": ("""
        X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = torch.tensor([[0.], [1.], [1.], [0.]])
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
        EPOCHS = 5000
    """),
    "moons 2-16-1, 400 points, 1000 epochs": ("""
        g = torch.Generator().manual_seed(0)
        X = torch.randn(400, 2, generator=g); y = (X[:, :1] * X[:, 1:] > 0).float()
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
        EPOCHS = 1000
    """),
    "MLP 2-128-128-1, 2000 points, 300 epochs": ("""
        g = torch.Generator().manual_seed(0)
        X = torch.randn(2000, 2, generator=g); y = (X[:, :1] * X[:, 1:] > 0).float()
        model = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                              nn.Linear(128, 1), nn.Sigmoid())
        EPOCHS = 300
    """),
}

RUNNER = """
import sys, time, torch
from torch import nn
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
exec(compile(sys.stdin.read(), "<setup>", "exec"))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.BCELoss()
optimizer.step()  # the first step's lazy imports, untimed
started = time.perf_counter()
for epoch in range(EPOCHS):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
print(time.perf_counter() - started)
"""

BURNER = "while True:\n    pass\n"


def run(setup: str, threads: int) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", RUNNER, str(threads)], input=textwrap.dedent(setup),
                          capture_output=True, text=True, check=True, env=env)
    return float(done.stdout.strip())


def measure(repeats: int, busy: bool) -> dict[str, dict[int, float]]:
    burners = [subprocess.Popen([sys.executable, "-c", BURNER])
               for _ in range(max(1, (os.cpu_count() or 2) - 1))] if busy else []
    try:
        return {name: {t: statistics.median(run(setup, t) for _ in range(repeats)) for t in (1, 2)}
                for name, setup in WORKLOADS.items()}
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"torch threads, {os.cpu_count()} cores, median of {repeats}, wall seconds of the loop")
    results = {"idle": measure(repeats, busy=False), "other cores busy": measure(repeats, busy=True)}
    print(f"{'workload':<42} {'machine':<17} {'1 thread':>9} {'2 threads':>10} {'2/1':>6}")
    for state, table in results.items():
        for name, times in table.items():
            print(f"{name:<42} {state:<17} {times[1]:9.2f} {times[2]:10.2f} {times[2] / times[1]:6.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
