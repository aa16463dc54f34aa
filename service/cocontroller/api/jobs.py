"""What the servicers that stream a job's progress share: one job of a kind at a time per
server, and a job stopped by shutdown reported as such. A client that stops reading is
cancelled by the call layer (handlers.py)."""

import threading
from collections.abc import Callable, Iterable, Iterator

from google.rpc import code_pb2

from .errors import abort


def streamed(slot: threading.Lock, what: str, job_id: str, progress: Callable[[], Iterable],
             to_pb: Callable) -> Iterator:
    """The messages of a job's progress (`progress()` runs it, each item with `finished`):
    RESOURCE_EXHAUSTED while another `what` holds the server's `slot`; UNAVAILABLE when the
    server's shutdown stopped the job before its end (it resumes when run again)."""
    if not slot.acquire(blocking=False):
        abort(code_pb2.RESOURCE_EXHAUSTED, f"a {what} is running on this server; retry when it has finished")
    try:
        finished = False
        for item in progress():
            finished = item.finished
            yield to_pb(item)
        if not finished:
            abort(code_pb2.UNAVAILABLE,
                  f"the server is shutting down: {what} {job_id} stopped after its last committed batch;"
                  " run it again with the same id to resume")
    finally:
        slot.release()
