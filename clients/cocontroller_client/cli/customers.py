"""Commands about one customer: who is responsible (lookup, assign, history), a CRM's lead in
one step (lead), the facts that decide it (customer, record-contact, prefer, unprefer, consent, contract, dispute; their
rectification in rectification.py) and what the two controllers do with the data (resolve).
All talk to a server."""

from __future__ import annotations

import datetime as dt

import click

from cocontroller.model import (
    LABEL_LANGUAGES,
    Channel,
    ConsentSource,
    ContactKind,
    ContractKind,
    CustomerKind,
    Language,
    LeadKind,
)

from . import render
from .options import DAY, INSTANT, choice, client_options, known_on_option, option, state
from .rectification import correct, retract


def _convert():
    from . import convert  # the generated protobuf code loads here, not at start-up

    return convert


@click.command()
@option("--postcode", metavar="POSTCODE", show_default="none: give --customer",
        help="A Belgian postcode (4 digits).")
@option("--lat", type=float, show_default="the postcode's point", help="With --postcode: the exact latitude.")
@option("--lon", type=float, show_default="the postcode's point", help="With --postcode: the exact longitude.")
@option("--customer", metavar="ID", show_default="none: give --postcode",
        help="A customer id; wins over --postcode when both are given.")
@option("--as-of", type=DAY, show_default="today", help="The day the answer is for.")
@known_on_option
@client_options
def lookup(postcode, lat, lon, customer, as_of, known_on):
    """Which dealer is responsible for a customer or a place, and why.

    Read-only: nothing is stored. Use it when a call comes in ("who handles 9000 Gent?"),
    or to see what a customer's assignment was or will be on another day (--as-of). For a
    customer it is the stored assignment in force; for a place, the nearest active dealer.
    --known-on gives the answer as it was given then, before later corrections.

    \b
    Examples:
      cocontroller lookup --postcode 9000
      cocontroller lookup --postcode 9000 --lat 51.05 --lon 3.72
      cocontroller lookup --customer crm-000123 --as-of 2025-06-01 --json
      cocontroller lookup --postcode 9000 --as-of 2026-03-15 --known-on 2026-04-01
    """
    if not customer and not postcode:
        raise click.UsageError("lookup needs --postcode or --customer")
    client = state().client()
    if customer:
        answer = client.responsible_for_customer(customer, as_of, known_on)
    else:
        answer = client.responsible_for_location(postcode, lat, lon, as_of, known_on)
    data = _convert().assignment(answer)
    render.emit(data, render.assignment_text(data))


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer to assign.")
@option("--reason", default="cli", help="Why, for the audit trail.")
@client_options
def assign(customer, reason):
    """Decide a customer's dealer now and store it if it changed.

    Use it after a customer's facts changed outside the usual calls, or to write down the
    current decision with a reason for the audit trail. Prints the dealer and whether a new
    assignment version was stored ("changed").

    \b
    Examples:
      cocontroller assign --customer crm-000123
      cocontroller assign --customer crm-000123 --reason "ticket 4711" --json
    """
    response = state().client().assign(customer, reason)
    data = dict(_convert().assignment(response.assignment), changed=response.changed)
    text = render.assignment_text(data) + ("\n(new assignment stored)" if response.changed else "\n(unchanged)")
    render.emit(data, text)


@click.command()
@option("--customer", metavar="ID", show_default="none: give --job", help="A customer's assignment versions.")
@option("--job", metavar="JOB_ID", show_default="none: give --customer", help="The changes a re-assignment job made.")
@client_options
def history(customer, job):
    """The audit trail: a customer's assignment versions, or the changes a job made.

    Use it to answer "why is this customer with that dealer, since when, and what changed
    it?" (newest first), or to review what a `reassign` job did.

    \b
    Examples:
      cocontroller history --customer crm-000123
      cocontroller history --job close-gent --json
    """
    if not customer and not job:
        raise click.UsageError("history needs --customer or --job")
    convert = _convert()
    client = state().client()
    if job:
        changes = [convert.change(c) for c in client.assignment_changes(job_id=job)]
        lines = [f"{len(changes)} assignment change(s) made by job {job}:"]
        lines += [render.change_line(c) for c in changes]
        render.emit({"job_id": job, "changes": changes}, "\n".join(lines))
        return
    items = [convert.assignment(a) for a in client.assignments(customer)]
    # The same versions, oldest first, with what triggered each and the dealer it replaced.
    changes = list(reversed([convert.change(c) for c in client.assignment_changes(customer_id=customer)]))
    lines = [f"{len(items)} assignment version(s) for {customer}, newest first:"]
    for index, item in enumerate(items):
        change = changes[index] if index < len(changes) else {}
        item["trigger"] = change.get("trigger")
        item["previous_dealer_id"] = change.get("old_dealer_id")
        until = render.local_time(item["valid_to"]) if item["valid_to"] else "now"
        lines.append(f"  {render.local_time(item['valid_from'])} .. {until}:"
                     f" {item['dealer_name']} ({item['dealer_id']}), {item['basis']}")
        lines.append(f"      {item['explanation']}")
        lines.append(f"      rules {item['rules_version']}, trigger {render.human(item['trigger'])},"
                     f" previous dealer {render.human(item['previous_dealer_id'])}")
    render.emit({"customer_id": customer, "assignments": items}, "\n".join(lines))


