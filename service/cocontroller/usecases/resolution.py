"""Controller resolution: for a customer and a day, the joint controllers and what the
privacy policy says about their data."""

import datetime as dt

from .. import clock
from ..domain.cache_use import CacheUse
from ..domain.resolution import Resolver, distributor_entry
from ..domain.runtime import Runtime
from ..domain.validation import check_id, check_known_at
from ..errors import FailedPrecondition, Violations
from ..model import (
    LABEL_LANGUAGES, Customer, CustomerHistory, CustomerRecord, DealerOnDay, Language, Resolution, Restriction,
)
from ..store import Store
from .assignment import AssignmentService, moment
from .runtime import RuntimeHolder


class ResolutionService:
    # Answers kept for records read again unchanged (a customer asked about more than once a
    # day): each holds its own facts and retention, and shares the pack's outcome.
    ANSWERS_KEPT = 2048

    def __init__(self, store: Store, runtime: RuntimeHolder, resolver: Resolver,
                 assignment: AssignmentService):
        self.store = store
        self.runtime = runtime
        self.resolver = resolver
        self.assignment = assignment
        self._answers: dict[tuple, tuple[Resolution, dt.datetime]] = {}
        self._answers_runtime: Runtime | None = None
        self.answers_use = CacheUse()

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
        if known_at is not None:
            customer = self.store.customers.get_known(customer_id, known_at)
            history = self.store.facts.history(customer_id, customer.kind == "professional", known_at)
            restriction = self.store.erasure.restriction(customer_id)
            if restriction is not None and restriction.since > known_at:
                restriction = None
            return self._resolve(self.runtime.recent(), customer_id, as_of, at, language, customer, history, None,
                                 known_at, restriction)
        read = self.store.facts.record_of(customer_id, at)
        runtime = self.runtime.recent()
        if self._answers_runtime is not runtime or len(self._answers) >= self.ANSWERS_KEPT:
            self._answers, self._answers_runtime = {}, runtime
        key = (read.fingerprint, language, clock.day_of(at))
        kept = self._answers.get(key)
        if kept is not None and at < kept[1]:
            self.answers_use.hits += 1
            return kept[0]
        self.answers_use.misses += 1
        record = read.parse()
        answer = self._resolve(runtime, customer_id, as_of, at, language, record.customer, record.history, record,
                               None, record.restriction)
        if record.assignment is not None:
            # Read with the record, the stored version makes the answer depend on nothing but
            # the record, the runtime, the day and the asked language, until the next instant
            # a recorded time passes (a contact, a consent or dispute opening or ending, an
            # objection, the version's end). Without one, the distributor is decided from a snapshot with
            # the customer's preference, which the record does not hold: not kept.
            self._answers[key] = (answer, _answer_until(record, at))
        return answer

    def _resolve(self, runtime: Runtime, customer_id: str, as_of: dt.date | None, at: dt.datetime, language: str,
                 customer: Customer, history: CustomerHistory, record: CustomerRecord | None,
                 known_at: dt.datetime | None, restriction: Restriction | None) -> Resolution:
        # Every text exists in nl, fr, de and en: the asked language, else the customer's own
        # (a German speaker reads German).
        language = Language(language or customer.language)
        responsible = None
        if record is not None and record.assignment is not None:
            # The version in force was read with the facts: its view is usually kept.
            responsible = self.assignment.stored_view(record.assignment, clock.day_of(at))
        elif restriction is None:
            # (A restricted customer is no longer assigned: only their records' own dealers,
            # who sold and who repaired, remain controllers of them.)
            try:
                responsible = self.assignment.responsible_for_customer(customer_id, as_of, known_at, language=language)
            except FailedPrecondition:
                pass
        distributor, active = None, True
        if responsible is not None:
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
                                     dealer_on_day, restriction)


def _answer_until(record: CustomerRecord, at: dt.datetime) -> dt.datetime:
    """The first instant after `at` at which an answer for the record may differ: the end of
    its day, or an earlier recorded time still ahead."""
    history = record.history
    times = [
        *(c.occurred_at for c in history.contacts),
        *(t for c in history.consents for t in (c.given_at, c.withdrawn_at)),
        *(t for d in history.disputes for t in (d.opened_at, d.closed_at)),
        *(o.objected_at for o in history.objections),
        record.assignment.valid_to if record.assignment else None,
    ]
    return min((t for t in times if t is not None and t > at), default=clock.end_of_day(clock.day_of(at)))
