"""Options shared by the commands, as decorators (as sqlite-utils does with
`output_options`), the value types they parse, and the state they fill in.

`--target` and `--json` exist on the group and on every command, so that both
`cocontroller --json lookup ...` and `cocontroller lookup ... --json --target h:p` work; the
command's own value wins. Their callbacks write into one `State` per invocation rather than
into each command's arguments.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from cocontroller.config import ENV_PREFIX, Settings

BRUSSELS = ZoneInfo("Europe/Brussels")
DEFAULT_TARGET = Settings().target
DEFAULT_TENANT = Settings().tenant
DEFAULT_TIMEOUT = 10.0


@dataclass
class State:
    """What the group and command options decided, for the commands and the error report."""

    target: str = DEFAULT_TARGET
    # The tenant every call names, and whose database a server-side command opens.
    tenant: str = DEFAULT_TENANT
    json: bool = False
    timeout: float = DEFAULT_TIMEOUT
    # --identity, --ca, --cert, --key, --certs-dir as given: Settings fields (mTLS)
    tls: dict = field(default_factory=dict)

    def client(self, ctx: click.Context | None = None):
        """A `Client` for the target, closed when the command ends. grpc and the generated
        code load here, not at start-up."""
        from ..client import Client
        from ..tls import channel_credentials

        ctx = ctx or click.get_current_context()
        try:
            settings = Settings.from_env().with_flags(**self.tls)
        except ValueError as e:
            raise click.UsageError(str(e)) from None
        return ctx.with_resource(Client(self.target, timeout=self.timeout,
                                        credentials=channel_credentials(settings), tenant=self.tenant))


def state(ctx: click.Context | None = None) -> State:
    ctx = ctx or click.get_current_context()
    return ctx.ensure_object(State)


class Option(click.Option):
    """A click option whose help always shows its default: a string `show_default` as
    written (not in parentheses), and "off" for an on/off flag."""

    def get_help_extra(self, ctx: click.Context):
        extra = super().get_help_extra(ctx)
        if isinstance(self.show_default, str):
            extra["default"] = self.show_default
        elif self.is_flag and not self.required and "default" not in extra:
            extra["default"] = "off"
        return extra


option = functools.partial(click.option, cls=Option)


# -- value types ---------------------------------------------------------------------------


class DayType(click.ParamType):
    """A calendar day, YYYY-MM-DD (a day in Brussels)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a YYYY-MM-DD date", param, ctx)


class InstantType(click.ParamType):
    """An ISO 8601 date-time; without an offset it is Brussels time, a bare date its
    midnight in Brussels. Converted to UTC."""

    name = "DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time (e.g. 2025-03-01T10:00)", param, ctx)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=BRUSSELS)
        return parsed.astimezone(dt.timezone.utc)


class KnownOnType(InstantType):
    """When the answer was given: a date-time, or a bare date for the end of that day in
    Brussels (everything recorded that day counts)."""

    name = "DATE|DATETIME"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if len(text) == 10 and not isinstance(value, dt.datetime):
            day = DayType().convert(text, param, ctx)
            start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BRUSSELS)
            return (start - dt.timedelta(microseconds=1)).astimezone(dt.timezone.utc)
        return super().convert(value, param, ctx)


class CommaList(click.ParamType):
    """Comma-separated values, optionally each one of `choices`; a tuple."""

    name = "LIST"

    def __init__(self, choices: Iterable[str] | None = None):
        self.choices = tuple(str(c) for c in choices) if choices is not None else None
        if self.choices:
            self.name = ",".join(self.choices)

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        items = tuple(item.strip() for item in str(value).split(",") if item.strip())
        if self.choices is not None:
            wrong = [item for item in items if item not in self.choices]
            if wrong:
                self.fail(f"{', '.join(map(repr, wrong))}: choose from {', '.join(self.choices)}",
                          param, ctx)
        return items

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        if not self.choices:
            return []
        done, _, last = incomplete.rpartition(",")
        prefix = done + "," if done else ""
        taken = set(done.split(","))
        return [CompletionItem(prefix + c) for c in self.choices if c.startswith(last) and c not in taken]


