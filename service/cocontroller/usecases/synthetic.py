"""Synthetic customers with five years of history, for load tests and demos.

Everything is drawn from one `random.Random(seed)` in customer order, so a seed, a count and
`now` give the same rows every time. Rows go in with raw `executemany` inside one
transaction per batch of customers: the store's one-row-at-a-time methods are far too slow
for millions of rows, and only one batch is ever held in memory.

Approximations, chosen for speed and said here so nobody reads more into the data:

- Where customers live: each province's population (province-population.csv in the data directory,
  Statbel, 1 January 2024) is spread over its postcodes in proportion to the number of
  postcodes of each postcode's municipality. Big cities are split into many postcodes, so
  this favours urban postcodes; it is not the population of each postcode.
- Which dealer a contact goes to: dealers are ranked by distance from the customer's
  postcode point (not their own coordinates), on a local ellipsoidal plane rather than the
  geodesic Network.nearest uses (0.65 ms a call, too slow to call per postcode and period);
  the two agree except for near-ties. The ranking is cached per postcode and per period in
  which the set of active dealers does not change, and keeps only dealers active in that
  period, so no contact is ever at a dealer on a day it was not active.
- Times: contacts happen during opening hours in Brussels (Monday to Friday 08:30-18:30,
  Saturday 09:00-17:00), on a day drawn uniformly from the five years before `now`.
"""

import bisect
import csv
import datetime as dt
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .. import clock
from ..domain.geo import BelgiumBoundary
from ..domain.network import Network
from ..domain.postcodes import PostcodeDirectory
from ..errors import FailedPrecondition
from ..model import CAR_SECURITY, DealerVersion, Postcode
from ..store import Store
from ..store.bulk import TABLES

PREFIX = "syn-"

HISTORY_DAYS = 1826
OWN_POINT_SHARE = 0.08
JITTER_KM = 2.0
PROFESSIONAL_SHARE = 0.07
BRUSSELS_LANGUAGES = (("fr", 0.60), ("nl", 0.95), ("en", 1.0))
# Contacts per customer are geometric, cut at 12: P(n) = p (1 - p)^n has mean (1 - p) / p = 3.5
MAX_CONTACTS = 12
_LOG_STAY = math.log(1 - 2 / 9)
PURCHASE_SHARE = 0.35
# The other contact kinds, by cumulative share
CONTACT_MIX = (
    ("service_visit", 0.40), ("showroom_visit", 0.58), ("test_drive_request", 0.70),
    ("quote", 0.81), ("brochure", 0.91), ("complaint", 0.93), ("other", 1.0),
)
# A customer mostly deals with one dealer: the nearest, or for some the 2nd or 3rd nearest
HOME_RANK = ((0, 0.78), (1, 0.93), (2, 1.0))
LOYALTY = 0.85
PREFERENCE_SHARE = 0.06
REVOKED_SHARE = 0.25
PURCHASE_CONTRACT_SHARE = 0.9
LEASE_SHARE = 0.10
FINANCING_SHARE = 0.06
INSURANCE_SHARE = 0.08
MAINTENANCE_SHARE = 0.15
PARTNERS = ("Fictilease NV", "Autoleasing Demo SA")
CONSENT_SHARES = (("email", 0.45), ("sms", 0.20), ("phone", 0.15), ("post", 0.25), ("social", 0.10))
WITHDRAWN_SHARE = 0.15
SYNTHETIC_WORDING = "synthetic data: no consent was given"
OPEN_DISPUTE_SHARE = 0.003
CLOSED_DISPUTE_SHARE = 0.01
DISPUTE_SUBJECTS = (
    "invoice for a service visit", "delivery delay", "warranty claim", "trade-in valuation",
    "use of personal data",
)
_KM_PER_DEGREE = 111.2
# WGS 84: semi-major axis and first eccentricity squared
_A_KM = 6378.137
_E2 = 0.00669437999014
# Opening hours in Brussels, seconds from midnight, by weekday (Sunday closed)
OPENING_HOURS = {weekday: (8 * 3600 + 1800, 18 * 3600 + 1800) for weekday in range(5)}
OPENING_HOURS[5] = (9 * 3600, 17 * 3600)


