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

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import start_http_server
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily

from ..errors import FailedPrecondition

# Lookups take a few milliseconds, lists and resolutions tens, a job stream minutes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600)
_CALL_LABELS = ("grpc_service", "grpc_method", "tenant")


class Metrics:
    """The metrics of one server: RPC counters and latencies fed by the call observer, and a
    collector that reads the application's caches, packs and jobs when scraped."""

    def __init__(self, apps: dict):
        self.registry = CollectorRegistry()
        self.started = Counter("grpc_server_started", "RPCs started on the server.",
                               _CALL_LABELS, registry=self.registry)
        self.handled = Counter("grpc_server_handled", "RPCs completed on the server, by status code.",
                               (*_CALL_LABELS, "grpc_code"), registry=self.registry)
        self.latency = Histogram("grpc_server_handling_seconds", "Time from the start of an RPC to its status.",
                                 _CALL_LABELS, buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("grpc_server_in_flight", "RPCs being handled now.",
                               _CALL_LABELS, registry=self.registry)
        self.registry.register(_AppCollector(apps))
        # The labelled series of each method and code, found once: `labels()` takes a lock
        # and builds a key on every call, a third of what counting a call cost.
        self._series: dict[tuple[str, ...], tuple] = {}

    def call_started(self, service: str, method: str, tenant: str) -> None:
        started, in_flight, _ = self._method_series(service, method, tenant)
        started.inc()
        in_flight.inc()

    def call_ended(self, service: str, method: str, tenant: str, code: str, seconds: float) -> None:
        _, in_flight, latency = self._method_series(service, method, tenant)
        in_flight.dec()
        latency.observe(seconds)
        handled = self._series.get((service, method, tenant, code))
        if handled is None:
            handled = self._series[(service, method, tenant, code)] = self.handled.labels(service, method, tenant, code)
        handled.inc()

    def _method_series(self, service: str, method: str, tenant: str) -> tuple:
        series = self._series.get((service, method, tenant))
        if series is None:
            # Two threads may both look it up: `labels` returns the same series to both.
            series = self._series[(service, method, tenant)] = (
                self.started.labels(service, method, tenant), self.in_flight.labels(service, method, tenant),
                self.latency.labels(service, method, tenant))
        return series

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


class _AppCollector:
    """Reads each tenant's application's state at scrape time."""

    def __init__(self, apps: dict):
        self.apps = apps

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
            caches = {
                "assignment_decisions": app.assignment.assigner.memo_use,
                "resolution_outcomes": app.resolution.resolver.memo_use,
                "nearest_dealers": app.runtime.nearest_use,
                "assignment_views": app.assignment.views_use,
                "place_answers": app.assignment.places_use,
                "resolution_answers": app.resolution.answers_use,
            }
            for name, use in caches.items():
                h, m = use.hits, use.misses
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
