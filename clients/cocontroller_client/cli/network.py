"""Commands about the dealer network: the dealers and their changes (dealers, dealer), the
postcodes, and what a change means for customers (reassign, notices)."""

from __future__ import annotations

import datetime as dt

import click

from cocontroller.model import DealerRole, Language

from . import jobs, render
from .options import DAY, INSTANT, CommaList, client_options, known_on_option, option, quiet_option, state

LANGUAGES = CommaList(Language)
ROLES = CommaList(DealerRole)


def _convert():
    from . import convert  # the generated protobuf code loads here, not at start-up

    return convert


def _warn(message: str) -> None:
    click.echo(f"cocontroller: warning: {message}", err=True)


# -- dealers -----------------------------------------------------------------------------------


def _list_dealers(as_of, active_only, known_on):
    convert = _convert()
    dealers = [convert.dealer(d) for d in state().client().dealers(as_of, active_only, known_on)]
    render.emit({"dealers": dealers}, render.dealers_table(dealers))


@click.group(invoke_without_command=True)
@option("--as-of", type=DAY, show_default="today", help="List the network as it is on this day.")
@option("--active-only", is_flag=True, help="Only the dealers active on that day.")
@known_on_option
@client_options
@click.pass_context
def dealers(ctx, as_of, active_only, known_on):
    """The dealer network: list it, or change it from a day on (add, update, close, reopen).

    Without a subcommand it lists the dealers as they are on a day (--as-of), the closed
    ones too unless --active-only. A change takes effect on --effective. One effective
    after today is scheduled: the server tells its customers ahead and moves them on the day
    (`cocontroller schedule`); for one from today on, run `cocontroller reassign`. A change effective before today is a
    correction: give --correction "why"; beyond the server's window (7 days) add
    --confirm-correction. --known-on lists the network as it was known then.

    \b
    Examples:
      cocontroller dealers
      cocontroller dealers --as-of 2027-01-01 --active-only --json
      cocontroller dealers close --id dlr-gent --effective 2026-12-01
      cocontroller dealers cancel-change --change 42 --reason "closure called off"
    """
    if ctx.invoked_subcommand is None:
        _list_dealers(as_of, active_only, known_on)


@dealers.command("list")
@option("--as-of", type=DAY, show_default="today", help="List the network as it is on this day.")
@option("--active-only", is_flag=True, help="Only the dealers active on that day.")
@known_on_option
@client_options
def list_(as_of, active_only, known_on):
    """List the dealers as they are on a day (the same as `dealers` alone).

    \b
    Examples:
      cocontroller dealers list --active-only
      cocontroller dealers list --as-of 2027-01-01 --json | jq -r '.dealers[].id'
      cocontroller dealers list --as-of 2026-03-01 --known-on 2026-03-01
    """
    _list_dealers(as_of, active_only, known_on)


def _dealer_options(required: bool):
    """The details of a dealer: all required to add one, any subset to update one."""
    keep = "required" if required else "unchanged"

    def decorate(f):
        # click lists options in the reverse order of their decorators' application
        f = option("--roles", type=ROLES, required=required, show_default=None if required else keep,
                   help="Comma-separated roles: " + ",".join(DealerRole) + ".")(f)
        f = option("--languages", type=LANGUAGES, required=required, show_default=None if required else keep,
                   help="Comma-separated languages spoken: " + ",".join(Language) + ".")(f)
        f = option("--lon", type=float, show_default="the postcode's point" if required else keep,
                   help="The showroom's longitude.")(f)
        f = option("--lat", type=float, show_default="the postcode's point" if required else keep,
                   help="The showroom's latitude.")(f)
        for name, help_text in reversed((
            ("--legal-name", "The company's registered name."),
            ("--trade-name", "The name customers know."),
            ("--enterprise-number", "The company's enterprise number (BE 0123.456.789)."),
            ("--street", "Street and number."),
            ("--postcode", "Postcode (4 digits)."),
            ("--town", "Town."),
        )):
            if name == "--trade-name":
                f = option(name, show_default="the legal name" if required else keep, help=help_text)(f)
            else:
                f = option(name, required=required, show_default=None if required else keep, help=help_text)(f)
        return f

    return decorate


