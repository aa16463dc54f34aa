"""Servers sharing one PostgreSQL database: a job run by several is shared batch by batch,
and what one changes (a rule-pack reload, the network) the others hear at once."""

import threading
import time

import pytest

import support
from cocontroller import clock
from cocontroller.model import Scope


@pytest.fixture
def replicas(postgres, tmp_path):
    """Two applications on one database, as two servers would be, with three customers."""
    url = postgres.new_database()
    first = support.make_app(url)
    for customer_id in ("rep-1", "rep-2", "rep-3"):
        first.customers.upsert(customer_id, "9000")
    second = support.make_app(url)
    stop = threading.Event()
    yield first, second, stop
    stop.set()
    for app in (first, second):
        app.store.db.close_pool()


def eventually(check, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_job_is_shared_by_the_replicas_that_run_it(replicas):
    first, second, _ = replicas
    job = first.reassign.run("shared", Scope(), False, batch_size=1)
    assert next(job).processed == 1  # the first replica stops between two batches
    joined = list(second.reassign.run("shared", Scope(), False, batch_size=1))
    assert joined[-1].finished and joined[-1].processed == 3 and joined[-1].changed == 3
    assert len(joined) == 3  # it did the two batches left, then ended the job
    rest = list(job)
    assert rest[-1].finished and rest[-1].processed == 3 and rest[-1].changed == 3
    assert len(rest) == 1  # nothing was left for the first one
    assert support.query(first.settings.db, "SELECT customer_id, count(*) FROM assignments"
                         " WHERE trigger = 'job:shared' GROUP BY customer_id ORDER BY customer_id") == [
        ("rep-1", 1), ("rep-2", 1), ("rep-3", 1)]


def test_a_reload_on_one_replica_is_heard_by_the_other(replicas):
    first, second, stop = replicas
    threading.Thread(target=second.notifications.listen, args=(stop,), daemon=True).start()
    time.sleep(0.3)  # the listener's LISTEN is in place
    before = second.runtime.current
    first.packs.reload()
    assert eventually(lambda: second.runtime.current is not before), "the second replica did not reload"


def test_a_network_change_on_one_replica_is_read_by_the_other_at_once(replicas):
    first, second, stop = replicas
    threading.Thread(target=second.notifications.listen, args=(stop,), daemon=True).start()
    time.sleep(0.3)
    second.schedule.wake.clear()
    assert second.runtime.current.network.version_on("dlr-gent", clock.today()) is not None
    first.network.close_dealer("dlr-gent", clock.today(), "test")
    assert eventually(lambda: second.runtime.current.network.version_on("dlr-gent", clock.today()) is None,
                      timeout=0.9), "not heard within its once-a-second look"
    assert second.schedule.wake.is_set()
