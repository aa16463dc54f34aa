"""Batch re-assignment benchmark on synthetic customers (1,000,000 by default).

Steps, each job run in a subprocess whose process tree's resident memory is sampled, as
`cocontroller reassign --local` but in step 4:
  1. generate the customers with five years of history (`cocontroller demo-data`, into a
     database made by `cocontroller init --demo`);
  2. apply the first assignment of every customer (every customer written);
  3. close a dealer, then a dry run over all customers (the difference only);
  4. the same dry run through a server: `cocontroller serve` on the database and the client's
     `cocontroller reassign` against it (the server's process tree's memory is sampled);
  5. apply that change;
  6. a retention sweep's dry run over everyone.
Beside them, the ceiling: a raw sqlite3 read of the rows a job reads (and of those a sweep
reads), and a raw write of as many assignment-sized rows, with each job's share.

Run with `make bench` (after the gRPC bench) or `python tests/bench/bench_batch.py [N]`.
"""

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grpc import BIN, ROOT, free_port, stop_all, wait_ready  # noqa: E402

CUSTOMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
CLOSED_DEALER = "dlr-antwerpen"
TARGET_DRY_RUN = 20_000
TARGET_APPLY = 10_000
TARGET_RSS_MB = 500
TARGET_SWEEP_SHARE = 0.25
TARGET_DRY_SHARE = 0.25
TARGET_SERVER_SHARE = 0.80


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack += [int(child) for child in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class PeakRss:
    """Samples the resident memory of a process tree every 0.1 s while the block runs;
    `mb` is the peak."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self._done.wait(0.1)

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024

    def __enter__(self) -> "PeakRss":
        self._sampler.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._sampler.join()


def run_measured(args: list[str]) -> tuple[float, float]:
    """Runs a command; returns its wall time (s) and the peak RSS of its process tree (MB)."""
    started = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakRss(process.pid) as rss:
        _, stderr = process.communicate()
    if process.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr.decode()}")
    return time.monotonic() - started, rss.mb


def reassign(db: str, job_id: str, *extra: str) -> tuple[float, float]:
    return run_measured([str(BIN / "cocontroller"), "reassign", "--local", "--db", db, "--job-id", job_id,
                         "--quiet", *extra])


def reassign_through_server(db: str, certs: str, log: Path, job_id: str, *extra: str) -> tuple[float, float]:
    """The job run by the client CLI against `cocontroller serve` on the database, as an
    operator runs it: the client's wall time, and the peak RSS of the server's process tree
    (the server and its decision workers) meanwhile. Starting and stopping the server are
    not timed."""
    from cocontroller.config import Settings
    from cocontroller_client.tls import channel_credentials

    target = f"127.0.0.1:{free_port()}"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(BIN / "cocontroller"), "serve", "--host", "127.0.0.1", "--port", target.rsplit(":", 1)[1],
             "--db", db, "--certs-dir", certs, "--metrics-port", "0", "--sweep-hour", "-1"],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(target, server, log, channel_credentials(Settings(certs_dir=Path(certs))))
        with PeakRss(server.pid) as server_rss:
            seconds, _ = run_measured([str(BIN / "cocontroller"), "--target", target, "--certs-dir", certs,
                                       "reassign", "--job-id", job_id, "--quiet", *extra])
    finally:
        stop_all([server])
    return seconds, server_rss.mb


# What each job reads of a batch of customers ("{}": the batch's ids).
JOB_READS = ("SELECT * FROM customers WHERE id IN ({})", "SELECT * FROM contact_events WHERE customer_id IN ({})",
             "SELECT * FROM preferences WHERE customer_id IN ({})",
             "SELECT * FROM assignments WHERE customer_id IN ({}) AND valid_to IS NULL")
SWEEP_READS = ("SELECT * FROM customers WHERE id IN ({})",
               *(f"SELECT * FROM {table} WHERE customer_id IN ({{}})"
                 for table in ("contact_events", "consents", "contracts", "disputes", "objections", "restrictions")),
               "SELECT * FROM assignments WHERE customer_id IN ({}) AND valid_to IS NULL")


def raw_read(db: str, reads: tuple[str, ...], batch: int) -> float:
    """The rows a job reads (`reads`), read with plain sqlite3 in the same order and batches."""
    conn = sqlite3.connect(db)
    started = time.monotonic()
    cursor = ""
    while True:
        ids = [r[0] for r in conn.execute("SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT ?", [cursor, batch])]
        if not ids:
            break
        marks = ", ".join("?" * len(ids))
        for sql in reads:
            conn.execute(sql.format(marks), ids).fetchall()
        cursor = ids[-1]
    conn.close()
    return time.monotonic() - started


def sweep(db: str, job_id: str, *extra: str) -> tuple[float, float]:
    return run_measured([str(BIN / "cocontroller"), "retention", "sweep", "--local", "--db", db, "--job-id", job_id,
                         "--quiet", *extra])


def raw_write(db: str, rows: int) -> float:
    """As many assignment-sized rows written with plain sqlite3, 1,000 a transaction."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE raw_assignments AS SELECT * FROM assignments WHERE 0")
    sample = conn.execute("SELECT * FROM assignments LIMIT 1").fetchone()
    marks = ", ".join("?" * len(sample))
    started = time.monotonic()
    for start in range(0, rows, 1000):
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO raw_assignments VALUES ({marks})",
                         ((start + i, *sample[1:]) for i in range(min(1000, rows - start))))
        conn.execute("COMMIT")
    elapsed = time.monotonic() - started
    conn.execute("DROP TABLE raw_assignments")
    conn.close()
    return elapsed