@click.group()
def customer():
    """Customer records: create or replace one (upsert), change some of its fields (update),
    read one (show), everything held about one (export), a recorded fact about one retracted
    or corrected (retract, correct), or one erased on request (erase).

    \b
    Examples:
      cocontroller customer upsert --id crm-000123 --postcode 9000 --lang nl
      cocontroller customer update --id crm-000123 --postcode 9050
      cocontroller customer show --id crm-000123
      cocontroller customer export --customer crm-000123 --lang fr
      cocontroller customer erase --customer crm-000123 --request-id dsr-2026-0042
      cocontroller customer retract --customer crm-000123 --kind contact --id dms-889 --reason "not this customer"
    """


customer.add_command(retract)
customer.add_command(correct)


@customer.command()
@option("--id", "customer_id", required=True, metavar="ID", help="The CRM's customer id.")
@option("--postcode", required=True, help="Where the customer lives (4 digits).")
@option("--lat", type=float, show_default="the postcode's point", help="The address's latitude.")
@option("--lon", type=float, show_default="the postcode's point", help="The address's longitude.")
@option("--lang", type=choice(Language), show_default="the postcode's language area",
        help="The language to write to the customer in.")
@option("--kind", type=choice(CustomerKind), show_default="private, professional with --enterprise-number",
        help="A private person or a business.")
@option("--enterprise-number", show_default="none", help="A business's enterprise number (BE 0123.456.789).")
@option("--accept-distant-point", is_flag=True,
        help="Keep --lat/--lon even farther than 20 km from the postcode (flagged) instead of refusing them.")
@option("--readmit-erased", is_flag=True,
        help="The subject was erased on request and came back of their own accord: recreate them.")
@client_options
def upsert(customer_id, postcode, lat, lon, lang, kind, enterprise_number, accept_distant_point, readmit_erased):
    """Create a customer, or update one's address, language or kind.

    Call it when the CRM creates or edits a customer; the id is the CRM's. Idempotent: the
    JSON says whether the customer was "created".

    \b
    Examples:
      cocontroller customer upsert --id crm-000123 --postcode 9000 --lang nl
      cocontroller customer upsert --id crm-000124 --postcode 1000 --enterprise-number "BE 0403.425.770" --json
    """
    if kind is None:
        kind = CustomerKind.PROFESSIONAL if enterprise_number else CustomerKind.PRIVATE
    response = state().client().upsert_customer(customer_id, postcode, lat, lon, lang or "", str(kind),
                                                enterprise_number or "", accept_distant_point, readmit_erased)
    data = dict(_convert().customer(response.customer), created=response.created)
    verb = "created" if response.created else "updated"
    render.emit(data, f"Customer {customer_id} {verb}: postcode {data['postcode']},"
                      f" language {render.human(data['language'])}, {render.human(data['kind'])}")


@customer.command()
@option("--id", "customer_id", required=True, metavar="ID", help="The CRM's customer id.")
@option("--postcode", show_default="unchanged", help="A new postcode (4 digits).")
@option("--lat", type=float, show_default="unchanged", help="With --lon: a new point.")
@option("--lon", type=float, show_default="unchanged", help="With --lat: a new point.")
@option("--lang", type=choice(Language), show_default="unchanged", help="A new language to write in.")
@option("--kind", type=choice(CustomerKind), show_default="unchanged", help="A private person or a business.")
@option("--enterprise-number", show_default="unchanged", help="A business's enterprise number.")
@option("--clear", type=click.Choice(["point", "language", "enterprise_number"]), multiple=True, show_default="none",
        help="Empty a field (repeatable): the point falls back to the postcode's, the language to its area's.")
