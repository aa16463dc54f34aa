"""`cocontroller arrangement`: the essence of the joint-controller arrangement (GDPR art.
26(2)) read from the shipped privacy pack, in each of nl, fr, de and en."""

import datetime as dt
import json

import pytest

from cocontroller.domain.resolution import PRIVACY_FIELDS
from cocontroller.model import LABEL_LANGUAGES
from cocontroller.resources import PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack

PACK = load_pack(packs_dir() / PRIVACY_PACK, PRIVACY_FIELDS)
DAY = dt.date(2026, 12, 6)


def purposes_in_force(day: dt.date) -> dict[str, list]:
    found: dict[str, list] = {}
    for rule in PACK.rules:
        if rule.in_force(day) and rule.extra["output"]["kind"] == "purpose":
            found.setdefault(rule.extra["output"]["group"], []).append(rule)
    return found


@pytest.mark.parametrize("language", LABEL_LANGUAGES)
def test_every_group_with_its_allocation_and_purposes_in_the_language(cli, language):
    code, out, err = cli("arrangement", "--lang", language, "--as-of", DAY, "--json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert (found["pack"], found["language"], found["as_of"]) == (PACK.qualified_version, language, DAY.isoformat())
    expected = purposes_in_force(DAY)
    assert [s["group"] for s in found["shares"]] == list(expected)
    for share in found["shares"]:
        rules = expected[share["group"]]
        assert share["allocation"] == PACK.parameters["allocation"][share["group"]][language]
        assert [p["label"] for p in share["purposes"]] == [r.labels[language] for r in rules]
        named = {c for r in rules for c in r.extra["output"]["controllers"]}
        assert set(share["controllers"]) == named
    importer = found["parties"][0]
    assert (importer["role"], importer["name"], importer["address"], importer["enterprise_number"]) == (
        "importer", "Lexus Belgium", "Leuvensesteenweg 369, 1932 Zaventem", "BE 0403.425.770")
    assert [p["role"] for p in found["parties"]] == ["importer", "distributor", "seller", "repairer"]


def test_the_text_a_german_speaker_reads_is_german(cli):
    code, out, err = cli("arrangement", "--lang", "de", "--as-of", DAY)
    assert (code, err) == (0, "")
    assert "Jeder ist Ihr Ansprechpartner für Ihre Rechte." in out
    assert "Ihr zugelassener Lexus-Vertragshändler, als gemeinsam Verantwortlicher" in out
    assert "DSGVO)" in out and "GDPR" not in out
    for english in PACK.rules[0].labels["en"], PACK.parameters["allocation"]["questions"]["en"]:
        assert english not in out


def test_purposes_follow_the_rules_in_force_on_the_day(cli):
    """The pack's rules change over time (the Privacy Shield, the UK, new purposes): the
    arrangement lists the purposes of the asked day, and no rule's two versions at once."""
    for day in (dt.date(2020, 4, 13), dt.date(2021, 1, 1), DAY):
        code, out, err = cli("arrangement", "--lang", "nl", "--as-of", day, "--json")
        assert code == 0, err
        listed = [p["label"] for s in json.loads(out)["shares"] for p in s["purposes"]]
        assert listed == [r.labels["nl"] for rules in purposes_in_force(day).values() for r in rules]


def test_a_day_before_the_policy_is_refused(cli):
    code, out, err = cli("arrangement", "--lang", "fr", "--as-of", "2019-12-31", "--json")
    assert (code, out) == (5, "")  # the exit code of FAILED_PRECONDITION (README, exit codes)
    error = json.loads(err)["error"]
    assert error["code"] == "FAILED_PRECONDITION" and "2020-04-13" in error["message"]


def test_a_language_outside_the_four_is_a_usage_error(cli):
    code, out, err = cli("arrangement", "--lang", "it")
    assert code == 2 and out == "" and "nl, fr, de, en" in err.replace("'", "").replace("|", ", ")
