"""Tenants through a real server of two (Lexus BE and Toyota BE): no RPC of one tenant ever
returns the other's data, a call names a tenant it may call, and what one tenant changes
leaves the other as it was."""

import datetime as dt

import grpc
import pytest
from cryptography import x509
from google.protobuf import descriptor_pool, message_factory, text_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cocontroller import certs, clock
from cocontroller.api.access import PERMISSIONS
from cocontroller.config import TENANT_KEY
from cocontroller.model import Role
from cocontroller_client.client import Client, ClientError
from support import CONSENT_PROOF, certs_dir, channel, client_for, credentials, serve_tenants
from network_world import enterprise_number

LEXUS, TOYOTA = "lexus-be", "toyota-be"
# What only one tenant's data holds: its dealers' id prefix and the marker of every id and
# text the test writes. The Toyota pack's own version is its alone too.
MARKS = {LEXUS: ("dlr-", "lxmark"), TOYOTA: ("tyt-", "tymark", "+toyota-be")}
OTHER = {LEXUS: TOYOTA, TOYOTA: LEXUS}
# The same customer id in both tenants, with other details in each.
SHARED = "shared-1"
DETAILS = {LEXUS: ("9000", "nl"), TOYOTA: ("4000", "fr")}
DEALERS = {LEXUS: ("dlr-gent", "dlr-aalst"), TOYOTA: ("tyt-gent", "tyt-liege")}
ADDED = {LEXUS: ("dlr-added-lxmark", "08991234"), TOYOTA: ("tyt-added-tymark", "08995678")}

# Every RPC is a read (asked below, in each tenant, for its requests' fields) or a write (made
# by `world`); a new RPC fails test_every_rpc_is_covered until it is one or the other.
READS = {
    "LookupPostcode": {"postcode": "9000"},
    "ListDealers": {},
    "GetDealer": {"dealer_id": "{gent}"},
    "GetResponsibleDealer": {"customer_id": SHARED},
    "ListAssignments": {"customer_id": SHARED},
    "GetCustomer": {"customer_id": SHARED},
    "ListContacts": {"customer_id": SHARED},
    "ListPreferences": {"customer_id": SHARED},
    "ListConsents": {"customer_id": SHARED},
    "ListContracts": {"customer_id": SHARED},
    "ListDisputes": {"customer_id": SHARED},
    "ListObjections": {"customer_id": SHARED},
    "ResolveControllers": {"customer_id": SHARED},
    "ListRulePacks": {},
    "ListScheduledChanges": {},
    "ListAssignmentChanges": {"customer_id": SHARED},
    "ListNotices": {},
    "ExportCustomer": {"customer_id": SHARED},
}
WRITES = {
    "AssignDealer", "UpsertCustomer", "UpdateCustomer", "CreateLead", "RecordContact", "SetPreferredDealer",
    "RevokePreferredDealer", "RecordConsent", "RecordContract", "RecordDispute", "RecordObjection",
    "ReloadRulePacks", "AddDealer", "UpdateDealer", "CloseDealer", "ReopenDealer", "CancelNetworkChange",
    "ReassignCustomers", "MarkNoticesExported", "RectifyFact", "EraseCustomer", "SweepRetention",
}


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T10:00:00+00:00")