@option("--etag", default="", show_default="none: any version",
        help="Change only the version read (its etag, from `customer show --json`); else exit 5.")
@option("--accept-distant-point", is_flag=True,
        help="Keep --lat/--lon even farther than 20 km from the postcode (flagged) instead of refusing them.")
@client_options
def update(customer_id, postcode, lat, lon, lang, kind, enterprise_number, clear, etag, accept_distant_point):
    """Change some fields of a customer's record, and no other.

    Only the fields given (and those --clear names) change: a new postcode alone keeps the
    language, the kind and the enterprise number. With --etag the change applies only to
    the version read, so two operators cannot overwrite each other unseen. A new address
    re-assigns the customer as an upsert does.

    \b
    Examples:
      cocontroller customer update --id crm-000123 --postcode 9050
      cocontroller customer update --id crm-000123 --lang fr --etag "$(cocontroller --json customer show --id crm-000123 | jq -r .etag)"
      cocontroller customer update --id crm-000123 --clear point
    """
    if (lat is None) != (lon is None):
        raise click.UsageError("give --lat and --lon together")
    changed = state().client().update_customer(
        customer_id, etag, accept_distant_point, clear, postcode=postcode,
        point=(lat, lon) if lat is not None else None, language=lang and str(lang), kind=kind and str(kind),
        enterprise_number=enterprise_number)
    data = _convert().customer(changed)
    render.emit(data, f"Customer {customer_id} updated: postcode {data['postcode']},"
                      f" language {render.human(data['language'])}, {render.human(data['kind'])}")


@customer.command()
@option("--id", "customer_id", required=True, metavar="ID", help="The customer to show.")
@client_options
def show(customer_id):
    """Show a customer record as stored.

    \b
    Examples:
      cocontroller customer show --id crm-000123
      cocontroller customer show --id crm-000123 --json | jq -r .language
    """
    data = _convert().customer(state().client().get_customer(customer_id))
    render.emit(data, render.fields_text(data))


@customer.command()
@option("--customer", "customer_id", required=True, metavar="ID", help="The customer.")
@option("--lang", type=choice(LABEL_LANGUAGES), show_default="the customer's language",
        help="The language of the document and of the policy's texts in it.")
@client_options
def export(customer_id, lang):
    """Everything held about a customer, for an access or portability request (GDPR art. 15, 20).

    The record, every contact, preferred-dealer designation, consent, contract and dispute,
    the assignment history, the notices owed, and today's controllers, purposes,
    recipients, transfers and retention dates: a document in the customer's language, or
    with --json the machine-readable form to hand over (art. 20).

    \b
    Examples:
      cocontroller customer export --customer crm-000123 > access-request.txt
      cocontroller customer export --customer crm-000123 --json > crm-000123.json
    """
    data = _convert().export(state().client().export_customer(customer_id, lang or ""))
    render.emit(data, render.export_text(data, data["resolution"]["language"]))


@customer.command()
@option("--customer", "customer_id", required=True, metavar="ID", help="The customer.")
@option("--request-id", required=True, metavar="ID",
        help="The data subject's request as filed: a retry with the same id returns what was done.")
@client_options
def erase(customer_id, request_id):
    """Erase a customer on their request (GDPR art. 17), but what the law keeps.

    Everything held goes, the contacts counted into anonymous statistics first, except what
    a legal obligation keeps (invoiced sales and services, contracts: restricted to their
    legal purposes until their own date, then erased by the retention sweep) or a legal hold
    (an open dispute: everything, restricted). The subject is remembered only as a keyed
    hash, so a re-import is refused unless readmitted. Prints what was erased and kept, as
    counts of rows: the audit never holds the data.

    \b
    Examples:
      cocontroller customer erase --customer crm-000123 --request-id dsr-2026-0042
      cocontroller customer erase --customer crm-000123 --request-id dsr-2026-0042 --json | jq .outcome
    """
    data = _convert().erasure(state().client().erase_customer(customer_id, request_id))
    render.emit(data, _erasure_text(data))


