"""Acceptance: a re-assignment job in a real process killed with SIGKILL at random moments
and started again with the same job id ends with exactly the tables of an uninterrupted run.

The starting database: 20,000 synthetic customers (seed 7, generated as of a fixed instant),
all assigned by a first applied job, then dlr-gent closed. The job under test re-assigns
everyone at a fixed instant after the closure, through `cocontroller reassign --local`.
"""

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cocontroller.model import Correction, Scope
from support import copy_database, make_app

SCRIPT = Path(sys.executable).parent / "cocontroller"
UTC = dt.timezone.utc
CUSTOMERS = 20_000
GENERATED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CLOSED_FROM = dt.date(2026, 11, 3)
JOB_AT = "2026-11-03T10:00:00+01:00"
JOB_AT_STORED = "2026-11-03T09:00:00.000000Z"
JOB = "crash"
BATCH = 200
JOB_COLUMNS = ("id", "scope", "decision_at", "status", "cursor", "processed", "changed",
               "updated_at", "finished_at", "caller")



def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def job_row(db: Path) -> dict | None:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM reassign_jobs WHERE id = ?", [JOB]).fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


def state(db: Path) -> dict:
    """What must be identical: every assignment and notice column, the job's own row but for
    its wall-clock start."""
    return {
        "assignments": query(db, "SELECT * FROM assignments ORDER BY id"),
        "notices": query(db, "SELECT * FROM notices ORDER BY id"),
        "job": query(db, f"SELECT {', '.join(JOB_COLUMNS)} FROM reassign_jobs WHERE id = ?", [JOB]),
    }


def command(db: Path, workers: int) -> list[str]:
    return [str(SCRIPT), "reassign", "--local", "--db", str(db), "--job-id", JOB, "--at", JOB_AT,
            "--batch-size", str(BATCH), "--quiet", "--workers", str(workers)]


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    """Everyone assigned by a first job, then dlr-gent closed from CLOSED_FROM."""
    path = tmp_path_factory.mktemp("crash") / "start.db"
    app = make_app(path)
    app.synthetic.generate(CUSTOMERS, seed=7, now=GENERATED_AT)
    last = None
    for last in app.reassign.run("first", Scope(), False, "test", 1000, GENERATED_AT, 1):
        pass
    assert last.finished and last.processed == last.changed == CUSTOMERS
    # a fixed day, so a backdated one: a confirmed correction
    app.network.close_dealer("dlr-gent", CLOSED_FROM, "test", Correction("the test's fixed closure day", True))
    app.store.close()
    return path


@pytest.fixture(scope="module")
def reference(start, tmp_path_factory):
    """The uninterrupted run, with the span between its first committed batch and its end
    (watched from outside, as the kills below will be)."""
    db = tmp_path_factory.mktemp("reference") / "a.db"
    copy_database(start, db)
    launched = time.monotonic()
    proc = subprocess.Popen(command(db, 1), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first_commit = None
    while proc.poll() is None:
        row = job_row(db) if first_commit is None else None
        if row and row["processed"] > 0:
            first_commit = time.monotonic()
        time.sleep(0.005)
    ended = time.monotonic()
    assert proc.returncode == 0, proc.stderr.read().decode()
    proc.stderr.close()
    first_commit = first_commit or launched
    row = job_row(db)
    assert row["status"] == "finished" and row["processed"] == CUSTOMERS
    # The closure moved dlr-gent's customers, and only those dealers' pairs differ.
    assert row["changed"] > 500
    assert query(db, "SELECT count(*) FROM assignments WHERE valid_to IS NULL AND dealer_id = 'dlr-gent'") == [(0,)]
    return db, state(db), max(ended - first_commit, 0.2)


def wait_for_commit_after(db: Path, proc: subprocess.Popen, processed: int, timeout: float = 60) -> bool:
    """Waits until the job has committed a batch beyond `processed`; False if the process ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job_row(db)
        if row and row["processed"] > processed:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    raise AssertionError(f"no batch committed within {timeout} s")


def kill_and_resume(db: Path, workers: int, rng: random.Random, span: float, kills_wanted: int = 3) -> list[dict]:
    """Starts the job, kills its whole process group at a random moment while batches are
    being committed, again and again, then lets it finish. Returns the job row after each
    kill."""
    after_kills = []
    attempts = 0
    while sum(1 for r in after_kills if r["status"] == "running") < kills_wanted:
        attempts += 1
        assert attempts <= 4 * kills_wanted, f"could not kill mid-job: {after_kills}"
        before = job_row(db)
        done_before = before["processed"] if before else 0
        proc = subprocess.Popen(command(db, workers), start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if wait_for_commit_after(db, proc, done_before):
                # A random moment within the measured span, but before a third of what is
                # left is done, however fast this run goes.
                deadline = time.monotonic() + rng.uniform(0.0, 0.25 * span)
                cap = done_before + (CUSTOMERS - done_before) // 3
                while time.monotonic() < deadline and job_row(db)["processed"] < cap:
                    time.sleep(0.002)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        row = job_row(db)
        assert row is not None
        after_kills.append(row)
    done = subprocess.run(command(db, workers), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return after_kills


def check_recovered(db: Path, expected: dict, after_kills: list[dict]) -> None:
    mid_job = [r for r in after_kills if r["status"] == "running"]
    assert len(mid_job) >= 3, after_kills
    for row in mid_job:
        assert 0 < row["processed"] < CUSTOMERS and row["processed"] % BATCH == 0, row
        assert row["decision_at"] == JOB_AT_STORED
    # Each restart resumed and went further before the next kill.
    processed = [r["processed"] for r in after_kills]
    assert processed == sorted(processed) and len(set(processed)) == len(processed), processed
    assert state(db) == expected
    assert query(db, "SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM assignments a"
                     " WHERE a.customer_id = c.id AND a.valid_to IS NULL) != 1") == [(0,)]


def test_killed_job_resumes_to_the_same_tables(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "b.db"
    copy_database(start, db)
    after_kills = kill_and_resume(db, 1, random.Random(7), span)
    check_recovered(db, expected, after_kills)


def test_killed_job_with_worker_processes_resumes_to_the_same_tables(start, reference, tmp_path):
    """With decision workers, killing the process group takes the workers down too; the
    result is still the single-process run's."""
    _, expected, span = reference
    db = tmp_path / "b2.db"
    copy_database(start, db)
    after_kills = kill_and_resume(db, 2, random.Random(11), span)
    check_recovered(db, expected, after_kills)
