"""Who may call what: the one place that maps a client certificate's identity to a role and
every RPC to the roles allowed to call it. `auth.check` enforces the table; the
servicers apply the dealer role's scope where they read a customer (`DealerScope`).

An identity is the certificate's SAN URI `spiffe://cocontroller.local/role/<role>` (for a
dealer `.../role/dealer/<dealer id>`), or, for a CA that cannot write URIs, the subject CN
`role/<role>` in the same form. An identity confined to one tenant names it first:
`spiffe://cocontroller.local/tenant/<tenant id>/role/<role>` may call that tenant only (its
dealer id is one of that tenant's dealers); without a tenant it may call every tenant served. Nothing else names a role: a certificate of the CA without
such an identity is UNAUTHENTICATED.

`admin` may call every RPC: the README's session is run by one operator with one identity
(the development admin certificate), so admin is a superset of the others, not a sibling.
"""

import contextvars
import functools
import re

from ..certs import TRUST_DOMAIN
from ..errors import NotFound
from ..model import Principal, Role

# Open to every caller whose connection is up (mTLS: any certificate of the CA), role or not:
# load balancers and grpcurl need them.
OPEN_SERVICES = ("grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
                 "grpc.reflection.v1.ServerReflection")

_IDENTITY = re.compile(
    rf"^(?:spiffe://{re.escape(TRUST_DOMAIN)}/)?(?:tenant/(?P<tenant>[a-z0-9]+(?:-[a-z0-9]+)*)/)?role/"
    rf"(?:(?P<role>{'|'.join(r for r in Role if r is not Role.DEALER)})|dealer/(?P<dealer>[A-Za-z0-9._-]{{1,64}}))$"
)

_A = "/cocontroller.v1.DealerAssignmentService/"
_R = "/cocontroller.v1.ControllerResolutionService/"
_N = "/cocontroller.v1.DealerNetworkService/"
_X = "/cocontroller.v1.DataSubjectRightsService/"

CRM, CALLCENTRE, BATCH, DEALER, DPO, ADMIN = (
    Role.CRM, Role.CALLCENTRE, Role.BATCH, Role.DEALER, Role.DPO, Role.ADMIN)
EVERYONE = frozenset(Role)

# Every RPC of the three services and the roles that may call it (tests/api/test_access.py
# fails for an RPC without an entry). Admin is in every entry (see the module docstring).
PERMISSIONS: dict[str, frozenset[Role]] = {
    # who is responsible: the public network, then one customer's assignment
    _A + "LookupPostcode": EVERYONE,
    _A + "ListDealers": EVERYONE,
    _A + "GetDealer": EVERYONE,
    _A + "GetResponsibleDealer": EVERYONE,  # a dealer: only its own customers
    _A + "ListAssignments": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    _A + "GetCustomer": frozenset({CRM, CALLCENTRE, BATCH, DEALER, DPO, ADMIN}),
    # what is recorded about a customer, kind by kind (a dealer: its own customers'); the
    # disputes to those who record them
    _A + "ListContacts": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    _A + "ListPreferences": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    _R + "ListConsents": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    _R + "ListContracts": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    _R + "ListDisputes": frozenset({CRM, DPO, ADMIN}),
    _R + "ListObjections": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),
    # an objection is taken where the customer says it: the CRM's channels, the call centre,
    # the privacy team
    _R + "RecordObjection": frozenset({CRM, CALLCENTRE, DPO, ADMIN}),
    _A + "AssignDealer": frozenset({CRM, BATCH, ADMIN}),
    # facts: the CRM and its batch feeds; the call centre takes preferences and consents by
    # phone; a dealer records its own contacts; the DPO records disputes and withdrawals
    _A + "UpsertCustomer": frozenset({CRM, BATCH, ADMIN}),
    _A + "UpdateCustomer": frozenset({CRM, BATCH, ADMIN}),
    _A + "CreateLead": frozenset({CRM, ADMIN}),
    _A + "RecordContact": frozenset({CRM, BATCH, DEALER, ADMIN}),  # a dealer: as itself
    _A + "SetPreferredDealer": frozenset({CRM, CALLCENTRE, BATCH, ADMIN}),
    _A + "RevokePreferredDealer": frozenset({CRM, CALLCENTRE, BATCH, ADMIN}),
    _R + "RecordConsent": frozenset({CRM, CALLCENTRE, BATCH, DPO, ADMIN}),
    _R + "RecordContract": frozenset({CRM, BATCH, ADMIN}),
    _R + "RecordDispute": frozenset({CRM, DPO, ADMIN}),
    # rights requests: who controls a customer's data and what they do with it
    _R + "ResolveControllers": frozenset({CRM, CALLCENTRE, DEALER, DPO, ADMIN}),  # a dealer: own
    _R + "ListRulePacks": EVERYONE,
    _R + "ReloadRulePacks": frozenset({ADMIN}),
    # the network and its jobs; batch runs the re-assignment jobs a network change calls for
    _N + "AddDealer": frozenset({ADMIN}),
    _N + "UpdateDealer": frozenset({ADMIN}),
    _N + "CloseDealer": frozenset({ADMIN}),
    _N + "ReopenDealer": frozenset({ADMIN}),
    _N + "CancelNetworkChange": frozenset({ADMIN}),
    _N + "ReassignCustomers": frozenset({BATCH, ADMIN}),
    _N + "ListScheduledChanges": frozenset({BATCH, DPO, ADMIN}),
    # audit and exports
    _N + "ListAssignmentChanges": frozenset({BATCH, DPO, ADMIN}),
    _N + "ListNotices": frozenset({BATCH, DPO, ADMIN}),
    _N + "MarkNoticesExported": frozenset({DPO, ADMIN}),
    # the data subject's rights: the privacy team answers them. A rectification (art. 16)
    # too: it takes back what earlier answers rested on, with the reason the data subject
    # gave; the CRM updates facts in their ordinary course (a contract's new version, a
    # consent withdrawn, a dispute closed), which retracts nothing.
    _X + "ExportCustomer": frozenset({DPO, ADMIN}),
    _X + "RectifyFact": frozenset({DPO, ADMIN}),
    _X + "EraseCustomer": frozenset({DPO, ADMIN}),
    # the sweep erases on the pack's dates: the privacy team, or the batch jobs it schedules
    _X + "SweepRetention": frozenset({BATCH, DPO, ADMIN}),
}


