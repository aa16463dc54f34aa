"""The service's use cases, over the store, the geodata and the rule packs.

Every entry point validates its input completely (all violations at once), so the server
and the CLI only translate. Recording a fact that can change a customer's dealer (a contact,
a designation, a new address) re-assigns a customer who already has an assignment, so the
stored history follows the facts.
"""

import datetime as dt
import hashlib
import json
import math
import re
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
from .resolution import PRIVACY_FIELDS, History, Resolution, Resolver, check_privacy_pack
from .reassign import DEFAULT_BATCH, Reassigner, Scope
from .postcodes import Postcode, PostcodeDirectory, PostcodeError, geodata_dir
from .store import Store

LANGUAGES = ("nl", "fr", "de", "en")
CUSTOMER_KINDS = ("private", "professional")
# The privacy pack's labels are in these; a German-speaking customer reads English.
RESOLUTION_LANGUAGES = ("nl", "fr", "en")
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Clocks differ: an event stamped a little ahead of ours is still accepted.
_FUTURE_TOLERANCE = dt.timedelta(minutes=5)


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

    def add_dealer(self, fields: dict, effective: dt.date | None, caller: str) -> tuple[int, DealerVersion]:
        """A new dealer, active from `effective`."""
        violations: list = []
        _check_id(fields.get("id", ""), "dealer.id", violations)
        version = self._dealer_fields(fields, effective, violations)
        if violations:
            raise InvalidArgument(violations)
        with self.store.transaction():
            self.refresh_network()
            if fields["id"] in self.network:
                raise AlreadyExists(f"dealer {fields['id']!r} exists; update it instead")
            self.store.add_dealer(fields["id"])
            change = self.store.record_network_change("add", fields["id"], effective, fields, caller)
            self.store.add_dealer_version(version, change_id=f"change:{change}")
        self.reload_network()
        return change, self.network.describe(version.dealer_id, effective)

    def update_dealer(self, dealer_id: str, changes: dict, effective: dt.date | None, caller: str) -> tuple[int, DealerVersion]:
        """From `effective` on, the dealer's details change (a move, new roles, a new name);
        the version in force before keeps answering for earlier days."""
        current = self._version_for_change(dealer_id, effective)
        fields = {
            "id": dealer_id, "legal_name": current.legal_name, "trade_name": current.trade_name,
            "enterprise_number": current.enterprise_number, "street": current.street,
            "postcode": current.postcode, "town": current.town, "languages": list(current.languages),
            "roles": list(current.roles),
        }
        moved = any(k in changes for k in ("street", "postcode", "town"))
        if not moved:
            fields.update(lat=current.lat, lon=current.lon)
        fields.update({k: v for k, v in changes.items() if v not in (None, "", [])})
        violations: list = []
        version = self._dealer_fields(fields, effective, violations)
        if violations:
            raise InvalidArgument(violations)
        version = DealerVersion(**{**version.__dict__, "active_until": current.active_until})
        with self.store.transaction():
            change = self.store.record_network_change("update", dealer_id, effective, changes, caller)
            if current.active_from == effective:
                self.store.delete_dealer_version(current.version_id)
            else:
                self.store.end_dealer_version(current.version_id, effective - dt.timedelta(days=1))
            self.store.add_dealer_version(version, change_id=f"change:{change}")
        self.reload_network()
        return change, self.network.describe(dealer_id, effective)

    def close_dealer(self, dealer_id: str, effective: dt.date | None, caller: str) -> tuple[int, DealerVersion]:
        """The dealer is no longer active from `effective` (its last day is the day before)."""
        current = self._version_for_change(dealer_id, effective)
        earlier = [v for v in self.network.versions if v.dealer_id == dealer_id and v.active_from < effective]
        if not earlier:
            raise FailedPrecondition(
                f"dealer {dealer_id!r} opens on {effective}: a closure takes effect after its first day"
            )
        with self.store.transaction():
            change = self.store.record_network_change("close", dealer_id, effective, {}, caller)
            if current.active_from == effective:
                self.store.delete_dealer_version(current.version_id)
            else:
                self.store.end_dealer_version(current.version_id, effective - dt.timedelta(days=1))
        self.reload_network()
        return change, self.network.describe(dealer_id, effective - dt.timedelta(days=1))

    def _version_for_change(self, dealer_id: str, effective: dt.date | None) -> DealerVersion:
        violations: list = []
        _check_id(dealer_id, "dealer.id", violations)
        if effective is None:
            violations.append(("effective", "is required"))
        if violations:
            raise InvalidArgument(violations)
        self.refresh_network()
        if dealer_id not in self.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        current = self.network.version_on(dealer_id, effective)
        if current is None:
            raise FailedPrecondition(self.network.inactive_reason(dealer_id, effective))
        later = [v for v in self.network.versions if v.dealer_id == dealer_id and v.active_from > effective]
        if later:
            raise FailedPrecondition(
                f"dealer {dealer_id!r} has a change effective {later[0].active_from}; record changes in date order"
            )
        return current

    def _dealer_fields(self, fields: dict, effective: dt.date | None, violations: list) -> DealerVersion | None:
        """A dealer version from API fields; the point defaults to the postcode's."""
        for name in ("legal_name", "street", "town"):
            if not str(fields.get(name) or "").strip():
                violations.append((f"dealer.{name}", "is required"))
        number = None
        try:
            number = normalise_enterprise_number(fields.get("enterprise_number") or "")
        except ValueError as e:
            violations.append(("dealer.enterprise_number", str(e)))
        pc = self._postcode(fields.get("postcode") or "", "dealer.postcode", violations)
        point = self._point(fields.get("lat"), fields.get("lon"), "dealer.location", violations)
        languages, roles = list(fields.get("languages") or []), list(fields.get("roles") or [])
        if not languages or not set(languages) <= set(LANGUAGES):
            violations.append(("dealer.languages", f"one or more of {', '.join(LANGUAGES)}"))
        if not roles or not set(roles) <= {"sales", "service"}:
            violations.append(("dealer.roles", "one or more of sales, service"))
        if effective is None:
            violations.append(("effective", "is required"))
        if violations:
            return None
        if point is None:
            point = (pc.lat, pc.lon)
        return DealerVersion(
            dealer_id=fields["id"], legal_name=fields["legal_name"].strip(),
            trade_name=(fields.get("trade_name") or "").strip(), enterprise_number=number,
            street=fields["street"].strip(), postcode=pc.postcode, town=fields["town"].strip(),
            lat=point[0], lon=point[1], languages=tuple(languages), roles=tuple(roles),
            active_from=effective, active_until=None,
        )

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

    def _postcode(self, code: str, field: str, violations: list) -> Postcode | None:
        try:
            return self.postcodes.get(code)
        except PostcodeError as e:
            violations.append((field, str(e)))
            return None

    def _point(self, lat, lon, field: str, violations: list) -> tuple[float, float] | None:
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            violations.append((field, "give both latitude and longitude, or neither"))
            return None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            violations.append((field, "coordinates must be finite numbers"))
        elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
            violations.append((field, f"({lat}, {lon}) are not WGS84 coordinates"))
        elif not self.boundary.contains(lat, lon):
            violations.append((field, f"({lat:.5f}, {lon:.5f}) lies outside Belgium"))
        else:
            return (lat, lon)
        return None

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
        _check_id(customer_id, "id", violations)
        pc = self._postcode(postcode, "postcode", violations)
        point = self._point(lat, lon, "point", violations)
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
        _check_id(customer_id, "customer_id", violations)
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
            _check_id(event_id, "event_id", violations)
        _check_id(customer_id, "customer_id", violations)
        _check_id(dealer_id, "dealer_id", violations)
        if kind not in CONTACT_KINDS:
            violations.append(("kind", f"must be one of {', '.join(CONTACT_KINDS)}"))
        if occurred_at is None:
            violations.append(("occurred_at", "is required"))
        _check_instant(occurred_at, "occurred_at", violations)
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
        _check_id(customer_id, "customer_id", violations)
        _check_id(dealer_id, "dealer_id", violations)
        at = at or clock.now()
        _check_instant(at, "designated_at", violations)
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
        _check_id(customer_id, "customer_id", violations)
        _check_instant(at, "revoked_at", violations)
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
        _check_id(customer_id, "customer_id", violations)
        if channel not in CHANNELS:
            violations.append(("channel", f"must be one of {', '.join(CHANNELS)}"))
        _check_one_instant({"given_at": given_at, "withdrawn_at": withdrawn_at}, violations)
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
        _check_id(contract_id, "contract_id", violations)
        _check_id(customer_id, "customer_id", violations)
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
            _check_id(dealer_id, "dealer_id", violations)
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
        _check_id(customer_id, "customer_id", violations)
        _check_one_instant({"opened_at": opened_at, "closed_at": closed_at}, violations)
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
        _check_id(customer_id, "customer_id", violations)
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
        if at is not None and at > clock.now() + _FUTURE_TOLERANCE:
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
        self.get_customer(customer_id)
        at = clock.now()
        snapshot = self.store.snapshot(customer_id, at)
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
            decision = self._decide_from(self.store.snapshot(customer_id, at), at)
            row, changed = self.store.save_decision(customer_id, decision, at, trigger)
        return self._from_row(row, clock.day_of(at)), changed

    def responsible_for_customer(self, customer_id: str, as_of: dt.date | None) -> AssignmentView:
        """The stored assignment in force on `as_of` (today by default); for a day before the
        first stored one, what the rules say from the history known by the end of that day."""
        customer = self.get_customer(customer_id)
        day = as_of or clock.today()
        if as_of:
            at = clock.end_of_day(day) - dt.timedelta(microseconds=1)
            row = self.store.assignment_at(customer_id, at)
        else:
            at = clock.now()
            row = self.store.current_assignment(customer_id)
        if row is not None:
            return self._from_row(row, day)
        return self._view(customer_id, self._decide(customer, at))

    def responsible_for_location(
        self, postcode: str, lat: float | None, lon: float | None, as_of: dt.date | None
    ) -> AssignmentView:
        violations: list = []
        pc = self._postcode(postcode, "postcode", violations)
        point = self._point(lat, lon, "point", violations)
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

    def _decide(self, customer: dict, at: dt.datetime) -> Decision:
        return self._decide_from(self.store.snapshot(customer["id"], at), at)

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


def _check_id(value: str, field: str, violations: list) -> None:
    if not value:
        violations.append((field, "is required"))
    elif not _ID.match(value):
        violations.append((field, f"{value!r} must be 1 to 64 of A-Z a-z 0-9 . _ : -"))


def _check_instant(at: dt.datetime | None, field: str, violations: list) -> None:
    """A recorded fact's time: not in the future, and within the days the service handles."""
    if at is None:
        return
    if at > clock.now() + _FUTURE_TOLERANCE:
        violations.append((field, f"{at.isoformat()} is in the future"))
    elif not clock.in_range(at.date()):
        violations.append((field, f"{at.isoformat()} is before {clock.EARLIEST}"))


def _check_one_instant(instants: dict[str, dt.datetime | None], violations: list) -> None:
    """Exactly one of two times (a consent given or withdrawn, a dispute opened or closed)."""
    (first, a), (second, b) = instants.items()
    if (a is None) == (b is None):
        violations.append((first, f"give either {first} or {second}"))
    _check_instant(a, first, violations)
    _check_instant(b, second, violations)


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
