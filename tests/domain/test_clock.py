"""The stored text of instants: fixed-width UTC, so that text order is time order."""

import datetime as dt

import pytest

from cocontroller import clock

INSTANTS = [
    dt.datetime(2026, 12, 6, 21, 44, 24, 123456, tzinfo=clock.UTC),
    dt.datetime(2026, 3, 29, 2, 30, tzinfo=clock.BRUSSELS),  # the spring gap
    dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=clock.BRUSSELS),  # the autumn's second 02:30
    dt.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(1900, 1, 1, tzinfo=clock.UTC),
    dt.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=14))),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_an_instant_is_stored_as_its_isoformat_in_utc(instant):
    expected = instant.astimezone(clock.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert clock.to_text(instant) == expected
    # As timestamps: datetime never calls equal an instant of a gap or a fold and one in
    # another zone.
    assert clock.from_text(clock.to_text(instant)).timestamp() == instant.timestamp()


def test_stored_instants_sort_as_text_in_time_order():
    ordered = sorted(INSTANTS)
    assert sorted(INSTANTS, key=clock.to_text) == ordered


def test_an_instant_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        clock.to_text(dt.datetime(2026, 1, 1))
