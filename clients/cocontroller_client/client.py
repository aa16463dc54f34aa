"""A Python client for the cocontroller gRPC API.

Methods take plain Python values and return the response messages; a failed call raises
`ClientError` with the status code, the message and the field violations the server sent.
"""

import datetime as dt
import json
import os

import grpc
from google.protobuf import field_mask_pb2, timestamp_pb2
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status

from cocontroller.config import ENV_PREFIX, TENANT_KEY, Settings
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import resolution_pb2_grpc as rpb_grpc
from cocontroller.v1 import rights_pb2 as xpb
from cocontroller.v1 import rights_pb2_grpc as xpb_grpc

from .errors import ClientError
from .tls import channel_credentials

__all__ = ["DEFAULT_TARGET", "DEFAULT_TENANT", "TENANT_KEY", "Client", "ClientError", "default_target",
           "default_tenant"]

DEFAULT_TARGET = Settings().target
DEFAULT_TENANT = Settings().tenant


def default_target() -> str:
    """The server the CLI talks to by default: $COCONTROLLER_TARGET, else localhost:50051."""
    return os.environ.get(ENV_PREFIX + "TARGET") or DEFAULT_TARGET


def default_tenant() -> str:
    """The tenant a client names by default: $COCONTROLLER_TENANT, else lexus-be."""
    return os.environ.get(ENV_PREFIX + "TENANT") or DEFAULT_TENANT


# A refusal under load (RESOURCE_EXHAUSTED) comes before the server does anything, so any call
# may be tried again; gRPC waits as long as the server's pushback says (gRFC A6), else backs
# off exponentially with jitter. Five attempts (gRPC's most): a server still refusing after them is
# overloaded for longer than a caller should wait unknowingly.
RETRY_POLICY = json.dumps({
    # Calls spread over every address the target resolves to (DNS, or a static list such as
    # "ipv4:10.0.0.1:50051,10.0.0.2:50051"): replicas on one PostgreSQL database share the load.
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [{
        "name": [{}],
        "retryPolicy": {
            "maxAttempts": 5, "initialBackoff": "0.1s", "maxBackoff": "2s", "backoffMultiplier": 2,
            "retryableStatusCodes": ["RESOURCE_EXHAUSTED"],
        },
    }],
})


def _date(value: dt.date | str | None) -> date_pb2.Date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


