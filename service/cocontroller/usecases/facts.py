"""Recording the facts about a customer: contact events, the preferred dealer, consents,
contracts and disputes. A fact that can change the customer's dealer (a contact, a
designation) re-assigns a customer who has an assignment."""

import datetime as dt
import hashlib

from .. import clock
from ..domain.resolution import objectable_purposes
from ..domain.validation import (
    MAX_NAME, MAX_SUBJECT, check_choice, check_id, check_instant, check_one_instant, check_text,
)
from ..errors import NotFound, Violations
from ..model import (
    CAR_SECURITY, DIRECT_MARKETING, Channel, Consent, ConsentProof, ConsentSource, Contact, ContactKind, Contract,
    ContractKind, Dispute, FactKind, Objection, Page, PageRequest, Preference,
)
from ..store import Store
from .assignment import AssignmentService
from .runtime import RuntimeHolder


class FactService:
    def __init__(self, store: Store, runtime: RuntimeHolder, assignment: AssignmentService):
        self.store = store
        self.runtime = runtime
        self.assignment = assignment

    def listed(self, kind: FactKind, customer_id: str, page: PageRequest) -> Page:
        """One page of what is recorded of one kind about a customer (GDPR art. 15)."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        return self.store.facts.page_of(kind, customer_id, page)

    def record_contact(
        self, event_id: str, customer_id: str, dealer_id: str, kind: str, occurred_at: dt.datetime | None
    ) -> tuple[Contact, bool]:
        """Idempotent by event id; an empty id is derived from the content, so a retried
        call records the event once."""
        violations = Violations()
        if event_id:
            check_id(event_id, "event_id", violations)
        check_id(customer_id, "customer_id", violations)
        check_id(dealer_id, "dealer_id", violations)
        contact_kind = check_choice(ContactKind, kind, "kind", violations)
        if occurred_at is None:
            violations.add("occurred_at", "is required")
        check_instant(occurred_at, "occurred_at", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        self.store.erasure.check_unrestricted(customer_id, "recording a contact")
        self._check_dealer(dealer_id)
        if not event_id:
            content = f"{customer_id}|{dealer_id}|{contact_kind}|{clock.to_text(occurred_at)}"
            event_id = "ev-" + hashlib.sha256(content.encode()).hexdigest()[:32]
        contact = Contact(event_id, customer_id, dealer_id, contact_kind, occurred_at.astimezone(clock.UTC))
        # The fact and the re-assignment it causes commit together; a retry of a fact
        # already stored still brings the assignment up to date.
        with self.store.transaction():
            stored, created = self.store.facts.record_contact(contact)
            self.assignment.follow_up(customer_id, f"contact:{event_id}")
        return stored, created

    def set_preference(self, customer_id: str, dealer_id: str, at: dt.datetime | None) -> Preference:
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_id(dealer_id, "dealer_id", violations)
        at = at or clock.now()
        check_instant(at, "designated_at", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        self.store.erasure.check_unrestricted(customer_id, "designating a preferred dealer")
        self._check_dealer(dealer_id)
        with self.store.transaction():
            preference = self.store.facts.set_preference(customer_id, dealer_id, at)
            self.assignment.follow_up(customer_id, f"preference:{preference.id}")
        return preference

    def revoke_preference(self, customer_id: str, at: dt.datetime | None) -> Preference:
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_instant(at, "revoked_at", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        with self.store.transaction():
            preference = self.store.facts.revoke_preference(customer_id, at or clock.now())
            self.assignment.follow_up(customer_id, f"preference-revoked:{preference.id}")
        return preference

    def record_consent(
        self, customer_id: str, channel: str, given_at: dt.datetime | None, withdrawn_at: dt.datetime | None,
        proof: ConsentProof | None = None,
    ) -> tuple[list[Consent], bool]:
        """Consent for one channel is given, with its proof, or withdrawn (exactly one of the
        two times). A withdrawal with no channel ends every consent in force. Returns the
        consents recorded and whether anything changed."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_one_instant("given_at", given_at, "withdrawn_at", withdrawn_at, violations)
        consent_channel = check_choice(Channel, channel, "channel", violations) if channel or given_at else None
        if given_at is not None:
            _check_proof(proof, violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        if given_at is not None:
            self.store.erasure.check_unrestricted(customer_id, "giving a consent")
            consent, changed = self.store.facts.give_consent(customer_id, consent_channel, given_at, proof)
            return [consent], changed
        return self.store.facts.withdraw_consent(customer_id, consent_channel, withdrawn_at), True

    def record_objection(self, customer_id: str, purpose: str, at: dt.datetime | None) -> tuple[Objection, bool]:
        """An objection (GDPR art. 21) from `at` (now by default): to a purpose of the privacy
        pack resting on legitimate interest, or to direct marketing."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        allowed = objectable_purposes(self.runtime.recent().privacy.pack)
        if purpose not in allowed:
            violations.add("purpose", f"must be {DIRECT_MARKETING} or a purpose resting on legitimate interest: "
                                      + ", ".join(sorted(allowed - {DIRECT_MARKETING})))
        check_instant(at, "objected_at", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        return self.store.facts.record_objection(customer_id, purpose, at or clock.now())

    def record_contract(
        self, contract_id: str, customer_id: str, kind: str, partner: str, dealer_id: str,
        start: dt.date | None, end: dt.date | None,
    ) -> tuple[Contract, bool]:
        violations = Violations()
        check_id(contract_id, "contract_id", violations)
        check_id(customer_id, "customer_id", violations)
        contract_kind = check_choice(ContractKind, kind, "kind", violations)
        if contract_kind in (ContractKind.LEASE, ContractKind.FINANCING) and not partner:
            violations.add("partner", f"a {contract_kind} contract names its commercial partner")
        if contract_kind == ContractKind.INSURANCE and not partner:
            partner = CAR_SECURITY
        check_text(partner, "partner", violations, MAX_NAME)
        if start is None:
            violations.add("start", "is required")
        elif end is not None and end < start:
            violations.add("end", f"{end} is before the start {start}")
        if dealer_id:
            check_id(dealer_id, "dealer_id", violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        self.store.erasure.check_unrestricted(customer_id, "recording a contract")
        if dealer_id:
            self._check_dealer(dealer_id)
        contract = Contract(contract_id, customer_id, contract_kind, partner or "", dealer_id or None, start, end)
        return self.store.facts.upsert_contract(contract)

    def record_dispute(
        self, customer_id: str, opened_at: dt.datetime | None, closed_at: dt.datetime | None,
        subject: str = "", dispute_id: int = 0,
    ) -> Dispute:
        """Opens a dispute, or closes one (the given id, or the customer's only open one)."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_one_instant("opened_at", opened_at, "closed_at", closed_at, violations)
        check_text(subject, "subject", violations, MAX_SUBJECT)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        if opened_at is not None:
            return self.store.facts.open_dispute(customer_id, subject, opened_at)
        return self.store.facts.close_dispute(customer_id, dispute_id or None, closed_at)

    def _check_dealer(self, dealer_id: str) -> None:
        if dealer_id not in self.runtime.recent().network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")


def _check_proof(proof: ConsentProof | None, violations: Violations) -> None:
    """A consent given is recorded with what shows it (GDPR art. 7(1))."""
    if proof is None:
        violations.add("proof", "a consent given needs its proof: the wording, the source and a reference")
        return
    if not proof.wording.strip():
        violations.add("proof.wording", "is required: the wording or the version agreed to")
    check_text(proof.wording, "proof.wording", violations, MAX_SUBJECT)
    if proof.source not in set(ConsentSource):
        violations.add("proof.source", f"must be one of {', '.join(ConsentSource)}")
    if not proof.reference.strip():
        violations.add("proof.reference", "is required: where the evidence is kept")
    check_text(proof.reference, "proof.reference", violations, MAX_NAME)
