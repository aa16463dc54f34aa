"""The retention sweep at the use-case level: who it erases, restricts or leaves, that a dry
run writes nothing, that it resumes where it stopped with counts from the store, and that a
restricted customer is erased on its date."""

import datetime as dt
import threading

import pytest

from cocontroller.errors import FailedPrecondition, InvalidArgument
from cocontroller.model import ErasureOutcome, Scope
from support import PROOF, query, table_rows

UTC = dt.timezone.utc


def at(year, month, day):
    return dt.datetime(year, month, day, 10, tzinfo=UTC)


@pytest.fixture
def people(app):
    """One of each: a prospect whose periods ran out, a buyer whose accounting records the
    law still keeps, a buyer whose every period ran out, a recent customer, one whose old
    data an open dispute holds, and one whose consent stands."""
    app.customers.upsert("s-prospect", "9000")
    app.facts.record_contact("", "s-prospect", "dlr-gent", "test_drive_request", at(2022, 3, 1))
    app.customers.upsert("s-buyer", "9000")
    app.facts.record_contact("", "s-buyer", "dlr-gent", "purchase", at(2021, 6, 1))
    app.customers.upsert("s-old-buyer", "9000")
    app.facts.record_contact("", "s-old-buyer", "dlr-gent", "purchase", at(2014, 6, 1))
    app.customers.upsert("s-recent", "9000")
    app.facts.record_contact("", "s-recent", "dlr-gent", "quote", at(2026, 9, 1))
    app.customers.upsert("s-disputed", "9000")
    app.facts.record_contact("", "s-disputed", "dlr-gent", "quote", at(2020, 1, 1))
    app.facts.record_dispute("s-disputed", at(2020, 2, 1), None, "quote")
    app.customers.upsert("s-consented", "9000")
    app.facts.record_contact("", "s-consented", "dlr-gent", "brochure", at(2020, 1, 1))
    app.facts.record_consent("s-consented", "post", at(2020, 1, 1), None, PROOF)
    for customer_id in ("s-prospect", "s-buyer", "s-old-buyer", "s-recent", "s-disputed", "s-consented"):
        app.assignment.assign(customer_id)
    return app


EXPECTED = {"s-prospect": ErasureOutcome.ERASED, "s-buyer": ErasureOutcome.RESTRICTED,
            "s-old-buyer": ErasureOutcome.ERASED}


def test_a_dry_run_names_who_and_writes_nothing(people):
    before = table_rows(people.settings.db)
    progress = list(people.sweep.run("dry", dry_run=True))
    assert table_rows(people.settings.db) == before
    assert {i.customer_id: i.outcome for p in progress for i in p.items} == EXPECTED
    buyer = next(i for p in progress for i in p.items if i.customer_id == "s-buyer")
    assert buyer.erase_on == dt.date(2029, 1, 1)
    last = progress[-1]
    assert last.finished and (last.total, last.processed, last.acted) == (6, 6, 3)
    assert dict(last.outcomes) == {ErasureOutcome.ERASED: 2, ErasureOutcome.RESTRICTED: 1}


def test_an_applied_sweep_erases_restricts_and_leaves_as_the_pack_says(people):
    progress = list(people.sweep.run("sweep-1", dry_run=False))
    assert all(i.customer_id == "" for p in progress for i in p.items)
    assert dict(progress[-1].outcomes) == {ErasureOutcome.ERASED: 2, ErasureOutcome.RESTRICTED: 1}
    remaining = {row[0] for row in query(people.settings.db, "SELECT id FROM customers")}
    assert remaining == {"s-buyer", "s-recent", "s-disputed", "s-consented"}
    assert [c.kind for c in people.store.facts.contacts("s-buyer")] == ["purchase"]
    assert people.store.erasure.restriction("s-buyer").erase_on == dt.date(2029, 1, 1)
    for untouched in ("s-recent", "s-disputed", "s-consented"):
        assert people.store.erasure.restriction(untouched) is None
        assert people.store.facts.contacts(untouched)


def test_a_finished_sweep_run_again_changes_nothing_and_a_new_one_finds_nothing(people):
    first = list(people.sweep.run("sweep-2", dry_run=False))[-1]
    before = table_rows(people.settings.db)
    again = list(people.sweep.run("sweep-2", dry_run=False))
    assert len(again) == 1 and again[0].finished and again[0].outcomes == first.outcomes
    assert table_rows(people.settings.db) == before
    assert list(people.sweep.run("sweep-3", dry_run=False))[-1].acted == 0


def test_a_stopped_sweep_resumes_with_its_counts_from_the_store(people):
    stop = threading.Event()
    seen = []
    for progress in people.sweep.run("sweep-4", dry_run=False, batch_size=2, stop=stop):
        seen.append(progress)
        stop.set()
    assert len(seen) == 1 and not seen[0].finished and seen[0].processed == 2
    rest = list(people.sweep.run("sweep-4", dry_run=False, batch_size=2))
    last = rest[-1]
    assert rest[0].resumed and rest[0].processed_before == 2
    assert last.finished and last.processed == 6 and last.acted == 3
    assert dict(last.outcomes) == {ErasureOutcome.ERASED: 2, ErasureOutcome.RESTRICTED: 1}


def test_a_restricted_customer_is_erased_on_its_date(app):
    app.customers.upsert("s-2017", "9000")
    app.facts.record_contact("", "s-2017", "dlr-gent", "purchase", at(2017, 3, 1))
    # In mid-2024 the last interaction's 36 months had run out, the accounts' 7 years not.
    then = list(app.sweep.run("sweep-2024", dry_run=False, at=at(2024, 6, 1)))[-1]
    assert dict(then.outcomes) == {ErasureOutcome.RESTRICTED: 1}
    assert app.store.erasure.restriction("s-2017").erase_on == dt.date(2025, 1, 1)
    now = list(app.sweep.run("sweep-now", dry_run=False))[-1]
    assert dict(now.outcomes) == {ErasureOutcome.ERASED: 1}
    assert app.store.customers.find("s-2017") is None


def test_a_sweep_id_is_not_a_reassignment_job_id(app):
    app.customers.upsert("s-x", "9000")
    list(app.reassign.run("shared-id", Scope((), ()), dry_run=False))
    with pytest.raises(FailedPrecondition):
        list(app.sweep.run("shared-id", dry_run=False))


def test_bad_sweep_input_names_each_field(app):
    with pytest.raises(InvalidArgument) as caught:
        list(app.sweep.run("", dry_run=True, batch_size=0, at=at(2999, 1, 1)))
    assert {f for f, _ in caught.value.violations} == {"job_id", "batch_size", "at"}
