"""Who may call what, through a real server over mTLS: every RPC of every service as
every role (one call each), callers without a role or without a certificate, the dealer's
scope, and the audit naming the certificate's identity rather than the client's word."""

import datetime as dt

import grpc
import pytest
from cryptography import x509
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc

import support
from cocontroller import certs
from cocontroller.api import access
from cocontroller.api.server import SERVICES as SERVED
from cocontroller.model import Role
from cocontroller_client.client import ClientError

# Every service the server registers, so a new one is checked without listing it here.
SERVICES = [descriptor_pool.Default().FindServiceByName(name) for name in SERVED]
METHODS = {f"/{service.full_name}/{method.name}": method for service in SERVICES for method in service.methods}
# The development certificates' file stems: a role's name, or dealer-<dealer id>.
IDENTITIES = {role: str(role) for role in Role} | {Role.DEALER: "dealer-" + certs.DEMO_DEALER}
# A certificate of the CA whose SAN names no role.
NO_ROLE = "no-role"
# A certificate whose SAN names no role and whose CN names the DPO's, and one whose SAN names
# the DPO's and whose CN the admin's.
ROLE_IN_CN = "role-in-cn"
TWO_ROLES = "two-roles"
DENIED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    certs.issue(support.certs_dir(), NO_ROLE, "somebody",
                [x509.UniformResourceIdentifier("spiffe://cocontroller.local/team/somebody")])
    certs.issue(support.certs_dir(), ROLE_IN_CN, "role/dpo",
                [x509.UniformResourceIdentifier("spiffe://cocontroller.local/team/audit")])
    certs.issue(support.certs_dir(), TWO_ROLES, "role/admin",
                [x509.UniformResourceIdentifier(certs.role_uri(Role.DPO))])
    yield from support.serve(tmp_path_factory.mktemp("access") / "db.sqlite")


def status_of(channel: grpc.Channel, name: str) -> grpc.StatusCode:
    """The status of one call of the method with an empty request."""
    method = METHODS[name]
    request = message_factory.GetMessageClass(method.input_type)()
    kind = channel.unary_stream if method.server_streaming else channel.unary_unary
    rpc = kind(name, request_serializer=type(request).SerializeToString, response_deserializer=bytes)
    try:
        answer = rpc(request, timeout=10)
        if method.server_streaming:
            list(answer)
        return grpc.StatusCode.OK
    except grpc.RpcError as e:
        return e.code()


def test_the_table_names_every_rpc_and_admin_everywhere():
    assert len(METHODS) == 40
    assert set(access.PERMISSIONS) == set(METHODS)
    assert all(Role.ADMIN in roles for roles in access.PERMISSIONS.values())


def test_the_table_keeps_each_role_to_its_work():
    """Spot checks written independently of the table."""
    allowed = lambda role, rpc: role in next(r for m, r in access.PERMISSIONS.items() if m.endswith("/" + rpc))  # noqa: E731
    assert not any(allowed(role, rpc) for role in Role if role is not Role.ADMIN
                   for rpc in ("AddDealer", "UpdateDealer", "CloseDealer", "ReopenDealer", "CancelNetworkChange",
                               "ReloadRulePacks"))
    assert allowed(Role.DPO, "MarkNoticesExported") and not allowed(Role.CRM, "MarkNoticesExported")
    assert allowed(Role.BATCH, "ReassignCustomers") and not allowed(Role.DEALER, "ListNotices")
    assert allowed(Role.CALLCENTRE, "GetResponsibleDealer") and not allowed(Role.CALLCENTRE, "UpsertCustomer")
    assert allowed(Role.DPO, "ListDisputes") and not allowed(Role.CALLCENTRE, "ListDisputes")
    assert allowed(Role.DPO, "RectifyFact") and not any(allowed(role, "RectifyFact") for role in Role
                                                        if role not in (Role.DPO, Role.ADMIN))
    assert not any(allowed(Role.BATCH, rpc) for rpc in ("ListContacts", "ListConsents", "ListDisputes"))
    assert allowed(Role.DPO, "EraseCustomer") and not any(
        allowed(role, "EraseCustomer") for role in (Role.CRM, Role.CALLCENTRE, Role.BATCH, Role.DEALER))
    assert allowed(Role.BATCH, "SweepRetention") and not allowed(Role.CRM, "SweepRetention")


