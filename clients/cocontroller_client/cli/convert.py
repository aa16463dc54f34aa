"""The API's messages as the plain dicts the CLI prints with --json (and renders as text).

Imports the generated protobuf code, so the commands import this module inside their
bodies, never at start-up. Enum values become lower-case words (the assignment basis keeps
its upper-case word, PURCHASE ...), instants ISO 8601 in UTC with the offset, days
YYYY-MM-DD, and what is absent null.
"""

from __future__ import annotations

import datetime as dt

from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller.v1 import rights_pb2 as xpb


def _enum_word(enum, value: int, prefix: str, lower: bool = True) -> str | None:
    if not value:
        return None
    try:
        word = enum.Name(value).removeprefix(prefix)
    except ValueError:  # a value newer than this client
        return str(value)
    return word.lower() if lower else word


def erasure_outcome(value: int) -> str | None:
    return _enum_word(xpb.ErasureOutcome, value, "ERASURE_OUTCOME_")


def erasure(e) -> dict:
    """An erasure as the audit keeps it: counts of rows, never their content."""
    return {
        "request_id": e.request_id, "reason": _enum_word(xpb.ErasureReason, e.reason, "ERASURE_REASON_"),
        "requested_at": instant(e, "request_time"), "outcome": erasure_outcome(e.outcome),
        "erased": {t.table: t.rows for t in e.erased}, "kept": {t.table: t.rows for t in e.kept},
        "erase_on": day(e.erase_date), "caller": e.caller, "scrubbed": e.scrubbed,
    }


def basis(value: int) -> str | None:
    return _enum_word(pb.AssignmentBasis, value, "ASSIGNMENT_BASIS_", lower=False)


def day(message) -> str | None:
    """A google.type.Date, or None for the empty one."""
    if not (message.year or message.month or message.day):
        return None
    return f"{message.year:04d}-{message.month:02d}-{message.day:02d}"


def instant(message, name: str) -> str | None:
    """The Timestamp field `name` of `message`, or None when it is not set."""
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=dt.timezone.utc).isoformat()


def _point(message, name: str) -> tuple[float | None, float | None]:
    if not message.HasField(name):
        return None, None
    point = getattr(message, name)
    return point.latitude, point.longitude


def dealer(d) -> dict:
    return {
        "id": d.id,
        "name": d.trade_name or d.legal_name,
        "legal_name": d.legal_name,
        "trade_name": d.trade_name or None,
        "enterprise_number": d.enterprise_number,
        "street": d.street,
        "postcode": d.postcode,
        "town": d.town,
        "lat": d.location.latitude,
        "lon": d.location.longitude,
        "languages": list(d.languages),
        "roles": list(d.roles),
        "active_from": day(d.active_from),
        "active_until": day(d.active_until),
        "active": d.active,
    }


def assignment(a) -> dict:
    return {
        "customer_id": a.customer_id or None,
        "dealer_id": a.dealer.id,
        "dealer_name": a.dealer.trade_name or a.dealer.legal_name,
        "basis": basis(a.basis),
        "distance_km": round(a.distance_km, 3),
        "lat": a.point.latitude,
        "lon": a.point.longitude,
        "point_source": a.point_source,
        "explanation": a.explanation,
        "rules_version": a.rules_version,
        "rule_id": a.rule_id,
        "decision_date": day(a.decision_date),
        "stored": a.stored,
        "assignment_id": a.assignment_id or None,
        "valid_from": instant(a, "valid_from"),
        "valid_to": instant(a, "valid_to"),
        "dealer": dealer(a.dealer),
        "runners_up": [
            {"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "basis": basis(r.basis),
             "distance_km": round(r.distance_km, 3), "score": r.score}
            for r in a.runners_up
        ],
        "skipped": [
            {"dealer_id": s.dealer_id, "basis": basis(s.basis), "reason": s.reason}
            for s in a.skipped
        ],
    }


def change(c) -> dict:
    return {
        "customer_id": c.customer_id,
        "old_dealer_id": c.old_dealer_id or None,
        "new_dealer_id": c.new_dealer_id,
        "old_basis": basis(c.old_basis),
        "new_basis": basis(c.new_basis),
        "reason": c.reason,
        "trigger": c.trigger or None,
        "rules_version": c.rules_version or None,
        "at": instant(c, "at"),
    }


def pair_count(s) -> dict:
    return {"old_dealer_id": s.old_dealer_id or None, "new_dealer_id": s.new_dealer_id,
            "customers": s.customers}


def customer(c) -> dict:
    lat, lon = _point(c, "point")
    return {
        "id": c.id,
        "postcode": c.postcode,
        "lat": lat,
        "lon": lon,
        "language": c.language or None,
        "kind": _enum_word(pb.CustomerKind, c.kind, "CUSTOMER_KIND_"),
        "enterprise_number": c.enterprise_number or None,
        "created_at": instant(c, "created_at"),
        "updated_at": instant(c, "updated_at"),
        "point_outside_postcode": c.point_outside_postcode,
        "etag": c.etag or None,
    }


