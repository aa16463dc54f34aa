"""The dealer network: reading it as of a day, and changing it. A dealer opens, moves or
changes its details, closes or reopens, each from an effective date. Every change is
recorded (who, what, from when, and why when backdated) and adds or supersedes dealer
versions without erasing any, so the network can be read on two axes: as of a day (valid
time) and as the service knew it at an instant (recorded time). A scheduled change can be
cancelled before its day."""

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from .. import clock
from ..domain.enterprise import normalise_enterprise_number
from ..domain.geo import BelgiumBoundary
from ..domain.network import Network, read_network_file
from ..domain.postcodes import PostcodeDirectory, PostcodeError
from ..domain.schedule import DEFAULT_NOTICE_LEAD_DAYS, plan
from ..domain.validation import (
    MAX_CODES, MAX_ENTERPRISE_NUMBER, MAX_NAME, MAX_REASON, MAX_STREET, MAX_TOWN, check_count, check_id,
    check_point,
    check_known_at, check_point_in_postcode, check_postcode, check_text,
)
from ..errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Violations
from ..logs import event
from ..model import (
    CancelledChange, Correction, DealerFields, DealerOnDay, DealerRole, DealerVersion, Language, NetworkChange,
    NetworkChangeKind, Page, PageRequest, Postcode,
)
from ..store import NETWORK_CHANGED, Store
from .runtime import RuntimeHolder


log = logging.getLogger(__name__)


