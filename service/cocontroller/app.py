"""The service's use cases, over the store, the geodata and the rule packs.

Every entry point validates its input completely (all violations at once), so the server
and the CLI only translate. Recording a fact that can change a customer's dealer (a contact,
a designation, a new address) re-assigns a customer who already has an assignment, so the
stored history follows the facts.
"""

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .assignment import ASSIGNMENT_FIELDS, Assigner, Decision, Preference, Subject, check_assignment_pack
from .dealers import DealerVersion, Network, load_demo_network
from .engine import RuleEngine
from .enterprise import normalise_enterprise_number
from .errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from .facts import CAR_SECURITY, CHANNELS, CONTRACT_KINDS, Consent, Contract, Dispute
from .geo import BelgiumBoundary
from .history import CONTACT_KINDS, Contact
from .packs import PackSlot
from .postcodes import Postcode, PostcodeDirectory, PostcodeError, geodata_dir
from .reassign import DEFAULT_BATCH, Reassigner, Scope
from .registry import Registry
from .resolution import PRIVACY_FIELDS, History, Resolution, Resolver, check_privacy_pack
from .store import Store
from .validation import (
    FUTURE_TOLERANCE,
    LANGUAGES,
    check_id,
    check_instant,
    check_one_instant,
    check_point,
    check_postcode,
)

CUSTOMER_KINDS = ("private", "professional")
# The privacy pack's labels are in these; a German-speaking customer reads English.
RESOLUTION_LANGUAGES = ("nl", "fr", "en")


def repo_dir() -> Path:
    return Path(__file__).resolve().parents[2]


def rules_dir() -> Path:
    return repo_dir() / "rules"


@dataclass(frozen=True)
class AssignmentView:
    """An assignment as the API shows it: stored, or computed for a question."""

    customer_id: str
    dealer: DealerVersion
    dealer_active: bool
    basis: str
    rule_id: str
    explanation: str
    distance_km: float
    point: tuple[float, float]
    point_source: str
    rules_version: str
    decision_date: dt.date
    runners_up: list[dict]
    skipped: list[dict]
    stored: bool
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    id: int = 0


