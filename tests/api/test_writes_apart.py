"""The CRM's writes in a process beside the event loop (api/apart.py), as `serve` runs them
on SQLite: leads and the other writes answered there as on the loop, the caller relayed, the
loop's network and packs used there, a lost process replaced while its calls run on the loop
(a lead) or end UNAVAILABLE (the others), and the process ending with the server."""

import datetime as dt
import os
import shutil
import signal
import sqlite3
import threading
import time
import urllib.request
from concurrent import futures

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

import support
from cocontroller import bootstrap, certs, clock, resources
from cocontroller.config import Settings
from cocontroller.model import Role
from cocontroller.api import apart
from cocontroller.api.apart import Apart, _Frames
from cocontroller.api.operations import Operations
from cocontroller.api.server import build_server
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import assignment_pb2_grpc as pb_grpc
from cocontroller_client.client import Client, ClientError
from network_world import NEW_DEALER

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
READY_S = 60.0



def serve_apart(folder):
    """A server over a new demo database in `folder` whose leads run in the process apart,
    started by a first lead and ready: yields (target, ops, rules directory, database), then
    stops it."""
    rules = folder / "rules"
    shutil.copytree(resources.packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    db = folder / "db.sqlite"
    apps = support.tenant_apps(support.make_app(db, rules_dir=str(rules)))
    ops = Operations()
    ops.apart = Apart.beside(apps, bootstrap.build)
    server, port = build_server(apps, "127.0.0.1:0", max_workers=4, ops=ops)
    try:
        start_apart(ops.apart)
        yield f"127.0.0.1:{port}", ops, rules, db
    finally:
        ops.stopping.set()
        server.stop(grace=None).wait()


def start_apart(apart: Apart) -> None:
    """Asks for the process apart as a first lead does, and waits until it is ready. Not by a
    lead: its cold start on the loop would weigh on shedding's recent call time, which the
    tests on queued leads must not inherit."""
    apart.taking()
    wait_ready(apart)


def wait_ready(apart: Apart, other_than: int | None = None) -> None:
    deadline = time.monotonic() + READY_S
    while not (apart.ready and apart.pid != other_than):
        assert time.monotonic() < deadline, "the process apart did not start"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from serve_apart(tmp_path_factory.mktemp("apart"))


@pytest.fixture
def own_server(tmp_path):
    yield from serve_apart(tmp_path)


@pytest.mark.sqlite_only
def test_a_lead_is_answered_in_the_process_apart(served):
    target, ops, _, db = served
    before = (ops.apart.answered, ops.apart.run_here)
    with support.client_for(target, "crm") as crm:
        made = crm.create_lead("apart-1", "apart-a", [("test_drive", AT, "dlr-gent")], postcode="9000")
        again = crm.create_lead("apart-1", "apart-a", [("test_drive", AT, "dlr-gent")], postcode="9000")
    assert (ops.apart.answered, ops.apart.run_here) == (before[0] + 2, before[1])
    assert made == again and made.customer_created and made.assignment.dealer.id == "dlr-gent"
    assert support.query(db, "SELECT count(*) FROM assignments WHERE customer_id = 'apart-a'") == [(1,)]


@pytest.mark.sqlite_only
def test_the_crms_other_writes_are_answered_in_the_process(served):
    """A customer written, changed (a stale etag refused with its status), a contact, a
    preference set and revoked, an assignment: each answered in the process, as the loop
    would answer it."""
    target, ops, _, db = served
    before = (ops.apart.answered, ops.apart.run_here)
    with support.client_for(target, "crm") as crm:
        assert crm.upsert_customer("apart-w", "9000").created
        first = crm.get_customer("apart-w")
        changed = crm.update_customer("apart-w", etag=first.etag, language="fr")
        assert changed.language == "fr" and changed.etag != first.etag
        with pytest.raises(ClientError) as stale:
            crm.update_customer("apart-w", etag=first.etag, language="de")
        assert stale.value.code == grpc.StatusCode.ABORTED
        assert crm.record_contact("apart-w", "dlr-aalst", "quote", AT).created
        assert crm.set_preferred_dealer("apart-w", "dlr-brugge", AT).dealer_id == "dlr-brugge"
        assert crm.assign("apart-w", "apart").assignment.dealer.id == "dlr-brugge"
        crm.revoke_preferred_dealer("apart-w", AT + dt.timedelta(days=1))
    assert (ops.apart.answered, ops.apart.run_here) == (before[0] + 7, before[1])
    assert support.query(db, "SELECT language FROM customers WHERE id = 'apart-w'") == [("fr",)]
    assert support.query(db, "SELECT dealer_id FROM contact_events WHERE customer_id = 'apart-w'") == [("dlr-aalst",)]


@pytest.mark.sqlite_only
def test_the_caller_goes_with_the_call_to_the_process(served):
    """What a servicer reads of its call reaches the process: a dealer records its own
    contacts only, and the audit names the certificate and the x-caller the client gave."""
    target, ops, _, _ = served
    with support.client_for(target, "crm") as crm:
        crm.upsert_customer("apart-v", "9000")
    before = ops.apart.answered
    with support.client_for(target, "dealer-dlr-gent") as dealer:
        assert dealer.record_contact("apart-v", "dlr-gent", "service_visit", AT).created
        with pytest.raises(ClientError) as caught:
            dealer.record_contact("apart-v", "dlr-aalst", "service_visit", AT)
        assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED
    trigger = support.audited_assignment(target, "apart-x", caller="alice", reason="lead")
    assert trigger == certs.role_uri(Role.CRM) + "; x-caller=alice; reason=lead"
    assert ops.apart.answered == before + 4


@pytest.mark.sqlite_only
def test_a_write_lost_with_the_process_ends_unavailable(own_server):
    """A write other than a lead may have been committed when its process is lost: it is not
    made again on the loop but ends UNAVAILABLE, for the client to try again."""
    target, ops, _, db = own_server
    with support.client_for(target, "crm") as crm:
        crm.upsert_customer("apart-y", "9000")
    lost = ops.apart.pid
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    request = pb.UpdateCustomerRequest(customer=pb.Customer(id="apart-y", language="de"))
    request.update_mask.paths.append("language")
    with support.channel(target, role="crm") as channel:
        call = pb_grpc.DealerAssignmentServiceStub(channel).UpdateCustomer.future(request, timeout=30)
        deadline = time.monotonic() + 10
        while not ops.apart.waiting:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(lost, signal.SIGKILL)
        with pytest.raises(grpc.RpcError) as caught:
            call.result()
    other.execute("ROLLBACK")
    other.close()
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert ops.apart.lost == 1
    assert support.query(db, "SELECT language FROM customers WHERE id = 'apart-y'") == [("nl",)]
    wait_ready(ops.apart, other_than=lost)
    with support.client_for(target, "crm") as crm:
        assert crm.update_customer("apart-y", language="de").language == "de"


@pytest.mark.sqlite_only
def test_signals_for_the_process_group_are_left_to_the_server(served):
    """Ctrl-C or a service manager's SIGTERM reaches every process of the group: the
    server drains, and the process apart must not die with the leads it is making."""
    target, ops, _, _ = served
    pid, before = ops.apart.pid, ops.apart.answered
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        os.kill(pid, sig)
    time.sleep(0.5)
    with support.client_for(target, "crm") as crm:
        assert crm.create_lead("apart-15", "apart-j", [("brochure", AT, "")], postcode="9000").customer_created
    assert (ops.apart.pid, ops.apart.answered) == (pid, before + 1)


@pytest.mark.sqlite_only
def test_a_lead_the_process_cannot_take_now_is_made_on_the_loop(served, monkeypatch):
    target, ops, _, db = served
    monkeypatch.setattr(apart, "MOST_UNANSWERED_BYTES", 0)
    before = (ops.apart.answered, ops.apart.run_here)
    with support.client_for(target, "crm") as crm:
        made = crm.create_lead("apart-16", "apart-k", [("brochure", AT, "")], postcode="9000")
    assert made.customer_created and made.assignment.dealer.id
    assert (ops.apart.answered, ops.apart.run_here) == (before[0], before[1] + 1)
    assert support.query(db, "SELECT count(*) FROM customers WHERE id = 'apart-k'") == [(1,)]


@pytest.mark.sqlite_only
def test_each_tenants_lead_lands_in_its_own_database(tmp_path):
    ops = Operations()
    dealers = {"lexus-be": "dlr-gent", "toyota-be": "tyt-gent"}
    for target, apps in support.serve_tenants(tmp_path, ops=ops, apart=True):
        start_apart(ops.apart)
        for tenant, dealer in dealers.items():
            with Client(target, credentials=support.credentials("crm"), tenant=tenant) as crm:
                made = crm.create_lead(f"apart-{tenant}", "apart-t", [("test_drive", AT, dealer)], postcode="9000")
            assert made.assignment.dealer.id == dealer
        assert ops.apart.answered == 2
        for tenant, app in apps.items():
            assert support.query(app.settings.db, "SELECT dealer_id FROM contact_events WHERE customer_id = 'apart-t'") \
                == [(dealers[tenant],)]


@pytest.mark.sqlite_only
def test_its_refusals_keep_their_status_and_fields(served):
    target, ops, _, _ = served
    before = ops.apart.answered
    at = pb.LeadContact(kind=pb.LEAD_KIND_QUOTE)
    at.occurred_at.FromDatetime(AT)
    with support.channel(target, role="crm") as channel:
        code, fields = support.rpc_failure(pb_grpc.DealerAssignmentServiceStub(channel).CreateLead, pb.CreateLeadRequest(
            request_id="apart-2", customer=pb.Customer(id="apart-b", postcode="99999"), contacts=[at]))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["customer.postcode"])
    with support.client_for(target, "crm") as crm:
        with pytest.raises(ClientError) as unknown:
            crm.create_lead("apart-3", "apart-b", [("quote", AT, "dlr-nowhere")], postcode="9000")
        crm.create_lead("apart-4", "apart-b", [("quote", AT, "")], postcode="9000")
        with pytest.raises(ClientError) as reused:
            crm.create_lead("apart-4", "apart-b", [("brochure", AT, "")], postcode="9000")
    assert unknown.value.code == grpc.StatusCode.NOT_FOUND and "dlr-nowhere" in unknown.value.message
    assert reused.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert ops.apart.answered == before + 4


