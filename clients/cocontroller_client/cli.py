"""`cocontroller`: the command line for call-centre staff, scripts and operators.

Every subcommand but `serve` talks to a running server (--target). With --json each prints one
JSON object on stdout; without it, text for people. A failure exits non-zero with the message
on stderr.
"""

import argparse
import csv
import datetime as dt
import json
import signal
import sys
import time
from pathlib import Path

from google.protobuf import json_format

from cocontroller.app import CoController, rules_dir
from cocontroller.assignment import ASSIGNMENT_FIELDS, check_assignment_pack
from cocontroller.clock import parse_instant
from cocontroller.packtest import run_cases
from cocontroller.reassign import Scope
from cocontroller.synthetic import generate
from cocontroller.resolution import PRIVACY_FIELDS, check_privacy_pack
from cocontroller.rulepack import RulePackError, load_pack
from cocontroller.v1 import assignment_pb2 as pb
from cocontroller.v1 import resolution_pb2 as rpb

from .client import DEFAULT_TARGET, Client, ClientError

EXIT_USAGE = 2
EXIT_FAILED = 1


def _basis(value: int) -> str:
    return pb.AssignmentBasis.Name(value).removeprefix("ASSIGNMENT_BASIS_")


def _date_text(message) -> str | None:
    if not (message.year or message.month or message.day):
        return None
    return f"{message.year:04d}-{message.month:02d}-{message.day:02d}"


def _time_text(message, present: bool) -> str | None:
    return message.ToDatetime(tzinfo=dt.timezone.utc).isoformat() if present else None


def dealer_json(d: pb.Dealer) -> dict:
    return {
        "id": d.id,
        "name": d.trade_name or d.legal_name,
        "legal_name": d.legal_name,
        "enterprise_number": d.enterprise_number,
        "street": d.street,
        "postcode": d.postcode,
        "town": d.town,
        "lat": d.location.latitude,
        "lon": d.location.longitude,
        "languages": list(d.languages),
        "roles": list(d.roles),
        "active_from": _date_text(d.active_from),
        "active_until": _date_text(d.active_until),
        "active": d.active,
    }


def assignment_json(a: pb.Assignment) -> dict:
    return {
        "customer_id": a.customer_id or None,
        "dealer_id": a.dealer.id,
        "dealer_name": a.dealer.trade_name or a.dealer.legal_name,
        "basis": _basis(a.basis),
        "distance_km": round(a.distance_km, 3),
        "lat": a.point.latitude,
        "lon": a.point.longitude,
        "point_source": a.point_source,
        "explanation": a.explanation,
        "rules_version": a.rules_version,
        "rule_id": a.rule_id,
        "decision_date": _date_text(a.decision_date),
        "stored": a.stored,
        "assignment_id": a.assignment_id or None,
        "valid_from": _time_text(a.valid_from, a.HasField("valid_from")),
        "valid_to": _time_text(a.valid_to, a.HasField("valid_to")),
        "dealer": dealer_json(a.dealer),
        "runners_up": [
            {"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "basis": _basis(r.basis),
             "distance_km": round(r.distance_km, 3), "score": r.score}
            for r in a.runners_up
        ],
        "skipped": [
            {"dealer_id": s.dealer_id, "basis": _basis(s.basis), "reason": s.reason}
            for s in a.skipped
        ],
    }


