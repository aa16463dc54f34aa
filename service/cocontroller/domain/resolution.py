"""Controller resolution: for a customer and a day, the two joint controllers and, from the
privacy rule pack run on durable-rules, the purposes with their legal bases, the recipients,
the transfers outside the EEA with their safeguards, and the retention with concrete dates.

The facts come from the stored history (contacts, contracts, consents, disputes and the
assignment in force); the pack decides what applies, every rule whose conditions hold fires,
and this module turns the fired rules' outputs into the answer, in the asked language.
"""

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import clock
from ..errors import RulePackError
from ..model import (
    DIRECT_MARKETING, Basis, Channel, Citation, ContactKind, ContractKind, ControllerEntry, ControllerRole,
    CustomerHistory, DealerOnDay, DealerVersion, Finding, Language, LegalBasis, PolicyNotice, PurposeEntry, RecipientEntry,
    ErasurePolicy, Resolution, Restriction, RetentionDate, RetentionEntry, Safeguard, Severity, TransferEntry, in_language,
)
from ..rules.engine import RuleEngine
from ..rules.pack import RECORD_DATE, CompiledPack, Rule, RulePack, TextError, day_number, texts
from ..rules.signature import distinguisher
from .cache_use import CacheUse
from .erasure import erasure_policy, restricted
from .letters import check_template
from .enterprise import normalise_enterprise_number
from .taxonomy import check_taxonomy

CHANNELS = tuple(Channel)

NEVER = 100000  # months_since_* when there never was such a contact
# An output field shown to the customer: a text in each language (rules.pack.texts).
TEXT = "text"
# The kind of output of the rules a sweep asks about.
RETENTION = "retention"
# The facts _outcome reads beside the rules that matched: the consents per channel and the
# controllers present.
_OUTCOME_READS = (*(f"consent_{c}" for c in CHANNELS), "distributor_assigned", "has_other_seller",
                  "has_other_repairer")


_KINDS = {
    "controller": {"role": tuple(ControllerRole)},
    "purpose": {
        "group": ("questions", "contract", "quality", "leasing", "marketing", "data_management", "legal"),
        "legal_basis": tuple(LegalBasis),
        "article": str, "controllers": list, "why": TEXT,
        # section 2's categories it processes, whose data, its fideslang data use (taxonomy.py)
        "data_categories": list, "data_subjects": list, "fides_data_use": str,
    },
    "recipient": {
        "recipient": str,
        "category": ("processor", "group_entity", "sister_company", "related_company", "partner"),
        "purpose": TEXT, "marketing": bool,
    },
    "transfer": {
        "country": str,
        "safeguard": tuple(Safeguard),
        "article": TEXT, "recipients": list, "applies_to": TEXT,
    },
    "retention": {"category": TEXT, "method": ("months_after", "years_after_year_end", "at", "legal_hold", "kept")},
    "notice": {"refers_to": TEXT},
    "finding": {"severity": tuple(Severity), "code": str},
}
_OPTIONAL = {"purpose": {"channel": CHANNELS}, "retention": {"anchor": str, "months": int, "years": int}}
ANCHORS = ("last_test_drive_request", "last_interaction", "contract_end", "last_accounting_event",
           "last_consent_withdrawal")
# A sale's contractual relationship runs through the seller's legal guarantee of conformity:
# two years from delivery (Directive (EU) 2019/771, art. 10(1); README: contract data).
SALE_GUARANTEE_MONTHS = 24
# The key of parameters.recipients that stands for the named partner of each contract in
# force (a leasing company, an insurer): one entry per partner, named as on the contract.
CONTRACT_PARTNER = "contract_partner"
# Contacts and contracts by which a dealer holds data of its own about the customer.
_SOLD = {ContactKind.PURCHASE}
_SOLD_CONTRACTS = {ContractKind.PURCHASE, ContractKind.LEASE, ContractKind.FINANCING}
_REPAIRED = {ContactKind.SERVICE_VISIT}
_REPAIRED_CONTRACTS = {ContractKind.MAINTENANCE}
_CONTACT_FACTS = {
    "test_drive_request": "months_since_test_drive_request",
    "quote": "months_since_quote_request",
    "brochure": "months_since_brochure_request",
    "showroom_visit": "months_since_appointment",
    "service_visit": "months_since_appointment",
    "other": "months_since_information_request",
    "complaint": "months_since_information_request",
}


# The assignment in force names a dealer that is not active on the day (closed since, or
# not yet open): it still answers as the controller until a re-assignment job runs, and the
# privacy team must know (policy section 1: "Uw erkende Lexus-verdeler").
_INACTIVE_DISTRIBUTOR = {
    "nl": "de toegewezen verdeler {name} is op deze datum niet actief (gesloten of nog niet geopend); "
          "de klant moet opnieuw worden toegewezen",
    "fr": "le distributeur attribué {name} n'est pas actif à cette date (fermé ou pas encore ouvert) ; "
          "le client doit être réattribué",
    "de": "der zugewiesene Vertragshändler {name} ist an diesem Tag nicht aktiv (geschlossen oder noch "
          "nicht eröffnet); der Kunde muss neu zugewiesen werden",
    "en": "the assigned distributor {name} is not active on this day (closed, or not yet open); "
          "the customer needs a re-assignment",
}

