"""The acceptance table of controller resolution, in the domain (no gRPC).

Each situation records a customer's history through the use cases with explicit past
timestamps and states, by hand, what the policy ("Beleid inzake de verwerking van uw
persoonsgegevens", Lexus Belgium v1.0 of 13/04/2020) and the privacy rule pack say about the
customer on one day: purposes (and some legal bases), recipients (marketing ones with their
channels), transfers outside the EEA, retention dates, notices, findings and the distributor.
Every expected date is computed by hand in the comment beside it. Properties that must hold
for every situation follow the table.

Reading the pack (rules/privacy/*.yaml), the building blocks of the expected sets are:
- always (from 2020-04-13): the importer, the three legal-obligation purposes, the six
  section-5 recipients and the transfers of the day (see T_* below);
- any contact or started contract: the five quality purposes (evaluation, research,
  satisfaction surveys, anonymised use, fraud) and retention.last-interaction (36 months);
- an assigned distributor or any interaction: purpose.data-management.central;
- a purchase or a service visit ("a vehicle"): products-services, locating, recalls;
- a purchase: contract.sale and retention.contract-end (anchor: the purchase day);
- a purchase or any started contract: accounting purpose, retention.accounting (7 years) and
  retention.tax (7 years for documents dated before 2023-01-01, 10 years for those from
  that day, whatever day is asked about), both from 1 January after the year of the last
  purchase or contract start (of each regime's documents, for tax);
- a contract in force: fraud-disputes, transfer-of-claims, retention.contract-end (anchor:
  the last end, none while a contract is open-ended);
- a lease in force: the three leasing purposes; a lease or financing in force: the partners
  recipient and notice.lease-partner; insurance through Car Security in force: partners and
  notice.insurance-car-security;
- consent in force per channel: purpose.marketing.<channel>; any consent: the three
  marketing recipients (Car Security, Autoproduct, Toyota Motor Europe) with the channels;
- an open dispute: fraud-disputes, retention.legal-hold, notice.dispute, every retention item
  on legal hold and no earliest erase date.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from cocontroller import clock
from cocontroller.bootstrap import App
from cocontroller.model import Correction
from support import make_app

BXL = ZoneInfo("Europe/Brussels")
CHANNELS = ("email", "sms", "phone", "post", "social")
IMPORTER_NUMBER = "BE 0403.425.770"


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
INTERACTION = {
    "purpose.quality.evaluation", "purpose.quality.research",
    "purpose.quality.satisfaction-surveys", "purpose.quality.anonymised-use",
    "purpose.quality.fraud", "purpose.data-management.central",
}
VEHICLE = {"purpose.contract.products-services", "purpose.contract.locating", "purpose.quality.recalls"}
SALE = {"purpose.contract.sale", "purpose.contract.accounting"}
IN_FORCE = {"purpose.contract.accounting", "purpose.contract.fraud-disputes", "purpose.contract.transfer-of-claims"}
LEASING = {"purpose.leasing.contract-information", "purpose.leasing.follow-up", "purpose.leasing.customer-indication"}


def marketing(*channels):
    return {f"purpose.marketing.{c}" for c in channels}


BASE_RECIPIENTS = {
    "recipient.subcontractors", "recipient.toyota-motor-europe", "recipient.inchcape",
    "recipient.car-security", "recipient.autoproduct", "recipient.related-companies",
}
PARTNERS = {"recipient.partners"}
MARKETING_RECIPIENTS = {
    "recipient.marketing.car-security", "recipient.marketing.autoproduct",
    "recipient.marketing.toyota-motor-europe",
}

US_SCC = ("US", "standard_contractual_clauses")
US_PS = ("US", "privacy_shield")
US_DPF = ("US", "data_privacy_framework")
GB_SCC = ("GB", "standard_contractual_clauses")
GB_ADEQ = ("GB", "adequacy")
T_2020 = {US_SCC, US_PS, GB_SCC}          # 2020-04-13 .. 2020-07-15
T_SCHREMS = {US_SCC, GB_SCC}              # 2020-07-16 .. 2021-06-27
T_UK = {US_SCC, GB_ADEQ}                  # 2021-06-28 .. 2023-07-09
T_DPF = {US_SCC, US_DPF, GB_ADEQ}         # from 2023-07-10

PS_FINDING = {"finding.privacy-shield"}   # from 2020-07-16
# Findings that come with a purpose whose reading in the policy is doubtful (notices.yaml):
# accounting rests on a legal obligation, not the contract; locating after an emergency call
# is the eCall of Regulation (EU) 2015/758, sent to the emergency services.
PURPOSE_FINDINGS = {"purpose.contract.accounting": "finding.accounting-legal-basis",
                    "purpose.contract.locating": "finding.locating-ecall"}


def expected_findings(s) -> set:
    """The situation's own findings and those its purposes bring."""
    return set(s.findings) | {f for p, f in PURPOSE_FINDINGS.items() if p in s.purposes}

