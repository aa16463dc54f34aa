"""The essence of the joint-controller arrangement for the data subject (GDPR Art. 26(2)),
read from the privacy pack: who the controllers are, and for each group of purposes which of
them act and how they share the work (the pack's `parameters.allocation`, whose texts also
say that the data subject may exercise their rights against each, Art. 26(3)).

It describes the arrangement, not one customer: every purpose of a group in force on the day
is listed, whatever a customer's facts; the dealers are named by their part, since which
dealer it is depends on the customer (`cocontroller resolve` names them)."""

import datetime as dt

from ..errors import FailedPrecondition
from ..model import (
    Arrangement, ArrangementParty, ArrangementPurpose, ArrangementShare, ControllerRole, Language, in_language,
)
from ..rules.pack import RulePack
from .resolution import importer_entry


def arrangement(pack: RulePack, language: Language, day: dt.date) -> Arrangement:
    """The arrangement the privacy `pack` states on `day`, in `language`."""
    in_force = [rule for rule in pack.rules if rule.in_force(day)]
    parties = []
    for rule in in_force:
        if rule.extra["output"]["kind"] != "controller":
            continue
        role = ControllerRole(rule.extra["output"]["role"])
        label = rule.label(language)
        if role == ControllerRole.IMPORTER:
            importer = importer_entry(pack, language)
            parties.append(ArrangementParty(role, label, importer.name, importer.legal_name, importer.address,
                                            importer.enterprise_number))
        else:
            parties.append(ArrangementParty(role, label))
    groups: dict[str, list] = {}
    for rule in in_force:
        out = rule.extra["output"]
        if out["kind"] == "purpose":
            groups.setdefault(out["group"], []).append(rule)
    shares = []
    for group, rules in groups.items():
        roles = {ControllerRole(c) for rule in rules for c in rule.extra["output"]["controllers"]}
        shares.append(ArrangementShare(
            group=group,
            allocation=in_language(pack.parameters["allocation"][group], language),
            purposes=tuple(ArrangementPurpose(rule.label(language), rule.extra["output"]["article"])
                           for rule in rules),
            controllers=tuple(role for role in ControllerRole if role in roles),
        ))
    if not parties:
        raise FailedPrecondition(f"the privacy pack {pack.qualified_version} names no controller on {day}: "
                                 f"its rules start on {min(r.effective_from for r in pack.rules)}")
    return Arrangement(pack.qualified_version, language, day, tuple(parties), tuple(shares))
