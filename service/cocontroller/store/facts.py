"""The facts recorded about customers: contact events, designations of a preferred dealer,
consents per channel, contracts and disputes. Each write checks what only the stored rows
can tell (a reused event id, a consent not in force) and raises the domain error there.

A contact, consent, contract or dispute retracted (GDPR art. 16, store/rectification.py)
stays in its table: every read here leaves it out, and a read as known at an instant sees it
only if it was recorded by then and retracted after."""

import dataclasses
import datetime as dt
import json

from .. import clock
from ..errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ..model import (
    AssignmentRef, Basis, Channel, Consent, ConsentProof, ConsentSource, Contact, Contract,
    ContractKind, ContractVersion, CustomerHistory, CustomerKind, CustomerRecord, Dispute, FactKind, Objection, Page,
    PageRequest, Preference, RecordRead,
)
from .customers import contact_from_row, customer_from_row, preference_from_row
from .db import Database
from .vocabulary import CHANNELS, CONTACT_KINDS, CONTRACT_KINDS
from .erasure import restriction_from_row


class FactRepository:
    def __init__(self, db: Database):
        self.db = db
        self._record_sql = db.dialect.sql(_RECORD_SQL)

    # contacts

    def record_contact(self, contact: Contact) -> tuple[Contact, bool]:
        """Idempotent by event id: a second call with the same event returns the stored one
        and False; an id used for a different event is AlreadyExists."""
        with self.db.transaction():
            # One statement in the usual case: the insert is skipped for a known id, which
            # is then read to tell a retry from a reuse.
            if insert_contact(self.db, contact, clock.now(), if_new=True):
                return contact, True
            stored = self.find_contact(contact.event_id)
            if stored != contact:
                raise AlreadyExists(f"event {contact.event_id} was recorded before with other content")
        return stored, False

    def find_contact(self, event_id: str) -> Contact | None:
        """The contact recorded under `event_id`, retracted or not: an event id, once used,
        stays taken."""
        rows = self.db.rows("SELECT * FROM contact_events WHERE event_id = ?", [event_id])
        return contact_from_row(rows[0]) if rows else None

    def contacts(self, customer_id: str, known_at: dt.datetime | None = None) -> list[Contact]:
        return [contact_from_row(row) for row in _known(self.db, "contact_events", customer_id, "occurred_at", known_at)]

    # preferences

    def set_preference(self, customer_id: str, dealer_id: str, at: dt.datetime) -> Preference:
        """Designates a preferred dealer; a standing designation is revoked at the same
        moment, so at most one stands."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE preferences SET revoked_at = ?, revoked_recorded_at = ?"
                " WHERE customer_id = ? AND revoked_at IS NULL",
                [clock.to_text(at), clock.to_text(clock.now()), customer_id],
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
                "UPDATE preferences SET revoked_at = ?, revoked_recorded_at = ? WHERE id = ?",
                [clock.to_text(at), clock.to_text(clock.now()), current.id],
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

    def give_consent(self, customer_id: str, channel: Channel, at: dt.datetime,
                     proof: ConsentProof) -> tuple[Consent, bool]:
        """Records consent for a channel from `at`, with its proof; a consent already in
        force then is kept (False). A later consent on record makes this one a
        FailedPrecondition."""
        with self.db.transaction():
            for consent in self.consents(customer_id):
                if consent.channel == channel and consent.in_force(at):
                    return consent, False
                if consent.channel == channel and consent.given_at > at:
                    raise FailedPrecondition(
                        f"a later {channel} consent ({consent.given_at.isoformat()}) is on record"
                    )
            consent = insert_consent(self.db, Consent(0, customer_id, channel, at, None, proof), clock.now())
        return consent, True

    def withdraw_consent(self, customer_id: str, channel: Channel | None, at: dt.datetime) -> list[Consent]:
        """Ends the consent in force at `at` for a channel, or for every channel (None): a
        withdrawal is as easy as giving (GDPR art. 7(3))."""
        with self.db.transaction():
            current = [c for c in self.consents(customer_id)
                       if (channel is None or c.channel == channel) and c.in_force(at)]
            if not current:
                which = f"{channel} consent" if channel else "consent"
                raise FailedPrecondition(f"no {which} of {customer_id!r} is in force at {at.isoformat()}")
            for consent in current:
                self.db.execute(
                    "UPDATE consents SET withdrawn_at = ?, withdrawn_recorded_at = ? WHERE id = ?",
                    [clock.to_text(at), clock.to_text(clock.now()), consent.id],
                )
        return [dataclasses.replace(c, withdrawn_at=at) for c in current]

    def consents(self, customer_id: str, known_at: dt.datetime | None = None) -> list[Consent]:
        """The customer's consents; with `known_at`, as the service knew them then (a
        withdrawal recorded later is not yet known)."""
        return [consent_from_row(row, known_at)
                for row in _known(self.db, "consents", customer_id, "given_at, id", known_at)]

    # contracts

    def upsert_contract(self, contract: Contract, correction_reason: str | None = None) -> tuple[Contract, bool]:
        """Creates or updates a contract by id; an id of another customer's contract is
        AlreadyExists. A correction (GDPR art. 16) is an update whose reason the version it
        replaces keeps. A retracted contract is not recorded again: the same content changes
        nothing, other content is a FailedPrecondition."""
        now = clock.to_text(clock.now())
        with self.db.transaction():
            existing = self.db.rows("SELECT * FROM contracts WHERE id = ?", [contract.id])
            if existing and existing[0]["customer_id"] != contract.customer_id:
                raise AlreadyExists(f"contract {contract.id} belongs to another customer")
            if existing and contract_from_row(existing[0]) == contract:
                # Unchanged: its recorded time stays the first one.
                return contract, False
            if existing and existing[0]["retracted_at"]:
                raise FailedPrecondition(f"contract {contract.id} was retracted: record the contract under a new id")
            if existing:
                # What was known of the contract until now stays readable (known_at).
                old = existing[0]
                self.db.execute(
                    "INSERT INTO contract_history (contract_id, customer_id, kind, partner, dealer_id,"
                    " start_date, end_date, recorded_at, superseded_at, correction_reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [old["id"], old["customer_id"], old["kind"], old["partner"], old["dealer_id"],
                     old["start_date"], old["end_date"], old["updated_at"], now, correction_reason],
                )
            self.db.execute(
                "INSERT INTO contracts (id, customer_id, kind, partner, dealer_id, start_date, end_date,"
                " recorded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                " SET kind=excluded.kind, partner=excluded.partner, dealer_id=excluded.dealer_id,"
                " start_date=excluded.start_date, end_date=excluded.end_date, updated_at=excluded.updated_at",
                [contract.id, contract.customer_id, str(contract.kind), contract.partner, contract.dealer_id,
                 contract.start_date.isoformat(),
                 contract.end_date.isoformat() if contract.end_date else None, now, now],
            )
        return contract, not existing

    def contracts(self, customer_id: str, known_at: dt.datetime | None = None) -> list[Contract]:
        """The customer's contracts; with `known_at`, each in the version known then."""
        if known_at is None:
            rows = self.db.rows(f"SELECT * FROM contracts WHERE customer_id = ?{STANDING} ORDER BY start_date, id",
                                [customer_id])
        else:
            at = clock.to_text(known_at)
            rows = self.db.rows(
                "SELECT * FROM (SELECT id, customer_id, kind, partner, dealer_id, start_date, end_date"
                "  FROM contracts WHERE customer_id = ? AND updated_at <= ?"
                "  AND (retracted_at IS NULL OR retracted_at > ?)"
                " UNION ALL SELECT contract_id, customer_id, kind, partner, dealer_id, start_date, end_date"
                "  FROM contract_history WHERE customer_id = ? AND recorded_at <= ? AND superseded_at > ?)"
                " ORDER BY start_date, id", [customer_id, at, at, customer_id, at, at],
            )
        return [contract_from_row(row) for row in rows]

    # disputes

    def open_dispute(self, customer_id: str, subject: str, at: dt.datetime) -> Dispute:
        return insert_dispute(self.db, Dispute(0, customer_id, subject, at), clock.now())

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
            self.db.execute(
                "UPDATE disputes SET closed_at = ?, closed_recorded_at = ? WHERE id = ?",
                [clock.to_text(at), clock.to_text(clock.now()), dispute.id],
            )
        return Dispute(dispute.id, customer_id, dispute.subject, dispute.opened_at, at)

    def disputes(self, customer_id: str, known_at: dt.datetime | None = None) -> list[Dispute]:
        return [dispute_from_row(row, known_at)
                for row in _known(self.db, "disputes", customer_id, "opened_at, id", known_at)]

    def earlier_contract_versions(self, customer_id: str, contract_id: str | None = None) -> list[ContractVersion]:
        """Each of the customer's contracts (or one of them) as it stood before each later
        change, oldest first."""
        one = " AND contract_id = ?" if contract_id is not None else ""
        rows = self.db.rows(f"SELECT * FROM contract_history WHERE customer_id = ?{one} ORDER BY superseded_at, id",
                            [customer_id, *([contract_id] if contract_id is not None else [])])
        return [ContractVersion(contract_from_row({**row, "id": row["contract_id"]}),
                                clock.from_text(row["recorded_at"]), clock.from_text(row["superseded_at"]),
                                row["correction_reason"] or "")
                for row in rows]

    def page_of(self, kind: FactKind, customer_id: str, page: PageRequest | None) -> Page:
        """One page of a customer's facts of one kind (all of them without a page), in the
        order of `_LISTS`, each as it stands now (a withdrawn consent with its withdrawal;
        a retracted fact not at all)."""
        table, order, id_column, id_type, from_row = _LISTS[kind]
        standing = STANDING if table in RETRACTABLE else ""
        return self.db.keyset_page(f"SELECT * FROM {table} WHERE customer_id = ?{standing}", [customer_id],
                                   (order, id_column), page, from_row, id_type)

    def record_objection(self, customer_id: str, purpose: str, at: dt.datetime) -> tuple[Objection, bool]:
        """Records an objection from `at`; one to the same purpose already standing by then
        is kept (False)."""
        with self.db.transaction():
            for objection in self.objections(customer_id):
                if objection.purpose == purpose and objection.objected_at <= at:
                    return objection, False
            cursor = self.db.execute(
                "INSERT INTO objections (customer_id, purpose, objected_at, recorded_at) VALUES (?, ?, ?, ?)",
                [customer_id, purpose, clock.to_text(at), clock.to_text(clock.now())],
            )
        return Objection(cursor.lastrowid, customer_id, purpose, at), True

    def objections(self, customer_id: str, known_at: dt.datetime | None = None) -> list[Objection]:
        return [_objection_from_row(row)
                for row in _known(self.db, "objections", customer_id, "objected_at, id", known_at)]

    def record_of(self, customer_id: str, at: dt.datetime) -> RecordRead:
        """The customer, everything on record about them and the assignment version in force
        at `at`, in one statement: a resolution's read. One statement, one step, one release
        of the GIL: on a busy server each release costs a wait to get it back. Parsed when
        asked (`RecordRead.parse`)."""
        text = clock.to_text(at)
        cursor = self.db.execute(self._record_sql, [text, text, customer_id])
        row = cursor.fetchone()
        if row is None:
            raise NotFound(f"customer {customer_id!r} does not exist")
        names = [d[0] for d in cursor.description]
        return RecordRead(tuple(row), lambda: _record_from_row(customer_id, dict(zip(names, row))))

    def history(self, customer_id: str, professional: bool, known_at: dt.datetime | None = None) -> CustomerHistory:
        """Everything the resolver reads about a customer; with `known_at`, only what the
        service knew at that instant, so an answer given then can be given again."""
        return CustomerHistory(
            professional=professional,
            contacts=tuple(self.contacts(customer_id, known_at)),
            contracts=tuple(self.contracts(customer_id, known_at)),
            consents=tuple(self.consents(customer_id, known_at)),
            disputes=tuple(self.disputes(customer_id, known_at)),
            objections=tuple(self.objections(customer_id, known_at)),
        )


