"""The dealer network as stored: dealers, their versions with effective dates, and the log of
changes made to them."""

import dataclasses
import datetime as dt
import json

from .. import clock
from ..model import (
    Correction, DealerFields, DealerRole, DealerVersion, Language, LoggedChange, NetworkChangeKind,
)
from .db import Database


class NetworkRepository:
    def __init__(self, db: Database):
        self.db = db

    def add_dealer(self, dealer_id: str) -> None:
        """The dealer's identity, which its versions and network changes refer to."""
        self.db.execute(
            "INSERT INTO dealers (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
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

    def versions(self, known_at: dt.datetime | None = None) -> list[DealerVersion]:
        """The versions as the service knew them at `known_at` (now by default): recorded by
        then and not yet superseded then."""
        if known_at is None:
            rows = self.db.rows("SELECT * FROM dealer_versions WHERE superseded_at IS NULL ORDER BY id")
        else:
            at = clock.to_text(known_at)
            rows = self.db.rows(
                "SELECT * FROM dealer_versions WHERE recorded_at <= ? AND (superseded_at IS NULL OR superseded_at > ?)"
                " ORDER BY id", [at, at],
            )
        return [_version_from_row(row) for row in rows]

    def end_version(self, version: DealerVersion, last_day: dt.date, change_id: int) -> None:
        """The version now ends on `last_day`: it is superseded by a copy that says so."""
        self.supersede(version.version_id, change_id)
        self.add_version(dataclasses.replace(version, active_until=last_day), change_id=f"change:{change_id}")

    def supersede(self, version_id: int, change_id: int) -> None:
        """The version no longer stands from now on; it stays readable for earlier instants."""
        self.db.execute(
            "UPDATE dealer_versions SET superseded_at = ?, superseded_by = ? WHERE id = ? AND superseded_at IS NULL",
            [clock.to_text(clock.now()), f"change:{change_id}", version_id],
        )

    def record_change(
        self, kind: NetworkChangeKind, dealer_id: str, effective: dt.date, fields: DealerFields | None,
        caller: str, correction: Correction | None = None,
    ) -> int:
        """Logs a change: what it gave (the fields set), from when, who made it and, for a
        backdated one, why."""
        details = {} if fields is None else {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(fields).items() if v not in (None, "", ())
        }
        cursor = self.db.execute(
            "INSERT INTO network_changes (kind, dealer_id, effective_date, details, caller, recorded_at,"
            " reason, confirmed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [str(kind), dealer_id, effective.isoformat(), json.dumps(details, sort_keys=True), caller,
             clock.to_text(clock.now()), correction.reason if correction else None,
             int(correction.confirmed) if correction else None],
        )
        return cursor.lastrowid

    def change(self, change_id: int) -> LoggedChange | None:
        rows = self.db.rows("SELECT * FROM network_changes WHERE id = ?", [change_id])
        if not rows:
            return None
        row = rows[0]
        return LoggedChange(
            id=row["id"], kind=NetworkChangeKind(row["kind"]), dealer_id=row["dealer_id"],
            effective=dt.date.fromisoformat(row["effective_date"]),
            recorded_at=clock.from_text(row["recorded_at"]), caller=row["caller"],
            correction=Correction(row["reason"], bool(row["confirmed"])) if row["reason"] else None,
            cancelled_at=clock.from_text(row["cancelled_at"]) if row["cancelled_at"] else None,
        )

    def last_change_of(self, dealer_id: str) -> int | None:
        """The dealer's latest change that was not cancelled."""
        row = self.db.execute(
            "SELECT max(id) FROM network_changes WHERE dealer_id = ? AND cancelled_at IS NULL", [dealer_id]
        ).fetchone()
        return row[0]

    def cancel_change(self, change_id: int, caller: str, reason: str) -> None:
        """Takes a change back: the versions it added stop standing, the ones it superseded
        stand again (as new rows, recorded now), and the log keeps both."""
        tag = f"change:{change_id}"
        added = self.db.rows(
            "SELECT id FROM dealer_versions WHERE change_id = ? AND superseded_at IS NULL", [tag]
        )
        ended = self.db.rows("SELECT * FROM dealer_versions WHERE superseded_by = ?", [tag])
        for row in added:
            self.supersede(row["id"], change_id)
        for row in ended:
            # Under the change that made it, so that change can be taken back in turn.
            self.add_version(_version_from_row(row), change_id=row["change_id"])
        self.db.execute(
            "UPDATE network_changes SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?",
            [clock.to_text(clock.now()), caller, reason, change_id],
        )

    def stamp(self) -> tuple[int | None, int, int]:
        """Changes whenever the network does: to know when to read it again."""
        return tuple(self.db.execute(
            "SELECT (SELECT max(id) FROM network_changes), (SELECT count(*) FROM dealer_versions),"
            " (SELECT count(*) FROM network_changes WHERE cancelled_at IS NOT NULL)"
        ).fetchone())

    def has_dealers(self) -> bool:
        return self.db.execute("SELECT 1 FROM dealers LIMIT 1").fetchone() is not None


def _version_from_row(row: dict) -> DealerVersion:
    return DealerVersion(
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
