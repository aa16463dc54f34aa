"""What the servicers that stream a job's progress share: one job of a kind at a time per
server, a client that stops reading cancelled, a job stopped by shutdown reported as such."""

import threading
from collections.abc import Callable, Iterable, Iterator

from google.rpc import code_pb2

from .errors import abort


def streamed(context, slot: threading.Lock, stall_timeout_s: float, what: str, job_id: str,
             progress: Callable[[], Iterable], to_pb: Callable) -> Iterator:
    """The messages of a job's progress (`progress()` runs it, each item with `finished`):
    RESOURCE_EXHAUSTED while another `what` holds the server's `slot`; UNAVAILABLE when the
    server's shutdown stopped the job before its end (it resumes when run again)."""
    if not slot.acquire(blocking=False):
        abort(context, code_pb2.RESOURCE_EXHAUSTED, f"a {what} is running on this server; retry when it has finished")
    stall = StallWatch(context, stall_timeout_s)
    try:
        finished = False
        for item in progress():
            finished = item.finished
            with stall:
                yield to_pb(item)
        if not finished:
            abort(context, code_pb2.UNAVAILABLE,
                  f"the server is shutting down: {what} {job_id} stopped after its last committed batch;"
                  " run it again with the same id to resume")
    finally:
        stall.stop()
        slot.release()


class StallWatch:
    """Cancels a job stream whose client stops reading. A yielded message resumes the job
    only once gRPC has handed it to the transport; when the client's flow-control window is
    full, that never happens and the job would hold the server's one job slot for good. If a
    message is not taken within the timeout the call is cancelled: the job stops at its last
    committed batch (every batch commits before its message is sent), so rerunning the job
    id resumes it."""

    def __init__(self, context, timeout_s: float):
        self.context = context
        self.timeout_s = timeout_s
        self.timer: threading.Timer | None = None

    def __enter__(self):
        self.timer = threading.Timer(self.timeout_s, self.context.cancel)
        self.timer.daemon = True
        self.timer.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