@pytest.mark.sqlite_only
def test_a_dealer_opened_through_the_loop_takes_the_next_lead_at_once(served):
    """The process reads the network again when the loop's stamp differs, rather than at
    its own next look a second later."""
    target, ops, _, _ = served
    run_here = ops.apart.run_here
    with support.client_for(target) as admin, support.client_for(target, "crm") as crm:
        assert crm.create_lead("apart-5", "apart-c", [("brochure", AT, "")], postcode="9800").assignment.dealer.id \
            != NEW_DEALER["id"]
        admin.add_dealer(NEW_DEALER["id"], {k: v for k, v in NEW_DEALER.items() if k != "id"}, clock.today())
        made = crm.create_lead("apart-6", "apart-d", [("brochure", AT, "")], postcode="9800")
    assert made.assignment.dealer.id == NEW_DEALER["id"]
    assert ops.apart.run_here == run_here


def set_assignment_version(rules, version: str) -> None:
    path = rules / resources.ASSIGNMENT_PACK
    path.write_text("\n".join(f'version: "{version}"' if line.startswith("version:") else line
                              for line in path.read_text(encoding="utf-8").splitlines()) + "\n", encoding="utf-8")


@pytest.mark.sqlite_only
def test_packs_reloaded_through_the_loop_decide_the_next_lead(served):
    target, ops, rules, _ = served
    set_assignment_version(rules, "2099.3.3")
    before = ops.apart.answered
    with support.client_for(target) as admin, support.client_for(target, "crm") as crm:
        admin.reload_rule_packs()
        made = crm.create_lead("apart-7", "apart-e", [("brochure", AT, "")], postcode="1000")
    assert made.assignment.rules_version == "assignment@2099.3.3"
    assert ops.apart.answered == before + 1


