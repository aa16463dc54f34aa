"""AIP-158 pagination on every list RPC: pages cover a list once and in order, a token works
only with the request that made it, and page sizes are bounded."""

import datetime as dt

import grpc
import pytest

from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc
from support import channel, client_for, pages, rpc_failure

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def stubs(server):
    """Stubs of the three services, and a customer with five assignment versions and four
    notices (a job's worth of changes)."""
    with client_for(server) as c:
        c.upsert_customer("page-c", "9000")
        c.assign("page-c")
        for i, dealer in enumerate(["dlr-brugge", "dlr-leuven", "dlr-namur", "dlr-liege"]):
            c.record_contact("page-c", dealer, "purchase", dt.datetime(2024, 1, 1 + i, 10, tzinfo=UTC))
    with channel(server) as ch:
        yield (pb_grpc.DealerAssignmentServiceStub(ch), npb_grpc.DealerNetworkServiceStub(ch),
               rpb_grpc.ControllerResolutionServiceStub(ch))


def test_dealers_in_pages_of_two_are_the_whole_list_once(stubs):
    assignment, _, _ = stubs
    whole = assignment.ListDealers(pb.ListDealersRequest(), timeout=10)
    assert len(whole.dealers) == 22 and whole.next_page_token == ""
    paged = pages(assignment.ListDealers, pb.ListDealersRequest(page_size=2), "dealers")
    assert all(len(page) == 2 for page in paged)
    assert [d.id for page in paged for d in page] == [d.id for d in whole.dealers]
    assert [d.id for d in whole.dealers] == sorted(d.id for d in whole.dealers)


def test_a_customers_assignments_newest_first_in_pages(stubs):
    assignment, _, _ = stubs
    whole = assignment.ListAssignments(pb.ListAssignmentsRequest(customer_id="page-c"), timeout=10).assignments
    assert len(whole) == 5
    paged = pages(assignment.ListAssignments, pb.ListAssignmentsRequest(customer_id="page-c", page_size=2),
                  "assignments")
    assert [len(p) for p in paged] == [2, 2, 1]
    assert [a.assignment_id for p in paged for a in p] == [a.assignment_id for a in whole]


def test_assignment_changes_and_notices_in_pages(stubs):
    _, network, _ = stubs
    request = npb.ListAssignmentChangesRequest(customer_id="page-c", page_size=3)
    changes = [c for p in pages(network.ListAssignmentChanges, request, "changes") for c in p]
    assert [c.new_dealer_id for c in changes] == ["dlr-gent", "dlr-brugge", "dlr-leuven", "dlr-namur", "dlr-liege"]
    notices = [n for p in pages(network.ListNotices, npb.ListNoticesRequest(page_size=1), "notices") for n in p]
    mine = [n for n in notices if n.customer_id == "page-c"]
    assert [n.new_dealer_id for n in mine] == ["dlr-brugge", "dlr-leuven", "dlr-namur", "dlr-liege"]
    assert [n.id for n in notices] == sorted(n.id for n in notices)


def test_rule_packs_are_a_list_too(stubs):
    _, _, resolution = stubs
    paged = pages(resolution.ListRulePacks, rpb.ListRulePacksRequest(page_size=1), "packs")
    assert [[p.name for p in page] for page in paged] == [["assignment"], ["privacy"]]


def test_a_token_works_only_with_the_request_that_made_it(stubs):
    assignment, network, _ = stubs
    first = network.ListNotices(npb.ListNoticesRequest(page_size=1), timeout=10)
    assert first.next_page_token
    other = npb.ListNoticesRequest(page_size=1, pending_only=True, page_token=first.next_page_token)
    assert rpc_failure(network.ListNotices, other) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])
    dealers = pb.ListDealersRequest(page_size=1, page_token=first.next_page_token)
    assert rpc_failure(assignment.ListDealers, dealers) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


@pytest.mark.parametrize("token", ["garbage", "e30=", "x" * 2000, "eyJhIjogMywgInEiOiAiIn0="])
def test_a_token_no_list_gave_is_refused(stubs, token):
    _, network, _ = stubs
    request = npb.ListNoticesRequest(page_token=token)
    assert rpc_failure(network.ListNotices, request) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


def test_page_sizes_are_bounded(stubs):
    assignment, _, _ = stubs
    assert rpc_failure(assignment.ListDealers, pb.ListDealersRequest(page_size=-1)) == (
        grpc.StatusCode.INVALID_ARGUMENT, ["page_size"])
    huge = assignment.ListDealers(pb.ListDealersRequest(page_size=2**31 - 1), timeout=10)
    assert len(huge.dealers) == 22 and huge.next_page_token == ""


def test_the_client_follows_every_page(server):
    with client_for(server) as c:
        assert len(c.dealers()) == 22
        assert [p.name for p in c.rule_packs()] == ["assignment", "privacy"]
