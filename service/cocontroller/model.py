"""The typed model: every closed vocabulary as a `StrEnum`, every value that crosses a layer
as a frozen dataclass.

The store returns these, the use cases take and return them, the gRPC servicers and the CLI
derive their choices from them. Only the standard library is imported here, so the client
CLI can read the vocabularies without loading the server.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


# -- vocabularies ----------------------------------------------------------------------------


class Language(StrEnum):
    """Belgium's three official languages, and English."""

    NL = "nl"
    FR = "fr"
    DE = "de"
    EN = "en"


# The languages an answer is written in: every text of the rule packs exists in each of them
# (rules/pack.py refuses a pack where one is missing).
LABEL_LANGUAGES = (Language.NL, Language.FR, Language.DE, Language.EN)

# Where a text is missing in a language, the languages read instead, in order. Belgium's own
# languages fall back on each other, never on English: a German speaker in East Belgium reads
# French before Dutch (French is the other language of the province of Liège and of their
# schooling), Dutch and French speakers read each other's official language. English falls
# back on French, then Dutch. The one place this rule is written: see `in_language`.
FALLBACKS: dict[Language, tuple[Language, ...]] = {
    Language.NL: (Language.NL, Language.FR),
    Language.FR: (Language.FR, Language.NL),
    Language.DE: (Language.DE, Language.FR, Language.NL),
    Language.EN: (Language.EN, Language.FR, Language.NL),
}


def in_language(texts: Mapping[str, str], language: str) -> str:
    """The text of `texts` (language code -> text) in `language`, else in the first of its
    FALLBACKS that has one; "" when none has (never English for nl, fr or de)."""
    for candidate in FALLBACKS[Language(language)]:
        text = texts.get(candidate)
        if text:
            return text
    return ""


class CustomerKind(StrEnum):
    PRIVATE = "private"
    PROFESSIONAL = "professional"


class ContactKind(StrEnum):
    """A customer's contacts with the network (policy sections 1 and 2)."""

    PURCHASE = "purchase"
    SERVICE_VISIT = "service_visit"
    TEST_DRIVE_REQUEST = "test_drive_request"
    QUOTE = "quote"
    BROCHURE = "brochure"
    SHOWROOM_VISIT = "showroom_visit"
    COMPLAINT = "complaint"
    OTHER = "other"


class LeadKind(StrEnum):
    """What a lead asks for (the CRM's lead types), each recorded as a contact of its kind."""

    TEST_DRIVE = "test_drive"
    QUOTE = "quote"
    BROCHURE = "brochure"
    APPOINTMENT = "appointment"
    INFORMATION = "information"

    @property
    def contact_kind(self) -> "ContactKind":
        return _LEAD_CONTACTS[self]


_LEAD_CONTACTS = {
    LeadKind.TEST_DRIVE: ContactKind.TEST_DRIVE_REQUEST, LeadKind.QUOTE: ContactKind.QUOTE,
    LeadKind.BROCHURE: ContactKind.BROCHURE, LeadKind.APPOINTMENT: ContactKind.SHOWROOM_VISIT,
    LeadKind.INFORMATION: ContactKind.OTHER,
}


class Channel(StrEnum):
    """The channels marketing consent is given for, one by one (policy section 3)."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"
    SOCIAL = "social"


class ConsentSource(StrEnum):
    """Where a consent was given."""

    WEB_FORM = "web_form"
    SHOWROOM = "showroom"
    CALL_CENTRE = "call_centre"
    APP = "app"


class ContractKind(StrEnum):
    PURCHASE = "purchase"
    LEASE = "lease"
    FINANCING = "financing"
    INSURANCE = "insurance"
    MAINTENANCE = "maintenance"


class Basis(StrEnum):
    """Why a distributor is a customer's joint controller (policy section 1)."""

    PURCHASE = "PURCHASE"
    PREFERRED = "PREFERRED"
    HISTORY = "HISTORY"
    NEAREST = "NEAREST"


class DealerRole(StrEnum):
    SALES = "sales"
    SERVICE = "service"


class FactKind(StrEnum):
    """The kinds of fact recorded about a customer, each listed on its own (GDPR art. 15)."""

    CONTACTS = "contacts"
    PREFERENCES = "preferences"
    CONSENTS = "consents"
    CONTRACTS = "contracts"
    DISPUTES = "disputes"
    OBJECTIONS = "objections"


class RectifiableKind(StrEnum):
    """The kinds of recorded fact a rectification (GDPR art. 16) retracts or corrects."""

    CONTACT = "contact"
    CONSENT = "consent"
    CONTRACT = "contract"
    DISPUTE = "dispute"


