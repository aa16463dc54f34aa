"""Instants and days. Instants are stored as fixed-width UTC ISO text so that they sort as
text; a day is a calendar day in Brussels, and a decision "as of" a day speaks for the end
of that day."""

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.timezone.utc


# A rehearsal runs the service as if it were another instant (Settings.clock_at, on a copy of
# the data): the shift is added to the real time, so the clock still runs. Zero otherwise.
_shift = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(UTC) + _shift


def shift_to(instant: dt.datetime) -> None:
    """From here on, this process's clock reads `instant` and runs on from it."""
    global _shift
    _shift = instant - dt.datetime.now(UTC)


def offset() -> dt.timedelta:
    """How far this process's clock is shifted (a rehearsal's), for a process it starts."""
    return _shift


def set_offset(shift: dt.timedelta) -> None:
    """This process's clock shifted as another's (`offset`)."""
    global _shift
    _shift = shift


def today() -> dt.date:
    return now().astimezone(BRUSSELS).date()


def day_of(instant: dt.datetime) -> dt.date:
    return instant.astimezone(BRUSSELS).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in Brussels: what was in force on `day` was in force
    just before it."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BRUSSELS)
    return start.astimezone(UTC)


# The days the service reasons about; outside them date arithmetic (a day after, five years
# before) would leave what datetime can hold.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def to_text(instant: dt.datetime) -> str:
    """The stored text of an instant: `isoformat` in UTC to the microsecond, with "Z". Written
    out here: a lead stores eight, and isoformat's offset costs more than the rest together."""
    if instant.tzinfo is None:
        raise ValueError("instants must carry a time zone")
    u = instant.astimezone(UTC)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond)


# The stored text of an instant read back: the C parser itself, without a Python call around
# it (a batch job reads millions).
from_text: Callable[[str], dt.datetime] = dt.datetime.fromisoformat


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 date-time; one without an offset is read as Brussels time, and a bare
    date as its start in Brussels."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=BRUSSELS)
    return value.astimezone(UTC)
