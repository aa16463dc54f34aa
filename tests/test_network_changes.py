"""Dealer-network changes and the re-assignment jobs they call for: closing, opening and moving
a dealer, dry runs, reruns, resumption, the audit trail and the notices, in the domain and
through a real gRPC server and the CLI.

Expected dealers are never taken from the service's own nearest search: a NEAREST customer's
dealer is checked by brute force, the geodesic distance to every sales dealer active on the
day as stored in dealer_versions.
"""

import csv
import datetime as dt
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from cocontroller import clock
from cocontroller.app import CoController
from cocontroller.errors import FailedPrecondition
from cocontroller.reassign import Scope
from cocontroller.v1 import network_pb2 as npb
from cocontroller_client.cli import main
from cocontroller_client.client import Client, ClientError
from conftest import copy_database
from geopy.distance import geodesic
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status

GENT = "dlr-gent"
DAY = dt.timedelta(days=1)


# -- helpers -----------------------------------------------------------------------------


def db_path(app: CoController) -> Path:
    return Path(app.store.path)


def active_sales_dealers(path: Path, day: dt.date) -> dict[str, tuple[float, float]]:
    """The sales dealers active on `day`, read straight from the stored versions."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT dealer_id, lat, lon, roles, active_from, active_until FROM dealer_versions").fetchall()
    finally:
        conn.close()
    found = {}
    for dealer_id, lat, lon, roles, start, until in rows:
        if "sales" in json.loads(roles) and start <= day.isoformat() and (until is None or day.isoformat() <= until):
            assert dealer_id not in found, f"two versions of {dealer_id} on {day}"
            found[dealer_id] = (lat, lon)
    return found


def brute_nearest(path: Path, point: tuple[float, float], day: dt.date) -> tuple[str, float]:
    ranked = sorted((geodesic(point, where).km, dealer_id)
                    for dealer_id, where in active_sales_dealers(path, day).items())
    assert ranked[1][0] - ranked[0][0] > 0.1, f"near tie at {point}: {ranked[:2]}"
    return ranked[0][1], ranked[0][0]


def customer_point(app: CoController, customer_id: str) -> tuple[float, float]:
    row = app.store.get_customer(customer_id)
    if row["lat"] is not None:
        return row["lat"], row["lon"]
    pc = app.postcodes.get(row["postcode"])
    return pc.lat, pc.lon


def current_rows(app: CoController) -> dict[str, dict]:
    return {r["customer_id"]: r for r in app.store.rows("SELECT * FROM assignments WHERE valid_to IS NULL")}


def dump(path: Path) -> dict[str, list]:
    """Every row of every table."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()



def run_job(app, job_id, scope=Scope(), dry_run=False, batch_size=7, at=None, caller="test"):
    """Runs a job to its end; returns its last progress, every change and the processed
    count after each batch (the progress object is reused between yields)."""
    changes, processed, last = [], [], None
    for last in app.reassign(job_id, scope, dry_run, caller, batch_size, at):
        changes += last.changes
        processed.append(last.processed)
    assert last.finished
    return last, changes, processed


def enterprise_number(first_eight: str) -> str:
    check = 97 - int(first_eight) % 97
    return f"BE {first_eight[:4]}.{first_eight[4:7]}.{first_eight[7]}{check:02d}"


NEW_DEALER = {
    "id": "dlr-deinze", "legal_name": "Leiedal Automobielen NV", "trade_name": "Leiedal Deinze",
    "enterprise_number": enterprise_number("08991234"), "street": "Kortrijksesteenweg 1",
    "postcode": "9800", "town": "Deinze", "languages": ["nl"], "roles": ["sales", "service"],
}


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