def _message_json(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _assignment_text(a: dict) -> str:
    d = a["dealer"]
    lines = [
        f"Responsible dealer: {a['dealer_name']} ({a['dealer_id']})",
        f"  {d['street']}, {d['postcode']} {d['town']}"
        + ("" if d["active"] else "  [NOT ACTIVE on the date asked]"),
        f"  languages: {', '.join(d['languages'])}   roles: {', '.join(d['roles'])}",
        f"Basis: {a['basis']} - {a['explanation']}",
        f"Distance: {a['distance_km']:.1f} km from {a['point_source']}",
        f"Decided for {a['decision_date']} by rules {a['rules_version']} ({a['rule_id']})"
        + ("" if a["stored"] else ", not stored"),
    ]
    if a["valid_from"]:
        lines.append(f"Valid from {a['valid_from']}" + (f" to {a['valid_to']}" if a["valid_to"] else ""))
    for r in a["runners_up"]:
        lines.append(f"  runner-up: {r['dealer_name']} ({r['dealer_id']}), {r['basis']}, {r['distance_km']:.1f} km")
    for s in a["skipped"]:
        lines.append(f"  skipped: {s['dealer_id']} ({s['basis']}): {s['reason']}")
    return "\n".join(lines)


def _instant(text: str) -> dt.datetime:
    """ISO 8601; without an offset the time is Brussels time."""
    try:
        return parse_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time") from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def cmd_lookup(client: Client, args) -> tuple[dict, str]:
    if args.customer:
        a = client.responsible_for_customer(args.customer, args.as_of)
    elif args.postcode:
        a = client.responsible_for_location(args.postcode, args.lat, args.lon, args.as_of)
    else:
        raise _UsageError("lookup needs --postcode or --customer")
    data = assignment_json(a)
    return data, _assignment_text(data)


def cmd_assign(client: Client, args) -> tuple[dict, str]:
    response = client.assign(args.customer, args.reason)
    data = dict(assignment_json(response.assignment), changed=response.changed)
    text = _assignment_text(data) + ("\n(new assignment stored)" if response.changed else "\n(unchanged)")
    return data, text


def change_json(c) -> dict:
    return {
        "customer_id": c.customer_id, "old_dealer_id": c.old_dealer_id or None,
        "new_dealer_id": c.new_dealer_id,
        "old_basis": _basis(c.old_basis) if c.old_basis else None, "new_basis": _basis(c.new_basis),
        "reason": c.reason, "trigger": c.trigger or None, "rules_version": c.rules_version or None,
        "at": _time_text(c.at, c.HasField("at")),
    }


def cmd_history(client: Client, args) -> tuple[dict, str]:
    if args.job:
        changes = [change_json(c) for c in client.assignment_changes(job_id=args.job)]
        lines = [f"{len(changes)} assignment change(s) made by job {args.job}:"]
        lines += [f"  {c['customer_id']}: {c['old_dealer_id']} ({c['old_basis']}) -> {c['new_dealer_id']}"
                  f" ({c['new_basis']}) at {c['at']}: {c['reason']}" for c in changes]
        return {"job_id": args.job, "changes": changes}, "\n".join(lines)
    if not args.customer:
        raise _UsageError("history needs --customer or --job")
    items = [assignment_json(a) for a in client.assignments(args.customer)]
    # The same versions, oldest first, with what triggered each and the dealer it replaced.
    changes = list(reversed([change_json(c) for c in client.assignment_changes(customer_id=args.customer)]))
    lines = [f"{len(items)} assignment version(s) for {args.customer}, newest first:"]
    for item, change in zip(items, changes):
        item["trigger"], item["previous_dealer_id"] = change["trigger"], change["old_dealer_id"]
        lines.append(
            f"  {item['valid_from']} .. {item['valid_to'] or 'now'}: {item['dealer_name']} ({item['dealer_id']}),"
            f" {item['basis']}, {item['rules_version']}, by {item['trigger']}: {item['explanation']}"
        )
    return {"customer_id": args.customer, "assignments": items}, "\n".join(lines)


def cmd_customer_upsert(client: Client, args) -> tuple[dict, str]:
    response = client.upsert_customer(
        args.id, args.postcode, args.lat, args.lon, args.lang or "", args.kind,
        args.enterprise_number or "",
    )
    data = dict(_message_json(response.customer), created=response.created)
    verb = "created" if response.created else "updated"
    return data, f"Customer {args.id} {verb}: postcode {response.customer.postcode}, language {response.customer.language}"


def cmd_customer_show(client: Client, args) -> tuple[dict, str]:
    customer = client.get_customer(args.id)
    data = _message_json(customer)
    return data, "\n".join(f"{k}: {v}" for k, v in data.items())


def cmd_record_contact(client: Client, args) -> tuple[dict, str]:
    response = client.record_contact(args.customer, args.dealer, args.kind, args.at, args.event_id or "")
    data = dict(_message_json(response.event), created=response.created)
    verb = "recorded" if response.created else "already recorded"
    return data, f"Contact {response.event.event_id} {verb}"


def cmd_prefer(client: Client, args) -> tuple[dict, str]:
    preference = client.set_preferred_dealer(args.customer, args.dealer, args.at)
    return _message_json(preference), f"{args.customer} now prefers {args.dealer}"


def cmd_unprefer(client: Client, args) -> tuple[dict, str]:
    preference = client.revoke_preferred_dealer(args.customer, args.at)
    return _message_json(preference), f"Preference of {args.customer} for {preference.dealer_id} revoked"


def cmd_dealers(client: Client, args) -> tuple[dict, str]:
    dealers = [dealer_json(d) for d in client.dealers(args.as_of, args.active_only)]
    lines = [f"{'id':26} {'name':30} {'town':22} {'active':6} roles"]
    for d in dealers:
        lines.append(f"{d['id']:26} {d['name'][:30]:30} {d['town'][:22]:22} "
                     f"{'yes' if d['active'] else 'no':6} {','.join(d['roles'])}")
    return {"dealers": dealers}, "\n".join(lines)


def cmd_dealer(client: Client, args) -> tuple[dict, str]:
    d = dealer_json(client.dealer(args.id, args.as_of))
    return d, "\n".join(f"{k}: {v}" for k, v in d.items())


def cmd_postcode(client: Client, args) -> tuple[dict, str]:
    info = _message_json(client.lookup_postcode(args.postcode))
    return info, "\n".join(f"{k}: {v}" for k, v in info.items())


def _enum_name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix).lower()