@pytest.mark.sqlite_only
def test_a_lead_is_never_decided_on_other_packs_than_the_loops(own_server):
    """The files change again after the loop's reload: the process, reloading them, cannot
    serve the loop's version, so the lead is made on the loop."""
    target, ops, rules, _ = own_server
    set_assignment_version(rules, "2099.4.4")
    with support.client_for(target) as admin, support.client_for(target, "crm") as crm:
        admin.reload_rule_packs()
        set_assignment_version(rules, "2099.5.5")
        made = [crm.create_lead(f"apart-1{n}", f"apart-i{n}", [("brochure", AT, "")], postcode="1000")
                for n in range(2)]
    assert [m.assignment.rules_version for m in made] == ["assignment@2099.4.4"] * 2
    assert (ops.apart.answered, ops.apart.run_here) == (0, 2)


@pytest.mark.sqlite_only
def test_leads_waiting_for_the_process_do_not_use_up_the_light_calls_turns(own_server):
    """The process waits for another writer a moment: the leads behind it queue there, more
    of them than light calls may run at once on the loop (8), and none is refused."""
    target, ops, _, db = own_server
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    requests = []
    for n in range(12):
        contact = pb.LeadContact(kind=pb.LEAD_KIND_BROCHURE)
        contact.occurred_at.FromDatetime(AT)
        requests.append(pb.CreateLeadRequest(request_id=f"apart-q{n}", contacts=[contact],
                                             customer=pb.Customer(id=f"apart-q{n}", postcode="9000")))
    with support.channel(target, role="crm") as channel:
        stub = pb_grpc.DealerAssignmentServiceStub(channel)
        calls = [stub.CreateLead.future(r, timeout=30) for r in requests]
        deadline = time.monotonic() + 10
        while ops.apart.waiting < len(requests):
            assert time.monotonic() < deadline, f"{ops.apart.waiting} leads reached the process"
            time.sleep(0.01)
        assert ops.metrics.registry.get_sample_value("cocontroller_apart_waiting") == len(requests)
        other.execute("ROLLBACK")
        other.close()
        assert all(call.result().customer_created for call in calls)
    assert ops.apart.answered == len(requests)


