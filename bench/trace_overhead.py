"""What the training traces add to a training loop, as a ratio (issue 11: under 10%).

    python bench/trace_overhead.py [REPEATS]

Styles: a 20,000-epoch torch XOR (nn.Module + optim.SGD, and raw tensors) and a 10,000-epoch
NumPy inline loop. Each repeat runs the same training twice in fresh interpreters (1 torch
thread, as in the sandbox), once plain and once traced exactly as the worker traces a unit:
the code compiled with its loops instrumented (:mod:`grader.sandbox.instrument`), the loop
trace (:mod:`grader.sandbox.looptrace`) and the backward() trace (:mod:`grader.sandbox.trace`)
installed, alternating which goes first. The time is the process CPU time of the training
alone (imports excluded), far less noisy here than wall time. Prints per-style medians, the
spread, the ratio traced/plain, the samples each trace kept and the share of the plain time
the recorders themselves measured spending.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import textwrap

STYLES = {
    "numpy inline loop (10k)": """
        rng = np.random.default_rng(0)
        Xn, yn = X.numpy().astype(float), y.numpy().astype(float)
        wh, bh = rng.normal(size=(2, 4)), np.zeros((1, 4))
        wo, bo = rng.normal(size=(4, 1)), np.zeros((1, 1))
        for epoch in range(EPOCHS // 2):
            hidden = 1 / (1 + np.exp(-(Xn @ wh + bh)))
            output = 1 / (1 + np.exp(-(hidden @ wo + bo)))
            d_out = (yn - output) * output * (1 - output)
            d_hid = d_out @ wo.T * hidden * (1 - hidden)
            wo += 0.5 * hidden.T @ d_out
            bo += 0.5 * d_out.sum(axis=0, keepdims=True)
            wh += 0.5 * Xn.T @ d_hid
            bh += 0.5 * d_hid.sum(axis=0, keepdims=True)
    """,
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
import numpy as np
import torch
from torch import nn
torch.set_num_threads(1)
torch.manual_seed(0)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
EPOCHS = 20000
namespace = dict(globals())
trace = loops = None
source = sys.stdin.read()
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).step()  # first-step import, untimed
if sys.argv[1] == "traced":
    from grader.sandbox.instrument import compile_cell
    from grader.sandbox.looptrace import LoopTrace
    from grader.sandbox.trace import start
    trace = start(namespace)
    loops = LoopTrace(namespace)
    code = compile_cell(source, "<training>", loops.sites, 1)
else:
    code = compile(source, "<training>", "exec")
started = time.process_time()
exec(code, namespace)
seconds = time.process_time() - started
result = {"seconds": seconds, "samples": len(trace.samples) if trace else 0,
          "loop_samples": len(loops.samples) if loops else 0,
          "recording": (trace.recording_seconds + loops.recording_seconds) if trace else 0.0}
print(json.dumps(result))
"""


def measure(mode: str, body: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", RUNNER, mode], input=textwrap.dedent(body),
                          capture_output=True, text=True, check=True,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": sys.path[0] + "/.."})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(repeats: int) -> None:
    print(f"trace overhead, XOR training, {repeats} alternating repeats, CPU seconds")
    print(f"{'style':<28} {'plain':>8} {'traced':>8} {'ratio':>7} {'ratio range':>16} samples "
          f"{'loops':>6} {'recording':>9}")
    for style, body in STYLES.items():
        plain, traced, ratios, samples, loop_samples, accounted = [], [], [], 0, 0, []
        for repeat in range(repeats):
            order = ("plain", "traced") if repeat % 2 == 0 else ("traced", "plain")
            got = {mode: measure(mode, body) for mode in order}
            plain.append(got["plain"]["seconds"])
            traced.append(got["traced"]["seconds"])
            ratios.append(traced[-1] / plain[-1])
            samples = int(got["traced"]["samples"])
            loop_samples = int(got["traced"]["loop_samples"])
            accounted.append(got["traced"]["recording"] / got["plain"]["seconds"])
        print(f"{style:<28} {statistics.median(plain):8.2f} {statistics.median(traced):8.2f} "
              f"{statistics.median(ratios):7.3f} {min(ratios):7.3f}-{max(ratios):<8.3f} {samples:7d} "
              f"{loop_samples:6d} {statistics.median(accounted):9.4f}")
    print("ratio: traced/plain CPU time of the training (noisy on a shared machine); recording: "
          "the time the recorders measured spending, as a share of the plain time")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
