"""Batch re-assignment after the dealer network changed.

A job walks the customers in its scope in id order, decides each one's dealer again at the
job's fixed decision instant, and compares it with the assignment in force. A dry run only
reports the differences. An applied job writes each batch's new assignment versions, their
notices and the batch's completion in one transaction. Any number of processes (replicas,
the CLI) running the same job id share it batch by batch (store/jobs.py), and a job killed
at any point and started again resumes after the last committed batch: either way it ends
exactly as one uninterrupted run would, since every write of a job carries the job's
instant, not the wall clock. A finished job run again changes nothing.
"""

import contextlib
import datetime as dt
import functools
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator

from .. import clock
from ..domain.postcodes import PostcodeDirectory
from ..domain.validation import FUTURE_TOLERANCE, MAX_SCOPE, check_count, check_id
from ..errors import FailedPrecondition, NotFound, Violations, shown
from ..logs import event
from ..model import Change, JobBatch, JobKind, JobProgress, JobStatus, PairCount, ScheduledChange, Scope
from ..store import Store
from ..store.assignments import PreparedVersion, job_trigger, prepare
from ..store.jobs import ClaimLost
from .assignment import AssignmentService
from .runtime import RuntimeHolder
from .shared_walk import DEFAULT_CLAIM_HOLD_S, SharedWalk, one_round
from .workers import PARALLEL_FROM, WorkerEntry, in_order

DEFAULT_BATCH = 1000
# A long job logs its progress at most this often (its start and end always).
_PROGRESS_LOG_EVERY_S = 5.0

log = logging.getLogger(__name__)

# A batch's changes, each with the row to store when the job is applied (None in a dry run).
Decided = list[tuple[Change, PreparedVersion | None]]


