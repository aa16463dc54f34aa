"""gRPC benchmark: the real cocontroller server against a bare grpcio server that returns a
canned answer of the same size, each in its own subprocess, loaded from this process.

For each of lookup (GetResponsibleDealer by a random postcode), assign (AssignDealer over
pre-created customers with contact history), lead (CreateLead: a new customer with a test
drive, created, recorded and assigned in one transaction, in the process `serve` runs for
leads beside its event loop on SQLite), resolve (ResolveControllers for those customers,
who also hold consents and contracts), bare (the canned answer) and bare+sec (the canned answer
over mTLS behind cocontroller's auth check, as the real server always runs):
  - throughput at saturation: CLIENT_THREADS closed-loop client threads for SATURATION_S;
  - latency at a fixed open-loop rate: RATE req/s for OPEN_LOOP_S, each call sent at its
    scheduled time (asynchronously), latency measured from the scheduled send time.

The real server speaks mTLS only (as the admin development certificate). The cost of TLS
and of the auth interceptor: the bare handler's lookup saturated plaintext, over mTLS, and
over mTLS behind cocontroller's auth check, beside the real server's lookup, as ratios
to plaintext.

Run with `make bench`. Stops by itself within ~3 minutes and kills its subprocesses.
`bench_grpc.py --cases lead,bare,bare+sec` runs only the cases named (bare always; without
the TLS rounds), e.g. to compare one case between two trees in turn.
"""

import asyncio
import csv
import datetime as dt
import itertools
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import grpc

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICE = "cocontroller.v1.DealerAssignmentService"
METHOD = f"/{SERVICE}/GetResponsibleDealer"
CLIENT_THREADS = 4
ROUNDS = 3
SATURATION_S = 3.0
RATE = 200
OPEN_LOOP_S = 5.0
WARMUP_S = 1.0
CUSTOMERS = 200
DEADLINE_S = 240  # hard stop for the whole run
TARGET_P99_MS = 5.0
TARGET_ASSIGN_SHARE = 0.40
TARGET_RESOLVE_SHARE = 0.35
TARGET_RESOLVE_P99_MS = 10.0
TARGET_LEAD_SHARE = 0.35


def bare_server(port: int, payload_path: str, mode: str = "plain", certs_dir: str = "") -> None:
    """A grpcio server of the real one's kind (grpc.aio, the handler on its event loop) whose
    handler does no work: it parses the request and returns a canned response message, as
    any protobuf handler must, and nothing else. `mode`: plain, tls (mTLS) or auth (mTLS and
    the auth check every real handler makes first)."""
    sys.path[:0] = [str(ROOT / "service")]
    from cocontroller.v1 import assignment_pb2 as pb

    canned = pb.GetResponsibleDealerResponse.FromString(Path(payload_path).read_bytes())

    async def answer(request, context):
        if mode == "auth":
            check(context, f"/{SERVICE}/GetResponsibleDealer", tenancy)
        return canned

    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "GetResponsibleDealer": grpc.unary_unary_rpc_method_handler(
            answer, request_deserializer=pb.GetResponsibleDealerRequest.FromString,
            response_serializer=pb.GetResponsibleDealerResponse.SerializeToString),
    })
    from cocontroller.config import Settings

    from cocontroller.api.auth import check
    from cocontroller.api.tenancy import Tenancy
    from cocontroller.api.tls import server_credentials

    tenancy = Tenancy([Settings().tenant])

    async def serve() -> None:
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        if mode == "plain":
            server.add_insecure_port(f"127.0.0.1:{port}")
        else:
            server.add_secure_port(f"127.0.0.1:{port}",
                                   server_credentials(Settings(certs_dir=Path(certs_dir)), "127.0.0.1"))
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop(grace=1)

    asyncio.run(serve())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(target: str, process: subprocess.Popen, log: Path, credentials=None, timeout: float = 30.0) -> None:
    """Waits for the server to accept connections (over mTLS with `credentials`); fails fast,
    with its log, if it died."""
    deadline = time.monotonic() + timeout
    with grpc.secure_channel(target, credentials) if credentials else grpc.insecure_channel(target) as channel:
        ready = grpc.channel_ready_future(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server {process.args} exited with {process.returncode}:\n"
                                   + log.read_text(errors="replace")[-3000:])
            try:
                ready.result(timeout=0.2)
                return
            except grpc.FutureTimeoutError:
                pass
    raise RuntimeError(f"server {process.args} not ready after {timeout:.0f} s")


