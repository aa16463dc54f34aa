"""Dealer-network changes and the re-assignment jobs they call for, through the use cases:
closing, opening and moving a dealer, dry runs, reruns, resumption, the audit trail and the
notices. The same through a real gRPC server and the CLI: api/test_network_changes_api.py.

Expected dealers are never taken from the service's own nearest search: a NEAREST customer's
dealer is checked by brute force, the geodesic distance to every sales dealer active on the
day as stored in dealer_versions (see network_world.py).
"""

import datetime as dt

import pytest
from cocontroller import clock
from cocontroller.bootstrap import App
from cocontroller.errors import FailedPrecondition
from cocontroller.model import (
    AssignmentRecord, Basis, Change, DealerFields, NetworkChangeKind, Notice, Scope,
)
from support import copy_database, make_app, query, table_rows
from geopy.distance import geodesic
from network_world import (
    DAY, GENT, NEAREST, NEW_DEALER, Spec, active_sales_dealers, assign_all, brute_nearest, build,
    current_rows, customer_point, db_path, dealer_fields, run_job, services,
)

# -- the world: customers with explicit facts ---------------------------------------------

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
    Spec("o-near-coords-aalst", "9230", point=(50.9378, 4.0403)),
    *[Spec(f"o-near-{pc}", pc) for pc in ("9300", "9200", "8500", "8790", "8000", "8730", "1000", "2000", "4000")],
]
WORLD_BY_ID = {s.id: s for s in WORLD}



@pytest.fixture
def world(tmp_path):
    app = make_app(tmp_path / "world.db")
    now = build(app, WORLD)
    assign_all(app, now, WORLD)
    return app


def gent_customers(app: App) -> set[str]:
    return {c for c, r in current_rows(app).items() if r["dealer_id"] == GENT}


# -- closing ------------------------------------------------------------------------------


def test_closing_a_dealer_moves_exactly_its_customers_as_the_rules_say(world):
    app = world
    today = clock.today()
    yesterday = today - DAY
    before = current_rows(app)
    ours = gent_customers(app)
    assert ours == {s.id for s in WORLD if s.id.startswith("g-")}
    closed = app.network.close_dealer(GENT, today, "test")
    assert closed.kind == NetworkChangeKind.CLOSE and closed.dealer.dealer_id == GENT
    assert closed.dealer.active_until == yesterday

    last, changes, processed = run_job(app, "close-gent", batch_size=6)
    job_day = clock.day_of(clock.from_text(app.store.db.rows(
        "SELECT decision_at FROM reassign_jobs WHERE id = 'close-gent'")[0]["decision_at"]))
    assert GENT not in active_sales_dealers(db_path(app), job_day)
    assert {c.customer_id for c in changes} == ours
    assert all(isinstance(c, Change) for c in changes)
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
            skipped = app.store.assignments.get(row["id"]).skipped
            # in the customer's language, naming the dealer and its last day
            assert any(x.dealer_id == GENT and x.basis == s.before[0] and GENT in x.reason
                       and str(yesterday) in x.reason for x in skipped), (s.id, skipped)
        # yesterday's answer is still dlr-gent's
        view = app.assignment.responsible_for_customer(s.id, yesterday)
        assert view.dealer.dealer_id == GENT and view.stored and view.dealer_active, s.id
        assert app.assignment.responsible_for_customer(s.id, None).dealer.dealer_id == dealer
    for customer_id, row in after.items():
        if customer_id not in ours:
            assert row == before[customer_id], customer_id
    assert not any(r["dealer_id"] == GENT for r in after.values())

    assert app.assignment.responsible_for_location("9000", None, None, yesterday).dealer.dealer_id == GENT
    pc = app.postcodes.get("9000")
    today_view = app.assignment.responsible_for_location("9000", None, None, today)
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
    app = make_app(tmp_path / "open.db")
    now = build(app, OPENING_WORLD)
    assign_all(app, now, OPENING_WORLD)
    today = clock.today()
    before = current_rows(app)
    added = app.network.add_dealer(NEW_DEALER["id"], dealer_fields(NEW_DEALER), today, "test")
    version = added.dealer
    assert added.kind == NetworkChangeKind.ADD and added.id > 0
    assert (version.dealer_id, version.postcode, version.enterprise_number) == (
        "dlr-deinze", "9800", NEW_DEALER["enterprise_number"])

    _, dry, _ = run_job(app, "open-dry", dry_run=True, batch_size=4)
    assert app.store.db.rows("SELECT id FROM reassign_jobs WHERE id = 'open-dry'") == []
    assert current_rows(app) == before
    last, applied, _ = run_job(app, "open", batch_size=4)
    assert applied == dry

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
    assert app.assignment.responsible_for_location("9800", None, None, today - DAY).dealer.dealer_id == GENT
    assert app.assignment.responsible_for_location("9800", None, None, today).dealer.dealer_id == "dlr-deinze"


