"""Four languages (issue 9, deliverable 6): every label, explanation, recipient, transfer,
finding and place name of an answer comes in nl, fr, de and en; a German-speaking customer
reads German; place names follow the answer's language; a missing text falls back on French
or Dutch, never on English; a pack missing a language does not load.

One named test per case, in the manner of a policy's test table.
"""

import datetime as dt
import shutil

import pytest

from cocontroller import clock
from cocontroller.domain.assignment import ASSIGNMENT_FIELDS, check_assignment_pack
from cocontroller.domain.postcodes import municipality_name
from cocontroller.domain.resolution import PRIVACY_FIELDS, check_privacy_pack
from cocontroller.errors import InvalidArgument, RulePackError
from cocontroller.model import FALLBACKS, LABEL_LANGUAGES, Language, in_language
from cocontroller.resources import ASSIGNMENT_PACK, PRIVACY_PACK, packs_dir
from cocontroller.rules.pack import load_pack
from support import PROOF, make_app

BXL = dt.timezone(dt.timedelta(hours=1))
AS_OF = dt.date(2025, 6, 2)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text + " 10:00").replace(tzinfo=BXL)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("languages") / "db.sqlite")


@pytest.fixture(scope="module")
def eupen(shared):
    """A customer in Eupen (4700, the German-speaking community) who bought from the Eupen
    dealer, leases, insures through Car Security, consented to e-mail and has a dispute open:
    an answer with every kind of entry (notices and findings included)."""
    app = shared
    app.customers.upsert("de-eupen", "4700")
    app.facts.record_contact("", "de-eupen", "dlr-eupen", "purchase", at("2024-03-05"))
    app.facts.record_contract("de-eupen-lease", "de-eupen", "lease", "Toyota Financial Services", "dlr-eupen",
                              dt.date(2024, 3, 5), None)
    app.facts.record_contract("de-eupen-ins", "de-eupen", "insurance", "Car Security SA", "dlr-eupen",
                              dt.date(2024, 3, 5), None)
    app.facts.record_consent("de-eupen", "email", at("2024-03-05"), None, PROOF)
    app.facts.record_dispute("de-eupen", at("2025-01-10"), None, "Streit über die Rechnung")
    view, _ = app.assignment.assign("de-eupen")
    return view, app.resolution.resolve("de-eupen", AS_OF)


def pack_of(app, name):
    return getattr(app.runtime.current, name).pack


# --- a German-speaking customer reads German -------------------------------------------------


def test_a_customer_in_eupen_speaks_german_by_default(shared, eupen):
    assert shared.customers.get("de-eupen").language == "de"


def test_a_german_speaking_customer_gets_an_answer_in_german(eupen):
    _, r = eupen
    assert r.language == "de"


def test_a_german_speaking_customer_reads_german_labels(shared, eupen):
    _, r = eupen
    pack = pack_of(shared, "privacy")
    items = r.controllers + r.purposes + r.recipients + r.transfers + r.retention + r.notices + r.findings
    from_rules = [x for x in items if x.rule]
    assert len(from_rules) > 30
    for x in from_rules:
        labels = pack.rule(x.rule).labels
        assert x.label == labels["de"] and x.label not in (labels["en"], labels["nl"]), x.rule
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.label == "Ihr zugelassener Lexus-Vertragshändler, als gemeinsam Verantwortlicher"


def test_a_german_speaking_customer_reads_german_whys(shared, eupen):
    _, r = eupen
    pack = pack_of(shared, "privacy")
    assert r.purposes
    for p in r.purposes:
        assert p.why == pack.rule(p.rule).extra["output"]["why"]["de"], p.id
    email = next(p for p in r.purposes if p.id == "purpose.marketing.email")
    assert email.why.startswith("Sie haben in Werbung per E-Mail eingewilligt")


