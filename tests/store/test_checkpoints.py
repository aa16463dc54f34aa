"""A server copies its SQLite log into the database file from a thread of its own
(store/db.py, `checkpoint_apart`): its commits never do it, the log is copied and started
again even while writes never pause, and the thread ends with the server."""

import os
import sqlite3
import threading
import time

import pytest

from cocontroller.store.db import Database

pytestmark = pytest.mark.sqlite_only

PAGE = 4096
# A row of nearly a page: each commit below adds about three pages to the log (the row's, the
# table's root, the file's header).
ROW = b"x" * 3000


@pytest.fixture
def db(tmp_path):
    made = Database(tmp_path / "log.db")
    made.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)")
    yield made
    made.close()


def log_pages(db: Database) -> int:
    """The pages the log file holds (it is not shortened when SQLite starts it again)."""
    return os.path.getsize(db.path + "-wal") // PAGE


def commit_rows(db: Database, count: int) -> None:
    """`count` commits of one row each, from a thread of its own: a connection opened after
    the checkpoint thread started, as a server's are."""
    def write():
        for _ in range(count):
            with db.transaction():
                db.execute("INSERT INTO rows (body) VALUES (?)", [ROW])
        db.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(60)


def test_commits_leave_the_log_to_the_checkpoint_thread(db):
    stop = threading.Event()
    db.checkpoint_apart(stop, every_s=3600)  # the thread waits: nothing copies the log
    try:
        commit_rows(db, 5_000)
        # SQLite's own checkpoint would have started the log again at 4,000 pages.
        assert log_pages(db) >= 5_000
    finally:
        stop.set()


def test_sqlite_checkpoints_in_the_commits_of_a_process_without_the_thread(db):
    commit_rows(db, 5_000)
    assert log_pages(db) < 4_500


def test_steady_writes_keep_the_log_short_and_the_file_complete(db):
    stop = threading.Event()
    db.checkpoint_apart(stop, every_s=0.005, most_pages=200)
    try:
        commit_rows(db, 5_000)
        # Some 15,000 pages were written: without the pass under the write lock the log
        # would hold them all, the checkpoints never catching up with the writer.
        assert log_pages(db) < 10_000
        time.sleep(0.1)
        # Everything committed is in the database file: the log has nothing left to copy.
        reader = sqlite3.connect(db.path)
        busy, pages, copied = reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, copied) == (0, pages)
        assert reader.execute("SELECT count(*) FROM rows").fetchone() == (5_000,)
        reader.close()
    finally:
        stop.set()


def test_the_thread_ends_when_told(db):
    stop = threading.Event()
    thread = db.checkpoint_apart(stop, every_s=0.01)
    time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
