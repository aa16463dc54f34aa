"""The data subject's rights over what is held about them: access and portability (GDPR
art. 15 and 20) so far."""

from .. import clock
from ..domain.validation import check_id
from ..errors import Violations
from ..model import CustomerExport, FactKind, LABEL_LANGUAGES
from ..store import Store
from .assignment import AssignmentService
from .resolution import ResolutionService


class RightsService:
    def __init__(self, store: Store, assignment: AssignmentService, resolution: ResolutionService):
        self.store = store
        self.assignment = assignment
        self.resolution = resolution

    def export(self, customer_id: str, language: str = "") -> CustomerExport:
        """Everything held about the customer, from one snapshot of the store, with today's
        resolution in `language` (the customer's own by default)."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        if language and language not in LABEL_LANGUAGES:
            violations.add("language", f"must be one of {', '.join(LABEL_LANGUAGES)}")
        violations.raise_if_any()
        with self.store.snapshot():
            customer = self.store.customers.get(customer_id)
            facts = {kind: self.store.facts.page_of(kind, customer_id, None).items for kind in FactKind}
            return CustomerExport(
                customer=customer,
                earlier_versions=tuple(self.store.customers.earlier_versions(customer_id)),
                contacts=facts[FactKind.CONTACTS],
                preferences=facts[FactKind.PREFERENCES],
                consents=facts[FactKind.CONSENTS],
                contracts=facts[FactKind.CONTRACTS],
                earlier_contract_versions=tuple(self.store.facts.earlier_contract_versions(customer_id)),
                disputes=facts[FactKind.DISPUTES],
                objections=facts[FactKind.OBJECTIONS],
                assignments=self.assignment.history(customer_id).items,
                notices=self.store.assignments.notices(customer_id=customer_id).items,
                resolution=self.resolution.resolve(customer_id, None, language),
                exported_at=clock.now(),
                restriction=self.store.erasure.restriction(customer_id),
            )