class ControllerRole(StrEnum):
    """Who controls a customer's data (policy section 1): the importer and the responsible
    distributor always; a dealer that sold to the customer, or repaired their vehicle, for
    the data it holds of that sale or repair."""

    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"
    SELLER = "seller"
    REPAIRER = "repairer"


class LegalBasis(StrEnum):
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"
    CONTRACT_OR_LEGITIMATE_INTEREST = "contract_or_legitimate_interest"


class Safeguard(StrEnum):
    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard_contractual_clauses"
    PRIVACY_SHIELD = "privacy_shield"
    DATA_PRIVACY_FRAMEWORK = "data_privacy_framework"
    # The UK in the Brexit transition period (to 31 December 2020): EU law applied to it.
    TRANSITION_PERIOD = "transition_period"
    # The UK under the EU-UK Trade and Cooperation Agreement's interim provision (2021, until
    # the adequacy decisions): transfers were not transfers to a third country.
    INTERIM_PROVISION = "interim_provision"


class DataSubject(StrEnum):
    """Whose data a purpose processes (the privacy pack's `is_customer` fact tells them
    apart): the words are also fideslang's default data subject keys."""

    CUSTOMER = "customer"
    PROSPECT = "prospect"


class FidesLegalBasis(StrEnum):
    """GDPR art. 6(1)'s legal bases in fideslang's words (a privacy declaration's
    `legal_basis_for_processing`), so the pack's mapping to them is checked at load."""

    CONSENT = "Consent"
    CONTRACT = "Contract"
    LEGAL_OBLIGATIONS = "Legal obligations"
    VITAL_INTERESTS = "Vital interests"
    PUBLIC_INTEREST = "Public interest"
    LEGITIMATE_INTERESTS = "Legitimate interests"


class FidesTransferBasis(StrEnum):
    """The legal bases of transfers outside the EEA in fideslang's words (a system's
    `legal_basis_for_transfers`)."""

    ADEQUACY_DECISION = "Adequacy Decision"
    SCCS = "SCCs"
    BCRS = "BCRs"
    SUPPLEMENTARY_MEASURES = "Supplementary Measures"
    OTHER = "Other"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    VIOLATION = "violation"


class NetworkChangeKind(StrEnum):
    ADD = "add"
    UPDATE = "update"
    CLOSE = "close"
    REOPEN = "reopen"


class JobStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"


class JobKind(StrEnum):
    """What a job does to the customers it walks."""

    REASSIGN = "reassign"
    RETENTION_SWEEP = "retention"
    # Writes the notices of a scheduled network change ahead of its day, nothing else.
    ANNOUNCE = "announce"


class ScheduleStatus(StrEnum):
    """Where a network change recorded ahead of its day stands: waiting, its customers told
    (notices written a lead time ahead), applied on its day, or taken back before it."""

    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    APPLIED = "applied"
    CANCELLED = "cancelled"


class NoticeKind(StrEnum):
    """A notice written ahead of a scheduled change (from what the change will do, before any
    assignment moves), or when the assignment moved."""

    ANNOUNCEMENT = "announcement"
    CHANGE = "change"


class ErasureReason(StrEnum):
    """Why a customer's data is erased: they asked (GDPR art. 17), or every period the
    privacy pack gives it has run out (policy section 4, the retention sweep)."""

    REQUEST = "request"
    RETENTION = "retention"


class ErasureOutcome(StrEnum):
    """What an erasure left: nothing; the records a legal obligation keeps, restricted until
    their date; or, under a legal hold (an open dispute), everything, restricted."""

    ERASED = "erased"
    RESTRICTED = "restricted"
    HELD = "held"


class Role(StrEnum):
    """Who may call what (api/access.py): read from the client certificate's identity."""

    CRM = "crm"
    CALLCENTRE = "callcentre"
    BATCH = "batch"
    # scoped to one dealer id: it sees only the customers assigned to that dealer
    DEALER = "dealer"
    DPO = "dpo"
    ADMIN = "admin"


# -- pages of a list ------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """At most `size` items after the cursor `after` (empty: from the first). A cursor is the
    position of the last item of the previous page in the list's own order."""

    size: int
    after: str = ""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    # The cursor of the next page; empty when this page is the last.
    next_after: str = ""


# -- geodata ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postcode:
    postcode: str
    lat: float
    lon: float
    point_source: str
    place: str
    municipality_refnis: str
    municipality_nl: str
    municipality_fr: str
    municipality_de: str
    province_refnis: str
    province_nl: str
    province_fr: str
    region_refnis: str
    region_nl: str
    region_fr: str
    language_area: str
    flags: tuple[str, ...]


# -- the dealer network ----------------------------------------------------------------------


