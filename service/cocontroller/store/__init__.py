"""The SQLite store, split by aggregate: customers and decision snapshots, facts and their
rectification, erasure and restriction, the records a sweep reads, assignments and notices,
the dealer network, jobs and the changes scheduled ahead, the rule-pack versions served, and
bulk insert for synthetic data.

Each repository holds all the SQL for its tables, returns model values and raises domain
errors where it finds them. `Store.transaction()` is the unit of work: repository calls made
inside one commit together.
"""

import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import FailedPrecondition
from .assignments import AssignmentRepository
from .bulk import BulkWriter
from .customers import CustomerRepository
from .db import Database
from .erasure import ErasureRepository
from .facts import FactRepository
from .jobs import JobRepository
from .network import NetworkRepository
from .packs import PackVersionRepository
from .dialect import is_url
from .records import RecordBatches
from .requests import RequestRepository
from .rectification import RectificationRepository
from .schedule import ScheduleRepository


# What one server tells the others on a shared database.
PACKS_CHANGED = "packs"
NETWORK_CHANGED = "network"


class Store:
    def __init__(self, path: Path | str, create: bool = False):
        """Opens the database, migrating its schema forward: a SQLite file, or a PostgreSQL
        database named by a `postgresql://` URL (which its server must hold). A file that
        does not exist is created only when `create` says so: a mistyped path must not
        start an empty service."""
        self.path = str(path)
        if is_url(self.path):
            from .postgres import PostgresDatabase  # psycopg loads only for a PostgreSQL store

            self.db = PostgresDatabase(self.path, create)
        else:
            if self.path != ":memory:":
                file = Path(self.path)
                if not file.exists():
                    if not create:
                        raise FailedPrecondition(
                            f"database {self.path} does not exist; create it with `cocontroller init`"
                        )
                    file.parent.mkdir(parents=True, exist_ok=True)
            self.db = Database(self.path)
        self.db.migrate()
        self.customers = CustomerRepository(self.db)
        self.facts = FactRepository(self.db)
        self.rectification = RectificationRepository(self.db, self.facts)
        self.assignments = AssignmentRepository(self.db)
        self.network = NetworkRepository(self.db)
        self.jobs = JobRepository(self.db)
        self.packs = PackVersionRepository(self.db)
        self.bulk = BulkWriter(self.db)
        self.erasure = ErasureRepository(self.db)
        self.records = RecordBatches(self.db)
        self.requests = RequestRepository(self.db)
        self.schedule = ScheduleRepository(self.db)

    def transaction(self):
        return self.db.transaction()

    def runs_inline(self) -> bool:
        """Whether a short call can run on the server's event loop without waiting: on
        SQLite, while no thread of this process writes; never on PostgreSQL, where every
        statement is a round trip."""
        return self.db.runs_inline()

    def on_event_loop(self) -> None:
        """Marks the calling thread as the server's event loop: a write there never waits
        for another writer, it raises WriterBusy at once (store/db.py)."""
        self.db.on_event_loop()

    def checkpoint_apart(self, stop: threading.Event) -> threading.Thread | None:
        """From now on a thread of its own (returned), until `stop`, copies the write-ahead
        log into the database file, not this process's commits (store/db.py); None on
        PostgreSQL, which checkpoints by itself."""
        return self.db.checkpoint_apart(stop)

    def notify(self, topic: str) -> None:
        """Tells the other servers on this database that `topic` changed."""
        self.db.notify(topic)

    def listen(self, heard: Callable[[str], None], stop: threading.Event) -> None:
        """Calls `heard(topic)` when another server on this database changes the rule packs
        or the network, until `stop`; returns at once on SQLite (one server per file)."""
        self.db.listen((PACKS_CHANGED, NETWORK_CHANGED), heard, stop)

    def snapshot(self):
        return self.db.snapshot()

    def close(self) -> None:
        self.db.close()
