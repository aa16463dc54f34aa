"""The SQLite database: one connection per thread, WAL, foreign keys, and transactions
that queue writers on a lock (writer_lock.py).

WAL lets readers run beside the one writer. sqlite3 connections must not be shared between
threads, so each thread gets its own.
"""

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from ..errors import InvalidArgument
from ..model import Page, PageRequest
from .dialect import SQLITE
from .migrations import MIGRATIONS
from .writer_lock import WriterLock

T = TypeVar("T")

log = logging.getLogger(__name__)


class WriterBusy(sqlite3.OperationalError):
    """Another writer holds the database, and the calling thread does not wait for it (the
    server's event loop, `Database.on_event_loop`): nothing was done, the caller may run the
    work where waiting is allowed."""


class PagedReads:
    """What both backends' databases share: rows as dicts and keyset pages of them."""

    def rows(self, sql: str, params=()) -> list[dict]:
        raise NotImplementedError

    def keyset_page(self, select: str, params: list, keys: tuple[str, str], page: PageRequest | None,
                    from_row: Callable[[dict], T], id_type: type = int, descending: bool = False) -> Page[T]:
        """Keyset pagination (AIP-158) of `select` (which ends in its WHERE clause) ordered by
        two columns, the second unique: the cursor is the last row's two values joined by
        "|" (ids never hold one); all rows without a page."""
        direction, compare = ("DESC", "<") if descending else ("ASC", ">")
        order = f" ORDER BY {keys[0]} {direction}, {keys[1]} {direction}"
        if page is None:
            return Page(tuple(from_row(row) for row in self.rows(select + order, params)))
        if page.after:
            first, _, second = page.after.rpartition("|")
            try:
                last = id_type(second)
            except ValueError:
                raise InvalidArgument.of("page_token", "is not a token this list gave") from None
            select += f" AND ({keys[0]}, {keys[1]}) {compare} (?, ?)"
            params = [*params, first, last]
        rows = self.rows(f"{select}{order} LIMIT {page.size + 1}", params)
        items = tuple(from_row(row) for row in rows[:page.size])
        if len(rows) <= page.size:
            return Page(items)
        last_row = rows[page.size - 1]
        return Page(items, f"{last_row[keys[0]]}|{last_row[keys[1]]}")


_CHECKPOINT_PAGES = 4_000
# How often a server's checkpoint thread copies the log into the file (seconds), and the
# log's length (pages, 64 MB) at which it copies the rest holding the write lock. Under a
# lead load short of saturation the log is copied whole between two commits and the lock is
# never taken; at saturation about once a second. Each time, the event loop hands its
# writes to a worker for a few milliseconds, so a smaller bound costs throughput.
_CHECKPOINT_EVERY_S = 0.5
_LOG_MOST_PAGES = 16_000


def _as_is(value):
    return value


# NULL and BLOB parameters bound as they are, found in sqlite3's table of adapters: sqlite3
# binds int, float and str directly but looks every other value up in that table, then
# asks the value's type and the value for `__adapt__` and `__conform__`, each a raised and
# swallowed AttributeError (a lead binds a few NULLs and a BLOB: 1 % of its instructions).
# The same for every connection of the process, and the values are unchanged.
sqlite3.register_adapter(type(None), _as_is)
sqlite3.register_adapter(bytes, _as_is)


