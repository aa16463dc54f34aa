"""Batch re-assignment after the dealer network changed.

A job walks the customers in its scope in id order, decides each one's dealer again at the
job's fixed decision instant, and compares it with the assignment in force. A dry run only
reports the differences. An applied job writes each batch's new assignment versions, their
notices and its own cursor in one transaction, so a job killed at any point and started again
with the same id resumes after the last committed batch and ends exactly as an uninterrupted
run would: every write of a job carries the job's instant, not the wall clock. A finished
job run again changes nothing.
"""

import collections
import datetime as dt
import json
import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from . import clock
from .assignment import Subject
from .errors import FailedPrecondition, InvalidArgument, NotFound
from .history import Contact
from .store import contact_from_row, decision_fields, preference_from_row
from .validation import check_id

DEFAULT_BATCH = 1000
# Below this many customers, starting worker processes costs more than it saves.
PARALLEL_FROM = 50_000


@dataclass(frozen=True)
class Scope:
    """All customers when both are empty; else those in the postcodes, or whose assignment in
    force names one of the dealers."""

    postcodes: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"postcodes": sorted(self.postcodes), "dealer_ids": sorted(self.dealer_ids)})

    def describe(self) -> str:
        parts = []
        if self.postcodes:
            parts.append("postcodes " + ", ".join(sorted(self.postcodes)))
        if self.dealer_ids:
            parts.append("customers of " + ", ".join(sorted(self.dealer_ids)))
        return " or ".join(parts) or "all customers"


@dataclass(frozen=True)
class Change:
    customer_id: str
    old_dealer_id: str | None
    new_dealer_id: str
    old_basis: str | None
    new_basis: str
    reason: str


@dataclass
class Progress:
    job_id: str
    dry_run: bool
    total: int
    processed: int = 0
    changed: int = 0
    elapsed_s: float = 0.0
    finished: bool = False
    resumed: bool = False
    changes: list[Change] = field(default_factory=list)
    pairs: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.processed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float:
        return (self.total - self.processed) / self.rate if self.rate > 0 else 0.0


