"""Oversized input is refused with a field violation per field, and no message repeats more
than a short prefix of a bad value."""

import datetime as dt

import pytest

from cocontroller.errors import InvalidArgument
from cocontroller.model import DealerFields, Scope

HUGE = "x" * 100_000
UTC = dt.timezone.utc


def violations(call) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as e:
        call()
    return dict(e.value.violations)


def dealer(**changes) -> DealerFields:
    fields = dict(legal_name="Fuzz NV", street="Kerkstraat 1", postcode="9000", town="Gent",
                  enterprise_number="BE 0403.170.701", languages=("nl",), roles=("sales",))
    return DealerFields(**{**fields, **changes})


def test_every_free_text_of_a_dealer_is_bounded(app):
    found = violations(lambda: app.network.add_dealer(
        "dlr-huge", dealer(legal_name=HUGE, trade_name=HUGE, street=HUGE, town=HUGE, enterprise_number=HUGE,
                           languages=("nl",) * 11, roles=("sales",) * 11),
        dt.date(2026, 1, 1), "test"))
    for field in ("legal_name", "trade_name", "street", "town", "enterprise_number", "languages", "roles"):
        assert f"dealer.{field}" in found, found
    assert all(len(text) < 200 for text in found.values()), found


def test_facts_free_texts_are_bounded(app):
    app.customers.upsert("limits-1", "9000")
    found = violations(lambda: app.facts.record_contract(
        "lease-1", "limits-1", "lease", HUGE, "", dt.date(2025, 1, 1), None))
    assert set(found) == {"partner"}
    found = violations(lambda: app.facts.record_dispute(
        "limits-1", dt.datetime(2025, 1, 1, tzinfo=UTC), None, HUGE))
    assert set(found) == {"subject"}
    found = violations(lambda: app.assignment.assign("limits-1", "api:" + HUGE))
    assert set(found) == {"reason"}


def test_lists_in_a_request_are_bounded(app):
    found = violations(lambda: list(app.reassign.run(
        "limits-job", Scope(("9000",) * 2001, ("dlr-gent",) * 2001), dry_run=True)))
    assert {"scope.postcodes", "scope.dealer_ids"} <= set(found)
    assert "notice_ids" in violations(lambda: app.audit.mark_notices_exported(list(range(10_001))))


def test_bad_values_are_echoed_as_a_short_prefix(app):
    found = violations(lambda: app.customers.upsert(HUGE, HUGE, kind="professional", enterprise_number="1" * 30))
    assert set(found) == {"id", "postcode", "enterprise_number"}
    assert all(len(text) < 200 for text in found.values()), found
    assert found["id"].startswith("'" + "x" * 64 + "'…")
    found = violations(lambda: list(app.reassign.run("limits-job", Scope(tuple(HUGE[:70] + str(n) for n in range(9))),
                                                    dry_run=True)))
    assert len(found["scope.postcodes"]) < 500 and found["scope.postcodes"].endswith("…")
