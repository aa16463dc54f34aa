"""The operator commands that run server code in-process (serve, init, rules check|test,
demo-data, reassign --local), against a stand-in for `cocontroller.admin`: the arguments
they pass, the output, and the domain errors mapped to the same exit codes and JSON errors
as the server's statuses."""

import csv
import datetime as dt
import json
import sys
import types
from pathlib import Path

import pytest

from cocontroller import errors
from cocontroller.config import Settings
from cocontroller.model import Basis, CaseResult, Change, InitReport, InitResult, JobProgress, PackInfo, PairCount, Scope


@pytest.fixture
def admin(monkeypatch):
    """An empty stand-in for cocontroller.admin; tests give it the functions they need."""
    module = types.ModuleType("cocontroller.admin")
    module.stored_job_changes = lambda db, job_id: []
    monkeypatch.setitem(sys.modules, "cocontroller.admin", module)
    return module


def raises(error):
    def call(*args, **kwargs):
        raise error

    return call


def test_without_the_server_installed(monkeypatch, cli):
    monkeypatch.setitem(sys.modules, "cocontroller.admin", None)  # any import of it fails
    code, out, err = cli("rules", "check")
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and "pip install 'cocontroller[server]'" in err
    code, out, err = cli("reassign", "--local", "--job-id", "j", "--json")
    assert (code, out) == (1, "") and json.loads(err)["error"]["code"] == "SERVER_NOT_INSTALLED"


def test_rules_check(admin, cli):
    admin.check_packs = lambda rules_dir, tenant: [PackInfo("assignment", "2026.11.1", f"{rules_dir}/a.yaml", 5)]
    code, out, err = cli("rules", "check", "--dir", "/r")
    assert (code, err) == (0, "")
    assert out == "OK assignment@2026.11.1: 5 rules (/r/a.yaml)\n"
    code, out, err = cli("rules", "check", "--json")
    assert json.loads(out) == {"packs": [{"name": "assignment", "version": "2026.11.1", "path": "None/a.yaml",
                                          "rules": 5}]}


def test_a_malformed_pack(admin, cli):
    admin.check_packs = raises(errors.RulePackError("/r/privacy/retention.yaml", "retention.x", "colour",
                                                    "unknown field"))
    code, out, err = cli("rules", "check")
    assert (code, out) == (1, "")
    assert err.splitlines() == ["cocontroller: /r/privacy/retention.yaml: rule 'retention.x', field 'colour':"
                                " unknown field"]
    code, out, err = cli("rules", "check", "--json")
    assert (code, out) == (1, "")
    assert json.loads(err)["error"]["code"] == "RULE_PACK_ERROR"
    assert json.loads(err)["error"]["field_violations"] == [{"field": "retention.x.colour",
                                                             "description": "unknown field"}]


def test_rules_test_failures_exit_1(admin, cli):
    admin.test_packs = lambda rules_dir, tenant: [
        CaseResult("privacy", "first day", True, ["a"], ["a"], "s1"),
        CaseResult("assignment", "nearest", False, None, "assignment.nearest", "s2"),
    ]
    code, out, err = cli("rules", "test")
    assert code == 1
    assert out.splitlines() == ["PASS privacy: first day", "FAIL assignment: nearest",
                                "     expected no rule", "     got      assignment.nearest", "1 passed, 1 failed"]
    assert err == "cocontroller: 1 rule pack case(s) failed\n"
    code, out, err = cli("rules", "test", "--json")
    assert code == 1 and json.loads(out)["failed"] == 1 and json.loads(err)["error"]["code"] == "CASES_FAILED"


def test_demo_data_needs_a_database(admin, cli):
    code, out, err = cli("demo-data", "--customers", "10")
    assert (code, out) == (2, "") and "--db" in err


