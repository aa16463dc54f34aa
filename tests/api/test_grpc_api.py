"""The gRPC layer through a real server on a loopback port: every RPC's happy path, the
status and field violations of every class of bad input, health and reflection."""

import csv
import datetime as dt
import itertools
import json
import math
from pathlib import Path

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

import support
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller_client.client import ClientError

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
UTC = dt.timezone.utc
_ids = itertools.count()


def new_id(prefix="cust"):
    """A customer id no other test in the module uses (the server is shared)."""
    return f"{prefix}-{next(_ids)}"


def postcode_point(code):
    with open(GEODATA / "postcodes.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["postcode"] == code)
    return float(row["lat"]), float(row["lon"])


def raw_call(client, method, request):
    """Calls the stub directly, for requests the client cannot express; returns the response
    or the (code, violations) of the failure read straight from the status details."""
    try:
        return getattr(client.stub, method)(request, timeout=10)
    except grpc.RpcError as e:
        violations = []
        status = rpc_status.from_call(e)
        for detail in status.details if status else ():
            bad = error_details_pb2.BadRequest()
            assert detail.Unpack(bad)
            violations += [v.field for v in bad.field_violations]
        return e.code(), violations


def names_field(violations, name):
    """Whether some violation names `name`, as a request path ("customer.postcode") or its
    leaf (the location of GetResponsibleDealer is reported without its prefix)."""
    return any(f == name or f.endswith("." + name) for f in violations)


def assert_invalid(call, field):
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT, caught.value
    fields = [f for f, _ in caught.value.violations]
    assert names_field(fields, field), fields


def assert_raw_invalid(client, method, request, field):
    result = raw_call(client, method, request)
    assert isinstance(result, tuple), f"{method} accepted {request}"
    code, fields = result
    assert code == grpc.StatusCode.INVALID_ARGUMENT, code
    assert names_field(fields, field), fields


@pytest.fixture(scope="module")
def customer(server):
    """One stored customer in Gent with an assignment, for the bad-input cases."""
    with support.client_for(server) as c:
        c.upsert_customer("known", "9000")
        c.assign("known")
    return "known"


# happy paths


def test_assign_dealer_stores_once(client):
    """Assigning twice with the same facts stores one version and returns it both times."""
    cid = new_id()
    client.upsert_customer(cid, "9000")
    first = client.assign(cid, "crm:lead-created")
    assert first.changed
    a = first.assignment
    assert (a.customer_id, a.dealer.id, a.basis) == (cid, "dlr-gent", pb.ASSIGNMENT_BASIS_NEAREST)
    assert a.stored and a.assignment_id > 0 and a.HasField("valid_from") and not a.HasField("valid_to")
    assert a.point_source == "postcode 9000" and a.rules_version and a.rule_id and a.explanation
    again = client.assign(cid)
    assert not again.changed
    assert again.assignment.assignment_id == a.assignment_id


def test_responsible_for_customer_is_the_stored_assignment(client):
    cid = new_id()
    client.upsert_customer(cid, "8000")
    stored = client.assign(cid).assignment
    now = client.responsible_for_customer(cid)
    assert (now.assignment_id, now.dealer.id, now.stored) == (stored.assignment_id, "dlr-brugge", True)


def test_responsible_for_customer_before_any_assignment_is_computed_not_stored(client):
    cid = new_id()
    client.upsert_customer(cid, "8000")
    a = client.responsible_for_customer(cid)
    assert a.dealer.id == "dlr-brugge" and not a.stored and a.assignment_id == 0
    assert client.assignments(cid) == []


def test_responsible_for_postcode(client):
    """A postcode lookup measures from the postcode's point and is never stored."""
    a = client.responsible_for_location("9000")
    assert a.dealer.id == "dlr-gent" and a.basis == pb.ASSIGNMENT_BASIS_NEAREST
    assert (a.point.latitude, a.point.longitude) == postcode_point("9000")
    assert a.point_source == "postcode 9000" and not a.stored and a.customer_id == ""
    assert a.distance_km > 0 and len(a.runners_up) == 3
    assert [r.distance_km for r in a.runners_up] == sorted(r.distance_km for r in a.runners_up)


def test_responsible_for_point_wins_over_postcode(client):
    """Coordinates in 9300 (Aalst) 17 km towards Gent: the point decides (the postcode alone
    gives Aalst's dealer)."""
    a = client.responsible_for_location("9300", 50.9916, 3.8165)
    assert a.dealer.id == "dlr-gent" and a.point_source == "customer coordinates"
    assert (a.point.latitude, a.point.longitude) == (50.9916, 3.8165)
    assert client.responsible_for_location("9300").dealer.id == "dlr-aalst"


def test_coordinates_far_from_their_postcode_are_a_field_violation(client):
    """Brugge's coordinates with Gent's postcode: 39 km apart."""
    with pytest.raises(ClientError) as caught:
        client.responsible_for_location("9000", 51.2094, 3.2247)
    e = caught.value
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in e.violations] == ["location.point"] and "39 km from postcode 9000" in e.message