DAY = DayType()
INSTANT = InstantType()
KNOWN_ON = KnownOnType()


def known_on_option(f):
    """--known-on: the answer as the service gave it then, from what it had recorded by
    then (a later correction, a fact imported later, does not count)."""
    return option("--known-on", type=KNOWN_ON, show_default="now",
                  help="Answer from what was recorded by this date (end of day) or date-time.")(f)


def choice(values: Iterable[str]) -> click.Choice:
    """A choice among a model vocabulary's words (its StrEnum values)."""
    return click.Choice([str(v) for v in values])


# -- shared options --------------------------------------------------------------------------


def _set_target(ctx, param, value):
    if value is not None:
        state(ctx).target = value


def _set_tenant(ctx, param, value):
    if value is not None:
        state(ctx).tenant = value


def _set_json(ctx, param, value):
    if value:
        state(ctx).json = True


def _set_timeout(ctx, param, value):
    if value is not None:
        state(ctx).timeout = value


def _set_tls(ctx, param, value):
    if value is not None:
        state(ctx).tls[param.name] = Path(value) if param.name != "identity" else value


def group_options(f):
    """--target, --tenant, --json, --timeout and the mTLS options on the group, before the
    command name."""
    for name, metavar, default, text in reversed((
        ("identity", "NAME", Settings.identity,
         "The development certificate to call as: a role (admin, crm, callcentre, batch, dpo) "
         "or dealer-<dealer id>, in --certs-dir."),
        ("certs-dir", "DIR", str(Settings.certs_dir), "Where `cocontroller init` put the development certificates."),
        ("ca", "FILE", "ca.pem in --certs-dir", "The CA certificate that signs the server's."),
        ("cert", "FILE", "<identity>.pem in --certs-dir", "The client certificate (its identity names the role)."),
        ("key", "FILE", "<identity>-key.pem in --certs-dir", "The client certificate's key."),
    )):
        f = option("--" + name, name.replace("-", "_"), default=None, metavar=metavar,
                   envvar=ENV_PREFIX + name.replace("-", "_").upper(), show_envvar=True, show_default=default,
                   expose_value=False, callback=_set_tls, is_eager=True, help=text)(f)
    f = option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
               envvar=ENV_PREFIX + "TIMEOUT", show_envvar=True, metavar="SECONDS",
               expose_value=False, callback=_set_timeout, is_eager=True,
               help="Give up on a server call after this many seconds (exit code 6).")(f)
    f = option("--json", "json_", is_flag=True, expose_value=False, callback=_set_json, is_eager=True,
               help="Print one JSON object on stdout, and errors as a JSON object on stderr.")(f)
    f = option("--tenant", default=DEFAULT_TENANT, envvar=ENV_PREFIX + "TENANT", show_envvar=True, metavar="ID",
               expose_value=False, callback=_set_tenant, is_eager=True,
               help="The tenant (brand and country, e.g. lexus-be, toyota-be) every call is for; the "
                    "server-side commands open its database and packs.")(f)
    f = option("--target", default=DEFAULT_TARGET, envvar=ENV_PREFIX + "TARGET", show_envvar=True,
               metavar="HOST:PORT", expose_value=False, callback=_set_target, is_eager=True,
               help="The server the commands talk to.")(f)
    return f


def json_option(f):
    return option("--json", "json_", is_flag=True, expose_value=False, callback=_set_json,
                  help="Print one JSON object on stdout (errors: a JSON object on stderr).")(f)


def target_option(f):
    return option("--target", default=None, metavar="HOST:PORT", expose_value=False,
                  callback=_set_target, show_default="the group's --target, $COCONTROLLER_TARGET or "
                  + DEFAULT_TARGET, help="The server to talk to.")(f)


def client_options(f):
    """--target and --json on a command that talks to a server."""
    return target_option(json_option(f))


def quiet_option(f):
    return option("--quiet", is_flag=True, help="No progress bar on stderr.")(f)
