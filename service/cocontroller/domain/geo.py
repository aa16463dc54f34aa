"""Where things are: Belgium's outline for checking customer coordinates, and an exact
k-nearest search by geodesic distance that stays fast however many dealers there are."""

import functools
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy
import shapely
from geographiclib.geodesic import Geodesic

# Points this far outside the outline still count as in Belgium (degrees: 105 m east-west, 165 m
# north-south): the published outline is simplified by 0.001 degrees
_BORDER_TOLERANCE = 0.0015

# The local projection: x = lon * cos(50.5°), y = lat, in km. Between latitudes 47 and 54 a
# planar distance is within 8 % of the geodesic one, so a search radius of 1.10 times a known
# geodesic distance, plus 0.5 km for rounding, holds every point that could be nearer.
_KM_PER_DEGREE = 111.2
_COS_REF = math.cos(math.radians(50.5))
_MIN_LAT, _MAX_LAT = 47.0, 54.0
_MARGIN_FACTOR = 1.10
_MARGIN_KM = 0.5
_FIRST_RADIUS_KM = 5.0
# Up to this many points a search approximates the distance to every one of them.
_SCAN_ALL = 64


_WGS84 = Geodesic.WGS84

# Two points' coordinates (lat, lon, lat, lon): the key of a distance.
Pair = tuple[float, float, float, float]
# Distances computed ahead (usecases/distances.py: every postcode's point to every dealer's),
# by pair. Past this many, the table starts again (it holds about 1,150 postcodes times the
# places dealers have had).
_AHEAD_KEPT = 250_000
_ahead: dict[Pair, float] = {}


def geodesic_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """The distance on the WGS 84 ellipsoid, in km: geopy's geodesic (Karney's algorithm in
    geographiclib). Computed ahead for postcode points (remember_ahead); other answers are
    kept as they are computed, since points repeat."""
    km = _ahead.get((a_lat, a_lon, b_lat, b_lon))
    return _kept_km(a_lat, a_lon, b_lat, b_lon) if km is None else km


def geodesics_km(pairs: Sequence[Pair]) -> list[float]:
    """Each pair's distance as geodesic_km gives it, computed and not kept: what a process of
    its own computes ahead for the server."""
    return [_inverse_km(*pair) for pair in pairs]


def remember_ahead(pairs: Sequence[Pair], kms: Sequence[float]) -> bool:
    """Keeps distances computed ahead (geodesics_km): geodesic_km answers them at once.
    False when the table was full and started again from these: those kept before are
    gone."""
    full = len(_ahead) + len(pairs) > _AHEAD_KEPT
    if full:
        _ahead.clear()
    _ahead.update(zip(pairs, kms))
    return not full


def computed_ahead(pair: Pair) -> bool:
    return pair in _ahead


@functools.lru_cache(maxsize=65536)
def _kept_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    return _inverse_km(a_lat, a_lon, b_lat, b_lon)


