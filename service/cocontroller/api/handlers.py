"""The services' method handlers, built from their descriptors so that a request is parsed
inside the handler: grpcio answers INTERNAL and logs a traceback when its own deserializer
raises, here undecodable bytes are INVALID_ARGUMENT. Each handler checks its caller first
(auth.py), then runs the call on the servicer of its tenant (tenancy.py): every tenant has
its own servicers over its own application, so a call can reach no other tenant's data.
Shedding and the check are made here, not by interceptors of their own: on grpc.aio each
interceptor is a coroutine and a wrapper more on every call.

Where a call runs:

- on the server's event loop: the quick per-customer calls of the CRM and the call centre
  (`ON_LOOP`), on SQLite, while no thread of this process writes. One thread then runs their
  statements with no other Python thread taking the GIL at each SQLite call: on the threaded
  server a lead cost 22 context switches at four clients, here 6 (docs/performance.md). The
  loop never waits for a writer: a write that finds another (a job's batch, another
  process) raises WriterBusy before doing anything, and the call runs in a worker instead;
- the CRM's writes (a lead, a customer, a contact, a preference, an assignment), where
  `serve` runs one, in a process beside the loop (apart.py): the loop hands it the request's
  bytes and answers other calls until the answer's come back;
- in the worker threads: every other unary call, and all of them on PostgreSQL, whose every
  statement is a round trip the loop must not wait for;
- heavy methods (lists, resolution) in a bounded pool of their own (`HeavyPool`), so the
  workers stay free for the rest; light calls are first admitted or refused (shedding.py);
- a job's stream in a thread of its own, each message written with a stall timeout (a job
  stream is bounded apart: one job of a kind per server, api/jobs.py).
"""

import asyncio
import contextvars
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc
from google.protobuf import message, message_factory
from google.protobuf.descriptor import ServiceDescriptor
from google.rpc import code_pb2

from ..store.db import WriterBusy
from .apart import METHODS as APART, Apart, Lost
from .auth import check
from .errors import CallEnded, abort
from .observe import parsed
from .shedding import Pushback, Shedding, refuse
from .tenancy import Tenancy

# Calls whose work is bounded and local to one customer or one point: they run on the event
# loop when the store allows (see the module).
ON_LOOP = frozenset({
    "GetResponsibleDealer", "AssignDealer", "CreateLead", "UpdateCustomer", "UpsertCustomer", "GetCustomer",
    "RecordContact", "SetPreferredDealer", "RevokePreferredDealer", "GetDealer", "LookupPostcode",
})
# Methods whose cost grows with the data (a page of up to 1,000 rows, a customer's whole
# history): they run in the heavy pool.
HEAVY = frozenset({
    "ListAssignments", "ListDealers", "ListAssignmentChanges", "ListNotices", "ListRulePacks",
    "ListContacts", "ListPreferences", "ListConsents", "ListContracts", "ListDisputes", "ListObjections",
    "ResolveControllers", "ExportCustomer",
})
# Heavy calls that may wait for a turn, beyond those running.
HEAVY_QUEUE = 8
# How long a heavy call waits for a turn before it is answered RESOURCE_EXHAUSTED.
HEAVY_WAIT_S = 1.0
_BUSY = "the server is busy with lists and resolutions"
_DONE = object()


def in_thread(pool: futures.Executor, work: Callable, *args):
    """`work(*args)` in one of `pool`'s threads, with the call's context variables (its
    request id and tenant on every log line, its caller)."""
    return asyncio.get_running_loop().run_in_executor(pool, contextvars.copy_context().run, work, *args)


class HeavyPool:
    """At most `running` heavy calls run at once, in threads of the pool's own. A heavy call
    waits up to `wait_s` for a turn, but only while fewer than `running + queue` heavy calls
    are inside; beyond that it is refused at once. Used on the event loop alone."""

    def __init__(self, running: int, pushback: Pushback, queue: int = HEAVY_QUEUE, wait_s: float = HEAVY_WAIT_S):
        self.threads = futures.ThreadPoolExecutor(running, thread_name_prefix="heavy")
        self._admitted = running + queue
        self._inside = 0
        self._turns = asyncio.Semaphore(running)
        self._pushback = pushback
        self._wait_s = wait_s

    async def run(self, work: Callable):
        if self._inside >= self._admitted:
            refuse(self._pushback, _BUSY)
        self._inside += 1
        try:
            try:
                await asyncio.wait_for(self._turns.acquire(), self._wait_s)
            except asyncio.TimeoutError:
                refuse(self._pushback, _BUSY)
            try:
                return await in_thread(self.threads, work)
            finally:
                self._turns.release()
        finally:
            self._inside -= 1


class Workers:
    """Where calls run off the event loop: the threads `calls` for unary calls, `streams`
    for job streams (one job of each kind per tenant at a time; more are refused in their
    first step), the heavy pool, and the process for the CRM's writes where `serve` runs
    one (`apart`). `stall_s`: how long a stream's message may wait for a
    client that stopped reading."""

    def __init__(self, calls: int, streams: int, heavy: HeavyPool, stall_s: float, apart: Apart | None = None):
        self.calls = futures.ThreadPoolExecutor(calls, thread_name_prefix="calls")
        self.streams = futures.ThreadPoolExecutor(streams, thread_name_prefix="streams")
        self.heavy = heavy
        self.stall_s = stall_s
        self.apart = apart

    def shutdown(self) -> None:
        for pool in (self.calls, self.streams, self.heavy.threads):
            pool.shutdown(wait=False, cancel_futures=True)


