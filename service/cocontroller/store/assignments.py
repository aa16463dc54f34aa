"""Assignment versions (who was a customer's distributor from when to when, and why) and the
notices owed to customers whose controller changes: when it moved, or ahead of a scheduled
change."""

import dataclasses
import datetime as dt
import json
from typing import NamedTuple

from .. import clock
from ..errors import InvalidArgument
from ..model import (
    AssignmentRecord, AssignmentRef, Basis, Decision, Language, Notice, NoticeKind, Page, PageRequest, PairCount,
    RunnerUp, Skipped,
)
from .db import Database


class PreparedVersion(NamedTuple):
    """A decision as the columns of its assignment row, ready to insert: made where the
    decision is (a job's worker process), so the one writer only writes."""

    customer_id: str
    dealer_id: str
    basis: str
    rule_id: str
    explanation: str
    distance_km: float
    point_lat: float
    point_lon: float
    point_source: str
    runners_up: str
    skipped: str
    rules_version: str
    decision_date: str


def prepare(customer_id: str, decision: Decision) -> PreparedVersion:
    """What an assignment row keeps of a decision (the rest says when and why it was stored)."""
    return PreparedVersion(
        customer_id, decision.dealer.dealer_id, decision.basis.value, decision.rule_id, decision.explanation,
        decision.distance_km, decision.point[0], decision.point[1], decision.point_source,
        json.dumps([
            {"dealer_id": c.dealer.dealer_id, "basis": c.basis.value, "distance_km": round(c.distance_km, 3),
             "score": c.score}
            for c in decision.runners_up
        ]),
        json.dumps([{"dealer_id": s.dealer_id, "basis": s.basis.value, "reason": s.reason} for s in decision.skipped])
        if decision.skipped else "[]",
        decision.rules_version, decision.decision_date.isoformat(),
    )