def resolution_json(r: rpb.ResolveControllersResponse) -> dict:
    def cite(x):
        return {"section": x.citation.section, "text": x.citation.text} if x.HasField("citation") else None

    return {
        "customer_id": r.customer_id,
        "as_of": _date_text(r.as_of),
        "language": r.language,
        "controllers": [
            {"role": c.role, "id": c.id, "name": c.name, "legal_name": c.legal_name, "address": c.address,
             "enterprise_number": c.enterprise_number, "assignment_basis": c.assignment_basis or None,
             "explanation": c.explanation, "label": c.label, "rule_id": c.rule_id, "citation": cite(c)}
            for c in r.controllers
        ],
        "purposes": [
            {"id": p.id, "label": p.label, "group": p.group,
             "legal_basis": _enum_name(rpb.LegalBasis, p.legal_basis, "LEGAL_BASIS_"),
             "article": p.article, "controllers": list(p.controllers), "why": p.why,
             "channel": p.channel or None, "rule_id": p.rule_id, "citation": cite(p)}
            for p in r.purposes
        ],
        "recipients": [
            {"id": x.id, "label": x.label, "name": x.name, "address": x.address, "country": x.country,
             "category": x.category, "purpose": x.purpose, "marketing": x.marketing,
             "channels": list(x.channels), "rule_id": x.rule_id, "citation": cite(x)}
            for x in r.recipients
        ],
        "transfers": [
            {"id": t.id, "label": t.label, "country": t.country,
             "safeguard": _enum_name(rpb.Safeguard, t.safeguard, "SAFEGUARD_"), "article": t.article,
             "applies_to": t.applies_to, "recipients": list(t.recipients), "rule_id": t.rule_id,
             "citation": cite(t)}
            for t in r.transfers
        ],
        "retention": [
            {"id": x.id, "label": x.label, "category": x.category, "method": x.method,
             "anchor": x.anchor or None, "anchor_date": _date_text(x.anchor_date),
             "erase_after": _date_text(x.erase_after), "legal_hold": x.legal_hold, "due": x.due,
             "rule_id": x.rule_id, "citation": cite(x)}
            for x in r.retention
        ],
        "earliest_erase_date": _date_text(r.earliest_erase_date),
        "notices": [{"id": n.id, "label": n.label, "refers_to": n.refers_to, "rule_id": n.rule_id}
                    for n in r.notices],
        "findings": [{"id": f.id, "label": f.label, "severity": f.severity, "code": f.code,
                      "rule_id": f.rule_id} for f in r.findings],
        "rules_version": r.rules_version,
        "fired_rules": list(r.fired_rules),
    }