class Database(PagedReads):
    dialect = SQLITE

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._local = threading.local()
        # SQLite makes a blocked writer sleep and poll; writers of this process and of the
        # others on the file queue here instead (writer_lock.py).
        self._write_lock = WriterLock(None if self.path == ":memory:" else self.path)
        # The log's pages after which a committing connection copies the log into the file
        # itself; 0 once a thread of its own does it (`checkpoint_apart`).
        self._autocheckpoint = _CHECKPOINT_PAGES

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # The event loop's connection never sleeps in SQLite's busy handler (on_event_loop).
            conn = sqlite3.connect(self.path, timeout=30 if self._waits() else 0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # The log is copied into the file (and synced) every 4,000 pages (16 MB), not
            # SQLite's 1,000: the hot pages (an index's last leaf) are copied a quarter as
            # often, and each copy runs in a committing call. Measured on CreateLead: 30-50 µs
            # a lead less; 10,000 gained no more and stalled its committer 2.5 times longer
            # (docs/performance.md).
            conn.execute(f"PRAGMA wal_autocheckpoint={self._autocheckpoint}")
            conn.execute("PRAGMA foreign_keys=ON")
            # What is deleted is overwritten with zeros, not left in free space: an erased
            # customer must not survive in the file's bytes (GDPR art. 17).
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn = conn
        return conn

    @property
    def utils(self) -> sqlite_utils.Database:
        """The thread's connection seen through sqlite-utils (migrations, table names)."""
        db = getattr(self._local, "utils", None)
        if db is None:
            db = self._local.utils = sqlite_utils.Database(self.conn)
        return db

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params=()) -> list[dict]:
        """Rows as dicts, for the repositories to turn into model values. sqlite-utils'
        query() does the same with more checks; this is the hot path of every request."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def runs_inline(self) -> bool:
        """Whether a short call's statements can run on the server's event loop: no thread of
        this process is writing, so none of them waits for the write lock."""
        return not self._write_lock.locked()

    def _waits(self) -> bool:
        """Whether the calling thread waits for another writer: all but the event loop."""
        return not getattr(self._local, "on_event_loop", False)

    def on_event_loop(self) -> None:
        """Marks the calling thread as the server's event loop, which must never wait for
        another writer: a write transaction there raises WriterBusy at once while a thread
        of this process or another process writes."""
        self._local.on_event_loop = True
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.execute("PRAGMA busy_timeout=0")

    def transaction(self) -> "_Transaction":
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error: one writer, no lost updates.
        Nested use joins the outer transaction."""
        return _Transaction(self.conn, self._write_lock, self._waits())

    def locking(self) -> "_Transaction":
        """A transaction that locks only the rows it names (`dialect.for_update`,
        `dialect.skip_locked`): on SQLite, whose one writer excludes every other, the
        ordinary write transaction."""
        return self.transaction()

    def snapshot(self) -> "_Snapshot":
        """A read transaction: every read inside sees the database as of its first read (WAL
        keeps that state for it), so reads of several tables agree. Nested use joins the
        outer transaction."""
        return _Snapshot(self.conn)

    def empty_log(self, attempts: int = 50, pause_s: float = 0.02) -> bool:
        """Copies the write-ahead log into the database file and truncates it to nothing, so
        bytes overwritten since (an erasure) survive in neither. A reader still using the log
        holds it back: tried `attempts` times, then False (the next call finishes it)."""
        for _ in range(attempts):
            busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(pause_s)
        return False

    def checkpoint_apart(self, stop: threading.Event, every_s: float = _CHECKPOINT_EVERY_S,
                         most_pages: int = _LOG_MOST_PAGES) -> threading.Thread:
        """Starts a thread that copies the log into the database file every `every_s` until
        `stop` is set; the connections this process opens from now on no longer do it in
        their commits. SQLite's own checkpoint runs in the commit that crosses its threshold
        and syncs the log and the file there: on the server's one event loop that stopped
        every call for 10-50 ms every few hundred leads (docs/performance.md).

        A checkpoint beside the writers cannot copy what they append meanwhile, and SQLite
        starts the log again from its beginning only once all of it is copied. Under steady
        writes that moment may never come, so once the log holds `most_pages` the rest is
        copied holding the process's write lock: its writers wait a few milliseconds (the
        event loop hands its writes to a worker meanwhile) and the next commit starts the
        log again."""
        self._autocheckpoint = 0
        thread = threading.Thread(target=self._checkpoints, args=(stop, every_s, most_pages),
                                  name="checkpoints", daemon=True)
        thread.start()
        return thread

    def _checkpoints(self, stop: threading.Event, every_s: float, most_pages: int) -> None:
        try:
            while not stop.wait(every_s):
                try:
                    _, pages, _ = self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if pages >= most_pages:
                        with self._write_lock:
                            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    log.exception("could not copy the log into the database file; trying again in a second")
                    stop.wait(1.0)
        finally:
            self.close()

    @property
    def instance(self) -> str:
        """This process among those on the database, as `alive` knows it: host and pid."""
        return f"{socket.gethostname()}/{os.getpid()}"

    def alive(self, instance: str) -> bool:
        """Whether the process `instance` names still runs. A SQLite file is shared on one
        host, where a pid that exists is taken as alive (a reused one only delays taking
        over its claims until they expire); another host cannot be told, so it is alive."""
        host, _, pid = instance.rpartition("/")
        if host != socket.gethostname() or not pid.isdigit():
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def notify(self, topic: str) -> None:
        """One server holds a SQLite file: there is no other process to tell."""

    def listen(self, topics, heard, stop: threading.Event) -> None:
        """One server holds a SQLite file: nothing is heard."""

    def migrate(self) -> None:
        """Applies the pending migrations; BEGIN IMMEDIATE keeps two processes from racing."""
        with self.transaction():
            MIGRATIONS.apply(self.utils)

    def applied_migrations(self) -> list[str]:
        return [m.name for m in MIGRATIONS.applied(self.utils)]

    def close(self) -> None:
        """Closes this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.utils = None


class _Transaction:
    def __init__(self, conn: sqlite3.Connection, lock: WriterLock, waits: bool):
        self.conn = conn
        self.lock = lock
        self.waits = waits
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            if not self.lock.acquire(blocking=self.waits):
                raise WriterBusy("another thread or process is writing")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                self.lock.release()
                if not self.waits and e.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                    raise WriterBusy("another process is writing") from e
                raise
            except BaseException:
                self.lock.release()
                raise
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            try:
                if exc_type:
                    self.conn.execute("ROLLBACK")
                else:
                    try:
                        self.conn.execute("COMMIT")
                    except BaseException:
                        # A COMMIT refused by a deferred foreign key leaves the transaction
                        # open: ended here, or the thread's next transaction would join it.
                        if self.conn.in_transaction:
                            self.conn.execute("ROLLBACK")
                        raise
            finally:
                self.lock.release()
        return False


class _Snapshot:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN DEFERRED")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