def _write(client, tenant: str) -> None:
    """One tenant's world, every id and text marked as its own."""
    mark = MARKS[tenant][1]
    gent, preferred = DEALERS[tenant]
    postcode, language = DETAILS[tenant]
    client.upsert_customer(SHARED, postcode, language=language)
    client.upsert_customer(f"only-{mark}", postcode)
    client.upsert_customer(f"erased-{mark}", postcode)
    client.record_contact(SHARED, gent, "service_visit", _at("2025-03-01"), event_id=f"evt-{mark}")
    client.set_preferred_dealer(SHARED, preferred, _at("2025-03-02"))
    client.record_consent(SHARED, "email", given_at=_at("2025-03-03"), **{**CONSENT_PROOF, "reference": f"p-{mark}"})
    client.record_contract(f"contract-{mark}", SHARED, "lease", "2024-02-05", partner=f"Lease {mark} NV")
    client.record_dispute(SHARED, opened_at=_at("2025-03-04"), subject=f"paint {mark}")
    client.record_objection(SHARED, "direct_marketing", _at("2025-03-05"))
    client.assign(SHARED, reason=f"test {mark}")
    dealer_id, number = ADDED[tenant]
    client.add_dealer(dealer_id, {"legal_name": f"Added {mark} NV", "trade_name": f"Added {mark}",
                                  "enterprise_number": enterprise_number(number), "street": "Kortrijksesteenweg 1",
                                  "postcode": "9800", "town": "Deinze", "languages": ["nl"],
                                  "roles": ["sales", "service"]}, clock.today())
    assert list(client.reassign(f"job-{mark}"))[-1].finished
    client.erase_customer(f"erased-{mark}", f"erasure-{mark}")
    assert list(client.sweep_retention(f"sweep-{mark}", dry_run=True))[-1].finished


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(target, apps) of a server of both tenants, each with its world written."""
    for target, apps in serve_tenants(tmp_path_factory.mktemp("tenants")):
        for tenant in (LEXUS, TOYOTA):
            with client_for(target, tenant=tenant) as client:
                _write(client, tenant)
        yield target, apps


def _read(target: str, tenant: str, method: str, fields: dict) -> str:
    """The answer of a read RPC in a tenant, as text."""
    full = next(m for m in PERMISSIONS if m.endswith("/" + method))
    descriptor = descriptor_pool.Default().FindMethodByName(full.lstrip("/").replace("/", "."))
    request = message_factory.GetMessageClass(descriptor.input_type)(
        **{k: v.format(gent=DEALERS[tenant][0]) for k, v in fields.items()})
    response_class = message_factory.GetMessageClass(descriptor.output_type)
    with channel(target) as ch:
        call = ch.unary_unary(full, request_serializer=type(request).SerializeToString,
                              response_deserializer=response_class.FromString)
        return text_format.MessageToString(call(request, timeout=10, metadata=((TENANT_KEY, tenant),)),
                                           as_utf8=True)


def test_every_rpc_is_covered():
    assert {m.rsplit("/", 1)[1] for m in PERMISSIONS} == set(READS) | WRITES
    assert not set(READS) & WRITES


@pytest.mark.parametrize("tenant", [LEXUS, TOYOTA])
def test_no_read_of_one_tenant_returns_the_others_data(world, tenant):
    target, _ = world
    answers = {method: _read(target, tenant, method, fields) for method, fields in READS.items()}
    for method, text in answers.items():
        for mark in MARKS[OTHER[tenant]]:
            assert mark not in text, (tenant, method, mark)
    # Not vacuous: the tenant's own data is there.
    everything = "".join(answers.values())
    assert all(mark in everything for mark in MARKS[tenant])


def test_the_same_customer_id_holds_each_tenants_own_data(world):
    target, _ = world
    for tenant in (LEXUS, TOYOTA):
        with client_for(target, tenant=tenant) as client:
            customer = client.get_customer(SHARED)
            assert (customer.postcode, customer.language) == DETAILS[tenant]
            assert client.responsible_for_customer(SHARED).dealer.id.startswith(MARKS[tenant][0])
            assert [c.event_id for c in client.contacts(SHARED)] == [f"evt-{MARKS[tenant][1]}"]


def test_another_tenants_ids_are_not_found(world):
    target, _ = world
    with client_for(target, tenant=TOYOTA) as client:
        for call in (lambda: client.dealer("dlr-gent"), lambda: client.get_customer("only-lxmark"),
                     lambda: client.assignment_changes(job_id="job-lxmark")):
            try:
                found = call()
            except ClientError as e:
                assert e.code is grpc.StatusCode.NOT_FOUND
            else:
                assert not found


def test_a_server_of_two_tenants_needs_the_tenant_named(world):
    target, _ = world
    with client_for(target, tenant="") as client:
        with pytest.raises(ClientError) as missing:
            client.lookup_postcode("9000")
    assert missing.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in missing.value.violations] == [TENANT_KEY]
    with client_for(target, tenant="peugeot-be") as client:
        with pytest.raises(ClientError) as unknown:
            client.lookup_postcode("9000")
    assert unknown.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in unknown.value.violations] == [TENANT_KEY]
    assert "peugeot-be" in unknown.value.message and "lexus-be, toyota-be" in unknown.value.message


def test_health_names_no_tenant(world):
    target, _ = world
    with channel(target) as ch:
        status = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10).status
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_an_identity_confined_to_a_tenant_calls_that_tenant_only(world):
    target, _ = world
    directory = certs_dir()
    stem = "toyota-be-crm"
    uri = certs.role_uri(Role.CRM, tenant=TOYOTA)
    certs.issue(directory, stem, f"cocontroller {stem}", [x509.UniformResourceIdentifier(uri)])
    with Client(target, credentials=credentials(stem), tenant=TOYOTA) as own:
        assert own.get_customer(SHARED).postcode == DETAILS[TOYOTA][0]
    with Client(target, credentials=credentials(stem), tenant="") as unnamed:
        assert unnamed.get_customer(SHARED).postcode == DETAILS[TOYOTA][0]  # its tenant
    with Client(target, credentials=credentials(stem), tenant=LEXUS) as other:
        with pytest.raises(ClientError) as denied:
            other.get_customer(SHARED)
    assert denied.value.code is grpc.StatusCode.PERMISSION_DENIED
    assert "toyota-be only" in denied.value.message


def test_what_one_tenant_changes_leaves_the_other_as_it_was(world):
    target, apps = world
    lexus_runtime = apps[LEXUS].runtime.recent()
    with client_for(target, tenant=LEXUS) as lexus, client_for(target, tenant=TOYOTA) as toyota:
        before = [(d.id, d.active) for d in lexus.dealers()]
        packs = [(p.name, p.version) for p in lexus.rule_packs()]
        toyota.reload_rule_packs()
        toyota.close_dealer("tyt-gent", clock.today() + dt.timedelta(days=1))
        assert [(d.id, d.active) for d in lexus.dealers()] == before
        assert [(p.name, p.version) for p in lexus.rule_packs()] == packs
        assert not lexus.scheduled_changes()
        assert [c.dealer_id for c in toyota.scheduled_changes()] == ["tyt-gent"]
    assert apps[LEXUS].runtime.recent() is lexus_runtime


def test_each_tenant_answers_with_its_own_packs(world):
    target, _ = world
    with client_for(target, tenant=TOYOTA) as toyota:
        text = text_format.MessageToString(toyota.resolve(SHARED, language="fr"), as_utf8=True)
    assert "Toyota Belgium SA" in text and "0403.425.770" in text and "+toyota-be" in text
    assert "Lexus Belgium, B.U." not in text.split("citation")[0]


def test_a_dealer_identity_is_scoped_in_the_tenant_it_calls(world):
    target, _ = world
    # The development dealer certificate names dlr-gent, a Lexus dealer id: in Toyota BE no
    # customer is assigned to it, so none is visible.
    with client_for(target, role="dealer-dlr-gent", tenant=TOYOTA) as dealer:
        with pytest.raises(ClientError) as hidden:
            dealer.get_customer(SHARED)
    assert hidden.value.code is grpc.StatusCode.NOT_FOUND