def add_services(server: grpc.aio.Server, services: list[tuple[ServiceDescriptor, dict[str, object]]],
                 stores: dict[str, object], workers: Workers, tenancy: Tenancy, shedding: Shedding) -> None:
    """Registers each service's methods, parsing requests in the handler; `services` gives
    each service's servicer by tenant id, `stores` each tenant's store, and a call runs on
    its tenant's. Every handler checks its caller first (auth.py), after shedding for a
    light call."""
    for service, servicers in services:
        handlers = {method.name: _handler(method, f"/{service.full_name}/{method.name}",
                                          _Tenants(servicers, stores, method.name), tenancy, workers, shedding)
                    for method in service.methods}
        # Generic handlers only, not registered methods: grpc.aio's server waits for its next
        # call with asyncio.wait over one pending request per registered method, about 60
        # here, on every call (measured: CreateLead +15-20 % without them).
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))


class _Tenants:
    """A method of every tenant's servicer, with the tenant's store."""

    def __init__(self, servicers: dict[str, object], stores: dict[str, object], name: str):
        self.of = {tenant: (getattr(servicer, name), stores[tenant]) for tenant, servicer in servicers.items()}


def _handler(method, full_name: str, tenants: _Tenants, tenancy: Tenancy, workers: Workers,
             shedding: Shedding) -> grpc.RpcMethodHandler:
    request_class = message_factory.GetMessageClass(method.input_type)
    serialize = _serializer(message_factory.GetMessageClass(method.output_type))
    if method.server_streaming:

        async def stream(raw: bytes, context) -> None:
            behaviour, _ = tenants.of[check(context, full_name, tenancy)]
            await _write_all(behaviour(_parse(request_class, raw), context), context, workers)

        return grpc.unary_stream_rpc_method_handler(stream, response_serializer=serialize)

    if method.name in HEAVY:

        async def unary(raw: bytes, context):
            behaviour, _ = tenants.of[check(context, full_name, tenancy)]
            request = _parse(request_class, raw)
            return await workers.heavy.run(lambda: behaviour(request, context))

    else:
        on_loop = method.name in ON_LOOP
        apart = workers.apart if method.name in APART else None
        name = method.name

        async def unary(raw: bytes, context):
            admitted = shedding.admit()
            try:
                tenant = check(context, full_name, tenancy)
                behaviour, store = tenants.of[tenant]
                request = _parse(request_class, raw)
                # On the event loop when the store allows, else in a worker (see the module).
                if on_loop and store.runs_inline():
                    if apart is not None and apart.taking():
                        shedding.aside()
                        try:
                            return await apart.call(tenant, name, raw, context)
                        except Lost:
                            pass  # not taken, or a lead lost with the process: idempotent by its request id
                        finally:
                            shedding.back()
                    try:
                        return behaviour(request, context)
                    except WriterBusy:
                        pass  # nothing was written: the call waits for the other writer in a worker
                return await in_thread(workers.calls, behaviour, request, context)
            finally:
                shedding.left(admitted)

    return grpc.unary_unary_rpc_method_handler(unary, response_serializer=serialize)


async def _write_all(messages: Iterator, context, workers: Workers) -> None:
    """Writes a job's messages, each taken from its generator in a stream thread. A message
    the client has not taken within the stall timeout cancels the call: when its flow-control
    window is full, the job would otherwise hold the server's one job slot for good. The job
    stops at its last committed batch (every batch commits before its message is sent), so
    rerunning the job id resumes it."""
    run = contextvars.copy_context().run
    step = None
    try:
        while True:
            step = workers.streams.submit(run, next, messages, _DONE)
            item = await asyncio.wrap_future(step)
            if item is _DONE:
                return
            written = asyncio.ensure_future(context.write(item))
            done, _ = await asyncio.wait((written,), timeout=workers.stall_s)
            if not done:
                # Left to end with the call; its outcome no longer matters.
                written.add_done_callback(lambda write: write.cancelled() or write.exception())
                raise CallEnded(grpc.StatusCode.CANCELLED,
                                "the client stopped reading the stream: the job stopped at its last committed batch;"
                                " run it again with the same id to resume")
            written.result()
    finally:
        # A call cancelled while its job writes a batch: the batch ends (and commits) first.
        if step is not None and not step.done():
            await asyncio.wait((asyncio.wrap_future(step),))
        await asyncio.wrap_future(workers.streams.submit(run, messages.close))


def _serializer(response_class):
    """A response's bytes; a handler may answer with them already made (a resolution joins
    the kept bytes of the part many customers share, api/convert.py)."""
    to_bytes = response_class.SerializeToString

    def serialize(response) -> bytes:
        return response if isinstance(response, bytes) else to_bytes(response)

    return serialize


def _parse(request_class, raw: bytes):
    try:
        request = request_class.FromString(raw)
    except message.DecodeError:
        abort(code_pb2.INVALID_ARGUMENT, f"the request is not a valid {request_class.DESCRIPTOR.full_name} message")
    parsed(request)
    return request
