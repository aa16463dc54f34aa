"""Acceptance: every Belgian postcode gets an active authorised dealer, and it is the
geodesically nearest one to the postcode's point (checked by brute force, not the index)."""

import csv
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from geopy.distance import geodesic

GEODATA = Path(__file__).resolve().parents[2] / "geodata"


def sales_dealers_active_today():
    today = dt.datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()
    dealers = json.loads((GEODATA / "demo-dealers.json").read_text(encoding="utf-8"))["dealers"]
    return [
        d for d in dealers
        if "sales" in d["roles"] and d["active_from"] <= today
        and (not d.get("active_until") or today <= d["active_until"])
    ]


def test_every_postcode_gets_its_nearest_active_dealer(client):
    dealers = sales_dealers_active_today()
    assert len(dealers) >= 10
    with open(GEODATA / "postcodes.csv", encoding="utf-8", newline="") as f:
        postcodes = list(csv.DictReader(f))
    assert len(postcodes) > 1100
    active_ids = {d.id for d in client.dealers(active_only=True) if "sales" in d.roles}
    assert active_ids == {d["id"] for d in dealers}
    wrong = []
    for row in postcodes:
        point = (float(row["lat"]), float(row["lon"]))
        a = client.responsible_for_location(row["postcode"])
        assert (a.point.latitude, a.point.longitude) == point, row["postcode"]
        assert a.dealer.active and a.dealer.id in active_ids, (row["postcode"], a.dealer.id)
        distances = {d["id"]: geodesic(point, (d["lat"], d["lon"])).km for d in dealers}
        best = min(distances.values())
        # Ties within a metre may go either way; the answer must be the nearest to 1 m.
        if distances[a.dealer.id] > best + 0.001 or abs(a.distance_km - distances[a.dealer.id]) > 0.001:
            wrong.append((row["postcode"], a.dealer.id, a.distance_km, min(distances, key=distances.get), best))
    assert not wrong, wrong[:20]
