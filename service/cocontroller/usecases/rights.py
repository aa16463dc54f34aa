"""The data subject's rights over what is held about them: access and portability (GDPR
art. 15 and 20), and rectification (art. 16)."""

import re

from .. import clock
from ..domain.validation import MAX_REASON, check_choice, check_id, check_text
from ..errors import NotFound, Violations
from ..model import (
    LABEL_LANGUAGES, CustomerExport, FactCorrection, FactKind, Rectification, RectifiableKind,
)
from ..store import Store
from .assignment import AssignmentService
from .facts import FactService, check_correction
from .resolution import ResolutionService

# A consent's or a dispute's id: the store's row number.
_NUMBER = re.compile(r"^[0-9]{1,18}$")


class RightsService:
    def __init__(self, store: Store, assignment: AssignmentService, resolution: ResolutionService,
                 facts: FactService):
        self.store = store
        self.assignment = assignment
        self.resolution = resolution
        self.facts = facts

    def export(self, customer_id: str, language: str = "") -> CustomerExport:
        """Everything held about the customer, from one snapshot of the store, with today's
        resolution in `language` (the customer's own by default). Retracted facts are
        listed with their retraction: the export shows every row held."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        if language and language not in LABEL_LANGUAGES:
            violations.add("language", f"must be one of {', '.join(LABEL_LANGUAGES)}")
        violations.raise_if_any()
        with self.store.snapshot():
            customer = self.store.customers.get(customer_id)
            held = {kind: self.store.rectification.held(kind, customer_id) for kind in RectifiableKind}
            return CustomerExport(
                customer=customer,
                earlier_versions=tuple(self.store.customers.earlier_versions(customer_id)),
                contacts=held[RectifiableKind.CONTACT],
                preferences=self.store.facts.page_of(FactKind.PREFERENCES, customer_id, None).items,
                consents=held[RectifiableKind.CONSENT],
                contracts=held[RectifiableKind.CONTRACT],
                earlier_contract_versions=tuple(self.store.facts.earlier_contract_versions(customer_id)),
                disputes=held[RectifiableKind.DISPUTE],
                objections=self.store.facts.page_of(FactKind.OBJECTIONS, customer_id, None).items,
                assignments=self.assignment.history(customer_id).items,
                notices=self.store.assignments.notices(customer_id=customer_id).items,
                resolution=self.resolution.resolve(customer_id, None, language),
                exported_at=clock.now(),
                restriction=self.store.erasure.restriction(customer_id),
            )

    def rectify(self, kind: str, customer_id: str, fact_id: str, reason: str,
                correction: FactCorrection | None = None) -> Rectification:
        """Retracts a recorded contact, consent, contract or dispute of the customer for
        `reason`, or corrects it: retracted, with the corrected fact recorded in its place
        (GDPR art. 16). Both go on the recorded-time axis: answers as known before stay as
        they were given. A contact's rectification re-assigns the customer as recording one
        does, in the same transaction. Repeating a call returns what it did."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        fact_kind = check_choice(RectifiableKind, kind, "kind", violations)
        key = _fact_key(fact_kind, fact_id, violations)
        if not reason.strip():
            violations.add("reason", "is required: why the fact is retracted or corrected")
        check_text(reason, "reason", violations, MAX_REASON)
        if correction is not None:
            check_correction(fact_kind, correction, violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        with self.store.transaction():
            held = self.store.rectification.find(fact_kind, customer_id, key)
            if held is None:
                raise NotFound(f"customer {customer_id!r} has no {fact_kind} {fact_id!r}")
            if correction is None:
                done = self.store.rectification.retract(held, reason)
            else:
                done = self.store.rectification.correct(held, reason, self.facts.corrected(held.fact, correction))
            if fact_kind is RectifiableKind.CONTACT:
                self.assignment.follow_up(customer_id, f"rectified-contact:{fact_id}")
        return done


def _fact_key(kind: RectifiableKind | None, fact_id: str, violations: Violations) -> str | int | None:
    """A fact's id as its table keys it: a contact's event id and a contract's id are
    texts, a consent's and a dispute's numbers."""
    if kind in (RectifiableKind.CONSENT, RectifiableKind.DISPUTE):
        if _NUMBER.match(fact_id):
            return int(fact_id)
        violations.add("fact_id", f"a {kind}'s id is a number of 1 to 18 digits")
        return None
    check_id(fact_id, "fact_id", violations)
    return fact_id
