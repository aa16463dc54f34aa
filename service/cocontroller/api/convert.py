"""Model values to protobuf messages and request fields to model values: the only place the
two meet."""

import dataclasses
import datetime as dt
import operator

from google.protobuf import timestamp_pb2
from google.type import date_pb2

from .. import clock
from ..model import (
    AssignmentRecord, Basis, Change, Citation, Consent, ConsentFields, ConsentProof, ConsentSource, Contact,
    ContactFields, ContactKind, Contract, ContractFields, Correction, Customer, CustomerChange, CustomerKind,
    DealerFields,
    DealerVersion, Dispute, DisputeFields, FactCorrection, Held, LeadKind, LegalBasis, LoggedChange, Notice, NoticeKind,
    Objection, Party, PackInfo, Postcode, Preference, RectifiableKind, Resolution, Responsible, Safeguard,
    ScheduledChange, ScheduleStatus,
)
from ..usecases.assignment import AssignmentService
from ..usecases.resolution import ResolutionService
from ..v1 import assignment_pb2 as pb
from ..v1 import network_pb2 as npb
from ..v1 import resolution_pb2 as rpb
from ..v1 import rights_pb2 as xpb
from .errors import BadField

BASES = {basis: pb.AssignmentBasis.Value(f"ASSIGNMENT_BASIS_{basis}") for basis in Basis}
_BASIS_OR_UNSET = {**BASES, None: pb.ASSIGNMENT_BASIS_UNSPECIFIED}
CONTACT_KINDS = {pb.ContactKind.Value(f"CONTACT_KIND_{k.upper()}"): k for k in ContactKind}
_CONTACT_KIND_NUMBERS = {k: n for n, k in CONTACT_KINDS.items()}
CUSTOMER_KINDS = {pb.CUSTOMER_KIND_PRIVATE: CustomerKind.PRIVATE, pb.CUSTOMER_KIND_PROFESSIONAL: CustomerKind.PROFESSIONAL}
_CUSTOMER_KIND_NUMBERS = {k: n for n, k in CUSTOMER_KINDS.items()}
LEAD_KINDS = {pb.LeadKind.Value(f"LEAD_KIND_{k.upper()}"): k for k in LeadKind}
RECTIFIABLE_KINDS = {xpb.RectifiableKind.Value(f"RECTIFIABLE_KIND_{k.upper()}"): k for k in RectifiableKind}
_LEGAL_BASES = {b: rpb.LegalBasis.Value("LEGAL_BASIS_" + b.upper()) for b in LegalBasis}
_SAFEGUARDS = {s: rpb.Safeguard.Value("SAFEGUARD_" + s.upper()) for s in Safeguard}


# -- request fields --------------------------------------------------------------------------


def read_date(message: date_pb2.Date, field: str) -> dt.date | None:
    if message.year == 0 and message.month == 0 and message.day == 0:
        return None
    try:
        day = dt.date(message.year, message.month, message.day)
    except ValueError as e:
        raise BadField(field, f"{message.year}-{message.month}-{message.day} is not a date: {e}") from None
    if not clock.in_range(day):
        raise BadField(field, f"{day} is outside {clock.EARLIEST} to {clock.LATEST}")
    return day


def read_time(message: timestamp_pb2.Timestamp, field: str) -> dt.datetime | None:
    if message.seconds == 0 and message.nanos == 0:
        return None
    try:
        instant = message.ToDatetime(tzinfo=clock.UTC)
    except (ValueError, OverflowError) as e:
        raise BadField(field, f"not a valid timestamp: {e}") from None
    if not clock.in_range(instant.date()):
        raise BadField(field, f"{instant.isoformat()} is outside {clock.EARLIEST} to {clock.LATEST}")
    return instant


