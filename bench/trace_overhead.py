"""What the optimizer trace adds to a 20,000-epoch XOR training, as a ratio (issue 5: under 10%).

    python bench/trace_overhead.py [REPEATS]

Each repeat runs the same training loop twice in fresh interpreters (1 torch thread, as in
the sandbox), once plain and once with :class:`grader.sandbox.trace.TrainingTrace`
installed exactly as the worker installs it, alternating which goes first. The time is the
process CPU time of the training loop alone (imports excluded), which is far less noisy here
than wall time. Prints per-style medians, the spread, and the ratio traced/plain.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import textwrap

STYLES = {
    "nn.Module + optim.SGD": """
        model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        loss_fn = nn.BCELoss()
        for epoch in range(EPOCHS):
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
    """,
    "raw tensors, manual update": """
        W1 = torch.randn(2, 4, requires_grad=True); b1 = torch.zeros(4, requires_grad=True)
        W2 = torch.randn(4, 1, requires_grad=True); b2 = torch.zeros(1, requires_grad=True)
        for epoch in range(EPOCHS):
            out = torch.sigmoid(torch.sigmoid(X @ W1 + b1) @ W2 + b2)
            loss = ((out - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (W1, b1, W2, b2):
                    p -= 0.5 * p.grad
                    p.grad.zero_()
    """,
}

RUNNER = """
import json, sys, time
import torch
from torch import nn
torch.set_num_threads(1)
torch.manual_seed(0)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
EPOCHS = 20000
namespace = dict(globals())
trace = None
if sys.argv[1] == "traced":
    from grader.sandbox.trace import start
    trace = start(namespace)
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).step()  # first-step import, untimed
code = compile(sys.stdin.read(), "<training>", "exec")
started = time.process_time()
exec(code, namespace)
seconds = time.process_time() - started
result = {"seconds": seconds, "samples": len(trace.samples) if trace else 0}
if trace is not None:
    # The pass-through cost of the real wrapper, timed on its own: installed on a stand-in
    # Tensor class whose backward does nothing, past the sample budget (never recording).
    from grader.sandbox.trace import MAX_SAMPLES, TrainingTrace
    class Fake:
        class Tensor:
            def backward(self):
                return None
    idle = TrainingTrace(Fake)
    idle.install({})
    idle.samples, idle.calls, idle._next = [None] * MAX_SAMPLES, 10**6, float("inf")
    wrapped, original, n = Fake.Tensor(), idle._original, 200000
    t0 = time.process_time()
    for _ in range(n):
        wrapped.backward()
    with_wrapper = time.process_time() - t0
    t0 = time.process_time()
    for _ in range(n):
        original(wrapped)
    bare = time.process_time() - t0
    class FakeOptimizer:
        param_groups = [{"lr": 0.5}]
    optimizer = FakeOptimizer()
    t0 = time.process_time()
    for _ in range(n):
        idle._on_step(optimizer, (), {})
    step_hook = time.process_time() - t0
    idle.uninstall()
    result["pass_through"] = (max(0.0, with_wrapper - bare) / n * trace.calls
                              + step_hook / n * trace.steps)
    result["recording"] = trace.recording_seconds
print(json.dumps(result))
"""


def measure(mode: str, body: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", RUNNER, mode], input=textwrap.dedent(body),
                          capture_output=True, text=True, check=True,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": sys.path[0] + "/.."})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(repeats: int) -> None:
    print(f"trace overhead, 20000 epochs of XOR, {repeats} alternating repeats, CPU seconds")
    print(f"{'style':<28} {'plain':>8} {'traced':>8} {'ratio':>7} {'ratio range':>16} samples "
          f"{'accounted':>9}")
    for style, body in STYLES.items():
        plain, traced, ratios, samples, accounted = [], [], [], 0, []
        for repeat in range(repeats):
            order = ("plain", "traced") if repeat % 2 == 0 else ("traced", "plain")
            got = {mode: measure(mode, body) for mode in order}
            plain.append(got["plain"]["seconds"])
            traced.append(got["traced"]["seconds"])
            ratios.append(traced[-1] / plain[-1])
            samples = int(got["traced"]["samples"])
            added = got["traced"]["pass_through"] + got["traced"]["recording"]
            accounted.append(1 + added / got["plain"]["seconds"])
        print(f"{style:<28} {statistics.median(plain):8.2f} {statistics.median(traced):8.2f} "
              f"{statistics.median(ratios):7.3f} {min(ratios):7.3f}-{max(ratios):<8.3f} {samples:7d} "
              f"{statistics.median(accounted):9.4f}")
    print("ratio: traced/plain CPU time of the loop (noisy on a shared machine); accounted: "
          "1 + (recording time + pass-through cost x calls) / plain time")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