# -- moving -------------------------------------------------------------------------------


def test_a_move_answers_with_the_old_location_for_earlier_days(tmp_path):
    app = make_app(tmp_path / "move.db")
    specs = [Spec("m-9300", "9300"), Spec("m-9700", "9700"),
             Spec("m-9300-buyer", "9300", [("dlr-aalst", "purchase", 100)], before=("PURCHASE", "dlr-aalst"))]
    now = build(app, specs)
    assign_all(app, now, specs)
    today = clock.today()
    yesterday = today - DAY
    old = app.network.get_dealer("dlr-aalst", today).version
    before = current_rows(app)
    change = app.network.update_dealer(
        "dlr-aalst", DealerFields(street="Markt 1", postcode="9700", town="Oudenaarde"), today, "test")
    assert change.kind == NetworkChangeKind.UPDATE
    moved = change.dealer
    pc9700 = app.postcodes.get("9700")
    assert (moved.postcode, moved.town, moved.lat, moved.lon) == ("9700", "Oudenaarde", pc9700.lat, pc9700.lon)
    assert (moved.legal_name, moved.enterprise_number, moved.roles) == (old.legal_name, old.enterprise_number, old.roles)
    assert app.network.get_dealer("dlr-aalst", yesterday).version.postcode == "9300"
    assert app.network.get_dealer("dlr-aalst", today).version.postcode == "9700"

    for code in ("9300", "9700"):
        pc = app.postcodes.get(code)
        then = app.assignment.responsible_for_location(code, None, None, yesterday)
        now_ = app.assignment.responsible_for_location(code, None, None, today)
        assert then.dealer.dealer_id == brute_nearest(db_path(app), (pc.lat, pc.lon), yesterday)[0]
        assert now_.dealer.dealer_id == brute_nearest(db_path(app), (pc.lat, pc.lon), today)[0]
        assert then.dealer.dealer_id != now_.dealer.dealer_id, code
    assert app.assignment.responsible_for_location("9300", None, None, yesterday).dealer.dealer_id == "dlr-aalst"
    assert app.assignment.responsible_for_location("9700", None, None, today).dealer.dealer_id == "dlr-aalst"

    _, changes, _ = run_job(app, "move")
    assert {c.customer_id for c in changes} == {"m-9300", "m-9700"}
    after = current_rows(app)
    assert after["m-9300-buyer"] == before["m-9300-buyer"]
    assert after["m-9700"]["dealer_id"] == "dlr-aalst"
    assert after["m-9700"]["distance_km"] == pytest.approx(geodesic((pc9700.lat, pc9700.lon), (moved.lat, moved.lon)).km, abs=0.01)
    assert app.assignment.responsible_for_customer("m-9300", yesterday).dealer.dealer_id == "dlr-aalst"


# -- dry runs, reruns, resumption ------------------------------------------------------


def test_a_dry_run_writes_nothing(world):
    app = world
    app.network.close_dealer(GENT, clock.today(), "test")
    before = table_rows(db_path(app))
    last, changes, _ = run_job(app, "dry", dry_run=True, batch_size=5)
    assert last.dry_run and last.changed == len(changes) == len(gent_customers(app)) > 0
    assert table_rows(db_path(app)) == before
    assert [r[0] for r in before["reassign_jobs"]] == ["first"]
    # a dry run over a scope, and again with the same id: still nothing
    run_job(app, "dry", Scope(dealer_ids=(GENT,)), dry_run=True)
    assert table_rows(db_path(app)) == before


def test_rerunning_a_finished_job_changes_nothing(world):
    app = world
    app.network.close_dealer(GENT, clock.today(), "test")
    first, changes, _ = run_job(app, "close")
    assert changes
    before = table_rows(db_path(app))
    progress = list(app.reassign.run("close", Scope(), False, "test", 7))
    assert len(progress) == 1
    assert progress[0].finished and progress[0].processed == progress[0].total == len(WORLD)
    assert progress[0].changed == first.changed and progress[0].changes == ()
    assert table_rows(db_path(app)) == before
    for scope in (Scope(dealer_ids=(GENT,)), Scope(postcodes=("9000",))):
        with pytest.raises(FailedPrecondition):
            list(app.reassign.run("close", scope, False, "test", 7))
    assert table_rows(db_path(app)) == before


