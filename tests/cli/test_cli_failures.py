"""Exit codes and error reports: one code per kind of failure, a one-line report (or one
JSON object with --json) on stderr, stdout empty, and never a traceback for an expected
failure; Ctrl-C exits 130 with one line."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest

from cocontroller.v1 import network_pb2 as npb
from cocontroller_client.cli.exits import MEANINGS, ExitCode
from cocontroller_client.client import Client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("status,code", [
    (grpc.StatusCode.INVALID_ARGUMENT, 3),
    (grpc.StatusCode.NOT_FOUND, 4),
    (grpc.StatusCode.FAILED_PRECONDITION, 5),
    (grpc.StatusCode.ALREADY_EXISTS, 5),
    (grpc.StatusCode.ABORTED, 5),
    (grpc.StatusCode.UNAVAILABLE, 6),
    (grpc.StatusCode.DEADLINE_EXCEEDED, 6),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, 7),
    (grpc.StatusCode.INTERNAL, 1),
    (grpc.StatusCode.PERMISSION_DENIED, 8),
    (grpc.StatusCode.UNAUTHENTICATED, 8),
])
def test_exit_code_of_each_status(stub, cli, status, code):
    state, target = stub
    state.fail(status, "as the test wants")
    exit_code, out, err = cli("dealer", "--id", "dlr-x", "--target", target)
    assert (exit_code, out) == (code, "")
    assert err.startswith("cocontroller: ") and len(err.splitlines()) == 1 and "Traceback" not in err


def test_every_exit_code_is_in_the_help(cli):
    code, out, _ = cli("--help")
    assert code == 0
    exit_codes = out.split("Exit codes:")[1]
    for value in ExitCode:
        assert f" {int(value)}  {MEANINGS[value]}" in " ".join(exit_codes.split("\n")), value


def test_field_violations_as_json(stub, cli):
    state, target = stub
    state.fail(grpc.StatusCode.INVALID_ARGUMENT, "location.postcode: must be 4 digits; as_of: out of range",
               [("location.postcode", "must be 4 digits"), ("as_of", "out of range")])
    code, out, err = cli("--json", "lookup", "--postcode", "99", "--target", target)
    assert (code, out) == (3, "")
    assert json.loads(err) == {"error": {
        "code": "INVALID_ARGUMENT",
        "message": "location.postcode: must be 4 digits; as_of: out of range",
        "field_violations": [{"field": "location.postcode", "description": "must be 4 digits"},
                             {"field": "as_of", "description": "out of range"}],
    }}


def test_field_violations_as_text(stub, cli):
    state, target = stub
    state.fail(grpc.StatusCode.INVALID_ARGUMENT, "the request is wrong",
               [("location.postcode", "must be 4 digits"), ("as_of", "out of range")])
    code, out, err = cli("lookup", "--postcode", "99", "--target", target)
    assert (code, out) == (3, "")
    assert err.splitlines() == ["cocontroller: INVALID_ARGUMENT: the request is wrong",
                                "  location.postcode: must be 4 digits", "  as_of: out of range"]


def test_no_server_exits_6_in_one_line(cli):
    target = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    code, out, err = cli("--timeout", "3", "lookup", "--postcode", "9000", "--target", target)
    assert (code, out) == (6, "")
    assert err == f"cocontroller: UNAVAILABLE: no server at {target}\n"
    assert time.monotonic() - started < 30
    code, out, err = cli("lookup", "--postcode", "9000", "--target", target, "--json")
    assert (code, out) == (6, "")
    assert json.loads(err)["error"] == {"code": "UNAVAILABLE", "message": f"no server at {target}",
                                        "field_violations": []}


def test_a_job_stopped_by_the_servers_shutdown_says_how_to_resume(stub, cli):
    """An UNAVAILABLE the server sent itself keeps its message (exit code 6 still): the job
    stopped at its last committed batch, not "no server at" a server that was there."""
    state, target = stub
    stopped = ("the server is shutting down: re-assignment job j stopped after its last committed batch;"
               " run it again with the same id to resume")
    state.fail(grpc.StatusCode.UNAVAILABLE, stopped)
    code, out, err = cli("reassign", "--job-id", "j", "--quiet", "--target", target)
    assert (code, out, err) == (6, "", f"cocontroller: UNAVAILABLE: {stopped}\n")


def test_ctrl_c_in_a_call_exits_130(cli, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Client, "dealers", interrupted)
    code, out, err = cli("dealers", "--target", f"127.0.0.1:{free_port()}")
    assert (code, out, err) == (130, "", "cocontroller: interrupted\n")
    code, out, err = cli("--json", "dealers", "--target", f"127.0.0.1:{free_port()}")
    assert (code, out, err) == (130, "", "cocontroller: interrupted\n")


def test_sigint_during_a_job_stream_exits_130(stub):
    """A real Ctrl-C: SIGINT to a `reassign` blocked on the server's stream."""
    state, target = stub
    state.stream = [npb.ReassignCustomersResponse(job_id="j", total=10, processed=2, changed=1)]
    state.hang = True
    process = subprocess.Popen(
        [sys.executable, "-m", "cocontroller_client.cli", "reassign", "--job-id", "j", "--quiet",
         "--target", target],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert state.streaming.wait(30), "the CLI never read the stream"
        time.sleep(0.3)  # into grpc's wait for the next message
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert (out, err) == ("", "cocontroller: interrupted\n")