# A dealer named as controller for the data it holds (a seller, a repairer) is closed on the
# day: its data stays its own until transferred, and the privacy team must know.
_INACTIVE_CONTROLLER = {
    "nl": "{name}, verwerkingsverantwoordelijke voor de gegevens die hij over u bijhoudt, is op deze datum "
          "niet actief (gesloten of nog niet geopend)",
    "fr": "{name}, responsable du traitement des données qu'il détient à votre sujet, n'est pas actif à "
          "cette date (fermé ou pas encore ouvert)",
    "de": "{name}, Verantwortlicher für die Daten, die er über Sie führt, ist an diesem Tag nicht aktiv "
          "(geschlossen oder noch nicht eröffnet)",
    "en": "{name}, controller of the data it holds about you, is not active on this day (closed, or not "
          "yet open)",
}

# Every retention period of the customer's data has run out (none on hold, none open).
_ERASURE_OVERDUE = {
    "nl": "alle bewaartermijnen zijn verstreken (de laatste op {day}): de gegevens moeten gewist of "
          "geanonimiseerd worden",
    "fr": "toutes les durées de conservation sont écoulées (la dernière le {day}) : les données doivent "
          "être effacées ou anonymisées",
    "de": "alle Aufbewahrungsfristen sind abgelaufen (die letzte am {day}): die Daten müssen gelöscht oder "
          "anonymisiert werden",
    "en": "every retention period has run out (the last on {day}): the data must be erased or anonymised",
}

_RESTRICTED = {
    "nl": "de verwerking is beperkt (AVG art. 18): de gegevens dienen enkel nog hun wettelijke doeleinden en "
          "worden gewist op {day}",
    "fr": "le traitement est limité (RGPD art. 18) : les données ne servent plus qu'à leurs finalités légales "
          "et seront effacées le {day}",
    "de": "die Verarbeitung ist eingeschränkt (DSGVO Art. 18): die Daten dienen nur noch ihren gesetzlichen "
          "Zwecken und werden am {day} gelöscht",
    "en": "processing is restricted (GDPR art. 18): the data serves its legal purposes only and is erased "
          "on {day}",
}

