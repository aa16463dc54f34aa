"""Changes to the dealer network: a dealer opens, moves or changes its details, or closes, each
from an effective date. Every change is recorded (who, what, from when) and adds or ends dealer
versions, so questions about earlier days keep seeing the network as it was."""

import datetime as dt

from .dealers import DealerVersion
from .enterprise import normalise_enterprise_number
from .errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from .validation import LANGUAGES, check_id, check_point, check_postcode


class Registry:
    def __init__(self, app):
        self.app = app

    def add_dealer(self, fields: dict, effective: dt.date | None, caller: str) -> tuple[int, DealerVersion]:
        """A new dealer, active from `effective`."""
        violations: list = []
        check_id(fields.get("id", ""), "dealer.id", violations)
        version = self._dealer_fields(fields, effective, violations)
        if violations:
            raise InvalidArgument(violations)
        with self.app.store.transaction():
            self.app.refresh_network()
            if fields["id"] in self.app.network:
                raise AlreadyExists(f"dealer {fields['id']!r} exists; update it instead")
            self.app.store.add_dealer(fields["id"])
            change = self.app.store.record_network_change("add", fields["id"], effective, fields, caller)
            self.app.store.add_dealer_version(version, change_id=f"change:{change}")
        self.app.reload_network()
        return change, self.app.network.describe(version.dealer_id, effective)

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
        with self.app.store.transaction():
            change = self.app.store.record_network_change("update", dealer_id, effective, changes, caller)
            if current.active_from == effective:
                self.app.store.delete_dealer_version(current.version_id)
            else:
                self.app.store.end_dealer_version(current.version_id, effective - dt.timedelta(days=1))
            self.app.store.add_dealer_version(version, change_id=f"change:{change}")
        self.app.reload_network()
        return change, self.app.network.describe(dealer_id, effective)

    def close_dealer(self, dealer_id: str, effective: dt.date | None, caller: str) -> tuple[int, DealerVersion]:
        """The dealer is no longer active from `effective` (its last day is the day before)."""
        current = self._version_for_change(dealer_id, effective)
        earlier = [v for v in self.app.network.versions if v.dealer_id == dealer_id and v.active_from < effective]
        if not earlier:
            raise FailedPrecondition(
                f"dealer {dealer_id!r} opens on {effective}: a closure takes effect after its first day"
            )
        with self.app.store.transaction():
            change = self.app.store.record_network_change("close", dealer_id, effective, {}, caller)
            if current.active_from == effective:
                self.app.store.delete_dealer_version(current.version_id)
            else:
                self.app.store.end_dealer_version(current.version_id, effective - dt.timedelta(days=1))
        self.app.reload_network()
        return change, self.app.network.describe(dealer_id, effective - dt.timedelta(days=1))

    def _version_for_change(self, dealer_id: str, effective: dt.date | None) -> DealerVersion:
        violations: list = []
        check_id(dealer_id, "dealer.id", violations)
        if effective is None:
            violations.append(("effective", "is required"))
        if violations:
            raise InvalidArgument(violations)
        self.app.refresh_network()
        if dealer_id not in self.app.network:
            raise NotFound(f"dealer {dealer_id!r} does not exist")
        current = self.app.network.version_on(dealer_id, effective)
        if current is None:
            raise FailedPrecondition(self.app.network.inactive_reason(dealer_id, effective))
        later = [v for v in self.app.network.versions if v.dealer_id == dealer_id and v.active_from > effective]
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
        pc = check_postcode(self.app.postcodes, fields.get("postcode") or "", "dealer.postcode", violations)
        point = check_point(self.app.boundary, fields.get("lat"), fields.get("lon"), "dealer.location", violations)
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
