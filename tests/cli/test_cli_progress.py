"""The progress of long commands: a tqdm bar whose rate and ETA count only this run's part
of a resumed job, plain lines (no carriage returns) when stderr is not a terminal, nothing
with --quiet; and a job's changes written as CSV or JSON lines."""

import csv
import io
import json

from tqdm import tqdm

from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import network_pb2 as npb
from cocontroller_client.cli import jobs, render


class Clock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


def test_installed_tqdm_rate_counts_only_what_follows_initial():
    """tqdm (smoothing=0) takes the rate as (n - initial) / elapsed: a resumed job's earlier
    part does not inflate it."""
    clock = Clock()
    bar = tqdm(total=1000, initial=600, smoothing=0, file=io.StringIO(), mininterval=0)
    bar._time = clock
    bar.start_t = bar.last_print_t = clock()
    clock.t += 2
    bar.update(200)
    meter = tqdm.format_meter(**bar.format_dict)
    assert "800/1000" in meter and "100.00it/s" in meter and "00:02<00:02" in meter
    bar.close()


def test_progress_of_a_resumed_run():
    clock = Clock()
    err = io.StringIO()
    bar = render.Progress(1000, initial=600, desc="job j", unit=" customers", file=err, timer=clock)
    clock.t += 2
    bar.update_to(800)
    assert bar.rate == 100.0
    assert "800/1000" in bar.text() and "100.00 customers/s" in bar.text() and "<00:02" in bar.text()
    bar.close()
    assert "\r" not in err.getvalue() and err.getvalue().count("\n") == 1


def test_progress_back_dated_to_the_start_of_the_work():
    clock = Clock()
    bar = render.Progress(1000, initial=0, file=io.StringIO(), timer=clock, started=clock() - 4)
    bar.update_to(400)
    assert bar.rate == 100.0
    bar.close()


def test_no_carriage_returns_off_a_terminal():
    clock = Clock()
    err = io.StringIO()
    bar = render.Progress(100, file=err, timer=clock)
    for done in range(1, 13):
        clock.t += 1
        bar.update_to(done)
    bar.close()
    lines = err.getvalue().splitlines()
    assert "\r" not in err.getvalue()
    assert len(lines) == 3  # after 5 s, after 10 s, and at the end
    assert lines[-1].startswith(" 12%") or "12/100" in lines[-1]


def test_quiet_shows_nothing():
    err = io.StringIO()
    with render.Progress(10, quiet=True, file=err) as bar:
        bar.update_to(10)
    assert err.getvalue() == "" and bar.rate is None


class FakeClient:
    def __init__(self, messages):
        self.messages = messages
        self.request = None

    def reassign(self, job_id, postcodes, dealers, dry_run, batch_size, at=None):
        self.request = (job_id, postcodes, dealers, dry_run, batch_size)
        return iter(self.messages)


def change(customer):
    return npb.AssignmentChange(customer_id=customer, old_dealer_id="dlr-gent", new_dealer_id="dlr-aalst",
                                old_basis=pb.ASSIGNMENT_BASIS_NEAREST, new_basis=pb.ASSIGNMENT_BASIS_NEAREST,
                                reason="closed")


# A job whose earlier runs processed 600 customers: every message says so.
RESUMED = [
    npb.ReassignCustomersResponse(job_id="j", total=1000, processed=700, changed=10, resumed=True,
                                  processed_before=600),
    npb.ReassignCustomersResponse(job_id="j", total=1000, processed=800, changed=11, resumed=True,
                                  processed_before=600, changes=[change("c-1")]),
    npb.ReassignCustomersResponse(job_id="j", total=1000, processed=1000, changed=12, resumed=True, finished=True,
                                  processed_before=600, changes=[change("c-2")],
                                  summary=[npb.DealerPairCount(old_dealer_id="dlr-gent", new_dealer_id="dlr-aalst",
                                                               customers=12)]),
]


def test_a_resumed_stream_starts_the_bar_where_it_was(monkeypatch):
    made = []

    class Spy(render.Progress):
        def __init__(self, total, initial=0, **kwargs):
            made.append((total, initial))
            super().__init__(total, initial, **{**kwargs, "quiet": True})

    monkeypatch.setattr(render, "Progress", Spy)
    client = FakeClient(RESUMED)
    items = list(jobs.remote_items(client, "j", ("9000",), (), False, 100))
    assert [i["processed_before"] for i in items] == [600, 600, 600]
    data = jobs.drive(iter(items), job_id="j", dry_run=False, out=None, quiet=False)
    assert made == [(1000, 600)]
    assert (data["processed"], data["processed_before"], data["resumed"], data["changed"]) == (1000, 600, True, 12)
    assert data["summary"] == [{"old_dealer_id": "dlr-gent", "new_dealer_id": "dlr-aalst", "customers": 12}]
    assert "resumed after 600" in jobs.result_text(data)


def test_a_new_stream_starts_at_zero():
    items = list(jobs.remote_items(FakeClient([npb.ReassignCustomersResponse(total=5, processed=2)]),
                                   "j", (), (), True, 2))
    assert items[0]["processed_before"] == 0


def test_reassign_against_a_stream(stub, cli, tmp_path):
    state, target = stub
    state.stream = RESUMED
    state.stored = [change("c-0"), change("c-1"), change("c-2")]  # all the job stored, earlier runs' too
    out = tmp_path / "changes.jsonl"
    code, stdout, err = cli("reassign", "--job-id", "j", "--dealers", "dlr-gent", "--out", out, "--json",
                            "--target", target)
    assert code == 0, err
    result = json.loads(stdout)
    assert (result["job_id"], result["processed"], result["changed"], result["out"]) == ("j", 1000, 12, str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # This run's changes as they came, then the earlier runs' ones.
    assert [x["customer_id"] for x in lines] == ["c-1", "c-2", "c-0"] and lines[0]["old_basis"] == "NEAREST"
    assert err == ""  # --json with stderr no terminal: no bar, stderr is for the JSON error

    out_csv = tmp_path / "changes.csv"
    code, stdout, err = cli("reassign", "--job-id", "j", "--out", out_csv, "--target", target)
    assert code == 0
    assert "Job j (applied): 1,000 customers, 12 changed (resumed after 600)" in stdout
    assert "\r" not in err and "1000/1000" in err  # the bar's last line, stderr being no terminal
    with open(out_csv, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == jobs.CHANGE_FIELDS and [r["customer_id"] for r in rows] == ["c-1", "c-2", "c-0"]
    code, stdout, err = cli("reassign", "--job-id", "j", "--quiet", "--target", target)
    assert code == 0 and err == ""
