"""Exit codes and error reports, in one place.

Scripts and agents branch on the exit code, so each kind of failure has its own, and the
group's --help lists them (`EXIT_CODES_HELP`). Every expected failure ends here as one
report on stderr: `cocontroller: CODE: message` and one indented line per field violation,
or with --json the object `{"error": {"code", "message", "field_violations"}}`; stdout stays
empty either way. Only a bug shows a traceback.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from enum import IntEnum

import click

from cocontroller import errors as domain

from ..errors import ClientError


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    INVALID_ARGUMENT = 3
    NOT_FOUND = 4
    CONFLICT = 5
    UNAVAILABLE = 6
    RESOURCE_EXHAUSTED = 7
    DENIED = 8
    INTERRUPTED = 130


# What each exit code means, for the group's --help.
MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.FAILURE: "any other failure, including failed `rules check` or `rules test`",
    ExitCode.USAGE: "usage error: an unknown option, a missing or malformed value",
    ExitCode.INVALID_ARGUMENT: "the server (or a local command) refused the input (INVALID_ARGUMENT)",
    ExitCode.NOT_FOUND: "no such customer, dealer, postcode, job ... (NOT_FOUND)",
    ExitCode.CONFLICT: "refused in the current state (FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED)",
    ExitCode.UNAVAILABLE: "no server at the target, no answer in time, or a job stopped by the server's "
                          "shutdown (UNAVAILABLE, DEADLINE_EXCEEDED)",
    ExitCode.RESOURCE_EXHAUSTED: "the server is busy, e.g. another job runs (RESOURCE_EXHAUSTED)",
    ExitCode.DENIED: "the certificate names no role, or its role may not do this "
                     "(UNAUTHENTICATED, PERMISSION_DENIED)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}

# gRPC status names, and the codes given to the CLI's own failures, to exit codes.
BY_STATUS = {
    "INVALID_ARGUMENT": ExitCode.INVALID_ARGUMENT,
    "OUT_OF_RANGE": ExitCode.INVALID_ARGUMENT,
    "NOT_FOUND": ExitCode.NOT_FOUND,
    "FAILED_PRECONDITION": ExitCode.CONFLICT,
    "ALREADY_EXISTS": ExitCode.CONFLICT,
    "ABORTED": ExitCode.CONFLICT,
    "UNAVAILABLE": ExitCode.UNAVAILABLE,
    "DEADLINE_EXCEEDED": ExitCode.UNAVAILABLE,
    "RESOURCE_EXHAUSTED": ExitCode.RESOURCE_EXHAUSTED,
    "UNAUTHENTICATED": ExitCode.DENIED,
    "PERMISSION_DENIED": ExitCode.DENIED,
    "USAGE": ExitCode.USAGE,
    "CANCELLED": ExitCode.INTERRUPTED,
    "INTERRUPTED": ExitCode.INTERRUPTED,
}

# The local (server-side) commands raise the domain errors; each has the status the gRPC
# layer gives it, so a script sees the same code with or without --local.
DOMAIN_STATUS = (
    (domain.InvalidArgument, "INVALID_ARGUMENT"),
    (domain.NotFound, "NOT_FOUND"),
    (domain.AlreadyExists, "ALREADY_EXISTS"),
    (domain.FailedPrecondition, "FAILED_PRECONDITION"),
    (domain.RulePackError, "RULE_PACK_ERROR"),
)


def exit_code_for(code: str) -> ExitCode:
    return BY_STATUS.get(code, ExitCode.FAILURE)


def exit_codes_help() -> str:
    """The table for the group's --help (a \\b paragraph: click keeps its lines)."""
    lines = ["\b", "Exit codes:"]
    lines += [f"  {int(code):>3}  {meaning}" for code, meaning in MEANINGS.items()]
    return "\n".join(lines)


class Interrupted(Exception):
    """Ctrl-C, caught inside click so that click neither prints its blank line nor 'Aborted!'."""


