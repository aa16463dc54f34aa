"""The server's distances computed ahead (api/operations.py): in a spawned process, remembered
in the server when done, and ended at once when the server stops."""

import multiprocessing
import time

import pytest

from cocontroller.api.operations import Operations
from cocontroller.domain import geo
from cocontroller.usecases.distances import pairs_ahead
from support import make_app

WAIT_S = 120


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setattr(geo, "_ahead", {})
    return make_app(tmp_path / "ahead.db")


def wait_for(condition) -> bool:
    deadline = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_the_server_computes_every_pair_in_a_process_of_its_own(app):
    network = app.runtime.recent().network
    pairs = pairs_ahead(app.postcodes, network)
    ops = Operations()
    thread = ops.compute_distances({"lexus-be": app})
    try:
        assert wait_for(lambda: not pairs_ahead(app.postcodes, network))
        assert [geo.geodesic_km(*pair) for pair in pairs[:50]] == geo.geodesics_km(pairs[:50])
    finally:
        ops.stopping.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_stopping_server_ends_the_computation_at_once(app):
    ops = Operations()
    thread = ops.compute_distances({"lexus-be": app})
    try:
        assert wait_for(multiprocessing.active_children)
    finally:
        ops.stopping.set()
    thread.join(5)
    assert not thread.is_alive()
    assert multiprocessing.active_children() == []
    assert pairs_ahead(app.postcodes, app.runtime.recent().network)


def test_a_full_table_starts_again_and_the_rest_of_the_pairs_follow(app, monkeypatch):
    network = app.runtime.recent().network
    pairs = pairs_ahead(app.postcodes, network)
    half = len(pairs) // 2
    # Half the pairs held with a placeholder and one pair of another network: the other half
    # does not fit, so the table starts again from it.
    monkeypatch.setattr(geo, "_AHEAD_KEPT", len(pairs))
    geo.remember_ahead(pairs[:half] + [(50.0, 4.0, 51.0, 5.0)], [0.0] * (half + 1))
    ops = Operations()
    thread = ops.compute_distances({"lexus-be": app})
    try:
        assert wait_for(lambda: not pairs_ahead(app.postcodes, network))
    finally:
        ops.stopping.set()
        thread.join(10)
    assert not geo.computed_ahead((50.0, 4.0, 51.0, 5.0))
    assert [geo.geodesic_km(*pair) for pair in pairs[:20]] == geo.geodesics_km(pairs[:20])
