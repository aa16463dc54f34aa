"""The server carries out a closure scheduled ahead: previewed before its day, its customers
told at the lead time, applied on the day, and once only though the server is restarted in
between. Each server runs on an injected clock (`serve --clock-at`): nothing waits for a day."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

import support
from cocontroller import clock
from cocontroller.v1 import network_pb2 as npb

SCRIPT = Path(sys.executable).parent / "cocontroller"
CUSTOMERS = ("srv-1", "srv-2", "srv-3")
TODAY = clock.today()
CLOSING = TODAY + dt.timedelta(days=40)


def on(day: dt.date, hour: int = 0, minute: int = 0, second: int = 5) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute, second), clock.BRUSSELS).isoformat()


class Server:
    """`cocontroller serve` on the database, its clock set to `at`."""

    def __init__(self, db: Path, at: str):
        port = support.free_port()
        self.process = subprocess.Popen(
            [str(SCRIPT), "serve", "--db", support.database(db), "--host", "127.0.0.1", "--port", str(port),
             "--metrics-port", "0", "--sweep-hour", "-1", "--clock-at", at, "--notice-lead-days", "30"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=db.parent)
        self.target = f"127.0.0.1:{port}"
        support.wait_serving(self.target, self.process)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        support.stop(self.process)

    def status_becomes(self, status: int, timeout: float = 60.0) -> npb.ScheduledChange:
        """Polls the scheduled change until its status is `status` (the server works at start)."""
        deadline = time.monotonic() + timeout
        with support.client_for(self.target, "batch") as batch:
            while True:
                [change] = batch.scheduled_changes()
                if change.status == status:
                    return change
                assert time.monotonic() < deadline, f"still {npb.ScheduleStatus.Name(change.status)}"
                time.sleep(0.1)


def dealers(db: Path) -> dict[str, str]:
    return dict(support.query(db, "SELECT customer_id, dealer_id FROM assignments WHERE valid_to IS NULL"))


@pytest.fixture
def scheduled(tmp_path):
    """dlr-gent's customers and its closure recorded today for 40 days from now."""
    db = tmp_path / "scheduled.db"
    app = support.make_app(db)
    for customer_id in CUSTOMERS:
        app.customers.upsert(customer_id, "9000")
        app.assignment.assign(customer_id)
    change = app.network.close_dealer("dlr-gent", CLOSING, "test")
    app.store.close()
    return db, change.id


def test_the_server_previews_announces_and_applies_a_closure_once_across_restarts(scheduled):
    db, change_id = scheduled
    before = dealers(db)
    with Server(db, on(TODAY + dt.timedelta(days=5), 10)) as server:
        assert server.status_becomes(npb.SCHEDULE_STATUS_SCHEDULED).notice_date.day == (
            CLOSING - dt.timedelta(days=30)).day
        with support.client_for(server.target, "batch") as batch:
            preview = list(batch.reassign("preview", dealer_ids=["dlr-gent"], dry_run=True,
                                          at=clock.end_of_day(CLOSING - dt.timedelta(days=1))))
            assert preview[-1].finished and preview[-1].changed == len(CUSTOMERS)
            moving = {c.customer_id: c.new_dealer_id for p in preview for c in p.changes}
            assert batch.notices() == []
    assert dealers(db) == before

    with Server(db, on(CLOSING - dt.timedelta(days=30), 8)) as server:
        server.status_becomes(npb.SCHEDULE_STATUS_ANNOUNCED)
        with support.client_for(server.target, "dpo") as dpo:
            told = dpo.notices(pending_only=True)
    assert {(n.customer_id, n.old_dealer_id, n.new_dealer_id) for n in told} == {
        (c, "dlr-gent", moving[c]) for c in CUSTOMERS}
    assert all(n.kind == npb.NOTICE_KIND_ANNOUNCEMENT for n in told)
    assert {(n.effective_date.year, n.effective_date.month, n.effective_date.day) for n in told} == {
        (CLOSING.year, CLOSING.month, CLOSING.day)}
    assert dealers(db) == before  # told ahead, not moved

    with Server(db, on(CLOSING)) as server:
        applied = server.status_becomes(npb.SCHEDULE_STATUS_APPLIED)
        assert applied.job_id == f"change-{change_id}"
    assert dealers(db) == {**before, **moving}
    versions = support.query(db, "SELECT count(*) FROM assignments")
    notices = support.query(db, "SELECT id, assignment_id IS NOT NULL FROM notices ORDER BY id")
    assert [linked for _, linked in notices] == [1] * len(CUSTOMERS)  # the same letters, now linked

    with Server(db, on(CLOSING + dt.timedelta(days=1), 9)) as server:
        server.status_becomes(npb.SCHEDULE_STATUS_APPLIED)
        with support.client_for(server.target, "batch") as batch:
            assert len(batch.scheduled_changes("applied")) == 1
    assert support.query(db, "SELECT count(*) FROM assignments") == versions
    assert support.query(db, "SELECT id, assignment_id IS NOT NULL FROM notices ORDER BY id") == notices
    assert support.query(db, "SELECT id, kind, status, processed, changed FROM reassign_jobs ORDER BY id") == [
        (f"change-{change_id}", "reassign", "finished", len(CUSTOMERS), len(CUSTOMERS)),
        (f"change-{change_id}-notices", "announce", "finished", len(CUSTOMERS), len(CUSTOMERS)),
    ]


def test_a_server_started_after_the_day_applies_what_it_missed(scheduled):
    db, change_id = scheduled
    with Server(db, on(CLOSING + dt.timedelta(days=3), 11)) as server:
        applied = server.status_becomes(npb.SCHEDULE_STATUS_APPLIED)
        assert not applied.HasField("announce_time")
        with support.client_for(server.target, "dpo") as dpo:
            moved = dpo.notices(job_id=f"change-{change_id}")
    assert {n.customer_id for n in moved} == set(CUSTOMERS)
    assert all(n.kind == npb.NOTICE_KIND_CHANGE for n in moved)
    assert "dlr-gent" not in dealers(db).values()
