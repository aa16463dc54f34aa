"""Rectification (GDPR art. 16) through the use cases: every read of the standing facts leaves
a retracted one out, every read as known at an instant sees a fact recorded by then and not
yet retracted, and the checks of later recordings no longer count it. The gRPC and CLI
surface is in api/test_rectification.py."""

import datetime as dt

import pytest

from cocontroller import clock
from cocontroller.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from cocontroller.model import ConsentFields, ContactFields, FactCorrection
from support import PROOF, make_app

UTC = dt.timezone.utc


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "db.sqlite")
    yield app
    app.store.close()


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2024, month, day, 10, tzinfo=UTC)


def instant() -> dt.datetime:
    """Now, strictly after everything recorded so far and before anything recorded next."""
    before = clock.now()
    while clock.now() == before:
        pass
    return before


def correction(fields, *replaced: str) -> FactCorrection:
    return FactCorrection(fields, frozenset(replaced))


def test_a_fact_is_known_from_its_recording_until_its_retraction(app):
    app.customers.upsert("k-1", "9000")
    before = instant()
    consent, _ = app.facts.record_consent("k-1", "email", at(3, 1), None, PROOF)
    between = instant()
    app.rights.rectify("consent", "k-1", str(consent[0].id), "given by someone else")
    after = instant()
    known = {name: [c.id for c in app.store.facts.history("k-1", False, t).consents]
             for name, t in (("before", before), ("between", between), ("after", after))}
    assert known == {"before": [], "between": [consent[0].id], "after": []}
    assert app.store.facts.history("k-1", False).consents == ()


def test_a_decision_reads_no_retracted_contact_one_by_one_or_by_batch(app):
    for customer_id in ("s-1", "s-2"):
        app.customers.upsert(customer_id, "9000")
        app.facts.record_contact(f"{customer_id}-ev", customer_id, "dlr-aalst", "purchase", at(3, 1))
    app.rights.rectify("contact", "s-1", "s-1-ev", "not this customer")
    now = clock.now()
    assert app.store.customers.snapshot("s-1", now).contacts == ()
    assert [s.contacts for s in app.store.customers.snapshots(["s-1", "s-2"], now)] == [
        (), app.store.customers.snapshot("s-2", now).contacts]
    assert len(app.store.customers.snapshot("s-2", now).contacts) == 1


def test_a_decision_as_known_before_the_retraction_reads_the_contact(app):
    app.customers.upsert("s-3", "9000")
    app.facts.record_contact("s-3-ev", "s-3", "dlr-aalst", "purchase", at(3, 1))
    before = instant()
    app.rights.rectify("contact", "s-3", "s-3-ev", "not this customer")
    assert [c.event_id for c in app.store.customers.snapshot_known("s-3", clock.now(), before).contacts] == ["s-3-ev"]
    assert app.store.customers.snapshot_known("s-3", clock.now(), clock.now()).contacts == ()


def test_a_retracted_later_consent_no_longer_refuses_an_earlier_one(app):
    app.customers.upsert("g-1", "9000")
    later, _ = app.facts.record_consent("g-1", "sms", at(5, 1), None, PROOF)
    with pytest.raises(FailedPrecondition, match="later sms consent"):
        app.facts.record_consent("g-1", "sms", at(4, 1), None, PROOF)
    app.rights.rectify("consent", "g-1", str(later[0].id), "recorded on the wrong customer")
    given, changed = app.facts.record_consent("g-1", "sms", at(4, 1), None, PROOF)
    assert changed and [c.id for c in app.store.facts.consents("g-1")] == [given[0].id]


def test_a_retracted_open_dispute_is_not_the_one_to_close(app):
    app.customers.upsert("d-1", "9000")
    wrong = app.facts.record_dispute("d-1", at(3, 1), None, "wrong")
    right = app.facts.record_dispute("d-1", at(3, 2), None, "right")
    app.rights.rectify("dispute", "d-1", str(wrong.id), "opened for another customer")
    closed = app.facts.record_dispute("d-1", None, at(3, 3))  # the only open one now
    assert closed.id == right.id


def test_a_corrected_consent_may_not_overlap_another_of_its_channel(app):
    app.customers.upsert("o-1", "9000")
    first, _ = app.facts.record_consent("o-1", "post", at(1, 1), None, PROOF)
    app.facts.record_consent("o-1", "post", None, at(2, 1))
    second, _ = app.facts.record_consent("o-1", "post", at(3, 1), None, PROOF)
    with pytest.raises(FailedPrecondition, match=f"overlaps post consent {second[0].id}"):
        app.rights.rectify("consent", "o-1", str(first[0].id), "never withdrawn",
                           correction(ConsentFields(), "withdrawn_at"))
    assert [c.id for c in app.store.facts.consents("o-1")] == [first[0].id, second[0].id]


def test_a_correction_to_an_event_id_on_record_already_exists(app):
    app.customers.upsert("e-1", "9000")
    app.facts.record_contact("e-1-a", "e-1", "dlr-gent", "quote", at(3, 1))
    app.facts.record_contact("e-1-b", "e-1", "dlr-gent", "quote", at(3, 2))
    with pytest.raises(AlreadyExists, match="retract e-1-a instead"):
        app.rights.rectify("contact", "e-1", "e-1-a", "the same visit twice",
                           correction(ContactFields(event_id="e-1-b", occurred_at=at(3, 2)), "event_id", "occurred_at"))


def test_a_retracted_event_id_is_not_recorded_again(app):
    app.customers.upsert("e-2", "9000")
    app.facts.record_contact("e-2-a", "e-2", "dlr-aalst", "purchase", at(3, 1))
    app.rights.rectify("contact", "e-2", "e-2-a", "not this customer")
    _, created = app.facts.record_contact("e-2-a", "e-2", "dlr-aalst", "purchase", at(3, 1))
    assert not created and app.store.facts.contacts("e-2") == []


def test_a_correction_is_checked_as_a_recording_is(app):
    app.customers.upsert("v-1", "9000")
    app.facts.record_contact("v-1-a", "v-1", "dlr-gent", "quote", at(3, 1))
    with pytest.raises(InvalidArgument) as caught:
        app.rights.rectify("contact", "v-1", "v-1-a", "typo",
                           correction(ContactFields(dealer_id="", kind="visit", occurred_at=clock.now() + dt.timedelta(
                               days=2)), "dealer_id", "kind", "occurred_at"))
    assert [f for f, _ in caught.value.violations] == [
        "correction.contact.dealer_id", "correction.contact.kind", "correction.contact.occurred_at"]
    assert [c.event_id for c in app.store.facts.contacts("v-1")] == ["v-1-a"]