class SyntheticData:
    """Writes synthetic customers into a store, over the network and geodata in use."""

    def __init__(self, store: Store, network: Callable[[], Network], postcodes: PostcodeDirectory,
                 boundary: BelgiumBoundary, population_path: Path):
        self.store = store
        self.network = network
        self.postcodes = postcodes
        self.boundary = boundary
        self.population_path = population_path

    def generate(
        self,
        customers: int,
        seed: int,
        now: dt.datetime | None = None,
        batch: int = 20000,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, int]:
        """Writes `customers` synthetic customers with their history; returns rows written
        per table. `progress(done, customers)` is called after each committed batch."""
        if self.store.bulk.has_customers_with_prefix(PREFIX):
            raise FailedPrecondition(f"{self.store.path} already holds synthetic ({PREFIX}) customers")
        weights = postcode_weights(self.postcodes, self.population_path)
        maker = _Maker(self.network(), self.postcodes, self.boundary, weights, random.Random(seed),
                       now or clock.now())
        counts = dict.fromkeys(TABLES, 0)
        for start in range(0, customers, batch):
            end = min(start + batch, customers)
            for number in range(start + 1, end + 1):
                maker.customer(number)
            for table, n in self.store.bulk.insert(maker.rows).items():
                counts[table] += n
            for rows in maker.rows.values():
                rows.clear()
            if progress:
                progress(end, customers)
        return counts


def postcode_weights(postcodes, population_path: Path) -> dict[str, float]:
    """Expected residents per postcode (see the module docstring)."""
    with open(population_path, encoding="utf-8", newline="") as f:
        population = {row["province_refnis"]: int(row["population"]) for row in csv.DictReader(f)}
    postcodes = list(postcodes)
    per_municipality = Counter(pc.municipality_refnis for pc in postcodes)
    totals = Counter()
    for pc in postcodes:
        totals[_area(pc)] += per_municipality[pc.municipality_refnis]
    return {
        pc.postcode: population[_area(pc)] * per_municipality[pc.municipality_refnis] / totals[_area(pc)]
        for pc in postcodes
    }


def enterprise_number(base: int) -> str:
    """The canonical form of the number made of `base` as 8 digits and its mod-97 check."""
    digits = f"{base:08d}{97 - base % 97:02d}"
    return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _area(pc: Postcode) -> str:
    """The province, or for Brussels-Capital, which has none, the region."""
    return pc.province_refnis or pc.region_refnis


def _pick(table, r: float):
    """The value of a (value, cumulative share) table for a uniform draw `r`."""
    return next(value for value, upto in table if r < upto)