def test_a_german_speaking_customer_reads_german_recipients(shared, eupen):
    _, r = eupen
    names = pack_of(shared, "privacy").parameters["recipients"]
    by_id = {x.id: x for x in r.recipients}
    for x in r.recipients:
        if x.recipient != "contract_partner":  # named as on the contract
            assert x.name == names[x.recipient]["name"]["de"], x.id
    assert by_id["recipient.subcontractors"].name.startswith("Externe Unterauftragnehmer")
    assert by_id["recipient.partners"].name.startswith("Partnerunternehmen von Lexus")
    assert by_id["recipient.inchcape"].purpose == "betriebliche Zwecke"
    # a Brussels address follows the answer's language too
    assert by_id["recipient.toyota-motor-europe"].address.endswith("1140 Brüssel")


def test_a_german_speaking_customer_reads_german_transfers(eupen):
    _, r = eupen
    us_clauses = next(t for t in r.transfers if t.id == "transfer.us.clauses")
    assert "Standardvertragsklauseln" in us_clauses.label
    assert us_clauses.applies_to == "Empfänger, die nicht unter einen Angemessenheitsbeschluss fallen"
    assert us_clauses.recipients[0].startswith("Externe Unterauftragnehmer")
    uk = next(t for t in r.transfers if t.country == "GB")
    assert "Angemessenheitsbeschluss" in uk.label and uk.applies_to == "Inchcape im Vereinigten Königreich"


def test_a_german_speaking_customer_reads_german_notices_and_retention(eupen):
    _, r = eupen
    notices = {n.id: n for n in r.notices}
    assert notices["notice.dispute"].refers_to == "diese Richtlinie, Abschnitt 4 (Aufbewahrung während einer Streitigkeit)"
    assert notices["notice.insurance-car-security"].refers_to == "die Datenschutzrichtlinie von Car Security SA"
    categories = {x.id: x.category for x in r.retention}
    assert categories["retention.contract-end"] == "Vertragsdaten"


def test_a_german_speaking_customer_reads_german_findings(eupen):
    _, r = eupen
    findings = {f.id: f.label for f in r.findings}
    assert findings["finding.privacy-shield"].startswith("Die Richtlinie (Version 1.0) nennt noch den EU-US-Datenschutzschild")
    assert "rechtliche Verpflichtung" in findings["finding.accounting-legal-basis"]


def test_a_german_speaking_customer_reads_the_resolvers_findings_in_german(shared):
    shared.customers.upsert("de-before", "4700")
    r = shared.resolution.resolve("de-before", dt.date(2020, 4, 12))
    assert [f.label for f in r.findings] == ["an diesem Tag ist kein zugelassener Vertragshändler aktiv"]


def test_a_closed_dealer_is_reported_in_german(app):
    app.customers.upsert("de-closed", "4700")
    assert app.assignment.assign("de-closed")[0].dealer.dealer_id == "dlr-eupen"
    app.network.close_dealer("dlr-eupen", clock.today(), "test")
    r = app.resolution.resolve("de-closed", None)
    inactive = [f.label for f in r.findings if f.id == "resolver.distributor-inactive"]
    assert len(inactive) == 1 and "ist an diesem Tag nicht aktiv" in inactive[0]


def test_a_german_speaking_customer_reads_the_explanation_in_german(eupen):
    view, r = eupen
    assert (view.basis, view.dealer.dealer_id) == ("PURCHASE", "dlr-eupen")
    assert view.explanation == "Kauf bei diesem Vertragshändler am 05.03.2024"
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.explanation == view.explanation
    importer = next(c for c in r.controllers if c.role == "importer")
    assert importer.explanation == "B.U. von Toyota Belgium SA"


def test_a_nearest_explanation_names_eupen_with_a_decimal_comma(shared):
    shared.customers.upsert("de-near", "4700")
    view, _ = shared.assignment.assign("de-near")
    assert view.explanation.startswith("nächstgelegener aktiver Vertragshändler, ")
    assert view.explanation.endswith(" km von 4700 Eupen entfernt") and "," in view.explanation.split(" km ")[0]


