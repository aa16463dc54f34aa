"""Acceptance: a re-assignment job in a real process killed with SIGKILL at random moments
and started again with the same job id ends with exactly the tables of an uninterrupted run.

The starting database: 20,000 synthetic customers (seed 7, generated as of a fixed instant),
all assigned by a first applied job, then dlr-gent closed. The job under test re-assigns
everyone at a fixed instant after the closure, through `cocontroller reassign --local`.
"""

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from cocontroller.model import Correction, Scope
from killed_jobs import KilledJob
from support import copy_database, database, make_app, query

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


def command(db: Path, workers: int) -> list[str]:
    return [str(SCRIPT), "reassign", "--local", "--db", database(db), "--job-id", JOB, "--at", JOB_AT,
            "--batch-size", str(BATCH), "--quiet", "--workers", str(workers)]


KILLED = KilledJob(JOB, CUSTOMERS, BATCH, command)


def state(db: Path) -> dict:
    """What must be identical: every assignment and notice column, the job's own row but for
    its wall-clock start."""
    return {
        "assignments": query(db, "SELECT * FROM assignments ORDER BY id"),
        "notices": query(db, "SELECT * FROM notices ORDER BY id"),
        "job": query(db, f"SELECT {', '.join(JOB_COLUMNS)} FROM reassign_jobs WHERE id = ?", [JOB]),
    }


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
    """The uninterrupted run, and the span in which the kills below strike."""
    db = tmp_path_factory.mktemp("reference") / "a.db"
    copy_database(start, db)
    span = KILLED.run_whole(db)
    # The closure moved dlr-gent's customers, and only those dealers' pairs differ.
    assert KILLED.row(db)["changed"] > 500
    assert query(db, "SELECT count(*) FROM assignments WHERE valid_to IS NULL AND dealer_id = 'dlr-gent'") == [(0,)]
    return db, state(db), span


def check_recovered(db: Path, expected: dict, after_kills: list[dict]) -> None:
    for row in KILLED.check_kills(after_kills):
        assert row["decision_at"] == JOB_AT_STORED
    assert state(db) == expected
    assert query(db, "SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM assignments a"
                     " WHERE a.customer_id = c.id AND a.valid_to IS NULL) != 1") == [(0,)]


def test_killed_job_resumes_to_the_same_tables(start, reference, tmp_path):
    _, expected, span = reference
    db = tmp_path / "b.db"
    copy_database(start, db)
    check_recovered(db, expected, KILLED.kill_and_resume(db, 1, random.Random(7), span))


def test_killed_job_with_worker_processes_resumes_to_the_same_tables(start, reference, tmp_path):
    """With decision workers, killing the process group takes the workers down too; the
    result is still the single-process run's."""
    _, expected, span = reference
    db = tmp_path / "b2.db"
    copy_database(start, db)
    check_recovered(db, expected, KILLED.kill_and_resume(db, 2, random.Random(11), span))
