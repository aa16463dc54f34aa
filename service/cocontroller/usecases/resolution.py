"""Controller resolution: for a customer and a day, the joint controllers and what the
privacy policy says about their data."""

import datetime as dt

from .. import clock
from ..domain.resolution import Resolver, distributor_entry
from ..domain.validation import check_id, check_known_at
from ..errors import FailedPrecondition, Violations
from ..model import LABEL_LANGUAGES, DealerOnDay, Language, Resolution
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

    def resolve(self, customer_id: str, as_of: dt.date | None, language: str = "",
                known_at: dt.datetime | None = None) -> Resolution:
        """What the policy says of the customer's data on `as_of` (today by default). With
        `known_at`, from what the service knew at that instant (facts, assignments and
        network recorded by then), so an earlier answer can be given again."""
        violations = Violations()
        if language and language not in LABEL_LANGUAGES:
            violations.add("language", f"must be one of {', '.join(LABEL_LANGUAGES)}")
        check_id(customer_id, "customer_id", violations)
        check_known_at(known_at, violations)
        violations.raise_if_any()
        at = moment(as_of)
        if known_at is None:
            record = self.store.facts.record_of(customer_id, at)
            customer, history = record.customer, record.history
        else:
            record = None
            customer = self.store.customers.get_known(customer_id, known_at)
            history = self.store.facts.history(customer_id, customer.kind == "professional", known_at)
        runtime = self.runtime.recent()
        # Every text exists in nl, fr, de and en: the asked language, else the customer's own
        # (a German speaker reads German).
        language = Language(language or customer.language)
        try:
            if record is not None and record.assignment is not None:
                # The version in force was read with the facts: its view is usually kept.
                responsible = self.assignment.stored_view(record.assignment, clock.day_of(at))
            else:
                responsible = self.assignment.responsible_for_customer(customer_id, as_of, known_at, language=language)
        except FailedPrecondition:
            distributor, active = None, True
        else:
            distributor = distributor_entry(responsible.dealer, responsible.basis, responsible.explanation)
            active = responsible.dealer_active
        network = self.runtime.network_known_at(known_at) if known_at else runtime.network
        day = clock.day_of(at)

        def dealer_on_day(dealer_id: str) -> DealerOnDay | None:
            if dealer_id not in network:
                return None
            return DealerOnDay(network.describe(dealer_id, day), network.version_on(dealer_id, day) is not None)

        # As known at an earlier instant: with the privacy pack that served then.
        privacy = self.runtime.packs_known_at(known_at)[1] if known_at else runtime.privacy
        return self.resolver.resolve(privacy, customer_id, history, at, language, distributor, active,
                                     dealer_on_day)
