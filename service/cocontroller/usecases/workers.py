"""Worker processes for the batch jobs: a large job decides its batches in a pool of spawned
processes, each its own application on the same database, while the job's own process
reads ids and writes. The composition root says how a worker starts and what it runs; this
module never builds an application itself."""

import collections
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# Below this many customers, starting worker processes costs more than it saves.
PARALLEL_FROM = 50_000


@dataclass(frozen=True)
class WorkerEntry:
    """How a worker process starts (`start(*args)`) and the module-level functions it runs
    (spawned processes import them by name): a re-assignment's batch (`decide`) and a
    retention sweep's (`sweep`)."""

    start: Callable[..., None]
    decide: Callable[..., tuple[list[str], Any]]
    sweep: Callable[..., tuple[list[str], Any]]
    args: tuple


def in_order(batches: Iterator[list[str]], local: Callable[[list[str]], Any], workers: int,
             entry: WorkerEntry | None, remote: Callable[..., tuple[list[str], Any]] | None,
             remote_args: tuple) -> Iterator[tuple[list[str], Any]]:
    """(ids, result) per batch, in order: from `local` in this process, or when `workers`
    > 1 from `remote(ids, *remote_args)` in a pool of processes, with at most two batches
    a worker in flight so memory stays flat."""
    if workers <= 1 or entry is None or remote is None:
        for ids in batches:
            yield ids, local(ids)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=entry.start, initargs=entry.args) as pool:
        pending: collections.deque = collections.deque()
        for ids in batches:
            pending.append(pool.apply_async(remote, (ids, *remote_args)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
