"""Rectification (GDPR art. 16): a recorded contact, consent, contract or dispute taken back
(retracted) or replaced by its correction, with a reason.

Nothing is deleted or overwritten. A retracted row keeps when the service took it back
(`retracted_at`, recorded time) and why, so the reads as known before that instant still
see it (store/facts.py) and the export still lists it (art. 15). A correction is a new row
naming the one it corrects (`corrects`); a contract is corrected as a new version of itself,
the version replaced keeping the reason in contract_history."""

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from .. import clock
from ..errors import AlreadyExists, FailedPrecondition, InvalidArgument
from ..model import Consent, Contact, Contract, Dispute, Held, Rectification, RectifiableKind, Retraction
from .customers import contact_from_row
from .db import Database
from .facts import (
    FactRepository, consent_from_row, contract_from_row, dispute_from_row, insert_consent, insert_contact,
    insert_dispute,
)


class _Table(NamedTuple):
    name: str
    id_column: str
    order: str
    from_row: Callable[[dict], Contact | Consent | Contract | Dispute]


_TABLES = {
    RectifiableKind.CONTACT: _Table("contact_events", "event_id", "occurred_at, event_id", contact_from_row),
    RectifiableKind.CONSENT: _Table("consents", "id", "given_at, id", consent_from_row),
    RectifiableKind.CONTRACT: _Table("contracts", "id", "start_date, id", contract_from_row),
    RectifiableKind.DISPUTE: _Table("disputes", "id", "opened_at, id", dispute_from_row),
}
_KINDS = {Contact: RectifiableKind.CONTACT, Consent: RectifiableKind.CONSENT, Contract: RectifiableKind.CONTRACT,
          Dispute: RectifiableKind.DISPUTE}


