"""The acceptance table of controller resolution, in the domain (no gRPC).

Each situation records a customer's history through the use cases with explicit past
timestamps and states, by hand, what the policy ("Beleid inzake de verwerking van uw
persoonsgegevens", Lexus Belgium v1.0 of 13/04/2020) and the privacy rule pack (2026.12.6.5)
say about the customer on one day: purposes (some with their legal bases and controllers),
recipients (marketing ones with their channels, contract partners by name), transfers outside
the EEA, retention dates, notices, findings, the distributor and the other dealers that
control the data they hold. Every expected date is computed by hand in the comment beside it.
Properties that must hold for every situation follow the table.

Reading the pack (rules/privacy/*.yaml) and the resolver (domain/resolution.py), the building
blocks of the expected sets are:
- always (from 2020-04-13): the importer, the three legal-obligation purposes, the six
  section-5 recipients, notice.general-privacy-statement and the transfers of the day (T_*
  below: Japan always; the UK's transition, bridge, adequacy v1 and v2; the US clauses of 2010
  and of 2021 by the contracts concluded under each, the Privacy Shield, the DPF);
- an assigned distributor or any contact or started contract: purpose.data-management.central;
- "the relationship is recent": any contact or started contract and fewer than 36 whole
  months since the last interaction anchor (the later of the last contact, contract start or
  consent given/withdrawn and the end of the contractual relationship: each contract's end, a
  purchase's day + 24 months; 0 months while a contract has no end or the end is ahead): the
  five quality purposes (evaluation, research, satisfaction surveys, anonymised use, fraud),
  which for a test-drive-only prospect also end with the test drive's 6 months;
- a purchase, a service visit or a started lease ("a vehicle"): locating and recalls, and
  products-services while the relationship is recent; a purchase: contract.sale while recent;
- a purchase, a service visit or any started contract ("a customer"): the accounting purpose,
  retention.last-interaction (v2, 36 months after the anchor above, none while a contract is
  open-ended), retention.accounting (7 years) and retention.tax (v1: 7 years for documents
  dated before 2023-01-01; v2: 10 years for those from that day; each by its own regime's
  last document), both from 1 January after the year of the last document (sales, service
  invoices, contract starts); a prospect (none of these) who is not test-drive-only and has
  a contact or a consent on record: retention.prospect (36 months after the same anchor); a
  test-drive request: retention.test-drive (6 months after the last one), alone for a
  test-drive-only prospect;
- a started contract or a purchase: retention.contract-end (v2: the relationship's end, none
  while a contract is open-ended); a contract in force: fraud-disputes, transfer-of-claims;
- a lease in force: the three leasing purposes; a lease or financing in force: the partners
  recipient and notice.lease-partner; insurance through Car Security in force: the partners
  recipient and notice.insurance-car-security; any contract in force naming a partner:
  recipient.contract-partner, one entry per partner, named as on the contract;
- consent in force per channel: purpose.marketing.<channel>; any consent: profile,
  personalisation, the three marketing recipients (with the channels) and retention.consent
  (kept, no date); e-mail consent: email-tracking; a consent withdrawn and not given again:
  retention.consent-withdrawn (the last withdrawal) and retention.suppression (kept);
- an open dispute: fraud-disputes, retention.legal-hold, notice.dispute, every retention item
  on legal hold and no earliest erase date;
- a dealer other than the distributor that sold (purchase, sale/lease/financing contract) or
  repaired (service visit, maintenance contract): a controller entry as seller or repairer,
  named among the controllers of the purposes that list that role, and
  resolver.controller-inactive when that dealer is closed on the day;
- resolver.erasure-overdue: every retention entry that is not merely kept has a date on or
  before the day, no dispute is open and no consent is in force.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import yaml

from cocontroller import clock
from cocontroller.bootstrap import App
from cocontroller.model import Correction
from support import PROOF, make_app

BXL = ZoneInfo("Europe/Brussels")
CHANNELS = ("email", "sms", "phone", "post", "social")
IMPORTER_NUMBER = "BE 0403.425.770"
PACK_VERSION = "privacy@2026.12.6.5"
POLICY = "/work/shared/seed/000_4ca27e624e740367.txt"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def t(text: str) -> dt.datetime:
    """'YYYY-MM-DD' (10:00) or 'YYYY-MM-DD HH:MM', Brussels time."""
    if len(text) == 10:
        text += " 10:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=BXL)


# --- events, recorded in the order given -------------------------------------------------


def contact(kind, when, dealer="dlr-gent"):
    return ("contact", kind, dealer, when)


def give(channel, when):
    return ("give", channel, when)


def withdraw(channel, when):
    return ("withdraw", channel, when)


def contract(kind, start, end=None, partner="", dealer="dlr-gent"):
    return ("contract", kind, partner, dealer, start, end)


def dispute(opened, closed=None):
    return ("dispute", opened, closed)


def prefer(dealer, when):
    return ("prefer", dealer, when)


# --- the building blocks of the expected sets (read from the pack's rules) ---------------

LEGAL = {"purpose.legal.court-orders", "purpose.legal.authority-requests", "purpose.legal.tax"}
CENTRAL = {"purpose.data-management.central"}
QUALITY = {
    "purpose.quality.evaluation", "purpose.quality.research",
    "purpose.quality.satisfaction-surveys", "purpose.quality.anonymised-use",
    "purpose.quality.fraud",
}
INTERACTION = QUALITY | CENTRAL            # a recent relationship (fewer than 36 months)
VEHICLE_OLD = {"purpose.contract.locating", "purpose.quality.recalls"}
VEHICLE = VEHICLE_OLD | {"purpose.contract.products-services"}  # products-services: recent only
SALE = {"purpose.contract.sale"}           # a purchase, recent relationship
ACCOUNTING = {"purpose.contract.accounting"}
IN_FORCE = {"purpose.contract.fraud-disputes", "purpose.contract.transfer-of-claims"}
LEASING = {"purpose.leasing.contract-information", "purpose.leasing.follow-up", "purpose.leasing.customer-indication"}
CONSENT_PURPOSES = {"purpose.marketing.profile", "purpose.marketing.personalisation"}


def marketing(*channels):
    """The marketing purposes of the channels in force: one per channel, profiling and
    personalisation with any consent, e-mail tracking with the e-mail consent."""
    found = {f"purpose.marketing.{c}" for c in channels}
    if channels:
        found |= CONSENT_PURPOSES
    if "email" in channels:
        found.add("purpose.marketing.email-tracking")
    return found


BASE_RECIPIENTS = {
    "recipient.subcontractors", "recipient.toyota-motor-europe", "recipient.inchcape",
    "recipient.car-security", "recipient.autoproduct", "recipient.related-companies",
}
PARTNERS = {"recipient.partners"}
CONTRACT_PARTNER = {"recipient.contract-partner"}
MARKETING_RECIPIENTS = {
    "recipient.marketing.car-security", "recipient.marketing.autoproduct",
    "recipient.marketing.toyota-motor-europe",
}

# Transfers, by rule version (transfers.yaml; the register of transfer contracts in
# privacy.yaml: the subcontractors' contracts concluded 2018-05-25 and 2022-10-03).
US_SCC_2010 = "transfer.us.clauses@v1"     # in force 2020-04-13..2022-12-27, contracts before 2021-09-27
US_SCC_2021 = "transfer.us.clauses@v2"     # in force from 2021-06-27, contracts from 2021-09-27
US_PS = "transfer.us.privacy-shield@v1"    # 2020-04-13..2020-07-15
US_DPF = "transfer.us.dpf@v1"              # from 2023-07-10
UK_TRANSITION = "transfer.uk.transition@v1"  # 2020-04-13..2020-12-31
UK_BRIDGE = "transfer.uk.bridge@v1"        # 2021-01-01..2021-06-27
UK_ADEQ = "transfer.uk.adequacy@v1"        # 2021-06-28..2025-12-27
UK_ADEQ_RENEWED = "transfer.uk.adequacy@v2"  # 2025-12-28..2031-12-27
JP = "transfer.jp.adequacy@v1"             # from 2020-04-13
T_2020 = {US_SCC_2010, US_PS, UK_TRANSITION, JP}          # 2020-04-13 .. 2020-07-15
T_SCHREMS = {US_SCC_2010, UK_TRANSITION, JP}              # 2020-07-16 .. 2020-12-31
T_BRIDGE = {US_SCC_2010, UK_BRIDGE, JP}                   # 2021-01-01 .. 2021-06-27
T_UK = {US_SCC_2010, UK_ADEQ, JP}                         # 2021-06-28 .. 2022-10-02
T_SCC_BOTH = {US_SCC_2010, US_SCC_2021, UK_ADEQ, JP}      # 2022-10-03 .. 2022-12-27
T_SCC_2021 = {US_SCC_2021, UK_ADEQ, JP}                   # 2022-12-28 .. 2023-07-09
T_DPF = {US_SCC_2021, US_DPF, UK_ADEQ, JP}                # 2023-07-10 .. 2025-12-27
T_RENEWED = {US_SCC_2021, US_DPF, UK_ADEQ_RENEWED, JP}    # 2025-12-28 .. 2031-12-27
T_LAPSED = {US_SCC_2021, US_DPF, JP}                      # from 2031-12-28
PERIODS = [  # (first day, last day, the transfers of those days)
    (d("2020-04-13"), d("2020-07-15"), T_2020), (d("2020-07-16"), d("2020-12-31"), T_SCHREMS),
    (d("2021-01-01"), d("2021-06-27"), T_BRIDGE), (d("2021-06-28"), d("2022-10-02"), T_UK),
    (d("2022-10-03"), d("2022-12-27"), T_SCC_BOTH), (d("2022-12-28"), d("2023-07-09"), T_SCC_2021),
    (d("2023-07-10"), d("2025-12-27"), T_DPF), (d("2025-12-28"), d("2031-12-27"), T_RENEWED),
    (d("2031-12-28"), d("2999-12-31"), T_LAPSED),
]


def transfers_on(day: dt.date) -> set:
    for first, last, transfers in PERIODS:
        if first <= day <= last:
            return transfers
    return set()


GENERAL = {"notice.general-privacy-statement"}  # always, from 2020-04-13
PS_FINDING = {"finding.privacy-shield"}   # from 2020-07-16
OVERDUE = {"resolver.erasure-overdue"}
CONTROLLER_INACTIVE = {"resolver.controller-inactive"}
# Findings that come with a purpose whose reading in the policy is doubtful (notices.yaml):
# accounting rests on a legal obligation, not the contract; locating after an emergency call
# is the eCall of Regulation (EU) 2015/758, sent to the emergency services.
PURPOSE_FINDINGS = {"purpose.contract.accounting": "finding.accounting-legal-basis",
                    "purpose.contract.locating": "finding.locating-ecall"}
RESOLVER_FINDINGS = {"resolver.no-distributor", "resolver.distributor-inactive",
                     "resolver.controller-inactive", "resolver.erasure-overdue"}


def expected_findings(s) -> set:
    """The situation's own findings and those its purposes bring."""
    return set(s.findings) | {f for p, f in PURPOSE_FINDINGS.items() if p in s.purposes}


BASES = {
    "questions": ("contract_or_legitimate_interest", "6(1)(b) / 6(1)(f)"),
    "contract": ("contract", "6(1)(b)"),
    "quality": ("legitimate_interest", "6(1)(f)"),
    "leasing": ("legitimate_interest", "6(1)(f)"),
    "data_management": ("legitimate_interest", "6(1)(f)"),
    "marketing": ("consent", "6(1)(a)"),
    "legal": ("legal_obligation", "6(1)(c)"),
}

# service bugs found while writing the table (see the final report of issue 9)

@dataclass(frozen=True)
class Situation:
    name: str
    cites: str                      # "section: the policy sentence[ | the legal text]"
    as_of: dt.date
    events: tuple
    purposes: frozenset
    recipients: frozenset
    transfers: frozenset            # rule keys, see T_*
    retention: dict                 # rule key -> erase_after (None: open-ended, kept, legal hold)
    earliest: dt.date | None
    channels: tuple = ()            # of the marketing recipients, in the API's channel order
    partners: tuple = ()            # names of recipient.contract-partner entries, in contract order
    notices: frozenset = frozenset()
    findings: frozenset = frozenset()
    distributor: tuple | None = ("dlr-gent", "NEAREST")  # (dealer id, basis), None: none
    others: frozenset = frozenset()  # (role, dealer id): sellers and repairers besides the distributor
    professional: bool = False
    postcode: str = "9000"
    language: str = "nl"            # asked; "" = the customer's own
    expect_language: str = "nl"
    bases: dict = field(default_factory=dict)        # purpose id -> (legal_basis, article)
    controllers_of: dict = field(default_factory=dict)  # purpose id -> its controllers, in order
    fired_include: tuple = ()