WORLD = [
    # dlr-gent's customers by purchase
    Spec("g-pur-only", "9000", [(GENT, "purchase", 400)], before=("PURCHASE", GENT), after=NEAREST),
    Spec("g-pur-only-9840", "9840", [(GENT, "purchase", 200)], before=("PURCHASE", GENT), after=NEAREST),
    Spec("g-pur-pref-aalst", "9000", [(GENT, "purchase", 400)], ("dlr-aalst", 900),
         before=("PURCHASE", GENT), after=("PREFERRED", "dlr-aalst")),
    Spec("g-pur-pref-brugge", "9030", [(GENT, "purchase", 100)], ("dlr-brugge", 700),
         before=("PURCHASE", GENT), after=("PREFERRED", "dlr-brugge")),
    Spec("g-pur-hist-aalst", "9000", [(GENT, "purchase", 300)] + services("dlr-aalst", 30, 60, 90),
         before=("PURCHASE", GENT), after=("HISTORY", "dlr-aalst")),
    Spec("g-pur-hist-low", "9000", [(GENT, "purchase", 300), ("dlr-aalst", "brochure", 30)],
         before=("PURCHASE", GENT), after=NEAREST),
    Spec("g-pur-older-purchase", "9050", [("dlr-brugge", "purchase", 2000), (GENT, "purchase", 100)],
         before=("PURCHASE", GENT), after=("PURCHASE", "dlr-brugge")),
    # by designation
    Spec("g-pref", "9000", [], (GENT, 100), before=("PREFERRED", GENT), after=NEAREST),
    Spec("g-pref-hist", "9052", services("dlr-wevelgem", 20, 40, 60), (GENT, 50),
         before=("PREFERRED", GENT), after=("HISTORY", "dlr-wevelgem")),
    Spec("g-pref-over-purchase", "9000", [("dlr-aalst", "purchase", 500)], (GENT, 100),
         before=("PREFERRED", GENT), after=("PURCHASE", "dlr-aalst")),
    # by history
    Spec("g-hist", "9300", services(GENT, 10, 50, 100, 150), before=("HISTORY", GENT), after=NEAREST),
    Spec("g-hist-second", "8500", services(GENT, 10, 50, 100, 150) + services("dlr-brugge", 20, 40),
         before=("HISTORY", GENT), after=("HISTORY", "dlr-brugge")),
    Spec("g-hist-second-low", "9000", services(GENT, 10, 20, 30) + [("dlr-aalst", "showroom_visit", 15)],
         before=("HISTORY", GENT), after=NEAREST),
    # by location (9000 and its neighbours), one by its own coordinates
    *[Spec(f"g-near-{pc}", pc, before=("NEAREST", GENT), after=NEAREST)
      for pc in ("9000", "9030", "9031", "9040", "9050", "9051", "9052", "9070", "9080", "9820", "9840", "9850", "9880")],
    Spec("g-near-coords", "9000", point=(51.0500, 3.7300), before=("NEAREST", GENT), after=NEAREST),
    Spec("g-near-low-history", "9000", [("dlr-brugge", "brochure", 40)], before=("NEAREST", GENT), after=NEAREST),
    # customers of other dealers, several with dlr-gent among their runners-up
    Spec("o-pur-aalst", "9000", [("dlr-aalst", "purchase", 300)] + services(GENT, 20, 40, 60),
         before=("PURCHASE", "dlr-aalst"), gent_runner_up=True),
    Spec("o-pur-brugge", "9000", [("dlr-brugge", "purchase", 100)], before=("PURCHASE", "dlr-brugge"),
         gent_runner_up=True),
    Spec("o-pref-wevelgem", "9000", [(GENT, "purchase", 500)], ("dlr-wevelgem", 100),
         before=("PREFERRED", "dlr-wevelgem"), gent_runner_up=True),
    Spec("o-pref-standing", "9000", [("dlr-brugge", "purchase", 3700)], ("dlr-aalst", 3800),
         before=("PREFERRED", "dlr-aalst"), gent_runner_up=True),
    Spec("o-hist-aalst", "9000", services("dlr-aalst", 10, 50, 100, 150) + services(GENT, 200),
         before=("HISTORY", "dlr-aalst"), gent_runner_up=True),
    Spec("o-hist-brugge", "9050", services("dlr-brugge", 10, 20, 30), before=("HISTORY", "dlr-brugge"),
         gent_runner_up=True),
    Spec("o-pur-gent-too-old", "9300", [(GENT, "purchase", 4000)]),
    Spec("o-pref-service-only", "8400", [], ("dlr-oostende", 100)),
    Spec("o-near-coords-aalst", "9000", point=(50.9378, 4.0403)),
    *[Spec(f"o-near-{pc}", pc) for pc in ("9300", "9200", "8500", "8790", "8000", "8730", "1000", "2000", "4000")],
]
WORLD_BY_ID = {s.id: s for s in WORLD}


def build(app: CoController, specs=WORLD, now: dt.datetime | None = None) -> dt.datetime:
    """Stores the customers and their facts; returns the `now` their ages count from."""
    now = now or clock.now()
    for s in specs:
        lat, lon = s.point or (None, None)
        app.upsert_customer(s.id, s.postcode, lat, lon)
        for n, (dealer, kind, days) in enumerate(s.contacts):
            app.record_contact(f"{s.id}-e{n}", s.id, dealer, kind, now - dt.timedelta(days=days))
        if s.preference:
            app.set_preference(s.id, s.preference[0], now - dt.timedelta(days=s.preference[1]))
    return now


def assign_all(app: CoController, now: dt.datetime, specs=WORLD) -> dt.datetime:
    """A first applied job three days ago (so yesterday's assignments are stored ones)."""
    first_at = now - 3 * DAY
    last, changes, _ = run_job(app, "first", at=first_at)
    assert last.processed == last.changed == len(specs)
    for s in specs:
        row = app.store.current_assignment(s.id)
        expected = s.before[1] or brute_nearest(db_path(app), customer_point(app, s.id), clock.day_of(first_at))[0]
        assert (row["basis"], row["dealer_id"]) == (s.before[0], expected), s.id
        if s.gent_runner_up:
            assert GENT in [r["dealer_id"] for r in json.loads(row["runners_up"])], s.id
    return first_at


@pytest.fixture
def world(tmp_path):
    app = CoController(tmp_path / "world.db")
    now = build(app)
    assign_all(app, now)
    return app


def gent_customers(app) -> set[str]:
    return {c for c, r in current_rows(app).items() if r["dealer_id"] == GENT}


# -- closing ------------------------------------------------------------------------------


