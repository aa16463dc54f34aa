"""`customer retract` and `customer correct`: the data subject's rectification (GDPR art.
16) of a recorded contact, consent, contract or dispute, with a reason. Both talk to a
server, as the privacy team (dpo or admin)."""

from __future__ import annotations

import click

from cocontroller.model import Channel, ConsentSource, ContactKind, ContractKind, RectifiableKind

from . import render
from .options import DAY, INSTANT, choice, client_options, option, state

AS_RECORDED = "as recorded"


def _convert():
    from . import convert  # the generated protobuf code loads here, not at start-up

    return convert


def _reason(f):
    return option("--reason", required=True, metavar="TEXT",
                  help="Why, kept with the fact: the data subject's request, a ticket (at most 300 characters).")(f)


def _emit(kind: str, response) -> None:
    data = dict(_convert().rectification(response), kind=kind)
    retracted, correction = data["retracted"], data["correction"]
    name = retracted.get("event_id") or retracted["id"]
    if correction is None:
        text = f"{kind.capitalize()} {name} of {retracted['customer_id']} retracted ({retracted['retraction_reason']})"
    elif kind == RectifiableKind.CONTRACT:
        text = f"Contract {name} of {retracted['customer_id']} corrected ({retracted['retraction_reason']})"
    else:
        now = correction.get("event_id") or correction["id"]
        text = (f"{kind.capitalize()} {name} of {retracted['customer_id']} retracted "
                f"({retracted['retraction_reason']}) and corrected: now {kind} {now}")
    render.emit(data, text + ("" if data["changed"] else " (done before: unchanged)"))


@click.command()
@option("--customer", required=True, metavar="ID", help="The customer.")
@option("--kind", required=True, type=choice(RectifiableKind), help="What kind of fact.")
@option("--id", "fact_id", required=True, metavar="FACT_ID",
        help="The fact: a contact's event id, a contract's id, a consent's or a dispute's number.")
@_reason
@client_options
def retract(customer, kind, fact_id, reason):
    """Retract a recorded fact that is wrong (GDPR art. 16), with the reason.

    Nothing is deleted: from now on no answer and no list counts the fact, `customer
    export` shows it with when and why it was retracted, and an answer asked with
    --known-on before now is the one given then. Retracting a contact re-assigns the
    customer. Retracting again for the same reason changes nothing.

    \b
    Examples:
      cocontroller --identity dpo customer retract --customer crm-000123 --kind contact --id dms-889 \\
          --reason "request 2025-17: not this customer's visit"
      cocontroller customer retract --customer crm-000123 --kind dispute --id 4 --reason "opened in error" --json
    """
    _emit(kind, state().client().retract_fact(customer, kind, fact_id, reason))


@click.group()
def correct():
    """Correct a recorded fact (GDPR art. 16): the fact is retracted and the corrected one
    recorded in its place, with the reason.

    Give only what changes; the rest keeps its recorded value. A contract is corrected as a
    new version of itself. `customer export` shows both, and an answer asked with
    --known-on before now is the one given then.

    \b
    Examples:
      cocontroller customer correct consent --customer crm-000123 --id 12 --given 2025-03-02T10:00 \\
          --reason "request 2025-18: the form was sent a day later"
      cocontroller customer correct contact --customer crm-000123 --id dms-889 --dealer dlr-gent --reason "wrong dealer"
    """


def _fact_options(id_help: str):
    """--customer, --id and --reason, in that order."""

    def decorate(f):
        f = option("--id", "fact_id", required=True, metavar="FACT_ID", help=id_help)(_reason(f))
        return option("--customer", required=True, metavar="ID", help="The customer.")(f)

    return decorate


def _given(**values) -> dict:
    """The values given on the command line: those that change."""
    return {name: value for name, value in values.items() if value is not None}


@correct.command("contact")
@_fact_options("The contact's event id.")
@option("--dealer", metavar="DEALER_ID", show_default=AS_RECORDED, help="The dealer the contact was with.")
@option("--kind", type=choice(ContactKind), show_default=AS_RECORDED, help="What happened.")
@option("--at", type=INSTANT, show_default=AS_RECORDED, help="When: ISO 8601; without an offset, Brussels time.")
@option("--event-id", show_default="one derived from the content",
        help="The corrected contact's own event id (the source system's).")
@client_options
def correct_contact(customer, fact_id, reason, dealer, kind, at, event_id):
    """Correct a contact's dealer, kind or time; the customer is re-assigned.

    \b
    Examples:
      cocontroller customer correct contact --customer crm-000123 --id dms-889 --dealer dlr-gent --reason "wrong dealer"
      cocontroller customer correct contact --customer crm-000123 --id dms-889 --kind quote --at 2025-04-02T08:30 \\
          --event-id dms-889b --reason "ticket 4711" --json
    """
    fields = _given(dealer_id=dealer, kind=str(kind) if kind else None, occurred_at=at, event_id=event_id)
    _emit("contact", state().client().correct_fact(customer, "contact", fact_id, reason, **fields))


