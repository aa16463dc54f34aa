"""Customers' records read a batch at a time: what a retention sweep reads of each customer
(the record, every standing fact the resolver reads, none retracted, the assignment version
in force and the restriction), the same values as FactRepository.record_of gives one
customer, from one plain query per table instead of a JSON document per customer."""

import datetime as dt
from collections import defaultdict

from .. import clock
from ..model import (
    AssignmentRef, Consent, Contact, Contract, CustomerHistory, CustomerKind, CustomerRecord, Dispute, Objection,
)
from .customers import customer_from_row
from .db import Database
from .erasure import restriction_from_row
from .vocabulary import BASES, CHANNELS, CONTACT_KINDS, CONTRACT_KINDS


class RecordBatches:
    def __init__(self, db: Database):
        self.db = db

    def of(self, ids: list[str], at: dt.datetime) -> list[CustomerRecord]:
        """The records of the customers of `ids` that exist, in id order, with the
        assignment version in force at `at`."""
        marks = ", ".join("?" * len(ids))
        execute, parse, day = self.db.execute, clock.from_text, dt.date.fromisoformat
        contacts, consents, contracts = defaultdict(list), defaultdict(list), defaultdict(list)
        disputes, objections = defaultdict(list), defaultdict(list)
        for event_id, customer_id, dealer_id, kind, occurred in execute(
                "SELECT event_id, customer_id, dealer_id, kind, occurred_at FROM contact_events"
                f" WHERE customer_id IN ({marks}) AND retracted_at IS NULL ORDER BY customer_id, occurred_at", ids):
            contacts[customer_id].append(Contact(event_id, customer_id, dealer_id, CONTACT_KINDS[kind], parse(occurred)))
        for cid, customer_id, channel, given, withdrawn in execute(
                "SELECT id, customer_id, channel, given_at, withdrawn_at FROM consents"
                f" WHERE customer_id IN ({marks}) AND retracted_at IS NULL ORDER BY customer_id, given_at, id", ids):
            consents[customer_id].append(Consent(cid, customer_id, CHANNELS[channel], parse(given),
                                                 parse(withdrawn) if withdrawn else None))
        for cid, customer_id, kind, partner, dealer_id, start, end in execute(
                "SELECT id, customer_id, kind, partner, dealer_id, start_date, end_date FROM contracts"
                f" WHERE customer_id IN ({marks}) AND retracted_at IS NULL ORDER BY customer_id, start_date, id", ids):
            contracts[customer_id].append(Contract(cid, customer_id, CONTRACT_KINDS[kind], partner or "", dealer_id,
                                                   day(start), day(end) if end else None))
        for did, customer_id, subject, opened, closed in execute(
                "SELECT id, customer_id, subject, opened_at, closed_at FROM disputes"
                f" WHERE customer_id IN ({marks}) AND retracted_at IS NULL ORDER BY customer_id, opened_at, id", ids):
            disputes[customer_id].append(Dispute(did, customer_id, subject or "", parse(opened),
                                                 parse(closed) if closed else None))
        for oid, customer_id, purpose, objected in execute(
                "SELECT id, customer_id, purpose, objected_at FROM objections"
                f" WHERE customer_id IN ({marks}) ORDER BY customer_id, objected_at, id", ids):
            objections[customer_id].append(Objection(oid, customer_id, purpose, parse(objected)))
        text = clock.to_text(at)
        assignments = {}
        for aid, customer_id, dealer_id, basis, valid_to in execute(
                "SELECT id, customer_id, dealer_id, basis, valid_to FROM assignments"
                f" WHERE customer_id IN ({marks}) AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
                " ORDER BY customer_id, valid_from", [*ids, text, text]):
            # The latest version beginning by `at` is in force.
            assignments[customer_id] = AssignmentRef(aid, dealer_id, BASES[basis], parse(valid_to) if valid_to else None)
        restrictions = {row["customer_id"]: restriction_from_row(row) for row in self.db.rows(
            f"SELECT * FROM restrictions WHERE customer_id IN ({marks})", ids)}
        return [
            CustomerRecord(
                customer_from_row(row),
                CustomerHistory(
                    professional=row["kind"] == CustomerKind.PROFESSIONAL,
                    contacts=tuple(contacts.get(row["id"], ())), contracts=tuple(contracts.get(row["id"], ())),
                    consents=tuple(consents.get(row["id"], ())), disputes=tuple(disputes.get(row["id"], ())),
                    objections=tuple(objections.get(row["id"], ())),
                ),
                assignments.get(row["id"]), restrictions.get(row["id"]),
            )
            for row in self.db.rows(f"SELECT * FROM customers WHERE id IN ({marks}) ORDER BY id", ids)
        ]
