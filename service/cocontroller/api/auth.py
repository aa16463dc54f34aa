"""The check that enforces `access.PERMISSIONS` on every call of this server's services: no
principal is UNAUTHENTICATED, a role the table does not list for the method is
PERMISSION_DENIED, and an RPC missing from the table is denied to everyone (fail closed). The
call's tenant is checked next (tenancy.py): an identity confined to one tenant calling another
is PERMISSION_DENIED. Health and reflection are open: they have no handler here.

Every handler makes the check first (handlers.py), before its request is parsed, so a caller
without a role reaches no servicer. It is not an interceptor of its own: on grpc.aio each
interceptor is a coroutine and a wrapper more on every call.
"""

from google.rpc import code_pb2

from . import access
from .errors import abort
from .tenancy import Tenancy


def check(context, method: str, tenancy: Tenancy) -> str:
    """The call's tenant; ends the call (errors.CallEnded) unless its caller may call
    `method` (its full name, /package.Service/Method) on that tenant."""
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
    return tenant
