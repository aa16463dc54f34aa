"""Batch re-assignment after the dealer network changed.

A job walks the customers in its scope in id order, decides each one's dealer again at the
job's fixed decision instant, and compares it with the assignment in force. A dry run only
reports the differences. An applied job writes each batch's new assignment versions, their
notices and its own cursor in one transaction, so a job killed at any point and started again
with the same id resumes after the last committed batch and ends exactly as an uninterrupted
run would: every write of a job carries the job's instant, not the wall clock. A finished
job run again changes nothing.
"""

import datetime as dt
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

from . import clock
from .assignment import Subject
from .errors import FailedPrecondition, InvalidArgument, NotFound
from .history import Contact
from .store import contact_from_row, preference_from_row

DEFAULT_BATCH = 1000


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
        batch_size: int = DEFAULT_BATCH, at: dt.datetime | None = None,
    ) -> Iterator[Progress]:
        """Yields the progress after every batch, with that batch's changes, and a last one
        with `finished` set."""
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
        while True:
            customers = self._batch(scope, cursor, batch_size)
            if not customers:
                break
            changes = self._decide(customers, decision_at)
            cursor = customers[-1]["id"]
            if not dry_run:
                self._apply(job_id, changes, customers, decision_at, cursor)
            progress.processed += len(customers)
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
        violations = []
        if not job_id or len(job_id) > 64 or not all(ch.isalnum() or ch in "._:-" for ch in job_id):
            violations.append(("job_id", "1 to 64 of A-Z a-z 0-9 . _ : -"))
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

    def _batch(self, scope: Scope, cursor: str, size: int) -> list[dict]:
        where, params = self._where(scope)
        sql = f"SELECT c.* FROM customers c WHERE c.id > ? AND ({where}) ORDER BY c.id LIMIT ?"
        return self.store.rows(sql, [cursor, *params, size])

    def _decide(self, customers: list[dict], at: dt.datetime) -> list[tuple[Change, object]]:
        """The batch's differences with the assignments in force, each with its decision."""
        ids = [c["id"] for c in customers]
        marks = ", ".join("?" * len(ids))
        db = self.store.db
        contacts: dict[str, list[Contact]] = {}
        for row in self.store.rows(f"SELECT * FROM contact_events WHERE customer_id IN ({marks})", ids):
            contacts.setdefault(row["customer_id"], []).append(contact_from_row(row))
        text = clock.to_text(at)
        preferences = {}
        for row in self.store.rows(
            f"SELECT * FROM preferences WHERE customer_id IN ({marks}) AND designated_at <= ?"
            " AND (revoked_at IS NULL OR revoked_at > ?) ORDER BY designated_at, id",
            [*ids, text, text],
        ):
            preferences[row["customer_id"]] = preference_from_row(row)
        current = {
            row["customer_id"]: row
            for row in self.store.rows(
                f"SELECT customer_id, dealer_id, basis FROM assignments"
                f" WHERE customer_id IN ({marks}) AND valid_to IS NULL", ids,
            )
        }
        network, postcodes, assigner = self.app.network, self.app.postcodes, self.app.assigner
        day = clock.day_of(at)
        changes = []
        for customer in customers:
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
            elif network.version_on(old["dealer_id"], day) is None or not network.eligible(
                network.version_on(old["dealer_id"], day)
            ):
                reason = f"{network.inactive_reason(old['dealer_id'], day)}; now {decision.explanation}"
            else:
                reason = f"now {decision.explanation}"
            changes.append((Change(
                customer["id"], old["dealer_id"] if old else None, decision.dealer.dealer_id,
                old["basis"] if old else None, decision.basis, reason,
            ), decision))
        return changes

    def _apply(self, job_id, changes, customers, at: dt.datetime, cursor: str) -> None:
        trigger = f"job:{job_id}"
        with self.store.transaction():
            for change, decision in changes:
                self.store.save_decision(change.customer_id, decision, at, trigger, recorded_at=at)
            self.store.db.execute(
                "UPDATE reassign_jobs SET cursor = ?, processed = processed + ?, changed = changed + ?,"
                " updated_at = ? WHERE id = ?",
                [cursor, len(customers), len(changes), clock.to_text(at), job_id],
            )
