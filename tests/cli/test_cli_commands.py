"""The `cocontroller` command line against a real server: JSON shapes, the customer
workflow, the options before or after the command name, failures on stderr with their exit
codes, and the installed script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "cocontroller"


def test_lookup_postcode_json(run_json):
    data = run_json("lookup", "--postcode", "9000")
    for key in ("dealer_id", "dealer_name", "basis", "distance_km", "lat", "lon", "explanation", "rules_version"):
        assert key in data, key
    assert (data["dealer_id"], data["dealer_name"], data["basis"]) == ("dlr-gent", "Scheldeveld Gent", "NEAREST")
    assert data["distance_km"] > 0 and data["rules_version"] and "9000" in data["explanation"]


def test_lookup_point_and_as_of(run_json):
    data = run_json("lookup", "--postcode", "3600", "--as-of", "2027-03-01")
    assert data["dealer_id"] == "dlr-genk" and data["decision_date"] == "2027-03-01"
    data = run_json("lookup", "--postcode", "9300", "--lat", "50.9916", "--lon", "3.8165")
    assert data["dealer_id"] == "dlr-gent" and (data["lat"], data["lon"]) == (50.9916, 3.8165)


def test_dealers_json(run_json):
    dealers = run_json("dealers")["dealers"]
    assert len(dealers) == 22
    for d in dealers:
        assert {"id", "lat", "lon", "active"} <= set(d)
    by_id = {d["id"]: d for d in dealers}
    assert by_id["dlr-tournai"]["active"] is False and by_id["dlr-gent"]["active"] is True
    active = run_json("dealers", "--active-only")["dealers"]
    assert {d["id"] for d in active} == {i for i, d in by_id.items() if d["active"]}
    assert run_json("dealers", "list", "--active-only")["dealers"] == active


def test_customer_workflow(run_json, run):
    """upsert, assign, record a purchase, prefer another dealer, read the history."""
    created = run_json("customer", "upsert", "--id", "cli-1", "--postcode", "9000")
    assert created["created"] is True and created["language"] == "nl"
    updated = run_json("customer", "upsert", "--id", "cli-1", "--postcode", "9000", "--lang", "fr")
    assert updated["created"] is False and updated["language"] == "fr"
    shown = run_json("customer", "show", "--id", "cli-1")
    assert shown["id"] == "cli-1" and shown["kind"] == "private"

    assigned = run_json("assign", "--customer", "cli-1")
    assert assigned["changed"] is True and assigned["dealer_id"] == "dlr-gent" and assigned["stored"]

    contact = run_json("record-contact", "--customer", "cli-1", "--dealer", "dlr-brugge",
                       "--kind", "purchase", "--at", "2025-03-01T10:00:00", "--event-id", "cli-ev-1")
    assert contact["created"] is True and contact["event_id"] == "cli-ev-1" and contact["kind"] == "purchase"
    assert contact["occurred_at"] == "2025-03-01T09:00:00+00:00"  # 10:00 in Brussels (CET)
    again = run_json("record-contact", "--customer", "cli-1", "--dealer", "dlr-brugge",
                     "--kind", "purchase", "--at", "2025-03-01T10:00:00", "--event-id", "cli-ev-1")
    assert again["created"] is False
    now = run_json("lookup", "--customer", "cli-1")
    assert (now["dealer_id"], now["basis"]) == ("dlr-brugge", "PURCHASE")

    preference = run_json("prefer", "--customer", "cli-1", "--dealer", "dlr-leuven")
    assert preference["dealer_id"] == "dlr-leuven"
    history = run_json("history", "--customer", "cli-1")
    assert history["customer_id"] == "cli-1"
    assert [a["dealer_id"] for a in history["assignments"]] == ["dlr-leuven", "dlr-brugge", "dlr-gent"]
    assert [a["valid_to"] is None for a in history["assignments"]] == [True, False, False]

    code, out, err = run("unprefer", "--customer", "cli-1")
    assert code == 0 and "dlr-leuven" in out and err == ""


def test_dealer_and_postcode_json(run_json):
    assert run_json("dealer", "--id", "dlr-tournai", "--as-of", "2024-06-30")["active"] is True
    assert run_json("postcode", "--postcode", "9000")["municipality_nl"] == "Gent"


@pytest.mark.parametrize("argv,code", [
    (("lookup", "--postcode", "ABCD"), 3),
    (("dealer", "--id", "dlr-nowhere"), 4),
    (("lookup",), 2),
])
def test_failure_goes_to_stderr(run, argv, code):
    """A failure prints nothing on stdout, the reason on stderr, and exits with its code."""
    exit_code, out, err = run(*argv)
    assert (exit_code, out) == (code, "")
    assert err.startswith("cocontroller: ")
    assert "Traceback" not in err
    if "ABCD" in argv:
        assert "INVALID_ARGUMENT" in err and "postcode" in err and "ABCD" in err


def test_invalid_argument_in_text_lists_each_field(run):
    code, out, err = run("lookup", "--postcode", "ABCD")
    lines = err.splitlines()
    assert code == 3 and out == ""
    assert lines[0].startswith("cocontroller: INVALID_ARGUMENT")
    assert lines[1].startswith("  location.postcode: ") and "ABCD" in lines[1]


def test_invalid_argument_as_json_on_stderr(run):
    """With --json the error is one JSON object on stderr; a pipe into jq sees nothing."""
    code, out, err = run("lookup", "--postcode", "ABCD", "--json")
    assert (code, out) == (3, "")
    error = json.loads(err)["error"]
    assert set(error) == {"code", "message", "field_violations"}
    assert error["code"] == "INVALID_ARGUMENT" and "ABCD" in error["message"]
    assert error["field_violations"] == [
        {"field": "location.postcode", "description": error["field_violations"][0]["description"]}]
    assert "ABCD" in error["field_violations"][0]["description"]


def test_not_found_as_json_on_stderr(run):
    code, out, err = run("dealer", "--id", "dlr-nowhere", "--json")
    assert (code, out) == (4, "")
    assert json.loads(err) == {"error": {"code": "NOT_FOUND", "message": json.loads(err)["error"]["message"],
                                         "field_violations": []}}
    assert "dlr-nowhere" in json.loads(err)["error"]["message"]


def test_usage_error_as_json_under_json(run):
    code, out, err = run("lookup", "--as-of", "2025-13-01", "--postcode", "9000", "--json")
    assert (code, out) == (2, "")
    error = json.loads(err)["error"]
    assert error["code"] == "USAGE" and error["field_violations"][0]["field"] == "--as-of"


def test_group_options_before_the_command(server, cli):
    """`cocontroller --target T --json lookup ...`: the group's --target and --json."""
    code, out, err = cli("--target", server, "--json", "lookup", "--postcode", "9000")
    assert code == 0, err
    assert json.loads(out)["dealer_id"] == "dlr-gent"
    code, out, err = cli("--target", server, "--json", "customer", "show", "--id", "nobody")
    assert (code, out) == (4, "") and json.loads(err)["error"]["code"] == "NOT_FOUND"


