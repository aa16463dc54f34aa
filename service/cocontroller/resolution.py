"""Controller resolution: for a customer and a day, the two joint controllers and, from the
privacy rule pack run on durable-rules, the purposes with their legal bases, the recipients,
the transfers outside the EEA with their safeguards, and the retention with concrete dates.

The facts come from the stored history (contacts, contracts, consents, disputes and the
assignment in force); the pack decides what applies, every rule whose conditions hold fires,
and this module turns the fired rules' outputs into the answer, in the asked language.
"""

import datetime as dt
from dataclasses import dataclass, field

from . import clock
from .enterprise import normalise_enterprise_number
from .facts import CHANNELS, Consent, Contract, Dispute
from .history import Contact
from .packs import CompiledPack
from .rulepack import RulePack, RulePackError, day_number

NEVER = 100000  # months_since_* when there never was such a contact
_KINDS = {
    "controller": {"role": ("importer", "distributor")},
    "purpose": {
        "group": ("questions", "contract", "quality", "leasing", "marketing", "data_management", "legal"),
        "legal_basis": ("contract", "legitimate_interest", "consent", "legal_obligation",
                        "contract_or_legitimate_interest"),
        "article": str, "controllers": list, "why": str,
    },
    "recipient": {
        "recipient": str,
        "category": ("processor", "group_entity", "sister_company", "related_company", "partner"),
        "purpose": str, "marketing": bool,
    },
    "transfer": {
        "country": str,
        "safeguard": ("adequacy", "standard_contractual_clauses", "privacy_shield", "data_privacy_framework"),
        "article": str, "recipients": list, "applies_to": str,
    },
    "retention": {"category": str, "method": ("months_after", "years_after_year_end", "at", "legal_hold")},
    "notice": {"refers_to": str},
    "finding": {"severity": ("info", "warning", "violation"), "code": str},
}
_OPTIONAL = {"purpose": {"channel": CHANNELS}, "retention": {"anchor": str, "months": int, "years": int}}
ANCHORS = ("last_test_drive_request", "last_interaction", "contract_end", "last_accounting_event")
_CONTACT_FACTS = {
    "test_drive_request": "months_since_test_drive_request",
    "quote": "months_since_quote_request",
    "brochure": "months_since_brochure_request",
    "showroom_visit": "months_since_appointment",
    "service_visit": "months_since_appointment",
    "other": "months_since_information_request",
    "complaint": "months_since_information_request",
}


_NO_DISTRIBUTOR = {
    "nl": "geen erkende verdeler actief op deze datum",
    "fr": "aucun distributeur agréé actif à cette date",
    "en": "no authorised distributor is active on this day",
}


def _output(value) -> dict:
    if not isinstance(value, dict) or value.get("kind") not in _KINDS:
        raise ValueError(f"needs a kind, one of {', '.join(_KINDS)}")
    kind = value["kind"]
    allowed = {"kind", *_KINDS[kind], *_OPTIONAL.get(kind, {})}
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f"unknown {kind} field {sorted(unknown)[0]!r}")
    for name in _KINDS[kind]:
        if name not in value:
            raise ValueError(f"a {kind} needs {name!r}")
    for name, expected in {**_KINDS[kind], **_OPTIONAL.get(kind, {})}.items():
        if name not in value:
            continue
        if isinstance(expected, tuple):
            if value[name] not in expected:
                raise ValueError(f"{name} must be one of {', '.join(expected)}")
        elif not isinstance(value[name], expected) or isinstance(value[name], bool) != (expected is bool):
            raise ValueError(f"{name} must be a {expected.__name__}")
    if kind == "retention":
        method = value["method"]
        needs = {"months_after": {"anchor", "months"}, "years_after_year_end": {"anchor", "years"},
                 "at": {"anchor"}, "legal_hold": set()}[method]
        if set(value) - {"kind", "category", "method"} != needs:
            raise ValueError(f"method {method} takes exactly {sorted(needs) or 'no arguments'}")
        if "anchor" in value and value["anchor"] not in ANCHORS:
            raise ValueError(f"anchor must be one of {', '.join(ANCHORS)}")
    if kind == "purpose" and not set(value["controllers"]) <= {"importer", "distributor"}:
        raise ValueError("controllers are importer and/or distributor")
    return value


PRIVACY_FIELDS = {"output": _output}