_NO_DISTRIBUTOR = {
    "nl": "geen erkende verdeler actief op deze datum",
    "fr": "aucun distributeur agréé actif à cette date",
    "de": "an diesem Tag ist kein zugelassener Vertragshändler aktiv",
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
    value = dict(value)
    for name, expected in {**_KINDS[kind], **_OPTIONAL.get(kind, {})}.items():
        if name not in value:
            continue
        if expected == TEXT:
            # nl, fr, de and en, each present: TextError names the one missing (output.why.de)
            value[name] = texts(value[name], name)
        elif isinstance(expected, tuple):
            if value[name] not in expected:
                raise ValueError(f"{name} must be one of {', '.join(expected)}")
        elif not isinstance(value[name], expected) or isinstance(value[name], bool) != (expected is bool):
            raise ValueError(f"{name} must be a {expected.__name__}")
    if kind == "retention":
        method = value["method"]
        needs = {"months_after": {"anchor", "months"}, "years_after_year_end": {"anchor", "years"},
                 "at": {"anchor"}, "legal_hold": set(), "kept": set()}[method]
        if set(value) - {"kind", "category", "method"} != needs:
            raise ValueError(f"method {method} takes exactly {sorted(needs) or 'no arguments'}")
        if "anchor" in value and value["anchor"] not in ANCHORS:
            raise ValueError(f"anchor must be one of {', '.join(ANCHORS)}")
    if kind == "purpose" and not set(value["controllers"]) <= set(ControllerRole):
        raise ValueError(f"controllers are among {', '.join(ControllerRole)}")
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
    # What the answer shows of the parties in every language: the importer's description and
    # each recipient's name (nl, fr, de, en), and an address, one or one per language.
    shown = [("importer.description", importer.get("description"), True)]
    for key, entity in (recipients.items() if isinstance(recipients, dict) else ()):
        entity = entity if isinstance(entity, dict) else {}
        shown += [(f"recipients.{key}.name", entity.get("name"), True),
                  (f"recipients.{key}.address", entity.get("address", ""), False)]
    for where, value, per_language in shown:
        if not per_language and not isinstance(value, dict):
            if not isinstance(value, str):
                raise RulePackError(pack.path, None, f"parameters.{where}", "must be a text, or one per language")
            continue
        try:
            texts(value, where)
        except TextError as e:
            raise RulePackError(pack.path, None, f"parameters.{e.where}", str(e)) from None
    groups = _KINDS["purpose"]["group"]
    allocation = parameters.get("allocation")
    if not isinstance(allocation, dict) or set(allocation) != set(groups):
        raise RulePackError(pack.path, None, "parameters.allocation",
                            f"needs the Art. 26 allocation of each purpose group: {', '.join(groups)}")
    for group, text in allocation.items():
        try:
            texts(text, f"allocation.{group}")
        except TextError as e:
            raise RulePackError(pack.path, None, f"parameters.{e.where}", str(e)) from None
    erasure_policy(pack)
    check_template(pack)
    try:
        transfer_contracts(pack)
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise RulePackError(pack.path, None, "parameters.transfer_contracts",
                            f"each needs a recipient of parameters.recipients and the date it was concluded "
                            f"(YYYY-MM-DD): {e}") from None
    for rule in pack.rules:
        output = rule.extra["output"]
        if rule.selected_by == RECORD_DATE and not (
            (output["kind"] == "retention" and output.get("anchor") in RECORD_ANCHORS and rule.when)
            or output["kind"] == "transfer"
        ):
            raise RulePackError(rule.source, rule.id, "records_from",
                                f"only a transfer rule (by its recipients' transfer contracts) or a retention "
                                f"rule with a condition and an anchor of dated records "
                                f"({', '.join(RECORD_ANCHORS)}) can be picked by its records' dates")
        named = [output["recipient"]] if output["kind"] == "recipient" else output.get("recipients", [])
        for key in named:
            if key not in recipients:
                raise RulePackError(rule.source, rule.id, "output.recipient", f"{key!r} is not in parameters.recipients")
        if output.get("anchor") == "last_interaction" and output.get("months") != months:
            raise RulePackError(rule.source, rule.id, "output.months",
                                f"must equal parameters.last_interaction_months ({months})")
    check_taxonomy(pack)


def transfer_contracts(pack: RulePack) -> list[tuple[str, dt.date]]:
    """The importer's register of transfer contracts: (recipient, day concluded)."""
    register = []
    for contract in pack.parameters.get("transfer_contracts") or ():
        if contract["recipient"] not in pack.parameters["recipients"]:
            raise ValueError(f"unknown recipient {contract['recipient']!r}")
        register.append((contract["recipient"], dt.date.fromisoformat(str(contract["concluded"]))))
    return register


def _retention_dates(rules: tuple[Rule, ...], history: CustomerHistory, at: dt.datetime, anchors: dict
                     ) -> tuple[list[tuple[Rule, dict, dt.date | None]], set[str]]:
    """Each fired retention rule with the anchors it reads and its date, and the rules
    picked by record date that govern none of the customer's records (not reported as
    fired)."""
    found, unused = [], set()
    records = record_dates(history, at) if any(r.selected_by == RECORD_DATE for r in rules) else {}
    for rule in rules:
        out = rule.extra["output"]
        anchor = out.get("anchor")
        own = anchors
        if rule.selected_by == RECORD_DATE:
            # This version governs the records dated within its effective dates only.
            dated = [d for d in records[anchor] if rule.governs(d)]
            if not dated:
                unused.add(rule.key)
                continue
            own = dict(anchors, **{anchor: max(dated)})
        found.append((rule, own, erase_after(out, own)))
    return found, unused


def transfer_in_use(rule: Rule, register: list[tuple[str, dt.date]], day: dt.date) -> bool:
    """Whether a transfer rule in force on `day` is in use: one picked by its recipients'
    transfer contracts only once such a contract, concluded by `day`, falls under it."""
    return rule.selected_by != RECORD_DATE or any(
        recipient in rule.extra["output"]["recipients"] and concluded <= day and rule.governs(concluded)
        for recipient, concluded in register)


def derive_facts(history: CustomerHistory, at: dt.datetime, distributor_id: str | None,
                 holders: tuple[list[str], list[str]] | None = None) -> tuple[dict, dict]:
    """The pack's facts and the retention anchors (dates) as of `at`; `distributor_id`: the
    responsible distributor, None without one; `holders`: holding_dealers(history, at), if
    the caller has it."""
    day = clock.day_of(at)
    contacts = [c for c in history.contacts if c.occurred_at <= at]
    contracts = [c for c in history.contracts if c.start_date <= day]
    standing = {c.channel for c in history.consents if c.in_force(at)}
    consents = {channel: channel in standing for channel in CHANNELS}
    consented = any(c.given_at <= at for c in history.consents)
    purchases = [c for c in contacts if c.kind == ContactKind.PURCHASE]
    services = [c for c in contacts if c.kind == ContactKind.SERVICE_VISIT]
    in_force = [c for c in contracts if c.in_force(day)]
    withdrawn = [c for c in history.consents if c.withdrawn_at and c.withdrawn_at <= at
                 and not consents[c.channel]]
    sellers, repairers = holders or holding_dealers(history, at)
    facts = {
        "professional": history.professional,
        "distributor_assigned": distributor_id is not None,
        "has_purchase": bool(purchases) or any(c.kind == ContractKind.PURCHASE for c in contracts),
        # A lessee drives a Lexus too: recalls, maintenance and locating concern them.
        "has_vehicle": any(c.kind in (ContactKind.PURCHASE, ContactKind.SERVICE_VISIT) for c in contacts)
        or any(c.kind in (ContractKind.PURCHASE, ContractKind.LEASE) for c in contracts),
        "has_interaction": bool(contacts) or bool(contracts),
        # A customer bought, had a vehicle serviced or signed a contract; anyone else on
        # record is a prospect.
        "is_customer": bool(purchases) or bool(services) or bool(contracts),
        # Section 4's example: a prospect known only from test drive requests.
        "test_drive_only": bool(contacts) and all(c.kind == ContactKind.TEST_DRIVE_REQUEST for c in contacts)
        and not contracts and not consented
        and not any(d.opened_at <= at for d in history.disputes),
        "has_consent_record": consented,
        "has_withdrawn_consent": bool(withdrawn),
        "contract_active": bool(in_force),
        "has_contract_record": bool(contracts),
        "has_lease": any(c.kind == ContractKind.LEASE for c in in_force),
        "has_financing": any(c.kind == ContractKind.FINANCING for c in in_force),
        "has_insurance": any(c.through_car_security for c in in_force),
        "has_contract_partner": any(c.partner.strip() for c in in_force),
        "has_accounting_records": bool(purchases) or bool(services) or bool(contracts),
        "has_other_seller": any(d != distributor_id for d in sellers),
        "has_other_repairer": any(d != distributor_id for d in repairers),
        **{name: NEVER for name in _CONTACT_FACTS.values()},
        "months_since_last_interaction": NEVER,
        **{f"consent_{channel}": given for channel, given in consents.items()},
        "consent_any": any(consents.values()),
        "dispute_open": any(d.open_at(at) for d in history.disputes),
    }
    # Each contact's day in Brussels, once: a sweep derives facts for a million customers.
    contact_days = [clock.day_of(c.occurred_at) for c in contacts]
    latest: dict[str, dt.date] = {}
    for contact, contact_day in zip(contacts, contact_days):
        name = _CONTACT_FACTS.get(contact.kind)
        if name and (name not in latest or contact_day > latest[name]):
            latest[name] = contact_day
    for name, contact_day in latest.items():
        facts[name] = months_between(contact_day, day)

    test_drives = [d for c, d in zip(contacts, contact_days) if c.kind == ContactKind.TEST_DRIVE_REQUEST]
    interactions = (
        contact_days
        + [c.start_date for c in contracts]
        + [clock.day_of(c.given_at) for c in history.consents if c.given_at <= at]
        + [clock.day_of(c.withdrawn_at) for c in history.consents if c.withdrawn_at and c.withdrawn_at <= at]
    )
    # The contractual relationship ends with the last contract, a sale with its legal
    # guarantee; it runs on (no date) while a contract has no end.
    ends = [c.end_date for c in contracts] + [
        add_months(clock.day_of(c.occurred_at), SALE_GUARANTEE_MONTHS) for c in purchases]
    running = any(e is None for e in ends)
    relationship_end = None if running else max(ends, default=None)
    # The clock does not run while a contract runs; else from the later of the two.
    last_interaction = None if running else max(
        (d for d in (max(interactions, default=None), relationship_end) if d is not None), default=None)
    if interactions:
        facts["months_since_last_interaction"] = (
            0 if last_interaction is None or last_interaction > day else months_between(last_interaction, day))
    accounting = record_dates(history, at)["last_accounting_event"]
    anchors = {
        "last_test_drive_request": max(test_drives, default=None),
        "last_interaction": last_interaction,
        "contract_end": relationship_end,
        "last_accounting_event": max(accounting, default=None),
        "last_consent_withdrawal": max((clock.day_of(c.withdrawn_at) for c in withdrawn), default=None),
    }
    return facts, anchors


def holding_dealers(history: CustomerHistory, at: dt.datetime) -> tuple[list[str], list[str]]:
    """The dealers that hold data of their own about the customer as of `at`, by first
    record: those that sold to them (a purchase, a sale, lease or financing contract) and
    those that repaired their vehicle (a service visit, a maintenance contract)."""
    day = clock.day_of(at)
    sellers, repairers = [], []
    for contact in sorted(history.contacts, key=lambda c: c.occurred_at):
        if contact.occurred_at <= at:
            found = sellers if contact.kind in _SOLD else repairers if contact.kind in _REPAIRED else None
            if found is not None and contact.dealer_id and contact.dealer_id not in found:
                found.append(contact.dealer_id)
    for contract in sorted(history.contracts, key=lambda c: c.start_date):
        if contract.start_date <= day and contract.dealer_id:
            found = (sellers if contract.kind in _SOLD_CONTRACTS
                     else repairers if contract.kind in _REPAIRED_CONTRACTS else None)
            if found is not None and contract.dealer_id not in found:
                found.append(contract.dealer_id)
    return sellers, repairers


# The anchors that stand for a set of dated records, each of which a retention rule picked
# by record date (pack.RECORD_DATE) is applied to under the version in force on its date.
RECORD_ANCHORS = ("last_accounting_event",)


def record_dates(history: CustomerHistory, at: dt.datetime) -> dict[str, tuple[dt.date, ...]]:
    """The dates of the records behind each of RECORD_ANCHORS, as known at `at`: the
    accounting documents, that is the invoices of sales and of service visits and the
    contracts started."""
    day = clock.day_of(at)
    invoices = [clock.day_of(c.occurred_at) for c in history.contacts
                if c.kind in (ContactKind.PURCHASE, ContactKind.SERVICE_VISIT) and c.occurred_at <= at]
    return {"last_accounting_event": tuple(invoices + [c.start_date for c in history.contracts if c.start_date <= day])}


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
    if method in ("legal_hold", "kept"):
        return None
    anchor = anchors[output["anchor"]]
    if anchor is None:
        return None
    if method == "months_after":
        return add_months(anchor, output["months"])
    if method == "years_after_year_end":
        return dt.date(anchor.year + 1 + output["years"], 1, 1)
    return anchor


# Partners are free text: an outcome keeps the recipients of this many sets of them (and the
# purposes of as many sets of objections).
_PARTNER_SETS_KEPT = 64
# The group of the direct-marketing purposes (the pack's purposes.yaml).
MARKETING_GROUP = "marketing"


@dataclass(frozen=True)
class _Outcome:
    """What the privacy pack says for one set of derived facts in one language: the fired
    rules, and the entries that depend on nothing else."""

    fired: tuple[Rule, ...]
    controllers: tuple[Rule, ...]
    retention: tuple[Rule, ...]
    partners: tuple[Rule, ...]  # recipient rules that name each contract's own partner
    purposes: tuple[PurposeEntry, ...]
    recipients: tuple[RecipientEntry, ...]
    transfers: tuple[TransferEntry, ...]
    notices: tuple[PolicyNotice, ...]
    findings: tuple[Finding, ...]

    # The recipients with each set of contract partners named, made once per set: customers
    # sharing an outcome and a partner share one tuple (api/convert.py builds its protobuf
    # once per tuple).
    _partnered: dict[tuple[str, ...], tuple[RecipientEntry, ...]] = field(default_factory=dict, compare=False)
    # The purposes without each set of objections (`without`).
    _without: dict[frozenset, tuple[PurposeEntry, ...]] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def fired_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.fired)

    def without(self, objected: frozenset[str]) -> tuple[PurposeEntry, ...]:
        """The purposes but those objected to (a purpose's id, or DIRECT_MARKETING for every
        marketing purpose), made once per set of objections."""
        found = self._without.get(objected)
        if found is None:
            found = tuple(p for p in self.purposes if p.id not in objected
                          and not (DIRECT_MARKETING in objected and p.group == MARKETING_GROUP))
            if len(self._without) < _PARTNER_SETS_KEPT:
                self._without[objected] = found
        return found

    def with_partners(self, partners: tuple[str, ...], language: Language) -> tuple[RecipientEntry, ...]:
        """The recipients, then the contract partner rules' entries for each of `partners`."""
        found = self._partnered.get(partners)
        if found is None:
            found = self.recipients + tuple(
                _partner_entry(rule, partner, language) for rule in self.partners for partner in partners)
            if len(self._partnered) < _PARTNER_SETS_KEPT:
                self._partnered[partners] = found
        return found


