"""Operating one server beside its services: the metrics, the observer of every call, and
draining on shutdown.

The entry point may make the `Operations` and hand them to `build_server` (to serve the
metrics and to drain), or let `build_server` make its own. The timed work and the
notifications listener run once per tenant, each on its tenant's application. Draining, on SIGTERM or SIGINT:
health answers NOT_SERVING for every service (load balancers stop sending), a running
re-assignment job is asked to stop after the batch it is writing (each batch commits with the
job's cursor, so the job resumes from there when run again with the same id) and waited
for, then the server refuses new calls and gives those in flight what is left of the grace
period.
"""

import datetime as dt
import logging
import multiprocessing
import threading
import time

import grpc
from grpc_health.v1 import health_pb2_grpc

from .. import clock, logs
from ..domain.geo import geodesics_km, remember_ahead
from ..errors import FailedPrecondition
from ..usecases.distances import pairs_ahead

from .apart import Apart
from .loop import EventLoop, Server
from .metrics import Metrics, MetricsEndpoint
from .observe import CallObserver, Pseudonyms, log_key
from .shedding import Backlog
from .tenancy import Tenancy

_POLL_S = 0.05
# The scheduler looks for changes another process scheduled at least this often (seconds).
_SCHEDULE_POLL_S = 60.0
# How often the distances computed ahead are compared with the network (seconds).
_DISTANCES_POLL_S = 10.0

log = logging.getLogger(__name__)


