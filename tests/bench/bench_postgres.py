"""PostgreSQL benchmark: lookup, assign and resolve through one and then two `cocontroller
serve` replicas sharing one PostgreSQL database, beside one server on SQLite, with each
server's CPU per call; then a re-assignment dry run and apply on N synthetic customers
(100,000 by default) with `reassign --local` on each backend, and an applied job shared by
two processes beside the same job in one.

The PostgreSQL server is the pgserver wheel's, in a temporary directory. On this 2-core
machine two replicas, the client threads and PostgreSQL share the same cores: the scaling
ratio is bounded by the machine, which is why the CPU each call costs the cocontroller
servers is printed too (what more cores would divide; PostgreSQL's own CPU is not in it).

Run with `make bench`, or `python tests/bench/bench_postgres.py [N]`.
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "bench")]

from bench_grpc import free_port, saturate, stop_all, wait_ready  # noqa: E402

CUSTOMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SETUP_CUSTOMERS = 200
SATURATION_S = 3.0
KEYS = {"COCONTROLLER_LOG_KEY": "bench-log-key", "COCONTROLLER_ERASURE_KEY": "bench-erasure-key"}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children that were waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICKS


def serve(db: str, certs: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "cocontroller"), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
             "--certs-dir", certs, "--metrics-port", "0", "--sweep-hour", "-1"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **KEYS})
    return process, f"127.0.0.1:{port}"


def main() -> int:
    sys.path[:0] = [str(ROOT / "service"), str(ROOT / "clients")]
    from cocontroller.config import Settings
    from cocontroller.v1 import assignment_pb2 as pb
    from cocontroller.v1 import resolution_pb2 as rpb
    from cocontroller_client.client import Client
    from cocontroller_client.tls import channel_credentials
    from postgres_server import PostgresServer

    tmp = tempfile.TemporaryDirectory(prefix="cocontroller-bench-pg-")
    postgres = PostgresServer()
    procs: list[subprocess.Popen] = []
    try:
        certs = os.path.join(tmp.name, "certs")
        databases = {"sqlite": os.path.join(tmp.name, "bench.sqlite"), "postgresql": postgres.new_database()}
        for db in databases.values():
            subprocess.run([str(BIN / "cocontroller"), "init", "--demo", "--db", db, "--certs-dir", certs],
                           check=True, stdout=subprocess.DEVNULL, env={**os.environ, **KEYS})
        credentials = channel_credentials(Settings(certs_dir=Path(certs)))
        options = (("grpc.ssl_target_name_override", "localhost"),)
        rng = random.Random(1)
        customers = [f"bench-{i}" for i in range(SETUP_CUSTOMERS)]
        print(f"{'backend, servers':<26} {'case':<8} {'calls/s':>9} {'server CPU ms/call':>19}")
        results = {}
        for backend, replicas in (("sqlite", 1), ("postgresql", 1), ("postgresql", 2)):
            servers = []
            for i in range(replicas):
                process, target = serve(databases[backend], certs, Path(tmp.name, f"{backend}-{i}.log"))
                procs.append(process)
                wait_ready(target, process, Path(tmp.name, f"{backend}-{i}.log"), credentials)
                servers.append((process, target))
            target = servers[0][1] if replicas == 1 else "ipv4:" + ",".join(t for _, t in servers)
            if replicas == 1:
                with Client(target, credentials=credentials) as c:
                    for cid in customers:
                        c.upsert_customer(cid, rng.choice(["9000", "1000", "2000", "3000", "4000", "5000"]))
                        c.assign(cid, "bench:setup")

            def client():
                return Client(target, credentials=credentials, channel_options=options)

            cases = {
                "lookup": lambda c: c._call("GetResponsibleDealer", pb.GetResponsibleDealerRequest(
                    location=pb.Location(postcode=rng.choice(["9000", "1000", "2000", "8000", "3500"])))),
                "assign": lambda c: c._call("AssignDealer", pb.AssignDealerRequest(
                    customer_id=rng.choice(customers), reason="bench")),
                "resolve": lambda c: c._call("ResolveControllers", rpb.ResolveControllersRequest(
                    customer_id=rng.choice(customers))),
            }
            for name, call in cases.items():
                before = sum(cpu_seconds(p.pid) for p, _ in servers)
                counted = time.perf_counter()
                rate = saturate(lambda: (lambda c: lambda: call(c))(client()), SATURATION_S)
                spent = sum(cpu_seconds(p.pid) for p, _ in servers) - before
                calls = rate * (time.perf_counter() - counted)
                results[(backend, replicas, name)] = rate
                label = f"{backend}, {replicas} server{'s' if replicas > 1 else ''}"
                print(f"{label:<26} {name:<8} {rate:9.0f} {1000 * spent / calls:19.2f}")
            stop_all([p for p, _ in servers])
            procs = [p for p in procs if p.poll() is None]
        for name in ("lookup", "assign", "resolve"):
            one, two = results[("postgresql", 1, name)], results[("postgresql", 2, name)]
            print(f"{name}: 2 replicas / 1 = {two / one:.2f}; PostgreSQL / SQLite (1 server) = "
                  f"{one / results[('sqlite', 1, name)]:.0%}")

        print(f"\nre-assignment on {CUSTOMERS:,} synthetic customers, `reassign --local` (s, customers/s):")
        # PostgreSQL first: its figures are the new ones.
        for backend, db in reversed(databases.items()):
            subprocess.run([str(BIN / "cocontroller"), "demo-data", "--customers", str(CUSTOMERS), "--seed", "1",
                            "--db", db], check=True, stdout=subprocess.DEVNULL, env={**os.environ, **KEYS})
            for step, extra in (("dry run", ["--dry-run"]), ("apply", [])):
                started = time.monotonic()
                subprocess.run([str(BIN / "cocontroller"), "reassign", "--local", "--db", db, "--job-id",
                                f"bench-{step.replace(' ', '-')}", "--quiet", *extra],
                               check=True, stdout=subprocess.DEVNULL, env={**os.environ, **KEYS})
                seconds = time.monotonic() - started
                print(f"  {backend:<11} {step:<8} {seconds:8.1f} {CUSTOMERS / seconds:10,.0f}", flush=True)
        # One job shared by two processes (as by two replicas) beside the same job in one,
        # each deciding in its own process: the sharing's overhead and, on more cores, its gain.
        print(f"\nan applied job on PostgreSQL, one process deciding each (s, customers/s):")
        rates = {}
        for processes in (1, 2):
            job = ["reassign", "--local", "--db", databases["postgresql"], "--job-id", f"bench-shared-{processes}",
                   "--workers", "1", "--quiet"]
            started = time.monotonic()
            runs = [subprocess.Popen([str(BIN / "cocontroller"), *job], stdout=subprocess.DEVNULL,
                                     env={**os.environ, **KEYS}) for _ in range(processes)]
            if any(run.wait() != 0 for run in runs):
                raise RuntimeError(f"the job shared by {processes} failed")
            seconds = time.monotonic() - started
            rates[processes] = CUSTOMERS / seconds
            print(f"  {processes} process{'es' if processes > 1 else '':<2} {seconds:8.1f} {rates[processes]:10,.0f}")
        print(f"  shared by 2 / 1 = {rates[2] / rates[1]:.2f} (2 cores: the database and both share them)")
        return 0
    finally:
        stop_all(procs)
        postgres.stop()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
