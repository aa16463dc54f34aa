"""A large job run through the server decides in worker processes, as a local one does
(issue 11: jobs through the server as fast as local ones), and finds what a job decided in
one process finds."""

import contextlib
import datetime as dt
import os

import support
from cocontroller.api.convert import change_pb
from cocontroller.model import Scope
from cocontroller.usecases import reassign, workers

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = dt.datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
CUSTOMERS = 300
BATCH = 50


def test_a_large_job_through_the_server_decides_in_worker_processes(tmp_path, monkeypatch):
    db = tmp_path / "db.sqlite"
    app = support.make_app(db)
    app.synthetic.generate(CUSTOMERS, seed=4, now=AT)
    # 300 customers count as a large job here; the server passes no worker count of its own.
    monkeypatch.setattr(reassign, "PARALLEL_FROM", CUSTOMERS)
    pools = []

    def watched(batches, local, count, entry, remote, remote_args):
        pools.append((count, entry is not None))
        return workers.in_order(batches, local, count, entry, remote, remote_args)

    monkeypatch.setattr(reassign, "in_order", watched)
    with contextlib.contextmanager(support.serve)(db) as target, support.client_for(target) as client:
        streamed = list(client.reassign("served", dry_run=True, batch_size=BATCH, at=LATER))
    assert pools == [(min(2, os.cpu_count() or 1), True)]
    # Everyone is assigned for the first time: every customer is a change to compare.
    assert streamed[-1].finished and streamed[-1].processed == streamed[-1].changed == CUSTOMERS

    one_process = list(app.reassign.run("local", Scope(), True, "test", BATCH, LATER, 1))
    assert [c for p in streamed for c in p.changes] == [change_pb(c) for p in one_process for c in p.changes]
