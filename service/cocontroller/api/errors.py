"""Domain errors to gRPC statuses, one status each. Bad input always carries
google.rpc.BadRequest field violations, so a client never sees UNKNOWN or INTERNAL for what
it sent."""

import functools

from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ..errors import AlreadyExists, DomainError, InvalidArgument, NotFound, RulePackError


class BadField(Exception):
    """A request field that cannot even be read (a date that does not exist, ...)."""

    def __init__(self, field: str, description: str):
        self.field, self.description = field, description
        super().__init__(f"{field}: {description}")


def abort(context, code: int, message: str, violations=()) -> None:
    status = status_pb2.Status(code=code, message=message)
    if violations:
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations
        ]))
    context.abort_with_status(rpc_status.to_status(status))


def _abort_for(context, error: Exception, prefix: str) -> None:
    if isinstance(error, BadField):
        abort(context, code_pb2.INVALID_ARGUMENT, str(error), [(error.field, error.description)])
    elif isinstance(error, InvalidArgument):
        violations = [(prefix + f, d) for f, d in error.violations]
        abort(context, code_pb2.INVALID_ARGUMENT, "; ".join(f"{f}: {d}" for f, d in violations), violations)
    elif isinstance(error, NotFound):
        abort(context, code_pb2.NOT_FOUND, str(error))
    elif isinstance(error, AlreadyExists):
        abort(context, code_pb2.ALREADY_EXISTS, str(error))
    elif isinstance(error, RulePackError):
        abort(context, code_pb2.FAILED_PRECONDITION,
              f"rule packs not reloaded, the previous versions keep serving: {error}")
    else:
        abort(context, code_pb2.FAILED_PRECONDITION, str(error))


def handles_errors(prefix: str = ""):
    """Maps domain errors to statuses; `prefix` turns a domain field name into the request's
    field path (for instance "customer.")."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, request, context):
            try:
                return method(self, request, context)
            except (BadField, DomainError) as e:
                _abort_for(context, e, prefix)

        return call

    return wrap


def streams_errors(method):
    """handles_errors for a server-streaming method: errors surface while it is iterated."""

    @functools.wraps(method)
    def call(self, request, context):
        try:
            yield from method(self, request, context)
        except (BadField, DomainError) as e:
            _abort_for(context, e, "")

    return call
