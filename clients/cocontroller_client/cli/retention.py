"""The retention sweep (retention sweep): section 4's erasure of what is no longer needed,
through a server or in this process against a database file."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping

import click

from . import render
from .exits import Failure
from .options import INSTANT, client_options, option, quiet_option, state

SWEPT_FIELDS = ["customer_id", "outcome", "erase_on"]


@click.group()
def retention():
    """Retention that acts: erase what the privacy pack says is no longer needed.

    \b
    Examples:
      cocontroller retention sweep --job-id sweep-2026-12 --dry-run --out review.csv
      cocontroller retention sweep --job-id sweep-2026-12
    """


@retention.command()
@option("--job-id", show_default="retention-<today>", help="The sweep's id: running the same id again resumes it.")
@option("--dry-run", is_flag=True, help="Say who would be erased or restricted; write nothing.")
@option("--out", metavar="FILE", show_default="none",
        help="Write this run's customers to FILE (JSON lines if it ends in .jsonl, else CSV): with --dry-run "
             "their ids, else only the outcome and date of each erasure, since no one is left to name.")
@option("--batch-size", type=click.IntRange(1, 10000), default=500, help="Customers per batch (and per commit).")
@option("--local", is_flag=True, help="Run in this process against --db, without a server.")
@option("--db", metavar="FILE", show_default="$COCONTROLLER_DB or var/cocontroller.db",
        help="With --local: the database file.")
@option("--at", type=INSTANT, show_default="now", help="With --local: a new sweep's instant (ISO 8601).")
@option("--workers", type=click.IntRange(min=1), show_default="by sweep size",
        help="With --local: processes deciding batches (2 from 50,000 customers on 2 cores).")
@quiet_option
@client_options
def sweep(job_id, dry_run, out, batch_size, local, db, at, workers, quiet):
    """Erase every customer whose retention periods have all run out (policy section 4).

    For each customer the privacy pack gives the dates on the sweep's day: when every
    period has run out but those the law sets, the customer is erased (contacts counted
    into anonymous statistics first); what the law keeps (accounting, tax) stays, restricted
    to its legal purposes, until its own date; an open dispute keeps everything. Restricted
    customers whose date has come are erased in turn. Each batch commits with the sweep's
    cursor: a sweep stopped at any point resumes when run again with the same id. The
    server also runs one every day (serve --sweep-hour). Try --dry-run --out first.

    \b
    Examples:
      cocontroller retention sweep --dry-run --out review.csv
      cocontroller retention sweep --job-id sweep-2026-12-06 --json
      cocontroller retention sweep --local --db var/cocontroller.db --job-id sweep-1 --quiet
    """
    job_id = job_id or f"retention-{time.strftime('%Y-%m-%d')}"
    if local:
        from .admin import load_admin, settings

        items = _local_items(load_admin().sweep_local(db or settings().db, job_id, dry_run, batch_size, at, workers,
                                                            tenant=state().tenant))
    else:
        if db is not None or at is not None or workers is not None:
            click.echo("cocontroller: warning: --db, --at and --workers apply only with --local; ignored", err=True)
        items = _remote_items(state().client().sweep_retention(job_id, dry_run, batch_size))
    data = _drive(items, job_id=job_id, dry_run=dry_run, out=out, quiet=quiet)
    render.emit(data, _result_text(data))


def _remote_items(stream) -> Iterator[dict]:
    from . import convert

    for p in stream:
        yield {
            "total": p.total, "processed": p.processed, "acted": p.acted, "finished": p.finished,
            "resumed": p.resumed, "processed_before": p.processed_before,
            "customers": [{"customer_id": c.customer_id or None, "outcome": convert.erasure_outcome(c.outcome),
                           "erase_on": convert.day(c.erase_date)} for c in p.customers],
            "outcomes": {convert.erasure_outcome(o.outcome): o.customers for o in p.outcomes},
        }


def _local_items(progress: Iterable) -> Iterator[dict]:
    for p in progress:
        yield {
            "total": p.total, "processed": p.processed, "acted": p.acted, "finished": p.finished,
            "resumed": p.resumed, "processed_before": p.processed_before,
            "customers": [{"customer_id": i.customer_id or None, "outcome": str(i.outcome),
                           "erase_on": i.erase_on.isoformat() if i.erase_on else None} for i in p.items],
            "outcomes": {str(o): n for o, n in p.outcomes},
        }


def _drive(items: Iterable[Mapping], *, job_id: str, dry_run: bool, out: str | None, quiet: bool) -> dict:
    bar = last = None
    with render.RecordWriter(out, SWEPT_FIELDS) as writer:
        try:
            for last in items:
                if bar is None:
                    bar = render.Progress(last["total"], initial=last["processed_before"], desc=f"sweep {job_id}",
                                          unit=" customers", quiet=render.quiet_progress(quiet))
                for swept in last["customers"]:
                    writer.write(swept)
                bar.update_to(last["processed"], last["total"])
        finally:
            if bar is not None:
                bar.close()
    if last is None:
        raise Failure(f"sweep {job_id} reported no progress")
    return {"job_id": job_id, "dry_run": dry_run, "total": last["total"], "processed": last["processed"],
            "acted": last["acted"], "resumed": last["resumed"], "processed_before": last["processed_before"],
            "outcomes": dict(last["outcomes"]), "out": out}


def _result_text(data: Mapping) -> str:
    mode = "dry run" if data["dry_run"] else "applied"
    resumed = f" (resumed after {data['processed_before']:,})" if data["resumed"] else ""
    lines = [f"Sweep {data['job_id']} ({mode}): {data['processed']:,} customers, {data['acted']:,} "
             f"{'to act on' if data['dry_run'] else 'acted on'}{resumed}"]
    lines += [f"  {outcome}: {n:,}" for outcome, n in sorted(data["outcomes"].items())]
    if data["out"]:
        lines.append(f"Customers written to {data['out']}")
    return "\n".join(lines)


COMMANDS = [retention]
