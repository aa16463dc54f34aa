"""`cocontroller`: the command line for call-centre staff, scripts, agents and operators.

`cli` is the click group; `run()` the console script; `main(argv)` runs the group in-process
and returns the exit code instead of exiting (the tests use it).

Start-up stays light: this package imports click, the standard library and the stdlib-only
`cocontroller.model`, `cocontroller.errors` and `cocontroller.config`. grpc, the generated
code and tqdm load inside the commands that use them; server code only through
`importlib.import_module("cocontroller.admin")` in the operator commands (see admin.py).
"""

from __future__ import annotations

import os
import signal
import sys

import click

from . import admin, customers, network, retention
from .exits import Interrupted, exit_codes_help, print_report, report_for
from .options import State, group_options

__all__ = ["cli", "main", "run"]

HELP = f"""Dealer assignment and controller resolution for the brand's Belgian dealer network.

Who is a customer's joint controller (the dealer it bought from, preferred, had contact
with, or the nearest), why, since when, and what the controllers do with the data. Every
command but serve, init, demo-data, rules check|test, arrangement, ropa export, reassign --local
and retention sweep --local talks to a running server (--target). With --json a command prints
one JSON object on stdout; errors
go to stderr, as one JSON object with --json, and stdout stays empty.

\b
Examples:
  cocontroller lookup --postcode 9000
  cocontroller --json lookup --customer crm-000123 | jq -r .dealer_id
  cocontroller customer upsert --id crm-000123 --postcode 9000 --lang nl
  COCONTROLLER_TARGET=cc.internal:50051 cocontroller dealers --active-only
  eval "$(cocontroller completion bash)"

{exit_codes_help()}
"""

CONTEXT_SETTINGS = {"show_default": True, "help_option_names": ["-h", "--help"], "max_content_width": 100}


class RootGroup(click.Group):
    """Turns Ctrl-C into `Interrupted` before click makes it "Aborted!" with a blank line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None


def _version(ctx: click.Context, param, value) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        text = version("cocontroller")
    except PackageNotFoundError:
        text = "unknown (not installed)"
    click.echo(f"cocontroller {text}")
    ctx.exit(0)


@click.group(cls=RootGroup, help=HELP, context_settings=CONTEXT_SETTINGS)
@group_options
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Print the installed version and exit.")
def cli() -> None:
    pass


for _command in (*customers.COMMANDS, *network.COMMANDS, *retention.COMMANDS, *admin.COMMANDS):
    cli.add_command(_command)


@cli.command()
@click.argument("shell", required=False, type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell):
    """Print the shell completion script for SHELL (default: the one in $SHELL).

    Completes commands, options and their choices. Load it in your shell's start-up file.

    \b
    Examples:
      eval "$(cocontroller completion bash)"            # in ~/.bashrc
      eval "$(cocontroller completion zsh)"             # in ~/.zshrc
      cocontroller completion fish > ~/.config/fish/completions/cocontroller.fish
    """
    from click.shell_completion import get_completion_class

    shell = shell or os.path.basename(os.environ.get("SHELL", "")) or "bash"
    completer = get_completion_class(shell)
    if completer is None:
        raise click.UsageError(f"no completion for the shell {shell!r}: choose bash, zsh or fish")
    click.echo(completer(cli, {}, "cocontroller", "_COCONTROLLER_COMPLETE").source())


def _json_requested(args: list[str]) -> bool:
    """--json on the command line, for errors found before its option was read."""
    head = args[: args.index("--")] if "--" in args else args
    return "--json" in head


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI on `argv` (default sys.argv[1:]) and returns the exit code; an expected
    failure is reported on stderr, never as a traceback."""
    args = [str(a) for a in (sys.argv[1:] if argv is None else argv)]
    state = State()
    try:
        rv = cli.main(args=args, prog_name="cocontroller", standalone_mode=False, obj=state)
    except Exception as e:
        report = report_for(e)
        if report is None:
            raise
        print_report(report, state.json or _json_requested(args))
        return int(report.exit_code)
    except KeyboardInterrupt as e:
        report = report_for(e)
        print_report(report, False)
        return int(report.exit_code)
    return rv if isinstance(rv, int) else 0


def run() -> None:
    """The console script. Piped into `head`, it stops quietly like any Unix tool."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