def _resolution_text(d: dict) -> str:
    lines = [f"Controllers of {d['customer_id']}'s data on {d['as_of']} (rules {d['rules_version']}):"]
    for c in d["controllers"]:
        extra = f" - {c['assignment_basis']}: {c['explanation']}" if c["assignment_basis"] else ""
        lines.append(f"  {c['role']}: {c['name']} ({c['legal_name']}, {c['enterprise_number']}), {c['address']}{extra}")
    lines.append("Purposes:")
    for p in d["purposes"]:
        lines.append(f"  [{p['group']}] {p['label']} - {p['legal_basis']}, art. {p['article']} GDPR"
                     f" ({' + '.join(p['controllers'])})")
    lines.append("Recipients:")
    for x in d["recipients"]:
        channels = f" [{', '.join(x['channels'])}]" if x["marketing"] else ""
        lines.append(f"  {x['name']} ({x['category']}){channels}: {x['purpose']}")
    lines.append("Transfers outside the EEA:")
    for t in d["transfers"]:
        lines.append(f"  {t['country']}: {t['safeguard']} (art. {t['article']}) - {t['applies_to']}")
    lines.append("Retention:")
    for x in d["retention"]:
        when = "legal hold" if x["legal_hold"] else (x["erase_after"] or "open-ended")
        lines.append(f"  {x['label']}: {when}" + (" (DUE)" if x["due"] and not x["legal_hold"] else ""))
    lines.append(f"Earliest erase date: {d['earliest_erase_date'] or 'none'}")
    for n in d["notices"]:
        lines.append(f"Notice: {n['label']} ({n['refers_to']})")
    for f in d["findings"]:
        lines.append(f"Finding [{f['severity']}]: {f['label']}")
    return "\n".join(lines)


def cmd_resolve(client: Client, args) -> tuple[dict, str]:
    data = resolution_json(client.resolve(args.customer, args.as_of, args.lang or ""))
    return data, _resolution_text(data)


def cmd_consent(client: Client, args) -> tuple[dict, str]:
    response = client.record_consent(args.customer, args.channel, args.given, args.withdrawn)
    data = dict(_message_json(response.consent), changed=response.changed)
    state = "given" if args.given else "withdrawn"
    return data, f"{args.channel} consent of {args.customer} {state}" + ("" if response.changed else " (already in force)")


def cmd_contract(client: Client, args) -> tuple[dict, str]:
    response = client.record_contract(args.id, args.customer, args.kind, args.start, args.end,
                                      args.partner or "", args.dealer or "")
    data = dict(_message_json(response.contract), created=response.created)
    return data, f"Contract {args.id} ({args.kind}) {'recorded' if response.created else 'updated'}"


def cmd_dispute(client: Client, args) -> tuple[dict, str]:
    dispute = client.record_dispute(args.customer, args.open, args.close, args.subject or "", args.id or 0)
    data = _message_json(dispute)
    state = "opened" if args.open else "closed"
    return data, f"Dispute {dispute.id} of {args.customer} {state}"


def cmd_rules_list(client: Client, args) -> tuple[dict, str]:
    packs = [_message_json(p) for p in client.rule_packs()]
    return {"packs": packs}, "\n".join(f"{p['name']}@{p['version']}: {p.get('rules', 0)} rules ({p['path']})" for p in packs)


def cmd_rules_reload(client: Client, args) -> tuple[dict, str]:
    packs = [_message_json(p) for p in client.reload_rule_packs()]
    return {"packs": packs}, "Reloaded: " + ", ".join(f"{p['name']}@{p['version']}" for p in packs)


def _local_packs(directory: str | None):
    """The shipped packs (or those of another rules directory), loaded and checked."""
    root = Path(directory) if directory else rules_dir()
    packs = []
    for path, fields, check in (
        (root / "assignment" / "assignment.yaml", ASSIGNMENT_FIELDS, check_assignment_pack),
        (root / "privacy" / "privacy.yaml", PRIVACY_FIELDS, check_privacy_pack),
    ):
        pack = load_pack(path, fields)
        check(pack)
        packs.append(pack)
    return packs


def cmd_rules_check(args) -> tuple[dict, str]:
    packs = _local_packs(args.dir)
    data = {"packs": [{"name": p.name, "version": p.version, "path": str(p.path), "rules": len(p.rules)} for p in packs]}
    return data, "\n".join(f"OK {p.qualified_version}: {len(p.rules)} rules ({p.path})" for p in packs)


