"""Which tenant a call is for: the gRPC metadata `x-cocontroller-tenant`, one of the tenants
this server serves. Without it, the call is for the tenant the caller's identity is confined
to, else the only tenant served; a server of several tenants refuses it (INVALID_ARGUMENT,
with a field violation naming the metadata key), and so it refuses a tenant it does not
serve. The handlers (handlers.py) hand the call to that tenant's servicers, the auth
interceptor refuses an identity confined to another tenant (auth.py). Health and reflection
name no tenant."""

import contextvars
from collections.abc import Iterable
from typing import NoReturn

from google.rpc import code_pb2

from ..config import TENANT_KEY
from ..errors import shown
from ..model import Principal
from .errors import abort

# The tenant the call's metadata names ("" when none), as the call observer read it: each
# call runs in a task of its own, and gRPC builds the metadata anew each time it is asked
# (a fifth of a lookup's own work in the handler).
_NAMED: contextvars.ContextVar[str | None] = contextvars.ContextVar("named_tenant", default=None)


class Tenancy:
    def __init__(self, served: Iterable[str]):
        self.served = tuple(served)
        self._known = frozenset(self.served)

    def named(self, metadata) -> str:
        """The tenant the metadata names, as given ("" when none)."""
        return next((value for key, value in metadata or () if key == TENANT_KEY), "")

    def label(self, metadata) -> str:
        """The tenant for logs and metrics, before the call is checked: a tenant served, or ""
        (a name the server does not serve never becomes a label). Notes what the metadata
        names for the call's `tenant_of`."""
        named = self.named(metadata)
        _NAMED.set(named)
        named = named or (self.served[0] if len(self.served) == 1 else "")
        return named if named in self._known else ""

    def tenant_of(self, context, principal: Principal | None) -> str:
        """The call's tenant; ends the call with INVALID_ARGUMENT when it names none that is
        served, or names none on a server of several tenants for an identity of all."""
        named = _NAMED.get()
        if named is None:
            named = self.named(context.invocation_metadata())
        if not named:
            if principal is not None and principal.tenant:
                named = principal.tenant
            elif len(self.served) == 1:
                return self.served[0]
            else:
                _refuse(f"name the tenant in the metadata {TENANT_KEY}: this server serves "
                                 + ", ".join(self.served))
        if named not in self._known:
            _refuse(f"tenant {shown(named)} is not served here; this server serves "
                             + ", ".join(self.served))
        return named


def _refuse(message: str) -> NoReturn:
    abort(code_pb2.INVALID_ARGUMENT, message, [(TENANT_KEY, message)])