@dataclass(frozen=True)
class DealerVersion:
    """A dealer's details from `active_from` to `active_until` (both inclusive)."""

    dealer_id: str
    legal_name: str
    trade_name: str
    enterprise_number: str
    street: str
    postcode: str
    town: str
    lat: float
    lon: float
    languages: tuple[Language, ...]
    roles: tuple[DealerRole, ...]
    active_from: dt.date
    active_until: dt.date | None
    version_id: int = 0

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)

    @property
    def name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.town}"


@dataclass(frozen=True)
class DealerFields:
    """The details a network change gives for a dealer; None leaves a detail as it was."""

    legal_name: str | None = None
    trade_name: str | None = None
    enterprise_number: str | None = None
    street: str | None = None
    postcode: str | None = None
    town: str | None = None
    lat: float | None = None
    lon: float | None = None
    languages: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class DealerOnDay:
    """A dealer as described on a day, and whether it is active then."""

    version: DealerVersion
    active: bool


@dataclass(frozen=True)
class Correction:
    """Why a change takes effect before the day it is recorded: what was known of earlier
    days changes, so the change says why. Beyond the service's backdating window the caller
    also confirms it (`confirmed`): a typo in a date must not rewrite months of answers."""

    reason: str
    confirmed: bool = False


@dataclass(frozen=True)
class StoredPack:
    """A rule-pack version as the database keeps it: its main file's name and the text of
    every file (the main one and the parts it includes), by name."""

    name: str
    version: str
    main: str
    files: dict[str, str]


@dataclass(frozen=True)
class NetworkChange:
    """A recorded change to the network and the dealer as it stands after it; `correction`
    is set when the change is backdated."""

    id: int
    kind: NetworkChangeKind
    dealer: DealerVersion
    correction: Correction | None = None
    # Set for a change effective after the day it was recorded: its notices and its job.
    scheduled: ScheduledChange | None = None


@dataclass(frozen=True)
class LoggedChange:
    """A change as the log keeps it: `recorded_at` is when the service learned it (the
    network as known before that instant stays as it was), `cancelled_at` when a scheduled
    change was taken back before its effective day."""

    id: int
    kind: NetworkChangeKind
    dealer_id: str
    effective: dt.date
    recorded_at: dt.datetime
    caller: str
    correction: Correction | None = None
    cancelled_at: dt.datetime | None = None


@dataclass(frozen=True)
class CancelledChange:
    """A change taken back, with how many of its notices were withdrawn before being sent."""

    change: LoggedChange
    withdrawn_notices: int


# -- customers and their facts ---------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    id: str
    postcode: str
    lat: float | None
    lon: float | None
    language: Language
    kind: CustomerKind
    enterprise_number: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # The caller accepted coordinates farther from the postcode than the tolerance (an
    # address the postcode table places elsewhere, a farm far from its village's centre).
    point_outside_postcode: bool = False

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None

    @property
    def etag(self) -> str:
        """The version of the record as stored (AIP-154): any write changes it, so an update
        made from a stale read can be refused."""
        text = "|".join(str(v) for v in (self.id, self.postcode, self.lat, self.lon, self.language, self.kind,
                                         self.enterprise_number, self.updated_at.isoformat(),
                                         self.point_outside_postcode))
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class CustomerChange:
    """The values an update gives a customer's fields; empty ("", None) is unset: left as
    it is unless the update's mask names the field, then cleared."""

    postcode: str = ""
    point: tuple[float, float] | None = None
    language: str = ""
    kind: str = ""
    enterprise_number: str = ""


class CustomerField(StrEnum):
    """The fields of a customer's record an update may name (its field mask, AIP-134)."""

    POSTCODE = "postcode"
    POINT = "point"
    LANGUAGE = "language"
    KIND = "kind"
    ENTERPRISE_NUMBER = "enterprise_number"


@dataclass(frozen=True)
class Contact:
    event_id: str
    customer_id: str
    # None: a lead for the brand, through no dealer.
    dealer_id: str | None
    kind: ContactKind
    occurred_at: dt.datetime


@dataclass(frozen=True)
class Preference:
    id: int
    customer_id: str
    dealer_id: str
    designated_at: dt.datetime
    revoked_at: dt.datetime | None = None

    def in_force(self, at: dt.datetime) -> bool:
        return self.designated_at <= at and (self.revoked_at is None or self.revoked_at > at)


@dataclass(frozen=True)
class ConsentProof:
    """What shows a consent was given (GDPR art. 7(1)): the wording or its version agreed to,
    where it was given, and the reference of the evidence (a form's submission, a signed
    sheet's scan, a call's recording)."""

    wording: str
    source: ConsentSource
    reference: str


@dataclass(frozen=True)
class Consent:
    id: int
    customer_id: str
    channel: Channel
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    # None for a consent recorded before the service kept proofs.
    proof: ConsentProof | None = None

    def in_force(self, at: dt.datetime) -> bool:
        return self.given_at <= at and (self.withdrawn_at is None or self.withdrawn_at > at)


