"""Assignment: deciding a customer's distributor, storing it when it changes, and answering
who is responsible for a customer or a place on a day.

Languages: a decision is explained in the customer's language (a place's: its postcode's
language area, Brussels in French), and a stored version keeps its explanation as rendered
then, in the customer's language at decision time. It is the record of what was told the
customer, like the version's dealer and basis; it is not rendered again in another language
later because the facts it names (the purchase's day, the history's score) are not stored
apart from it, and the pack version that wrote it may no longer be loaded. So a stored
version shows that text in every answer (a resolution asked in another language included),
while a decision computed for the question (a location, a day before the first stored
version) is explained in the asked language."""

import datetime as dt

from .. import clock
from ..domain.assignment import Assigner, Subject
from ..domain.cache_use import CacheUse
from ..domain.geo import BelgiumBoundary
from ..domain.network import Network
from ..domain.postcodes import PostcodeDirectory
from ..domain.runtime import Runtime
from ..domain.validation import (
    MAX_REASON, check_id, check_known_at, check_point, check_point_in_postcode, check_postcode, check_text,
)
from ..errors import Violations
from ..model import (
    AssignmentRecord, AssignmentRef, Basis, Decision, Language, Page, PageRequest, Responsible, RunnerUp, Snapshot,
)
from ..store import Store
from .runtime import RuntimeHolder


def moment(as_of: dt.date | None) -> dt.datetime:
    """The instant a question "as of" a day speaks for: the end of that day, or now."""
    return clock.end_of_day(as_of) - dt.timedelta(microseconds=1) if as_of else clock.now()


