"""The server's event loop never waits for a writer (store/db.py, `on_event_loop`): a write
transaction there that finds another writer, a thread of this process or another process,
raises WriterBusy at once, having done nothing; any other thread waits as before."""

import sqlite3
import threading
import time

import pytest

import support
from cocontroller.store.db import WriterBusy

pytestmark = pytest.mark.sqlite_only


def on_the_loop(app, work):
    """`work()` on a thread marked as the event loop: what it returned or raised, and how long
    it took."""
    outcome = {}

    def run():
        app.store.on_event_loop()
        started = time.monotonic()
        try:
            outcome["value"] = work()
        except Exception as e:  # noqa: BLE001 - the outcome under test
            outcome["error"] = e
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    return outcome


@pytest.fixture
def app(tmp_path):
    made = support.make_app(tmp_path / "loop.db")
    yield made
    made.store.close()


def write_customer(app, customer_id: str):
    return lambda: app.customers.upsert(customer_id, "9000")


def test_a_write_beside_another_thread_s_write_is_refused_at_once(app):
    inside, release = threading.Event(), threading.Event()

    def hold():
        with app.store.transaction():
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    try:
        outcome = on_the_loop(app, write_customer(app, "beside-a-thread"))
    finally:
        release.set()
        holder.join(10)
    assert isinstance(outcome.get("error"), WriterBusy)
    assert outcome["seconds"] < 1
    assert support.query(app.settings.db, "SELECT count(*) FROM customers WHERE id = 'beside-a-thread'") == [(0,)]


def test_a_write_beside_another_process_s_write_is_refused_at_once(app):
    other = sqlite3.connect(app.settings.db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        outcome = on_the_loop(app, write_customer(app, "beside-a-process"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert isinstance(outcome.get("error"), WriterBusy)
    assert outcome["seconds"] < 1
    assert support.query(app.settings.db, "SELECT count(*) FROM customers WHERE id = 'beside-a-process'") == [(0,)]


def test_the_loop_writes_when_no_one_else_does(app):
    outcome = on_the_loop(app, write_customer(app, "alone"))
    assert "error" not in outcome
    assert support.query(app.settings.db, "SELECT count(*) FROM customers WHERE id = 'alone'") == [(1,)]


def test_any_other_thread_waits_for_the_writer_before_it(app):
    other = sqlite3.connect(app.settings.db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: (other.execute("ROLLBACK"), other.close())).start()
    started = time.monotonic()
    app.customers.upsert("after-the-other", "9000")
    assert time.monotonic() - started >= 0.25
    assert support.query(app.settings.db, "SELECT count(*) FROM customers WHERE id = 'after-the-other'") == [(1,)]