class Resolver:
    """Runs the privacy pack over a customer's derived facts and turns the fired rules'
    outputs into the answer, in the asked language.

    The facts are few booleans and small integers, so many customers share them: the pack's
    outcome for identical facts, day and language is kept (per compiled ruleset) instead of
    asking the engine again, which is most of a resolution's cost.
    """

    _MEMO_SIZE = 8192

    def __init__(self, engine: RuleEngine):
        self.engine = engine
        self._memo: dict[tuple, _Outcome] = {}
        # Outcomes share their entries: one per rule, language and consented channels.
        self._entries: dict[tuple, object] = {}
        self.memo_use = CacheUse()
        self._policies: dict[str, ErasurePolicy] = {}
        # For sweeps: what the retention rules alone can tell apart in a fact, per compiled
        # pack, and the retention rules matched per such key.
        self._retention_keys: dict[str, Callable[[dict], tuple | None] | None] = {}
        self._retained: dict[tuple, tuple[Rule, ...]] = {}
        self.retention_use = CacheUse()

    def resolve(
        self,
        compiled: CompiledPack,
        customer_id: str,
        history: CustomerHistory,
        at: dt.datetime,
        language: Language,
        distributor: ControllerEntry | None,
        distributor_active: bool = True,
        dealer_on_day: Callable[[str], DealerOnDay | None] | None = None,
        restriction: Restriction | None = None,
    ) -> Resolution:
        """`distributor`: the assigned distributor as a controller entry (its label, rule
        and citation are filled in from the pack), or None when none is active;
        `distributor_active`: whether that dealer is active on the day (a stored assignment
        may name one closed since); `dealer_on_day`: a dealer as described on the day, for
        the sellers and repairers named (None: unknown to the network); `restriction`: the
        customer's processing is restricted (GDPR art. 18) from its day."""
        day = clock.day_of(at)
        sellers, repairers = holding_dealers(history, at)
        facts, anchors = derive_facts(history, at, distributor.id if distributor else None, (sellers, repairers))
        outcome = self._outcome(compiled, facts, day, language)
        findings = outcome.findings
        controllers = []
        holders = {ControllerRole.SELLER: sellers, ControllerRole.REPAIRER: repairers}
        reported: set[str] = set()
        for rule in outcome.controllers:
            role = ControllerRole(rule.extra["output"]["role"])
            if role in holders:
                # One entry per dealer holding data of its own, beside the responsible one.
                for dealer_id in holders[role]:
                    on_day = None
                    if not (distributor and dealer_id == distributor.id) and dealer_on_day:
                        on_day = dealer_on_day(dealer_id)
                    if on_day is None:
                        continue
                    entity = _dealer_entry(on_day.version, role)
                    controllers.append(dataclasses.replace(
                        entity, label=rule.label(language), rule=rule.key, citation=citation_of(rule)))
                    if not on_day.active and dealer_id not in reported:
                        reported.add(dealer_id)  # once per dealer, though it sold and repaired
                        findings += (Finding(
                            "resolver.controller-inactive",
                            in_language(_INACTIVE_CONTROLLER, language).format(name=entity.name),
                            Severity.WARNING, "controller-inactive", "", None,
                        ),)
                continue
            entity = importer_entry(compiled.pack, language) if role == ControllerRole.IMPORTER else distributor
            controllers.append(ControllerEntry(
                role=role, id=entity.id, name=entity.name, legal_name=entity.legal_name,
                address=entity.address, enterprise_number=entity.enterprise_number,
                basis=entity.basis, explanation=entity.explanation, label=rule.label(language),
                rule=rule.key, citation=citation_of(rule),
            ))
        recipients = outcome.recipients
        if outcome.partners:
            recipients = outcome.with_partners(tuple(contract_partners(history, day)), language)
        purposes = outcome.purposes
        objected = frozenset(o.purpose for o in history.objections if o.objected_at <= at)
        if objected:
            # Art. 21: a purpose objected to stops from the objection's day; an objection to
            # direct marketing is absolute: every marketing purpose and sender goes.
            purposes = outcome.without(objected)
            if DIRECT_MARKETING in objected:
                recipients = tuple(r for r in recipients if not r.marketing)
        transfers = outcome.transfers
        if restriction is not None and restriction.since <= at:
            purposes, recipients, transfers = restricted(purposes, recipients, transfers, self.erasure_policy(compiled))
            findings += (Finding(
                "resolver.restricted", in_language(_RESTRICTED, language).format(
                    day=restriction.erase_on.isoformat() if restriction.erase_on else "–"),
                Severity.INFO, "restricted", "", None,
            ),)
        dates, unused = _retention_dates(outcome.retention, history, at, anchors)
        retention = [
            RetentionEntry(
                id=rule.id, label=rule.label(language), category=in_language(rule.extra["output"]["category"], language),
                method=rule.extra["output"]["method"], anchor=rule.extra["output"].get("anchor"),
                anchor_date=own.get(rule.extra["output"].get("anchor")), erase_after=date,
                legal_hold=facts["dispute_open"], due=bool(date and date <= day), rule=rule.key,
                citation=citation_of(rule),
            )
            for rule, own, date in dates
        ]
        if distributor is not None and not distributor_active:
            text = in_language(_INACTIVE_DISTRIBUTOR, language)
            findings += (Finding(
                "resolver.distributor-inactive", text.format(name=distributor.name),
                Severity.WARNING, "distributor-inactive", "", None,
            ),)
        if distributor is None and restriction is None:
            findings += (Finding(
                "resolver.no-distributor", in_language(_NO_DISTRIBUTOR, language),
                Severity.WARNING, "no-distributor", "", None,
            ),)
        earliest = None
        if not facts["dispute_open"]:
            earliest = min((r.erase_after for r in retention if r.erase_after), default=None)
            dated = [r for r in retention if r.method != "kept"]
            # A consent in force keeps what its marketing needs (retention.consent).
            if dated and not facts["consent_any"] and all(r.erase_after and r.erase_after <= day for r in dated):
                # Section 4: "Wanneer deze niet meer nodig zijn, worden uw Gegevens gewist of
                # geanonimiseerd": every period has run out, so the data should be gone.
                findings += (Finding(
                    "resolver.erasure-overdue",
                    in_language(_ERASURE_OVERDUE, language).format(day=max(r.erase_after for r in dated)),
                    Severity.VIOLATION, "erasure-overdue", "", None,
                ),)
        return Resolution(
            customer_id=customer_id, as_of=day, language=language,
            rules_version=compiled.version,
            fired_rules=outcome.fired_keys if not unused else tuple(k for k in outcome.fired_keys if k not in unused),
            facts=facts, controllers=tuple(controllers), purposes=purposes,
            recipients=recipients, transfers=transfers,
            retention=tuple(retention), notices=outcome.notices, findings=findings,
            earliest_erase_date=earliest,
        )

    def retention(self, compiled: CompiledPack, history: CustomerHistory, at: dt.datetime,
                  distributor_id: str | None) -> tuple[RetentionDate, ...]:
        """The retention dates alone, a sweep's question: the facts, the pack's retention
        rules that match them and the dates, without the parties and texts an answer shows.
        Which retention rules match depends on the outcomes of their own comparisons alone
        (rules/signature.py), so the matches are kept per those: a sweep asks the engine a
        few times, not once per customer."""
        day = clock.day_of(at)
        facts, anchors = derive_facts(history, at, distributor_id)
        fact = dict(facts, day=day_number(day))
        tells = self._retention_keys.get(compiled.ruleset.name)
        if tells is None:
            pack = compiled.pack
            tells = self._retention_keys[compiled.ruleset.name] = distinguisher(
                {k: c for k, c in pack.conditions().items() if pack.rule(k).extra["output"]["kind"] == RETENTION})
        outcomes = tells(fact) if tells is not None else None
        key = (compiled.ruleset.name, *((outcomes,) if outcomes is not None else fact.values()))
        rules = self._retained.get(key)
        if rules is not None:
            self.retention_use.hits += 1
        else:
            self.retention_use.misses += 1
            fired = self.engine.all_matches(compiled.ruleset, fact)
            rules = tuple(sorted((r for r in (compiled.pack.rule(k) for k in fired)
                                  if r.extra["output"]["kind"] == RETENTION), key=lambda r: r.id))
            if len(self._retained) >= self._MEMO_SIZE:
                self._retained.clear()
            self._retained[key] = rules
        return tuple(RetentionDate(rule.id, rule.extra["output"]["method"], date)
                     for rule, _, date in _retention_dates(rules, history, at, anchors)[0])

    def erasure_policy(self, compiled: CompiledPack) -> ErasurePolicy:
        """The pack's erasure parameters, read once per compiled pack."""
        policy = self._policies.get(compiled.ruleset.name)
        if policy is None:
            policy = self._policies[compiled.ruleset.name] = erasure_policy(compiled.pack)
        return policy

    def _outcome(self, compiled: CompiledPack, facts: dict, day: dt.date, language: Language) -> _Outcome:
        """The pack's outcome, kept per what decides it: the outcome of every comparison
        the rules make (rules/signature.py: customers 47 and 37 months from their last
        interaction get one answer) and the facts _outcome reads itself."""
        ruleset = compiled.ruleset
        fact = dict(facts, day=day_number(day))
        outcomes = ruleset.facts_key(fact) if ruleset.facts_key is not None else None
        own = tuple(facts[name] for name in _OUTCOME_READS)
        key = (ruleset.name, language, day_number(day), own, *((outcomes,) if outcomes is not None else facts.values()))
        outcome = self._memo.get(key)
        if outcome is not None:
            self.memo_use.hits += 1
        else:
            self.memo_use.misses += 1
            fired_keys = self.engine.all_matches(ruleset, fact)
            fired = sorted((compiled.pack.rule(k) for k in fired_keys), key=lambda r: r.id)
            if len(self._memo) >= self._MEMO_SIZE:
                self._memo.clear()
                self._entries.clear()
            outcome = self._memo[key] = _outcome(compiled, fired, facts, day, language, self._entries)
        return outcome