def main() -> int:
    sys.path[:0] = [str(ROOT / "service"), str(ROOT / "clients")]
    from cocontroller import bootstrap, clock
    from cocontroller.config import Settings

    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cocontroller-batch-") as tmp:
        db = os.path.join(tmp, "batch.sqlite")
        certs = os.path.join(tmp, "certs")
        # demo-data writes into an existing database: made here, with the demo network, and
        # the certificates the server and its client need
        subprocess.run([str(BIN / "cocontroller"), "init", "--demo", "--db", db, "--certs-dir", certs],
                       check=True, stdout=subprocess.DEVNULL)
        gen_s, gen_mb = run_measured([str(BIN / "cocontroller"), "demo-data", "--customers", str(CUSTOMERS),
                                      "--seed", "1", "--db", db])
        first_s, first_mb = reassign(db, "bench-first")
        app = bootstrap.build(Settings(db=db))
        # Today as the service counts days (Brussels): the host's date is a day behind from
        # 23:00 UTC, and a change dated then is backdated, refused without a correction.
        app.network.close_dealer(CLOSED_DEALER, clock.today(), "bench")
        app.store.close()
        dry_s, dry_mb = reassign(db, "bench-close-dry", "--dry-run")
        # Each ceiling is read on the database as its job found it: later steps grow the
        # tables and the write-ahead log, and a read at the end ran up to half slower.
        read_s = raw_read(db, JOB_READS, 1000)
        server_s, server_mb = reassign_through_server(db, certs, Path(tmp, "server.log"), "bench-close-dry-server",
                                                      "--dry-run")
        apply_s, apply_mb = reassign(db, "bench-close")
        conn = sqlite3.connect(db)
        moved = conn.execute("SELECT changed FROM reassign_jobs WHERE id = 'bench-close'").fetchone()[0]
        conn.close()
        sweep_s, sweep_mb = sweep(db, "bench-sweep-dry", "--dry-run")
        sweep_read_s = raw_read(db, SWEEP_READS, 500)
        write_s = raw_write(db, CUSTOMERS)

    def rate(seconds: float) -> float:
        return CUSTOMERS / seconds

    print(f"cocontroller batch bench, {dt.datetime.now().isoformat(timespec='seconds')}, "
          f"{CUSTOMERS:,} synthetic customers, {os.cpu_count()} CPUs")
    print()
    print(f"{'step':44} {'seconds':>8} {'customers/s':>12} {'peak RSS MB':>12}")
    rows = [
        ("generate (demo-data)", gen_s, gen_mb),
        ("apply: first assignment of everyone", first_s, first_mb),
        (f"dry run: {CLOSED_DEALER} closed", dry_s, dry_mb),
        ("dry run through the server (RSS: server)", server_s, server_mb),
        (f"apply: {CLOSED_DEALER} closed ({moved:,} moved)", apply_s, apply_mb),
    ]
    for name, seconds, mb in rows:
        print(f"{name:44} {seconds:8.1f} {rate(seconds):12,.0f} {mb:12.0f}")
    print(f"{'retention sweep: dry run':44} {sweep_s:8.1f} {rate(sweep_s):12,.0f} {sweep_mb:12.0f}")
    print(f"{'ceiling: raw sqlite3 read of the same rows':44} {read_s:8.1f} {rate(read_s):12,.0f}")
    print(f"{'ceiling: raw read of the rows a sweep reads':44} {sweep_read_s:8.1f} {rate(sweep_read_s):12,.0f}")
    print(f"{'ceiling: raw sqlite3 write of as many rows':44} {write_s:8.1f} {rate(write_s):12,.0f}")
    print()
    dry_share = read_s / dry_s
    print(f"dry run = {dry_share:.0%} of the raw read (target >= {TARGET_DRY_SHARE:.0%}): "
          f"{'MET' if dry_share >= TARGET_DRY_SHARE else 'NOT MET'}; first apply = {write_s / first_s:.0%} of the"
          " raw write")
    sweep_share = sweep_read_s / sweep_s
    print(f"retention sweep dry run = {sweep_share:.0%} of its raw read (target >= {TARGET_SWEEP_SHARE:.0%}): "
          f"{'MET' if sweep_share >= TARGET_SWEEP_SHARE else 'NOT MET'}; peak RSS {sweep_mb:.0f} MB "
          f"(target < {TARGET_RSS_MB}): {'MET' if sweep_mb < TARGET_RSS_MB else 'NOT MET'}")
    server_share = dry_s / server_s
    print(f"dry run through the server = {server_share:.0%} of the local dry run's rate "
          f"(target >= {TARGET_SERVER_SHARE:.0%}): {'MET' if server_share >= TARGET_SERVER_SHARE else 'NOT MET'}")
    peak = max(first_mb, dry_mb, apply_mb)
    for label, value, target, unit, ok in (
        ("dry run", rate(dry_s), TARGET_DRY_RUN, "customers/s", rate(dry_s) >= TARGET_DRY_RUN),
        ("apply (network change)", rate(apply_s), TARGET_APPLY, "customers/s", rate(apply_s) >= TARGET_APPLY),
        ("apply (first assignment)", rate(first_s), TARGET_APPLY, "customers/s", rate(first_s) >= TARGET_APPLY),
        ("peak RSS of a job", peak, TARGET_RSS_MB, "MB", peak < TARGET_RSS_MB),
    ):
        relation = "<" if unit == "MB" else ">="
        print(f"{label}: {value:,.0f} {unit} (target {relation} {target:,}): {'MET' if ok else 'NOT MET'}")
    print(f"batch bench took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