@dataclass
class Failure(Exception):
    """An expected failure of the CLI itself: `code` names it in the JSON report."""

    message: str
    code: str = "FAILED"
    violations: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Report:
    code: str
    message: str
    violations: tuple[tuple[str, str], ...] = ()
    exit_code: ExitCode = ExitCode.FAILURE
    # Extra lines for people only (click's usage hint).
    hint: str = ""
    # Whether people see the code too: a gRPC status name, not the CLI's own codes.
    status: bool = False

    def as_json(self) -> dict:
        return {"error": {
            "code": self.code,
            "message": self.message,
            "field_violations": [{"field": f, "description": d} for f, d in self.violations],
        }}

    def as_text(self) -> str:
        message = self.message
        joined = "; ".join(f"{f}: {d}" for f, d in self.violations)
        if self.violations and message in ("", joined):
            # The server's message repeats the violations printed below it.
            n = len(self.violations)
            message = f"{n} invalid field{'s' if n > 1 else ''}:"
        head = f"{self.code}: {message}" if self.status else message
        lines = [f"cocontroller: {head}"]
        if self.status:  # the others' message names the field already
            lines += [f"  {f}: {d}" for f, d in self.violations]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def _client_report(e: ClientError) -> Report:
    code = e.code_name
    message = e.message
    if code == "UNAVAILABLE" and not e.answered:
        message = f"no server at {e.target}" + (f" ({e.message})" if e.message and not e.target else "")
    elif code == "DEADLINE_EXCEEDED":
        message = f"no server at {e.target} answered in time"
    elif code == "CANCELLED":
        message = "interrupted"
    return Report(code, message, tuple(e.violations), exit_code_for(code), status=True)


def _usage_report(e: click.ClickException) -> Report:
    violations: tuple[tuple[str, str], ...] = ()
    hint = ""
    param = getattr(e, "param", None)
    if param is not None and getattr(param, "opts", None):
        violations = ((param.opts[0], e.message),)
    ctx = getattr(e, "ctx", None)
    if isinstance(e, click.UsageError) and ctx is not None:
        hint = f"{ctx.get_usage()}\nTry '{ctx.command_path} --help' for help."
    if not isinstance(e, click.UsageError):
        return Report("FAILED", e.format_message(), violations, ExitCode.FAILURE)
    return Report("USAGE", e.format_message(), violations, ExitCode.USAGE, hint)


def report_for(e: BaseException) -> Report | None:
    """The report of an expected failure; None for anything else (a bug: let it raise)."""
    if isinstance(e, (Interrupted, KeyboardInterrupt, click.exceptions.Abort)):
        return Report("INTERRUPTED", "interrupted", (), ExitCode.INTERRUPTED)
    if isinstance(e, ClientError):
        return _client_report(e)
    if isinstance(e, Failure):
        return Report(e.code, e.message, tuple(e.violations), exit_code_for(e.code))
    if isinstance(e, click.ClickException):
        return _usage_report(e)
    for kind, code in DOMAIN_STATUS:
        if isinstance(e, kind):
            if isinstance(e, domain.InvalidArgument):
                return Report(code, str(e), tuple(e.violations), exit_code_for(code), status=True)
            if isinstance(e, domain.RulePackError):
                where = ".".join(x for x in (e.rule_id, e.field) if x)
                return Report(code, str(e), ((where, e.problem),) if where else (), ExitCode.FAILURE)
            return Report(code, str(e), (), exit_code_for(code), status=True)
    if isinstance(e, domain.DomainError):
        return Report("FAILED_PRECONDITION", str(e), (), ExitCode.CONFLICT, status=True)
    if isinstance(e, OSError):
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return Report("OS_ERROR", f"{where}{e.strerror or e}", (), ExitCode.FAILURE)
    return None


def print_report(report: Report, as_json: bool) -> None:
    """On stderr, always: stdout carries only results."""
    if report.code == "INTERRUPTED" or not as_json:
        text = "cocontroller: interrupted" if report.code == "INTERRUPTED" else report.as_text()
    else:
        text = json.dumps(report.as_json(), ensure_ascii=False)
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):  # stderr gone: the exit code still says it
        pass
