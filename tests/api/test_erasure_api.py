"""Erasure, restriction and the retention sweep end to end, through a real server and the
CLI: what a DPO does on a data subject's request, and what the privacy team's sweep does."""

import csv
import datetime as dt
import json
import re
import struct
from pathlib import Path

import grpc
import pytest

import support
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import rights_pb2 as xpb
from cocontroller.v1 import rights_pb2_grpc as xpb_grpc
from cocontroller_client.client import ClientError

UTC = dt.timezone.utc
# An erased customer's own point, which no byte of the file may still hold.
POINT = (50.8531234, 4.3567891)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = tmp_path_factory.mktemp("erasure") / "db.sqlite"
    for target in support.serve(db):
        yield target, str(db)


def bought_in(client, customer_id: str, year: int) -> None:
    client.upsert_customer(customer_id, "9000")
    client.record_contact(customer_id, "dlr-gent", "purchase", dt.datetime(year, 6, 1, 10, tzinfo=UTC))
    client.record_contact(customer_id, "dlr-gent", "quote", dt.datetime(year, 5, 1, 10, tzinfo=UTC))
    client.assign(customer_id)


def test_the_dpo_erases_on_request_and_the_rest_is_restricted(served):
    target, db = served
    with support.client_for(target) as admin:
        bought_in(admin, "e2e-a", 2021)
    with support.client_for(target, "dpo") as dpo:
        erasure = dpo.erase_customer("e2e-a", "dsr-100")
        assert erasure.outcome == xpb.ERASURE_OUTCOME_RESTRICTED and erasure.scrubbed
        assert (erasure.erase_date.year, erasure.erase_date.month, erasure.erase_date.day) == (2029, 1, 1)
        assert {t.table: t.rows for t in erasure.erased}["contact_events"] == 1
        assert {t.table for t in erasure.kept} == {"customers", "contact_events"}
        export = dpo.export_customer("e2e-a")
        assert export.HasField("restriction") and export.restriction.request_id == "dsr-100"
        assert [c.kind for c in export.contacts] == [pb.CONTACT_KIND_PURCHASE]
        assert "restricted" in {f.code for f in export.resolution.findings}
        assert dpo.erase_customer("e2e-a", "dsr-100").request_time == erasure.request_time
    with support.client_for(target) as admin:
        with pytest.raises(ClientError) as caught:
            admin.record_contact("e2e-a", "dlr-gent", "quote", dt.datetime(2026, 1, 1, tzinfo=UTC))
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION


def test_an_erased_subject_comes_back_only_when_readmitted(served, cli):
    target, db = served
    with support.client_for(target) as admin:
        admin.upsert_customer("e2e-b", "8000")
        admin.erase_customer("e2e-b", "dsr-101")
        with pytest.raises(ClientError) as caught:
            admin.upsert_customer("e2e-b", "8000")
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    code, out, err = cli("customer", "upsert", "--id", "e2e-b", "--postcode", "8000", "--readmit-erased",
                         "--target", target, "--json")
    assert code == 0, err
    assert json.loads(out)["created"] is True


def test_the_cli_erases_and_prints_counts_only(served, cli):
    target, db = served
    with support.client_for(target) as admin:
        admin.upsert_customer("e2e-c", "3000")
        admin.record_contact("e2e-c", "dlr-leuven", "brochure", dt.datetime(2026, 2, 1, tzinfo=UTC))
    code, out, err = cli("customer", "erase", "--customer", "e2e-c", "--request-id", "dsr-102",
                         "--target", target, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["outcome"] == "erased" and data["erased"]["customers"] == 1 and data["kept"] == {}
    assert data["reason"] == "request" and data["scrubbed"] is True
    code, out, err = cli("customer", "erase", "--customer", "e2e-c", "--request-id", "dsr-102", "--target", target)
    assert code == 0 and out.startswith("Request dsr-102: erased")
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'e2e-c'") == [(0,)]


def test_only_the_privacy_team_erases(served):
    target, _ = served
    for role in ("crm", "callcentre", "batch"):
        with support.client_for(target, role) as client:
            with pytest.raises(ClientError) as caught:
                client.erase_customer("e2e-a", "dsr-103")
            assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED, role


def test_bad_erasure_requests_name_their_fields(served):
    target, _ = served
    with support.channel(target) as channel:
        stub = xpb_grpc.DataSubjectRightsServiceStub(channel)
        code, fields = support.rpc_failure(stub.EraseCustomer, xpb.EraseCustomerRequest(customer_id="a b"))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"customer_id", "request_id"}
        code, _ = support.rpc_failure(stub.EraseCustomer, xpb.EraseCustomerRequest(customer_id="nobody",
                                                                                   request_id="dsr-104"))
        assert code == grpc.StatusCode.NOT_FOUND
        code, fields = support.rpc_failure(
            lambda r, timeout: list(stub.SweepRetention(r, timeout=timeout)),
            xpb.SweepRetentionRequest(job_id="", batch_size=-1))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"job_id", "batch_size"}


