"""The retention sweep: section 4's promise that data no longer needed "wordt gewist of
geanonimiseerd", carried out over every customer.

A sweep walks the customers in id order at its job's fixed instant. For each it asks the
privacy pack what every period gives on that day: a customer whose periods have all run out
(but those the law sets) is erased, their contacts counted into statistics first; what the
law keeps stays, restricted, until its date; a legal hold keeps everything. A restricted
customer whose date has come, or whose hold ended, is erased in turn. An applied sweep writes
each batch's erasures and its cursor in one transaction with the job's instant, so a sweep
killed at any point and run again with the same id resumes after the last committed batch
and ends as an uninterrupted one would; processes running the same sweep share it batch by
batch (store/jobs.py). A dry run writes nothing.
"""

import contextlib
import datetime as dt
import functools
import logging
import os
import threading
import time
from collections.abc import Iterator

from .. import clock
from ..domain.erasure import erasure_plan, sweep_due
from ..domain.resolution import Resolver
from ..domain.validation import check_id, check_instant
from ..errors import Violations
from ..logs import event
from ..model import (
    ErasureOutcome, ErasurePlan, ErasurePolicy, ErasureReason, JobBatch, JobKind, JobStatus, Scope, SweepItem,
    SweepProgress,
)
from ..store import Store
from ..store.jobs import ClaimLost
from .erasure import ErasureService
from .runtime import RuntimeHolder
from .shared_walk import DEFAULT_CLAIM_HOLD_S, SharedWalk, one_round
from .workers import PARALLEL_FROM, WorkerEntry, in_order

DEFAULT_BATCH = 500
_EVERYONE = Scope((), ())
_PROGRESS_LOG_EVERY_S = 5.0

log = logging.getLogger(__name__)