@pytest.mark.sqlite_only
def test_a_lead_cut_short_by_a_lost_process_is_made_once_on_the_loop(own_server):
    """The process dies while its lead waits for another writer: the lead runs again on the
    loop (in a worker, while the writer holds on), lands once, and a new process starts."""
    target, ops, _, db = own_server
    lost = ops.apart.pid
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    with support.client_for(target, "crm") as crm, futures.ThreadPoolExecutor(1) as pool:
        lead = pool.submit(crm.create_lead, "apart-8", "apart-f", [("test_drive", AT, "")], postcode="9000")
        deadline = time.monotonic() + 10
        while not ops.apart.waiting:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(lost, signal.SIGKILL)
        threading.Timer(0.5, lambda: (other.execute("ROLLBACK"), other.close())).start()
        made = lead.result(30)
        wait_ready(ops.apart, other_than=lost)
        again = crm.create_lead("apart-8", "apart-f", [("test_drive", AT, "")], postcode="9000")
    assert made.customer_created and again == made
    assert ops.apart.run_here == 1 and ops.apart.answered == 1
    assert support.query(db, "SELECT count(*) FROM contact_events WHERE customer_id = 'apart-f'") == [(1,)]


@pytest.mark.sqlite_only
def test_the_caches_the_process_uses_count_in_the_servers_metrics(served):
    """A lead decided in the process looks its decision up in the process's caches: the
    server's cache metrics count it, as they would a lead made on the loop."""
    target, ops, _, _ = served
    before, answered = _decision_lookups(ops), ops.apart.answered
    with support.client_for(target, "crm") as crm:
        crm.create_lead("apart-19", "apart-n", [("brochure", AT, "")], postcode="8500")
    assert ops.apart.answered == answered + 1
    _wait_for_more_lookups(ops, before)


@pytest.mark.sqlite_only
def test_the_cache_counts_of_a_lost_process_stay_counted(own_server):
    """Counters only go up: a lost process's counts stay in the server's metrics beside
    those of the process started after it."""
    target, ops, _, _ = own_server
    with support.client_for(target, "crm") as crm:
        crm.create_lead("apart-20", "apart-o", [("brochure", AT, "")], postcode="8500")
    counted = _wait_for_more_lookups(ops, 0)
    lost = ops.apart.pid
    os.kill(lost, signal.SIGKILL)
    wait_ready(ops.apart, other_than=lost)
    assert _decision_lookups(ops) == counted


def _decision_lookups(ops) -> float:
    labels = {"cache": "assignment_decisions", "tenant": "lexus-be"}
    return sum(ops.metrics.registry.get_sample_value(f"cocontroller_cache_{kind}_total", labels)
               for kind in ("hits", "misses"))


def _wait_for_more_lookups(ops, than: float) -> float:
    deadline = time.monotonic() + 10
    while (now := _decision_lookups(ops)) <= than:
        assert time.monotonic() < deadline, "the process's cache counts did not reach the server's metrics"
        time.sleep(0.02)
    return now