def test_closing_a_dealer_moves_exactly_its_customers_as_the_rules_say(world):
    app = world
    today = clock.today()
    yesterday = today - DAY
    before = current_rows(app)
    ours = gent_customers(app)
    assert ours == {s.id for s in WORLD if s.id.startswith("g-")}
    app.registry.close_dealer(GENT, today, "test")

    last, changes, processed = run_job(app, "close-gent", batch_size=6)
    job_day = clock.day_of(clock.from_text(app.store.rows(
        "SELECT decision_at FROM reassign_jobs WHERE id = 'close-gent'")[0]["decision_at"]))
    assert GENT not in active_sales_dealers(db_path(app), job_day)
    assert {c.customer_id for c in changes} == ours
    assert last.changed == len(ours) and last.processed == last.total == len(WORLD)
    assert processed == sorted(processed) and processed[-1] == len(WORLD)

    after = current_rows(app)
    for change in changes:
        s = WORLD_BY_ID[change.customer_id]
        row = after[s.id]
        basis, dealer = s.after
        if dealer is None:
            dealer, km = brute_nearest(db_path(app), customer_point(app, s.id), job_day)
            # every NEAREST customer is measured again, to the next nearest active dealer
            assert row["distance_km"] == pytest.approx(km, abs=0.01), s.id
            assert row["rule_id"] == "assignment.nearest@v1"
        assert (row["basis"], row["dealer_id"]) == (basis, dealer), s.id
        assert (change.old_dealer_id, change.old_basis, change.new_dealer_id, change.new_basis) == (
            GENT, s.before[0], dealer, basis), s.id
        if basis == "PREFERRED":
            assert row["rule_id"] in ("assignment.preferred@v1", "assignment.preferred-standing@v1")
        assert (row["previous_dealer_id"], row["previous_basis"]) == (GENT, s.before[0])
        assert row["trigger"] == "job:close-gent"
        assert row["id"] != before[s.id]["id"]
        # dlr-gent is left out with the reason, for the basis it stood on
        if s.before[0] != "NEAREST":
            skipped = json.loads(row["skipped"])
            assert any(x["dealer_id"] == GENT and x["basis"] == s.before[0] and "not active" in x["reason"]
                       for x in skipped), (s.id, skipped)
        # yesterday's answer is still dlr-gent's
        view = app.responsible_for_customer(s.id, yesterday)
        assert view.dealer.dealer_id == GENT and view.stored and view.dealer_active, s.id
        assert app.responsible_for_customer(s.id, None).dealer.dealer_id == dealer
    for customer_id, row in after.items():
        if customer_id not in ours:
            assert row == before[customer_id], customer_id
    assert not any(r["dealer_id"] == GENT for r in after.values())

    assert app.responsible_for_location("9000", None, None, yesterday).dealer.dealer_id == GENT
    pc = app.postcodes.get("9000")
    today_view = app.responsible_for_location("9000", None, None, today)
    assert today_view.dealer.dealer_id == brute_nearest(db_path(app), (pc.lat, pc.lon), today)[0] != GENT


# -- opening ------------------------------------------------------------------------------

OPENING_WORLD = [
    *[Spec(f"n-{pc}", pc) for pc in ("9800", "8700", "8790", "9700", "9850", "9880", "8720",
                                     "8500", "9000", "8730", "9300", "9051")],
    Spec("n-9800-coords-gent", "9800", point=(51.0500, 3.7300)),
    Spec("p-9800-purchase", "9800", [(GENT, "purchase", 100)], before=("PURCHASE", GENT)),
    Spec("p-9800-preferred", "9800", [], ("dlr-wevelgem", 100), before=("PREFERRED", "dlr-wevelgem")),
    Spec("p-9800-history", "9800", services("dlr-brugge", 10, 30, 60), before=("HISTORY", "dlr-brugge")),
    Spec("p-8700-history", "8700", services(GENT, 10, 30, 60), before=("HISTORY", GENT)),
]


def test_opening_a_dealer_captures_the_customers_it_is_now_nearest_to(tmp_path):
    app = CoController(tmp_path / "open.db")
    now = build(app, OPENING_WORLD)
    assign_all(app, now, OPENING_WORLD)
    today = clock.today()
    before = current_rows(app)
    _, version = app.registry.add_dealer(dict(NEW_DEALER), today, "test")
    assert (version.dealer_id, version.postcode, version.enterprise_number) == (
        "dlr-deinze", "9800", NEW_DEALER["enterprise_number"])

    _, dry, _ = run_job(app, "open-dry", dry_run=True, batch_size=4)
    assert app.store.rows("SELECT id FROM reassign_jobs WHERE id = 'open-dry'") == []
    assert current_rows(app) == before
    last, applied, _ = run_job(app, "open", batch_size=4)
    assert [c.__dict__ for c in applied] == [c.__dict__ for c in dry]

    expected = set()
    for s in OPENING_WORLD:
        if s.before[0] == "NEAREST" and brute_nearest(db_path(app), customer_point(app, s.id), today)[0] == "dlr-deinze":
            expected.add(s.id)
    assert {"n-9800", "n-8790", "n-9700"} <= expected and "n-9800-coords-gent" not in expected
    assert {c.customer_id for c in applied} == expected
    assert all((c.new_dealer_id, c.new_basis, c.old_basis) == ("dlr-deinze", "NEAREST", "NEAREST") for c in applied)
    after = current_rows(app)
    for s in OPENING_WORLD:
        if s.id not in expected:
            assert after[s.id] == before[s.id], s.id
    assert app.responsible_for_location("9800", None, None, today - DAY).dealer.dealer_id == GENT
    assert app.responsible_for_location("9800", None, None, today).dealer.dealer_id == "dlr-deinze"