def dealer_fields(message: npb.DealerFields) -> DealerFields:
    """A change's dealer details; an empty text or list means "not given"."""
    location = message.location if message.HasField("location") else None
    return DealerFields(
        legal_name=message.legal_name or None, trade_name=message.trade_name or None,
        enterprise_number=message.enterprise_number or None, street=message.street or None,
        postcode=message.postcode or None, town=message.town or None,
        lat=location.latitude if location else None, lon=location.longitude if location else None,
        languages=tuple(message.languages), roles=tuple(message.roles),
    )


# The fields a correction of each kind of fact replaces, named alike in its message.
_CORRECTIONS = {"contact": ContactFields, "consent": ConsentFields, "contract": ContractFields,
                "dispute": DisputeFields}


def read_correction(request: xpb.RectifyFactRequest) -> FactCorrection | None:
    """A RectifyFact request's correction: the values its message gives, and the fields they
    replace (the update mask's, or those the message sets). A fact's own id and customer id
    may be repeated, not changed; output-only fields are ignored."""
    if not request.HasField("correction"):
        return None
    which = request.correction.WhichOneof("fact")
    if which is None:
        raise BadField("correction", "set the corrected contact, consent, contract or dispute")
    message, at = getattr(request.correction, which), f"correction.{which}."
    names = {f.name for f in dataclasses.fields(_CORRECTIONS[which])}
    if request.HasField("update_mask"):
        replaced = frozenset(request.update_mask.paths)
    else:
        replaced = frozenset(field.name for field, _ in message.ListFields()) & names
    if message.customer_id not in ("", request.customer_id):
        raise BadField(at + "customer_id", "is the request's customer_id, or empty")
    if which != "contact" and message.id and str(message.id) != request.fact_id:
        raise BadField(at + "id", "is the fact_id, or empty: a correction does not move a fact to another id")
    if which == "contact":
        if "kind" in replaced and message.kind not in CONTACT_KINDS:
            raise BadField(at + "kind", "must be one of " + ", ".join(pb.ContactKind.Name(k) for k in CONTACT_KINDS))
        values = ContactFields(message.event_id, message.dealer_id, CONTACT_KINDS.get(message.kind, ""),
                               read_time(message.occurred_at, at + "occurred_at"))
    elif which == "consent":
        values = ConsentFields(message.channel, read_time(message.given_at, at + "given_at"),
                               read_time(message.withdrawn_at, at + "withdrawn_at"),
                               read_proof(message.proof) if message.HasField("proof") else None)
    elif which == "contract":
        values = ContractFields(message.kind, message.partner, message.dealer_id,
                                read_date(message.start, at + "start"), read_date(message.end, at + "end"))
    else:
        values = DisputeFields(message.subject, read_time(message.opened_at, at + "opened_at"),
                               read_time(message.closed_at, at + "closed_at"))
    return FactCorrection(values, replaced)


# -- answers ---------------------------------------------------------------------------------


def correction_of(request) -> Correction | None:
    """A network change request's correction, if it has one."""
    if not request.HasField("correction"):
        return None
    return Correction(request.correction.reason, request.correction.confirmed)


def logged_change_pb(c: LoggedChange) -> npb.NetworkChange:
    return npb.NetworkChange(
        change_id=c.id, kind=str(c.kind), dealer_id=c.dealer_id, effective=date_pb(c.effective),
        record_time=time_pb(c.recorded_at), caller=c.caller,
        correction=npb.Correction(reason=c.correction.reason, confirmed=c.correction.confirmed)
        if c.correction else None,
        cancel_time=time_pb(c.cancelled_at),
    )


def date_pb(day: dt.date | None) -> dict[str, int] | None:
    """A `google.type.Date` field's value, as a message's constructor takes it (see time_pb)."""
    return {"year": day.year, "month": day.month, "day": day.day} if day else None


