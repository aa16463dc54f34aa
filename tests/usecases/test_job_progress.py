"""A running job publishes its progress (for the metrics) and stops after its current batch
when asked (for draining), resumable from there."""

import datetime as dt
import threading

from cocontroller.model import Correction, Scope
from support import copy_database, make_app, query

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = dt.datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


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
    (processed, status, cursor), = query(tmp_path / "db.sqlite",
                                         "SELECT processed, status, cursor FROM reassign_jobs WHERE id = 'job'")
    assert (processed, status) == (20, "running") and cursor

    *_, resumed = app.reassign.run("job", Scope(), False, "test", 10, AT, 1)
    assert resumed.finished and resumed.processed_before == 20
    assert (resumed.processed, resumed.changed) == (expected.processed, expected.changed)
    assert ([c.customer_id for c in app.audit.assignment_changes(job_id="job").items]
            == [c.customer_id for c in reference.audit.assignment_changes(job_id="job").items])


def test_a_resumed_jobs_summary_covers_its_earlier_runs(tmp_path):
    """The per-dealer summary of an applied job comes from what it stored, so a job stopped
    and resumed reports what an uninterrupted one does."""
    app = make_app(tmp_path / "a.sqlite")
    app.synthetic.generate(300, seed=9, now=AT)
    *_, first = app.reassign.run("everyone", Scope(), False, "test", 1000, AT, 1)
    app.network.close_dealer("dlr-gent", dt.date(2026, 11, 3), "test",
                             Correction("the test's fixed closure day", True))
    app.store.close()
    copy_database(tmp_path / "a.sqlite", tmp_path / "b.sqlite")
    whole = make_app(tmp_path / "b.sqlite")
    *_, uninterrupted = whole.reassign.run("again", Scope(), False, "test", 1000, LATER, 1)
    app = make_app(tmp_path / "a.sqlite")
    stop = threading.Event()
    for _ in app.reassign.run("again", Scope(), False, "test", 10, LATER, 1, stop=stop):
        stop.set()
    *_, resumed = app.reassign.run("again", Scope(), False, "test", 10, LATER, 1)
    assert first.finished and resumed.finished and resumed.resumed and resumed.processed_before == 10
    assert sum(p.customers for p in uninterrupted.summary) == uninterrupted.changed > 5
    assert resumed.summary == uninterrupted.summary
    again = list(app.reassign.run("again", Scope(), False, "test", 10, LATER, 1))
    assert len(again) == 1 and again[0].summary == uninterrupted.summary
