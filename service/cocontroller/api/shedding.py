"""Load shedding: a light call that would queue is refused with RESOURCE_EXHAUSTED and told
how long to wait, instead of waiting towards its deadline.

grpc.aio takes one call at a time into Python: the calls behind it wait in gRPC core, where
Python neither counts nor times them (measured: at most one call in Python at any moment
with 512 clients, whose p99 then grew to 234 ms). gRPC core counts them for channelz:
calls started minus calls ended is every call the server holds, waiting or running
(`Backlog`). So `Shedding` refuses a light call when

- the calls waiting in core are at least `running` and would take longer than `max_wait_s`
  at the recent mean time a light call takes (light load is never refused: a few callers
  never queue beyond `running`; calls Python holds, a heavy call in its pool, do not
  count), or
- `running` light calls are already inside (calls run in worker threads wait there).

Every refusal carries a retry delay (google.rpc.RetryInfo, and the `grpc-retry-pushback-ms`
trailer that gRPC's retry policy obeys) from `Pushback`. The delay grows while more than about
a tenth of the calls are refused and shrinks as calls are admitted, so refused clients sleep
instead of queueing again, and the load offered settles near what the server can do. Heavy
calls have their own pool (handlers.py); health and reflection are never shed; streams are not
gated (a job holds one for minutes, and jobs are bounded apart).
"""

import functools
import json
import random
import time
from collections.abc import Callable
from typing import NoReturn

from grpc._cython import cygrpc
from google.rpc import code_pb2

from .errors import abort

# The retry delay's bounds (seconds), and its change per refusal and per admitted call: the
# delay stops moving when ln(1/0.99) / (ln 1.1 + ln(1/0.99)), about 10%, of the calls are
# refused. Measured (tests/bench/bench_overload.py): 10% refused, p99 under 30 ms at 512
# clients; with 1.02 (a third refused) p99 was 140 ms, refusals being work too.
_LOWEST_S, _HIGHEST_S = 0.025, 5.0
_UP, _DOWN = 1.1, 0.99
# The weight of the latest call in the moving average of a light call's time: about the last
# 20 calls.
_RECENT = 0.05
# How often the backlog is read (seconds): a read costs the loop 70-400 µs (measured in the
# served process), so while few calls wait it is read seldom (under 1 % of the loop), and
# often only while enough wait that a call could be refused.
_READ_QUIET_S = 0.05
_READ_BUSY_S = 0.005


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


class Backlog:
    """The calls waiting in gRPC core for the event loop to take them. gRPC core counts every
    call for channelz: calls started minus calls ended is every call the server holds; less
    those Python holds (`held`, kept by the call observer) it is those waiting. Core's
    counters are read every `busy_every_s` while at least `near` calls waited at the last
    read, else every `quiet_every_s`: a read is costly, and below `near` its answer changes
    nothing. `grpc._cython.cygrpc`'s channelz functions are private (the grpcio-channelz
    package is built on them); tests/api/test_shedding.py pins what this reads."""

    def __init__(self, near: int, quiet_every_s: float = _READ_QUIET_S, busy_every_s: float = _READ_BUSY_S):
        self.held = 0
        # How the calls present (waiting or running) are counted; none before `watch`.
        self.count: Callable[[], int] | None = None
        self._near = near
        self._quiet_every_s = quiet_every_s
        self._busy_every_s = busy_every_s
        self._next_read = 0.0
        self._waiting = 0

    def watch(self, server_id: int) -> None:
        self.count = functools.partial(calls_present, server_id)

    def waiting(self, now: float) -> int:
        if self.count is not None and now >= self._next_read:
            self._waiting = max(0, self.count() - self.held)
            self._next_read = now + (self._busy_every_s if self._waiting >= self._near else self._quiet_every_s)
        return self._waiting

    @staticmethod
    def server_ids() -> set[int]:
        """The channelz ids of this process's gRPC servers: the one made between two reads is
        the new server's."""
        found, start = set(), 0
        while True:
            page = json.loads(cygrpc.channelz_get_servers(start))
            found.update(int(server["ref"]["serverId"]) for server in page.get("server", ()))
            if page.get("end", True) or not found:
                return found
            start = max(found) + 1


def calls_present(server_id: int) -> int:
    """The calls a gRPC server holds, waiting or running, as its channelz counters give them."""
    counts = json.loads(cygrpc.channelz_get_server(server_id))["server"]["data"]
    return (int(counts.get("callsStarted", 0)) - int(counts.get("callsSucceeded", 0))
            - int(counts.get("callsFailed", 0)))


class Shedding:
    """Admits or refuses light unary calls (see the module); every handler of one asks first
    (handlers.py). Heavy calls have their pool, streams their slots, and health and
    reflection are never asked about. Used on the server's event loop alone."""

    def __init__(self, running: int, max_wait_s: float, pushback: Pushback, backlog: Backlog):
        self._running = running
        self._inside = 0
        self._max_wait_s = max_wait_s
        self._pushback = pushback
        self._backlog = backlog
        self._mean_call_s = 0.0

    def admit(self) -> float:
        """The instant a light call is admitted, or its refusal (errors.CallEnded). Every
        admitted call ends with `left`."""
        started = time.perf_counter()
        waiting = self._backlog.waiting(started)
        if waiting >= self._running and waiting * self._mean_call_s > self._max_wait_s:
            refuse(self._pushback, "the server is overloaded")
        if self._inside >= self._running:
            refuse(self._pushback, "the server is at its limit of calls at once")
        self._inside += 1
        self._pushback.admitted()
        return started

    def aside(self) -> None:
        """An admitted call waits elsewhere (the process for the CRM's writes, apart.py) and takes no
        turn here meanwhile: a short stall there must not refuse the calls behind it. That
        queue has its own bound."""
        self._inside -= 1

    def back(self) -> None:
        self._inside += 1

    def left(self, started: float) -> None:
        self._inside -= 1
        self._mean_call_s += _RECENT * (time.perf_counter() - started - self._mean_call_s)