def _outcome(compiled: CompiledPack, fired: list[Rule], facts: dict, day: dt.date, language: Language,
             entries: dict[tuple, object]) -> _Outcome:
    """Sorts the fired rules by kind; the entries that depend only on the consented channels
    and the language are made once per rule and shared."""
    channels = tuple(c for c in CHANNELS if facts[f"consent_{c}"])
    # The controllers a purpose can name for these facts: the distributor once assigned, a
    # seller or repairer once one other than the distributor holds data of its own.
    present = {ControllerRole.IMPORTER, *(role for role, fact in (
        (ControllerRole.DISTRIBUTOR, "distributor_assigned"), (ControllerRole.SELLER, "has_other_seller"),
        (ControllerRole.REPAIRER, "has_other_repairer")) if facts[fact])}
    register = transfer_contracts(compiled.pack)
    by_kind: dict[str, list] = {kind: [] for kind in (*_KINDS, "partner")}
    kept = []
    for rule in fired:
        out = rule.extra["output"]
        kind = out["kind"]
        if kind == "transfer" and not transfer_in_use(rule, register, day):
            continue  # no transfer contract of its recipients concluded by the day under this version
        kept.append(rule)
        if kind in ("controller", "retention"):
            by_kind[kind].append(rule)
            continue
        if kind == "recipient" and out["recipient"] == CONTRACT_PARTNER:
            by_kind["partner"].append(rule)
            continue
        key = (compiled.ruleset.name, rule.key, language, channels, frozenset(present))
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = _entry(compiled.pack, rule, channels, language, present)
        by_kind[kind].append(entry)
    return _Outcome(tuple(kept), *(tuple(by_kind[k]) for k in (
        "controller", "retention", "partner", "purpose", "recipient", "transfer", "notice", "finding")))


