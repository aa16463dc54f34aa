"""Output: one JSON object or text for people on stdout, changes to CSV or JSON lines files,
and a progress bar on stderr.

JSON is for programs: enum values as lower-case words (the basis keeps its PURCHASE ...
word), instants as ISO 8601 with their offset, days as YYYY-MM-DD, null where nothing
applies. Text is for people: instants in Brussels time to the second ("2025-03-01 10:00:00
CET"), yes/no, lists joined by commas and "none" where nothing applies; never a Python repr.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import enum
import io
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from .options import BRUSSELS, state

# -- values ------------------------------------------------------------------------------------

_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def iso(instant: dt.datetime | None) -> str | None:
    """An instant for JSON: ISO 8601 in UTC with its offset."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(dt.timezone.utc).isoformat()


def local_time(instant: dt.datetime | str | None) -> str:
    """An instant for people: Brussels time, to the second, with CET or CEST."""
    if instant is None or instant == "":
        return "none"
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M:%S %Z")


def human(value) -> str:
    """One value as a person reads it."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return local_time(value) if _INSTANT.match(value) else value
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {human(v)}" for k, v in value.items()) or "none"
    if isinstance(value, Iterable):
        items = [human(v) for v in value]
        return ", ".join(items) if items else "none"
    return str(value)


def fields_text(data: Mapping, skip: Iterable[str] = ()) -> str:
    """`key: value` lines for a record."""
    skipped = set(skip)
    keys = [k for k in data if k not in skipped]
    width = max((len(k) for k in keys), default=0)
    return "\n".join(f"{k + ':':{width + 1}} {human(data[k])}" for k in keys)


_SCALARS = frozenset({str, int, float, bool})


def plain(value):
    """A value made of dicts, lists, str, int, float, bool and None for json.dumps:
    dataclasses become dicts, enums their value, instants ISO 8601 (UTC), days YYYY-MM-DD."""
    if value is None or type(value) in _SCALARS:
        # most values of a record: returned before the dataclass, enum and mapping checks
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def dumps(data) -> str:
    return json.dumps(plain(data), ensure_ascii=False)


def emit(data, text: str) -> None:
    """The result: `data` as one JSON object with --json, else `text`."""
    click.echo(dumps(data) if state().json else text)


# -- files -------------------------------------------------------------------------------------


class RecordWriter:
    """Records to FILE, as JSON lines if its name ends in .jsonl, else as CSV with the
    `fields` as header (other keys are left out of the CSV).

    The records go to a temporary file beside FILE that replaces it only when the command
    succeeds: a refused or failed job never truncates an earlier FILE, and a reader never
    sees half a file."""

    def __init__(self, path: str | None, fields: list[str]):
        self.path = path
        self.file = None
        self.csv = None
        if path:
            target = Path(path)
            fd, self.temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                                  dir=target.parent if str(target.parent) else ".")
            self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")
            if not str(path).endswith(".jsonl"):
                self.csv = csv.DictWriter(self.file, fields, extrasaction="ignore")
                self.csv.writeheader()

    def write(self, record: Mapping) -> None:
        if self.csv is not None:
            self.csv.writerow({k: ("" if v is None else v) for k, v in plain(record).items()})
        elif self.file is not None:
            self.file.write(dumps(record) + "\n")

    def close(self, succeeded: bool = True) -> None:
        """Puts the file in place when `succeeded`, else removes it."""
        if self.file is None:
            return
        file, self.file = self.file, None
        try:
            if succeeded:
                file.flush()
                os.fsync(file.fileno())
        finally:
            file.close()
        if succeeded:
            os.replace(self.temporary, self.path)
        else:
            os.unlink(self.temporary)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(succeeded=exc_type is None)


def json_document(data) -> str:
    """`data` as a JSON document for a file or a reader: indented, the texts as written."""
    return json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n"


def write_document(text: str, path: str | None) -> None:
    """A whole document on stdout, or into FILE, which it replaces only once written (as
    RecordWriter does): a failed command never leaves half a file."""
    if not path:
        click.echo(text, nl=not text.endswith("\n"))
        return
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                     dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# -- progress ----------------------------------------------------------------------------------


class _Discard:
    """Where the bar draws when stderr is not a terminal: its text is printed as plain lines
    instead, every `Progress.LOG_EVERY` seconds."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def quiet_progress(quiet: bool) -> bool:
    """No bar with --quiet, nor with --json when stderr is no terminal: there a program reads
    stderr, and finds only the JSON error object, if any."""
    ctx = click.get_current_context(silent=True)
    return quiet or (ctx is not None and state(ctx).json and not sys.stderr.isatty())


