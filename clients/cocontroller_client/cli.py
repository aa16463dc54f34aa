"""`cocontroller`: the command line for call-centre staff, scripts and operators.

Every subcommand but `serve` talks to a running server (--target). With --json each prints one
JSON object on stdout; without it, text for people. A failure exits non-zero with the message
on stderr.
"""

import argparse
import datetime as dt
import json
import sys

from google.protobuf import json_format

from cocontroller.clock import parse_instant
from cocontroller.v1 import assignment_pb2 as pb

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


def cmd_history(client: Client, args) -> tuple[dict, str]:
    items = [assignment_json(a) for a in client.assignments(args.customer)]
    lines = [f"{len(items)} assignment version(s) for {args.customer}, newest first:"]
    for a in items:
        lines.append(
            f"  {a['valid_from']} .. {a['valid_to'] or 'now'}: {a['dealer_name']} ({a['dealer_id']}),"
            f" {a['basis']}, {a['rules_version']}: {a['explanation']}"
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

    p = command("history", cmd_history, "a customer's assignment versions")
    p.add_argument("--customer", required=True)

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

    p = command("dealers", cmd_dealers, "list the dealer network")
    p.add_argument("--as-of", type=_day)
    p.add_argument("--active-only", action="store_true")

    p = command("dealer", cmd_dealer, "show one dealer")
    p.add_argument("--id", required=True)
    p.add_argument("--as-of", type=_day)

    p = command("postcode", cmd_postcode, "look up a Belgian postcode")
    p.add_argument("--postcode", required=True)
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


if __name__ == "__main__":
    sys.exit(main())