def time_pb(instant: dt.datetime | None) -> dict[str, int] | None:
    """A `Timestamp` field's value as Timestamp.FromDatetime makes it (a naive instant read
    as UTC), at a fifth of its cost. A dict, as a message's constructor takes it: it is set
    in place, where a message would be built, then copied, at twice the cost (an answer
    carries several)."""
    if instant is None:
        return None
    since = (instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc)) - _EPOCH
    return {"seconds": since.days * 86_400 + since.seconds, "nanos": since.microseconds * 1000}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def dealer_pb(version: DealerVersion, active: bool) -> pb.Dealer:
    return pb.Dealer(
        id=version.dealer_id, legal_name=version.legal_name, trade_name=version.trade_name,
        enterprise_number=version.enterprise_number, street=version.street,
        postcode=version.postcode, town=version.town,
        location=pb.GeoPoint(latitude=version.lat, longitude=version.lon),
        languages=version.languages, roles=version.roles,
        active_from=date_pb(version.active_from), active_until=date_pb(version.active_until),
        active=active,
    )


def assignment_pb(view: Responsible) -> pb.Assignment:
    return pb.Assignment(
        customer_id=view.customer_id,
        dealer=_DEALERS.get(view.dealer, view.dealer_active),
        basis=BASES[view.basis],
        explanation=view.explanation,
        distance_km=round(view.distance_km, 3),
        point={"latitude": view.point[0], "longitude": view.point[1]},
        point_source=view.point_source,
        rules_version=view.rules_version,
        rule_id=view.rule_id,
        runners_up=[
            {"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "basis": BASES[r.basis],
             "distance_km": r.distance_km, "score": r.score}
            for r in view.runners_up
        ],
        skipped=[pb.SkippedDealer(dealer_id=s.dealer_id, basis=BASES[s.basis], reason=s.reason)
                 for s in view.skipped],
        valid_from=time_pb(view.valid_from),
        valid_to=time_pb(view.valid_to),
        stored=view.stored,
        decision_date=date_pb(view.decision_date),
        assignment_id=view.id,
    )


def kept_assignment_pb(view: Responsible) -> pb.Assignment:
    """`assignment_pb` of a view the use cases keep (a place's, a stored version's): built
    once per view. The caller copies it into its response."""
    return _VIEWS.get(view)


def customer_pb(customer: Customer) -> pb.Customer:
    return pb.Customer(
        id=customer.id, postcode=customer.postcode, language=customer.language,
        kind=_CUSTOMER_KIND_NUMBERS[customer.kind], enterprise_number=customer.enterprise_number or "",
        created_at=time_pb(customer.created_at), updated_at=time_pb(customer.updated_at),
        point_outside_postcode=customer.point_outside_postcode, etag=customer.etag,
        point={"latitude": customer.lat, "longitude": customer.lon} if customer.point is not None else None,
    )


def customer_change(c: pb.Customer) -> CustomerChange:
    """The fields a request's customer sets, as a change (unset ones empty)."""
    if c.kind != pb.CUSTOMER_KIND_UNSPECIFIED and c.kind not in CUSTOMER_KINDS:
        raise BadField("customer.kind", f"unknown kind {c.kind}")
    return CustomerChange(
        postcode=c.postcode, point=(c.point.latitude, c.point.longitude) if c.HasField("point") else None,
        language=c.language, kind=CUSTOMER_KINDS.get(c.kind, ""), enterprise_number=c.enterprise_number,
    )


def contact_pb(contact: Contact) -> pb.ContactEvent:
    return pb.ContactEvent(
        event_id=contact.event_id, customer_id=contact.customer_id, dealer_id=contact.dealer_id or "",
        kind=_CONTACT_KIND_NUMBERS[contact.kind], occurred_at=time_pb(contact.occurred_at),
    )


def preference_pb(preference: Preference) -> pb.Preference:
    return pb.Preference(
        id=preference.id, customer_id=preference.customer_id, dealer_id=preference.dealer_id,
        designated_at=time_pb(preference.designated_at), revoked_at=time_pb(preference.revoked_at),
    )