class Progress:
    """A tqdm bar on stderr for a long command.

    On a terminal tqdm redraws in place; otherwise (a log file, a pipe, CI) a plain line is
    printed every LOG_EVERY seconds and at the end, so logs get no carriage-return spam.
    `initial` is what an earlier run of a resumed job already did: the bar starts there and
    the rate and ETA count only this run's part (tqdm's rate is (n - initial) / elapsed with
    smoothing=0). `started` (a `time.time()`) back-dates the bar to when the work began, for
    a bar made at the first report. `quiet` shows nothing. tqdm loads only when a bar is shown.
    """

    LOG_EVERY = 5.0

    def __init__(self, total: int | None, initial: int = 0, *, desc: str = "", unit: str = "it",
                 quiet: bool = False, file=None, timer=None, started: float | None = None):
        self.file = file if file is not None else sys.stderr
        self.bar = None
        self.last_line = 0.0
        if quiet:
            return
        from tqdm import tqdm

        tty = bool(getattr(self.file, "isatty", lambda: False)())
        self.tty = tty
        # 1.2M customers reads better than 1234567; 6.00/6.00 worse than 6/6
        scale = bool(total and total >= 10_000)
        self.bar = tqdm(total=total, initial=initial, desc=desc or None, unit=unit, unit_scale=scale,
                        file=self.file if tty else _Discard(), smoothing=0, mininterval=0.2,
                        dynamic_ncols=tty, leave=True, delay=0)
        if timer is not None:  # tests drive the clock
            self.bar._time = timer
            self.bar.start_t = self.bar.last_print_t = timer()
        if started is not None:
            # The work began before its first report (a batch done): count from there.
            self.bar.start_t = min(self.bar.start_t, started)
        self.clock = timer or time.monotonic
        self.last_line = self.clock()
        self.logged = initial

    def update_to(self, done: int, total: int | None = None) -> None:
        if self.bar is None:
            return
        if total is not None and total != self.bar.total:
            self.bar.total = total
        if done > self.bar.n:
            self.bar.update(done - self.bar.n)
        if not self.tty and self.clock() - self.last_line >= self.LOG_EVERY:
            self._line()

    def _line(self) -> None:
        self.last_line = self.clock()
        self.logged = self.bar.n
        print(str(self.bar).strip(), file=self.file, flush=True)

    @property
    def rate(self) -> float | None:
        """Items per second in this run (the part after `initial`)."""
        if self.bar is None:
            return None
        d = self.bar.format_dict
        if d.get("rate"):
            return d["rate"]
        return (d["n"] - d["initial"]) / d["elapsed"] if d["elapsed"] else None

    def text(self) -> str:
        return str(self.bar).strip() if self.bar is not None else ""

    def close(self) -> None:
        if self.bar is None:
            return
        if not self.tty and self.bar.n != self.logged:  # the last state, if not logged yet
            self._line()
        self.bar.close()
        self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# -- text for people, from the JSON dicts --------------------------------------------------------


def assignment_text(a: Mapping) -> str:
    d = a["dealer"]
    lines = [
        f"Responsible dealer: {a['dealer_name']} ({a['dealer_id']})",
        f"  {d['street']}, {d['postcode']} {d['town']}"
        + ("" if d["active"] else "  [NOT ACTIVE on the date asked]"),
        f"  languages: {human(d['languages'])}   roles: {human(d['roles'])}",
        f"Basis: {a['basis']} - {a['explanation']}",
        f"Distance: {a['distance_km']:.1f} km from {a['point_source'] or 'the point given'}",
        f"Decided for {a['decision_date']} by rules {a['rules_version']} ({a['rule_id']})"
        + ("" if a["stored"] else ", not stored"),
    ]
    if a["valid_from"]:
        lines.append(f"Valid from {local_time(a['valid_from'])}"
                     + (f" to {local_time(a['valid_to'])}" if a["valid_to"] else ""))
    for r in a["runners_up"]:
        lines.append(f"  runner-up: {r['dealer_name'] or r['dealer_id']} ({r['dealer_id']}), {r['basis']},"
                     f" {r['distance_km']:.1f} km")
    for s in a["skipped"]:
        lines.append(f"  skipped: {s['dealer_id']} ({s['basis']}): {s['reason']}")
    return "\n".join(lines)


def change_line(c: Mapping) -> str:
    old = f"{c['old_dealer_id']} ({c['old_basis']})" if c["old_dealer_id"] else "none"
    at = f" at {local_time(c['at'])}" if c.get("at") else ""
    return f"  {c['customer_id']}: {old} -> {c['new_dealer_id']} ({c['new_basis']}){at}: {c['reason']}"