@correct.command("consent")
@_fact_options("The consent's number.")
@option("--channel", type=choice(Channel), show_default=AS_RECORDED, help="The marketing channel.")
@option("--given", type=INSTANT, show_default=AS_RECORDED, help="When consent was given (ISO 8601).")
@option("--withdrawn", type=INSTANT, show_default=AS_RECORDED, help="When consent was withdrawn (ISO 8601).")
@option("--not-withdrawn", is_flag=True, help="The consent was never withdrawn: its withdrawal goes.")
@option("--wording", show_default=AS_RECORDED, help="With --source and --proof: the wording agreed to, or its version.")
@option("--source", type=choice(ConsentSource), show_default=AS_RECORDED,
        help="With --wording and --proof: where the consent was given.")
@option("--proof", "reference", metavar="REFERENCE", show_default=AS_RECORDED,
        help="With --wording and --source: where the evidence is kept.")
@client_options
def correct_consent(customer, fact_id, reason, channel, given, withdrawn, not_withdrawn, wording, source, reference):
    """Correct a consent's channel, times or proof; it is recorded anew under a new number.

    The proof is replaced whole: give --wording, --source and --proof together.

    \b
    Examples:
      cocontroller customer correct consent --customer crm-000123 --id 12 --given 2025-03-02T10:00 \\
          --reason "request 2025-18: the form was sent a day later"
      cocontroller customer correct consent --customer crm-000123 --id 12 --not-withdrawn --reason "ticket 4712" --json
    """
    if withdrawn is not None and not_withdrawn:
        raise click.UsageError("give --withdrawn or --not-withdrawn, not both")
    proof = (wording, source, reference)
    if any(part is not None for part in proof) and any(part is None for part in proof):
        raise click.UsageError("the proof is replaced whole: give --wording, --source and --proof together")
    fields = _given(channel=str(channel) if channel else None, given_at=given, withdrawn_at=withdrawn,
                    wording=wording, source=str(source) if source else None, reference=reference)
    _emit("consent", state().client().correct_fact(customer, "consent", fact_id, reason,
                                                   clear=["withdrawn_at"] if not_withdrawn else [], **fields))


@correct.command("contract")
@_fact_options("The contract's id.")
@option("--kind", type=choice(ContractKind), show_default=AS_RECORDED, help="What kind of contract.")
@option("--partner", show_default=AS_RECORDED, help="The financing, leasing or insurance partner (\"\" for none).")
@option("--dealer", metavar="DEALER_ID", show_default=AS_RECORDED, help="The dealer that sold it (\"\" for none).")
@option("--start", type=DAY, show_default=AS_RECORDED, help="The first day.")
@option("--end", type=DAY, show_default=AS_RECORDED, help="The last day.")
@option("--open-ended", is_flag=True, help="The contract has no last day: its end goes.")
@client_options
def correct_contract(customer, fact_id, reason, kind, partner, dealer, start, end, open_ended):
    """Correct a contract: a new version of it, the one replaced kept with the reason.

    \b
    Examples:
      cocontroller customer correct contract --customer crm-000123 --id lease-1 --end 2028-02-28 --reason "ticket 4713"
      cocontroller customer correct contract --customer crm-000123 --id lease-1 --open-ended --reason "no end" --json
    """
    if end is not None and open_ended:
        raise click.UsageError("give --end or --open-ended, not both")
    fields = _given(kind=str(kind) if kind else None, partner=partner, dealer_id=dealer, start=start, end=end)
    _emit("contract", state().client().correct_fact(customer, "contract", fact_id, reason,
                                                    clear=["end"] if open_ended else [], **fields))


@correct.command("dispute")
@_fact_options("The dispute's number.")
@option("--subject", show_default=AS_RECORDED, help="What it is about.")
@option("--open", "opened", type=INSTANT, show_default=AS_RECORDED, help="When it opened (ISO 8601).")
@option("--close", "closed", type=INSTANT, show_default=AS_RECORDED, help="When it closed (ISO 8601).")
@option("--still-open", is_flag=True, help="The dispute never closed: its closure goes.")
@client_options
def correct_dispute(customer, fact_id, reason, subject, opened, closed, still_open):
    """Correct a dispute's subject or times; it is recorded anew under a new number.

    \b
    Examples:
      cocontroller customer correct dispute --customer crm-000123 --id 4 --open 2025-02-11T09:00 --reason "ticket 4714"
      cocontroller customer correct dispute --customer crm-000123 --id 4 --still-open --reason "closed in error" --json
    """
    if closed is not None and still_open:
        raise click.UsageError("give --close or --still-open, not both")
    fields = _given(subject=subject, opened_at=opened, closed_at=closed)
    _emit("dispute", state().client().correct_fact(customer, "dispute", fact_id, reason,
                                                   clear=["closed_at"] if still_open else [], **fields))
