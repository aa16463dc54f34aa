"""Writers of one SQLite file queue on one lock across processes (store/writer_lock.py): a
writer in another process holds it back, the event loop is refused at once, a waiting
writer gets in when the other commits, and a writer that dies lets the others in."""

import logging
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import support
from cocontroller.store.db import WriterBusy
from cocontroller.store.writer_lock import WriterLock
from test_event_loop_writes import on_the_loop, write_customer

pytestmark = pytest.mark.sqlite_only

# A process writing to the database: it holds a write transaction until told to commit.
_HOLDER = textwrap.dedent("""
    import sys
    from cocontroller.store.db import Database
    db = Database(sys.argv[1])
    with db.transaction() as conn:
        conn.execute("CREATE TABLE held (x)")
        print("writing", flush=True)
        sys.stdin.readline()
    print("committed", flush=True)
""")


@pytest.fixture
def app(tmp_path):
    made = support.make_app(tmp_path / "lock.db")
    yield made
    made.store.close()


@pytest.fixture
def holder(app):
    """Another process in a write transaction on the app's database."""
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(app.settings.db)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    yield process
    process.kill()
    process.wait(10)


def test_the_event_loop_is_refused_while_another_process_writes(app, holder):
    outcome = on_the_loop(app, write_customer(app, "beside-a-writer"))
    assert isinstance(outcome.get("error"), WriterBusy)


def test_a_lock_held_by_another_process_is_not_taken(app, holder):
    lock = WriterLock(str(app.settings.db))
    assert lock.acquire(blocking=False) is False
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        lock.acquire(timeout_s=0.2)
    assert not lock.locked()


def test_a_waiting_writer_gets_in_when_the_other_process_commits(app, holder):
    lock = WriterLock(str(app.settings.db))
    holder.stdin.write("commit\n")
    holder.stdin.flush()
    assert lock.acquire(timeout_s=20)
    lock.release()
    assert holder.stdout.readline().strip() == "committed"
    assert support.query(app.settings.db, "SELECT count(*) FROM sqlite_master WHERE name = 'held'") == [(1,)]


def test_a_writer_that_dies_lets_the_others_in(app, holder):
    lock = WriterLock(str(app.settings.db))
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    assert lock.acquire(timeout_s=20)
    lock.release()
    with app.store.transaction():
        pass
    assert support.query(app.settings.db, "SELECT count(*) FROM sqlite_master WHERE name = 'held'") == [(0,)]


def test_without_a_lock_file_writers_still_queue_among_threads(tmp_path, caplog):
    lock = WriterLock(str(tmp_path / "absent" / "db.sqlite"))
    with caplog.at_level(logging.WARNING):
        assert lock.acquire(blocking=False)
    assert "cannot open the write lock" in caplog.text
    assert lock.acquire(blocking=False) is False
    lock.release()
    assert lock.acquire(blocking=False)
    lock.release()
