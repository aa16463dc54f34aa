"""Help fit for people and agents: every command explains itself with examples, every
option shows its default; --version; shell completion."""

import os
import subprocess
import sys
from importlib.metadata import version

import click
import pytest

from cocontroller.model import (
    LABEL_LANGUAGES, Channel, ConsentSource, ContactKind, ContractKind, CustomerKind, DealerRole, Language,
    RectifiableKind,
)
from cocontroller_client.cli import cli as group


def all_commands(command=group, path=()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from all_commands(sub, (*path, name))


COMMANDS = list(all_commands())


def test_version(cli):
    code, out, err = cli("--version")
    assert (code, err) == (0, "")
    assert out == f"cocontroller {version('cocontroller')}\n"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "cocontroller")
def test_help_shows_examples_and_defaults(cli, path):
    code, out, err = cli(*path, "--help")
    assert (code, err) == (0, "")
    assert "Examples:" in out and "  cocontroller " in out.split("Examples:")[1]
    command = dict(COMMANDS)[path]
    with click.Context(command, info_name="cocontroller", show_default=True) as ctx:
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("help", "version"):
                _, text = param.get_help_record(ctx)
                assert "[default: " in text or "required]" in text or "; default: " in text, (path, param.name, text)


def test_documented_spellings_still_parse(cli, monkeypatch):
    """The README's commands and flags, with --target and --json after the command name,
    parse and reach their command (whose body is replaced by a recorder here)."""
    called = []
    for path, command in COMMANDS:
        if command.callback is not None:
            monkeypatch.setattr(command, "callback", lambda *a, _path=path, **kw: called.append((_path, kw)))
    for argv in (
        ["lookup", "--postcode", "9000", "--json", "--target", "h:1"],
        ["customer", "upsert", "--id", "x", "--postcode", "9000", "--lang", "nl", "--target", "h:1", "--json"],
        ["customer", "show", "--id", "x", "--json", "--target", "h:1"],
        ["dealers", "--as-of", "2025-01-01", "--active-only", "--json", "--target", "h:1"],
        ["dealers", "close", "--id", "d", "--effective", "2026-12-01", "--target", "h:1", "--json"],
        ["dealers", "add", "--id", "d", "--effective", "2026-12-01", "--legal-name", "L", "--enterprise-number", "E",
         "--street", "S", "--postcode", "9000", "--town", "T", "--languages", "nl,fr", "--roles", "sales"],
        ["dealers", "update", "--id", "d", "--effective", "2026-12-01", "--roles", "service"],
        ["dealer", "--id", "d", "--as-of", "2025-01-01"], ["postcode", "--postcode", "9000"],
        ["assign", "--customer", "c"], ["history", "--customer", "c"], ["history", "--job", "j"],
        ["reassign", "--job-id", "j", "--postcodes", "9000,9050", "--dealers", "d", "--dry-run", "--out", "x.csv",
         "--batch-size", "10", "--local", "--db", "x.db", "--at", "2025-01-01T10:00", "--workers", "2", "--quiet"],
        ["notices", "--pending", "--job", "j", "--export", "n.csv", "--mark-exported", "--json", "--target", "h:1"],
        ["rules", "check", "--dir", "rules", "--json"], ["rules", "test", "--dir", "rules"],
        ["rules", "list", "--target", "h:1"], ["rules", "reload", "--json"],
        ["demo-data", "--customers", "10", "--seed", "1", "--db", "x.db"],
        ["serve", "--port", "1", "--host", "h", "--db", "x.db"],
        ["init", "--demo", "--db", "x.db"],
        ["record-contact", "--customer", "c", "--dealer", "d", "--kind", "purchase", "--at", "2025-03-01T10:00",
         "--event-id", "e"],
        ["prefer", "--customer", "c", "--dealer", "d"], ["unprefer", "--customer", "c"],
        ["consent", "--customer", "c", "--channel", "email", "--given", "2025-03-01T10:00", "--wording", "v3",
         "--source", "web_form", "--proof", "form-1"],
        ["consent", "--customer", "c", "--channel", "all", "--withdrawn", "2025-09-01T10:00"],
        ["object", "--customer", "c", "--purpose", "direct_marketing", "--at", "2025-09-01T10:00"],
        ["contract", "--id", "l", "--customer", "c", "--kind", "lease", "--partner", "P", "--start", "2025-03-01",
         "--end", "2029-02-28"],
        ["dispute", "--customer", "c", "--open", "2024-02-10T09:00", "--subject", "paint defect"],
        ["resolve", "--customer", "c", "--lang", "en", "--as-of", "2025-01-01"],
        ["arrangement", "--lang", "de", "--as-of", "2021-01-01", "--dir", "rules", "--json"],
        ["ropa", "export", "--format", "fides", "--as-of", "2021-01-01", "--lang", "en", "--out", "r.yml",
         "--rules-dir", "rules", "--json"],
        ["customer", "export", "--customer", "c", "--lang", "fr", "--target", "h:1", "--json"],
        ["customer", "retract", "--customer", "c", "--kind", "contact", "--id", "dms-889", "--reason", "not theirs",
         "--target", "h:1", "--json"],
        ["customer", "correct", "consent", "--customer", "c", "--id", "12", "--given", "2025-03-02T10:00",
         "--reason", "a day later"],
        ["customer", "correct", "contact", "--customer", "c", "--id", "dms-889", "--dealer", "d", "--reason", "r"],
        ["customer", "correct", "contract", "--customer", "c", "--id", "l", "--open-ended", "--reason", "r"],
        ["customer", "correct", "dispute", "--customer", "c", "--id", "4", "--still-open", "--reason", "r"],
    ):
        called.clear()
        code, out, err = cli(*argv)
        assert (code, err) == (0, ""), argv
        leaf = tuple(a for a in argv if not a.startswith("-"))[: len(called[-1][0])]
        assert called[-1][0] == leaf, (argv, called)


