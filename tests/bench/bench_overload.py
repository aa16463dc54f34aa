"""Overload benchmark: what the server does with more callers than it can serve.

The real server (`cocontroller serve`, mTLS, its default max_concurrent_rpcs) and the bare
handler of bench_grpc.py (mTLS, grpc.aio as the real one, no admission limit) each get 4, 64 and
512 concurrent clients looping lookups (GetResponsibleDealer by a random postcode) for a few
seconds, from one asyncio process. A client refused with RESOURCE_EXHAUSTED waits before
trying again as gRPC's retry policy does (gRFC A6): the server's pushback
(`grpc-retry-pushback-ms`) when it sends one, else a jittered exponential back-off from 20 ms
up to 1 s. Every call has a 2 s deadline.

Printed per server and concurrency: accepted calls/s, p50 and p99 of the accepted calls (ms),
the share refused with RESOURCE_EXHAUSTED, and other failures. Target: p99 of accepted calls
under 50 ms at 512 clients on the real server.

Run by `make bench` (after bench_grpc.py), or `python tests/bench/bench_overload.py`.
"""

import asyncio
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grpc import BIN, ROOT, free_port, percentile, stop_all, wait_ready  # noqa: E402

LEVELS = (4, 64, 512)
SECONDS = 5.0
WARMUP_S = 1.0
BACKOFF_S = 0.02
MAX_BACKOFF_S = 1.0
DEADLINE_S = 2.0
TARGET_P99_MS = 50.0
METHOD = "/cocontroller.v1.DealerAssignmentService/GetResponsibleDealer"


def retry_delay(error: grpc.aio.AioRpcError, refused: int, rng: random.Random) -> float:
    """What gRPC's retry policy waits (gRFC A6): the server's pushback when it sends one, else
    a jittered exponential back-off."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-retry-pushback-ms":
            return int(value) / 1000
    return rng.uniform(0, min(BACKOFF_S * 2 ** (refused - 1), MAX_BACKOFF_S))


async def load(target: str, credentials, clients: int, requests: list[bytes], metadata) -> dict:
    """`clients` closed loops for WARMUP_S + SECONDS, each call with `metadata`; what the
    measured part saw."""
    channels = [grpc.aio.secure_channel(target, credentials) for _ in range(min(clients, 16))]
    calls = [ch.unary_unary(METHOD) for ch in channels]
    latencies: list[float] = []
    counts = {"ok": 0, "exhausted": 0, "other": 0}
    started = time.perf_counter()
    measure_from, end = started + WARMUP_S, started + WARMUP_S + SECONDS

    async def client(index: int) -> None:
        call = calls[index % len(calls)]
        rng = random.Random(index)
        refused = 0
        while (now := time.perf_counter()) < end:
            measured = now >= measure_from
            try:
                await call(rng.choice(requests), timeout=DEADLINE_S, metadata=metadata)
            except grpc.aio.AioRpcError as e:
                if measured:
                    counts["exhausted" if e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED else "other"] += 1
                refused += 1
                await asyncio.sleep(retry_delay(e, refused, rng))
                continue
            refused = 0
            if measured:
                counts["ok"] += 1
                latencies.append((time.perf_counter() - now) * 1000)

    await asyncio.gather(*(client(i) for i in range(clients)))
    for ch in channels:
        await ch.close()
    total = sum(counts.values())
    return {
        "calls_s": counts["ok"] / SECONDS,
        "p50": percentile(latencies, 0.50) if latencies else float("nan"),
        "p99": percentile(latencies, 0.99) if latencies else float("nan"),
        "exhausted": counts["exhausted"] / total if total else 0.0,
        "other": counts["other"],
    }


def main() -> int:
    sys.path[:0] = [str(ROOT / "service"), str(ROOT / "clients")]
    from cocontroller.config import TENANT_KEY, Settings
    from cocontroller.v1 import assignment_pb2 as pb
    from cocontroller_client.tls import channel_credentials

    # Every call names the tenant, as the client library does: `serve` serves both shipped
    # tenants (the bare handler has no tenancy and ignores it).
    tenant = ((TENANT_KEY, Settings().tenant),)
    began = time.monotonic()
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="cocontroller-overload-") as tmp:
        try:
            db, certs = os.path.join(tmp, "bench.sqlite"), os.path.join(tmp, "certs")
            subprocess.run([str(BIN / "cocontroller"), "init", "--demo", "--db", db, "--certs-dir", certs],
                           check=True, stdout=subprocess.DEVNULL)
            credentials = channel_credentials(Settings(certs_dir=Path(certs)))
            real, bare = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
            logs = Path(tmp, "real.log"), Path(tmp, "bare.log")
            with open(logs[0], "wb") as log:
                procs.append(subprocess.Popen(
                    [str(BIN / "cocontroller"), "serve", "--host", "127.0.0.1", "--port", real.split(":")[1],
                     "--db", db, "--certs-dir", certs, "--metrics-port", "0", "--sweep-hour", "-1"], stdout=log,
                    stderr=subprocess.STDOUT))
            wait_ready(real, procs[-1], logs[0], credentials)
            sample = grpc.secure_channel(real, credentials).unary_unary(METHOD)(
                pb.GetResponsibleDealerRequest(location=pb.Location(postcode="9000")).SerializeToString(), timeout=10,
                metadata=tenant)
            payload = Path(tmp, "payload.bin")
            payload.write_bytes(sample)
            with open(logs[1], "wb") as log:
                procs.append(subprocess.Popen(
                    [sys.executable, str(ROOT / "tests" / "bench" / "bench_grpc.py"), "--bare", bare.split(":")[1],
                     str(payload), "tls", certs], stdout=log, stderr=subprocess.STDOUT))
            wait_ready(bare, procs[-1], logs[1], credentials)
            with open(ROOT / "geodata" / "postcodes.csv", encoding="utf-8", newline="") as f:
                requests = [pb.GetResponsibleDealerRequest(location=pb.Location(postcode=row["postcode"]))
                            .SerializeToString() for row in csv.DictReader(f)]
            results = {}
            for clients in LEVELS:
                for name, target in (("real", real), ("bare", bare)):
                    results[name, clients] = asyncio.run(load(target, credentials, clients, requests, tenant))
        finally:
            stop_all(procs)

    print(f"cocontroller overload bench, {dt.datetime.now().isoformat(timespec='seconds')}, "
          f"{os.cpu_count()} CPUs; lookups, {SECONDS:.0f} s per level after {WARMUP_S:.0f} s warm-up, "
          f"the server's pushback on RESOURCE_EXHAUSTED, {DEADLINE_S:.0f} s deadline")
    print()
    print(f"{'server':6} {'clients':>7} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'exhausted':>10} {'other':>6}")
    for (name, clients), r in results.items():
        print(f"{name:6} {clients:7d} {r['calls_s']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
              f"{r['exhausted']:10.1%} {r['other']:6d}")
    p99 = results["real", LEVELS[-1]]["p99"]
    print()
    print(f"p99 of accepted calls at {LEVELS[-1]} clients = {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms): "
          f"{'MET' if p99 < TARGET_P99_MS else 'NOT MET'}")
    print(f"overload bench took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
