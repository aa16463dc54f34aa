"""One writer at a time on a SQLite file, across threads and processes, woken as soon as the
writer before it commits.

SQLite lets one connection write at a time and makes the others sleep and try again (its
busy handler: 1, 2, 5, 10 ms and more between tries), whatever the writer's transaction
takes. The server's leads are written in a process of their own (api/apart.py) beside its
other writes, so a lead that met another write slept a millisecond and more for a
transaction of half of one. Writers here queue on a lock instead: a thread lock among the
threads of one process, then an advisory lock (`flock`) on a file beside the database
among its processes. The waiting writer tries again after 0.1 ms, doubling to 2 ms.

A process that dies holding the file's lock loses it with its descriptors. Writers that do
not take it (another program on the file) still meet SQLite's own handler.
"""

import fcntl
import logging
import os
import sqlite3
import threading
import time

log = logging.getLogger(__name__)

# The first pause of a writer waiting for another process's, and the longest (seconds).
_FIRST_PAUSE_S = 0.0001
_LONGEST_PAUSE_S = 0.002


class WriterLock:
    """The write lock of the database at `path` (None: in memory, one process)."""

    def __init__(self, path: str | None):
        self._threads = threading.Lock()
        self._path = f"{path}-writer" if path else None
        self._fd: int | None = None

    def locked(self) -> bool:
        """Whether a thread of this process holds it."""
        return self._threads.locked()

    def acquire(self, blocking: bool = True, timeout_s: float = 30.0) -> bool:
        """Takes the lock; without `blocking`, False at once if another thread or process
        holds it. Waiting for another process gives up after `timeout_s` with SQLite's own
        "database is locked", as its busy timeout would."""
        if not self._threads.acquire(blocking=blocking):
            return False
        try:
            fd = self._file()
            if fd is None or _took(fd):
                return True
            if not blocking:
                self._threads.release()
                return False
            deadline, pause = time.monotonic() + timeout_s, _FIRST_PAUSE_S
            while True:
                time.sleep(pause)
                if _took(fd):
                    return True
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError(f"database is locked: another process held {self._path}"
                                                   f" for {timeout_s:.0f} s")
                pause = min(2 * pause, _LONGEST_PAUSE_S)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _file(self) -> int | None:
        """The lock file's descriptor, opened at the first write (held by this thread's lock
        here). None where it cannot be made (a read-only directory): writers then meet in
        SQLite's handler alone."""
        if self._fd is None and self._path is not None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as e:
                log.warning("cannot open the write lock %s (%s): writers wait in SQLite's busy handler",
                            self._path, e.strerror)
                self._path = None
        return self._fd


def _took(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
