"""Acceptance: a retention sweep in a real process killed with SIGKILL at three or more
moments and started again with the same job id ends with exactly the database of an
uninterrupted sweep.

The starting database: 4,000 synthetic customers (seed 7, generated as of a fixed instant),
every one assigned. The sweep under test runs at a fixed instant after it, through
`cocontroller retention sweep --local`.
"""

import datetime as dt
import random
import shutil
import sys
from pathlib import Path

import pytest
from cocontroller.model import ErasureOutcome, Scope
from killed_jobs import KilledJob
from support import BACKEND, copy_database, database, make_app, query, table_rows

SCRIPT = Path(sys.executable).parent / "cocontroller"
UTC = dt.timezone.utc
CUSTOMERS = 4_000
GENERATED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SWEEP_AT = "2026-11-03T10:00:00+01:00"
JOB = "sweep-crash"
BATCH = 100
# The job's own row but for its start, the wall clock of its first run.
JOB_COLUMNS = ("id", "scope", "decision_at", "status", "cursor", "processed", "changed", "updated_at",
               "finished_at", "caller", "kind")


def command(db: Path, workers: int) -> list[str]:
    return [str(SCRIPT), "retention", "sweep", "--local", "--db", database(db), "--job-id", JOB, "--at", SWEEP_AT,
            "--batch-size", str(BATCH), "--quiet", "--workers", str(workers)]


KILLED = KilledJob(JOB, CUSTOMERS, BATCH, command)


def state(db: Path) -> dict:
    """What must be identical: every table, and the job's row but for its start."""
    found = {table: rows for table, rows in table_rows(db).items()
             if table not in ("reassign_jobs", "_cocontroller_migrations", "_sqlite_migrations")}
    found["job"] = query(db, f"SELECT {', '.join(JOB_COLUMNS)} FROM reassign_jobs WHERE id = ?", [JOB])
    return found


def copy_installation(start: Path, db: Path) -> None:
    """The database and its erasure key: the same installation, so the same keyed hashes (on
    PostgreSQL every database of the session is given the same keys)."""
    copy_database(start, db)
    if BACKEND == "sqlite":
        shutil.copyfile(f"{start}.erasurekey", f"{db}.erasurekey")


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
    """The uninterrupted sweep, and the span in which the kills below strike."""
    db = tmp_path_factory.mktemp("sweep-reference") / "a.db"
    copy_installation(start, db)
    span = KILLED.run_whole(db)
    outcomes = dict(query(db, "SELECT outcome, count(*) FROM erasures GROUP BY outcome"))
    assert outcomes.get(ErasureOutcome.ERASED, 0) > 10 and outcomes.get(ErasureOutcome.RESTRICTED, 0) > 10
    return db, state(db), span


def test_a_killed_sweep_resumes_to_the_same_database(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "b.db"
    copy_installation(start, db)
    KILLED.check_kills(KILLED.kill_and_resume(db, 1, random.Random(5), span))
    assert state(db) == expected


def test_a_killed_sweep_with_worker_processes_resumes_to_the_same_database(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "c.db"
    copy_installation(start, db)
    KILLED.check_kills(KILLED.kill_and_resume(db, 2, random.Random(13), span))
    assert state(db) == expected
