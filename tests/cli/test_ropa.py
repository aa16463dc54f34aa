"""`cocontroller ropa export`: the record of processing (GDPR art. 30) from the shipped
privacy pack, as one JSON document, as CSV with a row per purpose, and as a Fides system
manifest that fideslang's own models accept."""

import csv
import datetime as dt
import io
import json
import shutil

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.manifests import load_yaml_into_dict
from fideslang.models import PrivacyDeclaration, System, Taxonomy

from cocontroller.domain.resolution import PRIVACY_FIELDS
from cocontroller.resources import PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack
from cocontroller_client.cli.render import ROPA_FIELDS

PACK = load_pack(packs_dir() / PRIVACY_PACK, PRIVACY_FIELDS)
DAY = dt.date(2026, 12, 6)


def in_force(kind: str, day: dt.date = DAY) -> list:
    return [r for r in PACK.rules if r.in_force(day) and r.extra["output"]["kind"] == kind]


def export(cli, *argv):
    code, out, err = cli("ropa", "export", "--as-of", DAY, *argv)
    assert (code, err) == (0, ""), err
    return out


def test_every_purpose_appears_with_its_legal_basis_and_categories(cli):
    found = json.loads(export(cli, "--lang", "en"))
    assert (found["pack"], found["language"], found["as_of"]) == (PACK.qualified_version, "en", DAY.isoformat())
    purposes = {p["id"]: p for p in found["purposes"]}
    assert list(purposes) == [r.id for r in in_force("purpose")]
    categories = {c["id"]: c for c in found["data_categories"]}
    for rule in in_force("purpose"):
        out, listed = rule.extra["output"], purposes[rule.id]
        assert (listed["legal_basis"], listed["article"], listed["label"]) == (
            out["legal_basis"], out["article"], rule.labels["en"])
        assert listed["data_categories"] == out["data_categories"] != []
        assert set(listed["data_categories"]) <= set(categories)
        assert listed["citation"] == {"section": "3", "text": rule.citation.text}
    assert purposes["purpose.marketing.email"]["fides_legal_bases"] == ["Consent"]
    assert categories["contact"]["label"] == PACK.parameters["data_categories"]["contact"]["labels"]["en"]
    assert categories["contact"]["citation"]["section"] == "2"


def test_the_document_lists_controllers_recipients_transfers_and_retention_with_citations(cli):
    found = json.loads(export(cli))
    for part, kind in (("controllers", "controller"), ("recipients", "recipient"), ("retention", "retention")):
        assert [x["rule"] for x in found[part]] == [r.key for r in in_force(kind)], part
        assert all(x["citation"]["text"] for x in found[part]), part
    assert [c["role"] for c in found["controllers"]] == ["importer", "distributor", "seller", "repairer"]
    assert found["controllers"][0]["legal_name"] == "Toyota Belgium SA"
    transfers = {t["country"]: t for t in found["transfers"] if t["safeguard"] != "data_privacy_framework"}
    assert transfers["US"]["safeguard"] == "standard_contractual_clauses"
    assert transfers["US"]["records_from"] == "2021-09-27" and transfers["GB"]["fides_transfer_basis"] == (
        "Adequacy Decision")
    tax = [x for x in found["retention"] if x["id"] == "retention.tax"]
    assert [(x["years"], x["records_from"], x["records_until"]) for x in tax] == [
        (7, None, "2023-01-01"), (10, "2023-01-01", None)]


def test_the_csv_has_its_header_and_a_row_per_purpose(cli, tmp_path):
    target = tmp_path / "ropa.csv"
    code, out, err = cli("ropa", "export", "--format", "csv", "--as-of", DAY, "--lang", "fr", "--out", target)
    assert (code, err) == (0, "") and str(target) in out
    with target.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert reader.fieldnames == ROPA_FIELDS
    assert [r["purpose"] for r in rows] == [r.id for r in in_force("purpose")]
    tax = next(r for r in rows if r["purpose"] == "purpose.legal.tax")
    assert (tax["legal_basis"], tax["article"], tax["label"]) == (
        "legal_obligation", "6(1)(c)", "respecter nos obligations fiscales")
    assert tax["data_categories"].split(" | ") == ["identity", "contact", "professional", "interactions"]
    assert "vos nom, prénom, titre, langue et date de naissance" in tax["data_category_labels"].split(" | ")
    quote = next(r for r in rows if r["purpose"] == "purpose.questions.quote")
    assert quote["fides_legal_bases"] == "Contract | Legitimate interests"
    # recipients, transfers and retention are the policy's for every purpose
    assert len({(r["recipients"], r["transfers"], r["retention"]) for r in rows}) == 1
    assert "Inchcape SA" in tax["recipients"] and "2021/914" in tax["transfers"]


