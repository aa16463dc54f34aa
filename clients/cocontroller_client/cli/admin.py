"""Commands for operators that run server code in this process: serve, init, rules
check|test, arrangement, ropa export, demo-data and reassign --local; and rules list|reload,
which ask a server.

The server code is `cocontroller.admin`, loaded by name when such a command runs: the client
package never imports the server statically (an import-linter contract says so), and a
client-only install answers these commands with one line saying what to install.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

from cocontroller.config import LOG_FORMATS, Settings
from cocontroller.model import LABEL_LANGUAGES, Language, Scope

from . import jobs, render
from .exits import Failure
from .options import DAY, choice, client_options, json_option, option, quiet_option, state

_DEFAULTS = Settings()
SERVER_EXTRA = "pip install 'cocontroller[server]'"


def load_admin():
    """`cocontroller.admin`, or a one-line failure (exit 1) when the server is not installed."""
    try:
        return importlib.import_module("cocontroller.admin")
    except ImportError as e:
        raise Failure(f"the server commands need `{SERVER_EXTRA}` ({e})", code="SERVER_NOT_INSTALLED") from None


def settings() -> Settings:
    """The defaults overridden by the COCONTROLLER_* variables."""
    try:
        return Settings.from_env()
    except ValueError as e:
        raise click.UsageError(str(e)) from None


def _env(name: str, default) -> str:
    return f"{default} or $COCONTROLLER_{name.upper()}"


# -- serve and init ------------------------------------------------------------------------------


def _server_tls_options(f):
    """--certs-dir, --server-cert, --server-key, --client-ca: Settings fields, as **tls."""
    for name, default, text in reversed((
        ("certs-dir", str(_DEFAULTS.certs_dir), "Where `init` makes the development CA and certificates."),
        ("server-cert", "server.pem in --certs-dir", "The server's certificate chain (PEM)."),
        ("server-key", "server-key.pem in --certs-dir", "The server certificate's key (PEM)."),
        ("client-ca", "ca.pem in --certs-dir", "The CA every client certificate must chain to (mTLS)."),
    )):
        f = option("--" + name, type=click.Path(dir_okay=name == "certs-dir", file_okay=name != "certs-dir"),
                   show_default=_env(name.replace("-", "_"), default), help=text)(f)
    return f


def _paths(tls: dict) -> dict:
    return {k: Path(v) if v else None for k, v in tls.items()}



_TENANTS = option("--tenants", type=click.Path(dir_okay=False), metavar="FILE",
                   show_default=_env("tenants", "the shipped Lexus BE and Toyota BE"),
                   help="The tenants file (TOML): the tenants served, their packs, demo networks and databases.")


@click.command()
@option("--db", metavar="FILE", show_default=_env("db", _DEFAULTS.db),
        help="The SQLite database; it must exist (see `cocontroller init`).")
@option("--host", show_default=_env("host", _DEFAULTS.host), help="The interface to listen on.")
@option("--port", type=click.IntRange(0, 65535), show_default=_env("port", _DEFAULTS.port), help="The port.")
@option("--workers", type=click.IntRange(min=1), show_default=_env("workers", _DEFAULTS.workers),
        help="Worker threads, for the calls that do not run on the server's event loop.")
@option("--max-concurrent-rpcs", type=click.IntRange(min=1),
        show_default=_env("max_concurrent_rpcs", _DEFAULTS.max_concurrent_rpcs),
        help="Light calls running at once; one more is refused at once (RESOURCE_EXHAUSTED with a retry delay).")
@option("--max-queue-ms", type=click.FloatRange(min=0), metavar="MS",
        show_default=_env("max_queue_ms", _DEFAULTS.max_queue_ms),
        help="Refuse light calls (with a retry delay) while the calls waiting to be taken would take longer than this.")
@option("--heavy-calls", type=click.IntRange(min=1), show_default=_env("heavy_calls", _DEFAULTS.heavy_calls),
        help="Lists and resolutions running at once, in a pool of their own (fewer than --workers).")
@option("--leads-apart/--no-leads-apart", default=None,
        show_default=_env("leads_apart", "on" if _DEFAULTS.leads_apart else "off"),
        help="On SQLite, make the CRM's writes (leads, customers, contacts, preferences, assignments) in a process"
             " of their own beside the event loop, on another core.")
@option("--backdate-window-days", type=click.IntRange(min=0), metavar="DAYS",
        show_default=_env("backdate_window_days", _DEFAULTS.backdate_window_days),
        help="Network changes effective further back than this need --confirm-correction as well as a reason.")
@option("--rules-dir", type=click.Path(file_okay=False), show_default=_env("rules_dir", "the shipped packs"),
        help="Where the rule packs are read (each tenant's in its folder, the tenants file says which).")
@_TENANTS
@option("--data-dir", type=click.Path(file_okay=False), show_default=_env("data_dir", "the shipped geodata"),
        help="Where the postcode table and the dealer network are read.")
@option("--log-format", type=click.Choice(LOG_FORMATS), show_default=_env("log_format", _DEFAULTS.log_format),
        help="Log lines as text or as JSON objects.")
@option("--metrics-port", type=click.IntRange(0, 65535), show_default=_env("metrics_port", _DEFAULTS.metrics_port),
        help="Serve Prometheus metrics on http://HOST:PORT/metrics; 0 turns them off.")
@option("--health-port", type=click.IntRange(0, 65535), show_default=_env("health_port", _DEFAULTS.health_port),
        help="Also serve the gRPC health service alone, in plaintext, on this port, for load "
             "balancers that hold no client certificate; 0: none.")
@option("--shutdown-grace", type=click.FloatRange(min=0), metavar="SECONDS",
        show_default=_env("shutdown_grace", _DEFAULTS.shutdown_grace),
        help="On SIGTERM or Ctrl-C, how long calls in flight and a running job's last batch may take.")
@option("--sweep-hour", type=click.IntRange(-1, 23), show_default=_env("sweep_hour", _DEFAULTS.sweep_hour),
        help="Run the retention sweep once a day from this hour (Brussels time); -1: never.")
@option("--notice-lead-days", type=click.IntRange(0, 366), metavar="DAYS",
        show_default=_env("notice_lead_days", _DEFAULTS.notice_lead_days),
        help="Tell customers this many days before a network change scheduled ahead moves them.")
@option("--clock-at", metavar="INSTANT", show_default=_env("clock_at", "the real time"),
        help="Serve as if it were this ISO 8601 instant, the clock running on from it: a rehearsal of a "
             "scheduled change's day on a COPY of the database (scheduled jobs run as of then).")
@option("--claim-hold-s", type=click.FloatRange(min=0, min_open=True, max=86400), metavar="SECONDS",
        show_default=_env("claim_hold_s", _DEFAULTS.claim_hold_s),
        help="A job's batch claimed by a replica that died is taken by another after this long.")
@_server_tls_options
def serve(db, host, port, workers, max_concurrent_rpcs, max_queue_ms, heavy_calls, leads_apart, backdate_window_days,
          rules_dir,
          tenants, data_dir, log_format, metrics_port, health_port, shutdown_grace, sweep_hour, notice_lead_days,
          clock_at, claim_hold_s, **tls):
    """Run the gRPC server until Ctrl-C or SIGTERM; SIGHUP reloads the rule packs.

    Serves every tenant of the tenants file, each on its own database (--db is the default
    tenant's; the others' are named after it), packs and dealer network; a call names its
    tenant in the metadata x-cocontroller-tenant (the CLI's --tenant).

    Flags override the COCONTROLLER_* environment variables, which override the defaults.
    Refuses to start when the port is taken or the database file is missing (exit code 5):
    create it once with `cocontroller init`. Serves mTLS only, and refuses to start without
    its certificate, key and client CA (exit code 5): `init` makes development ones.

    Network changes recorded ahead of their day are carried out by the server: their
    customers are told --notice-lead-days ahead, and re-assigned on the day (see
    `cocontroller schedule`), once each, across restarts.

    \b
    Examples:
      cocontroller serve
      cocontroller serve --db var/cocontroller.db --host 0.0.0.0 --port 50051 --log-format json
      cocontroller serve --metrics-port 9464 --health-port 50052 --shutdown-grace 30
      cocontroller serve --sweep-hour 2
      cocontroller serve --db /tmp/copy.db --clock-at 2027-03-01T00:05:00+01:00
      COCONTROLLER_DB=/srv/cc.db cocontroller serve --workers 8
    """
    admin = load_admin()
    chosen = settings().with_flags(
        db=db, host=host, port=port, workers=workers, log_format=log_format,
        max_concurrent_rpcs=max_concurrent_rpcs, max_queue_ms=max_queue_ms, heavy_calls=heavy_calls,
        leads_apart=leads_apart, backdate_window_days=backdate_window_days, metrics_port=metrics_port, health_port=health_port, shutdown_grace=shutdown_grace,
        sweep_hour=sweep_hour, notice_lead_days=notice_lead_days, clock_at=clock_at, claim_hold_s=claim_hold_s,
        **_paths(tls),
        rules_dir=Path(rules_dir) if rules_dir else None, data_dir=Path(data_dir) if data_dir else None,
        tenants=Path(tenants) if tenants else None,
    )
    admin.serve(chosen)


@click.command()
@option("--db", metavar="FILE", show_default="required unless --certs-only",
        help="The default tenant's database file to create; the other tenants' are named after it.")
@option("--demo", is_flag=True, help="Load each tenant's shipped (fictional) demo dealer network.")
@option("--keep-existing", is_flag=True, help="Succeed when every tenant's database exists already.")
@_TENANTS
@option("--certs-dir", type=click.Path(file_okay=False), show_default=_env("certs_dir", _DEFAULTS.certs_dir),
        help="Where the development CA and certificates are made, those that are absent.")
@option("--certs-only", is_flag=True, help="Only make the absent development certificates; no database.")
@json_option
def init(db, demo, keep_existing, tenants, certs_dir, certs_only):
    """Create the database of every tenant served (empty or with its demo dealer network) that
    has none, and the development certificates that are absent, as mkcert does: a CA, the
    server's for localhost, and one client certificate per role (admin, crm, callcentre,
    batch, dpo, dealer-dlr-gent).

    The tenants are those of the tenants file ($COCONTROLLER_TENANTS, else the shipped Lexus
    BE and Toyota BE). --db is the default tenant's database; another tenant's is named after
    it (var/cocontroller.db: var/cocontroller-toyota-be.db) unless the tenants file names it.
    Run it once before `cocontroller serve`. It never touches an existing database file nor
    an existing certificate; when every database exists it fails (exit code 5), unless
    --keep-existing. Production brings its own CA and certificates (serve --server-cert,
    --server-key, --client-ca; clients --ca, --cert, --key).

    \b
    Examples:
      cocontroller init --demo --db var/cocontroller.db
      cocontroller init --db /srv/cocontroller.db --json
      cocontroller init --certs-only --certs-dir var/certs
    """
    if not db and not certs_only:
        raise click.UsageError("give --db FILE, or --certs-only")
    admin = load_admin()
    chosen = settings().with_flags(db=db, certs_dir=Path(certs_dir) if certs_dir else None,
                                   tenants=Path(tenants) if tenants else None)
    report = admin.dev_certificates(chosen) if certs_only else admin.init(db, demo, chosen, keep_existing)
    if certs_only:
        render.emit(render.plain(report), f"Development certificates in {chosen.certs_dir}: "
                    + (f"made {len(report.certs)} files" if report.certs else "all present"))
        return
    made = f"; made {len(report.certs)} certificate files in {chosen.certs_dir}" if report.certs else ""
    lines = [f"Created {r.db} for {r.tenant} with "
             + (f"the demo dealer network ({r.dealers} dealers)" if r.demo else f"{r.dealers} dealers")
             for r in report.databases] or ["Every tenant's database exists already"]
    render.emit(render.plain(report), "\n".join(lines) + made)


# -- rule packs ----------------------------------------------------------------------------------


@click.group()
def rules():
    """Rule packs: check and test the pack files here, list or reload a server's packs.

    \b
    Examples:
      cocontroller rules check && cocontroller rules test
      cocontroller rules test --dir ./rules --json | jq .failed
      cocontroller rules reload --target cc.internal:50051
    """


# --rules-dir too, as `serve` spells it.
_DIR = option("--dir", "--rules-dir", "directory", type=click.Path(file_okay=False), show_default="the shipped rules/",
              help="The rules directory to read.")


@rules.command()
@_DIR
@json_option
def check(directory):
    """Validate the rule pack files: schema, ids, dates, labels, citations.

    Run it in CI and before `rules reload`. A malformed pack exits 1 naming the file, the
    rule id and the field.

    \b
    Examples:
      cocontroller rules check
      cocontroller rules check --dir ./rules --json
    """
    packs = load_admin().check_packs(directory, tenant=state().tenant)
    render.emit({"packs": render.plain(packs)},
                "\n".join(f"OK {p.name}@{p.version}: {p.rules} rules ({p.path})" for p in packs))


@rules.command("test")
@_DIR
@json_option
def test_(directory):
    """Run the test cases kept beside each pack (<pack>_test.yaml).

    Prints every case and exits 1 if any failed; run it with `rules check` before a reload.

    \b
    Examples:
      cocontroller rules test
      cocontroller rules test --dir ./rules --json | jq '.cases[] | select(.passed | not)'
    """
    results = load_admin().test_packs(directory, tenant=state().tenant)
    failed = [r for r in results if not r.passed]
    lines = []
    for r in results:
        lines.append(f"{'PASS' if r.passed else 'FAIL'} {r.pack}: {r.name}")
        if not r.passed:
            lines.append(f"     expected {_outcome(r.expected)}\n     got      {_outcome(r.got)}")
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    data = {"passed": len(results) - len(failed), "failed": len(failed), "cases": render.plain(results)}
    render.emit(data, "\n".join(lines))
    if failed:
        raise Failure(f"{len(failed)} rule pack case(s) failed", code="CASES_FAILED")


def _outcome(value) -> str:
    """A case's expected or actual outcome: a rule id, the rule ids, or no rule."""
    if value is None:
        return "no rule"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "no rules"
    return str(value)