def test_demo_data(admin, cli, capsys):
    calls = []

    def demo_data(db, customers, seed, progress=None, tenant=None):
        calls.append((db, customers, seed))
        for done in (4, 8, 10):
            progress(done, customers)
        return {"customers": 10, "contact_events": 30}

    admin.demo_data = demo_data
    code, out, err = cli("demo-data", "--customers", "10", "--seed", "3", "--db", "x.db", "--json")
    assert (code, err) == (0, "") and calls == [("x.db", 10, 3)]  # no bar: --json, stderr no terminal
    data = json.loads(out)
    assert (data["db"], data["rows"]) == ("x.db", {"customers": 10, "contact_events": 30})
    code, out, err = cli("demo-data", "--customers", "10", "--db", "x.db")
    assert code == 0 and out.startswith("10 synthetic customers written to x.db")
    assert "10/10" in err and "\r" not in err
    code, out, err = cli("demo-data", "--customers", "10", "--db", "x.db", "--quiet")
    assert code == 0 and err == ""


def test_demo_data_into_a_served_database(admin, cli):
    admin.demo_data = raises(errors.FailedPrecondition("x.db is held by a running server"))
    code, out, err = cli("demo-data", "--customers", "10", "--db", "x.db")
    assert (code, out, err) == (5, "", "cocontroller: FAILED_PRECONDITION: x.db is held by a running server\n")


def test_init(admin, cli):
    results = InitReport((InitResult("lexus-be", "x.db", 22, True), InitResult("toyota-be", "x-toyota-be.db", 18, True)),
                         ())
    seen = []
    admin.init = lambda db, demo, settings, keep: seen.append((db, demo, settings.db, keep)) or results
    code, out, err = cli("init", "--demo", "--db", "x.db")
    assert (code, err) == (0, "") and seen == [("x.db", True, "x.db", False)]
    assert out == ("Created x.db for lexus-be with the demo dealer network (22 dealers)\n"
                   "Created x-toyota-be.db for toyota-be with the demo dealer network (18 dealers)\n")
    admin.init = raises(errors.AlreadyExists("x.db exists"))
    code, out, err = cli("init", "--db", "x.db", "--json")
    assert (code, out) == (5, "")
    assert json.loads(err) == {"error": {"code": "ALREADY_EXISTS", "message": "x.db exists", "field_violations": []}}


def test_serve_settings_from_environment_and_flags(admin, cli, monkeypatch):
    got = []
    admin.serve = got.append
    monkeypatch.delenv("COCONTROLLER_CERTS_DIR")  # the test session's, from tests/conftest.py
    monkeypatch.delenv("COCONTROLLER_METRICS_PORT")  # 0, from tests/conftest.py
    monkeypatch.delenv("COCONTROLLER_TENANTS")  # one tenant, from tests/conftest.py
    monkeypatch.setenv("COCONTROLLER_DB", "/srv/cc.db")
    monkeypatch.setenv("COCONTROLLER_PORT", "6000")
    monkeypatch.setenv("COCONTROLLER_SHUTDOWN_GRACE", "2.5")
    code, out, err = cli("serve", "--host", "0.0.0.0", "--workers", "2", "--rules-dir", "/rules",
                         "--log-format", "json", "--metrics-port", "9500", "--tenants", "/etc/tenants.toml")
    assert (code, out, err) == (0, "", "")
    assert got == [Settings(db="/srv/cc.db", host="0.0.0.0", port=6000, workers=2, rules_dir=Path("/rules"),
                            log_format="json", metrics_port=9500, shutdown_grace=2.5,
                            tenants=Path("/etc/tenants.toml"))]


def test_serve_refused(admin, cli):
    admin.serve = raises(errors.FailedPrecondition("port 50051 is in use"))
    code, out, err = cli("--json", "serve", "--db", "x.db")
    assert (code, out) == (5, "")
    assert json.loads(err)["error"]["message"] == "port 50051 is in use"


def test_serve_with_a_bad_environment(admin, cli, monkeypatch):
    admin.serve = lambda settings: None
    monkeypatch.setenv("COCONTROLLER_PORT", "fifty")
    code, out, err = cli("serve")
    assert (code, out) == (2, "") and "COCONTROLLER_PORT" in err