def _record_from_row(customer_id: str, fields: dict) -> CustomerRecord:
    history = CustomerHistory(
        professional=fields["kind"] == CustomerKind.PROFESSIONAL,
        contacts=tuple(
            Contact(event_id, customer_id, dealer_id, CONTACT_KINDS[kind], clock.from_text(occurred))
            for event_id, dealer_id, kind, occurred in json.loads(fields.pop("_contacts"))
        ),
        contracts=tuple(
            Contract(cid, customer_id, CONTRACT_KINDS[kind], partner or "", dealer_id, dt.date.fromisoformat(start),
                     dt.date.fromisoformat(end) if end else None)
            for cid, kind, partner, dealer_id, start, end in json.loads(fields.pop("_contracts"))
        ),
        consents=tuple(
            Consent(cid, customer_id, CHANNELS[channel], clock.from_text(given),
                    clock.from_text(withdrawn) if withdrawn else None)
            for cid, channel, given, withdrawn in json.loads(fields.pop("_consents"))
        ),
        disputes=tuple(
            Dispute(did, customer_id, subject or "", clock.from_text(opened),
                    clock.from_text(closed) if closed else None)
            for did, subject, opened, closed in json.loads(fields.pop("_disputes"))
        ),
        objections=tuple(
            Objection(oid, customer_id, purpose, clock.from_text(objected))
            for oid, purpose, objected in json.loads(fields.pop("_objections"))
        ),
    )
    assignment = fields.pop("_assignment")
    if assignment is not None:
        aid, dealer_id, basis, valid_to = json.loads(assignment)
        assignment = AssignmentRef(aid, dealer_id, Basis(basis), clock.from_text(valid_to) if valid_to else None)
    restriction = fields.pop("_restriction")
    if restriction is not None:
        since, reason, request_id, erase_on, legal_hold = json.loads(restriction)
        restriction = restriction_from_row({"customer_id": customer_id, "since": since, "reason": reason,
                                            "request_id": request_id, "erase_on": erase_on,
                                            "legal_hold": legal_hold})
    return CustomerRecord(customer_from_row(fields), history, assignment, restriction)


