"""Objection (GDPR art. 21) through a real server and the CLI: an objection removes exactly
the purposes it names from its time on, one to direct marketing removes every marketing
purpose and sender whatever the consent, and only purposes resting on legitimate interest
can be objected to."""

import datetime as dt
import json

import grpc
import pytest

from cocontroller_client.client import ClientError
from support import CONSENT_PROOF, client_for

UTC = dt.timezone.utc
SURVEYS = "purpose.quality.satisfaction-surveys"


def purposes(client, customer_id: str, as_of=None) -> set[str]:
    return {p.id for p in client.resolve(customer_id, as_of).purposes}


def bought_and_consented(client, customer_id: str) -> None:
    """A customer who bought a car and consented to e-mail marketing."""
    client.upsert_customer(customer_id, "9000")
    client.record_contact(customer_id, "dlr-gent", "purchase", dt.datetime(2024, 3, 1, 10, tzinfo=UTC))
    client.assign(customer_id)
    client.record_consent(customer_id, "email", given_at=dt.datetime(2024, 3, 1, 10, tzinfo=UTC), **CONSENT_PROOF)


@pytest.fixture(scope="module")
def customer(server):
    with client_for(server) as c:
        bought_and_consented(c, "obj-a")
    return server


def test_an_objection_removes_exactly_its_purpose_from_its_time(customer):
    with client_for(customer) as c:
        before = purposes(c, "obj-a")
        assert SURVEYS in before
        objected_at = dt.datetime(2025, 1, 10, 9, tzinfo=UTC)
        made = c.record_objection("obj-a", SURVEYS, objected_at)
        assert made.created and made.objection.purpose == SURVEYS
        assert purposes(c, "obj-a") == before - {SURVEYS}
        assert SURVEYS in purposes(c, "obj-a", dt.date(2025, 1, 9))  # the day before: still in force
        assert SURVEYS not in purposes(c, "obj-a", dt.date(2025, 1, 10))
        assert not c.record_objection("obj-a", SURVEYS, objected_at).created  # once is enough
        assert [o.purpose for o in c.objections("obj-a")] == [SURVEYS]


def test_an_objection_to_direct_marketing_is_absolute(server):
    with client_for(server) as c:
        bought_and_consented(c, "obj-b")
        before = c.resolve("obj-b")
        marketing = {p.id for p in before.purposes if p.group == "marketing"}
        assert "purpose.marketing.email" in marketing and any(r.marketing for r in before.recipients)
        c.record_objection("obj-b", "direct_marketing")
        after = c.resolve("obj-b")
        assert {p.id for p in after.purposes} == {p.id for p in before.purposes} - marketing
        assert not any(r.marketing for r in after.recipients)
        assert {r.name for r in after.recipients} == {r.name for r in before.recipients if not r.marketing}
        assert c.consents("obj-b")[0].withdrawn_at.seconds == 0  # the consent itself stands


@pytest.mark.parametrize("purpose", ["purpose.contract.sale", "purpose.marketing.email", "purpose.nope", ""])
def test_only_legitimate_interest_and_direct_marketing_can_be_objected_to(customer, purpose):
    with client_for(customer) as c:
        with pytest.raises(ClientError) as caught:
            c.record_objection("obj-a", purpose)
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [field for field, _ in caught.value.violations] == ["purpose"]
    assert "direct_marketing" in caught.value.violations[0][1]  # and the purposes that may be, as room allows


def test_an_unknown_customer_and_the_roles(customer):
    with client_for(customer) as c:
        with pytest.raises(ClientError) as caught:
            c.record_objection("obj-nobody", "direct_marketing")
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
    with client_for(customer, "batch") as batch:
        with pytest.raises(ClientError) as caught:
            batch.record_objection("obj-a", "direct_marketing")
        assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED


def test_the_cli_records_an_objection(customer, cli):
    code, out, err = cli("object", "--customer", "obj-a", "--purpose", "purpose.quality.evaluation",
                         "--at", "2025-02-01T10:00", "--target", customer, "--json")
    assert code == 0, err
    found = json.loads(out)
    assert (found["purpose"], found["created"]) == ("purpose.quality.evaluation", True)
    code, out, err = cli("object", "--customer", "obj-a", "--purpose", "purpose.contract.sale", "--target", customer)
    assert code != 0 and "purpose" in err