def _retraction(fact) -> dict:
    """A fact's retraction (GDPR art. 16): set where retracted facts are shown."""
    return {"retracted_at": instant(fact, "retract_time"), "retraction_reason": fact.retraction_reason or None}


def contact(e) -> dict:
    return {
        "event_id": e.event_id,
        "customer_id": e.customer_id,
        "dealer_id": e.dealer_id or None,  # none: a lead for the brand
        "kind": _enum_word(pb.ContactKind, e.kind, "CONTACT_KIND_"),
        "occurred_at": instant(e, "occurred_at"),
        **_retraction(e),
        "corrects": e.corrects or None,
    }


def preference(p) -> dict:
    return {
        "id": p.id,
        "customer_id": p.customer_id,
        "dealer_id": p.dealer_id,
        "designated_at": instant(p, "designated_at"),
        "revoked_at": instant(p, "revoked_at"),
    }


def postcode(info) -> dict:
    lat, lon = _point(info, "point")
    return {
        "postcode": info.postcode,
        "lat": lat,
        "lon": lon,
        "point_source": info.point_source or None,
        "place": info.place or None,
        "municipality_refnis": info.municipality_refnis or None,
        "municipality_nl": info.municipality_nl or None,
        "municipality_fr": info.municipality_fr or None,
        "municipality_de": info.municipality_de or None,
        "province_nl": info.province_nl or None,
        "province_fr": info.province_fr or None,
        "region_nl": info.region_nl or None,
        "region_fr": info.region_fr or None,
        "language_area": info.language_area or None,
    }


def consent(c) -> dict:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "channel": c.channel,
        "given_at": instant(c, "given_at"),
        "withdrawn_at": instant(c, "withdrawn_at"),
        "proof": {"wording": c.proof.wording,
                  "source": _enum_word(rpb.ConsentSource, c.proof.source, "CONSENT_SOURCE_"),
                  "reference": c.proof.reference} if c.HasField("proof") else None,
        **_retraction(c),
        "corrects": c.corrects or None,
    }


def contract(c) -> dict:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "kind": c.kind,
        "partner": c.partner or None,
        "dealer_id": c.dealer_id or None,
        "start": day(c.start),
        "end": day(c.end),
        **_retraction(c),
    }


def dispute(d) -> dict:
    return {
        "id": d.id,
        "customer_id": d.customer_id,
        "subject": d.subject or None,
        "opened_at": instant(d, "opened_at"),
        "closed_at": instant(d, "closed_at"),
        **_retraction(d),
        "corrects": d.corrects or None,
    }


def fact(f) -> dict:
    """A Fact: the contact, consent, contract or dispute it holds."""
    which = f.WhichOneof("fact")
    return {"contact": contact, "consent": consent, "contract": contract, "dispute": dispute}[which](getattr(f, which))


def rectification(r) -> dict:
    return {"retracted": fact(r.retracted), "correction": fact(r.correction) if r.HasField("correction") else None,
            "changed": r.changed}


def objection(o) -> dict:
    return {"id": o.id, "customer_id": o.customer_id, "purpose": o.purpose,
            "objected_at": instant(o, "objected_at")}


def rule_pack(p) -> dict:
    return {"name": p.name, "version": p.version, "path": p.path, "rules": p.rules}


def notice(n) -> dict:
    return {
        "id": n.id,
        "customer_id": n.customer_id,
        "old_dealer_id": n.old_dealer_id or None,
        "new_dealer_id": n.new_dealer_id,
        "trigger": n.trigger,
        "created_at": instant(n, "created_at"),
        "exported_at": instant(n, "exported_at"),
        "language": n.language or None,
        "effective_date": day(n.effective_date),
        "old_controller": _party(n, "old_controller"),
        "new_controller": _party(n, "new_controller"),
        "reason": n.reason or None,
        "text": n.text or None,
        "kind": npb.NoticeKind.Name(n.kind).removeprefix("NOTICE_KIND_").lower() if n.kind else None,
        "cancelled_at": instant(n, "cancelled_at"),
    }


def scheduled_change(c) -> dict:
    return {
        "change_id": c.change_id,
        "kind": c.kind,
        "dealer_id": c.dealer_id,
        "effective": day(c.effective_date),
        "notice_date": day(c.notice_date),
        "scope": {"postcodes": list(c.scope.postcodes), "dealer_ids": list(c.scope.dealer_ids)},
        "status": npb.ScheduleStatus.Name(c.status).removeprefix("SCHEDULE_STATUS_").lower(),
        "job_id": c.job_id,
        "announce_job_id": c.announce_job_id,
        "create_time": instant(c, "create_time"),
        "announce_time": instant(c, "announce_time"),
        "apply_time": instant(c, "apply_time"),
        "cancel_time": instant(c, "cancel_time"),
    }