@rules.command("list")
@client_options
def list_():
    """The rule packs a server uses, with their versions.

    \b
    Examples:
      cocontroller rules list
      cocontroller rules list --json | jq -r '.packs[] | .name + "@" + .version'
    """
    from . import convert

    packs = [convert.rule_pack(p) for p in state().client().rule_packs()]
    render.emit({"packs": packs}, "\n".join(f"{p['name']}@{p['version']}: {p['rules']} rules ({p['path']})"
                                            for p in packs))


@rules.command()
@client_options
def reload():
    """Make a server load the pack files again, without a restart (like SIGHUP).

    Calls in flight finish on the old version; every answer names the version it used. A
    malformed pack is refused and the server keeps the old one.

    \b
    Examples:
      cocontroller rules check && cocontroller rules reload
      cocontroller rules reload --target cc.internal:50051 --json
    """
    from . import convert

    packs = [convert.rule_pack(p) for p in state().client().reload_rule_packs()]
    render.emit({"packs": packs}, "Reloaded: " + ", ".join(f"{p['name']}@{p['version']}" for p in packs))


@click.command()
@option("--lang", required=True, type=choice(LABEL_LANGUAGES), help="The language of the text.")
@option("--as-of", type=DAY, show_default="today", help="The day whose pack rules are read.")
@_DIR
@json_option
def arrangement(lang, as_of, directory):
    """The essence of the joint-controller arrangement, for the data subject (GDPR art. 26(2)).

    Who the joint controllers are, and for each group of purposes which of them act, how they
    share the work and where the data subject can exercise their rights: read from the
    privacy pack's rules in force on the day. The dealers are named by their part here;
    `cocontroller resolve` names a customer's own.

    \b
    Examples:
      cocontroller arrangement --lang fr
      cocontroller arrangement --lang de --as-of 2021-01-01 --json | jq '.shares[].group'
    """
    found = load_admin().arrangement(directory, lang, as_of, tenant=state().tenant)
    render.emit(render.plain(found), render.arrangement_text(found))


