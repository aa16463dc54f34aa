"""Network changes recorded ahead of their day, with the jobs they owe: the announcement a
lead time before, the re-assignment on the day. The scheduler reads what is due and moves
each one on; a cancellation takes back the change's unsent notices with it."""

import datetime as dt

from .. import clock
from ..model import NetworkChangeKind, Page, PageRequest, ScheduledChange, ScheduleStatus
from .assignments import job_trigger
from .db import Database
from .jobs import job_scope, scope_json

# The statuses still owing a job.
_OPEN = (str(ScheduleStatus.SCHEDULED), str(ScheduleStatus.ANNOUNCED))


class ScheduleRepository:
    def __init__(self, db: Database):
        self.db = db

    def add(self, change: ScheduledChange) -> None:
        """Called inside the network change's own transaction: the change and its job are
        recorded together or not at all."""
        self.db.execute(
            "INSERT INTO scheduled_changes (change_id, kind, dealer_id, effective_date, notice_on, scope, status,"
            " job_id, announce_job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [change.change_id, str(change.kind), change.dealer_id, change.effective.isoformat(),
             change.notice_on.isoformat(), scope_json(change.scope), str(change.status), change.job_id,
             change.announce_job_id, clock.to_text(change.created_at)],
        )

    def get(self, change_id: int) -> ScheduledChange | None:
        rows = self.db.rows("SELECT * FROM scheduled_changes WHERE change_id = ?", [change_id])
        return _from_row(rows[0]) if rows else None

    def due(self, day: dt.date) -> list[ScheduledChange]:
        """The open changes with something to do on `day`: an announcement from its notice
        day, the re-assignment from its effective day; by effective day, then change id."""
        text = day.isoformat()
        return [_from_row(row) for row in self.db.rows(
            "SELECT * FROM scheduled_changes WHERE status IN (?, ?)"
            " AND ((status = ? AND notice_on <= ?) OR effective_date <= ?)"
            " ORDER BY effective_date, change_id",
            [*_OPEN, str(ScheduleStatus.SCHEDULED), text, text])]

    def next_day(self) -> dt.date | None:
        """The first day an open change has something to do: when the scheduler next wakes."""
        row = self.db.execute(
            "SELECT min(CASE WHEN status = ? THEN notice_on ELSE effective_date END)"
            " FROM scheduled_changes WHERE status IN (?, ?)",
            [str(ScheduleStatus.SCHEDULED), *_OPEN]).fetchone()
        return dt.date.fromisoformat(row[0]) if row[0] else None

    def listed(self, status: ScheduleStatus | None, page: PageRequest | None) -> Page[ScheduledChange]:
        """By effective day, then change id (the cursor)."""
        where, params = ("WHERE status = ?", [str(status)]) if status else ("WHERE TRUE", [])
        return self.db.keyset_page(f"SELECT * FROM scheduled_changes {where}", params,
                                   ("effective_date", "change_id"), page, _from_row)

    def is_open(self, change_id: int) -> bool:
        """Read inside a job's batch transaction: a change cancelled meanwhile writes no more."""
        row = self.db.execute("SELECT status FROM scheduled_changes WHERE change_id = ?", [change_id]).fetchone()
        return row is not None and row[0] in _OPEN

    def mark(self, change_id: int, status: ScheduleStatus, at: dt.datetime) -> None:
        """Moves an open change on (announced, applied or cancelled) at `at`; the first of
        the replicas sharing its job to do so keeps its instant."""
        column = {ScheduleStatus.ANNOUNCED: "announced_at", ScheduleStatus.APPLIED: "applied_at",
                  ScheduleStatus.CANCELLED: "cancelled_at"}[status]
        self.db.execute(
            f"UPDATE scheduled_changes SET status = ?, {column} = ? WHERE change_id = ? AND status IN (?, ?)"
            " AND status <> ?", [str(status), clock.to_text(at), change_id, *_OPEN, str(status)])

    def cancel(self, change_id: int, at: dt.datetime) -> int:
        """Called inside the cancellation's transaction: the change's job will not run, and
        its announcements not yet sent are withdrawn; returns how many were. One already
        sent stays as it was: it is part of what the customer was told."""
        change = self.get(change_id)
        if change is None:
            return 0
        self.mark(change_id, ScheduleStatus.CANCELLED, at)
        return self.db.execute(
            "UPDATE notices SET cancelled_at = ? WHERE trigger = ? AND exported_at IS NULL AND cancelled_at IS NULL",
            [clock.to_text(at), job_trigger(change.announce_job_id)]).rowcount


def _from_row(row: dict) -> ScheduledChange:
    def instant(name: str) -> dt.datetime | None:
        return clock.from_text(row[name]) if row[name] else None

    return ScheduledChange(
        change_id=row["change_id"], kind=NetworkChangeKind(row["kind"]), dealer_id=row["dealer_id"],
        effective=dt.date.fromisoformat(row["effective_date"]), notice_on=dt.date.fromisoformat(row["notice_on"]),
        scope=job_scope(row["scope"]), status=ScheduleStatus(row["status"]), job_id=row["job_id"],
        announce_job_id=row["announce_job_id"], created_at=clock.from_text(row["created_at"]),
        announced_at=instant("announced_at"), applied_at=instant("applied_at"), cancelled_at=instant("cancelled_at"),
    )
