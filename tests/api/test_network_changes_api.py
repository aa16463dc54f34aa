"""Dealer-network changes and the re-assignment jobs they call for, through a real gRPC
server and the CLI: updating, closing and adding dealers, jobs streamed with their changes,
the audit trail and the notices, the errors, and one job at a time per server. The same
through the use cases: usecases/test_network_changes.py.
"""

import csv
import datetime as dt
import json
from collections import Counter

import grpc
import pytest
from cocontroller import clock
from cocontroller.api.server import build_server
from cocontroller.config import Settings
from cocontroller.v1 import network_pb2 as npb
from cocontroller.certs import role_uri
from cocontroller.model import Role
from cocontroller_client.client import Client, ClientError
from support import client_for, database, make_app, query, rpc_failure, tenant_apps
from google.type import date_pb2
from network_world import DAY, GENT, NEW_DEALER, Spec, assign_all, build

# -- gRPC ---------------------------------------------------------------------------------

# The audit names the certificate's identity; the client's x-caller only annotates it.
ALICE = role_uri(Role.ADMIN) + "; x-caller=alice"


def expect_error(code, call, *args, fields=()):
    with pytest.raises(ClientError) as caught:
        result = call(*args)
        if not isinstance(result, (list, tuple)) and hasattr(result, "__next__"):
            list(result)
    assert caught.value.code == code, caught.value
    named = [f for f, _ in caught.value.violations]
    for f in fields:
        assert f in named, (f, named)
    return caught.value


def grpc_customers(c: Client, now: dt.datetime) -> None:
    c.upsert_customer("r-near-9000", "9000")
    c.upsert_customer("r-near-9040", "9040")
    c.upsert_customer("r-buyer", "9000")
    c.record_contact("r-buyer", GENT, "purchase", now - 200 * DAY, "r-buyer-e1")
    c.set_preferred_dealer("r-buyer", "dlr-brugge", now - 400 * DAY)
    c.upsert_customer("r-aalst", "9300")
    c.upsert_customer("r-brugge", "8000")
    for cid in ("r-near-9000", "r-near-9040", "r-buyer", "r-aalst", "r-brugge"):
        assert c.assign(cid, "onboarding").changed


