"""The audit trail: the assignment versions a job or a customer has, and the notices owed to
customers whose controller changed, each with the letter to send."""

import dataclasses
import datetime as dt

from .. import clock
from ..domain.letters import check_template, importer_named, letter
from ..domain.validation import MAX_NOTICE_IDS, check_count, check_id, check_instant
from ..errors import InvalidArgument, Violations
from ..model import AssignmentRecord, Notice, Page, PageRequest
from ..store import Store
from .runtime import RuntimeHolder


class AuditService:
    def __init__(self, store: Store, runtime: RuntimeHolder):
        self.store = store
        self.runtime = runtime
        # The privacy pack's letter template and importer, read once per compiled pack.
        self._letters: tuple | None = None

    def assignment_changes(
        self, job_id: str | None = None, customer_id: str | None = None, page: PageRequest | None = None
    ) -> Page[AssignmentRecord]:
        """The versions a job stored (by customer), or one customer's (oldest first)."""
        if customer_id is not None:
            violations = Violations()
            check_id(customer_id, "customer_id", violations)
            violations.raise_if_any()
            self.store.customers.get(customer_id)
            return self.store.assignments.of_customer(customer_id, newest_first=False, page=page)
        if not job_id:
            raise InvalidArgument.of("job_id", "give a job id or a customer id")
        _check_job_id(job_id)
        return self.store.assignments.of_job(job_id, page)

    def notices(
        self, pending_only: bool = False, job_id: str | None = None, page: PageRequest | None = None
    ) -> Page[Notice]:
        """The notices, each with its letter written from the privacy pack in force: the
        customer's language, the old and the new controller, why and from when."""
        if job_id:
            _check_job_id(job_id)
        found = self.store.assignments.notices(pending_only, job_id, page)
        runtime = self.runtime.recent()
        if self._letters is None or self._letters[0] is not runtime.privacy:
            pack = runtime.privacy.pack
            self._letters = (runtime.privacy, check_template(pack), importer_named(pack))
        _, template, importer = self._letters
        return dataclasses.replace(found, items=tuple(
            dataclasses.replace(n, letter=letter(n, runtime.network, template, importer)) for n in found.items))

    def mark_notices_exported(self, ids: list[int], at: dt.datetime | None = None) -> tuple[int, dt.datetime]:
        """Stamps the notices exported at `at` (now by default: an exporter that wrote the
        stamp into its file gives the same); returns how many were marked, and the stamp."""
        violations = Violations()
        check_count(ids, "notice_ids", violations, MAX_NOTICE_IDS)
        check_instant(at, "export_time", violations)
        violations.raise_if_any()
        at = at or clock.now()
        return self.store.assignments.mark_notices_exported(ids, at), at


def _check_job_id(job_id: str) -> None:
    violations = Violations()
    check_id(job_id, "job_id", violations)
    violations.raise_if_any()