def postcode_pb(p: Postcode) -> pb.PostcodeInfo:
    return pb.PostcodeInfo(
        postcode=p.postcode, point=pb.GeoPoint(latitude=p.lat, longitude=p.lon),
        point_source=p.point_source, place=p.place,
        municipality_refnis=p.municipality_refnis, municipality_nl=p.municipality_nl,
        municipality_fr=p.municipality_fr, municipality_de=p.municipality_de,
        province_nl=p.province_nl, province_fr=p.province_fr,
        region_nl=p.region_nl, region_fr=p.region_fr, language_area=p.language_area,
    )


def consent_pb(consent: Consent) -> rpb.Consent:
    proof = consent.proof
    return rpb.Consent(
        id=consent.id, customer_id=consent.customer_id, channel=consent.channel,
        given_at=time_pb(consent.given_at), withdrawn_at=time_pb(consent.withdrawn_at),
        proof=rpb.ConsentProof(wording=proof.wording, source=_SOURCE_NUMBERS[proof.source],
                               reference=proof.reference) if proof else None,
    )


_SOURCE_NUMBERS = {source: rpb.ConsentSource.Value(f"CONSENT_SOURCE_{source.upper()}") for source in ConsentSource}
_SOURCES = {number: source for source, number in _SOURCE_NUMBERS.items()}


def read_proof(message: rpb.ConsentProof) -> ConsentProof:
    """A request's consent proof; an unknown or unset source is left for the use case to
    refuse with the other fields."""
    return ConsentProof(message.wording, _SOURCES.get(message.source, ""), message.reference)


def contract_pb(contract: Contract) -> rpb.Contract:
    return rpb.Contract(
        id=contract.id, customer_id=contract.customer_id, kind=contract.kind,
        partner=contract.partner, dealer_id=contract.dealer_id or "",
        start=date_pb(contract.start_date), end=date_pb(contract.end_date),
    )


def held_pb(held: Held) -> pb.ContactEvent | rpb.Consent | rpb.Contract | rpb.Dispute:
    """A fact as held: with its retraction, and the fact it corrects, when it has them."""
    message = _FACT_PBS[type(held.fact)](held.fact)
    if held.retraction is not None:
        message.retract_time.MergeFrom(timestamp_pb2.Timestamp(**time_pb(held.retraction.at)))
        message.retraction_reason = held.retraction.reason
    if held.corrects is not None:
        message.corrects = held.corrects
    return message


def fact_pb(held: Held | None) -> xpb.Fact | None:
    if held is None:
        return None
    return xpb.Fact(**{_FACT_NAMES[type(held.fact)]: held_pb(held)})


def objection_pb(o: Objection) -> rpb.Objection:
    return rpb.Objection(id=o.id, customer_id=o.customer_id, purpose=o.purpose, objected_at=time_pb(o.objected_at))


def dispute_pb(d: Dispute) -> rpb.Dispute:
    return rpb.Dispute(id=d.id, customer_id=d.customer_id, subject=d.subject,
                       opened_at=time_pb(d.opened_at), closed_at=time_pb(d.closed_at))


_FACT_PBS = {Contact: contact_pb, Consent: consent_pb, Contract: contract_pb, Dispute: dispute_pb}
_FACT_NAMES = {Contact: "contact", Consent: "consent", Contract: "contract", Dispute: "dispute"}


def _citation(c: Citation | None) -> rpb.Citation | None:
    return rpb.Citation(section=c.section, text=c.text) if c else None


def resolution_wire(r: Resolution) -> bytes:
    """The ResolveControllers response, serialized. Purposes, recipients, transfers and
    notices depend only on the pack's outcome, which many customers share
    (domain/resolution.py keeps one per set of derived facts), and are most of a response's
    size: their bytes are made once per outcome, the customer's own part once per answer
    (answers are kept for unchanged records), and the two are joined. A protobuf parser
    merges concatenated messages (repeated fields appended, and no field is in both), so the
    bytes parse to the one message."""
    return _OUTCOMES.get(r.purposes, r.recipients, r.transfers, r.notices) + _OWN_PARTS.get(r)