def _erasure_text(data: dict) -> str:
    outcome = {"erased": "erased: nothing is left",
               "restricted": f"erased but what the law keeps, restricted until {data['erase_on']}",
               "held": "held: an open dispute keeps everything, restricted, until it ends"}[data["outcome"]]
    lines = [f"Request {data['request_id']}: {outcome}"]
    lines += [f"  erased {table}: {rows:,}" for table, rows in sorted(data["erased"].items())]
    lines += [f"  kept {table}: {rows:,}" for table, rows in sorted(data["kept"].items())]
    if not data["scrubbed"]:
        lines.append("  the database's log still holds erased bytes: the next erasure or sweep clears it")
    return "\n".join(lines)


@click.command()
@option("--request-id", required=True, metavar="ID",
        help="The lead's id in the CRM: sending it again returns the first answer and records nothing.")
@option("--customer", required=True, metavar="ID", help="The CRM's customer id (created if new).")
@option("--contact", "contacts", required=True, multiple=True, metavar="KIND[:DEALER_ID]",
        help="What the lead asks for (test_drive, quote, brochure, appointment, information), and the dealer it"
             " came through; without one, a lead for the brand. Repeatable.")
@option("--at", type=INSTANT, show_default="now", help="When the lead came in: ISO 8601.")
@option("--postcode", show_default="unchanged", help="The customer's postcode (required for a new customer).")
@option("--lat", type=float, show_default="the postcode's point", help="With --lon: the address's point.")
@option("--lon", type=float, show_default="the postcode's point", help="With --lat: the address's point.")
@option("--lang", type=choice(Language), show_default="the postcode's language area", help="The customer's language.")
@option("--kind", type=choice(CustomerKind), show_default="private", help="A private person or a business.")
@option("--enterprise-number", show_default="none", help="A business's enterprise number.")
@client_options
def lead(request_id, customer, contacts, at, postcode, lat, lon, lang, kind, enterprise_number):
    """Record a lead in one step: the customer, the lead's contacts, the responsible dealer.

    Creates the customer (or changes only the fields given), records each contact (with a
    dealer, or for the brand), assigns, and prints the responsible dealer with why, all in
    one transaction. Idempotent by --request-id: a retry prints the same answer.

    \b
    Examples:
      cocontroller lead --request-id web-4711 --customer crm-000123 --postcode 9000 --contact test_drive
      cocontroller lead --request-id web-4712 --customer crm-000123 --contact quote:dlr-gent --contact brochure --json
    """
    if (lat is None) != (lon is None):
        raise click.UsageError("give --lat and --lon together")
    parsed = []
    for text in contacts:
        lead_kind, _, dealer = text.partition(":")
        if lead_kind not in set(LeadKind):
            raise click.BadParameter(f"{lead_kind!r} is not one of {', '.join(LeadKind)}", param_hint="--contact")
        parsed.append((lead_kind, at or dt.datetime.now(dt.timezone.utc), dealer))
    response = state().client().create_lead(
        request_id, customer, parsed, postcode=postcode, point=(lat, lon) if lat is not None else None,
        language=lang and str(lang), kind=kind and str(kind), enterprise_number=enterprise_number)
    convert = _convert()
    data = {"customer": convert.customer(response.customer), "customer_created": response.customer_created,
            "contacts": [convert.contact(c) for c in response.contacts],
            "assignment": convert.assignment(response.assignment)}
    render.emit(data, f"Lead {request_id}: customer {customer} {'created' if response.customer_created else 'known'},"
                      f" {len(data['contacts'])} contact(s)\n" + render.assignment_text(data["assignment"]))


@click.command("record-contact")
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--dealer", required=True, metavar="DEALER_ID", help="The dealer the contact was with.")
@option("--kind", required=True, type=choice(ContactKind), help="What happened.")
@option("--at", required=True, type=INSTANT,
        help="When: ISO 8601; without an offset, Brussels time.")
@option("--event-id", show_default="one the server assigns",
        help="The source system's id: recording the same id twice stores it once.")
