"""The dealer network: reading it as of a day, and changing it. A dealer opens, moves or
changes its details, or closes, each from an effective date. Every change is recorded (who,
what, from when) and adds or ends dealer versions, so questions about earlier days keep
seeing the network as it was."""

import dataclasses
import datetime as dt
import logging
from pathlib import Path

from .. import clock
from ..domain.enterprise import normalise_enterprise_number
from ..domain.geo import BelgiumBoundary
from ..domain.network import Network, read_network_file
from ..domain.postcodes import PostcodeDirectory, PostcodeError
from ..domain.validation import (
    MAX_CODES, MAX_ENTERPRISE_NUMBER, MAX_NAME, MAX_STREET, MAX_TOWN, check_count, check_id, check_point,
    check_point_in_postcode, check_postcode, check_text,
)
from ..errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Violations
from ..logs import event
from ..model import (
    DealerFields, DealerOnDay, DealerRole, DealerVersion, Language, NetworkChange, NetworkChangeKind,
    Page, PageRequest, Postcode,
)
from ..store import Store
from .runtime import RuntimeHolder


log = logging.getLogger(__name__)


class NetworkService:
    def __init__(self, store: Store, runtime: RuntimeHolder, postcodes: PostcodeDirectory,
                 boundary: BelgiumBoundary):
        self.store = store
        self.runtime = runtime
        self.postcodes = postcodes
        self.boundary = boundary

    # reading

    def list_dealers(self, as_of: dt.date | None, active_only: bool,
                     page: PageRequest | None = None) -> Page[DealerOnDay]:
        """The dealers by id as described on `as_of` (today by default); the cursor is the
        last dealer id."""
        day = as_of or clock.today()
        network = self.runtime.recent().network
        found = []
        for dealer_id in network.dealer_ids():
            if page is not None and dealer_id <= page.after:
                continue
            version = network.describe(dealer_id, day)
            active = version.active_on(day)
            if active or not active_only:
                found.append(DealerOnDay(version, active))
            if page is not None and len(found) > page.size:
                return Page(tuple(found[:page.size]), found[page.size - 1].version.dealer_id)
        return Page(tuple(found))

    def get_dealer(self, dealer_id: str, as_of: dt.date | None) -> DealerOnDay:
        violations = Violations()
        check_id(dealer_id, "dealer_id", violations)
        violations.raise_if_any()
        day = as_of or clock.today()
        network = self.runtime.recent().network
        if dealer_id not in network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        version = network.describe(dealer_id, day)
        return DealerOnDay(version, version.active_on(day))

    def lookup_postcode(self, code: str) -> Postcode:
        try:
            return self.postcodes.get(code)
        except PostcodeError as e:
            if e.reason == "unknown":
                raise NotFound(str(e)) from None
            raise InvalidArgument.of("postcode", str(e)) from None

    # changing

    def seed(self, path: Path) -> int:
        """Loads a network file into a store without dealers, in one transaction; returns the
        number of dealers."""
        versions = read_network_file(path)
        with self.store.transaction():
            if self.store.network.has_dealers():
                raise FailedPrecondition("the database already holds a dealer network")
            for version in versions:
                self.store.network.add_version(version, change_id=f"seed:{Path(path).name}")
        self.runtime.refresh_network()
        return len({v.dealer_id for v in versions})

    def add_dealer(self, dealer_id: str, fields: DealerFields, effective: dt.date | None,
                   caller: str) -> NetworkChange:
        """A new dealer, active from `effective`."""
        violations = Violations()
        check_id(dealer_id, "dealer.id", violations)
        version = self._version(dealer_id, fields, effective, violations)
        violations.raise_if_any()
        with self.store.transaction():
            if dealer_id in self._stored_network():
                raise AlreadyExists(f"dealer {dealer_id!r} exists; update it instead")
            self.store.network.add_dealer(dealer_id)
            change = self.store.network.record_change(
                NetworkChangeKind.ADD, dealer_id, effective, fields, caller
            )
            self.store.network.add_version(version, change_id=f"change:{change}")
        network = self.runtime.refresh_network().network
        _logged(change, NetworkChangeKind.ADD, dealer_id, effective)
        return NetworkChange(change, NetworkChangeKind.ADD, network.describe(dealer_id, effective))

    def update_dealer(self, dealer_id: str, fields: DealerFields, effective: dt.date | None,
                      caller: str) -> NetworkChange:
        """From `effective` on, the dealer's details change (a move, new roles, a new name);
        the version in force before keeps answering for earlier days. A new address without
        coordinates takes the postcode's point. Validated and written in one transaction, so
        concurrent changes of one dealer never leave overlapping versions."""
        self._check_change(dealer_id, effective)
        with self.store.transaction():
            current = self._version_for_change(dealer_id, effective)
            moved = any(v is not None for v in (fields.street, fields.postcode, fields.town))
            merged = DealerFields(
                legal_name=fields.legal_name or current.legal_name,
                trade_name=fields.trade_name or current.trade_name,
                enterprise_number=fields.enterprise_number or current.enterprise_number,
                street=fields.street or current.street,
                postcode=fields.postcode or current.postcode,
                town=fields.town or current.town,
                lat=fields.lat if fields.lat is not None or moved else current.lat,
                lon=fields.lon if fields.lon is not None or moved else current.lon,
                languages=fields.languages or current.languages,
                roles=fields.roles or current.roles,
            )
            violations = Violations()
            version = self._version(dealer_id, merged, effective, violations)
            violations.raise_if_any()
            version = dataclasses.replace(version, active_until=current.active_until)
            change = self.store.network.record_change(NetworkChangeKind.UPDATE, dealer_id, effective, fields, caller)
            self._end(current, effective)
            self.store.network.add_version(version, change_id=f"change:{change}")
        network = self.runtime.refresh_network().network
        _logged(change, NetworkChangeKind.UPDATE, dealer_id, effective)
        return NetworkChange(change, NetworkChangeKind.UPDATE, network.describe(dealer_id, effective))

    def close_dealer(self, dealer_id: str, effective: dt.date | None, caller: str) -> NetworkChange:
        """The dealer is no longer active from `effective` (its last day is the day before).
        Validated and written in one transaction."""
        self._check_change(dealer_id, effective)
        with self.store.transaction():
            current = self._version_for_change(dealer_id, effective)
            if not any(v.active_from < effective for v in self._stored_network().versions_of(dealer_id)):
                raise FailedPrecondition(
                    f"dealer {dealer_id!r} opens on {effective}: a closure takes effect after its first day"
                )
            change = self.store.network.record_change(NetworkChangeKind.CLOSE, dealer_id, effective, None, caller)
            self._end(current, effective)
        network = self.runtime.refresh_network().network
        _logged(change, NetworkChangeKind.CLOSE, dealer_id, effective)
        return NetworkChange(
            change, NetworkChangeKind.CLOSE, network.describe(dealer_id, effective - dt.timedelta(days=1))
        )

    def _end(self, current: DealerVersion, effective: dt.date) -> None:
        """Ends the version in force the day before `effective`; one starting that very day
        never answered for any day and goes."""
        if current.active_from == effective:
            self.store.network.delete_version(current.version_id)
        else:
            self.store.network.end_version(current.version_id, effective - dt.timedelta(days=1))

    def _check_change(self, dealer_id: str, effective: dt.date | None) -> None:
        violations = Violations()
        check_id(dealer_id, "dealer.id", violations)
        if effective is None:
            violations.add("effective", "is required")
        violations.raise_if_any()

    def _stored_network(self) -> Network:
        """The network as the store holds it now: inside a change's transaction, what the
        change is checked against (the runtime's copy may lag behind another writer)."""
        return Network(self.store.network.versions(), self.runtime.current.network.eligible_roles)

    def _version_for_change(self, dealer_id: str, effective: dt.date) -> DealerVersion:
        """The version a change on `effective` replaces or ends; read inside the change's
        transaction."""
        network = self._stored_network()
        if dealer_id not in network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        current = network.version_on(dealer_id, effective)
        if current is None:
            raise FailedPrecondition(network.inactive_reason(dealer_id, effective))
        later = [v for v in network.versions_of(dealer_id) if v.active_from > effective]
        if later:
            raise FailedPrecondition(
                f"dealer {dealer_id!r} has a change effective {later[0].active_from}; record changes in date order"
            )
        return current

    def _version(self, dealer_id: str, fields: DealerFields, effective: dt.date | None,
                 violations: Violations) -> DealerVersion | None:
        """A dealer version from a change's fields; the point defaults to the postcode's."""
        for name in ("legal_name", "street", "town"):
            if not (getattr(fields, name) or "").strip():
                violations.add(f"dealer.{name}", "is required")
        for name, most in (("legal_name", MAX_NAME), ("trade_name", MAX_NAME), ("street", MAX_STREET),
                           ("town", MAX_TOWN), ("enterprise_number", MAX_ENTERPRISE_NUMBER)):
            check_text(getattr(fields, name) or "", f"dealer.{name}", violations, most)
        check_count(fields.languages, "dealer.languages", violations, MAX_CODES)
        check_count(fields.roles, "dealer.roles", violations, MAX_CODES)
        number = None
        try:
            if len(fields.enterprise_number or "") <= MAX_ENTERPRISE_NUMBER:
                number = normalise_enterprise_number(fields.enterprise_number or "")
        except ValueError as e:
            violations.add("dealer.enterprise_number", str(e))
        pc = check_postcode(self.postcodes, fields.postcode or "", "dealer.postcode", violations)
        point = check_point(self.boundary, fields.lat, fields.lon, "dealer.location", violations)
        check_point_in_postcode(pc, point, "dealer.location", violations)
        if not fields.languages or not set(fields.languages) <= set(Language):
            violations.add("dealer.languages", f"one or more of {', '.join(Language)}")
        if not fields.roles or not set(fields.roles) <= set(DealerRole):
            violations.add("dealer.roles", f"one or more of {', '.join(DealerRole)}")
        if effective is None:
            violations.add("effective", "is required")
        if violations:
            return None
        if point is None:
            point = (pc.lat, pc.lon)
        return DealerVersion(
            dealer_id=dealer_id, legal_name=fields.legal_name.strip(),
            trade_name=(fields.trade_name or "").strip(), enterprise_number=number,
            street=fields.street.strip(), postcode=pc.postcode, town=fields.town.strip(),
            lat=point[0], lon=point[1], languages=tuple(Language(x) for x in fields.languages),
            roles=tuple(DealerRole(x) for x in fields.roles), active_from=effective, active_until=None,
        )


def _logged(change_id: int, kind: NetworkChangeKind, dealer_id: str, effective: dt.date) -> None:
    """A committed change, for the operators' log: a dealer is a company, not a person. Who
    asked is the call's line (same request id); the caller's own note is free text, left out."""
    event(log, "network.change", change_id=change_id, kind=kind, dealer_id=dealer_id,
          effective=effective.isoformat())
