"""Erasure on request (GDPR art. 17) and the restriction of what the law keeps (art. 18), at
the use-case level over a real database: what goes, what stays and serves what, what a
SQLite file's bytes still hold, and how the erased subject is remembered."""

import datetime as dt
import re
import struct
from pathlib import Path

import pytest

from cocontroller import clock
from cocontroller.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from cocontroller.model import ErasureOutcome, ErasureReason, Scope
from support import PROOF, columns, query, records, tables

UTC = dt.timezone.utc
LONG_AGO = dt.datetime(2021, 6, 1, 10, tzinfo=UTC)
# The erased customer's own point (known_customer stores one 0.002 degrees north first).
POINT = (50.4108765, 4.4468123)
RESTRICTED_PURPOSES = {"purpose.legal.court-orders", "purpose.legal.authority-requests", "purpose.legal.tax",
                       "purpose.contract.fraud-disputes"}


def rows_of(db: str, customer_id: str) -> dict[str, int]:
    """Rows naming the customer, in every table that has a customer_id column, and theirs."""
    found = {"customers": query(db, "SELECT count(*) FROM customers WHERE id = ?", [customer_id])[0][0]}
    for table in tables(db):
        if "customer_id" in columns(db, table):
            found[table] = query(db, f"SELECT count(*) FROM {table} WHERE customer_id = ?", [customer_id])[0][0]
    return {t: n for t, n in found.items() if n}


def file_bytes(db: str) -> bytes:
    return b"".join(Path(p).read_bytes() for p in (db, db + "-wal") if Path(p).exists())


def known_customer(app, customer_id: str, postcode: str, point, dealer: str) -> None:
    """A customer with a bit of everything: a moved address, contacts, a designation, a
    consent with proof, an objection, an assignment."""
    app.customers.upsert(customer_id, postcode, point[0] + 0.002, point[1])
    app.customers.upsert(customer_id, postcode, *point)
    app.facts.record_contact("", customer_id, dealer, "quote", dt.datetime(2026, 2, 3, 10, tzinfo=UTC))
    app.facts.record_contact("", customer_id, dealer, "showroom_visit", dt.datetime(2026, 3, 3, 10, tzinfo=UTC))
    app.facts.set_preference(customer_id, dealer, dt.datetime(2026, 3, 3, 11, tzinfo=UTC))
    app.facts.record_consent(customer_id, "email", dt.datetime(2026, 3, 3, 11, tzinfo=UTC), None, PROOF)
    app.facts.record_objection(customer_id, "purpose.quality.satisfaction-surveys", None)
    app.assignment.assign(customer_id)


def test_an_erased_customer_is_gone_from_every_table(app):
    known_customer(app, "zz-gone-x", "6001", POINT, "dlr-charleroi")
    app.customers.upsert("zz-other", "9000")
    assert rows_of(app.settings.db, "zz-gone-x")["contact_events"] == 2
    erasure = app.erasure.erase("zz-gone-x", "dsr-1", "dpo")
    assert erasure.outcome == ErasureOutcome.ERASED and erasure.scrubbed and erasure.kept == ()
    assert {c.table for c in erasure.erased} >= {"customers", "customer_history", "contact_events", "preferences",
                                                  "consents", "objections", "assignments"}
    assert rows_of(app.settings.db, "zz-gone-x") == {}
    with pytest.raises(NotFound):
        app.customers.get("zz-gone-x")
    assert app.customers.get("zz-other").postcode == "9000"


@pytest.mark.sqlite_only
def test_an_erased_customer_is_gone_from_the_file_bytes(app):
    known_customer(app, "zz-gone-x", "6001", POINT, "dlr-charleroi")
    app.erasure.erase("zz-gone-x", "dsr-1", "dpo")
    data = file_bytes(app.settings.db)
    needles = [b"zz-gone-x", str(POINT[0]).encode(), str(POINT[1]).encode(),
               *(struct.pack(">d", v) for v in (*POINT, POINT[0] + 0.002))]
    assert [n for n in needles if n in data] == []
    # The postcode as a number of its own (inside a timestamp's digits it is no postcode).
    assert re.search(rb"(?<![0-9])6001(?![0-9])", data) is None


def test_the_contacts_of_an_erased_customer_stay_only_as_counts_without_identifier(app):
    known_customer(app, "zz-counted", "9000", (51.05, 3.72), "dlr-gent")
    app.erasure.erase("zz-counted", "dsr-2", "dpo")
    stats = query(app.settings.db, "SELECT month, dealer_id, kind, contacts FROM contact_statistics ORDER BY 1")
    assert stats == [("2026-02", "dlr-gent", "quote", 1), ("2026-03", "dlr-gent", "showroom_visit", 1)]
    assert columns(app.settings.db, "contact_statistics") == ["month", "dealer_id", "kind", "contacts"]