# A version's row, and the notice owed when the customer's dealer changed.
_INSERT = (
    f"INSERT INTO assignments ({', '.join(PreparedVersion._fields)}, valid_from, valid_to, trigger,"
    f" decided_at, previous_dealer_id, previous_basis)"
    f" VALUES ({', '.join('?' * len(PreparedVersion._fields))}, ?, NULL, ?, ?, ?, ?)"
)
_NOTICE = (
    "INSERT INTO notices (customer_id, assignment_id, old_dealer_id, new_dealer_id, trigger, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


class AssignmentRepository:
    def __init__(self, db: Database):
        self.db = db

    def current(self, customer_id: str) -> AssignmentRecord | None:
        rows = self.db.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_to IS NULL", [customer_id]
        )
        return record_from_row(rows[0]) if rows else None

    def at(self, customer_id: str, at: dt.datetime, known_at: dt.datetime | None = None) -> AssignmentRecord | None:
        """The version in force at `at`; with `known_at`, as the service knew the history
        then: versions decided later are unknown, so the one before them still runs on."""
        text = clock.to_text(at)
        if known_at is not None:
            rows = self.db.rows(
                "SELECT * FROM assignments WHERE customer_id = ? AND decided_at <= ? ORDER BY valid_from, id",
                [customer_id, clock.to_text(known_at)],
            )
            before = [i for i, row in enumerate(rows) if row["valid_from"] <= text]
            if not before:
                return None
            i = before[-1]
            following = rows[i + 1]["valid_from"] if i + 1 < len(rows) else None
            return dataclasses.replace(
                record_from_row(rows[i]), valid_to=clock.from_text(following) if following else None
            )
        rows = self.db.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_from <= ? "
            "AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1",
            [customer_id, text, text],
        )
        return record_from_row(rows[0]) if rows else None

    def get(self, assignment_id: int) -> AssignmentRecord:
        return record_from_row(self.db.rows("SELECT * FROM assignments WHERE id = ?", [assignment_id])[0])

    def of_customer(
        self, customer_id: str, newest_first: bool = True, page: PageRequest | None = None
    ) -> Page[AssignmentRecord]:
        """A customer's versions by validity (cursor: valid_from and id); all without a page."""
        return self.db.keyset_page("SELECT * FROM assignments WHERE customer_id = ?", [customer_id],
                                   ("valid_from", "id"), page, record_from_row, descending=newest_first)

    def of_job(self, job_id: str, page: PageRequest | None = None) -> Page[AssignmentRecord]:
        """The versions a job stored, by customer (cursor: customer id and id)."""
        return self.db.keyset_page("SELECT * FROM assignments WHERE trigger = ?", [job_trigger(job_id)],
                                   ("customer_id", "id"), page, record_from_row)

    def pair_counts(self, job_id: str) -> tuple[PairCount, ...]:
        """How many customers an applied job moved from each dealer to each other, read from
        the versions it stored: right however many times the job was resumed."""
        return tuple(PairCount(old, new, n) for old, new, n in self.db.execute(
            "SELECT previous_dealer_id, dealer_id, count(*) FROM assignments WHERE trigger = ?"
            " GROUP BY 1, 2 ORDER BY coalesce(previous_dealer_id, ''), dealer_id", [job_trigger(job_id)]))

    def announced_counts(self, job_id: str) -> tuple[PairCount, ...]:
        """The same for an announcement job, read from the notices it wrote."""
        return tuple(PairCount(old, new, n) for old, new, n in self.db.execute(
            "SELECT old_dealer_id, new_dealer_id, count(*) FROM notices WHERE trigger = ?"
            " GROUP BY 1, 2 ORDER BY 1, 2", [job_trigger(job_id)]))

    def save(
        self, customer_id: str, decision: Decision, at: dt.datetime, trigger: str, in_force: AssignmentRef | None,
    ) -> tuple[int, dt.datetime]:
        """Stores `decision` as the customer's assignment from `at`; returns the new
        version's id and start (never before the version it closes). The caller's
        transaction read `in_force`, the version in force (None: there is none), and found
        that the decision names another dealer or basis. Without one, nothing is read."""
        version = prepare(customer_id, decision)
        with self.db.transaction():
            version_id, valid_from, _, _ = self._write(
                version, at, trigger, None, None, self._in_force(customer_id) if in_force else None)
        return version_id, clock.from_text(valid_from)

    def save_prepared(
        self, version: PreparedVersion, at: dt.datetime, trigger: str, recorded_at: dt.datetime | None = None,
        announced: str | None = None,
    ) -> tuple[int, str, str, tuple[str, str] | None] | None:
        """Stores a decision as the customer's assignment from `at`, closing the current one,
        unless the current one already names the same dealer on the same basis (None). A
        change of dealer also lists the customer for a notice: their controller changed; when
        the customer was told ahead (an announcement under the trigger `announced` naming the
        same two dealers), that one is linked to the version instead. Returns the new
        version's id, its start and record instants, and the previous (dealer id, basis)."""
        with self.db.transaction():
            current = self._in_force(version.customer_id)
            if current and (current[1], current[2]) == (version.dealer_id, version.basis):
                return None
            return self._write(version, at, trigger, recorded_at, announced, current)

    def _in_force(self, customer_id: str) -> tuple[int, str, str, str] | None:
        """Only what a save compares and closes of the version in force: a job saves a
        million of these."""
        return self.db.execute(
            "SELECT id, dealer_id, basis, valid_from FROM assignments WHERE customer_id = ? AND valid_to IS NULL",
            [customer_id],
        ).fetchone()

    def _write(
        self, version: PreparedVersion, at: dt.datetime, trigger: str, recorded_at: dt.datetime | None,
        announced: str | None, current: tuple[int, str, str, str] | None,
    ) -> tuple[int, str, str, tuple[str, str] | None]:
        """Closes `current` (the version in force, read in this transaction) and inserts
        `version` after it (see save_prepared)."""
        at_text = clock.to_text(at)
        if current:
            # Never before the version it closes: a job's fixed instant may precede it.
            at_text = max(at_text, current[3])
            self.db.execute("UPDATE assignments SET valid_to = ? WHERE id = ?", [at_text, current[0]])
        recorded = clock.to_text(recorded_at or clock.now())
        cursor = self.db.execute(
            _INSERT, [*version, at_text, trigger, recorded,
                      current[1] if current else None, current[2] if current else None],
        )
        if current and current[1] != version.dealer_id:
            self._notice(version.customer_id, cursor.lastrowid, current[1], version.dealer_id, trigger,
                         recorded, announced)
        return cursor.lastrowid, at_text, recorded, (current[1], current[2]) if current else None

    def save_prepared_many(
        self, versions: list[PreparedVersion], at: dt.datetime, trigger: str, recorded_at: dt.datetime,
        announced: str | None = None,
    ) -> int:
        """`save_prepared` for a batch of versions, each of another customer (a job's batch),
        in one transaction: the versions in force read in one statement, the instants made
        text once, the statements made once. Returns how many versions were written."""
        if not versions:
            return 0
        if len({v.customer_id for v in versions}) != len(versions):
            # The one read below stands for one version a customer.
            with self.db.transaction():
                return sum(self.save_prepared(v, at, trigger, recorded_at, announced) is not None for v in versions)
        at_text, recorded = clock.to_text(at), clock.to_text(recorded_at)
        written = 0
        with self.db.transaction():
            execute = self.db.conn.execute
            current = {
                row[1]: row for row in execute(
                    "SELECT id, customer_id, dealer_id, basis, valid_from FROM assignments"
                    f" WHERE customer_id IN ({', '.join('?' * len(versions))}) AND valid_to IS NULL",
                    [v.customer_id for v in versions],
                )
            }
            for version in versions:
                found = current.get(version.customer_id)
                if found is None:
                    execute(_INSERT, [*version, at_text, trigger, recorded, None, None])
                    written += 1
                    continue
                _, _, dealer_id, basis, valid_from = found
                if (dealer_id, basis) == (version.dealer_id, version.basis):
                    continue
                # Never before the version it closes: a job's fixed instant may precede it.
                start = max(at_text, valid_from)
                execute("UPDATE assignments SET valid_to = ? WHERE id = ?", [start, found[0]])
                cursor = execute(_INSERT, [*version, start, trigger, recorded, dealer_id, basis])
                if dealer_id != version.dealer_id:
                    self._notice(version.customer_id, cursor.lastrowid, dealer_id, version.dealer_id, trigger,
                                 recorded, announced)
                written += 1
        return written

    def _notice(self, customer_id: str, assignment_id: int, old: str, new: str, trigger: str, recorded: str,
                announced: str | None) -> None:
        """The notice of a moved assignment: the announcement that told the customer so, now
        linked to the version, or a new one."""
        if announced is not None and self.db.execute(
            "UPDATE notices SET assignment_id = ? WHERE trigger = ? AND customer_id = ? AND old_dealer_id = ?"
            " AND new_dealer_id = ? AND assignment_id IS NULL AND cancelled_at IS NULL",
            [assignment_id, announced, customer_id, old, new],
        ).rowcount:
            return
        self.db.execute(_NOTICE, [customer_id, assignment_id, old, new, trigger, recorded])

    def announce(self, changes: list[tuple[str, str, str, str]], effective_at: dt.datetime, trigger: str,
                 recorded_at: dt.datetime) -> None:
        """Notices ahead of a scheduled change, one per (customer id, old dealer, new dealer,
        explanation): the customer is told before their controller changes."""
        effective, recorded = clock.to_text(effective_at), clock.to_text(recorded_at)
        self.db.conn.executemany(
            "INSERT INTO notices (customer_id, assignment_id, old_dealer_id, new_dealer_id, trigger, created_at,"
            " kind, effective_at, explanation) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            [(customer, old, new, trigger, recorded, str(NoticeKind.ANNOUNCEMENT), effective, explanation)
             for customer, old, new, explanation in changes],
        )

    def withdraw_unborne(self, announced: str, at: dt.datetime) -> int:
        """Once the change is applied: its unsent announcements that no version bore out (the
        customer's facts changed meanwhile) are cancelled; returns how many."""
        return self.db.execute(
            "UPDATE notices SET cancelled_at = ? WHERE trigger = ? AND assignment_id IS NULL"
            " AND exported_at IS NULL AND cancelled_at IS NULL", [clock.to_text(at), announced]).rowcount

    # notices

    def notices(
        self, pending_only: bool = False, job_id: str | None = None, page: PageRequest | None = None,
        customer_id: str | None = None,
    ) -> Page[Notice]:
        """Notices oldest first (cursor: the id), of one customer when given, each with the
        customer's language and the announced start and explanation. Pending: neither sent nor
        cancelled."""
        clauses, params = [], []
        if customer_id is not None:
            clauses.append("n.customer_id = ?")
            params.append(customer_id)
        if pending_only:
            clauses.append("n.exported_at IS NULL AND n.cancelled_at IS NULL")
        if job_id:
            clauses.append("n.trigger = ?")
            params.append(job_trigger(job_id))
        where = " AND ".join(clauses) or "TRUE"
        limit = ""
        if page is not None:
            if page.after:
                where += " AND n.id > ?"
                params.append(_cursor_id(page.after))
            limit = f" LIMIT {page.size + 1}"
        notices = [
            Notice(row["id"], row["customer_id"], row["assignment_id"], row["old_dealer_id"],
                   row["new_dealer_id"], row["trigger"], clock.from_text(row["created_at"]),
                   clock.from_text(row["exported_at"]) if row["exported_at"] else None,
                   Language(row["language"]), clock.from_text(row["starts"]), row["why"],
                   kind=NoticeKind(row["kind"]),
                   cancelled_at=clock.from_text(row["cancelled_at"]) if row["cancelled_at"] else None)
            for row in self.db.rows(
                # What an announcement told stands as told; a notice of a move names its version's.
                "SELECT n.*, c.language, coalesce(n.effective_at, a.valid_from) AS starts,"
                " coalesce(n.explanation, a.explanation) AS why FROM notices n"
                " JOIN customers c ON c.id = n.customer_id LEFT JOIN assignments a ON a.id = n.assignment_id"
                f" WHERE {where} ORDER BY n.id{limit}", params)
        ]
        if page is not None and len(notices) > page.size:
            return Page(tuple(notices[:page.size]), str(notices[page.size - 1].id))
        return Page(tuple(notices))

    def mark_notices_exported(self, ids: list[int], at: dt.datetime) -> int:
        with self.db.transaction():
            marked = 0
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marked += self.db.execute(
                    f"UPDATE notices SET exported_at = ? WHERE exported_at IS NULL AND cancelled_at IS NULL AND id IN"
                    f" ({', '.join('?' * len(chunk))})", [clock.to_text(at), *chunk],
                ).rowcount
        return marked