# Section 2: insurance "via Car Security, Leuvensesteenweg 369, 1932 Zaventem".
CAR_SECURITY = "Car Security SA"


@dataclass(frozen=True)
class Contract:
    id: str
    customer_id: str
    kind: ContractKind
    partner: str
    dealer_id: str | None
    start_date: dt.date
    end_date: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def through_car_security(self) -> bool:
        return self.kind == ContractKind.INSURANCE and "car security" in self.partner.lower()


@dataclass(frozen=True)
class Dispute:
    id: int
    customer_id: str
    subject: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None

    def open_at(self, at: dt.datetime) -> bool:
        return self.opened_at <= at and (self.closed_at is None or self.closed_at > at)


@dataclass(frozen=True)
class Retraction:
    """When the service took a fact back (recorded time) and why (GDPR art. 16). The fact
    stays held: answers as known before `at` still rest on it, none given since does."""

    at: dt.datetime
    reason: str


F = TypeVar("F", Contact, Consent, Contract, Dispute)


@dataclass(frozen=True)
class Held(Generic[F]):
    """A fact as the store holds it, standing or retracted: what the export shows (GDPR
    art. 15). `corrects` is the id of the fact this one was recorded to correct."""

    fact: F
    retraction: Retraction | None = None
    corrects: str | int | None = None


@dataclass(frozen=True)
class Rectification:
    """What a rectification did: the fact taken back (a contract: the version replaced) and
    the fact recorded in its place, None for a retraction. `changed` is False when the call
    repeated an earlier one and recorded nothing."""

    retracted: Held
    correction: Held | None
    changed: bool


# The fields of a fact as a correction gives them, unchecked: the use case merges them into
# the fact as recorded and checks the result as it checks a recording.


@dataclass(frozen=True)
class ContactFields:
    # Empty: derived from the content, as for a recording.
    event_id: str = ""
    dealer_id: str = ""
    kind: str = ""
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class LeadContact:
    """A contact a lead brings: `kind` a LeadKind's value; no dealer for a lead to the brand."""

    kind: str
    occurred_at: dt.datetime | None
    dealer_id: str = ""
    # Empty: derived from the content, so a resend records it once.
    event_id: str = ""


@dataclass(frozen=True)
class Lead:
    """What a lead made: the customer (and whether it was new), its contacts as recorded,
    and the dealer responsible with why."""

    customer: Customer
    customer_created: bool
    contacts: tuple[Contact, ...]
    responsible: Responsible


@dataclass(frozen=True)
class ConsentFields:
    channel: str = ""
    given_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    proof: ConsentProof | None = None


@dataclass(frozen=True)
class ContractFields:
    kind: str = ""
    partner: str = ""
    dealer_id: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class DisputeFields:
    subject: str = ""
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


@dataclass(frozen=True)
class FactCorrection:
    """A correction: the fields named in `replaced` take the values of `fields`; the others
    keep the fact's recorded values (AIP-134's update mask)."""

    fields: ContactFields | ConsentFields | ContractFields | DisputeFields
    replaced: frozenset[str]


@dataclass(frozen=True)
class Snapshot:
    """What a decision for one customer reads, in one consistent read."""

    customer: Customer
    contacts: tuple[Contact, ...]
    preference: Preference | None
    current: "AssignmentRef | None"


@dataclass(frozen=True)
class CustomerRecord:
    """A customer, what is on record about them, and the assignment version in force at the
    moment asked: what a resolution reads, in one statement."""

    customer: Customer
    history: "CustomerHistory"
    assignment: AssignmentRef | None
    restriction: "Restriction | None" = None


@dataclass(frozen=True)
class ArrangementParty:
    """A joint controller as the arrangement shows it to the data subject (Art. 26(2)): the
    importer by name and address; a dealer by its part, being named per customer."""

    role: ControllerRole
    label: str
    name: str = ""
    legal_name: str = ""
    address: str = ""
    enterprise_number: str = ""


@dataclass(frozen=True)
class ArrangementPurpose:
    label: str
    article: str


@dataclass(frozen=True)
class ArrangementShare:
    """Who does what for one group of purposes: the pack's allocation text, the purposes in
    force and the controllers they name."""

    group: str
    allocation: str
    purposes: tuple[ArrangementPurpose, ...]
    controllers: tuple[ControllerRole, ...]


@dataclass(frozen=True)
class Arrangement:
    """The essence of the joint-controller arrangement for the data subject (GDPR Art.
    26(2)), from the privacy pack in force on `as_of`."""

    pack: str
    language: Language
    as_of: dt.date
    parties: tuple[ArrangementParty, ...]
    shares: tuple[ArrangementShare, ...]


