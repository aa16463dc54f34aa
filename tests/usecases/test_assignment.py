"""Dealer assignment in the domain, without gRPC: every basis, every precedence conflict,
inactive dealers, as-of questions and the stored history."""

import datetime as dt

import pytest

import shutil

from cocontroller import clock
from cocontroller.domain.assignment import Subject
from cocontroller.domain.geo import geodesic_km
from cocontroller.domain.history import HistoryParameters, score_dealers
from cocontroller.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, RulePackError
from cocontroller.model import Basis, Contact, CustomerChange, LeadContact, LeadKind
from cocontroller.resources import packs_dir
from support import make_app

UTC = dt.timezone.utc


def ago(days: float) -> dt.datetime:
    return clock.now() - dt.timedelta(days=days)


def nl_day(at: dt.datetime) -> str:
    """A day as a Dutch explanation writes it (13/04/2020)."""
    return clock.day_of(at).strftime("%d/%m/%Y")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("assign") / "db.sqlite")


def new_customer(app, customer_id, postcode="9000", **kwargs):
    app.customers.upsert(customer_id, postcode, **kwargs)
    return customer_id


def test_nearest_from_the_postcode(app):
    c = new_customer(app, "c-near")
    view, changed = app.assignment.assign(c)
    assert changed and view.stored
    assert (view.basis, view.dealer.dealer_id) == ("NEAREST", "dlr-gent")
    # explained in the customer's language (Dutch in Gent), the place named in it
    assert view.explanation.startswith("dichtstbijzijnde actieve verdeler, op ") and "km van 9000 Gent" in view.explanation
    pc = app.postcodes.get("9000")
    assert view.point == (pc.lat, pc.lon)
    assert view.distance_km == pytest.approx(geodesic_km(pc.lat, pc.lon, view.dealer.lat, view.dealer.lon), abs=0.001)
    assert view.rules_version == app.runtime.current.assignment.version
    assert [r.basis for r in view.runners_up] == ["NEAREST"] * 3
    assert view.rule_id == "assignment.nearest@v1"


def test_nearest_from_the_customers_own_coordinates(app):
    # A customer in 9300 (Aalst) whose address lies 17 km towards Gent is nearer to Gent's
    # dealer (11 km) than to Aalst's (17 km).
    c = new_customer(app, "c-coords", "9300", lat=50.9916, lon=3.8165)
    view, _ = app.assignment.assign(c)
    assert view.dealer.dealer_id == "dlr-gent"
    assert view.point_source == "customer coordinates"
    assert view.explanation.endswith("van de coördinaten van de klant")
    assert app.assignment.responsible_for_location("9300", None, None, None).dealer.dealer_id == "dlr-aalst"


def test_coordinates_far_from_their_postcode_are_refused(app):
    """Arlon's coordinates given with Gent's postcode: 190 km apart, a typo or another
    address, never a reason to pick Arlon's dealer."""
    with pytest.raises(InvalidArgument) as caught:
        new_customer(app, "c-far", "9000", lat=49.6833, lon=5.8167)
    ((field, description),) = caught.value.violations
    assert field == "point" and "km from postcode 9000" in description and "within 20 km" in description
    with pytest.raises(InvalidArgument) as caught:
        app.assignment.responsible_for_location("9000", 49.6833, 5.8167, None)
    assert [f for f, _ in caught.value.violations] == ["point"]
    with pytest.raises(NotFound):
        app.customers.get("c-far")


def test_purchase_beats_location(app):
    c = new_customer(app, "c-buy")
    app.facts.record_contact("e-buy", c, "dlr-liege", "purchase", ago(400))
    view, _ = app.assignment.assign(c)
    assert (view.basis, view.dealer.dealer_id) == ("PURCHASE", "dlr-liege")
    assert view.explanation == f"aankoop bij deze verdeler op {nl_day(ago(400))}"
    assert any(r.dealer_id == "dlr-gent" and r.basis == "NEAREST" for r in view.runners_up)