@pytest.mark.parametrize("role", list(IDENTITIES), ids=str)
def test_every_rpc_as_every_role(target, role):
    """Allowed: OK or a domain error for the empty request; otherwise PERMISSION_DENIED."""
    wrong = []
    with support.channel(target, role=IDENTITIES[role]) as channel:
        for name in METHODS:
            code = status_of(channel, name)
            expected_allowed = role in access.PERMISSIONS[name]
            if (code in DENIED) == expected_allowed or (not expected_allowed and code != DENIED[0]):
                wrong.append((name, code))
    assert wrong == []


def test_a_certificate_without_a_role_is_unauthenticated_but_sees_health(target):
    with support.channel(target, role=NO_ROLE) as channel:
        assert {name: status_of(channel, name) for name in METHODS} == dict.fromkeys(
            METHODS, grpc.StatusCode.UNAUTHENTICATED)
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_a_role_in_the_common_name_serves_when_no_san_names_one(target):
    with support.channel(target, role=ROLE_IN_CN) as channel:
        assert status_of(channel, "/cocontroller.v1.DealerNetworkService/ListNotices") == grpc.StatusCode.OK
        assert status_of(channel, "/cocontroller.v1.DealerAssignmentService/CreateLead") == \
            grpc.StatusCode.PERMISSION_DENIED


def test_a_san_that_names_a_role_wins_over_the_common_name(target):
    with support.channel(target, role=TWO_ROLES) as channel:
        # As the DPO: no network change, which the admin may make.
        assert status_of(channel, "/cocontroller.v1.DealerNetworkService/ListNotices") == grpc.StatusCode.OK
        assert status_of(channel, "/cocontroller.v1.DealerNetworkService/CloseDealer") == \
            grpc.StatusCode.PERMISSION_DENIED


def test_no_client_certificate_and_plaintext_do_not_connect(target):
    """mTLS is required at the handshake: no call reaches the server without a certificate."""
    ca = (support.certs_dir() / "ca.pem").read_bytes()
    for channel in (grpc.secure_channel(target, grpc.ssl_channel_credentials(ca)), grpc.insecure_channel(target)):
        with channel:
            assert {status_of(channel, name) for name in METHODS} == {grpc.StatusCode.UNAVAILABLE}


def test_a_dealer_sees_only_its_own_customers(target):
    with support.client_for(target) as admin:
        for customer_id, postcode in (("scope-gent", "9000"), ("scope-brugge", "8000")):
            admin.upsert_customer(customer_id, postcode)
            admin.assign(customer_id)
    with support.client_for(target, IDENTITIES[Role.DEALER]) as dealer:
        assert dealer.get_customer("scope-gent").postcode == "9000"
        assert dealer.responsible_for_customer("scope-gent").dealer.id == certs.DEMO_DEALER
        assert len(dealer.assignments("scope-gent")) == 1
        assert dealer.resolve("scope-gent").customer_id == "scope-gent"
        assert dealer.responsible_for_location("8000").dealer.id == "dlr-brugge"
        for call in (dealer.get_customer, dealer.responsible_for_customer, dealer.assignments, dealer.resolve):
            with pytest.raises(ClientError) as caught:
                call("scope-brugge")
            assert caught.value.code == grpc.StatusCode.NOT_FOUND, call
        at = dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)
        assert dealer.record_contact("scope-gent", certs.DEMO_DEALER, "quote", at).created
        with pytest.raises(ClientError) as caught:
            dealer.record_contact("scope-gent", "dlr-aalst", "quote", at)
        assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED


def test_the_audit_names_the_certificate_not_the_claim(target):
    trigger = support.audited_assignment(target, "audited", caller="admin", reason="lead")
    assert trigger == certs.role_uri(Role.CRM) + "; x-caller=admin; reason=lead"