class Reassigner:
    def __init__(self, app):
        self.app = app
        self.store = app.store

    def run(
        self, job_id: str, scope: Scope, dry_run: bool, caller: str = "cli",
        batch_size: int = DEFAULT_BATCH, at: dt.datetime | None = None, workers: int | None = None,
    ) -> Iterator[Progress]:
        """Yields the progress after every batch, with that batch's changes, and a last one
        with `finished` set. Large jobs decide in `workers` processes (default: one per core,
        up to two) while this one reads ids and writes; results are taken in batch order."""
        self._check(job_id, scope, batch_size)
        self.app.refresh_network()
        started = time.monotonic()
        if dry_run:
            decision_at, cursor, progress = at or clock.now(), "", Progress(job_id, True, 0)
        else:
            job = self._job(job_id, scope, at or clock.now(), caller)
            decision_at = clock.from_text(job["decision_at"])
            cursor = job["cursor"] or ""
            progress = Progress(job_id, False, 0, job["processed"], job["changed"],
                                resumed=bool(job["processed"]))
            if job["status"] == "finished":
                progress.total, progress.finished = job["processed"], True
                yield progress
                return
        progress.total = progress.processed + self._count(scope, cursor)
        batches = self._id_batches(scope, cursor, batch_size)
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if progress.total - progress.processed >= PARALLEL_FROM else 1
        for ids, changes in self._decided(batches, decision_at, not dry_run, workers):
            if not dry_run:
                self._apply(job_id, changes, len(ids), decision_at, ids[-1])
            progress.processed += len(ids)
            progress.changed += len(changes)
            progress.changes = [c for c, _ in changes]
            progress.pairs.update((c.old_dealer_id, c.new_dealer_id) for c, _ in changes)
            progress.elapsed_s = time.monotonic() - started
            yield progress
        if not dry_run:
            with self.store.transaction():
                self.store.db.execute(
                    "UPDATE reassign_jobs SET status = 'finished', finished_at = ?, updated_at = ?"
                    " WHERE id = ?", [clock.to_text(decision_at), clock.to_text(decision_at), job_id],
                )
        progress.changes = []
        progress.finished = True
        progress.elapsed_s = time.monotonic() - started
        yield progress

    def _check(self, job_id: str, scope: Scope, batch_size: int) -> None:
        violations: list = []
        check_id(job_id, "job_id", violations)
        for code in scope.postcodes:
            if code not in self.app.postcodes:
                violations.append(("scope.postcodes", f"{code!r} is not a Belgian postcode"))
        if not 1 <= batch_size <= 10000:
            violations.append(("batch_size", "must be 1 to 10000"))
        if violations:
            raise InvalidArgument(violations)
        for dealer_id in scope.dealer_ids:
            if dealer_id not in self.app.network:
                raise NotFound(f"dealer {dealer_id!r} does not exist")

    def _job(self, job_id: str, scope: Scope, at: dt.datetime, caller: str) -> dict:
        with self.store.transaction():
            rows = self.store.rows("SELECT * FROM reassign_jobs WHERE id = ?", [job_id])
            if rows:
                if rows[0]["scope"] != scope.to_json():
                    raise FailedPrecondition(
                        f"job {job_id} exists with another scope ({rows[0]['scope']}); use a new job id"
                    )
                return rows[0]
            now = clock.to_text(clock.now())
            row = {"id": job_id, "scope": scope.to_json(), "decision_at": clock.to_text(at),
                   "status": "running", "cursor": None, "processed": 0, "changed": 0,
                   "started_at": now, "updated_at": now, "finished_at": None, "caller": caller}
            self.store.db.execute(
                f"INSERT INTO reassign_jobs ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
                row,
            )
            return row

    def _where(self, scope: Scope) -> tuple[str, list]:
        clauses, params = [], []
        if scope.postcodes:
            clauses.append(f"c.postcode IN ({', '.join('?' * len(scope.postcodes))})")
            params += sorted(scope.postcodes)
        if scope.dealer_ids:
            clauses.append(
                "c.id IN (SELECT customer_id FROM assignments WHERE valid_to IS NULL AND dealer_id IN"
                f" ({', '.join('?' * len(scope.dealer_ids))}))"
            )
            params += sorted(scope.dealer_ids)
        return (" OR ".join(clauses) or "1"), params

    def _count(self, scope: Scope, cursor: str) -> int:
        where, params = self._where(scope)
        sql = f"SELECT count(*) FROM customers c WHERE c.id > ? AND ({where})"
        return self.store.db.execute(sql, [cursor, *params]).fetchone()[0]

    def _apply(self, job_id: str, changes, processed: int, at: dt.datetime, cursor: str) -> None:
        """A batch's new versions, their notices and the job's cursor: all or nothing."""
        trigger = f"job:{job_id}"
        with self.store.transaction():
            for _, fields in changes:
                self.store.save_assignment(fields, at, trigger, recorded_at=at)
            self.store.db.execute(
                "UPDATE reassign_jobs SET cursor = ?, processed = processed + ?, changed = changed + ?,"
                " updated_at = ? WHERE id = ?",
                [cursor, processed, len(changes), clock.to_text(at), job_id],
            )

    def _id_batches(self, scope: Scope, cursor: str, size: int) -> Iterator[list[str]]:
        where, params = self._where(scope)
        sql = f"SELECT c.id FROM customers c WHERE c.id > ? AND ({where}) ORDER BY c.id LIMIT ?"
        while True:
            ids = [row[0] for row in self.store.db.execute(sql, [cursor, *params, size])]
            if not ids:
                return
            cursor = ids[-1]
            yield ids

    def _decided(self, batches, at: dt.datetime, with_fields: bool, workers: int):
        """(ids, changes) per batch, in order; from a pool of processes when workers > 1, with
        at most two batches a worker in flight so memory stays flat."""
        if workers <= 1:
            for ids in batches:
                yield ids, decide_batch(self.app, ids, at, with_fields)
            return
        context = multiprocessing.get_context("spawn")
        initargs = (self.store.path, str(self.app.assignment_pack.path), str(self.app.privacy_pack.path))
        with context.Pool(workers, initializer=_init_worker, initargs=initargs) as pool:
            pending: collections.deque = collections.deque()
            for ids in batches:
                pending.append(pool.apply_async(_decide_in_worker, (ids, clock.to_text(at), with_fields)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()


def decide_batch(app, ids: list[str], at: dt.datetime, with_fields: bool) -> list[tuple[Change, dict | None]]:
    """The differences of a batch of customers with their assignments in force, each with the
    fields to store when the job is applied."""
    store = app.store
    marks = ", ".join("?" * len(ids))
    contacts: dict[str, list[Contact]] = {}
    for row in store.rows(f"SELECT * FROM contact_events WHERE customer_id IN ({marks})", ids):
        contacts.setdefault(row["customer_id"], []).append(contact_from_row(row))
    text = clock.to_text(at)
    preferences = {}
    for row in store.rows(
        f"SELECT * FROM preferences WHERE customer_id IN ({marks}) AND designated_at <= ?"
        " AND (revoked_at IS NULL OR revoked_at > ?) ORDER BY designated_at, id",
        [*ids, text, text],
    ):
        preferences[row["customer_id"]] = preference_from_row(row)
    current = {
        row["customer_id"]: row
        for row in store.rows(
            f"SELECT customer_id, dealer_id, basis FROM assignments"
            f" WHERE customer_id IN ({marks}) AND valid_to IS NULL", ids,
        )
    }
    network, postcodes, assigner = app.network, app.postcodes, app.assigner
    day = clock.day_of(at)
    changes = []
    for customer in store.rows(f"SELECT * FROM customers WHERE id IN ({marks}) ORDER BY id", ids):
        point = (customer["lat"], customer["lon"]) if customer["lat"] is not None else None
        subject = Subject(postcodes.get(customer["postcode"]), point, customer["id"])
        decision = assigner.decide(
            subject, network, at, contacts.get(customer["id"], ()), preferences.get(customer["id"])
        )
        old = current.get(customer["id"])
        if old and (old["dealer_id"], old["basis"]) == (decision.dealer.dealer_id, decision.basis):
            continue
        if old is None:
            reason = f"first assignment: {decision.explanation}"
        elif not network.inactive_reason(old["dealer_id"], day):
            reason = f"now {decision.explanation}"
        else:
            reason = f"{network.inactive_reason(old['dealer_id'], day)}; now {decision.explanation}"
        change = Change(
            customer["id"], old["dealer_id"] if old else None, decision.dealer.dealer_id,
            old["basis"] if old else None, decision.basis, reason,
        )
        changes.append((change, decision_fields(customer["id"], decision) if with_fields else None))
    return changes


# A worker process of a large job: its own CoController on the same database file.
_worker_app = None


def _init_worker(db_path: str, assignment_rules: str, privacy_rules: str) -> None:
    global _worker_app
    from .app import CoController  # app imports this module

    _worker_app = CoController(db_path, Path(assignment_rules), Path(privacy_rules))


def _decide_in_worker(ids: list[str], at_text: str, with_fields: bool):
    return ids, decide_batch(_worker_app, ids, clock.from_text(at_text), with_fields)
