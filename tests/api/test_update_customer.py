"""Partial updates of a customer's record (AIP-134) under optimistic concurrency (AIP-154):
UpdateCustomer touches only what its mask names, refuses a stale etag with ABORTED, and of
concurrent updates made from one read exactly one wins."""

import json
import threading

import grpc
import pytest

import support
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller_client.client import ClientError
from google.protobuf import field_mask_pb2


@pytest.fixture(scope="module")
def target(server):
    with support.client_for(server) as c:
        c.upsert_customer("upd-pro", "1000", 50.8466, 4.3528, language="fr", kind="professional",
                          enterprise_number="BE 0403.425.770")
        c.assign("upd-pro")
    return server


def test_a_new_postcode_alone_keeps_every_other_field(target):
    with support.client_for(target) as c:
        before = c.get_customer("upd-pro")
        after = c.update_customer("upd-pro", postcode="1050", point=(50.8333, 4.3667))
        assert (after.postcode, after.point.latitude) == ("1050", 50.8333)
        assert (after.language, after.kind, after.enterprise_number) == (
            before.language, before.kind, before.enterprise_number)
        assert after.etag and after.etag != before.etag


def test_a_mask_names_what_changes_and_an_unset_named_field_is_cleared(target):
    with support.client_for(target) as c:
        c.upsert_customer("upd-clear", "9000", 51.05, 3.72, language="de")
        cleared = c.update_customer("upd-clear", clear=("point", "language"))
        assert not cleared.HasField("point") and cleared.language == "nl"  # Gent's language area
        assert cleared.postcode == "9000"


def test_a_star_mask_replaces_every_field_and_clears_those_left_unset(target):
    with support.channel(target) as channel:
        stub = pb_grpc.DealerAssignmentServiceStub(channel)
        stub.UpsertCustomer(pb.UpsertCustomerRequest(customer=pb.Customer(
            id="upd-star", postcode="9000", point=pb.GeoPoint(latitude=51.05, longitude=3.72), language="de")),
            timeout=10)
        replaced = stub.UpdateCustomer(pb.UpdateCustomerRequest(
            customer=pb.Customer(id="upd-star", postcode="1000"),
            update_mask=field_mask_pb2.FieldMask(paths=["*"])), timeout=10).customer
        assert replaced.postcode == "1000" and not replaced.HasField("point")
        assert replaced.language == "fr" and replaced.kind == pb.CUSTOMER_KIND_PRIVATE  # Brussels' default
        request = pb.UpdateCustomerRequest(customer=pb.Customer(id="upd-star", postcode="1000"),
                                           update_mask=field_mask_pb2.FieldMask(paths=["*", "postcode"]))
        code, fields = support.rpc_failure(stub.UpdateCustomer, request)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"update_mask"}


def test_a_stale_etag_is_aborted_and_changes_nothing(target):
    with support.client_for(target) as c:
        c.upsert_customer("upd-stale", "3000")
        read = c.get_customer("upd-stale")
        c.update_customer("upd-stale", etag=read.etag, language="fr")
        with pytest.raises(ClientError) as caught:
            c.update_customer("upd-stale", etag=read.etag, language="de")
        assert caught.value.code == grpc.StatusCode.ABORTED
        assert c.get_customer("upd-stale").language == "fr"


def test_of_concurrent_updates_from_one_read_exactly_one_wins(target):
    with support.client_for(target) as c:
        c.upsert_customer("upd-race", "8000")
        etag = c.get_customer("upd-race").etag
    outcomes, barrier = [], threading.Barrier(8)

    def update(language: str) -> None:
        with support.client_for(target) as client:
            barrier.wait()
            try:
                client.update_customer("upd-race", etag=etag, language=language)
                outcomes.append(("ok", language))
            except ClientError as e:
                outcomes.append((e.code, language))

    threads = [threading.Thread(target=update, args=(lang,)) for lang in ["nl", "fr", "de", "en"] * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [lang for status, lang in outcomes if status == "ok"]
    assert len(outcomes) == 8 and len(winners) == 1
    assert {status for status, _ in outcomes} - {"ok"} == {grpc.StatusCode.ABORTED}
    with support.client_for(target) as c:
        assert c.get_customer("upd-race").language == winners[0]


def test_bad_updates_name_their_fields(target):
    with support.channel(target) as channel:
        stub = pb_grpc.DealerAssignmentServiceStub(channel)
        request = pb.UpdateCustomerRequest(customer=pb.Customer(id="upd-pro", postcode="99999"),
                                           update_mask=field_mask_pb2.FieldMask(paths=["postcode", "created_at"]))
        code, fields = support.rpc_failure(stub.UpdateCustomer, request)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"update_mask"}
        request = pb.UpdateCustomerRequest(customer=pb.Customer(id="upd-pro", postcode="99999"))
        code, fields = support.rpc_failure(stub.UpdateCustomer, request)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"customer.postcode"}
        code, _ = support.rpc_failure(stub.UpdateCustomer, pb.UpdateCustomerRequest(
            customer=pb.Customer(id="upd-nobody", language="fr")))
        assert code == grpc.StatusCode.NOT_FOUND


def test_the_cli_updates_and_refuses_a_stale_etag(target, cli):
    with support.client_for(target) as c:
        c.upsert_customer("upd-cli", "2000")
        etag = c.get_customer("upd-cli").etag
    code, out, err = cli("customer", "update", "--id", "upd-cli", "--lang", "fr", "--etag", etag,
                         "--target", target, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["language"] == "fr" and data["postcode"] == "2000" and data["etag"] != etag
    code, out, err = cli("customer", "update", "--id", "upd-cli", "--lang", "de", "--etag", etag, "--target", target)
    assert code == 5 and "changed since it was read" in err