# Retracted facts are left out: a retraction changes what this statement returns, so an
# answer kept for the earlier read (ResolutionService._answers) is not given again.
_RECORD_SQL = (
    "SELECT c.*,"
    " (SELECT JSON_ROWS(event_id, dealer_id, kind, occurred_at) FROM"
    "  (SELECT * FROM contact_events WHERE customer_id = c.id AND retracted_at IS NULL"
    "   ORDER BY occurred_at) AS f) AS _contacts,"
    " (SELECT JSON_ROWS(id, channel, given_at, withdrawn_at) FROM"
    "  (SELECT * FROM consents WHERE customer_id = c.id AND retracted_at IS NULL ORDER BY given_at, id) AS f) AS _consents,"
    " (SELECT JSON_ROWS(id, kind, partner, dealer_id, start_date, end_date) FROM"
    "  (SELECT * FROM contracts WHERE customer_id = c.id AND retracted_at IS NULL"
    "   ORDER BY start_date, id) AS f) AS _contracts,"
    " (SELECT JSON_ROWS(id, subject, opened_at, closed_at) FROM"
    "  (SELECT * FROM disputes WHERE customer_id = c.id AND retracted_at IS NULL ORDER BY opened_at, id) AS f) AS _disputes,"
    " (SELECT JSON_ROWS(id, purpose, objected_at) FROM"
    "  (SELECT * FROM objections WHERE customer_id = c.id ORDER BY objected_at, id) AS f) AS _objections,"
    " (SELECT JSON_ROW(id, dealer_id, basis, valid_to) FROM assignments WHERE customer_id = c.id"
    "  AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1) AS _assignment,"
    " (SELECT JSON_ROW(since, reason, request_id, erase_on, legal_hold) FROM restrictions"
    "  WHERE customer_id = c.id) AS _restriction"
    " FROM customers c WHERE c.id = ?"
)