def test_responsible_for_location_as_of_follows_openings(client):
    """Genk opens on 2027-03-01: not assigned before, nearest for 3600 Genk from then on."""
    assert client.responsible_for_location("3600", as_of="2027-02-28").dealer.id != "dlr-genk"
    on = client.responsible_for_location("3600", as_of="2027-03-01")
    assert on.dealer.id == "dlr-genk"
    assert (on.decision_date.year, on.decision_date.month, on.decision_date.day) == (2027, 3, 1)


def test_list_assignments_newest_first_one_current(client):
    """A designation changes the dealer: two versions, the older one closed."""
    cid = new_id()
    client.upsert_customer(cid, "9000")
    client.assign(cid)
    client.set_preferred_dealer(cid, "dlr-antwerpen")
    versions = client.assignments(cid)
    assert [v.dealer.id for v in versions] == ["dlr-antwerpen", "dlr-gent"]
    assert [v.HasField("valid_to") for v in versions] == [False, True]
    assert versions[1].valid_to == versions[0].valid_from


def test_upsert_customer_create_then_update(client):
    cid = new_id()
    created = client.upsert_customer(cid, "4000")
    assert created.created and created.customer.language == "fr"
    assert created.customer.kind == pb.CUSTOMER_KIND_PRIVATE and not created.customer.HasField("point")
    updated = client.upsert_customer(cid, "9000", 51.05, 3.72, "en", "professional", "0403.425.770")
    assert not updated.created
    c = client.get_customer(cid)
    assert (c.postcode, c.language, c.kind, c.enterprise_number) == (
        "9000", "en", pb.CUSTOMER_KIND_PROFESSIONAL, "BE 0403.425.770")
    assert (c.point.latitude, c.point.longitude) == (51.05, 3.72)
    assert c.created_at == created.customer.created_at and c.updated_at.ToDatetime() >= c.created_at.ToDatetime()


def test_record_contact_is_idempotent_by_event_id(client):
    cid = new_id()
    client.upsert_customer(cid, "9000")
    at = dt.datetime(2025, 5, 1, 10, tzinfo=UTC)
    first = client.record_contact(cid, "dlr-brugge", "service_visit", at, "ev-1-" + cid)
    assert first.created and first.event.event_id == "ev-1-" + cid
    again = client.record_contact(cid, "dlr-brugge", "service_visit", at, "ev-1-" + cid)
    assert not again.created and again.event == first.event
    with pytest.raises(ClientError) as caught:
        client.record_contact(cid, "dlr-gent", "service_visit", at, "ev-1-" + cid)
    assert caught.value.code == grpc.StatusCode.ALREADY_EXISTS