def _cursor_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidArgument.of("page_token", "is not a token this list gave") from None


def job_trigger(job_id: str) -> str:
    """What the versions and notices of a job carry as their trigger."""
    return f"job:{job_id}"


def record_from_row(row: dict) -> AssignmentRecord:
    return AssignmentRecord(
        id=row["id"],
        customer_id=row["customer_id"],
        dealer_id=row["dealer_id"],
        basis=Basis(row["basis"]),
        rule_id=row["rule_id"],
        explanation=row["explanation"],
        distance_km=row["distance_km"],
        point=(row["point_lat"], row["point_lon"]),
        point_source=row["point_source"],
        runners_up=tuple(
            RunnerUp(r["dealer_id"], Basis(r["basis"]), r["distance_km"], r["score"])
            for r in json.loads(row["runners_up"] or "[]")
        ),
        skipped=tuple(
            Skipped(s["dealer_id"], Basis(s["basis"]), s["reason"]) for s in json.loads(row["skipped"] or "[]")
        ),
        rules_version=row["rules_version"],
        decision_date=dt.date.fromisoformat(row["decision_date"]),
        valid_from=clock.from_text(row["valid_from"]),
        valid_to=clock.from_text(row["valid_to"]) if row["valid_to"] else None,
        trigger=row["trigger"],
        decided_at=clock.from_text(row["decided_at"]),
        previous_dealer_id=row["previous_dealer_id"],
        previous_basis=Basis(row["previous_basis"]) if row["previous_basis"] else None,
    )