class CoController:
    def __init__(
        self, db_path: Path | str, rules_path: Path | None = None, privacy_rules_path: Path | None = None
    ):
        self.store = Store(db_path)
        self.postcodes = PostcodeDirectory()
        self.boundary = BelgiumBoundary()
        self.engine = RuleEngine()
        self.assignment_pack = PackSlot(
            self.engine,
            rules_path or rules_dir() / "assignment" / "assignment.yaml",
            ASSIGNMENT_FIELDS,
            check_assignment_pack,
        )
        self.assigner = Assigner(self.assignment_pack)
        self.privacy_pack = PackSlot(
            self.engine,
            privacy_rules_path or rules_dir() / "privacy" / "privacy.yaml",
            PRIVACY_FIELDS,
            check_privacy_pack,
        )
        self.resolver = Resolver(self.privacy_pack)
        if not self.store.has_dealers():
            self.seed_network(geodata_dir() / "demo-dealers.json")
        self.reload_network()
        self.registry = Registry(self)

    # network

    def seed_network(self, path: Path) -> None:
        """Loads a network file into an empty store, in one transaction."""
        with self.store.transaction():
            for raw in load_demo_network(path):
                self.store.add_dealer_version(_dealer_version(raw), change_id=f"seed:{path.name}")

    def reload_rules(self) -> None:
        """Reloads both packs from their files; neither changes unless both load."""
        assignment = self.assignment_pack.prepare()
        privacy = self.privacy_pack.prepare()
        self.assignment_pack.current = assignment
        self.privacy_pack.current = privacy
        # Which roles may be assigned is a pack parameter the network reads.
        self.reload_network()

    def reload_network(self) -> None:
        roles = tuple(self.assignment_pack.current.pack.parameters["eligible_roles"])
        self._network_stamp = self.store.network_stamp()
        self._network_checked = time.monotonic()
        self.network = Network(self.store.dealer_versions(), roles)
        self._views: dict[tuple, AssignmentView] = {}

    def refresh_network(self) -> None:
        """Reloads the network when another process (a batch job, another server) changed it."""
        self._network_checked = time.monotonic()
        if self.store.network_stamp() != self._network_stamp:
            self.reload_network()

    def _recent_network(self) -> Network:
        """The network, checked for changes by other processes at most once a second."""
        if time.monotonic() - self._network_checked > 1.0:
            self.refresh_network()
        return self.network

    def list_dealers(self, as_of: dt.date | None, active_only: bool) -> list[tuple[DealerVersion, bool]]:
        day = as_of or clock.today()
        network = self.network
        found = []
        for dealer_id in network.dealer_ids():
            version = network.describe(dealer_id, day)
            active = version.active_on(day)
            if active or not active_only:
                found.append((version, active))
        return found

    def get_dealer(self, dealer_id: str, as_of: dt.date | None) -> tuple[DealerVersion, bool]:
        day = as_of or clock.today()
        if dealer_id not in self.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        version = self.network.describe(dealer_id, day)
        return version, version.active_on(day)

    # geodata

    def lookup_postcode(self, code: str, field: str = "postcode") -> Postcode:
        try:
            return self.postcodes.get(code)
        except PostcodeError as e:
            if e.reason == "unknown":
                raise NotFound(str(e)) from None
            raise InvalidArgument.of(field, str(e)) from None

    # customers

    def upsert_customer(
        self,
        customer_id: str,
        postcode: str,
        lat: float | None = None,
        lon: float | None = None,
        language: str = "",
        kind: str = "private",
        enterprise_number: str = "",
    ) -> tuple[dict, bool]:
        violations: list[tuple[str, str]] = []
        check_id(customer_id, "id", violations)
        pc = check_postcode(self.postcodes, postcode, "postcode", violations)
        point = check_point(self.boundary, lat, lon, "point", violations)
        kind = kind or "private"
        if kind not in CUSTOMER_KINDS:
            violations.append(("kind", f"must be one of {', '.join(CUSTOMER_KINDS)}"))
        if language and language not in LANGUAGES:
            violations.append(("language", f"must be one of {', '.join(LANGUAGES)}"))
        number = None
        if kind == "professional":
            if not enterprise_number:
                violations.append(("enterprise_number", "a professional customer needs one"))
            else:
                try:
                    number = normalise_enterprise_number(enterprise_number)
                except ValueError as e:
                    violations.append(("enterprise_number", str(e)))
        elif enterprise_number:
            violations.append(("enterprise_number", "only professional customers carry one"))
        if violations:
            raise InvalidArgument(violations)
        if not language:
            language = {"nl": "nl", "fr": "fr", "de": "de"}.get(pc.language_area, "fr")
        before = self.store.get_customer(customer_id)
        row, created = self.store.upsert_customer({
            "id": customer_id, "postcode": pc.postcode,
            "lat": point[0] if point else None, "lon": point[1] if point else None,
            "language": language, "kind": kind, "enterprise_number": number,
        })
        if before and (before["postcode"], before["lat"], before["lon"]) != (
            row["postcode"], row["lat"], row["lon"]
        ):
            self._follow_up(customer_id, "customer:address-changed")
        return row, created

    def get_customer(self, customer_id: str) -> dict:
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        if violations:
            raise InvalidArgument(violations)
        row = self.store.get_customer(customer_id)
        if row is None:
            raise NotFound(f"customer {customer_id!r} does not exist")
        return row

    # facts

    def record_contact(
        self, event_id: str, customer_id: str, dealer_id: str, kind: str, occurred_at: dt.datetime | None
    ) -> tuple[Contact, bool]:
        violations: list[tuple[str, str]] = []
        if event_id:
            check_id(event_id, "event_id", violations)
        check_id(customer_id, "customer_id", violations)
        check_id(dealer_id, "dealer_id", violations)
        if kind not in CONTACT_KINDS:
            violations.append(("kind", f"must be one of {', '.join(CONTACT_KINDS)}"))
        if occurred_at is None:
            violations.append(("occurred_at", "is required"))
        check_instant(occurred_at, "occurred_at", violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        if dealer_id not in self.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        if not event_id:
            content = f"{customer_id}|{dealer_id}|{kind}|{clock.to_text(occurred_at)}"
            event_id = "ev-" + hashlib.sha256(content.encode()).hexdigest()[:32]
        contact = Contact(event_id, customer_id, dealer_id, kind, occurred_at.astimezone(clock.UTC))
        try:
            stored, created = self.store.record_contact(contact)
        except ValueError as e:
            raise AlreadyExists(str(e)) from None
        if created:
            self._follow_up(customer_id, f"contact:{event_id}")
        return stored, created

    def set_preference(self, customer_id: str, dealer_id: str, at: dt.datetime | None) -> Preference:
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        check_id(dealer_id, "dealer_id", violations)
        at = at or clock.now()
        check_instant(at, "designated_at", violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        if dealer_id not in self.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        preference = self.store.set_preference(customer_id, dealer_id, at)
        self._follow_up(customer_id, f"preference:{preference.id}")
        return preference

    def revoke_preference(self, customer_id: str, at: dt.datetime | None) -> Preference:
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        check_instant(at, "revoked_at", violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        preference = self.store.revoke_preference(customer_id, at or clock.now())
        if preference is None:
            raise NotFound(f"customer {customer_id!r} has no standing preferred dealer")
        self._follow_up(customer_id, f"preference-revoked:{preference.id}")
        return preference

    def record_consent(
        self, customer_id: str, channel: str, given_at: dt.datetime | None, withdrawn_at: dt.datetime | None
    ) -> tuple[Consent, bool]:
        """Consent for one channel is given or withdrawn (exactly one of the two times)."""
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        if channel not in CHANNELS:
            violations.append(("channel", f"must be one of {', '.join(CHANNELS)}"))
        check_one_instant({"given_at": given_at, "withdrawn_at": withdrawn_at}, violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        if given_at is not None:
            try:
                return self.store.give_consent(customer_id, channel, given_at)
            except ValueError as e:
                raise FailedPrecondition(str(e)) from None
        consent = self.store.withdraw_consent(customer_id, channel, withdrawn_at)
        if consent is None:
            raise FailedPrecondition(f"no {channel} consent of {customer_id!r} is in force at {withdrawn_at.isoformat()}")
        return consent, True

    def record_contract(
        self, contract_id: str, customer_id: str, kind: str, partner: str, dealer_id: str,
        start: dt.date | None, end: dt.date | None,
    ) -> tuple[Contract, bool]:
        violations: list = []
        check_id(contract_id, "contract_id", violations)
        check_id(customer_id, "customer_id", violations)
        if kind not in CONTRACT_KINDS:
            violations.append(("kind", f"must be one of {', '.join(CONTRACT_KINDS)}"))
        if kind in ("lease", "financing") and not partner:
            violations.append(("partner", f"a {kind} contract names its commercial partner"))
        if kind == "insurance" and not partner:
            partner = CAR_SECURITY
        if start is None:
            violations.append(("start", "is required"))
        elif end is not None and end < start:
            violations.append(("end", f"{end} is before the start {start}"))
        if dealer_id:
            check_id(dealer_id, "dealer_id", violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        if dealer_id and dealer_id not in self.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        contract = Contract(contract_id, customer_id, kind, partner or "", dealer_id or None, start, end)
        try:
            return self.store.upsert_contract(contract)
        except ValueError as e:
            raise AlreadyExists(str(e)) from None

    def record_dispute(
        self, customer_id: str, opened_at: dt.datetime | None, closed_at: dt.datetime | None,
        subject: str = "", dispute_id: int = 0,
    ) -> Dispute:
        """Opens a dispute, or closes one (the given id, or the customer's only open one)."""
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        check_one_instant({"opened_at": opened_at, "closed_at": closed_at}, violations)
        if violations:
            raise InvalidArgument(violations)
        self.get_customer(customer_id)
        if opened_at is not None:
            return self.store.open_dispute(customer_id, subject, opened_at)
        try:
            dispute = self.store.close_dispute(customer_id, dispute_id or None, closed_at)
        except ValueError as e:
            raise InvalidArgument.of("closed_at", str(e)) from None
        if dispute is None:
            raise FailedPrecondition(f"customer {customer_id!r} has no single open dispute to close; give its id")
        return dispute

    # resolution

    def resolve(self, customer_id: str, as_of: dt.date | None, language: str = "") -> Resolution:
        violations: list = []
        if language and language not in RESOLUTION_LANGUAGES:
            violations.append(("language", f"must be one of {', '.join(RESOLUTION_LANGUAGES)}"))
        check_id(customer_id, "customer_id", violations)
        if violations:
            raise InvalidArgument(violations)
        customer = self.get_customer(customer_id)
        at = clock.end_of_day(as_of) - dt.timedelta(microseconds=1) if as_of else clock.now()
        try:
            view = self.responsible_for_customer(customer_id, as_of)
        except FailedPrecondition:
            view = None
        distributor = None
        if view is not None:
            d = view.dealer
            distributor = {
                "id": d.dealer_id, "name": d.name, "legal_name": d.legal_name,
                "address": f"{d.street}, {d.postcode} {d.town}",
                "enterprise_number": d.enterprise_number, "basis": view.basis,
                "explanation": view.explanation,
            }
        history = History(
            professional=customer["kind"] == "professional",
            contacts=self.store.contacts(customer_id),
            contracts=self.store.contracts(customer_id),
            consents=self.store.consents(customer_id),
            disputes=self.store.disputes(customer_id),
        )
        if not language:
            language = customer["language"] if customer["language"] in RESOLUTION_LANGUAGES else "en"
        return self.resolver.resolve(customer_id, history, at, language, distributor)

    # batch re-assignment and audit

    def reassign(
        self, job_id: str, scope: Scope, dry_run: bool, caller: str, batch_size: int = DEFAULT_BATCH,
        at: dt.datetime | None = None, workers: int | None = None,
    ):
        """A re-assignment job's progress (see reassign.Reassigner.run). `at`, the decision
        instant of a new job, may not lie in the future."""
        if at is not None and at > clock.now() + FUTURE_TOLERANCE:
            raise InvalidArgument.of("at", f"{at.isoformat()} is in the future")
        return Reassigner(self).run(job_id, scope, dry_run, caller, batch_size, at, workers)

    def assignment_changes(self, job_id: str | None = None, customer_id: str | None = None) -> list[dict]:
        if customer_id is not None:
            self.get_customer(customer_id)
        elif not job_id:
            raise InvalidArgument.of("job_id", "give a job id or a customer id")
        return self.store.assignment_changes(job_id, customer_id)

    def notices(self, pending_only: bool = False, job_id: str | None = None) -> list[dict]:
        return self.store.notices(pending_only, job_id)

    def mark_notices_exported(self, ids: list[int]) -> int:
        return self.store.mark_notices_exported(ids, clock.now())

    # assignment

    def assign(self, customer_id: str, trigger: str = "api") -> tuple[AssignmentView, bool]:
        """Decides now, stores the decision when it differs from the current assignment."""
        at = clock.now()
        snapshot = self._snapshot(customer_id, at)
        current = snapshot[3]
        if current:
            # Most calls confirm the assignment in force: that needs no write lock.
            decision = self._decide_from(snapshot, at)
            if (current["dealer_id"], current["basis"]) == (decision.dealer.dealer_id, decision.basis):
                day = clock.day_of(at)
                view = self._views.get((current["id"], None, day))
                return view or self._from_row(self.store.assignment(current["id"]), day), False
        # Deciding inside the write transaction orders concurrent assigns of one customer:
        # each sees the facts and the assignment the previous one committed.
        with self.store.transaction():
            at = clock.now()
            decision = self._decide_from(self._snapshot(customer_id, at), at)
            row, changed = self.store.save_decision(customer_id, decision, at, trigger)
        return self._from_row(row, clock.day_of(at)), changed

    def responsible_for_customer(self, customer_id: str, as_of: dt.date | None) -> AssignmentView:
        """The stored assignment in force on `as_of` (today by default); for a day before the
        first stored one, what the rules say from the history known by the end of that day."""
        self.get_customer(customer_id)
        day = as_of or clock.today()
        if as_of:
            at = clock.end_of_day(day) - dt.timedelta(microseconds=1)
            row = self.store.assignment_at(customer_id, at)
        else:
            at = clock.now()
            row = self.store.current_assignment(customer_id)
        if row is not None:
            return self._from_row(row, day)
        return self._view(customer_id, self._decide_from(self._snapshot(customer_id, at), at))

    def responsible_for_location(
        self, postcode: str, lat: float | None, lon: float | None, as_of: dt.date | None
    ) -> AssignmentView:
        violations: list = []
        pc = check_postcode(self.postcodes, postcode, "postcode", violations)
        point = check_point(self.boundary, lat, lon, "point", violations)
        if violations:
            raise InvalidArgument(violations)
        at = clock.end_of_day(as_of) - dt.timedelta(microseconds=1) if as_of else clock.now()
        decision = self.assigner.decide(Subject(pc, point), self._recent_network(), at)
        return self._view("", decision)

    def assignments(self, customer_id: str) -> list[AssignmentView]:
        self.get_customer(customer_id)
        today = clock.today()
        return [self._from_row(row, today) for row in self.store.assignments(customer_id)]

    def _follow_up(self, customer_id: str, trigger: str) -> None:
        if self.store.current_assignment(customer_id) is not None:
            self.assign(customer_id, trigger)

    def _snapshot(self, customer_id: str, at: dt.datetime):
        """What a decision reads (see Store.snapshot), for an existing customer."""
        violations: list = []
        check_id(customer_id, "customer_id", violations)
        if violations:
            raise InvalidArgument(violations)
        snapshot = self.store.snapshot(customer_id, at)
        if snapshot is None:
            raise NotFound(f"customer {customer_id!r} does not exist")
        return snapshot

    def _decide_from(self, snapshot, at: dt.datetime) -> Decision:
        customer, contacts, preference, _ = snapshot
        pc = self.postcodes.get(customer["postcode"])
        point = (customer["lat"], customer["lon"]) if customer["lat"] is not None else None
        subject = Subject(pc, point, customer["id"])
        return self.assigner.decide(subject, self._recent_network(), at, contacts, preference)

    def _view(self, customer_id: str, decision: Decision) -> AssignmentView:
        return AssignmentView(
            customer_id=customer_id,
            dealer=decision.dealer,
            dealer_active=True,
            basis=decision.basis,
            rule_id=decision.rule_id,
            explanation=decision.explanation,
            distance_km=decision.distance_km,
            point=decision.point,
            point_source=decision.point_source,
            rules_version=decision.rules_version,
            decision_date=decision.decision_date,
            runners_up=[
                {"dealer_id": c.dealer.dealer_id, "dealer_name": c.dealer.name, "basis": c.basis,
                 "distance_km": round(c.distance_km, 3), "score": c.score}
                for c in decision.runners_up
            ],
            skipped=[{"dealer_id": s.dealer_id, "basis": s.basis, "reason": s.reason}
                     for s in decision.skipped],
            stored=False,
        )

    def _from_row(self, row: dict, day: dt.date) -> AssignmentView:
        """The view of a stored version. Rows change only when closed (valid_to) and the
        network only on reload, so views are kept per row, end and day until then."""
        key = (row["id"], row["valid_to"], day)
        view = self._views.get(key)
        if view is None:
            if len(self._views) >= 10_000:
                self._views.clear()
            view = self._views[key] = self._view_of_row(row, day)
        return view

    def _view_of_row(self, row: dict, day: dt.date) -> AssignmentView:
        decision_day = dt.date.fromisoformat(row["decision_date"])
        dealer = self.network.describe(row["dealer_id"], decision_day)
        runners_up = json.loads(row["runners_up"] or "[]")
        for runner in runners_up:
            if runner["dealer_id"] in self.network:
                runner["dealer_name"] = self.network.describe(runner["dealer_id"], decision_day).name
        return AssignmentView(
            customer_id=row["customer_id"],
            dealer=dealer,
            dealer_active=self.network.version_on(row["dealer_id"], day) is not None,
            basis=row["basis"],
            rule_id=row["rule_id"],
            explanation=row["explanation"],
            distance_km=row["distance_km"],
            point=(row["point_lat"], row["point_lon"]),
            point_source=row["point_source"],
            rules_version=row["rules_version"],
            decision_date=decision_day,
            runners_up=runners_up,
            skipped=json.loads(row["skipped"] or "[]"),
            stored=True,
            valid_from=clock.from_text(row["valid_from"]),
            valid_to=clock.from_text(row["valid_to"]) if row["valid_to"] else None,
            id=row["id"],
        )


def _dealer_version(raw: dict) -> DealerVersion:
    return DealerVersion(
        dealer_id=raw["id"],
        legal_name=raw["legal_name"],
        trade_name=raw.get("trade_name", ""),
        enterprise_number=normalise_enterprise_number(raw["enterprise_number"]),
        street=raw["street"],
        postcode=raw["postcode"],
        town=raw["town"],
        lat=float(raw["lat"]),
        lon=float(raw["lon"]),
        languages=tuple(raw["languages"]),
        roles=tuple(raw["roles"]),
        active_from=dt.date.fromisoformat(raw["active_from"]),
        active_until=dt.date.fromisoformat(raw["active_until"]) if raw.get("active_until") else None,
    )