def cmd_rules_test(args) -> tuple[dict, str]:
    results = [r for pack in _local_packs(args.dir) for r in run_cases(pack)]
    failed = [r for r in results if not r.passed]
    lines = [f"{'PASS' if r.passed else 'FAIL'} {r.pack}: {r.name}" + ("" if r.passed else f"\n     expected {r.expected}\n     got      {r.got}") for r in results]
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    data = {"passed": len(results) - len(failed), "failed": len(failed),
            "cases": [{"pack": r.pack, "name": r.name, "passed": r.passed, "expected": r.expected, "got": r.got, "cites": r.cites} for r in results]}
    if failed:
        raise _CaseFailures(data, "\n".join(lines))
    return data, "\n".join(lines)


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _dealer_change_fields(args) -> dict:
    return {
        "legal_name": args.legal_name, "trade_name": args.trade_name,
        "enterprise_number": args.enterprise_number, "street": args.street,
        "postcode": args.postcode, "town": args.town, "lat": args.lat, "lon": args.lon,
        "languages": args.languages, "roles": args.roles,
    }


def cmd_dealer_add(client: Client, args) -> tuple[dict, str]:
    response = client.add_dealer(args.id, _dealer_change_fields(args), args.effective)
    return (dict(dealer_json(response.dealer), change_id=response.change_id),
            f"Dealer {args.id} added from {args.effective} (change {response.change_id})")


def cmd_dealer_update(client: Client, args) -> tuple[dict, str]:
    response = client.update_dealer(args.id, _dealer_change_fields(args), args.effective)
    return (dict(dealer_json(response.dealer), change_id=response.change_id),
            f"Dealer {args.id} updated from {args.effective} (change {response.change_id})")


def cmd_dealer_close(client: Client, args) -> tuple[dict, str]:
    response = client.close_dealer(args.id, args.effective)
    return (dict(dealer_json(response.dealer), change_id=response.change_id),
            f"Dealer {args.id} closed from {args.effective} (change {response.change_id});"
            f" run `cocontroller reassign --dealers {args.id}` to move its customers")