def _fields(legal_name, trade_name, enterprise_number, street, postcode, town, lat, lon, languages, roles) -> dict:
    return {"legal_name": legal_name, "trade_name": trade_name, "enterprise_number": enterprise_number,
            "street": street, "postcode": postcode, "town": town, "lat": lat, "lon": lon,
            "languages": list(languages) if languages is not None else None,
            "roles": list(roles) if roles is not None else None}


def correction_options(f):
    """--correction and --confirm-correction: a change effective before today."""
    f = option("--confirm-correction", is_flag=True,
               help="The correction reaches beyond the server's backdating window on purpose.")(f)
    return option("--correction", metavar="REASON", default="", show_default="none",
                  help="Why the change takes effect before today (required then).")(f)


@dealers.command()
@option("--id", "dealer_id", required=True, metavar="DEALER_ID", help="The new dealer's id (dlr-...).")
@option("--effective", required=True, type=DAY, help="The first day it is active.")
@_dealer_options(required=True)
@correction_options
@client_options
def add(dealer_id, effective, correction, confirm_correction, **details):
    """Add a dealer to the network, active from --effective on.

    \b
    Examples:
      cocontroller dealers add --id dlr-mons --effective 2026-09-01 --legal-name "Borinage Motors SA" \\
          --enterprise-number "BE 0999.999.999" --street "Rue de Nimy 1" --postcode 7000 --town Mons \\
          --languages fr,en --roles sales,service
    """
    response = state().client().add_dealer(dealer_id, _fields(**details), effective, correction, confirm_correction)
    _changed(response, f"Dealer {dealer_id} added from {effective} (change {response.change_id})",
             f"run `cocontroller reassign --job-id open-{dealer_id}` if customers should move to it")


@dealers.command()
@option("--id", "dealer_id", required=True, metavar="DEALER_ID", help="The dealer.")
@option("--effective", required=True, type=DAY, help="The first day the new details apply.")
@_dealer_options(required=False)
@correction_options
@client_options
def update(dealer_id, effective, correction, confirm_correction, **details):
    """Change a dealer's details from --effective on: a move, new roles, a new name.

    Details not given stay as they are. A move can change who is nearest: run
    `cocontroller reassign --dealers ID` (or --postcodes) afterwards.

    \b
    Examples:
      cocontroller dealers update --id dlr-gent --effective 2026-10-01 --street "Nieuwe Weg 1" --postcode 9050 --town Gentbrugge
      cocontroller dealers update --id dlr-gent --effective 2026-10-01 --roles service --json
    """
    response = state().client().update_dealer(dealer_id, _fields(**details), effective, correction,
                                              confirm_correction)
    _changed(response, f"Dealer {dealer_id} updated from {effective} (change {response.change_id})",
             f"run `cocontroller reassign --job-id update-{dealer_id}` if it moved")


@dealers.command()
@option("--id", "dealer_id", required=True, metavar="DEALER_ID", help="The dealer.")
@option("--effective", required=True, type=DAY, help="The first day it is no longer active.")
@correction_options
@client_options
def close(dealer_id, effective, correction, confirm_correction):
    """Close a dealer: no longer active from --effective on.

    Its customers keep it until you run `cocontroller reassign --dealers ID`.

    \b
    Examples:
      cocontroller dealers close --id dlr-gent --effective 2026-12-01
      cocontroller dealers close --id dlr-gent --effective 2026-12-01 --json | jq .change_id
      cocontroller dealers close --id dlr-gent --effective 2026-11-01 --correction "closed on 1 November, reported late"
    """
    response = state().client().close_dealer(dealer_id, effective, correction, confirm_correction)
    _changed(response, f"Dealer {dealer_id} closed from {effective} (change {response.change_id})",
             f"run `cocontroller reassign --job-id close-{dealer_id} --dealers {dealer_id}` to move its customers")