def test_record_contact_without_event_id_derives_one(client):
    """A retried call without an event id records the event once."""
    cid = new_id()
    client.upsert_customer(cid, "9000")
    at = dt.datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
    first = client.record_contact(cid, "dlr-brugge", "purchase", at)
    assert first.created and first.event.event_id
    retry = client.record_contact(cid, "dlr-brugge", "purchase", at)
    assert not retry.created and retry.event.event_id == first.event.event_id
    other = client.record_contact(cid, "dlr-brugge", "purchase", at + dt.timedelta(seconds=1))
    assert other.created and other.event.event_id != first.event.event_id
    a = client.assign(cid).assignment
    assert (a.dealer.id, a.basis) == ("dlr-brugge", pb.ASSIGNMENT_BASIS_PURCHASE)


def test_set_and_revoke_preferred_dealer(client):
    cid = new_id()
    client.upsert_customer(cid, "9000")
    client.assign(cid)
    pref = client.set_preferred_dealer(cid, "dlr-leuven")
    assert pref.id and (pref.customer_id, pref.dealer_id) == (cid, "dlr-leuven")
    assert not pref.HasField("revoked_at")
    current = client.responsible_for_customer(cid)
    assert (current.dealer.id, current.basis) == ("dlr-leuven", pb.ASSIGNMENT_BASIS_PREFERRED)
    revoked = client.revoke_preferred_dealer(cid)
    assert revoked.id == pref.id and revoked.HasField("revoked_at")
    assert client.responsible_for_customer(cid).dealer.id == "dlr-gent"
    with pytest.raises(ClientError) as caught:
        client.revoke_preferred_dealer(cid)
    assert caught.value.code == grpc.StatusCode.NOT_FOUND


def test_list_dealers_active_as_of(client):
    """Tournai closed on 2024-06-30 and Genk opens 2027-03-01; service-only dealers are listed."""
    demo = json.loads((GEODATA / "demo-dealers.json").read_text(encoding="utf-8"))["dealers"]
    everyone = {d.id: d for d in client.dealers()}
    assert set(everyone) == {d["id"] for d in demo}
    assert not everyone["dlr-tournai"].active and not everyone["dlr-genk"].active
    assert everyone["dlr-oostende"].active and list(everyone["dlr-oostende"].roles) == ["service"]
    active = {d.id for d in client.dealers(active_only=True)}
    assert active == set(everyone) - {"dlr-tournai", "dlr-genk"}
    in_2027 = {d.id for d in client.dealers(as_of="2027-03-01", active_only=True)}
    assert "dlr-genk" in in_2027 and "dlr-tournai" not in in_2027
    in_2020 = {d.id: d.active for d in client.dealers(as_of="2020-01-01")}
    assert in_2020["dlr-tournai"] and not in_2020["dlr-wavre"]


def test_get_dealer(client):
    last_day = client.dealer("dlr-tournai", as_of="2024-06-30")
    assert last_day.active and last_day.active_until == date_pb2.Date(year=2024, month=6, day=30)
    assert not client.dealer("dlr-tournai", as_of="2024-07-01").active
    gent = client.dealer("dlr-gent")
    assert gent.active and gent.enterprise_number.startswith("BE 0") and gent.trade_name == "Scheldeveld Gent"


def test_lookup_postcode(client):
    info = client.lookup_postcode("9000")
    assert info.postcode == "9000" and info.municipality_nl == "Gent"
    assert (info.point.latitude, info.point.longitude) == postcode_point("9000")
    assert info.language_area == "nl" and info.point_source


# bad input


@pytest.mark.parametrize("postcode", ["0999", "12345", "ABCD", "", "9999"])
def test_bad_postcode_in_customer_is_invalid_argument(client, postcode):
    """Malformed, out of range or unknown: the customer cannot be stored."""
    assert_invalid(lambda: client.upsert_customer(new_id(), postcode), "customer.postcode")


@pytest.mark.parametrize("postcode", ["0999", "12345", "ABCD", ""])
def test_bad_postcode_in_lookups_is_invalid_argument(client, postcode):
    assert_invalid(lambda: client.lookup_postcode(postcode), "postcode")
    assert_invalid(lambda: client.responsible_for_location(postcode), "postcode")