# The fact tables whose rows a rectification retracts (GDPR art. 16), and the condition that
# keeps a read to the rows standing now.
RETRACTABLE = frozenset({"contact_events", "consents", "contracts", "disputes"})
STANDING = " AND retracted_at IS NULL"


def _known(db: Database, table: str, customer_id: str, order: str, known_at: dt.datetime | None) -> list[dict]:
    """A customer's rows of a fact table standing now; with `known_at`, those the service
    held at that instant: recorded by then, and not yet retracted."""
    retractable = table in RETRACTABLE
    if known_at is None:
        standing = STANDING if retractable else ""
        return db.rows(f"SELECT * FROM {table} WHERE customer_id = ?{standing} ORDER BY {order}", [customer_id])
    at = clock.to_text(known_at)
    held = " AND (retracted_at IS NULL OR retracted_at > ?)" if retractable else ""
    return db.rows(f"SELECT * FROM {table} WHERE customer_id = ? AND recorded_at <= ?{held} ORDER BY {order}",
                   [customer_id, at, *([at] if retractable else [])])


def insert_contact(db: Database, contact: Contact, now: dt.datetime, corrects: str | None = None,
                   if_new: bool = False) -> bool:
    """Inserts the contact; with `if_new`, only if its event id is not taken. Returns whether
    it was inserted."""
    return db.execute(
        "INSERT INTO contact_events (event_id, customer_id, dealer_id, kind, occurred_at, recorded_at, corrects)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)" + (" ON CONFLICT (event_id) DO NOTHING" if if_new else ""),
        [contact.event_id, contact.customer_id, contact.dealer_id, str(contact.kind),
         clock.to_text(contact.occurred_at), clock.to_text(now), corrects],
    ).rowcount == 1