def dealers_table(dealers: list[Mapping]) -> str:
    lines = [f"{'id':26} {'name':30} {'town':22} {'active':6} roles"]
    for d in dealers:
        lines.append(f"{d['id']:26} {d['name'][:30]:30} {d['town'][:22]:22} "
                     f"{human(d['active']):6} {human(d['roles'])}")
    return "\n".join(lines)


def export_text(d: Mapping, language: str) -> str:
    """Everything held about a customer as the customer reads it, in `language`: the
    headings and the model's words from words.py, the policy's texts as the server wrote
    them in that language, days as YYYY-MM-DD."""
    from . import words

    def w(key: str) -> str:
        return words.WORDS[key][language]

    def day_of(instant: str | None) -> str:
        return instant[:10] if instant else ""

    def retracted(x: Mapping) -> str:
        """A retracted fact's mark (GDPR art. 16): when, and why."""
        return f" - {w('retracted')} {day_of(x['retracted_at'])}: {x['retraction_reason']}" if x["retracted_at"] else ""

    r = d["resolution"]
    c = d["customer"]
    out = [words.HEADINGS["title"][language].format(id=c["id"], day=r["as_of"])]

    def section(key: str, lines: list[str]) -> None:
        out.extend(["", words.HEADINGS[key][language]])
        out.extend(f"  {line}" for line in lines) if lines else out.append(f"  {w('none')}")

    section("record", [f"{w('postcode')}: {c['postcode']}, {w('language')}: {c['language'] or ''}"]
            + [f"{w('until')} {day_of(v['superseded_at'])}: {w('postcode')}: {v['postcode']}, "
               f"{w('language')}: {v['language'] or ''}" for v in d["earlier_versions"]])
    section("contacts", [f"{day_of(x['occurred_at'])} {words.CONTACT_KINDS[x['kind']][language]}"
                         f" ({x['dealer_id'] or w('brand')})"
                         + retracted(x) for x in d["contacts"]])
    section("preferences", [f"{x['dealer_id']}: {w('since')} {day_of(x['designated_at'])}"
                            + (f", {w('revoked')} {day_of(x['revoked_at'])}" if x["revoked_at"] else "")
                            for x in d["preferences"]])
    section("consents", [f"{words.CHANNELS[x['channel']][language]}: {w('given')} {day_of(x['given_at'])}"
                         + (f" ({x['proof']['wording']}; {words.SOURCES[x['proof']['source']][language]}; "
                            f"{x['proof']['reference']})" if x["proof"] else "")
                         + (f", {w('withdrawn')} {day_of(x['withdrawn_at'])}" if x["withdrawn_at"] else "")
                         + retracted(x) for x in d["consents"]])
    section("contracts", [f"{words.CONTRACT_KINDS[x['kind']][language]}: {x['start']}"
                          + (f" {w('until')} {x['end']}" if x["end"] else "")
                          + (f" ({w('partner')}: {x['partner']})" if x["partner"] else "")
                          + retracted(x) for x in d["contracts"]]
            + [f"{words.CONTRACT_KINDS[x['kind']][language]}: {x['start']}"
               + (f" {w('until')} {x['end']}" if x["end"] else "")
               + (f" ({w('corrected')} {day_of(x['superseded_at'])}: {x['correction_reason']})"
                  if x["correction_reason"] else f" ({w('until')} {day_of(x['superseded_at'])})")
               for x in d["earlier_contract_versions"]])
    section("disputes", [f"{x['subject']}: {w('opened')} {day_of(x['opened_at'])}"
                         + (f", {w('closed')} {day_of(x['closed_at'])}" if x["closed_at"] else "")
                         + retracted(x) for x in d["disputes"]])
    section("objections", [(w("direct_marketing") if x["purpose"] == "direct_marketing" else x["purpose"])
                           + f": {w('from')} {day_of(x['objected_at'])}" for x in d["objections"]])
    section("assignments", [f"{day_of(a['valid_from'])}: {a['dealer']['name']} - {a['explanation']}"
                            for a in d["assignments"]])
    section("notices", [f"{day_of(n['created_at'])}: {n['old_dealer_id']} -> {n['new_dealer_id']}"
                        for n in d["notices"]])
    section("controllers", [f"{x['label']}: {x['name']}, {x['address']}" for x in r["controllers"]])
    section("purposes", [f"{p['label']} ({_GDPR_ARTICLE[language].format(p['article'])})" for p in r["purposes"]])
    section("recipients", [f"{x['name']}: {x['purpose']}" for x in r["recipients"]])
    section("transfers", [f"{t['label']}: {t['article']}" for t in r["transfers"]])
    section("retention", [f"{x['label']}: " + (w("legal_hold") if x["legal_hold"] else
                                                 f"{w('erase_after')} {x['erase_after']}" if x["erase_after"]
                                                 else w("kept")) for x in r["retention"]])
    return "\n".join(out)