def test_the_sweep_through_the_server_dry_run_then_applied(served, cli, tmp_path):
    target, db = served
    with support.client_for(target) as admin:
        admin.upsert_customer("e2e-old", "1000")
        admin.record_contact("e2e-old", "dlr-brussel-evere", "test_drive_request", dt.datetime(2022, 1, 5, tzinfo=UTC))
    review = tmp_path / "review.csv"
    code, out, err = cli("retention", "sweep", "--job-id", "sw-dry", "--dry-run", "--out", review,
                         "--target", target, "--json", "--quiet")
    assert code == 0, err
    rows = list(csv.DictReader(review.open()))
    assert {"customer_id": "e2e-old", "outcome": "erased", "erase_on": ""} in rows
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'e2e-old'") == [(1,)]
    code, out, err = cli("retention", "sweep", "--job-id", "sw-1", "--target", target, "--json", "--quiet")
    assert code == 0, err
    data = json.loads(out)
    assert data["outcomes"]["erased"] >= 1 and data["processed"] == data["total"]
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'e2e-old'") == [(0,)]
    code, out, err = cli("retention", "sweep", "--job-id", "sw-1", "--target", target)
    assert code == 0 and "Sweep sw-1 (applied)" in out


def test_the_sweep_runs_locally_against_a_file(cli, tmp_path):
    db = tmp_path / "local.db"
    app = support.make_app(db)
    app.customers.upsert("loc-old", "9000")
    app.facts.record_contact("", "loc-old", "dlr-gent", "test_drive_request", dt.datetime(2022, 1, 5, tzinfo=UTC))
    app.store.close()
    code, out, err = cli("retention", "sweep", "--local", "--db", support.database(db), "--job-id", "loc-1",
                         "--quiet", "--json")
    assert code == 0, err
    assert json.loads(out)["outcomes"] == {"erased": 1}


def erased_with_a_point(target: str, customer_id: str, request_id: str) -> xpb.Erasure:
    """A customer with their own point, a contact, an assignment and a resolution, erased
    through the server."""
    with support.client_for(target) as admin:
        admin.upsert_customer(customer_id, "1081", *POINT)
        admin.record_contact(customer_id, "dlr-brussel-evere", "quote", dt.datetime(2026, 3, 1, tzinfo=UTC))
        admin.assign(customer_id)
        assert admin.resolve(customer_id).customer_id == customer_id
    with support.client_for(target, "dpo") as dpo:
        return dpo.erase_customer(customer_id, request_id)


def test_an_erasure_through_the_server_erases_and_scrubs(served):
    target, _ = served
    erasure = erased_with_a_point(target, "e2e-point-x", "dsr-201")
    assert erasure.outcome == xpb.ERASURE_OUTCOME_ERASED and erasure.scrubbed


@pytest.mark.sqlite_only
def test_an_erasure_through_the_server_leaves_no_byte_of_the_customer_in_the_files(served):
    target, db = served
    lat, lon = POINT
    erased_with_a_point(target, "e2e-bytes-x", "dsr-200")
    data = b"".join(Path(p).read_bytes() for p in (db, db + "-wal") if Path(p).exists())
    needles = [b"e2e-bytes-x", str(lat).encode(), str(lon).encode(), struct.pack(">d", lat), struct.pack(">d", lon)]
    assert [n for n in needles if n in data] == []
    # The postcode as a number of its own (inside a timestamp's digits it is no postcode).
    assert re.search(rb"(?<![0-9])1081(?![0-9])", data) is None
