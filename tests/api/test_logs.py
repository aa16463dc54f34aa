"""The JSON logs of a full run through a real server hold no personal data: customer ids
appear only as their keyed hash, postcodes, coordinates and the requests' free text not at
all; and every call, network change, reload and job is there."""

import datetime as dt
import io
import json
import logging
import os
import re
import threading

import grpc
import pytest

import support
from cocontroller import clock, logs
from cocontroller.api.observe import REQUEST_ID, Pseudonyms, log_key
from cocontroller_client.client import ClientError

UTC = dt.timezone.utc
# A log writer thread that dies (its handler closed under it) fails the test that closed it.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
# Customers with their postcodes and points (Gent, Hasselt, Oostende).
CUSTOMERS = {
    "logscan-anna-7731": ("9000", 51.05434, 3.71742),
    "logscan-bert-4419": ("3500", 50.93069, 5.33248),
    "logscan-cleo-9052": ("8400", 51.21551, 2.92650),
}
FREE_TEXT = ("Jan Peeters van de klantendienst", "Fictilease Private Lease NV", "complaint about my neighbour")


@pytest.fixture
def captured():
    """Every log line of the process, as the server writes them with --log-format json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run_scenario(target: str) -> None:
    today = clock.today()
    with support.client_for(target, caller=FREE_TEXT[0]) as client:
        for customer_id, (postcode, lat, lon) in CUSTOMERS.items():
            client.upsert_customer(customer_id, postcode, lat, lon, language="nl")
            client.assign(customer_id, reason="lead")
            client.responsible_for_customer(customer_id)
            client.responsible_for_location(postcode, lat, lon)
            client.record_consent(customer_id, "email", given_at=dt.datetime(2025, 3, 1, 10, tzinfo=UTC),
                                  **support.CONSENT_PROOF)
            client.resolve(customer_id, language="en")
            client.assignments(customer_id)
        anna = "logscan-anna-7731"
        client.record_contact(anna, "dlr-aalst", "purchase", dt.datetime(2025, 3, 1, 10, tzinfo=UTC))
        client.record_contract("logscan-lease-1", anna, "lease", "2025-03-01", "2029-02-28", partner=FREE_TEXT[1])
        client.record_dispute(anna, opened_at=dt.datetime(2025, 4, 1, 9, tzinfo=UTC), subject=FREE_TEXT[2])
        client.set_preferred_dealer(anna, "dlr-gent")
        with pytest.raises(ClientError):  # bad input is refused without its values in the log
            client.upsert_customer("logscan-dora-1188", "99999", 51.5, 4.1)
        with pytest.raises(ClientError):
            client.get_customer("logscan-nobody-0000")
        client.close_dealer("dlr-gent", today)
        client.reload_rule_packs()
        progress = list(client.reassign("logscan-job", dealer_ids=["dlr-gent"], batch_size=1))
        assert progress[-1].finished and progress[-1].processed >= 1
        client.assignment_changes(customer_id=anna)


def test_a_full_run_logs_no_personal_data(tmp_path, captured):
    db = tmp_path / "db.sqlite"
    for target in support.serve(db):
        run_scenario(target)
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    # Measured durations are the log's own numbers: one may happen to read like a coordinate.
    text = re.sub(r'\b(duration_ms|seconds)(=|": )[0-9.]+', r"\1\2…", captured.getvalue())

    secrets = [*CUSTOMERS, "logscan-dora-1188", "logscan-nobody-0000", *FREE_TEXT]
    for postcode, lat, lon in CUSTOMERS.values():
        secrets += [postcode, f"{lat}", f"{lon}", f"{lat:.3f}", f"{lon:.3f}"]
    secrets += ["99999", "51.5", "4.1"]
    for secret in secrets:
        found = re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w.])", text)
        assert found is None, f"{secret!r} is in the log: {text[max(0, found.start() - 200):found.end() + 100]}"

    pseudonyms = Pseudonyms(log_key(support.app_settings(db)))
    calls = [line for line in lines if line.get("event") == "rpc"]
    for customer_id in CUSTOMERS:
        mine = [c for c in calls if c.get("customer") == pseudonyms.customer(customer_id)]
        assert {c["method"].rpartition("/")[2] for c in mine} >= {
            "UpsertCustomer", "AssignDealer", "GetResponsibleDealer", "RecordConsent", "ResolveControllers",
            "ListAssignments"}, customer_id
    anna = {c["method"].rpartition("/")[2] for c in calls
            if c.get("customer") == pseudonyms.customer("logscan-anna-7731")}
    assert anna >= {"RecordContact", "RecordContract", "RecordDispute", "SetPreferredDealer",
                    "ListAssignmentChanges"}


def test_every_call_has_one_line_with_its_status_duration_principal_and_request_id(tmp_path, captured):
    for target in support.serve(tmp_path / "db.sqlite"):
        with support.client_for(target) as client:
            client.lookup_postcode("1000")
            with pytest.raises(ClientError):
                client.lookup_postcode("9999")
            call = client.stub.LookupPostcode.with_call
            from cocontroller.v1 import assignment_pb2 as pb
            _, given = call(pb.LookupPostcodeRequest(postcode="1000"), metadata=((REQUEST_ID, "crm-req-42"),))
            _, generated = call(pb.LookupPostcodeRequest(postcode="1000"))
            with pytest.raises(grpc.RpcError) as failed:
                call(pb.LookupPostcodeRequest(postcode="9999"), metadata=((REQUEST_ID, "crm-req-43"),))
    calls = [json.loads(line) for line in captured.getvalue().splitlines()]
    calls = [c for c in calls if c.get("event") == "rpc" and c["method"].endswith("/LookupPostcode")]
    assert [c["code"] for c in calls] == ["OK", "NOT_FOUND", "OK", "OK", "NOT_FOUND"]
    assert all(c["duration_ms"] >= 0 and c["principal"].endswith("/role/admin") for c in calls)
    assert len({c["request_id"] for c in calls}) == 5
    # A failed call keeps its request id beside the error details.
    assert dict(failed.value.trailing_metadata())[REQUEST_ID] == "crm-req-43"
    assert calls[2]["request_id"] == "crm-req-42" == dict(given.trailing_metadata())[REQUEST_ID]
    assert calls[3]["request_id"] == dict(generated.trailing_metadata())[REQUEST_ID]
    assert re.fullmatch(r"[0-9a-f]{32}", calls[3]["request_id"])


def test_network_changes_reloads_and_jobs_are_logged_with_their_call(tmp_path, captured):
    for target in support.serve(tmp_path / "db.sqlite"):
        with support.client_for(target) as client:
            client.upsert_customer("logscan-eva-5521", "9000", language="nl")
            client.assign("logscan-eva-5521")
            client.close_dealer("dlr-gent", clock.today())
            client.reload_rule_packs()
            list(client.reassign("logscan-job", dealer_ids=["dlr-gent"], batch_size=1))
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    by_event = {}
    for line in lines:
        by_event.setdefault(line.get("event"), []).append(line)
    change, = by_event["network.change"]
    assert (change["kind"], change["dealer_id"], change["effective"]) == ("close", "dlr-gent",
                                                                          clock.today().isoformat())
    close_call, = [c for c in by_event["rpc"] if c["method"].endswith("/CloseDealer")]
    assert change["request_id"] == close_call["request_id"]
    reloaded, = by_event["rules.reloaded"]
    assert "@" in reloaded["packs"]
    start, = by_event["job.start"]
    end, = by_event["job.end"]
    assert start["job_id"] == end["job_id"] == "logscan-job" and end["processed"] == end["total"] >= 1
    assert by_event["job.progress"][0]["job_id"] == "logscan-job"
    job_call, = [c for c in by_event["rpc"] if c["method"].endswith("/ReassignCustomers")]
    assert job_call["code"] == "OK" and start["request_id"] == end["request_id"] == job_call["request_id"]


def test_lines_from_many_threads_arrive_whole_and_in_each_threads_order():
    read_fd, write_fd = os.pipe()
    handler = logs.BatchedLines(write_fd, interval_s=0.01)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("test.batched.order")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    received = []
    # Read as the log's consumer does, so a full pipe never blocks the writer.
    reader = threading.Thread(target=lambda: received.append(os.fdopen(read_fd, "rb").read()))
    reader.start()

    def lines_of(thread: int) -> None:
        for i in range(200):
            logs.event(logger, "line", thread=thread, i=i, padding="x" * 300)

    try:
        workers = [threading.Thread(target=lines_of, args=(t,)) for t in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        handler.close()
    finally:
        logger.removeHandler(handler)
        os.close(write_fd)
    reader.join(timeout=10)
    lines = [json.loads(line) for line in received[0].decode().splitlines()]
    assert len(lines) == 800
    for t in range(4):
        assert [line["i"] for line in lines if line["thread"] == t] == list(range(200))


def test_info_lines_wait_for_the_writer_and_a_warning_is_written_at_once():
    read_fd, write_fd = os.pipe()
    handler = logs.BatchedLines(write_fd, interval_s=60)  # the writer thread never comes round
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.batched.levels")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    os.set_blocking(read_fd, False)
    reader = os.fdopen(read_fd, "rb")
    try:
        logger.info("first")
        assert reader.read() is None  # nothing written yet: it waits for the batch
        logger.warning("second")
        assert reader.read().decode().splitlines() == ["INFO first", "WARNING second"]
        logger.info("third")
        handler.close()  # logging's shutdown at exit closes it: the last lines are written
        assert reader.read().decode().splitlines() == ["INFO third"]
    finally:
        logger.removeHandler(handler)
        reader.close()
        os.close(write_fd)


@pytest.mark.parametrize("formatter", [logs.TextFormatter(), logs.JsonFormatter()], ids=["text", "json"])
@pytest.mark.parametrize("created", [1765000000.0, 1765000000.9996, 1765012345.5004])
def test_a_line_made_from_its_parts_is_the_line_its_record_gives(formatter, created):
    fields = {"event": "rpc", "code": "OK", "duration_ms": 1.25}
    record = logging.getLogger("cocontroller.rpc").makeRecord(
        "cocontroller.rpc", logging.WARNING, __file__, 1, "%s", ("rpc code=OK duration_ms=1.25",), None,
        extra={logs.FIELDS: fields})
    record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
    assert formatter.line(created, "WARNING", "rpc code=OK duration_ms=1.25", fields, "cocontroller.rpc") == (
        formatter.format(record))


def test_events_go_straight_to_the_configured_writer_only_while_nothing_else_would_see_them(monkeypatch):
    read_fd, write_fd = os.pipe()
    writer = logs.BatchedLines(write_fd, interval_s=60)
    writer.setFormatter(logs.JsonFormatter())
    seen = io.StringIO()
    other = logging.StreamHandler(seen)
    other.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    logger = logging.getLogger("test.direct")
    monkeypatch.setattr(root, "handlers", [writer])
    monkeypatch.setattr(logs, "_CONFIGURED", writer)
    monkeypatch.setattr(root, "level", logging.INFO)

    def refused(*args, **kwargs):
        raise AssertionError("the event took the logging machinery")

    try:
        with monkeypatch.context() as direct:
            direct.setattr(logger, "log", refused)
            logs.event(logger, "direct", n=1)
        root.handlers.append(other)  # another handler (an operator's, a test's) sees every event
        logs.event(logger, "through", n=2)
        writer.close()
    finally:
        os.close(write_fd)
    written = [json.loads(line) for line in os.fdopen(read_fd, "rb").read().decode().splitlines()]
    assert [(line["event"], line["n"], line["logger"]) for line in written] == [
        ("direct", 1, "test.direct"), ("through", 2, "test.direct")]
    assert json.loads(seen.getvalue())["event"] == "through"


def test_a_configured_writer_given_another_formatter_still_writes_every_event(monkeypatch):
    read_fd, write_fd = os.pipe()
    writer = logs.BatchedLines(write_fd, interval_s=60)
    writer.setFormatter(logging.Formatter("%(levelname)s %(message)s"))  # an operator's own
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [writer])
    monkeypatch.setattr(logs, "_CONFIGURED", writer)
    monkeypatch.setattr(root, "level", logging.INFO)
    try:
        logs.event(logging.getLogger("test.formatter"), "plain", n=3)
        writer.close()
    finally:
        os.close(write_fd)
    assert os.fdopen(read_fd, "rb").read().decode().splitlines() == ["INFO plain n=3"]
