"""Customers, and the snapshots a decision reads: the customer, the contacts, the standing
designation and the assignment in force, each in one read. A retracted contact (GDPR art.
16) is read by none, except as known before its retraction."""

import datetime as dt
import json

from .. import clock
from ..errors import NotFound
from ..model import (
    AssignmentRef, Contact, Customer, CustomerKind, CustomerVersion, Language, Preference, Snapshot,
)
from .db import Database
from .vocabulary import BASES, CONTACT_KINDS, CUSTOMER_KINDS, LANGUAGES


_UPSERT = (
    "INSERT INTO customers (id, postcode, lat, lon, language, kind, enterprise_number,"
    " created_at, updated_at, point_outside_postcode) VALUES (:id, :postcode, :lat, :lon, :language, :kind,"
    " :enterprise_number, :created_at, :updated_at, :point_outside_postcode) ON CONFLICT(id) DO UPDATE SET"
    " postcode=excluded.postcode, lat=excluded.lat, lon=excluded.lon, language=excluded.language,"
    " kind=excluded.kind, enterprise_number=excluded.enterprise_number, updated_at=excluded.updated_at,"
    " point_outside_postcode=excluded.point_outside_postcode"
)


_SNAPSHOT = (
    "SELECT c.*,"
    " (SELECT JSON_ROWS(event_id, dealer_id, kind, occurred_at)"
    "  FROM contact_events WHERE customer_id = c.id AND retracted_at IS NULL) AS _contacts,"
    " (SELECT JSON_ROW(id, dealer_id, designated_at, revoked_at) FROM preferences"
    "  WHERE customer_id = c.id AND designated_at <= ? AND (revoked_at IS NULL OR revoked_at > ?)"
    "  ORDER BY designated_at DESC, id DESC LIMIT 1) AS _preference,"
    " (SELECT JSON_ROW(id, dealer_id, basis)"
    "  FROM assignments WHERE customer_id = c.id AND valid_to IS NULL) AS _current"
    " FROM customers c WHERE c.id = ?"
)


