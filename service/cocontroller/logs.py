"""Log lines as events: a name and typed fields, rendered as one JSON object per line
(`--log-format json`) or as readable text. Standard library only, so every layer may log
events; what a field may hold is the caller's duty: never personal data (customer ids go
through the API layer's keyed hash, postcodes, coordinates and free text not at all)."""

import collections
import contextvars
import datetime as dt
import json
import logging
import os
import sys
import threading
import time

# The attribute of a LogRecord that carries an event's fields (logging's `extra`).
FIELDS = "fields"
# The id of the call being handled (each gRPC call runs in a context of its own), added to
# every JSON line logged while it runs.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# The tenant whose call or background work (scheduler, sweep, notifications) is running,
# added to every JSON line logged meanwhile.
TENANT: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="")


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields) -> None:
    """Logs the event `name` with its fields (those that are not None); the text form shows
    them as key=value. A server logs one per call: where the process logs as `configure`
    set it up, the line goes straight to its writer (`BatchedLines.event`), the same line
    without the LogRecord and the logging machinery (a quarter of what a call's observing
    cost, measured in the server)."""
    if logger.isEnabledFor(level):
        fields = {k: v for k, v in fields.items() if v is not None}
        text = " ".join([name, *(f"{k}={v}" for k, v in fields.items())])
        fields = {"event": name, **fields}
        writer = _direct_writer(logger)
        if writer is None or not writer.event(logger.name, level, text, fields):
            logger.log(level, "%s", text, extra={FIELDS: fields})


# The writer `configure` installed on the root logger.
_CONFIGURED: "BatchedLines | None" = None


def _direct_writer(logger: logging.Logger) -> "BatchedLines | None":
    """The configured writer, when it is the only place a record of `logger` would go and
    nothing would filter it: no handler or filter on the way up, the writer alone on the
    root (a test or an operator who adds a handler gets the ordinary path)."""
    writer = _CONFIGURED
    if writer is None:
        return None
    root = logging.root
    while logger is not root:
        if logger.handlers or logger.filters or not logger.propagate:
            return None
        logger = logger.parent
    if (root.filters or writer.filters or len(root.handlers) != 1 or root.handlers[0] is not writer
            or not isinstance(writer.formatter, (TextFormatter, JsonFormatter))):
        return None
    return writer


class TextFormatter(logging.Formatter):
    """Time (local, as logging's default), level and message: `line` makes the same line
    from the parts alone. The time's text is kept for the second it names."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self._second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        text = self.line(record.created, record.levelname, record.getMessage())
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text

    def line(self, created: float, levelname: str, message: str, fields: dict | None = None,
             logger_name: str = "") -> str:
        second = int(created)
        kept = self._second
        if kept[0] != second:
            kept = self._second = (second, time.strftime(self.default_time_format, self.converter(second)))
        return f"{kept[1]},{int((created - second) * 1000):03d} {levelname} {message}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the event's fields and,
    for an error, its exception's type and traceback text."""

    def format(self, record: logging.LogRecord) -> str:
        exception = self.formatException(record.exc_info) if record.exc_info else None
        return self.line(record.created, record.levelname, record.getMessage(),
                         getattr(record, FIELDS, None), record.name, exception)

    def line(self, created: float, levelname: str, message: str, fields: dict | None = None,
             logger_name: str = "", exception: str | None = None) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": levelname.lower(), "logger": logger_name, "message": message,
        }
        line.update(fields or {})
        if REQUEST_ID.get() and "request_id" not in line:
            line["request_id"] = REQUEST_ID.get()
        if TENANT.get() and "tenant" not in line:
            line["tenant"] = TENANT.get()
        if exception:
            line["exception"] = exception
        return json.dumps(line, default=str)


class BatchedLines(logging.Handler):
    """Writes formatted lines to a file descriptor in batches, from a thread of its own.

    A server logs a line per call from its event loop and its worker threads. Writing each line at once
    (a StreamHandler) makes a call give up the GIL for its write(2) while holding the
    handler's lock, so the other threads queue for both: a fifth of the lookups a server
    answered (measured on tests/bench/bench_grpc.py's lookup). Here a call only formats its
    line and appends it; the writer thread writes what gathered every `interval_s` in one
    write. A warning or an error is written at once, after the lines before it, so the cause
    of a crash is on disk; a SIGKILL can lose at most `interval_s` of the info lines."""

    def __init__(self, fd: int = 2, interval_s: float = 0.05):
        super().__init__()
        self._fd = fd
        self._interval_s = interval_s
        self._lines: collections.deque[str] = collections.deque()
        self._writing = threading.Lock()
        self._stopped = threading.Event()
        threading.Thread(target=self._run, name="log-writer", daemon=True).start()

    def handle(self, record: logging.LogRecord) -> bool:
        # Without the handler's lock: emit is safe from any thread as it is.
        accepted = self.filter(record)
        if accepted:
            self.emit(record)
        return bool(accepted)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging's own convention: report, never raise
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING:
            self.flush()

    def event(self, logger_name: str, level: int, message: str, fields: dict) -> bool:
        """An event's line, made by the formatter (one of this module's) from its parts as
        `emit` would make it from its record; False if it could not be made, for the caller
        to take logging's ordinary path, which reports the error."""
        try:
            line = self.formatter.line(time.time(), logging.getLevelName(level), message, fields, logger_name)
        except Exception:  # noqa: BLE001 - a log line never fails the call that writes it
            return False
        self._lines.append(line)
        if level >= logging.WARNING:
            self.flush()
        return True

    def flush(self) -> None:
        with self._writing:
            lines = []
            while self._lines:
                lines.append(self._lines.popleft())
            if lines:
                data = memoryview(("\n".join(lines) + "\n").encode("utf-8", "replace"))
                try:
                    while data:
                        data = data[os.write(self._fd, data):]
                except OSError:  # the descriptor is gone (a closed pipe): nothing can be told
                    pass

    def close(self) -> None:
        self._stopped.set()
        self.flush()
        super().close()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            self.flush()


def configure(log_format: str) -> None:
    """Every logger of the process at INFO to stderr, as text or JSON lines, written in
    batches (`BatchedLines`); logging's shutdown at exit writes the last ones.

    A server logs a line per call, so the records skip what neither format shows: the
    caller's source line (a walk up the stack), the thread and the process (the optimisations
    of the logging HOWTO)."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    global _CONFIGURED
    handler = BatchedLines(sys.stderr.fileno())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    _CONFIGURED = handler
