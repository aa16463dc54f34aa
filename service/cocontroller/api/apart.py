"""The CRM's writes in a process of their own beside the server's event loop (SQLite).

On SQLite the quick calls run on the event loop (handlers.py), so one core did all of a
lead: gRPC, TLS and the checks, which every call pays, and the lead's own work (the
customer written, its contacts recorded, the decision, the commit), half of it and more.
Here the loop keeps the first and a process of its own does the second, on the other core:
the loop sends the request's bytes down a pipe, answers other calls meanwhile, and sends
the answer's bytes back when the process has made them.

The process is the same application on the same database (bootstrap.py) behind the same
servicer, so a lead answers alike wherever it runs. Each call carries what the loop's
runtime holds (the network's stamp, the packs' content): the process reads the network
again or reloads its packs when they differ, so a lead never sees an older network or other
rules than the loop would have used. The process is started at the first lead, not with the
server: a server that only looks dealers up or runs jobs spares its memory and its start on
the job's core. Until it is ready (it compiles the packs at start), and whenever it is
lost, leads run on the loop as before: a lead is idempotent by its request id, so one cut
short in a lost process runs again on the loop and answers what was committed, or commits
it once.

The other writes of the CRM's calls go there too (`METHODS`): the customer's, its contacts
and preferences, an assignment. Left on the loop beside the leads, each write met the
process's in SQLite's lock and moved to a worker thread with the calls behind it, and a mixed
load of leads and contacts made fewer calls a second than with everything on the loop
(docs/performance.md). With every such write in one process, the loop reads and the process
writes. The caller was checked on the loop; what a servicer reads of its call (who called,
the `x-caller` it named) goes with the request (`Relayed`).

A call the process loses after it was sent may have been committed. Only a lead, idempotent
by its request id, runs again on the loop (`RERUN`); the others end UNAVAILABLE, as after a
connection lost with the call in flight: the caller may send it again.
"""

import asyncio
import datetime as dt
import itertools
import logging
import multiprocessing
import os
import pickle
import select
import signal
import struct
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import grpc

from .. import clock, heap, logs
from ..config import Settings
from ..domain.geo import Pair
from ..store.dialect import is_url
from .access import principal_of
from .errors import CallEnded
from .metadata import named_caller

METHODS = frozenset({"CreateLead", "UpsertCustomer", "UpdateCustomer", "RecordContact", "SetPreferredDealer",
                     "RevokePreferredDealer", "AssignDealer"})
# The methods a call lost in the process may run again on the loop: they answer a repeated
# request with the first answer and write nothing more.
RERUN = frozenset({"CreateLead"})
# Calls waiting for the process at once, at most (about 25 ms of its work); beyond, a call
# runs on the loop, where the calls behind it wait in gRPC core and shedding sees them.
MOST_WAITING = 32
# The bytes of the requests sent and not answered yet, at most; beyond, a call runs on the
# loop. Below what the pipe holds (a UNIX socket's buffer, 200 KiB and more), so a write
# from the loop never waits for the process.
MOST_UNANSWERED_BYTES = 48 * 1024
# How long a lost process waits before it is started again, at most (seconds): the wait
# doubles from 1 s while the process is lost soon after it starts.
_RESTART_MOST_S = 30.0
# How long the process is given to end by itself once its pipe is closed (seconds); then it
# is killed.
_ENDS_S = 5.0
# How often the process sends its caches' counts while calls keep coming, and how long after
# the last call (seconds).
_USES_EVERY_S = 1.0
_USES_QUIET_S = 0.05
# What comes back for a call: its answer, its status, a failure, "not taken" (nothing was
# done: run it on the loop) or "lost" (the process stopped with it: maybe committed).
_ANSWER, _STATUS, _FAILED, _RUN_HERE, _LOST = range(5)
_LENGTH = struct.Struct("!I")

log = logging.getLogger(__name__)


class Lost(Exception):
    """The process could not take or answer the call: it runs on the loop instead."""


@dataclass(frozen=True)
class Relayed:
    """What a servicer reads of its call, sent with the request to the process, which has no
    call of its own: who called (the identity that named its role, as the loop's check
    found it), from where, and the name it gave for the audit trail (`x-caller`)."""

    identity: str
    address: str
    named: str

    @classmethod
    def of(cls, context) -> "Relayed":
        principal = principal_of(context)
        return cls(principal.name if principal is not None else "", context.peer(), named_caller(context))

    def peer_identities(self) -> tuple[bytes, ...] | None:
        return (self.identity.encode(),) if self.identity else None

    def auth_context(self) -> dict:
        return {}

    def peer(self) -> str:
        return self.address

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("x-caller", self.named),) if self.named else ()


