"""PostgreSQL under the same repositories as SQLite: one connection per thread from a pool,
the repositories' SQL (written with SQLite's `?` and `:name` placeholders) turned into
psycopg's, and transactions that serialise writers across every process on the database
with a transaction-level advisory lock, as SQLite's one writer does within a file.

Why the same SQL: both backends hold instants and days as fixed-width ISO text and numbers
as 64-bit integers and doubles, so a repository's statement means the same on both. The
few statements that cannot be shared (SQLite's JSON functions, its schema tables) ask
`Database.dialect`.
"""

import functools
import importlib.resources
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence

import psycopg
from psycopg import conninfo
from psycopg.errors import DuplicateDatabase
from psycopg.sql import SQL, Identifier
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool

from ..errors import FailedPrecondition
from .db import PagedReads
from .dialect import POSTGRES

log = logging.getLogger(__name__)

# Every writer of the database takes this lock for its transaction: what SQLite's
# BEGIN IMMEDIATE gives, across replicas. The schema's next_id takes it too (1668244335).
WRITE_LOCK = 0x636F636F  # "coco"
# The advisory locks (this number, a process's id) each process holds while it runs.
_INSTANCES = 0x636F7072  # "copr"
_MIGRATIONS_TABLE = "_cocontroller_migrations"
# Notifications between the processes on one database: a channel per topic.
_CHANNEL = "cocontroller_"
_LISTEN_POLL_S = 0.5
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_INSERT = re.compile(r"^\s*INSERT INTO (\w+)", re.IGNORECASE)
# Tables whose id the database gives (next_id in the schema): an INSERT into one returns it.
IDENTITY_TABLES = frozenset({
    "dealer_versions", "preferences", "assignments", "consents", "disputes", "network_changes",
    "contract_history", "rule_pack_swaps", "customer_history", "objections", "notices",
})


@functools.lru_cache(maxsize=4096)
def placeholders(sql: str) -> str:
    """SQLite's placeholders as psycopg's, a literal % doubled."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%")).replace("?", "%s")


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, bool]:
    """The statement for psycopg, and whether it is an INSERT whose new id the caller may
    read (`lastrowid`): such an INSERT returns it."""
    insert = _INSERT.match(sql)
    wants_id = bool(insert and insert.group(1) in IDENTITY_TABLES and "RETURNING" not in sql.upper())
    return placeholders(sql) + (" RETURNING id" if wants_id else ""), wants_id


class Cursor:
    """What the repositories use of sqlite3's cursor."""

    def __init__(self, cursor: psycopg.Cursor, wants_id: bool):
        self._cursor = cursor
        self._wants_id = wants_id
        self._id: int | None = None

    @property
    def lastrowid(self) -> int | None:
        if self._wants_id and self._id is None:
            self._id = self._cursor.fetchone()[0]
        return self._id

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self):
        return self._cursor.description

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self) -> list:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator:
        return iter(self._cursor)


class Connection:
    """What the repositories use of sqlite3's connection, over a psycopg one in autocommit
    mode: transactions are begun and ended by statements, as with SQLite."""

    def __init__(self, conn: psycopg.Connection):
        self.raw = conn

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence | dict = ()) -> Cursor:
        text, wants_id = translate(sql)
        return Cursor(self.raw.execute(text, params or None, prepare=None), wants_id)

    def executemany(self, sql: str, rows) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(placeholders(sql), list(rows))