@dealers.command()
@option("--id", "dealer_id", required=True, metavar="DEALER_ID", help="The closed dealer.")
@option("--effective", required=True, type=DAY, help="The first day it is active again.")
@_dealer_options(required=False)
@correction_options
@client_options
def reopen(dealer_id, effective, correction, confirm_correction, **details):
    """Reopen a closed dealer from --effective on, with its last details unless given.

    A reopening can change who is nearest: run `cocontroller reassign --dealers ID` after.

    \b
    Examples:
      cocontroller dealers reopen --id dlr-gent --effective 2027-02-01
      cocontroller dealers reopen --id dlr-gent --effective 2027-02-01 --street "Kortrijksesteenweg 5" --postcode 9000 --town Gent
    """
    response = state().client().reopen_dealer(dealer_id, _fields(**details), effective, correction,
                                              confirm_correction)
    _changed(response, f"Dealer {dealer_id} reopened from {effective} (change {response.change_id})",
             f"run `cocontroller reassign --job-id reopen-{dealer_id}` if customers should move to it")


def _changed(response, done: str, next_step: str) -> None:
    """A change's answer: for one effective after today, what the server will do and when
    (its customers told, then moved, by the scheduler); else the job to run now."""
    convert = _convert()
    data = dict(convert.dealer(response.dealer), change_id=response.change_id, scheduled=None)
    if not response.HasField("scheduled"):
        render.emit(data, f"{done}; {next_step}")
        return
    scheduled = data["scheduled"] = convert.scheduled_change(response.scheduled)
    scope = "".join(f" --dealers {d}" for d in scheduled["scope"]["dealer_ids"])
    render.emit(data, f"{done}; scheduled: its customers are told from {scheduled['notice_date']} and re-assigned"
                      f" on {scheduled['effective']} by the server (job {scheduled['job_id']}). Preview it:"
                      f" `cocontroller reassign --job-id preview-{response.change_id}{scope} --dry-run"
                      f" --at {scheduled['effective']}`")


@dealers.command("cancel-change")
@option("--change", "change_id", required=True, type=click.IntRange(min=1), metavar="CHANGE_ID",
        help="The change to take back (its id, as printed when it was made).")
@option("--reason", required=True, help="Why it is taken back.")
@client_options
def cancel_change(change_id, reason):
    """Take back a scheduled change before its effective day.

    Only a dealer's latest change can be cancelled, and only before it takes effect; a
    change already in effect is corrected by a new change. The log keeps both. Its job
    will not run, and its notices not yet exported are withdrawn (those already sent stay).

    \b
    Examples:
      cocontroller dealers cancel-change --change 42 --reason "the closure was called off"
    """
    response = state().client().cancel_network_change(change_id, reason)
    data = dict(_convert().network_change(response.change), withdrawn_notices=response.withdrawn_notices)
    render.emit(data, f"Change {change_id} ({data['kind']} of {data['dealer_id']} from {data['effective']}) cancelled;"
                      f" {response.withdrawn_notices} unsent notice(s) withdrawn")


@click.command()
@option("--id", "dealer_id", required=True, metavar="DEALER_ID", help="The dealer.")
@option("--as-of", type=DAY, show_default="today", help="The dealer's details on this day.")
@known_on_option
@client_options
def dealer(dealer_id, as_of, known_on):
    """Show one dealer as it is on a day.

    \b
    Examples:
      cocontroller dealer --id dlr-gent
      cocontroller dealer --id dlr-tournai --as-of 2024-06-30 --json | jq .active
    """
    data = _convert().dealer(state().client().dealer(dealer_id, as_of, known_on))
    render.emit(data, render.fields_text(data))