def test_an_interrupted_job_resumes_to_the_same_tables(world, tmp_path):
    app = world
    app.network.close_dealer(GENT, clock.today(), "test")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    copy_database(db_path(app), a)
    copy_database(db_path(app), b)
    at = clock.now()

    run_job(make_app(a), "j", batch_size=5, at=at)

    interrupted = make_app(b).reassign.run("j", Scope(), False, "test", 5, at)
    first, second = next(interrupted), next(interrupted)
    seen = [first.changes, second.changes]
    interrupted.close()
    # each yield is its own value: the first is not changed by the second
    assert first is not second and (first.processed, second.processed) == (5, 10)
    assert seen[0] and seen[1], "the first batches should hold changes"
    job = query(b, "SELECT status, processed, cursor FROM reassign_jobs WHERE id = 'j'")
    assert job == [("running", 10, sorted(s.id for s in WORLD)[9])]

    resumed = make_app(b)
    runs = list(resumed.reassign.run("j", Scope(), False, "test", 5))
    progress = [(p.processed, p.resumed, p.finished) for p in runs]
    assert progress[0] == (15, True, False) and progress[-1] == (len(WORLD), True, True)
    # the rate counts only this run's part of the resumed job
    assert all(p.processed_before == 10 for p in runs)

    def tables(path):
        return (query(path, "SELECT * FROM assignments ORDER BY id"),
                query(path, "SELECT * FROM notices ORDER BY id"),
                query(path, "SELECT id, scope, decision_at, status, cursor, processed, changed, updated_at,"
                            " finished_at, caller FROM reassign_jobs ORDER BY id"))

    assert tables(b) == tables(a)
    assert tables(a)[2][1][3] == "finished"


# -- audit and notices --------------------------------------------------------------------


def test_audit_trail_and_notices(tmp_path):
    app = make_app(tmp_path / "audit.db")
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
    app.facts.record_contact("a-aging-buy", "a-aging", "dlr-aalst", "purchase", first_at - dt.timedelta(days=3649, hours=12))
    view, changed = app.assignment.assign("a-api")
    assert changed and (view.dealer.dealer_id, view.basis) == (GENT, "NEAREST")
    run_job(app, "first", at=first_at)
    assert app.store.assignments.current("a-aging").basis == Basis.PURCHASE
    app.facts.record_contact("a-api-buy", "a-api", GENT, "purchase", now - 20 * DAY)
    current = app.store.assignments.current("a-api")
    assert (current.basis, current.dealer_id) == ("PURCHASE", GENT)
    assert app.audit.notices().items == ()  # basis-only changes owe no notice

    app.network.close_dealer(GENT, clock.today(), "test")
    at = clock.now()
    last, changes, _ = run_job(app, "audit", batch_size=3, at=at)
    by_customer = {c.customer_id: c for c in changes}
    assert set(by_customer) == {"a-api", "a-aging", "a-near-9000", "a-near-9040", "a-pur-pref"}
    assert (by_customer["a-aging"].old_dealer_id, by_customer["a-aging"].new_dealer_id) == ("dlr-aalst", "dlr-aalst")
    assert (by_customer["a-aging"].old_basis, by_customer["a-aging"].new_basis) == ("PURCHASE", "NEAREST")

    records = app.audit.assignment_changes(job_id="audit").items
    assert all(isinstance(r, AssignmentRecord) for r in records)
    assert [r.customer_id for r in records] == sorted(by_customer)
    for r in records:
        c = by_customer[r.customer_id]
        assert (r.previous_dealer_id, r.previous_basis, r.dealer_id, r.basis) == (
            c.old_dealer_id, c.old_basis, c.new_dealer_id, c.new_basis)
        assert r.trigger == "job:audit"
        assert r.rules_version == app.runtime.current.assignment.version
        assert clock.to_text(r.valid_from) == clock.to_text(r.decided_at) == clock.to_text(at)

    history = app.audit.assignment_changes(customer_id="a-api").items
    assert [h.trigger for h in history] == ["api", "contact:a-api-buy", "job:audit"]
    assert [(h.previous_dealer_id, h.dealer_id) for h in history] == [(None, GENT), (GENT, GENT), (GENT, by_customer["a-api"].new_dealer_id)]
    assert [h.valid_to for h in history[:-1]] == [h.valid_from for h in history[1:]] and history[-1].valid_to is None

    notices = app.audit.notices(pending_only=True).items
    assert all(isinstance(n, Notice) for n in notices)
    moved = {c.customer_id for c in changes if c.old_dealer_id != c.new_dealer_id}
    assert moved == {"a-api", "a-near-9000", "a-near-9040", "a-pur-pref"}
    assert sorted(n.customer_id for n in notices) == sorted(moved)
    assert app.audit.notices(job_id="audit").items == notices and app.audit.notices(job_id="first").items == ()
    for n in notices:
        c = by_customer[n.customer_id]
        assert (n.old_dealer_id, n.new_dealer_id, n.trigger, clock.to_text(n.created_at)) == (
            GENT, c.new_dealer_id, "job:audit", clock.to_text(at))
        assert n.assignment_id == app.store.assignments.current(n.customer_id).id
    marked, stamp = app.audit.mark_notices_exported([n.id for n in notices])
    assert marked == len(notices)
    assert app.audit.notices(pending_only=True).items == ()
    assert app.audit.mark_notices_exported([n.id for n in notices])[0] == 0
    assert {n.exported_at for n in app.audit.notices().items} == {stamp}
    assert all(n.exported_at for n in app.audit.notices().items)