class AssignmentService:
    VIEWS_KEPT = 10_000

    def __init__(self, store: Store, runtime: RuntimeHolder, assigner: Assigner,
                 postcodes: PostcodeDirectory, boundary: BelgiumBoundary):
        self.store = store
        self.runtime = runtime
        self.assigner = assigner
        self.postcodes = postcodes
        self.boundary = boundary
        # Views of stored versions, valid for one runtime (a version's dealer is described
        # from the network): see _from_record.
        self._views: dict[tuple, Responsible] = {}
        self._views_runtime: Runtime | None = None
        self.views_use = CacheUse()
        # Answers for places (postcode, point, day), valid for one runtime: a place has no
        # history, so its decision depends on nothing else (see responsible_for_location).
        self._places: dict[tuple, Responsible] = {}
        self._places_runtime: Runtime | None = None
        self.places_use = CacheUse()

    def assign(self, customer_id: str, trigger: str = "api") -> tuple[Responsible, bool]:
        """Decides now; stores the decision when it differs from the assignment in force.
        Returns the assignment in force and whether a new version was stored. A version
        the decision confirms is shown with today's reasons (the latest purchase's date, the
        dealers skipped now), not those it was first stored with: the stored version keeps
        those, as what was said then."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_text(trigger, "reason", violations, MAX_REASON)
        violations.raise_if_any()
        at = clock.now()
        snapshot = self.store.customers.snapshot(customer_id, at)
        if snapshot.current:
            # Most calls confirm the assignment in force: that needs no write lock.
            decision = self.decide(snapshot, at)
            current = snapshot.current
            if (current.dealer_id, current.basis) == (decision.dealer.dealer_id, decision.basis):
                return _confirmed(self.stored_view(current, clock.day_of(at)), decision), False
        # Deciding inside the write transaction orders concurrent assigns of one customer:
        # each sees the facts and the assignment the previous one committed.
        with self.store.transaction():
            self.store.erasure.check_unrestricted(customer_id, "assigning a dealer")
            return self.assign_held(customer_id, trigger)

    def assign_held(self, customer_id: str, trigger: str, known: Snapshot | None = None) -> tuple[Responsible, bool]:
        """`assign` for a caller that holds the write transaction and has checked that the
        customer's processing is not restricted (a lead): one read, then the new version
        if the decision differs from the one in force. A caller that has just created the
        customer passes what it wrote (`known`): there is nothing else to read."""
        at = clock.now()
        snapshot = known if known is not None else self.store.customers.snapshot(customer_id, at)
        decision = self.decide(snapshot, at)
        current = snapshot.current
        if current is not None and (current.dealer_id, current.basis) == (decision.dealer.dealer_id, decision.basis):
            return _confirmed(self.stored_view(current, clock.day_of(at)), decision), False
        version_id, valid_from = self.store.assignments.save(customer_id, decision, at, trigger, current)
        return self._saved(version_id, valid_from, clock.day_of(at), customer_id, decision), True

    def follow_up(self, customer_id: str, trigger: str) -> None:
        """After a fact that can change the customer's dealer: a customer who has an
        assignment is assigned again, so the stored history follows the facts."""
        if self.store.assignments.current(customer_id) is not None:
            self.assign(customer_id, trigger)

    def responsible_for_customer(self, customer_id: str, as_of: dt.date | None,
                                 known_at: dt.datetime | None = None,
                                 language: Language | None = None) -> Responsible:
        """The stored assignment in force on `as_of` (today by default); for a day before the
        first stored one, what the rules say from the history known by the end of that day.
        With `known_at`, the answer as the service would have given it at that instant: the
        assignments decided, the facts recorded and the network known by then."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_known_at(known_at, violations)
        violations.raise_if_any()
        self.store.customers.get(customer_id)
        day = as_of or clock.today()
        at = moment(as_of)
        if known_at is not None:
            then = self._runtime_known_at(known_at)
            record = self.store.assignments.at(customer_id, at, known_at)
            if record is not None:
                return _view_of_record(then.network, record, day)
            snapshot = self.store.customers.snapshot_known(customer_id, at, known_at)
            return self._computed(customer_id, self.decide(snapshot, at, then, language=language))
        record = self.store.assignments.at(customer_id, at) if as_of else self.store.assignments.current(customer_id)
        if record is not None:
            return self._from_record(record, day)
        self.store.erasure.check_unrestricted(customer_id, "deciding a dealer")
        snapshot = self.store.customers.snapshot(customer_id, at)
        return self._computed(customer_id, self.decide(snapshot, at, language=language))

    def assigned_dealer(self, customer_id: str) -> str | None:
        """The dealer id of the customer's assignment in force; None without one (a dealer
        caller's scope, api/access.py)."""
        current = self.store.assignments.current(customer_id)
        return current.dealer_id if current else None

    def responsible_for_location(
        self, postcode: str, lat: float | None, lon: float | None, as_of: dt.date | None,
        known_at: dt.datetime | None = None,
    ) -> Responsible:
        """Who is responsible for a place on `as_of`, with the network as known at
        `known_at` (now by default)."""
        violations = Violations()
        pc = check_postcode(self.postcodes, postcode, "postcode", violations)
        point = check_point(self.boundary, lat, lon, "point", violations)
        check_point_in_postcode(pc, point, "point", violations)
        check_known_at(known_at, violations)
        violations.raise_if_any()
        if known_at:
            runtime = self._runtime_known_at(known_at)
            return self._computed("", self.assigner.decide(runtime.assignment, runtime.network, Subject(pc, point),
                                                           moment(as_of)))
        # A place's decision reads the packs and the network of one runtime, the postcode,
        # the point and the day alone (the network changes only by day), so callers asking
        # for the same place that day share it.
        runtime = self.runtime.recent()
        at = moment(as_of)
        key = (pc.postcode, point, clock.day_of(at))
        if self._places_runtime is not runtime or len(self._places) >= self.VIEWS_KEPT:
            self._places, self._places_runtime = {}, runtime
        view = self._places.get(key)
        if view is not None:
            self.places_use.hits += 1
            return view
        self.places_use.misses += 1
        view = self._places[key] = self._computed(
            "", self.assigner.decide(runtime.assignment, runtime.network, Subject(pc, point), at))
        return view

    def history(self, customer_id: str, page: PageRequest | None = None) -> Page[Responsible]:
        """The stored versions, newest first (all of them without a page)."""
        _check_customer_id(customer_id)
        self.store.customers.get(customer_id)
        today = clock.today()
        records = self.store.assignments.of_customer(customer_id, page=page)
        return Page(tuple(self._from_record(r, today) for r in records.items), records.next_after)

    def decide(self, snapshot: Snapshot, at: dt.datetime, runtime: Runtime | None = None,
               network: Network | None = None, language: Language | None = None) -> Decision:
        """The rules' decision for a customer's snapshot at `at` (over `network` when given:
        the network as known at another instant), explained in `language` (by default the
        customer's: what is stored and what AssignDealer and GetResponsibleDealer show)."""
        runtime = runtime or self.runtime.recent()
        return self.assigner.decide(runtime.assignment, network or runtime.network, self._subject(snapshot, language),
                                    at, snapshot.contacts, snapshot.preference)

    def choose(self, snapshot: Snapshot, at: dt.datetime, runtime: Runtime) -> tuple[str, Basis]:
        """The dealer id and basis `decide` gives the snapshot at `at`, without its
        explanation, runners-up or distances (Assigner.choose): what a job compares with the
        assignment in force."""
        return self.assigner.choose(runtime.assignment, runtime.network, self._subject(snapshot), at,
                                    snapshot.contacts, snapshot.preference)

    def _subject(self, snapshot: Snapshot, language: Language | None = None) -> Subject:
        """The customer as the rules see them, explained in `language` (by default theirs)."""
        customer = snapshot.customer
        return Subject(self.postcodes.get(customer.postcode), customer.point, customer.id,
                       language or customer.language)

    def _runtime_known_at(self, known_at: dt.datetime) -> Runtime:
        """The packs and the network as they served at `known_at`."""
        assignment, privacy = self.runtime.packs_known_at(known_at)
        return Runtime(assignment, privacy, self.runtime.network_known_at(known_at), self.runtime.current.network_stamp)

    def stored_view(self, ref: AssignmentRef, day: dt.date) -> Responsible:
        """The view of a stored version named by a read that already found it (a snapshot):
        from the views kept, else read."""
        view = self._views.get((ref.id, ref.valid_to, day)) if self._views_runtime is self.runtime.current else None
        if view is not None:
            self.views_use.hits += 1
            return view
        return self._from_record(self.store.assignments.get(ref.id), day)

    @staticmethod
    def _computed(customer_id: str, decision: Decision, stored: bool = False, dealer_active: bool = True,
                  valid_from: dt.datetime | None = None, valid_to: dt.datetime | None = None,
                  version_id: int = 0) -> Responsible:
        """The view of a decision; of a stored version (`stored`), when the decision is the
        one that version keeps or confirms."""
        return Responsible(
            customer_id=customer_id,
            dealer=decision.dealer,
            dealer_active=dealer_active,
            basis=decision.basis,
            rule_id=decision.rule_id,
            explanation=decision.explanation,
            distance_km=decision.distance_km,
            point=decision.point,
            point_source=decision.point_source,
            rules_version=decision.rules_version,
            decision_date=decision.decision_date,
            runners_up=tuple(
                RunnerUp(c.dealer.dealer_id, c.basis, round(c.distance_km, 3), c.score, c.dealer.name)
                for c in decision.runners_up
            ),
            skipped=decision.skipped,
            stored=stored,
            valid_from=valid_from,
            valid_to=valid_to,
            id=version_id,
        )

    def _from_record(self, record: AssignmentRecord, day: dt.date) -> Responsible:
        """The view of a stored version. Versions change only when closed (valid_to) and the
        network only with the runtime, so views are kept per version, end and day until the
        runtime changes."""
        key = (record.id, record.valid_to, day)
        view = self._kept_views().get(key)
        if view is not None:
            self.views_use.hits += 1
            return view
        self.views_use.misses += 1
        view = self._views[key] = _view_of_record(self.runtime.current.network, record, day)
        return view

    def _saved(self, version_id: int, valid_from: dt.datetime, day: dt.date, customer_id: str,
               decision: Decision) -> Responsible:
        """The view of the version just stored on `day` from `decision`, seen as the
        decision saw it (the dealers' versions of that day, not looked up again), and kept
        like any other. Counted as a miss: the cache's misses are the views built."""
        self.views_use.misses += 1
        view = self._kept_views()[(version_id, None, day)] = self._computed(
            customer_id, decision, stored=True, valid_from=valid_from, version_id=version_id)
        return view

    def _kept_views(self) -> dict[tuple, Responsible]:
        """The views kept for the current runtime, emptied when it changes or when full."""
        runtime = self.runtime.current
        if self._views_runtime is not runtime or len(self._views) >= self.VIEWS_KEPT:
            self._views, self._views_runtime = {}, runtime
        return self._views