@client_options
def record_contact(customer, dealer, kind, at, event_id):
    """Record a contact between a customer and a dealer (a purchase, a visit, a quote ...).

    A purchase makes that dealer the customer's controller (basis PURCHASE); other contacts
    count as contact history (HISTORY). Idempotent by --event-id, so a sync can resend.

    \b
    Examples:
      cocontroller record-contact --customer crm-000123 --dealer dlr-aalst --kind purchase --at 2025-03-01T10:00
      cocontroller record-contact --customer crm-000123 --dealer dlr-gent --kind service_visit \\
          --at 2025-04-02T08:30:00+02:00 --event-id dms-889 --json
    """
    response = state().client().record_contact(customer, dealer, str(kind), at, event_id or "")
    data = dict(_convert().contact(response.event), created=response.created)
    verb = "recorded" if response.created else "already recorded"
    render.emit(data, f"Contact {data['event_id']} ({data['kind']} at {render.local_time(data['occurred_at'])}) {verb}")


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--dealer", required=True, metavar="DEALER_ID", help="The dealer the customer designates.")
@option("--at", type=INSTANT, show_default="now", help="When the customer designated it (ISO 8601).")
@client_options
def prefer(customer, dealer, at):
    """Record that a customer designated a preferred dealer (basis PREFERRED).

    A designation wins over contact history and distance, not over a purchase made after it.

    \b
    Examples:
      cocontroller prefer --customer crm-000123 --dealer dlr-gent
      cocontroller prefer --customer crm-000123 --dealer dlr-gent --at 2025-05-01T09:00 --json
    """
    data = _convert().preference(state().client().set_preferred_dealer(customer, dealer, at))
    render.emit(data, f"{customer} now prefers {data['dealer_id']} (since {render.local_time(data['designated_at'])})")


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--at", type=INSTANT, show_default="now", help="When the customer revoked it (ISO 8601).")
@client_options
def unprefer(customer, at):
    """Revoke a customer's preferred dealer; the other bases decide again.

    \b
    Examples:
      cocontroller unprefer --customer crm-000123
      cocontroller unprefer --customer crm-000123 --at 2025-06-01T12:00 --json
    """
    data = _convert().preference(state().client().revoke_preferred_dealer(customer, at))
    render.emit(data, f"Preference of {customer} for {data['dealer_id']} revoked")


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--channel", required=True, type=choice([*Channel, "all"]),
        help="The marketing channel; `all` with --withdrawn withdraws every consent in force.")
@option("--given", type=INSTANT, show_default="none: give --given or --withdrawn",
        help="When consent was given (ISO 8601).")
@option("--withdrawn", type=INSTANT, show_default="none: give --given or --withdrawn",
        help="When consent was withdrawn (ISO 8601).")
@option("--wording", show_default="none: required with --given",
        help="The wording agreed to, or its version (GDPR art. 7(1)).")
@option("--source", type=choice(ConsentSource), show_default="none: required with --given",
        help="Where the consent was given.")
@option("--proof", "reference", metavar="REFERENCE", show_default="none: required with --given",
        help="Where the evidence is kept: a form submission's id, a scan, a call recording.")
@client_options
def consent(customer, channel, given, withdrawn, wording, source, reference):
    """Record marketing consent for one channel, given (with its proof) or withdrawn.

    Consent is per channel (policy section 3); it decides which marketing purposes and
    recipients `resolve` lists from that moment on. Giving consent that is in force
    already changes nothing. Withdrawing is as easy as giving: one channel, or all at once.

    \b
    Examples:
      cocontroller consent --customer crm-000123 --channel email --given 2025-03-01T10:00 \\
        --wording "newsletter-v3" --source web_form --proof form-88412
      cocontroller consent --customer crm-000123 --channel sms --withdrawn 2025-09-01T10:00 --json
      cocontroller consent --customer crm-000123 --channel all --withdrawn 2025-09-01T10:00
    """
    if (given is None) == (withdrawn is None):
        raise click.UsageError("consent needs exactly one of --given and --withdrawn")
    if channel == "all" and given is not None:
        raise click.UsageError("consent is given channel by channel: --channel all goes with --withdrawn")
    response = state().client().record_consent(customer, "" if channel == "all" else str(channel), given, withdrawn,
                                               wording or "", str(source or ""), reference or "")
    consents = [_convert().consent(c) for c in response.consents]
    data = dict(consents[0], changed=response.changed) if channel != "all" else {
        "consents": consents, "changed": response.changed}
    what = "given" if given else "withdrawn"
    channels = channel if channel != "all" else ", ".join(c["channel"] for c in consents)
    render.emit(data, f"{channels} consent of {customer} {what}" + ("" if response.changed else " (already in force)"))


@click.command("object")
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--purpose", required=True, metavar="PURPOSE",
        help="A purpose resting on legitimate interest (its id, as `resolve` shows it), or direct_marketing.")
