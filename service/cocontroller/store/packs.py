"""The rule-pack versions this database has served: each with the hash and the text of its
files, and when each started serving."""

import json

from .. import clock
from ..model import StoredPack
from .db import Database


class PackVersionRepository:
    def __init__(self, db: Database):
        self.db = db

    def record(self, name: str, version: str, content_hash: str, files: dict | None = None) -> str:
        """Records the version's content hash (and its files' text) if the version is new;
        returns the hash the version is known by (the one given, or the one it first served
        with)."""
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO rule_pack_versions (name, version, content_hash, first_served_at, files)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [name, version, content_hash, clock.to_text(clock.now()),
                 json.dumps(files, sort_keys=True) if files is not None else None],
            )
            (known,) = self.db.execute(
                "SELECT content_hash FROM rule_pack_versions WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
        return known

    def served(self, name: str, version: str) -> None:
        """Notes that `version` serves from now on, unless it already was the last to."""
        with self.db.transaction():
            last = self.db.execute(
                "SELECT version FROM rule_pack_swaps WHERE name = ? ORDER BY served_from DESC, id DESC LIMIT 1",
                [name],
            ).fetchone()
            if last is None or last[0] != version:
                self.db.execute(
                    "INSERT INTO rule_pack_swaps (name, version, served_from) VALUES (?, ?, ?)",
                    [name, version, clock.to_text(clock.now())],
                )

    def serving_at(self, name: str, at) -> StoredPack | None:
        """The version that served at `at`, with its files; None before any, or when its
        files were not kept (served before this database kept them)."""
        rows = self.db.rows(
            "SELECT v.version, v.files FROM rule_pack_swaps s JOIN rule_pack_versions v"
            " ON v.name = s.name AND v.version = s.version"
            " WHERE s.name = ? AND s.served_from <= ? ORDER BY s.served_from DESC, s.id DESC LIMIT 1",
            [name, clock.to_text(at)],
        )
        if not rows or rows[0]["files"] is None:
            return None
        stored = json.loads(rows[0]["files"])
        return StoredPack(name, rows[0]["version"], stored["main"], stored["files"])