class RectificationRepository:
    def __init__(self, db: Database, facts: FactRepository):
        self.db = db
        self.facts = facts

    def held(self, kind: RectifiableKind, customer_id: str) -> tuple[Held, ...]:
        """Every fact of one kind held about the customer, retracted ones included, in the
        order the lists use."""
        table = _TABLES[kind]
        rows = self.db.rows(f"SELECT * FROM {table.name} WHERE customer_id = ? ORDER BY {table.order}", [customer_id])
        return tuple(_held(table, row) for row in rows)

    def find(self, kind: RectifiableKind, customer_id: str, fact_id: str | int) -> Held | None:
        """The customer's fact of `kind` with that id, retracted or not; None when the
        customer has none (another customer's fact included)."""
        table = _TABLES[kind]
        rows = self.db.rows(f"SELECT * FROM {table.name} WHERE {table.id_column} = ? AND customer_id = ?",
                            [fact_id, customer_id])
        return _held(table, rows[0]) if rows else None

    def retract(self, held: Held, reason: str) -> Rectification:
        """Marks the fact retracted now, for `reason`. A fact retracted before for the same
        reason is returned as it is (with its correction, if one replaced it); for another
        reason, FailedPrecondition."""
        if held.retraction is not None:
            _check_repeated(held, reason)
            return Rectification(held, self._correction_of(held), changed=False)
        with self.db.transaction():
            return Rectification(self._retract(held, reason), None, changed=True)

    def correct(self, held: Held, reason: str, fact: Contact | Consent | Contract | Dispute) -> Rectification:
        """Retracts the fact and records `fact` in its place, linked to it, in one
        transaction; a contract takes `fact` as its new version. A call that repeats an
        earlier one returns what it did; a correction that changes nothing is
        InvalidArgument."""
        with self.db.transaction():
            if isinstance(fact, Contract):
                return self._correct_contract(held, reason, fact)
            if held.retraction is not None:
                _check_repeated(held, reason)
                correction = self._correction_of(held)
                if correction is None or not _same(correction.fact, fact):
                    raise FailedPrecondition(f"{_named(held)} was retracted before, with another correction")
                return Rectification(held, correction, changed=False)
            if _same(held.fact, fact):
                raise _unchanged()
            fact_id = _id_of(held.fact)
            now = clock.now()
            if isinstance(fact, Contact):
                if self.facts.find_contact(fact.event_id) is not None:
                    raise AlreadyExists(f"event {fact.event_id} is recorded already: retract {fact_id} instead, or "
                                        "give the correction another event id")
                insert_contact(self.db, fact, now, fact_id)
            elif isinstance(fact, Consent):
                self._check_no_overlap(fact, fact_id)
                fact = insert_consent(self.db, fact, now, fact_id)
            else:
                fact = insert_dispute(self.db, fact, now, fact_id)
            return Rectification(self._retract(held, reason, now), Held(fact, corrects=fact_id), changed=True)

    def _retract(self, held: Held, reason: str, now: dt.datetime | None = None) -> Held:
        now = now or clock.now()
        table = _TABLES[_KINDS[type(held.fact)]]
        self.db.execute(f"UPDATE {table.name} SET retracted_at = ?, retraction_reason = ? WHERE {table.id_column} = ?",
                        [clock.to_text(now), reason, _id_of(held.fact)])
        return dataclasses.replace(held, retraction=Retraction(now, reason))

    def _correction_of(self, held: Held) -> Held | None:
        """The fact recorded to correct `held`, if one was."""
        table = _TABLES[_KINDS[type(held.fact)]]
        if table.name == "contracts":
            return None
        rows = self.db.rows(f"SELECT * FROM {table.name} WHERE customer_id = ? AND corrects = ?",
                            [held.fact.customer_id, _id_of(held.fact)])
        return _held(table, rows[0]) if rows else None

    def _correct_contract(self, held: Held, reason: str, contract: Contract) -> Rectification:
        """A contract's correction is its new version; the version replaced keeps the reason.
        Correcting it again to the same version for the same reason changes nothing."""
        if held.retraction is not None:
            raise FailedPrecondition(f"{_named(held)} was retracted: it stands no more to be corrected")
        if held.fact == contract:
            versions = self.facts.earlier_contract_versions(contract.customer_id, contract.id)
            if versions and versions[-1].correction_reason == reason:
                last = versions[-1]
                return Rectification(Held(last.contract, Retraction(last.superseded_at, reason)), held, changed=False)
            raise _unchanged()
        self.facts.upsert_contract(contract, correction_reason=reason)
        replaced = self.facts.earlier_contract_versions(contract.customer_id, contract.id)[-1]
        return Rectification(Held(replaced.contract, Retraction(replaced.superseded_at, reason)), Held(contract),
                             changed=True)

    def _check_no_overlap(self, consent: Consent, corrected: int) -> None:
        """A channel's consents follow one another: the corrected one may not overlap another
        standing consent of its channel."""
        for other in self.facts.consents(consent.customer_id):
            if other.id != corrected and other.channel == consent.channel and _overlap(other, consent):
                raise FailedPrecondition(
                    f"the corrected consent overlaps {consent.channel} consent {other.id} (given "
                    f"{other.given_at.isoformat()}): correct or retract that one first")


def _held(table: _Table, row: dict) -> Held:
    retraction = Retraction(clock.from_text(row["retracted_at"]), row["retraction_reason"]) \
        if row["retracted_at"] else None
    return Held(table.from_row(row), retraction, row.get("corrects"))


def _id_of(fact: Contact | Consent | Contract | Dispute) -> str | int:
    return fact.event_id if isinstance(fact, Contact) else fact.id


def _named(held: Held) -> str:
    return f"{_KINDS[type(held.fact)]} {_id_of(held.fact)}"


def _same(a: Contact | Consent | Dispute | Contract, b: Contact | Consent | Dispute | Contract) -> bool:
    """The same fact but for its id: a correction that changes nothing."""
    if isinstance(a, Contact):
        return dataclasses.replace(a, event_id="") == dataclasses.replace(b, event_id="")
    return dataclasses.replace(a, id=0) == dataclasses.replace(b, id=0)


def _overlap(a: Consent, b: Consent) -> bool:
    return (b.withdrawn_at is None or a.given_at < b.withdrawn_at) and \
        (a.withdrawn_at is None or b.given_at < a.withdrawn_at)


def _check_repeated(held: Held, reason: str) -> None:
    """A retracted fact is taken back once: only a call with the same reason repeats it."""
    if held.retraction.reason != reason:
        raise FailedPrecondition(f"{_named(held)} was retracted at {held.retraction.at.isoformat()} for another "
                                 f"reason")


def _unchanged() -> InvalidArgument:
    return InvalidArgument.of("correction", "states the fact as recorded: give the fields that change, or retract it")