# -- moving -------------------------------------------------------------------------------


def test_a_move_answers_with_the_old_location_for_earlier_days(tmp_path):
    app = CoController(tmp_path / "move.db")
    specs = [Spec("m-9300", "9300"), Spec("m-9700", "9700"),
             Spec("m-9300-buyer", "9300", [("dlr-aalst", "purchase", 100)], before=("PURCHASE", "dlr-aalst"))]
    now = build(app, specs)
    assign_all(app, now, specs)
    today = clock.today()
    yesterday = today - DAY
    old = app.get_dealer("dlr-aalst", today)[0]
    before = current_rows(app)
    _, moved = app.registry.update_dealer("dlr-aalst", {"street": "Markt 1", "postcode": "9700", "town": "Oudenaarde"},
                                 today, "test")
    pc9700 = app.postcodes.get("9700")
    assert (moved.postcode, moved.town, moved.lat, moved.lon) == ("9700", "Oudenaarde", pc9700.lat, pc9700.lon)
    assert (moved.legal_name, moved.enterprise_number, moved.roles) == (old.legal_name, old.enterprise_number, old.roles)
    assert app.get_dealer("dlr-aalst", yesterday)[0].postcode == "9300"
    assert app.get_dealer("dlr-aalst", today)[0].postcode == "9700"

    for code in ("9300", "9700"):
        pc = app.postcodes.get(code)
        then = app.responsible_for_location(code, None, None, yesterday)
        now_ = app.responsible_for_location(code, None, None, today)
        assert then.dealer.dealer_id == brute_nearest(db_path(app), (pc.lat, pc.lon), yesterday)[0]
        assert now_.dealer.dealer_id == brute_nearest(db_path(app), (pc.lat, pc.lon), today)[0]
        assert then.dealer.dealer_id != now_.dealer.dealer_id, code
    assert app.responsible_for_location("9300", None, None, yesterday).dealer.dealer_id == "dlr-aalst"
    assert app.responsible_for_location("9700", None, None, today).dealer.dealer_id == "dlr-aalst"

    _, changes, _ = run_job(app, "move")
    assert {c.customer_id for c in changes} == {"m-9300", "m-9700"}
    after = current_rows(app)
    assert after["m-9300-buyer"] == before["m-9300-buyer"]
    assert after["m-9700"]["dealer_id"] == "dlr-aalst"
    assert after["m-9700"]["distance_km"] == pytest.approx(geodesic((pc9700.lat, pc9700.lon), (moved.lat, moved.lon)).km, abs=0.01)
    assert app.responsible_for_customer("m-9300", yesterday).dealer.dealer_id == "dlr-aalst"


# -- dry runs, reruns, resumption ------------------------------------------------------


def test_a_dry_run_writes_nothing(world):
    app = world
    app.registry.close_dealer(GENT, clock.today(), "test")
    before = dump(db_path(app))
    last, changes, _ = run_job(app, "dry", dry_run=True, batch_size=5)
    assert last.dry_run and last.changed == len(changes) == len(gent_customers(app)) > 0
    assert dump(db_path(app)) == before
    assert [r[0] for r in before["reassign_jobs"]] == ["first"]
    # a dry run over a scope, and again with the same id: still nothing
    run_job(app, "dry", Scope(dealer_ids=(GENT,)), dry_run=True)
    assert dump(db_path(app)) == before


def test_rerunning_a_finished_job_changes_nothing(world):
    app = world
    app.registry.close_dealer(GENT, clock.today(), "test")
    first, changes, _ = run_job(app, "close")
    assert changes
    before = dump(db_path(app))
    progress = list(p.__dict__.copy() for p in app.reassign("close", Scope(), False, "test", 7))
    assert len(progress) == 1
    assert progress[0]["finished"] and progress[0]["processed"] == progress[0]["total"] == len(WORLD)
    assert progress[0]["changed"] == first.changed and progress[0]["changes"] == []
    assert dump(db_path(app)) == before
    for scope in (Scope(dealer_ids=(GENT,)), Scope(postcodes=("9000",))):
        with pytest.raises(FailedPrecondition):
            list(app.reassign("close", scope, False, "test", 7))
    assert dump(db_path(app)) == before


def test_an_interrupted_job_resumes_to_the_same_tables(world, tmp_path):
    app = world
    app.registry.close_dealer(GENT, clock.today(), "test")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    copy_database(db_path(app), a)
    copy_database(db_path(app), b)
    at = clock.now()

    run_job(CoController(a), "j", batch_size=5, at=at)

    interrupted = CoController(b).reassign("j", Scope(), False, "test", 5, at)
    seen = [next(interrupted).changes, next(interrupted).changes]
    interrupted.close()
    assert seen[0] and seen[1], "the first batches should hold changes"
    job = sqlite3.connect(b).execute("SELECT status, processed, cursor FROM reassign_jobs WHERE id = 'j'").fetchone()
    assert job == ("running", 10, sorted(s.id for s in WORLD)[9])

    resumed = CoController(b)
    progress = [(p.processed, p.resumed, p.finished) for p in resumed.reassign("j", Scope(), False, "test", 5)]
    assert progress[0] == (15, True, False) and progress[-1] == (len(WORLD), True, True)

    def tables(path):
        conn = sqlite3.connect(path)
        try:
            return (conn.execute("SELECT * FROM assignments ORDER BY id").fetchall(),
                    conn.execute("SELECT * FROM notices ORDER BY id").fetchall(),
                    conn.execute("SELECT id, scope, decision_at, status, cursor, processed, changed, updated_at,"
                                 " finished_at, caller FROM reassign_jobs ORDER BY id").fetchall())
        finally:
            conn.close()

    assert tables(b) == tables(a)
    assert tables(a)[2][1][3] == "finished"


