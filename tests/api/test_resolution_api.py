"""Controller resolution through a real gRPC server and the `cocontroller` command line:
the JSON answer, recording consents, contracts and disputes, every class of bad input, hot
reload of the privacy pack (also under load) and the local `rules check` / `rules test`."""

import datetime as dt
import itertools
import json
import shutil
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.type import date_pb2

from cocontroller.api.convert import resolution_wire
from cocontroller.api.server import build_server
from cocontroller.resources import packs_dir
from cocontroller.v1 import resolution_pb2 as rpb
from cocontroller_client.cli import main
from cocontroller_client.client import ClientError
from support import CONSENT_PROOF, client_for, make_app, tenant_apps

RULES = packs_dir()
BXL = ZoneInfo("Europe/Brussels")
_ids = itertools.count()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BXL)


def new_customer(client, postcode="9000") -> str:
    customer_id = f"api-{next(_ids)}"
    client.upsert_customer(customer_id, postcode)
    return customer_id


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    server, port = build_server(tenant_apps(make_app(tmp_path_factory.mktemp("api") / "db.sqlite")), "127.0.0.1:0", 4)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None).wait()


@pytest.fixture
def client(target):
    with client_for(target) as c:
        yield c


@pytest.fixture
def cli(target, capsys):
    """Runs the CLI in-process against the server: (exit code, stdout, stderr)."""

    def run(*argv):
        code = main([*argv, "--target", target])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def resolve_json(cli, customer_id, as_of, *extra):
    code, out, err = cli("resolve", "--customer", customer_id, "--as-of", as_of, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


# --- the answer ------------------------------------------------------------------------------


def test_resolve_json_shape(client, cli):
    c = new_customer(client)
    client.record_contact(c, "dlr-gent", "purchase", at("2019-05-02T10:00"))
    data = resolve_json(cli, c, "2024-05-01")
    for key in ("controllers", "purposes", "recipients", "transfers", "retention", "findings",
                "rules_version", "fired_rules", "notices", "earliest_erase_date"):
        assert key in data, key
    assert data["rules_version"] == "privacy@2026.12.6.5"
    assert data["as_of"] == "2024-05-01" and data["language"] == "nl"
    assert {(c_["role"], c_["id"]) for c_ in data["controllers"]} == {("importer", "importer"), ("distributor", "dlr-gent")}
    importer = next(c_ for c_ in data["controllers"] if c_["role"] == "importer")
    assert importer["enterprise_number"] == "BE 0403.425.770"
    distributor = next(c_ for c_ in data["controllers"] if c_["role"] == "distributor")
    assert distributor["assignment_basis"] == "PURCHASE"
    for t in data["transfers"]:
        assert {"country", "safeguard", "article"} <= set(t)
    # 2024: US clauses, US Data Privacy Framework, UK adequacy, Japan adequacy
    assert {(t["country"], t["safeguard"]) for t in data["transfers"]} == {
        ("US", "standard_contractual_clauses"), ("US", "data_privacy_framework"), ("GB", "adequacy"),
        ("JP", "adequacy")}
    for p in data["purposes"]:
        assert {"id", "legal_basis", "article"} <= set(p)
    by_id = {p["id"]: p for p in data["purposes"]}
    assert (by_id["purpose.contract.sale"]["legal_basis"], by_id["purpose.contract.sale"]["article"]) == ("contract", "6(1)(b)")
    assert by_id["purpose.legal.tax"]["legal_basis"] == "legal_obligation"
    retention = {x["id"]: x["erase_after"] for x in data["retention"]}
    # purchase 2019-05-02: accounting 1 Jan 2020 + 7, tax 1 Jan 2020 + 7 (a 2019 document keeps
    # the regime of its date); the customer's data 36 months after the later of the last
    # interaction and the sale's end (its two-year guarantee, to 2021-05-02)
    assert retention["retention.accounting"] == "2027-01-01"
    assert retention["retention.tax"] == "2027-01-01"
    assert retention["retention.last-interaction"] == "2024-05-02"
    assert retention["retention.contract-end"] == "2021-05-02"  # the sale + its two-year guarantee
    assert data["earliest_erase_date"] == "2021-05-02"
    assert {f["id"] for f in data["findings"]} == {
        "finding.privacy-shield", "finding.accounting-legal-basis", "finding.locating-ecall"}
    assert "retention.tax@v1" in data["fired_rules"] and "retention.tax@v2" not in data["fired_rules"]


def test_the_answer_on_the_wire_is_the_resolution_of_each_customer(tmp_path):
    """Two customers share the pack's outcome (its part's bytes are made once) and each gets
    their own controllers, retention and findings."""
    app = make_app(tmp_path / "db.sqlite")
    for customer_id, postcode in (("wire-1", "9000"), ("wire-2", "4000")):
        app.customers.upsert(customer_id, postcode)
        app.facts.record_contact("", customer_id, "dlr-gent", "purchase", at("2024-05-02T10:00"))
        app.assignment.assign(customer_id)
    for customer_id in ("wire-1", "wire-2", "wire-1"):
        r = app.resolution.resolve(customer_id, None, "fr")
        got = rpb.ResolveControllersResponse.FromString(resolution_wire(r))
        assert (got.customer_id, got.language, got.rules_version) == (customer_id, "fr", r.rules_version)
        assert dt.date(got.as_of.year, got.as_of.month, got.as_of.day) == r.as_of
        assert [(c.role, c.id, c.explanation) for c in got.controllers] == [
            (c.role, c.id, c.explanation or "") for c in r.controllers]
        assert [p.id for p in got.purposes] == [p.id for p in r.purposes]
        assert [x.name for x in got.recipients] == [x.name for x in r.recipients]
        assert [t.id for t in got.transfers] == [t.id for t in r.transfers]
        assert [n.id for n in got.notices] == [n.id for n in r.notices]
        assert [(x.id, x.erase_after.year) for x in got.retention] == [
            (x.id, x.erase_after.year if x.erase_after else 0) for x in r.retention]
        assert [f.id for f in got.findings] == [f.id for f in r.findings]
        assert list(got.fired_rules) == list(r.fired_rules)
    app.store.close()


def test_resolve_text_output(client, cli):
    c = new_customer(client)
    code, out, err = cli("resolve", "--customer", c, "--as-of", "2020-05-01", "--lang", "en")
    assert code == 0, err
    assert "BE 0403.425.770" in out and "privacy_shield" in out and "Transfers outside the EEA" in out


def test_resolve_in_french_through_the_api(client):
    c = new_customer(client)
    fr = client.resolve(c, "2024-05-01", "fr")
    nl = client.resolve(c, "2024-05-01", "nl")
    assert fr.language == "fr"
    importer = [x for x in fr.controllers if x.role == "importer"][0]
    assert importer.label == "Lexus Belgium, B.U. de Toyota Belgium SA, en tant que responsable du traitement"
    assert [p.label for p in fr.purposes] != [p.label for p in nl.purposes]


def test_resolve_in_german_through_the_api_and_the_cli(client, cli):
    c = new_customer(client)
    de = client.resolve(c, "2024-05-01", "de")
    assert de.language == "de"
    importer = [x for x in de.controllers if x.role == "importer"][0]
    assert importer.label == "Lexus Belgium, B.U. von Toyota Belgium SA, als Verantwortlicher"
    data = resolve_json(cli, c, "2024-05-01", "--lang", "de")
    assert data["language"] == "de" and any("Vertragshändler" in x["label"] for x in data["controllers"])


# --- recording facts through the CLI changes the answer --------------------------------------


def test_cli_consent_given_and_withdrawn(client, cli):
    c = new_customer(client)
    code, out, err = cli("consent", "--customer", c, "--channel", "email", "--given", "2024-01-01T10:00",
                         "--wording", "newsletter-v3", "--source", "web_form", "--proof", "form-88412")
    assert code == 0, err
    assert "email consent of" in out and "given" in out
    data = resolve_json(cli, c, "2024-02-01")
    assert [p["id"] for p in data["purposes"] if p["channel"]] == ["purpose.marketing.email", "purpose.marketing.email-tracking"]
    assert {x["id"] for x in data["recipients"] if x["marketing"]} == {
        "recipient.marketing.car-security", "recipient.marketing.autoproduct",
        "recipient.marketing.toyota-motor-europe"}
    assert all(x["channels"] == ["email"] for x in data["recipients"] if x["marketing"])
    before = resolve_json(cli, c, "2023-12-31")
    assert not any(p["group"] == "marketing" for p in before["purposes"])

    code, out, err = cli("consent", "--customer", c, "--channel", "email", "--withdrawn", "2024-03-01T10:00")
    assert code == 0, err
    after = resolve_json(cli, c, "2024-04-01")
    assert not any(p["group"] == "marketing" for p in after["purposes"])
    assert not any(x["marketing"] for x in after["recipients"])
    # the past does not change: on 2024-02-01 the consent was in force
    assert resolve_json(cli, c, "2024-02-01")["purposes"] == data["purposes"]


def test_cli_contract_lease(client, cli):
    c = new_customer(client)
    code, out, err = cli("contract", "--id", f"{c}-lease", "--customer", c, "--kind", "lease",
                         "--partner", "Lexus Financial Services", "--dealer", "dlr-gent",
                         "--start", "2024-01-15", "--end", "2027-01-14")
    assert code == 0, err
    data = resolve_json(cli, c, "2024-02-01")
    ids = {p["id"] for p in data["purposes"]}
    assert {"purpose.leasing.contract-information", "purpose.leasing.follow-up",
            "purpose.leasing.customer-indication", "purpose.contract.transfer-of-claims"} <= ids
    assert "recipient.partners" in {x["id"] for x in data["recipients"]}
    assert {n["id"] for n in data["notices"]} == {"notice.lease-partner", "notice.general-privacy-statement"}
    retention = {x["id"]: x["erase_after"] for x in data["retention"]}
    assert retention["retention.contract-end"] == "2027-01-14"
    assert retention["retention.accounting"] == "2032-01-01"      # 1 January 2025 + 7
    assert retention["retention.tax"] == "2035-01-01"             # 1 January 2025 + 10
    assert retention["retention.last-interaction"] == "2030-01-14"  # the lease's end + 36 months
    # the day before the lease starts, nothing of it applies
    before = resolve_json(cli, c, "2024-01-14")
    assert not any(p["group"] == "leasing" for p in before["purposes"]) and before["retention"] == []


def test_cli_contract_insurance_defaults_to_car_security(client, cli):
    c = new_customer(client)
    code, out, err = cli("contract", "--id", f"{c}-ins", "--customer", c, "--kind", "insurance",
                         "--start", "2024-01-01", "--end", "2024-12-31")
    assert code == 0, err
    data = resolve_json(cli, c, "2024-06-01")
    assert {n["id"] for n in data["notices"]} == {"notice.insurance-car-security", "notice.general-privacy-statement"}
    assert "recipient.partners" in {x["id"] for x in data["recipients"]}


def test_cli_dispute_open_and_close(client, cli):
    c = new_customer(client)
    client.record_contact(c, "dlr-gent", "purchase", at("2020-06-15T10:00"))
    code, out, err = cli("dispute", "--customer", c, "--open", "2024-02-10T09:00", "--subject", "paint defect")
    assert code == 0, err
    assert "opened" in out
    held = resolve_json(cli, c, "2024-02-15")
    assert held["earliest_erase_date"] is None
    assert all(x["legal_hold"] for x in held["retention"])
    assert "retention.legal-hold" in {x["id"] for x in held["retention"]}
    assert "notice.dispute" in {n["id"] for n in held["notices"]}

    code, out, err = cli("dispute", "--customer", c, "--close", "2024-03-01T09:00")
    assert code == 0, err
    assert "closed" in out
    released = resolve_json(cli, c, "2024-03-05")
    assert not any(x["legal_hold"] for x in released["retention"])
    assert "retention.legal-hold" not in {x["id"] for x in released["retention"]}
    # purchase 2020-06-15: the sale's relationship ends with its two-year legal guarantee,
    # 2022-06-15, the earliest of the dates
    assert released["earliest_erase_date"] == "2022-06-15"
    # while it was open, it still was
    assert resolve_json(cli, c, "2024-02-15")["earliest_erase_date"] is None


# --- bad input ---------------------------------------------------------------------------------


def fails(call, *args, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value


def fields(error: ClientError) -> list[str]:
    return [f for f, _ in error.violations]


def test_unknown_channel(client):
    c = new_customer(client)
    e = fails(client.record_consent, c, "fax", given_at=at("2024-01-01T10:00"), **CONSENT_PROOF)
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and fields(e) == ["channel"]


def test_consent_given_and_withdrawn_at_once(client):
    c = new_customer(client)
    e = fails(client.record_consent, c, "email", given_at=at("2024-01-01T10:00"), withdrawn_at=at("2024-02-01T10:00"))
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and "given_at" in fields(e)
    e = fails(client.record_consent, c, "email")
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and "given_at" in fields(e)


def test_contract_end_before_start(client):
    c = new_customer(client)
    e = fails(client.record_contract, f"{c}-x", c, "maintenance", "2024-05-01", "2024-04-30")
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and fields(e) == ["contract.end"]


@pytest.mark.parametrize("kind", ["lease", "financing"])
def test_lease_or_financing_without_partner(client, kind):
    c = new_customer(client)
    e = fails(client.record_contract, f"{c}-x", c, kind, "2024-05-01")
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and fields(e) == ["contract.partner"]


def test_unknown_contract_kind_and_several_violations_at_once(client):
    c = new_customer(client)
    e = fails(client.record_contract, f"{c}-x", c, "rental", "2024-05-01", "2024-04-01")
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(fields(e)) == {"contract.kind", "contract.end"}


@pytest.mark.parametrize("language", ["xx", "es", "DE"])
def test_resolve_in_an_unknown_language(client, language):
    c = new_customer(client)
    e = fails(client.resolve, c, "2024-05-01", language)
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and fields(e) == ["language"]


@pytest.mark.parametrize("year,month,day", [(2023, 2, 29), (2024, 13, 1), (2024, 4, 31)])
def test_resolve_with_a_date_that_does_not_exist(client, year, month, day):
    c = new_customer(client)
    request = rpb.ResolveControllersRequest(customer_id=c, as_of=date_pb2.Date(year=year, month=month, day=day))
    e = fails(client._call, "ResolveControllers", request)
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT and fields(e) == ["as_of"]


def test_unknown_customer_is_not_found(client):
    for call in (
        lambda: client.resolve("nobody-here", "2024-05-01"),
        lambda: client.record_consent("nobody-here", "email", given_at=at("2024-01-01T10:00"), **CONSENT_PROOF),
        lambda: client.record_contract("nobody-c", "nobody-here", "maintenance", "2024-01-01"),
        lambda: client.record_dispute("nobody-here", opened_at=at("2024-01-01T10:00")),
    ):
        assert fails(call).code == grpc.StatusCode.NOT_FOUND


def test_withdrawing_a_consent_not_in_force(client):
    c = new_customer(client)
    e = fails(client.record_consent, c, "sms", withdrawn_at=at("2024-01-01T10:00"))
    assert e.code == grpc.StatusCode.FAILED_PRECONDITION
    client.record_consent(c, "sms", given_at=at("2024-02-01T10:00"), **CONSENT_PROOF)
    # before it was given it was not in force either
    e = fails(client.record_consent, c, "sms", withdrawn_at=at("2024-01-15T10:00"))
    assert e.code == grpc.StatusCode.FAILED_PRECONDITION
    client.record_consent(c, "sms", withdrawn_at=at("2024-03-01T10:00"))
    e = fails(client.record_consent, c, "sms", withdrawn_at=at("2024-04-01T10:00"))
    assert e.code == grpc.StatusCode.FAILED_PRECONDITION


def test_closing_a_dispute_that_is_not_open(client):
    c = new_customer(client)
    e = fails(client.record_dispute, c, closed_at=at("2024-01-01T10:00"))
    assert e.code == grpc.StatusCode.FAILED_PRECONDITION


def test_cli_failure_goes_to_stderr(client, cli):
    code, out, err = cli("resolve", "--customer", "nobody-here", "--as-of", "2024-05-01")
    assert code == 4 and out == "" and "NOT_FOUND" in err
    c = new_customer(client)
    code, out, err = cli("consent", "--customer", c, "--channel", "email", "--withdrawn", "2024-01-01T10:00")
    assert code == 5 and "FAILED_PRECONDITION" in err


# --- hot reload ----------------------------------------------------------------------------


@pytest.fixture
def reloadable(tmp_path):
    """A server whose rule packs are a copy in tmp_path: (client, the privacy pack's copied
    directory, target)."""
    shutil.copytree(RULES, tmp_path / "rules", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    rules = tmp_path / "rules" / "privacy"
    app = make_app(tmp_path / "db.sqlite", rules_dir=tmp_path / "rules")
    server, port = build_server(tenant_apps(app), "127.0.0.1:0", 4)
    try:
        with client_for(f"127.0.0.1:{port}") as c:
            c.upsert_customer("hot", "9000")
            c.record_contact("hot", "dlr-gent", "test_drive_request", at("2024-03-10T10:00"))
            yield c, rules, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None).wait()


def set_version(rules: Path, version: str) -> None:
    path = rules / "privacy.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [f'version: "{version}"' if line.startswith("version:") else line for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_reload_picks_up_a_new_version(reloadable):
    client, rules, _ = reloadable
    assert client.resolve("hot", "2024-04-15").rules_version == "privacy@2026.12.6.5"
    set_version(rules, "2026.11.2")
    packs = client.reload_rule_packs()
    assert {(p.name, p.version) for p in packs} >= {("privacy", "2026.11.2")}
    assert {(p.name, p.version) for p in client.rule_packs()} >= {("privacy", "2026.11.2")}
    r = client.resolve("hot", "2024-04-15")
    assert r.rules_version == "privacy@2026.11.2"
    assert "purpose.questions.test-drive" in {p.id for p in r.purposes}


@pytest.mark.parametrize("file,rule_id,field,old,new", [
    # remove the French label of a purpose
    ("purposes.yaml", "purpose.questions.quote", "labels.fr",
     "      fr: assurer le suivi de votre demande d'offre et y répondre\n", ""),
    # a field no rule has
    ("retention.yaml", "retention.test-drive", "colour",
     "  - id: retention.test-drive\n    version: 1\n",
     "  - id: retention.test-drive\n    version: 1\n    colour: red\n"),
    # an output field the privacy pack does not know
    ("transfers.yaml", "transfer.us.dpf", "output",
     "      safeguard: data_privacy_framework\n",
     "      safeguard: data_privacy_framework\n      strength: high\n"),
])
def test_a_broken_pack_is_refused_and_the_previous_one_keeps_serving(reloadable, file, rule_id, field, old, new):
    client, rules, _ = reloadable
    set_version(rules, "2026.11.2")
    client.reload_rule_packs()
    path = rules / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    set_version(rules, "2026.11.3")
    e = fails(client.reload_rule_packs)
    assert e.code == grpc.StatusCode.FAILED_PRECONDITION
    assert file in e.message and rule_id in e.message and field in e.message, e.message
    r = client.resolve("hot", "2024-04-15", "fr")
    assert r.rules_version == "privacy@2026.11.2"
    assert {(p.name, p.version) for p in client.rule_packs()} >= {("privacy", "2026.11.2")}


def test_reload_under_load(reloadable):
    client, rules, target = reloadable
    versions = ("2026.12.1", "2026.12.2")
    set_version(rules, versions[0])
    client.reload_rule_packs()
    stop = threading.Event()
    seen, errors = [], []

    def resolve_loop():
        with client_for(target) as own:
            while not stop.is_set():
                try:
                    r = own.resolve("hot", "2024-04-15")
                    seen.append(r.rules_version)
                    assert "purpose.questions.test-drive" in {p.id for p in r.purposes}
                except Exception as e:  # noqa: BLE001 - every failure is reported below
                    errors.append(e)

    threads = [threading.Thread(target=resolve_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for n in range(20):
            set_version(rules, versions[(n + 1) % 2])
            packs = client.reload_rule_packs()
            assert ("privacy", versions[(n + 1) % 2]) in {(p.name, p.version) for p in packs}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert len(seen) >= 20 and set(seen) <= {f"privacy@{v}" for v in versions}


# --- the local rules commands ----------------------------------------------------------------


def test_rules_check_and_test(capsys):
    assert main(["rules", "check"]) == 0
    out, err = capsys.readouterr()
    assert "OK assignment@" in out and "OK privacy@2026.12.6.5" in out and err == ""
    assert main(["rules", "test"]) == 0
    out, err = capsys.readouterr()
    assert "privacy" in out and "assignment" in out and out.rstrip().endswith("0 failed")
    assert main(["rules", "check", "--json"]) == 0
    packs = json.loads(capsys.readouterr().out)["packs"]
    assert {p["name"] for p in packs} == {"assignment", "privacy"}


def test_rules_check_a_malformed_pack(tmp_path, capsys):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    path = copy / "privacy" / "retention.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - id: retention.test-drive\n    version: 1\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old + "    colour: red\n"), encoding="utf-8")
    assert main(["rules", "check", "--dir", str(copy)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "retention.yaml" in err and "retention.test-drive" in err and "colour" in err
    assert main(["rules", "test", "--dir", str(copy)]) == 1
    assert "retention.test-drive" in capsys.readouterr().err