# --- the asked language -------------------------------------------------------------------------


def test_language_de_is_accepted(shared):
    shared.customers.upsert("nl-asks-de", "9000")
    r = shared.resolution.resolve("nl-asks-de", AS_OF, "de")
    assert r.language == "de"
    importer = next(c for c in r.controllers if c.role == "importer")
    assert importer.label == "Lexus Belgium, B.U. von Toyota Belgium SA, als Verantwortlicher"


def test_every_answer_language_is_accepted(shared):
    shared.customers.upsert("any-language", "9000")
    assert tuple(LABEL_LANGUAGES) == ("nl", "fr", "de", "en")
    for language in LABEL_LANGUAGES:
        assert shared.resolution.resolve("any-language", AS_OF, language).language == language


def test_an_unknown_language_is_refused(shared):
    shared.customers.upsert("asks-xx", "9000")
    with pytest.raises(InvalidArgument) as caught:
        shared.resolution.resolve("asks-xx", AS_OF, "xx")
    assert [f for f, _ in caught.value.violations] == ["language"]


def test_the_same_answer_in_four_languages_differs_only_in_its_texts(shared, eupen):
    answers = [shared.resolution.resolve("de-eupen", AS_OF, language) for language in LABEL_LANGUAGES]
    assert len({r.fired_rules for r in answers}) == 1
    for items in zip(*(r.purposes for r in answers)):
        assert len({p.id for p in items}) == 1 and len({p.label for p in items}) == 4
        assert len({p.why for p in items}) == 4, items[0].id


# --- place names follow the answer's language ---------------------------------------------------


def test_a_customer_in_namur_asking_in_french_reads_namur(shared):
    shared.customers.upsert("fr-namur", "5000")
    assert shared.customers.get("fr-namur").language == "fr"
    view, _ = shared.assignment.assign("fr-namur")
    assert "5000 Namur" in view.explanation and "Namen" not in view.explanation
    assert view.explanation.startswith("distributeur actif le plus proche, à ")
    r = shared.resolution.resolve("fr-namur", None, "fr")
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert "5000 Namur" in distributor.explanation


def test_a_dutch_speaking_customer_in_namur_reads_namen(shared):
    shared.customers.upsert("nl-namur", "5000", language="nl")
    view, _ = shared.assignment.assign("nl-namur")
    assert view.explanation.endswith("km van 5000 Namen")


def test_a_place_is_answered_in_its_language_area(shared):
    explanations = {code: shared.assignment.responsible_for_location(code, None, None, None).explanation
                    for code in ("4700", "5000", "9000", "1000")}
    assert explanations["4700"].endswith("km von 4700 Eupen entfernt")
    assert explanations["5000"].endswith("km de 5000 Namur")
    assert explanations["9000"].endswith("km van 9000 Gent")
    assert explanations["1000"].endswith("km de 1000 Bruxelles")


def test_municipality_names_per_language(shared):
    namur, eupen, gent, brussels, sankt_vith = (shared.postcodes.get(c) for c in ("5000", "4700", "9000", "1000", "4780"))
    assert [municipality_name(namur, x) for x in ("nl", "fr", "de", "en")] == ["Namen", "Namur", "Namur", "Namur"]
    assert [municipality_name(sankt_vith, x) for x in ("nl", "fr", "de", "en")] == [
        "Sankt Vith", "Saint-Vith", "Sankt Vith", "Sankt Vith"]
    assert [municipality_name(gent, x) for x in ("nl", "fr", "de", "en")] == ["Gent", "Gand", "Gand", "Gent"]
    assert municipality_name(eupen, "de") == "Eupen"
    assert municipality_name(brussels, "en") == "Bruxelles/Brussel"


