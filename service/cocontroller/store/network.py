"""The dealer network as stored: dealers, their versions with effective dates, and the log of
changes made to them."""

import dataclasses
import datetime as dt
import json

from .. import clock
from ..model import DealerFields, DealerRole, DealerVersion, Language, NetworkChangeKind
from .db import Database


class NetworkRepository:
    def __init__(self, db: Database):
        self.db = db

    def add_dealer(self, dealer_id: str) -> None:
        """The dealer's identity, which its versions and network changes refer to."""
        self.db.execute(
            "INSERT OR IGNORE INTO dealers (id, created_at) VALUES (?, ?)",
            [dealer_id, clock.to_text(clock.now())],
        )

    def add_version(self, version: DealerVersion, change_id: str | None = None) -> int:
        self.add_dealer(version.dealer_id)
        cursor = self.db.execute(
            "INSERT INTO dealer_versions (dealer_id, legal_name, trade_name, enterprise_number,"
            " street, postcode, town, lat, lon, languages, roles, active_from, active_until,"
            " recorded_at, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                version.dealer_id, version.legal_name, version.trade_name,
                version.enterprise_number, version.street, version.postcode, version.town,
                version.lat, version.lon, json.dumps([str(x) for x in version.languages]),
                json.dumps([str(x) for x in version.roles]), version.active_from.isoformat(),
                version.active_until.isoformat() if version.active_until else None,
                clock.to_text(clock.now()), change_id,
            ],
        )
        return cursor.lastrowid

    def versions(self) -> list[DealerVersion]:
        return [
            DealerVersion(
                dealer_id=row["dealer_id"], legal_name=row["legal_name"],
                trade_name=row["trade_name"] or "", enterprise_number=row["enterprise_number"],
                street=row["street"] or "", postcode=row["postcode"], town=row["town"] or "",
                lat=row["lat"], lon=row["lon"],
                languages=tuple(Language(x) for x in json.loads(row["languages"])),
                roles=tuple(DealerRole(x) for x in json.loads(row["roles"])),
                active_from=dt.date.fromisoformat(row["active_from"]),
                active_until=dt.date.fromisoformat(row["active_until"]) if row["active_until"] else None,
                version_id=row["id"],
            )
            for row in self.db.rows("SELECT * FROM dealer_versions ORDER BY id")
        ]

    def end_version(self, version_id: int, last_day: dt.date) -> None:
        self.db.execute(
            "UPDATE dealer_versions SET active_until = ? WHERE id = ?", [last_day.isoformat(), version_id]
        )

    def delete_version(self, version_id: int) -> None:
        """A version replaced on its own first day never answered for any day."""
        self.db.execute("DELETE FROM dealer_versions WHERE id = ?", [version_id])

    def record_change(
        self, kind: NetworkChangeKind, dealer_id: str, effective: dt.date, fields: DealerFields | None,
        caller: str,
    ) -> int:
        """Logs a change: what it gave (the fields set), from when, and who made it."""
        details = {} if fields is None else {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(fields).items() if v not in (None, "", ())
        }
        cursor = self.db.execute(
            "INSERT INTO network_changes (kind, dealer_id, effective_date, details, caller, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [str(kind), dealer_id, effective.isoformat(), json.dumps(details, sort_keys=True), caller,
             clock.to_text(clock.now())],
        )
        return cursor.lastrowid

    def stamp(self) -> tuple[int | None, int]:
        """Changes whenever the network does: to know when to read it again."""
        return tuple(self.db.execute(
            "SELECT (SELECT max(id) FROM network_changes), (SELECT count(*) FROM dealer_versions)"
        ).fetchone())

    def has_dealers(self) -> bool:
        return self.db.execute("SELECT 1 FROM dealers LIMIT 1").fetchone() is not None
