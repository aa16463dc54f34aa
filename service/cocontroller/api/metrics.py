"""Prometheus metrics of one server, in a registry of its own (several servers may share a
process, as the tests do), served over HTTP on a port of their own.

The RPC metrics follow the names of go-grpc-prometheus (`grpc_server_started_total`,
`grpc_server_handled_total`, `grpc_server_handling_seconds`), which ready-made dashboards
read. Everything else is read from the application at scrape time: the core counts its cache
hits in plain integers (`domain.cache_use.CacheUse`) and the job runner keeps the progress of
running jobs, so neither knows of Prometheus. No label holds personal data: methods, codes,
cache and pack names, versions, job ids, tenant ids (`tenant`: the call's, "" for health,
reflection and a call naming no tenant served; the application's, for what is read from it).
"""

import bisect
import threading

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import start_http_server
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from ..errors import FailedPrecondition
from .apart import MOST_WAITING, Apart

# Lookups take a few milliseconds, lists and resolutions tens, a job stream minutes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600)
_CALL_LABELS = ("grpc_service", "grpc_method", "tenant")


class Metrics:
    """The metrics of one server: RPC counters and latencies fed by the call observer, and a
    collector that reads the application's caches, packs and jobs when scraped."""

    def __init__(self, apps: dict, apart: Apart | None = None):
        self.registry = CollectorRegistry()
        self._calls = _CallCollector()
        self.registry.register(self._calls)
        self.registry.register(_AppCollector(apps, apart))
        if apart is not None:
            self.registry.register(_ApartCollector(apart))

    def call_started(self, service: str, method: str, tenant: str) -> None:
        self._calls.series(service, method, tenant).started()

    def call_ended(self, service: str, method: str, tenant: str, code: str, seconds: float) -> None:
        self._calls.series(service, method, tenant).ended(code, seconds)

    def serve(self, host: str, port: int) -> "MetricsEndpoint":
        """http://host:port/metrics, answered by a daemon thread; port 0 picks a free one."""
        try:
            httpd, thread = start_http_server(port, addr=host, registry=self.registry)
        except OSError as e:
            raise FailedPrecondition(f"cannot serve metrics on {host}:{port}: {e.strerror or e}") from None
        return MetricsEndpoint(httpd, thread)


