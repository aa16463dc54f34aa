"""Load shedding (api/shedding.py): a light call that would wait behind too many others in
gRPC core, or that finds the server at its limit, is refused with RESOURCE_EXHAUSTED and a
retry delay; the delay grows under sustained refusals and shrinks as calls are admitted; the
client library waits as told and tries again."""

import asyncio
import threading
import time
from concurrent import futures

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2
from support import certs_dir, credentials

from cocontroller.api import shedding
from cocontroller.api.errors import PUSHBACK, CallEnded, abort
from cocontroller.api.shedding import Backlog, Pushback, Shedding
from cocontroller.api.tls import server_credentials
from cocontroller.config import Settings
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller_client.client import Client

LOOKUP = "/cocontroller.v1.DealerAssignmentService/GetResponsibleDealer"
# The server's event loop, as far as shedding sees it.
LOOP = asyncio.new_event_loop()
MAX_WAIT_S = 0.003


class FixedBacklog:
    """`calls` waiting in gRPC core, as its counters would give them."""

    def __init__(self, calls: int = 0):
        self.calls = calls
        self.held = 0

    def waiting(self, now: float) -> int:
        return self.calls


async def answer():
    return "ok"


def slow(seconds: float):
    async def behaviour():
        time.sleep(seconds)  # the loop's own work: a light call runs on it
        return "ok"

    return behaviour


def gate(running: int = 8, backlog: int = 0) -> tuple[Shedding, FixedBacklog]:
    waiting = FixedBacklog(backlog)
    return Shedding(running, MAX_WAIT_S, Pushback(seed=1), waiting), waiting


async def admitted(shedding: Shedding, behaviour=answer):
    """A light call as its handler makes it: its answer, or the refusal (code, details,
    trailers)."""
    try:
        started = shedding.admit()
    except CallEnded as refused:
        return refused
    try:
        return await behaviour()
    finally:
        shedding.left(started)


def call(shedding: Shedding, behaviour=answer):
    return LOOP.run_until_complete(admitted(shedding, behaviour))


def retry_delay_ms(status) -> int:
    return int(dict(status.trailing_metadata)[PUSHBACK])


def test_calls_are_never_refused_without_a_backlog():
    shedding, _ = gate()
    assert [call(shedding, slow(0.001)) for _ in range(50)] == ["ok"] * 50


def test_a_few_callers_are_never_refused_however_slow_their_calls():
    """Four callers never queue beyond the running limit: light load is never refused."""
    shedding, _ = gate(backlog=4)
    assert [call(shedding, slow(0.005)) for _ in range(20)] == ["ok"] * 20


def test_a_backlog_too_long_to_wait_for_is_refused_with_a_retry_delay():
    shedding, backlog = gate()
    for _ in range(40):  # the mean call takes about 1 ms
        call(shedding, slow(0.001))
    backlog.calls = 100
    status = call(shedding)
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "overloaded" in status.details
    assert retry_delay_ms(status) > 0
    details = status_pb2.Status.FromString(dict(status.trailing_metadata)["grpc-status-details-bin"])
    info = error_details_pb2.RetryInfo()
    assert any(d.Unpack(info) for d in details.details)
    assert info.retry_delay.ToMilliseconds() == retry_delay_ms(status)


def test_a_backlog_of_quick_calls_is_let_through():
    """Twenty calls waiting that take microseconds each are far under the limit's wait."""
    shedding, _ = gate(backlog=20)
    assert [call(shedding) for _ in range(50)] == ["ok"] * 50


def test_a_call_beyond_the_running_limit_is_refused_at_once():
    shedding, _ = gate(running=2)

    async def three_at_once():
        release = asyncio.Event()

        async def waiting():
            await release.wait()
            return "ok"

        running = [asyncio.ensure_future(admitted(shedding, waiting)) for _ in range(2)]
        await asyncio.sleep(0)
        status = await admitted(shedding)
        release.set()
        return [await r for r in running], status

    answers, status = LOOP.run_until_complete(three_at_once())
    assert answers == ["ok", "ok"]
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit of calls at once" in status.details
    assert call(shedding) == "ok", "the slots are given back"


