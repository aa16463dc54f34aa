"""Load shedding (api/shedding.py): a light call that waited too long for a handler thread,
or that finds the server at its limit, is refused with RESOURCE_EXHAUSTED and a retry delay;
the delay grows under sustained refusals and shrinks as calls are admitted; the client
library waits as told and tries again."""

import asyncio
import gc
import time
from concurrent import futures

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2
from support import certs_dir, credentials

from cocontroller.api import shedding
from cocontroller.api.errors import PUSHBACK, CallEnded, abort
from cocontroller.api.shedding import Pushback, Shedding
from cocontroller.api.tls import server_credentials
from cocontroller.config import Settings
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller_client.client import Client

LOOKUP = "/cocontroller.v1.DealerAssignmentService/GetResponsibleDealer"
# The server's event loop, as far as the interceptor sees it.
LOOP = asyncio.new_event_loop()


class Details:
    def __init__(self, method: str):
        self.method = method
        self.invocation_metadata = ()


async def answer(request, context):
    return "ok"


def gate(running: int = 8, max_wait_s: float = 0.002) -> tuple[Shedding, Pushback]:
    pushback = Pushback(seed=1)
    return Shedding(running, max_wait_s, pushback, frozenset({"ListDealers"})), pushback


async def taken(interceptor: Shedding, method: str = LOOKUP, behaviour=answer):
    """A call taken as the event loop takes it: its handler."""

    async def continuation(details):
        return grpc.unary_unary_rpc_method_handler(behaviour)

    return await interceptor.intercept_service(continuation, Details(method))


def take(interceptor: Shedding, method: str = LOOKUP, behaviour=answer):
    return LOOP.run_until_complete(taken(interceptor, method, behaviour))


async def started(handler):
    """A taken call's handler started: its answer, or the refusal (code, details, trailers)."""
    try:
        return await handler.unary_unary(b"", None)
    except CallEnded as refused:
        return refused


def run(handler):
    return LOOP.run_until_complete(started(handler))


def call_after(interceptor: Shedding, wait_s: float, method: str = LOOKUP, behaviour=answer):
    """One call taken, left waiting `wait_s` and run, with nothing else waiting."""
    handler = take(interceptor, method, behaviour)
    time.sleep(wait_s)
    return run(handler)


def queue_after(interceptor: Shedding, wait_s: float, calls: int = 4, method: str = LOOKUP) -> list:
    """`calls` calls taken at once, left waiting `wait_s`, then run one by one: a queue."""
    handlers = [take(interceptor, method) for _ in range(calls)]
    time.sleep(wait_s)
    return [run(h) for h in handlers]


def retry_delay_ms(status) -> int:
    return int(dict(status.trailing_metadata)[PUSHBACK])


def test_calls_that_do_not_wait_are_never_refused():
    interceptor, _ = gate()
    assert [call_after(interceptor, 0) for _ in range(200)] == ["ok"] * 200


def test_a_lone_slow_handover_is_let_through():
    interceptor, _ = gate()
    for _ in range(20):
        call_after(interceptor, 0)
    assert call_after(interceptor, 0.01) == "ok"


def test_calls_that_keep_queueing_are_refused_with_a_retry_delay():
    interceptor, _ = gate()
    answers = [a for _ in range(15) for a in queue_after(interceptor, 0.005)]
    refused = [a for a in answers if a != "ok"]
    assert answers[0] == "ok", "the average needs a few slow calls before it refuses"
    assert len(refused) >= 30
    status = refused[-1]
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "overloaded" in status.details
    assert retry_delay_ms(status) > 0
    details = status_pb2.Status.FromString(dict(status.trailing_metadata)["grpc-status-details-bin"])
    info = error_details_pb2.RetryInfo()
    assert any(d.Unpack(info) for d in details.details)
    assert info.retry_delay.ToMilliseconds() == retry_delay_ms(status)


def test_the_last_call_of_a_queue_is_let_through():
    interceptor, _ = gate()
    answers = [queue_after(interceptor, 0.005) for _ in range(15)]
    assert all(a[-1] == "ok" for a in answers), "nothing waited behind it"


def test_a_lone_caller_slowed_by_others_work_is_never_refused():
    """One lookup after another while a heavy call holds the GIL: refusing them would not
    make the heavy call end sooner."""
    interceptor, _ = gate()
    assert [call_after(interceptor, 0.005) for _ in range(40)] == ["ok"] * 40


def test_a_call_dropped_before_it_ran_stops_waiting():
    interceptor, _ = gate()
    dropped = [take(interceptor) for _ in range(5)]
    del dropped
    gc.collect()
    assert [call_after(interceptor, 0.005) for _ in range(40)] == ["ok"] * 40


def test_heavy_methods_and_health_pass_untouched():
    interceptor, _ = gate()
    for _ in range(15):
        queue_after(interceptor, 0.005)  # the average is now far above the limit
    for method in ("/cocontroller.v1.DealerAssignmentService/ListDealers", "/grpc.health.v1.Health/Check"):
        assert queue_after(interceptor, 0.005, method=method) == ["ok"] * 4


def test_a_call_beyond_the_running_limit_is_refused_at_once():
    interceptor, _ = gate(running=2)

    async def three_at_once():
        release = asyncio.Event()

        async def slow(request, context):
            await release.wait()
            return "ok"

        running = [asyncio.ensure_future(started(await taken(interceptor, behaviour=slow))) for _ in range(2)]
        await asyncio.sleep(0)
        status = await started(await taken(interceptor))
        release.set()
        return [await r for r in running], status

    answers, status = LOOP.run_until_complete(three_at_once())
    assert answers == ["ok", "ok"]
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit of calls at once" in status.details
    assert call_after(interceptor, 0) == "ok", "the slots are given back"


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