def _time(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("give a time zone with every date-time")
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _customer_message(customer_id: str, fields: dict) -> pb.Customer:
    """A Customer of the fields given (postcode, point as (lat, lon), language, kind,
    enterprise_number); those not given or None stay unset."""
    customer = pb.Customer(id=customer_id, postcode=fields.get("postcode") or "", language=fields.get("language") or "",
                           kind=_CUSTOMER_KINDS.get(fields.get("kind") or "", pb.CUSTOMER_KIND_UNSPECIFIED),
                           enterprise_number=fields.get("enterprise_number") or "")
    if fields.get("point") is not None:
        lat, lon = fields["point"]
        customer.point.CopyFrom(pb.GeoPoint(latitude=lat, longitude=lon))
    return customer


def _correction(reason: str, confirmed: bool) -> npb.Correction | None:
    return npb.Correction(reason=reason, confirmed=confirmed) if reason or confirmed else None


_CONTACT_KINDS = {
    name[len("CONTACT_KIND_"):].lower(): number
    for name, number in pb.ContactKind.items() if number
}
_CUSTOMER_KINDS = {"private": pb.CUSTOMER_KIND_PRIVATE, "professional": pb.CUSTOMER_KIND_PROFESSIONAL}
# "web_form" -> CONSENT_SOURCE_WEB_FORM, and so on.
_CONSENT_SOURCES = {name.removeprefix("CONSENT_SOURCE_").lower(): number
                    for name, number in rpb.ConsentSource.items() if number}
# "contact" -> RECTIFIABLE_KIND_CONTACT, and so on.
_RECTIFIABLE_KINDS = {name.removeprefix("RECTIFIABLE_KIND_").lower(): number
                      for name, number in xpb.RectifiableKind.items() if number}
# A correction's message, by the kind of fact.
_FACTS = {"contact": pb.ContactEvent, "consent": rpb.Consent, "contract": rpb.Contract, "dispute": rpb.Dispute}


def _client_error(e: grpc.RpcError, target: str = "") -> ClientError:
    violations = []
    status = rpc_status.from_call(e)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations += [(v.field, v.description) for v in bad.field_violations]
    return ClientError(e.code(), e.details() or "", violations, target, answered=status is not None)


def _fact_correction(fact_kind: str, fields: dict, clear) -> tuple[xpb.Fact, field_mask_pb2.FieldMask]:
    """A correction's message from plain values named as its fields (a consent's proof as
    wording, source and reference), and the mask naming them and the fields to clear."""
    if fact_kind not in _FACTS:
        raise ValueError(f"a correction is of a {', '.join(_FACTS)}, not of {fact_kind!r}")
    message = _FACTS[fact_kind]()
    paths = list(clear)
    fields = dict(fields)
    proof = {name: fields.pop(name) for name in ("wording", "source", "reference") if name in fields}
    if proof:
        message.proof.CopyFrom(rpb.ConsentProof(wording=proof.get("wording", ""), reference=proof.get("reference", ""),
                                                source=_CONSENT_SOURCES.get(proof.get("source", ""), 0)))
        paths.append("proof")
    for name, value in fields.items():
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            raise ValueError(f"a {fact_kind} has no field {name!r}")
        paths.append(name)
        kind = field.message_type.full_name if field.message_type else ""
        if kind == "google.protobuf.Timestamp":
            getattr(message, name).CopyFrom(_time(value))
        elif kind == "google.type.Date":
            getattr(message, name).CopyFrom(_date(value))
        elif fact_kind == "contact" and name == "kind":
            message.kind = _CONTACT_KINDS.get(value, pb.CONTACT_KIND_UNSPECIFIED)
        else:
            setattr(message, name, value)
    return xpb.Fact(**{fact_kind: message}), field_mask_pb2.FieldMask(paths=paths)


def _dealer_fields(fields: dict) -> npb.DealerFields:
    message = npb.DealerFields(**{k: v for k, v in fields.items() if k not in ("lat", "lon") and v is not None})
    if fields.get("lat") is not None and fields.get("lon") is not None:
        message.location.CopyFrom(pb.GeoPoint(latitude=fields["lat"], longitude=fields["lon"]))
    return message


class Client:
    """A channel to one server. `target` is "host:port" (or any gRPC target); None means
    the CLI's default, `default_target()`. `timeout` bounds each unary call in seconds.
    `credentials` (mTLS, see tls.py) default to those the COCONTROLLER_* settings name;
    `caller` is only an annotation in the audit trail, beside the certificate's identity.
    `tenant` is named on every call (None: `default_tenant()`; "": none, which a server of
    one tenant, or an identity confined to one, takes as that tenant)."""

    def __init__(self, target: str | None = None, timeout: float = 10.0, caller: str = "",
                 credentials: grpc.ChannelCredentials | None = None, channel_options: tuple = (),
                 tenant: str | None = None):
        """`channel_options`: further gRPC channel arguments (keepalive, windows), beside the
        retry policy."""
        self.target = target or default_target()
        self.channel = grpc.secure_channel(self.target, credentials or channel_credentials(),
                                           options=[("grpc.service_config", RETRY_POLICY), *channel_options])
        self.stub = pb_grpc.DealerAssignmentServiceStub(self.channel)
        self.resolution = rpb_grpc.ControllerResolutionServiceStub(self.channel)
        self.network = npb_grpc.DealerNetworkServiceStub(self.channel)
        self.rights = xpb_grpc.DataSubjectRightsServiceStub(self.channel)
        self.timeout = timeout
        self.caller = caller
        self.tenant = default_tenant() if tenant is None else tenant
        self._metadata = tuple((key, value) for key, value in (("x-caller", caller), (TENANT_KEY, self.tenant))
                               if value) or None

    def close(self) -> None:
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _stub(self, method: str):
        for stub in (self.stub, self.resolution, self.network, self.rights):
            if hasattr(stub, method):
                return getattr(stub, method)
        raise AttributeError(method)

    def _call(self, method: str, request):
        try:
            return self._stub(method)(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as e:
            raise _client_error(e, self.target) from None

    def _stream(self, method: str, request):
        """A server stream without a deadline: a job may run for long."""
        try:
            yield from self._stub(method)(request, metadata=self._metadata)
        except grpc.RpcError as e:
            raise _client_error(e, self.target) from None

    def assign(self, customer_id: str, reason: str = "") -> pb.AssignDealerResponse:
        return self._call("AssignDealer", pb.AssignDealerRequest(customer_id=customer_id, reason=reason))

    def responsible_for_customer(self, customer_id: str, as_of=None, known_on=None) -> pb.Assignment:
        """`known_on` (a date-time): the answer as the service gave it then."""
        request = pb.GetResponsibleDealerRequest(customer_id=customer_id, as_of=_date(as_of), known_on=_time(known_on))
        return self._call("GetResponsibleDealer", request).assignment

    def responsible_for_location(self, postcode: str, lat=None, lon=None, as_of=None, known_on=None) -> pb.Assignment:
        location = pb.Location(postcode=postcode)
        if lat is not None or lon is not None:
            location.point.CopyFrom(pb.GeoPoint(latitude=lat or 0.0, longitude=lon or 0.0))
        request = pb.GetResponsibleDealerRequest(location=location, as_of=_date(as_of), known_on=_time(known_on))
        return self._call("GetResponsibleDealer", request).assignment

    def _all_pages(self, method: str, request, field: str, page_size: int = 0) -> list:
        """Every item of a paginated list (AIP-158), page after page."""
        request.page_size = page_size
        items = []
        while True:
            response = self._call(method, request)
            items += getattr(response, field)
            if not response.next_page_token:
                return items
            request.page_token = response.next_page_token

    def assignments(self, customer_id: str) -> list[pb.Assignment]:
        request = pb.ListAssignmentsRequest(customer_id=customer_id)
        return self._all_pages("ListAssignments", request, "assignments")

    def contacts(self, customer_id: str) -> list[pb.ContactEvent]:
        return self._all_pages("ListContacts", pb.ListContactsRequest(customer_id=customer_id), "contacts")

    def preferences(self, customer_id: str) -> list[pb.Preference]:
        return self._all_pages("ListPreferences", pb.ListPreferencesRequest(customer_id=customer_id), "preferences")

    def consents(self, customer_id: str) -> list[rpb.Consent]:
        return self._all_pages("ListConsents", rpb.ListConsentsRequest(customer_id=customer_id), "consents")

    def contracts(self, customer_id: str) -> list[rpb.Contract]:
        return self._all_pages("ListContracts", rpb.ListContractsRequest(customer_id=customer_id), "contracts")

    def objections(self, customer_id: str) -> list[rpb.Objection]:
        return self._all_pages("ListObjections", rpb.ListObjectionsRequest(customer_id=customer_id), "objections")

    def record_objection(self, customer_id: str, purpose: str, objected_at=None) -> rpb.RecordObjectionResponse:
        """An objection to a purpose resting on legitimate interest, or to "direct_marketing"."""
        request = rpb.RecordObjectionRequest(customer_id=customer_id, purpose=purpose, objected_at=_time(objected_at))
        return self._call("RecordObjection", request)

    def disputes(self, customer_id: str) -> list[rpb.Dispute]:
        return self._all_pages("ListDisputes", rpb.ListDisputesRequest(customer_id=customer_id), "disputes")

    def export_customer(self, customer_id: str, language: str = "") -> xpb.ExportCustomerResponse:
        """Everything held about a customer (GDPR art. 15 and 20)."""
        return self._call("ExportCustomer", xpb.ExportCustomerRequest(customer_id=customer_id, language=language))

    def erase_customer(self, customer_id: str, request_id: str) -> xpb.Erasure:
        """Erases what is held about a customer but what the law keeps, which is restricted
        (GDPR art. 17 and 18); a retry with the same request id returns what was done."""
        return self._call("EraseCustomer", xpb.EraseCustomerRequest(customer_id=customer_id,
                                                                    request_id=request_id)).erasure

    def sweep_retention(self, job_id: str, dry_run: bool = False, batch_size: int = 0):
        """Yields the retention sweep's progress messages, the last one with `finished` set."""
        return self._stream("SweepRetention", xpb.SweepRetentionRequest(job_id=job_id, dry_run=dry_run,
                                                                        batch_size=batch_size))

    def retract_fact(self, customer_id: str, fact_kind: str, fact_id, reason: str) -> xpb.RectifyFactResponse:
        """Retracts a recorded fact (GDPR art. 16): `fact_kind` is "contact", "consent",
        "contract" or "dispute", `fact_id` its event id, id or number."""
        request = xpb.RectifyFactRequest(customer_id=customer_id, kind=_RECTIFIABLE_KINDS.get(fact_kind, 0),
                                         fact_id=str(fact_id), reason=reason)
        return self._call("RectifyFact", request)

    def correct_fact(self, customer_id: str, fact_kind: str, fact_id, reason: str, clear=(),
                     **fields) -> xpb.RectifyFactResponse:
        """Corrects a recorded fact (GDPR art. 16): `fields` are the values that change,
        named as the fact's message names them (date-times with a time zone, days as dates
        or YYYY-MM-DD, a contact's kind and a consent's source as words, a consent's proof as
        wording, source and reference together); `clear` names fields to empty, such as a
        consent's withdrawn_at. The others keep their recorded values."""
        correction, mask = _fact_correction(fact_kind, fields, clear)
        request = xpb.RectifyFactRequest(customer_id=customer_id, kind=_RECTIFIABLE_KINDS.get(fact_kind, 0),
                                         fact_id=str(fact_id), reason=reason, correction=correction,
                                         update_mask=mask)
        return self._call("RectifyFact", request)

    def upsert_customer(
        self, customer_id: str, postcode: str, lat=None, lon=None, language: str = "",
        kind: str = "private", enterprise_number: str = "", accept_distant_point: bool = False,
        readmit_erased: bool = False,
    ) -> pb.UpsertCustomerResponse:
        """`accept_distant_point`: keep coordinates farther than 20 km from the postcode,
        flagged, instead of refusing them; `readmit_erased`: a subject erased on request came
        back of their own accord."""
        customer = pb.Customer(
            id=customer_id, postcode=postcode, language=language,
            kind=_CUSTOMER_KINDS.get(kind, pb.CUSTOMER_KIND_UNSPECIFIED),
            enterprise_number=enterprise_number,
        )
        if lat is not None or lon is not None:
            customer.point.CopyFrom(pb.GeoPoint(latitude=lat or 0.0, longitude=lon or 0.0))
        return self._call("UpsertCustomer", pb.UpsertCustomerRequest(
            customer=customer, accept_distant_point=accept_distant_point, readmit_erased=readmit_erased))

    def update_customer(self, customer_id: str, etag: str = "", accept_distant_point: bool = False, clear=(),
                        **fields) -> pb.Customer:
        """Changes the `fields` given (postcode, point as (lat, lon), language, kind,
        enterprise_number) and empties those `clear` names; no other field is touched.
        With `etag` (a Customer's), ABORTED if the record changed since."""
        customer = _customer_message(customer_id, fields)
        customer.etag = etag
        mask = field_mask_pb2.FieldMask(paths=[*(name for name, value in fields.items() if value is not None), *clear])
        return self._call("UpdateCustomer", pb.UpdateCustomerRequest(
            customer=customer, update_mask=mask, accept_distant_point=accept_distant_point)).customer

    def create_lead(self, request_id: str, customer_id: str, contacts, accept_distant_point: bool = False,
                    mask=(), **fields) -> pb.CreateLeadResponse:
        """A lead in one call: `contacts` as (kind, occurred_at, dealer_id or "") with kind
        test_drive, quote, brochure, appointment or information; `fields` the customer's
        (postcode, point as (lat, lon), language, kind, enterprise_number), all of them for
        a new customer, those to change for a known one (or those `mask` names)."""
        request = pb.CreateLeadRequest(
            request_id=request_id, customer=_customer_message(customer_id, fields), update_mask=field_mask_pb2.FieldMask(paths=list(mask)),
            accept_distant_point=accept_distant_point,
            contacts=[pb.LeadContact(kind=pb.LeadKind.Value(f"LEAD_KIND_{kind.upper()}") if kind else 0,
                                     occurred_at=_time(at), dealer_id=dealer_id or "")
                      for kind, at, dealer_id in contacts],
        )
        return self._call("CreateLead", request)

    def get_customer(self, customer_id: str) -> pb.Customer:
        return self._call("GetCustomer", pb.GetCustomerRequest(customer_id=customer_id)).customer

    def record_contact(
        self, customer_id: str, dealer_id: str, kind: str, occurred_at: dt.datetime, event_id: str = ""
    ) -> pb.RecordContactResponse:
        event = pb.ContactEvent(
            event_id=event_id, customer_id=customer_id, dealer_id=dealer_id,
            kind=_CONTACT_KINDS.get(kind, pb.CONTACT_KIND_UNSPECIFIED),
            occurred_at=_time(occurred_at),
        )
        return self._call("RecordContact", pb.RecordContactRequest(event=event))

    def set_preferred_dealer(self, customer_id: str, dealer_id: str, designated_at=None) -> pb.Preference:
        request = pb.SetPreferredDealerRequest(
            customer_id=customer_id, dealer_id=dealer_id, designated_at=_time(designated_at)
        )
        return self._call("SetPreferredDealer", request).preference

    def revoke_preferred_dealer(self, customer_id: str, revoked_at=None) -> pb.Preference:
        request = pb.RevokePreferredDealerRequest(customer_id=customer_id, revoked_at=_time(revoked_at))
        return self._call("RevokePreferredDealer", request).preference

    def dealers(self, as_of=None, active_only: bool = False, known_on=None) -> list[pb.Dealer]:
        request = pb.ListDealersRequest(as_of=_date(as_of), active_only=active_only, known_on=_time(known_on))
        return self._all_pages("ListDealers", request, "dealers")

    def dealer(self, dealer_id: str, as_of=None, known_on=None) -> pb.Dealer:
        request = pb.GetDealerRequest(dealer_id=dealer_id, as_of=_date(as_of), known_on=_time(known_on))
        return self._call("GetDealer", request).dealer

    def lookup_postcode(self, postcode: str) -> pb.PostcodeInfo:
        return self._call("LookupPostcode", pb.LookupPostcodeRequest(postcode=postcode)).postcode

    def resolve(self, customer_id: str, as_of=None, language: str = "", known_on=None) -> rpb.ResolveControllersResponse:
        request = rpb.ResolveControllersRequest(
            customer_id=customer_id, as_of=_date(as_of), language=language, known_on=_time(known_on))
        return self._call("ResolveControllers", request)

    def record_consent(self, customer_id: str, channel: str, given_at=None, withdrawn_at=None, wording: str = "",
                       source: str = "", reference: str = "") -> rpb.RecordConsentResponse:
        """Gives consent for a channel (with its proof: the wording or version agreed to, the
        source, e.g. "web_form", and the evidence's reference), or withdraws it; an empty
        channel with `withdrawn_at` withdraws every consent in force."""
        proof = rpb.ConsentProof(wording=wording, source=_CONSENT_SOURCES.get(source, 0), reference=reference) \
            if given_at is not None else None
        request = rpb.RecordConsentRequest(
            customer_id=customer_id, channel=channel, given_at=_time(given_at), withdrawn_at=_time(withdrawn_at),
            proof=proof,
        )
        return self._call("RecordConsent", request)

    def record_contract(
        self, contract_id: str, customer_id: str, kind: str, start, end=None, partner: str = "", dealer_id: str = ""
    ) -> rpb.RecordContractResponse:
        contract = rpb.Contract(
            id=contract_id, customer_id=customer_id, kind=kind, partner=partner, dealer_id=dealer_id,
            start=_date(start), end=_date(end),
        )
        return self._call("RecordContract", rpb.RecordContractRequest(contract=contract))

    def record_dispute(self, customer_id: str, opened_at=None, closed_at=None, subject: str = "", dispute_id: int = 0) -> rpb.Dispute:
        request = rpb.RecordDisputeRequest(
            customer_id=customer_id, opened_at=_time(opened_at), closed_at=_time(closed_at),
            subject=subject, dispute_id=dispute_id,
        )
        return self._call("RecordDispute", request).dispute

    def rule_packs(self) -> list[rpb.RulePack]:
        return self._all_pages("ListRulePacks", rpb.ListRulePacksRequest(), "packs")

    def reload_rule_packs(self) -> list[rpb.RulePack]:
        return list(self._call("ReloadRulePacks", rpb.ReloadRulePacksRequest()).packs)

    def add_dealer(self, dealer_id: str, fields: dict, effective, correction: str = "",
                   confirmed: bool = False) -> npb.AddDealerResponse:
        """`correction`: why a backdated change is made (required before today); `confirmed`:
        the correction reaches beyond the server's backdating window on purpose."""
        request = npb.AddDealerRequest(dealer_id=dealer_id, dealer=_dealer_fields(fields), effective=_date(effective),
                                       correction=_correction(correction, confirmed))
        return self._call("AddDealer", request)

    def update_dealer(self, dealer_id: str, fields: dict, effective, correction: str = "",
                      confirmed: bool = False) -> npb.UpdateDealerResponse:
        request = npb.UpdateDealerRequest(dealer_id=dealer_id, dealer=_dealer_fields(fields),
                                          effective=_date(effective), correction=_correction(correction, confirmed))
        return self._call("UpdateDealer", request)

    def close_dealer(self, dealer_id: str, effective, correction: str = "",
                     confirmed: bool = False) -> npb.CloseDealerResponse:
        request = npb.CloseDealerRequest(dealer_id=dealer_id, effective=_date(effective),
                                         correction=_correction(correction, confirmed))
        return self._call("CloseDealer", request)

    def reopen_dealer(self, dealer_id: str, fields: dict, effective, correction: str = "",
                      confirmed: bool = False) -> npb.ReopenDealerResponse:
        request = npb.ReopenDealerRequest(dealer_id=dealer_id, dealer=_dealer_fields(fields),
                                          effective=_date(effective), correction=_correction(correction, confirmed))
        return self._call("ReopenDealer", request)

    def cancel_network_change(self, change_id: int, reason: str) -> npb.CancelNetworkChangeResponse:
        """The change as cancelled, and how many of its unsent notices were withdrawn."""
        request = npb.CancelNetworkChangeRequest(change_id=change_id, reason=reason)
        return self._call("CancelNetworkChange", request)

    def scheduled_changes(self, status: str = "") -> list[npb.ScheduledChange]:
        """The network changes recorded ahead of their day; of one status ("scheduled",
        "announced", "applied", "cancelled") when given."""
        value = npb.ScheduleStatus.Value(f"SCHEDULE_STATUS_{status.upper()}") if status else 0
        return self._all_pages("ListScheduledChanges", npb.ListScheduledChangesRequest(status=value), "changes")

    def reassign(self, job_id: str, postcodes=(), dealer_ids=(), dry_run: bool = False, batch_size: int = 0,
                 at: dt.datetime | None = None):
        """Yields the job's progress messages, the last one with `finished` set; a dry run
        `at` a later instant previews a network change announced for then."""
        request = npb.ReassignCustomersRequest(
            job_id=job_id, scope=npb.ReassignScope(postcodes=postcodes, dealer_ids=dealer_ids),
            dry_run=dry_run, batch_size=batch_size, preview_time=_time(at),
        )
        return self._stream("ReassignCustomers", request)

    def assignment_changes(self, job_id: str | None = None, customer_id: str | None = None) -> list[npb.AssignmentChange]:
        request = (npb.ListAssignmentChangesRequest(job_id=job_id) if job_id is not None
                   else npb.ListAssignmentChangesRequest(customer_id=customer_id))
        return self._all_pages("ListAssignmentChanges", request, "changes", page_size=1000)

    def notices(self, pending_only: bool = False, job_id: str = "") -> list[npb.CustomerNotice]:
        request = npb.ListNoticesRequest(pending_only=pending_only, job_id=job_id)
        return self._all_pages("ListNotices", request, "notices", page_size=1000)

    def mark_notices_exported(self, ids: list[int], at: dt.datetime | None = None) -> int:
        """Stamps the notices exported at `at` (now by default); returns how many."""
        return self._call("MarkNoticesExported",
                          npb.MarkNoticesExportedRequest(notice_ids=ids, export_time=_time(at))).marked