def wait_leads_apart(metrics_port: int, timeout: float = 60.0) -> bool:
    """Whether the real server makes leads in its process apart, once that is ready (None
    of its metric: the server makes them on its event loop, one core)."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
            lines = response.read().decode().splitlines()
        ready = [line.split()[-1] for line in lines if line.startswith("cocontroller_apart_ready")]
        if not ready or ready[0] in ("1", "1.0"):
            return bool(ready)
        if time.monotonic() > deadline:
            raise TimeoutError("the real server's process for leads did not start")
        time.sleep(0.2)


def stop_all(procs: list[subprocess.Popen]) -> None:
    """Terminates the servers together, and kills those still running after 10 s."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def saturate(make_call, seconds: float, threads: int = CLIENT_THREADS) -> float:
    """Calls/s of `threads` closed-loop clients, each on its own channel."""
    stop, counts, failures = threading.Event(), [0] * threads, []

    def loop(i):
        call = make_call()
        try:
            while not stop.is_set():
                call()
                counts[i] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    time.sleep(WARMUP_S)
    before, started = sum(counts), time.perf_counter()
    time.sleep(seconds)
    after, elapsed = sum(counts), time.perf_counter() - started
    stop.set()
    for w in workers:
        w.join()
    if failures:
        raise RuntimeError(f"calls failed under load: {failures[0]!r}")
    return (after - before) / elapsed


def open_loop(make_future, rate: int, seconds: float) -> tuple[float, float, float, int]:
    """p50, p99, max latency (ms) from each call's scheduled send time, and the failures."""
    latencies, failures, lock = [], [], threading.Lock()
    total = int(rate * seconds)
    interval = 1.0 / rate
    done = threading.Semaphore(0)
    start = time.perf_counter() + 0.05
    for i in range(total):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        future = make_future()

        def finished(f, scheduled=scheduled):
            now = time.perf_counter()
            with lock:
                if f.exception() is not None:
                    failures.append(f.exception())
                else:
                    latencies.append((now - scheduled) * 1000)
            done.release()

        future.add_done_callback(finished)
    for _ in range(total):
        done.acquire(timeout=30)
    if not latencies:
        raise RuntimeError(f"every call failed: {failures[:1]!r}")
    return percentile(latencies, 0.50), percentile(latencies, 0.99), max(latencies), len(failures)