def _choices(path, option):
    command = dict(COMMANDS)[path]
    param = next(p for p in command.params if p.name == option)
    return tuple(getattr(param.type, "choices", ()))


def test_choices_come_from_the_model():
    assert _choices(("record-contact",), "kind") == tuple(ContactKind)
    assert _choices(("customer", "upsert"), "lang") == tuple(Language)
    assert _choices(("customer", "upsert"), "kind") == tuple(CustomerKind)
    assert _choices(("consent",), "channel") == (*Channel, "all")
    assert _choices(("consent",), "source") == tuple(ConsentSource)
    assert _choices(("contract",), "kind") == tuple(ContractKind)
    assert _choices(("resolve",), "lang") == tuple(LABEL_LANGUAGES)
    assert _choices(("arrangement",), "lang") == tuple(LABEL_LANGUAGES)
    assert _choices(("ropa", "export"), "lang") == tuple(LABEL_LANGUAGES)
    assert _choices(("dealers", "add"), "roles") == tuple(DealerRole)
    assert _choices(("dealers", "update"), "languages") == tuple(Language)
    assert _choices(("customer", "retract"), "kind") == tuple(RectifiableKind)
    assert _choices(("customer", "correct", "contact"), "kind") == tuple(ContactKind)
    assert _choices(("customer", "correct", "contract"), "kind") == tuple(ContractKind)


def test_a_wrong_choice_is_a_usage_error(cli):
    code, out, err = cli("record-contact", "--customer", "c", "--dealer", "d", "--kind", "visit",
                         "--at", "2025-03-01T10:00")
    assert (code, out) == (2, "")
    assert err.startswith("cocontroller: ") and "purchase" in err
    code, out, err = cli("dealers", "add", "--id", "d", "--effective", "2026-12-01", "--legal-name", "L",
                         "--enterprise-number", "E", "--street", "S", "--postcode", "9000", "--town", "T",
                         "--languages", "nl,xx", "--roles", "sales")
    assert code == 2 and "'xx'" in err


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(cli, shell):
    code, out, err = cli("completion", shell)
    assert (code, err) == (0, "")
    assert "_COCONTROLLER_COMPLETE" in out


def test_completion_through_the_environment():
    """click's own protocol, as the printed script uses it."""
    env = dict(os.environ, _COCONTROLLER_COMPLETE="bash_complete", COMP_WORDS="cocontroller record-contact --kind s",
               COMP_CWORD="3")
    done = subprocess.run([sys.executable, "-m", "cocontroller_client.cli"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["plain,service_visit", "plain,showroom_visit"]