class _Maker:
    """Draws one customer after another into `rows`, a list of row tuples per table."""

    def __init__(self, network: Network, postcodes: PostcodeDirectory, boundary: BelgiumBoundary,
                 weights: dict[str, float], rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.boundary = boundary
        self.network = network
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        self.postcodes = list(postcodes)
        self.cumulative = list(itertools.accumulate(weights[pc.postcode] for pc in self.postcodes))
        self.days = _open_days(clock.day_of(now), _change_days(self.network.versions))
        self.by_distance: dict[str, list[DealerVersion]] = {}
        self.rankings: dict[tuple, list[str]] = {}
        self.earliest: str | None = None

    def customer(self, number: int) -> None:
        rng = self.rng
        cid = f"{PREFIX}{number:07d}"
        pc = self.postcodes[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]
        lat = lon = None
        if rng.random() < OWN_POINT_SHARE:
            lat, lon = self._jitter(pc.lat, pc.lon)
        language = pc.language_area
        if language == "nl-fr":
            language = _pick(BRUSSELS_LANGUAGES, rng.random())
        kind, number_text = "private", None
        if rng.random() < PROFESSIONAL_SHARE:
            # 8 digits starting 0, as in "BE 0xxx.xxx.xxx", and never all zeros
            kind, number_text = "professional", enterprise_number(rng.randrange(1_000_000, 10_000_000))
        home = _pick(HOME_RANK, rng.random())
        self.earliest = None
        purchase = self._contacts(cid, pc, home)
        self._preference(cid, pc, home)
        self._contracts(cid, pc, home, purchase)
        self._consents(cid)
        self._disputes(cid)
        created = self.earliest or self._instant(self._day())
        self.rows["customers"].append(
            (cid, pc.postcode, lat, lon, language, kind, number_text, created, created)
        )

    def _jitter(self, lat: float, lon: float) -> tuple[float, float]:
        """A point within JITTER_KM of the postcode point, inside Belgium (the postcode point
        itself lies inside, so it is the fallback)."""
        for _ in range(20):
            km = JITTER_KM * math.sqrt(self.rng.random())
            angle = 2 * math.pi * self.rng.random()
            p_lat = round(lat + km * math.cos(angle) / _KM_PER_DEGREE, 5)
            p_lon = round(lon + km * math.sin(angle) / (_KM_PER_DEGREE * math.cos(math.radians(lat))), 5)
            if self.boundary.contains(p_lat, p_lon):
                return p_lat, p_lon
        return lat, lon

    def _contacts(self, cid: str, pc: Postcode, home: int) -> tuple | None:
        """Writes the contact history; returns the purchase as (day, instant, dealer) or None."""
        rng = self.rng
        count = min(MAX_CONTACTS, int(math.log(1.0 - rng.random()) / _LOG_STAY))
        kinds = [_pick(CONTACT_MIX, rng.random()) for _ in range(count)]
        if rng.random() < PURCHASE_SHARE:
            kinds = ["purchase"] + kinds[1:]
        events = []
        for kind in kinds:
            rank = home if rng.random() < LOYALTY else int(rng.random() * 3)
            day = self._day()
            dealer = self._dealer(pc, day, rank, kind == "service_visit")
            if dealer:
                events.append((self._instant(day), dealer, kind, day))
        events.sort()
        rows = self.rows["contact_events"]
        purchase = None
        for n, (at, dealer, kind, day) in enumerate(events, 1):
            rows.append((f"{cid}-{n:02d}", cid, dealer, kind, at, at))
            if kind == "purchase":
                purchase = (day, at, dealer)
        return purchase

    def _preference(self, cid: str, pc: Postcode, home: int) -> None:
        if self.rng.random() >= PREFERENCE_SHARE:
            return
        day = self._day()
        dealer = self._dealer(pc, day, home, False)
        if dealer:
            at = self._instant(day)
            revoked = self._later(day) if self.rng.random() < REVOKED_SHARE else None
            self.rows["preferences"].append((cid, dealer, at, revoked, at))

    def _contracts(self, cid: str, pc: Postcode, home: int, purchase: tuple | None) -> None:
        """Contracts besides a purchase start with it when there is one, at its dealer."""
        rng = self.rng
        if purchase and rng.random() < PURCHASE_CONTRACT_SHARE:
            self._contract(cid, "purchase", "", purchase, 0)
        if rng.random() < LEASE_SHARE:
            self._contract(cid, "lease", PARTNERS[int(rng.random() * 2)], self._occasion(pc, home), 4)
        if rng.random() < FINANCING_SHARE:
            years = 3 + int(rng.random() * 3)
            self._contract(cid, "financing", PARTNERS[int(rng.random() * 2)],
                           purchase or self._occasion(pc, home), years)
        if rng.random() < INSURANCE_SHARE:
            # Renewed every year: most still run, some were ended after a few years
            years = None if rng.random() < 0.7 else 1 + int(rng.random() * 3)
            self._contract(cid, "insurance", CAR_SECURITY, purchase or self._occasion(pc, home), years)
        if rng.random() < MAINTENANCE_SHARE:
            years = 3 if rng.random() < 0.5 else 5
            self._contract(cid, "maintenance", "", purchase or self._occasion(pc, home, True), years)

    def _contract(self, cid: str, kind: str, partner: str, occasion: tuple, years: int | None) -> None:
        """One contract per kind, so the kind makes its id; `years` 0 ends it the day it starts."""
        day, at, dealer = occasion
        start = self.days[day][0]
        end = None if years is None else start + dt.timedelta(days=max(0, round(365.25 * years) - 1))
        self.rows["contracts"].append(
            (f"{cid}-{kind}", cid, kind, partner, dealer, start.isoformat(),
             end.isoformat() if end else None, at, at)
        )

    def _occasion(self, pc: Postcode, home: int, service: bool = False) -> tuple:
        """A day, an instant on it and the customer's dealer that day, for a contract."""
        day = self._day()
        return day, self._instant(day), self._dealer(pc, day, home, service)

    def _consents(self, cid: str) -> None:
        rng = self.rng
        rows = self.rows["consents"]
        for channel, share in CONSENT_SHARES:
            if rng.random() < share:
                day = self._day()
                at = self._instant(day)
                withdrawn = self._later(day) if rng.random() < WITHDRAWN_SHARE else None
                # The proof a real consent carries, marked synthetic; drawn from no random
                # number, so the rest of the data is what the seed always gave.
                rows.append((cid, channel, at, withdrawn, at, SYNTHETIC_WORDING, "web_form", f"synthetic:{cid}:{channel}"))

    def _disputes(self, cid: str) -> None:
        """A few disputes still open, opened in the last months; some more closed ones."""
        rng = self.rng
        r = rng.random()
        if r >= OPEN_DISPUTE_SHARE + CLOSED_DISPUTE_SHARE:
            return
        subject = DISPUTE_SUBJECTS[int(rng.random() * len(DISPUTE_SUBJECTS))]
        if r < OPEN_DISPUTE_SHARE:
            day = len(self.days) - 1 - int(rng.random() * 100)
            closed = None
        else:
            day = self._day()
            closed = self._later(day, within=90)
        at = self._instant(day)
        self.rows["disputes"].append((cid, subject, at, closed, at))

    def _day(self) -> int:
        return int(self.rng.random() * len(self.days))

    def _instant(self, day: int) -> str:
        """An instant during the opening hours of open day `day`, as stored text."""
        _, prefix, opens, span, _ = self.days[day]
        s = opens + int(self.rng.random() * span)
        text = f"{prefix}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000Z"
        if self.earliest is None or text < self.earliest:
            self.earliest = text
        return text

    def _later(self, day: int, within: int = HISTORY_DAYS) -> str | None:
        """An instant on an open day after `day`, at most `within` open days later; None when
        `day` is the last one."""
        room = min(within, len(self.days) - 1 - day)
        if room <= 0:
            return None
        return self._instant(day + 1 + int(self.rng.random() * room))

    def _dealer(self, pc: Postcode, day: int, rank: int, service: bool) -> str | None:
        """The rank-th nearest dealer active on `day` (nearer ones when there are fewer):
        sales dealers, or any service dealer for a service visit."""
        date, _, _, _, period = self.days[day]
        key = (pc.postcode, period, service)
        dealers = self.rankings.get(key)
        if dealers is None:
            roles = ("service",) if service else self.network.eligible_roles
            dealers = self.rankings[key] = [
                v.dealer_id for v in self._by_distance(pc)
                if v.active_on(date) and any(role in roles for role in v.roles)
            ][:3]
        return dealers[min(rank, len(dealers) - 1)] if dealers else None

    def _by_distance(self, pc: Postcode) -> list[DealerVersion]:
        found = self.by_distance.get(pc.postcode)
        if found is None:
            found = self.by_distance[pc.postcode] = sorted(
                self.network.versions,
                key=lambda v: (round(_local_km(pc.lat, pc.lon, v.lat, v.lon), 3), v.dealer_id),
            )
        return found


def _change_days(versions: list[DealerVersion]) -> list[dt.date]:
    """The days on which some dealer opens or closes: between two of them the set of active
    dealers does not change."""
    days = {v.active_from for v in versions}
    days |= {v.active_until + dt.timedelta(days=1) for v in versions if v.active_until}
    return sorted(days)


def _open_days(today: dt.date, change_days: list[dt.date]) -> list[tuple]:
    """The open days of the HISTORY_DAYS before `today`, each as (date, "YYYY-MM-DDT", opening
    in seconds from UTC midnight, seconds open, period of unchanged dealers)."""
    days = []
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        hours = OPENING_HOURS.get(day.weekday())
        if hours is None:
            continue
        offset = dt.datetime.combine(day, dt.time(12), clock.BRUSSELS).utcoffset()
        opens = hours[0] - int(offset.total_seconds())
        days.append((day, day.isoformat() + "T", opens, hours[1] - hours[0],
                     bisect.bisect(change_days, day)))
    return days


def _local_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """The distance on the plane tangent to the WGS 84 ellipsoid at the mean latitude: within
    metres of the geodesic one over the distances between a customer and a nearby dealer."""
    lat = math.radians((a_lat + b_lat) / 2)
    w = 1 - _E2 * math.sin(lat) ** 2
    north = _A_KM * (1 - _E2) / w**1.5 * math.radians(b_lat - a_lat)
    east = _A_KM / math.sqrt(w) * math.cos(lat) * math.radians(b_lon - a_lon)
    return math.hypot(north, east)
