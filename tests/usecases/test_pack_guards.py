"""Packs that cannot fail at run time: an explanation that does not render, a pack whose own
cases fail, and changed content under an unchanged version are refused at load and at
reload, naming the file (the part a rule is written in), and the running version keeps
serving."""

import shutil

import pytest
from support import make_app

from cocontroller import bootstrap
from cocontroller.errors import RulePackError
from cocontroller.resources import packs_dir

VERSION = 'version: "2026.12.5.1"'


@pytest.fixture
def own_rules(tmp_path):
    """(app, the copied rules directory) over a database of its own."""
    rules = tmp_path / "rules"
    shutil.copytree(packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return make_app(tmp_path / "db.sqlite", rules_dir=rules), rules


def edit(path, old: str, new: str, version: str | None = None) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    if version:
        text = "\n".join(f'version: "{version}"' if line.startswith("version:") else line
                         for line in text.splitlines()) + "\n"
    path.write_text(text, encoding="utf-8")


def still_serves(app, version: str) -> None:
    decision = app.assignment.responsible_for_location("9000", None, None, None)
    assert decision.rules_version == version
    assert decision.explanation.startswith("dichtstbijzijnde actieve verdeler")  # 9000: Dutch


@pytest.mark.parametrize("template,problem", [
    ("{distanse_km:.1f} km from {origin}", "KeyError"),
    ("{distance_km:.1q} km from {origin}", "ValueError"),
    ("{distance_km:.1f} km from {origin}, bought on {purchase_on}", "KeyError"),
    ("{} km from {origin}", "IndexError"),
    ("{origin.name}", "AttributeError"),
])
def test_an_explanation_that_does_not_render_is_refused(own_rules, template, problem):
    app, rules = own_rules
    pack = rules / "assignment" / "assignment.yaml"
    edit(pack, "{distance_km:.1f} km from {origin}", template, version="2026.12.5.2")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    error = caught.value
    assert (error.path, error.rule_id, error.field) == (str(pack), "assignment.nearest", "explanation.en")
    assert problem in error.problem and "{distance_km}" in error.problem
    still_serves(app, "assignment@2026.12.5.1")


def test_a_pack_whose_own_cases_fail_is_refused(own_rules):
    app, rules = own_rules
    # Location before every other basis: the pack loads, but its cases say otherwise.
    edit(rules / "assignment" / "assignment.yaml", "    priority: 5\n", "    priority: 0\n", version="2026.12.5.2")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    error = caught.value
    assert error.path == str(rules / "assignment" / "assignment_test.yaml")
    assert error.field.startswith("cases[") and "got 'assignment.nearest'" in error.problem
    still_serves(app, "assignment@2026.12.5.1")


def test_changed_content_under_the_same_version_is_refused_at_reload_and_restart(own_rules, tmp_path):
    app, rules = own_rules
    pack = rules / "assignment" / "assignment.yaml"
    edit(pack, "description: Precedence and parameters of the dealer assignment.",
         "description: The precedence and parameters of the dealer assignment.")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    assert (caught.value.path, caught.value.field) == (str(pack), "version")
    assert "assignment@2026.12.5.1 has served with other content" in caught.value.problem
    still_serves(app, "assignment@2026.12.5.1")
    # A restart over the same database is refused too: stored answers cite the version.
    with pytest.raises(RulePackError):
        bootstrap.build(app.settings)
    # A new version for the new content is what it takes.
    edit(pack, VERSION, 'version: "2026.12.5.2"')
    app.packs.reload()
    still_serves(app, "assignment@2026.12.5.2")
    assert bootstrap.build(app.settings).runtime.current.assignment.version == "assignment@2026.12.5.2"


def test_a_changed_part_file_counts_as_changed_content(own_rules):
    app, rules = own_rules
    part = rules / "privacy" / "notices.yaml"
    part.write_text(part.read_text(encoding="utf-8") + "# a comment changes the content too\n", encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    assert caught.value.field == "version"


def test_a_rule_error_names_the_part_file_it_is_written_in(own_rules):
    app, rules = own_rules
    part = rules / "privacy" / "recipients.yaml"
    edit(part, "      recipient: inchcape\n", "      recipient: nobody_we_know\n", version="2026.12.5.2")
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    assert caught.value.path == str(part) and caught.value.field == "output.recipient"