def test_grpc_update_close_reassign_audit_notices(fresh_server, tmp_path):
    db = tmp_path / "db.sqlite"
    today = clock.today()
    yesterday = today - DAY
    with client_for(fresh_server, caller="alice") as c:
        grpc_customers(c, clock.now())
        ours = {"r-near-9000", "r-near-9040", "r-buyer"}
        assert {cid for cid in ours if c.responsible_for_customer(cid).dealer.id == GENT} == ours

        old_name = c.dealer("dlr-aalst").trade_name
        updated = c.update_dealer("dlr-aalst", {"trade_name": "Dendervallei Aalst"}, today)
        assert updated.change_id > 0 and updated.dealer.trade_name == "Dendervallei Aalst"
        assert updated.dealer.postcode == "9300" and updated.dealer.active
        assert c.dealer("dlr-aalst", as_of=yesterday).trade_name == old_name
        assert c.dealer("dlr-aalst", as_of=today).trade_name == "Dendervallei Aalst"

        closed = c.close_dealer(GENT, today)
        assert closed.change_id > updated.change_id
        assert closed.dealer.id == GENT and not closed.dealer.active
        ended = closed.dealer.active_until
        assert (ended.year, ended.month, ended.day) == (yesterday.year, yesterday.month, yesterday.day)
        assert c.dealer(GENT, as_of=yesterday).active and not c.dealer(GENT, as_of=today).active

        assert query(db, "SELECT kind, dealer_id, effective_date, caller FROM network_changes ORDER BY id") == [
            ("update", "dlr-aalst", today.isoformat(), ALICE),
            ("close", GENT, today.isoformat(), ALICE),
        ]

        dry = list(c.reassign("grpc-dry", dealer_ids=[GENT], dry_run=True, batch_size=2))
        assert dry[-1].finished and dry[-1].dry_run and dry[-1].changed == 3

        messages = list(c.reassign("grpc-job", batch_size=2))
        processed = [m.processed for m in messages[:-1]]
        assert processed == sorted(set(processed)) and processed[-1] == 5
        assert all(len(m.changes) <= 2 and not m.summary and not m.finished for m in messages[:-1])
        final = messages[-1]
        assert final.finished and final.processed == final.total == 5 and final.changed == 3 and not final.changes
        changes = [ch for m in messages for ch in m.changes]
        assert {ch.customer_id for ch in changes} == ours
        assert all(ch.old_dealer_id == GENT and ch.new_dealer_id != GENT and ch.reason for ch in changes)
        pairs = Counter((ch.old_dealer_id, ch.new_dealer_id) for ch in changes)
        assert {(s.old_dealer_id, s.new_dealer_id): s.customers for s in final.summary} == dict(pairs)
        assert sorted((s.old_dealer_id, s.new_dealer_id) for s in final.summary) == [
            (s.old_dealer_id, s.new_dealer_id) for s in final.summary]
        assert [(ch.customer_id, ch.new_dealer_id) for ch in changes] == [
            (ch.customer_id, ch.new_dealer_id) for ch in sorted(
                (x for m in dry for x in m.changes), key=lambda x: x.customer_id)]
        assert query(db, "SELECT caller, status FROM reassign_jobs") == [(ALICE, "finished")]

        listed = c.assignment_changes(job_id="grpc-job")
        assert [x.customer_id for x in listed] == sorted(ours)
        for x in listed:
            assert x.trigger == "job:grpc-job" and x.old_dealer_id == GENT and x.rules_version
            assert x.HasField("at") and x.new_dealer_id == c.responsible_for_customer(x.customer_id).dealer.id
        assert next(x for x in listed if x.customer_id == "r-buyer").new_dealer_id == "dlr-brugge"
        versions = c.assignment_changes(customer_id="r-near-9000")
        assert [v.trigger for v in versions] == [ALICE + "; reason=onboarding", "job:grpc-job"]
        assert (versions[1].old_dealer_id, versions[1].new_dealer_id) == (GENT, versions[1].new_dealer_id)
        assert versions[0].old_dealer_id == "" and versions[1].at.ToDatetime() >= versions[0].at.ToDatetime()

        notices = c.notices(pending_only=True, job_id="grpc-job")
        assert sorted(n.customer_id for n in notices) == sorted(ours)
        assert all(n.trigger == "job:grpc-job" and not n.HasField("exported_at") for n in notices)
        assert c.notices(job_id="no-such-job") == []
        assert c.mark_notices_exported([n.id for n in notices]) == 3
        assert c.notices(pending_only=True) == []
        assert all(n.HasField("exported_at") for n in c.notices())

        # a job id once used with one scope cannot be reused with another
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.reassign, "grpc-job", ["9000"])
        rerun = list(c.reassign("grpc-job", batch_size=2))
        assert len(rerun) == 1 and rerun[0].finished and rerun[0].processed == 5


def test_grpc_add_dealer(fresh_server, tmp_path):
    today = clock.today()
    with client_for(fresh_server, caller="bob") as c:
        fields = {k: v for k, v in NEW_DEALER.items() if k != "id"}
        added = c.add_dealer("dlr-deinze", fields, today)
        d = added.dealer
        assert added.change_id > 0
        assert (d.id, d.legal_name, d.enterprise_number, d.postcode, d.town, list(d.roles), d.active) == (
            "dlr-deinze", NEW_DEALER["legal_name"], NEW_DEALER["enterprise_number"], "9800", "Deinze",
            ["sales", "service"], True)
        assert c.responsible_for_location("9800").dealer.id == "dlr-deinze"
        assert c.responsible_for_location("9800", as_of=today - DAY).dealer.id == GENT
    assert query(tmp_path / "db.sqlite", "SELECT kind, dealer_id, caller FROM network_changes") == [
        ("add", "dlr-deinze", role_uri(Role.ADMIN) + "; x-caller=bob")]


