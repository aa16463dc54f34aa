"""Overload is answered at once: calls beyond max_concurrent_rpcs get RESOURCE_EXHAUSTED
instead of queueing to their deadline, and heavy calls (lists, resolution) run in a
bounded pool of their own, so a lookup keeps its latency while clients loop heavy calls."""

import contextlib
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from support import channel, database, free_port, stop, wait_serving

from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc

SCRIPT = Path(sys.executable).parent / "cocontroller"
HEAVY_JOB = "all-heavy"


def test_calls_beyond_the_limit_are_refused_at_once(tmp_path):
    """A reload takes about 0.2 s of CPU: 32 at once against a limit of 4 would take seconds
    if they queued; all but about 4 are refused before the first accepted one is done."""
    with server_process(tmp_path, "--max-concurrent-rpcs", "4") as target, channel(target) as ch:
        stub = rpb_grpc.ControllerResolutionServiceStub(ch)
        started = time.monotonic()
        ended = {}
        calls = [stub.ReloadRulePacks.future(rpb.ReloadRulePacksRequest(), timeout=60) for _ in range(32)]
        for n, call in enumerate(calls):
            call.add_done_callback(lambda _, n=n: ended.setdefault(n, time.monotonic() - started))
        codes = [call.code() for call in calls]
        refused = [ended[n] for n, code in enumerate(codes) if code == grpc.StatusCode.RESOURCE_EXHAUSTED]
        accepted = [ended[n] for n, code in enumerate(codes) if code == grpc.StatusCode.OK]
        assert set(codes) == {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}, codes
        assert len(refused) >= 20, codes
        assert max(refused) < min(accepted), (refused, accepted)
        health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def lookup_times(stub, n: int) -> list[float]:
    request = pb.GetResponsibleDealerRequest(location=pb.Location(postcode="9000"))
    times = []
    for _ in range(n):
        started = time.perf_counter()
        stub.GetResponsibleDealer(request, timeout=30)
        times.append(time.perf_counter() - started)
    return times


@contextlib.contextmanager
def server_process(tmp_path, *flags: str, customers: int = 0):
    """A `cocontroller serve` process with these flags, in a process of its own so the test's
    client threads never take its GIL, on a demo database; with `customers` synthetic ones and
    a job (HEAVY_JOB) that assigned them all. Yields its target."""
    db = database(tmp_path / "load.db")
    steps = [["init", "--demo"]]
    if customers:
        steps += [["demo-data", "--customers", str(customers), "--seed", "1", "--quiet"],
                  ["reassign", "--local", "--job-id", HEAVY_JOB, "--quiet"]]
    for argv in steps:
        done = subprocess.run([str(SCRIPT), *argv, "--db", db], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    process = subprocess.Popen([str(SCRIPT), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), *flags],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = f"127.0.0.1:{port}"
    try:
        wait_serving(target, process)
        yield target
    finally:
        stop(process)


def test_heavy_calls_do_not_starve_lookups(tmp_path):
    """8 clients loop pages of 1,000 assignment versions; lookups stay within 20 times their
    idle median (without the heavy pool, over 100 times)."""
    with server_process(tmp_path, customers=2000) as target:
        lookups_beside_heavy_calls(target)


def lookups_beside_heavy_calls(target: str) -> None:
    stop = threading.Event()
    heavy_codes, errors = [], []

    def loop_heavy(index: int):
        with channel(target) as ch:
            audit = npb_grpc.DealerNetworkServiceStub(ch)
            while not stop.is_set():
                try:
                    # A page of 1,000 assignment versions: tens of milliseconds each.
                    audit.ListAssignmentChanges(npb.ListAssignmentChangesRequest(job_id=HEAVY_JOB, page_size=1000),
                                                timeout=30)
                    heavy_codes.append(grpc.StatusCode.OK)
                except grpc.RpcError as e:
                    heavy_codes.append(e.code())
                    if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                        errors.append(e)

    with channel(target) as ch:
        stub = pb_grpc.DealerAssignmentServiceStub(ch)
        lookup_times(stub, 20)  # warm the caches
        idle = statistics.median(lookup_times(stub, 50))
        threads = [threading.Thread(target=loop_heavy, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)
            loaded = sorted(lookup_times(stub, 100))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    p95 = loaded[94]
    assert errors == []
    assert heavy_codes.count(grpc.StatusCode.OK) >= 3, "the heavy calls did not run"
    assert p95 < min(20 * idle, 1.0), f"{heavy_codes.count(grpc.StatusCode.OK)} heavy calls; lookup p95 {p95 * 1000:.1f} ms, idle median {idle * 1000:.1f} ms"