def test_the_backlog_counts_the_calls_a_real_server_holds():
    """What Backlog reads of gRPC core's channelz counters (a private API of grpcio): calls
    started and not ended, waiting or running (no observer here counts what Python holds)."""
    release = threading.Event()

    async def held(request, context):
        await asyncio.get_running_loop().run_in_executor(None, release.wait, 10)
        return pb.GetResponsibleDealerResponse()

    async def scenario():
        before = Backlog.server_ids()
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "cocontroller.v1.DealerAssignmentService",
            {"GetResponsibleDealer": grpc.unary_unary_rpc_method_handler(
                held, request_deserializer=pb.GetResponsibleDealerRequest.FromString,
                response_serializer=pb.GetResponsibleDealerResponse.SerializeToString)}),))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        (server_id,) = Backlog.server_ids() - before
        backlog = Backlog(near=8, quiet_every_s=0, busy_every_s=0)
        backlog.watch(server_id)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            lookup = channel.unary_unary(LOOKUP, request_serializer=pb.GetResponsibleDealerRequest.SerializeToString,
                                         response_deserializer=pb.GetResponsibleDealerResponse.FromString)
            calls = [asyncio.ensure_future(lookup(pb.GetResponsibleDealerRequest(), timeout=10)) for _ in range(3)]
            deadline = time.monotonic() + 10
            while backlog.waiting(time.monotonic()) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            holding = backlog.waiting(time.monotonic())
            backlog.held = 2  # two of them in Python's hands: only one waits in core
            partly = backlog.waiting(time.monotonic())
            backlog.held = 0
            release.set()
            await asyncio.gather(*calls)
        after = backlog.waiting(time.monotonic())
        await server.stop(None)
        return holding, partly, after

    assert asyncio.run(scenario()) == (3, 1, 0)


def test_the_backlog_is_read_often_only_while_enough_calls_wait():
    """A read of core's counters costs the event loop up to 0.4 ms: while fewer calls wait
    than could be refused it is made every 50 ms, from then on every 5 ms."""
    backlog = Backlog(near=8, quiet_every_s=0.05, busy_every_s=0.005)
    present, reads = [2], []
    backlog.count = lambda: reads.append(1) or present[0]
    ms = [i / 1000 for i in range(1, 101)]
    assert {backlog.waiting(now) for now in ms} == {2}
    assert 2 <= len(reads) <= 3, "every 50 ms while 2 wait"
    present[0] = 9
    reads.clear()
    assert backlog.waiting(0.150) == 9
    assert {backlog.waiting(0.150 + now) for now in ms} == {9}
    assert 20 <= len(reads) <= 21, "every 5 ms while 9 wait"
    backlog.held = 9
    assert backlog.waiting(0.255) == 0, "calls Python holds are not waiting"


def test_the_retry_delay_grows_under_refusals_and_comes_back_down():
    pushback = Pushback(seed=1)
    delays = [pushback.refused() for _ in range(200)]
    assert pushback.delay_s == shedding._HIGHEST_S
    assert all(0.5 * shedding._LOWEST_S <= d <= 1.5 * shedding._HIGHEST_S for d in delays)
    assert max(delays[-20:]) > 10 * max(delays[:5])
    for _ in range(2000):
        pushback.admitted()
    assert pushback.delay_s == shedding._LOWEST_S


def test_it_settles_when_about_a_tenth_is_refused():
    pushback = Pushback(seed=1)
    for _ in range(100):
        for _ in range(9):
            pushback.admitted()
        pushback.refused()
    settled = pushback.delay_s
    for _ in range(100):
        for _ in range(9):
            pushback.admitted()
        pushback.refused()
    assert shedding._LOWEST_S < pushback.delay_s < shedding._HIGHEST_S
    assert 0.5 < pushback.delay_s / settled < 2


@pytest.fixture
def refusing_server():
    """A server whose lookup refuses its first two calls with a 50 ms pushback, then answers:
    what the client library sees when the service sheds load."""
    seen = []

    def lookup(request, context):
        seen.append(time.monotonic())
        if len(seen) <= 2:
            try:
                abort(code_pb2.RESOURCE_EXHAUSTED, "busy", retry_delay_s=0.05)
            except CallEnded as refused:  # sent as the server's call layer sends it
                context.set_trailing_metadata(refused.trailing_metadata)
                context.abort(refused.code, refused.details)
        return pb.GetResponsibleDealerResponse()

    server = grpc.server(futures.ThreadPoolExecutor(2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "cocontroller.v1.DealerAssignmentService",
        {"GetResponsibleDealer": grpc.unary_unary_rpc_method_handler(
            lookup, request_deserializer=pb.GetResponsibleDealerRequest.FromString,
            response_serializer=pb.GetResponsibleDealerResponse.SerializeToString)}),))
    port = server.add_secure_port("127.0.0.1:0", server_credentials(Settings(certs_dir=certs_dir()), "127.0.0.1"))
    server.start()
    try:
        yield f"127.0.0.1:{port}", seen
    finally:
        server.stop(None).wait()


def test_the_client_library_waits_the_pushback_and_tries_again(refusing_server):
    target, seen = refusing_server
    with Client(target, credentials=credentials("crm")) as client:
        client.stub.GetResponsibleDealer(pb.GetResponsibleDealerRequest(
            location=pb.Location(postcode="9000")), timeout=10)
    assert len(seen) == 3
    assert seen[1] - seen[0] >= 0.04 and seen[2] - seen[1] >= 0.04, "it waited the pushback"