def test_grpc_network_change_errors(fresh_server):
    today = clock.today()
    good = {k: v for k, v in NEW_DEALER.items() if k != "id"}
    with client_for(fresh_server) as c:
        expect_error(grpc.StatusCode.ALREADY_EXISTS, c.add_dealer, GENT, good, today)
        expect_error(grpc.StatusCode.NOT_FOUND, c.update_dealer, "dlr-nowhere", {"trade_name": "X"}, today)
        expect_error(grpc.StatusCode.NOT_FOUND, c.close_dealer, "dlr-nowhere", today)
        for change, name in (({"postcode": "9999"}, "dealer.postcode"), ({"postcode": "98"}, "dealer.postcode"),
                             ({"enterprise_number": "BE 0899.123.400"}, "dealer.enterprise_number"),
                             ({"roles": []}, "dealer.roles"), ({"roles": ["garage"]}, "dealer.roles"),
                             ({"languages": []}, "dealer.languages")):
            expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new", {**good, **change}, today,
                         fields=[name])
        error = expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new",
                             {**good, "postcode": "9999", "enterprise_number": "0899.123.400", "roles": []}, today,
                             fields=["dealer.postcode", "dealer.enterprise_number", "dealer.roles"])
        assert len(error.violations) == 3
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.add_dealer, "dlr-new", good, None, fields=["effective"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.update_dealer, "dlr-aalst", {"postcode": "0001"}, today,
                     fields=["dealer.postcode"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.update_dealer, "dlr-aalst",
                     {"enterprise_number": "0824.730.227"}, today, fields=["dealer.enterprise_number"])
        # not active on the day: closed in 2024, opening in 2027
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.close_dealer, "dlr-tournai", today)
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.close_dealer, "dlr-genk", today)
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.update_dealer, "dlr-tournai", {"trade_name": "X"}, today)
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.close_dealer, GENT, None, fields=["effective"])
        for bad in (date_pb2.Date(year=2026, month=2, day=30), date_pb2.Date(year=2026, month=13, day=1)):
            code, fields = rpc_failure(c.network.CloseDealer, npb.CloseDealerRequest(dealer_id=GENT, effective=bad))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["effective"]
            code, fields = rpc_failure(c.network.AddDealer, npb.AddDealerRequest(
                dealer_id="dlr-new", dealer=npb.DealerFields(**good), effective=bad))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["effective"]
        # nothing above changed the network
        assert c.dealer(GENT).active and c.dealer("dlr-aalst").postcode == "9300"
        # job requests
        expect_error(grpc.StatusCode.NOT_FOUND, c.reassign, "j-1", (), ["dlr-nowhere"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.reassign, "j-2", ["99999"], fields=["scope.postcodes"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.reassign, "bad job id!", fields=["job_id"])
        code, _ = rpc_failure(c.network.ListAssignmentChanges, npb.ListAssignmentChangesRequest())
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        expect_error(grpc.StatusCode.NOT_FOUND, c.assignment_changes, None, "no-such-customer")
        assert c.dealers(active_only=True)


def test_closing_a_dealer_on_its_opening_day(fresh_server):
    """A closure takes effect after a dealer's first day; the dealer stays in the network."""
    with client_for(fresh_server) as c:
        with pytest.raises(ClientError) as caught:
            c.close_dealer("dlr-genk", "2027-03-01")
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert "opens on 2027-03-01" in caught.value.message
        assert c.dealer("dlr-genk", as_of="2027-03-01").id == "dlr-genk"
        assert c.close_dealer("dlr-genk", "2027-03-02").dealer.active_until.day == 1


# -- CLI ----------------------------------------------------------------------------------


def test_cli_close_dry_run_apply_history_notices(fresh_server, cli, tmp_path):
    today = clock.today()
    with client_for(fresh_server) as c:
        grpc_customers(c, clock.now())
    ours = {"r-near-9000", "r-near-9040", "r-buyer"}

    code, out, err = cli("dealers", "close", "--target", fresh_server, "--id", GENT, "--effective", today, "--json")
    assert code == 0, err
    closed = json.loads(out)
    assert closed["id"] == GENT and closed["active"] is False and closed["change_id"] > 0
    assert closed["active_until"] == (today - DAY).isoformat()

    out_csv = tmp_path / "dry.csv"
    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-dry", "--dealers", GENT,
                         "--dry-run", "--out", out_csv, "--quiet", "--batch-size", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["dry_run"] and result["changed"] == 3 and result["processed"] == 3
    with open(out_csv, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert header == ["customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason"]
    assert sorted(r["customer_id"] for r in rows) == sorted(ours)
    assert all(r["old_dealer_id"] == GENT and r["new_dealer_id"] not in ("", GENT) and r["reason"] for r in rows)
    assert {r["customer_id"]: (r["old_basis"], r["new_basis"]) for r in rows}["r-buyer"] == ("PURCHASE", "PREFERRED")
    assert {(r["old_dealer_id"], r["new_dealer_id"]): 1 for r in rows}.keys() == {
        (s["old_dealer_id"], s["new_dealer_id"]) for s in result["summary"]}
    with client_for(fresh_server) as c:
        assert c.notices() == [] and c.assignment_changes(job_id="cli-dry") == []

    out_jsonl = tmp_path / "apply.jsonl"
    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-apply", "--out", out_jsonl,
                         "--quiet", "--json")
    assert code == 0, err
    applied = json.loads(out)
    assert (applied["processed"], applied["changed"], applied["dry_run"]) == (5, 3, False)
    lines = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [(x["customer_id"], x["new_dealer_id"]) for x in lines] == sorted(
        (r["customer_id"], r["new_dealer_id"]) for r in rows)

    code, out, err = cli("history", "--target", fresh_server, "--job", "cli-apply", "--json")
    assert code == 0, err
    history = json.loads(out)
    assert history["job_id"] == "cli-apply" and len(history["changes"]) == 3
    assert all(h["trigger"] == "job:cli-apply" and h["old_dealer_id"] == GENT and h["at"] and h["rules_version"]
               for h in history["changes"])

    export = tmp_path / "notices.csv"
    code, out, err = cli("notices", "--target", fresh_server, "--pending", "--export", export, "--mark-exported", "--json")
    assert code == 0, err
    assert json.loads(out)["marked_exported"] == 3
    with open(export, encoding="utf-8", newline="") as f:
        exported = list(csv.DictReader(f))
    assert sorted(n["customer_id"] for n in exported) == sorted(ours)
    assert all(n["old_dealer_id"] == GENT and n["trigger"] == "job:cli-apply" for n in exported)
    code, out, err = cli("notices", "--target", fresh_server, "--pending", "--json")
    assert code == 0 and json.loads(out)["notices"] == []

    code, out, err = cli("reassign", "--target", fresh_server, "--job-id", "cli-apply", "--postcodes", "9000", "--quiet")
    assert code != 0 and "FAILED_PRECONDITION" in err


def test_cli_local_job_json(tmp_path, cli):
    path = tmp_path / "local.db"
    app = make_app(path)
    specs = [Spec("l-9000", "9000"), Spec("l-9040", "9040"), Spec("l-8000", "8000")]
    now = build(app, specs)
    assign_all(app, now, specs)
    app.network.close_dealer(GENT, clock.today(), "test")
    code, out, err = cli("reassign", "--local", "--db", database(path), "--job-id", "local", "--batch-size", "2",
                         "--quiet", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["job_id"], result["processed"], result["changed"], result["dry_run"]) == ("local", 3, 2, False)
    assert sum(s["customers"] for s in result["summary"]) == 2
    assert all(s["old_dealer_id"] == GENT for s in result["summary"])
    assert query(path, "SELECT status, processed, changed, caller FROM reassign_jobs WHERE id = 'local'") == [
        ("finished", 3, 2, "cli:local")]
    assert query(path, "SELECT count(*) FROM assignments WHERE valid_to IS NULL AND dealer_id = ?", [GENT]) == [(0,)]


def test_one_job_at_a_time_per_server(tmp_path):
    """A job holds a thread of its own while it streams: a second one is refused, not queued."""
    app = make_app(tmp_path / "jobs.db")
    # Enough one-customer batches that the stream outgrows gRPC's flow-control window, which
    # the first client keeps at its initial size (no bandwidth probing, so the window never
    # grows on a fast loopback): the first job cannot finish until its client reads on.
    app.synthetic.generate(3000, seed=3, now=dt.datetime(2026, 1, 5, 12, tzinfo=dt.timezone.utc))
    server, port = build_server(tenant_apps(app), "127.0.0.1:0", Settings().workers)
    fixed_window = (("grpc.http2.bdp_probe", 0),)
    try:
        with client_for(f"127.0.0.1:{port}", channel_options=fixed_window) as first, \
                client_for(f"127.0.0.1:{port}") as second:
            running = first.reassign("slow", dry_run=True, batch_size=1)
            assert next(running).processed == 1
            with pytest.raises(ClientError) as caught:
                list(second.reassign("other", dry_run=True))
            assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert list(running)[-1].finished
            assert list(second.reassign("other", dry_run=True))[-1].processed == 3000
    finally:
        server.stop(None)


# -- two time axes: corrections, reopen, cancel, known_on ------------------------------------


def test_grpc_correction_reopen_cancel_and_known_on(fresh_server):
    today = clock.today()
    with client_for(fresh_server) as c:
        # a backdated closure needs a reason, beyond the window also a confirmation
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.close_dealer, GENT, today - DAY, fields=["correction.reason"])
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.close_dealer, GENT, today - 30 * DAY, "late",
                     fields=["correction.confirmed"])
        assert c.dealer(GENT).active
        before = clock.now()
        closed = c.close_dealer(GENT, today - 30 * DAY, "closed in the autumn, reported late", True)
        assert not closed.dealer.active
        # the network and the answer for a day after the closure, as known before and after it
        day = today - 10 * DAY
        assert c.dealer(GENT, as_of=day, known_on=before).active
        assert not c.dealer(GENT, as_of=day).active
        assert GENT in {d.id for d in c.dealers(as_of=day, active_only=True, known_on=before)}
        assert GENT not in {d.id for d in c.dealers(as_of=day, active_only=True)}
        assert c.responsible_for_location("9000", as_of=day, known_on=before).dealer.id == GENT
        assert c.responsible_for_location("9000", as_of=day).dealer.id != GENT
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.responsible_for_location, "9000", None, None, None,
                     clock.now() + 3 * DAY, fields=["known_on"])
        # reopen, then schedule a closure and take it back
        reopened = c.reopen_dealer(GENT, {}, today)
        assert reopened.dealer.active and reopened.change_id > closed.change_id
        scheduled = c.close_dealer(GENT, today + 20 * DAY)
        assert scheduled.scheduled.job_id == f"change-{scheduled.change_id}"
        assert scheduled.scheduled.status == npb.SCHEDULE_STATUS_SCHEDULED
        assert [s.change_id for s in c.scheduled_changes("scheduled")] == [scheduled.change_id]
        cancelled = c.cancel_network_change(scheduled.change_id, "the closure was called off")
        change = cancelled.change
        assert cancelled.withdrawn_notices == 0  # no server scheduler here: none were written
        assert [s.change_id for s in c.scheduled_changes("cancelled")] == [scheduled.change_id]
        assert (change.change_id, change.kind, change.dealer_id) == (scheduled.change_id, "close", GENT)
        assert change.HasField("cancel_time") and change.HasField("record_time")
        assert c.dealer(GENT, as_of=today + 30 * DAY).active
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.cancel_network_change, scheduled.change_id, "again")
        expect_error(grpc.StatusCode.FAILED_PRECONDITION, c.cancel_network_change, closed.change_id, "in effect")
        expect_error(grpc.StatusCode.NOT_FOUND, c.cancel_network_change, 999999, "no such change")
        expect_error(grpc.StatusCode.INVALID_ARGUMENT, c.cancel_network_change, reopened.change_id, "",
                     fields=["reason"])


