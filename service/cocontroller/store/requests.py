"""The answers to idempotent calls (AIP-155), by request id: what was asked (a fingerprint)
and what was answered, so a retry gets the same answer and writes nothing."""

from .. import clock
from ..errors import AlreadyExists
from .db import Database


class RequestRepository:
    def __init__(self, db: Database):
        self.db = db

    def answered(self, request_id: str, method: str, fingerprint: str) -> bytes | None:
        """The answer given to the request, None if it was never made; the id used before
        for another request is AlreadyExists."""
        rows = self.db.rows("SELECT method, fingerprint, answer FROM requests WHERE request_id = ?", [request_id])
        if not rows:
            return None
        if (rows[0]["method"], rows[0]["fingerprint"]) != (method, fingerprint):
            raise AlreadyExists(f"request id {request_id!r} was used for another request; use a new one")
        return rows[0]["answer"]

    def remember(self, request_id: str, method: str, customer_id: str, fingerprint: str, answer: bytes) -> None:
        """Called in the transaction that made the answer: both commit or neither."""
        self.db.execute(
            "INSERT INTO requests (request_id, method, customer_id, fingerprint, answer, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [request_id, method, customer_id, fingerprint, answer, clock.to_text(clock.now())],
        )