def _confirmed(stored: Responsible, decision: Decision) -> Responsible:
    """The stored version a decision confirms (same dealer, same basis), with the decision's
    reasons."""
    return AssignmentService._computed(stored.customer_id, decision, stored=True, dealer_active=stored.dealer_active,
                                       valid_from=stored.valid_from, valid_to=stored.valid_to, version_id=stored.id)


def _view_of_record(network: Network, record: AssignmentRecord, day: dt.date) -> Responsible:
    decision_day = record.decision_date
    runners_up = tuple(
        RunnerUp(r.dealer_id, r.basis, r.distance_km, r.score,
                 network.describe(r.dealer_id, decision_day).name if r.dealer_id in network else "")
        for r in record.runners_up
    )
    return Responsible(
        customer_id=record.customer_id,
        dealer=network.describe(record.dealer_id, decision_day),
        dealer_active=network.version_on(record.dealer_id, day) is not None,
        basis=record.basis,
        rule_id=record.rule_id,
        explanation=record.explanation,
        distance_km=record.distance_km,
        point=record.point,
        point_source=record.point_source,
        rules_version=record.rules_version,
        decision_date=decision_day,
        runners_up=runners_up,
        skipped=record.skipped,
        stored=True,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        id=record.id,
    )


def _check_customer_id(customer_id: str) -> None:
    violations = Violations()
    check_id(customer_id, "customer_id", violations)
    violations.raise_if_any()