# -- audit and notices --------------------------------------------------------------------


def test_audit_trail_and_notices(tmp_path):
    app = CoController(tmp_path / "audit.db")
    now = clock.now()
    first_at = now - 3 * DAY
    specs = [
        Spec("a-api", "9000"),
        Spec("a-aging", "9300"),
        Spec("a-near-9000", "9000"),
        Spec("a-near-9040", "9040"),
        Spec("a-pur-pref", "9000", [(GENT, "purchase", 300)], ("dlr-brugge", 600)),
        Spec("a-brugge", "8000"),
        Spec("a-aalst-buyer", "9000", [("dlr-aalst", "purchase", 30)]),
    ]
    build(app, specs, now)
    # bought 3,649 days before the first job: PURCHASE then, too old by the second
    app.record_contact("a-aging-buy", "a-aging", "dlr-aalst", "purchase", first_at - dt.timedelta(days=3649, hours=12))
    view, changed = app.assign("a-api")
    assert changed and (view.dealer.dealer_id, view.basis) == (GENT, "NEAREST")
    run_job(app, "first", at=first_at)
    assert app.store.current_assignment("a-aging")["basis"] == "PURCHASE"
    app.record_contact("a-api-buy", "a-api", GENT, "purchase", now - 20 * DAY)
    assert (app.store.current_assignment("a-api")["basis"], app.store.current_assignment("a-api")["dealer_id"]) == (
        "PURCHASE", GENT)
    assert app.notices() == []  # basis-only changes owe no notice

    app.registry.close_dealer(GENT, clock.today(), "test")
    at = clock.now()
    last, changes, _ = run_job(app, "audit", batch_size=3, at=at)
    by_customer = {c.customer_id: c for c in changes}
    assert set(by_customer) == {"a-api", "a-aging", "a-near-9000", "a-near-9040", "a-pur-pref"}
    assert (by_customer["a-aging"].old_dealer_id, by_customer["a-aging"].new_dealer_id) == ("dlr-aalst", "dlr-aalst")
    assert (by_customer["a-aging"].old_basis, by_customer["a-aging"].new_basis) == ("PURCHASE", "NEAREST")

    rows = app.assignment_changes(job_id="audit")
    assert [r["customer_id"] for r in rows] == sorted(by_customer)
    for r in rows:
        c = by_customer[r["customer_id"]]
        assert (r["previous_dealer_id"], r["previous_basis"], r["dealer_id"], r["basis"]) == (
            c.old_dealer_id, c.old_basis, c.new_dealer_id, c.new_basis)
        assert r["trigger"] == "job:audit"
        assert r["rules_version"] == app.assignment_pack.current.version
        assert r["valid_from"] == r["decided_at"] == clock.to_text(at)

    history = app.assignment_changes(customer_id="a-api")
    assert [h["trigger"] for h in history] == ["api", "contact:a-api-buy", "job:audit"]
    assert [(h["previous_dealer_id"], h["dealer_id"]) for h in history] == [(None, GENT), (GENT, GENT), (GENT, by_customer["a-api"].new_dealer_id)]
    assert [h["valid_to"] for h in history[:-1]] == [h["valid_from"] for h in history[1:]] and history[-1]["valid_to"] is None

    notices = app.notices(pending_only=True)
    moved = {c.customer_id for c in changes if c.old_dealer_id != c.new_dealer_id}
    assert moved == {"a-api", "a-near-9000", "a-near-9040", "a-pur-pref"}
    assert sorted(n["customer_id"] for n in notices) == sorted(moved)
    assert app.notices(job_id="audit") == notices and app.notices(job_id="first") == []
    for n in notices:
        c = by_customer[n["customer_id"]]
        assert (n["old_dealer_id"], n["new_dealer_id"], n["trigger"], n["created_at"]) == (
            GENT, c.new_dealer_id, "job:audit", clock.to_text(at))
        assert n["assignment_id"] == app.store.current_assignment(n["customer_id"])["id"]
    assert app.mark_notices_exported([n["id"] for n in notices]) == len(notices)
    assert app.notices(pending_only=True) == []
    assert app.mark_notices_exported([n["id"] for n in notices]) == 0
    assert all(n["exported_at"] for n in app.notices())


# -- gRPC ---------------------------------------------------------------------------------


def raw_error(call, request):
    """(code, violated fields) of a failing raw stub call."""
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    fields = []
    status = rpc_status.from_call(caught.value)
    for detail in status.details if status else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields += [v.field for v in bad.field_violations]
    return caught.value.code(), fields