def test_the_audit_keeps_that_an_erasure_happened_and_not_whom(app):
    known_customer(app, "zz-audited", "9000", (51.05, 3.72), "dlr-gent")
    app.erasure.erase("zz-audited", "dsr-3", "dpo")
    row, = records(app.settings.db, "SELECT * FROM erasures WHERE request_id = 'dsr-3'")
    assert row["reason"] == "request" and row["outcome"] == "erased" and row["caller"] == "dpo"
    assert "zz-audited" not in repr(row) and len(row["subject"]) == 64


def test_a_retried_request_returns_what_was_done_and_another_subject_is_refused(app):
    known_customer(app, "zz-retry", "9000", (51.05, 3.72), "dlr-gent")
    first = app.erasure.erase("zz-retry", "dsr-4", "dpo")
    again = app.erasure.erase("zz-retry", "dsr-4", "dpo")
    assert (again.outcome, again.erased, again.requested_at) == (first.outcome, first.erased, first.requested_at)
    app.customers.upsert("zz-else", "9000")
    with pytest.raises(AlreadyExists):
        app.erasure.erase("zz-else", "dsr-4", "dpo")
    with pytest.raises(NotFound):
        app.erasure.erase("zz-retry", "dsr-5", "dpo")


def test_bad_input_names_each_field(app):
    with pytest.raises(InvalidArgument) as caught:
        app.erasure.erase("", "", "dpo")
    assert {f for f, _ in caught.value.violations} == {"customer_id", "request_id"}


def bought_long_ago(app, customer_id: str) -> None:
    """A purchase in 2021: the last interaction's 36 months have run out, the accounting
    records' 7 years (10 for tax from 2023) have not."""
    app.customers.upsert(customer_id, "9000", 51.0512, 3.7234)
    app.facts.record_contact("", customer_id, "dlr-gent", "purchase", LONG_AGO)
    app.facts.record_contact("", customer_id, "dlr-gent", "brochure", LONG_AGO - dt.timedelta(days=30))
    app.assignment.assign(customer_id)


def test_what_the_law_keeps_stays_restricted_until_its_date(app):
    bought_long_ago(app, "zz-bought")
    erasure = app.erasure.erase("zz-bought", "dsr-6", "dpo")
    assert erasure.outcome == ErasureOutcome.RESTRICTED
    assert erasure.erase_on == dt.date(2029, 1, 1)  # 7 years from 1 January after 2021
    assert rows_of(app.settings.db, "zz-bought") == {"customers": 1, "contact_events": 1, "restrictions": 1}
    kept = app.store.facts.contacts("zz-bought")
    assert [c.kind for c in kept] == ["purchase"]
    assert app.customers.get("zz-bought").point is None
    restriction = app.store.erasure.restriction("zz-bought")
    assert (restriction.reason, restriction.erase_on, restriction.legal_hold) == (
        ErasureReason.REQUEST, dt.date(2029, 1, 1), False)


def test_a_restricted_record_feeds_no_other_purpose(app):
    bought_long_ago(app, "zz-restricted")
    before = app.resolution.resolve("zz-restricted", None)
    assert len({p.id for p in before.purposes} - RESTRICTED_PURPOSES) > 3
    app.erasure.erase("zz-restricted", "dsr-7", "dpo")
    after = app.resolution.resolve("zz-restricted", None)
    assert {p.id for p in after.purposes} and {p.id for p in after.purposes} <= RESTRICTED_PURPOSES
    assert {r.recipient for r in after.recipients} <= {"subcontractors"}
    assert not any(r.marketing for r in after.recipients)
    assert all(set(t.recipients) <= {r.name for r in after.recipients} for t in after.transfers)
    assert "restricted" in {f.code for f in after.findings}
    assert not any(c.role == "distributor" for c in after.controllers)


def test_a_restricted_customer_takes_no_new_processing(app):
    bought_long_ago(app, "zz-frozen")
    app.erasure.erase("zz-frozen", "dsr-8", "dpo")
    at = dt.datetime(2026, 1, 5, 10, tzinfo=UTC)
    refused = [
        lambda: app.facts.record_contact("", "zz-frozen", "dlr-gent", "quote", at),
        lambda: app.facts.set_preference("zz-frozen", "dlr-gent", at),
        lambda: app.facts.record_consent("zz-frozen", "sms", at, None, PROOF),
        lambda: app.facts.record_contract("k-1", "zz-frozen", "maintenance", "", "", dt.date(2026, 1, 5), None),
        lambda: app.assignment.assign("zz-frozen"),
        lambda: app.assignment.responsible_for_customer("zz-frozen", None),
        lambda: app.customers.upsert("zz-frozen", "1000"),
    ]
    for call in refused:
        with pytest.raises(FailedPrecondition):
            call()
    # A dispute (the defence of legal claims) may still be recorded.
    assert app.facts.record_dispute("zz-frozen", at, None, "invoice").id


