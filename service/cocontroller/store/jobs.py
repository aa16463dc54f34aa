"""Jobs (re-assignments, retention sweeps): their rows (scope, fixed decision instant,
counts) and the walk over the customers in a scope, in id order, batch by batch.

A job is shared by every process that runs it. Each claims the next batch for a while: a
batch another process claimed and let expire (it died), else the next ids of the walk,
whose `cursor` marks how far it is cut. The batch is marked done in the transaction of its
writes, only by the process that still holds it, so each batch is written exactly once
whoever takes part, and a killed process loses nothing but its claim's time."""

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator

from .. import clock
from ..errors import FailedPrecondition
from ..model import Job, JobBatch, JobKind, JobStatus, Scope
from .db import Database

_CLAIMED, _DONE = "claimed", "done"


class ClaimLost(Exception):
    """The batch's claim expired and another process took it: this one writes nothing."""


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

    def claimant(self) -> str:
        """A new claim of this process: its instance (see `Database.alive`) and a part of
        its own, so that two runs in one process are told apart."""
        return f"{self.db.instance}#{uuid.uuid4().hex}"

    def claim(self, job_id: str, claim: str, scope: Scope, size: int, hold_s: float,
              restricted: bool = False) -> JobBatch | None:
        """The next batch of the job for `claim` (from `claimant`), held for `hold_s`
        seconds: the first whose claim lapsed (its process died, or it expired; rows another
        taker holds are skipped, not waited for), else the next `size` ids of the walk. None
        when every batch is claimed or done. Lapsed batches are taken first and in order,
        so a job restarted after its process died writes in the order of one uninterrupted run."""
        now = time.time()
        dialect = self.db.dialect
        with self.db.locking():
            for batch in self.db.rows(
                    "SELECT seq, after_id, last_id, ordinal, claim, claimed_until FROM job_batches WHERE job_id = ?"
                    f" AND status = ? ORDER BY seq{dialect.skip_locked}", [job_id, _CLAIMED]):
                if not self._lapsed(batch, now):
                    continue
                self.db.execute("UPDATE job_batches SET claim = ?, claimed_until = ? WHERE job_id = ? AND seq = ?",
                                [claim, now + hold_s, job_id, batch["seq"]])
                ids = self._ids_in(scope, batch["after_id"], batch["last_id"], restricted)
                return JobBatch(job_id, batch["seq"], tuple(ids), batch["ordinal"], claim, batch["claim"])
            job = self.db.rows(f"SELECT cursor, processed FROM reassign_jobs WHERE id = ?{dialect.for_update}",
                               [job_id])[0]
            after = job["cursor"] or ""
            ids = next(self.id_batches(scope, after, size, restricted), [])
            if not ids:
                return None
            last = self.db.rows("SELECT seq, ordinal, size FROM job_batches WHERE job_id = ? ORDER BY seq DESC"
                                " LIMIT 1", [job_id])
            # A job begun before batches were claimed has done everything up to its cursor.
            seq, ordinal = (last[0]["seq"] + 1, last[0]["ordinal"] + last[0]["size"]) if last else (1, job["processed"])
            self.db.execute(
                "INSERT INTO job_batches (job_id, seq, after_id, last_id, ordinal, size, status, claim, claimed_until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [job_id, seq, after, ids[-1], ordinal, len(ids), _CLAIMED, claim, now + hold_s])
            self.db.execute("UPDATE reassign_jobs SET cursor = ? WHERE id = ?", [ids[-1], job_id])
            return JobBatch(job_id, seq, tuple(ids), ordinal, claim)

    def complete(self, batch: JobBatch, changed: int, at: dt.datetime) -> tuple[int, int]:
        """Marks the batch done and counts it into its job, inside the transaction of its
        writes; returns the job's (processed, changed). ClaimLost when another process took
        the batch meanwhile: the caller's transaction must then roll back."""
        done = self.db.execute(
            "UPDATE job_batches SET status = ? WHERE job_id = ? AND seq = ? AND claim = ? AND status = ?",
            [_DONE, batch.job_id, batch.seq, batch.claim, _CLAIMED])
        if done.rowcount != 1:
            raise ClaimLost(f"batch {batch.seq} of job {batch.job_id} was taken over")
        processed, changed = self.db.execute(
            "UPDATE reassign_jobs SET processed = processed + ?, changed = changed + ?, updated_at = ? WHERE id = ?"
            " RETURNING processed, changed",
            [len(batch.ids), changed, clock.to_text(at), batch.job_id]).fetchall()[0]
        return processed, changed

    def release(self, job_id: str, claim: str) -> None:
        """Lets the batches `claim` holds but did not do be taken at once (a run stopped)."""
        with self.db.locking():
            self.db.execute("UPDATE job_batches SET claimed_until = 0 WHERE job_id = ? AND claim = ? AND status = ?",
                            [job_id, claim, _CLAIMED])

    def wait_s(self, job_id: str) -> float | None:
        """How long until one of the job's undone batches may be taken again: 0 when one
        can be now (its process died, or its claim expired); None when none is undone."""
        now = time.time()
        batches = self.db.rows("SELECT claim, claimed_until FROM job_batches WHERE job_id = ? AND status = ?",
                               [job_id, _CLAIMED])
        if not batches:
            return None
        if any(self._lapsed(batch, now) for batch in batches):
            return 0.0
        return min(batch["claimed_until"] for batch in batches) - now

    def _lapsed(self, batch: dict, now: float) -> bool:
        return batch["claimed_until"] < now or not self.db.alive(batch["claim"].rpartition("#")[0])

    def finish(self, job_id: str, at: dt.datetime) -> bool:
        """Marks the job finished; False when another process of a shared job did first.
        Its batches are forgotten: they only served to share it. Joins the caller's
        transaction."""
        with self.db.transaction():
            self.db.execute("DELETE FROM job_batches WHERE job_id = ?", [job_id])
            return self.db.execute(
                "UPDATE reassign_jobs SET status = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = ?",
                [str(JobStatus.FINISHED), clock.to_text(at), clock.to_text(at), job_id, str(JobStatus.RUNNING)],
            ).rowcount == 1

    def counts(self, job_id: str) -> tuple[int, int]:
        """The job's (processed, changed), every process's part counted."""
        processed, changed = self.db.execute("SELECT processed, changed FROM reassign_jobs WHERE id = ?",
                                             [job_id]).fetchone()
        return processed, changed

    def remaining(self, job_id: str, scope: Scope, restricted: bool = False) -> int:
        """Customers of the job's scope that no batch has done yet: in the batches still
        claimed, and after the cursor."""
        where, params = _where(scope, restricted)
        claimed = self.db.execute(
            "SELECT count(*) FROM customers c JOIN job_batches b ON c.id > b.after_id AND c.id <= b.last_id"
            f" WHERE b.job_id = ? AND b.status = ? AND ({where})", [job_id, _CLAIMED, *params]).fetchone()[0]
        cursor = self.db.execute("SELECT cursor FROM reassign_jobs WHERE id = ?", [job_id]).fetchone()[0]
        return claimed + self.count(scope, cursor or "", restricted)

    def _ids_in(self, scope: Scope, after: str, last: str, restricted: bool) -> list[str]:
        where, params = _where(scope, restricted)
        return [row[0] for row in self.db.execute(
            f"SELECT c.id FROM customers c WHERE c.id > ? AND c.id <= ? AND ({where}) ORDER BY c.id",
            [after, last, *params])]

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
        processed=row["processed"], changed=row["changed"],
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
