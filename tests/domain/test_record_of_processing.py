"""The record of processing (GDPR art. 30) and its Fides manifest, read from the privacy
pack: what the record lists on a day, and how the manifest declares each purpose."""

import datetime as dt

import pytest

from cocontroller.domain.fides import fides_system
from cocontroller.domain.resolution import PRIVACY_FIELDS, check_privacy_pack
from cocontroller.domain.ropa import ropa
from cocontroller.errors import FailedPrecondition
from cocontroller.model import Language
from cocontroller.resources import PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack

PACK = load_pack(packs_dir() / PRIVACY_PACK, PRIVACY_FIELDS)
check_privacy_pack(PACK)
PURPOSES = [r for r in PACK.rules if r.extra["output"]["kind"] == "purpose"]
DAY = dt.date(2026, 12, 6)


# --- the record -------------------------------------------------------------------------------


def test_the_record_lists_every_purpose_in_force_with_its_categories_and_basis():
    record = ropa(PACK, Language.EN, DAY)
    in_force = [r for r in PURPOSES if r.in_force(DAY)]
    assert [p.id for p in record.purposes] == [r.id for r in in_force]
    for purpose, rule in zip(record.purposes, in_force):
        out = rule.extra["output"]
        assert (purpose.legal_basis, purpose.article) == (out["legal_basis"], out["article"])
        assert purpose.data_categories == tuple(out["data_categories"]) and purpose.data_categories
        assert purpose.citation.text == rule.citation.text and purpose.label == rule.labels["en"]
    listed = {c.id for c in record.data_categories}
    assert listed == {key for p in record.purposes for key in p.data_categories}


def test_the_record_names_every_controller_recipient_and_retention_rule_in_force():
    record = ropa(PACK, Language.NL, DAY)
    in_force = [r for r in PACK.rules if r.in_force(DAY)]
    for kind, entries in (("controller", record.controllers), ("recipient", record.recipients),
                          ("retention", record.retention)):
        assert [e.rule for e in entries] == [r.key for r in in_force if r.extra["output"]["kind"] == kind], kind
    importer = record.controllers[0]
    assert (importer.role, importer.legal_name, importer.enterprise_number) == (
        "importer", "Toyota Belgium SA", "BE 0403.425.770")


@pytest.mark.parametrize("day, transfers", [
    (dt.date(2020, 5, 1), {"transfer.us.clauses@v1", "transfer.us.privacy-shield@v1", "transfer.uk.transition@v1",
                           "transfer.jp.adequacy@v1"}),
    # the 2021 clauses govern contracts from 27 September 2021: the register's is of 3 October 2022
    (dt.date(2022, 1, 1), {"transfer.us.clauses@v1", "transfer.uk.adequacy@v1", "transfer.jp.adequacy@v1"}),
    (dt.date(2023, 1, 1), {"transfer.us.clauses@v2", "transfer.uk.adequacy@v1", "transfer.jp.adequacy@v1"}),
    (DAY, {"transfer.us.clauses@v2", "transfer.us.dpf@v1", "transfer.uk.adequacy@v2", "transfer.jp.adequacy@v1"}),
])
def test_the_transfers_are_those_in_use_on_the_day(day, transfers):
    assert {t.rule for t in ropa(PACK, Language.EN, day).transfers} == transfers


def test_a_day_before_the_policy_has_no_record():
    with pytest.raises(FailedPrecondition, match="2020-04-13"):
        ropa(PACK, Language.FR, dt.date(2020, 4, 12))


# --- the manifest -----------------------------------------------------------------------------


def test_each_purpose_is_declared_once_per_fideslang_basis_with_its_data_use():
    system = fides_system(PACK, Language.EN, DAY)
    record = ropa(PACK, Language.EN, DAY)
    expected = [(p.fides_data_use, basis) for p in record.purposes for basis in p.fides_legal_bases]
    assert [(d.data_use, d.legal_basis_for_processing) for d in system.privacy_declarations] == expected
    assert len({d.name for d in system.privacy_declarations}) == len(expected)


def test_contract_or_legitimate_interest_is_declared_under_both():
    declared = [d for d in fides_system(PACK, Language.EN, DAY).privacy_declarations
                if d.name.startswith("purpose.questions.quote:")]
    assert [d.legal_basis_for_processing for d in declared] == ["Contract", "Legitimate interests"]


def test_a_declaration_carries_the_fideslang_keys_of_its_purposes_categories():
    categories = PACK.parameters["data_categories"]
    by_name = {d.name.split(":")[0]: d for d in fides_system(PACK, Language.EN, DAY).privacy_declarations}
    email = by_name["purpose.marketing.email"]
    expected = {key for c in ("identity", "contact", "consents", "interests", "vehicle", "dealers")
                for key in categories[c]["fides_categories"]}
    assert set(email.data_categories) == expected and len(email.data_categories) == len(expected)
    assert "user.contact.email" in email.data_categories and email.data_use == "marketing.communications.email"
    assert by_name["purpose.contract.sale"].data_subjects == ("customer",)


def test_the_recipients_are_the_egress_and_the_transfers_their_legal_bases():
    system = fides_system(PACK, Language.NL, DAY)
    assert [f.fides_key for f in system.egress] == list(dict.fromkeys(
        r.extra["output"]["recipient"] for r in PACK.rules
        if r.in_force(DAY) and r.extra["output"]["kind"] == "recipient"))
    assert system.does_international_transfers
    assert set(system.legal_basis_for_transfers) == {"SCCs", "Adequacy Decision"}
    assert system.meta.third_countries == ("GB", "JP", "US")
    assert (system.legal_name, system.responsibility) == ("Toyota Belgium SA", ("Controller",))
    assert "verdeler" in system.joint_controller_info


def test_the_manifest_speaks_the_language_asked():
    assert fides_system(PACK, Language.DE, DAY).name == PACK.parameters["fides"]["system"]["name"]["de"]
    declared = fides_system(PACK, Language.FR, DAY).privacy_declarations
    assert any(d.name == "purpose.contract.accounting: à des fins comptables" for d in declared)
