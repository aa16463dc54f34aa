"""A job stream whose client stops reading is cancelled after the stall timeout: the server's
one job slot is free again, and the job, stopped at its last committed batch, resumes."""

import time

import grpc
import pytest

from cocontroller.v1 import network_pb2 as npb
from cocontroller.v1 import network_pb2_grpc as npb_grpc
from support import channel, make_app, query, serve

CUSTOMERS = 20_000
STALL_S = 1.0
# A client that does not read: no flow-control window growth, so the server's sends block
# after the first messages.
NO_GROWTH = (("grpc.http2.bdp_probe", 0),)


@pytest.fixture
def target(tmp_path):
    db = tmp_path / "db.sqlite"
    make_app(db).synthetic.generate(CUSTOMERS, seed=3)
    yield from serve(db, stream_stall_s=STALL_S)


def job_row(db) -> tuple:
    return query(db, "SELECT status, processed, cursor FROM reassign_jobs WHERE id = 'stalled'")[0]


def test_a_stalled_stream_frees_the_job_slot_and_the_job_resumes(target, tmp_path):
    request = npb.ReassignCustomersRequest(job_id="stalled", batch_size=50)
    with channel(target, NO_GROWTH) as stalled:
        stream = npb_grpc.DealerNetworkServiceStub(stalled).ReassignCustomers(request)
        first = next(stream)
        assert first.processed == 50 and not first.finished
        # Stop reading. Another job is refused while the stalled one holds the slot, then
        # accepted once the stall timeout has cancelled it.
        with channel(target) as other:
            stub = npb_grpc.DealerNetworkServiceStub(other)
            deadline = time.monotonic() + 60
            while True:
                try:
                    last = list(stub.ReassignCustomers(
                        npb.ReassignCustomersRequest(job_id="other", dry_run=True, scope=npb.ReassignScope(
                            postcodes=["1000"])), timeout=60))[-1]
                    break
                except grpc.RpcError as e:
                    assert e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, e
                    assert time.monotonic() < deadline, "the stalled job still holds the slot"
                    time.sleep(0.5)
            assert last.finished
        with pytest.raises(grpc.RpcError) as caught:
            for _ in stream:
                pass
        assert caught.value.code() == grpc.StatusCode.CANCELLED
    db = tmp_path / "db.sqlite"
    status, processed, cursor = job_row(db)
    assert status == "running" and 50 <= processed < CUSTOMERS and processed % 50 == 0 and cursor
    with channel(target) as resumed:
        progress = list(npb_grpc.DealerNetworkServiceStub(resumed).ReassignCustomers(request, timeout=300))
    assert progress[0].resumed and progress[0].processed_before == processed
    assert progress[-1].finished and progress[-1].processed == CUSTOMERS
    assert job_row(db)[:2] == ("finished", CUSTOMERS)
