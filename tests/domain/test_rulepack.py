"""Rule packs load only when every rule is complete, and their cases pass."""

import datetime as dt

import pytest

from cocontroller.domain.assignment import ASSIGNMENT_FIELDS, check_assignment_pack
from cocontroller.errors import RulePackError
from cocontroller.resources import ASSIGNMENT_PACK, packs_dir
from cocontroller.rules.cases import run_cases
from cocontroller.rules.engine import RuleEngine
from cocontroller.rules.pack import day_number, load_pack

ASSIGNMENT = packs_dir() / ASSIGNMENT_PACK

VALID_RULE = """
  - id: r.one
    version: 1
    effective_from: 2020-01-01
    citation: {section: "1", text: some sentence}
    labels: {nl: een, fr: un, de: eins, en: one}
    when:
      - flag: true
"""


def write_pack(tmp_path, rules_text, facts="flag: bool"):
    path = tmp_path / "p.yaml"
    path.write_text(f"pack: p\nversion: '1'\nfacts:\n  {facts}\nrules:{rules_text}", encoding="utf-8")
    return path


def test_shipped_assignment_pack_loads_and_its_cases_pass():
    pack = load_pack(ASSIGNMENT, ASSIGNMENT_FIELDS)
    check_assignment_pack(pack)
    results = run_cases(pack)
    assert len(results) >= 10
    failed = [r for r in results if not r.passed]
    assert failed == []


def test_valid_minimal_pack(tmp_path):
    pack = load_pack(write_pack(tmp_path, VALID_RULE))
    assert [r.key for r in pack.rules] == ["r.one@v1"]


@pytest.mark.parametrize(
    "change, field",
    [
        (("    version: 1\n", ""), "version"),
        (("    citation: {section: \"1\", text: some sentence}\n", ""), "citation"),
        (("{section: \"1\", text: some sentence}", "{section: \"1\", text: \"\"}"), "citation"),
        (("fr: un, ", ""), "labels.fr"),
        (("de: eins, ", ""), "labels.de"),
        (("de: eins, ", "de: '  ', "), "labels.de"),
        (("en: one", "en: one, es: uno"), "labels.es"),
        (("    version: 1\n", "    version: 1\n    colour: red\n"), "colour"),
        (("      - flag: true", "      - nope: true"), "when.nope"),
        (("      - flag: true", "      - flag: 3"), "when.flag"),
        (("      - flag: true", "      - flag: {near: true}"), "when.flag"),
        (("2020-01-01", "2020-13-01"), "effective_from"),
    ],
)
def test_malformed_rule_names_file_rule_and_field(tmp_path, change, field):
    old, new = change
    assert old in VALID_RULE
    path = write_pack(tmp_path, VALID_RULE.replace(old, new))
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    error = caught.value
    assert error.path == str(path)
    assert error.rule_id == "r.one"
    assert error.field == field
    assert str(path) in str(error) and "r.one" in str(error) and field in str(error)


def test_overlapping_versions_of_one_rule_are_refused(tmp_path):
    second = VALID_RULE.replace("version: 1", "version: 2").replace("2020-01-01", "2021-01-01")
    path = write_pack(tmp_path, VALID_RULE + second)
    with pytest.raises(RulePackError, match="overlaps") as caught:
        load_pack(path)
    assert caught.value.rule_id == "r.one"
    closed = VALID_RULE.replace("effective_from: 2020-01-01", "effective_from: 2020-01-01\n    effective_until: 2021-01-01")
    assert len(load_pack(write_pack(tmp_path, closed + second)).rules) == 2


def test_unknown_pack_field_and_unreadable_file(tmp_path):
    path = write_pack(tmp_path, VALID_RULE)
    path.write_text("colour: red\n" + path.read_text())
    with pytest.raises(RulePackError, match="colour"):
        load_pack(path)
    path.write_text("rules: [unclosed")
    with pytest.raises(RulePackError, match="YAML"):
        load_pack(path)


def test_assignment_pack_needs_its_parameters(tmp_path):
    text = ASSIGNMENT.read_text(encoding="utf-8").replace("    half_life_days: 365", "")
    path = tmp_path / "assignment.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError, match="parameters"):
        check_assignment_pack(load_pack(path, ASSIGNMENT_FIELDS))


def test_effective_dates_are_decided_by_the_engine(tmp_path):
    ended = VALID_RULE.replace("effective_from: 2020-01-01", "effective_from: 2020-01-01\n    effective_until: 2021-01-01")
    pack = load_pack(write_pack(tmp_path, ended))
    rules = RuleEngine()
    ruleset = rules.compile("dates", pack.conditions())
    fact = {"flag": True}
    assert rules.all_matches(ruleset, dict(fact, day=day_number(dt.date(2020, 6, 1)))) == ["r.one@v1"]
    assert rules.all_matches(ruleset, dict(fact, day=day_number(dt.date(2021, 1, 1)))) == []
    assert rules.all_matches(ruleset, dict(fact, day=day_number(dt.date(2019, 12, 31)))) == []