class PostgresDatabase(PagedReads):
    dialect = POSTGRES

    def __init__(self, url: str, create: bool = False):
        self.path = url
        _reach(url, create)
        # This process, in its notifications (so that it does not act on its own) and in its
        # job claims: the host and pid say which replica holds a batch.
        self._self = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:12]}"
        self._local = threading.local()
        self._instance_conn: psycopg.Connection | None = None
        self._instance_lock = threading.Lock()
        self._pool = ConnectionPool(url, min_size=1, max_size=32, open=True,
                                    kwargs={"autocommit": True}, name="cocontroller")

    @property
    def conn(self) -> Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.raw.closed:
            conn = self._local.conn = Connection(self._pool.getconn())
        return conn

    def execute(self, sql: str, params=()) -> Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params=()) -> list[dict]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def runs_inline(self) -> bool:
        """Never: every statement is a round trip the server's event loop must not wait for."""
        return False

    def on_event_loop(self) -> None:
        """Nothing to mark: no call runs its statements on the event loop (runs_inline)."""

    def transaction(self) -> "_Transaction":
        """BEGIN and the write lock ... COMMIT, or ROLLBACK on error: one writer at a time
        across every process, no lost updates. Nested use joins the outer transaction."""
        return _Transaction(self.conn, write=True)

    def locking(self) -> "_Transaction":
        """A read-committed transaction without the write lock: it locks only the rows it
        names (`dialect.for_update`, `dialect.skip_locked`), so processes claiming a job's
        batches do not wait for the writers, nor for each other. Nested use joins the outer
        transaction."""
        return _Transaction(self.conn, write=False, isolation="READ COMMITTED")

    def snapshot(self) -> "_Transaction":
        """A repeatable-read transaction: every read inside sees the database as of its
        first read. Nested use joins the outer transaction."""
        return _Transaction(self.conn, write=False, isolation="REPEATABLE READ")

    def empty_log(self, attempts: int = 50, pause_s: float = 0.02) -> bool:
        """PostgreSQL keeps no log a reader could hold back: the erased rows' space is
        reclaimed by VACUUM (autovacuum, or `VACUUM` after a large erasure)."""
        return True

    def migrate(self) -> None:
        """Applies the pending schema files of store/pg/ in name order, under the write lock
        so that two replicas starting together do not race."""
        with self.transaction():
            self.conn.execute(f"CREATE TABLE IF NOT EXISTS {_MIGRATIONS_TABLE}"
                              " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            applied = {row[0] for row in self.conn.execute(f"SELECT name FROM {_MIGRATIONS_TABLE}")}
            for name, sql in _schema_files():
                if name in applied:
                    continue
                self.conn.raw.execute(sql)
                self.conn.execute(f"INSERT INTO {_MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                                  [name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())])

    def checkpoint_apart(self, stop: threading.Event) -> None:
        """PostgreSQL checkpoints by itself, apart from the sessions that commit."""

    def notify(self, topic: str) -> None:
        """Tells every process listening on the database that `topic` changed (at the commit
        of the transaction this runs in, or at once outside one)."""
        self.conn.execute("SELECT pg_notify(?, ?)", [_CHANNEL + topic, self._self])

    def listen(self, topics: Sequence[str], heard: Callable[[str], None], stop: threading.Event) -> None:
        """Calls `heard(topic)` for each notification of `topics` by another process until
        `stop` is set, on a connection of its own (it waits; a lost one is made again)."""
        while not stop.is_set():
            try:
                with psycopg.connect(self.path, autocommit=True) as conn:
                    for topic in topics:
                        conn.execute(f'LISTEN "{_CHANNEL + topic}"')
                    while not stop.is_set():
                        for message in conn.notifies(timeout=_LISTEN_POLL_S):
                            if message.payload != self._self:
                                heard(message.channel.removeprefix(_CHANNEL))
            except psycopg.OperationalError:
                log.warning("lost the database's notifications; listening again", exc_info=True)
                stop.wait(_LISTEN_POLL_S)

    @property
    def instance(self) -> str:
        """This process among those on the database: while it runs, it holds a session
        advisory lock of its own on a connection of its own, which `alive` probes."""
        with self._instance_lock:
            if self._instance_conn is None or self._instance_conn.closed:
                self._instance_conn = psycopg.connect(self.path, autocommit=True)
                self._instance_conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [_INSTANCES, self._self])
        return self._self

    def alive(self, instance: str) -> bool:
        """Whether the process `instance` names still holds its lock: a process that died,
        or lost its connection, let go of it."""
        if instance == self._self:
            return True
        taken = self.conn.execute("SELECT pg_try_advisory_lock(?, hashtext(?))", [_INSTANCES, instance]).fetchone()[0]
        if taken:
            self.conn.execute("SELECT pg_advisory_unlock(?, hashtext(?))", [_INSTANCES, instance])
        return not taken

    def applied_migrations(self) -> list[str]:
        return [row[0] for row in self.conn.execute(f"SELECT name FROM {_MIGRATIONS_TABLE} ORDER BY name")]

    def close(self) -> None:
        """Returns this thread's connection to the pool."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            self._pool.putconn(conn.raw)

    def close_pool(self) -> None:
        self.close()
        self._pool.close()
        with self._instance_lock:
            if self._instance_conn is not None:
                self._instance_conn.close()
                self._instance_conn = None


class _Transaction:
    def __init__(self, conn: Connection, write: bool, isolation: str = "READ COMMITTED"):
        self.conn = conn
        self.write = write
        self.isolation = isolation
        self.outer = False

    def __enter__(self) -> Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            if self.write:
                self.conn.raw.execute("BEGIN")
                self.conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            else:
                self.conn.raw.execute(f"BEGIN ISOLATION LEVEL {self.isolation}")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            self.conn.raw.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _reach(url: str, create: bool) -> None:
    """Connects once before the pool does, so that a database that is missing or out of reach
    is a clear error at once, not the pool's timeout half a minute later. A missing database
    is created when `create` (`cocontroller init`; it needs the right to CREATE DATABASE)."""
    info = conninfo.conninfo_to_dict(url)
    name = info.get("dbname", "")
    where = f"PostgreSQL database {name!r} on {info.get('host') or 'localhost'}"
    try:
        psycopg.connect(url, connect_timeout=10).close()
        return
    except psycopg.OperationalError as e:
        missing = getattr(e, "sqlstate", None) == "3D000" or f'database "{name}" does not exist' in str(e)
        if not missing:
            raise FailedPrecondition(f"cannot reach {where}: {str(e).strip().splitlines()[-1]}") from None
    if not create:
        raise FailedPrecondition(f"{where} does not exist; `cocontroller init` creates it (with the right to"
                                 " CREATE DATABASE) or create it yourself")
    maintenance = conninfo.make_conninfo(url, dbname="postgres")
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
            conn.execute(SQL("CREATE DATABASE {}").format(Identifier(name)))
    except DuplicateDatabase:
        pass  # another init made it meanwhile
    except psycopg.Error as e:
        raise FailedPrecondition(f"cannot create {where}: {str(e).strip().splitlines()[-1]}") from None


def _schema_files() -> list[tuple[str, str]]:
    files = importlib.resources.files("cocontroller.store") / "pg"
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".sql"))
