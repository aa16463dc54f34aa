"""The interceptor that enforces `access.PERMISSIONS` on every call: no principal is
UNAUTHENTICATED, a role the table does not list for the method is PERMISSION_DENIED, and an
RPC missing from the table is denied to everyone (fail closed). Health and reflection pass.

The check runs before the request is parsed, so a caller without a role reaches no handler.
"""

import grpc

from . import access


class AuthInterceptor(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.lstrip("/").startswith(access.OPEN_SERVICES):
            return handler
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=_guarded_unary(handler.unary_unary, method))
        if handler.unary_stream is not None:
            return handler._replace(unary_stream=_guarded_stream(handler.unary_stream, method))
        return None  # no client-streaming RPC exists; one added later stays unreachable until guarded


def _check(context, method: str) -> None:
    principal = access.principal_of(context)
    if principal is None:
        context.abort(grpc.StatusCode.UNAUTHENTICATED,
                      "no role in the client certificate: it needs a SAN URI "
                      "spiffe://cocontroller.local/role/<role> (see README, Security)")
    if not access.allowed(method, principal):
        context.abort(grpc.StatusCode.PERMISSION_DENIED,
                      f"the role {principal.role} may not call {method.rsplit('/', 1)[-1]}")


def _guarded_unary(behaviour, method: str):
    def unary(request, context):
        _check(context, method)
        return behaviour(request, context)

    return unary


def _guarded_stream(behaviour, method: str):
    def stream(request, context):
        _check(context, method)
        yield from behaviour(request, context)

    return stream