def _entry(pack: RulePack, rule: Rule, channels: tuple[Channel, ...], language: Language,
           present: set[ControllerRole]):
    """The answer's entry for a fired purpose, recipient, transfer, notice or finding rule."""
    recipients = pack.parameters["recipients"]
    out = rule.extra["output"]
    kind = out["kind"]
    label = rule.label(language)
    citation = citation_of(rule)
    if kind == "purpose":
        return PurposeEntry(
            id=rule.id, label=label, group=out["group"], legal_basis=LegalBasis(out["legal_basis"]),
            article=out["article"],
            controllers=tuple(ControllerRole(c) for c in out["controllers"] if c in present),
            why=in_language(out["why"], language), channel=Channel(out["channel"]) if out.get("channel") else None,
            rule=rule.key, citation=citation,
            allocation=in_language(pack.parameters["allocation"][out["group"]], language),
        )
    if kind == "recipient":
        return recipient_entry(pack, rule, language, channels if out["marketing"] else ())
    if kind == "transfer":
        return TransferEntry(
            id=rule.id, label=label, country=out["country"],
            safeguard=Safeguard(out["safeguard"]), article=in_language(out["article"], language),
            applies_to=in_language(out["applies_to"], language),
            recipients=tuple(_text(recipients[r]["name"], language) for r in out["recipients"]),
            rule=rule.key, citation=citation,
        )
    if kind == "notice":
        return PolicyNotice(rule.id, label, in_language(out["refers_to"], language), rule.key, citation)
    return Finding(rule.id, label, Severity(out["severity"]), out["code"], rule.key, citation)


