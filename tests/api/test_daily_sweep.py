"""The server's own retention sweep: once a day from its hour, as job retention-<day>, and
once only, across restarts."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from cocontroller import clock
from support import database, free_port, make_app, query, stop, wait_serving

SCRIPT = Path(sys.executable).parent / "cocontroller"
UTC = dt.timezone.utc


def sweep_job(db: Path) -> tuple | None:
    found = query(db, "SELECT id, status, processed, changed FROM reassign_jobs WHERE kind = 'retention'")
    return found[0] if found else None


def serve(db: Path, hour: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(SCRIPT), "serve", "--db", database(db), "--host", "127.0.0.1", "--port", str(port),
                                "--metrics-port", "0", "--sweep-hour", str(hour)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=db.parent)
    target = f"127.0.0.1:{port}"
    wait_serving(target, process)
    return process, target


def test_the_server_sweeps_once_a_day_and_once_only(tmp_path):
    db = tmp_path / "daily.db"
    app = make_app(db)
    app.customers.upsert("day-old", "9000")
    app.facts.record_contact("", "day-old", "dlr-gent", "test_drive_request", dt.datetime(2022, 1, 5, tzinfo=UTC))
    app.customers.upsert("day-new", "9000")
    app.store.close()
    process, _ = serve(db, 0)  # from midnight: today's sweep is due at start
    try:
        deadline = time.monotonic() + 60
        while (sweep_job(db) or (None, ""))[1] != "finished":
            assert time.monotonic() < deadline, "the daily sweep did not finish"
            time.sleep(0.1)
    finally:
        stop(process)
    today = clock.today().isoformat()
    assert sweep_job(db) == (f"retention-{today}", "finished", 2, 1)
    assert query(db, "SELECT id FROM customers") == [("day-new",)]
    # Restarted the same day: the sweep is found finished, not run again.
    app = make_app(db)
    app.customers.upsert("day-old-2", "9000")
    app.facts.record_contact("", "day-old-2", "dlr-gent", "test_drive_request", dt.datetime(2022, 1, 5, tzinfo=UTC))
    app.store.close()
    process, _ = serve(db, 0)
    try:
        time.sleep(1.0)
    finally:
        stop(process)
    assert sweep_job(db) == (f"retention-{today}", "finished", 2, 1)
    assert query(db, "SELECT count(*) FROM customers WHERE id = 'day-old-2'") == [(1,)]


def test_a_server_told_never_does_not_sweep(tmp_path):
    db = tmp_path / "never.db"
    app = make_app(db)
    app.customers.upsert("never-old", "9000")
    app.facts.record_contact("", "never-old", "dlr-gent", "test_drive_request", dt.datetime(2022, 1, 5, tzinfo=UTC))
    app.store.close()
    process, _ = serve(db, -1)
    try:
        time.sleep(1.0)
    finally:
        stop(process)
    assert sweep_job(db) is None
