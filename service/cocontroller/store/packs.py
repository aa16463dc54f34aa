"""The rule-pack versions this database has served, each with the hash of its content."""

from .. import clock
from .db import Database


class PackVersionRepository:
    def __init__(self, db: Database):
        self.db = db

    def record(self, name: str, version: str, content_hash: str) -> str:
        """Records the version's content hash if the version is new; returns the hash the
        version is known by (the one given, or the one it first served with)."""
        with self.db.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO rule_pack_versions (name, version, content_hash, first_served_at)"
                " VALUES (?, ?, ?, ?)",
                [name, version, content_hash, clock.to_text(clock.now())],
            )
            (known,) = self.db.execute(
                "SELECT content_hash FROM rule_pack_versions WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
        return known