def test_latest_purchase_decides(app):
    c = new_customer(app, "c-two-buys")
    app.facts.record_contact("e-1", c, "dlr-liege", "purchase", ago(900))
    app.facts.record_contact("e-2", c, "dlr-namur", "purchase", ago(100))
    assert app.assignment.assign(c)[0].dealer.dealer_id == "dlr-namur"


def test_a_confirmed_assignment_cites_the_latest_purchase(app):
    c = new_customer(app, "c-rebuy")
    app.facts.record_contact("e-r1", c, "dlr-liege", "purchase", ago(400))
    first, changed = app.assignment.assign(c)
    assert changed and nl_day(ago(400)) in first.explanation
    app.facts.record_contact("e-r2", c, "dlr-liege", "purchase", ago(10))
    view, changed = app.assignment.assign(c)
    assert not changed and (view.id, view.valid_from) == (first.id, first.valid_from)
    assert nl_day(ago(10)) in view.explanation
    # The stored version keeps what was said when it was stored.
    assert app.assignment.responsible_for_customer(c, None).explanation == first.explanation


def test_a_confirmed_assignment_shows_the_dealers_skipped_now(app):
    c = new_customer(app, "c-skip-later", "7500")
    first, _ = app.assignment.assign(c)
    assert first.skipped == ()
    app.facts.record_contact("e-sl", c, "dlr-tournai", "purchase", dt.datetime(2023, 5, 1, tzinfo=UTC))
    view, changed = app.assignment.assign(c)
    assert not changed and view.dealer.dealer_id == first.dealer.dealer_id
    assert ("dlr-tournai", "PURCHASE") in [(s.dealer_id, s.basis) for s in view.skipped]


def test_designation_after_purchase_beats_purchase(app):
    c = new_customer(app, "c-pref-later")
    app.facts.record_contact("e-p", c, "dlr-liege", "purchase", ago(400))
    app.facts.set_preference(c, "dlr-namur", ago(10))
    view, _ = app.assignment.assign(c)
    assert (view.basis, view.dealer.dealer_id, view.rule_id) == ("PREFERRED", "dlr-namur", "assignment.preferred@v1")


def test_purchase_after_designation_beats_designation(app):
    c = new_customer(app, "c-buy-later")
    app.facts.set_preference(c, "dlr-namur", ago(400))
    app.facts.record_contact("e-p", c, "dlr-liege", "purchase", ago(10))
    view, _ = app.assignment.assign(c)
    assert (view.basis, view.dealer.dealer_id) == ("PURCHASE", "dlr-liege")
    assert any(r.dealer_id == "dlr-namur" and r.basis == "PREFERRED" for r in view.runners_up)


def test_standing_designation_beats_a_purchase_too_old_to_count(app):
    c = new_customer(app, "c-old-buy")
    app.facts.set_preference(c, "dlr-namur", ago(5000))
    app.facts.record_contact("e-p", c, "dlr-liege", "purchase", ago(3700))
    view, _ = app.assignment.assign(c)
    assert (view.basis, view.rule_id) == ("PREFERRED", "assignment.preferred-standing@v1")


def test_history_beats_location_and_its_threshold_holds(app):
    c = new_customer(app, "c-hist")
    app.facts.record_contact("e-h1", c, "dlr-brugge", "showroom_visit", ago(30))
    view, _ = app.assignment.assign(c)
    assert view.basis == "NEAREST"  # one showroom visit: score about 0.94, below 2.0
    app.facts.record_contact("e-h2", c, "dlr-brugge", "test_drive_request", ago(20))
    # Recording the contact re-assigned the customer already.
    view = app.assignment.responsible_for_customer(c, None)
    assert view.stored and (view.basis, view.dealer.dealer_id) == ("HISTORY", "dlr-brugge")
    assert [v.basis for v in app.assignment.history(c).items] == ["HISTORY", "NEAREST"]
    assert view.explanation.startswith("score van de contactgeschiedenis ")


