"""Controller resolution: for a customer and a day, the joint controllers and what the
privacy policy says about their data."""

import datetime as dt

from ..domain.resolution import Resolver, distributor_entry
from ..domain.validation import check_id
from ..errors import FailedPrecondition, Violations
from ..model import LABEL_LANGUAGES, Language, Resolution
from ..store import Store
from .assignment import AssignmentService, moment
from .runtime import RuntimeHolder


class ResolutionService:
    def __init__(self, store: Store, runtime: RuntimeHolder, resolver: Resolver,
                 assignment: AssignmentService):
        self.store = store
        self.runtime = runtime
        self.resolver = resolver
        self.assignment = assignment

    def resolve(self, customer_id: str, as_of: dt.date | None, language: str = "") -> Resolution:
        violations = Violations()
        if language and language not in LABEL_LANGUAGES:
            violations.add("language", f"must be one of {', '.join(LABEL_LANGUAGES)}")
        check_id(customer_id, "customer_id", violations)
        violations.raise_if_any()
        customer = self.store.customers.get(customer_id)
        runtime = self.runtime.recent()
        try:
            responsible = self.assignment.responsible_for_customer(customer_id, as_of)
        except FailedPrecondition:
            distributor, active = None, True
        else:
            distributor = distributor_entry(responsible.dealer, responsible.basis, responsible.explanation)
            active = responsible.dealer_active
        history = self.store.facts.history(customer_id, customer.kind == "professional")
        if not language:
            # The packs' labels are in nl, fr and en; a German-speaking customer reads English.
            language = customer.language if customer.language in LABEL_LANGUAGES else Language.EN
        return self.resolver.resolve(
            runtime.privacy, customer_id, history, moment(as_of), Language(language), distributor, active
        )