def expect_error(code, call, *args, fields=()):
    with pytest.raises(ClientError) as caught:
        result = call(*args)
        if not isinstance(result, (list, tuple)) and hasattr(result, "__next__"):
            list(result)
    assert caught.value.code == code, caught.value
    named = [f for f, _ in caught.value.violations]
    for f in fields:
        assert f in named, (f, named)
    return caught.value


def grpc_customers(c: Client, now: dt.datetime) -> None:
    c.upsert_customer("r-near-9000", "9000")
    c.upsert_customer("r-near-9040", "9040")
    c.upsert_customer("r-buyer", "9000")
    c.record_contact("r-buyer", GENT, "purchase", now - 200 * DAY, "r-buyer-e1")
    c.set_preferred_dealer("r-buyer", "dlr-brugge", now - 400 * DAY)
    c.upsert_customer("r-aalst", "9300")
    c.upsert_customer("r-brugge", "8000")
    for cid in ("r-near-9000", "r-near-9040", "r-buyer", "r-aalst", "r-brugge"):
        assert c.assign(cid, "onboarding").changed


def test_grpc_update_close_reassign_audit_notices(fresh_server, tmp_path):
    db = tmp_path / "db.sqlite"
    today = clock.today()
    yesterday = today - DAY
    with Client(fresh_server, caller="alice") as c:
        grpc_customers(c, clock.now())
        ours = {"r-near-9000", "r-near-9040", "r-buyer"}
        assert {cid for cid in ours if c.responsible_for_customer(cid).dealer.id == GENT} == ours

        old_name = c.dealer("dlr-aalst").trade_name
        updated = c.update_dealer("dlr-aalst", {"trade_name": "Dendervallei Aalst"}, today)
        assert updated.change_id > 0 and updated.dealer.trade_name == "Dendervallei Aalst"
        assert updated.dealer.postcode == "9300" and updated.dealer.active
        assert c.dealer("dlr-aalst", as_of=yesterday).trade_name == old_name
        assert c.dealer("dlr-aalst", as_of=today).trade_name == "Dendervallei Aalst"

        closed = c.close_dealer(GENT, today)
        assert closed.change_id > updated.change_id
        assert closed.dealer.id == GENT and not closed.dealer.active
        ended = closed.dealer.active_until
        assert (ended.year, ended.month, ended.day) == (yesterday.year, yesterday.month, yesterday.day)
        assert c.dealer(GENT, as_of=yesterday).active and not c.dealer(GENT, as_of=today).active

        conn = sqlite3.connect(db)
        assert conn.execute("SELECT kind, dealer_id, effective_date, caller FROM network_changes ORDER BY id").fetchall() == [
            ("update", "dlr-aalst", today.isoformat(), "api:alice"),
            ("close", GENT, today.isoformat(), "api:alice"),
        ]
        conn.close()

        dry = list(c.reassign("grpc-dry", dealer_ids=[GENT], dry_run=True, batch_size=2))
        assert dry[-1].finished and dry[-1].dry_run and dry[-1].changed == 3

        messages = list(c.reassign("grpc-job", batch_size=2))
        processed = [m.processed for m in messages[:-1]]
        assert processed == sorted(set(processed)) and processed[-1] == 5
        assert all(len(m.changes) <= 2 and not m.summary and not m.finished for m in messages[:-1])
        final = messages[-1]
        assert final.finished and final.processed == final.total == 5 and final.changed == 3 and not final.changes
        changes = [ch for m in messages for ch in m.changes]
        assert {ch.customer_id for ch in changes} == ours
        assert all(ch.old_dealer_id == GENT and ch.new_dealer_id != GENT and ch.reason for ch in changes)
        pairs = Counter((ch.old_dealer_id, ch.new_dealer_id) for ch in changes)
        assert {(s.old_dealer_id, s.new_dealer_id): s.customers for s in final.summary} == dict(pairs)
        assert sorted((s.old_dealer_id, s.new_dealer_id) for s in final.summary) == [
            (s.old_dealer_id, s.new_dealer_id) for s in final.summary]
        assert [(ch.customer_id, ch.new_dealer_id) for ch in changes] == [
            (ch.customer_id, ch.new_dealer_id) for ch in sorted(
                (x for m in dry for x in m.changes), key=lambda x: x.customer_id)]
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT caller, status FROM reassign_jobs").fetchall() == [("api:alice", "finished")]
        conn.close()

        listed = c.assignment_changes(job_id="grpc-job")
        assert [x.customer_id for x in listed] == sorted(ours)
        for x in listed:
            assert x.trigger == "job:grpc-job" and x.old_dealer_id == GENT and x.rules_version
            assert x.HasField("at") and x.new_dealer_id == c.responsible_for_customer(x.customer_id).dealer.id
        assert next(x for x in listed if x.customer_id == "r-buyer").new_dealer_id == "dlr-brugge"
        versions = c.assignment_changes(customer_id="r-near-9000")
        assert [v.trigger for v in versions] == ["api:alice:onboarding", "job:grpc-job"]
        assert (versions[1].old_dealer_id, versions[1].new_dealer_id) == (GENT, versions[1].new_dealer_id)
        assert versions[0].old_dealer_id == "" and versions[1].at.ToDatetime() >= versions[0].at.ToDatetime()

        notices = c.notices(pending_only=True, job_id="grpc-job")
        assert sorted(n.customer_id for n in notices) == sorted(ours)
        assert all(n.trigger == "job:grpc-job" and not n.HasField("exported_at") for n in notices)
        assert c.notices(job_id="no-such-job") == []
        assert c.mark_notices_exported([n.id for n in notices]) == 3
        assert c.notices(pending_only=True) == []
        assert all(n.HasField("exported_at") for n in c.notices())

        # a job id once used with one scope cannot be reused with another
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.reassign, "grpc-job", ["9000"])
        rerun = list(c.reassign("grpc-job", batch_size=2))
        assert len(rerun) == 1 and rerun[0].finished and rerun[0].processed == 5