def test_a_customers_coordinates_are_named_in_the_customers_language(shared):
    shared.customers.upsert("de-coords", "4700", lat=50.6300, lon=6.0330)
    view, _ = shared.assignment.assign("de-coords")
    assert view.explanation.endswith("km von den Koordinaten des Kunden entfernt")


def test_a_stored_explanation_keeps_the_language_it_was_given_in(shared):
    """The stored version is the record of what the customer was told (usecases/assignment.py):
    asked in another language, the answer's texts follow the question, the stored explanation
    stays as given."""
    shared.customers.upsert("nl-stored", "9000")
    stored, _ = shared.assignment.assign("nl-stored")
    r = shared.resolution.resolve("nl-stored", None, "fr")
    distributor = next(c for c in r.controllers if c.role == "distributor")
    assert distributor.explanation == stored.explanation and "9000 Gent" in stored.explanation
    assert distributor.label == "votre distributeur Lexus agréé, en tant que responsable du traitement"


# --- the fallback rule --------------------------------------------------------------------------


def test_german_falls_back_on_french_then_dutch():
    assert FALLBACKS[Language.DE] == ("de", "fr", "nl")
    assert in_language({"nl": "Namen", "fr": "Namur", "en": "Namur (en)"}, "de") == "Namur"
    assert in_language({"nl": "Namen", "en": "Namur (en)"}, "de") == "Namen"


def test_french_falls_back_on_dutch():
    assert FALLBACKS[Language.FR] == ("fr", "nl")
    assert in_language({"nl": "Gent", "de": "Gent (de)", "en": "Ghent"}, "fr") == "Gent"


def test_dutch_falls_back_on_french():
    assert FALLBACKS[Language.NL] == ("nl", "fr")
    assert in_language({"fr": "Bruxelles", "de": "Brüssel", "en": "Brussels"}, "nl") == "Bruxelles"


def test_english_falls_back_on_french_then_dutch():
    assert FALLBACKS[Language.EN] == ("en", "fr", "nl")
    assert in_language({"nl": "Namen", "fr": "Namur", "de": "Namür"}, "en") == "Namur"
    assert in_language({"nl": "Gent", "de": "Gent (de)"}, "en") == "Gent"


def test_belgian_languages_never_fall_back_on_english():
    only_english = {"en": "English only"}
    assert [in_language(only_english, x) for x in ("nl", "fr", "de")] == ["", "", ""]
    assert in_language(only_english, "en") == "English only"


def test_an_empty_text_counts_as_missing():
    assert in_language({"de": "", "fr": "français"}, "de") == "français"


def test_every_language_has_a_fallback_chain_starting_with_itself():
    assert set(FALLBACKS) == set(Language)
    for language, chain in FALLBACKS.items():
        assert chain[0] == language and "en" not in chain[1:]


# --- a pack missing a language does not load ----------------------------------------------------