def test_the_csv_on_stdout_parses_too(cli):
    rows = list(csv.DictReader(io.StringIO(export(cli, "--format", "csv"))))
    assert len(rows) == len(in_force("purpose")) and set(rows[0]) == set(ROPA_FIELDS)


def manifest(cli, *argv) -> dict:
    return json.loads(export(cli, "--format", "fides", *argv))


def test_the_fides_manifest_loads_with_fideslangs_own_models(cli, tmp_path):
    target = tmp_path / "lexus.yml"
    code, out, err = cli("ropa", "export", "--format", "fides", "--as-of", DAY, "--lang", "en", "--out", target,
                         "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"out": str(target), "format": "fides", "pack": PACK.qualified_version,
                               "as_of": DAY.isoformat(), "language": "en"}
    # as fides reads a manifest file: YAML (JSON is YAML), then the models
    document = load_yaml_into_dict(str(target))
    taxonomy = Taxonomy.model_validate(document)
    (system,) = taxonomy.system
    assert System.model_validate(document["system"][0]) == system
    assert system.fides_key == PACK.parameters["fides"]["system"]["fides_key"]
    # fideslang ignores fields it does not know: a misspelt one would be lost silently
    assert set(document) == {"system"} and set(document["system"][0]) <= set(System.model_fields)
    for declaration in document["system"][0]["privacy_declarations"]:
        assert set(declaration) <= set(PrivacyDeclaration.model_fields)
    declared = sum(len(PACK.parameters["fides"]["legal_bases"][r.extra["output"]["legal_basis"]])
                   for r in in_force("purpose"))
    assert len(system.privacy_declarations) == declared
    assert system.does_international_transfers and system.legal_name == "Toyota Belgium SA"


def test_every_fideslang_key_of_the_manifest_is_in_its_default_taxonomy(cli):
    current = {name: {x.fides_key for x in getattr(DEFAULT_TAXONOMY, name) if not x.version_deprecated}
               for name in ("data_category", "data_use", "data_subject")}
    (system,) = manifest(cli)["system"]
    assert system["privacy_declarations"]
    for declaration in system["privacy_declarations"]:
        assert set(declaration["data_categories"]) <= current["data_category"], declaration["name"]
        assert declaration["data_use"] in current["data_use"], declaration["name"]
        assert set(declaration["data_subjects"]) <= current["data_subject"], declaration["name"]


def test_the_manifest_follows_the_day(cli):
    """Before Schrems II the Privacy Shield was an adequacy decision; the UK was in transition."""
    code, out, err = cli("ropa", "export", "--format", "fides", "--as-of", "2020-05-01")
    assert (code, err) == (0, "")
    (system,) = json.loads(out)["system"]
    assert system["legal_basis_for_transfers"] == ["SCCs", "Adequacy Decision", "Other"]
    assert system["meta"]["as_of"] == "2020-05-01"


def test_a_day_before_the_policy_is_refused(cli):
    code, out, err = cli("ropa", "export", "--as-of", "2020-04-12", "--json")
    assert (code, out) == (5, "")  # the exit code of FAILED_PRECONDITION (README, exit codes)
    error = json.loads(err)["error"]
    assert error["code"] == "FAILED_PRECONDITION" and "2020-04-13" in error["message"]


def test_a_format_outside_the_three_is_a_usage_error(cli):
    code, out, err = cli("ropa", "export", "--format", "xlsx")
    assert (code, out) == (2, "")
    assert "'xlsx'" in err and all(f in err for f in ("json", "csv", "fides"))


def test_csv_on_stdout_with_json_is_a_usage_error(cli):
    code, out, err = cli("ropa", "export", "--format", "csv", "--json")
    assert (code, out) == (2, "") and "--out" in err


def test_the_record_is_read_from_the_rules_directory_given(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    purposes = rules / "privacy" / "purposes.yaml"
    text = purposes.read_text(encoding="utf-8")
    old = "      data_categories: [identity, contact, vehicle, vehicle_connectivity]\n"
    assert text.count(old) == 1
    purposes.write_text(text.replace(old, "      data_categories: [vehicle_connectivity]\n"), encoding="utf-8")
    found = json.loads(export(cli, "--rules-dir", rules))
    assert {p["id"]: p["data_categories"] for p in found["purposes"]}["purpose.contract.locating"] == [
        "vehicle_connectivity"]


@pytest.mark.parametrize("argv", [("--lang", "it"), ("--as-of", "yesterday")])
def test_a_bad_option_is_a_usage_error(cli, argv):
    code, out, err = cli("ropa", "export", *argv)
    assert (code, out) == (2, "")