class RetentionSweep:
    def __init__(self, store: Store, runtime: RuntimeHolder, resolver: Resolver, erasure: ErasureService,
                 workers: WorkerEntry | None = None, claim_hold_s: float = DEFAULT_CLAIM_HOLD_S):
        self.store = store
        self.claim_hold_s = claim_hold_s
        self.runtime = runtime
        self.resolver = resolver
        self.erasure = erasure
        self.workers = workers
        # The sweeps running in this process, by id (the server waits for them to stop).
        self.running: dict[str, SweepProgress] = {}

    def run(self, job_id: str, dry_run: bool, caller: str = "cli", batch_size: int = DEFAULT_BATCH,
            at: dt.datetime | None = None, stop: threading.Event | None = None,
            workers: int | None = None) -> Iterator[SweepProgress]:
        """Yields the progress after every batch and a last one with `finished` set and the
        count of each outcome. `at`, the instant of a new sweep, may not lie in the future.
        Large sweeps decide in `workers` processes (default: one per core, up to two)
        while this one reads ids and writes. Once `stop` is set the sweep ends after the
        batch it is writing; run again with the same id, it resumes there."""
        try:
            for progress in self._run(job_id, dry_run, caller, batch_size, at, stop, workers):
                self.running[job_id] = progress
                yield progress
        finally:
            self.running.pop(job_id, None)

    def _run(self, job_id: str, dry_run: bool, caller: str, batch_size: int, at: dt.datetime | None,
             stop: threading.Event | None, workers: int | None) -> Iterator[SweepProgress]:
        _check(job_id, batch_size, at)
        started = time.monotonic()
        before = acted_before = 0
        walk = None
        if dry_run:
            at = at or clock.now()
        else:
            job = self.store.jobs.start(job_id, _EVERYONE, at or clock.now(), caller, JobKind.RETENTION_SWEEP)
            at, before, acted_before = job.decision_at, job.processed, job.changed
            if job.status == JobStatus.FINISHED:
                yield SweepProgress(job_id, False, before, before, acted_before, time.monotonic() - started, True,
                                    before > 0, before, (), self._outcomes(job_id))
                return
            walk = SharedWalk(self.store.jobs, job_id, _EVERYONE, batch_size, self.claim_hold_s, restricted=True)
        policy = self.erasure.policy()
        total = before + (self.store.jobs.remaining(job_id, _EVERYONE, restricted=True) if walk
                          else self.store.jobs.count(_EVERYONE, "", restricted=True))
        processed, acted = before, acted_before
        counted: dict[ErasureOutcome, int] = {}
        event(log, "sweep.start", job_id=job_id, dry_run=dry_run, total=total, resumed_at=before)
        logged = -_PROGRESS_LOG_EVERY_S
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if total - before >= PARALLEL_FROM else 1
        entry = self.workers
        rounds = walk.rounds(stop) if walk else one_round(
            self.store.jobs.id_batches(_EVERYONE, "", batch_size, restricted=True))
        with contextlib.closing(rounds):
            for batches in rounds:
                for ids, decided in in_order(batches, functools.partial(self.decide, at=at, policy=policy),
                                             workers, entry, entry.sweep if entry else None, (clock.to_text(at),)):
                    positions = {customer_id: position for position, customer_id in enumerate(ids)}
                    found = [(positions[customer_id], customer_id, plan) for customer_id, plan in decided]
                    if walk is None:
                        processed, acted = processed + len(ids), acted + len(found)
                    else:
                        try:
                            found, (processed, acted) = self._apply(walk.taken(), found, at, caller, policy)
                        except ClaimLost:
                            event(log, "sweep.batch_lost", job_id=job_id)
                            continue
                    for _, _, plan in found:
                        counted[plan.outcome] = counted.get(plan.outcome, 0) + 1
                    if time.monotonic() - logged >= _PROGRESS_LOG_EVERY_S:
                        logged = time.monotonic()
                        event(log, "sweep.progress", job_id=job_id, dry_run=dry_run, total=total,
                              processed=processed, acted=acted)
                    items = tuple(SweepItem(customer_id if dry_run else "", plan.outcome, plan.erase_on)
                                  for _, customer_id, plan in found)
                    yield SweepProgress(job_id, dry_run, total, processed, acted, time.monotonic() - started, False,
                                        before > 0, before, items)
                    if stop is not None and stop.is_set() and processed < total:
                        event(log, "sweep.stopped", job_id=job_id, processed=processed, acted=acted)
                        return
        if walk is not None and not walk.done:
            event(log, "sweep.stopped", job_id=job_id, processed=processed, acted=acted)
            return
        if not dry_run:
            self.store.jobs.finish(job_id, at)
            self.store.erasure.empty_log()
            processed, acted = self.store.jobs.counts(job_id)
        event(log, "sweep.end", job_id=job_id, dry_run=dry_run, total=total, processed=processed, acted=acted,
              seconds=round(time.monotonic() - started, 3))
        outcomes = tuple(sorted(counted.items())) if dry_run else self._outcomes(job_id)
        yield SweepProgress(job_id, dry_run, total, processed, acted, time.monotonic() - started, True,
                            before > 0, before, (), outcomes)

    def decide(self, ids: list[str], at: dt.datetime, policy: ErasurePolicy) -> list[tuple[str, ErasurePlan]]:
        """What the sweep does at `at` to each of a batch of customers that needs it: one
        not restricted when every period but the law's has run out; a restricted one when
        its plan moved (its date came, its hold ended). Only the retention of the pack in
        force is asked, with the stored assignment: a sweep decides no dealer."""
        day = clock.day_of(at)
        privacy = self.runtime.recent().privacy
        found = []
        for record in self.store.records.of(ids, at):
            retention = self.resolver.retention(privacy, record.history, at,
                                                record.assignment.dealer_id if record.assignment else None)
            restriction = record.restriction
            if restriction is None and not sweep_due(retention, policy, day):
                continue
            plan = erasure_plan(retention, policy, day, requested=False)
            if restriction is not None and (plan.outcome, plan.erase_on) == (
                    ErasureOutcome.HELD if restriction.legal_hold else ErasureOutcome.RESTRICTED,
                    restriction.erase_on):
                continue
            found.append((record.customer.id, plan))
        return found

    def _apply(self, batch: JobBatch, found: list[tuple[int, str, ErasurePlan]], at: dt.datetime, caller: str,
               policy: ErasurePolicy) -> tuple[list[tuple[int, str, ErasurePlan]], tuple[int, int]]:
        """A batch's erasures and its completion, all or nothing: the erasures done, and the
        job's (processed, acted). The plans are made again under the write lock: a fact
        recorded since the first look may have changed them. Each erasure is keyed by its
        customer's place in the walk, whichever process wrote it."""
        positions = {customer_id: position for position, customer_id, _ in found}
        done = []
        with self.store.transaction():
            for customer_id, plan in self.decide(list(positions), at, policy) if positions else ():
                customer = self.store.customers.get(customer_id)
                self.store.erasure.erase(customer_id, plan, policy,
                                         f"{batch.job_id}#{batch.ordinal + positions[customer_id]}",
                                         ErasureReason.RETENTION, at, caller,
                                         self.erasure.subjects(customer_id, customer))
                done.append((positions[customer_id], customer_id, plan))
            counts = self.store.jobs.complete(batch, len(done), at)
        return done, counts

    def _outcomes(self, job_id: str) -> tuple[tuple[ErasureOutcome, int], ...]:
        """The count of each outcome of an applied sweep, from its audit rows: right after
        any number of resumes."""
        return self.store.erasure.outcomes_of(job_id + "#")


def _check(job_id: str, batch_size: int, at: dt.datetime | None) -> None:
    violations = Violations()
    check_id(job_id, "job_id", violations)
    if not 1 <= batch_size <= 10000:
        violations.add("batch_size", "must be 1 to 10000")
    check_instant(at, "at", violations)
    violations.raise_if_any()
