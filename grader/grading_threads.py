"""One thread for the grader's own numerics, in every process that grades."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def use_one_thread() -> None:
    """Limit this process's torch and BLAS/OpenMP pools to one thread (once per process).

    N grading processes on N cores must not oversubscribe: ``bench/threads.py`` measured
    the lab's small networks 4-6.5x slower at two threads while the other core was busy,
    and no faster at two when it was idle. One thread also keeps the grader's floating-point
    sums the same whatever the machine's core count.
    """
    import torch  # noqa: PLC0415 - heavy, only where grading happens
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    torch.set_num_threads(1)
    threadpool_limits(1)  # called, not entered: the limit stays for the process
