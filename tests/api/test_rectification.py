"""Rectification (GDPR art. 16) through a real server and the CLI: RectifyFact retracts a
contact, consent, contract or dispute, or corrects it, with a reason. The correction goes on
the recorded-time axis: today's answers and lists no longer count the retracted fact, an
answer asked as known before the rectification is the one given then, and the export still
shows every row held, retracted ones with when and why."""

import datetime as dt
import json
import time

import grpc
import pytest
from google.protobuf import field_mask_pb2

import support
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import rights_pb2 as xpb
from cocontroller.v1 import rights_pb2_grpc as xpb_grpc
from cocontroller_client.client import ClientError
from support import CONSENT_PROOF, client_for, query

UTC = dt.timezone.utc


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=UTC)


def moment() -> dt.datetime:
    """Now, apart from the server's recorded times before and after it."""
    time.sleep(0.01)
    now = dt.datetime.now(UTC)
    time.sleep(0.01)
    return now


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A server and its database file."""
    db = tmp_path_factory.mktemp("rectification") / "db.sqlite"
    for target in support.serve(db):
        yield target, db


@pytest.fixture
def target(held):
    return held[0]


@pytest.fixture
def admin(target):
    with client_for(target) as c:
        yield c


@pytest.fixture
def dpo(target):
    with client_for(target, "dpo") as c:
        yield c


def purposes(client, customer_id: str, as_of=None) -> set[str]:
    return {p.id for p in client.resolve(customer_id, as_of).purposes}


# -- retraction ------------------------------------------------------------------------------


def test_a_retracted_contact_moves_the_assignment_and_leaves_the_answers(admin, dpo):
    admin.upsert_customer("rf-contact", "9000")
    admin.assign("rf-contact")
    purchase = admin.record_contact("rf-contact", "dlr-aalst", "purchase", at(3, 1)).event
    then = admin.responsible_for_customer("rf-contact")
    assert (then.dealer.id, then.basis) == ("dlr-aalst", pb.ASSIGNMENT_BASIS_PURCHASE)
    given = admin.resolve("rf-contact")
    assert "purpose.contract.sale" in {p.id for p in given.purposes}
    before = moment()

    done = dpo.retract_fact("rf-contact", "contact", purchase.event_id, "request 2025-17: not this customer's purchase")
    assert done.changed and not done.HasField("correction")
    assert done.retracted.contact.event_id == purchase.event_id
    assert done.retracted.contact.retraction_reason == "request 2025-17: not this customer's purchase"

    # the assignment follows, as it does when a contact is recorded
    now = admin.responsible_for_customer("rf-contact")
    assert (now.dealer.id, now.basis) == ("dlr-gent", pb.ASSIGNMENT_BASIS_NEAREST)
    latest = max(admin.assignment_changes(customer_id="rf-contact"), key=lambda c: c.at.ToDatetime())
    assert (latest.new_dealer_id, latest.trigger) == ("dlr-gent", f"rectified-contact:{purchase.event_id}")
    # today's resolution no longer counts it; the one asked as known before is the one given
    assert "purpose.contract.sale" not in purposes(admin, "rf-contact")
    assert admin.resolve("rf-contact", known_on=before) == given
    assert admin.responsible_for_customer("rf-contact", known_on=before).dealer.id == "dlr-aalst"
    assert admin.contacts("rf-contact") == []


def test_a_retracted_contract_leaves_todays_resolution(admin, dpo):
    admin.upsert_customer("rf-lease", "9000")
    admin.assign("rf-lease")
    admin.record_contract("rf-lease-1", "rf-lease", "lease", "2024-02-05", partner="Fictilease NV")
    given = admin.resolve("rf-lease")
    assert "Fictilease NV" in {r.name for r in given.recipients}
    before = moment()

    dpo.retract_fact("rf-lease", "contract", "rf-lease-1", "the lease was never signed")
    after = admin.resolve("rf-lease")
    assert "Fictilease NV" not in {r.name for r in after.recipients}
    assert {p.id for p in after.purposes} < {p.id for p in given.purposes}
    assert admin.contracts("rf-lease") == []
    assert admin.resolve("rf-lease", known_on=before) == given
    assert admin.resolve("rf-lease", known_on=moment()).recipients == after.recipients


def test_a_retracted_contract_is_not_recorded_again(admin, dpo):
    admin.upsert_customer("rf-again", "9000")
    admin.record_contract("rf-again-1", "rf-again", "maintenance", "2024-02-05")
    dpo.retract_fact("rf-again", "contract", "rf-again-1", "duplicate of the dealer's contract")
    assert not admin.record_contract("rf-again-1", "rf-again", "maintenance", "2024-02-05").created
    assert admin.contracts("rf-again") == []
    with pytest.raises(ClientError) as caught:
        admin.record_contract("rf-again-1", "rf-again", "maintenance", "2024-03-05")
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION


def test_a_retracted_dispute_lifts_the_legal_hold(admin, dpo):
    admin.upsert_customer("rf-dispute", "9000")
    admin.record_contact("rf-dispute", "dlr-gent", "purchase", at(1, 10))
    dispute = admin.record_dispute("rf-dispute", opened_at=at(2, 10), subject="paint")
    assert all(x.legal_hold for x in admin.resolve("rf-dispute").retention)

    dpo.retract_fact("rf-dispute", "dispute", dispute.id, "opened for another customer")
    after = admin.resolve("rf-dispute")
    assert not any(x.legal_hold for x in after.retention) and after.HasField("earliest_erase_date")
    assert admin.disputes("rf-dispute") == []


# -- correction ------------------------------------------------------------------------------


def test_a_corrected_consent_stands_alone_and_the_export_shows_both(admin, dpo):
    admin.upsert_customer("rf-consent", "9000")
    admin.assign("rf-consent")
    consent = admin.record_consent("rf-consent", "email", given_at=at(3, 1), **CONSENT_PROOF).consent
    assert "purpose.marketing.email" in purposes(admin, "rf-consent", dt.date(2024, 3, 1))

    done = dpo.correct_fact("rf-consent", "consent", consent.id, "request 2025-18: the form came a day later",
                            given_at=at(3, 2))
    corrected = done.correction.consent
    assert done.changed and corrected.id != consent.id and corrected.corrects == consent.id
    assert corrected.given_at.ToDatetime(UTC) == at(3, 2) and corrected.proof == consent.proof  # the rest as recorded
    assert [c.id for c in admin.consents("rf-consent")] == [corrected.id]
    assert "purpose.marketing.email" not in purposes(admin, "rf-consent", dt.date(2024, 3, 1))
    assert "purpose.marketing.email" in purposes(admin, "rf-consent", dt.date(2024, 3, 2))

    export = dpo.export_customer("rf-consent")
    old, new = export.consents
    assert (old.id, old.retraction_reason, old.HasField("retract_time")) == (
        consent.id, "request 2025-18: the form came a day later", True)
    assert old.retract_time == done.retracted.consent.retract_time
    assert (new.id, new.corrects, new.HasField("retract_time")) == (corrected.id, consent.id, False)


def test_a_corrected_contact_moves_the_assignment(admin, dpo):
    admin.upsert_customer("rf-moved", "9000")
    admin.assign("rf-moved")
    purchase = admin.record_contact("rf-moved", "dlr-aalst", "purchase", at(3, 1), event_id="dms-rf-1").event
    done = dpo.correct_fact("rf-moved", "contact", purchase.event_id, "bought at the Brugge showroom",
                            dealer_id="dlr-brugge")
    corrected = done.correction.contact
    assert corrected.event_id.startswith("ev-") and corrected.corrects == "dms-rf-1"
    assert (corrected.dealer_id, corrected.occurred_at) == ("dlr-brugge", purchase.occurred_at)
    assert admin.responsible_for_customer("rf-moved").dealer.id == "dlr-brugge"
    assert [c.event_id for c in admin.contacts("rf-moved")] == [corrected.event_id]


def test_a_corrected_contract_is_its_next_version_with_the_reason(admin, dpo):
    admin.upsert_customer("rf-version", "9000")
    admin.record_contract("rf-version-1", "rf-version", "lease", "2024-02-05", "2027-02-04", partner="Fictilease NV")
    done = dpo.correct_fact("rf-version", "contract", "rf-version-1", "the lease runs a year longer", end="2028-02-04")
    assert done.retracted.contract.end.year == 2027 and done.correction.contract.end.year == 2028
    assert [c.end.year for c in admin.contracts("rf-version")] == [2028]
    versions = dpo.export_customer("rf-version").earlier_contract_versions
    assert [(v.contract.end.year, v.correction_reason) for v in versions] == [(2027, "the lease runs a year longer")]
    # the field mask can clear a field: the lease is open-ended after all
    cleared = dpo.correct_fact("rf-version", "contract", "rf-version-1", "no end date", clear=["end"])
    assert not cleared.correction.contract.HasField("end")


# -- idempotency and refusals ----------------------------------------------------------------


def test_repeating_a_rectification_changes_nothing(admin, dpo):
    admin.upsert_customer("rf-repeat", "9000")
    consent = admin.record_consent("rf-repeat", "sms", given_at=at(3, 1), **CONSENT_PROOF).consent
    dispute = admin.record_dispute("rf-repeat", opened_at=at(3, 1), subject="invoice")
    first = dpo.retract_fact("rf-repeat", "dispute", dispute.id, "wrong customer")
    again = dpo.retract_fact("rf-repeat", "dispute", dispute.id, "wrong customer")
    assert first.changed and not again.changed and again.retracted == first.retracted
    with pytest.raises(ClientError) as caught:
        dpo.retract_fact("rf-repeat", "dispute", dispute.id, "another reason")
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION

    first = dpo.correct_fact("rf-repeat", "consent", consent.id, "typo", given_at=at(3, 4))
    again = dpo.correct_fact("rf-repeat", "consent", consent.id, "typo", given_at=at(3, 4))
    assert not again.changed and again.correction == first.correction
    with pytest.raises(ClientError) as caught:
        dpo.correct_fact("rf-repeat", "consent", consent.id, "typo", given_at=at(3, 5))
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert len(admin.consents("rf-repeat")) == 1


@pytest.fixture(scope="module")
def one_consent(held):
    target, _ = held
    with client_for(target) as c:
        c.upsert_customer("rf-bad", "9000")
        return str(c.record_consent("rf-bad", "email", given_at=at(3, 1), **CONSENT_PROOF).consent.id)


def _request(consent_id: str, **fields) -> xpb.RectifyFactRequest:
    values = {"customer_id": "rf-bad", "kind": xpb.RECTIFIABLE_KIND_CONSENT, "fact_id": consent_id, "reason": "why"}
    return xpb.RectifyFactRequest(**(values | fields))


BAD = {
    "no reason": (dict(reason=" "), ["reason"]),
    "a reason too long": (dict(reason="x" * 301), ["reason"]),
    "no kind": (dict(kind=xpb.RECTIFIABLE_KIND_UNSPECIFIED), ["kind"]),
    "a consent's id that is no number": (dict(fact_id="consent-1"), ["fact_id"]),
    "a contact's id that is no id": (dict(kind=xpb.RECTIFIABLE_KIND_CONTACT, fact_id="a b"), ["fact_id"]),
    "a correction of another kind": (dict(correction=xpb.Fact(dispute={"subject": "x"})), ["correction"]),
    "an empty correction": (dict(correction=xpb.Fact()), ["correction"]),
    "a mask naming no field": (dict(correction=xpb.Fact(consent={"channel": "sms"}),
                                    update_mask=field_mask_pb2.FieldMask(paths=["channel", "colour"])),
                               ["update_mask"]),
    "an unknown channel": (dict(correction=xpb.Fact(consent={"channel": "fax"})), ["correction.consent.channel"]),
    "a withdrawal before the consent": (
        dict(correction=xpb.Fact(consent={"withdrawn_at": {"seconds": int(at(2, 1).timestamp())}})),
        ["correction.consent.withdrawn_at"]),
    "a consent without its given time": (dict(correction=xpb.Fact(consent={}),
                                              update_mask=field_mask_pb2.FieldMask(paths=["given_at"])),
                                         ["correction.consent.given_at"]),
    "a correction that changes nothing": (dict(correction=xpb.Fact(consent={"channel": "email"})), ["correction"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_invalid_argument_with_field_violations(target, one_consent, case):
    fields, violated = BAD[case]
    with support.channel(target, role="dpo") as ch:
        code, found = support.rpc_failure(xpb_grpc.DataSubjectRightsServiceStub(ch).RectifyFact,
                                          _request(one_consent, **fields))
    assert (code, found) == (grpc.StatusCode.INVALID_ARGUMENT, violated)


@pytest.mark.parametrize("customer_id, fact_id", [("rf-bad", "999999"), ("rf-nobody", "1"), ("rf-other", None)])
def test_an_unknown_fact_or_another_customers_is_not_found(admin, dpo, one_consent, customer_id, fact_id):
    if customer_id == "rf-other":  # the consent exists, but is rf-bad's
        admin.upsert_customer("rf-other", "9000")
        fact_id = one_consent
    with pytest.raises(ClientError) as caught:
        dpo.retract_fact(customer_id, "consent", fact_id, "wrong")
    assert caught.value.code == grpc.StatusCode.NOT_FOUND
    assert [c.id for c in admin.consents("rf-bad")] == [int(one_consent)]


@pytest.mark.parametrize("role", ["crm", "callcentre", "batch", "dealer-dlr-gent"])
def test_only_the_privacy_team_may_rectify(target, one_consent, role):
    with client_for(target, role) as c:
        with pytest.raises(ClientError) as caught:
            c.retract_fact("rf-bad", "consent", one_consent, "wrong")
    assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED


# -- the export ------------------------------------------------------------------------------


def rows_held(db, customer_id: str) -> dict[str, int]:
    return {table: query(db, f"SELECT count(*) FROM {table} WHERE customer_id = ?", [customer_id])[0][0]
            for table in ("contact_events", "consents", "contracts", "disputes")}


def test_the_export_lists_every_row_held_retracted_ones_too(held, admin, dpo):
    target, db = held
    admin.upsert_customer("rf-export", "9000")
    contact = admin.record_contact("rf-export", "dlr-gent", "quote", at(1, 5)).event
    consent = admin.record_consent("rf-export", "post", given_at=at(1, 6), **CONSENT_PROOF).consent
    admin.record_contract("rf-export-1", "rf-export", "maintenance", "2024-01-07")
    dispute = admin.record_dispute("rf-export", opened_at=at(1, 8), subject="noise")
    dpo.retract_fact("rf-export", "contact", contact.event_id, "r1")
    dpo.correct_fact("rf-export", "consent", consent.id, "r2", given_at=at(1, 7))
    dpo.retract_fact("rf-export", "contract", "rf-export-1", "r3")
    dpo.correct_fact("rf-export", "dispute", dispute.id, "r4", subject="rattle")
    export = dpo.export_customer("rf-export")
    listed = {"contact_events": export.contacts, "consents": export.consents, "contracts": export.contracts,
              "disputes": export.disputes}
    assert {table: len(items) for table, items in listed.items()} == rows_held(db, "rf-export")
    assert sorted(x.retraction_reason for items in listed.values() for x in items if x.retraction_reason) == [
        "r1", "r2", "r3", "r4"]


# -- the CLI ---------------------------------------------------------------------------------


def test_the_cli_retracts_and_corrects(target, admin, cli):
    admin.upsert_customer("rf-cli", "9000", language="en")
    consent = admin.record_consent("rf-cli", "email", given_at=at(3, 1), **CONSENT_PROOF).consent
    dispute = admin.record_dispute("rf-cli", opened_at=at(3, 1), subject="paint")
    code, out, err = cli("--identity", "dpo", "customer", "correct", "consent", "--customer", "rf-cli",
                         "--id", consent.id, "--given", "2024-03-02T11:00", "--reason", "a day later",
                         "--target", target, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["kind"], data["changed"], data["retracted"]["retraction_reason"]) == ("consent", True, "a day later")
    assert data["correction"]["corrects"] == consent.id and data["correction"]["given_at"].startswith("2024-03-02")

    code, out, err = cli("--identity", "dpo", "customer", "retract", "--customer", "rf-cli", "--kind", "dispute",
                         "--id", dispute.id, "--reason", "opened in error", "--target", target)
    assert (code, err) == (0, "")
    assert f"Dispute {dispute.id} of rf-cli retracted (opened in error)" in out

    code, out, err = cli("--identity", "dpo", "customer", "export", "--customer", "rf-cli", "--target", target)
    assert code == 0, err
    assert "paint: opened on 2024-03-01" in out and "retracted on" in out and ": opened in error" in out


def test_the_cli_reports_bad_input(target, one_consent, cli):
    code, out, err = cli("customer", "retract", "--customer", "rf-bad", "--kind", "consent", "--id", one_consent,
                         "--reason", " ", "--target", target, "--json")
    assert code == 3 and out == ""
    assert [v["field"] for v in json.loads(err)["error"]["field_violations"]] == ["reason"]
    code, _, err = cli("customer", "correct", "consent", "--customer", "rf-bad", "--id", one_consent,
                       "--wording", "v4", "--reason", "new wording", "--target", target)
    assert code == 2 and "--wording, --source and --proof together" in err


def test_the_cli_clears_what_never_was(target, admin, cli):
    admin.upsert_customer("rf-clear", "9000")
    admin.record_contract("rf-clear-1", "rf-clear", "maintenance", "2024-01-01", "2024-12-31")
    dispute = admin.record_dispute("rf-clear", opened_at=at(3, 1), subject="paint")
    admin.record_dispute("rf-clear", closed_at=at(3, 5))
    for argv, kind, cleared in (
        (["contract", "--id", "rf-clear-1", "--open-ended"], "contract", "end"),
        (["dispute", "--id", dispute.id, "--still-open"], "dispute", "closed_at"),
    ):
        code, out, err = cli("--identity", "dpo", "customer", "correct", *argv, "--customer", "rf-clear",
                             "--reason", "ended in error", "--target", target, "--json")
        assert (code, err) == (0, "")
        data = json.loads(out)
        assert data["retracted"][cleared] is not None and data["correction"][cleared] is None, kind
    assert [x.subject for x in admin.disputes("rf-clear") if not x.HasField("closed_at")] == ["paint"]
