"""The audit trail: the assignment versions a job or a customer has, and the notices owed to
customers whose controller changed."""

from .. import clock
from ..domain.validation import MAX_NOTICE_IDS, check_count, check_id
from ..errors import InvalidArgument, Violations
from ..model import AssignmentRecord, Notice, Page, PageRequest
from ..store import Store


class AuditService:
    def __init__(self, store: Store):
        self.store = store

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
        if job_id:
            _check_job_id(job_id)
        return self.store.assignments.notices(pending_only, job_id, page)

    def mark_notices_exported(self, ids: list[int]) -> int:
        violations = Violations()
        check_count(ids, "notice_ids", violations, MAX_NOTICE_IDS)
        violations.raise_if_any()
        return self.store.assignments.mark_notices_exported(ids, clock.now())


def _check_job_id(job_id: str) -> None:
    violations = Violations()
    check_id(job_id, "job_id", violations)
    violations.raise_if_any()
