"""Access and portability (GDPR art. 15 and 20): ExportCustomer and `cocontroller customer
export` list every row held about a customer, as JSON and as a document in the customer's
language; only the privacy team may ask."""

import datetime as dt
import json

import grpc
import pytest

import support
from cocontroller_client.cli import words
from cocontroller_client.client import ClientError
from cocontroller.model import Channel, ConsentSource, ContactKind, ContractKind

UTC = dt.timezone.utc
# Every table holding rows about a customer, and the part of the export that lists them.
HELD = {
    "customers": "customer",
    "customer_history": "earlier_versions",
    "contact_events": "contacts",
    "preferences": "preferences",
    "consents": "consents",
    "contracts": "contracts",
    "contract_history": "earlier_contract_versions",
    "disputes": "disputes",
    "objections": "objections",
    "assignments": "assignments",
    "notices": "notices",
    "restrictions": "restriction",  # a restricted customer's (test below)
    # The answers kept for idempotent retries (CreateLead): copies of what the export lists,
    # not data of their own; erased with the customer.
    "requests": None,
}


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2024, month, day, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A server, its database file, and a customer with rows of every kind."""
    db = tmp_path_factory.mktemp("export") / "db.sqlite"
    for target in support.serve(db):
        with support.client_for(target) as c:
            c.upsert_customer("exp-a", "9000", language="nl")
            c.assign("exp-a")
            c.upsert_customer("exp-a", "9050", language="fr")  # an earlier version of the record
            c.record_contact("exp-a", "dlr-gent", "quote", at(1, 5))
            c.record_contact("exp-a", "dlr-aalst", "purchase", at(2, 5))
            c.assign("exp-a")  # the purchase moves the customer: a second version and a notice
            c.set_preferred_dealer("exp-a", "dlr-gent", at(3, 1))
            c.set_preferred_dealer("exp-a", "dlr-aalst", at(3, 2))
            c.record_consent("exp-a", "email", given_at=at(1, 6), **support.CONSENT_PROOF)
            c.record_consent("exp-a", "sms", given_at=at(1, 6), **support.CONSENT_PROOF)
            c.record_consent("exp-a", "sms", withdrawn_at=at(4, 1))
            c.record_contract("exp-lease", "exp-a", "lease", "2024-02-05", "2027-02-04", partner="Fictilease NV")
            c.record_contract("exp-lease", "exp-a", "lease", "2024-02-05", "2028-02-04", partner="Fictilease NV")
            c.record_dispute("exp-a", opened_at=at(5, 1), subject="paint")
            c.record_dispute("exp-a", closed_at=at(6, 1))
            c.record_objection("exp-a", "direct_marketing", at(7, 1))
            c.upsert_customer("exp-other", "8000")
            c.record_contact("exp-other", "dlr-brugge", "quote", at(1, 5))
        yield target, db


def rows_held(db, customer_id: str) -> dict[str, int]:
    found = {}
    for table in support.tables(db):
        columns = support.columns(db, table)
        column = "id" if table == "customers" else "customer_id" if "customer_id" in columns else None
        if column:
            found[table] = support.query(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", [customer_id])[0][0]
    return found


def test_the_export_lists_every_row_held(held):
    target, db = held
    with support.client_for(target, "dpo") as dpo:
        export = dpo.export_customer("exp-a")
    counts = rows_held(db, "exp-a")
    assert set(counts) == set(HELD), "a table holds customer rows the export does not list"
    for table, field in HELD.items():
        if table == "restrictions":
            assert not export.HasField("restriction") and counts[table] == 0
            continue
        if field is None:
            continue
        listed = 1 if field == "customer" else len(getattr(export, field))
        assert listed == counts[table] > 0, table
    assert export.customer.postcode == "9050" and export.earlier_versions[0].customer.postcode == "9000"
    assert export.earlier_versions[0].customer.id == "exp-a"
    assert [v.contract.end.year for v in export.earlier_contract_versions] == [2027]
    assert [c.channel for c in export.consents] == ["email", "sms"] and export.consents[1].HasField("withdrawn_at")
    assert export.resolution.customer_id == "exp-a" and export.resolution.language == "fr"
    assert {c.role for c in export.resolution.controllers} >= {"importer", "distributor"}
    assert all(x.customer_id == "exp-a" for x in (*export.contacts, *export.consents, *export.notices))


def test_the_cli_gives_the_json_and_a_document_in_each_language(held, cli):
    target, _ = held
    code, out, err = cli("customer", "export", "--customer", "exp-a", "--target", target, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [c["kind"] for c in data["contacts"]] == ["quote", "purchase"]
    assert data["earlier_contract_versions"][0]["end"] == "2027-02-04"
    assert data["resolution"]["language"] == "fr"
    for language in ("nl", "fr", "de", "en"):
        code, out, err = cli("customer", "export", "--customer", "exp-a", "--lang", language, "--target", target)
        assert (code, err) == (0, "")
        for heading in ("record", "contacts", "consents", "contracts", "disputes", "objections", "purposes",
                        "retention"):
            assert words.HEADINGS[heading][language] in out, (language, heading)
        assert words.CONTACT_KINDS["purchase"][language] in out
        if language != "en":
            assert words.HEADINGS["consents"]["en"] not in out and "Retention" not in out


def test_only_the_privacy_team_may_export(held):
    target, _ = held
    with support.client_for(target, "crm") as crm:
        with pytest.raises(ClientError) as caught:
            crm.export_customer("exp-a")
    assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED


def test_bad_requests(held):
    target, _ = held
    with support.client_for(target, "dpo") as dpo:
        with pytest.raises(ClientError) as caught:
            dpo.export_customer("exp-nobody")
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
        with pytest.raises(ClientError) as caught:
            dpo.export_customer("exp-a", language="it")
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and "language" in str(caught.value)


def test_every_word_of_the_model_exists_in_the_four_languages():
    for table, vocabulary in ((words.CONTACT_KINDS, ContactKind), (words.CHANNELS, Channel),
                              (words.CONTRACT_KINDS, ContractKind), (words.SOURCES, ConsentSource)):
        assert set(table) == {v.value for v in vocabulary}
    for table in (*words.CONTACT_KINDS.values(), *words.CHANNELS.values(), *words.CONTRACT_KINDS.values(),
                  *words.SOURCES.values(), *words.HEADINGS.values(), *words.WORDS.values()):
        assert set(table) == {"nl", "fr", "de", "en"} and all(table.values())