def insert_consent(db: Database, consent: Consent, now: dt.datetime, corrects: int | None = None) -> Consent:
    """Inserts the consent (its id is ignored) with its proof, and its withdrawal if it has
    one, all recorded at `now`; returns it with its new id."""
    proof, withdrawn = consent.proof, consent.withdrawn_at
    cursor = db.execute(
        "INSERT INTO consents (customer_id, channel, given_at, withdrawn_at, recorded_at, withdrawn_recorded_at,"
        " wording, source, proof_reference, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [consent.customer_id, str(consent.channel), clock.to_text(consent.given_at),
         clock.to_text(withdrawn) if withdrawn else None, clock.to_text(now), clock.to_text(now) if withdrawn else None,
         proof.wording if proof else None, str(proof.source) if proof else None, proof.reference if proof else None,
         corrects],
    )
    return dataclasses.replace(consent, id=cursor.lastrowid)


def insert_dispute(db: Database, dispute: Dispute, now: dt.datetime, corrects: int | None = None) -> Dispute:
    """Inserts the dispute (its id is ignored), and its closure if it has one, recorded at
    `now`; returns it with its new id."""
    closed = dispute.closed_at
    cursor = db.execute(
        "INSERT INTO disputes (customer_id, subject, opened_at, closed_at, recorded_at, closed_recorded_at, corrects)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [dispute.customer_id, dispute.subject, clock.to_text(dispute.opened_at),
         clock.to_text(closed) if closed else None, clock.to_text(now), clock.to_text(now) if closed else None,
         corrects],
    )
    return dataclasses.replace(dispute, id=cursor.lastrowid)


def _end(row: dict, end: str, recorded: str, known_at: dt.datetime | None) -> dt.datetime | None:
    """A row's end (a withdrawal, a closure), if the service knew it at `known_at`."""
    if not row[end] or (known_at is not None and (row[recorded] or row["recorded_at"]) > clock.to_text(known_at)):
        return None
    return clock.from_text(row[end])


def consent_from_row(row: dict, known_at: dt.datetime | None = None) -> Consent:
    proof = ConsentProof(row["wording"], ConsentSource(row["source"]), row["proof_reference"] or "") \
        if row["wording"] else None
    return Consent(row["id"], row["customer_id"], Channel(row["channel"]), clock.from_text(row["given_at"]),
                   _end(row, "withdrawn_at", "withdrawn_recorded_at", known_at), proof)


def dispute_from_row(row: dict, known_at: dt.datetime | None = None) -> Dispute:
    return Dispute(row["id"], row["customer_id"], row["subject"] or "", clock.from_text(row["opened_at"]),
                   _end(row, "closed_at", "closed_recorded_at", known_at))


def _objection_from_row(row: dict) -> Objection:
    return Objection(row["id"], row["customer_id"], row["purpose"], clock.from_text(row["objected_at"]))


def contract_from_row(row: dict) -> Contract:
    return Contract(row["id"], row["customer_id"], ContractKind(row["kind"]), row["partner"] or "",
                    row["dealer_id"], dt.date.fromisoformat(row["start_date"]),
                    dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None)


# Each kind's table, the column it is listed by, the row's id (and its type) and the model
# value of a row. Ids never hold "|", the cursor's separator.
_LISTS = {
    FactKind.CONTACTS: ("contact_events", "occurred_at", "event_id", str, contact_from_row),
    FactKind.PREFERENCES: ("preferences", "designated_at", "id", int, preference_from_row),
    FactKind.CONSENTS: ("consents", "given_at", "id", int, consent_from_row),
    FactKind.CONTRACTS: ("contracts", "start_date", "id", str, contract_from_row),
    FactKind.DISPUTES: ("disputes", "opened_at", "id", int, dispute_from_row),
    FactKind.OBJECTIONS: ("objections", "objected_at", "id", int, _objection_from_row),
}