# How each language cites an article of the GDPR (its own name for the regulation).
_GDPR_ARTICLE = {"nl": "art. {} AVG", "fr": "art. {} RGPD", "de": "Art. {} DSGVO", "en": "Art. {} GDPR"}


def arrangement_text(a) -> str:
    """The arrangement as a data subject reads it: the pack's own texts only, in its
    language; the pack's version and day first."""
    lines = [f"{a.pack}, {a.as_of.isoformat()}", ""]
    for party in a.parties:
        lines.append(party.label)
        if party.name:
            lines.append(f"  {party.name} ({party.legal_name}), {party.address}, {party.enterprise_number}")
    for share in a.shares:
        lines += ["", share.allocation]
        lines += [f"  - {p.label} ({_GDPR_ARTICLE[a.language].format(p.article)})" for p in share.purposes]
    return "\n".join(lines)


# The record of processing as CSV: one row per purpose, these columns. A cell of several values
# joins them with " | ": the texts themselves hold commas and semicolons.
ROPA_FIELDS = [
    "purpose", "group", "label", "legal_basis", "article", "fides_legal_bases", "controllers", "data_subjects",
    "data_categories", "data_category_labels", "fides_data_use", "fides_data_categories", "channel", "allocation",
    "recipients", "transfers", "retention", "rule", "citation_section", "citation",
]
_JOIN = " | "


def ropa_csv(r) -> str:
    """The record of processing as CSV, one row per purpose. The policy states recipients,
    transfers and retention for the processing as a whole (its sections 4 and 5), not per
    purpose, so every row carries them all; the JSON document lists them once."""
    categories = {c.id: c for c in r.data_categories}
    whole = {
        "recipients": _JOIN.join(x.label for x in r.recipients),
        "transfers": _JOIN.join(f"{t.label} ({t.article})" for t in r.transfers),
        "retention": _JOIN.join(f"{x.category}: {x.label}" for x in r.retention),
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, ROPA_FIELDS)
    writer.writeheader()
    for p in r.purposes:
        writer.writerow({
            "purpose": p.id, "group": p.group, "label": p.label, "legal_basis": p.legal_basis, "article": p.article,
            "fides_legal_bases": _JOIN.join(p.fides_legal_bases), "controllers": _JOIN.join(p.controllers),
            "data_subjects": _JOIN.join(p.data_subjects), "data_categories": _JOIN.join(p.data_categories),
            "data_category_labels": _JOIN.join(categories[c].label for c in p.data_categories),
            "fides_data_use": p.fides_data_use,
            "fides_data_categories": _JOIN.join(dict.fromkeys(
                key for c in p.data_categories for key in categories[c].fides_categories)),
            "channel": p.channel or "", "allocation": p.allocation, **whole,
            "rule": p.rule, "citation_section": p.citation.section, "citation": p.citation.text,
        })
    return out.getvalue()


def resolution_text(d: Mapping) -> str:
    lines = [f"Controllers of {d['customer_id']}'s data on {d['as_of']} (rules {d['rules_version']}):"]
    for c in d["controllers"]:
        extra = f" - {c['assignment_basis']}: {c['explanation']}" if c["assignment_basis"] else ""
        lines.append(f"  {c['role']}: {c['name']} ({c['legal_name']}, {c['enterprise_number']}),"
                     f" {c['address']}{extra}")
    lines.append("Purposes:")
    for p in d["purposes"]:
        lines.append(f"  [{p['group']}] {p['label']} - {p['legal_basis']}, art. {p['article']} GDPR"
                     f" ({' + '.join(p['controllers'])})")
    lines.append("Recipients:")
    for x in d["recipients"]:
        channels = f" [{human(x['channels'])}]" if x["marketing"] else ""
        lines.append(f"  {x['name']} ({x['category']}){channels}: {x['purpose']}")
    lines.append("Transfers outside the EEA:" + ("" if d["transfers"] else " none"))
    for t in d["transfers"]:
        lines.append(f"  {t['country']}: {t['safeguard']} (art. {t['article']}) - {t['applies_to']}")
    lines.append("Retention:" + ("" if d["retention"] else " none"))
    for x in d["retention"]:
        when = "legal hold" if x["legal_hold"] else (x["erase_after"] or "open-ended")
        lines.append(f"  {x['label']}: {when}" + (" (DUE)" if x["due"] and not x["legal_hold"] else ""))
    lines.append(f"Earliest erase date: {d['earliest_erase_date'] or 'none'}")
    for n in d["notices"]:
        lines.append(f"Notice: {n['label']} ({n['refers_to']})")
    for f in d["findings"]:
        lines.append(f"Finding [{f['severity']}]: {f['label']}")
    return "\n".join(lines)