def test_unknown_postcode_is_not_found_for_lookup_postcode(client):
    """9999 is well-formed but does not exist: asking about it is NOT_FOUND."""
    with pytest.raises(ClientError) as caught:
        client.lookup_postcode("9999")
    assert caught.value.code == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("lat,lon", [(48.85, 2.35), (91.0, 4.0), (0.0, 0.0), (math.nan, 4.0), (50.8, math.inf)])
def test_point_outside_belgium_or_impossible(client, lat, lon):
    """Paris, a latitude past the pole, null island and non-finite numbers."""
    assert_invalid(lambda: client.responsible_for_location("9000", lat, lon), "point")
    assert_invalid(lambda: client.upsert_customer(new_id(), "9000", lat, lon), "customer.point")


def test_bad_customer_id(client):
    assert_invalid(lambda: client.upsert_customer("bad id!", "9000"), "customer.id")
    assert_invalid(lambda: client.upsert_customer("x" * 65, "9000"), "customer.id")
    assert_invalid(lambda: client.get_customer("bad id!"), "customer_id")
    assert_invalid(lambda: client.assign("bad id!"), "customer_id")
    assert_invalid(lambda: client.responsible_for_customer("bad id!"), "customer_id")
    assert_invalid(lambda: client.assignments("bad id!"), "customer_id")
    assert_invalid(lambda: client.set_preferred_dealer("bad id!", "dlr-gent"), "customer_id")


@pytest.mark.parametrize("number", ["", "BE 0403.425.771", "BE 2403.425.770", "BE0403.425", "0403x425770"])
def test_professional_needs_a_valid_enterprise_number(client, number):
    """Missing, failing mod-97, bad first digit, short, or stray characters."""
    assert_invalid(lambda: client.upsert_customer(new_id(), "9000", kind="professional",
                                                  enterprise_number=number),
                   "customer.enterprise_number")


def test_private_customer_has_no_enterprise_number(client):
    request = pb.UpsertCustomerRequest(customer=pb.Customer(
        id=new_id(), postcode="9000", kind=pb.CUSTOMER_KIND_PRIVATE, enterprise_number="BE 0403.425.770"))
    assert_raw_invalid(client, "UpsertCustomer", request, "customer.enterprise_number")


def test_unknown_language_and_kind(client):
    assert_invalid(lambda: client.upsert_customer(new_id(), "9000", language="xx"), "customer.language")
    request = pb.UpsertCustomerRequest(customer=pb.Customer(id=new_id(), postcode="9000", kind=7))
    assert_raw_invalid(client, "UpsertCustomer", request, "customer.kind")


def test_unspecified_contact_kind(client, customer):
    at = dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert_invalid(lambda: client.record_contact(customer, "dlr-gent", "carrier_pigeon", at), "event.kind")


def test_contact_in_the_future(client, customer):
    """Beyond the five minutes of clock skew allowed."""
    at = dt.datetime.now(UTC) + dt.timedelta(hours=1)
    assert_invalid(lambda: client.record_contact(customer, "dlr-gent", "quote", at), "event.occurred_at")
    request = pb.SetPreferredDealerRequest(customer_id=customer, dealer_id="dlr-gent")
    request.designated_at.FromDatetime(at)
    assert_raw_invalid(client, "SetPreferredDealer", request, "designated_at")


def test_contact_without_time_or_with_invalid_timestamp(client, customer):
    event = pb.ContactEvent(customer_id=customer, dealer_id="dlr-gent", kind=pb.CONTACT_KIND_QUOTE)
    assert_raw_invalid(client, "RecordContact", pb.RecordContactRequest(event=event), "event.occurred_at")
    event.occurred_at.CopyFrom(timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=-1))
    assert_raw_invalid(client, "RecordContact", pb.RecordContactRequest(event=event), "event.occurred_at")