def test_grpc_add_dealer(fresh_server, tmp_path):
    today = clock.today()
    with Client(fresh_server, caller="bob") as c:
        fields = {k: v for k, v in NEW_DEALER.items() if k != "id"}
        added = c.add_dealer("dlr-deinze", fields, today)
        d = added.dealer
        assert added.change_id > 0
        assert (d.id, d.legal_name, d.enterprise_number, d.postcode, d.town, list(d.roles), d.active) == (
            "dlr-deinze", NEW_DEALER["legal_name"], NEW_DEALER["enterprise_number"], "9800", "Deinze",
            ["sales", "service"], True)
        assert c.responsible_for_location("9800").dealer.id == "dlr-deinze"
        assert c.responsible_for_location("9800", as_of=today - DAY).dealer.id == GENT
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    assert conn.execute("SELECT kind, dealer_id, caller FROM network_changes").fetchall() == [
        ("add", "dlr-deinze", "api:bob")]


def test_grpc_network_change_errors(fresh_server):
    today = clock.today()
    good = {k: v for k, v in NEW_DEALER.items() if k != "id"}
    with Client(fresh_server) as c:
        expect_error(grpc.StatusCode.ALREADY_EXISTS, c.add_dealer, GENT, good, today)
        expect_error(grpc.StatusCode.NOT_FOUND, c.update_dealer, "dlr-nowhere", {"trade_name": "X"}, today)
        expect_error(grpc.StatusCode.NOT_FOUND, c.close_dealer, "dlr-nowhere", today)
        for change, name in (({"postcode": "9999"}, "dealer.postcode"), ({"postcode": "98"}, "dealer.postcode"),
                             ({"enterprise_number": "BE 0899.123.400"}, "dealer.enterprise_number"),
                             ({"roles": []}, "dealer.roles"), ({"roles": ["garage"]}, "dealer.roles"),
                             ({"languages": []}, "dealer.languages")):
            expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new", {**good, **change}, today,
                         fields=[name])
        error = expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new",
                             {**good, "postcode": "9999", "enterprise_number": "0899.123.400", "roles": []}, today,
                             fields=["dealer.postcode", "dealer.enterprise_number", "dealer.roles"])
        assert len(error.violations) == 3
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new", good, None, fields=["effective"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.update_dealer, "dlr-aalst", {"postcode": "0001"}, today,
                     fields=["dealer.postcode"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.update_dealer, "dlr-aalst",
                     {"enterprise_number": "0824.730.227"}, today, fields=["dealer.enterprise_number"])
        # not active on the day: closed in 2024, opening in 2027
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.close_dealer, "dlr-tournai", today)
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.close_dealer, "dlr-genk", today)
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.update_dealer, "dlr-tournai", {"trade_name": "X"}, today)
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.close_dealer, GENT, None, fields=["effective"])
        for bad in (date_pb2.Date(year=2026, month=2, day=30), date_pb2.Date(year=2026, month=13, day=1)):
            code, fields = raw_error(c.network.CloseDealer, npb.CloseDealerRequest(dealer_id=GENT, effective=bad))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["effective"]
            code, fields = raw_error(c.network.AddDealer, npb.AddDealerRequest(
                dealer_id="dlr-new", dealer=npb.DealerFields(**good), effective=bad))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["effective"]
        # nothing above changed the network
        assert c.dealer(GENT).active and c.dealer("dlr-aalst").postcode == "9300"
        # job requests
        expect_error(grpc.StatusCode.NOT_FOUND, c.reassign, "j-1", (), ["dlr-nowhere"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.reassign, "j-2", ["99999"], fields=["scope.postcodes"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.reassign, "bad job id!", fields=["job_id"])
        code, _ = raw_error(c.network.ListAssignmentChanges, npb.ListAssignmentChangesRequest())
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        expect_error(grpc.StatusCode.NOT_FOUND, c.assignment_changes, None, "no-such-customer")
        assert c.dealers(active_only=True)


def test_closing_a_dealer_on_its_opening_day(fresh_server):
    """A closure takes effect after a dealer's first day; the dealer stays in the network."""
    with Client(fresh_server) as c:
        with pytest.raises(ClientError) as caught:
            c.close_dealer("dlr-genk", "2027-03-01")
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert "opens on 2027-03-01" in caught.value.message
        assert c.dealer("dlr-genk", as_of="2027-03-01").id == "dlr-genk"
        assert c.close_dealer("dlr-genk", "2027-03-02").dealer.active_until.day == 1


# -- CLI ----------------------------------------------------------------------------------


@pytest.fixture
def cli(capsys):
    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_close_dry_run_apply_history_notices(fresh_server, cli, tmp_path):
    today = clock.today()
    with Client(fresh_server) as c:
        grpc_customers(c, clock.now())
    ours = {"r-near-9000", "r-near-9040", "r-buyer"}

    code, out, err = cli("dealers", "close", "--target", fresh_server, "--id", GENT, "--effective", today, "--json")
    assert code == 0, err
    closed = json.loads(out)
    assert closed["id"] == GENT and closed["active"] is False and closed["change_id"] > 0
    assert closed["active_until"] == (today - DAY).isoformat()

    out_csv = tmp_path / "dry.csv"
    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-dry", "--dealers", GENT,
                         "--dry-run", "--out", out_csv, "--quiet", "--batch-size", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["dry_run"] and result["changed"] == 3 and result["processed"] == 3
    with open(out_csv, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert header == ["customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason"]
    assert sorted(r["customer_id"] for r in rows) == sorted(ours)
    assert all(r["old_dealer_id"] == GENT and r["new_dealer_id"] not in ("", GENT) and r["reason"] for r in rows)
    assert {r["customer_id"]: (r["old_basis"], r["new_basis"]) for r in rows}["r-buyer"] == ("PURCHASE", "PREFERRED")
    assert {(r["old_dealer_id"], r["new_dealer_id"]): 1 for r in rows}.keys() == {
        (s["old_dealer_id"], s["new_dealer_id"]) for s in result["summary"]}
    with Client(fresh_server) as c:
        assert c.notices() == [] and c.assignment_changes(job_id="cli-dry") == []

    out_jsonl = tmp_path / "apply.jsonl"
    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-apply", "--out", out_jsonl,
                         "--quiet", "--json")
    assert code == 0, err
    applied = json.loads(out)
    assert (applied["processed"], applied["changed"], applied["dry_run"]) == (5, 3, False)
    lines = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [(x["customer_id"], x["new_dealer_id"]) for x in lines] == sorted(
        (r["customer_id"], r["new_dealer_id"]) for r in rows)

    code, out, err = cli("history", "--target", fresh_server, "--job", "cli-apply", "--json")
    assert code == 0, err
    history = json.loads(out)
    assert history["job_id"] == "cli-apply" and len(history["changes"]) == 3
    assert all(h["trigger"] == "job:cli-apply" and h["old_dealer_id"] == GENT and h["at"] and h["rules_version"]
               for h in history["changes"])

    export = tmp_path / "notices.csv"
    code, out, err = cli("notices", "--target", fresh_server, "--pending", "--export", export, "--mark-exported", "--json")
    assert code == 0, err
    assert json.loads(out)["marked_exported"] == 3
    with open(export, encoding="utf-8", newline="") as f:
        exported = list(csv.DictReader(f))
    assert sorted(n["customer_id"] for n in exported) == sorted(ours)
    assert all(n["old_dealer_id"] == GENT and n["trigger"] == "job:cli-apply" for n in exported)
    code, out, err = cli("notices", "--target", fresh_server, "--pending", "--json")
    assert code == 0 and json.loads(out)["notices"] == []

    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-apply", "--postcodes", "9000", "--quiet")
    assert code != 0 and "FAILED_PRECONDITION" in err


def test_cli_local_job_json(tmp_path, cli):
    path = tmp_path / "local.db"
    app = CoController(path)
    specs = [Spec("l-9000", "9000"), Spec("l-9040", "9040"), Spec("l-8000", "8000")]
    now = build(app, specs)
    assign_all(app, now, specs)
    app.registry.close_dealer(GENT, clock.today(), "test")
    code, out, err = cli("reassign", "--local", "--db", path, "--job-id", "local", "--batch-size", "2",
                         "--quiet", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["job_id"], result["processed"], result["changed"], result["dry_run"]) == ("local", 3, 2, False)
    assert sum(s["customers"] for s in result["summary"]) == 2
    assert all(s["old_dealer_id"] == GENT for s in result["summary"])
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT status, processed, changed, caller FROM reassign_jobs WHERE id = 'local'").fetchone() == (
        "finished", 3, 2, "cli:local")
    assert conn.execute("SELECT count(*) FROM assignments WHERE valid_to IS NULL AND dealer_id = ?", [GENT]).fetchone() == (0,)
    conn.close()


def test_one_job_at_a_time_per_server(tmp_path):
    """A job holds a handler thread while it streams: a second one is refused, not queued."""
    from cocontroller.server import build_server
    from cocontroller.synthetic import generate

    db = tmp_path / "jobs.db"
    # Enough one-customer batches that the stream outgrows gRPC's flow-control window: the
    # first job cannot finish until its client reads on.
    generate(db, 3000, seed=3, now=dt.datetime(2026, 1, 5, 12, tzinfo=dt.timezone.utc))
    server, port = build_server(CoController(db), "127.0.0.1:0")
    try:
        with Client(f"127.0.0.1:{port}") as first, Client(f"127.0.0.1:{port}") as second:
            running = first.reassign("slow", dry_run=True, batch_size=1)
            assert next(running).processed == 1
            with pytest.raises(ClientError) as caught:
                list(second.reassign("other", dry_run=True))
            assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert list(running)[-1].finished
            assert list(second.reassign("other", dry_run=True))[-1].processed == 3000
    finally:
        server.stop(None)