def _inverse_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Asked for the distance alone, which halves geographiclib's cost (~80 µs a pair in
    pure Python)."""
    return _WGS84.Inverse(a_lat, a_lon, b_lat, b_lon, Geodesic.DISTANCE)["s12"] / 1000


class BelgiumBoundary:
    """Belgium's outline (belgium.geojson in the data directory), to reject coordinates outside
    Belgium"""

    def __init__(self, path: Path):
        feature = json.loads(Path(path).read_text(encoding="utf-8"))
        self._geometry = shapely.geometry.shape(feature["geometry"]).buffer(_BORDER_TOLERANCE)
        shapely.prepare(self._geometry)

    def contains(self, lat: float, lon: float) -> bool:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return False
        return self._geometry.contains(shapely.Point(lon, lat))


# The WGS 84 ellipsoid, for the approximate distances that decide which points need a geodesic.
# The tangent-plane approximation errs by far less than 0.5 % plus 50 m at these distances
# (tests/test_geo.py compares the search with brute force).
_A_KM = 6378.137
_E2 = 0.00669437999014
_APPROX_RELATIVE = 0.005
_APPROX_KM = 0.05


def _upper(approx_km: float) -> float:
    """The largest geodesic distance an approximate distance can stand for."""
    return (approx_km + _APPROX_KM) / (1 - _APPROX_RELATIVE)


def _project(lat: float, lon: float) -> tuple[float, float]:
    return lon * _COS_REF * _KM_PER_DEGREE, lat * _KM_PER_DEGREE


def _check_latitude(lat: float) -> None:
    if not _MIN_LAT <= lat <= _MAX_LAT:
        raise ValueError(
            f"latitude {lat} is outside {_MIN_LAT}-{_MAX_LAT}, where the search is exact"
        )


class NearestIndex:
    """The k nearest of a fixed set of (id, lat, lon) points by geodesic distance. An STRtree in
    a local projection finds the candidates; the geodesic distance ranks them."""

    def __init__(self, points: Sequence[tuple[str, float, float]]):
        if not points:
            raise ValueError("NearestIndex needs at least one point")
        for _, lat, _ in points:
            _check_latitude(lat)
        self._points = list(points)
        self._lat = numpy.array([lat for _, lat, _ in self._points])
        self._lon = numpy.array([lon for _, _, lon in self._points])
        self._tree = shapely.STRtree([shapely.Point(_project(lat, lon)) for _, lat, lon in self._points])

    def __len__(self) -> int:
        return len(self._points)

    def nearest(self, lat: float, lon: float, k: int = 3) -> list[tuple[str, float]]:
        """Up to k (id, km) pairs, nearest first; ties in metres go by id"""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        _check_latitude(lat)
        x, y = _project(lat, lon)
        origin = shapely.Point(x, y)
        if k >= len(self._points) or len(self._points) <= _SCAN_ALL:
            # Few points (a national dealer network): approximating them all costs less
            # than the tree's queries, and the band below keeps the same points.
            candidates = numpy.arange(len(self._points))
        else:
            # Any k points bound the k-th nearest distance; every point within that bound lies
            # within the margin of it on the plane
            radius = _FIRST_RADIUS_KM
            while True:
                square = shapely.box(x - radius, y - radius, x + radius, y + radius)
                found = self._tree.query(square)
                if len(found) >= k:
                    break
                radius *= 2
            bound = _upper(numpy.partition(self._approx(found, lat, lon), k - 1)[k - 1])
            candidates = self._tree.query(
                origin, predicate="dwithin", distance=bound * _MARGIN_FACTOR + _MARGIN_KM
            )
        # Only a point whose approximate distance lies within the error band of the k-th
        # smallest can be among the k nearest: those alone get the (costly) geodesic
        approx = self._approx(candidates, lat, lon)
        kth = numpy.partition(approx, k - 1)[k - 1] if len(approx) > k else approx.max()
        limit = _upper(kth) * (1 + _APPROX_RELATIVE) + _APPROX_KM
        ranked = sorted(
            (round(self._distance(i, lat, lon), 3), self._points[i][0])
            for i in candidates[approx <= limit]
        )
        return [(id, km) for km, id in ranked[:k]]

    def _approx(self, indexes, lat: float, lon: float):
        """Distances (km) on a plane tangent to the ellipsoid at each pair's mid-latitude:
        within _APPROX_RELATIVE and _APPROX_KM of the geodesic over Belgium's distances."""
        p_lat = self._lat[indexes]
        mid = numpy.radians((p_lat + lat) / 2)
        w = 1 - _E2 * numpy.sin(mid) ** 2
        meridional = _A_KM * (1 - _E2) / w ** 1.5
        normal = _A_KM / numpy.sqrt(w)
        dy = meridional * numpy.radians(p_lat - lat)
        dx = normal * numpy.cos(mid) * numpy.radians(self._lon[indexes] - lon)
        return numpy.hypot(dx, dy)

    def _distance(self, i: int, lat: float, lon: float) -> float:
        _, p_lat, p_lon = self._points[i]
        return geodesic_km(lat, lon, p_lat, p_lon)
