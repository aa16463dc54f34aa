"""The record of processing activities (GDPR Art. 30(1)) read from the privacy pack: the
controllers, the purposes with their legal bases, data subjects and categories of data, the
recipients, the transfers outside the EEA with their safeguards, and the retention criteria,
each with the policy sentence it encodes.

Like the arrangement, it describes the processing, not one customer: every rule in force on
the day is listed, whatever a customer's facts (the dealers named by their part); a transfer
picked by the date of its recipients' transfer contracts is listed once the importer's
register holds such a contract (as the resolver does)."""

import dataclasses
import datetime as dt

from ..errors import FailedPrecondition
from ..model import (
    Channel, ControllerEntry, ControllerRole, DataSubject, Language, LegalBasis, Ropa, RopaPurpose,
    RopaRetention, RopaTransfer, Safeguard, in_language,
)
from ..rules.pack import Rule, RulePack
from .resolution import citation_of, importer_entry, recipient_entry, transfer_contracts, transfer_in_use
from .taxonomy import data_categories, fides_legal_bases, fides_transfer_basis


def ropa(pack: RulePack, language: Language, day: dt.date) -> Ropa:
    """The record the privacy `pack` states on `day`, its texts in `language`; raises
    FailedPrecondition when no purpose of the pack is in force on `day`."""
    in_force = [rule for rule in pack.rules if rule.in_force(day)]
    by_kind: dict[str, list[Rule]] = {}
    for rule in in_force:
        by_kind.setdefault(rule.extra["output"]["kind"], []).append(rule)
    if not by_kind.get("purpose"):
        raise FailedPrecondition(f"the privacy pack {pack.qualified_version} has no purpose in force on {day}: "
                                 f"its rules start on {min(r.effective_from for r in pack.rules)}")
    purposes = tuple(_purpose(pack, rule, language) for rule in by_kind["purpose"])
    used = {key for purpose in purposes for key in purpose.data_categories}
    register = transfer_contracts(pack)
    return Ropa(
        pack=pack.qualified_version, language=language, as_of=day,
        controllers=tuple(_controller(pack, rule, language) for rule in by_kind.get("controller", ())),
        purposes=purposes,
        data_categories=tuple(c for c in data_categories(pack, language) if c.id in used),
        recipients=tuple(recipient_entry(pack, rule, language) for rule in by_kind.get("recipient", ())),
        transfers=tuple(_transfer(pack, rule, language) for rule in by_kind.get("transfer", ())
                        if transfer_in_use(rule, register, day)),
        retention=tuple(_retention(rule, language) for rule in by_kind.get("retention", ())),
    )


def _controller(pack: RulePack, rule: Rule, language: Language) -> ControllerEntry:
    role = ControllerRole(rule.extra["output"]["role"])
    entry = (importer_entry(pack, language) if role == ControllerRole.IMPORTER else ControllerEntry(
        role=role, id="", name="", legal_name="", address="", enterprise_number="", basis=None, explanation="",
        label="", rule="", citation=None))
    return dataclasses.replace(entry, label=rule.label(language), rule=rule.key, citation=citation_of(rule))


def _purpose(pack: RulePack, rule: Rule, language: Language) -> RopaPurpose:
    out = rule.extra["output"]
    basis = LegalBasis(out["legal_basis"])
    return RopaPurpose(
        id=rule.id, label=rule.label(language), group=out["group"], legal_basis=basis, article=out["article"],
        fides_legal_bases=fides_legal_bases(pack, basis),
        controllers=tuple(ControllerRole(c) for c in out["controllers"]),
        data_subjects=tuple(DataSubject(s) for s in out["data_subjects"]),
        data_categories=tuple(out["data_categories"]), fides_data_use=out["fides_data_use"],
        channel=Channel(out["channel"]) if out.get("channel") else None,
        allocation=in_language(pack.parameters["allocation"][out["group"]], language),
        rule=rule.key, citation=citation_of(rule),
    )


def _transfer(pack: RulePack, rule: Rule, language: Language) -> RopaTransfer:
    out = rule.extra["output"]
    safeguard = Safeguard(out["safeguard"])
    return RopaTransfer(
        id=rule.id, label=rule.label(language), country=out["country"], safeguard=safeguard,
        fides_transfer_basis=fides_transfer_basis(pack, safeguard),
        article=in_language(out["article"], language), applies_to=in_language(out["applies_to"], language),
        recipients=tuple(out["recipients"]), records_from=rule.records_from, records_until=rule.records_until,
        rule=rule.key, citation=citation_of(rule),
    )


def _retention(rule: Rule, language: Language) -> RopaRetention:
    out = rule.extra["output"]
    return RopaRetention(
        id=rule.id, label=rule.label(language), category=in_language(out["category"], language),
        method=out["method"], anchor=out.get("anchor"), months=out.get("months"), years=out.get("years"),
        records_from=rule.records_from, records_until=rule.records_until, rule=rule.key, citation=citation_of(rule),
    )
