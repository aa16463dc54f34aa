"""SIGTERM drains a real `cocontroller serve` during a long re-assignment job: health turns
NOT_SERVING, the job stops after its current batch, the process exits within the grace
period, and the job, run again with the same id, resumes from its committed cursor and ends
exactly as an uninterrupted run does. The running job shows on the metrics endpoint."""

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import support
from cocontroller import clock
from cocontroller.model import Scope
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc

SCRIPT = Path(sys.executable).parent / "cocontroller"
CUSTOMERS = 8000
# Small batches, each its own commit: the job must still be running when SIGTERM arrives after
# its third batch. gRPC buffers the messages the client has not read yet, so the server runs
# ahead of it while the test reads the metrics: 2,000 customers were sometimes all done
# before the signal on a loaded machine.
BATCH = 2
GRACE_S = 15
JOB = "drain"
SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def run(*argv, cwd, timeout=120):
    done = subprocess.run([str(SCRIPT), *map(str, argv)], capture_output=True, text=True, timeout=timeout, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tables(db: Path) -> dict:
    return {name: support.query(db, f"SELECT * FROM {name} ORDER BY id") for name in ("assignments", "notices")}


def wait_serving(target: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with support.channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            assert process.poll() is None, f"the server exited with {process.returncode}"
            with contextlib.suppress(grpc.RpcError):
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == SERVING:
                    return
            time.sleep(0.1)
    raise AssertionError(f"no server at {target} after {timeout} s")


def watch_health(target: str, seen: list, done: threading.Event) -> None:
    """Records the health statuses the server sends until it says NOT_SERVING."""
    with support.channel(target) as channel:
        stream = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=120)
        try:
            for response in stream:
                seen.append(response.status)
                if response.status == SERVING:
                    done.set()
                elif response.status == NOT_SERVING:
                    break
        except grpc.RpcError as e:
            seen.append(e.code())
        finally:
            stream.cancel()
            done.set()


def job_metric(port: int) -> float | None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(f'cocontroller_job_processed{{dry_run="false",job_id="{JOB}",tenant="lexus-be"}}'):
                return float(line.rpartition(" ")[2])
    return None


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """A demo database with synthetic customers, and an untouched copy for the reference."""
    folder = tmp_path_factory.mktemp("drain")
    db = folder / "live.db"
    run("init", "--demo", "--db", support.database(db), cwd=folder)
    run("demo-data", "--customers", CUSTOMERS, "--seed", 1, "--db", support.database(db), "--quiet", cwd=folder)
    support.copy_database(db, folder / "reference.db")
    return db


def test_sigterm_during_a_job_drains_and_the_job_resumes_to_the_same_end(database):
    port, metrics_port = free_port(), free_port()
    target = f"127.0.0.1:{port}"
    log = database.parent / "serve.log"
    with open(log, "w") as stderr:
        server = subprocess.Popen(
            [str(SCRIPT), "serve", "--db", support.database(database), "--host", "127.0.0.1", "--port", str(port),
             "--metrics-port", str(metrics_port), "--shutdown-grace", str(GRACE_S), "--log-format", "json",
             "--sweep-hour", "-1"],
            stdout=subprocess.DEVNULL, stderr=stderr, cwd=database.parent)
    try:
        wait_serving(target, server)
        health, watching = [], threading.Event()
        watcher = threading.Thread(target=watch_health, args=(target, health, watching), daemon=True)
        watcher.start()
        assert watching.wait(30) and health[:1] == [SERVING]

        seen, signalled = [], None
        with support.channel(target) as channel:
            stream = npb_grpc.DealerNetworkServiceStub(channel).ReassignCustomers(
                npb.ReassignCustomersRequest(job_id=JOB, batch_size=BATCH), timeout=120)
            with pytest.raises(grpc.RpcError) as caught:
                for progress in stream:
                    seen.append(progress)
                    if len(seen) == 3:
                        assert job_metric(metrics_port) >= seen[0].processed
                        server.send_signal(signal.SIGTERM)
                        signalled = time.monotonic()
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE and "run it again" in caught.value.details()
        server.wait(timeout=GRACE_S + 10)
        assert time.monotonic() - signalled < GRACE_S
        assert server.returncode == 0
        watcher.join(timeout=10)
        assert health[-1] == NOT_SERVING
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    last = seen[-1]
    assert not last.finished and BATCH * 3 <= last.processed < last.total
    (status, processed, cursor, decision_at), = support.query(
        database, f"SELECT status, processed, cursor, decision_at FROM reassign_jobs WHERE id = '{JOB}'")
    assert (status, processed) == ("running", last.processed) and cursor
    events = [json.loads(line).get("event") for line in log.read_text().splitlines() if line.startswith("{")]
    assert {"job.start", "job.stopped"} <= set(events) and "job.end" not in events

    *_, resumed = support.make_app(database).reassign.run(JOB, Scope(), False, "test", BATCH)
    assert resumed.finished and resumed.resumed and resumed.processed_before == processed
    reference_db = database.parent / "reference.db"
    *_, reference = support.make_app(reference_db).reassign.run(
        JOB, Scope(), False, "test", BATCH, clock.from_text(decision_at), 1)
    assert (resumed.processed, resumed.changed) == (reference.processed, reference.changed)
    assert tables(database) == tables(reference_db)
    jobs = "SELECT status, processed, changed, cursor FROM reassign_jobs"
    assert support.query(database, jobs) == support.query(reference_db, jobs)

