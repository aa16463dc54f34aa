"""`reassign --out FILE`: the file appears only when the job succeeds (a refused job leaves
an earlier file as it was), and a resumed job's file holds all of the job's changes, those of
its earlier runs included."""

import csv
import datetime as dt
import json
import time

from cocontroller import clock
from cocontroller.model import Scope
from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from support import channel, make_app, serve

CUSTOMERS = 300


def interrupted_job(app, job_id: str, batches: int) -> int:
    """Runs an applied job for `batches` batches of 25, then stops it as a crash would (the
    generator is dropped after a committed batch); returns the changes stored so far."""
    progress = app.reassign.run(job_id, Scope(), dry_run=False, caller="test", batch_size=25)
    for _ in range(batches):
        last = next(progress)
    progress.close()
    return last.changed


def rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def stored(db, job_id: str) -> set[str]:
    app = make_app(db)
    return {r.customer_id for r in app.audit.assignment_changes(job_id=job_id).items}


def test_a_refused_job_leaves_an_earlier_file_alone(cli, tmp_path):
    db = tmp_path / "db.sqlite"
    make_app(db).synthetic.generate(20, seed=1)
    out = tmp_path / "changes.csv"
    out.write_text("the previous run's changes\n", encoding="utf-8")
    code, _, err = cli("reassign", "--local", "--db", db, "--job-id", "bad", "--dealers", "dlr-nowhere",
                       "--out", out, "--quiet")
    assert code == 4 and "dlr-nowhere" in err
    assert out.read_text(encoding="utf-8") == "the previous run's changes\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_resumed_local_jobs_file_holds_all_its_changes(cli, tmp_path):
    db = tmp_path / "db.sqlite"
    app = make_app(db)
    app.synthetic.generate(CUSTOMERS, seed=2, now=clock.now() - dt.timedelta(days=1))
    before = interrupted_job(app, "all", batches=3)
    assert 0 < before < CUSTOMERS
    app.store.close()
    out = tmp_path / "all.csv"
    code, stdout, err = cli("reassign", "--local", "--db", db, "--job-id", "all", "--out", out, "--quiet", "--json")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["resumed"] and result["changed"] == CUSTOMERS
    written = rows(out)
    assert len(written) == CUSTOMERS
    assert {r["customer_id"] for r in written} == stored(db, "all")
    assert all(r["new_dealer_id"] for r in written)


def test_a_resumed_remote_jobs_file_holds_all_its_changes(cli, tmp_path):
    db = tmp_path / "db.sqlite"
    app = make_app(db)
    app.synthetic.generate(CUSTOMERS, seed=3, now=clock.now() - dt.timedelta(days=1))
    app.store.close()
    for target in serve(db):
        request = npb.ReassignCustomersRequest(job_id="remote", batch_size=25)
        with channel(target) as ch:
            stream = npb_grpc.DealerNetworkServiceStub(ch).ReassignCustomers(request)
            first = next(stream)
            stream.cancel()
        assert not first.finished
        out = tmp_path / "remote.jsonl"
        # The cut-off run holds the server's job slot until it has committed its batch in
        # flight: busy (exit 7) until then, as an operator would see.
        deadline = time.monotonic() + 30
        while True:
            code, stdout, err = cli("--target", target, "reassign", "--job-id", "remote", "--out", out,
                                    "--quiet", "--json")
            if code != 7 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert code == 0, err
        assert json.loads(stdout)["resumed"]
        written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(written) == CUSTOMERS == len({w["customer_id"] for w in written})
        assert {w["customer_id"] for w in written} == stored(db, "remote")
