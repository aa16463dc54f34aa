"""Acceptance: a retention sweep in a real process killed with SIGKILL at three or more
moments and started again with the same job id ends with exactly the database of an
uninterrupted sweep.

The starting database: 4,000 synthetic customers (seed 7, generated as of a fixed instant),
every one assigned. The sweep under test runs at a fixed instant after it, through
`cocontroller retention sweep --local`.
"""

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cocontroller.model import ErasureOutcome, Scope
from support import copy_database, make_app

SCRIPT = Path(sys.executable).parent / "cocontroller"
UTC = dt.timezone.utc
CUSTOMERS = 4_000
GENERATED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SWEEP_AT = "2026-11-03T10:00:00+01:00"
JOB = "sweep-crash"
BATCH = 100
# Every table but the job's own row, whose start is the wall clock of its first run.
JOB_COLUMNS = ("id", "scope", "decision_at", "status", "cursor", "processed", "changed", "updated_at",
               "finished_at", "caller", "kind")


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
    tables = [name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
              if name not in ("reassign_jobs", "_cocontroller_migrations", "_sqlite_migrations")]
    found = {table: query(db, f"SELECT * FROM {table} ORDER BY 1, 2") for table in tables}
    found["job"] = query(db, f"SELECT {', '.join(JOB_COLUMNS)} FROM reassign_jobs WHERE id = ?", [JOB])
    return found


def copy_installation(start: Path, db: Path) -> None:
    """The database and its erasure key: the same installation, so the same keyed hashes."""
    copy_database(start, db)
    shutil.copyfile(f"{start}.erasurekey", f"{db}.erasurekey")


def command(db: Path, workers: int) -> list[str]:
    return [str(SCRIPT), "retention", "sweep", "--local", "--db", str(db), "--job-id", JOB, "--at", SWEEP_AT,
            "--batch-size", str(BATCH), "--quiet", "--workers", str(workers)]


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep-crash") / "start.db"
    app = make_app(path)
    app.synthetic.generate(CUSTOMERS, seed=7, now=GENERATED_AT)
    last = None
    for last in app.reassign.run("first", Scope(), False, "test", 1000, GENERATED_AT, 1):
        pass
    assert last.finished
    app.store.close()
    return path


@pytest.fixture(scope="module")
def reference(start, tmp_path_factory):
    """The uninterrupted sweep, and the span from its first committed batch to its end."""
    db = tmp_path_factory.mktemp("sweep-reference") / "a.db"
    copy_installation(start, db)
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
    row = job_row(db)
    assert row["status"] == "finished" and row["processed"] == CUSTOMERS
    outcomes = dict(query(db, "SELECT outcome, count(*) FROM erasures GROUP BY outcome"))
    assert outcomes.get(ErasureOutcome.ERASED, 0) > 10 and outcomes.get(ErasureOutcome.RESTRICTED, 0) > 10
    return db, state(db), max(ended - (first_commit or launched), 0.2)


def wait_for_commit_after(db: Path, proc: subprocess.Popen, processed: int, timeout: float = 60) -> bool:
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
    """Starts the sweep, kills its process group at a random moment while batches commit,
    again and again, then lets it finish; the job row after each kill."""
    after_kills = []
    attempts = 0
    while sum(1 for r in after_kills if r["status"] == "running") < kills_wanted:
        attempts += 1
        assert attempts <= 4 * kills_wanted, f"could not kill mid-sweep: {after_kills}"
        before = job_row(db)
        done_before = before["processed"] if before else 0
        proc = subprocess.Popen(command(db, workers), start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if wait_for_commit_after(db, proc, done_before):
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
        after_kills.append(job_row(db))
    done = subprocess.run(command(db, workers), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return after_kills


def check_recovered(db: Path, expected: dict, after_kills: list[dict]) -> None:
    mid = [r for r in after_kills if r["status"] == "running"]
    assert len(mid) >= 3, after_kills
    for row in mid:
        assert 0 < row["processed"] < CUSTOMERS and row["processed"] % BATCH == 0, row
    processed = [r["processed"] for r in after_kills]
    assert processed == sorted(processed) and len(set(processed)) == len(processed), processed
    assert state(db) == expected


def test_a_killed_sweep_resumes_to_the_same_database(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "b.db"
    copy_installation(start, db)
    check_recovered(db, expected, kill_and_resume(db, 1, random.Random(5), span))


def test_a_killed_sweep_with_worker_processes_resumes_to_the_same_database(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "c.db"
    copy_installation(start, db)
    check_recovered(db, expected, kill_and_resume(db, 2, random.Random(13), span))