@pytest.fixture
def rules(tmp_path):
    copied = tmp_path / "rules"
    shutil.copytree(packs_dir(), copied, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copied


def edit(path, old, new=""):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def load_privacy(rules):
    pack = load_pack(rules / PRIVACY_PACK, PRIVACY_FIELDS)
    check_privacy_pack(pack)
    return pack


def load_assignment(rules):
    pack = load_pack(rules / ASSIGNMENT_PACK, ASSIGNMENT_FIELDS)
    check_assignment_pack(pack)
    return pack


def test_the_shipped_packs_speak_four_languages(rules):
    for pack in (load_privacy(rules), load_assignment(rules)):
        for rule in pack.rules:
            assert set(rule.labels) == {"nl", "fr", "de", "en"}, rule.key
            assert rule.labels["de"] not in (rule.labels["en"], rule.labels["nl"]), rule.key


def test_a_pack_missing_de_for_one_label_is_refused_naming_the_rule(rules):
    part = rules / "privacy" / "purposes.yaml"
    edit(part, "      de: Ihre Anfrage für ein Angebot bearbeiten und beantworten\n")
    with pytest.raises(RulePackError) as caught:
        load_privacy(rules)
    error = caught.value
    assert (error.path, error.rule_id, error.field) == (str(part), "purpose.questions.quote", "labels.de")
    assert "purposes.yaml" in str(error) and "purpose.questions.quote" in str(error)


def test_a_pack_missing_de_for_a_why_is_refused_naming_the_rule(rules):
    part = rules / "privacy" / "purposes.yaml"
    edit(part, "        de: Sie haben in den letzten 36 Monaten ein Angebot angefragt.\n")
    with pytest.raises(RulePackError) as caught:
        load_privacy(rules)
    assert (caught.value.path, caught.value.rule_id, caught.value.field) == (
        str(part), "purpose.questions.quote", "output.why.de")


def test_a_pack_with_an_english_only_why_is_refused(rules):
    part = rules / "privacy" / "transfers.yaml"
    edit(part, """      applies_to: &clauses_applies_to
        nl: ontvangers die niet onder een adequaatheidsbesluit vallen
        fr: les destinataires non couverts par une décision d'adéquation
        de: Empfänger, die nicht unter einen Angemessenheitsbeschluss fallen
        en: recipients not covered by an adequacy decision
""", "      applies_to: &clauses_applies_to recipients not covered by an adequacy decision\n")
    with pytest.raises(RulePackError) as caught:
        load_privacy(rules)
    assert (caught.value.rule_id, caught.value.field) == ("transfer.us.clauses", "output.applies_to")


def test_a_pack_missing_de_for_a_recipient_name_is_refused(rules):
    pack = rules / PRIVACY_PACK
    edit(pack, "        de: Externe Unterauftragnehmer (externe Callcenter, Werbeagentur, IT-Dienstleister)\n")
    with pytest.raises(RulePackError) as caught:
        load_privacy(rules)
    assert (caught.value.path, caught.value.field) == (str(pack), "parameters.recipients.subcontractors.name.de")


def test_a_pack_missing_de_for_an_explanation_is_refused_naming_the_rule(rules):
    pack = rules / ASSIGNMENT_PACK
    edit(pack, "      de: Kauf bei diesem Vertragshändler am {purchase_on}\n")
    with pytest.raises(RulePackError) as caught:
        load_assignment(rules)
    assert (caught.value.path, caught.value.rule_id, caught.value.field) == (
        str(pack), "assignment.purchase", "explanation.de")


def test_an_explanation_is_checked_in_every_language(rules):
    pack = rules / ASSIGNMENT_PACK
    edit(pack, "Kauf bei diesem Vertragshändler am {purchase_on}", "Kauf bei diesem Vertragshändler am {kaufdatum}")
    with pytest.raises(RulePackError) as caught:
        load_assignment(rules)
    assert (caught.value.rule_id, caught.value.field) == ("assignment.purchase", "explanation.de")
    assert "KeyError" in caught.value.problem and "{purchase_on}" in caught.value.problem


def test_a_reload_refuses_a_pack_missing_de_and_keeps_serving(tmp_path, rules):
    app = make_app(tmp_path / "db.sqlite", rules_dir=rules)
    served = app.runtime.current.privacy.version
    part = rules / "privacy" / "notices.yaml"
    edit(part, "      de: >-\n        Eine Streitigkeit oder Meinungsverschiedenheit ist anhängig: Ihre Daten werden aufbewahrt,\n"
               "        bis sie beigelegt ist, auch wenn andere Aufbewahrungsfristen abgelaufen sind.\n")
    edit(rules / PRIVACY_PACK, 'version: "2026.12.6.5"', 'version: "2026.12.6.6"')
    with pytest.raises(RulePackError) as caught:
        app.packs.reload()
    assert (caught.value.path, caught.value.rule_id, caught.value.field) == (str(part), "notice.dispute", "labels.de")
    assert app.runtime.current.privacy.version == served