BASES = {
    "questions": ("contract_or_legitimate_interest", "6(1)(b) or 6(1)(f)"),
    "contract": ("contract", "6(1)(b)"),
    "quality": ("legitimate_interest", "6(1)(f)"),
    "leasing": ("legitimate_interest", "6(1)(f)"),
    "data_management": ("legitimate_interest", "6(1)(f)"),
    "marketing": ("consent", "6(1)(a)"),
    "legal": ("legal_obligation", "6(1)(c)"),
}


@dataclass(frozen=True)
class Situation:
    name: str
    cites: str                      # "section: the policy sentence"
    as_of: dt.date
    events: tuple
    purposes: frozenset
    recipients: frozenset
    transfers: frozenset
    retention: dict                 # rule id -> erase_after (None: open-ended / legal hold)
    earliest: dt.date | None
    channels: tuple = ()            # of the marketing recipients, in the API's channel order
    notices: frozenset = frozenset()
    findings: frozenset = frozenset()
    distributor: tuple | None = ("dlr-gent", "NEAREST")  # (dealer id, basis), None: none
    professional: bool = False
    postcode: str = "9000"
    language: str = "nl"            # asked; "" = the customer's own
    expect_language: str = "nl"
    bases: dict = field(default_factory=dict)   # purpose id -> (legal_basis, article)
    fired_include: tuple = ()
    marks: tuple = ()


def S(name, cites, as_of, events, purposes, recipients, transfers, retention, earliest, **kw):
    return Situation(
        name=name, cites=cites, as_of=d(as_of), events=tuple(events), purposes=frozenset(purposes),
        recipients=frozenset(recipients), transfers=frozenset(transfers), retention=retention,
        earliest=earliest and d(earliest),
        notices=frozenset(kw.pop("notices", ())), findings=frozenset(kw.pop("findings", ())), **kw,
    )


def R(**dates):
    """Retention items: retention_rule_name='YYYY-MM-DD' or None."""
    return {"retention." + k.replace("_", "-"): (v and d(v)) for k, v in dates.items()}


