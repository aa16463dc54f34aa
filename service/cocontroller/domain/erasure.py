"""Erasure and restriction as the privacy pack states them (parameters.erasure): what an
erasure of a customer leaves, when the retention sweep acts, what a restricted record still
serves, and how an erased subject is remembered without being named."""

import datetime as dt
import hashlib
import hmac

from ..errors import RulePackError
from ..model import (
    ContactKind, ErasureOutcome, ErasurePlan, ErasurePolicy, PurposeEntry, RecipientEntry, RetentionDate,
    TransferEntry,
)
from ..rules.pack import RulePack

CONTRACTS = "contracts"
CONTACTS = "contacts"
LEGAL_HOLD = "legal_hold"
KEPT = "kept"


def erasure_policy(pack: RulePack) -> ErasurePolicy:
    """The pack's parameters.erasure, checked against its own rules and recipients."""
    given = pack.parameters.get("erasure")
    if not isinstance(given, dict):
        raise RulePackError(pack.path, None, "parameters.erasure", "is required: what erasure keeps and erases")
    ids = {rule.id: rule.extra["output"]["kind"] for rule in pack.rules}
    recipients = pack.parameters.get("recipients") or {}
    allowed = {
        "legal_retention": {i for i, kind in ids.items() if kind == "retention"},
        "legal_records": {CONTRACTS, *ContactKind},
        "anonymise": {CONTACTS},
        "suppression": {i for i, kind in ids.items() if kind == "retention"},
        "restricted_purposes": {i for i, kind in ids.items() if kind == "purpose"},
        "restricted_recipients": set(recipients),
    }
    found = {}
    for key, known in allowed.items():
        values = given.get(key)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RulePackError(pack.path, None, f"parameters.erasure.{key}", "must be a list of names")
        unknown = sorted(set(values) - known)
        if unknown:
            raise RulePackError(pack.path, None, f"parameters.erasure.{key}", f"unknown: {', '.join(unknown)}")
        found[key] = frozenset(values)
    extra = sorted(set(given) - set(allowed))
    if extra:
        raise RulePackError(pack.path, None, "parameters.erasure", f"unknown keys: {', '.join(extra)}")
    return ErasurePolicy(**found)


def erasure_plan(retention: tuple[RetentionDate, ...], policy: ErasurePolicy, day: dt.date,
                 requested: bool) -> ErasurePlan:
    """What erasing the customer on `day` leaves: everything, restricted, under a legal hold;
    else the records the law keeps, restricted until the latest of their dates; else
    nothing. A request (art. 17) always leaves a suppression record; the sweep does where a
    retention rule of the pack keeps one."""
    suppress = requested or any(r.id in policy.suppression for r in retention)
    if any(r.method == LEGAL_HOLD for r in retention):
        return ErasurePlan(ErasureOutcome.HELD, None, suppress)
    legal = [r.erase_after for r in retention
             if r.id in policy.legal_retention and r.erase_after is not None and r.erase_after > day]
    if legal:
        return ErasurePlan(ErasureOutcome.RESTRICTED, max(legal), suppress)
    return ErasurePlan(ErasureOutcome.ERASED, None, suppress)


def sweep_due(retention: tuple[RetentionDate, ...], policy: ErasurePolicy, day: dt.date) -> bool:
    """Whether every period the pack gives the customer's data has run out on `day`, but
    those the law sets (their records stay, restricted): section 4's "wanneer deze niet meer
    nodig zijn". A legal hold, or a rule that keeps data as long as something stands (a
    consent), keeps it all; the suppression rules keep only the subject's hash."""
    dated = []
    for entry in retention:
        if entry.method == LEGAL_HOLD:
            return False
        if entry.method == KEPT:
            if entry.id not in policy.suppression:
                return False
            continue
        if entry.id not in policy.legal_retention:
            dated.append(entry.erase_after)
    return bool(dated) and all(d is not None and d <= day for d in dated)


def restricted(purposes: tuple[PurposeEntry, ...], recipients: tuple[RecipientEntry, ...],
               transfers: tuple[TransferEntry, ...], policy: ErasurePolicy
               ) -> tuple[tuple[PurposeEntry, ...], tuple[RecipientEntry, ...], tuple[TransferEntry, ...]]:
    """What a restricted record still serves (GDPR art. 18(2)): its legal purposes, the
    recipients that keep storing it, and their transfers."""
    kept = tuple(r for r in recipients if r.recipient in policy.restricted_recipients)
    names = {r.name for r in kept}  # a transfer names its recipients as the answer shows them
    return (tuple(p for p in purposes if p.id in policy.restricted_purposes), kept,
            tuple(t for t in transfers if names.intersection(t.recipients)))


def subject_hash(key: bytes, kind: str, value: str) -> str:
    """An erased subject's identifier (its kind: a customer id, an enterprise number) as
    HMAC-SHA256 under the installation's erasure key: equal for the same person, and no list
    of candidates can be hashed to find them without the key."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