class Apart:
    """The process beside the event loop, its pipe and the calls it has not answered yet.
    `start` starts it, and a thread of its own starts it again whenever it is lost; calls
    and answers are handled on the event loop alone."""

    def __init__(self, apps: dict, build: Callable):
        self.apps = apps
        # How the process makes a tenant's application from its settings (bootstrap.build,
        # the composition root's: this layer builds nothing).
        self._build = build
        self.ready = False
        # The process's id while one runs.
        self.pid: int | None = None
        # Calls the process answered (whatever their status), those it could not take or
        # answer, which ran on the loop instead, and those lost with it and ended UNAVAILABLE
        # (metrics.py).
        self.answered = 0
        self.run_here = 0
        self.lost = 0
        self._frames: _Frames | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[int, tuple[asyncio.Future, int]] = {}
        self._unanswered = 0
        self._numbers = itertools.count()
        self._distances: tuple[list[Pair], list[float]] | None = None
        self._lock = threading.Lock()
        # Set by the first call that could run in the process: `_keep` starts it then.
        self._wanted = threading.Event()
        # The caches' counts the process reported last, and those of processes lost before
        # it, by tenant and cache (read by the metrics' thread: each is replaced whole).
        self._uses: dict[str, dict[str, tuple[int, int]]] = {}
        self._uses_before: dict[str, dict[str, tuple[int, int]]] = {}

    @classmethod
    def beside(cls, apps: dict, build: Callable) -> "Apart | None":
        """The process for the tenants' applications when every one is on SQLite and the
        settings (the default tenant's) ask for it; None on PostgreSQL, where these calls run
        in the worker threads (each statement a round trip, which a process taking one call
        at a time would wait for in turn), and on one core, where it would only add the
        pipe's cost."""
        if not next(iter(apps.values())).settings.leads_apart or len(os.sched_getaffinity(0)) < 2:
            return None
        if any(is_url(app.store.path) for app in apps.values()):
            return None
        return cls(apps, build)

    def start(self, loop: asyncio.AbstractEventLoop, stopping: threading.Event) -> threading.Thread:
        """Starts the process at the first call that asks for it (`taking`), and again
        whenever it is lost, until `stopping` is set."""
        self._loop = loop
        thread = threading.Thread(target=self._keep, args=(stopping,), name="apart", daemon=True)
        thread.start()
        return thread

    @property
    def waiting(self) -> int:
        """The calls sent to the process and not answered yet (metrics.py)."""
        return len(self._waiting)

    def cache_counts(self, tenant: str) -> dict[str, tuple[int, int]]:
        """The hits and misses of `tenant`'s caches in the processes apart since the server
        started, by cache (metrics.py adds them to the server's own)."""
        now, before = self._uses.get(tenant, {}), self._uses_before.get(tenant, {})
        return {name: (now.get(name, (0, 0))[0] + before.get(name, (0, 0))[0],
                       now.get(name, (0, 0))[1] + before.get(name, (0, 0))[1]) for name in {*now, *before}}

    def taking(self) -> bool:
        """Whether the process takes calls now. The first time it is asked, the process is
        started: the call that asked runs on the loop, as those do until it is ready."""
        if not self.ready:
            self._wanted.set()
        return self.ready

    async def call(self, tenant: str, method: str, raw: bytes, context) -> bytes:
        """The answer's bytes of `method` on `raw` for `tenant`, made in the process; raises
        CallEnded with the servicer's status (UNAVAILABLE for a call lost with the process
        that may not run again), or Lost."""
        try:
            kind, value = await self._sent(tenant, method, raw, Relayed.of(context))
        except Lost:
            self.run_here += 1
            raise
        if kind == _LOST and method not in RERUN:
            self.lost += 1
            raise CallEnded(grpc.StatusCode.UNAVAILABLE, f"{value} with this call, which may have been made: try again")
        if kind in (_RUN_HERE, _LOST):
            self.run_here += 1
            raise Lost(value)
        self.answered += 1
        if kind == _ANSWER:
            return value
        if kind == _STATUS:
            code, details, trailers = value
            raise CallEnded(grpc.StatusCode[code], details, trailers)
        raise RuntimeError(f"{method} failed in the process apart: {value}")

    def _sent(self, tenant: str, method: str, raw: bytes, relayed: Relayed) -> asyncio.Future:
        if len(self._waiting) >= MOST_WAITING or self._unanswered + len(raw) > MOST_UNANSWERED_BYTES:
            raise Lost("the process has enough to do")
        runtime = self.apps[tenant].runtime.recent()
        number = next(self._numbers)
        answer = self._loop.create_future()
        try:
            self._frames.write((number, tenant, method, raw, relayed, logs.REQUEST_ID.get(), runtime.network_stamp,
                                _packs_of(runtime)))
        except OSError as e:
            raise Lost(f"the process apart cannot be reached: {e}") from None
        self._waiting[number] = answer, len(raw)
        self._unanswered += len(raw)
        return answer

    def remember(self, pairs: list[Pair], kms: list[float]) -> None:
        """Distances computed ahead (operations.py), for the process too: now, and whenever
        it starts again."""
        with self._lock:
            self._distances = (pairs, kms)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._send_distances)

    def _send_distances(self) -> None:
        if self.ready:
            try:
                self._frames.write(("distances", *self._distances))
            except OSError:
                pass  # lost: started again, it gets them then

    def _keep(self, stopping: threading.Event) -> None:
        while not self._wanted.wait(0.2):
            if stopping.is_set():
                return
        pause = 1.0
        while not stopping.is_set():
            ours, theirs = multiprocessing.Pipe()
            process = multiprocessing.get_context("spawn").Process(
                target=serve_apart, args=(self._build, {tenant: app.settings for tenant, app in self.apps.items()},
                                          clock.offset(), theirs), name="cocontroller-apart", daemon=True)
            process.start()
            self.pid = process.pid
            theirs.close()
            try:
                if _ready(ours, process, stopping):
                    with self._lock:
                        if self._distances is not None:
                            _Frames(ours.fileno()).write(("distances", *self._distances))
                    self._loop.call_soon_threadsafe(self._attach, ours)
                    log.info("the CRM's writes run in process %d beside the event loop", process.pid)
                    started = time.monotonic()
                    while process.is_alive() and not stopping.wait(0.5):
                        pass
                    # One that served a while was lost by chance: started again soon.
                    if time.monotonic() - started > _RESTART_MOST_S:
                        pause = 1.0
            finally:
                if not stopping.is_set():
                    log.error("the process apart stopped (exit code %s): its calls run on the event loop until it is"
                              " started again", process.exitcode)
                # Its pipe closed, the process ends after the call it is making.
                self._loop.call_soon_threadsafe(self._detach, ours)
                process.join(_ENDS_S)
                if process.is_alive():
                    process.kill()
                    process.join(_ENDS_S)
                self.pid = None
            stopping.wait(pause)
            pause = min(pause * 2, _RESTART_MOST_S)

    def _attach(self, conn: Connection) -> None:
        self._frames = _Frames(conn.fileno())
        self._loop.add_reader(conn.fileno(), self._answered)
        self.ready = True

    def _detach(self, conn: Connection) -> None:
        if self._frames is not None and self._frames.fd == conn.fileno():
            self.ready = False
            self._loop.remove_reader(conn.fileno())
            self._frames = None
            for answer, _ in self._waiting.values():
                if not answer.done():
                    answer.set_result((_LOST, "the process apart stopped"))
            self._waiting.clear()
            self._unanswered = 0
            self._uses_before = {tenant: self.cache_counts(tenant) for tenant in {*self._uses, *self._uses_before}}
            self._uses = {}
        conn.close()

    def _answered(self) -> None:
        try:
            messages = self._frames.read()
        except (EOFError, OSError):
            self._loop.remove_reader(self._frames.fd)  # lost: `_keep` detaches it
            return
        for message in messages:
            if message[0] == "uses":
                self._uses = message[1]
                continue
            number, kind, value = message
            answer, size = self._waiting.pop(number)
            self._unanswered -= size
            if not answer.done():
                answer.set_result((kind, value))


