"""Drives a re-assignment job's progress, from a server's stream or from a local run alike:
the progress bar, the changes file and the result."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping

from . import render
from .exits import Failure

CHANGE_FIELDS = ["customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason"]


def remote_items(client, job_id: str, postcodes, dealers, dry_run: bool, batch_size: int) -> Iterator[dict]:
    """The server's progress messages as dicts. The first message of a resumed job carries
    what earlier runs had done (`processed`, with `resumed` set): that is where the bar
    starts, so that its rate and ETA count only this run's part."""
    from . import convert

    before = None
    for p in client.reassign(job_id, list(postcodes), list(dealers), dry_run, batch_size):
        if before is None:
            before = p.processed if p.resumed else 0
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed,
            "finished": p.finished, "resumed": p.resumed, "processed_before": before,
            "changes": [convert.change(c) for c in p.changes],
            "summary": [convert.pair_count(s) for s in p.summary],
        }


def local_items(progress: Iterable) -> Iterator[dict]:
    """`model.JobProgress` items of a local run as the same dicts."""
    for p in progress:
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed,
            "finished": p.finished, "resumed": p.resumed, "processed_before": p.processed_before,
            "changes": [render.plain(c) for c in p.changes],
            "summary": [render.plain(s) for s in p.summary],
        }


def drive(items: Iterable[Mapping], *, job_id: str, dry_run: bool, out: str | None, quiet: bool) -> dict:
    """Runs the job to its end: writes the changes to `out`, shows the bar, returns the
    result object."""
    bar = None
    last = None
    started = time.time()
    with render.RecordWriter(out, CHANGE_FIELDS) as writer:
        try:
            for last in items:
                if bar is None:
                    bar = render.Progress(last["total"], initial=last["processed_before"],
                                          desc=f"job {job_id}", unit=" customers",
                                          quiet=render.quiet_progress(quiet),
                                          started=started)
                for change in last["changes"]:
                    writer.write(change)
                bar.update_to(last["processed"], last["total"])
        finally:
            if bar is not None:
                bar.close()
    if last is None:
        raise Failure(f"job {job_id} reported no progress")
    return {
        "job_id": job_id, "dry_run": dry_run, "total": last["total"], "processed": last["processed"],
        "changed": last["changed"], "resumed": last["resumed"],
        "processed_before": last["processed_before"], "summary": list(last["summary"]), "out": out,
    }


def result_text(data: Mapping) -> str:
    mode = "dry run" if data["dry_run"] else "applied"
    resumed = f" (resumed after {data['processed_before']:,})" if data["resumed"] else ""
    lines = [f"Job {data['job_id']} ({mode}): {data['processed']:,} customers, {data['changed']:,} changed{resumed}"]
    lines += [f"  {s['old_dealer_id'] or 'none'} -> {s['new_dealer_id']}: {s['customers']:,}" for s in data["summary"]]
    if data["out"]:
        lines.append(f"Changes written to {data['out']}")
    return "\n".join(lines)