@dataclass(frozen=True)
class RecordRead:
    """A customer's record as read, before it is parsed: `fingerprint` holds every value
    read (equal fingerprints, equal records), so a caller that has already answered for a
    fingerprint can skip parsing it."""

    fingerprint: tuple
    parse: Callable[[], CustomerRecord]


# What an objection to direct marketing names instead of one purpose (GDPR art. 21(2)).
DIRECT_MARKETING = "direct_marketing"


@dataclass(frozen=True)
class Objection:
    """A customer's objection (GDPR art. 21), from `objected_at`: to one purpose resting on
    legitimate interest (its rule id), or to direct marketing (DIRECT_MARKETING), which is
    absolute."""

    id: int
    customer_id: str
    purpose: str
    objected_at: dt.datetime


@dataclass(frozen=True)
class CustomerHistory:
    """What is on record for a customer, to be read as of a moment by the resolver."""

    professional: bool
    contacts: tuple[Contact, ...]
    contracts: tuple[Contract, ...]
    consents: tuple[Consent, ...]
    disputes: tuple[Dispute, ...]
    objections: tuple[Objection, ...] = ()


# -- assignment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    dealer: DealerVersion
    basis: Basis
    distance_km: float
    score: float = 0.0


@dataclass(frozen=True)
class Skipped:
    dealer_id: str
    basis: Basis
    reason: str


@dataclass(frozen=True)
class RunnerUp:
    dealer_id: str
    basis: Basis
    distance_km: float
    score: float
    dealer_name: str = ""


@dataclass(frozen=True)
class Decision:
    """What the assignment rules decided for one moment. The explanation is written when
    first read: a batch job reads it only for the customers who change dealer."""

    dealer: DealerVersion
    basis: Basis
    rule_id: str
    explain: Callable[[], str] = field(compare=False, repr=False)
    distance_km: float
    point: tuple[float, float]
    point_source: str
    rules_version: str
    decision_date: dt.date
    runners_up: tuple[Candidate, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())

    @functools.cached_property
    def explanation(self) -> str:
        return self.explain()


@dataclass(frozen=True)
class AssignmentRef:
    """An assignment version, as much as a decision compares against; `valid_to` is None for
    the one in force."""

    id: int
    dealer_id: str
    basis: Basis
    valid_to: dt.datetime | None = None


@dataclass(frozen=True)
class AssignmentRecord:
    """A stored assignment version: a decision, from when to when, and why it was stored."""

    id: int
    customer_id: str
    dealer_id: str
    basis: Basis
    rule_id: str
    explanation: str
    distance_km: float
    point: tuple[float, float]
    point_source: str
    runners_up: tuple[RunnerUp, ...]
    skipped: tuple[Skipped, ...]
    rules_version: str
    decision_date: dt.date
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    trigger: str
    decided_at: dt.datetime
    previous_dealer_id: str | None = None
    previous_basis: Basis | None = None


@dataclass(frozen=True)
class Responsible:
    """The dealer responsible for a customer or a place on a day, as the API shows it: a
    stored assignment or one computed for the question."""

    customer_id: str
    dealer: DealerVersion
    dealer_active: bool
    basis: Basis
    rule_id: str
    explanation: str
    distance_km: float
    point: tuple[float, float]
    point_source: str
    rules_version: str
    decision_date: dt.date
    runners_up: tuple[RunnerUp, ...]
    skipped: tuple[Skipped, ...]
    stored: bool
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    id: int = 0


@dataclass(frozen=True)
class Notice:
    """A letter owed to a customer whose controller changes: from the customer's record its
    language, from the assignment version it announces (or, ahead of a scheduled change, the
    decision previewed for its day) when it takes effect and why (its explanation), and the
    letter itself once written (`letter`). An announcement is linked to the version once the
    change is applied; one the change no longer bears out, or whose change was taken back,
    is cancelled unless already sent."""

    id: int
    customer_id: str
    assignment_id: int | None
    old_dealer_id: str
    new_dealer_id: str
    trigger: str
    created_at: dt.datetime
    exported_at: dt.datetime | None = None
    language: Language | None = None
    effective_at: dt.datetime | None = None
    explanation: str = ""
    letter: "Letter | None" = None
    kind: NoticeKind = NoticeKind.CHANGE
    cancelled_at: dt.datetime | None = None


@dataclass(frozen=True)
class Party:
    """A controller as a letter names it."""

    name: str
    legal_name: str
    address: str
    enterprise_number: str


@dataclass(frozen=True)
class Letter:
    """The notice a customer receives when their controller changes (GDPR art. 13/14, 26(2)):
    in their language, naming the old and the new controller, why and from when, with the
    text the privacy pack's template makes of it."""

    language: Language
    old: Party | None
    new: Party
    reason: str
    effective_date: dt.date
    text: str