@pytest.mark.parametrize("day", [(2023, 2, 30), (2023, 13, 1), (0, 1, 1), (2024, 0, 0)])
def test_date_that_does_not_exist(client, customer, day):
    """google.type.Date carries any three numbers; one that is no day is INVALID_ARGUMENT."""
    as_of = date_pb2.Date(year=day[0], month=day[1], day=day[2])
    location = pb.Location(postcode="9000")
    assert_raw_invalid(client, "GetResponsibleDealer",
                       pb.GetResponsibleDealerRequest(location=location, as_of=as_of), "as_of")
    assert_raw_invalid(client, "GetResponsibleDealer",
                       pb.GetResponsibleDealerRequest(customer_id=customer, as_of=as_of), "as_of")
    assert_raw_invalid(client, "ListDealers", pb.ListDealersRequest(as_of=as_of), "as_of")
    assert_raw_invalid(client, "GetDealer", pb.GetDealerRequest(dealer_id="dlr-gent", as_of=as_of), "as_of")


def test_responsible_dealer_without_subject(client):
    assert_raw_invalid(client, "GetResponsibleDealer", pb.GetResponsibleDealerRequest(), "subject")


def test_ancient_contact_does_not_poison_the_customer(client):
    """A valid Timestamp in year 999 must be refused or stored readably, not break later calls."""
    cid = new_id()
    client.upsert_customer(cid, "9000")
    client.assign(cid)
    try:
        client.record_contact(cid, "dlr-gent", "service_visit", dt.datetime(999, 6, 1, tzinfo=UTC))
    except ClientError as e:
        assert e.code == grpc.StatusCode.INVALID_ARGUMENT, e
    client.assign(cid)
    client.record_contact(cid, "dlr-gent", "quote", dt.datetime(2025, 1, 1, tzinfo=UTC))


def test_every_rpc_with_an_empty_request_is_a_clean_error(client):
    """Default values everywhere: INVALID_ARGUMENT (or an answer), never UNKNOWN or INTERNAL."""
    service = pb.DESCRIPTOR.services_by_name["DealerAssignmentService"]
    for method in service.methods:
        result = raw_call(client, method.name, getattr(pb, method.input_type.name)())
        if method.name == "ListDealers":
            assert not isinstance(result, tuple), result
        else:
            assert isinstance(result, tuple) and result[0] == grpc.StatusCode.INVALID_ARGUMENT, (method.name, result)
            assert result[1], f"{method.name} gave no field violations"


# not found and failed precondition


def test_unknown_customer_is_not_found(client):
    for call in (lambda: client.get_customer("nobody"), lambda: client.assign("nobody"),
                 lambda: client.responsible_for_customer("nobody"), lambda: client.assignments("nobody"),
                 lambda: client.set_preferred_dealer("nobody", "dlr-gent"),
                 lambda: client.revoke_preferred_dealer("nobody"),
                 lambda: client.record_contact("nobody", "dlr-gent", "quote", dt.datetime(2025, 1, 1, tzinfo=UTC))):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.code == grpc.StatusCode.NOT_FOUND, caught.value


def test_unknown_dealer_is_not_found(client, customer):
    for call in (lambda: client.dealer("dlr-nowhere"),
                 lambda: client.set_preferred_dealer(customer, "dlr-nowhere"),
                 lambda: client.record_contact(customer, "dlr-nowhere", "quote", dt.datetime(2025, 1, 1, tzinfo=UTC))):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.code == grpc.StatusCode.NOT_FOUND, caught.value


def test_no_active_dealer_is_failed_precondition(client):
    """Every demo dealer opened after 1990-01-01."""
    demo = json.loads((GEODATA / "demo-dealers.json").read_text(encoding="utf-8"))["dealers"]
    assert min(d["active_from"] for d in demo) > "1990-01-01"
    with pytest.raises(ClientError) as caught:
        client.responsible_for_location("9000", as_of="1990-01-01")
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION


# standard services


def test_health_serving(server):
    with support.channel(server) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ("", "cocontroller.v1.DealerAssignmentService"):
            answer = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_service(server):
    with support.channel(server) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
        names = {s.name for a in answers for s in a.list_services_response.service}
    assert "cocontroller.v1.DealerAssignmentService" in names
