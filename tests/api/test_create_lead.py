"""CreateLead: a CRM's lead in one idempotent call (AIP-155). The customer is created or
partially updated, the lead's contacts recorded (a lead for the brand names no dealer), the
customer assigned, and a retry gets the first answer and writes nothing."""

import datetime as dt
import json
import sqlite3
import threading
import time
from concurrent import futures

import grpc
import pytest

import support
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller_client.client import ClientError

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = tmp_path_factory.mktemp("leads") / "db.sqlite"
    for target in support.serve(db):
        yield target, str(db)


def test_a_lead_retried_three_times_gives_one_customer_one_contact_one_assignment(served):
    target, db = served
    with support.client_for(target, "crm") as crm:
        first = crm.create_lead("web-1", "lead-a", [("test_drive", AT, "dlr-gent")], postcode="9000")
        after_first = support.table_rows(db)
        retries = [crm.create_lead("web-1", "lead-a", [("test_drive", AT, "dlr-gent")], postcode="9000")
                   for _ in range(3)]
    assert all(r == first for r in retries)
    assert support.table_rows(db) == after_first
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'lead-a'") == [(1,)]
    assert support.query(db, "SELECT count(*) FROM contact_events WHERE customer_id = 'lead-a'") == [(1,)]
    assert support.query(db, "SELECT count(*) FROM assignments WHERE customer_id = 'lead-a'") == [(1,)]
    assert first.customer_created and first.assignment.dealer.id and first.assignment.explanation
    assert [c.kind for c in first.contacts] == [pb.CONTACT_KIND_TEST_DRIVE_REQUEST]


def test_the_same_request_id_with_another_lead_is_refused(served):
    target, _ = served
    with support.client_for(target, "crm") as crm:
        crm.create_lead("web-2", "lead-b", [("quote", AT, "")], postcode="1000")
        with pytest.raises(ClientError) as caught:
            crm.create_lead("web-2", "lead-b", [("brochure", AT, "")], postcode="1000")
        assert caught.value.code == grpc.StatusCode.ALREADY_EXISTS


def test_a_lead_for_the_brand_names_no_dealer_and_goes_to_the_responsible_one(served):
    target, _ = served
    with support.client_for(target, "crm") as crm:
        made = crm.create_lead("web-3", "lead-c", [("brochure", AT, "")], postcode="8000")
        assert made.contacts[0].dealer_id == ""
        assert made.assignment.dealer.id == "dlr-brugge"  # the nearest: a brand lead is no dealer history
    with support.client_for(target, "dpo") as dpo:
        assert dpo.export_customer("lead-c").contacts[0].dealer_id == ""


def test_a_lead_for_a_known_customer_changes_only_what_it_gives(served):
    target, _ = served
    with support.client_for(target, "crm") as crm:
        crm.upsert_customer("lead-d", "1000", language="de", kind="professional", enterprise_number="BE 0403.425.770")
        made = crm.create_lead("web-4", "lead-d", [("appointment", AT, "dlr-zaventem")], postcode="1930")
        assert not made.customer_created
        assert (made.customer.postcode, made.customer.language, made.customer.enterprise_number) == (
            "1930", "de", "BE 0403.425.770")


def test_a_lead_that_moves_a_known_customer_stores_one_version_for_the_lead(served):
    target, db = served
    with support.client_for(target) as admin:
        admin.upsert_customer("lead-move", "9000")
        assert admin.assign("lead-move", "setup").assignment.dealer.id == "dlr-gent"
    with support.client_for(target, "crm") as crm:
        made = crm.create_lead("web-20", "lead-move", [("brochure", AT, "")], postcode="4000")
    assert made.assignment.dealer.id == "dlr-liege" and made.assignment.stored
    # The move and the lead's assignment are one version, named after the lead; its notice
    # is owed once.
    assert support.query(db, "SELECT dealer_id, trigger LIKE 'lead:%', valid_to IS NULL FROM assignments"
                             " WHERE customer_id = 'lead-move' ORDER BY id") == [
        ("dlr-gent", 0, 0), ("dlr-liege", 1, 1)]
    assert support.query(db, "SELECT trigger FROM assignments WHERE customer_id = 'lead-move' AND valid_to IS NULL"
                         ) == [("lead:web-20",)]
    assert support.query(db, "SELECT old_dealer_id, new_dealer_id FROM notices WHERE customer_id = 'lead-move'") == [
        ("dlr-gent", "dlr-liege")]