class CustomerRepository:
    def __init__(self, db: Database):
        self.db = db
        self._snapshot_sql = db.dialect.sql(_SNAPSHOT)

    def find(self, customer_id: str) -> Customer | None:
        rows = self.db.rows("SELECT * FROM customers WHERE id = ?", [customer_id])
        return customer_from_row(rows[0]) if rows else None

    def get(self, customer_id: str) -> Customer:
        customer = self.find(customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id!r} does not exist")
        return customer

    def replace(
        self, before: Customer | None, customer_id: str, postcode: str, point: tuple[float, float] | None,
        language: Language, kind: CustomerKind, enterprise_number: str | None,
        point_outside_postcode: bool = False,
    ) -> Customer:
        """Inserts or replaces the customer by id; `before` is the customer as the caller's
        transaction read it (None if absent), whose details stay readable (known_at) when they
        change. Returns the stored customer."""
        now = clock.now()
        with self.db.transaction():
            if before is not None and _details(before) != (postcode, point, language, kind, enterprise_number,
                                                          point_outside_postcode):
                # What was known until now stays readable (known_at).
                self.db.execute(
                    "INSERT INTO customer_history (customer_id, postcode, lat, lon, language, kind,"
                    " enterprise_number, created_at, updated_at, point_outside_postcode, superseded_at)"
                    " SELECT id, postcode, lat, lon, language, kind, enterprise_number, created_at, updated_at,"
                    " point_outside_postcode, ? FROM customers WHERE id = ?",
                    [clock.to_text(now), customer_id],
                )
            customer = Customer(
                id=customer_id, postcode=postcode,
                lat=point[0] if point else None, lon=point[1] if point else None,
                language=language, kind=kind, enterprise_number=enterprise_number,
                created_at=before.created_at if before else now, updated_at=now,
                point_outside_postcode=point_outside_postcode,
            )
            self.db.execute(_UPSERT, {
                "id": customer.id, "postcode": customer.postcode, "lat": customer.lat,
                "lon": customer.lon, "language": str(customer.language), "kind": str(customer.kind),
                "enterprise_number": customer.enterprise_number,
                "created_at": clock.to_text(customer.created_at),
                "updated_at": clock.to_text(customer.updated_at),
                "point_outside_postcode": int(point_outside_postcode),
            })
        return customer

    def snapshot(self, customer_id: str, at: dt.datetime) -> Snapshot:
        """In one statement, what a decision for the customer at `at` reads. One statement,
        one step: each SQLite step releases the GIL, and on a busy server every release
        costs a wait for it back."""
        text = clock.to_text(at)
        cursor = self.db.execute(self._snapshot_sql, [text, text, customer_id])
        row = cursor.fetchone()
        if row is None:
            raise NotFound(f"customer {customer_id!r} does not exist")
        fields = dict(zip([d[0] for d in cursor.description], row))
        contacts = tuple(
            Contact(event_id, customer_id, dealer_id, CONTACT_KINDS[kind], clock.from_text(occurred_at))
            for event_id, dealer_id, kind, occurred_at in json.loads(fields.pop("_contacts"))
        )
        preference = fields.pop("_preference")
        if preference is not None:
            pid, dealer_id, designated_at, revoked_at = json.loads(preference)
            preference = Preference(pid, customer_id, dealer_id, clock.from_text(designated_at),
                                    clock.from_text(revoked_at) if revoked_at else None)
        current = fields.pop("_current")
        if current is not None:
            aid, dealer_id, basis = json.loads(current)
            current = AssignmentRef(aid, dealer_id, BASES[basis])
        return Snapshot(customer_from_row(fields), contacts, preference, current)

    def get_known(self, customer_id: str, known_at: dt.datetime) -> Customer:
        """The customer's details as the service knew them at `known_at`: the version a
        later upsert replaced, if one did after that instant; NotFound before the customer
        was recorded."""
        at = clock.to_text(known_at)
        rows = self.db.rows(
            "SELECT * FROM customer_history WHERE customer_id = ? AND superseded_at > ?"
            " ORDER BY superseded_at, id LIMIT 1", [customer_id, at],
        )
        customer = _earlier_version(rows[0]) if rows else self.get(customer_id)
        if customer.created_at > known_at:
            raise NotFound(f"customer {customer_id!r} was not yet recorded at {known_at.isoformat()}")
        return customer

    def earlier_versions(self, customer_id: str) -> list[CustomerVersion]:
        """The customer's details as they stood before each later upsert, oldest first."""
        rows = self.db.rows("SELECT * FROM customer_history WHERE customer_id = ? ORDER BY superseded_at, id",
                            [customer_id])
        return [CustomerVersion(_earlier_version(row), clock.from_text(row["superseded_at"])) for row in rows]

    def snapshot_known(self, customer_id: str, at: dt.datetime, known_at: dt.datetime) -> Snapshot:
        """What a decision at `at` would have read with what the service knew at `known_at`:
        contacts recorded and not yet retracted by then, designations recorded by then, a
        revocation only if recorded by then.
        The customer's own details are those known then too."""
        customer = self.get_known(customer_id, known_at)
        known, text = clock.to_text(known_at), clock.to_text(at)
        contacts = tuple(contact_from_row(row) for row in self.db.rows(
            "SELECT * FROM contact_events WHERE customer_id = ? AND recorded_at <= ?"
            " AND (retracted_at IS NULL OR retracted_at > ?) ORDER BY occurred_at",
            [customer_id, known, known],
        ))
        standing = [
            row for row in self.db.rows(
                "SELECT * FROM preferences WHERE customer_id = ? AND designated_at <= ? AND recorded_at <= ?"
                " ORDER BY designated_at DESC, id DESC", [customer_id, text, known],
            )
            if not row["revoked_at"] or row["revoked_at"] > text or (row["revoked_recorded_at"] or "") > known
        ]
        preference = None
        if standing:
            row = standing[0]
            preference = Preference(row["id"], customer_id, row["dealer_id"], clock.from_text(row["designated_at"]))
        return Snapshot(customer, contacts, preference, None)

    def snapshots(self, ids: list[str], at: dt.datetime) -> list[Snapshot]:
        """The snapshots of a batch of customers (in id order), in four reads: a batch job's
        way of reading, far cheaper than one snapshot a customer. Rows are read as tuples of
        named columns, not dicts: a job reads a million customers and 3.4 million contacts,
        and a dict a row cost as much as the reads (the same rows, the same order, the same
        values as `snapshot`)."""
        marks = ", ".join("?" * len(ids))
        execute = self.db.execute
        parse, kinds = clock.from_text, CONTACT_KINDS
        contacts: dict[str, list[Contact]] = {}
        for event_id, customer_id, dealer_id, kind, occurred_at in execute(
            f"SELECT event_id, customer_id, dealer_id, kind, occurred_at FROM contact_events"
            f" WHERE customer_id IN ({marks}) AND retracted_at IS NULL", ids,
        ):
            contact = Contact(event_id, customer_id, dealer_id, kinds[kind], parse(occurred_at))
            found = contacts.get(customer_id)
            if found is None:
                contacts[customer_id] = [contact]
            else:
                found.append(contact)
        text = clock.to_text(at)
        preferences = {}
        for row in self.db.rows(
            f"SELECT * FROM preferences WHERE customer_id IN ({marks}) AND designated_at <= ?"
            " AND (revoked_at IS NULL OR revoked_at > ?) ORDER BY designated_at, id",
            [*ids, text, text],
        ):
            preferences[row["customer_id"]] = preference_from_row(row)
        bases = BASES
        current = {
            customer_id: AssignmentRef(aid, dealer_id, bases[basis])
            for aid, customer_id, dealer_id, basis in execute(
                f"SELECT id, customer_id, dealer_id, basis FROM assignments"
                f" WHERE customer_id IN ({marks}) AND valid_to IS NULL", ids,
            )
        }
        languages, customer_kinds = LANGUAGES, CUSTOMER_KINDS
        return [
            Snapshot(
                Customer(cid, postcode, lat, lon, languages[language], customer_kinds[kind], enterprise_number,
                         parse(created_at), parse(updated_at)),
                tuple(contacts.get(cid, ())), preferences.get(cid), current.get(cid),
            )
            for cid, postcode, lat, lon, language, kind, enterprise_number, created_at, updated_at in execute(
                f"SELECT id, postcode, lat, lon, language, kind, enterprise_number, created_at, updated_at"
                f" FROM customers WHERE id IN ({marks}) ORDER BY id", ids,
            )
        ]