@click.group()
def ropa():
    """The record of processing activities (GDPR article 30), read from the privacy pack.

    \b
    Examples:
      cocontroller ropa export --format csv --out ropa.csv
      cocontroller ropa export --format fides --lang en --out lexus_belgium.yml
    """


ROPA_FORMATS = ("json", "csv", "fides")


@ropa.command()
@option("--format", "format_", type=click.Choice(ROPA_FORMATS), default="json",
        help="json: the whole record; csv: one row per purpose; fides: a Fides system manifest.")
@option("--as-of", type=DAY, show_default="today", help="The day whose pack rules are read.")
@option("--lang", type=choice(LABEL_LANGUAGES), default=str(Language.NL),
        help="The language of the texts (the policy's own by default).")
@option("--out", metavar="FILE", show_default="stdout", help="Write the document to FILE.")
@_DIR
@json_option
def export(format_, as_of, lang, out, directory):
    """Export the record of processing (GDPR article 30) from the privacy pack's rules of a day.

    It lists the controllers (the importer, and the dealers by their part), the purposes with
    their legal basis, data subjects and categories of data (policy section 2), the
    recipients, the transfers outside the EEA with their safeguards and the retention
    criteria, each citing the policy. json is one document; csv has one row per purpose, a
    cell of several values joined by " | ", and on every row the recipients, transfers and
    retention, which the policy states for all purposes; fides is a Fides system manifest
    (one privacy declaration per purpose and legal basis, in fideslang's taxonomy), written as
    JSON, which YAML tools such as `fides` read too. With --out the command prints what it
    wrote (--json: as one JSON object).

    \b
    Examples:
      cocontroller ropa export > ropa.json
      cocontroller ropa export --format csv --lang fr --out ropa-fr.csv
      cocontroller ropa export --format fides --lang en --out lexus_belgium.yml
      cocontroller ropa export --as-of 2020-05-01 | jq '.transfers[].safeguard'
    """
    if format_ == "csv" and not out and state().json:
        raise click.UsageError("--json prints one JSON object: write the CSV with --out FILE, or use --format json")
    admin = load_admin()
    if format_ == "fides":
        system = admin.fides_system(directory, lang, as_of, tenant=state().tenant)
        pack, day = system.meta.pack, system.meta.as_of
        text = render.json_document({"system": [system]})
    else:
        record = admin.ropa(directory, lang, as_of, tenant=state().tenant)
        pack, day = record.pack, record.as_of
        text = render.ropa_csv(record) if format_ == "csv" else render.json_document(record)
    render.write_document(text, out)
    if out:
        render.emit({"out": out, "format": format_, "pack": pack, "as_of": day.isoformat(), "language": lang},
                    f"Wrote the record of processing ({format_}, {pack}, {day.isoformat()}, {lang}) to {out}")


