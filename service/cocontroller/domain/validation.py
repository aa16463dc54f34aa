"""Input checks shared by the use cases. Each adds (field, description) violations rather
than raising, so an entry point reports everything wrong with a request at once."""

import datetime as dt
import math
import re
from enum import StrEnum
from typing import TypeVar

from .. import clock
from ..errors import Violations, shown
from ..model import Postcode
from .geo import BelgiumBoundary, geodesic_km
from .postcodes import PostcodeDirectory, PostcodeError, municipality_name

E = TypeVar("E", bound=StrEnum)
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Clocks differ: an event stamped a little ahead of ours is still accepted.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

# The longest free texts and lists accepted: every stored text is bounded, so no request can
# store a value that makes later answers (a list of dealers, an audit page) too big to send.
MAX_NAME = 200  # a dealer's legal or trade name, a contract's partner
MAX_STREET = 200
MAX_TOWN = 100
MAX_ENTERPRISE_NUMBER = 32  # room for spaces, dots and the BE prefix
MAX_SUBJECT = 500  # a dispute's subject
MAX_REASON = 300  # an assignment's trigger as the audit names it (who asked, and why); a rectification's reason
MAX_CODES = 10  # a dealer's languages or roles
MAX_SCOPE = 2000  # postcodes or dealer ids in a job's scope (Belgium has about 1,150 postcodes)
MAX_NOTICE_IDS = 10_000  # notices marked exported in one call


def check_known_at(known_at: dt.datetime | None, violations: Violations) -> None:
    """A recorded-time question asks what the service knew at an instant: not yet known of
    the future, whose answer would change as the service learns more."""
    if known_at is not None and known_at > clock.now() + FUTURE_TOLERANCE:
        violations.add("known_on", f"{known_at.isoformat()} is in the future: ask what was known up to now")


def check_text(value: str, field: str, violations: Violations, max_chars: int) -> None:
    if len(value) > max_chars:
        violations.add(field, f"must be at most {max_chars} characters, got {len(value)}")


def check_count(items, field: str, violations: Violations, max_items: int) -> None:
    if len(items) > max_items:
        violations.add(field, f"must hold at most {max_items} items, got {len(items)}")


def check_id(value: str, field: str, violations: Violations) -> None:
    if not value:
        violations.add(field, "is required")
    elif not _ID.match(value):
        violations.add(field, f"{shown(value)} must be 1 to 64 of A-Z a-z 0-9 . _ : -")


def check_choice(vocabulary: type[E], value: str, field: str, violations: Violations) -> E | None:
    """The member of a closed vocabulary named by `value`, or a violation listing them."""
    try:
        return vocabulary(value)
    except ValueError:
        violations.add(field, f"must be one of {', '.join(vocabulary)}")
        return None


def check_instant(at: dt.datetime | None, field: str, violations: Violations) -> None:
    """A recorded fact's time: not in the future, and within the days the service handles."""
    if at is None:
        return
    if at > clock.now() + FUTURE_TOLERANCE:
        violations.add(field, f"{at.isoformat()} is in the future")
    elif not clock.in_range(at.date()):
        violations.add(field, f"{at.isoformat()} is before {clock.EARLIEST}")


def check_one_instant(
    first: str, a: dt.datetime | None, second: str, b: dt.datetime | None, violations: Violations
) -> None:
    """Exactly one of two times (a consent given or withdrawn, a dispute opened or closed)."""
    if (a is None) == (b is None):
        violations.add(first, f"give either {first} or {second}")
    check_instant(a, first, violations)
    check_instant(b, second, violations)


def check_postcode(
    postcodes: PostcodeDirectory, code: str, field: str, violations: Violations
) -> Postcode | None:
    try:
        return postcodes.get(code)
    except PostcodeError as e:
        violations.add(field, str(e))
        return None


# How far given coordinates may lie from their postcode's point (km). The point is the
# centre GeoNames gives a postcode; the largest Belgian postcode areas (merged rural
# municipalities such as Tournai, 214 km2, or Vaux-sur-Sûre, 136 km2) reach about 15 km from
# it, so a point farther than this is an address in another postcode or a typo (a swapped
# latitude and longitude lands 100 km or more away), and deciding on it would pick the wrong
# dealer without a word.
POSTCODE_TOLERANCE_KM = 20.0


def check_point_in_postcode(
    pc: Postcode | None, point: tuple[float, float] | None, field: str, violations: Violations,
    accept_distant: bool = False,
) -> bool:
    """Coordinates given with a postcode must lie within POSTCODE_TOLERANCE_KM of it, unless
    the caller accepts a distant point explicitly. Returns whether the point lies beyond."""
    if pc is None or point is None:
        return False
    km = geodesic_km(point[0], point[1], pc.lat, pc.lon)
    if km > POSTCODE_TOLERANCE_KM and not accept_distant:
        violations.add(field, f"({point[0]:.5f}, {point[1]:.5f}) lies {km:.0f} km from postcode "
                              f"{pc.postcode} ({municipality_name(pc, 'en')}); coordinates must lie within "
                              f"{POSTCODE_TOLERANCE_KM:.0f} km of their postcode, unless accepted as distant")
    return km > POSTCODE_TOLERANCE_KM


def check_point(
    boundary: BelgiumBoundary, lat: float | None, lon: float | None, field: str, violations: Violations
) -> tuple[float, float] | None:
    """Optional WGS84 coordinates, both or neither, inside Belgium."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        violations.add(field, "give both latitude and longitude, or neither")
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        violations.add(field, "coordinates must be finite numbers")
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        violations.add(field, f"({lat}, {lon}) are not WGS84 coordinates")
    elif not boundary.contains(lat, lon):
        violations.add(field, f"({lat:.5f}, {lon:.5f}) lies outside Belgium")
    else:
        return (lat, lon)
    return None
