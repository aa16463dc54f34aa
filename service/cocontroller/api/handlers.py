"""The services' method handlers, built from their descriptors so that a request is parsed
inside the handler: grpcio answers INTERNAL and logs a traceback when its own deserializer
raises, here undecodable bytes are INVALID_ARGUMENT. Heavy methods (lists, resolution)
first take a slot of their own bounded pool, so lookups keep finding a free thread (a job
stream is bounded apart: one job per server, api/network.py); light calls are shed before
they get here (shedding.py). Each call runs on the servicer of its tenant (tenancy.py): every
tenant has its own servicers over its own application, so a call can reach no other
tenant's data."""

import contextlib
import threading

import grpc
from google.protobuf import message, message_factory
from google.protobuf.descriptor import ServiceDescriptor
from google.rpc import code_pb2

from .access import principal_of
from .errors import abort
from .shedding import Pushback, refuse
from .tenancy import Tenancy

# Methods whose cost grows with the data (a page of up to 1,000 rows, a customer's whole
# history): they run in the heavy pool.
HEAVY = frozenset({
    "ListAssignments", "ListDealers", "ListAssignmentChanges", "ListNotices", "ListRulePacks",
    "ListContacts", "ListPreferences", "ListConsents", "ListContracts", "ListDisputes", "ListObjections",
    "ResolveControllers", "ExportCustomer",
})
# Heavy calls that may wait for a slot, beyond those running; a waiting call holds a handler
# thread, so the server adds this many threads to its pool.
HEAVY_QUEUE = 8
# How long a heavy call waits for a slot before it is answered RESOURCE_EXHAUSTED.
HEAVY_WAIT_S = 1.0


class HeavyPool:
    """At most `running` heavy calls run at once. A heavy call waits up to `wait_s` for a slot,
    but only while fewer than `running + queue` heavy calls hold handler threads; beyond that it
    is refused at once, so the pool's other threads stay free for light calls."""

    def __init__(self, running: int, pushback: Pushback, queue: int = HEAVY_QUEUE, wait_s: float = HEAVY_WAIT_S):
        self._admitted = threading.BoundedSemaphore(running + queue)
        self._running = threading.BoundedSemaphore(running)
        self._pushback = pushback
        self._wait_s = wait_s

    @contextlib.contextmanager
    def slot(self, context):
        if not self._admitted.acquire(blocking=False):
            refuse(context, self._pushback, _BUSY)
        try:
            if not self._running.acquire(timeout=self._wait_s):
                refuse(context, self._pushback, _BUSY)
            try:
                yield
            finally:
                self._running.release()
        finally:
            self._admitted.release()


_BUSY = "the server is busy with lists and resolutions"


def add_services(server: grpc.Server, services: list[tuple[ServiceDescriptor, dict[str, object]]],
                 heavy: HeavyPool, tenancy: Tenancy) -> None:
    """Registers each service's methods, parsing requests in the handler; `services` gives
    each service's servicer by tenant id, and a call runs on its tenant's."""
    for service, servicers in services:
        handlers = {method.name: _handler(method, _by_tenant(servicers, method.name, tenancy), heavy)
                    for method in service.methods}
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))
        server.add_registered_method_handlers(service.full_name, handlers)


def _by_tenant(servicers: dict[str, object], name: str, tenancy: Tenancy):
    """The method of the call's tenant's servicer."""
    behaviours = {tenant: getattr(servicer, name) for tenant, servicer in servicers.items()}

    def behaviour(request, context):
        return behaviours[tenancy.tenant_of(context, principal_of(context))](request, context)

    return behaviour


def _handler(method, behaviour, heavy: HeavyPool) -> grpc.RpcMethodHandler:
    request_class = message_factory.GetMessageClass(method.input_type)
    serialize = _serializer(message_factory.GetMessageClass(method.output_type))
    pool = heavy if method.name in HEAVY else None
    if method.server_streaming:

        def stream(raw: bytes, context):
            request = _parse(request_class, raw, context)
            with pool.slot(context) if pool else contextlib.nullcontext():
                yield from behaviour(request, context)

        return grpc.unary_stream_rpc_method_handler(stream, response_serializer=serialize)

    def unary(raw: bytes, context):
        request = _parse(request_class, raw, context)
        with pool.slot(context) if pool else contextlib.nullcontext():
            return behaviour(request, context)

    return grpc.unary_unary_rpc_method_handler(unary, response_serializer=serialize)


def _serializer(response_class):
    """A response's bytes; a handler may answer with them already made (a resolution joins
    the kept bytes of the part many customers share, api/convert.py)."""
    to_bytes = response_class.SerializeToString

    def serialize(response) -> bytes:
        return response if isinstance(response, bytes) else to_bytes(response)

    return serialize


def _parse(request_class, raw: bytes, context):
    try:
        return request_class.FromString(raw)
    except message.DecodeError:
        abort(context, code_pb2.INVALID_ARGUMENT,
              f"the request is not a valid {request_class.DESCRIPTOR.full_name} message")