# -- synthetic data and local jobs ---------------------------------------------------------------


@click.command("demo-data")
@option("--customers", required=True, type=click.IntRange(min=1), help="How many synthetic customers.")
@option("--seed", type=int, default=1, help="The random seed: the same seed, the same customers.")
@option("--db", required=True, metavar="FILE",
        help="The database to write into; never one a running server holds.")
@quiet_option
@json_option
def demo_data(customers, seed, db, quiet):
    """Write synthetic customers (with contacts, preferences, assignments) into a database.

    For demos and benchmarks: the customers are made up, spread over Belgium by population.
    The database is named explicitly, never a default, and must not be one a running server
    holds (exit code 5).

    \b
    Examples:
      cocontroller demo-data --customers 100000 --seed 1 --db var/demo.db
      cocontroller demo-data --customers 1000 --db /tmp/t.db --quiet --json
    """
    admin = load_admin()
    started = time.monotonic()
    with render.Progress(customers, desc="demo-data", unit=" customers", quiet=render.quiet_progress(quiet)) as bar:
        counts = admin.demo_data(db, customers, seed, progress=bar.update_to, tenant=state().tenant)
    seconds = time.monotonic() - started
    data = {"db": db, "customers": customers, "seed": seed, "rows": dict(counts), "seconds": round(seconds, 1)}
    render.emit(data, f"{customers:,} synthetic customers written to {db} in {seconds:.1f} s: "
                + ", ".join(f"{n:,} {table}" for table, n in counts.items()))


def reassign_local(*, job_id, postcodes, dealers, dry_run, out, batch_size, db, at, workers, quiet) -> None:
    """`reassign --local`: the job in this process, against a database file."""
    admin = load_admin()
    db = db or settings().db
    stored = (lambda: [render.plain(c) for c in admin.stored_job_changes(db, job_id, tenant=state().tenant)]) if out and not dry_run else None
    progress = admin.reassign_local(db, job_id, Scope(tuple(postcodes), tuple(dealers)),
                                    dry_run, batch_size, at, workers, tenant=state().tenant)
    data = jobs.drive(jobs.local_items(progress), job_id=job_id, dry_run=dry_run, out=out, quiet=quiet,
                      stored=stored)
    render.emit(data, jobs.result_text(data))


COMMANDS = [serve, init, rules, arrangement, ropa, demo_data]