# -- batch jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """All customers when both are empty; else those in the postcodes, or whose assignment in
    force names one of the dealers."""

    postcodes: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.postcodes:
            parts.append("postcodes " + ", ".join(sorted(self.postcodes)))
        if self.dealer_ids:
            parts.append("customers of " + ", ".join(sorted(self.dealer_ids)))
        return " or ".join(parts) or "all customers"


@dataclass(frozen=True)
class Job:
    id: str
    scope: Scope
    decision_at: dt.datetime
    status: JobStatus
    processed: int
    changed: int
    caller: str
    started_at: dt.datetime | None = None


@dataclass(frozen=True)
class JobBatch:
    """A batch of a job's walk claimed by one process (`claim`): its customers, in id
    order, and their place in the walk, the first being number `ordinal`. `taken_from`: the
    claim of a process that died or let it expire, when it had the batch before."""

    job_id: str
    seq: int
    ids: tuple[str, ...]
    ordinal: int
    claim: str
    taken_from: str = ""


@dataclass(frozen=True)
class ScheduledChange:
    """The job a network change recorded ahead of its day owes: the customers it may move
    (`scope`) are told from `notice_on` (the lead time before the day) by job
    `announce_job_id`, and re-assigned as of the start of `effective` by job `job_id`, each
    run once by the server's scheduler."""

    change_id: int
    kind: NetworkChangeKind
    dealer_id: str
    effective: dt.date
    notice_on: dt.date
    scope: Scope
    status: ScheduleStatus
    job_id: str
    announce_job_id: str
    created_at: dt.datetime
    announced_at: dt.datetime | None = None
    applied_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None


@dataclass(frozen=True)
class Change:
    """One customer's difference found by a re-assignment job."""

    customer_id: str
    old_dealer_id: str | None
    new_dealer_id: str
    old_basis: Basis | None
    new_basis: Basis
    reason: str


@dataclass(frozen=True)
class PairCount:
    old_dealer_id: str | None
    new_dealer_id: str
    customers: int


@dataclass(frozen=True)
class JobProgress:
    """A job's progress after a batch. `processed_before` counts what earlier runs of a
    resumed job had done, so a rate is taken over this run's part alone."""

    job_id: str
    dry_run: bool
    total: int
    processed: int
    changed: int
    elapsed_s: float
    finished: bool
    resumed: bool
    processed_before: int = 0
    changes: tuple[Change, ...] = ()
    summary: tuple[PairCount, ...] = ()

    @property
    def rate(self) -> float:
        done = self.processed - self.processed_before
        return done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float:
        return (self.total - self.processed) / self.rate if self.rate > 0 else 0.0


# -- controller resolution -------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    section: str
    text: str


@dataclass(frozen=True)
class ControllerEntry:
    role: ControllerRole
    id: str
    name: str
    legal_name: str
    address: str
    enterprise_number: str
    basis: Basis | None
    explanation: str
    label: str
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class PurposeEntry:
    id: str
    label: str
    group: str
    legal_basis: LegalBasis
    article: str
    controllers: tuple[ControllerRole, ...]
    why: str
    channel: Channel | None
    rule: str
    citation: Citation | None
    # GDPR Art. 26: how the joint controllers share their responsibilities for the purpose.
    allocation: str = ""


@dataclass(frozen=True)
class RecipientEntry:
    id: str
    label: str
    recipient: str
    name: str
    address: str
    country: str
    category: str
    purpose: str
    marketing: bool
    channels: tuple[Channel, ...]
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class TransferEntry:
    id: str
    label: str
    country: str
    safeguard: Safeguard
    article: str
    applies_to: str
    recipients: tuple[str, ...]
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class RetentionDate:
    """A fired retention rule's method and date, without the texts an answer shows: what
    erasure and the sweep decide by."""

    id: str
    method: str
    erase_after: dt.date | None


@dataclass(frozen=True)
class RetentionEntry:
    id: str
    label: str
    category: str
    method: str
    anchor: str | None
    anchor_date: dt.date | None
    erase_after: dt.date | None
    legal_hold: bool
    due: bool
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class PolicyNotice:
    id: str
    label: str
    refers_to: str
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    severity: Severity
    code: str
    rule: str
    citation: Citation | None


@dataclass(frozen=True)
class Resolution:
    customer_id: str
    as_of: dt.date
    language: Language
    rules_version: str
    fired_rules: tuple[str, ...]
    facts: dict[str, bool | int | float]
    controllers: tuple[ControllerEntry, ...] = ()
    purposes: tuple[PurposeEntry, ...] = ()
    recipients: tuple[RecipientEntry, ...] = ()
    transfers: tuple[TransferEntry, ...] = ()
    retention: tuple[RetentionEntry, ...] = ()
    notices: tuple[PolicyNotice, ...] = ()
    findings: tuple[Finding, ...] = ()
    earliest_erase_date: dt.date | None = None