def _own_part(r: Resolution) -> bytes:
    response = rpb.ResolveControllersResponse(
        customer_id=r.customer_id, as_of=date_pb(r.as_of), language=r.language,
        controllers=[
            rpb.Controller(role=c.role, id=c.id, name=c.name, legal_name=c.legal_name,
                           address=c.address, enterprise_number=c.enterprise_number,
                           assignment_basis=c.basis or "", explanation=c.explanation or "",
                           label=c.label, rule_id=c.rule, citation=_citation(c.citation))
            for c in r.controllers
        ],
        retention=[
            rpb.RetentionItem(id=x.id, label=x.label, category=x.category, method=x.method,
                              anchor=x.anchor or "", anchor_date=date_pb(x.anchor_date),
                              erase_after=date_pb(x.erase_after), legal_hold=x.legal_hold,
                              due=x.due, rule_id=x.rule, citation=_citation(x.citation))
            for x in r.retention
        ],
        findings=[
            rpb.Finding(id=f.id, label=f.label, severity=f.severity, code=f.code,
                        rule_id=f.rule, citation=_citation(f.citation)) for f in r.findings
        ],
        earliest_erase_date=date_pb(r.earliest_erase_date) if r.earliest_erase_date else None,
        rules_version=r.rules_version,
        fired_rules=r.fired_rules,
    )
    return response.SerializeToString()


class _ByIdentity:
    """Protobuf (messages or their bytes) made from immutable model values, kept by the
    values' identity: many calls answer with the same values (a pack outcome many customers
    share, a kept answer, the view of a place or of a stored version), and copying costs a
    fraction of building. Each entry holds its values, so their ids are not reused while it
    is kept. A kept message is only ever copied, never changed."""

    def __init__(self, build, kept: int):
        self._build = build
        self._most = kept
        self._kept: dict[tuple[int, ...], tuple[tuple, object]] = {}

    def get(self, *values):
        key = tuple(map(id, values))
        found = self._kept.get(key)
        if found is not None and all(map(operator.is_, found[0], values)):
            return found[1]
        message = self._build(*values)
        if len(self._kept) >= self._most:
            self._kept.clear()
        self._kept[key] = (values, message)
        return message


def _outcome_part(purposes, recipients, transfers, notices) -> bytes:
    return rpb.ResolveControllersResponse(
        purposes=[
            rpb.Purpose(id=p.id, label=p.label, group=p.group, legal_basis=_LEGAL_BASES[p.legal_basis],
                        article=p.article, controllers=p.controllers, why=p.why,
                        channel=p.channel or "", rule_id=p.rule, citation=_citation(p.citation),
                        allocation=p.allocation)
            for p in purposes
        ],
        recipients=[
            rpb.Recipient(id=x.id, label=x.label, name=x.name, address=x.address,
                          country=x.country, category=x.category, purpose=x.purpose,
                          marketing=x.marketing, channels=x.channels, rule_id=x.rule,
                          citation=_citation(x.citation))
            for x in recipients
        ],
        transfers=[
            rpb.Transfer(id=t.id, label=t.label, country=t.country, safeguard=_SAFEGUARDS[t.safeguard],
                         article=t.article, applies_to=t.applies_to, recipients=t.recipients,
                         rule_id=t.rule, citation=_citation(t.citation))
            for t in transfers
        ],
        notices=[rpb.Notice(id=n.id, label=n.label, refers_to=n.refers_to, rule_id=n.rule,
                            citation=_citation(n.citation)) for n in notices],
    ).SerializeToString()


_OUTCOMES = _ByIdentity(_outcome_part, kept=1024)
_OWN_PARTS = _ByIdentity(_own_part, kept=ResolutionService.ANSWERS_KEPT)
# As many as the assignment use case keeps views of places and of stored versions.
_VIEWS = _ByIdentity(assignment_pb, kept=AssignmentService.VIEWS_KEPT)
# The dealer of every assignment answered (a new lead's too): one of the network's versions.
_DEALERS = _ByIdentity(dealer_pb, kept=4096)