@click.command()
@option("--postcode", required=True, help="A Belgian postcode (4 digits).")
@client_options
def postcode(postcode):
    """Look up a Belgian postcode: its point, municipality, province, region and language.

    \b
    Examples:
      cocontroller postcode --postcode 9000
      cocontroller postcode --postcode 1000 --json | jq -r .municipality_fr
    """
    data = _convert().postcode(state().client().lookup_postcode(postcode))
    render.emit(data, render.fields_text(data))


# -- jobs ----------------------------------------------------------------------------------------


@click.command()
@option("--job-id", required=True, help="The job's id: running the same id again resumes it.")
@option("--postcodes", type=CommaList(), default="", show_default="all customers",
        help="Comma-separated postcodes: the customers living there.")
@option("--dealers", type=CommaList(), default="", show_default="all customers",
        help="Comma-separated dealer ids: the customers assigned to them.")
@option("--dry-run", is_flag=True, help="Compute the differences, store nothing.")
@option("--out", metavar="FILE", show_default="none",
        help="Write the changes to FILE: JSON lines if it ends in .jsonl, else CSV.")
@option("--batch-size", type=click.IntRange(min=1), default=1000, help="Customers per batch (and per commit).")
@option("--local", is_flag=True, help="Run in this process against --db, without a server.")
@option("--db", metavar="FILE", show_default="$COCONTROLLER_DB or var/cocontroller.db",
        help="With --local: the database file.")
@option("--at", type=INSTANT, show_default="now",
        help="A new job's decision instant (ISO 8601), with --local; with --dry-run also through the server, "
             "and later than now: the preview of a change announced for then.")
@option("--workers", type=click.IntRange(min=1), show_default="by job size",
        help="With --local: decision processes.")
@quiet_option
@client_options
def reassign(job_id, postcodes, dealers, dry_run, out, batch_size, local, db, at, workers, quiet):
    """Re-assign the customers a network change concerns, in resumable batches.

    Run it after `dealers add|update|close|reopen` effective today or before (one effective
    later is scheduled: the server runs its job on the day, see `cocontroller schedule`;
    --dry-run --at previews it). Try --dry-run --out diff.csv first to review
    who would move. Each batch commits on its own: if the job stops (Ctrl-C, a crash), run
    the same command again and it resumes where it stopped, with the same decision instant.
    A server runs one job at a time (exit code 7 if another runs). Replicas on one PostgreSQL
    database (and --local beside a server) each given the same job id share the job batch by
    batch, and take over the batches of one that died. --local runs the job in this process
    against the database, for very large jobs; it needs the server extra.
    A progress bar with rate and ETA shows on stderr (--quiet hides it, and so does --json
    when stderr is no terminal).

    \b
    Examples:
      cocontroller reassign --job-id close-gent --dealers dlr-gent --dry-run --out diff.csv
      cocontroller reassign --job-id preview --dealers dlr-gent --dry-run --at 2027-03-01T00:00
      cocontroller reassign --job-id close-gent --dealers dlr-gent
      cocontroller reassign --job-id move-9000 --postcodes 9000,9050 --quiet --json
      cocontroller reassign --local --db var/cocontroller.db --job-id all-2026 --workers 2
    """
    if local:
        from .admin import reassign_local

        reassign_local(job_id=job_id, postcodes=postcodes, dealers=dealers, dry_run=dry_run, out=out,
                       batch_size=batch_size, db=db, at=at, workers=workers, quiet=quiet)
        return
    if at is not None and not dry_run:
        raise click.UsageError("--at goes with --local, or with --dry-run (a preview)")
    for name, value in (("--db", db), ("--workers", workers)):
        if value is not None:
            _warn(f"{name} applies only with --local; ignored")
    client = state().client()
    items = jobs.remote_items(client, job_id, postcodes, dealers, dry_run, batch_size, at)
    stored = (lambda: jobs.remote_stored_changes(client, job_id)) if out and not dry_run else None
    data = jobs.drive(items, job_id=job_id, dry_run=dry_run, out=out, quiet=quiet, stored=stored)
    render.emit(data, jobs.result_text(data))


