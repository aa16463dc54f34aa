"""Distances computed ahead (usecases/distances.py): every postcode paired with every place of
an assignable dealer, an opened dealer's place added alone, and decisions that then compute
no geodesic while staying exact (brute force with geopy)."""

import datetime as dt

import pytest
from geopy.distance import geodesic

from cocontroller import clock
from cocontroller.domain import geo
from cocontroller.usecases.distances import pairs_ahead
from network_world import NEW_DEALER, dealer_fields
from support import make_app

SAMPLE = ("1000", "2000", "3000", "4000", "5000", "6000", "6700", "8000", "8900", "9000", "9800")


@pytest.fixture
def table(monkeypatch):
    """An empty table of distances computed ahead, this test's own."""
    monkeypatch.setattr(geo, "_ahead", {})
    geo._kept_km.cache_clear()


def refuse(*pair):
    raise AssertionError(f"a geodesic was computed on demand: {pair}")


def test_the_pairs_are_every_postcode_with_every_assignable_dealers_place(tmp_path, table):
    app = make_app(tmp_path / "pairs.db")
    network = app.runtime.recent().network
    places = {(v.lat, v.lon) for v in network.versions if network.eligible(v)}
    others = {(v.lat, v.lon) for v in network.versions} - places
    pairs = pairs_ahead(app.postcodes, network)
    points = {(pc.lat, pc.lon) for pc in app.postcodes}
    assert len(pairs) == len(set(pairs)) == len(points) * len(places)
    assert {(a, b) for _, _, a, b in pairs} == places and {(a, b) for a, b, _, _ in pairs} == points
    assert not any((a, b) in others for _, _, a, b in pairs)
    geo.remember_ahead(pairs, [0.0] * len(pairs))
    assert pairs_ahead(app.postcodes, network) == []


def test_an_opened_dealer_adds_its_own_place_alone(tmp_path, table):
    app = make_app(tmp_path / "opened.db")
    before = pairs_ahead(app.postcodes, app.runtime.recent().network)
    geo.remember_ahead(before, [0.0] * len(before))
    added = app.network.add_dealer(NEW_DEALER["id"], dealer_fields(NEW_DEALER), clock.today(), "test").dealer
    after = pairs_ahead(app.postcodes, app.runtime.recent().network)
    assert after == [(lat, lon, added.lat, added.lon) for lat, lon in sorted({(pc.lat, pc.lon) for pc in app.postcodes})]


def test_decisions_after_the_distances_are_computed_ahead_compute_none_and_stay_exact(tmp_path, table, monkeypatch):
    app = make_app(tmp_path / "ahead.db")
    network = app.runtime.recent().network
    pairs = pairs_ahead(app.postcodes, network)
    geo.remember_ahead(pairs, geo.geodesics_km(pairs))
    monkeypatch.setattr(geo, "_inverse_km", refuse)
    today = clock.today()
    for code in SAMPLE:
        pc = app.postcodes.get(code)
        view = app.assignment.responsible_for_location(code, None, None, today + dt.timedelta(days=1))
        exact = {v.dealer_id: geodesic((pc.lat, pc.lon), (v.lat, v.lon)).km
                 for v in network.versions if network.eligible(v) and v.active_on(today + dt.timedelta(days=1))}
        nearest = min(exact, key=lambda d: (round(exact[d], 3), d))
        assert view.dealer.dealer_id == nearest, code
        assert view.distance_km == pytest.approx(exact[nearest], abs=0.001), code