def test_history_decays_with_time(app):
    c = new_customer(app, "c-decay")
    app.facts.record_contact("e-d1", c, "dlr-brugge", "service_visit", ago(800))
    app.facts.record_contact("e-d2", c, "dlr-brugge", "service_visit", ago(790))
    # 2 x 2.0 halved twice: about 1.0, below the threshold of 2.0.
    assert app.assignment.assign(c)[0].basis == "NEAREST"


def test_revoking_a_preference_falls_back(app):
    c = new_customer(app, "c-revoke")
    app.facts.set_preference(c, "dlr-namur", ago(5))
    assert app.assignment.assign(c)[0].basis == "PREFERRED"
    app.facts.revoke_preference(c, None)
    view = app.assignment.responsible_for_customer(c, None)
    assert (view.basis, view.dealer.dealer_id) == ("NEAREST", "dlr-gent")
    with pytest.raises(NotFound):
        app.facts.revoke_preference(c, None)


def test_closed_dealer_is_skipped_with_the_reason(app):
    c = new_customer(app, "c-closed", "7500")
    app.facts.record_contact("e-t", c, "dlr-tournai", "purchase", dt.datetime(2023, 5, 1, tzinfo=UTC))
    view, _ = app.assignment.assign(c)
    assert view.basis != "PURCHASE" and view.dealer.dealer_id != "dlr-tournai"
    reasons = [s for s in view.skipped if s.dealer_id == "dlr-tournai"]
    assert reasons and reasons[0].basis == "PURCHASE"
    # in the customer's language: Tournai's is French
    assert "fermé après le 2024-06-30" in reasons[0].reason


def test_dealer_not_yet_open_is_skipped(app):
    c = new_customer(app, "c-future", "3600")
    app.facts.set_preference(c, "dlr-genk", ago(1))
    view, _ = app.assignment.assign(c)
    assert view.dealer.dealer_id != "dlr-genk"
    assert any("opent op 2027-03-01" in s.reason for s in view.skipped)  # Genk: Dutch


def test_service_only_dealer_cannot_be_the_controller(app):
    c = new_customer(app, "c-repairer", "8400")
    app.facts.set_preference(c, "dlr-oostende", ago(1))
    view, _ = app.assignment.assign(c)
    assert view.dealer.dealer_id != "dlr-oostende"
    assert any("geen erkende verdeler" in s.reason for s in view.skipped)  # Oostende: Dutch


def test_a_closed_dealer_is_nearest_only_while_it_was_open(shared):
    before = shared.assignment.responsible_for_location("7500", None, None, dt.date(2024, 6, 30))
    after = shared.assignment.responsible_for_location("7500", None, None, dt.date(2024, 7, 1))
    assert before.dealer.dealer_id == "dlr-tournai"
    assert after.dealer.dealer_id != "dlr-tournai"
    assert not before.stored and before.decision_date == dt.date(2024, 6, 30)


def test_a_future_dealer_is_nearest_from_its_opening_day(shared):
    assert shared.assignment.responsible_for_location("3600", None, None, dt.date(2027, 2, 28)).dealer.dealer_id != "dlr-genk"
    assert shared.assignment.responsible_for_location("3600", None, None, dt.date(2027, 3, 1)).dealer.dealer_id == "dlr-genk"


def test_no_active_dealer_is_a_failed_precondition(shared):
    with pytest.raises(FailedPrecondition, match="no authorised distributor"):
        shared.assignment.responsible_for_location("1000", None, None, dt.date(2005, 1, 1))


def test_assign_stores_a_new_version_only_on_change(app):
    c = new_customer(app, "c-versions")
    first, changed = app.assignment.assign(c)
    again, changed_again = app.assignment.assign(c)
    assert changed and not changed_again and again.id == first.id
    app.facts.record_contact("e-v", c, "dlr-namur", "purchase", ago(3))
    versions = app.assignment.history(c).items
    assert [v.basis for v in versions] == ["PURCHASE", "NEAREST"]
    assert versions[1].valid_to == versions[0].valid_from
    assert versions[0].valid_to is None


