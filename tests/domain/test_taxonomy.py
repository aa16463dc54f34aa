"""The privacy pack's categories of data (policy section 2) and its mapping to fideslang's
taxonomy: every word the pack gives fideslang is fideslang's (checked against fideslang itself,
a test-only dependency), and a pack that leaves a purpose without categories, a category
without a purpose or a basis without its fideslang word does not load."""

import shutil

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import LegalBasisForProcessingEnum, LegalBasisForTransfersEnum

from cocontroller.domain.resolution import PRIVACY_FIELDS, check_privacy_pack
from cocontroller.errors import RulePackError
from cocontroller.model import DataSubject, FidesLegalBasis, FidesTransferBasis, LegalBasis, Safeguard
from cocontroller.resources import PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack


def current(keys):
    """The keys of a part of fideslang's default taxonomy that are not deprecated."""
    return {item.fides_key for item in keys if not item.version_deprecated}


CATEGORIES = current(DEFAULT_TAXONOMY.data_category)
USES = current(DEFAULT_TAXONOMY.data_use)
SUBJECTS = current(DEFAULT_TAXONOMY.data_subject)


def load(rules=None):
    pack = load_pack((rules or packs_dir()) / PRIVACY_PACK, PRIVACY_FIELDS)
    check_privacy_pack(pack)
    return pack


PACK = load()
PURPOSES = [r for r in PACK.rules if r.extra["output"]["kind"] == "purpose"]


# --- the pack's words are fideslang's --------------------------------------------------------


def test_every_category_of_data_maps_to_keys_of_fideslangs_taxonomy():
    for key, category in PACK.parameters["data_categories"].items():
        assert set(category["fides_categories"]) <= CATEGORIES, key


def test_every_purpose_maps_to_a_data_use_of_fideslangs_taxonomy():
    for rule in PURPOSES:
        assert rule.extra["output"]["fides_data_use"] in USES, rule.id


def test_the_data_subjects_are_fideslangs():
    assert set(DataSubject) <= SUBJECTS


def test_the_legal_bases_and_transfer_bases_are_fideslangs_words():
    assert [str(b) for b in FidesLegalBasis] == [b.value for b in LegalBasisForProcessingEnum]
    assert [str(b) for b in FidesTransferBasis] == [b.value for b in LegalBasisForTransfersEnum]


def test_every_legal_basis_and_safeguard_of_the_pack_has_its_fideslang_word():
    fides = PACK.parameters["fides"]
    assert set(fides["legal_bases"]) == set(LegalBasis)
    assert set(fides["transfer_safeguards"]) == set(Safeguard)


def test_the_categories_are_section_2s_each_in_four_languages():
    for key, category in PACK.parameters["data_categories"].items():
        assert category["citation"]["section"] == "2", key
        assert set(category["labels"]) == {"nl", "fr", "de", "en"}, key


# --- a pack that says less is refused -----------------------------------------------------------


@pytest.fixture
def rules(tmp_path):
    copied = tmp_path / "rules"
    shutil.copytree(packs_dir(), copied, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copied


def edit(path, old, new=""):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def refused(rules) -> RulePackError:
    with pytest.raises(RulePackError) as caught:
        load(rules)
    return caught.value


LOCATING = "      data_categories: [identity, contact, vehicle, vehicle_connectivity]\n"


def test_a_purpose_naming_an_unknown_category_is_refused(rules):
    edit(rules / "privacy" / "purposes.yaml", LOCATING,
         "      data_categories: [identity, contact, vehicle, vehicle_connectivity, shoe_size]\n")
    error = refused(rules)
    assert (error.rule_id, error.field) == ("purpose.contract.locating", "output.data_categories")
    assert "'shoe_size'" in error.problem


def test_a_purpose_without_categories_is_refused(rules):
    edit(rules / "privacy" / "purposes.yaml", LOCATING, "      data_categories: []\n")
    error = refused(rules)
    assert (error.rule_id, error.field) == ("purpose.contract.locating", "output.data_categories")


def test_a_purpose_that_does_not_say_its_categories_is_refused(rules):
    edit(rules / "privacy" / "purposes.yaml", LOCATING)
    error = refused(rules)
    assert (error.rule_id, error.field) == ("purpose.contract.locating", "output")
    assert "data_categories" in error.problem


def test_a_category_no_purpose_processes_is_refused(rules):
    edit(rules / "privacy" / "purposes.yaml", ", website_logs, cookies]", ", website_logs]")
    error = refused(rules)
    assert error.field == "parameters.data_categories.cookies" and "no purpose" in error.problem


def test_a_category_missing_a_language_is_refused(rules):
    edit(rules / PRIVACY_PACK, "        de: Informationen über Ihre Interessen und Vorlieben\n")
    assert refused(rules).field == "parameters.data_categories.interests.labels.de"


def test_an_unknown_data_subject_is_refused(rules):
    edit(rules / "privacy" / "purposes.yaml", LOCATING + "      data_subjects: [customer]\n",
         LOCATING + "      data_subjects: [customer, visitor]\n")
    error = refused(rules)
    assert (error.rule_id, error.field) == ("purpose.contract.locating", "output.data_subjects")


def test_a_legal_basis_without_its_fideslang_word_is_refused(rules):
    edit(rules / PRIVACY_PACK, "      legal_obligation: [Legal obligations]\n")
    assert refused(rules).field == "parameters.fides.legal_bases"


def test_a_word_fideslang_does_not_know_is_refused(rules):
    edit(rules / PRIVACY_PACK, "      contract: [Contract]\n", "      contract: [Contractual necessity]\n")
    assert refused(rules).field == "parameters.fides.legal_bases.contract"
    edit(rules / PRIVACY_PACK, "      contract: [Contractual necessity]\n", "      contract: [Contract]\n")
    edit(rules / PRIVACY_PACK, "      interim_provision: Other\n", "      interim_provision: TCA\n")
    assert refused(rules).field == "parameters.fides.transfer_safeguards.interim_provision"
