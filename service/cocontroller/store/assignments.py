"""Assignment versions (who was a customer's distributor from when to when, and why) and the
notices owed to customers whose controller changed."""

import datetime as dt
import json

from .. import clock
from ..model import AssignmentRecord, Basis, Decision, Notice, RunnerUp, Skipped
from .db import Database


class AssignmentRepository:
    def __init__(self, db: Database):
        self.db = db

    def current(self, customer_id: str) -> AssignmentRecord | None:
        rows = self.db.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_to IS NULL", [customer_id]
        )
        return record_from_row(rows[0]) if rows else None

    def at(self, customer_id: str, at: dt.datetime) -> AssignmentRecord | None:
        """The version in force at `at`."""
        text = clock.to_text(at)
        rows = self.db.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_from <= ? "
            "AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1",
            [customer_id, text, text],
        )
        return record_from_row(rows[0]) if rows else None

    def get(self, assignment_id: int) -> AssignmentRecord:
        return record_from_row(self.db.rows("SELECT * FROM assignments WHERE id = ?", [assignment_id])[0])

    def of_customer(self, customer_id: str, newest_first: bool = True) -> list[AssignmentRecord]:
        order = "valid_from DESC, id DESC" if newest_first else "valid_from, id"
        return [
            record_from_row(row)
            for row in self.db.rows(
                f"SELECT * FROM assignments WHERE customer_id = ? ORDER BY {order}", [customer_id]
            )
        ]

    def of_job(self, job_id: str) -> list[AssignmentRecord]:
        """The versions a job stored, by customer."""
        return [
            record_from_row(row)
            for row in self.db.rows(
                "SELECT * FROM assignments WHERE trigger = ? ORDER BY customer_id, id", [job_trigger(job_id)]
            )
        ]

    def save(
        self, customer_id: str, decision: Decision, at: dt.datetime, trigger: str,
        recorded_at: dt.datetime | None = None,
    ) -> tuple[AssignmentRecord, bool]:
        """Stores `decision` as the customer's assignment from `at`, closing the current one,
        unless the current one already names the same dealer on the same basis. A change of
        dealer also lists the customer for a notice: their controller changed. Returns the
        assignment in force and whether a new version was written."""
        with self.db.transaction():
            current = self.current(customer_id)
            if current and (current.dealer_id, current.basis) == (decision.dealer.dealer_id, decision.basis):
                return current, False
            at_text = clock.to_text(at)
            if current:
                # Never before the version it closes: a job's fixed instant may precede it.
                at_text = max(at_text, clock.to_text(current.valid_from))
                self.db.execute("UPDATE assignments SET valid_to = ? WHERE id = ?", [at_text, current.id])
            recorded = clock.to_text(recorded_at or clock.now())
            row = {
                **decision_columns(customer_id, decision),
                "valid_from": at_text, "valid_to": None, "trigger": trigger, "decided_at": recorded,
                "previous_dealer_id": current.dealer_id if current else None,
                "previous_basis": str(current.basis) if current else None,
            }
            cursor = self.db.execute(
                f"INSERT INTO assignments ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
                row,
            )
            row["id"] = cursor.lastrowid
            if current and current.dealer_id != decision.dealer.dealer_id:
                self.db.execute(
                    "INSERT INTO notices (customer_id, assignment_id, old_dealer_id, new_dealer_id,"
                    " trigger, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [customer_id, row["id"], current.dealer_id, decision.dealer.dealer_id, trigger, recorded],
                )
        return record_from_row(row), True

    # notices

    def notices(self, pending_only: bool = False, job_id: str | None = None) -> list[Notice]:
        clauses, params = [], []
        if pending_only:
            clauses.append("exported_at IS NULL")
        if job_id:
            clauses.append("trigger = ?")
            params.append(job_trigger(job_id))
        where = " AND ".join(clauses) or "1"
        return [
            Notice(row["id"], row["customer_id"], row["assignment_id"], row["old_dealer_id"],
                   row["new_dealer_id"], row["trigger"], clock.from_text(row["created_at"]),
                   clock.from_text(row["exported_at"]) if row["exported_at"] else None)
            for row in self.db.rows(f"SELECT * FROM notices WHERE {where} ORDER BY id", params)
        ]

    def mark_notices_exported(self, ids: list[int], at: dt.datetime) -> int:
        with self.db.transaction():
            marked = 0
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marked += self.db.execute(
                    f"UPDATE notices SET exported_at = ? WHERE exported_at IS NULL AND id IN"
                    f" ({', '.join('?' * len(chunk))})", [clock.to_text(at), *chunk],
                ).rowcount
        return marked


def job_trigger(job_id: str) -> str:
    """What the versions and notices of a job carry as their trigger."""
    return f"job:{job_id}"


def decision_columns(customer_id: str, decision: Decision) -> dict:
    """What an assignment row keeps of a decision (the rest says when and why it was stored)."""
    return {
        "customer_id": customer_id,
        "dealer_id": decision.dealer.dealer_id,
        "basis": str(decision.basis),
        "rule_id": decision.rule_id,
        "explanation": decision.explanation,
        "distance_km": decision.distance_km,
        "point_lat": decision.point[0],
        "point_lon": decision.point[1],
        "point_source": decision.point_source,
        "runners_up": json.dumps([
            {"dealer_id": c.dealer.dealer_id, "basis": str(c.basis),
             "distance_km": round(c.distance_km, 3), "score": c.score}
            for c in decision.runners_up
        ]),
        "skipped": json.dumps([
            {"dealer_id": s.dealer_id, "basis": str(s.basis), "reason": s.reason}
            for s in decision.skipped
        ]),
        "rules_version": decision.rules_version,
        "decision_date": decision.decision_date.isoformat(),
    }


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
