"""Erasure and restriction in the store: the rows an erasure removes or keeps, the anonymised
contact counts, the restriction mark, the suppression list and the audit of erasures.

Which tables hold a customer's data is read from the schema (every table with a
`customer_id` column, and the customer row), so a table added later is erased too unless
this module is told to keep it."""

import datetime as dt
import json

from .. import clock
from ..errors import FailedPrecondition
from ..model import (
    Erasure, ErasureOutcome, ErasurePlan, ErasurePolicy, ErasureReason, Restriction, TableCount,
)
from .db import Database

_CONTACTS = "contact_events"
# A kept contract keeps its earlier versions: they are the same accounting record.
_CONTRACT_TABLES = ("contracts", "contract_history")
_RESTRICTIONS = "restrictions"


class ErasureRepository:
    def __init__(self, db: Database):
        self.db = db
        self._tables: tuple[str, ...] | None = None

    def customer_tables(self) -> tuple[str, ...]:
        """The tables with a customer_id column, read from the schema once."""
        if self._tables is None:
            self._tables = tuple(row[0] for row in self.db.execute(self.db.dialect.tables_with_column,
                                                                   ["customer_id"]))
        return self._tables

    def restriction(self, customer_id: str) -> Restriction | None:
        rows = self.db.rows("SELECT * FROM restrictions WHERE customer_id = ?", [customer_id])
        return restriction_from_row(rows[0]) if rows else None

    def check_unrestricted(self, customer_id: str, what: str) -> None:
        """Refuses `what` for a restricted customer: their records serve their legal
        purposes only (GDPR art. 18(2))."""
        restriction = self.restriction(customer_id)
        if restriction is not None:
            until = f"until {restriction.erase_on}" if restriction.erase_on else "under a legal hold"
            raise FailedPrecondition(f"customer {customer_id!r} is restricted ({restriction.reason}, {until}):"
                                     f" {what} is not allowed")

    def find(self, request_id: str) -> tuple[Erasure, str | None] | None:
        """A stored erasure and its subject hash."""
        rows = self.db.rows("SELECT * FROM erasures WHERE request_id = ?", [request_id])
        return (_erasure_from_row(rows[0]), rows[0]["subject"]) if rows else None

    def suppressed(self, subjects: list[str]) -> bool:
        marks = ", ".join("?" * len(subjects))
        return self.db.execute(f"SELECT 1 FROM suppressions WHERE subject IN ({marks}) LIMIT 1",
                               subjects).fetchone() is not None

    def lift_suppression(self, subjects: list[str]) -> int:
        marks = ", ".join("?" * len(subjects))
        return self.db.execute(f"DELETE FROM suppressions WHERE subject IN ({marks})", subjects).rowcount

    def erase(self, customer_id: str, plan: ErasurePlan, policy: ErasurePolicy, request_id: str,
              reason: ErasureReason, at: dt.datetime, caller: str, subjects: list[str]) -> Erasure:
        """Carries out `plan` inside the caller's transaction and records it: everything of
        the customer goes (contacts counted into statistics first) but, when restricted,
        the legal records and the customer row without its point; under a legal hold
        nothing goes. Foreign keys are checked at commit, so the order of deletes is free."""
        self.db.execute(self.db.dialect.defer_keys)
        when = clock.to_text(at)
        erased: dict[str, int] = {}
        if plan.outcome != ErasureOutcome.HELD:
            keep = plan.outcome == ErasureOutcome.RESTRICTED
            kinds = sorted(k for k in policy.legal_records if k != "contracts") if keep else []
            others = f"kind NOT IN ({', '.join('?' * len(kinds))})" if kinds else "TRUE"
            # A retracted contact goes too (it was never a record of anything), and counts
            # in no statistic.
            contacts_where = f"customer_id = ? AND ({others} OR retracted_at IS NOT NULL)"
            counted_where = f"customer_id = ? AND {others} AND retracted_at IS NULL"
            if "contacts" in policy.anonymise:
                self.db.execute(
                    "INSERT INTO contact_statistics (month, dealer_id, kind, contacts)"
                    f" SELECT substr(occurred_at, 1, 7), coalesce(dealer_id, ''), kind, count(*) FROM {_CONTACTS}"
                    f" WHERE {counted_where} GROUP BY 1, 2, 3"
                    " ON CONFLICT (month, dealer_id, kind) DO UPDATE SET contacts = contact_statistics.contacts + excluded.contacts",
                    [customer_id, *kinds],
                )
            for table in self.customer_tables():
                if table == _RESTRICTIONS or (keep and "contracts" in policy.legal_records
                                              and table in _CONTRACT_TABLES):
                    continue
                where = contacts_where if table == _CONTACTS else "customer_id = ?"
                params = [customer_id, *kinds] if table == _CONTACTS else [customer_id]
                erased[table] = self.db.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
            if keep:
                self.db.execute("UPDATE customers SET lat = NULL, lon = NULL, point_outside_postcode = 0"
                                " WHERE id = ?", [customer_id])
            else:
                erased[_RESTRICTIONS] = self.db.execute(
                    "DELETE FROM restrictions WHERE customer_id = ?", [customer_id]).rowcount
                erased["customers"] = self.db.execute("DELETE FROM customers WHERE id = ?", [customer_id]).rowcount
                # A job's cursor or batch bound naming the customer moves to the one before:
                # the same place.
                for table, column in (("reassign_jobs", "cursor"), ("job_batches", "after_id"),
                                      ("job_batches", "last_id")):
                    self.db.execute(
                        f"UPDATE {table} SET {column} = coalesce((SELECT max(id) FROM customers WHERE id < ?), '')"
                        f" WHERE {column} = ?", [customer_id, customer_id])
        if plan.outcome != ErasureOutcome.ERASED:
            self.db.execute(
                "INSERT INTO restrictions (customer_id, since, reason, request_id, erase_on, legal_hold)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET erase_on = excluded.erase_on,"
                " legal_hold = excluded.legal_hold",
                [customer_id, when, str(reason), request_id,
                 plan.erase_on.isoformat() if plan.erase_on else None, int(plan.outcome == ErasureOutcome.HELD)],
            )
        kept = self._kept(customer_id) if plan.outcome != ErasureOutcome.ERASED else ()
        if plan.suppress:
            self.db.execute(
                "INSERT INTO suppressions (subject, since, request_id) SELECT value, ?, ?"
                f" FROM {self.db.dialect.json_values} WHERE true"
                " ON CONFLICT (subject) DO NOTHING", [when, request_id, json.dumps(subjects)])
        erasure = Erasure(request_id, reason, at, plan.outcome,
                          tuple(TableCount(t, n) for t, n in sorted(erased.items()) if n), kept, plan.erase_on, caller)
        self.db.execute(
            "INSERT INTO erasures (request_id, subject, reason, requested_at, outcome, erased, kept, erase_on, caller)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [request_id, subjects[0] if subjects and reason == ErasureReason.REQUEST else None, str(reason), when,
             str(plan.outcome), _counts_json(erasure.erased), _counts_json(kept),
             plan.erase_on.isoformat() if plan.erase_on else None, caller],
        )
        return erasure

    def _kept(self, customer_id: str) -> tuple[TableCount, ...]:
        counts = [TableCount("customers", 1)] + [
            TableCount(table, self.db.execute(f"SELECT count(*) FROM {table} WHERE customer_id = ?",
                                              [customer_id]).fetchone()[0])
            for table in self.customer_tables() if table != _RESTRICTIONS]
        return tuple(sorted((c for c in counts if c.rows), key=lambda c: c.table))

    def outcomes_of(self, prefix: str) -> tuple[tuple[ErasureOutcome, int], ...]:
        """How many erasures of each outcome have request ids starting with `prefix` (a
        sweep's)."""
        like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return tuple((ErasureOutcome(outcome), n) for outcome, n in self.db.execute(
            "SELECT outcome, count(*) FROM erasures WHERE request_id LIKE ? ESCAPE '\\' GROUP BY outcome"
            " ORDER BY outcome", [like]))

    def empty_log(self) -> bool:
        return self.db.empty_log()


def restriction_from_row(row: dict) -> Restriction:
    return Restriction(
        row["customer_id"], clock.from_text(row["since"]), ErasureReason(row["reason"]), row["request_id"],
        dt.date.fromisoformat(row["erase_on"]) if row["erase_on"] else None, bool(row["legal_hold"]),
    )


def _counts_json(counts: tuple[TableCount, ...]) -> str:
    return json.dumps({c.table: c.rows for c in counts}, sort_keys=True)


def _erasure_from_row(row: dict) -> Erasure:
    def counts(text: str) -> tuple[TableCount, ...]:
        return tuple(TableCount(t, n) for t, n in json.loads(text).items())

    return Erasure(
        row["request_id"], ErasureReason(row["reason"]), clock.from_text(row["requested_at"]),
        ErasureOutcome(row["outcome"]), counts(row["erased"]), counts(row["kept"]),
        dt.date.fromisoformat(row["erase_on"]) if row["erase_on"] else None, row["caller"],
    )
