"""A CRM's lead in one call: the customer created or partially updated, the lead's contacts
recorded, the customer assigned, all in one transaction and idempotent by request id
(AIP-155): a retry gets the first answer and writes nothing."""

from collections.abc import Callable

from ..domain.validation import check_id, check_instant
from ..errors import NotFound, Violations
from ..model import ContactFields, CustomerChange, Lead, LeadContact, LeadKind, Snapshot
from ..store import Store
from .assignment import AssignmentService
from .customers import CustomerService
from .facts import contact_of
from .runtime import RuntimeHolder

METHOD = "CreateLead"
# A lead brings a few contacts (a test drive and a brochure), not a history.
MAX_CONTACTS = 10
_KINDS = frozenset(LeadKind)


class LeadService:
    def __init__(self, store: Store, runtime: RuntimeHolder, customers: CustomerService,
                 assignment: AssignmentService):
        self.store = store
        self.runtime = runtime
        self.customers = customers
        self.assignment = assignment

    def create(self, request_id: str, customer_id: str, change: CustomerChange, mask: tuple[str, ...],
               contacts: tuple[LeadContact, ...], accept_distant_point: bool, fingerprint: str,
               encode: Callable[[Lead], bytes]) -> bytes:
        """The lead's answer, as `encode` writes it: kept with the request, so a retry with
        the same request id (and the same `fingerprint` of what was asked) returns it
        without writing; the id with another request is AlreadyExists. A new customer is
        created from `change`; a known one changes only the fields `mask` names (or, without
        a mask, those `change` sets)."""
        violations = Violations()
        check_id(request_id, "request_id", violations)
        check_id(customer_id, "customer.id", violations)
        if not contacts:
            violations.add("contacts", "a lead records at least one contact")
        if len(contacts) > MAX_CONTACTS:
            violations.add("contacts", f"at most {MAX_CONTACTS} contacts a lead")
        for i, contact in enumerate(contacts[:MAX_CONTACTS]):
            at = f"contacts[{i}]."
            if contact.kind not in _KINDS:
                violations.add(at + "kind", f"must be one of {', '.join(LeadKind)}")
            if contact.occurred_at is None:
                violations.add(at + "occurred_at", "is required")
            check_instant(contact.occurred_at, at + "occurred_at", violations)
            if contact.dealer_id:
                check_id(contact.dealer_id, at + "dealer_id", violations)
            if contact.event_id:
                check_id(contact.event_id, at + "event_id", violations)
        violations.raise_if_any()
        network = self.runtime.recent().network
        for contact in contacts:
            if contact.dealer_id and contact.dealer_id not in network:
                raise NotFound(f"dealer {contact.dealer_id!r} does not exist")
        with self.store.transaction():
            answered = self.store.requests.answered(request_id, METHOD, fingerprint)
            if answered is not None:
                return answered
            # Each fact read once in the transaction: every statement of a lead runs under
            # the write lock, and on a busy server each costs a wait for the GIL.
            before = self.store.customers.find(customer_id)
            customer = self.customers.write_held(customer_id, change, mask, accept_distant_point, before,
                                                 "recording a lead")
            recorded = tuple(self.store.facts.record_contact(contact_of(customer_id, ContactFields(
                c.event_id, c.dealer_id, LeadKind(c.kind).contact_kind, c.occurred_at)))[0] for c in contacts)
            # A customer this lead created has no facts but those it just wrote (every fact
            # refers to its customer's row): its decision needs no read.
            created = None if before is not None else Snapshot(
                customer, tuple({c.event_id: c for c in recorded}.values()), None, None)
            responsible, _ = self.assignment.assign_held(customer_id, f"lead:{request_id}", created)
            answer = encode(Lead(customer, before is None, recorded, responsible))
            self.store.requests.remember(request_id, METHOD, customer_id, fingerprint, answer)
        return answer
