"""Every call, observed once: a log line (method, status, duration, principal, tenant, request
id, and the customer it concerns as a keyed hash), the metrics, and the request id sent back.

The log never holds personal data: a customer id only as HMAC-SHA256 under the installation's
log key (`Pseudonyms`), and nothing else of a request (no postcodes, coordinates or free text).
An operator who holds the key can find a customer's lines by hashing the id the same way.
"""

import asyncio
import contextvars
import hmac
import inspect
import itertools
import logging
import re
import secrets
import time

import grpc
from google.protobuf import descriptor_pool, message_factory

from ..config import Settings
from .. import logs
from ..keys import key_beside
from ..logs import event
from .access import OPEN_SERVICES, principal_of
from .errors import CallEnded
from .metrics import Metrics
from .shedding import Backlog
from .tenancy import Tenancy

REQUEST_ID = "x-request-id"
# A client's request id is kept when it looks like one; anything else might carry text the
# log must not hold, and is replaced by a generated id.
_REQUEST_ID_FORM = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_FAILED = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.DATA_LOSS})

log = logging.getLogger("cocontroller.rpc")
# The call's request as its handler parsed it (`parsed`), so the observer does not parse it
# again for the customer it names.
_PARSED: contextvars.ContextVar[object | None] = contextvars.ContextVar("parsed_request", default=None)


# Ids made here: a random prefix of this process and a count, 32 hex digits as token_hex(16)
# gives, without reading the system's randomness on every call.
_PREFIX = secrets.token_hex(8)
_COUNT = itertools.count()


def _new_request_id() -> str:
    return f"{_PREFIX}{next(_COUNT):016x}"


def parsed(request) -> None:
    """Tells the observer of the call the request its handler parsed."""
    _PARSED.set(request)


def principal(context) -> str:
    """Who called: the identity in the client certificate that names a role, else the peer
    address (a call the auth interceptor refuses)."""
    found = principal_of(context)
    return found.name if found is not None else f"unauthenticated {context.peer()}"


class Pseudonyms:
    """Customer ids as the log shows them: the first 16 hex digits of HMAC-SHA256 under a
    secret key, so lines of one customer can be followed without naming them, and the ids
    cannot be found by hashing a list of candidates without the key."""

    def __init__(self, key: bytes):
        self._key = key

    def customer(self, customer_id: str) -> str:
        return "c-" + hmac.digest(self._key, customer_id.encode(), "sha256").hex()[:16]


def log_key(settings: Settings) -> bytes:
    """The `log_key` setting, else the key in the file `<db>.logkey` beside the database."""
    return key_beside(settings.db, "logkey", settings.log_key)


class CallObserver(grpc.aio.ServerInterceptor):
    """The server's one interceptor: it sees every call the server accepts, whatever later
    refuses it, and sends the status of a call refused inside it (errors.CallEnded).

    Each method's observed handler is made once (`_Method`), on its first call: what is the
    call's own, its request id and tenant, goes in context variables of the call (the
    interceptor and the handler run in the call's one task)."""

    # More methods than a server serves: a generic handler answering any name would
    # otherwise grow the table without end.
    _METHODS_KEPT = 1024

    def __init__(self, metrics: Metrics, pseudonyms: Pseudonyms, tenancy: Tenancy, backlog: Backlog):
        self.metrics = metrics
        self.pseudonyms = pseudonyms
        self.tenancy = tenancy
        # Every call Python holds, counted for shedding (shedding.py).
        self.backlog = backlog
        self._methods: dict[str, _Method] = {}

    async def intercept_service(self, continuation, details):
        handler = await continuation(details)
        if handler is None:
            return None
        method = self._methods.get(details.method)
        if method is None or method.handler is not handler:
            if len(self._methods) >= self._METHODS_KEPT:
                self._methods.clear()
            method = self._methods[details.method] = _Method(self, details.method, handler)
        metadata = details.invocation_metadata or ()
        given = next((v for k, v in metadata if k == REQUEST_ID), "")
        # Every line logged while the call runs (a job's, a network change's) carries its id.
        logs.REQUEST_ID.set(given if isinstance(given, str) and _REQUEST_ID_FORM.fullmatch(given)
                            else _new_request_id())
        logs.TENANT.set("" if method.open else self.tenancy.label(metadata))
        return method.observed


