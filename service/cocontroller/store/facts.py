"""The facts recorded about customers: contact events, designations of a preferred dealer,
consents per channel, contracts and disputes. Each write checks what only the stored rows
can tell (a reused event id, a consent not in force) and raises the domain error there."""

import datetime as dt

from .. import clock
from ..errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ..model import (
    Channel, Consent, Contact, Contract, ContractKind, CustomerHistory, Dispute, Preference,
)
from .customers import contact_from_row, preference_from_row
from .db import Database


class FactRepository:
    def __init__(self, db: Database):
        self.db = db

    # contacts

    def record_contact(self, contact: Contact) -> tuple[Contact, bool]:
        """Idempotent by event id: a second call with the same event returns the stored one
        and False; an id used for a different event is AlreadyExists."""
        with self.db.transaction():
            stored = self.find_contact(contact.event_id)
            if stored is not None:
                if stored != contact:
                    raise AlreadyExists(f"event {contact.event_id} was recorded before with other content")
                return stored, False
            self.db.execute(
                "INSERT INTO contact_events (event_id, customer_id, dealer_id, kind,"
                " occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                [contact.event_id, contact.customer_id, contact.dealer_id, str(contact.kind),
                 clock.to_text(contact.occurred_at), clock.to_text(clock.now())],
            )
        return contact, True

    def find_contact(self, event_id: str) -> Contact | None:
        rows = self.db.rows("SELECT * FROM contact_events WHERE event_id = ?", [event_id])
        return contact_from_row(rows[0]) if rows else None

    def contacts(self, customer_id: str) -> list[Contact]:
        return [
            contact_from_row(row)
            for row in self.db.rows(
                "SELECT * FROM contact_events WHERE customer_id = ? ORDER BY occurred_at", [customer_id]
            )
        ]

    # preferences

    def set_preference(self, customer_id: str, dealer_id: str, at: dt.datetime) -> Preference:
        """Designates a preferred dealer; a standing designation is revoked at the same
        moment, so at most one stands."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE preferences SET revoked_at = ? WHERE customer_id = ? AND revoked_at IS NULL",
                [clock.to_text(at), customer_id],
            )
            cursor = self.db.execute(
                "INSERT INTO preferences (customer_id, dealer_id, designated_at, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                [customer_id, dealer_id, clock.to_text(at), clock.to_text(clock.now())],
            )
        return Preference(cursor.lastrowid, customer_id, dealer_id, at)

    def revoke_preference(self, customer_id: str, at: dt.datetime) -> Preference:
        with self.db.transaction():
            current = self.standing_preference(customer_id)
            if current is None:
                raise NotFound(f"customer {customer_id!r} has no standing preferred dealer")
            self.db.execute(
                "UPDATE preferences SET revoked_at = ? WHERE id = ?", [clock.to_text(at), current.id]
            )
        return Preference(current.id, customer_id, current.dealer_id, current.designated_at, at)

    def standing_preference(self, customer_id: str) -> Preference | None:
        """The designation not revoked (set_preference keeps at most one)."""
        rows = self.db.rows(
            "SELECT * FROM preferences WHERE customer_id = ? AND revoked_at IS NULL "
            "ORDER BY designated_at DESC, id DESC LIMIT 1",
            [customer_id],
        )
        return preference_from_row(rows[0]) if rows else None

    # consents

    def give_consent(self, customer_id: str, channel: Channel, at: dt.datetime) -> tuple[Consent, bool]:
        """Records consent for a channel from `at`; a consent already in force then is kept
        (False). A later consent on record makes this one a FailedPrecondition."""
        with self.db.transaction():
            for consent in self.consents(customer_id):
                if consent.channel == channel and consent.in_force(at):
                    return consent, False
                if consent.channel == channel and consent.given_at > at:
                    raise FailedPrecondition(
                        f"a later {channel} consent ({consent.given_at.isoformat()}) is on record"
                    )
            cursor = self.db.execute(
                "INSERT INTO consents (customer_id, channel, given_at, recorded_at) VALUES (?, ?, ?, ?)",
                [customer_id, str(channel), clock.to_text(at), clock.to_text(clock.now())],
            )
        return Consent(cursor.lastrowid, customer_id, channel, at), True

    def withdraw_consent(self, customer_id: str, channel: Channel, at: dt.datetime) -> Consent:
        """Ends the consent in force at `at` for a channel."""
        with self.db.transaction():
            current = [c for c in self.consents(customer_id) if c.channel == channel and c.in_force(at)]
            if not current:
                raise FailedPrecondition(
                    f"no {channel} consent of {customer_id!r} is in force at {at.isoformat()}"
                )
            self.db.execute(
                "UPDATE consents SET withdrawn_at = ? WHERE id = ?", [clock.to_text(at), current[0].id]
            )
        return Consent(current[0].id, customer_id, channel, current[0].given_at, at)

    def consents(self, customer_id: str) -> list[Consent]:
        return [
            Consent(row["id"], row["customer_id"], Channel(row["channel"]), clock.from_text(row["given_at"]),
                    clock.from_text(row["withdrawn_at"]) if row["withdrawn_at"] else None)
            for row in self.db.rows(
                "SELECT * FROM consents WHERE customer_id = ? ORDER BY given_at, id", [customer_id]
            )
        ]

    # contracts

    def upsert_contract(self, contract: Contract) -> tuple[Contract, bool]:
        """Creates or updates a contract by id; an id of another customer's contract is
        AlreadyExists."""
        now = clock.to_text(clock.now())
        with self.db.transaction():
            existing = self.db.execute("SELECT customer_id FROM contracts WHERE id = ?", [contract.id]).fetchone()
            if existing and existing[0] != contract.customer_id:
                raise AlreadyExists(f"contract {contract.id} belongs to another customer")
            self.db.execute(
                "INSERT INTO contracts (id, customer_id, kind, partner, dealer_id, start_date, end_date,"
                " recorded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                " SET kind=excluded.kind, partner=excluded.partner, dealer_id=excluded.dealer_id,"
                " start_date=excluded.start_date, end_date=excluded.end_date, updated_at=excluded.updated_at",
                [contract.id, contract.customer_id, str(contract.kind), contract.partner, contract.dealer_id,
                 contract.start_date.isoformat(),
                 contract.end_date.isoformat() if contract.end_date else None, now, now],
            )
        return contract, existing is None

    def contracts(self, customer_id: str) -> list[Contract]:
        return [
            Contract(row["id"], row["customer_id"], ContractKind(row["kind"]), row["partner"] or "",
                     row["dealer_id"], dt.date.fromisoformat(row["start_date"]),
                     dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None)
            for row in self.db.rows(
                "SELECT * FROM contracts WHERE customer_id = ? ORDER BY start_date, id", [customer_id]
            )
        ]

    # disputes

    def open_dispute(self, customer_id: str, subject: str, at: dt.datetime) -> Dispute:
        cursor = self.db.execute(
            "INSERT INTO disputes (customer_id, subject, opened_at, recorded_at) VALUES (?, ?, ?, ?)",
            [customer_id, subject, clock.to_text(at), clock.to_text(clock.now())],
        )
        return Dispute(cursor.lastrowid, customer_id, subject, at)

    def close_dispute(self, customer_id: str, dispute_id: int | None, at: dt.datetime) -> Dispute:
        """Closes the given open dispute, or the customer's only open one."""
        with self.db.transaction():
            open_ = [d for d in self.disputes(customer_id) if d.closed_at is None
                     and (dispute_id is None or d.id == dispute_id)]
            if len(open_) != 1:
                raise FailedPrecondition(
                    f"customer {customer_id!r} has no single open dispute to close; give its id"
                )
            dispute = open_[0]
            if at < dispute.opened_at:
                raise InvalidArgument.of("closed_at", "a dispute cannot close before it opened")
            self.db.execute("UPDATE disputes SET closed_at = ? WHERE id = ?", [clock.to_text(at), dispute.id])
        return Dispute(dispute.id, customer_id, dispute.subject, dispute.opened_at, at)

    def disputes(self, customer_id: str) -> list[Dispute]:
        return [
            Dispute(row["id"], row["customer_id"], row["subject"] or "", clock.from_text(row["opened_at"]),
                    clock.from_text(row["closed_at"]) if row["closed_at"] else None)
            for row in self.db.rows(
                "SELECT * FROM disputes WHERE customer_id = ? ORDER BY opened_at, id", [customer_id]
            )
        ]

    def history(self, customer_id: str, professional: bool) -> CustomerHistory:
        """Everything the resolver reads about a customer."""
        return CustomerHistory(
            professional=professional,
            contacts=tuple(self.contacts(customer_id)),
            contracts=tuple(self.contracts(customer_id)),
            consents=tuple(self.consents(customer_id)),
            disputes=tuple(self.disputes(customer_id)),
        )
