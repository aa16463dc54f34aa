"""Health stays open to load balancers that hold no client certificate: `serve --health-port`
answers the health service alone in plaintext (it shares the main port's health servicer, so
it reports draining too), while the main port keeps refusing a client without a
certificate."""

import signal
import socket
import subprocess

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from support import database, free_port, wait_serving
from test_safe_operations import SCRIPT, run


def plain_health(port: int, timeout: float = 2.0) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout).status


def test_the_health_port_answers_without_a_certificate(tmp_path):
    db = database(tmp_path / "live.db")
    assert run("init", "--demo", "--db", db).returncode == 0
    port, health_port = free_port(), free_port()
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port),
         "--health-port", str(health_port), "--shutdown-grace", "5"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_serving(f"127.0.0.1:{port}", process)
        assert plain_health(health_port) == health_pb2.HealthCheckResponse.SERVING
        with grpc.insecure_channel(f"127.0.0.1:{health_port}") as channel:
            lookup = pb_grpc.DealerAssignmentServiceStub(channel).GetResponsibleDealer
            try:
                lookup(pb.GetResponsibleDealerRequest(location=pb.Location(postcode="9000")), timeout=2)
                raise AssertionError("the health port answered a lookup")
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.UNIMPLEMENTED
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            try:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
                raise AssertionError("the main port answered a client without a certificate")
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.UNAVAILABLE
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_bound_health_port_is_refused(tmp_path):
    db = database(tmp_path / "live.db")
    assert run("init", "--demo", "--db", db).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run("serve", "--db", db, "--host", "127.0.0.1", "--port", free_port(),
                   "--health-port", taken.getsockname()[1], timeout=60)
    assert done.returncode == 5 and "health port" in done.stderr