class _Method:
    """One method's handler, observed: its names and where its request names a customer,
    found once."""

    def __init__(self, observer: CallObserver, full_method: str, handler: grpc.RpcMethodHandler):
        self.observer = observer
        self.handler = handler
        self.service, _, self.method = full_method.lstrip("/").partition("/")
        self.name = f"{self.service}/{self.method}"
        self.open = self.service.startswith(OPEN_SERVICES)
        self.customer_field = _customer_field(f"{self.service}.{self.method}")
        if handler.unary_unary:
            self.observed = handler._replace(unary_unary=self._observing(handler.unary_unary))
        elif handler.unary_stream:
            self.observed = handler._replace(unary_stream=self._observing(handler.unary_stream, streams=True))
        elif handler.stream_unary:
            self.observed = handler._replace(stream_unary=self._observing(handler.stream_unary, reads_request=False))
        else:
            self.observed = handler._replace(stream_stream=self._observing(handler.stream_stream, reads_request=False,
                                                                           streams=True))

    def _observing(self, behaviour, reads_request: bool = True, streams: bool = False):
        """`behaviour` with the call logged and counted; a call refused inside (CallEnded)
        is ended with its status here. A streaming one as a coroutine that writes its
        messages: this server's own write them (handlers.py), health's and reflection's
        yield them."""

        async def handle(request, context):
            began = self._start(context)
            seen = request if reads_request else None
            try:
                produced = behaviour(request, context)
                result = await (_written(produced, context) if streams else produced)
            except CallEnded as ended:
                self._end(context, began, seen, ended)
                await ended.send(context)
            except BaseException as e:
                self._end(context, began, seen, e)
                raise
            self._end(context, began, seen, None)
            return result

        return handle

    def _start(self, context) -> float:
        self.observer.backlog.held += 1
        _PARSED.set(None)
        # Sent back with the status, not as initial metadata of its own: that would cost
        # every call an extra send.
        context.set_trailing_metadata(((REQUEST_ID, logs.REQUEST_ID.get()),))
        self.observer.metrics.call_started(self.service, self.method, logs.TENANT.get())
        return time.perf_counter()

    def _end(self, context, began: float, request, error: BaseException | None) -> None:
        self.observer.backlog.held -= 1
        seconds = time.perf_counter() - began
        # The request as the handler parsed it; unparsed (refused before), as it came.
        handled = _PARSED.get()
        if handled is not None:
            request = handled
        customer_id = _customer_id(self.customer_field, request) if request is not None else ""
        customer = self.observer.pseudonyms.customer(customer_id) if customer_id else ""
        code = _code(context, error)
        tenant = logs.TENANT.get()
        self.observer.metrics.call_ended(self.service, self.method, tenant, code.name, seconds)
        event(log, "rpc", logging.ERROR if code in _FAILED else logging.INFO,
              method=self.name, code=code.name, duration_ms=round(seconds * 1000, 3),
              principal=principal(context), tenant=tenant or None, request_id=logs.REQUEST_ID.get(),
              customer=customer or None,
              error=type(error).__name__ if code in _FAILED and error is not None else None)


async def _written(produced, context) -> None:
    """A streaming handler's work: an async generator's messages written, or the coroutine
    that writes its own."""
    if inspect.isasyncgen(produced):
        async for message in produced:
            await context.write(message)
    else:
        await produced


def _code(context, error: BaseException | None) -> grpc.StatusCode:
    """The call's status: the one it was ended with; a call whose client went away (or that
    the server cut off) was cancelled; an exception the handler did not turn into a status
    is UNKNOWN."""
    if isinstance(error, CallEnded):
        return error.code
    if isinstance(error, asyncio.CancelledError) or context.cancelled():
        return grpc.StatusCode.CANCELLED
    return grpc.StatusCode.OK if error is None else grpc.StatusCode.UNKNOWN


def _customer_id(found, request) -> str:
    """The customer a request names, if any, by its method's `_customer_field` (`found`).
    Requests may reach the observer unparsed."""
    if found is None:
        return ""
    request_class, path = found
    if isinstance(request, bytes):
        try:
            request = request_class.FromString(request)
        except Exception:  # undecodable: the handler answers INVALID_ARGUMENT
            return ""
    for name in path:
        request = getattr(request, name, None)
        if request is None:
            return ""
    return request if isinstance(request, str) else ""


def _customer_field(full_method: str):
    """(request class, field path to the customer id) of a method, from its descriptor: its
    `customer_id`, or the `customer_id` (or a `customer`'s `id`) of one of its messages."""
    try:
        method = descriptor_pool.Default().FindMethodByName(full_method)
    except KeyError:
        return None
    request = method.input_type
    path = _customer_path(request)
    if path is None:
        for field in request.fields:
            if field.message_type is not None and not field.is_repeated:
                inner = _customer_path(field.message_type, field.name == "customer")
                if inner is not None:
                    path = (field.name, *inner)
                    break
    return (message_factory.GetMessageClass(request), path) if path else None


def _customer_path(message, is_customer: bool = False) -> tuple[str, ...] | None:
    names = message.fields_by_name
    if "customer_id" in names:
        return ("customer_id",)
    if is_customer and "id" in names:
        return ("id",)
    return None