def _progress(**kwargs):
    base = dict(job_id="local", dry_run=False, total=4, processed=4, changed=1, elapsed_s=1.0, finished=False,
                resumed=True, processed_before=2)
    return JobProgress(**{**base, **kwargs})


def test_reassign_local(admin, cli, tmp_path):
    seen = []
    at = dt.datetime(2025, 1, 1, 9, tzinfo=dt.timezone.utc)

    def reassign_local(db, job_id, scope, dry_run, batch_size, at, workers, tenant):
        seen.append((db, job_id, scope, dry_run, batch_size, at, workers, tenant))
        yield _progress(processed=3, changes=(Change("c-1", "dlr-gent", "dlr-aalst", Basis.NEAREST, Basis.NEAREST,
                                                     "closed"),))
        yield _progress(finished=True, summary=(PairCount("dlr-gent", "dlr-aalst", 1),))

    admin.reassign_local = reassign_local
    admin.stored_job_changes = lambda db, job_id, tenant: [
        Change("c-0", None, "dlr-gent", None, Basis.NEAREST, "earlier"),
        Change("c-1", "dlr-gent", "dlr-aalst", Basis.NEAREST, Basis.NEAREST, "closed"),
    ]
    out = tmp_path / "diff.csv"
    code, stdout, err = cli("--tenant", "toyota-be", "reassign", "--local", "--db", "x.db", "--job-id", "local",
                            "--postcodes", "9000,9050",
                            "--batch-size", "2", "--at", "2025-01-01T10:00", "--workers", "2", "--out", out,
                            "--quiet", "--json")
    assert (code, err) == (0, "")
    assert seen == [("x.db", "local", Scope(("9000", "9050"), ()), False, 2, at, 2, "toyota-be")]
    result = json.loads(stdout)
    assert (result["processed"], result["changed"], result["processed_before"], result["resumed"]) == (4, 1, 2, True)
    assert result["summary"] == [{"old_dealer_id": "dlr-gent", "new_dealer_id": "dlr-aalst", "customers": 1}]
    with open(out, encoding="utf-8", newline="") as f:
        # This run's change, then the one an earlier run stored.
        assert list(csv.DictReader(f)) == [{"customer_id": "c-1", "old_dealer_id": "dlr-gent",
                                            "new_dealer_id": "dlr-aalst", "old_basis": "NEAREST",
                                            "new_basis": "NEAREST", "reason": "closed"},
                                           {"customer_id": "c-0", "old_dealer_id": "", "new_dealer_id": "dlr-gent",
                                            "old_basis": "", "new_basis": "NEAREST", "reason": "earlier"}]


def test_reassign_local_database_from_the_environment(admin, cli, monkeypatch):
    seen = []
    admin.reassign_local = lambda db, *args, tenant: seen.append(db) or iter([_progress(finished=True)])
    monkeypatch.setenv("COCONTROLLER_DB", "/srv/cc.db")
    code, out, err = cli("reassign", "--local", "--job-id", "j", "--quiet")
    assert code == 0, err
    assert seen == ["/srv/cc.db"]


@pytest.mark.parametrize("error,code", [
    (errors.InvalidArgument([("at", "is in the future"), ("batch_size", "must be positive")]), 3),
    (errors.NotFound("no database x.db"), 4),
    (errors.FailedPrecondition("job j is finished"), 5),
])
def test_reassign_local_errors(admin, cli, error, code):
    def reassign_local(*args, tenant):
        raise error
        yield

    admin.reassign_local = reassign_local
    exit_code, out, err = cli("reassign", "--local", "--db", "x.db", "--job-id", "j", "--json")
    assert (exit_code, out) == (code, "")
    report = json.loads(err)["error"]
    assert report["message"] == str(error)
    if isinstance(error, errors.InvalidArgument):
        assert report["field_violations"] == [{"field": "at", "description": "is in the future"},
                                              {"field": "batch_size", "description": "must be positive"}]
    exit_code, out, err = cli("reassign", "--local", "--db", "x.db", "--job-id", "j")
    assert exit_code == code and "Traceback" not in err and err.startswith("cocontroller: ")