class _Frames:
    """Pickled messages on a pipe, each after its length. A read takes every message that
    has arrived whole, in one system call where they fit."""

    def __init__(self, fd: int):
        self.fd = fd
        self._buffer = bytearray()

    def write(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_LENGTH.pack(len(data)) + data)
        while view:
            view = view[os.write(self.fd, view):]

    def read(self) -> list:
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            raise EOFError("the pipe is closed")
        buffer = self._buffer
        buffer += chunk
        messages, at = [], 0
        while len(buffer) - at >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(buffer, at)
            if len(buffer) - at - _LENGTH.size < size:
                break
            at += _LENGTH.size
            messages.append(pickle.loads(buffer[at:at + size]))
            at += size
        del buffer[:at]
        return messages


def _packs_of(runtime) -> tuple[str, str]:
    return runtime.assignment.pack.content_hash, runtime.privacy.pack.content_hash


def _ready(conn: Connection, process, stopping: threading.Event) -> bool:
    """Waits for the process to say it is ready; False if it ended first or the server
    stops."""
    while not stopping.is_set():
        if conn.poll(0.2):
            try:
                return _Frames(conn.fileno()).read() == ["ready"]
            except (EOFError, OSError):
                return False
        if not process.is_alive():
            return False
    return False


def serve_apart(build: Callable, settings: dict[str, Settings], offset: dt.timedelta, conn: Connection) -> None:
    """The process apart: the applications `build` makes of the tenants' `settings` (the
    server's own) and their assignment servicers, taking the calls from the pipe until the
    server closes it. Its clock reads as the server's (`offset`: a rehearsal's). The
    signals a terminal or a service manager sends the whole process group are the server's
    to act on: this process ignores them and ends when the server closes its pipe."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    from google.protobuf import message_factory

    from ..v1 import assignment_pb2 as pb
    from .access import DealerScope
    from .assignment import DealerAssignmentServicer

    logs.configure(next(iter(settings.values())).log_format)
    clock.set_offset(offset)
    apps = {tenant: build(each) for tenant, each in settings.items()}
    stop = threading.Event()
    for app in apps.values():
        app.store.checkpoint_apart(stop)
    servicers = {tenant: DealerAssignmentServicer(app.assignment, app.customers, app.facts, app.network, app.leads,
                                                  DealerScope(app.assignment.assigned_dealer))
                 for tenant, app in apps.items()}
    service = pb.DESCRIPTOR.services_by_name["DealerAssignmentService"]
    requests = {name: message_factory.GetMessageClass(service.methods_by_name[name].input_type) for name in METHODS}
    frames = _Frames(conn.fileno())
    uses = _Uses(apps)
    heap.settle()
    frames.write("ready")
    try:
        _serve_calls(frames, apps, servicers, requests, uses)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed its end: it stopped, or gave up on this process
    finally:
        stop.set()


def _serve_calls(frames: _Frames, apps: dict, servicers: dict, requests: dict, uses: "_Uses") -> None:
    """Takes the calls from the pipe one at a time and answers each, until the server closes
    it."""
    from ..domain.geo import remember_ahead

    followed: dict = {}
    while True:
        if uses.owed and not select.select([frames.fd], [], [], _USES_QUIET_S)[0]:
            uses.send(frames)
        try:
            messages = frames.read()
        except EOFError:
            return
        for message in messages:
            if message[0] == "distances":
                remember_ahead(message[1], message[2])
                continue
            number, tenant, method, raw, relayed, request_id, stamp, packs = message
            frames.write((number, *_one(apps[tenant], servicers[tenant], method, requests[method], raw,
                                        relayed, request_id, tenant, followed, stamp, packs)))
            uses.handled(frames)


class _Uses:
    """The process's caches' counts, sent to the server once a `_USES_EVERY_S` while calls
    keep coming and `_USES_QUIET_S` after the last: a busy pipe carries them seldom."""

    def __init__(self, apps: dict):
        self.apps = apps
        # Calls were answered since the counts were last sent.
        self.owed = False
        self._sent_at = 0.0

    def handled(self, frames: _Frames) -> None:
        self.owed = True
        if time.monotonic() - self._sent_at >= _USES_EVERY_S:
            self.send(frames)

    def send(self, frames: _Frames) -> None:
        frames.write(("uses", {tenant: {name: (use.hits, use.misses) for name, use in app.cache_uses().items()}
                               for tenant, app in self.apps.items()}))
        self.owed, self._sent_at = False, time.monotonic()


def _one(app, servicer, method: str, request_class, raw: bytes, relayed: Relayed, request_id: str, tenant: str,
         followed: dict, stamp, packs):
    """One call, on the network and packs the loop's runtime held when it sent it. Each new
    state of the loop's is followed once (`followed`, by tenant): the store only moves on, so
    a network read since is at least as new, and packs that could not be made the same
    (their files changed again, or fail) are not compiled again for every call."""
    logs.REQUEST_ID.set(request_id)
    logs.TENANT.set(tenant)
    runtime = app.runtime.recent()
    if followed.get(tenant) != (stamp, packs):
        if runtime.network_stamp != stamp:
            runtime = app.runtime.refresh_network()
        if _packs_of(runtime) != packs:
            app.packs.reload_heard()
        followed[tenant] = (stamp, packs)
    if _packs_of(app.runtime.current) != packs:
        return _RUN_HERE, "the process apart serves other rule packs than the event loop"
    try:
        answer = getattr(servicer, method)(request_class.FromString(raw), relayed)
        return _ANSWER, answer if isinstance(answer, bytes) else answer.SerializeToString()
    except CallEnded as e:
        return _STATUS, (e.code.name, e.details, tuple(e.trailing_metadata))
    except Exception:
        log.exception("%s failed in the process apart", method)
        return _FAILED, traceback.format_exc(limit=3)
