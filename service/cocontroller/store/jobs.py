"""Re-assignment jobs: their rows (scope, fixed decision instant, cursor, counts) and the
walk over the customers in a scope, in id order, batch by batch."""

import contextlib
import datetime as dt
import json
from collections.abc import Iterator

from .. import clock
from ..errors import Aborted, FailedPrecondition
from ..model import Job, JobKind, JobStatus, Scope
from .db import Database


class JobRepository:
    def __init__(self, db: Database):
        self.db = db

    def start(self, job_id: str, scope: Scope, at: dt.datetime, caller: str,
              kind: JobKind = JobKind.REASSIGN) -> Job:
        """The job of that id: the stored one when it exists (a run resumed or repeated),
        else a new one deciding at `at`. The same id with another scope or kind is refused."""
        with self.db.transaction():
            rows = self.db.rows("SELECT * FROM reassign_jobs WHERE id = ?", [job_id])
            if rows:
                if rows[0]["kind"] != kind:
                    raise FailedPrecondition(f"job {job_id} is a {rows[0]['kind']} job; use a new job id")
                if rows[0]["scope"] != scope_json(scope):
                    raise FailedPrecondition(
                        f"job {job_id} exists with another scope ({rows[0]['scope']}); use a new job id"
                    )
                return job_from_row(rows[0])
            now = clock.to_text(clock.now())
            row = {"id": job_id, "scope": scope_json(scope), "decision_at": clock.to_text(at),
                   "status": str(JobStatus.RUNNING), "cursor": None, "processed": 0, "changed": 0,
                   "started_at": now, "updated_at": now, "finished_at": None, "caller": caller,
                   "kind": str(kind)}
            self.db.execute(
                f"INSERT INTO reassign_jobs ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
                row,
            )
            return job_from_row(row)

    @contextlib.contextmanager
    def leased(self, job_id: str) -> Iterator[None]:
        """Runs a job in one place at a time: another thread or replica running it is ABORTED
        (a replica that dies lets go with its connection)."""
        name = f"job:{job_id}"
        if not self.db.lease(name):
            raise Aborted(f"job {job_id} is running in another process or thread; it resumes from its last"
                          " committed batch when that one stops")
        try:
            yield
        finally:
            self.db.release(name)

    def advance(self, job_id: str, cursor: str, processed: int, changed: int, at: dt.datetime) -> None:
        """Moves the job past a batch; called inside the batch's transaction."""
        self.db.execute(
            "UPDATE reassign_jobs SET cursor = ?, processed = processed + ?, changed = changed + ?,"
            " updated_at = ? WHERE id = ?",
            [cursor, processed, changed, clock.to_text(at), job_id],
        )

    def finish(self, job_id: str, at: dt.datetime) -> None:
        with self.db.transaction():
            self.db.execute(
                "UPDATE reassign_jobs SET status = ?, finished_at = ?, updated_at = ? WHERE id = ?",
                [str(JobStatus.FINISHED), clock.to_text(at), clock.to_text(at), job_id],
            )

    def count(self, scope: Scope, cursor: str, restricted: bool = False) -> int:
        """Customers of the scope after `cursor` (the restricted too when `restricted`)."""
        where, params = _where(scope, restricted)
        sql = f"SELECT count(*) FROM customers c WHERE c.id > ? AND ({where})"
        return self.db.execute(sql, [cursor, *params]).fetchone()[0]

    def id_batches(self, scope: Scope, cursor: str, size: int, restricted: bool = False) -> Iterator[list[str]]:
        """The ids of the scope after `cursor`, in order, `size` at a time; a restricted
        customer's only when `restricted` (a re-assignment leaves them alone)."""
        where, params = _where(scope, restricted)
        sql = f"SELECT c.id FROM customers c WHERE c.id > ? AND ({where}) ORDER BY c.id LIMIT ?"
        while True:
            ids = [row[0] for row in self.db.execute(sql, [cursor, *params, size])]
            if not ids:
                return
            cursor = ids[-1]
            yield ids


def scope_json(scope: Scope) -> str:
    return json.dumps({"postcodes": sorted(scope.postcodes), "dealer_ids": sorted(scope.dealer_ids)})


def job_scope(text: str) -> Scope:
    scope = json.loads(text)
    return Scope(tuple(scope["postcodes"]), tuple(scope["dealer_ids"]))


def job_from_row(row: dict) -> Job:
    return Job(
        id=row["id"], scope=job_scope(row["scope"]),
        decision_at=clock.from_text(row["decision_at"]), status=JobStatus(row["status"]),
        cursor=row["cursor"] or "", processed=row["processed"], changed=row["changed"],
        caller=row["caller"], started_at=clock.from_text(row["started_at"]),
    )


def _where(scope: Scope, restricted: bool) -> tuple[str, list]:
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
    where = " OR ".join(clauses) or "TRUE"
    if not restricted:
        where = f"({where}) AND c.id NOT IN (SELECT customer_id FROM restrictions)"
    return where, params