class MetricsEndpoint:
    def __init__(self, httpd, thread: threading.Thread):
        self._httpd = httpd
        self._thread = thread
        self.port: int = httpd.server_port

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _CallSeries:
    """One method's counts for one tenant, in plain numbers: only the server's event loop
    changes them (the call observer runs there), so they need none of prometheus_client's
    locks, which made counting a call cost a fifth of observing it. A scrape reads them
    from its own thread between two updates."""

    __slots__ = ("count", "in_flight", "codes", "buckets", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.in_flight = 0
        self.codes: dict[str, int] = {}
        # Calls by the first bucket that holds their duration; the last: beyond them all.
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.seconds = 0.0

    def started(self) -> None:
        self.count += 1
        self.in_flight += 1

    def ended(self, code: str, seconds: float) -> None:
        self.in_flight -= 1
        self.codes[code] = self.codes.get(code, 0) + 1
        self.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.seconds += seconds


class _CallCollector:
    """The RPC metrics, read from each method's series when scraped."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, str], _CallSeries] = {}

    def series(self, service: str, method: str, tenant: str) -> _CallSeries:
        found = self._series.get((service, method, tenant))
        if found is None:
            found = self._series[(service, method, tenant)] = _CallSeries()
        return found

    def describe(self):
        return []

    def collect(self):
        started = CounterMetricFamily("grpc_server_started", "RPCs started on the server.", labels=_CALL_LABELS)
        handled = CounterMetricFamily("grpc_server_handled", "RPCs completed on the server, by status code.",
                                      labels=(*_CALL_LABELS, "grpc_code"))
        latency = HistogramMetricFamily("grpc_server_handling_seconds", "Time from the start of an RPC to its status.",
                                        labels=_CALL_LABELS)
        in_flight = GaugeMetricFamily("grpc_server_in_flight", "RPCs being handled now.", labels=_CALL_LABELS)
        for labels, series in list(self._series.items()):
            started.add_metric(labels, series.count)
            in_flight.add_metric(labels, series.in_flight)
            for code, n in list(series.codes.items()):
                handled.add_metric((*labels, code), n)
            cumulative, buckets = 0, []
            for bound, n in zip((*map(floatToGoString, LATENCY_BUCKETS), "+Inf"), list(series.buckets)):
                cumulative += n
                buckets.append((bound, cumulative))
            latency.add_metric(labels, buckets, series.seconds)
        yield from (started, handled, latency, in_flight)


class _AppCollector:
    """Reads each tenant's application's state at scrape time, and the counts the writes'
    process reported (`apart`)."""

    def __init__(self, apps: dict, apart: Apart | None):
        self.apps = apps
        self.apart = apart

    def describe(self):
        # Nothing to describe ahead: registering must not call collect (the packs may
        # still be loading).
        return []

    def collect(self):
        hits = CounterMetricFamily("cocontroller_cache_hits", "Answers a cache gave.", labels=["cache", "tenant"])
        misses = CounterMetricFamily("cocontroller_cache_misses", "Answers a cache did not have.",
                                     labels=["cache", "tenant"])
        ratio = GaugeMetricFamily("cocontroller_cache_hit_ratio",
                                  "Hits over lookups since the server started (rate the counters for recent ones).",
                                  labels=["cache", "tenant"])
        packs = GaugeMetricFamily("cocontroller_rule_pack_info", "The rule packs serving now (value 1).",
                                  labels=["pack", "version", "tenant"])
        jobs = GaugeMetricFamily("cocontroller_jobs_running", "Re-assignment jobs running in this server.",
                                 labels=["tenant"])
        labels = ["job_id", "dry_run", "tenant"]
        total = GaugeMetricFamily("cocontroller_job_customers", "Customers in a running job's scope.", labels=labels)
        processed = GaugeMetricFamily("cocontroller_job_processed", "Customers a running job has decided.",
                                      labels=labels)
        changed = GaugeMetricFamily("cocontroller_job_changed", "Customers whose dealer a running job changed.",
                                    labels=labels)
        for tenant, app in self.apps.items():
            # The writes' process's counts beside the server's own: one server, one count.
            elsewhere = self.apart.cache_counts(tenant) if self.apart is not None else {}
            for name, use in app.cache_uses().items():
                more_hits, more_misses = elsewhere.get(name, (0, 0))
                h, m = use.hits + more_hits, use.misses + more_misses
                hits.add_metric([name, tenant], h)
                misses.add_metric([name, tenant], m)
                ratio.add_metric([name, tenant], h / (h + m) if h + m else 0.0)
            for pack in app.packs.in_use().items:
                packs.add_metric([pack.name, pack.version, tenant], 1)
            running = dict(app.reassign.running)
            jobs.add_metric([tenant], len(running))
            for job_id, progress in sorted(running.items()):
                key = [job_id, "true" if progress.dry_run else "false", tenant]
                total.add_metric(key, progress.total)
                processed.add_metric(key, progress.processed)
                changed.add_metric(key, progress.changed)
        yield from (hits, misses, ratio, packs, jobs, total, processed, changed)


class _ApartCollector:
    """Whether the CRM's writes run in the process beside the event loop (apart.py), how many
    did, and how many wait for it."""

    def __init__(self, apart: Apart):
        self.apart = apart

    def describe(self):
        return []

    def collect(self):
        ready = GaugeMetricFamily("cocontroller_apart_ready",
                                  "1 while the CRM's writes run in the process beside the event loop.")
        ready.add_metric([], 1 if self.apart.ready else 0)
        calls = CounterMetricFamily("cocontroller_apart_calls",
                                    "Calls for the process beside the event loop: answered there, run on the"
                                    " loop when it could not take or answer them, or lost with it and ended"
                                    " UNAVAILABLE.", labels=["outcome"])
        calls.add_metric(["answered"], self.apart.answered)
        calls.add_metric(["run_on_loop"], self.apart.run_here)
        calls.add_metric(["lost"], self.apart.lost)
        waiting = GaugeMetricFamily("cocontroller_apart_waiting",
                                    "Calls sent to the process beside the event loop and not answered yet"
                                    f" (beyond {MOST_WAITING}, they run on the loop).")
        waiting.add_metric([], self.apart.waiting)
        yield from (ready, calls, waiting)
