"""Consent with proof (GDPR art. 7): a consent given keeps the wording agreed to, its source
and the evidence's reference, and is refused without them; withdrawing is as easy as giving,
one channel or all at once, through the API and the CLI."""

import datetime as dt
import json

import grpc
import pytest

from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc
from cocontroller_client.client import ClientError
from support import CONSENT_PROOF, channel, client_for, rpc_failure

UTC = dt.timezone.utc


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 4, day, 10, tzinfo=UTC)


def test_a_consent_keeps_its_proof(server):
    with client_for(server) as c:
        c.upsert_customer("proof-a", "9000")
        given = c.record_consent("proof-a", "email", given_at=at(1), wording="newsletter-v3", source="showroom",
                                 reference="scan-2024-0401-17")
        assert given.changed and given.consent.proof.wording == "newsletter-v3"
        listed, = c.consents("proof-a")
    assert (listed.proof.wording, listed.proof.source, listed.proof.reference) == (
        "newsletter-v3", rpb.CONSENT_SOURCE_SHOWROOM, "scan-2024-0401-17")


def test_a_consent_without_its_proof_is_refused_and_nothing_is_stored(server):
    with client_for(server) as c:
        c.upsert_customer("proof-b", "9000")
    with channel(server) as ch:
        record = rpb_grpc.ControllerResolutionServiceStub(ch).RecordConsent
        stamp = rpb.RecordConsentRequest(customer_id="proof-b", channel="email").given_at
        stamp.FromDatetime(at(1))
        bare = rpb.RecordConsentRequest(customer_id="proof-b", channel="email", given_at=stamp)
        assert rpc_failure(record, bare) == (grpc.StatusCode.INVALID_ARGUMENT, ["proof"])
        empty = rpb.RecordConsentRequest(customer_id="proof-b", channel="email", given_at=stamp,
                                         proof=rpb.ConsentProof(wording=" ", reference=""))
        assert rpc_failure(record, empty) == (grpc.StatusCode.INVALID_ARGUMENT,
                                              ["proof.wording", "proof.source", "proof.reference"])
    with client_for(server) as c:
        assert c.consents("proof-b") == []


def test_every_consent_in_force_is_withdrawn_at_once(server):
    with client_for(server) as c:
        c.upsert_customer("proof-c", "9000")
        for name in ("email", "sms", "post"):
            c.record_consent("proof-c", name, given_at=at(1), **CONSENT_PROOF)
        c.record_consent("proof-c", "post", withdrawn_at=at(2))
        done = c.record_consent("proof-c", "", withdrawn_at=at(3))
        assert done.changed and not done.HasField("consent")
        assert sorted(x.channel for x in done.consents) == ["email", "sms"]
        assert all(x.HasField("withdrawn_at") for x in c.consents("proof-c"))
        with pytest.raises(ClientError) as caught:
            c.record_consent("proof-c", "", withdrawn_at=at(4))
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
        with pytest.raises(ClientError) as caught:  # giving is per channel
            c.record_consent("proof-c", "", given_at=at(4), **CONSENT_PROOF)
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_the_cli_gives_with_proof_and_withdraws_all(server, cli):
    with client_for(server) as c:
        c.upsert_customer("proof-d", "9000")
    given = ("--wording", "newsletter-v3", "--source", "call_centre", "--proof", "call-7731")
    for name in ("email", "phone"):
        code, out, err = cli("consent", "--customer", "proof-d", "--channel", name, "--given", "2024-04-01T10:00",
                             *given, "--target", server, "--json")
        assert code == 0, err
        assert json.loads(out)["proof"] == {"wording": "newsletter-v3", "source": "call_centre",
                                            "reference": "call-7731"}
    code, out, err = cli("consent", "--customer", "proof-d", "--channel", "all", "--withdrawn", "2024-04-02T10:00",
                         "--target", server, "--json")
    assert code == 0, err
    assert sorted(x["channel"] for x in json.loads(out)["consents"]) == ["email", "phone"]
    code, out, err = cli("consent", "--customer", "proof-d", "--channel", "all", "--given", "2024-04-03T10:00",
                         *given, "--target", server)
    assert code == 2 and "--channel all goes with --withdrawn" in err