def recipient_entry(pack: RulePack, rule: Rule, language: Language,
                    channels: tuple[Channel, ...] = ()) -> RecipientEntry:
    """A recipient rule's entry, the recipient described by parameters.recipients."""
    out = rule.extra["output"]
    entity = pack.parameters["recipients"][out["recipient"]]
    return RecipientEntry(
        id=rule.id, label=rule.label(language), recipient=out["recipient"],
        name=_text(entity["name"], language), address=_text(entity.get("address", ""), language),
        country=entity.get("country", ""), category=out["category"],
        purpose=in_language(out["purpose"], language), marketing=out["marketing"],
        channels=channels, rule=rule.key, citation=citation_of(rule),
    )


def contract_partners(history: CustomerHistory, day: dt.date) -> list[str]:
    """The named partners of the contracts in force on `day` (a leasing company, an
    insurer), each once, in the order of the contracts."""
    found = []
    for contract in sorted(history.contracts, key=lambda c: c.start_date):
        partner = contract.partner.strip()
        if partner and contract.in_force(day) and partner not in found:
            found.append(partner)
    return found


def _partner_entry(rule: Rule, partner: str, language: Language) -> RecipientEntry:
    out = rule.extra["output"]
    return RecipientEntry(
        id=rule.id, label=rule.label(language), recipient=CONTRACT_PARTNER, name=partner, address="", country="",
        category=out["category"], purpose=in_language(out["purpose"], language), marketing=out["marketing"],
        channels=(), rule=rule.key, citation=citation_of(rule),
    )


