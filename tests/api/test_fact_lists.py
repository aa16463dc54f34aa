"""What is recorded about a customer, kind by kind (GDPR art. 15): ListContacts,
ListPreferences, ListConsents, ListContracts and ListDisputes through a real server, in
pages (AIP-158), in order, each fact as it stands (withdrawn, revoked, closed), within a
dealer's scope and the roles' permissions."""

import datetime as dt

import grpc
import pytest

from cocontroller import certs
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc
from cocontroller_client.client import ClientError
from support import CONSENT_PROOF, channel, client_for, pages, rpc_failure

UTC = dt.timezone.utc


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def recorded(server):
    """A customer of dlr-gent with five contacts, two designations (the first revoked by the
    second), three consents (one withdrawn), three contracts and two disputes (one closed);
    and a second customer with one of each kind."""
    with client_for(server) as c:
        for customer_id in ("facts-a", "facts-b"):
            c.upsert_customer(customer_id, "9000")
            c.assign(customer_id)
        for day, kind in ((9, "quote"), (2, "brochure"), (5, "showroom_visit"), (7, "purchase"), (3, "quote")):
            c.record_contact("facts-a", "dlr-gent", kind, at(day), event_id=f"fa-{day}")
        c.set_preferred_dealer("facts-a", "dlr-aalst", at(4))
        c.set_preferred_dealer("facts-a", "dlr-gent", at(8))
        for channel_name, day in (("sms", 6), ("email", 1), ("post", 3)):
            c.record_consent("facts-a", channel_name, given_at=at(day), **CONSENT_PROOF)
        c.record_consent("facts-a", "sms", withdrawn_at=at(10))
        for contract_id, start in (("fa-lease", "2024-03-05"), ("fa-sale", "2024-03-01"), ("fa-care", "2024-03-09")):
            kind = {"fa-lease": "lease", "fa-sale": "purchase", "fa-care": "maintenance"}[contract_id]
            c.record_contract(contract_id, "facts-a", kind, start, None,
                              partner="Fictilease NV" if kind == "lease" else "")
        c.record_dispute("facts-a", opened_at=at(2), subject="paint")
        c.record_dispute("facts-a", closed_at=at(4))
        c.record_dispute("facts-a", opened_at=at(6), subject="invoice")
        c.record_contact("facts-b", "dlr-gent", "quote", at(1), event_id="fb-1")
        c.record_consent("facts-b", "email", given_at=at(1), **CONSENT_PROOF)
    return server


LISTS = {
    # RPC: (stub index, request class, response field, how an item is compared)
    "ListContacts": (0, pb.ListContactsRequest, "contacts", lambda x: x.event_id),
    "ListPreferences": (0, pb.ListPreferencesRequest, "preferences", lambda x: (x.dealer_id, x.HasField("revoked_at"))),
    "ListConsents": (1, rpb.ListConsentsRequest, "consents", lambda x: (x.channel, x.HasField("withdrawn_at"))),
    "ListContracts": (1, rpb.ListContractsRequest, "contracts", lambda x: x.id),
    "ListDisputes": (1, rpb.ListDisputesRequest, "disputes", lambda x: (x.subject, x.HasField("closed_at"))),
}
EXPECTED = {
    "ListContacts": ["fa-2", "fa-3", "fa-5", "fa-7", "fa-9"],
    "ListPreferences": [("dlr-aalst", True), ("dlr-gent", False)],
    "ListConsents": [("email", False), ("post", False), ("sms", True)],
    "ListContracts": ["fa-sale", "fa-lease", "fa-care"],
    "ListDisputes": [("paint", True), ("invoice", False)],
}


@pytest.fixture(scope="module")
def stubs(recorded):
    with channel(recorded) as ch:
        yield pb_grpc.DealerAssignmentServiceStub(ch), rpb_grpc.ControllerResolutionServiceStub(ch)


@pytest.mark.parametrize("method", LISTS)
def test_each_kind_in_pages_of_two_is_the_whole_list_once_in_order(stubs, method):
    index, request_class, field, key = LISTS[method]
    call = getattr(stubs[index], method)
    whole = getattr(call(request_class(customer_id="facts-a"), timeout=10), field)
    assert [key(x) for x in whole] == EXPECTED[method]
    paged = pages(call, request_class(customer_id="facts-a", page_size=2), field)
    assert [len(p) for p in paged] == [2] * (len(whole) // 2) + ([len(whole) % 2] if len(whole) % 2 else [])
    assert [x for p in paged for x in p] == list(whole)
    assert all(x.customer_id == "facts-a" for x in whole)


@pytest.mark.parametrize("method", LISTS)
def test_bad_requests(stubs, method):
    index, request_class, _, _ = LISTS[method]
    call = getattr(stubs[index], method)
    assert rpc_failure(call, request_class(customer_id="")) == (grpc.StatusCode.INVALID_ARGUMENT, ["customer_id"])
    with pytest.raises(grpc.RpcError) as caught:
        call(request_class(customer_id="facts-nobody"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    first = call(request_class(customer_id="facts-a", page_size=1), timeout=10)
    other = request_class(customer_id="facts-b", page_size=1, page_token=first.next_page_token)
    assert rpc_failure(call, other) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


def test_the_client_lists_everything_recorded(recorded):
    with client_for(recorded) as c:
        assert [x.event_id for x in c.contacts("facts-a")] == EXPECTED["ListContacts"]
        assert [x.dealer_id for x in c.preferences("facts-a")] == ["dlr-aalst", "dlr-gent"]
        assert [x.channel for x in c.consents("facts-a")] == ["email", "post", "sms"]
        assert [x.id for x in c.contracts("facts-a")] == EXPECTED["ListContracts"]
        assert [x.subject for x in c.disputes("facts-a")] == ["paint", "invoice"]
        lease = next(x for x in c.contracts("facts-a") if x.id == "fa-lease")
        assert (lease.kind, lease.partner) == ("lease", "Fictilease NV")
        assert [x.event_id for x in c.contacts("facts-b")] == ["fb-1"]


def test_a_dealer_lists_its_own_customers_facts_and_the_call_centre_no_disputes(recorded):
    with client_for(recorded) as admin:
        admin.upsert_customer("facts-brugge", "8000")
        admin.assign("facts-brugge")
    with client_for(recorded, "dealer-" + certs.DEMO_DEALER) as dealer:
        assert len(dealer.contacts("facts-a")) == 5 and len(dealer.consents("facts-a")) == 3
        with pytest.raises(ClientError) as caught:
            dealer.contacts("facts-brugge")
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
        with pytest.raises(ClientError) as caught:
            dealer.disputes("facts-a")
        assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED
    with client_for(recorded, "callcentre") as callcentre:
        assert len(callcentre.contracts("facts-a")) == 3
        with pytest.raises(ClientError) as caught:
            callcentre.disputes("facts-a")
        assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED
    with client_for(recorded, "dpo") as dpo:
        assert len(dpo.disputes("facts-a")) == 2
