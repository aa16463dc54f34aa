"""The server-side commands of the CLI: serve, init, checking rule packs, the arrangement and
the record of processing, synthetic data and local re-assignment jobs. The client CLI loads this module by name only when such a command
runs, so client commands never import the server."""

import contextlib
import dataclasses
import datetime as dt
import fcntl
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from . import bootstrap, clock, logs
from .config import Settings
from .errors import FailedPrecondition, RulePackError
from .model import (
    Arrangement, CaseResult, Change, FidesSystem, InitResult, JobProgress, Language, PackInfo, Ropa, Scope,
    SweepProgress,
)
from .store.dialect import is_url
from .usecases.packs import check_packs as _check_packs
from .usecases.packs import arrangement_of, fides_system_of, ropa_of, run_pack_cases

log = logging.getLogger("cocontroller")
SWITCH_INTERVAL_S = 0.0005


def serve(settings: Settings) -> None:
    """Serves until SIGINT or SIGTERM, then drains (see api/operations.py): health says
    NOT_SERVING, a running job stops after its batch, calls in flight get the rest of
    `shutdown_grace`. SIGHUP reloads the rule packs. Metrics on `metrics_port` unless 0.
    Refuses a database that does not exist or that another server holds, and a port that
    is already bound."""
    # Imported here: gRPC, the metrics and the certificates are the server's, and a local
    # job or demo-data would load them for nothing (0.2 s of every such command).
    from .api.operations import Operations
    from .api.server import build_server

    logs.configure(settings.log_format)
    if settings.clock_at:
        _rehearse(settings.clock_at)
    # A heavy call holding the GIL delays each of a lookup's hand-offs by up to the switch
    # interval (5 ms by default); 0.5 ms keeps lookups quick beside heavy calls.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    with _held(settings.db):
        app = bootstrap.build(settings)
        ops = Operations()
        server, bound = build_server(app, f"{settings.host}:{settings.port}", settings.workers, ops)
        try:
            metrics = ops.serve_metrics(settings.host, settings.metrics_port) if settings.metrics_port else None
            health = ops.serve_health(settings.host, settings.health_port)[0] if settings.health_port else None
        except FailedPrecondition:
            server.stop(None)
            raise
        if settings.sweep_hour >= 0:
            ops.sweep_daily(app, settings.sweep_hour)
        ops.run_schedule(app)
        ops.listen(app)
        versions = ", ".join(p.name + "@" + p.version for p in app.packs.in_use().items)
        log.info("cocontroller serving on %s:%d (database %s, rules %s)", settings.host, bound, settings.db, versions)
        if metrics:
            log.info("metrics on http://%s:%d/metrics", settings.host, metrics.port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        signal.signal(signal.SIGHUP, lambda *_: _reload(app))
        stop.wait()
        log.info("stopping: draining for up to %s s", settings.shutdown_grace)
        if ops.drain(server, settings.shutdown_grace):
            log.info("stopped")
        else:
            log.warning("stopped with a job cut short: it resumes from its last committed batch")
        if metrics:
            metrics.close()
        if health:
            health.stop(None)


def _rehearse(instant: str) -> None:
    """Shifts this process's clock to `instant` (settings.clock_at), loudly."""
    try:
        at = clock.parse_instant(instant)
    except ValueError:
        raise FailedPrecondition(f"--clock-at {instant!r} is not an ISO 8601 instant") from None
    clock.shift_to(at)
    log.warning("REHEARSAL: the clock reads %s and runs on from it; scheduled changes due by then are carried "
                "out: serve a copy of the data only", clock.to_text(at))


def init(db: str, demo: bool, settings: Settings | None = None) -> InitResult:
    """Creates a new database (with the fictional demo network when `demo`), then the
    development certificates that are absent in the settings' certs_dir."""
    settings = (settings or Settings.from_env()).with_flags(db=db)
    result = bootstrap.create_database(settings, demo)
    return dataclasses.replace(result, certs=dev_certificates(settings).certs)


def dev_certificates(settings: Settings) -> InitResult:
    """The development CA, server and per-role client certificates that are absent in the
    settings' certs_dir (`init --certs-only`); a database is not touched."""
    from . import certs

    written = certs.create_dev_certificates(settings.certs_dir)
    return InitResult("", 0, False, tuple(str(p) for p in written))


def check_packs(rules_dir: str | None) -> list[PackInfo]:
    return _check_packs(_rules_dir(rules_dir))


def test_packs(rules_dir: str | None) -> list[CaseResult]:
    return run_pack_cases(_rules_dir(rules_dir))


def arrangement(rules_dir: str | None, language: str, day: dt.date | None) -> Arrangement:
    """The arrangement on `day` (today in Brussels by default)."""
    return arrangement_of(_rules_dir(rules_dir), Language(language), day or clock.today())


def ropa(rules_dir: str | None, language: str, day: dt.date | None) -> Ropa:
    """The record of processing (GDPR art. 30) on `day` (today in Brussels by default)."""
    return ropa_of(_rules_dir(rules_dir), Language(language), day or clock.today())


def fides_system(rules_dir: str | None, language: str, day: dt.date | None) -> FidesSystem:
    """That record as a Fides system manifest."""
    return fides_system_of(_rules_dir(rules_dir), Language(language), day or clock.today())


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


def sweep_local(db: str, job_id: str, dry_run: bool, batch_size: int, at: dt.datetime | None,
                workers: int | None) -> Iterator[SweepProgress]:
    """A retention sweep run in this process against `db` (see RetentionSweep.run)."""
    app = bootstrap.build(Settings.from_env().with_flags(db=db))
    yield from app.sweep.run(job_id, dry_run, "cli:local", batch_size, at, workers=workers)


def stored_job_changes(db: str, job_id: str) -> list[Change]:
    """Every change an applied job has stored, by customer: what a resumed job's changes
    file adds to its last run's."""
    app = bootstrap.build(Settings.from_env().with_flags(db=db))
    try:
        return [
            Change(r.customer_id, r.previous_dealer_id, r.dealer_id, r.previous_basis, r.basis, r.explanation)
            for r in app.audit.assignment_changes(job_id=job_id).items
        ]
    finally:
        app.store.close()


def _rules_dir(rules_dir: str | None) -> Path:
    return bootstrap.rules_dir(Settings.from_env().with_flags(rules_dir=Path(rules_dir) if rules_dir else None))


@contextlib.contextmanager
def _held(db: str, why: str = "another server is using it"):
    """Holds the database file for this process (an exclusive flock, released when the
    process ends however it ends); refuses a file that does not exist or another holds. A
    PostgreSQL database is shared by any number of servers: nothing to hold."""
    if is_url(db):
        yield
        return
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
    # The use case logs the reload or why it was refused; the previous versions keep serving.
    with contextlib.suppress(RulePackError):
        app.packs.reload()