def check_privacy_pack(pack: RulePack) -> None:
    """What the resolver reads from the parameters must be there and agree with the rules."""
    parameters = pack.parameters
    try:
        importer = parameters["importer"]
        normalise_enterprise_number(importer["enterprise_number"])
        recipients = parameters["recipients"]
        months = parameters["last_interaction_months"]
        for key in ("name", "legal_name", "address"):
            importer[key]
    except (KeyError, TypeError, ValueError) as e:
        raise RulePackError(pack.path, None, "parameters", f"incomplete or invalid: {e!r}") from e
    if not isinstance(months, int) or months < 1:
        raise RulePackError(pack.path, None, "parameters.last_interaction_months", "must be a positive integer")
    for rule in pack.rules:
        output = rule.extra["output"]
        named = [output["recipient"]] if output["kind"] == "recipient" else output.get("recipients", [])
        for key in named:
            if key not in recipients:
                raise RulePackError(pack.path, rule.id, "output.recipient", f"{key!r} is not in parameters.recipients")
        if output.get("anchor") == "last_interaction" and output.get("months") != months:
            raise RulePackError(pack.path, rule.id, "output.months",
                                f"must equal parameters.last_interaction_months ({months})")


@dataclass(frozen=True)
class History:
    """What is on record for a customer, to be read as of a moment."""

    professional: bool
    contacts: list[Contact]
    contracts: list[Contract]
    consents: list[Consent]
    disputes: list[Dispute]


@dataclass
class Resolution:
    customer_id: str
    as_of: dt.date
    language: str
    rules_version: str
    fired_rules: list[str]
    facts: dict
    controllers: list[dict] = field(default_factory=list)
    purposes: list[dict] = field(default_factory=list)
    recipients: list[dict] = field(default_factory=list)
    transfers: list[dict] = field(default_factory=list)
    retention: list[dict] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    earliest_erase_date: dt.date | None = None


def derive_facts(history: History, at: dt.datetime, distributor_assigned: bool) -> tuple[dict, dict]:
    """The pack's facts and the retention anchors (dates) as of `at`."""
    day = clock.day_of(at)
    contacts = [c for c in history.contacts if c.occurred_at <= at]
    contracts = [c for c in history.contracts if c.start_date <= day]
    consents = {channel: any(c.channel == channel and c.in_force(at) for c in history.consents)
                for channel in CHANNELS}
    purchases = [c for c in contacts if c.kind == "purchase"]
    in_force = [c for c in contracts if c.in_force(day)]
    facts = {
        "professional": history.professional,
        "distributor_assigned": distributor_assigned,
        "has_purchase": bool(purchases) or any(c.kind == "purchase" for c in contracts),
        # A lessee drives a Lexus too: recalls, maintenance and locating concern them.
        "has_vehicle": any(c.kind in ("purchase", "service_visit") for c in contacts)
        or any(c.kind in ("purchase", "lease") for c in contracts),
        "has_interaction": bool(contacts) or bool(contracts),
        "has_consent_record": any(c.given_at <= at for c in history.consents),
        "contract_active": bool(in_force),
        "has_lease": any(c.kind == "lease" for c in in_force),
        "has_financing": any(c.kind == "financing" for c in in_force),
        "has_insurance": any(c.through_car_security for c in in_force),
        "has_accounting_records": bool(purchases) or bool(contracts),
        **{name: NEVER for name in _CONTACT_FACTS.values()},
        **{f"consent_{channel}": given for channel, given in consents.items()},
        "consent_any": any(consents.values()),
        "dispute_open": any(d.open_at(at) for d in history.disputes),
    }
    for contact in contacts:
        name = _CONTACT_FACTS.get(contact.kind)
        if name:
            facts[name] = min(facts[name], months_between(clock.day_of(contact.occurred_at), day))

    test_drives = [clock.day_of(c.occurred_at) for c in contacts if c.kind == "test_drive_request"]
    interactions = (
        [clock.day_of(c.occurred_at) for c in contacts]
        + [c.start_date for c in contracts]
        + [clock.day_of(c.given_at) for c in history.consents if c.given_at <= at]
        + [clock.day_of(c.withdrawn_at) for c in history.consents if c.withdrawn_at and c.withdrawn_at <= at]
    )
    # A purchase without a contract record is a sale that ended on its day.
    ends = [c.end_date for c in contracts] + [clock.day_of(c.occurred_at) for c in purchases]
    accounting = [clock.day_of(c.occurred_at) for c in purchases] + [c.start_date for c in contracts]
    anchors = {
        "last_test_drive_request": max(test_drives, default=None),
        "last_interaction": max(interactions, default=None),
        "contract_end": None if any(e is None for e in ends) else max(ends, default=None),
        "last_accounting_event": max(accounting, default=None),
    }
    return facts, anchors


