"""Instructions a call costs the served process, counted by valgrind's callgrind: a developer's
tool to compare two trees, not part of `make bench` (it needs valgrind, and takes minutes).

This machine's speed varies 2-3 times within an hour, so calls a second cannot tell a 2 %
change from the noise; a count of the server's instructions can (runs of one tree agree to
0.1 %). It counts user-space instructions only: a system call's time in the kernel (SQLite's
writes of its log) and waits are not in it, so a change it shows is confirmed by
bench_grpc.py before it is believed.

The real server (`cocontroller serve` of the tree this file is in, mTLS, the demo network)
runs under callgrind with counting off; four client threads make WARM calls, counting is
switched on for the next CALLS and off again. Shedding's read of gRPC core's counters is
timed (every 50 ms), and under valgrind a call takes 50 times longer: this tool makes it
read once an hour, in both trees alike, so that the count is the calls' own.

    python tests/bench/count_calls.py [--case lead|lookup] [--warm 3000] [--calls 400]

Prints instructions a call, all threads' and the event loop's alone (the busiest thread):
work moved off the loop (the log's checkpoints) shows in the second. The callgrind files, one
a thread, are kept for callgrind_annotate.
"""

import argparse
import csv
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grpc import BIN, ROOT, free_port, wait_ready  # noqa: E402

CLIENT_THREADS = 4
# Loaded by the server's interpreter (sitecustomize): shedding's reads of gRPC core's
# counters once an hour (api/shedding.py, Backlog).
_QUIET_BACKLOG = '''
import cocontroller.api.shedding as shedding

_init = shedding.Backlog.__init__


def _hourly(self, near, quiet_every_s=None, busy_every_s=None):
    _init(self, near, 3600.0, 3600.0)


shedding.Backlog.__init__ = _hourly
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("lead", "lookup"), default="lead")
    parser.add_argument("--warm", type=int, default=3000, help="calls before counting")
    parser.add_argument("--calls", type=int, default=400, help="calls counted")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind (callgrind) is not installed", file=sys.stderr)
        return 2
    sys.path[:0] = [str(ROOT / "service"), str(ROOT / "clients")]
    from cocontroller.config import TENANT_KEY, Settings
    from cocontroller.v1 import assignment_pb2 as pb
    from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
    from cocontroller_client.tls import channel_credentials
    import grpc

    tmp = Path(tempfile.mkdtemp(prefix="cocontroller-count-"))
    db, certs, shim = tmp / "count.sqlite", tmp / "certs", tmp / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(_QUIET_BACKLOG, encoding="utf-8")
    subprocess.run([str(BIN / "cocontroller"), "init", "--demo", "--db", str(db), "--certs-dir", str(certs)],
                   check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    out = tmp / f"callgrind.{args.case}.out"
    env = dict(os.environ, PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join([str(ROOT / "service"), str(ROOT / "clients"), str(shim)]))
    log = tmp / "server.log"
    # Leads made on the event loop, as before api/apart.py: the count is of a lead's whole
    # work in the one process valgrind runs (the process apart would run outside it).
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes",
         f"--callgrind-out-file={out}",
         str(BIN / "python"), "-m", "cocontroller_client.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", str(db), "--certs-dir", str(certs), "--metrics-port", "0", "--sweep-hour", "-1",
         "--no-leads-apart"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)
    try:
        credentials = channel_credentials(Settings(certs_dir=certs))
        wait_ready(f"127.0.0.1:{port}", server, log, credentials, timeout=600)
        stubs = [pb_grpc.DealerAssignmentServiceStub(grpc.secure_channel(f"127.0.0.1:{port}", credentials))
                 for _ in range(CLIENT_THREADS)]
        metadata = ((TENANT_KEY, Settings().tenant),)
        with open(ROOT / "geodata" / "postcodes.csv", encoding="utf-8", newline="") as f:
            postcodes = [row["postcode"] for row in csv.DictReader(f)]
        rng, numbers = random.Random(1), itertools.count()

        def lead(stub) -> None:
            # As bench_grpc.py's: a new customer, a test drive through a dealer or for the brand.
            n = next(numbers)
            contact = pb.LeadContact(kind=pb.LEAD_KIND_TEST_DRIVE, dealer_id=rng.choice(("", "dlr-gent", "dlr-aalst")))
            contact.occurred_at.GetCurrentTime()
            stub.CreateLead(pb.CreateLeadRequest(request_id=f"count-{n}", contacts=[contact],
                                                 customer=pb.Customer(id=f"count-{n}", postcode=rng.choice(postcodes))),
                            timeout=120, metadata=metadata)

        def lookup(stub) -> None:
            stub.GetResponsibleDealer(pb.GetResponsibleDealerRequest(
                location=pb.Location(postcode=rng.choice(postcodes))), timeout=120, metadata=metadata)

        call = lead if args.case == "lead" else lookup

        def drive(count: int) -> None:
            left, lock = iter(range(count)), threading.Lock()

            def loop(stub) -> None:
                while True:
                    with lock:
                        if next(left, None) is None:
                            return
                    call(stub)

            threads = [threading.Thread(target=loop, args=(stub,)) for stub in stubs]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        drive(args.warm)
        subprocess.run(["callgrind_control", "-i", "on", str(server.pid)], check=True, capture_output=True)
        drive(args.calls)
        subprocess.run(["callgrind_control", "-i", "off", str(server.pid)], check=True, capture_output=True)
    finally:
        # Drained as `serve` drains, 50 times slower: callgrind writes its file at the exit.
        server.terminate()
        try:
            server.wait(timeout=900)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    # One file a thread (callgrind.<case>.out-NN): the busiest is the event loop's; the rest
    # are gRPC's threads, the log writer and the checkpoint thread, off the loop.
    threads = sorted((_instructions(path) for path in tmp.glob(f"{out.name}-*")), reverse=True)
    total = sum(threads)
    print(f"{args.case}: {total / args.calls / 1000:,.0f}k instructions a call, of which the event loop's thread "
          f"{threads[0] / args.calls / 1000:,.0f}k ({args.calls} calls after {args.warm}); {tmp}")
    return 0


def _instructions(path: Path) -> int:
    with path.open() as f:
        return max((int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:"))), default=0)


if __name__ == "__main__":
    sys.exit(main())