SITUATIONS = [
    # --- test drives (section 4's example) -------------------------------------------------
    S("test-drive-recent", "4: als u bijvoorbeeld een testrit heeft aangevraagd, bewaren wij uw "
      "persoonlijke gegevens tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-04-15", [contact("test_drive_request", "2024-03-10")],
      # 36 days since the request: followed up
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10",            # 2024-03-10 + 6 months
        last_interaction="2027-03-10"),     # 2024-03-10 + 36 months
      "2024-09-10", findings=PS_FINDING,
      bases={"purpose.questions.test-drive": ("contract_or_legitimate_interest", "6(1)(b) or 6(1)(f)"),
             "purpose.quality.evaluation": ("legitimate_interest", "6(1)(f)")}),
    S("test-drive-older-than-6-months", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-05-01", [contact("test_drive_request", "2023-06-01")],
      # 335 days: no longer followed up, the test drive data is due
      INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2023-12-01", last_interaction="2026-06-01"), "2023-12-01", findings=PS_FINDING),
    S("test-drive-183-days-still-followed-up", "3: Om uw aanvraag voor een proefrit ... op te volgen en te beantwoorden",
      "2024-09-09", [contact("test_drive_request", "2024-03-10")],
      # 2024-03-10 -> 2024-09-09 is 183 days, still inside 6 months (until 2024-09-10)
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10", last_interaction="2027-03-10"), "2024-09-10", findings=PS_FINDING),
    S("test-drive-6-months-passed", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-09-10", [contact("test_drive_request", "2024-03-10")],
      # 184 days: the 6 months are over on 2024-09-10
      INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-09-10", last_interaction="2027-03-10"), "2024-09-10", findings=PS_FINDING),
    S("test-drive-end-of-month-6-months-passed", "4: tot 6 maanden na de datum waarop u uw verzoek bij ons indient",
      "2024-08-01", [contact("test_drive_request", "2024-01-31")],
      # 2024-01-31 + 6 months = 2024-07-31: on 2024-08-01 the data must be gone, so the request
      # can no longer be followed up (though it is 183 days ago)
      INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(test_drive="2024-07-31", last_interaction="2027-01-31"), "2024-07-31", findings=PS_FINDING),

    # --- purchases, accounting and tax ------------------------------------------------------
    S("purchase-years-ago", "3: Om de contracten tussen u en ons te aanvaarden, op te stellen en op te volgen, "
      "bijvoorbeeld op basis van uw aankoop van een Lexus voertuig; Voor boekhoudkundige doeleinden",
      "2024-05-01", [contact("purchase", "2019-05-02")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2022-05-02",      # 2019-05-02 + 36 months
        contract_end="2019-05-02",          # a sale ends on its day
        accounting="2027-01-01",            # 1 January 2020 + 7 years
        tax="2027-01-01"),                  # a 2019 document keeps its 7 years, asked in 2024 too
      "2019-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      bases={"purpose.contract.sale": ("contract", "6(1)(b)"),
             "purpose.contract.accounting": ("contract", "6(1)(b)"),
             "purpose.legal.tax": ("legal_obligation", "6(1)(c)")},
      fired_include=("retention.tax@v1",)),
    S("purchase-tax-7-years-on-2022-12-31", "4: het bestaan van een Reglementaire of wettelijke verplichting om "
      "persoonsgegevens te bewaren (bijvoorbeeld voor fiscale doeleinden)",
      "2022-12-31", [contact("purchase", "2019-05-02")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2022-05-02", contract_end="2019-05-02", accounting="2027-01-01",
        tax="2027-01-01"),                  # 1 January 2020 + 7 years before 2023
      "2019-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v1",)),
    S("purchase-tax-by-the-document-date-not-the-question", "4: ... (bijvoorbeeld voor fiscale doeleinden), in "
      "welk geval wij uw gegevens zullen bewaren zolang deze verplichting vereist.",
      "2023-01-01", [contact("purchase", "2019-05-02")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2022-05-02", contract_end="2019-05-02", accounting="2027-01-01",
        tax="2027-01-01"),                  # asked on the day the 10 years began: still 7
      "2019-05-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v1",)),
    S("purchase-tax-10-years-for-a-2023-document", "4: ... (bijvoorbeeld voor fiscale doeleinden), in welk geval "
      "wij uw gegevens zullen bewaren zolang deze verplichting vereist.",
      "2024-05-01", [contact("purchase", "2023-03-01")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-03-01",      # 2023-03-01 + 36 months
        contract_end="2023-03-01", accounting="2031-01-01",  # 1 January 2024 + 7 years
        tax="2034-01-01"),                  # 1 January 2024 + 10 years
      "2023-03-01", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      fired_include=("retention.tax@v2",)),
    S("two-purchases-the-latest-counts", "1: Uw erkende Lexus-verdeler (van wie u hebt aangekocht ...)",
      "2023-03-01",
      [contact("purchase", "2016-06-10", "dlr-antwerpen"), contact("purchase", "2021-11-20")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2024-11-20", contract_end="2021-11-20",
        accounting="2029-01-01",            # 1 January 2022 + 7
        tax="2029-01-01"),                  # 1 January 2022 + 7: documents of 2021 keep 7 years
      "2021-11-20", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("purchase-with-open-maintenance-contract", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-03-15", [contact("purchase", "2021-03-15"), contract("maintenance", "2021-03-15")],
      SALE | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2024-03-15",      # 2021-03-15 + 36 months: due today
        contract_end=None,                  # the maintenance contract has no end
        accounting="2029-01-01", tax="2029-01-01"),  # a 2021 document: 7 years
      "2024-03-15", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("service-visit-only", "3: Om u te voorzien van onze producten en diensten (bijv. onderhoud, probleemoplossing "
      "en reparatie van uw Lexus voertuig ...); Om contact met u op te nemen in het geval dat uw Lexus voertuig deel "
      "uitmaakt van een veiligheidsoproep",
      "2024-01-10", [contact("service_visit", "2023-10-10")],
      {"purpose.questions.appointment"} | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-10-10"), "2026-10-10", findings=PS_FINDING,
      bases={"purpose.quality.recalls": ("legitimate_interest", "6(1)(f)"),
             "purpose.contract.products-services": ("contract", "6(1)(b)")}),

    # --- lease, financing, insurance --------------------------------------------------------
    S("professional-lease", "3: Indien u een leasecontract heeft met één van onze commerciele partners : ... - Om uw "
      "erkende verdeler in staat te stellen de nodige opvolging te geven aan uw leasing",
      "2024-05-01", [contract("lease", "2023-03-01", "2027-02-28", partner="Lexus Financial Services")],
      # a lessee drives a Lexus: the vehicle purposes apply too
      VEHICLE | IN_FORCE | LEASING | INTERACTION | LEGAL, BASE_RECIPIENTS | PARTNERS, T_DPF,
      R(last_interaction="2026-03-01",      # contract start 2023-03-01 + 36 months
        contract_end="2027-02-28",          # the lease's end
        accounting="2031-01-01",            # 1 January 2024 + 7
        tax="2034-01-01"),                  # 1 January 2024 + 10
      "2026-03-01", notices={"notice.lease-partner", "notice.professional"}, findings=PS_FINDING,
      professional=True, language="fr", expect_language="fr",
      bases={"purpose.leasing.follow-up": ("legitimate_interest", "6(1)(f)"),
             "purpose.leasing.customer-indication": ("legitimate_interest", "6(1)(f)"),
             "purpose.contract.transfer-of-claims": ("contract", "6(1)(b)")}),
    S("lease-starting-after-the-as-of-day", "3: Indien u een leasecontract heeft met één van onze commerciele partners",
      "2024-06-01",
      [contact("quote", "2024-05-20"), contract("lease", "2024-07-01", "2028-06-30", partner="Lexus Lease")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-05-20"), "2027-05-20", findings=PS_FINDING),
    S("financing-with-purchase", "2: Indien u een financierings-/lening- of leasingscontract hebt afgesloten met één "
      "van onze commerciele partners, ... nodigen wij u uit om het Gegevensverwerkingsbeleid van de betrokken "
      "partner te raadplegen.",
      "2024-01-10",
      [contact("purchase", "2022-09-15"),
       contract("financing", "2022-09-15", "2026-09-14", partner="Toyota Financial Services")],
      SALE | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS | PARTNERS, T_DPF,
      R(last_interaction="2025-09-15",
        contract_end="2026-09-14",          # the latest end: the financing, after the sale day
        accounting="2030-01-01",            # 1 January 2023 + 7
        tax="2030-01-01"),                  # 2022 documents: 7 years (README: tax retention)
      "2025-09-15", notices={"notice.lease-partner"}, findings=PS_FINDING,
      distributor=("dlr-gent", "PURCHASE")),
    S("insurance-through-car-security", "2: Indien u een verzekeringscontract hebt afgesloten met betrekking tot uw "
      "voertuig via Car Security, ... In dit geval nodigen wij u uit om het Gegevensverwerkingsbeleid van Car "
      "Security te raadplegen.",
      "2024-02-01", [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", "2024-04-30")],
      {"purpose.questions.appointment"} | VEHICLE | IN_FORCE | INTERACTION | LEGAL,
      BASE_RECIPIENTS | PARTNERS, T_DPF,
      R(last_interaction="2026-05-01", contract_end="2024-04-30", accounting="2031-01-01",
        tax="2034-01-01"),
      "2024-04-30", notices={"notice.insurance-car-security"}, findings=PS_FINDING),
    S("insurance-ended", "4: Aan het einde van de contractuele relatie met u ;",
      "2024-06-01", [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", "2024-04-30")],
      {"purpose.questions.appointment", "purpose.contract.accounting"} | VEHICLE | INTERACTION | LEGAL,
      BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-05-01", accounting="2031-01-01", tax="2034-01-01"),
      "2026-05-01", findings=PS_FINDING),
    S("insurance-with-another-insurer", "2: ... verzekeringscontract ... via Car Security",
      "2024-02-01",
      [contact("service_visit", "2023-05-01"), contract("insurance", "2023-05-01", partner="Ethias")],
      {"purpose.questions.appointment"} | VEHICLE | IN_FORCE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-05-01", contract_end=None, accounting="2031-01-01", tax="2034-01-01"),
      "2026-05-01", findings=PS_FINDING),

    # --- disputes ---------------------------------------------------------------------------
    S("open-dispute-legal-hold", "4: het bestaan van een daadwerkelijk of potentieel geschil of meningsverschil ... "
      "in welk geval we uw informatie zullen bewaren totdat het geschil of meningsverschil is opgelost;",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2024-01-20")],
      SALE | VEHICLE | {"purpose.contract.fraud-disputes"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2018-03-02", contract_end="2015-03-02", legal_hold=None,
        accounting="2023-01-01",            # 1 January 2016 + 7
        tax="2023-01-01"),                  # 1 January 2016 + 7: a 2015 document
      None, notices={"notice.dispute"}, findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE"),
      bases={"purpose.contract.fraud-disputes": ("contract", "6(1)(b)")}),
    S("dispute-closed-before", "4: ... totdat het geschil of meningsverschil is opgelost;",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2023-06-01", "2023-11-30")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2018-03-02", contract_end="2015-03-02", accounting="2023-01-01",
        tax="2023-01-01"),
      "2015-03-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),
    S("dispute-opened-after-the-as-of-day", "4: het bestaan van een daadwerkelijk of potentieel geschil",
      "2024-03-01", [contact("purchase", "2015-03-02"), dispute("2024-04-01")],
      SALE | VEHICLE | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2018-03-02", contract_end="2015-03-02", accounting="2023-01-01",
        tax="2023-01-01"),
      "2015-03-02", findings=PS_FINDING, distributor=("dlr-gent", "PURCHASE")),

    # --- consents ---------------------------------------------------------------------------
    S("email-consent", "3: Versturen van marketingcommunicatie en marketingenquêtes ... Uw toestemming (apart verstrekt)",
      "2024-06-01", [contact("brochure", "2024-01-15"), give("email", "2024-01-15 11:00")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(last_interaction="2027-01-15"), "2027-01-15", channels=("email",), findings=PS_FINDING,
      bases={"purpose.marketing.email": ("consent", "6(1)(a)"),
             "purpose.questions.brochure": ("contract_or_legitimate_interest", "6(1)(b) or 6(1)(f)")}),
    S("all-channels-no-contact", "3: Als u toestemming heeft gegeven voor het ontvangen van de door u geselecteerde "
      "berichten, zullen uw gegevens worden gedeeld met deze entiteiten (maar niet met andere derden)",
      "2024-06-01", [give(c, "2023-02-01") for c in CHANNELS],
      {"purpose.data-management.central"} | LEGAL | marketing(*CHANNELS),
      # giving consent is an interaction (section 4's first criterion): 2023-02-01 + 36 months
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF, R(last_interaction="2026-02-01"), "2026-02-01",
      channels=CHANNELS, findings=PS_FINDING),
    S("sms-withdrawn-email-kept", "3: Uw toestemming (apart verstrekt)",
      "2023-09-01",
      [contact("quote", "2023-01-10"), give("sms", "2023-01-10 12:00"), give("email", "2023-01-10 12:00"),
       withdraw("sms", "2023-06-10")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      # the SMS withdrawal of 2023-06-10 is the last interaction
      R(last_interaction="2026-06-10"), "2026-06-10", channels=("email",), findings=PS_FINDING),
    S("consent-given-after-the-as-of-day", "1: Indien u ermee instemt, u bepaalde marketingcommunicatie ... te sturen",
      "2024-02-29", [contact("showroom_visit", "2024-01-05"), give("post", "2024-03-01")],
      {"purpose.questions.appointment"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-01-05"), "2027-01-05", findings=PS_FINDING),
    S("consent-withdrawn-after-the-as-of-day", "3: Uw toestemming (apart verstrekt)",
      "2022-08-31",
      [contact("complaint", "2022-01-10"), give("phone", "2022-01-10 12:00"), withdraw("phone", "2022-09-01")],
      {"purpose.questions.information"} | INTERACTION | LEGAL | marketing("phone"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_UK,
      R(last_interaction="2025-01-10"), "2025-01-10", channels=("phone",), findings=PS_FINDING),
    S("consent-withdrawn-on-the-as-of-day", "3: Uw toestemming (apart verstrekt)",
      "2024-05-01",
      [contact("quote", "2024-02-01"), give("email", "2024-02-01 12:00"), withdraw("email", "2024-05-01 09:00")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      # the withdrawal on the as-of day is the last interaction
      R(last_interaction="2027-05-01"), "2027-05-01", findings=PS_FINDING),
    S("social-consent-given-again", "3: ... via alle kanalen, ook via sociale netwerken. ... Uw toestemming (apart verstrekt)",
      "2021-12-01",
      [contact("other", "2021-01-05"), give("social", "2021-01-05 12:00"), withdraw("social", "2021-03-01"),
       give("social", "2021-10-01")],
      {"purpose.questions.information"} | INTERACTION | LEGAL | marketing("social"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_UK,
      # the consent given again on 2021-10-01 is the last interaction
      R(last_interaction="2024-10-01"), "2024-10-01", channels=("social",), findings=PS_FINDING),
    S("preferred-dealer-with-email-consent", "1: Uw erkende Lexus-verdeler (... die u hebt aangewezen als "
      "preferentiële verdeler ...)",
      "2023-08-01",
      [contact("quote", "2023-02-01", "dlr-brugge"), prefer("dlr-brugge", "2023-02-01 12:00"),
       give("email", "2023-02-01 12:00")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL | marketing("email"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(last_interaction="2026-02-01"), "2026-02-01", channels=("email",), findings=PS_FINDING,
      distributor=("dlr-brugge", "PREFERRED")),
    S("french-speaking-test-drive-with-two-consents", "1: het dichtst bij u op basis van uw postcode en uw adres; "
      "3: Uw toestemming (apart verstrekt)",
      "2024-05-01",
      [contact("test_drive_request", "2024-04-02", "dlr-liege"), give("email", "2024-04-02 12:00"),
       give("sms", "2024-04-02 12:00")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL | marketing("email", "sms"),
      BASE_RECIPIENTS | MARKETING_RECIPIENTS, T_DPF,
      R(test_drive="2024-10-02", last_interaction="2027-04-02"), "2024-10-02", channels=("email", "sms"),
      findings=PS_FINDING, distributor=("dlr-liege", "NEAREST"), postcode="4000", language="",
      expect_language="fr"),

    # --- other customers -------------------------------------------------------------------
    S("professional-quote", "2: Als u een professional bent, onder andere: Contactgegevens van uw "
      "bedrijf/vereniging/instelling",
      "2024-03-01", [contact("quote", "2024-02-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2027-02-01"), "2027-02-01", notices={"notice.professional"}, findings=PS_FINDING,
      professional=True),
    S("nothing-recorded", "1: Lexus Belgium ... en ondernemingsnummer BE 0403.425.770; Uw erkende Lexus-verdeler "
      "(... degene die Lexus aan u toewijst op basis van locatie ...)",
      "2024-05-01", [],
      {"purpose.data-management.central"} | LEGAL, BASE_RECIPIENTS, T_DPF, {}, None, findings=PS_FINDING),
    S("quote-older-than-36-months", "4: De periode die verstreken is sinds uw laatste interactie met ons;",
      "2023-05-03", [contact("quote", "2020-05-01")],
      # 1097 days since the quote (> 1096): no longer followed up; profile due since 2023-05-01
      INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2023-05-01"), "2023-05-01", findings=PS_FINDING),

    # --- the dates of the law ---------------------------------------------------------------
    S("before-the-policy", "Laatste update: versie 1.0. van 13/04/2020",
      "2020-04-12", [contact("test_drive_request", "2020-03-01")],
      set(), set(), set(), {}, None, findings={"resolver.no-distributor"}, distributor=None),
    S("policy-first-day-privacy-shield", "5: ... of valt onder het EU-VS privacy shield",
      "2020-04-13", [contact("test_drive_request", "2020-03-01")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_2020,
      R(test_drive="2020-09-01", last_interaction="2023-03-01"), "2020-09-01"),
    S("last-day-of-privacy-shield", "5: De doorgifte ... valt onder het EU-VS privacy shield",
      "2020-07-15", [contact("test_drive_request", "2020-03-01")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_2020,
      R(test_drive="2020-09-01", last_interaction="2023-03-01"), "2020-09-01"),
    S("schrems-ii", "5: De doorgifte is onderworpen aan door de Europese Commissie goedgekeurde "
      "gegevensbeschermingsclausules (artikel 46, lid 2, AVG) of valt onder het EU-VS privacy shield",
      "2020-07-16", [contact("test_drive_request", "2020-03-01")],
      {"purpose.questions.test-drive"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCHREMS,
      R(test_drive="2020-09-01", last_interaction="2023-03-01"), "2020-09-01", findings=PS_FINDING),
    S("uk-clauses-before-adequacy", "5: Wij kunnen uw Gegevens overdragen naar bestemmingen buiten de EER, waaronder "
      "de Verenigde Staten en het Verenigd Koninkrijk",
      "2021-06-27", [contact("brochure", "2021-01-04")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_SCHREMS,
      R(last_interaction="2024-01-04"), "2024-01-04", findings=PS_FINDING),
    S("uk-adequacy", "5: De wetgeving van het land waarnaar uw gegevens worden overgedragen, biedt een adequaat "
      "niveau van gegevensbescherming (artikel 45 AVG)",
      "2021-06-28", [contact("brochure", "2021-01-04")],
      {"purpose.questions.brochure"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2024-01-04"), "2024-01-04", findings=PS_FINDING),
    S("day-before-dpf", "5: ... waaronder de Verenigde Staten",
      "2023-07-09", [contact("quote", "2023-07-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_UK,
      R(last_interaction="2026-07-01"), "2026-07-01", findings=PS_FINDING),
    S("dpf", "5: De wetgeving van het land waarnaar uw gegevens worden overgedragen, biedt een adequaat niveau van "
      "gegevensbescherming (artikel 45 AVG)",
      "2023-07-10", [contact("quote", "2023-07-01")],
      {"purpose.questions.quote"} | INTERACTION | LEGAL, BASE_RECIPIENTS, T_DPF,
      R(last_interaction="2026-07-01"), "2026-07-01", findings=PS_FINDING),
]

BY_NAME = {s.name: s for s in SITUATIONS}
assert len(BY_NAME) == len(SITUATIONS) >= 32


def params(situations=SITUATIONS, with_marks=True):
    return [pytest.param(s, id=s.name, marks=s.marks if with_marks else ()) for s in situations]


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
            app.facts.record_consent(customer_id, channel, t(when), None)
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


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("s", params())
def test_situation(world, s):
    r = world(s)
    assert r.as_of == s.as_of
    assert r.language == s.expect_language
    assert r.rules_version == "privacy@2026.12.5.1"

    assert {p.id for p in r.purposes} == s.purposes
    by_id = {p.id: p for p in r.purposes}
    for purpose_id, (basis, article) in s.bases.items():
        assert (by_id[purpose_id].legal_basis, by_id[purpose_id].article) == (basis, article), purpose_id

    assert {x.id for x in r.recipients} == s.recipients
    marketing_recipients = {x.id: tuple(x.channels) for x in r.recipients if x.marketing}
    assert marketing_recipients == {rid: s.channels for rid in s.recipients & MARKETING_RECIPIENTS}
    assert all(x.channels == () for x in r.recipients if not x.marketing)

    assert {(x.country, x.safeguard) for x in r.transfers} == s.transfers

    assert {x.id: x.erase_after for x in r.retention} == s.retention
    assert r.earliest_erase_date == s.earliest

    assert {n.id for n in r.notices} == s.notices
    assert {f.id for f in r.findings} == expected_findings(s)

    distributors = [c for c in r.controllers if c.role == "distributor"]
    if s.distributor is None:
        assert r.controllers == () if s.as_of < d("2020-04-13") else distributors == []
    else:
        assert [(c.id, c.basis) for c in distributors] == [s.distributor]
    for rule_key in s.fired_include:
        assert rule_key in r.fired_rules


def test_the_table_is_large_and_cites_the_policy():
    assert len(SITUATIONS) >= 32
    policy = " ".join(open("/work/shared/seed/000_4ca27e624e740367.txt", encoding="utf-8").read().split())
    for s in SITUATIONS:
        assert s.cites and s.cites.split(":")[0].strip() in ("1", "2", "3", "4", "5") or "13/04/2020" in s.cites
        # every quoted fragment (between the elisions) is the policy's own wording
        for part in s.cites.split(":", 1)[-1].replace(";", "...").split("..."):
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
    kinds = {e[1] for s in SITUATIONS for e in s.events if e[0] == "contract"}
    assert {"lease", "financing", "insurance"} <= kinds
    assert {"open-dispute-legal-hold", "dispute-closed-before", "test-drive-recent",
            "test-drive-older-than-6-months", "purchase-years-ago"} <= names


# --- properties over all situations ------------------------------------------------------


@pytest.mark.parametrize("s", params(with_marks=False))
def test_marketing_only_with_consent_in_force(world, s):
    r = world(s)
    channels = consented_channels(s)
    assert sorted(p.channel for p in r.purposes if p.group == "marketing") == sorted(channels)
    assert all((p.channel is not None) == (p.group == "marketing") for p in r.purposes)
    marketing_recipients = [x for x in r.recipients if x.marketing]
    if channels and s.as_of >= d("2020-04-13"):
        assert {x.id for x in marketing_recipients} == MARKETING_RECIPIENTS
        assert all(tuple(x.channels) == channels for x in marketing_recipients)
    else:
        assert marketing_recipients == []
    assert r.facts["consent_any"] == bool(channels)


@pytest.mark.parametrize("s", params(with_marks=False))
def test_no_privacy_shield_from_schrems_ii(world, s):
    r = world(s)
    shield = [x for x in r.transfers if x.safeguard == "privacy_shield"]
    if s.as_of >= d("2020-07-16"):
        assert shield == []
        assert "finding.privacy-shield" in {f.id for f in r.findings}
    else:
        assert "finding.privacy-shield" not in {f.id for f in r.findings}


@pytest.mark.parametrize("s", params(with_marks=False))
def test_two_controllers_when_a_dealer_is_active(world, s):
    r = world(s)
    if s.distributor is None:
        assert "resolver.no-distributor" in {f.id for f in r.findings}
        return
    assert sorted(c.role for c in r.controllers) == ["distributor", "importer"]
    assert len(r.controllers) == 2
    importer = next(c for c in r.controllers if c.role == "importer")
    assert importer.enterprise_number == IMPORTER_NUMBER
    assert (importer.name, importer.legal_name) == ("Lexus Belgium", "Toyota Belgium SA")
    assert importer.address == "Leuvensesteenweg 369, 1932 Zaventem"
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.id == s.distributor[0] and distributor.enterprise_number.startswith("BE 0")
    assert distributor.explanation
    assert "resolver.no-distributor" not in {f.id for f in r.findings}


@pytest.mark.parametrize("s", params(with_marks=False))
def test_every_purpose_has_the_basis_of_its_group(world, s):
    r = world(s)
    for p in r.purposes:
        assert (p.legal_basis, p.article) == BASES[p.group], p.id
        assert p.id.startswith("purpose." + p.group.replace("_", "-") + ".")
        assert p.controllers and set(p.controllers) <= {"importer", "distributor"}


@pytest.mark.parametrize("s", params(with_marks=False))
def test_fired_rules_are_exactly_the_outputs(world, s):
    r = world(s)
    items = r.controllers + r.purposes + r.recipients + r.transfers + r.retention + r.notices + r.findings
    from_rules = [x for x in items if x.rule]
    assert {x.rule for x in from_rules} == set(r.fired_rules)
    for x in from_rules:
        if x not in r.controllers:  # a controller's id is the entity's: importer or the dealer id
            assert x.rule.startswith(x.id + "@v")
        assert x.citation.section in ("1", "2", "3", "4", "5") and x.citation.text
    assert all(x.id in ("resolver.no-distributor", "resolver.distributor-inactive") for x in items if not x.rule)
    assert {c.rule for c in r.controllers} <= {"controller.importer@v1", "controller.distributor@v1"}


@pytest.mark.parametrize("s", [pytest.param(s, id=s.name) for s in SITUATIONS])
def test_every_rule_fires_once_and_answers_once(world, s):
    """A rule whose `when` has an `any:` with two true branches still fires once."""
    r = world(s)
    assert len(r.fired_rules) == len(set(r.fired_rules))
    for items in (r.controllers, r.purposes, r.recipients, r.transfers, r.retention, r.notices, r.findings):
        keys = [x.rule for x in items]
        assert len(keys) == len(set(keys))


def test_a_rule_with_two_true_branches_fires_once(world):
    # financing in force and a purchase: retention.contract-end's `any` holds twice; a contact
    # and an assigned dealer: purpose.data-management.central's `any` holds twice
    r = world(BY_NAME["financing-with-purchase"])
    assert [x.id for x in r.retention].count("retention.contract-end") == 1
    assert [p.id for p in r.purposes].count("purpose.data-management.central") == 1
    assert r.fired_rules.count("retention.contract-end@v1") == 1


@pytest.mark.parametrize("s", params(with_marks=False))
def test_retention_flags(world, s):
    r = world(s)
    hold = any(e[0] == "dispute" and t(e[1]).date() <= s.as_of and (e[2] is None or t(e[2]).date() > s.as_of)
               for e in s.events)
    for x in r.retention:
        assert x.legal_hold == hold
        assert x.due == (x.erase_after is not None and x.erase_after <= s.as_of)
    if hold:
        assert r.earliest_erase_date is None


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
    },
}
# The texts besides the label that an entry shows the customer, by entry type.
TEXTS = {"PurposeEntry": ("why",), "RecipientEntry": ("name", "purpose"), "TransferEntry": ("applies_to",),
         "RetentionEntry": ("category",), "PolicyNotice": ("refers_to",)}


@pytest.mark.parametrize("s", params([
    BY_NAME["purchase-years-ago"], BY_NAME["professional-lease"], BY_NAME["open-dispute-legal-hold"],
    BY_NAME["email-consent"], BY_NAME["before-the-policy"], BY_NAME["schrems-ii"],
    BY_NAME["french-speaking-test-drive-with-two-consents"],
], with_marks=False))
def test_labels_in_the_asked_language(world, s):
    """nl, fr, de and en: each label is the asked language's own (no two languages share
    one), and so are the whys, recipients' names and purposes, transfers, retention
    categories and notices."""
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


# --- details --------------------------------------------------------------------------------


def test_transfer_articles_and_recipients(world):
    r = world(BY_NAME["dpf"])
    by_safeguard = {(x.country, x.safeguard): x for x in r.transfers}
    assert by_safeguard[US_DPF].article == "45 (Decision (EU) 2023/1795)"
    assert by_safeguard[US_SCC].article == "46(2)(c)"
    assert by_safeguard[GB_ADEQ].article == "45 (Implementing Decision (EU) 2021/1772, C(2021) 4800, to 27 December 2025)"
    assert by_safeguard[GB_ADEQ].recipients == ("Inchcape SA",)
    r = world(BY_NAME["policy-first-day-privacy-shield"])
    by_safeguard = {(x.country, x.safeguard): x for x in r.transfers}
    assert by_safeguard[US_PS].article == "45 (Decision (EU) 2016/1250)"
    assert by_safeguard[GB_SCC].article == "46(2)(c)"


def test_distributor_controller_details(world):
    r = world(BY_NAME["nothing-recorded"])
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert (distributor.legal_name, distributor.enterprise_number) == ("Scheldeveld Automotive NV", "BE 0812.095.777")
    assert distributor.basis == "NEAREST" and "9000" in distributor.explanation
    r = world(BY_NAME["purchase-years-ago"])
    distributor = next(c for c in r.controllers if c.role == "distributor")
    # explained in the customer's language, Dutch in Gent, with the day as Dutch writes it
    assert distributor.basis == "PURCHASE" and distributor.explanation == "aankoop bij deze verdeler op 02/05/2019"


def test_marketing_purposes_name_both_controllers_and_the_channel(world):
    r = world(BY_NAME["all-channels-no-contact"])
    marketing_purposes = {p.channel: p for p in r.purposes if p.group == "marketing"}
    assert set(marketing_purposes) == set(CHANNELS)
    for channel, p in marketing_purposes.items():
        assert p.id == f"purpose.marketing.{channel}"
        assert sorted(p.controllers) == ["distributor", "importer"]


def test_retention_anchors(world):
    r = world(BY_NAME["financing-with-purchase"])
    anchors = {x.id: (x.anchor, x.anchor_date) for x in r.retention}
    assert anchors == {
        "retention.last-interaction": ("last_interaction", d("2022-09-15")),
        "retention.contract-end": ("contract_end", d("2026-09-14")),
        "retention.accounting": ("last_accounting_event", d("2022-09-15")),
        "retention.tax": ("last_accounting_event", d("2022-09-15")),
    }
    hold = world(BY_NAME["open-dispute-legal-hold"])
    legal = next(x for x in hold.retention if x.id == "retention.legal-hold")
    assert (legal.method, legal.anchor, legal.erase_after, legal.legal_hold) == ("legal_hold", None, None, True)


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
    assert items["retention.test-drive"] == six_months
    assert r.earliest_erase_date == six_months
    assert {(x.country, x.safeguard) for x in r.transfers} == T_DPF


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


@pytest.mark.parametrize("day,article,finding", [
    ("2025-12-27", "45 (Implementing Decision (EU) 2021/1772, C(2021) 4800, to 27 December 2025)", False),
    ("2025-12-28", "45 (Commission renewal of 19 December 2025 of Implementing Decision (EU) 2021/1772, "
                   "to 27 December 2031)", False),
    ("2031-12-27", "45 (Commission renewal of 19 December 2025 of Implementing Decision (EU) 2021/1772, "
                   "to 27 December 2031)", False),
    ("2032-06-01", None, True),
])
def test_uk_adequacy_follows_its_decisions_and_lapses(world, day, article, finding):
    """5: "biedt een adequaat niveau van gegevensbescherming (artikel 45 AVG)": only while a
    decision covers the day; after the renewal's end, no adequacy and a finding."""
    app = world.app
    app.customers.upsert("s-uk-days", "9000")
    r = app.resolution.resolve("s-uk-days", d(day), "en")
    uk = [x for x in r.transfers if x.country == "GB"]
    assert [x.article for x in uk] == ([article] if article else [])
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