# -- the record of processing (GDPR art. 30) ------------------------------------------------


@dataclass(frozen=True)
class DataCategory:
    """A category of personal data the policy lists (section 2), with the fideslang data
    categories it maps to."""

    id: str
    label: str
    fides_categories: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class RopaPurpose:
    """A purpose as the record lists it: every controller the rule names, whoever the
    customer, and the data categories, data subjects and fideslang words it comes with."""

    id: str
    label: str
    group: str
    legal_basis: LegalBasis
    article: str
    fides_legal_bases: tuple[FidesLegalBasis, ...]
    controllers: tuple[ControllerRole, ...]
    data_subjects: tuple[DataSubject, ...]
    data_categories: tuple[str, ...]
    fides_data_use: str
    channel: Channel | None
    allocation: str
    rule: str
    citation: Citation


@dataclass(frozen=True)
class RopaTransfer:
    """A transfer outside the EEA in force on the day; `recipients`: keys of the recipients
    listed beside it; `records_from`/`records_until`: the transfer contracts it governs by
    their own date, when it is picked so."""

    id: str
    label: str
    country: str
    safeguard: Safeguard
    fides_transfer_basis: FidesTransferBasis
    article: str
    applies_to: str
    recipients: tuple[str, ...]
    records_from: dt.date | None
    records_until: dt.date | None
    rule: str
    citation: Citation


@dataclass(frozen=True)
class RopaRetention:
    """A retention criterion: its method and arguments, not a customer's dates."""

    id: str
    label: str
    category: str
    method: str
    anchor: str | None
    months: int | None
    years: int | None
    records_from: dt.date | None
    records_until: dt.date | None
    rule: str
    citation: Citation


@dataclass(frozen=True)
class Ropa:
    """The record of processing activities (GDPR art. 30(1)) the privacy pack states on
    `as_of`: the controllers (a dealer by its part), the purposes, the data categories they
    use, the recipients, the transfers and the retention criteria, each with its citation."""

    pack: str
    language: Language
    as_of: dt.date
    controllers: tuple[ControllerEntry, ...]
    purposes: tuple[RopaPurpose, ...]
    data_categories: tuple[DataCategory, ...]
    recipients: tuple[RecipientEntry, ...]
    transfers: tuple[RopaTransfer, ...]
    retention: tuple[RopaRetention, ...]


@dataclass(frozen=True)
class FidesDeclaration:
    """A fideslang PrivacyDeclaration: one purpose under one legal basis (field names are
    fideslang's)."""

    name: str
    data_use: str
    data_categories: tuple[str, ...]
    data_subjects: tuple[DataSubject, ...]
    legal_basis_for_processing: FidesLegalBasis
    # The basis is the policy's, not one a notice may change.
    flexible_legal_basis_for_processing: bool = False


@dataclass(frozen=True)
class FidesDataFlow:
    """A fideslang DataFlow: a recipient the system sends data to."""

    fides_key: str
    type: str = "system"


@dataclass(frozen=True)
class FidesMeta:
    """Where a manifest comes from, in the system's free `meta`."""

    pack: str
    as_of: dt.date
    language: Language
    third_countries: tuple[str, ...]


@dataclass(frozen=True)
class FidesSystem:
    """The record as a fideslang System (field names are fideslang's)."""

    fides_key: str
    name: str
    description: str
    system_type: str
    legal_name: str
    legal_address: str
    responsibility: tuple[str, ...]
    joint_controller_info: str
    privacy_declarations: tuple[FidesDeclaration, ...]
    egress: tuple[FidesDataFlow, ...]
    does_international_transfers: bool
    legal_basis_for_transfers: tuple[FidesTransferBasis, ...]
    meta: FidesMeta


# -- rule packs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    path: str
    rules: int


@dataclass(frozen=True)
class CaseResult:
    pack: str
    name: str
    passed: bool
    expected: object
    got: object
    cites: str


@dataclass(frozen=True)
class InitResult:
    """A tenant's database that init created, with its dealers."""

    tenant: str
    db: str
    dealers: int
    demo: bool


@dataclass(frozen=True)
class InitReport:
    """What init made: the tenants' new databases (none with --certs-only) and the
    development certificate files (none when they all existed)."""

    databases: tuple[InitResult, ...]
    certs: tuple[str, ...]


