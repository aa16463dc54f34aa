"""What people and programs read: Brussels times to the second and words, never a Python
repr, in text; ISO 8601 instants and lower-case enum words in JSON."""

import datetime as dt
import json
import re

from cocontroller.model import Basis, ContactKind, CustomerKind
from cocontroller_client.cli import render

UTC = dt.timezone.utc
LOCAL_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} CES?T\b")
REPRS = ("None", "{'", "['", "'latitude'", "CUSTOMER_KIND_", "CONTACT_KIND_", "+00:00", "datetime.")


def assert_readable(text: str) -> None:
    for bad in REPRS:
        assert bad not in text, (bad, text)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text), text  # no microseconds


def test_local_time_is_brussels_to_the_second():
    assert render.local_time("2025-03-01T09:00:00.123456+00:00") == "2025-03-01 10:00:00 CET"
    assert render.local_time(dt.datetime(2025, 7, 1, 8, 0, 0, 5, tzinfo=UTC)) == "2025-07-01 10:00:00 CEST"
    assert render.local_time(None) == "none"


def test_human_values_are_words():
    assert render.human(None) == "none" and render.human("") == "none"
    assert render.human(True) == "yes" and render.human(False) == "no"
    assert render.human(["nl", "en"]) == "nl, en" and render.human([]) == "none"
    assert render.human(CustomerKind.PRIVATE) == "private"
    assert render.human("2025-03-01T09:00:00+00:00") == "2025-03-01 10:00:00 CET"
    assert render.human(dt.date(2025, 3, 1)) == "2025-03-01"
    text = render.fields_text({"id": "c1", "lat": None, "kind": "private", "created_at": "2025-03-01T09:00:00Z"})
    assert text.splitlines() == ["id:         c1", "lat:        none", "kind:       private",
                                 "created_at: 2025-03-01 10:00:00 CET"]


def test_json_values_are_plain():
    change = {"at": dt.datetime(2025, 3, 1, 9, tzinfo=UTC), "day": dt.date(2025, 3, 1),
              "kind": ContactKind.PURCHASE, "basis": Basis.NEAREST, "none": None, "tuple": ("a",)}
    assert json.loads(render.dumps(change)) == {
        "at": "2025-03-01T09:00:00+00:00", "day": "2025-03-01", "kind": "purchase", "basis": "NEAREST",
        "none": None, "tuple": ["a"]}


def test_customer_show_and_history_for_people(run):
    assert run("customer", "upsert", "--id", "out-1", "--postcode", "9000")[0] == 0
    assert run("record-contact", "--customer", "out-1", "--dealer", "dlr-aalst", "--kind", "purchase",
               "--at", "2025-03-01T10:00")[0] == 0
    assert run("assign", "--customer", "out-1")[0] == 0
    assert run("prefer", "--customer", "out-1", "--dealer", "dlr-gent")[0] == 0

    code, out, err = run("customer", "show", "--id", "out-1")
    assert code == 0, err
    assert_readable(out)
    assert "kind:" in out and "private" in out
    assert LOCAL_TIME.search(out.split("created_at:")[1]), out
    assert re.search(r"^lat: +none$", out, re.M), out

    code, out, err = run("history", "--customer", "out-1")
    assert code == 0, err
    assert_readable(out)
    assert len(LOCAL_TIME.findall(out)) >= 3, out  # two versions: from, from .. to
    assert "PREFERRED" in out and "PURCHASE" in out and " .. now:" in out

    code, out, err = run("record-contact", "--customer", "out-1", "--dealer", "dlr-aalst", "--kind",
                         "service_visit", "--at", "2025-07-01T08:30")
    assert code == 0, err
    assert "2025-07-01 08:30:00 CEST" in out
    assert_readable(out)


def test_customer_json_times_and_words(run_json):
    data = run_json("customer", "upsert", "--id", "out-2", "--postcode", "1000", "--enterprise-number",
                    "BE 0403.425.770")
    assert data["kind"] == "professional" and data["lat"] is None
    created = dt.datetime.fromisoformat(data["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