def months_between(start: dt.date, day: dt.date) -> int:
    """Whole calendar months from `start` to `day`: the largest m with start + m months <= day."""
    months = (day.year - start.year) * 12 + day.month - start.month
    return months - 1 if add_months(start, months) > day else months


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def erase_after(output: dict, anchors: dict) -> dt.date | None:
    method = output["method"]
    if method == "legal_hold":
        return None
    anchor = anchors[output["anchor"]]
    if anchor is None:
        return None
    if method == "months_after":
        return add_months(anchor, output["months"])
    if method == "years_after_year_end":
        return dt.date(anchor.year + 1 + output["years"], 1, 1)
    return anchor


class Resolver:
    def __init__(self, slot):
        self.slot = slot

    def resolve(
        self,
        customer_id: str,
        history: History,
        at: dt.datetime,
        language: str,
        distributor: dict | None,
    ) -> Resolution:
        """`distributor`, when one is assigned: its id, name, legal name, enterprise number,
        address, and the basis and explanation of the assignment."""
        compiled: CompiledPack = self.slot.current
        pack = compiled.pack
        day = clock.day_of(at)
        facts, anchors = derive_facts(history, at, distributor is not None)
        fired_keys = self.slot.engine.all_matches(compiled.ruleset, dict(facts, day=day_number(day)))
        fired = sorted((pack.rule(key) for key in fired_keys), key=lambda r: r.id)
        answer = Resolution(
            customer_id=customer_id, as_of=day, language=language,
            rules_version=compiled.version, fired_rules=[r.key for r in fired], facts=facts,
        )
        recipients = pack.parameters["recipients"]
        channels = [c for c in CHANNELS if facts[f"consent_{c}"]]
        for rule in fired:
            out = rule.extra["output"]
            kind = out["kind"]
            common = {"id": rule.id, "rule": rule.key, "label": rule.label(language),
                      "citation": {"section": rule.citation.section, "text": rule.citation.text}}
            if kind == "controller":
                answer.controllers.append(
                    dict(common, role=out["role"],
                         **(self._importer(pack) if out["role"] == "importer" else distributor))
                )
            elif kind == "purpose":
                answer.purposes.append(dict(
                    common, group=out["group"], legal_basis=out["legal_basis"],
                    article=out["article"], controllers=out["controllers"], why=out["why"],
                    channel=out.get("channel"),
                ))
            elif kind == "recipient":
                entity = recipients[out["recipient"]]
                answer.recipients.append(dict(
                    common, recipient=out["recipient"], name=_text(entity["name"], language),
                    address=entity.get("address", ""), country=entity.get("country", ""),
                    category=out["category"], purpose=out["purpose"], marketing=out["marketing"],
                    channels=channels if out["marketing"] else [],
                ))
            elif kind == "transfer":
                answer.transfers.append(dict(
                    common, country=out["country"], safeguard=out["safeguard"],
                    article=out["article"], applies_to=out["applies_to"],
                    recipients=[_text(recipients[r]["name"], language) for r in out["recipients"]],
                ))
            elif kind == "retention":
                date = erase_after(out, anchors)
                answer.retention.append(dict(
                    common, category=out["category"], method=out["method"],
                    anchor=out.get("anchor"),
                    anchor_date=anchors[out["anchor"]].isoformat() if out.get("anchor") and anchors[out["anchor"]] else None,
                    erase_after=date, legal_hold=facts["dispute_open"], due=bool(date and date <= day),
                ))
            elif kind == "notice":
                answer.notices.append(dict(common, refers_to=out["refers_to"]))
            else:
                answer.findings.append(dict(common, severity=out["severity"], code=out["code"]))
        if distributor is None:
            answer.findings.append({
                "id": "resolver.no-distributor", "rule": "", "severity": "warning",
                "code": "no-distributor", "citation": None,
                "label": _NO_DISTRIBUTOR.get(language, _NO_DISTRIBUTOR["en"]),
            })
        if not facts["dispute_open"]:
            pending = [r["erase_after"] for r in answer.retention if r["erase_after"]]
            answer.earliest_erase_date = min(pending, default=None)
        return answer

    @staticmethod
    def _importer(pack: RulePack) -> dict:
        importer = pack.parameters["importer"]
        return {
            "id": "importer", "name": importer["name"], "legal_name": importer["legal_name"],
            "address": importer["address"],
            "enterprise_number": normalise_enterprise_number(importer["enterprise_number"]),
            "basis": None, "explanation": importer.get("description", ""),
        }


def _text(value, language: str) -> str:
    """A parameter that is either one text or a text per language."""
    if isinstance(value, dict):
        return value.get(language) or value.get("en") or next(iter(value.values()))
    return str(value)
