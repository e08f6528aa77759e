"""How much time the sandbox adds to one submission, as a ratio to plain ``python``.

For each example submission: the code is converted to a plain script (notebook cells joined,
magics dropped exactly as the grader drops them) and timed with ``python script.py``; then
the same submission is run through the grader's sandbox (bubblewrap + cgroups where
available, and the degraded plain-process mode) up to the moment its namespace inventory
is back, which covers sandbox start, the student's code, figure capture and the inventory.
Prints the median of REPEATS runs and the ratios.

    python bench/sandbox_overhead.py [REPEATS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.isolation import Support, detect
from grader.launcher import Limits, SandboxSession
from grader.loading import load_submission

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEGRADED = Support(bwrap=None, setpriv=None, cgroup_version=None, reason="benchmark")


def plain_script(folder: Path) -> str:
    submission = load_submission(folder)
    seed = "import random, numpy; random.seed(0); numpy.random.seed(0)\n"
    body = "\n".join(cell.source.lstrip("\n") for unit in submission.units for cell in unit.cells
                     if cell.refused is None)
    return "import matplotlib\nmatplotlib.use('Agg')\n" + seed + body


def time_plain(folder: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "plain.py"
        script.write_text(plain_script(folder))
        for file in folder.iterdir():
            if file.is_file():
                (Path(tmp) / file.name).write_bytes(file.read_bytes())
        started = time.perf_counter()
        subprocess.run([sys.executable, str(script)], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"})
        return time.perf_counter() - started


def time_sandbox(folder: Path, support: Support) -> float:
    submission = load_submission(folder)
    started = time.perf_counter()
    with SandboxSession(submission, seed=0, limits=Limits(), support=support) as session:
        record = session.run()
    elapsed = time.perf_counter() - started
    assert record.ending == "finished", record.ending_detail
    return elapsed


def main(repeats: int) -> None:
    full = detect()
    modes = [("sandbox", full)] if not full.missing() else []
    modes.append(("degraded", DEGRADED))
    print(f"isolation here: missing {full.missing() or 'nothing'}; repeats: {repeats}")
    header = f"{'example':8} {'plain s':>8}" + "".join(f" {m + ' s':>12} {'ratio':>6}" for m, _ in modes)
    print(header)
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        plain = statistics.median(time_plain(folder) for _ in range(repeats))
        row = f"{folder.name:8} {plain:8.2f}"
        for _name, support in modes:
            sandboxed = statistics.median(time_sandbox(folder, support) for _ in range(repeats))
            row += f" {sandboxed:12.2f} {sandboxed / plain:6.3f}"
        print(row)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
