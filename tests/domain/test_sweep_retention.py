"""The retention a sweep asks for (Resolver.retention) is a shortcut through the engine's
answers kept per what the retention rules can tell apart: checked against the full
resolution of many synthetic customers."""

import datetime as dt

from cocontroller import clock
from support import make_app

DAY = dt.date(2026, 11, 3)


def test_the_sweeps_retention_equals_the_full_resolutions(tmp_path):
    app = make_app(tmp_path / "db.sqlite")
    app.synthetic.generate(800, seed=11, now=dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc))
    at = clock.end_of_day(DAY) - dt.timedelta(microseconds=1)
    ids = [row[0] for row in app.store.db.execute("SELECT id FROM customers ORDER BY id")]
    privacy = app.runtime.recent().privacy
    resolver = app.resolution.resolver
    for record in app.store.records.of(ids, at):
        full = app.resolution.resolve(record.customer.id, DAY, "en")
        lean = resolver.retention(privacy, record.history, at,
                                  record.assignment.dealer_id if record.assignment else None)
        assert [(r.id, r.method, r.erase_after) for r in lean] == [
            (r.id, r.method, r.erase_after) for r in full.retention], record.customer.id
    # The batch read gives each customer's record as the one-customer read does.
    for record in app.store.records.of(ids[:200], at):
        assert record == app.store.facts.record_of(record.customer.id, at).parse()
    # Kept per what the retention rules tell apart: a handful of engine calls, not 800.
    assert resolver.retention_use.hits > 10 * resolver.retention_use.misses
