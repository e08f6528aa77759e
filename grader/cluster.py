"""Send grading jobs to a Dask distributed cluster; the outputs come back to the caller.

Each job (:class:`grader.jobs.Job`: the submission's path, the rubric, the limits) runs
:func:`grader.jobs.run_job` on a worker, inside that worker's own sandbox (the worker
detects its own isolation: it needs this package and bubblewrap). The caller writes the
outputs exactly as in a local run. The submission path must be readable on the workers
(a shared file system). Start workers with one thread each (``--nthreads 1``): a worker
process grades one submission at a time, like a local worker.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

from grader.jobs import Job, JobOutput, run_job
from grader.pool import crashed_output


class ClusterUnavailable(Exception):
    """The scheduler could not be reached or Dask is not installed; the message says which."""


def run_on_cluster(jobs: list[Job], address: str, *, timeout: float = 30.0) -> Iterator[JobOutput]:
    """Outputs in completion order; a job whose worker failed becomes an error result."""
    try:
        from distributed import Client, as_completed  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise ClusterUnavailable("--cluster needs Dask: pip install 'labgrade[cluster]'") from exc
    try:
        client = Client(address, timeout=timeout)
    except OSError as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    batch = uuid.uuid4().hex[:8]
    with client:
        futures = {client.submit(run_job, dataclasses.replace(job, support=None), pure=False,
                                 key=f"labgrade-{batch}-{index}"): job
                   for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: tell, go on
                yield crashed_output(job, exc)