def _dealer_entry(dealer: DealerVersion, role: ControllerRole) -> ControllerEntry:
    return ControllerEntry(
        role=role, id=dealer.dealer_id, name=dealer.name, legal_name=dealer.legal_name, address=dealer.address,
        enterprise_number=dealer.enterprise_number, basis=None, explanation="", label="", rule="", citation=None,
    )


def objectable_purposes(pack: RulePack) -> frozenset[str]:
    """What a customer may object to (GDPR art. 21): each purpose of the pack resting on
    legitimate interest alone, and direct marketing as a whole."""
    return frozenset({DIRECT_MARKETING, *(
        rule.id for rule in pack.rules
        if rule.extra["output"]["kind"] == "purpose" and rule.extra["output"]["legal_basis"] == LegalBasis.LEGITIMATE_INTEREST
    )})


def importer_entry(pack: RulePack, language: Language) -> ControllerEntry:
    """The importer, as the pack's parameters describe it."""
    importer = pack.parameters["importer"]
    return ControllerEntry(
        role=ControllerRole.IMPORTER, id="importer", name=importer["name"],
        legal_name=importer["legal_name"], address=importer["address"],
        enterprise_number=normalise_enterprise_number(importer["enterprise_number"]),
        basis=None, explanation=_text(importer.get("description", ""), language), label="", rule="",
        citation=None,
    )


def citation_of(rule: Rule) -> Citation:
    return Citation(rule.citation.section, rule.citation.text)


def distributor_entry(dealer, basis: Basis, explanation: str) -> ControllerEntry:
    """The assigned distributor as a controller; the pack's rule adds label and citation."""
    return ControllerEntry(
        role=ControllerRole.DISTRIBUTOR, id=dealer.dealer_id, name=dealer.name,
        legal_name=dealer.legal_name, address=dealer.address,
        enterprise_number=dealer.enterprise_number, basis=basis, explanation=explanation,
        label="", rule="", citation=None,
    )


def _text(value, language: str) -> str:
    """A parameter that is either one text (the same in every language: a postal address) or a
    text per language (checked complete at load), read with the fallbacks of `in_language`."""
    if isinstance(value, dict):
        return in_language(value, language)
    return str(value)