def test_recording_facts_for_an_unassigned_customer_stores_nothing(app):
    c = new_customer(app, "c-quiet")
    app.facts.record_contact("e-q", c, "dlr-namur", "purchase", ago(3))
    assert app.assignment.history(c).items == ()
    view = app.assignment.responsible_for_customer(c, None)
    assert view.basis == "PURCHASE" and not view.stored


def test_as_of_answers_what_was_stored_for_that_day(app):
    c = new_customer(app, "c-asof")
    pc = app.postcodes.get("9000")
    january = dt.datetime(2024, 1, 10, 9, tzinfo=UTC)
    june = dt.datetime(2024, 6, 1, 9, tzinfo=UTC)
    runtime = app.runtime.current
    first = app.assignment.assigner.decide(runtime.assignment, runtime.network, Subject(pc, None, c), january)
    app.store.assignments.save(c, first, january, "test", None)
    # Straight into the store: through the use case it would re-assign the customer at once.
    app.store.facts.record_contact(Contact("e-a", c, "dlr-namur", "purchase", june - dt.timedelta(days=1)))
    second = app.assignment.assigner.decide(
        runtime.assignment, runtime.network, Subject(pc, None, c), june, app.store.facts.contacts(c))
    app.store.assignments.save(c, second, june, "test", app.store.customers.snapshot(c, june).current)

    assert app.assignment.responsible_for_customer(c, dt.date(2024, 3, 1)).dealer.dealer_id == "dlr-gent"
    assert app.assignment.responsible_for_customer(c, dt.date(2024, 6, 1)).dealer.dealer_id == "dlr-namur"
    assert app.assignment.responsible_for_customer(c, None).dealer.dealer_id == "dlr-namur"
    # Before the first stored assignment: what the rules said from what was known then.
    earlier = app.assignment.responsible_for_customer(c, dt.date(2023, 12, 1))
    assert not earlier.stored and earlier.basis == "NEAREST"


def test_contact_recording_is_idempotent(app):
    c = new_customer(app, "c-idem")
    at = ago(2)
    first, created = app.facts.record_contact("e-x", c, "dlr-gent", "quote", at)
    again, created_again = app.facts.record_contact("e-x", c, "dlr-gent", "quote", at)
    assert created and not created_again and first == again
    with pytest.raises(AlreadyExists):
        app.facts.record_contact("e-x", c, "dlr-gent", "brochure", at)
    derived, created = app.facts.record_contact("", c, "dlr-gent", "brochure", at)
    derived_again, created_again = app.facts.record_contact("", c, "dlr-gent", "brochure", at)
    assert created and not created_again and derived.event_id == derived_again.event_id
    assert len(app.store.facts.contacts(c)) == 2


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"postcode": "0999"}, "postcode"),
        ({"postcode": "12345"}, "postcode"),
        ({"postcode": "ABCD"}, "postcode"),
        ({"postcode": "9999"}, "postcode"),
        ({"postcode": ""}, "postcode"),
        ({"lat": 48.8566, "lon": 2.3522}, "point"),
        ({"lat": 51.0}, "point"),
        ({"lat": float("nan"), "lon": 4.0}, "point"),
        ({"language": "es"}, "language"),
        ({"kind": "alien"}, "kind"),
        ({"kind": "professional"}, "enterprise_number"),
        ({"kind": "professional", "enterprise_number": "BE 0403.425.771"}, "enterprise_number"),
        ({"enterprise_number": "BE 0403.425.770"}, "enterprise_number"),
        ({"customer_id": "bad id!"}, "id"),
    ],
)
def test_bad_customer_input_names_the_field(shared, kwargs, field):
    args = {"customer_id": "c-bad", "postcode": "9000"} | kwargs
    with pytest.raises(InvalidArgument) as caught:
        shared.customers.upsert(**args)
    assert [f for f, _ in caught.value.violations] == [field]


