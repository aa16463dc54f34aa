"""Drives a re-assignment job's progress, from a server's stream or from a local run alike:
the progress bar, the changes file and the result."""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from . import render
from .exits import Failure

CHANGE_FIELDS = ["customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason"]


def remote_items(client, job_id: str, postcodes, dealers, dry_run: bool, batch_size: int,
                 at=None) -> Iterator[dict]:
    """The server's progress messages as dicts. A resumed job's messages say what earlier
    runs had done (`processed_before`): that is where the bar starts, so that its rate and
    ETA count only this run's part."""
    from . import convert

    for p in client.reassign(job_id, list(postcodes), list(dealers), dry_run, batch_size, at):
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed,
            "finished": p.finished, "resumed": p.resumed, "processed_before": p.processed_before,
            "changes": [convert.change(c) for c in p.changes],
            "summary": [convert.pair_count(s) for s in p.summary],
        }


def remote_stored_changes(client, job_id: str) -> list[dict]:
    """Every change an applied job has stored, this run's and its earlier runs'."""
    from . import convert

    return [convert.change(c) for c in client.assignment_changes(job_id=job_id)]


def local_items(progress: Iterable) -> Iterator[dict]:
    """`model.JobProgress` items of a local run as the same dicts."""
    for p in progress:
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed,
            "finished": p.finished, "resumed": p.resumed, "processed_before": p.processed_before,
            "changes": [_change(c) for c in p.changes],
            "summary": [render.plain(s) for s in p.summary],
        }


def _change(change) -> dict:
    """`render.plain(change)` for a local run's `model.Change` (a dataclass), without plain's
    walk of it: the job's one writing process converts every change (a million in a first
    assignment of everyone), and the walk cost it about as much as writing them."""
    names = _FIELDS.get(type(change))
    if names is None:
        if not dataclasses.is_dataclass(change):
            return render.plain(change)
        names = _FIELDS[type(change)] = tuple(f.name for f in dataclasses.fields(change))
    return {name: _plain_value(getattr(change, name)) for name in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain_value(value):
    if value is None or type(value) is str:
        return value
    if isinstance(value, enum.Enum) and type(value.value) is str:
        return value.value
    return render.plain(value)


def drive(items: Iterable[Mapping], *, job_id: str, dry_run: bool, out: str | None, quiet: bool,
          stored: Callable[[], Iterable[Mapping]] | None = None) -> dict:
    """Runs the job to its end: writes this run's changes to `out` as they come, then those
    of the job's earlier runs (every change `stored` lists that this run did not make), so a
    resumed job's file holds all of the job's changes. Asked only at the end: an earlier run
    cut off a moment ago may still be committing its last batch when this one starts.
    Shows the bar; returns the result object."""
    bar = None
    last = None
    started = time.time()
    written: set[str] = set()
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
                    written.add(change["customer_id"])
                bar.update_to(last["processed"], last["total"])
        finally:
            if bar is not None:
                bar.close()
        if stored is not None and last is not None and last["resumed"]:
            for change in stored():
                if change["customer_id"] not in written:
                    writer.write(change)
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
