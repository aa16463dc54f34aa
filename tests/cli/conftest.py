"""Fixtures of the CLI tests: the in-process CLI (`cli`, tests/conftest.py) against the real
`server`, and a stub gRPC server on loopback (mTLS, like the real one) that answers what a test tells it to,
for the failures and streams a real server gives only with effort (a status of every kind,
a stream that hangs, a resumed job)."""

import json
import threading
from concurrent import futures

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from support import certs_dir


@pytest.fixture
def run(server, cli):
    """The CLI against `server`, with --target after the command name as scripts put it."""

    def run_(*argv):
        command = list(argv)
        at = 2 if command[0] == "customer" else 1
        command[at:at] = ["--target", server]
        return cli(*command)

    return run_


@pytest.fixture
def run_json(run):
    """`run` with --json: the parsed object, after checking the exit code and stderr."""

    def run_json_(*argv):
        code, out, err = run(*argv, "--json")
        assert code == 0, err
        assert err == ""
        return json.loads(out)

    return run_json_


class Stub:
    """What the stub server answers: `fail(code, message, violations)` makes every unary
    call fail so; `stream` lists the ReassignCustomers messages, after which it hangs until
    the test ends if `hang` is set."""

    def __init__(self):
        self.status = None
        self.stream: list[npb.ReassignCustomersResponse] = []
        self.stored: list[npb.AssignmentChange] = []  # ListAssignmentChanges' answer
        self.hang = False
        self.streaming = threading.Event()  # the stream's messages are all sent
        self.release = threading.Event()

    def fail(self, code: grpc.StatusCode, message: str, violations=()) -> None:
        status = status_pb2.Status(code=getattr(code_pb2, code.name), message=message)
        if violations:
            detail = any_pb2.Any()
            detail.Pack(error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations]))
            status.details.append(detail)
        self.status = rpc_status.to_status(status)

    def answer(self, context):
        if self.status is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "the stub has no answer")
        context.abort_with_status(self.status)


class _Assignment(pb_grpc.DealerAssignmentServiceServicer):
    def __init__(self, stub):
        self.stub = stub

    def GetResponsibleDealer(self, request, context):
        self.stub.answer(context)

    def GetDealer(self, request, context):
        self.stub.answer(context)

    def GetCustomer(self, request, context):
        self.stub.answer(context)


class _Network(npb_grpc.DealerNetworkServiceServicer):
    def __init__(self, stub):
        self.stub = stub

    def CloseDealer(self, request, context):
        self.stub.answer(context)

    def ListAssignmentChanges(self, request, context):
        return npb.ListAssignmentChangesResponse(changes=self.stub.stored)

    def ReassignCustomers(self, request, context):
        if self.stub.status is not None:
            self.stub.answer(context)
        yield from self.stub.stream
        self.stub.streaming.set()
        if self.stub.hang:
            self.stub.release.wait(60)


@pytest.fixture
def stub():
    """(Stub, target) of a stub server on a loopback port, stopped after the test."""
    state = Stub()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb_grpc.add_DealerAssignmentServiceServicer_to_server(_Assignment(state), server)
    npb_grpc.add_DealerNetworkServiceServicer_to_server(_Network(state), server)
    # mTLS with the session's certificates, as a real server: the CLI has no plaintext mode.
    read = lambda name: (certs_dir() / name).read_bytes()  # noqa: E731
    credentials = grpc.ssl_server_credentials([(read("server-key.pem"), read("server.pem"))],
                                              root_certificates=read("ca.pem"), require_client_auth=True)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield state, f"127.0.0.1:{port}"
    finally:
        state.release.set()
        server.stop(grace=None).wait()