def test_postcode_messages_say_why(shared):
    reasons = {}
    for code in ("0999", "12345", "ABCD", "9999"):
        with pytest.raises(InvalidArgument) as caught:
            shared.customers.upsert("c-why", code)
        reasons[code] = caught.value.violations[0][1]
    assert "out of range" in reasons["0999"]
    assert "4 digits" in reasons["12345"] and "4 digits" in reasons["ABCD"]
    assert "does not exist" in reasons["9999"]
    shared.customers.upsert("c-why", "1000")


def test_all_violations_are_reported_at_once(shared):
    with pytest.raises(InvalidArgument) as caught:
        shared.customers.upsert("c-many", "ABCD", lat=48.85, lon=2.35, language="xx")
    assert {f for f, _ in caught.value.violations} == {"postcode", "point", "language"}


def test_professional_customer_keeps_the_canonical_enterprise_number(shared):
    customer, _ = shared.customers.upsert("c-pro", "1932", kind="professional", enterprise_number="0403425770")
    assert customer.enterprise_number == "BE 0403.425.770"


def test_bad_contact_input(shared):
    new_customer(shared, "c-contact")
    with pytest.raises(InvalidArgument) as caught:
        shared.facts.record_contact("e 1", "c-contact", "dlr-gent", "smoke_signal", clock.now() + dt.timedelta(days=1))
    assert {f for f, _ in caught.value.violations} == {"event_id", "kind", "occurred_at"}
    with pytest.raises(NotFound):
        shared.facts.record_contact("e-1", "c-nobody", "dlr-gent", "quote", ago(1))
    with pytest.raises(NotFound):
        shared.facts.record_contact("e-1", "c-contact", "dlr-nowhere", "quote", ago(1))


def test_unknown_customer_is_not_found(shared):
    with pytest.raises(NotFound):
        shared.assignment.assign("c-unknown")
    with pytest.raises(NotFound):
        shared.assignment.responsible_for_customer("c-unknown", None)


def test_history_scores_break_ties_deterministically():
    at = dt.datetime(2025, 1, 1, tzinfo=UTC)
    params = HistoryParameters(1825, 365.0, {k: 1.0 for k in (
        "purchase", "service_visit", "test_drive_request", "quote", "brochure",
        "showroom_visit", "complaint", "other")})
    same_time = at - dt.timedelta(days=10)
    contacts = [
        Contact("1", "c", "dlr-b", "quote", same_time),
        Contact("2", "c", "dlr-a", "quote", same_time),
    ]
    assert [s.dealer_id for s in score_dealers(contacts, at, params)] == ["dlr-a", "dlr-b"]
    contacts.append(Contact("3", "c", "dlr-c", "quote", at - dt.timedelta(days=1)))
    contacts.append(Contact("4", "c", "dlr-c", "quote", at - dt.timedelta(days=5000)))
    scores = score_dealers(contacts, at, params)
    assert scores[0].dealer_id == "dlr-c" and scores[0].contacts == 1
    future = Contact("5", "c", "dlr-d", "purchase", at + dt.timedelta(days=1))
    assert "dlr-d" not in [s.dealer_id for s in score_dealers(contacts + [future], at, params)]