def main(only: tuple[str, ...] = ()) -> int:
    sys.path[:0] = [str(ROOT / "service"), str(ROOT / "clients")]
    from cocontroller.v1 import assignment_pb2 as pb
    from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
    from cocontroller.v1 import resolution_pb2 as rpb
    from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc
    from cocontroller_client.client import RETRY_POLICY, Client
    from cocontroller_client.tls import channel_credentials
    from cocontroller.config import TENANT_KEY, Settings

    # Every call names the tenant, as the client library does: `serve` serves both shipped
    # tenants, and the bare handler behind the auth check reads the same metadata.
    tenant = ((TENANT_KEY, Settings().tenant),)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("bench over time")))
    signal.alarm(DEADLINE_S)
    began = time.monotonic()
    tmp = tempfile.TemporaryDirectory(prefix="cocontroller-bench-")
    procs: list[subprocess.Popen] = []
    try:
        real_port, bare_port = free_port(), free_port()
        real, bare = f"127.0.0.1:{real_port}", f"127.0.0.1:{bare_port}"
        real_log, bare_log = Path(tmp.name, "server.log"), Path(tmp.name, "bare.log")
        db = os.path.join(tmp.name, "bench.sqlite")
        certs = os.path.join(tmp.name, "certs")
        # serve refuses a missing database and missing certificates: made first
        subprocess.run([str(BIN / "cocontroller"), "init", "--demo", "--db", db, "--certs-dir", certs],
                       check=True, stdout=subprocess.DEVNULL)
        metrics_port = free_port()
        with open(real_log, "wb") as log:
            procs.append(subprocess.Popen(
                [str(BIN / "cocontroller"), "serve", "--host", "127.0.0.1", "--port", str(real_port),
                 "--db", db, "--certs-dir", certs, "--metrics-port", str(metrics_port), "--sweep-hour", "-1"],
                stdout=log, stderr=subprocess.STDOUT))
        credentials = channel_credentials(Settings(certs_dir=Path(certs)))
        wait_ready(real, procs[-1], real_log, credentials)

        with open(ROOT / "geodata" / "postcodes.csv", encoding="utf-8", newline="") as f:
            postcodes = [row["postcode"] for row in csv.DictReader(f)]
        customers = [f"bench-{i}" for i in range(CUSTOMERS)]
        rng = random.Random(1)
        dealers = ["dlr-gent", "dlr-brugge", "dlr-antwerpen", "dlr-leuven", "dlr-liege", "dlr-namur", "dlr-hasselt"]
        kinds = ["purchase", "service_visit", "quote", "showroom_visit", "brochure"]
        with Client(real, credentials=credentials) as c:
            sample = c._call("GetResponsibleDealer", pb.GetResponsibleDealerRequest(
                location=pb.Location(postcode="9000")))
            for cid in customers:
                c.upsert_customer(cid, rng.choice(postcodes))
                for _ in range(rng.randint(1, 4)):
                    at = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=rng.randrange(30_000))
                    c.record_contact(cid, rng.choice(dealers), rng.choice(kinds), at)
                c.assign(cid, "bench:setup")
                for channel in rng.sample(["email", "sms", "phone", "post", "social"], rng.randint(0, 3)):
                    c.record_consent(cid, channel, given_at=dt.datetime(2023, 5, 1, tzinfo=dt.timezone.utc),
                                     wording="bench consent v1", source="web_form", reference=f"bench:{cid}")
                if rng.random() < 0.3:
                    c.record_contract(f"{cid}-lease", cid, "lease", dt.date(2023, 2, 1), dt.date(2027, 2, 1),
                                      partner="Fictilease NV")
            # Leads are measured as served: in the process beside the event loop once it is
            # ready (api/apart.py), which the first lead starts and which takes a few seconds.
            c.create_lead("bench-first", "bench-first", [("brochure", dt.datetime.now(dt.timezone.utc), "")],
                          postcode="9000")
        leads_apart = wait_leads_apart(metrics_port)
        payload = sample.SerializeToString()
        payload_path = os.path.join(tmp.name, "payload.bin")
        Path(payload_path).write_bytes(payload)
        with open(bare_log, "wb") as log:
            procs.append(subprocess.Popen([sys.executable, __file__, "--bare", str(bare_port), payload_path],
                                          stdout=log, stderr=subprocess.STDOUT))
        wait_ready(bare, procs[-1], bare_log)
        secured = {}
        for mode in ("tls", "auth"):
            port = free_port()
            secured[mode] = f"127.0.0.1:{port}"
            with open(Path(tmp.name, f"bare-{mode}.log"), "wb") as log:
                procs.append(subprocess.Popen(
                    [sys.executable, __file__, "--bare", str(port), payload_path, mode, certs],
                    stdout=log, stderr=subprocess.STDOUT))
            wait_ready(secured[mode], procs[-1], Path(tmp.name, f"bare-{mode}.log"), credentials)

        def secure(target):
            # As the client library connects: a call refused under load (RESOURCE_EXHAUSTED)
            # is tried again after the server's pushback.
            return grpc.secure_channel(target, credentials, options=[("grpc.service_config", RETRY_POLICY)])

        def stub(target):
            return pb_grpc.DealerAssignmentServiceStub(secure(target))

        def lookup_request():
            return pb.GetResponsibleDealerRequest(location=pb.Location(postcode=rng.choice(postcodes)))

        def assign_request():
            return pb.AssignDealerRequest(customer_id=rng.choice(customers), reason="bench")

        leads = itertools.count()

        def lead_request():
            # Every call a new lead: a new customer, a test drive through a dealer or for
            # the brand, assigned; all written in one transaction.
            n = next(leads)
            contact = pb.LeadContact(kind=pb.LEAD_KIND_TEST_DRIVE, dealer_id=rng.choice(("", "dlr-gent", "dlr-aalst")))
            contact.occurred_at.GetCurrentTime()
            return pb.CreateLeadRequest(request_id=f"bench-lead-{n}", contacts=[contact],
                                        customer=pb.Customer(id=f"bench-lead-{n}", postcode=rng.choice(postcodes)))

        def resolution_stub(target):
            return rpb_grpc.ControllerResolutionServiceStub(secure(target))

        def resolve_request():
            return rpb.ResolveControllersRequest(customer_id=rng.choice(customers))

        def bare_callable(target, tls=False):
            channel = secure(target) if tls else grpc.insecure_channel(
                target, options=[("grpc.service_config", RETRY_POLICY)])
            return channel.unary_unary(
                METHOD, request_serializer=pb.GetResponsibleDealerRequest.SerializeToString,
                response_deserializer=pb.GetResponsibleDealerResponse.FromString)

        cases = {
            "lookup": (lambda: (lambda s: lambda: s.GetResponsibleDealer(lookup_request(), timeout=10, metadata=tenant))(stub(real)),
                       (lambda s: lambda: s.GetResponsibleDealer.future(lookup_request(), timeout=10, metadata=tenant))(stub(real))),
            "assign": (lambda: (lambda s: lambda: s.AssignDealer(assign_request(), timeout=10, metadata=tenant))(stub(real)),
                       (lambda s: lambda: s.AssignDealer.future(assign_request(), timeout=10, metadata=tenant))(stub(real))),
            "lead": (lambda: (lambda s: lambda: s.CreateLead(lead_request(), timeout=10, metadata=tenant))(stub(real)),
                     (lambda s: lambda: s.CreateLead.future(lead_request(), timeout=10, metadata=tenant))(stub(real))),
            "resolve": (lambda: (lambda s: lambda: s.ResolveControllers(resolve_request(), timeout=10, metadata=tenant))(resolution_stub(real)),
                        (lambda s: lambda: s.ResolveControllers.future(resolve_request(), timeout=10, metadata=tenant))(resolution_stub(real))),
            "bare": (lambda: (lambda m: lambda: m(lookup_request(), timeout=10, metadata=tenant))(bare_callable(bare)),
                     (lambda m: lambda: m.future(lookup_request(), timeout=10, metadata=tenant))(bare_callable(bare))),
            # The real server cannot run without mTLS and the permission check: the ceiling
            # behind the same transport and interceptor, taken in the same rounds.
            "bare+sec": (lambda: (lambda m: lambda: m(lookup_request(), timeout=10, metadata=tenant))(
                             bare_callable(secured["auth"], tls=True)),
                         (lambda m: lambda: m.future(lookup_request(), timeout=10, metadata=tenant))(
                             bare_callable(secured["auth"], tls=True))),
        }
        if only:
            cases = {name: case for name, case in cases.items() if name in only or name == "bare"}
        # The machine's speed drifts between minutes (a shared VM): saturation rounds take
        # the cases in turn and each case keeps its median, so the ratios compare like times.
        rounds = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (make_call, _) in cases.items():
                rounds[name].append(saturate(make_call, SATURATION_S))
        # The cost of TLS and of the interceptor: closed-loop rounds only, taken in turn too.
        tls_cases = {
            "bare": lambda: (lambda m: lambda: m(lookup_request(), timeout=10, metadata=tenant))(bare_callable(bare)),
            "bare mTLS": lambda: (lambda m: lambda: m(lookup_request(), timeout=10, metadata=tenant))(
                bare_callable(secured["tls"], tls=True)),
            "bare mTLS+auth": lambda: (lambda m: lambda: m(lookup_request(), timeout=10, metadata=tenant))(
                bare_callable(secured["auth"], tls=True)),
        }
        tls_rounds = {name: [] for name in tls_cases}
        for _ in range(0 if only else ROUNDS):
            for name, make_call in tls_cases.items():
                tls_rounds[name].append(saturate(make_call, SATURATION_S))
        results = {}
        for name, (_, make_future) in cases.items():
            p50, p99, worst, failed = open_loop(make_future, RATE, OPEN_LOOP_S)
            results[name] = (statistics.median(rounds[name]), p50, p99, worst, failed)
    finally:
        signal.alarm(0)
        stop_all(procs)
        tmp.cleanup()

    print(f"cocontroller gRPC bench, {dt.datetime.now().isoformat(timespec='seconds')}, "
          f"{platform.python_implementation()} {platform.python_version()}, grpcio {grpc.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    print(f"response size {len(payload)} bytes; saturation: median of {ROUNDS} rounds taken in turn, "
          f"{CLIENT_THREADS} client threads x {SATURATION_S:.0f} s (+{WARMUP_S:.0f} s warm-up); "
          f"open loop: {RATE} req/s x {OPEN_LOOP_S:.0f} s")
    print("leads made " + ("in a process beside the server's event loop (api/apart.py)" if leads_apart
                           else "on the server's event loop"))
    print()
    print(f"{'case':8} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'failed':>7}")
    for name, (throughput, p50, p99, worst, failed) in results.items():
        print(f"{name:8} {throughput:9.0f} {p50:8.2f} {p99:8.2f} {worst:8.2f} {failed:7d}")
    if only:
        print()
        for name in results:
            share = results[name][0] / results["bare"][0]
            print(f"{name} throughput = {share:.0%} of bare; p99 at {RATE} req/s = {results[name][2]:.2f} ms"
                  + (f" (target >= {TARGET_LEAD_SHARE:.0%}: {'MET' if share >= TARGET_LEAD_SHARE else 'NOT MET'})"
                     if name == "lead" else ""))
        print(f"bench took {time.monotonic() - began:.0f} s")
        return 0
    share = results["assign"][0] / results["bare"][0]
    lookup_p99 = results["lookup"][2]
    print()
    print(f"assign throughput = {share:.0%} of bare (target >= {TARGET_ASSIGN_SHARE:.0%}): "
          f"{'MET' if share >= TARGET_ASSIGN_SHARE else 'NOT MET'}")
    print(f"lookup p99 at {RATE} req/s = {lookup_p99:.2f} ms (target < {TARGET_P99_MS:.0f} ms): "
          f"{'MET' if lookup_p99 < TARGET_P99_MS else 'NOT MET'}")
    resolve_p99 = results["resolve"][2]
    print(f"resolve p99 at {RATE} req/s = {resolve_p99:.2f} ms (target < {TARGET_RESOLVE_P99_MS:.0f} ms): "
          f"{'MET' if resolve_p99 < TARGET_RESOLVE_P99_MS else 'NOT MET'}")
    lead_share = results["lead"][0] / results["bare"][0]
    print(f"lead (CreateLead) throughput = {lead_share:.0%} of bare (target >= {TARGET_LEAD_SHARE:.0%}): "
          f"{'MET' if lead_share >= TARGET_LEAD_SHARE else 'NOT MET'}; p99 at {RATE} req/s = "
          f"{results['lead'][2]:.2f} ms")
    resolve_share = results["resolve"][0] / results["bare"][0]
    print(f"resolve throughput = {resolve_share:.0%} of bare (target >= {TARGET_RESOLVE_SHARE:.0%}): "
          f"{'MET' if resolve_share >= TARGET_RESOLVE_SHARE else 'NOT MET'}")
    print()
    plain = statistics.median(tls_rounds["bare"])
    print("the cost of TLS and of the auth interceptor (lookup, saturated; ratio to the bare handler in plaintext)")
    print(f"{'case':22} {'calls/s':>9} {'ratio':>6}")
    for name, values in (*tls_rounds.items(), ("real server mTLS+auth", rounds["lookup"])):
        print(f"{name:22} {statistics.median(values):9.0f} {statistics.median(values) / plain:6.2f}")
    print()
    print("throughput as a share of the bare handler: in plaintext (bare), and behind mTLS and the auth")
    print("interceptor as the real server always is (bare+sec)")
    print(f"{'case':8} {'bare':>6} {'bare+sec':>9}")
    for name in ("lookup", "assign", "lead", "resolve"):
        throughput = results[name][0]
        print(f"{name:8} {throughput / results['bare'][0]:6.0%} {throughput / results['bare+sec'][0]:9.0%}")
    print(f"bench took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        bare_server(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "--bare":
        bare_server(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 3 and sys.argv[1] == "--cases":
        sys.exit(main(tuple(sys.argv[2].split(","))))
    else:
        sys.exit(main())