def test_command_target_overrides_the_group(server, cli):
    code, out, err = cli("--target", "127.0.0.1:1", "lookup", "--postcode", "9000", "--target", server, "--json")
    assert code == 0, err
    assert json.loads(out)["dealer_id"] == "dlr-gent"


def test_target_from_the_environment(server, cli, monkeypatch):
    monkeypatch.setenv("COCONTROLLER_TARGET", server)
    code, out, err = cli("lookup", "--postcode", "8000", "--json")
    assert code == 0, err
    assert json.loads(out)["dealer_id"] == "dlr-brugge"


def test_human_output_names_the_dealer(run):
    code, out, err = run("lookup", "--postcode", "9000")
    assert code == 0 and err == ""
    assert "Scheldeveld Gent" in out and "dlr-gent" in out and "NEAREST" in out
    code, out, _ = run("dealers")
    assert code == 0 and "Scheldeveld Gent" in out


def test_installed_script(server):
    """The console script from `make install`, as operators run it."""
    done = subprocess.run([str(SCRIPT), "lookup", "--postcode", "8000", "--json", "--target", server],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dealer_id"] == "dlr-brugge"
    failed = subprocess.run([str(SCRIPT), "lookup", "--postcode", "ABCD", "--target", server],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 3 and failed.stdout == "" and "INVALID_ARGUMENT" in failed.stderr
