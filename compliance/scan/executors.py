"""Where `scan_one` runs: a thread pool here, or a Dask distributed cluster.

Both take tasks lazily and keep a bounded number in flight, so neither the task list nor
the results are ever held whole; results come back in completion order to the driver,
which alone writes the store. Neither is a scheduler of its own: the local one is
`concurrent.futures`, the distributed one is `distributed.Client` + `as_completed`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, cast

from compliance.errors import ConfigError
from compliance.scan.result import RepoResult, Task
from compliance.scan.worker import ScanSettings, scan_one

IN_FLIGHT_PER_WORKER = 2


class Executor(Protocol):
    name: str

    def run(self, tasks: Iterable[Task], settings: ScanSettings) -> Iterator[RepoResult]: ...


class LocalExecutor:
    """Threads in this process: they share one rate limiter and one ancestor cache."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.name = f"local ({self.workers} threads)"

    def run(self, tasks: Iterable[Task], settings: ScanSettings) -> Iterator[RepoResult]:
        it = iter(tasks)
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="modelcheck-scan")
        pending: set[Future[RepoResult]] = set()
        try:
            for task in it:
                pending.add(pool.submit(scan_one, task, settings))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
                    nxt = next(it, None)
                    if nxt is not None:
                        pending.add(pool.submit(scan_one, nxt, settings))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster (`dask://HOST:PORT` is its scheduler). Each worker
    process builds its own client, packs and ancestor cache once; the request budget is
    split evenly between the worker processes, and a 429 seen by one pauses them all
    (through a `distributed.Variable`, dask_pause.py)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.name = f"dask ({address})"

    def run(self, tasks: Iterable[Task], settings: ScanSettings) -> Iterator[RepoResult]:
        try:
            from distributed import Client, as_completed  # untyped: called through Any

            from compliance.scan.dask_pause import DaskPauseBoard
        except ImportError:
            raise ConfigError(
                "--executor dask:// needs Dask distributed: pip install 'modelcheck[scan-dask]'"
            ) from None
        try:
            client: Any = cast(Any, Client)(self.address, timeout="20s")
        except OSError as e:
            raise ConfigError(f"{self.address}: cannot reach the Dask scheduler ({e})") from None
        try:
            workers: dict[str, Any] = client.scheduler_info()["workers"]
            processes = max(1, len(workers))
            threads = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
            if settings.rate > 0:
                settings = dataclasses.replace(settings, rate=settings.rate / processes)
            board = f"modelcheck-scan-pause-{uuid.uuid4().hex[:12]}"
            DaskPauseBoard(board, client).clear()
            settings = dataclasses.replace(settings, pause_board=board)
            it = iter(tasks)
            queue: Any = cast(Any, as_completed)()
            for _, task in zip(range(threads * IN_FLIGHT_PER_WORKER), it, strict=False):
                queue.add(client.submit(scan_one, task, settings, pure=False))
            for fut in queue:
                result: RepoResult = fut.result()
                fut.release()
                yield result
                nxt = next(it, None)
                if nxt is not None:
                    queue.add(client.submit(scan_one, nxt, settings, pure=False))
        finally:
            client.close()


def executor_for(spec: str, workers: int) -> Executor:
    """`local` or `dask://HOST:PORT` (a running scheduler)."""
    if spec == "local":
        return LocalExecutor(workers)
    if spec.startswith("dask://"):
        return DaskExecutor("tcp://" + spec[len("dask://") :])
    raise ConfigError(f"--executor must be local or dask://HOST:PORT (got {spec!r})")
