"""Servers sharing one PostgreSQL database: a job runs in one of them at a time, and what
one changes (a rule-pack reload, the network) the others hear at once."""

import threading
import time

import pytest

import support
from cocontroller import clock
from cocontroller.errors import Aborted
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


def test_a_job_runs_in_one_replica_at_a_time(replicas):
    first, second, _ = replicas
    job = first.reassign.run("shared", Scope(), False, batch_size=1)
    assert next(job).processed == 1  # the first replica holds the job between two batches
    with pytest.raises(Aborted, match="running in another process"):
        list(second.reassign.run("shared", Scope(), False, batch_size=1))
    assert list(job)[-1].finished
    again = list(second.reassign.run("shared", Scope(), False, batch_size=1))
    assert again[-1].finished and again[-1].processed == 3 and again[-1].changed == 3  # found finished


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
