"""Log lines as events: a name and typed fields, rendered as one JSON object per line
(`--log-format json`) or as readable text. Standard library only, so every layer may log
events; what a field may hold is the caller's duty: never personal data (customer ids go
through the API layer's keyed hash, postcodes, coordinates and free text not at all)."""

import contextvars
import datetime as dt
import json
import logging

# The attribute of a LogRecord that carries an event's fields (logging's `extra`).
FIELDS = "fields"
# The id of the call being handled (each gRPC call runs in a context of its own), added to
# every JSON line logged while it runs.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields) -> None:
    """Logs the event `name` with its fields (those that are not None); the text form shows
    them as key=value."""
    if logger.isEnabledFor(level):
        fields = {k: v for k, v in fields.items() if v is not None}
        text = " ".join([name, *(f"{k}={v}" for k, v in fields.items())])
        logger.log(level, "%s", text, extra={FIELDS: {"event": name, **fields}})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the event's fields and,
    for an error, its exception's type and traceback text."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        line.update(getattr(record, FIELDS, None) or {})
        if REQUEST_ID.get() and "request_id" not in line:
            line["request_id"] = REQUEST_ID.get()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure(log_format: str) -> None:
    """Every logger of the process at INFO to stderr, as text or JSON lines."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