@pytest.fixture
def own_rules(tmp_path):
    """An application whose rules directory is a copy the test may edit."""
    rules = tmp_path / "rules"
    shutil.copytree(packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return make_app(tmp_path / "db.sqlite", rules_dir=rules), rules / "assignment" / "assignment.yaml"


def test_reloading_the_pack_swaps_versions_and_a_bad_pack_keeps_the_old(own_rules):
    app, path = own_rules
    old = app.runtime.current.assignment
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('version: "2026.12.5.1"', 'version: "2026.12.5.2"'), encoding="utf-8")
    app.packs.reload()
    assert app.assignment.responsible_for_location("9000", None, None, None).rules_version == "assignment@2026.12.5.2"
    path.write_text(text.replace("    basis: NEAREST\n", "    basis: NEARBY\n"), encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    assert caught.value.rule_id == "assignment.nearest" and caught.value.field == "basis"
    assert app.assignment.responsible_for_location("9000", None, None, None).rules_version == "assignment@2026.12.5.2"
    # A decision holding the old compiled pack still runs on it.
    facts = {"has_purchase": False, "purchase_at": 0, "purchase_age_days": 0, "has_preferred": False,
             "preferred_at": 0, "history_score": 0.0, "has_nearest": True, "day": 20250101}
    assert app.runtime.engine.first_match(old.ruleset, facts) == "assignment.nearest@v1"


def test_reloaded_rules_reach_the_network(own_rules):
    """Which roles can be assigned is a pack parameter: a reload applies it at once."""
    app, path = own_rules
    text = path.read_text(encoding="utf-8")
    text = text.replace("eligible_roles: [sales]", "eligible_roles: [sales, service]")
    path.write_text(text.replace('version: "2026.12.5.1"', 'version: "2026.12.5.2"'), encoding="utf-8")
    app.packs.reload()
    assert app.runtime.current.network.eligible_roles == ("sales", "service")
    assert app.assignment.responsible_for_location("8400", None, None, None).dealer.dealer_id == "dlr-oostende"


# -- a point far from its postcode ---------------------------------------------------------


def test_a_point_far_from_the_postcode_is_refused_unless_accepted(app):
    # Arlon (6700) is about 180 km from Gent (9000)
    with pytest.raises(InvalidArgument) as refused:
        app.customers.upsert("c-far", "9000", lat=49.683, lon=5.816)
    assert {f for f, _ in refused.value.violations} == {"point"}
    customer, created = app.customers.upsert("c-far", "9000", lat=49.683, lon=5.816, accept_distant_point=True)
    assert created and customer.point_outside_postcode
    assert app.customers.get("c-far").point_outside_postcode
    near, _ = app.customers.upsert("c-far", "9000", lat=51.05, lon=3.72, accept_distant_point=True)
    assert not near.point_outside_postcode


def test_a_german_speaker_reads_why_a_dealer_was_skipped_in_german(app):
    c = new_customer(app, "c-skip-de", "4700", language="de")
    app.facts.set_preference(c, "dlr-genk", ago(1))
    view, _ = app.assignment.assign(c)
    assert any("ist am" in s.reason and "öffnet am 2027-03-01" in s.reason for s in view.skipped)


def test_a_place_keeps_its_answer_until_the_network_or_the_day_changes(app):
    """Lookups by place share one answer per postcode, point and day; a network change
    (a new runtime) or another day is answered anew, and another point in the postcode too."""
    first = app.assignment.responsible_for_location("9000", None, None, None)
    assert app.assignment.responsible_for_location("9000", None, None, None) is first
    assert app.assignment.places_use.hits == 1
    point = app.assignment.responsible_for_location("9000", 51.06, 3.72, None)
    assert point is not first and point.point == (51.06, 3.72)
    tomorrow = app.assignment.responsible_for_location("9000", None, None, clock.today() + dt.timedelta(days=1))
    assert tomorrow is not first and tomorrow.decision_date == clock.today() + dt.timedelta(days=1)
    app.network.close_dealer(first.dealer.dealer_id, clock.today(), "test")
    after = app.assignment.responsible_for_location("9000", None, None, None)
    assert after.dealer.dealer_id != first.dealer.dealer_id


def test_customers_whose_facts_name_no_dealer_share_their_places_decision(app):
    """A customer with no purchase, preference or dealer contact is decided as the place: the
    decision is kept per point, postcode, day and language, and shared."""
    app.customers.upsert("place-1", "9000", language="nl")
    # A lead for the brand: a contact with no dealer.
    app.leads.create("place-lead", "place-2", CustomerChange(postcode="9000", language="nl"), (),
                     (LeadContact(LeadKind.BROCHURE, ago(1)),), False, "place-lead", lambda lead: b"")
    assigner, at = app.assignment.assigner, clock.now()
    first = app.assignment.decide(app.store.customers.snapshot("place-1", at), at)
    assert app.assignment.decide(app.store.customers.snapshot("place-2", at), at) is first
    # The lead decided the place first; both customers then had its decision.
    assert (assigner.places_use.hits, assigner.places_use.misses) == (2, 1)
    # Another language is another explanation; another point, another distance.
    app.customers.upsert("place-3", "9000", language="fr")
    app.customers.upsert("place-4", "9000", lat=51.06, lon=3.72, language="nl")
    french = app.assignment.decide(app.store.customers.snapshot("place-3", at), at)
    pointed = app.assignment.decide(app.store.customers.snapshot("place-4", at), at)
    assert french is not first and french.explanation != first.explanation
    assert pointed is not first and pointed.point == (51.06, 3.72)
    assert french.dealer == pointed.dealer == first.dealer


def test_a_dealer_among_the_facts_is_never_decided_from_the_place(app):
    app.customers.upsert("fact-0", "9000", language="nl")
    at = clock.now()
    place = app.assignment.decide(app.store.customers.snapshot("fact-0", at), at)
    app.customers.upsert("fact-1", "9000", language="nl")
    app.facts.record_contact("fact-ev-1", "fact-1", "dlr-aalst", "purchase", ago(30))
    app.customers.upsert("fact-2", "9000", language="nl")
    app.facts.set_preference("fact-2", "dlr-aalst", ago(2))
    app.customers.upsert("fact-3", "9000", language="nl")
    app.facts.record_contact("fact-ev-3", "fact-3", "dlr-aalst", "quote", ago(1))
    for customer_id in ("fact-1", "fact-2", "fact-3"):
        decision = app.assignment.decide(app.store.customers.snapshot(customer_id, at), at)
        # Decided from the facts: the dealer they name is the choice or a runner-up.
        assert decision is not place
        assert "dlr-aalst" in {decision.dealer.dealer_id, *(c.dealer.dealer_id for c in decision.runners_up)}


def test_a_kept_place_decision_is_not_used_with_another_pack_or_network(app):
    app.customers.upsert("net-1", "9000", language="nl")
    before = app.assignment.decide(app.store.customers.snapshot("net-1", clock.now()), clock.now())
    app.network.close_dealer(before.dealer.dealer_id, clock.today(), "test")
    after = app.assignment.decide(app.store.customers.snapshot("net-1", clock.now()), clock.now())
    assert after.dealer.dealer_id != before.dealer.dealer_id



def test_choose_gives_the_dealer_and_basis_decide_gives(tmp_path):
    """A job compares Assigner.choose with the assignment in force and decides in full only
    the customers who change: both must agree for every kind of customer, those with
    coordinates of their own (one nearest dealer asked for, not four) and those whose
    dealers closed included. choose runs first, so no place's kept decision answers it."""
    now = dt.datetime(2026, 6, 1, 10, 0, tzinfo=clock.UTC)
    app = make_app(tmp_path / "choose.db")
    app.synthetic.generate(2000, seed=3, now=now)
    app.network.close_dealer("dlr-antwerpen", clock.today(), "test")
    app.network.close_dealer("dlr-gent", clock.today() + dt.timedelta(days=30), "test")
    runtime = app.runtime.recent()
    ids = [row["id"] for row in app.store.db.rows("SELECT id FROM customers ORDER BY id")]
    kinds = set()
    for at in (now - dt.timedelta(days=3 * 365), clock.now(), clock.now() + dt.timedelta(days=60)):
        for start in range(0, len(ids), 500):
            for snapshot in app.store.customers.snapshots(ids[start:start + 500], at):
                chosen = app.assignment.choose(snapshot, at, runtime)
                decision = app.assignment.decide(snapshot, at, runtime)
                assert chosen == (decision.dealer.dealer_id, decision.basis), snapshot.customer.id
                kinds.add((decision.basis, snapshot.customer.point is not None, bool(decision.skipped)))
    assert {basis for basis, _, _ in kinds} == set(Basis)
    assert any(own_point for _, own_point, _ in kinds) and any(skipped for _, _, skipped in kinds)