def _party(n, name: str) -> dict | None:
    if not n.HasField(name):
        return None
    p = getattr(n, name)
    return {"name": p.name, "legal_name": p.legal_name, "address": p.address, "enterprise_number": p.enterprise_number}


def network_change(c) -> dict:
    return {
        "change_id": c.change_id,
        "kind": c.kind,
        "dealer_id": c.dealer_id,
        "effective": day(c.effective),
        "record_time": instant(c, "record_time"),
        "caller": c.caller,
        "correction": {"reason": c.correction.reason, "confirmed": c.correction.confirmed}
        if c.HasField("correction") else None,
        "cancel_time": instant(c, "cancel_time"),
    }


def _citation(x) -> dict | None:
    return {"section": x.citation.section, "text": x.citation.text} if x.HasField("citation") else None


def resolution(r) -> dict:
    return {
        "customer_id": r.customer_id,
        "as_of": day(r.as_of),
        "language": r.language,
        "controllers": [
            {"role": c.role, "id": c.id, "name": c.name, "legal_name": c.legal_name,
             "address": c.address, "enterprise_number": c.enterprise_number,
             "assignment_basis": c.assignment_basis or None, "explanation": c.explanation or None,
             "label": c.label, "rule_id": c.rule_id, "citation": _citation(c)}
            for c in r.controllers
        ],
        "purposes": [
            {"id": p.id, "label": p.label, "group": p.group,
             "legal_basis": _enum_word(rpb.LegalBasis, p.legal_basis, "LEGAL_BASIS_"),
             "article": p.article, "controllers": list(p.controllers), "why": p.why, "allocation": p.allocation,
             "channel": p.channel or None, "rule_id": p.rule_id, "citation": _citation(p)}
            for p in r.purposes
        ],
        "recipients": [
            {"id": x.id, "label": x.label, "name": x.name, "address": x.address,
             "country": x.country, "category": x.category, "purpose": x.purpose,
             "marketing": x.marketing, "channels": list(x.channels), "rule_id": x.rule_id,
             "citation": _citation(x)}
            for x in r.recipients
        ],
        "transfers": [
            {"id": t.id, "label": t.label, "country": t.country,
             "safeguard": _enum_word(rpb.Safeguard, t.safeguard, "SAFEGUARD_"),
             "article": t.article, "applies_to": t.applies_to, "recipients": list(t.recipients),
             "rule_id": t.rule_id, "citation": _citation(t)}
            for t in r.transfers
        ],
        "retention": [
            {"id": x.id, "label": x.label, "category": x.category, "method": x.method,
             "anchor": x.anchor or None, "anchor_date": day(x.anchor_date),
             "erase_after": day(x.erase_after), "legal_hold": x.legal_hold, "due": x.due,
             "rule_id": x.rule_id, "citation": _citation(x)}
            for x in r.retention
        ],
        "earliest_erase_date": day(r.earliest_erase_date),
        "notices": [{"id": n.id, "label": n.label, "refers_to": n.refers_to, "rule_id": n.rule_id}
                    for n in r.notices],
        "findings": [{"id": f.id, "label": f.label, "severity": f.severity, "code": f.code,
                      "rule_id": f.rule_id} for f in r.findings],
        "rules_version": r.rules_version,
        "fired_rules": list(r.fired_rules),
    }


def export(x) -> dict:
    """Everything held about a customer, as the JSON `customer export` prints."""
    return {
        "customer": customer(x.customer),
        "earlier_versions": [dict(customer(v.customer), superseded_at=instant(v, "superseded_time"))
                             for v in x.earlier_versions],
        "contacts": [contact(c) for c in x.contacts],
        "preferences": [preference(p) for p in x.preferences],
        "consents": [consent(c) for c in x.consents],
        "contracts": [contract(c) for c in x.contracts],
        "earlier_contract_versions": [dict(contract(v.contract), recorded_at=instant(v, "record_time"),
                                           superseded_at=instant(v, "superseded_time"),
                                           correction_reason=v.correction_reason or None)
                                      for v in x.earlier_contract_versions],
        "disputes": [dispute(d) for d in x.disputes],
        "restriction": {
            "since": instant(x.restriction, "since"),
            "reason": _enum_word(xpb.ErasureReason, x.restriction.reason, "ERASURE_REASON_"),
            "request_id": x.restriction.request_id, "erase_on": day(x.restriction.erase_date),
            "legal_hold": x.restriction.legal_hold,
        } if x.HasField("restriction") else None,
        "objections": [objection(o) for o in x.objections],
        "assignments": [assignment(a) for a in x.assignments],
        "notices": [notice(n) for n in x.notices],
        "resolution": resolution(x.resolution),
        "exported_at": instant(x, "export_time"),
    }