# -- tenants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    """A brand in a country (Lexus BE, Toyota BE), served in isolation: its own database, rule
    packs and dealer network. `db`, `rules_dir` and `demo_dealers` are resolved (tenants.py)."""

    id: str
    brand: str
    country: str
    name: str
    db: str
    rules_dir: str
    demo_dealers: str


# -- callers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: `name` as its certificate states it (a SPIFFE URI or the
    subject CN), the role that name maps to, and for the dealer role its dealer id."""

    name: str
    role: Role
    dealer_id: str = ""
    # The tenant the identity is confined to; "" for a deployment-wide identity.
    tenant: str = ""


@dataclass(frozen=True)
class CustomerVersion:
    """A customer's details as they stood until a later upsert replaced them."""

    customer: Customer
    superseded_at: dt.datetime


@dataclass(frozen=True)
class ContractVersion:
    """A contract as recorded at `recorded_at`, until a later record replaced it; the
    reason when a correction (GDPR art. 16) replaced it."""

    contract: Contract
    recorded_at: dt.datetime
    superseded_at: dt.datetime
    correction_reason: str = ""


@dataclass(frozen=True)
class CustomerExport:
    """Everything held about a customer (GDPR art. 15 and 20), read from one snapshot of
    the store: the record and its earlier versions, each kind of fact (contracts with their
    earlier versions), the assignment versions and the notices owed them, and what the
    policy says of their data today. Retracted facts are there too, with their retraction
    (GDPR art. 16): the export lists every row held."""

    customer: Customer
    earlier_versions: tuple[CustomerVersion, ...]
    contacts: tuple[Held[Contact], ...]
    preferences: tuple[Preference, ...]
    consents: tuple[Held[Consent], ...]
    contracts: tuple[Held[Contract], ...]
    earlier_contract_versions: tuple[ContractVersion, ...]
    disputes: tuple[Held[Dispute], ...]
    objections: tuple[Objection, ...]
    assignments: tuple[Responsible, ...]
    notices: tuple[Notice, ...]
    resolution: Resolution
    exported_at: dt.datetime
    # Set while what remains serves only its legal purposes (GDPR art. 18).
    restriction: Restriction | None = None


# -- erasure and restriction -------------------------------------------------------------------


@dataclass(frozen=True)
class ErasurePolicy:
    """What the privacy pack says erasure does (parameters.erasure): which retention rules
    the law sets (their records stay, restricted, until their date), which stored records
    those are ("contracts" and contact kinds), what is anonymised rather than erased, whose
    kept data the suppression record is, and what a restricted record still serves."""

    legal_retention: frozenset[str]
    legal_records: frozenset[str]
    anonymise: frozenset[str]
    suppression: frozenset[str]
    restricted_purposes: frozenset[str]
    restricted_recipients: frozenset[str]


@dataclass(frozen=True)
class ErasurePlan:
    outcome: ErasureOutcome
    # The day the restricted records are erased in turn (RESTRICTED only).
    erase_on: dt.date | None = None
    # The subject's refusals are kept as a suppression record (an erasure request, or a
    # retention rule the pack keeps that way).
    suppress: bool = False


@dataclass(frozen=True)
class Restriction:
    """A customer whose remaining records serve only their legal purposes (GDPR art. 18(2)),
    from `since`, until `erase_on` (None under a legal hold)."""

    customer_id: str
    since: dt.datetime
    reason: ErasureReason
    request_id: str
    erase_on: dt.date | None
    legal_hold: bool


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


@dataclass(frozen=True)
class Erasure:
    """That an erasure happened, as the audit keeps it: the request (or sweep job) id, the
    subject only as a keyed hash, the rows erased and kept per table, never their content.
    `scrubbed`: the database file and its write-ahead log no longer hold the erased bytes
    (False when readers kept the log from being emptied; the next erasure or sweep does)."""

    request_id: str
    reason: ErasureReason
    requested_at: dt.datetime
    outcome: ErasureOutcome
    erased: tuple[TableCount, ...]
    kept: tuple[TableCount, ...]
    erase_on: dt.date | None
    caller: str
    scrubbed: bool = False


@dataclass(frozen=True)
class SweepItem:
    """One customer a retention sweep acts on, and how; the customer's id is shown by a dry
    run only, since after the act there is nothing left to name."""

    customer_id: str
    outcome: ErasureOutcome
    erase_on: dt.date | None


@dataclass(frozen=True)
class SweepProgress:
    """A retention sweep's progress after a batch: counts from the store's job row, so they
    are right after a resume; `items` are this batch's (a dry run's, with their ids)."""

    job_id: str
    dry_run: bool
    total: int
    processed: int
    acted: int
    elapsed_s: float
    finished: bool
    resumed: bool
    processed_before: int = 0
    items: tuple[SweepItem, ...] = ()
    outcomes: tuple[tuple[ErasureOutcome, int], ...] = ()