def customer_from_row(row: dict) -> Customer:
    return Customer(
        id=row["id"], postcode=row["postcode"], lat=row["lat"], lon=row["lon"],
        language=LANGUAGES[row["language"]], kind=CUSTOMER_KINDS[row["kind"]],
        enterprise_number=row["enterprise_number"],
        created_at=clock.from_text(row["created_at"]), updated_at=clock.from_text(row["updated_at"]),
        point_outside_postcode=bool(row.get("point_outside_postcode")),
    )


def _earlier_version(row: dict) -> Customer:
    """A customer_history row: its own id is the row's, the customer's is customer_id."""
    return customer_from_row({**row, "id": row["customer_id"]})


def contact_from_row(row: dict) -> Contact:
    return Contact(
        row["event_id"], row["customer_id"], row["dealer_id"], CONTACT_KINDS[row["kind"]],
        clock.from_text(row["occurred_at"]),
    )


def preference_from_row(row: dict) -> Preference:
    return Preference(
        row["id"], row["customer_id"], row["dealer_id"], clock.from_text(row["designated_at"]),
        clock.from_text(row["revoked_at"]) if row["revoked_at"] else None,
    )


def _details(customer: Customer) -> tuple:
    return (customer.postcode, customer.point, customer.language, customer.kind, customer.enterprise_number,
            customer.point_outside_postcode)