@functools.lru_cache(maxsize=1024)
def principal_for(identity: str) -> Principal | None:
    """The principal an identity (a SAN URI or a CN) names, or None. Kept: every call of a
    client names the same identity (a Principal is immutable)."""
    match = _IDENTITY.match(identity)
    if match is None:
        return None
    tenant = match["tenant"] or ""
    if match["dealer"]:
        return Principal(identity, Role.DEALER, match["dealer"], tenant)
    return Principal(identity, Role(match["role"]), tenant=tenant)


# The caller of a call, found once a call (a context variable of the call's task): the auth
# check, the observer and the servicers each ask, and grpcio builds the auth context anew on
# every request for it.
_CALLER: contextvars.ContextVar[tuple[object, Principal | None] | None] = contextvars.ContextVar(
    "caller", default=None)


def principal_of(context) -> Principal | None:
    """The caller of a gRPC call, from its verified client certificate: the first SAN that
    names a role, else the subject CN; None without either."""
    found = _CALLER.get()
    if found is not None and found[0] is context:
        return found[1]
    principal = _from_certificate(context)
    _CALLER.set((context, principal))
    return principal


def _from_certificate(context) -> Principal | None:
    # The peer's identities first: gRPC gives the certificate's SANs (its CN when it has
    # none) in 1.5 µs, where the whole auth context, the certificate's PEM included, takes
    # 13 µs on every call. The auth context only for a certificate whose SANs name no role.
    for name in context.peer_identities() or ():
        principal = principal_for(name.decode("utf-8", "replace"))
        if principal is not None:
            return principal
    auth = context.auth_context()
    for name in (*auth.get("x509_subject_alternative_name", ()), *auth.get("x509_common_name", ())):
        principal = principal_for(name.decode("utf-8", "replace"))
        if principal is not None:
            return principal
    return None


def allowed(method: str, principal: Principal) -> bool:
    return principal.role in PERMISSIONS.get(method, ())


class DealerScope:
    """A dealer sees only the customers whose assignment in force names it; to a dealer,
    anyone else's customer does not exist (NOT_FOUND, as for an unknown id, so ids cannot be
    probed). Other roles see every customer."""

    def __init__(self, assigned_dealer):
        # customer id -> the dealer id of the assignment in force, or None
        self.assigned_dealer = assigned_dealer

    def check_customer(self, context, customer_id: str) -> None:
        principal = principal_of(context)
        if principal is not None and principal.role is Role.DEALER \
                and self.assigned_dealer(customer_id) != principal.dealer_id:
            raise NotFound(f"customer {customer_id!r} does not exist")

    @staticmethod
    def acting_dealer(context) -> str | None:
        """The dealer id a dealer principal acts as; None for the other roles."""
        principal = principal_of(context)
        return principal.dealer_id if principal is not None and principal.role is Role.DEALER else None
