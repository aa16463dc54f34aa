"""A job's batches claimed by the processes that share it (store/jobs.py), on both backends:
each batch is written once whoever takes part, a claim that lapsed (its process died, or it
expired) is taken again first and in order, and the holder that lost it writes nothing."""

import datetime as dt
import subprocess
import sys
import time

import pytest

import support
from cocontroller.model import JobKind, Scope
from cocontroller.store import Store
from cocontroller.store.jobs import ClaimLost

AT = dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc)
EVERYONE = Scope()
HOUR = 3600.0


@pytest.fixture
def store(tmp_path):
    """A store with customers c-01 … c-10 and a started job."""
    app = support.make_app(tmp_path / "claims.db")
    for n in range(1, 11):
        app.customers.upsert(f"c-{n:02d}", "9000")
    app.store.jobs.start("job", EVERYONE, AT, "test")
    yield app.store
    app.store.close()


def claim(store: Store, claimant: str, hold_s: float = HOUR):
    return store.jobs.claim("job", claimant, EVERYONE, 3, hold_s)


def complete(store: Store, batch) -> tuple[int, int]:
    with store.transaction():
        return store.jobs.complete(batch, 0, AT)


def dead_claimant(store: Store) -> str:
    """A claim of a process that ended: on SQLite a pid that is gone, on PostgreSQL a
    second connection's instance whose lock went with it."""
    if support.BACKEND == "postgresql":
        other = Store(store.db.path)
        claimant = other.jobs.claimant()
        other.db.close_pool()
        return claimant
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{store.db.instance.rpartition('/')[0]}/{int(ended.stdout)}#gone"


def test_two_claimants_share_the_walk_each_batch_once(store):
    first, second = store.jobs.claimant(), store.jobs.claimant()
    taken = [claim(store, first), claim(store, second), claim(store, first), claim(store, second)]
    assert [b.ids for b in taken] == [("c-01", "c-02", "c-03"), ("c-04", "c-05", "c-06"),
                                      ("c-07", "c-08", "c-09"), ("c-10",)]
    assert [b.ordinal for b in taken] == [0, 3, 6, 9]
    assert claim(store, first) is None  # all claimed, none lapsed
    counts = [complete(store, b) for b in taken]
    assert counts[-1] == (10, 0)
    assert store.jobs.wait_s("job") is None


def test_an_expired_claim_is_taken_again_first_and_its_holder_writes_nothing(store):
    slow, other = store.jobs.claimant(), store.jobs.claimant()
    stale = claim(store, slow, hold_s=0.05)
    claim(store, other)  # the next batch, held
    time.sleep(0.1)
    assert store.jobs.wait_s("job") == 0.0
    again = claim(store, other)
    assert (again.seq, again.ids, again.claim) == (stale.seq, stale.ids, other)
    with pytest.raises(ClaimLost):
        complete(store, stale)
    assert store.jobs.counts("job") == (0, 0)  # the lost completion rolled back
    assert complete(store, again) == (3, 0)


def test_a_claim_of_a_process_that_died_is_taken_at_once(store):
    gone = dead_claimant(store)
    lost = claim(store, gone)
    assert store.jobs.wait_s("job") == 0.0  # an hour's claim, but its process is gone
    taker = store.jobs.claimant()
    assert claim(store, taker).ids == lost.ids
    assert claim(store, taker).ids == ("c-04", "c-05", "c-06")


def test_a_live_claim_is_waited_for(store):
    claim(store, store.jobs.claimant())
    assert HOUR - 5 < store.jobs.wait_s("job") <= HOUR


def test_a_released_claim_is_taken_at_once(store):
    holder = store.jobs.claimant()
    held = claim(store, holder)
    store.jobs.release("job", holder)
    assert claim(store, store.jobs.claimant()).ids == held.ids


def test_a_finished_job_forgets_its_batches(store):
    claimant = store.jobs.claimant()
    while (batch := claim(store, claimant)) is not None:
        complete(store, batch)
    assert store.jobs.finish("job", AT) is True
    assert store.jobs.finish("job", AT) is False  # another process of the job came second
    assert support.query(store.db.path, "SELECT count(*) FROM job_batches") == [(0,)]


def test_an_erased_customer_leaves_no_id_in_a_batch(tmp_path):
    app = support.make_app(tmp_path / "erase.db")
    for n in range(1, 5):
        app.customers.upsert(f"c-{n:02d}", "9000")
    app.store.jobs.start("job", EVERYONE, AT, "test", JobKind.REASSIGN)
    batch = app.store.jobs.claim("job", app.store.jobs.claimant(), EVERYONE, 2, HOUR)
    assert batch.ids == ("c-01", "c-02")
    app.erasure.erase("c-02", "erase-1", "test")
    assert support.query(app.settings.db, "SELECT after_id, last_id FROM job_batches") == [("", "c-01")]
    assert support.query(app.settings.db, "SELECT cursor FROM reassign_jobs") == [("c-01",)]
    app.store.close()