@pytest.mark.sqlite_only
def test_the_process_starts_at_the_first_lead(tmp_path):
    """A server that makes no lead has no process apart (one that only runs jobs spares its
    memory and its start); the first lead runs on the loop and starts it for the next."""
    ops = Operations()
    for target, _ in support.serve_tenants(tmp_path, ops=ops, apart=True):
        with support.client_for(target, "crm") as crm:
            assert crm.responsible_for_location("9000").dealer.id
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                assert ops.apart.pid is None, "the process apart started before any lead"
                time.sleep(0.05)
            assert crm.create_lead("apart-17", "apart-l", [("brochure", AT, "")], postcode="9000").customer_created
            assert (ops.apart.answered, ops.apart.run_here) == (0, 0)
            wait_ready(ops.apart)
            assert crm.create_lead("apart-18", "apart-m", [("brochure", AT, "")], postcode="9000").customer_created
        assert ops.apart.answered == 1


@pytest.mark.sqlite_only
def test_the_process_ends_with_the_server(tmp_path):
    server = serve_apart(tmp_path)
    _, ops, _, _ = next(server)
    pid = ops.apart.pid
    server.close()
    deadline = time.monotonic() + 15
    while _alive(pid):
        assert time.monotonic() < deadline, "the process apart outlived its server"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether `pid` runs still (the server reaps the process it started, so an ended one is gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.sqlite_only
def test_a_rehearsal_clock_reaches_the_process(tmp_path):
    rehearsed = dt.datetime(2031, 5, 4, 12, tzinfo=UTC)
    clock.shift_to(rehearsed)
    try:
        for target, ops, _, _ in serve_apart(tmp_path):
            with support.client_for(target, "crm") as crm:
                made = crm.create_lead("apart-9", "apart-g", [("brochure", AT, "")], postcode="9000")
            assert ops.apart.answered == 1
            assert made.assignment.valid_from.ToDatetime(tzinfo=UTC).year == 2031
    finally:
        clock.set_offset(dt.timedelta(0))


def test_frames_are_read_whole_however_the_pipe_splits_them():
    ours, theirs = os.pipe()
    try:
        writer, reader = _Frames(theirs), _Frames(ours)
        writer.write(("one", b"x" * 10))
        whole = os.read(ours, 1 << 16)
        os.write(theirs, whole[:7])
        assert reader.read() == []
        os.write(theirs, whole[7:])
        writer.write(("two", 2))
        assert reader.read() == [("one", b"x" * 10), ("two", 2)]
    finally:
        os.close(ours)
        os.close(theirs)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("switch, apart", [((), True), (("--no-leads-apart",), False)])
def test_serve_makes_leads_apart_unless_told_not_to(tmp_path, switch, apart):
    port = support.free_port()
    for target, _, _ in support.serve_process(tmp_path, "--metrics-port", str(port), *switch):
        with support.client_for(target, "crm") as crm:
            assert crm.create_lead("apart-first", "apart-first", [("brochure", AT, "")], postcode="9000")
        deadline = time.monotonic() + READY_S
        while apart and _metric(port, "cocontroller_apart_ready") != 1.0:
            assert time.monotonic() < deadline, "the process apart did not start"
            time.sleep(0.1)
        with support.client_for(target, "crm") as crm:
            assert crm.create_lead("apart-10", "apart-h", [("brochure", AT, "")], postcode="9000").customer_created
        assert _metric(port, "cocontroller_apart_calls_total", outcome="answered") == (1.0 if apart else None)


def _metric(port: int, name: str, **labels) -> float | None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        families = text_string_to_metric_families(response.read().decode())
    return next((s.value for f in families for s in f.samples if s.name == name and s.labels == labels), None)


def test_the_switch_reads_as_a_flag_from_the_environment():
    assert Settings.from_env({"COCONTROLLER_LEADS_APART": "off"}).leads_apart is False
    assert Settings.from_env({"COCONTROLLER_LEADS_APART": "TRUE"}).leads_apart is True
    with pytest.raises(ValueError, match="true or false"):
        Settings.from_env({"COCONTROLLER_LEADS_APART": "maybe"})


@pytest.mark.skipif(support.BACKEND != "postgresql", reason="PostgreSQL only")
def test_on_postgresql_leads_stay_in_the_worker_threads(tmp_path):
    assert Apart.beside(support.tenant_apps(support.make_app(tmp_path / "db.sqlite")), bootstrap.build) is None
