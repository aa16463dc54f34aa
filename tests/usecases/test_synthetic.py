"""The synthetic data generator (`app.synthetic`, over a database created with the demo
network): same seed, same rows; sound references; believable shares."""

import datetime as dt
import hashlib

import pytest

from cocontroller import clock
from cocontroller.domain.enterprise import normalise_enterprise_number
from cocontroller.domain.geo import geodesic_km
from cocontroller.domain.network import Network
from cocontroller.errors import FailedPrecondition
from cocontroller.store.bulk import TABLES
from support import make_app, query

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=clock.UTC)
CUSTOMERS = 20_000


def generate(db_path, customers: int, **kwargs) -> dict[str, int]:
    """Synthetic customers written through `app.synthetic` over `db_path` (created with the
    demo network when it does not exist)."""
    app = make_app(db_path)
    try:
        return app.synthetic.generate(customers, **kwargs)
    finally:
        app.store.close()


def table_hashes(db_path) -> dict[str, str]:
    return {table: hashlib.sha256(repr(query(db_path, f"SELECT * FROM {table} ORDER BY 1")).encode()).hexdigest()
            for table in TABLES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A database with CUSTOMERS synthetic customers, and the counts generate() returned."""
    path = tmp_path_factory.mktemp("synthetic") / "db.sqlite"
    return path, generate(path, CUSTOMERS, seed=7, now=NOW, batch=6000)


def scalar(db, sql, params=()):
    return query(db, sql, params)[0][0]


def test_same_seed_gives_the_same_rows_whatever_the_batch(tmp_path):
    generate(tmp_path / "a.sqlite", 3000, seed=1, now=NOW)
    generate(tmp_path / "b.sqlite", 3000, seed=1, now=NOW, batch=700)
    assert table_hashes(tmp_path / "a.sqlite") == table_hashes(tmp_path / "b.sqlite")


def test_another_seed_gives_other_rows(tmp_path):
    generate(tmp_path / "a.sqlite", 3000, seed=1, now=NOW)
    generate(tmp_path / "b.sqlite", 3000, seed=2, now=NOW)
    a, b = table_hashes(tmp_path / "a.sqlite"), table_hashes(tmp_path / "b.sqlite")
    assert all(a[table] != b[table] for table in TABLES)


def test_refuses_to_generate_twice(tmp_path):
    generate(tmp_path / "db.sqlite", 10, seed=1, now=NOW)
    with pytest.raises(FailedPrecondition, match="already holds synthetic"):
        generate(tmp_path / "db.sqlite", 10, seed=2, now=NOW)


def test_reported_counts_are_the_rows_written(generated):
    path, counts = generated
    assert counts == {table: scalar(path, f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    assert counts["customers"] == CUSTOMERS
    assert scalar(path, "SELECT MIN(id) || ' ' || MAX(id) FROM customers") == "syn-0000001 syn-0020000"


@pytest.mark.sqlite_only
def test_references_hold(generated):
    path, _ = generated
    assert query(path, "PRAGMA foreign_key_check") == []


def test_every_contact_is_at_a_dealer_active_that_day_during_opening_hours(generated):
    path, _ = generated
    network = make_app(path).runtime.current.network
    earliest = NOW - dt.timedelta(days=1827)
    for dealer_id, occurred_at in query(path, "SELECT dealer_id, occurred_at FROM contact_events"):
        at = clock.from_text(occurred_at)
        assert clock.to_text(at) == occurred_at
        local = at.astimezone(clock.BRUSSELS)
        assert network.version_on(dealer_id, local.date()) is not None, (dealer_id, occurred_at)
        assert earliest < at < NOW
        assert local.weekday() < 6 and dt.time(8, 30) <= local.time() < dt.time(18, 30)


def test_preferred_dealers_sell_and_were_active_when_designated(generated):
    path, _ = generated
    network = make_app(path).runtime.current.network
    for dealer_id, designated_at in query(path, "SELECT dealer_id, designated_at FROM preferences"):
        version = network.version_on(dealer_id, clock.day_of(clock.from_text(designated_at)))
        assert version is not None and network.eligible(version)


def test_sampled_contacts_are_at_one_of_the_three_nearest_dealers(generated):
    """Purchases go to a sales dealer, service visits to any service dealer, near the postcode."""
    path, _ = generated
    app = make_app(path)
    sales = app.runtime.current.network
    service = Network(sales.versions, ("service",))
    for kind, network in (("purchase", sales), ("service_visit", service)):
        every = query(path, "SELECT c.postcode, e.dealer_id, e.occurred_at FROM contact_events e"
                            " JOIN customers c ON c.id = e.customer_id WHERE e.kind = ? ORDER BY e.event_id", [kind])
        sample = every[::37][:150]
        assert len(sample) == 150
        for postcode, dealer_id, occurred_at in sample:
            pc = app.postcodes.get(postcode)
            day = clock.day_of(clock.from_text(occurred_at))
            nearest = [v.dealer_id for v, _ in network.nearest(pc.lat, pc.lon, day, 3)]
            assert dealer_id in nearest, (kind, postcode, day)


def test_customers_live_where_the_people_live(generated):
    path, _ = generated
    directory = make_app(path).postcodes
    by_province = {}
    for postcode, n in query(path, "SELECT postcode, COUNT(*) FROM customers GROUP BY postcode"):
        pc = directory.get(postcode)
        key = pc.province_refnis or pc.region_refnis
        by_province[key] = by_province.get(key, 0) + n
    # Antwerpen 1,926,000 against Luxembourg 293,000: 6.6 to 1, with the same number of postcodes
    assert 5.5 < by_province["10000"] / by_province["80000"] < 7.8
    assert 0.09 < by_province["04000"] / CUSTOMERS < 0.125
    assert len(by_province) == 11


def test_own_points_lie_in_belgium_near_their_postcode(generated):
    path, _ = generated
    app = make_app(path)
    points = query(path, "SELECT postcode, lat, lon FROM customers WHERE lat IS NOT NULL")
    assert 0.065 < len(points) / CUSTOMERS < 0.095
    for postcode, lat, lon in points:
        pc = app.postcodes.get(postcode)
        assert app.boundary.contains(lat, lon)
        assert geodesic_km(lat, lon, pc.lat, pc.lon) < 2.1


def test_professionals_carry_valid_enterprise_numbers(generated):
    path, _ = generated
    rows = query(path, "SELECT kind, enterprise_number FROM customers")
    numbers = [number for kind, number in rows if kind == "professional"]
    assert 0.06 < len(numbers) / CUSTOMERS < 0.08
    assert all(normalise_enterprise_number(number) == number for number in numbers)
    assert all(number is None for kind, number in rows if kind == "private")


def test_languages_follow_the_language_area(generated):
    path, _ = generated
    directory = make_app(path).postcodes
    brussels = {"fr": 0, "nl": 0, "en": 0}
    for postcode, language in query(path, "SELECT postcode, language FROM customers"):
        area = directory.get(postcode).language_area
        if area == "nl-fr":
            brussels[language] += 1
        else:
            assert language == area
    total = sum(brussels.values())
    assert 0.55 < brussels["fr"] / total < 0.65
    assert 0.30 < brussels["nl"] / total < 0.40
    assert 0.02 < brussels["en"] / total < 0.08


def test_history_has_believable_shares(generated):
    path, counts = generated
    assert 3.0 < counts["contact_events"] / CUSTOMERS < 4.0
    assert scalar(path, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM contact_events GROUP BY customer_id) per") <= 12
    kinds = dict(query(path, "SELECT kind, COUNT(*) FROM contact_events GROUP BY kind"))
    assert 0.32 < kinds["purchase"] / CUSTOMERS < 0.38
    ordered = sorted(kinds, key=kinds.get, reverse=True)
    assert ordered[:2] == ["service_visit", "showroom_visit"]
    assert kinds["complaint"] < kinds["other"] < kinds["brochure"]
    assert 0.05 < counts["preferences"] / CUSTOMERS < 0.07
    assert scalar(path, "SELECT COUNT(*) FROM preferences WHERE revoked_at IS NOT NULL") > 0


def test_contracts_have_believable_shares_and_dates(generated):
    path, _ = generated
    shares = {kind: n / CUSTOMERS for kind, n in query(path, "SELECT kind, COUNT(*) FROM contracts GROUP BY kind")}
    expected = {"purchase": 0.315, "lease": 0.10, "financing": 0.06, "insurance": 0.08,
                "maintenance": 0.15}
    assert shares == pytest.approx(expected, abs=0.015)
    assert scalar(path, "SELECT COUNT(*) FROM contracts WHERE end_date < start_date") == 0
    assert scalar(path, "SELECT COUNT(*) FROM contracts WHERE kind = 'purchase' AND end_date != start_date") == 0
    assert scalar(path, "SELECT COUNT(*) FROM contracts WHERE kind = 'insurance' AND partner != 'Car Security SA'") == 0
    running = scalar(path, "SELECT COUNT(*) FROM contracts WHERE kind = 'lease' AND end_date >= ?",
                     [NOW.date().isoformat()])
    assert 0 < running < scalar(path, "SELECT COUNT(*) FROM contracts WHERE kind = 'lease'")


def test_consents_and_disputes_have_believable_shares(generated):
    path, _ = generated
    shares = {channel: n / CUSTOMERS for channel, n in query(
        path, "SELECT channel, COUNT(DISTINCT customer_id) FROM consents GROUP BY channel")}
    assert shares == pytest.approx({"email": 0.45, "sms": 0.20, "phone": 0.15, "post": 0.25,
                                    "social": 0.10}, abs=0.015)
    withdrawn = scalar(path, "SELECT COUNT(withdrawn_at) FROM consents") / scalar(path, "SELECT COUNT(*) FROM consents")
    assert 0.10 < withdrawn < 0.20
    assert scalar(path, "SELECT COUNT(*) FROM consents WHERE withdrawn_at <= given_at") == 0
    open_ = scalar(path, "SELECT COUNT(*) FROM disputes WHERE closed_at IS NULL")
    assert 0.001 < open_ / CUSTOMERS < 0.006
    assert scalar(path, "SELECT COUNT(*) FROM disputes WHERE closed_at IS NOT NULL") > open_
    assert scalar(path, "SELECT COUNT(*) FROM disputes WHERE closed_at <= opened_at") == 0


def test_customers_are_created_at_their_first_fact(generated):
    path, _ = generated
    assert scalar(path, "SELECT COUNT(*) FROM contact_events e JOIN customers c"
                        " ON c.id = e.customer_id WHERE e.occurred_at < c.created_at") == 0


def test_hundred_thousand_customers(tmp_path):
    counts = generate(tmp_path / "db.sqlite", 100_000, seed=3, now=NOW)
    assert counts["customers"] == 100_000
    assert 300_000 < counts["contact_events"] < 400_000
    assert 100_000 < counts["consents"] < 130_000