class ReassignService:
    def __init__(self, store: Store, runtime: RuntimeHolder, assignment: AssignmentService,
                 postcodes: PostcodeDirectory, workers: WorkerEntry | None = None,
                 claim_hold_s: float = DEFAULT_CLAIM_HOLD_S):
        self.store = store
        self.claim_hold_s = claim_hold_s
        self.runtime = runtime
        self.assignment = assignment
        self.postcodes = postcodes
        self.workers = workers
        # The progress of the jobs running in this process, by id, for the metrics.
        self.running: dict[str, JobProgress] = {}

    def run(
        self, job_id: str, scope: Scope, dry_run: bool, caller: str = "cli",
        batch_size: int = DEFAULT_BATCH, at: dt.datetime | None = None, workers: int | None = None,
        stop: threading.Event | None = None, scheduled: ScheduledChange | None = None,
        kind: JobKind = JobKind.REASSIGN,
    ) -> Iterator[JobProgress]:
        """Yields the progress after every batch, with that batch's changes, and a last one
        with `finished` set and the summary. `at`, the decision instant of a new job, may lie
        in the future only for a dry run: the preview of a network change announced for
        then. Large jobs decide in `workers` processes (default: one per core,
        up to two) while this one reads ids and writes; results are taken in batch order.
        Once `stop` is set the job ends after the batch it is writing, without a finished
        progress: it resumes from there when run again. `running` shows it meanwhile. An
        applied job another process runs too is shared with it: each ends with the job."""
        try:
            for progress in self._run(job_id, scope, dry_run, caller, batch_size, at, workers, stop, scheduled,
                                      kind):
                self.running[job_id] = progress
                yield progress
        finally:
            self.running.pop(job_id, None)

    def run_scheduled(self, change: ScheduledChange, announce: bool, stop: threading.Event | None = None,
                      batch_size: int = DEFAULT_BATCH) -> Iterator[JobProgress]:
        """The job a network change scheduled ahead owes, deciding as of the start of its
        effective day: its announcement (`announce`: the notices of the customers it will
        move, written ahead and nothing else) or, from that day, its application, which
        links each announcement it bears out to the new version and withdraws the unsent
        ones it does not. Each batch first checks, in its own transaction, that the change
        was not cancelled meanwhile. Run again, a finished job writes nothing."""
        at = clock.end_of_day(change.effective - dt.timedelta(days=1))
        if announce:
            yield from self.run(change.announce_job_id, change.scope, False, "scheduler", batch_size, at, stop=stop,
                                scheduled=change, kind=JobKind.ANNOUNCE)
        else:
            yield from self.run(change.job_id, change.scope, False, "scheduler", batch_size, at, stop=stop,
                                scheduled=change)

    def _run(self, job_id: str, scope: Scope, dry_run: bool, caller: str, batch_size: int,
             at: dt.datetime | None, workers: int | None, stop: threading.Event | None,
             scheduled: ScheduledChange | None, kind: JobKind) -> Iterator[JobProgress]:
        self._check(job_id, scope, batch_size, at, dry_run or scheduled is not None)
        self.runtime.refresh_network()
        started = time.monotonic()
        before = changed_before = 0
        resumed = False
        recorded = None
        summary = self.store.assignments.announced_counts if kind == JobKind.ANNOUNCE else \
            self.store.assignments.pair_counts
        walk = None
        if dry_run:
            decision_at = at or clock.now()
            total = self.store.jobs.count(scope, "")
        else:
            job = self.store.jobs.start(job_id, scope, at or clock.now(), caller, kind)
            decision_at = job.decision_at
            # A scheduled job's writes are recorded when it ran: its announcement before the
            # day it decides for, its application on that day or, after a server was down, later.
            recorded = job.started_at if scheduled else decision_at
            before, changed_before, resumed = job.processed, job.changed, job.processed > 0
            if job.status == JobStatus.FINISHED:
                yield JobProgress(job_id, False, job.processed, job.processed, job.changed,
                                  time.monotonic() - started, True, resumed, before, (), summary(job_id))
                return
            walk = SharedWalk(self.store.jobs, job_id, scope, batch_size, self.claim_hold_s)
            total = before + self.store.jobs.remaining(job_id, scope)
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if total - before >= PARALLEL_FROM else 1
        processed, changed, pairs = before, changed_before, Counter()
        event(log, "job.start", job_id=job_id, dry_run=dry_run, total=total, resumed_at=before)
        logged = -_PROGRESS_LOG_EVERY_S
        decide = functools.partial(self.decide_batch, at=decision_at, keep=not dry_run)
        entry = self.workers
        rounds = walk.rounds(stop) if walk else one_round(self.store.jobs.id_batches(scope, "", batch_size))
        with contextlib.closing(rounds):
            for batches in rounds:
                for ids, decided in in_order(batches, decide, workers, entry, entry.decide if entry else None,
                                             (clock.to_text(decision_at), not dry_run)):
                    if walk is None:
                        processed, changed = processed + len(ids), changed + len(decided)
                        pairs.update((c.old_dealer_id, c.new_dealer_id) for c, _ in decided)
                    else:
                        try:
                            if kind == JobKind.ANNOUNCE:
                                decided = _moving(decided)
                                processed, changed = self._announce(walk.taken(), decided, decision_at, recorded,
                                                                    scheduled)
                            else:
                                processed, changed = self._apply(walk.taken(), decided, decision_at, recorded,
                                                                 scheduled)
                        except ClaimLost:
                            event(log, "job.batch_lost", job_id=job_id, first=ids[0] if ids else "")
                            continue
                    if time.monotonic() - logged >= _PROGRESS_LOG_EVERY_S:
                        logged = time.monotonic()
                        event(log, "job.progress", job_id=job_id, dry_run=dry_run, total=total,
                              processed=processed, changed=changed)
                    yield JobProgress(job_id, dry_run, total, processed, changed, time.monotonic() - started,
                                      False, resumed, before, tuple(c for c, _ in decided))
                    if stop is not None and stop.is_set() and processed < total:
                        event(log, "job.stopped", job_id=job_id, dry_run=dry_run, total=total,
                              processed=processed, changed=changed)
                        return
        if walk is not None and not walk.done:
            event(log, "job.stopped", job_id=job_id, dry_run=dry_run, total=total, processed=processed,
                  changed=changed)
            return
        if not dry_run:
            with self.store.transaction():
                if self.store.jobs.finish(job_id, recorded) and scheduled is not None and kind == JobKind.REASSIGN:
                    self.store.assignments.withdraw_unborne(job_trigger(scheduled.announce_job_id), recorded)
            processed, changed = self.store.jobs.counts(job_id)
        event(log, "job.end", job_id=job_id, dry_run=dry_run, total=total, processed=processed, changed=changed,
              seconds=round(time.monotonic() - started, 3))
        # A job's summary is read from what it stored: a resumed or shared job's covers
        # every run's part.
        counts = summary(job_id) if not dry_run else tuple(
            PairCount(old, new, n)
            for (old, new), n in sorted(pairs.items(), key=lambda x: (x[0][0] or "", x[0][1]))
        )
        yield JobProgress(job_id, dry_run, total, processed, changed, time.monotonic() - started,
                          True, resumed, before, (), counts)

    def decide_batch(self, ids: list[str], at: dt.datetime, keep: bool) -> Decided:
        """The differences of a batch of customers with their assignments in force, each with
        the decision to store when `keep` (an applied job)."""
        runtime = self.runtime.current
        network = runtime.network
        day = clock.day_of(at)
        choose, decide = self.assignment.choose, self.assignment.decide
        found = []
        for snapshot in self.store.customers.snapshots(ids, at):
            old = snapshot.current
            # Most customers keep their dealer: only those who change are decided in full.
            if old is not None and choose(snapshot, at, runtime) == (old.dealer_id, old.basis):
                continue
            # decide agrees with choose (test_choose_gives_the_dealer_and_basis_decide_gives).
            decision = decide(snapshot, at, runtime)
            if old is None:
                reason = f"first assignment: {decision.explanation}"
            else:
                inactive = network.inactive_reason(old.dealer_id, day)
                reason = f"{inactive}; now {decision.explanation}" if inactive else f"now {decision.explanation}"
            change = Change(
                snapshot.customer.id, old.dealer_id if old else None, decision.dealer.dealer_id,
                old.basis if old else None, decision.basis, reason,
            )
            found.append((change, prepare(change.customer_id, decision) if keep else None))
        return found

    def _check(self, job_id: str, scope: Scope, batch_size: int, at: dt.datetime | None, ahead: bool) -> None:
        violations = Violations()
        check_id(job_id, "job_id", violations)
        check_count(scope.postcodes, "scope.postcodes", violations, MAX_SCOPE)
        check_count(scope.dealer_ids, "scope.dealer_ids", violations, MAX_SCOPE)
        unknown = [code for code in scope.postcodes[:MAX_SCOPE] if code not in self.postcodes]
        if unknown:
            some = ", ".join(shown(code) for code in unknown[:5])
            violations.add("scope.postcodes", f"not Belgian postcodes ({len(unknown)}): {some}"
                           + (", …" if len(unknown) > 5 else ""))
        if not 1 <= batch_size <= 10000:
            violations.add("batch_size", "must be 1 to 10000")
        if at is not None and not ahead and at > clock.now() + FUTURE_TOLERANCE:
            violations.add("at", f"{at.isoformat()} is in the future: only a dry run can look ahead")
        elif at is not None and not clock.in_range(at.date()):
            violations.add("at", f"{at.isoformat()} is outside {clock.EARLIEST} to {clock.LATEST}")
        violations.raise_if_any()
        network = self.runtime.recent().network
        for dealer_id in scope.dealer_ids:
            if dealer_id not in network:
                raise NotFound(f"dealer {shown(dealer_id)} does not exist")

    def _apply(self, batch: JobBatch, decided: Decided, at: dt.datetime, recorded: dt.datetime,
               scheduled: ScheduledChange | None) -> tuple[int, int]:
        """A batch's new versions, their notices and its completion: all or nothing. Returns
        the job's (processed, changed)."""
        with self.store.transaction():
            counts = self.store.jobs.complete(batch, len(decided), recorded)
            _still_scheduled(self.store, scheduled)
            self.store.assignments.save_prepared_many(
                [v for _, v in decided], at, job_trigger(batch.job_id), recorded_at=recorded,
                announced=job_trigger(scheduled.announce_job_id) if scheduled else None)
        return counts

    def _announce(self, batch: JobBatch, moving: Decided, at: dt.datetime, recorded: dt.datetime,
                  scheduled: ScheduledChange) -> tuple[int, int]:
        """A batch's announcements and its completion: all or nothing. Returns the job's
        (processed, changed)."""
        with self.store.transaction():
            counts = self.store.jobs.complete(batch, len(moving), recorded)
            _still_scheduled(self.store, scheduled)
            self.store.assignments.announce(
                [(c.customer_id, c.old_dealer_id, c.new_dealer_id, v.explanation) for c, v in moving], at,
                job_trigger(batch.job_id), recorded)
        return counts


def _moving(decided: Decided) -> Decided:
    """The changes an announcement tells of: a new dealer, not a first one or another basis."""
    return [(c, v) for c, v in decided if c.old_dealer_id is not None and c.old_dealer_id != c.new_dealer_id]


def _still_scheduled(store: Store, scheduled: ScheduledChange | None) -> None:
    """Inside a batch's transaction: a scheduled change taken back meanwhile writes no more."""
    if scheduled is not None and not store.schedule.is_open(scheduled.change_id):
        raise FailedPrecondition(f"network change {scheduled.change_id} was cancelled or is done; its job stops")
