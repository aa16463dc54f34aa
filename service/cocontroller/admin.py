"""The server-side commands of the CLI: serve, init, checking rule packs, the arrangement and
the record of processing, synthetic data and local re-assignment jobs. The client CLI loads this module by name only when such a command
runs, so client commands never import the server."""

import contextlib
import datetime as dt
import fcntl
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from . import bootstrap, clock, heap, logs, tenants
from .config import Settings
from .errors import AlreadyExists, FailedPrecondition, RulePackError
from .model import (
    Arrangement, CaseResult, Change, FidesSystem, InitReport, JobProgress, Language, PackInfo, Ropa, Scope,
    SweepProgress,
)
from .store.dialect import is_url
from .usecases.packs import check_packs as _check_packs
from .usecases.packs import arrangement_of, fides_system_of, ropa_of, run_pack_cases

log = logging.getLogger("cocontroller")
SWITCH_INTERVAL_S = 0.0005
# Python runs a signal's handler in the main thread, and the kernel may hand SIGTERM or SIGHUP
# to any thread of the server: that only marks it pending, and a main thread blocked in a
# wait never sees it. So `serve` waits in steps of this many seconds and runs what is pending
# between them (tests/api/test_signals.py).
_SIGNALS_SEEN_S = 0.2


def serve(settings: Settings) -> None:
    """Serves until SIGINT or SIGTERM, then drains (see api/operations.py): health says
    NOT_SERVING, a running job stops after its batch, calls in flight get the rest of
    `shutdown_grace`. SIGHUP reloads the rule packs. Metrics on `metrics_port` unless 0.
    Refuses a database that does not exist or that another server holds, and a port that
    is already bound."""
    # Imported here: gRPC, the metrics and the certificates are the server's, and a local
    # job or demo-data would load them for nothing (0.2 s of every such command).
    from .api.apart import Apart
    from .api.operations import Operations
    from .api.server import build_server

    logs.configure(settings.log_format)
    if settings.clock_at:
        _rehearse(settings.clock_at)
    # A heavy call holding the GIL delays each of a lookup's hand-offs by up to the switch
    # interval (5 ms by default); 0.5 ms keeps lookups quick beside heavy calls.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    with contextlib.ExitStack() as held:
        for tenant in tenants.served(settings):
            held.enter_context(_held(tenant.db))
        apps = bootstrap.build_tenants(settings)
        ops = Operations()
        # A start refused below (a port in use) stops the threads started before it.
        held.callback(ops.stopping.set)
        ops.checkpoint_apart(apps)
        ops.apart = Apart.beside(apps, bootstrap.build)
        server, bound = build_server(apps, f"{settings.host}:{settings.port}", settings.workers, ops)
        try:
            metrics = ops.serve_metrics(settings.host, settings.metrics_port) if settings.metrics_port else None
            health = ops.serve_health(settings.host, settings.health_port)[0] if settings.health_port else None
        except FailedPrecondition:
            server.stop(None)
            raise
        # Each tenant's timed work and notifications run on its own application.
        for app in apps.values():
            if settings.sweep_hour >= 0:
                ops.sweep_daily(app, settings.sweep_hour)
            ops.run_schedule(app)
            ops.listen(app)
        ops.compute_distances(apps)
        heap.settle()
        log.info("cocontroller serving on %s:%d (%s)", settings.host, bound, "; ".join(
            f"tenant {tenant}: database {app.settings.db}, rules "
            + ", ".join(p.name + "@" + p.version for p in app.packs.in_use().items) for tenant, app in apps.items()))
        if metrics:
            log.info("metrics on http://%s:%d/metrics", settings.host, metrics.port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        signal.signal(signal.SIGHUP, lambda *_: [_reload(app) for app in apps.values()])
        while not stop.wait(_SIGNALS_SEEN_S):
            pass
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


def init(db: str, demo: bool, settings: Settings | None = None, keep_existing: bool = False) -> InitReport:
    """Creates the database of every tenant served that has none (each with its own fictional
    demo network when `demo`), then the development certificates that are absent in the
    settings' certs_dir. An existing database is left as it is; when every one exists,
    AlreadyExists unless `keep_existing`."""
    settings = (settings or Settings.from_env()).with_flags(db=db)
    served = tenants.served(settings)
    absent = [t for t in served if is_url(t.db) or not Path(t.db).exists()]
    if not absent and not keep_existing:
        raise AlreadyExists(f"database {', '.join(t.db for t in served)} exists; init makes new databases only")
    databases = tuple(bootstrap.create_database(settings, demo, tenant) for tenant in absent)
    return InitReport(databases, dev_certificates(settings).certs)


def dev_certificates(settings: Settings) -> InitReport:
    """The development CA, server and per-role client certificates that are absent in the
    settings' certs_dir (`init --certs-only`); a database is not touched."""
    from . import certs

    written = certs.create_dev_certificates(settings.certs_dir)
    return InitReport((), tuple(str(p) for p in written))


def check_packs(rules_dir: str | None, tenant: str | None = None) -> list[PackInfo]:
    return _check_packs(_rules_dir(rules_dir, tenant))


def test_packs(rules_dir: str | None, tenant: str | None = None) -> list[CaseResult]:
    return run_pack_cases(_rules_dir(rules_dir, tenant))


def arrangement(rules_dir: str | None, language: str, day: dt.date | None, tenant: str | None = None) -> Arrangement:
    """The arrangement on `day` (today in Brussels by default)."""
    return arrangement_of(_rules_dir(rules_dir, tenant), Language(language), day or clock.today())


def ropa(rules_dir: str | None, language: str, day: dt.date | None, tenant: str | None = None) -> Ropa:
    """The record of processing (GDPR art. 30) on `day` (today in Brussels by default)."""
    return ropa_of(_rules_dir(rules_dir, tenant), Language(language), day or clock.today())


def fides_system(rules_dir: str | None, language: str, day: dt.date | None, tenant: str | None = None) -> FidesSystem:
    """That record as a Fides system manifest."""
    return fides_system_of(_rules_dir(rules_dir, tenant), Language(language), day or clock.today())


def demo_data(db: str, customers: int, seed: int, progress: Callable[[int, int], None] | None = None,
              tenant: str | None = None) -> dict[str, int]:
    """Synthetic customers written into the tenant's database (`db` names the default
    tenant's, as for serve), which must exist and be held by no server."""
    settings = Settings.from_env().with_flags(db=db, tenant=tenant)
    chosen = tenants.chosen(settings)
    with _held(chosen.db, "demo-data writes only to a database no server is using"):
        app = bootstrap.build_tenant(settings, chosen)
        return app.synthetic.generate(customers, seed, progress=progress)


def reassign_local(db: str, job_id: str, scope: Scope, dry_run: bool, batch_size: int,
                   at: dt.datetime | None, workers: int | None, tenant: str | None = None) -> Iterator[JobProgress]:
    """A re-assignment job run in this process against the tenant's database (see
    ReassignService.run)."""
    app = _local_app(db, tenant)
    yield from app.reassign.run(job_id, scope, dry_run, "cli:local", batch_size, at, workers)


def sweep_local(db: str, job_id: str, dry_run: bool, batch_size: int, at: dt.datetime | None,
                workers: int | None, tenant: str | None = None) -> Iterator[SweepProgress]:
    """A retention sweep run in this process against the tenant's database (see
    RetentionSweep.run)."""
    app = _local_app(db, tenant)
    yield from app.sweep.run(job_id, dry_run, "cli:local", batch_size, at, workers=workers)


def stored_job_changes(db: str, job_id: str, tenant: str | None = None) -> list[Change]:
    """Every change an applied job has stored, by customer: what a resumed job's changes
    file adds to its last run's."""
    app = _local_app(db, tenant)
    try:
        return [
            Change(r.customer_id, r.previous_dealer_id, r.dealer_id, r.previous_basis, r.basis, r.explanation)
            for r in app.audit.assignment_changes(job_id=job_id).items
        ]
    finally:
        app.store.close()


def _local_app(db: str, tenant: str | None) -> bootstrap.App:
    """The application of a tenant (None: the settings') for a command run in this process;
    `db` names the default tenant's database, as for serve."""
    return bootstrap.build_tenant(Settings.from_env().with_flags(db=db, tenant=tenant))


def _rules_dir(rules_dir: str | None, tenant: str | None) -> Path:
    """The tenant's packs under `rules_dir` (the packs directory, as for serve)."""
    settings = Settings.from_env().with_flags(rules_dir=Path(rules_dir) if rules_dir else None, tenant=tenant)
    return Path(tenants.chosen(settings).rules_dir)


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
