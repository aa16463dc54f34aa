"""Belgium's outline, geodesic distances and the exactness of NearestIndex"""

import json
import random

import pytest

from cocontroller.domain import geo
from cocontroller.domain.geo import BelgiumBoundary, NearestIndex, geodesic_km
from cocontroller.domain.postcodes import PostcodeDirectory
from cocontroller.resources import data_dir as geodata_dir


def brute_force(points, lat, lon):
    """Every point by (distance rounded to 1 m, id), as NearestIndex ranks them"""
    ranked = sorted(
        (round(geodesic_km(lat, lon, p_lat, p_lon), 3), id) for id, p_lat, p_lon in points
    )
    return [(id, km) for km, id in ranked]


@pytest.fixture(scope="module")
def boundary():
    return BelgiumBoundary(geodata_dir() / "belgium.geojson")


@pytest.mark.parametrize(
    "lat,lon,inside",
    [
        (50.8467, 4.3525, True),  # Brussel, Grote Markt
        (51.2194, 4.4025, True),  # Antwerpen
        (49.6833, 5.8167, True),  # Arlon
        (50.6279, 6.0365, True),  # Eupen
        (51.5890, 4.7760, False),  # Breda
        (48.8566, 2.3522, False),  # Paris
        (51.9244, 4.4777, False),  # Rotterdam
        (50.7753, 6.0839, False),  # Aachen
        (49.6116, 6.1319, False),  # Luxembourg
        (51.5, 2.5, False),  # North Sea
        (float("nan"), 4.35, False),
    ],
)
def test_boundary(boundary, lat, lon, inside):
    assert boundary.contains(lat, lon) is inside


def test_geodesic_km():
    assert geodesic_km(50.8467, 4.3525, 51.2194, 4.4025) == pytest.approx(41.6, abs=0.5)
    assert geodesic_km(50.0, 4.0, 50.0, 4.0) == 0


def test_distances_computed_ahead_are_those_computed_on_demand(monkeypatch):
    pairs = [(50.8467, 4.3525, 51.2194, 4.4025), (49.6783, 5.8147, 51.3201, 3.2088), (50.5, 4.5, 50.5, 4.5)]
    computed = geo.geodesics_km(pairs)
    assert computed == [geo._kept_km(*pair) for pair in pairs]
    geo.remember_ahead(pairs, computed)
    assert all(geo.computed_ahead(pair) for pair in pairs)

    def refuse(*pair):
        raise AssertionError(f"{pair} was computed again")

    monkeypatch.setattr(geo, "_inverse_km", refuse)
    geo._kept_km.cache_clear()
    assert [geodesic_km(*pair) for pair in pairs] == computed
    assert not geo.computed_ahead((50.0, 4.0, 51.0, 4.0))


def test_a_full_table_of_distances_starts_again(monkeypatch):
    monkeypatch.setattr(geo, "_ahead", {})
    monkeypatch.setattr(geo, "_AHEAD_KEPT", 3)
    first, second = [(50.0, 4.0, 50.1, 4.0), (50.0, 4.0, 50.2, 4.0)], [(50.0, 4.0, 50.3, 4.0), (50.0, 4.0, 50.4, 4.0)]
    assert geo.remember_ahead(first, geo.geodesics_km(first))
    assert not geo.remember_ahead(second, geo.geodesics_km(second))
    assert [geo.computed_ahead(pair) for pair in first + second] == [False, False, True, True]


def test_nearest_for_every_postcode_with_demo_dealers():
    doc = json.loads((geodata_dir() / "demo-dealers.json").read_text(encoding="utf-8"))
    points = [(d["id"], d["lat"], d["lon"]) for d in doc["dealers"]]
    index = NearestIndex(points)
    for p in PostcodeDirectory(geodata_dir() / "postcodes.csv"):
        assert index.nearest(p.lat, p.lon, k=3) == brute_force(points, p.lat, p.lon)[:3], p.postcode


def test_nearest_random_network():
    rng = random.Random(20261124)
    points = [
        (f"p{i:04d}", rng.uniform(49.5, 51.5), rng.uniform(2.5, 6.4)) for i in range(2000)
    ]
    index = NearestIndex(points)
    for _ in range(60):
        lat, lon = rng.uniform(49.4, 51.6), rng.uniform(2.4, 6.5)
        expected = brute_force(points, lat, lon)
        for k in (1, 3, 10):
            assert index.nearest(lat, lon, k) == expected[:k], (lat, lon, k)


def test_nearest_small_network_scans_every_point():
    # At most geo._SCAN_ALL points: no tree query, the same answers as brute force
    rng = random.Random(20261205)
    points = [(f"s{i:02d}", rng.uniform(49.5, 51.5), rng.uniform(2.5, 6.4)) for i in range(60)]
    index = NearestIndex(points)
    for _ in range(200):
        lat, lon = rng.uniform(49.4, 51.6), rng.uniform(2.4, 6.5)
        expected = brute_force(points, lat, lon)
        for k in (1, 4, 10):
            assert index.nearest(lat, lon, k) == expected[:k], (lat, lon, k)


def test_nearest_clustered_network():
    # Far-apart clusters: the first search box finds nothing and must grow
    rng = random.Random(7)
    points = [
        (f"c{i:03d}", lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01))
        for i, (lat, lon) in enumerate([(49.6, 5.8), (51.3, 3.0)] * 50)
    ]
    index = NearestIndex(points)
    for lat, lon in [(50.5, 4.5), (49.6, 5.8), (51.5, 2.6)]:
        expected = brute_force(points, lat, lon)
        for k in (1, 5, 60):
            assert index.nearest(lat, lon, k) == expected[:k]


def test_nearest_ties_go_by_id():
    index = NearestIndex([("b", 50.5, 4.5), ("a", 50.5, 4.5), ("c", 50.6, 4.5)])
    assert [id for id, _ in index.nearest(50.5, 4.5, k=2)] == ["a", "b"]


def test_nearest_k_larger_than_the_index():
    index = NearestIndex([("a", 50.5, 4.5), ("b", 50.6, 4.5)])
    assert [id for id, _ in index.nearest(50.61, 4.5, k=5)] == ["b", "a"]


def test_nearest_rejects():
    with pytest.raises(ValueError):
        NearestIndex([])
    index = NearestIndex([("a", 50.5, 4.5)])
    with pytest.raises(ValueError):
        index.nearest(50.5, 4.5, k=0)
    with pytest.raises(ValueError):
        index.nearest(40.4, -3.7)