@option("--at", type=INSTANT, show_default="now", help="When the customer objected (ISO 8601).")
@client_options
def object_(customer, purpose, at):
    """Record a customer's objection (GDPR art. 21) to a purpose, or to direct marketing.

    From that moment `resolve` no longer lists the purpose; an objection to direct marketing
    is absolute and ends every marketing purpose and sender, consent or not. The server
    refuses a purpose that does not rest on legitimate interest, naming those that do.

    \b
    Examples:
      cocontroller object --customer crm-000123 --purpose direct_marketing
      cocontroller object --customer crm-000123 --purpose purpose.quality.evaluation --at 2025-06-01T10:00 --json
    """
    response = state().client().record_objection(customer, purpose, at)
    data = dict(_convert().objection(response.objection), created=response.created)
    render.emit(data, f"objection of {customer} to {purpose} recorded"
                + ("" if response.created else " (it stood already)"))


@click.command()
@option("--id", "contract_id", required=True, metavar="ID", help="The contract's id; the same id updates it.")
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--kind", required=True, type=choice(ContractKind), help="What kind of contract.")
@option("--partner", show_default="none (insurance: Car Security)", help="The financing, leasing or insurance partner.")
@option("--dealer", metavar="DEALER_ID", show_default="none", help="The dealer that sold it.")
@option("--start", required=True, type=DAY, help="The first day.")
@option("--end", type=DAY, show_default="open-ended", help="The last day.")
@client_options
def contract(contract_id, customer, kind, partner, dealer, start, end):
    """Record or update a customer's contract (purchase, lease, financing, insurance ...).

    Contracts decide the contract purposes, the partners as recipients and the retention
    dates that `resolve` shows.

    \b
    Examples:
      cocontroller contract --id lease-1 --customer crm-000123 --kind lease --partner "Fictilease NV" \\
          --start 2025-03-01 --end 2029-02-28
      cocontroller contract --id ins-7 --customer crm-000123 --kind insurance --start 2025-03-01 --json
    """
    response = state().client().record_contract(contract_id, customer, str(kind), start, end, partner or "", dealer or "")
    data = dict(_convert().contract(response.contract), created=response.created)
    render.emit(data, f"Contract {contract_id} ({kind}) {'recorded' if response.created else 'updated'}")


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--open", "opened", type=INSTANT, show_default="none: give --open or --close",
        help="Open a dispute at this time (ISO 8601).")
@option("--close", "closed", type=INSTANT, show_default="none: give --open or --close",
        help="Close the dispute at this time (ISO 8601).")
@option("--subject", show_default="none", help="With --open: what it is about.")
@option("--id", "dispute_id", type=int, show_default="the customer's open dispute",
        help="With --close: the dispute to close.")
@client_options
def dispute(customer, opened, closed, subject, dispute_id):
    """Open or close a dispute with a customer.

    An open dispute puts the customer's data on legal hold: no erase date applies until it
    is closed.

    \b
    Examples:
      cocontroller dispute --customer crm-000123 --open 2025-02-10T09:00 --subject "paint defect"
      cocontroller dispute --customer crm-000123 --close 2025-03-01T09:00 --json
    """
    if (opened is None) == (closed is None):
        raise click.UsageError("dispute needs exactly one of --open and --close")
    data = _convert().dispute(state().client().record_dispute(customer, opened, closed, subject or "", dispute_id or 0))
    render.emit(data, f"Dispute {data['id']} of {customer} {'opened' if opened else 'closed'}")


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--as-of", type=DAY, show_default="today", help="The day the answer is for.")
@option("--lang", type=choice(LABEL_LANGUAGES), show_default="the customer's language",
        help="The language of the labels.")
@known_on_option
@client_options
def resolve(customer, as_of, lang, known_on):
    """Who controls a customer's data and what they do with it, on a day.

    The two joint controllers (the importer and the customer's dealer), the purposes and
    their legal bases, the recipients, the transfers outside the EEA and the retention
    dates, each citing the policy sentence it comes from. Use it to answer a data subject's
    request or to check when data may be erased.

    \b
    Examples:
      cocontroller resolve --customer crm-000123 --lang en
      cocontroller resolve --customer crm-000123 --as-of 2025-06-01 --json | jq .earliest_erase_date
      cocontroller resolve --customer crm-000123 --as-of 2025-06-01 --known-on 2025-06-01
    """
    data = _convert().resolution(state().client().resolve(customer, as_of, lang or "", known_on))
    render.emit(data, render.resolution_text(data))


COMMANDS = [lookup, assign, history, customer, lead, record_contact, prefer, unprefer, consent, object_, contract,
            dispute, resolve]
