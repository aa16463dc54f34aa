"""Domain errors to gRPC statuses, one status each. Bad input always carries
google.rpc.BadRequest field violations, so a client never sees UNKNOWN or INTERNAL for what
it sent."""

import functools
from typing import NoReturn

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ..errors import Aborted, AlreadyExists, DomainError, InvalidArgument, NotFound, RulePackError


class BadField(Exception):
    """A request field that cannot even be read (a date that does not exist, ...)."""

    def __init__(self, field: str, description: str):
        self.field, self.description = field, description
        super().__init__(f"{field}: {description}")


# A status travels in the trailers twice: the message percent-encoded (up to three bytes per
# byte), and the whole status base64-encoded. These caps keep the trailers under 6 KB whatever
# the input; clients and proxies commonly refuse metadata over 8 KB.
_MESSAGE_BYTES = 400
_FIELD_BYTES = 100
_DESCRIPTION_BYTES = 160
_VIOLATIONS = 8


# The trailer in which gRPC's retry policy reads how long the server asks it to wait (gRFC A6).
PUSHBACK = "grpc-retry-pushback-ms"


class CallEnded(Exception):
    """A call ended with a status. Raised wherever the call is refused (a servicer, the
    tenant check, shedding) and sent by the call layer on the event loop (observe.py), so
    the code that refuses runs alike on the loop or in a worker thread."""

    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: tuple = ()):
        super().__init__(f"{code.name}: {details}")
        self.code, self.details, self.trailing_metadata = code, details, trailing_metadata

    async def send(self, context) -> NoReturn:
        """Ends `context`'s call with this status (grpc.aio raises AbortError from here); the
        trailers already set (the request id) are kept."""
        kept = tuple(context.trailing_metadata() or ())
        await context.abort(self.code, self.details, (*kept, *self.trailing_metadata))


def abort(code: int, message: str, violations=(), retry_delay_s: float | None = None) -> NoReturn:
    """Ends the call with `code`, its message cut to size, the field violations as
    google.rpc.BadRequest and a retry delay as google.rpc.RetryInfo (and the pushback
    trailer): raises CallEnded."""
    status = status_pb2.Status(code=code, message=_cut(message, _MESSAGE_BYTES))
    if violations:
        kept = [(_cut(f, _FIELD_BYTES), _cut(d, _DESCRIPTION_BYTES)) for f, d in violations[:_VIOLATIONS]]
        if len(violations) > _VIOLATIONS:
            kept.append(("", f"and {len(violations) - _VIOLATIONS} more"))
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in kept
        ]))
    trailers = ()
    if retry_delay_s is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(round(retry_delay_s * 1000))
        status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        trailers = ((PUSHBACK, str(round(retry_delay_s * 1000))),)
    converted = rpc_status.to_status(status)
    raise CallEnded(converted.code, converted.details, (*converted.trailing_metadata, *trailers))


def _cut(text: str, max_bytes: int) -> str:
    """`text` in at most `max_bytes` bytes of UTF-8, ending in "…" when cut."""
    data = text.encode("utf-8", "replace")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes - 3].decode("utf-8", "ignore") + "…"


def _abort_for(error: Exception, prefix: str) -> NoReturn:
    if isinstance(error, BadField):
        abort(code_pb2.INVALID_ARGUMENT, str(error), [(error.field, error.description)])
    elif isinstance(error, InvalidArgument):
        violations = [(prefix + f, d) for f, d in error.violations]
        abort(code_pb2.INVALID_ARGUMENT, "; ".join(f"{f}: {d}" for f, d in violations), violations)
    elif isinstance(error, NotFound):
        abort(code_pb2.NOT_FOUND, str(error))
    elif isinstance(error, AlreadyExists):
        abort(code_pb2.ALREADY_EXISTS, str(error))
    elif isinstance(error, Aborted):
        abort(code_pb2.ABORTED, str(error))
    elif isinstance(error, RulePackError):
        abort(code_pb2.FAILED_PRECONDITION,
              f"rule packs not reloaded, the previous versions keep serving: {error}")
    else:
        abort(code_pb2.FAILED_PRECONDITION, str(error))


def handles_errors(prefix: str = ""):
    """Maps domain errors to statuses; `prefix` turns a domain field name into the request's
    field path (for instance "customer.")."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, request, context):
            try:
                return method(self, request, context)
            except (BadField, DomainError) as e:
                _abort_for(e, prefix)

        return call

    return wrap


def streams_errors(method):
    """handles_errors for a server-streaming method: errors surface while it is iterated."""

    @functools.wraps(method)
    def call(self, request, context):
        try:
            yield from method(self, request, context)
        except (BadField, DomainError) as e:
            _abort_for(e, "")

    return call
