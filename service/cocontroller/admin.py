"""The server-side commands of the CLI: serve, init, checking rule packs, synthetic data and
local re-assignment jobs. The client CLI loads this module by name only when such a command
runs, so client commands never import the server."""

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from . import bootstrap
from .api.server import build_server
from .config import Settings
from .errors import FailedPrecondition, RulePackError
from .model import CaseResult, InitResult, JobProgress, PackInfo, Scope
from .usecases.packs import check_packs as _check_packs
from .usecases.packs import run_pack_cases

log = logging.getLogger("cocontroller")


def serve(settings: Settings) -> None:
    """Serves until SIGINT or SIGTERM, then drains calls in flight for up to 5 seconds.
    SIGHUP reloads the rule packs. Refuses a database that does not exist or that another
    server holds, and a port that is already bound."""
    _configure_logging(settings.log_format)
    with _held(settings.db):
        app = bootstrap.build(settings)
        server, bound = build_server(app, f"{settings.host}:{settings.port}", settings.workers)
        versions = ", ".join(p.name + "@" + p.version for p in app.packs.in_use().items)
        log.info("cocontroller serving on %s:%d (database %s, rules %s)", settings.host, bound, settings.db, versions)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        signal.signal(signal.SIGHUP, lambda *_: _reload(app))
        stop.wait()
        log.info("stopping")
        server.stop(grace=5).wait()


def init(db: str, demo: bool, settings: Settings | None = None) -> InitResult:
    """Creates a new database (with the fictional demo network when `demo`)."""
    settings = (settings or Settings.from_env()).with_flags(db=db)
    return bootstrap.create_database(settings, demo)


def check_packs(rules_dir: str | None) -> list[PackInfo]:
    return _check_packs(_rules_dir(rules_dir))


def test_packs(rules_dir: str | None) -> list[CaseResult]:
    return run_pack_cases(_rules_dir(rules_dir))


def demo_data(db: str, customers: int, seed: int,
              progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Synthetic customers written into `db`, which must exist and be held by no server."""
    with _held(db, "demo-data writes only to a database no server is using"):
        app = bootstrap.build(Settings.from_env().with_flags(db=db))
        return app.synthetic.generate(customers, seed, progress=progress)


def reassign_local(db: str, job_id: str, scope: Scope, dry_run: bool, batch_size: int,
                   at: dt.datetime | None, workers: int | None) -> Iterator[JobProgress]:
    """A re-assignment job run in this process against `db` (see ReassignService.run)."""
    app = bootstrap.build(Settings.from_env().with_flags(db=db))
    yield from app.reassign.run(job_id, scope, dry_run, "cli:local", batch_size, at, workers)


def _rules_dir(rules_dir: str | None) -> Path:
    return bootstrap.rules_dir(Settings.from_env().with_flags(rules_dir=Path(rules_dir) if rules_dir else None))


@contextlib.contextmanager
def _held(db: str, why: str = "another server is using it"):
    """Holds the database file for this process (an exclusive flock, released when the
    process ends however it ends); refuses a file that does not exist or another holds."""
    if not Path(db).exists():
        raise FailedPrecondition(f"database {db} does not exist; create it with `cocontroller init --db {db}`")
    fd = os.open(db, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FailedPrecondition(f"database {db} is held by a running server: {why}") from None
        yield
    finally:
        os.close(fd)


def _reload(app: bootstrap.App) -> None:
    try:
        packs = app.packs.reload()
        log.info("rule packs reloaded: %s", ", ".join(p.name + "@" + p.version for p in packs))
    except RulePackError as e:
        log.error("rule packs not reloaded, the previous versions keep serving: %s", e)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        })


def _configure_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