def S(name, cites, as_of, events, purposes, recipients, transfers, retention, earliest, **kw):
    return Situation(
        name=name, cites=cites, as_of=d(as_of), events=tuple(events), purposes=frozenset(purposes),
        recipients=frozenset(recipients), transfers=frozenset(transfers), retention=retention,
        earliest=earliest and d(earliest),
        notices=frozenset(kw.pop("notices", GENERAL)), findings=frozenset(kw.pop("findings", ())),
        others=frozenset(kw.pop("others", ())), **kw,
    )


VERSIONS = {"last_interaction": 2, "contract_end": 2}


def R(**dates):
    """Retention items by rule key: retention_rule_name='YYYY-MM-DD' or None; the two tax
    regimes are tax_v1 (documents before 2023) and tax_v2 (documents from 2023)."""
    items = {}
    for name, value in dates.items():
        rule, _, version = name.partition("_v") if name.startswith("tax") else (name, "", "")
        version = int(version) if version else VERSIONS.get(name, 1)
        items[f"retention.{rule.replace('_', '-')}@v{version}"] = value and d(value)
    return items


SELLER, REPAIRER = "seller", "repairer"

SITUATIONS = [
    # --- test drives (section 4's example) -------------------------------------------------
    S("test-drive-recent", "4: als u bijvoorbeeld een testrit heeft aangevraagd, bewaren wij uw "
      "persoonlijke gegevens tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-04-15", [contact("test_drive_request", "2024-03-10")],
      # 36 days since the request: followed up; a test-drive-only prospect keeps only the
      # test drive's 6 months (no retention.prospect)
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10"),           # 2024-03-10 + 6 months
      "2024-09-10", findings=PS_FINDING,
      bases={"purpose.questions.test-drive": ("contract_or_legitimate_interest", "6(1)(b) / 6(1)(f)"),
             "purpose.quality.evaluation": ("legitimate_interest", "6(1)(f)")}),
    S("test-drive-older-than-6-months", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-05-01", [contact("test_drive_request", "2023-06-01")],
      # 11 months: no longer followed up; the only period (test drive) ran out on 2023-12-01,
      # so erasure is overdue, and the quality purposes ended with the 6 months
      {"purpose.data-management.central"} | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2023-12-01"),           # 2023-06-01 + 6 months
      "2023-12-01", findings=PS_FINDING | OVERDUE),
    S("test-drive-183-days-still-followed-up", "3: Om uw aanvraag voor een proefrit ... op te volgen en te beantwoorden",
      "2024-09-09", [contact("test_drive_request", "2024-03-10")],
      # 2024-03-10 -> 2024-09-09 is 5 whole months (2024-09-10 is after the day): followed up
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10"), "2024-09-10", findings=PS_FINDING),  # 2024-03-10 + 6 months
    S("test-drive-6-months-passed", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-09-10", [contact("test_drive_request", "2024-03-10")],
      # 6 whole months on 2024-09-10: not followed up, due that very day (overdue), and the
      # quality purposes end with it
      {"purpose.data-management.central"} | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10"), "2024-09-10", findings=PS_FINDING | OVERDUE),  # 2024-03-10 + 6 months
    S("test-drive-end-of-month-6-months-passed", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-08-01", [contact("test_drive_request", "2024-01-31")],
      # 2024-01-31 + 6 months = 2024-07-31: on 2024-08-01 the data must be gone, so the request
      # can no longer be followed up (though it is 183 days ago); 6 whole months: the quality
      # purposes end too
      {"purpose.data-management.central"} | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-07-31"), "2024-07-31", findings=PS_FINDING | OVERDUE),
    S("test-drive-prospect-years-later", "4: De periode die verstreken is sinds uw laatste interactie met ons; "
      "als u bijvoorbeeld een testrit heeft aangevraagd, bewaren wij uw persoonlijke gegevens tot 6 maanden",
      "2024-01-10", [contact("test_drive_request", "2020-09-15")],
      # 2020-09-15 -> 2024-01-10: 39 whole months, no quality purposes any more
      CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2021-03-15"),           # 2020-09-15 + 6 months
      "2021-03-15", findings=PS_FINDING | OVERDUE),
    S("test-drive-and-quote-prospect", "4: De periode die verstreken is sinds uw laatste interactie met ons; "
      "als u bijvoorbeeld een testrit heeft aangevraagd",
      "2024-05-01", [contact("test_drive_request", "2023-06-01"), contact("quote", "2023-06-05")],
      # a quote too: no longer test-drive-only, so a prospect kept 36 months; the test drive
      # keeps its own 6 months (11 months ago: no longer followed up, the quote is)
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2023-12-01",            # 2023-06-01 + 6 months
        prospect="2026-06-05"),             # last interaction 2023-06-05 + 36 months
      "2023-12-01", findings=PS_FINDING),
    S("test-drive-prospect-with-a-dispute", "4: het bestaan van een daadwerkelijk of potentieel geschil of "
      "meningsverschil",
      "2024-09-01", [contact("test_drive_request", "2024-01-10"), dispute("2024-03-01")],
      # a dispute ends test-drive-only: a prospect; everything on legal hold, no erase date
      {"purpose.contract.fraud-disputes"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-07-10",            # 2024-01-10 + 6 months
        prospect="2027-01-10",              # 2024-01-10 + 36 months
        legal_hold=None),
      None, notices=GENERAL | {"notice.dispute"}, findings=PS_FINDING),
    S("test-drive-then-purchase-customer", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht",
      "2024-01-10", [contact("test_drive_request", "2023-05-02"), contact("purchase", "2023-06-15")],
      # a customer now: the test drive's 6 months have passed, the rest runs on
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2023-11-02",            # 2023-05-02 + 6 months
        last_interaction="2028-06-15",      # sale's guarantee end 2025-06-15 (2023-06-15 + 24) + 36 months
        contract_end="2025-06-15",          # 2023-06-15 + 24 months
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # a 2023 document: 1 January 2024 + 10
      "2023-11-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),

    # --- purchases, accounting and tax ------------------------------------------------------
    S("purchase-years-ago", "3: Om de contracten tussen u en ons te aanvaarden, op te stellen en op te volgen, "
      "bijvoorbeeld op basis van uw aankoop van een Lexus voertuig; Voor boekhoudkundige doeleinden",
      "2024-05-01", [contact("purchase", "2019-05-02")],
      # the relationship ends with the guarantee, 2021-05-02 (2019-05-02 + 24 months): 35
      # whole months before the day, still recent
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2024-05-02",      # 2021-05-02 + 36 months
        contract_end="2021-05-02",          # 2019-05-02 + 24 months (legal guarantee)
        accounting="2027-01-01",            # 1 January 2020 + 7 years
        tax_v1="2027-01-01"),               # a 2019 document keeps its 7 years, asked in 2024 too
      "2021-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      bases={"purpose.contract.sale": ("contract", "6(1)(b)"),
             "purpose.contract.accounting": ("contract", "6(1)(b)"),
             "purpose.legal.tax": ("legal_obligation", "6(1)(c)")},
      controllers_of={"purpose.contract.sale": ("distributor",),
                      "purpose.contract.locating": ("importer",)},
      fired_include=("retention.tax@v1",)),
    S("purchase-relationship-runs-out", "4: De periode die verstreken is sinds uw laatste interactie met ons;",
      "2024-05-02", [contact("purchase", "2019-05-02")],
      # 2021-05-02 -> 2024-05-02 is 36 whole months: the sale, products and quality purposes
      # stop; the accounts are kept (not overdue)
      ACCOUNTING | VEHICLE_OLD | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2024-05-02",      # 2021-05-02 + 36 months: due today
        contract_end="2021-05-02",          # 2019-05-02 + 24 months
        accounting="2027-01-01",            # 1 January 2020 + 7
        tax_v1="2027-01-01"),               # 1 January 2020 + 7
      "2021-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("purchase-tax-7-years-on-2022-12-31", "4: het bestaan van een Reglementaire of wettelijke verplichting om "
      "persoonsgegevens te bewaren (bijvoorbeeld voor fiscale doeleinden) | law of 20 November 2022, "
      "Income Tax Code 1992 art. 315",
      "2022-12-31", [contact("purchase", "2019-05-02")],
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(last_interaction="2024-05-02",      # 2019-05-02 + 24 + 36 months
        contract_end="2021-05-02",          # 2019-05-02 + 24 months
        accounting="2027-01-01",            # 1 January 2020 + 7
        tax_v1="2027-01-01"),               # 1 January 2020 + 7 before 2023
      "2021-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v1",)),
    S("purchase-tax-by-the-document-date-not-the-question", "4: ... (bijvoorbeeld voor fiscale doeleinden), in "
      "welk geval wij uw gegevens zullen bewaren zolang deze verplichting vereist.",
      "2023-01-01", [contact("purchase", "2019-05-02")],
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(last_interaction="2024-05-02",      # 2019-05-02 + 24 + 36 months
        contract_end="2021-05-02",          # 2019-05-02 + 24 months
        accounting="2027-01-01",            # 1 January 2020 + 7
        tax_v1="2027-01-01"),               # asked on the day the 10 years began: still 7
      "2021-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v1",)),
    S("purchase-tax-10-years-for-a-2023-document", "4: ... (bijvoorbeeld voor fiscale doeleinden), in welk geval "
      "wij uw gegevens zullen bewaren zolang deze verplichting vereist.",
      "2024-05-01", [contact("purchase", "2023-03-01")],
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-03-01",      # guarantee end 2025-03-01 (2023-03-01 + 24) + 36 months
        contract_end="2025-03-01",          # 2023-03-01 + 24 months
        accounting="2031-01-01",            # 1 January 2024 + 7 years
        tax_v2="2034-01-01"),               # 1 January 2024 + 10 years
      "2025-03-01", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v2",)),
    S("documents-of-both-regimes-asked-in-2025", "4: het bestaan van een Reglementaire of wettelijke verplichting "
      "om persoonsgegevens te bewaren (bijvoorbeeld voor fiscale doeleinden) | law of 20 November 2022, "
      "VAT Code art. 60 §4",
      "2025-03-01", [contact("purchase", "2022-12-30"), contact("service_visit", "2024-01-15")],
      # a 2022 sale and a 2024 service invoice: one tax entry per regime
      {"purpose.questions.appointment"} | SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL,
      BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-12-30",      # guarantee end 2024-12-30 (2022-12-30 + 24) + 36 months
        contract_end="2024-12-30",          # 2022-12-30 + 24 months
        accounting="2032-01-01",            # last document 2024-01-15: 1 January 2025 + 7
        tax_v1="2030-01-01",                # 2022-12-30: 1 January 2023 + 7
        tax_v2="2035-01-01"),               # 2024-01-15: 1 January 2025 + 10
      "2024-12-30", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v1", "retention.tax@v2")),
    S("documents-of-2022-asked-before-2023", "4: ... (bijvoorbeeld voor fiscale doeleinden), in welk geval "
      "wij uw gegevens zullen bewaren zolang deze verplichting vereist.",
      "2022-12-31", [contact("purchase", "2022-12-30"), contact("service_visit", "2024-01-15")],
      # the same history asked before the service visit: only the 2022 sale exists
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(last_interaction="2027-12-30",      # 2022-12-30 + 24 + 36 months
        contract_end="2024-12-30",          # 2022-12-30 + 24 months
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # 1 January 2023 + 7
      "2024-12-30", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("service-invoices-of-both-tax-regimes", "3: Voor boekhoudkundige doeleinden | law of 20 November 2022, "
      "VAT Code art. 60 §4",
      "2023-06-01", [contact("service_visit", "2022-11-10"), contact("service_visit", "2023-02-15")],
      # service invoices are accounting documents: a 2022 one (7 years) and a 2023 one (10)
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS,
      T_SCC_2021,
      R(last_interaction="2026-02-15",      # 2023-02-15 + 36 months (no contract, no sale)
        accounting="2031-01-01",            # last document 2023-02-15: 1 January 2024 + 7
        tax_v1="2030-01-01",                # 2022-11-10: 1 January 2023 + 7
        tax_v2="2034-01-01"),               # 2023-02-15: 1 January 2024 + 10
      # two service visits at Gent score 2*0.5^(203.6/365) + 2*0.5^(106.6/365) = 2.99 >= 2.0
      "2026-02-15", findings=PS_FINDING, distributor=("dlr-gent", "HISTORY"),
      fired_include=("retention.tax@v1", "retention.tax@v2")),
    S("two-purchases-the-latest-counts", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht ...)",
      "2023-03-01",
      [contact("purchase", "2016-06-10", "dlr-antwerpen"), contact("purchase", "2021-11-20")],
      # Gent sold last and is the distributor; Antwerpen sold before: a seller of its own
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(last_interaction="2026-11-20",      # guarantee end 2023-11-20 (2021-11-20 + 24) + 36 months
        contract_end="2023-11-20",          # the later guarantee: 2021-11-20 + 24 months
        accounting="2029-01-01",            # 1 January 2022 + 7
        tax_v1="2029-01-01"),               # 1 January 2022 + 7: documents of 2021 keep 7 years
      "2023-11-20", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      others={(SELLER, "dlr-antwerpen")},
      controllers_of={"purpose.contract.sale": ("distributor", "seller"),
                      "purpose.contract.products-services": ("importer", "distributor")}),
    S("purchase-with-open-maintenance-contract", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-03-15", [contact("purchase", "2021-03-15"), contract("maintenance", "2021-03-15")],
      # the maintenance contract has no end: the relationship runs on, no erase date for it
      SALE | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction=None,              # no date while a contract runs with no end
        contract_end=None,                  # the maintenance contract has no end
        accounting="2029-01-01",            # 1 January 2022 + 7
        tax_v1="2029-01-01"),               # a 2021 document: 7 years
      "2029-01-01", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("maintenance-open-since-2014", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-06-01", [contract("maintenance", "2014-03-01")],
      # the accounts' periods are over, but the contract runs: no erasure is overdue
      ACCOUNTING | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction=None, contract_end=None,   # open-ended contract: no dates
        accounting="2022-01-01",            # start 2014-03-01: 1 January 2015 + 7
        tax_v1="2022-01-01"),               # 1 January 2015 + 7
      "2022-01-01", findings=PS_FINDING),
    S("every-period-passed", "4: Wanneer deze niet meer nodig zijn, worden uw Gegevens gewist of geanonimiseerd.",
      "2024-06-01", [contact("purchase", "2013-09-01")],
      # the purchase is 3926 days old (> 3650: no purchase basis) and outside the history
      # window: the nearest dealer; every period has run out
      ACCOUNTING | VEHICLE_OLD | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2018-09-01",      # guarantee end 2015-09-01 (2013-09-01 + 24) + 36 months
        contract_end="2015-09-01",          # 2013-09-01 + 24 months
        accounting="2021-01-01",            # 1 January 2014 + 7
        tax_v1="2021-01-01"),               # 1 January 2014 + 7
      "2015-09-01", findings=PS_FINDING | OVERDUE),
    S("service-visit-only", "3: Om u te voorzien van onze producten en diensten (bijv. onderhoud, probleemoplossing "
      "en reparatie van uw Lexus voertuig ...); Om contact met u op te nemen in het geval dat uw Lexus voertuig deel "
      "uitmaakt van een veiligheidsoproep",
      "2024-01-10", [contact("service_visit", "2023-10-10")],
      # a service visit makes a customer, and its invoice is an accounting document
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-10-10",      # 2023-10-10 + 36 months
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # a 2023 invoice: 1 January 2024 + 10
      "2026-10-10", findings=PS_FINDING,
      bases={"purpose.quality.recalls": ("legitimate_interest", "6(1)(f)"),
             "purpose.contract.products-services": ("contract", "6(1)(b)")}),

    # --- sellers and repairers other than the distributor -----------------------------------
    S("seller-other-than-the-preferred-dealer", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht en/of "
      "die u hebt aangewezen als preferentiële verdeler",
      "2024-01-10", [contact("purchase", "2023-03-10", "dlr-antwerpen"), prefer("dlr-gent", "2023-05-01")],
      # Gent, designated after the purchase, is the distributor; Antwerpen controls its sale
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-03-10",      # guarantee end 2025-03-10 (2023-03-10 + 24) + 36 months
        contract_end="2025-03-10",          # 2023-03-10 + 24 months
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2025-03-10", findings=PS_FINDING, distributor=("dlr-gent", "PREFERRED"),
      others={(SELLER, "dlr-antwerpen")},
      controllers_of={"purpose.contract.sale": ("distributor", "seller"),
                      "purpose.contract.accounting": ("importer", "distributor", "seller"),
                      "purpose.contract.products-services": ("importer", "distributor"),
                      "purpose.legal.tax": ("importer", "distributor", "seller"),
                      "purpose.quality.research": ("importer",)}),
    S("repairer-service-only-dealer", "3: Enkel Lexus, haar zusterbedrijven Car Security SA en Autoproduct SA, "
      "Toyota Motor Europe, uw hierboven genoemde erkende verdeler of hersteller.",
      "2024-06-01", [contact("service_visit", "2024-02-01", "dlr-turnhout")],
      # Turnhout only services (never a distributor): Gent is the nearest, Turnhout a repairer
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-02-01",      # 2024-02-01 + 36 months
        accounting="2032-01-01",            # 1 January 2025 + 7
        tax_v2="2035-01-01"),               # 1 January 2025 + 10
      "2027-02-01", findings=PS_FINDING, others={(REPAIRER, "dlr-turnhout")},
      controllers_of={"purpose.contract.products-services": ("importer", "distributor", "repairer"),
                      "purpose.contract.accounting": ("importer", "distributor", "repairer"),
                      "purpose.contract.locating": ("importer",)}),
    S("maintenance-in-force-at-another-distributor", "3: uw hierboven genoemde erkende verdeler of hersteller",
      "2024-06-01",
      [contact("purchase", "2023-01-20"), contract("maintenance", "2023-01-20", "2025-01-19", dealer="dlr-aalst")],
      SALE | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-01-20",      # the later end, guarantee 2025-01-20 (2023-01-20 + 24), + 36 months
        contract_end="2025-01-20",          # max(2025-01-19, 2023-01-20 + 24 months)
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2025-01-20", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      others={(REPAIRER, "dlr-aalst")},
      controllers_of={"purpose.contract.fraud-disputes": ("importer", "distributor")}),
    S("maintenance-ended-at-another-distributor", "4: Aan het einde van de contractuele relatie met u ;",
      "2025-06-01",
      [contact("purchase", "2023-01-20"), contract("maintenance", "2023-01-20", "2025-01-19", dealer="dlr-aalst")],
      # the ended maintenance contract still makes Aalst a repairer of its own data
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-01-20",      # 2025-01-20 + 36 months
        contract_end="2025-01-20",          # max(2025-01-19, 2023-01-20 + 24 months)
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2025-01-20", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      others={(REPAIRER, "dlr-aalst")}),
    S("seller-and-repairer-besides-the-preferred", "2: De betreffende verdeler (s) of hersteller (s).",
      "2024-06-01",
      [contact("purchase", "2023-03-01", "dlr-brugge"), prefer("dlr-gent", "2023-04-01"),
       contact("service_visit", "2024-02-01", "dlr-aalst")],
      {"purpose.questions.appointment"} | SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-03-01",      # guarantee end 2025-03-01 (2023-03-01 + 24) + 36 months
        contract_end="2025-03-01",          # 2023-03-01 + 24 months
        accounting="2032-01-01",            # last document 2024-02-01: 1 January 2025 + 7
        tax_v2="2035-01-01"),               # 2023 and 2024 documents, the last 2024: 1 January 2025 + 10
      "2025-03-01", findings=PS_FINDING, distributor=("dlr-gent", "PREFERRED"),
      others={(SELLER, "dlr-brugge"), (REPAIRER, "dlr-aalst")},
      controllers_of={"purpose.contract.sale": ("distributor", "seller"),
                      "purpose.contract.products-services": ("importer", "distributor", "repairer"),
                      "purpose.contract.accounting": ("importer", "distributor", "seller", "repairer"),
                      "purpose.legal.court-orders": ("importer", "distributor", "seller", "repairer")}),
    S("seller-on-its-last-day-is-the-distributor", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht",
      "2024-06-30", [contact("purchase", "2022-05-01", "dlr-tournai")],
      # Tournai is active through 2024-06-30 (inclusive): the purchase makes it the distributor
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-05-01",      # guarantee end 2024-05-01 (2022-05-01 + 24) + 36 months
        contract_end="2024-05-01",          # 2022-05-01 + 24 months
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # a 2022 document: 1 January 2023 + 7
      "2024-05-01", findings=PS_FINDING, distributor=("dlr-tournai", "PURCHASE")),
    S("seller-closed", "1: Als Verwerkingsverantwoordelijken zullen de onderstaande entiteiten uw Gegevens "
      "(zoals hieronder gedefinieerd) verzamelen en gebruiken",
      "2024-07-01", [contact("purchase", "2022-05-01", "dlr-tournai")],
      # Tournai closed after 2024-06-30: Gent is the nearest; Tournai, still the seller, is reported
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-05-01",      # 2024-05-01 + 36 months
        contract_end="2024-05-01",          # 2022-05-01 + 24 months
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # 1 January 2023 + 7
      "2024-05-01", findings=PS_FINDING | CONTROLLER_INACTIVE, others={(SELLER, "dlr-tournai")},
      controllers_of={"purpose.contract.sale": ("distributor", "seller")}),
    S("repairer-closed", "3: uw hierboven genoemde erkende verdeler of hersteller",
      "2024-08-01", [contact("service_visit", "2024-03-01", "dlr-tournai")],
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-03-01",      # 2024-03-01 + 36 months
        accounting="2032-01-01",            # 1 January 2025 + 7
        tax_v2="2035-01-01"),               # 1 January 2025 + 10
      "2027-03-01", findings=PS_FINDING | CONTROLLER_INACTIVE, others={(REPAIRER, "dlr-tournai")}),
    S("closed-dealer-sold-and-repaired", "1: Als Verwerkingsverantwoordelijken zullen de onderstaande entiteiten "
      "uw Gegevens (zoals hieronder gedefinieerd) verzamelen en gebruiken",
      "2024-07-01",
      [contact("purchase", "2022-05-01", "dlr-tournai"), contact("service_visit", "2023-05-01", "dlr-tournai")],
      {"purpose.questions.appointment"} | SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-05-01",      # guarantee end 2024-05-01 (2022-05-01 + 24) + 36 months
        contract_end="2024-05-01",          # 2022-05-01 + 24 months
        accounting="2031-01-01",            # last document 2023-05-01: 1 January 2024 + 7
        tax_v1="2030-01-01",                # 2022-05-01: 1 January 2023 + 7
        tax_v2="2034-01-01"),               # 2023-05-01: 1 January 2024 + 10
      "2024-05-01", findings=PS_FINDING | CONTROLLER_INACTIVE,
      others={(SELLER, "dlr-tournai"), (REPAIRER, "dlr-tournai")}),

    # --- prospects and customers ------------------------------------------------------------
    S("quote-prospect-the-day-before-the-purchase", "4: De periode die verstreken is sinds uw laatste interactie "
      "met ons;",
      "2024-05-31", [contact("quote", "2024-01-10"), contact("purchase", "2024-06-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2027-01-10"),             # 2024-01-10 + 36 months
      "2027-01-10", findings=PS_FINDING),
    S("customer-from-the-day-of-the-purchase", "3: Om de contracten tussen u en ons te aanvaarden, op te stellen "
      "en op te volgen, bijvoorbeeld op basis van uw aankoop van een Lexus voertuig",
      "2024-06-01", [contact("quote", "2024-01-10"), contact("purchase", "2024-06-01")],
      {"purpose.questions.quote"} | SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2029-06-01",      # guarantee end 2026-06-01 (2024-06-01 + 24) + 36 months
        contract_end="2026-06-01",          # 2024-06-01 + 24 months
        accounting="2032-01-01",            # 1 January 2025 + 7
        tax_v2="2035-01-01"),               # 1 January 2025 + 10
      "2026-06-01", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),

    # --- lease, financing, insurance --------------------------------------------------------
    S("professional-lease", "3: Indien u een leasecontract heeft met één van onze commerciele partners : ... - Om uw "
      "erkende verdeler in staat te stellen de nodige opvolging te geven aan uw leasing",
      "2024-05-01", [contract("lease", "2023-03-01", "2027-02-28", partner="Lexus Financial Services")],
      # a lessee drives a Lexus: the vehicle purposes apply too
      VEHICLE | ACCOUNTING | IN_FORCE | LEASING | INTERACTION | LEGAL,
      BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER, T_DPF,
      R(last_interaction="2030-02-28",      # the lease's end 2027-02-28 + 36 months
        contract_end="2027-02-28",          # the lease's end
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2027-02-28", partners=("Lexus Financial Services",),
      notices=GENERAL | {"notice.lease-partner", "notice.professional"}, findings=PS_FINDING,
      professional=True, language="fr", expect_language="fr",
      bases={"purpose.leasing.follow-up": ("legitimate_interest", "6(1)(f)"),
             "purpose.leasing.customer-indication": ("legitimate_interest", "6(1)(f)"),
             "purpose.contract.transfer-of-claims": ("contract", "6(1)(b)")},
      controllers_of={"purpose.leasing.follow-up": ("distributor",),
                      "purpose.leasing.customer-indication": ("importer",)}),
    S("lease-ended", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-05-01", [contract("lease", "2020-03-01", "2023-02-28", partner="Lexus Financial Services")],
      # ended: no leasing purposes, partners or notice; the contract data runs to the end
      VEHICLE | ACCOUNTING | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-02-28",      # the lease's end 2023-02-28 + 36 months
        contract_end="2023-02-28",          # the lease's end
        accounting="2028-01-01",            # start 2020-03-01: 1 January 2021 + 7
        tax_v1="2028-01-01"),               # 1 January 2021 + 7
      "2023-02-28", findings=PS_FINDING),
    S("lease-starting-after-the-as-of-day", "3: Indien u een leasecontract heeft met één van onze commerciele partners",
      "2024-06-01",
      [contact("quote", "2024-05-20"), contract("lease", "2024-07-01", "2028-06-30", partner="Lexus Lease")],
      # not started: still a prospect
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2027-05-20"), "2027-05-20", findings=PS_FINDING),  # 2024-05-20 + 36 months
    S("financing-with-purchase", "2: Indien u een financierings-/lening- of leasingscontract hebt afgesloten met één "
      "van onze commerciele partners, ... nodigen wij u uit om het Gegevensverwerkingsbeleid van de betrokken "
      "partner te raadplegen.",
      "2024-01-10",
      [contact("purchase", "2022-09-15"),
       contract("financing", "2022-09-15", "2026-09-14", partner="Toyota Financial Services")],
      SALE | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER,
      T_DPF,
      R(last_interaction="2029-09-14",      # the financing's end 2026-09-14 + 36 months
        contract_end="2026-09-14",          # max(2026-09-14, 2022-09-15 + 24 months = 2024-09-15)
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # 2022 documents: 7 years (README: tax retention)
      "2026-09-14", partners=("Toyota Financial Services",), notices=GENERAL | {"notice.lease-partner"},
      findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("insurance-through-car-security", "2: Indien u een verzekeringscontract hebt afgesloten met betrekking tot uw "
      "voertuig via Car Security, ... In dit geval nodigen wij u uit om het Gegevensverwerkingsbeleid van Car "
      "Security te raadplegen.",
      "2024-02-01", [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", "2024-04-30")],
      # an insurance without a partner named is Car Security's (FactService.record_contract)
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL,
      BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER, T_DPF,
      R(last_interaction="2027-04-30",      # the insurance's end 2024-04-30 + 36 months
        contract_end="2024-04-30",          # the insurance's end
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2024-04-30", partners=("Car Security SA",), notices=GENERAL | {"notice.insurance-car-security"},
      findings=PS_FINDING),
    S("insurance-ended", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-06-01", [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", "2024-04-30")],
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-04-30",      # 2024-04-30 + 36 months
        contract_end="2024-04-30",          # the ended insurance still has its end
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2024-04-30", findings=PS_FINDING),
    S("insurance-with-another-insurer", "5: Partnerbedrijven van Lexus met wie wij uw Gegevens op uw verzoek of met "
      "uw toestemming delen",
      "2024-02-01",
      [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", partner="Ethias")],
      # not through Car Security: no partners recipient or notice, but the insurer is named
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL,
      BASE_RECIPIENTS | CONTRACT_PARTNER, T_DPF,
      R(last_interaction=None, contract_end=None,   # open-ended insurance: no dates
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01"),               # 1 January 2024 + 10
      "2031-01-01", partners=("Ethias",), findings=PS_FINDING),
    S("lease-and-insurance-two-partners", "5: Partnerbedrijven van Lexus met wie wij uw Gegevens op uw verzoek of "
      "met uw toestemming delen voor gerelateerde producten of dienstenverzekering",
      "2024-06-01",
      [contract("lease", "2024-01-01", "2027-12-31", partner="Lexus Financial Services"),
       contract("insurance", "2024-01-01", "2024-12-31", partner="Car Security SA")],
      VEHICLE | ACCOUNTING | IN_FORCE | LEASING | INTERACTION | LEGAL,
      BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER, T_DPF,
      R(last_interaction="2030-12-31",      # the later end 2027-12-31 + 36 months
        contract_end="2027-12-31",          # max(2027-12-31, 2024-12-31)
        accounting="2032-01-01",            # 1 January 2025 + 7
        tax_v2="2035-01-01"),               # 1 January 2025 + 10
      "2027-12-31", partners=("Lexus Financial Services", "Car Security SA"),
      notices=GENERAL | {"notice.lease-partner", "notice.insurance-car-security"}, findings=PS_FINDING),

    # --- disputes ---------------------------------------------------------------------------
    S("open-dispute-legal-hold", "4: het bestaan van een daadwerkelijk of potentieel geschil of meningsverschil ... "
      "in welk geval we uw informatie zullen bewaren totdat het geschil of meningsverschil is opgelost;",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2024-01-20")],
      # guarantee end 2017-03-02: 83 months ago, no recent relationship; the dispute holds all
      ACCOUNTING | VEHICLE_OLD | {"purpose.contract.fraud-disputes"} | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2020-03-02",      # 2015-03-02 + 24 + 36 months
        contract_end="2017-03-02",          # 2015-03-02 + 24 months
        legal_hold=None,
        accounting="2023-01-01",            # 1 January 2016 + 7
        tax_v1="2023-01-01"),               # 1 January 2016 + 7: a 2015 document
      None, notices=GENERAL | {"notice.dispute"}, findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      bases={"purpose.contract.fraud-disputes": ("contract", "6(1)(b)")}),
    S("dispute-closed-before", "4: ... totdat het geschil of meningsverschil is opgelost;",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2023-06-01", "2023-11-30")],
      # resolved: every period (the last 2023-01-01) has run out
      ACCOUNTING | VEHICLE_OLD | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2020-03-02", contract_end="2017-03-02",  # as above
        accounting="2023-01-01", tax_v1="2023-01-01"),             # 1 January 2016 + 7
      "2017-03-02", findings=PS_FINDING | OVERDUE, distributor=("dlr-gent", "PURCHASE")),
    S("dispute-opened-after-the-as-of-day", "4: het bestaan van een daadwerkelijk of potentieel geschil",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2024-04-01")],
      ACCOUNTING | VEHICLE_OLD | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2020-03-02", contract_end="2017-03-02",  # 2015-03-02 + 24 (+ 36) months
        accounting="2023-01-01", tax_v1="2023-01-01"),             # 1 January 2016 + 7
      "2017-03-02", findings=PS_FINDING | OVERDUE, distributor=("dlr-gent", "PURCHASE")),
    S("dispute-suspends-overdue-erasure", "4: in welk geval we uw informatie zullen bewaren totdat het geschil of "
      "meningsverschil is opgelost;",
      "2024-06-01", [contact("purchase", "2013-09-01"), dispute("2024-05-01")],
      # every period ran out (as in every-period-passed), but the dispute holds the data
      ACCOUNTING | VEHICLE_OLD | {"purpose.contract.fraud-disputes"} | CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2018-09-01",      # 2013-09-01 + 24 + 36 months
        contract_end="2015-09-01",          # 2013-09-01 + 24 months
        legal_hold=None,
        accounting="2021-01-01",            # 1 January 2014 + 7
        tax_v1="2021-01-01"),               # 1 January 2014 + 7
      None, notices=GENERAL | {"notice.dispute"}, findings=PS_FINDING),

    # --- consents ---------------------------------------------------------------------------
    S("email-consent", "3: Versturen van marketingcommunicatie en marketingenquêtes ... Uw toestemming (apart verstrekt)",
      "2024-06-01", [contact("brochure", "2024-01-15"), give("email", "2024-01-15 11:00")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(prospect="2027-01-15",              # 2024-01-15 + 36 months
        consent=None),                      # kept while the consent stands
      "2027-01-15", channels=("email",), findings=PS_FINDING,
      bases={"purpose.marketing.email": ("consent", "6(1)(a)"),
             "purpose.marketing.email-tracking": ("consent", "6(1)(a)"),
             "purpose.marketing.profile": ("consent", "6(1)(a)"),
             "purpose.questions.brochure": ("contract_or_legitimate_interest", "6(1)(b) / 6(1)(f)")}),
    S("all-channels-no-contact", "3: Als u toestemming heeft gegeven voor het ontvangen van de door u geselecteerde "
      "berichten, zullen uw gegevens worden gedeeld met deze entiteiten (maar niet met andere derden)",
      "2024-06-01", [give(c, "2023-02-01") for c in CHANNELS],
      # consents are no contact (no quality purposes) but a consent record makes a prospect
      CENTRAL | LEGAL | marketing(*CHANNELS),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(prospect="2026-02-01",              # giving consent is an interaction: 2023-02-01 + 36 months
        consent=None),
      "2026-02-01", channels=CHANNELS, findings=PS_FINDING),
    S("sms-withdrawn-email-kept", "2: Informatie over de toestemmingen die u aan ons hebt gegeven en ons beheer "
      "van die toestemmingen (inclusief bijvoorbeeld het bijhouden van registers en de verwerking van de intrekking "
      "van uw toestemming)",
      "2023-09-01",
      [contact("quote", "2023-01-10"), give("sms", "2023-01-10 12:00"), give("email", "2023-01-10 12:00"),
       withdraw("sms", "2023-06-10")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(prospect="2026-06-10",              # the SMS withdrawal of 2023-06-10 is the last interaction
        consent=None,                       # the e-mail consent stands
        consent_withdrawn="2023-06-10",     # the withdrawal
        suppression=None),                  # kept: the SMS refusal
      "2023-06-10", channels=("email",), findings=PS_FINDING),
    S("consent-given-after-the-as-of-day", "1: Indien u ermee instemt, u bepaalde marketingcommunicatie ... te sturen",
      "2024-02-29", [contact("showroom_visit", "2024-01-05"), give("post", "2024-03-01")],
      {"purpose.questions.appointment"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2027-01-05"), "2027-01-05", findings=PS_FINDING),  # 2024-01-05 + 36 months
    S("consent-withdrawn-after-the-as-of-day", "3: Uw toestemming (apart verstrekt)",
      "2022-08-31",
      [contact("complaint", "2022-01-10"), give("phone", "2022-01-10 12:00"), withdraw("phone", "2022-09-01")],
      {"purpose.questions.information"} | INTERACTION | LEGAL | marketing("phone"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_UK,
      R(prospect="2025-01-10", consent=None),  # 2022-01-10 + 36 months
      "2025-01-10", channels=("phone",), findings=PS_FINDING),
    S("consent-withdrawn-on-the-as-of-day", "3: Uw toestemming (apart verstrekt)",
      "2024-05-01",
      [contact("quote", "2024-02-01"), give("email", "2024-02-01 12:00"), withdraw("email", "2024-05-01 09:00")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2027-05-01",              # the withdrawal on the as-of day is the last interaction
        consent_withdrawn="2024-05-01", suppression=None),
      "2024-05-01", findings=PS_FINDING),
    S("consent-withdrawn-suppression-only", "4: Wanneer deze niet meer nodig zijn, worden uw Gegevens gewist of "
      "geanonimiseerd. | GDPR art. 7(3) and 21(3)",
      "2024-06-01",
      [contact("quote", "2020-05-10"), give("email", "2020-05-10 12:00"), withdraw("email", "2020-08-01")],
      # 46 months after the withdrawal: only the suppression record is kept, the rest is overdue
      CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2023-08-01",              # withdrawal 2020-08-01 + 36 months
        consent_withdrawn="2020-08-01", suppression=None),
      "2020-08-01", findings=PS_FINDING | OVERDUE),
    S("consent-only-prospect-withdrawn", "2: Informatie over de toestemmingen die u aan ons hebt gegeven en ons "
      "beheer van die toestemmingen",
      "2023-01-15", [give("sms", "2022-03-01"), withdraw("sms", "2022-09-01")],
      CENTRAL | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(prospect="2025-09-01",              # withdrawal 2022-09-01 + 36 months
        consent_withdrawn="2022-09-01", suppression=None),
      "2022-09-01", findings=PS_FINDING),
    S("customer-withdraws-email", "3: Uw toestemming (apart verstrekt)",
      "2024-06-01",
      [contact("purchase", "2023-04-01"), give("email", "2023-04-01 12:00"), withdraw("email", "2024-02-01")],
      SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2028-04-01",      # guarantee end 2025-04-01 (after the withdrawal) + 36 months
        contract_end="2025-04-01",          # 2023-04-01 + 24 months
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax_v2="2034-01-01",                # 1 January 2024 + 10
        consent_withdrawn="2024-02-01", suppression=None),
      "2024-02-01", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("consent-keeps-a-lapsed-prospect", "3: ... Uw toestemming (apart verstrekt) | GDPR art. 6(1)(a)",
      "2024-06-01", [contact("quote", "2020-06-01"), give("email", "2020-06-01 12:00")],
      # the prospect's 36 months ran out, but the e-mail consent stands: nothing is overdue
      CENTRAL | LEGAL | marketing("email"), BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(prospect="2023-06-01", consent=None),  # 2020-06-01 + 36 months
      "2023-06-01", channels=("email",), findings=PS_FINDING),
    S("social-consent-given-again", "3: ... via alle kanalen, ook via sociale netwerken. ... Uw toestemming (apart verstrekt)",
      "2021-12-01",
      [contact("other", "2021-01-05"), give("social", "2021-01-05 12:00"), withdraw("social", "2021-03-01"),
       give("social", "2021-10-01")],
      # given again: no withdrawn consent stands
      {"purpose.questions.information"} | INTERACTION | LEGAL | marketing("social"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_UK,
      R(prospect="2024-10-01",              # the consent given again on 2021-10-01 + 36 months
        consent=None),
      "2024-10-01", channels=("social",), findings=PS_FINDING),
    S("preferred-dealer-with-email-consent", "1: Uw erkende Lexus-verdeler (... die u hebt aangewezen als "
      "preferentiële verdeler ...)",
      "2023-08-01",
      [contact("quote", "2023-02-01", "dlr-brugge"), prefer("dlr-brugge", "2023-02-01 12:00"),
       give("email", "2023-02-01 12:00")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(prospect="2026-02-01", consent=None),  # 2023-02-01 + 36 months
      "2026-02-01", channels=("email",), findings=PS_FINDING,
      distributor=("dlr-brugge", "PREFERRED")),
    S("french-speaking-test-drive-with-two-consents", "1: het dichtst bij u op basis van uw postcode en uw adres; "
      "3: Uw toestemming (apart verstrekt)",
      "2024-05-01",
      [contact("test_drive_request", "2024-04-02", "dlr-liege"), give("email", "2024-04-02 12:00"),
       give("sms", "2024-04-02 12:00")],
      # a consent ends test-drive-only: a prospect kept 36 months besides the test drive
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL | marketing("email", "sms"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(test_drive="2024-10-02",            # 2024-04-02 + 6 months
        prospect="2027-04-02",              # 2024-04-02 + 36 months
        consent=None),
      "2024-10-02", channels=("email", "sms"),
      findings=PS_FINDING, distributor=("dlr-liege", "NEAREST"), postcode="4000", language="",
      expect_language="fr"),
    S("german-speaker-in-eupen", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht; "
      "3: uw hierboven genoemde erkende verdeler of hersteller",
      "2025-03-01",
      [contact("purchase", "2024-03-05", "dlr-eupen"), give("email", "2024-03-05 12:00"),
       contact("service_visit", "2025-01-10", "dlr-liege")],
      # Eupen (4700) reads German; Eupen sold, Liège (another distributor) repaired
      {"purpose.questions.appointment"} | SALE | ACCOUNTING | VEHICLE | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(last_interaction="2029-03-05",      # guarantee end 2026-03-05 (2024-03-05 + 24) + 36 months
        contract_end="2026-03-05",          # 2024-03-05 + 24 months
        accounting="2033-01-01",            # last document 2025-01-10: 1 January 2026 + 7
        tax_v2="2036-01-01",                # 1 January 2026 + 10
        consent=None),
      "2026-03-05", channels=("email",), findings=PS_FINDING, distributor=("dlr-eupen", "PURCHASE"),
      others={(REPAIRER, "dlr-liege")}, postcode="4700", language="", expect_language="de",
      controllers_of={"purpose.marketing.personalisation": ("importer", "distributor", "repairer"),
                      "purpose.marketing.profile": ("importer", "distributor"),
                      "purpose.marketing.email": ("importer", "distributor", "repairer"),
                      "purpose.marketing.email-tracking": ("importer", "distributor")}),

    # --- other customers -------------------------------------------------------------------
    S("professional-quote", "2: Als u een professional bent, onder andere: Contactgegevens van uw "
      "bedrijf/vereniging/instelling",
      "2024-03-01", [contact("quote", "2024-02-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2027-02-01"), "2027-02-01",   # 2024-02-01 + 36 months
      notices=GENERAL | {"notice.professional"}, findings=PS_FINDING, professional=True),
    S("nothing-recorded", "1: Lexus Belgium ... en ondernemingsnummer BE 0403.425.770; Uw erkende Lexus-verdeler "
      "(... degene die Lexus aan u toewijst op basis van locatie ...)",
      "2024-05-01", [],
      # no period at all: nothing to erase, nothing overdue
      CENTRAL | LEGAL, BASE_RECIPIENTS, T_DPF, {}, None, findings=PS_FINDING),
    S("quote-older-than-36-months", "4: De periode die verstreken is sinds uw laatste interactie met ons;",
      "2023-05-03", [contact("quote", "2020-05-01")],
      # 36 whole months since the quote: no longer followed up; the prospect's data is overdue
      CENTRAL | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(prospect="2023-05-01"), "2023-05-01", findings=PS_FINDING | OVERDUE),  # 2020-05-01 + 36 months

    # --- the dates of the law ---------------------------------------------------------------
    S("before-the-policy", "Laatste update: versie 1.0. van 13/04/2020",
      "2020-04-12", [contact("test_drive_request", "2020-03-01")],
      set(), set(), set(), {}, None, notices=(), findings={"resolver.no-distributor"}, distributor=None),
    S("policy-first-day-privacy-shield", "5: ... of valt onder het EU-VS privacy shield | Implementing Decision "
      "(EU) 2019/419",
      "2020-04-13", [contact("test_drive_request", "2020-03-01")],
      # Japan's adequacy (2019) and the Brexit transition hold from the policy's first day
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_2020,
      R(test_drive="2020-09-01"), "2020-09-01"),   # 2020-03-01 + 6 months
    S("last-day-of-privacy-shield", "5: De doorgifte ... valt onder het EU-VS privacy shield",
      "2020-07-15", [contact("test_drive_request", "2020-03-01")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_2020,
      R(test_drive="2020-09-01"), "2020-09-01"),   # 2020-03-01 + 6 months
    S("schrems-ii", "5: De doorgifte is onderworpen aan door de Europese Commissie goedgekeurde "
      "gegevensbeschermingsclausules (artikel 46, lid 2, AVG) of valt onder het EU-VS privacy shield | CJEU C-311/18",
      "2020-07-16", [contact("test_drive_request", "2020-03-01")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCHREMS,
      R(test_drive="2020-09-01"), "2020-09-01", findings=PS_FINDING),  # 2020-03-01 + 6 months
    S("uk-transition-last-day", "5: Wij kunnen uw Gegevens overdragen naar bestemmingen buiten de EER, waaronder "
      "de Verenigde Staten en het Verenigd Koninkrijk | Withdrawal Agreement, art. 126 and 127",
      "2020-12-31", [contact("complaint", "2020-11-15")],
      {"purpose.questions.information"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCHREMS,
      R(prospect="2023-11-15"), "2023-11-15", findings=PS_FINDING),   # 2020-11-15 + 36 months
    S("uk-bridge-first-day", "5: waaronder de Verenigde Staten en het Verenigd Koninkrijk | EU-UK Trade and "
      "Cooperation Agreement, art. 782",
      "2021-01-01", [contact("complaint", "2020-11-15")],
      {"purpose.questions.information"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_BRIDGE,
      R(prospect="2023-11-15"), "2023-11-15", findings=PS_FINDING),   # 2020-11-15 + 36 months
    S("day-before-the-2021-clauses", "5: De doorgifte is onderworpen aan door de Europese Commissie goedgekeurde "
      "gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Commission Decision 2010/87/EU",
      "2021-06-26", [contact("brochure", "2021-01-04")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_BRIDGE,
      R(prospect="2024-01-04"), "2024-01-04", findings=PS_FINDING),   # 2021-01-04 + 36 months
    S("uk-bridge-last-day-2021-clauses-in-force", "5: Wij kunnen uw Gegevens overdragen naar bestemmingen buiten de "
      "EER, waaronder de Verenigde Staten en het Verenigd Koninkrijk | Implementing Decision (EU) 2021/914, art. 4",
      "2021-06-27", [contact("brochure", "2021-01-04")],
      # the 2021 clauses are in force, but no contract is concluded under them before 2022-10-03
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_BRIDGE,
      R(prospect="2024-01-04"), "2024-01-04", findings=PS_FINDING),  # 2021-01-04 + 36 months
    S("uk-adequacy", "5: De wetgeving van het land waarnaar uw gegevens worden overgedragen, biedt een adequaat "
      "niveau van gegevensbescherming (artikel 45 AVG) | Implementing Decision (EU) 2021/1772",
      "2021-06-28", [contact("brochure", "2021-01-04")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(prospect="2024-01-04"), "2024-01-04", findings=PS_FINDING),  # 2021-01-04 + 36 months
    S("old-clauses-last-day-for-new-contracts", "5: De doorgifte is onderworpen aan door de Europese Commissie "
      "goedgekeurde gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914, "
      "art. 4(2)",
      "2021-09-26", [contact("brochure", "2021-01-04")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(prospect="2024-01-04"), "2024-01-04", findings=PS_FINDING),  # 2021-01-04 + 36 months
    S("new-contracts-on-the-2021-clauses-only", "5: De doorgifte is onderworpen aan door de Europese Commissie "
      "goedgekeurde gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914, "
      "art. 4(2)",
      "2021-09-27", [contact("brochure", "2021-01-04")],
      # the 2018 contract stays on the 2010 clauses; none is concluded yet on the 2021 ones
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(prospect="2024-01-04"), "2024-01-04", findings=PS_FINDING),  # 2021-01-04 + 36 months
    S("day-before-the-2022-transfer-contract", "5: De doorgifte is onderworpen aan door de Europese Commissie "
      "goedgekeurde gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914",
      "2022-10-02", [contact("quote", "2022-09-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(prospect="2025-09-01"), "2025-09-01", findings=PS_FINDING),  # 2022-09-01 + 36 months
    S("2022-transfer-contract-on-the-2021-clauses", "5: De doorgifte is onderworpen aan door de Europese Commissie "
      "goedgekeurde gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914",
      "2022-10-03", [contact("quote", "2022-09-01")],
      # the contract concluded today is on the 2021 clauses; the 2018 one still on the 2010 ones
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_BOTH,
      R(prospect="2025-09-01"), "2025-09-01", findings=PS_FINDING,   # 2022-09-01 + 36 months
      fired_include=(US_SCC_2010, US_SCC_2021)),
    S("old-clauses-last-day", "5: De doorgifte is onderworpen aan door de Europese Commissie goedgekeurde "
      "gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914, art. 4(4)",
      "2022-12-27", [contact("service_visit", "2022-05-10")],
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_BOTH,
      R(last_interaction="2025-05-10",      # 2022-05-10 + 36 months
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # a 2022 invoice: 1 January 2023 + 7
      "2025-05-10", findings=PS_FINDING),
    S("old-clauses-expired", "5: De doorgifte is onderworpen aan door de Europese Commissie goedgekeurde "
      "gegevensbeschermingsclausules (artikel 46, lid 2, AVG) | Implementing Decision (EU) 2021/914, art. 4(4)",
      "2022-12-28", [contact("service_visit", "2022-05-10")],
      {"purpose.questions.appointment"} | ACCOUNTING | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(last_interaction="2025-05-10",      # 2022-05-10 + 36 months
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax_v1="2030-01-01"),               # 1 January 2023 + 7
      "2025-05-10", findings=PS_FINDING),
    S("day-before-dpf", "5: ... waaronder de Verenigde Staten",
      "2023-07-09", [contact("quote", "2023-07-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCC_2021,
      R(prospect="2026-07-01"), "2026-07-01", findings=PS_FINDING),  # 2023-07-01 + 36 months
    S("dpf", "5: De wetgeving van het land waarnaar uw gegevens worden overgedragen, biedt een adequaat niveau van "
      "gegevensbescherming (artikel 45 AVG) | Implementing Decision (EU) 2023/1795",
      "2023-07-10", [contact("quote", "2023-07-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2026-07-01"), "2026-07-01", findings=PS_FINDING),  # 2023-07-01 + 36 months
    S("uk-adequacy-first-decision-last-day", "5: biedt een adequaat niveau van gegevensbescherming (artikel 45 AVG) "
      "| Implementing Decision (EU) 2021/1772",
      "2025-12-27", [contact("showroom_visit", "2025-11-02")],
      {"purpose.questions.appointment"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(prospect="2028-11-02"), "2028-11-02", findings=PS_FINDING),  # 2025-11-02 + 36 months
    S("uk-adequacy-renewed", "5: biedt een adequaat niveau van gegevensbescherming (artikel 45 AVG) | Commission "
      "renewal of 19 December 2025 of Implementing Decision (EU) 2021/1772",
      "2025-12-28", [contact("showroom_visit", "2025-11-02")],
      {"purpose.questions.appointment"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_RENEWED,
      R(prospect="2028-11-02"), "2028-11-02", findings=PS_FINDING),  # 2025-11-02 + 36 months
    S("uk-adequacy-renewal-last-day", "5: biedt een adequaat niveau van gegevensbescherming (artikel 45 AVG) | "
      "Commission renewal of 19 December 2025 of Implementing Decision (EU) 2021/1772",
      "2031-12-27",
      [contact("purchase", "2026-06-01"),
       contract("financing", "2026-06-01", "2032-05-31", partner="Toyota Financial Services")],
      SALE | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER,
      T_RENEWED,
      R(last_interaction="2035-05-31",      # the financing's end 2032-05-31 + 36 months
        contract_end="2032-05-31",          # max(2032-05-31, 2026-06-01 + 24 months)
        accounting="2034-01-01",            # 1 January 2027 + 7
        tax_v2="2037-01-01"),               # 1 January 2027 + 10
      "2032-05-31", partners=("Toyota Financial Services",), notices=GENERAL | {"notice.lease-partner"},
      findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),   # purchase 2035 days old
    S("uk-adequacy-lapsed", "5: Wij kunnen uw Gegevens overdragen naar bestemmingen buiten de EER, waaronder de "
      "Verenigde Staten en het Verenigd Koninkrijk | Commission renewal of 19 December 2025 of Implementing "
      "Decision (EU) 2021/1772",
      "2031-12-28",
      [contact("purchase", "2026-06-01"),
       contract("financing", "2026-06-01", "2032-05-31", partner="Toyota Financial Services")],
      SALE | ACCOUNTING | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS | PARTNERS | CONTRACT_PARTNER,
      T_LAPSED,
      R(last_interaction="2035-05-31",      # 2032-05-31 + 36 months
        contract_end="2032-05-31",          # the financing's end
        accounting="2034-01-01",            # 1 January 2027 + 7
        tax_v2="2037-01-01"),               # 1 January 2027 + 10
      "2032-05-31", partners=("Toyota Financial Services",), notices=GENERAL | {"notice.lease-partner"},
      findings=PS_FINDING | {"finding.uk-adequacy-lapsed"}, distributor=("dlr-gent", "PURCHASE")),
]

BY_NAME = {s.name: s for s in SITUATIONS}
assert len(BY_NAME) == len(SITUATIONS) >= 80


def params(situations=SITUATIONS):
    """One parameter per situation, named by it."""
    return [pytest.param(s, id=s.name) for s in situations]


# --- recording and resolving -------------------------------------------------------------


def record(app: App, s: Situation) -> str:
    customer_id = "s-" + s.name[:60]
    if s.professional:
        app.customers.upsert(customer_id, s.postcode, kind="professional", enterprise_number="BE 0741.032.884")
    else:
        app.customers.upsert(customer_id, s.postcode)
    for n, event in enumerate(s.events):
        kind, *args = event
        if kind == "contact":
            what, dealer, when = args
            app.facts.record_contact("", customer_id, dealer, what, t(when))
        elif kind == "give":
            channel, when = args
            app.facts.record_consent(customer_id, channel, t(when), None, PROOF)
        elif kind == "withdraw":
            channel, when = args
            app.facts.record_consent(customer_id, channel, None, t(when))
        elif kind == "contract":
            what, partner, dealer, start, end = args
            app.facts.record_contract(f"{customer_id}-{n}", customer_id, what, partner, dealer, d(start), end and d(end))
        elif kind == "dispute":
            opened, closed = args
            app.facts.record_dispute(customer_id, t(opened), None, "complaint about the sale")
            if closed:
                app.facts.record_dispute(customer_id, None, t(closed))
        elif kind == "prefer":
            dealer, when = args
            app.facts.set_preference(customer_id, dealer, t(when))
        else:
            raise AssertionError(kind)
    return customer_id


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("resolution") / "db.sqlite")
    customers = {s.name: record(app, s) for s in SITUATIONS}
    cache = {}

    def resolve(s: Situation, language: str | None = None):
        language = s.language if language is None else language
        key = (s.name, language)
        if key not in cache:
            cache[key] = app.resolution.resolve(customers[s.name], s.as_of, language)
        return cache[key]

    resolve.app = app
    resolve.customers = customers
    return resolve


def consented_channels(s: Situation) -> tuple:
    """The channels whose consent is in force at the end of the as-of day, replayed from the
    situation's own events (independently of the product)."""
    cutoff = dt.datetime.combine(s.as_of + dt.timedelta(days=1), dt.time(), BXL)
    state = {}
    for event in s.events:
        if event[0] in ("give", "withdraw") and t(event[2]) < cutoff:
            state[event[1]] = event[0] == "give"
    return tuple(c for c in CHANNELS if state.get(c))


def dispute_open(s: Situation) -> bool:
    return any(e[0] == "dispute" and t(e[1]).date() <= s.as_of and (e[2] is None or t(e[2]).date() > s.as_of)
               for e in s.events)


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("s", params())
def test_situation(world, s):
    r = world(s)
    assert r.as_of == s.as_of
    assert r.language == s.expect_language
    assert r.rules_version == PACK_VERSION

    assert {p.id for p in r.purposes} == s.purposes
    by_id = {p.id: p for p in r.purposes}
    for purpose_id, (basis, article) in s.bases.items():
        assert (by_id[purpose_id].legal_basis, by_id[purpose_id].article) == (basis, article), purpose_id
    for purpose_id, controllers in s.controllers_of.items():
        assert tuple(by_id[purpose_id].controllers) == controllers, purpose_id

    assert {x.id for x in r.recipients} == s.recipients
    marketing_recipients = {x.id: tuple(x.channels) for x in r.recipients if x.marketing}
    assert marketing_recipients == {rid: s.channels for rid in s.recipients & MARKETING_RECIPIENTS}
    assert all(x.channels == () for x in r.recipients if not x.marketing)
    assert tuple(x.name for x in r.recipients if x.id == "recipient.contract-partner") == s.partners

    assert {x.rule: x.erase_after for x in r.retention} == s.retention
    assert len(r.retention) == len(s.retention)
    assert r.earliest_erase_date == s.earliest

    assert {n.id for n in r.notices} == s.notices
    assert {f.id for f in r.findings} == expected_findings(s)

    distributors = [c for c in r.controllers if c.role == "distributor"]
    if s.distributor is None:
        assert r.controllers == () if s.as_of < d("2020-04-13") else distributors == []
    else:
        assert [(c.id, c.basis) for c in distributors] == [s.distributor]
    assert {(c.role, c.id) for c in r.controllers if c.role in (SELLER, REPAIRER)} == s.others
    for rule_key in s.fired_include:
        assert rule_key in r.fired_rules


@pytest.mark.parametrize("s", params())
def test_transfers_of_the_day(world, s):
    """The safeguards in force on the day (section 5), one entry per rule version."""
    r = world(s)
    assert sorted(x.rule for x in r.transfers) == sorted(s.transfers)


def test_the_table_is_large_and_cites_the_policy():
    assert len(SITUATIONS) >= 80
    policy = " ".join(open(POLICY, encoding="utf-8").read().split())
    legal_sources = ("Decision", "Agreement", "CJEU", "GDPR", "law of")
    for s in SITUATIONS:
        quoted, _, law = s.cites.partition(" | ")
        assert quoted.split(":")[0].strip() in ("1", "2", "3", "4", "5") or "13/04/2020" in quoted, s.name
        # a legal text beside the policy names its source
        assert not law or any(source in law for source in legal_sources), (s.name, law)
        # every quoted fragment (between the elisions) is the policy's own wording
        for part in quoted.split(":", 1)[-1].replace(";", "...").split("..."):
            part = re.sub(r"^\s*[1-5]: ", "", " ".join(part.split())).strip(" ,")
            if len(part) > 12 and not part[:1].isdigit():
                assert part in policy, (s.name, part)


def test_the_table_covers_what_the_brief_asks():
    names = set(BY_NAME)
    assert any(s.professional for s in SITUATIONS) and any(not s.professional for s in SITUATIONS)
    assert {c for s in SITUATIONS for c in s.channels} == set(CHANNELS)
    days = {s.as_of for s in SITUATIONS}
    for boundary in ("2020-04-13", "2020-07-16", "2021-06-28", "2023-07-10", "2023-01-01"):
        b = d(boundary)
        assert any(x < b for x in days) and any(x >= b for x in days), boundary
    assert min(days) < d("2020-04-13")
    # both sides of every transition of the transfers
    for day in ("2021-06-26", "2021-06-27", "2021-09-26", "2021-09-27", "2022-10-02", "2022-10-03",
                "2022-12-27", "2022-12-28", "2020-12-31", "2021-01-01", "2021-06-28", "2025-12-27",
                "2025-12-28", "2031-12-27", "2031-12-28", "2020-07-15", "2020-07-16", "2023-07-09", "2023-07-10"):
        assert d(day) in days, day
    kinds = {e[1] for s in SITUATIONS for e in s.events if e[0] == "contract"}
    assert {"lease", "financing", "insurance", "maintenance"} <= kinds
    # records of both tax regimes, asked before and after 2023
    v1 = [s for s in SITUATIONS if "retention.tax@v1" in s.retention]
    v2 = [s for s in SITUATIONS if "retention.tax@v2" in s.retention]
    assert any(s.as_of < d("2023-01-01") for s in v1) and any(s.as_of >= d("2023-01-01") for s in v1)
    assert any(s.as_of >= d("2023-01-01") for s in v2)
    assert any("retention.tax@v1" in s.retention and "retention.tax@v2" in s.retention for s in SITUATIONS)
    assert any(all(e[0] == "contact" and e[1] == "service_visit" for e in s.events) and v in s.retention
               for s in SITUATIONS for v in ("retention.tax@v1", "retention.tax@v2"))
    others = {role for s in SITUATIONS for role, _ in s.others}
    assert others == {SELLER, REPAIRER}
    assert any("resolver.controller-inactive" in s.findings for s in SITUATIONS)
    assert any("resolver.erasure-overdue" in s.findings for s in SITUATIONS)
    assert any(s.expect_language == "de" and s.postcode == "4700" for s in SITUATIONS)
    assert any("retention.suppression@v1" in s.retention for s in SITUATIONS)
    assert {"open-dispute-legal-hold", "dispute-closed-before", "test-drive-recent",
            "test-drive-older-than-6-months", "purchase-years-ago", "seller-other-than-the-preferred-dealer",
            "repairer-service-only-dealer", "maintenance-ended-at-another-distributor", "lease-ended",
            "quote-prospect-the-day-before-the-purchase", "customer-from-the-day-of-the-purchase",
            "consent-withdrawn-suppression-only", "every-period-passed", "german-speaker-in-eupen",
            "seller-closed", "repairer-closed", "dispute-suspends-overdue-erasure"} <= names


def test_the_table_states_the_transfers_of_its_days():
    """The table's own consistency: each situation's transfers are those of its day."""
    for s in SITUATIONS:
        assert s.transfers == transfers_on(s.as_of), s.name


# --- properties over all situations ------------------------------------------------------


@pytest.mark.parametrize("s", params())
def test_marketing_only_with_consent_in_force(world, s):
    r = world(s)
    channels = consented_channels(s)
    marketing_ids = {p.id for p in r.purposes if p.group == "marketing"}
    per_channel = {f"purpose.marketing.{c}" for c in CHANNELS}
    assert sorted(p.channel for p in r.purposes if p.id in per_channel) == sorted(channels)
    # profiling and personalisation with any consent in force, e-mail tracking with the e-mail one
    assert (CONSENT_PURPOSES <= marketing_ids) == bool(channels)
    assert not (CONSENT_PURPOSES & marketing_ids) or channels
    assert ("purpose.marketing.email-tracking" in marketing_ids) == ("email" in channels)
    assert marketing_ids <= per_channel | CONSENT_PURPOSES | {"purpose.marketing.email-tracking"}
    for p in r.purposes:
        if p.id in per_channel:
            assert p.channel == p.id.rsplit(".", 1)[1]
        elif p.id == "purpose.marketing.email-tracking":
            assert p.channel == "email"
        else:
            assert p.channel is None, p.id
    marketing_recipients = [x for x in r.recipients if x.marketing]
    if channels and s.as_of >= d("2020-04-13"):
        assert {x.id for x in marketing_recipients} == MARKETING_RECIPIENTS
        assert all(tuple(x.channels) == channels for x in marketing_recipients)
    else:
        assert marketing_recipients == []
    assert r.facts["consent_any"] == bool(channels)
    assert ("retention.consent" in {x.id for x in r.retention}) == bool(channels)


@pytest.mark.parametrize("s", params())
def test_no_privacy_shield_from_schrems_ii(world, s):
    r = world(s)
    shield = [x for x in r.transfers if x.safeguard == "privacy_shield"]
    if s.as_of >= d("2020-07-16"):
        assert shield == []
        assert "finding.privacy-shield" in {f.id for f in r.findings}
    else:
        assert len(shield) == (s.as_of >= d("2020-04-13"))
        assert "finding.privacy-shield" not in {f.id for f in r.findings}


def uk_safeguard(day: dt.date) -> str | None:
    """The one safeguard for Inchcape in the UK on a day (transfers.yaml)."""
    if day < d("2020-04-13"):
        return None
    if day <= d("2020-12-31"):
        return "transition_period"      # Withdrawal Agreement, art. 126 and 127
    if day <= d("2021-06-27"):
        return "interim_provision"      # Trade and Cooperation Agreement, art. 782
    if day <= d("2031-12-27"):
        return "adequacy"               # Implementing Decision (EU) 2021/1772 and its renewal
    return None


@pytest.mark.parametrize("s", params())
def test_uk_safeguards_only_in_their_periods(world, s):
    """No answer offers UK adequacy outside 2021-06-28..2031-12-27, nor the transition or the
    bridge outside theirs; after the renewal's end, a finding instead."""
    r = world(s)
    uk = [x for x in r.transfers if x.country == "GB"]
    expected = uk_safeguard(s.as_of)
    assert [x.safeguard for x in uk] == ([expected] if expected else [])
    assert all(x.recipients == ("Inchcape SA",) for x in uk)
    if uk and uk[0].safeguard == "adequacy":
        assert uk[0].rule == (UK_ADEQ if s.as_of <= d("2025-12-27") else UK_ADEQ_RENEWED)
    assert ("finding.uk-adequacy-lapsed" in {f.id for f in r.findings}) == (s.as_of >= d("2031-12-28"))


@pytest.mark.parametrize("s", params())
def test_us_clauses_by_the_contracts_concluded(world, s):
    """The 2010 clauses govern the subcontractors' contract of 2018-05-25 while they count
    (to 2022-12-27); the 2021 clauses govern the one concluded on 2022-10-03, from that day."""
    r = world(s)
    clauses = sorted(x.rule for x in r.transfers if x.safeguard == "standard_contractual_clauses")
    expected = []
    if d("2020-04-13") <= s.as_of <= d("2022-12-27"):
        expected.append(US_SCC_2010)
    if s.as_of >= d("2022-10-03"):
        expected.append(US_SCC_2021)
    assert clauses == expected
    assert all(x.country == "US" and len(x.recipients) == 1 for x in r.transfers
               if x.safeguard == "standard_contractual_clauses")


@pytest.mark.parametrize("s", params())
def test_japan_is_adequate_from_the_policy_on(world, s):
    r = world(s)
    japan = [x for x in r.transfers if x.country == "JP"]
    if s.as_of >= d("2020-04-13"):
        # the article in the answer's language, naming the decision
        assert [x.safeguard for x in japan] == ["adequacy"] and "2019/419" in japan[0].article
    else:
        assert japan == []


@pytest.mark.parametrize("s", params())
def test_the_controllers_of_the_answer(world, s):
    r = world(s)
    if s.distributor is None:
        assert "resolver.no-distributor" in {f.id for f in r.findings}
        if s.as_of < d("2020-04-13"):
            assert r.controllers == ()
        return
    assert sorted(c.role for c in r.controllers) == sorted(["distributor", "importer", *(x[0] for x in s.others)])
    importer = next(c for c in r.controllers if c.role == "importer")
    assert importer.enterprise_number == IMPORTER_NUMBER
    assert (importer.name, importer.legal_name) == ("Lexus Belgium", "Toyota Belgium SA")
    assert importer.address == "Leuvensesteenweg 369, 1932 Zaventem"
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.id == s.distributor[0] and distributor.enterprise_number.startswith("BE 0")
    assert distributor.explanation
    for c in r.controllers:
        if c.role in (SELLER, REPAIRER):
            # a dealer holding data of its own, never the responsible distributor
            assert c.id != distributor.id and c.name and c.enterprise_number.startswith("BE 0")
            assert c.rule == f"controller.{c.role}@v1" and c.label and c.citation.section in ("1", "3")
    assert "resolver.no-distributor" not in {f.id for f in r.findings}


PURPOSES_YAML = "rules/privacy/purposes.yaml"


@pytest.fixture(scope="module")
def declared_controllers():
    """Each purpose rule's `controllers`, as the pack declares them."""
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2]
    rules = yaml.safe_load((root / PURPOSES_YAML).read_text(encoding="utf-8"))["rules"]
    return {r["id"]: tuple(r["output"]["controllers"]) for r in rules}


@pytest.mark.parametrize("s", params())
def test_every_purpose_has_the_basis_of_its_group(world, s, declared_controllers):
    """The group's legal basis; the controllers the rule declares, among those present
    (GDPR art. 26); the allocation between them."""
    r = world(s)
    present = {"importer"} | ({"distributor"} if s.distributor else set()) | {role for role, _ in s.others}
    for p in r.purposes:
        assert (p.legal_basis, p.article) == BASES[p.group], p.id
        assert p.id.startswith("purpose." + p.group.replace("_", "-") + ".")
        assert tuple(p.controllers) == tuple(c for c in declared_controllers[p.id] if c in present), p.id
        assert p.controllers and p.allocation, p.id


@pytest.mark.parametrize("s", params())
def test_fired_rules_are_exactly_the_outputs(world, s):
    r = world(s)
    items = r.controllers + r.purposes + r.recipients + r.transfers + r.retention + r.notices + r.findings
    from_rules = [x for x in items if x.rule]
    assert {x.rule for x in from_rules} == set(r.fired_rules)
    for x in from_rules:
        if x not in r.controllers:  # a controller's id is the entity's: importer or the dealer id
            assert x.rule.startswith(x.id + "@v")
        assert x.citation.section in ("intro", "1", "2", "3", "4", "5") and x.citation.text
    assert all(x.id in RESOLVER_FINDINGS for x in items if not x.rule)
    assert {c.rule for c in r.controllers} <= {f"controller.{role}@v1" for role in
                                               ("importer", "distributor", SELLER, REPAIRER)}


@pytest.mark.parametrize("s", params())
def test_every_rule_fires_once_and_answers_once(world, s):
    """A rule whose `when` has an `any:` with two true branches still fires once; a seller or
    repairer rule answers once per dealer; the resolver's findings are not repeated."""
    r = world(s)
    assert len(r.fired_rules) == len(set(r.fired_rules))
    for items in (r.purposes, r.transfers, r.retention, r.notices):
        keys = [x.rule for x in items]
        assert len(keys) == len(set(keys))
    controllers = [(x.rule, x.id) for x in r.controllers]
    assert len(controllers) == len(set(controllers))
    findings = [x.rule for x in r.findings if x.rule]
    assert len(findings) == len(set(findings))
    recipients = [(x.rule, x.name) for x in r.recipients]
    assert len(recipients) == len(set(recipients))


@pytest.mark.parametrize("s", params([BY_NAME["closed-dealer-sold-and-repaired"]]))
def test_a_closed_dealer_is_reported_once(world, s):
    """1: a dealer that sold and repaired is named twice (as seller and as repairer), but its
    closure is one fact, reported once."""
    r = world(s)
    assert [(c.role, c.id) for c in r.controllers if c.role in (SELLER, REPAIRER)].count((SELLER, "dlr-tournai")) == 1
    assert [f.id for f in r.findings].count("resolver.controller-inactive") == 1


def test_a_rule_with_two_true_branches_fires_once(world):
    # financing in force and a purchase: retention.contract-end's `any` holds twice; a contact
    # and an assigned dealer: purpose.data-management.central's `any` holds twice
    r = world(BY_NAME["financing-with-purchase"])
    assert [x.id for x in r.retention].count("retention.contract-end") == 1
    assert [p.id for p in r.purposes].count("purpose.data-management.central") == 1
    assert r.fired_rules.count("retention.contract-end@v2") == 1


@pytest.mark.parametrize("s", params())
def test_retention_flags(world, s):
    """Legal hold and due flags; the earliest date; erasure overdue when every period that is
    not merely kept has run out, no dispute is open and no consent is in force."""
    r = world(s)
    hold = dispute_open(s)
    for x in r.retention:
        assert x.legal_hold == hold
        assert x.due == (x.erase_after is not None and x.erase_after <= s.as_of)
        assert (x.method == "kept") == (x.id in ("retention.consent", "retention.suppression"))
        if x.method in ("kept", "legal_hold"):
            assert x.erase_after is None
    dated = [x for x in r.retention if x.method != "kept"]
    if hold:
        assert r.earliest_erase_date is None
    else:
        assert r.earliest_erase_date == min((x.erase_after for x in dated if x.erase_after), default=None)
    overdue = (not hold and not consented_channels(s) and bool(dated)
               and all(x.erase_after and x.erase_after <= s.as_of for x in dated))
    assert ("resolver.erasure-overdue" in {f.id for f in r.findings}) == overdue


@pytest.mark.parametrize("s", params())
def test_the_general_privacy_statement_is_always_referred_to(world, s):
    """1: "Dit Gegevensverwerkingsbeleid moet altijd worden gelezen in combinatie met het
    Algemeen privacy- en gegevensbeschermingsbeleid van Lexus"."""
    r = world(s)
    assert ("notice.general-privacy-statement" in {n.id for n in r.notices}) == (s.as_of >= d("2020-04-13"))


LANGUAGES = ("nl", "fr", "de", "en")
LABELS = {
    "fr": {
        "controller.importer": "Lexus Belgium, B.U. de Toyota Belgium SA, en tant que responsable du traitement",
        "purpose.legal.court-orders": "se conformer à une décision judiciaire",
        "retention.legal-hold": "jusqu'à la résolution du litige ou du différend",
        "resolver.no-distributor": "aucun distributeur agréé actif à cette date",
    },
    "de": {
        "controller.importer": "Lexus Belgium, B.U. von Toyota Belgium SA, als Verantwortlicher",
        "purpose.legal.court-orders": "einer gerichtlichen Entscheidung nachkommen",
        "retention.legal-hold": "bis die Streitigkeit oder Meinungsverschiedenheit beigelegt ist",
        "resolver.no-distributor": "an diesem Tag ist kein zugelassener Vertragshändler aktiv",
        "notice.general-privacy-statement": "Lesen Sie dies zusammen mit der Allgemeinen Datenschutzerklärung "
                                            "von Lexus, die beschreibt, wie Ihre Daten im Allgemeinen verarbeitet "
                                            "werden.",
        "retention.consent": "solange Ihre Einwilligung in Marketing gilt, bis Sie sie widerrufen",
        "retention.contract-end": "bis zum Ende der Vertragsbeziehung mit Ihnen (bei einem Kauf das Ende der "
                                  "gesetzlichen Gewährleistung von zwei Jahren)",
        "transfer.jp.adequacy": "Übermittlung nach Japan auf Grundlage des Angemessenheitsbeschlusses der "
                                "Europäischen Kommission",
    },
}
# The texts besides the label that an entry shows the customer, by entry type.
TEXTS = {"PurposeEntry": ("why", "allocation"), "RecipientEntry": ("name", "purpose"),
         "TransferEntry": ("applies_to",), "RetentionEntry": ("category",), "PolicyNotice": ("refers_to",)}


@pytest.mark.parametrize("s", params([
    BY_NAME["purchase-years-ago"], BY_NAME["professional-lease"], BY_NAME["open-dispute-legal-hold"],
    BY_NAME["email-consent"], BY_NAME["before-the-policy"], BY_NAME["schrems-ii"],
    BY_NAME["french-speaking-test-drive-with-two-consents"], BY_NAME["german-speaker-in-eupen"],
    BY_NAME["seller-closed"], BY_NAME["consent-withdrawn-suppression-only"], BY_NAME["uk-bridge-first-day"],
    BY_NAME["lease-and-insurance-two-partners"],
]))
def test_labels_in_the_asked_language(world, s):
    """nl, fr, de and en: each label is the asked language's own (no two languages share
    one), and so are the whys, allocations, recipients' names and purposes, transfers,
    retention categories and notices."""
    answers = [world(s, language) for language in LANGUAGES]
    assert tuple(r.language for r in answers) == LANGUAGES
    items = [r.controllers + r.purposes + r.recipients + r.transfers + r.retention + r.notices + r.findings
             for r in answers]
    assert items[0] and all([x.id for x in each] == [x.id for x in items[0]] for each in items)
    for same in zip(*items):
        labels = [x.label for x in same]
        assert all(labels) and len(set(labels)) == len(LANGUAGES), (same[0].id, labels)
        for language, x in zip(LANGUAGES, same):
            assert x.label == LABELS.get(language, {}).get(x.id, x.label)
        for name in TEXTS.get(type(same[0]).__name__, ()):
            texts = [getattr(x, name) for x in same]
            assert all(texts), (same[0].id, name)
            if name != "name":  # a company's own name reads the same in every language
                assert len(set(texts)) == len(LANGUAGES), (same[0].id, name, texts)
    # the rest of the answer does not depend on the language
    assert len({r.fired_rules for r in answers}) == 1 and len({r.earliest_erase_date for r in answers}) == 1


def test_a_german_speaker_in_eupen_reads_german(world):
    """Eupen (4700) is in the German-speaking community: without an asked language the answer
    is German, its labels the pack's German ones (README: Languages)."""
    s = BY_NAME["german-speaker-in-eupen"]
    r = world(s)  # language "": the customer's own
    assert r.language == "de"
    labels = {x.rule.split("@")[0]: x.label for x in r.controllers + r.retention + r.notices + r.transfers}
    for rule_id in ("controller.importer", "notice.general-privacy-statement", "retention.consent",
                    "retention.contract-end", "transfer.jp.adequacy"):
        assert labels[rule_id] == LABELS["de"][rule_id], rule_id
    repairer = next(c for c in r.controllers if c.role == REPAIRER)
    assert repairer.id == "dlr-liege"
    assert repairer.label == ("die zugelassene Werkstatt, die Ihr Fahrzeug gewartet oder repariert hat, als "
                              "Verantwortliche für die Daten dieser Reparaturen")
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.explanation == "Kauf bei diesem Vertragshändler am 05.03.2024"
    tracking = next(p for p in r.purposes if p.id == "purpose.marketing.email-tracking")
    assert tracking.allocation.startswith("Lexus Belgium verwaltet Ihre Einwilligungen")


# --- details --------------------------------------------------------------------------------


def test_transfer_articles_and_recipients(world):
    subcontractors = "Externe onderaannemers (externe callcenters, reclamebureau, IT-serviceproviders)"
    related = "Andere aan Lexus gerelateerde bedrijven (bijv. Toyota Motor Corporation)"
    r = world(BY_NAME["dpf"])
    by_rule = {x.rule: x for x in r.transfers}
    assert by_rule[US_DPF].article == "art. 45 AVG (Uitvoeringsbesluit (EU) 2023/1795)"
    assert by_rule[US_SCC_2021].article == "art. 46, lid 2, c), AVG (Uitvoeringsbesluit (EU) 2021/914)"
    assert by_rule[UK_ADEQ].article == "art. 45 AVG (Uitvoeringsbesluit (EU) 2021/1772, C(2021) 4800, tot 27 december 2025)"
    assert by_rule[UK_ADEQ].recipients == ("Inchcape SA",)
    assert by_rule[JP].article == "art. 45 AVG (Uitvoeringsbesluit (EU) 2019/419)"
    assert by_rule[JP].recipients == (related,)
    # US transfers now name only the subcontractors
    assert by_rule[US_DPF].recipients == by_rule[US_SCC_2021].recipients == (subcontractors,)
    r = world(BY_NAME["policy-first-day-privacy-shield"])
    by_rule = {x.rule: x for x in r.transfers}
    assert by_rule[US_PS].article == "art. 45 AVG (Uitvoeringsbesluit (EU) 2016/1250)"
    assert by_rule[US_PS].recipients == (subcontractors,)
    assert by_rule[US_SCC_2010].article == "art. 46, lid 2, c), AVG (Besluit 2010/87/EU van de Commissie)"
    assert by_rule[UK_TRANSITION].article == "Terugtrekkingsakkoord, art. 126 en 127 (PB C 384 I van 12.11.2019)"
    assert (by_rule[UK_TRANSITION].country, by_rule[UK_TRANSITION].safeguard) == ("GB", "transition_period")
    r = world(BY_NAME["uk-bridge-first-day"])
    bridge = next(x for x in r.transfers if x.country == "GB")
    assert (bridge.rule, bridge.safeguard) == (UK_BRIDGE, "interim_provision")
    assert bridge.article == "Handels- en Samenwerkingsovereenkomst EU-VK, art. 782 (ex FINPROV.10A; PB L 149 van 30.4.2021)"
    r = world(BY_NAME["2022-transfer-contract-on-the-2021-clauses"])
    assert sorted(x.article for x in r.transfers if x.safeguard == "standard_contractual_clauses") == [
        "art. 46, lid 2, c), AVG (Besluit 2010/87/EU van de Commissie)", "art. 46, lid 2, c), AVG (Uitvoeringsbesluit (EU) 2021/914)"]


def test_distributor_controller_details(world):
    r = world(BY_NAME["nothing-recorded"])
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert (distributor.legal_name, distributor.enterprise_number) == ("Scheldeveld Automotive NV", "BE 0812.095.777")
    assert distributor.basis == "NEAREST" and "9000" in distributor.explanation
    r = world(BY_NAME["purchase-years-ago"])
    distributor = next(c for c in r.controllers if c.role == "distributor")
    # explained in the customer's language, Dutch in Gent, with the day as Dutch writes it
    assert distributor.basis == "PURCHASE" and distributor.explanation == "aankoop bij deze verdeler op 02/05/2019"


def test_sellers_and_repairers_are_described_as_on_the_day(world):
    r = world(BY_NAME["seller-other-than-the-preferred-dealer"])
    seller = next(c for c in r.controllers if c.role == SELLER)
    assert (seller.id, seller.legal_name, seller.enterprise_number) == (
        "dlr-antwerpen", "Scheldekaai Automotive NV", "BE 0763.028.130")
    assert seller.rule == "controller.seller@v1" and seller.basis is None
    r = world(BY_NAME["repairer-service-only-dealer"])
    repairer = next(c for c in r.controllers if c.role == REPAIRER)
    assert (repairer.id, repairer.legal_name) == ("dlr-turnhout", "Kempenhof Mobility BV")
    r = world(BY_NAME["seller-closed"])
    inactive = [f for f in r.findings if f.id == "resolver.controller-inactive"]
    assert len(inactive) == 1 and inactive[0].severity == "warning"
    assert "Escaut Tournai" in inactive[0].label or "Escaut Motors SRL" in inactive[0].label
    assert "resolver.controller-inactive" not in {f.id for f in world(BY_NAME["seller-on-its-last-day-is-the-distributor"]).findings}


def test_marketing_purposes_name_their_controllers_and_the_channel(world):
    r = world(BY_NAME["all-channels-no-contact"])
    marketing_purposes = {p.id: p for p in r.purposes if p.group == "marketing"}
    assert set(marketing_purposes) == marketing(*CHANNELS)
    for channel in CHANNELS:
        p = marketing_purposes[f"purpose.marketing.{channel}"]
        assert p.channel == channel
        # the repairer is named only when another dealer repaired
        assert p.controllers == ("importer", "distributor")
    assert marketing_purposes["purpose.marketing.email-tracking"].channel == "email"
    assert marketing_purposes["purpose.marketing.profile"].channel is None
    assert marketing_purposes["purpose.marketing.personalisation"].controllers == ("importer", "distributor")


def test_retention_anchors(world):
    r = world(BY_NAME["financing-with-purchase"])
    anchors = {x.rule: (x.anchor, x.anchor_date) for x in r.retention}
    assert anchors == {
        "retention.last-interaction@v2": ("last_interaction", d("2026-09-14")),  # the financing's end
        "retention.contract-end@v2": ("contract_end", d("2026-09-14")),
        "retention.accounting@v1": ("last_accounting_event", d("2022-09-15")),
        "retention.tax@v1": ("last_accounting_event", d("2022-09-15")),
    }
    r = world(BY_NAME["sms-withdrawn-email-kept"])
    anchors = {x.rule: (x.method, x.anchor, x.anchor_date) for x in r.retention}
    assert anchors == {
        "retention.prospect@v1": ("months_after", "last_interaction", d("2023-06-10")),
        "retention.consent@v1": ("kept", None, None),
        "retention.consent-withdrawn@v1": ("at", "last_consent_withdrawal", d("2023-06-10")),
        "retention.suppression@v1": ("kept", None, None),
    }
    hold = world(BY_NAME["open-dispute-legal-hold"])
    legal = next(x for x in hold.retention if x.id == "retention.legal-hold")
    assert (legal.method, legal.anchor, legal.erase_after, legal.legal_hold) == ("legal_hold", None, None, True)


def test_an_overdue_erasure_names_the_last_period(world):
    r = world(BY_NAME["every-period-passed"])
    overdue = next(f for f in r.findings if f.id == "resolver.erasure-overdue")
    # the last of the periods: accounting and tax, 2021-01-01
    assert overdue.severity == "violation"
    assert any(day in overdue.label for day in ("2021-01-01", "01/01/2021")), overdue.label


def test_resolving_today(tmp_path):
    """Without an as-of day the answer speaks for today: a test drive ten days ago is followed
    up and its data kept until six months after the request."""
    app = make_app(tmp_path / "db.sqlite")
    app.customers.upsert("today", "9000")
    requested = clock.now() - dt.timedelta(days=10)
    app.facts.record_contact("", "today", "dlr-gent", "test_drive_request", requested)
    r = app.resolution.resolve("today", None, "en")
    assert r.as_of == clock.today() and r.language == "en"
    assert "purpose.questions.test-drive" in {p.id for p in r.purposes}
    day = clock.day_of(requested)
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    while True:
        try:
            six_months = dt.date(year, month, day.day)
            break
        except ValueError:
            day = day.replace(day=day.day - 1)
    items = {x.id: x.erase_after for x in r.retention}
    assert items == {"retention.test-drive": six_months}  # a test-drive-only prospect
    assert r.earliest_erase_date == six_months
    assert {x.rule for x in r.transfers} == transfers_on(clock.today())


def test_documents_of_both_tax_regimes_each_keep_their_own_period(world):
    """A 2019 sale and a 2024 sale: the 2019 documents keep 7 years from 1 January 2020, the
    2024 ones 10 years from 1 January 2025; each entry names its version and its own anchor.
    4: "... (bijvoorbeeld voor fiscale doeleinden), in welk geval wij uw gegevens zullen
    bewaren zolang deze verplichting vereist." """
    app = world.app
    app.customers.upsert("s-two-regimes", "9000")
    app.facts.record_contact("", "s-two-regimes", "dlr-gent", "purchase", t("2019-05-02"))
    app.facts.record_contact("", "s-two-regimes", "dlr-gent", "purchase", t("2024-02-01"))
    r = app.resolution.resolve("s-two-regimes", d("2025-03-01"), "nl")
    tax = sorted((x.rule, x.anchor_date, x.erase_after) for x in r.retention if x.id == "retention.tax")
    assert tax == [("retention.tax@v1", d("2019-05-02"), d("2027-01-01")),
                   ("retention.tax@v2", d("2024-02-01"), d("2035-01-01"))]
    assert {"retention.tax@v1", "retention.tax@v2"} <= set(r.fired_rules)
    # Asked before the second sale, only the first regime's documents exist.
    before = app.resolution.resolve("s-two-regimes", d("2023-06-01"), "nl")
    assert [x.rule for x in before.retention if x.id == "retention.tax"] == ["retention.tax@v1"]
    assert "retention.tax@v2" not in before.fired_rules


@pytest.mark.parametrize("day,rule,article,finding", [
    ("2020-04-13", UK_TRANSITION, "Withdrawal Agreement, art. 126 and 127 (OJ C 384 I, 12.11.2019)", False),
    ("2020-12-31", UK_TRANSITION, "Withdrawal Agreement, art. 126 and 127 (OJ C 384 I, 12.11.2019)", False),
    ("2021-01-01", UK_BRIDGE, "EU-UK Trade and Cooperation Agreement, art. 782 (ex FINPROV.10A; OJ L 149, 30.4.2021)",
     False),
    ("2021-06-27", UK_BRIDGE, "EU-UK Trade and Cooperation Agreement, art. 782 (ex FINPROV.10A; OJ L 149, 30.4.2021)",
     False),
    ("2021-06-28", UK_ADEQ, "GDPR art. 45 (Implementing Decision (EU) 2021/1772, C(2021) 4800, to 27 December 2025)",
     False),
    ("2025-12-27", UK_ADEQ, "GDPR art. 45 (Implementing Decision (EU) 2021/1772, C(2021) 4800, to 27 December 2025)",
     False),
    ("2025-12-28", UK_ADEQ_RENEWED, "GDPR art. 45 (Implementing Decision (EU) 2021/1772, renewed by the Commission on "
                                    "19 December 2025, to 27 December 2031)", False),
    ("2031-12-27", UK_ADEQ_RENEWED, "GDPR art. 45 (Implementing Decision (EU) 2021/1772, renewed by the Commission on "
                                    "19 December 2025, to 27 December 2031)", False),
    ("2031-12-28", None, None, True),
    ("2032-06-01", None, None, True),
])
def test_uk_safeguards_follow_brexit_and_the_decisions_and_lapse(world, day, rule, article, finding):
    """5: "biedt een adequaat niveau van gegevensbescherming (artikel 45 AVG)": the transition
    period to 2020-12-31, the bridge to 2021-06-27, then only while a decision covers the day;
    after the renewal's end, no safeguard and a finding."""
    app = world.app
    app.customers.upsert("s-uk-days", "9000")
    r = app.resolution.resolve("s-uk-days", d(day), "en")
    uk = [x for x in r.transfers if x.country == "GB"]
    assert [(x.rule, x.article) for x in uk] == ([(rule, article)] if rule else [])
    assert ("finding.uk-adequacy-lapsed" in {f.id for f in r.findings}) == finding


def test_a_closed_dealer_still_assigned_is_reported(app):
    """1: "Uw erkende Lexus-verdeler": an assignment naming a dealer closed since is reported
    until a re-assignment moves the customer."""
    app.customers.upsert("s-closed-dealer", "9000")
    assert app.assignment.assign("s-closed-dealer")[0].dealer.dealer_id == "dlr-gent"
    app.network.close_dealer("dlr-gent", clock.today() - dt.timedelta(days=1), "test",
                             Correction("closed yesterday, recorded today"))
    r = app.resolution.resolve("s-closed-dealer", None, "fr")
    inactive = [f for f in r.findings if f.id == "resolver.distributor-inactive"]
    assert len(inactive) == 1 and "n'est pas actif" in inactive[0].label
    assert [c.id for c in r.controllers if c.role == "distributor"] == ["dlr-gent"]
    app.assignment.assign("s-closed-dealer")
    r = app.resolution.resolve("s-closed-dealer", None, "fr")
    assert "resolver.distributor-inactive" not in {f.id for f in r.findings}
    assert [c.id for c in r.controllers if c.role == "distributor"] != ["dlr-gent"]
