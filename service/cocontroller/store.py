"""The SQLite store: customers, contact events, preferences, dealer versions and the history
of assignments.

WAL lets readers run beside the one writer; foreign keys are on; the schema moves forward
through the migrations below (sqlite-utils' Migrations, recorded in the database). Each thread gets its own
connection (sqlite3 connections must not be shared between threads).
"""

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from . import clock
from .assignment import Decision, Preference
from .dealers import DealerVersion
from .facts import Consent, Contract, Dispute
from .history import Contact


MIGRATIONS = Migrations("cocontroller")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["dealers"].create({"id": str, "created_at": str}, pk="id")
    db["dealer_versions"].create(
        {
            "id": int, "dealer_id": str, "legal_name": str, "trade_name": str,
            "enterprise_number": str, "street": str, "postcode": str, "town": str,
            "lat": float, "lon": float, "languages": str, "roles": str,
            "active_from": str, "active_until": str, "recorded_at": str, "change_id": str,
        },
        pk="id",
        foreign_keys=[("dealer_id", "dealers", "id")],
        not_null={"dealer_id", "legal_name", "enterprise_number", "postcode", "lat", "lon",
                  "languages", "roles", "active_from", "recorded_at"},
    )
    db["dealer_versions"].create_index(["dealer_id", "active_from"], unique=True)
    db["customers"].create(
        {
            "id": str, "postcode": str, "lat": float, "lon": float, "language": str,
            "kind": str, "enterprise_number": str, "created_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"postcode", "language", "kind", "created_at", "updated_at"},
    )
    db["contact_events"].create(
        {
            "event_id": str, "customer_id": str, "dealer_id": str, "kind": str,
            "occurred_at": str, "recorded_at": str,
        },
        pk="event_id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "kind", "occurred_at", "recorded_at"},
    )
    db["contact_events"].create_index(["customer_id", "occurred_at"])
    db["preferences"].create(
        {
            "id": int, "customer_id": str, "dealer_id": str, "designated_at": str,
            "revoked_at": str, "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "designated_at", "recorded_at"},
    )
    db["preferences"].create_index(["customer_id", "designated_at"])
    db["assignments"].create(
        {
            "id": int, "customer_id": str, "dealer_id": str, "basis": str, "rule_id": str,
            "valid_from": str, "valid_to": str, "explanation": str, "distance_km": float,
            "point_lat": float, "point_lon": float, "point_source": str,
            "runners_up": str, "skipped": str, "rules_version": str, "decision_date": str,
            "trigger": str, "decided_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "basis", "rule_id", "valid_from",
                  "explanation", "rules_version", "decision_date", "trigger", "decided_at"},
    )
    db["assignments"].create_index(["customer_id", "valid_from"])
    db.execute(
        "CREATE UNIQUE INDEX assignments_current ON assignments(customer_id) "
        "WHERE valid_to IS NULL"
    )



@MIGRATIONS()
def m002_privacy_facts(db: sqlite_utils.Database) -> None:
    """The facts controller resolution reads: consents per channel, contracts, disputes."""
    db["consents"].create(
        {"id": int, "customer_id": str, "channel": str, "given_at": str, "withdrawn_at": str,
         "recorded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "channel", "given_at", "recorded_at"},
    )
    db["consents"].create_index(["customer_id", "channel", "given_at"])
    db["contracts"].create(
        {"id": str, "customer_id": str, "kind": str, "partner": str, "dealer_id": str,
         "start_date": str, "end_date": str, "recorded_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "kind", "start_date", "recorded_at", "updated_at"},
    )
    db["contracts"].create_index(["customer_id"])
    db["disputes"].create(
        {"id": int, "customer_id": str, "subject": str, "opened_at": str, "closed_at": str,
         "recorded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "opened_at", "recorded_at"},
    )
    db["disputes"].create_index(["customer_id"])


@MIGRATIONS()
def m003_network_changes_jobs_audit(db: sqlite_utils.Database) -> None:
    """Dealer-network changes, resumable re-assignment jobs, the audit of who changed an
    assignment from what, and the notices owed to customers whose controller changed."""
    db["network_changes"].create(
        {"id": int, "kind": str, "dealer_id": str, "effective_date": str, "details": str,
         "caller": str, "recorded_at": str},
        pk="id",
        foreign_keys=[("dealer_id", "dealers", "id")],
        not_null={"kind", "dealer_id", "effective_date", "details", "caller", "recorded_at"},
    )
    db["reassign_jobs"].create(
        {"id": str, "scope": str, "decision_at": str, "status": str, "cursor": str,
         "processed": int, "changed": int, "started_at": str, "updated_at": str,
         "finished_at": str, "caller": str},
        pk="id",
        not_null={"scope", "decision_at", "status", "processed", "changed", "started_at",
                  "updated_at", "caller"},
    )
    db["assignments"].add_column("previous_dealer_id", str)
    db["assignments"].add_column("previous_basis", str)
    db["assignments"].create_index(["trigger"])
    db["notices"].create(
        {"id": int, "customer_id": str, "assignment_id": int, "old_dealer_id": str,
         "new_dealer_id": str, "trigger": str, "created_at": str, "exported_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("assignment_id", "assignments", "id")],
        not_null={"customer_id", "assignment_id", "old_dealer_id", "new_dealer_id", "trigger",
                  "created_at"},
    )
    db["notices"].create_index(["exported_at"])


class Store:
    def __init__(self, path: Path | str):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # SQLite makes a blocked writer sleep and poll; threads of one process queue here
        # instead and wake as soon as the writer before them commits.
        self._write_lock = threading.Lock()
        self.migrate()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = self._local.db = sqlite_utils.Database(conn)
        return db

    def rows(self, sql: str, params=()) -> list[dict]:
        """Rows as dicts. sqlite-utils' query() does the same with more checks; this is the
        hot path of every request."""
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error: one writer, no lost updates."""
        return _Transaction(self.db.conn, self._write_lock)

    def applied_migrations(self) -> list[str]:
        return [m.name for m in MIGRATIONS.applied(self.db)]

    def migrate(self) -> None:
        """Applies the pending migrations; BEGIN IMMEDIATE keeps two processes from racing."""
        with self.transaction():
            MIGRATIONS.apply(self.db)

    # dealers

    def add_dealer(self, dealer_id: str) -> None:
        """The dealer's identity, which its versions and network changes refer to."""
        self.db.execute(
            "INSERT OR IGNORE INTO dealers (id, created_at) VALUES (?, ?)",
            [dealer_id, clock.to_text(clock.now())],
        )

    def add_dealer_version(self, version: DealerVersion, change_id: str | None = None) -> int:
        now = clock.to_text(clock.now())
        self.add_dealer(version.dealer_id)
        cursor = self.db.execute(
            "INSERT INTO dealer_versions (dealer_id, legal_name, trade_name, enterprise_number,"
            " street, postcode, town, lat, lon, languages, roles, active_from, active_until,"
            " recorded_at, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                version.dealer_id, version.legal_name, version.trade_name,
                version.enterprise_number, version.street, version.postcode, version.town,
                version.lat, version.lon, json.dumps(list(version.languages)),
                json.dumps(list(version.roles)), version.active_from.isoformat(),
                version.active_until.isoformat() if version.active_until else None,
                now, change_id,
            ],
        )
        return cursor.lastrowid

    def dealer_versions(self) -> list[DealerVersion]:
        return [
            DealerVersion(
                dealer_id=row["dealer_id"], legal_name=row["legal_name"],
                trade_name=row["trade_name"] or "", enterprise_number=row["enterprise_number"],
                street=row["street"] or "", postcode=row["postcode"], town=row["town"] or "",
                lat=row["lat"], lon=row["lon"], languages=tuple(json.loads(row["languages"])),
                roles=tuple(json.loads(row["roles"])),
                active_from=dt.date.fromisoformat(row["active_from"]),
                active_until=(
                    dt.date.fromisoformat(row["active_until"]) if row["active_until"] else None
                ),
                version_id=row["id"],
            )
            for row in self.rows("SELECT * FROM dealer_versions ORDER BY id")
        ]

    def end_dealer_version(self, version_id: int, last_day: dt.date | None) -> None:
        self.db.execute(
            "UPDATE dealer_versions SET active_until = ? WHERE id = ?",
            [last_day.isoformat() if last_day else None, version_id],
        )

    def delete_dealer_version(self, version_id: int) -> None:
        self.db.execute("DELETE FROM dealer_versions WHERE id = ?", [version_id])

    def record_network_change(
        self, kind: str, dealer_id: str, effective: dt.date, details: dict, caller: str
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO network_changes (kind, dealer_id, effective_date, details, caller, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [kind, dealer_id, effective.isoformat(), json.dumps(details, sort_keys=True), caller,
             clock.to_text(clock.now())],
        )
        return cursor.lastrowid

    def network_stamp(self) -> tuple:
        """Changes whenever the network does: to know when to reload it."""
        return tuple(self.db.execute(
            "SELECT (SELECT max(id) FROM network_changes), (SELECT count(*) FROM dealer_versions)"
        ).fetchone())

    def has_dealers(self) -> bool:
        return self.db.execute("SELECT 1 FROM dealers LIMIT 1").fetchone() is not None

    # customers

    def get_customer(self, customer_id: str) -> dict | None:
        rows = self.rows("SELECT * FROM customers WHERE id = ?", [customer_id])
        return rows[0] if rows else None

    def upsert_customer(self, customer: dict) -> tuple[dict, bool]:
        """Inserts or updates by id; returns the stored row and whether it was created."""
        now = clock.to_text(clock.now())
        with self.transaction():
            existing = self.get_customer(customer["id"])
            row = dict(customer, updated_at=now,
                       created_at=existing["created_at"] if existing else now)
            self.db.execute(
                "INSERT INTO customers (id, postcode, lat, lon, language, kind, "
                "enterprise_number, created_at, updated_at) VALUES (:id, :postcode, :lat, "
                ":lon, :language, :kind, :enterprise_number, :created_at, :updated_at) "
                "ON CONFLICT(id) DO UPDATE SET postcode=excluded.postcode, lat=excluded.lat, "
                "lon=excluded.lon, language=excluded.language, kind=excluded.kind, "
                "enterprise_number=excluded.enterprise_number, updated_at=excluded.updated_at",
                row,
            )
        return row, existing is None

    def snapshot(self, customer_id: str, at: dt.datetime) -> tuple[dict, list[Contact], Preference | None, dict | None] | None:
        """In one statement, what a decision for the customer at `at` reads: the customer,
        the contacts, the standing designation and the current assignment's id, dealer and
        basis. One statement, one step: each SQLite step releases the GIL, and on a busy
        server every release costs a wait for it back."""
        text = clock.to_text(at)
        cursor = self.db.conn.execute(
            "SELECT c.*,"
            " (SELECT json_group_array(json_array(event_id, dealer_id, kind, occurred_at))"
            "  FROM contact_events WHERE customer_id = c.id) AS _contacts,"
            " (SELECT json_array(id, dealer_id, designated_at, revoked_at) FROM preferences"
            "  WHERE customer_id = c.id AND designated_at <= ? AND (revoked_at IS NULL OR revoked_at > ?)"
            "  ORDER BY designated_at DESC, id DESC LIMIT 1) AS _preference,"
            " (SELECT json_object('id', id, 'dealer_id', dealer_id, 'basis', basis, 'valid_to', valid_to)"
            "  FROM assignments WHERE customer_id = c.id AND valid_to IS NULL) AS _current"
            " FROM customers c WHERE c.id = ?",
            [text, text, customer_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        customer = dict(zip([d[0] for d in cursor.description], row))
        contacts = [
            Contact(event_id, customer_id, dealer_id, kind, clock.from_text(occurred_at))
            for event_id, dealer_id, kind, occurred_at in json.loads(customer.pop("_contacts"))
        ]
        preference = customer.pop("_preference")
        if preference is not None:
            pid, dealer_id, designated_at, revoked_at = json.loads(preference)
            preference = Preference(pid, customer_id, dealer_id, clock.from_text(designated_at),
                                    clock.from_text(revoked_at) if revoked_at else None)
        current = customer.pop("_current")
        return customer, contacts, preference, json.loads(current) if current else None

    def assignment(self, assignment_id: int) -> dict:
        return self.rows("SELECT * FROM assignments WHERE id = ?", [assignment_id])[0]

    # contacts

    def record_contact(self, contact: Contact) -> tuple[Contact, bool]:
        """Idempotent by event id: a second call with the same event returns the stored one
        and False. Raises ValueError when the id was used for a different event."""
        with self.transaction():
            stored = self.get_contact(contact.event_id)
            if stored is not None:
                if stored != contact:
                    raise ValueError(
                        f"event {contact.event_id} was recorded before with other content"
                    )
                return stored, False
            self.db.execute(
                "INSERT INTO contact_events (event_id, customer_id, dealer_id, kind,"
                " occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                [contact.event_id, contact.customer_id, contact.dealer_id, contact.kind,
                 clock.to_text(contact.occurred_at), clock.to_text(clock.now())],
            )
        return contact, True

    def get_contact(self, event_id: str) -> Contact | None:
        rows = self.rows("SELECT * FROM contact_events WHERE event_id = ?", [event_id])
        return contact_from_row(rows[0]) if rows else None

    def contacts(self, customer_id: str) -> list[Contact]:
        return [
            contact_from_row(row)
            for row in self.rows(
                "SELECT * FROM contact_events WHERE customer_id = ? ORDER BY occurred_at",
                [customer_id],
            )
        ]

    # preferences

    def set_preference(self, customer_id: str, dealer_id: str, at: dt.datetime) -> Preference:
        """Designates a preferred dealer; a standing designation is revoked at the same
        moment, so at most one stands."""
        with self.transaction():
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

    def revoke_preference(self, customer_id: str, at: dt.datetime) -> Preference | None:
        with self.transaction():
            current = self.standing_preference(customer_id)
            if current is None:
                return None
            self.db.execute(
                "UPDATE preferences SET revoked_at = ? WHERE id = ?", [clock.to_text(at), current.id]
            )
        return Preference(current.id, customer_id, current.dealer_id, current.designated_at, at)

    def standing_preference(self, customer_id: str) -> Preference | None:
        """The designation not revoked (set_preference keeps at most one)."""
        rows = self.rows(
            "SELECT * FROM preferences WHERE customer_id = ? AND revoked_at IS NULL "
            "ORDER BY designated_at DESC, id DESC LIMIT 1",
            [customer_id],
        )
        return preference_from_row(rows[0]) if rows else None

    # assignments

    def current_assignment(self, customer_id: str) -> dict | None:
        rows = self.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_to IS NULL", [customer_id]
        )
        return rows[0] if rows else None

    def assignment_at(self, customer_id: str, at: dt.datetime) -> dict | None:
        """The assignment in force at `at`."""
        text = clock.to_text(at)
        rows = self.rows(
            "SELECT * FROM assignments WHERE customer_id = ? AND valid_from <= ? "
            "AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1",
            [customer_id, text, text],
        )
        return rows[0] if rows else None

    def assignments(self, customer_id: str) -> list[dict]:
        return self.rows(
            "SELECT * FROM assignments WHERE customer_id = ? ORDER BY valid_from DESC, id DESC",
            [customer_id],
        )

    def save_decision(
        self, customer_id: str, decision: Decision, at: dt.datetime, trigger: str,
        recorded_at: dt.datetime | None = None,
    ) -> tuple[dict, bool]:
        """Stores `decision` as the customer's assignment from `at`: see save_assignment."""
        return self.save_assignment(decision_fields(customer_id, decision), at, trigger, recorded_at)

    def save_assignment(
        self, fields: dict, at: dt.datetime, trigger: str, recorded_at: dt.datetime | None = None
    ) -> tuple[dict, bool]:
        """Stores a decision's fields as the customer's assignment from `at`, closing the
        current one, unless the current one already names the same dealer on the same basis.
        A change of dealer also lists the customer for a notice: their controller changed.
        Returns the assignment in force and whether a new version was written."""
        customer_id = fields["customer_id"]
        with self.transaction():
            current = self.current_assignment(customer_id)
            if current and (current["dealer_id"], current["basis"]) == (fields["dealer_id"], fields["basis"]):
                return current, False
            at_text = clock.to_text(at)
            if current:
                # Never before the version it closes: a job's fixed instant may precede it.
                at_text = max(at_text, current["valid_from"])
                self.db.execute(
                    "UPDATE assignments SET valid_to = ? WHERE id = ?", [at_text, current["id"]]
                )
            recorded = clock.to_text(recorded_at or clock.now())
            row = dict(
                fields, valid_from=at_text, valid_to=None, trigger=trigger, decided_at=recorded,
                previous_dealer_id=current["dealer_id"] if current else None,
                previous_basis=current["basis"] if current else None,
            )
            cursor = self.db.execute(
                f"INSERT INTO assignments ({', '.join(row)}) "
                f"VALUES ({', '.join(':' + k for k in row)})",
                row,
            )
            row["id"] = cursor.lastrowid
            if current and current["dealer_id"] != row["dealer_id"]:
                self.db.execute(
                    "INSERT INTO notices (customer_id, assignment_id, old_dealer_id, new_dealer_id,"
                    " trigger, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [customer_id, row["id"], current["dealer_id"], row["dealer_id"], trigger, recorded],
                )
        return row, True

    # audit

    def assignment_changes(self, job_id: str | None = None, customer_id: str | None = None) -> list[dict]:
        """Stored assignment versions made by one job, or all of one customer's, oldest first."""
        if job_id is not None:
            return self.rows(
                "SELECT * FROM assignments WHERE trigger = ? ORDER BY customer_id, id", [f"job:{job_id}"]
            )
        return self.rows(
            "SELECT * FROM assignments WHERE customer_id = ? ORDER BY valid_from, id", [customer_id]
        )

    def notices(self, pending_only: bool = False, job_id: str | None = None) -> list[dict]:
        clauses, params = [], []
        if pending_only:
            clauses.append("exported_at IS NULL")
        if job_id:
            clauses.append("trigger = ?")
            params.append(f"job:{job_id}")
        where = " AND ".join(clauses) or "1"
        return self.rows(f"SELECT * FROM notices WHERE {where} ORDER BY id", params)

    def mark_notices_exported(self, ids: list[int], at: dt.datetime) -> int:
        with self.transaction():
            marked = 0
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marked += self.db.execute(
                    f"UPDATE notices SET exported_at = ? WHERE exported_at IS NULL AND id IN"
                    f" ({', '.join('?' * len(chunk))})", [clock.to_text(at), *chunk],
                ).rowcount
        return marked

    # consents, contracts, disputes

    def give_consent(self, customer_id: str, channel: str, at: dt.datetime) -> tuple[Consent, bool]:
        """Records consent for a channel from `at`; a consent already in force then is kept
        (False)."""
        with self.transaction():
            for consent in self.consents(customer_id):
                if consent.channel == channel and consent.in_force(at):
                    return consent, False
                if consent.channel == channel and consent.given_at > at:
                    raise ValueError(f"a later {channel} consent ({consent.given_at.isoformat()}) is on record")
            cursor = self.db.execute(
                "INSERT INTO consents (customer_id, channel, given_at, recorded_at) VALUES (?, ?, ?, ?)",
                [customer_id, channel, clock.to_text(at), clock.to_text(clock.now())],
            )
        return Consent(cursor.lastrowid, customer_id, channel, at), True

    def withdraw_consent(self, customer_id: str, channel: str, at: dt.datetime) -> Consent | None:
        """Ends the consent in force at `at` for a channel; None when there is none."""
        with self.transaction():
            current = [c for c in self.consents(customer_id) if c.channel == channel and c.in_force(at)]
            if not current:
                return None
            self.db.execute(
                "UPDATE consents SET withdrawn_at = ? WHERE id = ?", [clock.to_text(at), current[0].id]
            )
        c = current[0]
        return Consent(c.id, customer_id, channel, c.given_at, at)

    def consents(self, customer_id: str) -> list[Consent]:
        return [
            Consent(row["id"], row["customer_id"], row["channel"], clock.from_text(row["given_at"]),
                    clock.from_text(row["withdrawn_at"]) if row["withdrawn_at"] else None)
            for row in self.rows(
                "SELECT * FROM consents WHERE customer_id = ? ORDER BY given_at, id", [customer_id]
            )
        ]

    def upsert_contract(self, contract: Contract) -> tuple[Contract, bool]:
        now = clock.to_text(clock.now())
        with self.transaction():
            existing = self.db.execute("SELECT customer_id FROM contracts WHERE id = ?", [contract.id]).fetchone()
            if existing and existing[0] != contract.customer_id:
                raise ValueError(f"contract {contract.id} belongs to another customer")
            self.db.execute(
                "INSERT INTO contracts (id, customer_id, kind, partner, dealer_id, start_date, end_date,"
                " recorded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                " SET kind=excluded.kind, partner=excluded.partner, dealer_id=excluded.dealer_id,"
                " start_date=excluded.start_date, end_date=excluded.end_date, updated_at=excluded.updated_at",
                [contract.id, contract.customer_id, contract.kind, contract.partner, contract.dealer_id,
                 contract.start_date.isoformat(),
                 contract.end_date.isoformat() if contract.end_date else None, now, now],
            )
        return contract, existing is None

    def contracts(self, customer_id: str) -> list[Contract]:
        return [
            Contract(row["id"], row["customer_id"], row["kind"], row["partner"] or "", row["dealer_id"],
                     dt.date.fromisoformat(row["start_date"]),
                     dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None)
            for row in self.rows(
                "SELECT * FROM contracts WHERE customer_id = ? ORDER BY start_date, id", [customer_id]
            )
        ]

    def open_dispute(self, customer_id: str, subject: str, at: dt.datetime) -> Dispute:
        cursor = self.db.execute(
            "INSERT INTO disputes (customer_id, subject, opened_at, recorded_at) VALUES (?, ?, ?, ?)",
            [customer_id, subject, clock.to_text(at), clock.to_text(clock.now())],
        )
        return Dispute(cursor.lastrowid, customer_id, subject, at)

    def close_dispute(self, customer_id: str, dispute_id: int | None, at: dt.datetime) -> Dispute | None:
        """Closes the given open dispute, or the customer's only open one."""
        with self.transaction():
            open_ = [d for d in self.disputes(customer_id) if d.closed_at is None
                     and (dispute_id is None or d.id == dispute_id)]
            if len(open_) != 1:
                return None
            dispute = open_[0]
            if at < dispute.opened_at:
                raise ValueError("a dispute cannot close before it opened")
            self.db.execute("UPDATE disputes SET closed_at = ? WHERE id = ?", [clock.to_text(at), dispute.id])
        return Dispute(dispute.id, customer_id, dispute.subject, dispute.opened_at, at)

    def disputes(self, customer_id: str) -> list[Dispute]:
        return [
            Dispute(row["id"], row["customer_id"], row["subject"] or "", clock.from_text(row["opened_at"]),
                    clock.from_text(row["closed_at"]) if row["closed_at"] else None)
            for row in self.rows(
                "SELECT * FROM disputes WHERE customer_id = ? ORDER BY opened_at, id", [customer_id]
            )
        ]


def decision_fields(customer_id: str, decision: Decision) -> dict:
    """What an assignment row keeps of a decision (the rest says when and why it was stored)."""
    return {
        "customer_id": customer_id,
        "dealer_id": decision.dealer.dealer_id,
        "basis": decision.basis,
        "rule_id": decision.rule_id,
        "explanation": decision.explanation,
        "distance_km": decision.distance_km,
        "point_lat": decision.point[0],
        "point_lon": decision.point[1],
        "point_source": decision.point_source,
        "runners_up": json.dumps([
            {"dealer_id": c.dealer.dealer_id, "basis": c.basis,
             "distance_km": round(c.distance_km, 3), "score": c.score}
            for c in decision.runners_up
        ]),
        "skipped": json.dumps([
            {"dealer_id": s.dealer_id, "basis": s.basis, "reason": s.reason}
            for s in decision.skipped
        ]),
        "rules_version": decision.rules_version,
        "decision_date": decision.decision_date.isoformat(),
    }


class _Transaction:
    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock):
        self.conn = conn
        self.lock = lock
        self.outer = False

    def __enter__(self):
        # Nested use joins the outer transaction.
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.lock.acquire()
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.lock.release()
                raise
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            try:
                self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.lock.release()
        return False


def contact_from_row(row) -> Contact:
    return Contact(
        row["event_id"], row["customer_id"], row["dealer_id"], row["kind"],
        clock.from_text(row["occurred_at"]),
    )


def preference_from_row(row) -> Preference:
    return Preference(
        row["id"], row["customer_id"], row["dealer_id"], clock.from_text(row["designated_at"]),
        clock.from_text(row["revoked_at"]) if row["revoked_at"] else None,
    )


