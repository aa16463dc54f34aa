"""Input checks shared by the use cases. Each appends (field, description) violations rather
than raising, so an entry point reports everything wrong with a request at once."""

import datetime as dt
import math
import re

from . import clock
from .geo import BelgiumBoundary
from .postcodes import Postcode, PostcodeDirectory, PostcodeError

LANGUAGES = ("nl", "fr", "de", "en")
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Clocks differ: an event stamped a little ahead of ours is still accepted.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def check_id(value: str, field: str, violations: list) -> None:
    if not value:
        violations.append((field, "is required"))
    elif not _ID.match(value):
        violations.append((field, f"{value!r} must be 1 to 64 of A-Z a-z 0-9 . _ : -"))


def check_instant(at: dt.datetime | None, field: str, violations: list) -> None:
    """A recorded fact's time: not in the future, and within the days the service handles."""
    if at is None:
        return
    if at > clock.now() + FUTURE_TOLERANCE:
        violations.append((field, f"{at.isoformat()} is in the future"))
    elif not clock.in_range(at.date()):
        violations.append((field, f"{at.isoformat()} is before {clock.EARLIEST}"))


def check_one_instant(instants: dict[str, dt.datetime | None], violations: list) -> None:
    """Exactly one of two times (a consent given or withdrawn, a dispute opened or closed)."""
    (first, a), (second, b) = instants.items()
    if (a is None) == (b is None):
        violations.append((first, f"give either {first} or {second}"))
    check_instant(a, first, violations)
    check_instant(b, second, violations)


def check_postcode(postcodes: PostcodeDirectory, code: str, field: str, violations: list) -> Postcode | None:
    try:
        return postcodes.get(code)
    except PostcodeError as e:
        violations.append((field, str(e)))
        return None


def check_point(boundary: BelgiumBoundary, lat, lon, field: str, violations: list) -> tuple[float, float] | None:
    """Optional WGS84 coordinates, both or neither, inside Belgium."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        violations.append((field, "give both latitude and longitude, or neither"))
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        violations.append((field, "coordinates must be finite numbers"))
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        violations.append((field, f"({lat}, {lon}) are not WGS84 coordinates"))
    elif not boundary.contains(lat, lon):
        violations.append((field, f"({lat:.5f}, {lon:.5f}) lies outside Belgium"))
    else:
        return (lat, lon)
    return None