def test_cli_reopen_cancel_and_known_on(fresh_server, cli):
    today = clock.today()
    code, out, err = cli("dealers", "close", "--target", fresh_server, "--id", GENT, "--effective", today - DAY)
    assert code != 0 and "correction.reason" in err
    before = clock.now()
    code, out, err = cli("dealers", "close", "--target", fresh_server, "--id", GENT, "--effective", today - DAY,
                         "--correction", "closed yesterday", "--json")
    assert code == 0, err
    code, out, err = cli("dealer", "--target", fresh_server, "--id", GENT, "--as-of", today,
                         "--known-on", before.isoformat(), "--json")
    assert code == 0 and json.loads(out)["active"] is True, err
    code, out, err = cli("lookup", "--target", fresh_server, "--postcode", 9000, "--as-of", today, "--json")
    assert code == 0 and json.loads(out)["dealer"]["id"] != GENT, err
    code, out, err = cli("dealers", "reopen", "--target", fresh_server, "--id", GENT, "--effective", today + 10 * DAY,
                         "--json")
    assert code == 0, err
    reopened = json.loads(out)
    code, out, err = cli("dealers", "cancel-change", "--target", fresh_server, "--change", reopened["change_id"],
                         "--reason", "the reopening is postponed", "--json")
    assert code == 0, err
    cancelled = json.loads(out)
    assert cancelled["kind"] == "reopen" and cancelled["cancel_time"] and cancelled["effective"] == (today + 10 * DAY).isoformat()
    code, out, err = cli("dealer", "--target", fresh_server, "--id", GENT, "--as-of", today + 20 * DAY, "--json")
    assert code == 0 and json.loads(out)["active"] is False
