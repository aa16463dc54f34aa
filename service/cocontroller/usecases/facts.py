"""Recording the facts about a customer: contact events, the preferred dealer, consents,
contracts and disputes. A fact that can change the customer's dealer (a contact, a
designation) re-assigns a customer who has an assignment. A correction (GDPR art. 16) is
checked as a recording is (`corrected`)."""

import dataclasses
import datetime as dt
import hashlib

from .. import clock
from ..domain.resolution import objectable_purposes
from ..domain.validation import (
    MAX_NAME, MAX_SUBJECT, check_choice, check_id, check_instant, check_one_instant, check_text,
)
from ..errors import NotFound, Violations, shown
from ..model import (
    CAR_SECURITY, DIRECT_MARKETING, Channel, Consent, ConsentFields, ConsentProof, ConsentSource, Contact,
    ContactFields, ContactKind, Contract, ContractFields, ContractKind, Dispute, DisputeFields, FactCorrection,
    FactKind, Objection, Page, PageRequest, Preference, RectifiableKind,
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
        check_id(customer_id, "customer_id", violations)
        fields = ContactFields(event_id, dealer_id, kind, occurred_at)
        _check_contact(fields, violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        self.store.erasure.check_unrestricted(customer_id, "recording a contact")
        self._check_dealer(dealer_id)
        contact = contact_of(customer_id, fields)
        # The fact and the re-assignment it causes commit together; a retry of a fact
        # already stored still brings the assignment up to date.
        with self.store.transaction():
            stored, created = self.store.facts.record_contact(contact)
            self.assignment.follow_up(customer_id, f"contact:{contact.event_id}")
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
            _check_proof(proof, violations, "")
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
        fields = ContractFields(kind, partner, dealer_id, start, end)
        _check_contract(fields, violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        self.store.erasure.check_unrestricted(customer_id, "recording a contract")
        if dealer_id:
            self._check_dealer(dealer_id)
        return self.store.facts.upsert_contract(_contract(contract_id, customer_id, fields))

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

    def corrected(self, fact: Contact | Consent | Contract | Dispute,
                  correction: FactCorrection) -> Contact | Consent | Contract | Dispute:
        """The fact as a correction (GDPR art. 16) of the fact's kind (`check_correction`)
        states it: the fields it replaces, the others as recorded, checked as a recording is
        (violations under `correction.<kind>.`). A contact's event id is the one given, or
        derived from the content as for a recording; a consent's or dispute's id is the
        store's to give."""
        fields = dataclasses.replace(_fields_of(fact),
                                     **{name: getattr(correction.fields, name) for name in correction.replaced})
        at = f"correction.{KIND_OF_FIELDS[type(fields)]}."
        violations = Violations()
        match fields:
            case ContactFields():
                _check_contact(fields, violations, at)
            case ConsentFields():
                _check_consent(fields, violations, at)
            case ContractFields():
                _check_contract(fields, violations, at)
            case DisputeFields():
                _check_dispute(fields, violations, at)
        violations.raise_if_any()
        dealer_id = getattr(fields, "dealer_id", "")
        if dealer_id:
            self._check_dealer(dealer_id)
        customer_id = fact.customer_id
        match fields:
            case ContactFields():
                return contact_of(customer_id, fields)
            case ConsentFields():
                return Consent(0, customer_id, Channel(fields.channel), fields.given_at, fields.withdrawn_at,
                               fields.proof)
            case ContractFields():
                return _contract(fact.id, customer_id, fields)
            case _:
                return Dispute(0, customer_id, fields.subject, fields.opened_at, fields.closed_at)

    def _check_dealer(self, dealer_id: str) -> None:
        if dealer_id not in self.runtime.recent().network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")


# The kind of fact each kind of correction corrects.
KIND_OF_FIELDS = {ContactFields: RectifiableKind.CONTACT, ConsentFields: RectifiableKind.CONSENT,
                  ContractFields: RectifiableKind.CONTRACT, DisputeFields: RectifiableKind.DISPUTE}


def check_correction(kind: RectifiableKind | None, correction: FactCorrection, violations: Violations) -> None:
    """A correction corrects a fact of its own kind, and replaces only fields it has."""
    corrects = KIND_OF_FIELDS[type(correction.fields)]
    if kind is not None and corrects != kind:
        violations.add("correction", f"a {kind} is corrected by a {kind}, not a {corrects}")
    names = {f.name for f in dataclasses.fields(correction.fields)}
    for name in sorted(correction.replaced - names):
        violations.add("update_mask", f"{shown(name)} is no field of a {corrects}: {', '.join(sorted(names))}")


def _check_contact(fields: ContactFields, violations: Violations, at: str = "") -> None:
    if fields.event_id:
        check_id(fields.event_id, at + "event_id", violations)
    check_id(fields.dealer_id, at + "dealer_id", violations)
    check_choice(ContactKind, fields.kind, at + "kind", violations)
    if fields.occurred_at is None:
        violations.add(at + "occurred_at", "is required")
    check_instant(fields.occurred_at, at + "occurred_at", violations)


def contact_of(customer_id: str, fields: ContactFields) -> Contact:
    """The contact of checked fields (no dealer: a lead for the brand); without an event id,
    one derived from the content, so a retried call records the event once."""
    kind, at = ContactKind(fields.kind), fields.occurred_at
    event_id = fields.event_id
    if not event_id:
        content = f"{customer_id}|{fields.dealer_id}|{kind}|{clock.to_text(at)}"
        event_id = "ev-" + hashlib.sha256(content.encode()).hexdigest()[:32]
    return Contact(event_id, customer_id, fields.dealer_id or None, kind, at.astimezone(clock.UTC))


def _check_consent(fields: ConsentFields, violations: Violations, at: str) -> None:
    """A consent as a correction states it: given, perhaps withdrawn since, with its proof."""
    check_choice(Channel, fields.channel, at + "channel", violations)
    if fields.given_at is None:
        violations.add(at + "given_at", "is required")
    check_instant(fields.given_at, at + "given_at", violations)
    check_instant(fields.withdrawn_at, at + "withdrawn_at", violations)
    if fields.given_at and fields.withdrawn_at and fields.withdrawn_at < fields.given_at:
        violations.add(at + "withdrawn_at", "a consent cannot be withdrawn before it was given")
    _check_proof(fields.proof, violations, at)


def _check_proof(proof: ConsentProof | None, violations: Violations, at: str) -> None:
    """A consent given is recorded with what shows it (GDPR art. 7(1))."""
    if proof is None:
        violations.add(at + "proof", "a consent given needs its proof: the wording, the source and a reference")
        return
    if not proof.wording.strip():
        violations.add(at + "proof.wording", "is required: the wording or the version agreed to")
    check_text(proof.wording, at + "proof.wording", violations, MAX_SUBJECT)
    if proof.source not in set(ConsentSource):
        violations.add(at + "proof.source", f"must be one of {', '.join(ConsentSource)}")
    if not proof.reference.strip():
        violations.add(at + "proof.reference", "is required: where the evidence is kept")
    check_text(proof.reference, at + "proof.reference", violations, MAX_NAME)


def _check_contract(fields: ContractFields, violations: Violations, at: str = "") -> None:
    kind = check_choice(ContractKind, fields.kind, at + "kind", violations)
    if kind in (ContractKind.LEASE, ContractKind.FINANCING) and not fields.partner:
        violations.add(at + "partner", f"a {kind} contract names its commercial partner")
    check_text(fields.partner, at + "partner", violations, MAX_NAME)
    if fields.start is None:
        violations.add(at + "start", "is required")
    elif fields.end is not None and fields.end < fields.start:
        violations.add(at + "end", f"{fields.end} is before the start {fields.start}")
    if fields.dealer_id:
        check_id(fields.dealer_id, at + "dealer_id", violations)


def _contract(contract_id: str, customer_id: str, fields: ContractFields) -> Contract:
    """The contract of checked fields; an insurance names Car Security unless it names
    another partner."""
    kind = ContractKind(fields.kind)
    partner = fields.partner or (CAR_SECURITY if kind == ContractKind.INSURANCE else "")
    return Contract(contract_id, customer_id, kind, partner, fields.dealer_id or None, fields.start, fields.end)


def _check_dispute(fields: DisputeFields, violations: Violations, at: str) -> None:
    """A dispute as a correction states it: opened, perhaps closed since."""
    check_text(fields.subject, at + "subject", violations, MAX_SUBJECT)
    if fields.opened_at is None:
        violations.add(at + "opened_at", "is required")
    check_instant(fields.opened_at, at + "opened_at", violations)
    check_instant(fields.closed_at, at + "closed_at", violations)
    if fields.opened_at and fields.closed_at and fields.closed_at < fields.opened_at:
        violations.add(at + "closed_at", "a dispute cannot close before it opened")


def _fields_of(fact: Contact | Consent | Contract | Dispute) -> (
        ContactFields | ConsentFields | ContractFields | DisputeFields):
    """A recorded fact's fields, for a correction to replace some of. A contact's event id
    is left out: the corrected contact gets its own."""
    match fact:
        case Contact():
            return ContactFields("", fact.dealer_id, str(fact.kind), fact.occurred_at)
        case Consent():
            return ConsentFields(str(fact.channel), fact.given_at, fact.withdrawn_at, fact.proof)
        case Contract():
            return ContractFields(str(fact.kind), fact.partner, fact.dealer_id or "", fact.start_date, fact.end_date)
        case _:
            return DisputeFields(fact.subject, fact.opened_at, fact.closed_at)