def test_a_new_customers_lead_is_decided_as_a_read_of_what_it_recorded_decides(served):
    """A lead that creates its customer decides from what it wrote, without reading it back:
    the same answer as a decision from the stored facts."""
    target, _ = served
    visits = [(kind, AT + dt.timedelta(hours=i), "dlr-liege") for i, kind in
              enumerate(("test_drive", "quote", "appointment"))]
    with support.client_for(target, "crm") as crm:
        made = crm.create_lead("web-30", "lead-history", visits, postcode="9000")
    with support.client_for(target) as admin:
        again = admin.assign("lead-history", "check")
    assert made.customer_created and len(made.contacts) == 3
    assert made.assignment.dealer.id == "dlr-liege", "the lead's own visits decide, not the nearest (Gent)"
    assert not again.changed
    assert (again.assignment.basis, again.assignment.explanation, list(again.assignment.runners_up)) == (
        made.assignment.basis, made.assignment.explanation, list(made.assignment.runners_up))


def test_bad_leads_name_their_fields(served):
    target, _ = served
    with support.channel(target) as channel:
        stub = pb_grpc.DealerAssignmentServiceStub(channel)
        code, fields = support.rpc_failure(stub.CreateLead, pb.CreateLeadRequest(
            customer=pb.Customer(id="lead-e", postcode="9000")))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"request_id", "contacts"}
        code, fields = support.rpc_failure(stub.CreateLead, pb.CreateLeadRequest(
            request_id="web-5", customer=pb.Customer(id="lead-e", postcode="99999"),
            contacts=[pb.LeadContact(kind=pb.LEAD_KIND_QUOTE)]))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["contacts[0].occurred_at"]
        at = pb.LeadContact(kind=pb.LEAD_KIND_QUOTE)
        at.occurred_at.FromDatetime(AT)
        code, fields = support.rpc_failure(stub.CreateLead, pb.CreateLeadRequest(
            request_id="web-5", customer=pb.Customer(id="lead-e", postcode="99999"), contacts=[at]))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["customer.postcode"]
        code, fields = support.rpc_failure(stub.CreateLead, pb.CreateLeadRequest(
            request_id="web-6", customer=pb.Customer(id="lead-e", postcode="9000"),
            contacts=[pb.LeadContact(kind=99)]))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["contacts[0].kind"]
    with support.client_for(target, "crm") as crm:
        with pytest.raises(ClientError) as caught:
            crm.create_lead("web-7", "lead-e", [("quote", AT, "dlr-nowhere")], postcode="9000")
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
        with pytest.raises(ClientError):
            crm.get_customer("lead-e")  # nothing was written


def test_the_cli_records_a_lead(served, cli):
    target, _ = served
    args = ("lead", "--request-id", "web-8", "--customer", "lead-f", "--postcode", "3000", "--contact",
            "test_drive:dlr-leuven", "--contact", "brochure", "--at", "2026-11-21T09:00", "--target", target)
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["customer_created"] and len(data["contacts"]) == 2
    assert data["assignment"]["dealer_id"] == "dlr-leuven"
    code, again, err = cli(*args, "--json")
    assert code == 0 and json.loads(again) == data


@pytest.mark.sqlite_only
def test_a_lead_beside_another_writer_waits_for_it_and_lookups_do_not(served):
    """Another process holds SQLite's write lock for a while: the lead waits for it in a
    worker thread and then lands, while lookups keep answering from the event loop."""
    target, db = served
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release():
        other.execute("ROLLBACK")
        other.close()
        released.set()

    threading.Timer(1.0, release).start()
    with support.client_for(target, "crm") as crm, futures.ThreadPoolExecutor(1) as pool:
        lead = pool.submit(crm.create_lead, "web-busy", "lead-busy", [("test_drive", AT, "")], postcode="9000")
        lookups = []
        while not released.is_set():
            started = time.monotonic()
            crm.responsible_for_location("1000")
            lookups.append(time.monotonic() - started)
        made = lead.result(30)
    assert made.customer_created and made.assignment.dealer.id
    assert len(lookups) >= 5 and max(lookups) < 0.5, lookups
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'lead-busy'") == [(1,)]