NOTICE_FIELDS = ["id", "customer_id", "language", "old_dealer_id", "new_dealer_id", "effective_date", "kind",
                 "trigger", "created_at", "exported_at", "text"]


@click.command()
@option("--pending", is_flag=True, help="Only the notices not exported yet.")
@option("--job", default="", show_default="all jobs", help="Only the notices of this job.")
@option("--export", metavar="FILE", show_default="none",
        help="Write them to FILE: JSON lines if it ends in .jsonl, else CSV.")
@option("--mark-exported", is_flag=True, help="With --export: mark the exported ones as exported.")
@client_options
def notices(pending, job, export, mark_exported):
    """The customers owed a notice because their controller (dealer) changed.

    The policy requires telling a customer whose data moved to another dealer. Each notice
    carries its letter: the customer's language, the old and the new controller (name,
    address, enterprise number), why and from when, and the text from the privacy pack's
    template. Export the pending ones to the mailing tool and mark them exported in one go
    (the file carries the same exported_at stamp), so that the next run exports only new ones.

    \b
    Examples:
      cocontroller notices --pending
      cocontroller notices --pending --export notices.csv --mark-exported
      cocontroller notices --job close-gent --json | jq '.notices | length'
    """
    if mark_exported and not export:
        _warn("--mark-exported applies only with --export; nothing marked")
    convert = _convert()
    client = state().client()
    items = [convert.notice(n) for n in client.notices(pending, job)]
    # The file carries the stamp the store will record: written first, marked after, so a
    # failed mark exports the letters again rather than losing them.
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) if export and mark_exported and items else None
    if stamp is not None:
        items = [dict(item, exported_at=stamp.isoformat()) for item in items]
    if export:
        with render.RecordWriter(export, NOTICE_FIELDS) as writer:
            for item in items:
                writer.write(item)
    marked = client.mark_notices_exported([n["id"] for n in items], stamp) if stamp is not None else 0
    lines = [f"{len(items)} notice(s)" + (f", written to {export}" if export else "")
             + (f", {marked} marked exported" if marked else "")]
    lines += [f"  {n['customer_id']}: {n['old_dealer_id'] or 'none'} -> {n['new_dealer_id']} ({n['trigger']}),"
              f" {render.local_time(n['created_at'])}" for n in items[:50]]
    if len(items) > 50:
        lines.append(f"  ... and {len(items) - 50} more (use --export or --json)")
    render.emit({"notices": items, "marked_exported": marked}, "\n".join(lines))


@click.command()
@option("--status", type=click.Choice(["scheduled", "announced", "applied", "cancelled"]), show_default="all",
        help="Only the changes in this state.")
@client_options
def schedule(status):
    """The network changes recorded ahead of their day, and what the server does with them.

    A change effective after the day it is made is scheduled: the server tells its
    customers from its notice date (the lead time before the day, `serve
    --notice-lead-days`), then re-assigns them as of the start of the day, once, across
    restarts. `dealers cancel-change` takes one back with its unsent notices.

    \b
    Examples:
      cocontroller schedule
      cocontroller schedule --status announced --json | jq '.changes[].job_id'
    """
    convert = _convert()
    items = [convert.scheduled_change(c) for c in state().client().scheduled_changes(status or "")]
    lines = [f"{len(items)} scheduled change(s)"]
    lines += [f"  {c['change_id']}: {c['kind']} {c['dealer_id']} on {c['effective']}, told from {c['notice_date']}:"
              f" {c['status']} (job {c['job_id']})" for c in items]
    render.emit({"changes": items}, "\n".join(lines))


COMMANDS = [dealers, dealer, postcode, reassign, notices, schedule]