def test_a_reassignment_job_leaves_restricted_customers_alone(app):
    bought_long_ago(app, "zz-left-alone")
    app.erasure.erase("zz-left-alone", "dsr-9", "dpo")
    app.customers.upsert("zz-moving", "9000")
    progress = list(app.reassign.run("job-r", Scope((), ()), dry_run=False))
    assert progress[-1].total == 1
    assert app.store.assignments.current("zz-left-alone") is None


def test_a_legal_hold_keeps_everything_restricted_until_the_dispute_ends(app):
    known_customer(app, "zz-held", "9000", (51.05, 3.72), "dlr-gent")
    opened = dt.datetime(2026, 4, 1, 9, tzinfo=UTC)
    app.facts.record_dispute("zz-held", opened, None, "paint")
    before = rows_of(app.settings.db, "zz-held")
    erasure = app.erasure.erase("zz-held", "dsr-10", "dpo")
    assert (erasure.outcome, erasure.erase_on, erasure.erased) == (ErasureOutcome.HELD, None, ())
    assert rows_of(app.settings.db, "zz-held") == {**before, "restrictions": 1}
    assert app.store.erasure.restriction("zz-held").legal_hold
    assert {p.id for p in app.resolution.resolve("zz-held", None).purposes} <= RESTRICTED_PURPOSES
    # The dispute closes: the next sweep completes the erasure the customer asked for.
    app.facts.record_dispute("zz-held", None, opened + dt.timedelta(days=30))
    swept = list(app.sweep.run("sweep-held", dry_run=False))
    assert dict(swept[-1].outcomes) == {ErasureOutcome.ERASED: 1}
    assert rows_of(app.settings.db, "zz-held") == {}


def test_an_erased_subject_is_not_reimported_silently(app):
    app.customers.upsert("zz-back", "1000", enterprise_number="BE 0403.425.770", kind="professional")
    app.erasure.erase("zz-back", "dsr-11", "dpo")
    with pytest.raises(FailedPrecondition):
        app.customers.upsert("zz-back", "1000")
    # The same company under another id is the same subject.
    with pytest.raises(FailedPrecondition):
        app.customers.upsert("zz-back-2", "1000", enterprise_number="0403425770", kind="professional")
    customer, created = app.customers.upsert("zz-back", "1000", readmit_erased=True)
    assert created and customer.postcode == "1000"
    app.customers.upsert("zz-back", "1050")  # readmitted: an ordinary customer again
    assert query(app.settings.db, "SELECT count(*) FROM suppressions") == [(1,)]  # the company's stays


def test_a_job_cursor_naming_the_erased_customer_moves_to_the_one_before(app):
    for customer_id in ("zz-a", "zz-b", "zz-c"):
        app.customers.upsert(customer_id, "9000")
    for _ in zip(range(2), app.reassign.run("job-c", Scope((), ()), dry_run=False, batch_size=1)):
        pass  # stopped after two batches: the cursor names zz-b
    start = query(app.settings.db, "SELECT cursor FROM reassign_jobs WHERE id = 'job-c'")[0][0]
    app.erasure.erase(start, "dsr-12", "dpo")
    moved = query(app.settings.db, "SELECT cursor FROM reassign_jobs WHERE id = 'job-c'")[0][0]
    assert start == "zz-b" and moved == "zz-a"
    done = list(app.reassign.run("job-c", Scope((), ()), dry_run=False, batch_size=1))
    assert done[-1].finished and app.store.assignments.current("zz-c") is not None


def test_a_replay_from_before_the_restriction_is_unrestricted_but_sees_only_what_remains(app):
    bought_long_ago(app, "zz-replay")
    before_erasure = clock.now()
    app.erasure.erase("zz-replay", "dsr-13", "dpo")
    then = app.resolution.resolve("zz-replay", None, known_at=before_erasure)
    assert "restricted" not in {f.code for f in then.findings}
    assert [c.kind for c in app.store.facts.history("zz-replay", False, before_erasure).contacts] == ["purchase"]
    now = app.resolution.resolve("zz-replay", None, known_at=clock.now())
    assert "restricted" in {f.code for f in now.findings}
