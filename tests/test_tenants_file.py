"""The tenants file (cocontroller.tenants) and the Toyota BE packs that extend Lexus BE's."""

import re
from pathlib import Path

import pytest

from cocontroller import tenants
from cocontroller.config import Settings
from cocontroller.domain.assignment import ASSIGNMENT_FIELDS
from cocontroller.domain.resolution import PRIVACY_FIELDS
from cocontroller.errors import FailedPrecondition, NotFound
from cocontroller.resources import ASSIGNMENT_PACK, PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack


def test_the_shipped_file_serves_lexus_then_toyota():
    served = tenants.served(Settings(db="var/cc.db", tenants=None))
    assert [(t.id, t.brand, t.country) for t in served] == [("lexus-be", "Lexus", "BE"), ("toyota-be", "Toyota", "BE")]
    assert [t.db for t in served] == ["var/cc.db", "var/cc-toyota-be.db"]
    assert Path(served[0].rules_dir) == packs_dir() and Path(served[1].rules_dir) == packs_dir() / "toyota-be"
    assert all(Path(t.demo_dealers).exists() for t in served)


@pytest.mark.parametrize("db,derived", [
    ("var/cocontroller.db", "var/cocontroller-toyota-be.db"),
    ("/srv/cc", "/srv/cc-toyota-be"),
    ("postgresql://cc@db.internal:5432/cocontroller?sslmode=require",
     "postgresql://cc@db.internal:5432/cocontroller_toyota_be?sslmode=require"),
    ("postgresql:///cocontroller?host=/run/postgresql", "postgresql:///cocontroller_toyota_be?host=/run/postgresql"),
])
def test_another_tenants_database_is_named_after_the_default(db, derived):
    assert tenants.derived_db(db, "toyota-be") == derived


def _file(tmp_path, text: str) -> Settings:
    path = tmp_path / "tenants.toml"
    path.write_text(text, encoding="utf-8")
    return Settings(db="a.db", tenants=path)


ENTRY = 'id = "{id}"\nbrand = "B"\ncountry = "BE"\nname = "N"\nrules = ""\ndemo_dealers = "d.json"\n'


def test_a_database_the_file_names_is_kept(tmp_path):
    settings = _file(tmp_path, "[[tenant]]\n" + ENTRY.format(id="a-be") + "[[tenant]]\n" + ENTRY.format(id="b-be")
                     + 'db = "postgresql://h/b"\n')
    assert [t.db for t in tenants.served(settings)] == ["a.db", "postgresql://h/b"]


@pytest.mark.parametrize("text,problem", [
    ("", "lists no [[tenant]]"),
    ("[[tenant]]\n" + ENTRY.format(id="A_BE"), "lower-case words"),
    ("[[tenant]]\n" + ENTRY.format(id="a-be") + "[[tenant]]\n" + ENTRY.format(id="a-be"), "appears twice"),
    ("[[tenant]]\n" + ENTRY.format(id="a-be").replace('country = "BE"', 'country = "Belgium"'), "ISO 3166"),
    ("[[tenant]]\n" + ENTRY.format(id="a-be").replace('rules = ""\n', ""), "missing keys ['rules']"),
    ("[[tenant]]\n" + ENTRY.format(id="a-be") + 'colour = "red"\n', "unknown keys ['colour']"),
    ("[[tenant\n", "cannot be read"),
])
def test_a_malformed_file_is_refused_naming_the_problem(tmp_path, text, problem):
    with pytest.raises(FailedPrecondition, match=re.escape(problem)):
        tenants.served(_file(tmp_path, text))


def test_a_tenant_not_served_is_not_found():
    with pytest.raises(NotFound, match="lexus-be, toyota-be"):
        tenants.chosen(Settings(tenant="peugeot-be"))


@pytest.mark.parametrize("pack,fields", [(ASSIGNMENT_PACK, ASSIGNMENT_FIELDS), (PRIVACY_PACK, PRIVACY_FIELDS)])
def test_the_toyota_packs_are_the_lexus_rules_in_toyota_words(pack, fields):
    lexus = load_pack(packs_dir() / pack, fields)
    toyota = load_pack(packs_dir() / "toyota-be" / pack, fields)
    assert toyota.version == f"{lexus.version}+toyota-be.1"
    assert [(r.key, r.when, r.citation) for r in toyota.rules] == [(r.key, r.when, r.citation) for r in lexus.rules]
    assert toyota.cases_of == lexus.path and lexus.path in toyota.files
    for rule in toyota.rules:
        # Every language is kept; the brand is Toyota's but in the name of Lexus's account,
        # which the policy gives and Toyota's is not known (rules/toyota-be/README.md).
        assert set(rule.labels) == set(lexus.rule(rule.key).labels)
        assert not re.search(r"Lexus(?!Link)", repr((rule.labels, rule.extra))), rule.key


def test_the_toyota_importer_is_toyota_belgium_sa():
    importer = load_pack(packs_dir() / "toyota-be" / PRIVACY_PACK, PRIVACY_FIELDS).parameters["importer"]
    assert (importer["name"], importer["legal_name"], importer["enterprise_number"]) == (
        "Toyota Belgium", "Toyota Belgium SA", "BE 0403.425.770")


def test_a_change_to_the_extended_pack_changes_the_overlays_content(tmp_path):
    """The content hash covers the pack extended: a new Lexus text under an unchanged version
    is refused for Toyota too (a served version never changes its content)."""
    import shutil

    shutil.copytree(packs_dir(), tmp_path / "rules", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    before = load_pack(tmp_path / "rules" / "toyota-be" / ASSIGNMENT_PACK, ASSIGNMENT_FIELDS).content_hash
    base = tmp_path / "rules" / ASSIGNMENT_PACK
    base.write_text(base.read_text(encoding="utf-8").replace("nearest to you", "closest to you"), encoding="utf-8")
    assert load_pack(tmp_path / "rules" / "toyota-be" / ASSIGNMENT_PACK, ASSIGNMENT_FIELDS).content_hash != before