class NetworkService:
    def __init__(self, store: Store, runtime: RuntimeHolder, postcodes: PostcodeDirectory,
                 boundary: BelgiumBoundary, backdate_window_days: int = 7,
                 notice_lead_days: int = DEFAULT_NOTICE_LEAD_DAYS, wake: Callable[[], None] | None = None):
        self.store = store
        self.runtime = runtime
        self.postcodes = postcodes
        self.boundary = boundary
        self.backdate_window_days = backdate_window_days
        self.notice_lead_days = notice_lead_days
        # Tells this process's scheduler that a change was scheduled (its notices may be due today).
        self.wake = wake

    # reading

    def list_dealers(self, as_of: dt.date | None, active_only: bool,
                     page: PageRequest | None = None, known_at: dt.datetime | None = None) -> Page[DealerOnDay]:
        """The dealers by id as described on `as_of` (today by default), as the service knew
        the network at `known_at` (now by default); the cursor is the last dealer id."""
        violations = Violations()
        check_known_at(known_at, violations)
        violations.raise_if_any()
        day = as_of or clock.today()
        network = self.runtime.network_known_at(known_at)
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

    def get_dealer(self, dealer_id: str, as_of: dt.date | None,
                   known_at: dt.datetime | None = None) -> DealerOnDay:
        violations = Violations()
        check_id(dealer_id, "dealer_id", violations)
        check_known_at(known_at, violations)
        violations.raise_if_any()
        day = as_of or clock.today()
        network = self.runtime.network_known_at(known_at)
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
                   caller: str, correction: Correction | None = None) -> NetworkChange:
        """A new dealer, active from `effective`."""
        violations = Violations()
        check_id(dealer_id, "dealer.id", violations)
        version = self._version(dealer_id, fields, effective, violations)
        correction = self._correction(effective, correction, violations)
        violations.raise_if_any()
        with self.store.transaction():
            if dealer_id in self._stored_network():
                raise AlreadyExists(f"dealer {dealer_id!r} exists; update it instead")
            self.store.network.add_dealer(dealer_id)
            change = self.store.network.record_change(
                NetworkChangeKind.ADD, dealer_id, effective, fields, caller, correction
            )
            self._schedule(change, NetworkChangeKind.ADD, dealer_id, effective)
            self.store.network.add_version(version, change_id=f"change:{change}")
        return self._done(change, NetworkChangeKind.ADD, dealer_id, effective, effective, correction)

    def update_dealer(self, dealer_id: str, fields: DealerFields, effective: dt.date | None,
                      caller: str, correction: Correction | None = None) -> NetworkChange:
        """From `effective` on, the dealer's details change (a move, new roles, a new name);
        the version in force before keeps answering for earlier days. A new address without
        coordinates takes the postcode's point. Validated and written in one transaction, so
        concurrent changes of one dealer never leave overlapping versions."""
        correction = self._check_change(dealer_id, effective, correction)
        with self.store.transaction():
            current = self._version_for_change(dealer_id, effective)
            violations = Violations()
            version = self._version(dealer_id, _merged(fields, current), effective, violations)
            violations.raise_if_any()
            version = dataclasses.replace(version, active_until=current.active_until)
            change = self.store.network.record_change(
                NetworkChangeKind.UPDATE, dealer_id, effective, fields, caller, correction
            )
            self._schedule(change, NetworkChangeKind.UPDATE, dealer_id, effective)
            self._end(current, effective, change)
            self.store.network.add_version(version, change_id=f"change:{change}")
        return self._done(change, NetworkChangeKind.UPDATE, dealer_id, effective, effective, correction)

    def close_dealer(self, dealer_id: str, effective: dt.date | None, caller: str,
                     correction: Correction | None = None) -> NetworkChange:
        """The dealer is no longer active from `effective` (its last day is the day before).
        Validated and written in one transaction."""
        correction = self._check_change(dealer_id, effective, correction)
        with self.store.transaction():
            current = self._version_for_change(dealer_id, effective)
            if not any(v.active_from < effective for v in self._stored_network().versions_of(dealer_id)):
                raise FailedPrecondition(
                    f"dealer {dealer_id!r} opens on {effective}: a closure takes effect after its first day"
                )
            change = self.store.network.record_change(
                NetworkChangeKind.CLOSE, dealer_id, effective, None, caller, correction
            )
            self._schedule(change, NetworkChangeKind.CLOSE, dealer_id, effective)
            self._end(current, effective, change)
        return self._done(change, NetworkChangeKind.CLOSE, dealer_id, effective,
                          effective - dt.timedelta(days=1), correction)

    def reopen_dealer(self, dealer_id: str, fields: DealerFields, effective: dt.date | None, caller: str,
                      correction: Correction | None = None) -> NetworkChange:
        """A closed dealer is active again from `effective`, with the details of its last
        version unless `fields` give new ones (a reopening is often a move)."""
        correction = self._check_change(dealer_id, effective, correction)
        with self.store.transaction():
            network = self._stored_network()
            if dealer_id not in network:
                raise NotFound(f"dealer {dealer_id!r} does not exist")
            versions = network.versions_of(dealer_id)
            if network.version_on(dealer_id, effective) is not None:
                raise FailedPrecondition(f"dealer {dealer_id!r} is active on {effective}; reopen a closed dealer")
            later = [v for v in versions if v.active_from > effective]
            if later:
                raise FailedPrecondition(
                    f"dealer {dealer_id!r} has a change effective {later[0].active_from}; record changes in date order"
                )
            violations = Violations()
            version = self._version(dealer_id, _merged(fields, versions[-1]), effective, violations)
            violations.raise_if_any()
            change = self.store.network.record_change(
                NetworkChangeKind.REOPEN, dealer_id, effective, fields, caller, correction
            )
            self._schedule(change, NetworkChangeKind.REOPEN, dealer_id, effective)
            self.store.network.add_version(version, change_id=f"change:{change}")
        return self._done(change, NetworkChangeKind.REOPEN, dealer_id, effective, effective, correction)

    def cancel_change(self, change_id: int, caller: str, reason: str) -> CancelledChange:
        """Takes back a scheduled change before its effective day: the network is again as
        it was before it, from now on (what was known meanwhile stays readable), its job
        will not run and its notices not yet sent are withdrawn. Only a dealer's latest
        change can go, so changes stay in date order; one already in effect is corrected by
        a new change instead."""
        violations = Violations()
        if change_id <= 0:
            violations.add("change_id", "must be a positive change id")
        check_text(reason, "reason", violations, MAX_REASON)
        if not reason.strip():
            violations.add("reason", "is required: say why the change is taken back")
        violations.raise_if_any()
        with self.store.transaction():
            change = self.store.network.change(change_id)
            if change is None:
                raise NotFound(f"network change {change_id} does not exist")
            if change.cancelled_at is not None:
                raise FailedPrecondition(f"network change {change_id} was cancelled on {change.cancelled_at}")
            if change.effective <= clock.today():
                raise FailedPrecondition(
                    f"network change {change_id} took effect on {change.effective}; "
                    "record a new change (a correction) instead"
                )
            if self.store.network.last_change_of(change.dealer_id) != change_id:
                raise FailedPrecondition(
                    f"dealer {change.dealer_id!r} has a later change; cancel that one first"
                )
            self.store.network.cancel_change(change_id, caller, reason.strip())
            withdrawn = self.store.schedule.cancel(change_id, clock.now())
        self.runtime.refresh_network()
        self.store.notify(NETWORK_CHANGED)
        event(log, "network.cancel", change_id=change_id, dealer_id=change.dealer_id, withdrawn_notices=withdrawn)
        return CancelledChange(self.store.network.change(change_id), withdrawn)

    def _schedule(self, change: int, kind: NetworkChangeKind, dealer_id: str, effective: dt.date) -> None:
        """Inside the change's transaction: a change effective after today owes its customers
        a notice a lead time ahead and a re-assignment on its day, which the server's
        scheduler runs (one from today on is the operator's `reassign` job to run)."""
        if effective > clock.today():
            self.store.schedule.add(plan(change, kind, dealer_id, effective, clock.today(), self.notice_lead_days,
                                         clock.now()))

    def _done(self, change: int, kind: NetworkChangeKind, dealer_id: str, effective: dt.date,
              shown_on: dt.date, correction: Correction | None) -> NetworkChange:
        network = self.runtime.refresh_network().network
        self.store.notify(NETWORK_CHANGED)
        _logged(change, kind, dealer_id, effective)
        scheduled = self.store.schedule.get(change)
        if scheduled is not None and self.wake is not None:
            self.wake()
        return NetworkChange(change, kind, network.describe(dealer_id, shown_on), correction, scheduled)

    def _end(self, current: DealerVersion, effective: dt.date, change: int) -> None:
        """Ends the version in force the day before `effective`; one starting that very day
        is superseded as a whole."""
        if current.active_from == effective:
            self.store.network.supersede(current.version_id, change)
        else:
            self.store.network.end_version(current, effective - dt.timedelta(days=1), change)

    def _check_change(self, dealer_id: str, effective: dt.date | None,
                      correction: Correction | None) -> Correction | None:
        violations = Violations()
        check_id(dealer_id, "dealer.id", violations)
        if effective is None:
            violations.add("effective", "is required")
        correction = self._correction(effective, correction, violations)
        violations.raise_if_any()
        return correction

    def _correction(self, effective: dt.date | None, correction: Correction | None,
                    violations: Violations) -> Correction | None:
        """A change effective before today rewrites what was known of the days since: it is a
        correction and says why; beyond the window it must be confirmed as well. A change
        from today on is no correction, whatever the caller sent."""
        today = clock.today()
        if effective is None or effective >= today:
            return None
        reason = (correction.reason if correction else "").strip()
        check_text(reason, "correction.reason", violations, MAX_REASON)
        if not reason:
            violations.add("correction.reason",
                           f"the change takes effect on {effective}, before today ({today}): "
                           "a backdated change is a correction and needs a reason")
        days = (today - effective).days
        if days > self.backdate_window_days and not (correction and correction.confirmed):
            violations.add("correction.confirmed",
                           f"{effective} is {days} days back, beyond the backdating window of "
                           f"{self.backdate_window_days} days: confirm the correction")
        return Correction(reason, bool(correction and correction.confirmed))

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


def _merged(fields: DealerFields, current: DealerVersion) -> DealerFields:
    """A change's fields over the version it follows; a new address without coordinates
    drops the old point (the postcode's is taken)."""
    moved = any(v is not None for v in (fields.street, fields.postcode, fields.town))
    return DealerFields(
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


def _logged(change_id: int, kind: NetworkChangeKind, dealer_id: str, effective: dt.date) -> None:
    """A committed change, for the operators' log: a dealer is a company, not a person. Who
    asked is the call's line (same request id); the caller's own note is free text, left out."""
    event(log, "network.change", change_id=change_id, kind=kind, dealer_id=dealer_id,
          effective=effective.isoformat())
