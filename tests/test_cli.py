"""The `cocontroller` command line against a real server: JSON shapes, the customer
workflow, failures on stderr with a non-zero exit, and the installed script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cocontroller_client.cli import main

SCRIPT = Path(sys.executable).parent / "cocontroller"


@pytest.fixture
def run(server, capsys):
    """Runs the CLI in-process against `server`; returns (exit code, stdout, stderr)."""

    def run(*argv):
        command = list(argv)
        at = 2 if command[0] == "customer" else 1
        command[at:at] = ["--target", server]
        code = main(command)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_json(run, *argv):
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def test_lookup_postcode_json(run):
    data = run_json(run, "lookup", "--postcode", "9000")
    for key in ("dealer_id", "dealer_name", "basis", "distance_km", "lat", "lon", "explanation", "rules_version"):
        assert key in data, key
    assert (data["dealer_id"], data["dealer_name"], data["basis"]) == ("dlr-gent", "Scheldeveld Gent", "NEAREST")
    assert data["distance_km"] > 0 and data["rules_version"] and "9000" in data["explanation"]


def test_lookup_point_and_as_of(run):
    data = run_json(run, "lookup", "--postcode", "3600", "--as-of", "2027-03-01")
    assert data["dealer_id"] == "dlr-genk" and data["decision_date"] == "2027-03-01"
    data = run_json(run, "lookup", "--postcode", "9000", "--lat", "51.2094", "--lon", "3.2247")
    assert data["dealer_id"] == "dlr-brugge" and (data["lat"], data["lon"]) == (51.2094, 3.2247)


def test_dealers_json(run):
    dealers = run_json(run, "dealers")["dealers"]
    assert len(dealers) == 22
    for d in dealers:
        assert {"id", "lat", "lon", "active"} <= set(d)
    by_id = {d["id"]: d for d in dealers}
    assert by_id["dlr-tournai"]["active"] is False and by_id["dlr-gent"]["active"] is True
    active = run_json(run, "dealers", "--active-only")["dealers"]
    assert {d["id"] for d in active} == {i for i, d in by_id.items() if d["active"]}


def test_customer_workflow(run):
    """upsert, assign, record a purchase, prefer another dealer, read the history."""
    created = run_json(run, "customer", "upsert", "--id", "cli-1", "--postcode", "9000")
    assert created["created"] is True and created["language"] == "nl"
    updated = run_json(run, "customer", "upsert", "--id", "cli-1", "--postcode", "9000", "--lang", "fr")
    assert updated["created"] is False and updated["language"] == "fr"
    shown = run_json(run, "customer", "show", "--id", "cli-1")
    assert shown["id"] == "cli-1" and shown["kind"] == "CUSTOMER_KIND_PRIVATE"

    assigned = run_json(run, "assign", "--customer", "cli-1")
    assert assigned["changed"] is True and assigned["dealer_id"] == "dlr-gent" and assigned["stored"]

    contact = run_json(run, "record-contact", "--customer", "cli-1", "--dealer", "dlr-brugge",
                       "--kind", "purchase", "--at", "2025-03-01T10:00:00", "--event-id", "cli-ev-1")
    assert contact["created"] is True and contact["event_id"] == "cli-ev-1"
    again = run_json(run, "record-contact", "--customer", "cli-1", "--dealer", "dlr-brugge",
                     "--kind", "purchase", "--at", "2025-03-01T10:00:00", "--event-id", "cli-ev-1")
    assert again["created"] is False
    now = run_json(run, "lookup", "--customer", "cli-1")
    assert (now["dealer_id"], now["basis"]) == ("dlr-brugge", "PURCHASE")

    preference = run_json(run, "prefer", "--customer", "cli-1", "--dealer", "dlr-leuven")
    assert preference["dealer_id"] == "dlr-leuven"
    history = run_json(run, "history", "--customer", "cli-1")
    assert history["customer_id"] == "cli-1"
    assert [a["dealer_id"] for a in history["assignments"]] == ["dlr-leuven", "dlr-brugge", "dlr-gent"]
    assert [a["valid_to"] is None for a in history["assignments"]] == [True, False, False]

    code, out, err = run("unprefer", "--customer", "cli-1")
    assert code == 0 and "dlr-leuven" in out and err == ""


def test_dealer_and_postcode_json(run):
    assert run_json(run, "dealer", "--id", "dlr-tournai", "--as-of", "2024-06-30")["active"] is True
    assert run_json(run, "postcode", "--postcode", "9000")["municipality_nl"] == "Gent"


@pytest.mark.parametrize("argv,code", [
    (("lookup", "--postcode", "ABCD"), 1),
    (("lookup", "--postcode", "ABCD", "--json"), 1),
    (("dealer", "--id", "dlr-nowhere"), 1),
    (("lookup",), 2),
])
def test_failure_goes_to_stderr(run, argv, code):
    """A failure prints nothing on stdout, the reason on stderr, and exits non-zero."""
    exit_code, out, err = run(*argv)
    assert (exit_code, out) == (code, "")
    assert err.startswith("cocontroller: ")
    if "ABCD" in argv:
        assert "INVALID_ARGUMENT" in err and "postcode" in err and "ABCD" in err


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
    assert failed.returncode == 1 and failed.stdout == "" and "INVALID_ARGUMENT" in failed.stderr