class Operations:
    def __init__(self) -> None:
        # Set when the server drains; the job runner checks it between batches.
        self.stopping = threading.Event()
        self.metrics: Metrics | None = None
        self.observer: CallObserver | None = None
        self.health = None
        # The servers' event loop (api/loop.py), set when the main server is built.
        self.event_loop: EventLoop | None = None
        self.apps: dict = {}
        # CreateLead's work in a process of its own (apart.py), when the entry point runs one.
        self.apart: Apart | None = None

    def observe(self, apps: dict, tenancy: Tenancy, backlog: Backlog) -> CallObserver:
        """The call observer (the server's outermost interceptor) over the tenants'
        applications, counting in `backlog` the calls Python holds; the log key is the
        default tenant's, one per installation."""
        self.apps = apps
        self.metrics = Metrics(apps, self.apart)
        self.observer = CallObserver(self.metrics, Pseudonyms(log_key(next(iter(apps.values())).settings)), tenancy,
                                     backlog)
        return self.observer

    def serve_metrics(self, host: str, port: int) -> MetricsEndpoint:
        return self.metrics.serve(host, port)

    def serve_health(self, host: str, port: int) -> tuple[Server, int]:
        """The health service alone, in plaintext, on a port of its own: a load balancer that
        holds no client certificate cannot pass the mTLS handshake of the main port, and this
        one carries nothing but SERVING or NOT_SERVING (the same servicer, on the main
        server's event loop, so it drains too)."""
        async def start() -> tuple[Server, int]:
            server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
            health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
            try:
                bound = server.add_insecure_port(f"{host}:{port}")
            except RuntimeError:
                bound = 0
            if bound == 0:
                raise FailedPrecondition(f"cannot bind the health port {host}:{port}: is another server using it?")
            await server.start()
            return Server(self.event_loop, server), bound

        return self.event_loop.run(start())

    def drain(self, server: Server, grace_s: float) -> bool:
        """Drains and stops the server within `grace_s`; True when no job was left running
        (a job cut short by the grace period still stands at its last committed batch, as
        the transactions guarantee). While the job finishes its batch the server still
        answers, health with NOT_SERVING."""
        deadline = time.monotonic() + grace_s
        if self.health is not None:
            self.event_loop.run(self.health.enter_graceful_shutdown())
        self.stopping.set()
        for app in self.apps.values():
            app.schedule.wake.set()
        running = [jobs for app in self.apps.values() for jobs in (app.reassign.running, app.sweep.running)]
        while any(running) and time.monotonic() < deadline:
            time.sleep(_POLL_S)
        left = max(0.0, deadline - time.monotonic())
        server.stop(left).wait(left + 1)
        return not any(running)

    def listen(self, app) -> threading.Thread:
        """Hears what the other servers on a shared database change (usecases/notifications.py)
        until the server stops."""
        thread = threading.Thread(target=_as_tenant(app, app.notifications.listen), args=(self.stopping,),
                                  name=f"notifications-{app.settings.tenant}", daemon=True)
        thread.start()
        return thread

    def run_schedule(self, app) -> threading.Thread:
        """Carries out the network changes scheduled ahead when due (usecases/schedule.py):
        at start (what fell due while the server was down), at the start of each day that
        has something to do, when this server schedules a change, and every minute for those
        another process scheduled. Stops with the server, after the batch it is writing."""
        thread = threading.Thread(target=_as_tenant(app, self._run_schedule), args=(app,),
                                  name=f"scheduled-changes-{app.settings.tenant}", daemon=True)
        thread.start()
        return thread

    def _run_schedule(self, app) -> None:
        schedule = app.schedule
        while not self.stopping.is_set():
            schedule.wake.clear()
            wait = _SCHEDULE_POLL_S
            try:
                schedule.run_due(self.stopping)
                due = schedule.next_due()
                # Still due after the run: it failed (logged), and is tried again in a minute.
                if due is not None and due > clock.now():
                    wait = min(wait, (due - clock.now()).total_seconds())
            except Exception:
                log.exception("the scheduler could not read its schedule; it looks again in a minute")
            schedule.wake.wait(wait)

    def checkpoint_apart(self, apps: dict) -> list[threading.Thread]:
        """Each tenant's SQLite log copied into its database file by a thread of its own
        until the server stops, not in the commits of the calls (store/db.py); the threads.
        Called before the server is built, so that none of its connections checkpoints."""
        return [thread for app in apps.values() if (thread := app.store.checkpoint_apart(self.stopping))]

    def compute_distances(self, apps: dict) -> threading.Thread:
        """Computes ahead the distances from every postcode to every dealer's place of each
        tenant's network (usecases/distances.py) in a process of its own, which takes no
        time from the serving thread; again for the new places when a network changes.
        Stops with the server."""
        thread = threading.Thread(target=self._compute_distances, args=(apps,), name="distances", daemon=True)
        thread.start()
        return thread

    def _compute_distances(self, apps: dict) -> None:
        done: dict = {}  # the networks whose places were all computed ahead, by tenant
        while not self.stopping.is_set():
            try:
                networks = {tenant: app.runtime.recent().network for tenant, app in apps.items()}
                if any(network is not done.get(tenant) for tenant, network in networks.items()):
                    pairs = list(dict.fromkeys(pair for tenant, app in apps.items()
                                               for pair in pairs_ahead(app.postcodes, networks[tenant])))
                    if pairs:
                        started = time.monotonic()
                        kms = _in_own_process(geodesics_km, pairs, self.stopping)
                        if kms is None:
                            return
                        kept = remember_ahead(pairs, kms)
                        if self.apart is not None:
                            self.apart.remember(pairs, kms)
                        logs.event(log, "distances.computed", pairs=len(pairs),
                                   seconds=round(time.monotonic() - started, 1))
                        if not kept:  # the table started again: the rest of the networks' pairs next
                            done = {}
                            continue
                    done = networks
            except Exception:
                log.exception("the distances could not be computed ahead; calls compute them as they come")
            self.stopping.wait(_DISTANCES_POLL_S)

    def sweep_daily(self, app, hour: int) -> threading.Thread:
        """Runs the retention sweep once a day from `hour` (Brussels time), as job
        `retention-<day>`: a server restarted later that day resumes it, or finds it
        finished. Stops with the server, after the batch it is writing."""
        thread = threading.Thread(target=_as_tenant(app, self._sweep_each_day), args=(app, hour),
                                  name=f"retention-sweep-{app.settings.tenant}", daemon=True)
        thread.start()
        return thread

    def _sweep_each_day(self, app, hour: int) -> None:
        while not self.stopping.is_set():
            now = clock.now().astimezone(clock.BRUSSELS)
            if now.hour >= hour:
                try:
                    for _ in app.sweep.run(f"retention-{now.date().isoformat()}", dry_run=False, caller="server",
                                           stop=self.stopping):
                        pass
                except Exception:
                    log.exception("the daily retention sweep failed; it resumes at its next run")
                start = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(hour), clock.BRUSSELS)
            else:
                start = dt.datetime.combine(now.date(), dt.time(hour), clock.BRUSSELS)
            self.stopping.wait(max(1.0, (start - clock.now()).total_seconds()))


def _in_own_process(work, argument, stopping: threading.Event):
    """`work(argument)` in a spawned process, ended at once if the server stops (None)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # its exit terminates the process
        result = pool.apply_async(work, (argument,))
        while not result.ready():
            if stopping.wait(_POLL_S):
                return None
        return result.get()


def _as_tenant(app, work):
    """`work` run with the application's tenant on every line it logs."""

    def run(*args):
        logs.TENANT.set(app.settings.tenant)
        work(*args)

    return run
