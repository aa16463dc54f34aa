"""The dealer network as versions with effective dates.

A dealer is active on a day when one of its versions covers that day (active_from to
active_until, both inclusive). Opening, closing and moving a dealer add or end versions, so
a question about an earlier day keeps seeing the network as it was then.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from ..model import DealerRole, DealerVersion, Language, in_language
from .cache_use import CacheUse
from .enterprise import normalise_enterprise_number
from .geo import NearestIndex


def read_network_file(path: Path) -> list[DealerVersion]:
    """The dealers of a network file such as the demo network (demo-dealers.json)."""
    return [_version(raw) for raw in json.loads(Path(path).read_text(encoding="utf-8"))["dealers"]]


def _version(raw: dict) -> DealerVersion:
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
        languages=tuple(Language(code) for code in raw["languages"]),
        roles=tuple(DealerRole(role) for role in raw["roles"]),
        active_from=dt.date.fromisoformat(raw["active_from"]),
        active_until=dt.date.fromisoformat(raw["active_until"]) if raw.get("active_until") else None,
    )


# Why a dealer is skipped, in the four languages of an answer.
_REASONS = {
    "unknown": {"nl": "{dealer} maakt geen deel uit van het dealernetwerk",
                "fr": "{dealer} ne fait pas partie du réseau de distributeurs",
                "de": "{dealer} gehört nicht zum Händlernetz",
                "en": "{dealer} is not in the dealer network"},
    "opens": {"nl": "{dealer} is niet actief op {day}: opent op {opens}",
              "fr": "{dealer} n'est pas actif le {day} : ouvre le {opens}",
              "de": "{dealer} ist am {day} nicht aktiv: öffnet am {opens}",
              "en": "{dealer} is not active on {day}: opens on {opens}"},
    "closed": {"nl": "{dealer} is niet actief op {day}: gesloten na {until}",
               "fr": "{dealer} n'est pas actif le {day} : fermé après le {until}",
               "de": "{dealer} ist am {day} nicht aktiv: geschlossen nach dem {until}",
               "en": "{dealer} is not active on {day}: closed after {until}"},
    "role": {"nl": "{dealer} is geen erkende verdeler (rollen: {roles})",
             "fr": "{dealer} n'est pas un distributeur agréé (rôles : {roles})",
             "de": "{dealer} ist kein zugelassener Vertragshändler (Rollen: {roles})",
             "en": "{dealer} is not an authorised distributor (roles: {roles})"},
}


class Network:
    """Every dealer version, with the nearest-dealer index of each distinct active set."""

    _DAYS_KEPT = 4096
    # Postcode points repeat: 1,149 of them per network state, and customers' own points.
    _ANSWERS_KEPT = 100_000

    def __init__(self, versions: list[DealerVersion], eligible_roles: tuple[str, ...],
                 answers_use: CacheUse | None = None):
        self.versions = sorted(versions, key=lambda v: (v.dealer_id, v.active_from))
        self.version_ids = frozenset(v.version_id for v in self.versions)
        self.eligible_roles = eligible_roles
        self._by_dealer: dict[str, list[DealerVersion]] = {}
        for version in self.versions:
            self._by_dealer.setdefault(version.dealer_id, []).append(version)
        self._by_day: dict[dt.date, _ActiveSet] = {}
        self._by_key: dict[tuple, _ActiveSet] = {}
        self._lock = Lock()
        # Shared by the networks that replace one another, so the count runs on.
        self.answers_use = answers_use or CacheUse()

    def __contains__(self, dealer_id: str) -> bool:
        return dealer_id in self._by_dealer

    def dealer_ids(self) -> list[str]:
        return sorted(self._by_dealer)

    def versions_of(self, dealer_id: str) -> list[DealerVersion]:
        """The dealer's versions by effective date (none for an unknown dealer)."""
        return list(self._by_dealer.get(dealer_id, ()))

    def version_on(self, dealer_id: str, day: dt.date) -> DealerVersion | None:
        """The version in force on `day`, or None when the dealer is not active then."""
        for version in self._by_dealer.get(dealer_id, ()):
            if version.active_on(day):
                return version
        return None

    def describe(self, dealer_id: str, day: dt.date) -> DealerVersion:
        """The version in force on `day`, else the nearest one in time: for display."""
        versions = self._by_dealer[dealer_id]
        current = self.version_on(dealer_id, day)
        if current:
            return current
        started = [v for v in versions if v.active_from <= day]
        return started[-1] if started else versions[0]

    def inactive_reason(self, dealer_id: str, day: dt.date, language: str = Language.EN) -> str:
        """Why a dealer is not a candidate on `day`, in `language` (an assignment's skipped
        dealers are shown to the customer with its explanation); "" when it is one."""
        if dealer_id not in self._by_dealer:
            return in_language(_REASONS["unknown"], language).format(dealer=dealer_id)
        version = self.version_on(dealer_id, day)
        if version is None:
            versions = self._by_dealer[dealer_id]
            later = [v for v in versions if v.active_from > day]
            if later:
                return in_language(_REASONS["opens"], language).format(
                    dealer=dealer_id, day=day, opens=later[0].active_from)
            return in_language(_REASONS["closed"], language).format(
                dealer=dealer_id, day=day, until=versions[-1].active_until)
        if not self.eligible(version):
            return in_language(_REASONS["role"], language).format(
                dealer=dealer_id, roles=", ".join(version.roles) or "-")
        return ""

    def eligible(self, version: DealerVersion) -> bool:
        return any(role in self.eligible_roles for role in version.roles)

    def nearest(self, lat: float, lon: float, day: dt.date, k: int) -> list[tuple[DealerVersion, float]]:
        """The k nearest assignable dealers on `day`, by geodesic distance (km)."""
        active = self._active(day)
        if active.index is None:
            return []
        found = active.answers.get((lat, lon, k))
        if found is not None:
            self.answers_use.hits += 1
        else:
            self.answers_use.misses += 1
            found = active.index.nearest(lat, lon, k)
            with self._lock:
                if len(active.answers) >= self._ANSWERS_KEPT:
                    active.answers.clear()
                active.answers[(lat, lon, k)] = found
        return [(active.dealers[dealer_id], km) for dealer_id, km in found]

    def _active(self, day: dt.date) -> "_ActiveSet":
        """The assignable dealers of a day (active, with an eligible role); days with the same
        dealers share one set, its spatial index and its cached answers."""
        active = self._by_day.get(day)
        if active is None:
            dealers = {v.dealer_id: v for v in self.versions if v.active_on(day) and self.eligible(v)}
            key = tuple((v.dealer_id, v.lat, v.lon) for v in dealers.values())
            with self._lock:
                active = self._by_key.get(key)
                if active is None:
                    index = NearestIndex([(v.dealer_id, v.lat, v.lon) for v in dealers.values()]) if dealers else None
                    active = self._by_key[key] = _ActiveSet(dealers, index, {})
                if len(self._by_day) >= self._DAYS_KEPT:
                    self._by_day.clear()
                self._by_day[day] = active
        return active


@dataclass
class _ActiveSet:
    dealers: dict[str, DealerVersion]
    index: NearestIndex | None
    answers: dict[tuple, list[tuple[str, float]]]
