"""Bulk insert for synthetic data: raw `executemany`, one transaction per batch. The
repositories' one-row-at-a-time writes are far too slow for millions of rows."""

from collections.abc import Mapping, Sequence

from .db import Database

# Each table's columns, in the order the rows' tuples give them.
COLUMNS = {
    "customers": ("id", "postcode", "lat", "lon", "language", "kind", "enterprise_number",
                  "created_at", "updated_at"),
    "contact_events": ("event_id", "customer_id", "dealer_id", "kind", "occurred_at", "recorded_at"),
    "preferences": ("customer_id", "dealer_id", "designated_at", "revoked_at", "recorded_at"),
    "contracts": ("id", "customer_id", "kind", "partner", "dealer_id", "start_date", "end_date",
                  "recorded_at", "updated_at"),
    "consents": ("customer_id", "channel", "given_at", "withdrawn_at", "recorded_at", "wording", "source",
                 "proof_reference"),
    "disputes": ("customer_id", "subject", "opened_at", "closed_at", "recorded_at"),
}
TABLES = tuple(COLUMNS)
_INSERTS = {
    table: f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for table, columns in COLUMNS.items()
}


class BulkWriter:
    def __init__(self, db: Database):
        self.db = db

    def has_customers_with_prefix(self, prefix: str) -> bool:
        # A range on the primary key: the prefix with its last character raised bounds it.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        found = self.db.execute(
            "SELECT 1 FROM customers WHERE id >= ? AND id < ? LIMIT 1", [prefix, upper]
        ).fetchone()
        return found is not None

    def insert(self, rows: Mapping[str, Sequence[tuple]]) -> dict[str, int]:
        """Inserts the rows of each table (tuples in COLUMNS order) in one transaction;
        returns the rows written per table."""
        with self.db.transaction() as conn:
            for table, table_rows in rows.items():
                conn.executemany(_INSERTS[table], table_rows)
        return {table: len(table_rows) for table, table_rows in rows.items()}
