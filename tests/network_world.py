"""Helpers shared by the dealer-network change tests of the use-case layer
(usecases/test_network_changes.py) and of the API layer (api/test_network_changes_api.py):
customers with explicit facts, jobs run to their end, and expected dealers found by brute
force.

Expected dealers are never taken from the service's own nearest search: a NEAREST customer's
dealer is checked by brute force, the geodesic distance to every sales dealer active on the
day as stored in dealer_versions (the versions standing: not superseded by a later change).
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from cocontroller import clock
from cocontroller.bootstrap import App
from cocontroller.model import DealerFields, JobProgress, Scope
from geopy.distance import geodesic
from support import query

GENT = "dlr-gent"
DAY = dt.timedelta(days=1)


def db_path(app: App) -> str:
    """The app's database: a file, or a PostgreSQL URL (which a Path would spoil)."""
    return app.store.path


def active_sales_dealers(path: str, day: dt.date) -> dict[str, tuple[float, float]]:
    """The sales dealers active on `day`, read straight from the stored versions."""
    rows = query(path, "SELECT dealer_id, lat, lon, roles, active_from, active_until FROM dealer_versions"
                       " WHERE superseded_at IS NULL")
    found = {}
    for dealer_id, lat, lon, roles, start, until in rows:
        if "sales" in json.loads(roles) and start <= day.isoformat() and (until is None or day.isoformat() <= until):
            assert dealer_id not in found, f"two versions of {dealer_id} on {day}"
            found[dealer_id] = (lat, lon)
    return found


def brute_nearest(path: str, point: tuple[float, float], day: dt.date) -> tuple[str, float]:
    ranked = sorted((geodesic(point, where).km, dealer_id)
                    for dealer_id, where in active_sales_dealers(path, day).items())
    assert ranked[1][0] - ranked[0][0] > 0.1, f"near tie at {point}: {ranked[:2]}"
    return ranked[0][1], ranked[0][0]


def customer_point(app: App, customer_id: str) -> tuple[float, float]:
    customer = app.store.customers.find(customer_id)
    if customer.point is not None:
        return customer.point
    pc = app.postcodes.get(customer.postcode)
    return pc.lat, pc.lon


def current_rows(app: App) -> dict[str, dict]:
    """The stored rows of the assignments in force, by customer."""
    return {r["customer_id"]: r for r in app.store.db.rows("SELECT * FROM assignments WHERE valid_to IS NULL")}


def run_job(app: App, job_id, scope=Scope(), dry_run=False, batch_size=7, at=None, caller="test"):
    """Runs a job to its end; returns its last progress, every change and the processed
    count after each batch (each yield is a new, immutable progress value)."""
    changes, processed, last = [], [], None
    for last in app.reassign.run(job_id, scope, dry_run, caller, batch_size, at):
        assert isinstance(last, JobProgress)
        changes += last.changes
        processed.append(last.processed)
    assert last.finished
    return last, changes, processed


def enterprise_number(first_eight: str) -> str:
    check = 97 - int(first_eight) % 97
    return f"BE {first_eight[:4]}.{first_eight[4:7]}.{first_eight[7]}{check:02d}"


# A new dealer as the gRPC client takes it (a dict of fields with its id).
NEW_DEALER = {
    "id": "dlr-deinze", "legal_name": "Leiedal Automobielen NV", "trade_name": "Leiedal Deinze",
    "enterprise_number": enterprise_number("08991234"), "street": "Kortrijksesteenweg 1",
    "postcode": "9800", "town": "Deinze", "languages": ["nl"], "roles": ["sales", "service"],
}


def dealer_fields(fields: dict) -> DealerFields:
    """The use cases' DealerFields for a dict of fields like NEW_DEALER (its id left out)."""
    return DealerFields(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items() if k != "id"})


# -- the world: customers with explicit facts ---------------------------------------------


@dataclass
class Spec:
    id: str
    postcode: str
    contacts: list = field(default_factory=list)   # (dealer, kind, days before now)
    preference: tuple | None = None                 # (dealer, days before now)
    before: tuple = ("NEAREST", None)               # (basis, dealer); None: brute-force nearest
    after: tuple | None = None                      # after dlr-gent closes; None: unchanged
    point: tuple | None = None
    gent_runner_up: bool = False                    # dlr-gent among the stored runners-up


def services(dealer, *days):
    return [(dealer, "service_visit", d) for d in days]


NEAREST = ("NEAREST", None)


def build(app: App, specs, now: dt.datetime | None = None) -> dt.datetime:
    """Stores the customers and their facts; returns the `now` their ages count from."""
    now = now or clock.now()
    for s in specs:
        lat, lon = s.point or (None, None)
        app.customers.upsert(s.id, s.postcode, lat, lon)
        for n, (dealer, kind, days) in enumerate(s.contacts):
            app.facts.record_contact(f"{s.id}-e{n}", s.id, dealer, kind, now - dt.timedelta(days=days))
        if s.preference:
            app.facts.set_preference(s.id, s.preference[0], now - dt.timedelta(days=s.preference[1]))
    return now


def assign_all(app: App, now: dt.datetime, specs) -> dt.datetime:
    """A first applied job three days ago (so yesterday's assignments are stored ones)."""
    first_at = now - 3 * DAY
    last, changes, _ = run_job(app, "first", at=first_at)
    assert last.processed == last.changed == len(specs)
    for s in specs:
        record = app.store.assignments.current(s.id)
        expected = s.before[1] or brute_nearest(db_path(app), customer_point(app, s.id), clock.day_of(first_at))[0]
        assert (record.basis, record.dealer_id) == (s.before[0], expected), s.id
        if s.gent_runner_up:
            assert GENT in [r.dealer_id for r in record.runners_up], s.id
    return first_at
