"""The interceptor that enforces `access.PERMISSIONS` on every call: no principal is
UNAUTHENTICATED, a role the table does not list for the method is PERMISSION_DENIED, and an
RPC missing from the table is denied to everyone (fail closed). The call's tenant is checked
next (tenancy.py): an identity confined to one tenant calling another is PERMISSION_DENIED.
Health and reflection pass.

The check runs before the request is parsed, so a caller without a role reaches no handler.
"""

import grpc
from google.rpc import code_pb2

from . import access
from .errors import abort
from .tenancy import Tenancy


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tenancy: Tenancy):
        self.tenancy = tenancy

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.lstrip("/").startswith(access.OPEN_SERVICES):
            return handler
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=_guarded_unary(handler.unary_unary, method, self.tenancy))
        if handler.unary_stream is not None:
            return handler._replace(unary_stream=_guarded_stream(handler.unary_stream, method, self.tenancy))
        return None  # no client-streaming RPC exists; one added later stays unreachable until guarded


def _check(context, method: str, tenancy: Tenancy) -> None:
    principal = access.principal_of(context)
    if principal is None:
        abort(code_pb2.UNAUTHENTICATED,
              "no role in the client certificate: it needs a SAN URI "
              "spiffe://cocontroller.local/role/<role> (see README, Security)")
    if not access.allowed(method, principal):
        abort(code_pb2.PERMISSION_DENIED, f"the role {principal.role} may not call {method.rsplit('/', 1)[-1]}")
    tenant = tenancy.tenant_of(context, principal)
    if principal.tenant and principal.tenant != tenant:
        abort(code_pb2.PERMISSION_DENIED,
              f"the identity {principal.name} may call tenant {principal.tenant} only, not {tenant}")


def _guarded_unary(behaviour, method: str, tenancy: Tenancy):
    async def unary(request, context):
        _check(context, method, tenancy)
        return await behaviour(request, context)

    return unary


def _guarded_stream(behaviour, method: str, tenancy: Tenancy):
    async def stream(request, context):
        _check(context, method, tenancy)
        return await behaviour(request, context)

    return stream
