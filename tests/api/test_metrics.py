"""Prometheus metrics through a real server and its /metrics endpoint: calls by status,
latency histograms, calls in flight, the rule packs in use, cache hits and running jobs."""

import datetime as dt
import time
import urllib.request

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

import support
from cocontroller.api.operations import Operations
from cocontroller.model import JobProgress
from cocontroller_client.client import ClientError

ASSIGNMENT = "cocontroller.v1.DealerAssignmentService"


@pytest.fixture
def observed(tmp_path):
    """(target, Operations, metrics port) of a fresh server whose metrics are served."""
    ops = Operations()
    for target in support.serve(tmp_path / "db.sqlite", ops=ops):
        endpoint = ops.serve_metrics("127.0.0.1", 0)
        try:
            yield target, ops, endpoint.port
        finally:
            endpoint.close()


def scrape(port: int) -> dict[tuple[str, frozenset], float]:
    """Every sample of the endpoint: (name, labels) -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }


def value(samples, name, tenant="lexus-be", **labels) -> float | None:
    """A sample's value; every series is labelled with its tenant ("" for health)."""
    return samples.get((name, frozenset({**labels, "tenant": tenant}.items())))


def test_calls_are_counted_by_status_and_timed(observed):
    target, _, port = observed
    with support.client_for(target) as client:
        for _ in range(3):
            client.lookup_postcode("9000")
        with pytest.raises(ClientError):
            client.get_customer("nobody-here")
        with pytest.raises(ClientError):
            client.lookup_postcode("9999")  # well-formed, unknown
    samples = scrape(port)
    assert value(samples, "grpc_server_handled_total", grpc_service=ASSIGNMENT, grpc_method="LookupPostcode",
                 grpc_code="OK") == 3
    assert value(samples, "grpc_server_handled_total", grpc_service=ASSIGNMENT, grpc_method="LookupPostcode",
                 grpc_code="NOT_FOUND") == 1
    assert value(samples, "grpc_server_handled_total", grpc_service=ASSIGNMENT, grpc_method="GetCustomer",
                 grpc_code="NOT_FOUND") == 1
    assert value(samples, "grpc_server_started_total", grpc_service=ASSIGNMENT, grpc_method="LookupPostcode") == 4
    assert value(samples, "grpc_server_handling_seconds_count", grpc_service=ASSIGNMENT,
                 grpc_method="LookupPostcode") == 4
    assert value(samples, "grpc_server_handling_seconds_bucket", grpc_service=ASSIGNMENT,
                 grpc_method="LookupPostcode", le="+Inf") == 4
    assert value(samples, "grpc_server_in_flight", grpc_service=ASSIGNMENT, grpc_method="LookupPostcode") == 0


def test_a_call_in_flight_is_counted_until_it_ends(observed):
    target, _, port = observed
    labels = {"grpc_service": "grpc.health.v1.Health", "grpc_method": "Watch", "tenant": ""}
    with support.channel(target) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=30)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        assert value(scrape(port), "grpc_server_in_flight", **labels) == 1
        watch.cancel()
    deadline = time.monotonic() + 10
    while value(scrape(port), "grpc_server_in_flight", **labels) != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    samples = scrape(port)
    assert value(samples, "grpc_server_in_flight", **labels) == 0
    assert value(samples, "grpc_server_handled_total", grpc_code="CANCELLED", **labels) == 1


def test_the_rule_packs_in_use_are_named_with_their_versions(observed):
    target, _, port = observed
    with support.client_for(target) as client:
        packs = {(p.name, p.version) for p in client.rule_packs()}
    assert len(packs) == 2
    samples = scrape(port)
    shown = {(dict(labels)["pack"], dict(labels)["version"])
             for (name, labels), v in samples.items() if name == "cocontroller_rule_pack_info" and v == 1}
    assert shown == packs


def test_every_cache_counts_its_hits_and_misses(observed):
    target, _, port = observed
    with support.client_for(target) as client:
        for customer_id in ("metrics-1", "metrics-2"):  # the same facts: one pack outcome
            client.upsert_customer(customer_id, "9000", language="nl")
        # A dealer among its facts: decided from them, with the place's nearest answers.
        client.upsert_customer("metrics-3", "9000", language="nl")
        client.record_contact("metrics-3", "dlr-gent", "quote", dt.datetime.now(dt.timezone.utc))
        for _ in range(2):
            # The second of each: a kept answer for the place; the decision memo and the
            # nearest answers for another point in it.
            client.responsible_for_location("9000")
            client.responsible_for_location("9000", 51.06, 3.72)
            client.assign("metrics-1")  # the second confirms the stored version: a kept view
            client.assign("metrics-2")  # no dealer among its facts: the place's decision
            client.assign("metrics-3")
            client.resolve("metrics-1")  # the second: the answer kept for the unchanged record
            client.resolve("metrics-2")  # the first: metrics-1's pack outcome
    samples = scrape(port)
    for cache in ("assignment_decisions", "place_decisions", "resolution_outcomes", "nearest_dealers",
                  "assignment_views", "place_answers", "resolution_answers"):
        hits = value(samples, "cocontroller_cache_hits_total", cache=cache)
        misses = value(samples, "cocontroller_cache_misses_total", cache=cache)
        assert hits >= 1 and misses >= 1, cache
        assert value(samples, "cocontroller_cache_hit_ratio", cache=cache) == pytest.approx(hits / (hits + misses))


def test_running_jobs_show_their_progress(observed):
    target, ops, port = observed
    assert value(scrape(port), "cocontroller_jobs_running") == 0
    # What the job runner publishes while a job runs (tests/usecases/test_job_progress.py
    # checks that it does): read at scrape time.
    ops.apps["lexus-be"].reassign.running["close-gent"] = JobProgress("close-gent", False, 1200, 400, 37, 2.0, False, False)
    try:
        samples = scrape(port)
    finally:
        ops.apps["lexus-be"].reassign.running.clear()
    labels = {"job_id": "close-gent", "dry_run": "false"}
    assert value(samples, "cocontroller_jobs_running") == 1
    assert value(samples, "cocontroller_job_customers", **labels) == 1200
    assert value(samples, "cocontroller_job_processed", **labels) == 400
    assert value(samples, "cocontroller_job_changed", **labels) == 37


def test_servers_in_one_process_keep_their_own_metrics(observed, tmp_path):
    target, _, port = observed
    other_ops = Operations()
    for other in support.serve(tmp_path / "other.sqlite", ops=other_ops):
        endpoint = other_ops.serve_metrics("127.0.0.1", 0)
        try:
            with support.client_for(other) as client:
                client.lookup_postcode("1000")
            labels = {"grpc_service": ASSIGNMENT, "grpc_method": "LookupPostcode", "grpc_code": "OK"}
            assert value(scrape(endpoint.port), "grpc_server_handled_total", **labels) == 1
            assert value(scrape(port), "grpc_server_handled_total", **labels) is None
        finally:
            endpoint.close()