class _Output:
    """The changes of a job, as CSV or JSON lines by the file's extension."""

    FIELDS = ["customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason"]

    def __init__(self, path: str | None):
        self.file = open(path, "w", encoding="utf-8", newline="") if path else None
        self.csv = None
        if path and not path.endswith(".jsonl"):
            self.csv = csv.DictWriter(self.file, self.FIELDS, extrasaction="ignore")
            self.csv.writeheader()

    def write(self, change: dict) -> None:
        if self.csv:
            self.csv.writerow(change)
        elif self.file:
            self.file.write(json.dumps(change, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.file:
            self.file.close()


class _ProgressBar:
    """Count, rate and ETA on stderr: redrawn in place on a terminal, a line every few
    seconds otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def show(self, done: int, total: int, rate: float, eta: float, final: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or (not final and not self.tty and now - self.last < 5):
            return
        self.last = now
        width = 30
        filled = int(width * done / total) if total else width
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}"
                f"  {rate:,.0f}/s  ETA {int(eta) // 60}m{int(eta) % 60:02d}s")
        print(("\r" if self.tty else "") + line, end="\n" if final or not self.tty else "",
              file=sys.stderr, flush=True)


def _run_job(progress_items, args, output: _Output) -> dict:
    """Drives a job's progress stream (remote or local): bar, output file, summary."""
    bar = _ProgressBar(args.quiet)
    last = None
    for last in progress_items:
        for change in last["changes"]:
            output.write(change)
        bar.show(last["processed"], last["total"], last["rate"], last["eta"], last["finished"])
    output.close()
    return last


def _remote_progress(client: Client, args):
    for p in client.reassign(args.job_id, args.postcodes, args.dealers, args.dry_run, args.batch_size):
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed, "rate": p.rate_per_second,
            "eta": p.eta_seconds, "finished": p.finished, "resumed": p.resumed,
            "changes": [change_json(c) for c in p.changes],
            "summary": [{"old_dealer_id": s.old_dealer_id or None, "new_dealer_id": s.new_dealer_id,
                         "customers": s.customers} for s in p.summary],
        }


def _local_progress(args):
    app = CoController(args.db)
    scope = Scope(tuple(args.postcodes), tuple(args.dealers))
    for p in app.reassign(args.job_id, scope, args.dry_run, "cli:local", args.batch_size, args.at, args.workers):
        yield {
            "processed": p.processed, "total": p.total, "changed": p.changed, "rate": p.rate,
            "eta": p.eta_s, "finished": p.finished, "resumed": p.resumed,
            "changes": [c.__dict__ for c in p.changes],
            "summary": [{"old_dealer_id": old, "new_dealer_id": new, "customers": n}
                        for (old, new), n in sorted(p.pairs.items(), key=lambda x: (x[0][0] or "", x[0][1]))]
            if p.finished else [],
        }


def _job_result(last: dict, args) -> tuple[dict, str]:
    data = {"job_id": args.job_id, "dry_run": args.dry_run, "processed": last["processed"],
            "changed": last["changed"], "resumed": last["resumed"], "summary": last["summary"],
            "out": args.out}
    mode = "dry run" if args.dry_run else "applied"
    lines = [f"Job {args.job_id} ({mode}): {last['processed']:,} customers, {last['changed']:,} changed"
             + (" (resumed)" if last["resumed"] else "")]
    lines += [f"  {s['old_dealer_id'] or '(none)'} -> {s['new_dealer_id']}: {s['customers']:,}" for s in last["summary"]]
    if args.out:
        lines.append(f"Changes written to {args.out}")
    return data, "\n".join(lines)


def cmd_reassign(client: Client, args) -> tuple[dict, str]:
    last = _run_job(_remote_progress(client, args), args, _Output(args.out))
    return _job_result(last, args)


def cmd_reassign_local(args) -> tuple[dict, str]:
    last = _run_job(_local_progress(args), args, _Output(args.out))
    return _job_result(last, args)


def cmd_notices(client: Client, args) -> tuple[dict, str]:
    notices = [
        {"id": n.id, "customer_id": n.customer_id, "old_dealer_id": n.old_dealer_id,
         "new_dealer_id": n.new_dealer_id, "trigger": n.trigger,
         "created_at": _time_text(n.created_at, True),
         "exported_at": _time_text(n.exported_at, n.HasField("exported_at"))}
        for n in client.notices(args.pending, args.job)
    ]
    if args.export:
        with open(args.export, "w", encoding="utf-8", newline="") as f:
            if args.export.endswith(".jsonl"):
                f.writelines(json.dumps(n, ensure_ascii=False) + "\n" for n in notices)
            else:
                writer = csv.DictWriter(f, list(notices[0]) if notices else ["id"])
                writer.writeheader()
                writer.writerows(notices)
    marked = client.mark_notices_exported([n["id"] for n in notices]) if args.export and args.mark_exported else 0
    lines = [f"{len(notices)} notice(s)" + (f", written to {args.export}" if args.export else "")
             + (f", {marked} marked exported" if marked else "")]
    lines += [f"  {n['customer_id']}: {n['old_dealer_id']} -> {n['new_dealer_id']} ({n['trigger']})" for n in notices[:50]]
    return {"notices": notices, "marked_exported": marked}, "\n".join(lines)


def cmd_demo_data(args) -> tuple[dict, str]:
    started = time.monotonic()
    counts = generate(args.db, args.customers, args.seed)
    seconds = time.monotonic() - started
    data = {"db": args.db, "customers": args.customers, "seed": args.seed, "rows": counts,
            "seconds": round(seconds, 1)}
    text = f"{args.customers:,} synthetic customers written to {args.db} in {seconds:.1f} s: " + ", ".join(
        f"{n:,} {table}" for table, n in counts.items())
    return data, text


class _CaseFailures(Exception):
    def __init__(self, data, text):
        self.data, self.text = data, text


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cocontroller", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--target", default=DEFAULT_TARGET, help="server host:port")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.set_defaults(handler=handler)
        return p

    serve = sub.add_parser("serve", help="start the gRPC server")
    serve.add_argument("--port", type=int, default=50051)
    serve.add_argument("--host", default="localhost")
    serve.add_argument("--db", default="var/cocontroller.db", help="SQLite file, created if absent")
    serve.set_defaults(handler=None)

    p = command("lookup", cmd_lookup, "the responsible dealer of a customer or a postcode")
    p.add_argument("--postcode")
    p.add_argument("--lat", type=float)
    p.add_argument("--lon", type=float)
    p.add_argument("--customer")
    p.add_argument("--as-of", type=_day, help="YYYY-MM-DD (default today)")

    p = command("assign", cmd_assign, "decide and store a customer's dealer")
    p.add_argument("--customer", required=True)
    p.add_argument("--reason", default="cli")

    p = command("history", cmd_history, "the audit trail: a customer's assignment versions, or a job's changes")
    p.add_argument("--customer")
    p.add_argument("--job")

    customer = sub.add_parser("customer", help="customer records")
    customer_sub = customer.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("upsert", cmd_customer_upsert, "create or update a customer"),
        ("show", cmd_customer_show, "show a customer"),
    ):
        p = customer_sub.add_parser(name, help=help_text)
        p.add_argument("--target", default=DEFAULT_TARGET)
        p.add_argument("--json", action="store_true")
        p.add_argument("--id", required=True)
        p.set_defaults(handler=handler)
        if name == "upsert":
            p.add_argument("--postcode", required=True)
            p.add_argument("--lat", type=float)
            p.add_argument("--lon", type=float)
            p.add_argument("--lang", choices=["nl", "fr", "de", "en"])
            p.add_argument("--kind", choices=["private", "professional"])
            p.add_argument("--enterprise-number")

    p = command("record-contact", cmd_record_contact, "record a contact event (idempotent)")
    p.add_argument("--customer", required=True)
    p.add_argument("--dealer", required=True)
    p.add_argument("--kind", required=True, choices=[
        "purchase", "service_visit", "test_drive_request", "quote", "brochure",
        "showroom_visit", "complaint", "other"])
    p.add_argument("--at", required=True, type=_instant, help="ISO 8601 date-time")
    p.add_argument("--event-id")

    p = command("prefer", cmd_prefer, "designate a preferred dealer")
    p.add_argument("--customer", required=True)
    p.add_argument("--dealer", required=True)
    p.add_argument("--at", type=_instant)

    p = command("unprefer", cmd_unprefer, "revoke the preferred dealer")
    p.add_argument("--customer", required=True)
    p.add_argument("--at", type=_instant)

    p = command("dealers", cmd_dealers, "list the dealer network, or change it (add, update, close)")
    p.add_argument("--as-of", type=_day)
    p.add_argument("--active-only", action="store_true")
    changes = p.add_subparsers(dest="action", metavar="ACTION")
    for name, handler, help_text in (
        ("add", cmd_dealer_add, "a new dealer from --effective on"),
        ("update", cmd_dealer_update, "new details from --effective on (a move, new roles, a new name)"),
        ("close", cmd_dealer_close, "no longer active from --effective on"),
    ):
        c = changes.add_parser(name, help=help_text, description=help_text)
        c.add_argument("--target", default=DEFAULT_TARGET)
        c.add_argument("--json", action="store_true")
        c.add_argument("--id", required=True)
        c.add_argument("--effective", required=True, type=_day)
        c.set_defaults(handler=handler)
        if name == "close":
            continue
        required = name == "add"
        for option in ("--legal-name", "--enterprise-number", "--street", "--postcode", "--town"):
            c.add_argument(option, required=required)
        c.add_argument("--trade-name")
        c.add_argument("--lat", type=float)
        c.add_argument("--lon", type=float)
        c.add_argument("--languages", type=_list, required=required, help="comma-separated: nl,fr,de,en")
        c.add_argument("--roles", type=_list, required=required, help="comma-separated: sales,service")

    p = command("reassign", cmd_reassign, "re-assign customers after a network change (resumable by job id)")
    p.add_argument("--job-id", required=True)
    p.add_argument("--postcodes", type=_list, default=[], help="comma-separated; default all customers")
    p.add_argument("--dealers", type=_list, default=[], help="customers of these dealers")
    p.add_argument("--dry-run", action="store_true", help="compute the difference, write nothing")
    p.add_argument("--out", help="write the changes to FILE (.csv or .jsonl)")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--local", action="store_true", help="run in this process against --db, no server")
    p.add_argument("--db", default="var/cocontroller.db")
    p.add_argument("--at", type=_instant, help="with --local: the decision instant of a new job (default now)")
    p.add_argument("--workers", type=int, help="with --local: decision processes (default: by job size)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = command("notices", cmd_notices, "customers owed a notice because their controller changed")
    p.add_argument("--pending", action="store_true", help="only those not exported yet")
    p.add_argument("--job", default="")
    p.add_argument("--export", help="write them to FILE (.csv or .jsonl)")
    p.add_argument("--mark-exported", action="store_true", help="with --export: mark them exported")

    demo = sub.add_parser("demo-data", help="generate synthetic customers into a database file")
    demo.add_argument("--customers", type=int, required=True)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--db", default="var/cocontroller.db")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(handler=cmd_demo_data, local=True)

    p = command("dealer", cmd_dealer, "show one dealer")
    p.add_argument("--id", required=True)
    p.add_argument("--as-of", type=_day)

    p = command("postcode", cmd_postcode, "look up a Belgian postcode")
    p.add_argument("--postcode", required=True)

    p = command("resolve", cmd_resolve, "the controllers, purposes, recipients, transfers and retention")
    p.add_argument("--customer", required=True)
    p.add_argument("--as-of", type=_day)
    p.add_argument("--lang", choices=["nl", "fr", "en"])

    p = command("consent", cmd_consent, "record consent for a channel, given or withdrawn")
    p.add_argument("--customer", required=True)
    p.add_argument("--channel", required=True, choices=["email", "sms", "phone", "post", "social"])
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--given", type=_instant)
    when.add_argument("--withdrawn", type=_instant)

    p = command("contract", cmd_contract, "record or update a contract")
    p.add_argument("--id", required=True)
    p.add_argument("--customer", required=True)
    p.add_argument("--kind", required=True, choices=["purchase", "lease", "financing", "insurance", "maintenance"])
    p.add_argument("--partner")
    p.add_argument("--dealer")
    p.add_argument("--start", required=True, type=_day)
    p.add_argument("--end", type=_day)

    p = command("dispute", cmd_dispute, "open or close a dispute")
    p.add_argument("--customer", required=True)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--open", type=_instant)
    when.add_argument("--close", type=_instant)
    p.add_argument("--subject")
    p.add_argument("--id", type=int, help="the dispute to close")

    rules = sub.add_parser("rules", help="rule packs")
    rules_sub = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, help_text, local in (
        ("check", cmd_rules_check, "validate the rule pack files", True),
        ("test", cmd_rules_test, "run the cases kept beside each pack", True),
        ("list", cmd_rules_list, "the packs a server uses", False),
        ("reload", cmd_rules_reload, "make a server load the pack files again", False),
    ):
        p = rules_sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true")
        if local:
            p.add_argument("--dir", help="rules directory (default: the shipped rules/)")
            p.set_defaults(handler=handler, local=True)
        else:
            p.add_argument("--target", default=DEFAULT_TARGET)
            p.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        from cocontroller.server import serve

        serve(args.db, args.port, args.host)
        return 0
    if args.command == "customer" and args.action == "upsert" and args.kind is None:
        args.kind = "professional" if args.enterprise_number else "private"
    if args.command == "reassign" and args.local:
        args.handler, args.local = cmd_reassign_local, True
    if args.command == "dealers" and args.action is None:
        args.handler = cmd_dealers
    if getattr(args, "local", False):
        try:
            data, text = args.handler(args)
        except RulePackError as e:
            print(f"cocontroller: {e}", file=sys.stderr)
            return EXIT_FAILED
        except _CaseFailures as e:
            print(json.dumps(e.data, ensure_ascii=False) if args.json else e.text)
            return EXIT_FAILED
        print(json.dumps(data, ensure_ascii=False) if args.json else text)
        return 0
    try:
        with Client(args.target) as client:
            data, text = args.handler(client, args)
    except _UsageError as e:
        print(f"cocontroller: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ClientError as e:
        print(f"cocontroller: {e}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(data, ensure_ascii=False) if args.json else text)
    return 0


def run() -> None:
    """The console script: piped into `head`, stop quietly like any Unix tool."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())


if __name__ == "__main__":
    run()
