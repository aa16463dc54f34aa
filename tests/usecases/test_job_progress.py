"""A running job publishes its progress (for the metrics) and stops after its current batch
when asked (for draining), resumable from there."""

import contextlib
import datetime as dt
import sqlite3
import threading

from cocontroller.model import Scope
from support import make_app

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_running_job_is_published_until_it_ends(tmp_path):
    app = make_app(tmp_path / "db.sqlite")
    app.synthetic.generate(30, seed=3, now=AT)
    seen = []
    for progress in app.reassign.run("watched", Scope(), False, "test", 10, AT, 1):
        seen.append(dict(app.reassign.running))
        last = progress
    assert last.finished and last.processed == 30
    assert [s["watched"].processed for s in seen] == [10, 20, 30, 30]
    assert app.reassign.running == {}


def test_a_job_closed_early_is_no_longer_published(tmp_path):
    app = make_app(tmp_path / "db.sqlite")
    app.synthetic.generate(30, seed=3, now=AT)
    job = app.reassign.run("abandoned", Scope(), True, "test", 10, AT, 1)
    next(job)
    assert set(app.reassign.running) == {"abandoned"}
    job.close()
    assert app.reassign.running == {}


def test_a_stopped_job_ends_after_its_batch_and_resumes_to_the_same_end(tmp_path):
    app = make_app(tmp_path / "db.sqlite")
    app.synthetic.generate(50, seed=5, now=AT)
    reference = make_app(tmp_path / "reference.sqlite")
    reference.synthetic.generate(50, seed=5, now=AT)
    *_, expected = reference.reassign.run("job", Scope(), False, "test", 10, AT, 1)

    stop = threading.Event()
    stopped = []
    for progress in app.reassign.run("job", Scope(), False, "test", 10, AT, 1, stop=stop):
        stopped.append(progress)
        if progress.processed == 20:
            stop.set()
    assert [p.processed for p in stopped] == [10, 20] and not stopped[-1].finished
    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite")) as conn:
        processed, status, cursor = conn.execute(
            "SELECT processed, status, cursor FROM reassign_jobs WHERE id = 'job'").fetchone()
    assert (processed, status) == (20, "running") and cursor

    *_, resumed = app.reassign.run("job", Scope(), False, "test", 10, AT, 1)
    assert resumed.finished and resumed.processed_before == 20
    assert (resumed.processed, resumed.changed) == (expected.processed, expected.changed)
    assert ([c.customer_id for c in app.audit.assignment_changes(job_id="job").items]
            == [c.customer_id for c in reference.audit.assignment_changes(job_id="job").items])