def packs_pb(packs: list[PackInfo]) -> list[rpb.RulePack]:
    return [rpb.RulePack(name=p.name, version=p.version, path=p.path, rules=p.rules) for p in packs]


def change_pb(c: Change) -> npb.AssignmentChange:
    """A job's difference."""
    return npb.AssignmentChange(
        customer_id=c.customer_id, old_dealer_id=c.old_dealer_id or "", new_dealer_id=c.new_dealer_id,
        old_basis=_BASIS_OR_UNSET[c.old_basis], new_basis=BASES[c.new_basis], reason=c.reason,
    )


def stored_change_pb(r: AssignmentRecord) -> npb.AssignmentChange:
    """A stored assignment version, as a change from the one before it."""
    return npb.AssignmentChange(
        customer_id=r.customer_id, old_dealer_id=r.previous_dealer_id or "",
        new_dealer_id=r.dealer_id, old_basis=_BASIS_OR_UNSET[r.previous_basis],
        new_basis=BASES[r.basis], reason=r.explanation, trigger=r.trigger,
        rules_version=r.rules_version, at=time_pb(r.valid_from),
    )


def notice_pb(n: Notice) -> npb.CustomerNotice:
    message = npb.CustomerNotice(
        id=n.id, customer_id=n.customer_id, old_dealer_id=n.old_dealer_id,
        new_dealer_id=n.new_dealer_id, trigger=n.trigger, created_at=time_pb(n.created_at),
        exported_at=time_pb(n.exported_at), kind=_NOTICE_KINDS[n.kind], cancelled_at=time_pb(n.cancelled_at),
    )
    if n.letter is not None:
        letter = n.letter
        message.language = letter.language
        if letter.old is not None:
            message.old_controller.CopyFrom(_party_pb(letter.old))
        message.new_controller.CopyFrom(_party_pb(letter.new))
        message.reason, message.text = letter.reason, letter.text
        message.effective_date.MergeFrom(date_pb2.Date(**date_pb(letter.effective_date)))
    return message


def _party_pb(p: Party) -> npb.NoticeParty:
    return npb.NoticeParty(name=p.name, legal_name=p.legal_name, address=p.address,
                           enterprise_number=p.enterprise_number)


_NOTICE_KINDS = {NoticeKind.ANNOUNCEMENT: npb.NOTICE_KIND_ANNOUNCEMENT, NoticeKind.CHANGE: npb.NOTICE_KIND_CHANGE}
SCHEDULE_STATUSES = {
    ScheduleStatus.SCHEDULED: npb.SCHEDULE_STATUS_SCHEDULED, ScheduleStatus.ANNOUNCED: npb.SCHEDULE_STATUS_ANNOUNCED,
    ScheduleStatus.APPLIED: npb.SCHEDULE_STATUS_APPLIED, ScheduleStatus.CANCELLED: npb.SCHEDULE_STATUS_CANCELLED,
}


def scheduled_pb(c: ScheduledChange | None) -> npb.ScheduledChange | None:
    if c is None:
        return None
    return npb.ScheduledChange(
        change_id=c.change_id, kind=str(c.kind), dealer_id=c.dealer_id, effective_date=date_pb(c.effective),
        notice_date=date_pb(c.notice_on),
        scope=npb.ReassignScope(postcodes=c.scope.postcodes, dealer_ids=c.scope.dealer_ids),
        status=SCHEDULE_STATUSES[c.status], job_id=c.job_id, announce_job_id=c.announce_job_id,
        create_time=time_pb(c.created_at), announce_time=time_pb(c.announced_at), apply_time=time_pb(c.applied_at),
        cancel_time=time_pb(c.cancelled_at),
    )
