"""One process's part in a job's walk, which any number of processes share: the batches it
claims, in the order it claimed them, and the wait for those other processes still hold
once none is left to claim."""

import collections
import logging
import threading
from collections.abc import Iterator

from ..logs import event
from ..model import JobBatch, Scope
from ..store.jobs import JobRepository

log = logging.getLogger(__name__)

# How long a process holds the batch it claimed before another may take it (seconds): it
# only matters when the process died, and it must outlast a batch's decision and write.
DEFAULT_CLAIM_HOLD_S = 60.0

# How often a process that has nothing left to claim looks whether the others are done.
_POLL_S = 0.2


def one_round(batches: Iterator[list[str]]) -> Iterator[Iterator[list[str]]]:
    """The rounds of a walk no other process shares (a dry run): its batches, once."""
    yield batches


class SharedWalk:
    def __init__(self, jobs: JobRepository, job_id: str, scope: Scope, size: int, hold_s: float,
                 restricted: bool = False):
        self.jobs = jobs
        self.job_id = job_id
        self.scope = scope
        self.size = size
        self.hold_s = hold_s
        self.restricted = restricted
        self.claim = jobs.claimant()
        # Set once every batch of the job is done: the job may be finished.
        self.done = False
        self._taken: collections.deque[JobBatch] = collections.deque()

    def rounds(self, stop: threading.Event | None) -> Iterator[Iterator[list[str]]]:
        """The batches this process claims, round after round: a round ends when none is
        left to claim, and another follows as soon as one that another process held may be
        taken again. Ends when every batch is done (`done`) or `stop` is set; however it
        ends (close it), the batches claimed and not done are let go at once."""
        try:
            while True:
                yield self._batches()
                if self._drained(stop):
                    self.done = True
                    return
                if stop is not None and stop.is_set():
                    return
        finally:
            self.jobs.release(self.job_id, self.claim)

    def _batches(self) -> Iterator[list[str]]:
        """The ids of each batch this process claims, until none is left to claim."""
        while (batch := self.jobs.claim(self.job_id, self.claim, self.scope, self.size, self.hold_s,
                                        self.restricted)) is not None:
            if batch.taken_from:
                event(log, "job.batch_taken", job_id=self.job_id, batch=batch.seq, taken_from=batch.taken_from)
            self._taken.append(batch)
            yield list(batch.ids)

    def taken(self) -> JobBatch:
        """The batch whose result comes next: results come in the order the batches were claimed."""
        return self._taken.popleft()

    def _drained(self, stop: threading.Event | None) -> bool:
        """Waits while other processes hold the job's last batches: True once every batch is
        done; False as soon as one may be claimed again (its process died, or its claim
        expired) or `stop` is set."""
        wait = stop or threading.Event()
        while True:
            left = self.jobs.wait_s(self.job_id)
            if left is None:
                return True
            if left <= 0 or wait.is_set():
                return False
            wait.wait(min(left + 0.01, _POLL_S))
