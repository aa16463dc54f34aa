"""Acceptance (issue 12): a re-assignment job run by two `cocontroller serve` replicas on one
PostgreSQL database is shared batch by batch; one replica SIGKILLed mid-job loses nothing,
and the job ends with the tables of one uninterrupted single-replica run.

The surviving replica takes the dead one's claimed batches at once: its process's advisory
lock went with its connection. Row ids are the database's own (they follow the order in
which batches commit), so the tables are compared by what the rows say."""

import signal
import threading
import time

import pytest

import support
from cocontroller import clock
from cocontroller.model import Scope
from test_replicas_api import Replica

CUSTOMERS = 4_000
BATCH = 40
JOB = "shared-close-gent"


def assignments(db) -> list[tuple]:
    return support.query(
        db, "SELECT customer_id, dealer_id, basis, rule_id, valid_from, valid_to, explanation, distance_km,"
            " point_lat, point_lon, point_source, runners_up, skipped, rules_version, decision_date, trigger, decided_at, previous_dealer_id,"
            " previous_basis FROM assignments ORDER BY customer_id, valid_from, decided_at")


def notices(db) -> list[tuple]:
    return support.query(
        db, "SELECT n.customer_id, a.valid_from, n.old_dealer_id, n.new_dealer_id, n.trigger, n.created_at, n.kind,"
            " n.effective_at, n.explanation FROM notices n LEFT JOIN assignments a ON a.id = n.assignment_id"
            " ORDER BY n.customer_id, n.created_at")


def job_row(db) -> list[tuple]:
    return support.query(db, "SELECT scope, decision_at, status, cursor, processed, changed, finished_at"
                             " FROM reassign_jobs WHERE id = ?", [JOB])


@pytest.fixture
def start(postgres):
    """Synthetic customers, all assigned, then dlr-gent closed today."""
    url = postgres.new_database()
    app = support.make_app(url)
    app.synthetic.generate(CUSTOMERS, seed=11)
    for _ in app.reassign.run("first", Scope(), False, "test", 1000, None, 1):
        pass
    app.network.close_dealer("dlr-gent", clock.today(), "test")
    app.store.db.close_pool()
    return url


def test_a_job_shared_by_two_replicas_one_killed_ends_as_one_uninterrupted_run(postgres, start, tmp_path):
    reference_db = postgres.new_database(template=start)
    replicas = [Replica(start, tmp_path / f"replica-{i}.log", "--claim-hold-s", "600") for i in range(2)]
    ends: dict[int, object] = {}

    def run(n: int) -> None:
        try:
            with support.client_for(replicas[n].target, "batch") as client:
                ends[n] = list(client.reassign(JOB, dealer_ids=["dlr-gent"], batch_size=BATCH))[-1]
        except Exception as e:  # noqa: BLE001 (the killed replica's stream breaks)
            ends[n] = e

    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        # Both replicas have written batches, a fortieth of the job is done, and the first
        # holds a claim, seen while it is stopped: kill it then.
        victim = replicas[0].process
        deadline = time.monotonic() + 120
        while True:
            assert time.monotonic() < deadline, "the two replicas never both took part"
            time.sleep(0.005)
            done = support.query(start, "SELECT count(DISTINCT split_part(claim, '#', 1)) FROM job_batches"
                                        " WHERE status = 'done'")
            processed = support.query(start, "SELECT processed FROM reassign_jobs WHERE id = ?", [JOB])
            if done[0][0] < 2 or not processed or processed[0][0] < CUSTOMERS // 40:
                continue
            victim.send_signal(signal.SIGSTOP)
            held = support.query(start, "SELECT count(*) FROM job_batches WHERE status = 'claimed' AND claim LIKE ?",
                                 [f"%/{victim.pid}/%"])
            if held[0][0]:
                break
            victim.send_signal(signal.SIGCONT)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert support.query(start, "SELECT status FROM reassign_jobs WHERE id = ?", [JOB]) == [("running",)]
        for thread in threads:
            thread.join(timeout=300)
        survivor = ends[1]
        assert not isinstance(survivor, Exception), survivor
        assert survivor.finished
        assert replicas[1].logged("job.batch_taken") >= 1, "the survivor did not take the dead replica's batch"
    finally:
        for replica in replicas:
            support.stop(replica.process)

    # The same job, uninterrupted, in one process, at the shared job's instant.
    decision_at = clock.from_text(job_row(start)[0][1])
    app = support.make_app(reference_db)
    last = list(app.reassign.run(JOB, Scope((), ("dlr-gent",)), False, "test", BATCH, decision_at, 1))[-1]
    app.store.db.close_pool()
    assert last.finished and last.changed > 50
    assert job_row(start) == job_row(reference_db)
    assert assignments(start) == assignments(reference_db)
    assert notices(start) == notices(reference_db)
    assert support.query(start, "SELECT count(*) FROM job_batches") == [(0,)]
    assert support.query(start, "SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM assignments a"
                                " WHERE a.customer_id = c.id AND a.valid_to IS NULL) != 1") == [(0,)]
