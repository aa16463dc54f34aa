"""Load shedding: a light call that would queue is refused with RESOURCE_EXHAUSTED and told
how long to wait, instead of waiting towards its deadline.

Counting calls does not bound the queue: a call waits in gRPC core, then among the event
loop's ready tasks, where Python cannot count it (measured on the threaded server before it:
512 clients against a limit of 64 calls, 0.2% refused, p99 650 ms). What Python does see is
the symptom: the time from the call's arrival on the event loop (this interceptor) to its
handler starting grows from well under a millisecond to tens. So `Shedding` refuses a light
call when

- its own wait and the moving average of the recent calls' waits exceed `max_wait_s`, and
  other light calls still wait behind it (how long work sits in the queue, the signal CoDel
  uses; the average lets a lone hiccup through, so light load is never refused, and a lone
  caller slowed by a heavy call beside it is not refused either: refusing it would not make
  that call finish sooner), or
- `running` light calls are already inside.

Every refusal carries a retry delay (google.rpc.RetryInfo, and the `grpc-retry-pushback-ms`
trailer that gRPC's retry policy obeys) from `Pushback`. The delay grows while more than about
a tenth of the calls are refused and shrinks as calls are admitted, so refused clients sleep
instead of queueing again, and the load offered settles near what the server can do. Heavy
calls have their own pool (handlers.py); health and reflection are never shed; streams are not
gated (a job holds one for minutes, and jobs are bounded apart).
"""

import random
import threading
import time
import weakref
from typing import NoReturn

import grpc
from google.rpc import code_pb2

from . import access
from .errors import abort

# The retry delay's bounds (seconds), and its change per refusal and per admitted call: the
# delay stops moving when ln(1/0.99) / (ln 1.1 + ln(1/0.99)), about 10%, of the calls are
# refused. Measured (tests/bench/bench_overload.py): 10% refused, p99 under 30 ms at 512
# clients; with 1.02 (a third refused) p99 was 140 ms, refusals being work too.
_LOWEST_S, _HIGHEST_S = 0.025, 5.0
_UP, _DOWN = 1.1, 0.99
# The weight of the latest call in the moving average of waits: about the last 20 calls.
_RECENT = 0.05


class Pushback:
    """The retry delay told to refused callers, shared by everything that refuses."""

    def __init__(self, seed: int | None = None) -> None:
        self._delay = _LOWEST_S
        self._random = random.Random(seed)

    def refused(self) -> float:
        """A refusal: the delay grows, and this caller gets it jittered (0.5 to 1.5 times) so
        the refused do not all come back at once."""
        # Unlocked: everything that refuses runs on the server's event loop.
        self._delay = delay = min(_HIGHEST_S, self._delay * _UP)
        return delay * self._random.uniform(0.5, 1.5)

    def admitted(self) -> None:
        if self._delay > _LOWEST_S:
            self._delay = max(_LOWEST_S, self._delay * _DOWN)

    @property
    def delay_s(self) -> float:
        return self._delay


def refuse(pushback: Pushback, reason: str) -> NoReturn:
    """Ends the call with RESOURCE_EXHAUSTED and a retry delay."""
    abort(code_pb2.RESOURCE_EXHAUSTED, f"{reason}; retry shortly", retry_delay_s=pushback.refused())


class Shedding(grpc.aio.ServerInterceptor):
    """Refuses light unary calls that would queue (see the module). `heavy`: the methods
    the heavy pool bounds instead. It runs on the server's event loop alone."""

    def __init__(self, running: int, max_wait_s: float, pushback: Pushback, heavy: frozenset[str]):
        self._running = running
        self._inside = 0
        self._max_wait_s = max_wait_s
        self._pushback = pushback
        self._heavy = heavy
        self._average_wait_s = 0.0
        self._waiting = _Waiting()

    async def intercept_service(self, continuation, details):
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        service, _, method = details.method.lstrip("/").partition("/")
        if method in self._heavy or service in access.OPEN_SERVICES:
            return handler
        # This runs as the event loop takes the call: the wait starts here.
        taken = time.perf_counter()
        behaviour = handler.unary_unary
        waiting = self._waiting.taken()

        async def gated(request, context):
            waited = time.perf_counter() - taken
            self._average_wait_s = average = self._average_wait_s + _RECENT * (waited - self._average_wait_s)
            others_waiting = waiting.start()
            if waited > self._max_wait_s and average > self._max_wait_s and others_waiting:
                refuse(self._pushback, "the server is overloaded")
            if self._inside >= self._running:
                refuse(self._pushback, "the server is at its limit of calls at once")
            self._inside += 1
            self._pushback.admitted()
            try:
                return await behaviour(request, context)
            finally:
                self._inside -= 1

        # A call cancelled before its handler starts never runs `gated`: it stops waiting
        # when grpcio lets go of its handler.
        weakref.finalize(gated, waiting.start)
        return handler._replace(unary_unary=gated)


class _Waiting:
    """How many light calls the event loop has taken whose handler has not started. Locked:
    a dropped call's finalizer may run on whichever thread collects it."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def taken(self) -> "_Call":
        with self._lock:
            self._count += 1
        return _Call(self)

    def _started(self) -> int:
        with self._lock:
            self._count -= 1
            return self._count


class _Call:
    __slots__ = ("_waiting",)

    def __init__(self, waiting: _Waiting):
        self._waiting: _Waiting | None = waiting

    def start(self) -> int:
        """The call stops waiting (once): how many others still wait."""
        waiting, self._waiting = self._waiting, None
        return waiting._started() if waiting is not None else 0
