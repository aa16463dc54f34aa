"""Erasure on request (GDPR art. 17) and the restriction of what the law keeps (art. 18):
one customer at a time, in one transaction, recorded without the data it removed."""

import dataclasses
import datetime as dt

from .. import clock
from ..domain.erasure import erasure_plan, subject_hash
from ..domain.validation import check_id
from ..errors import AlreadyExists, Violations
from ..model import Customer, Erasure, ErasurePlan, ErasurePolicy, ErasureReason, RetentionDate
from ..store import Store
from .resolution import ResolutionService
from .runtime import RuntimeHolder

CUSTOMER = "customer"
ENTERPRISE = "enterprise"


class ErasureService:
    def __init__(self, store: Store, runtime: RuntimeHolder, resolution: ResolutionService, key: bytes):
        self.store = store
        self.runtime = runtime
        self.resolution = resolution
        self.key = key

    def erase(self, customer_id: str, request_id: str, caller: str) -> Erasure:
        """Erases what is held about the customer but what a legal obligation or a legal
        hold keeps, which is restricted instead; remembers the subject as a keyed hash so a
        re-import is not silent. Idempotent by request id: a retry returns what was done."""
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        check_id(request_id, "request_id", violations)
        violations.raise_if_any()
        subject = self.subjects(customer_id, None)[0]
        with self.store.transaction():
            stored = self.store.erasure.find(request_id)
            if stored is not None:
                erasure, stored_subject = stored
                if stored_subject != subject:
                    raise AlreadyExists(f"request {request_id} erased another subject; use a new request id")
            else:
                customer = self.store.customers.get(customer_id)
                now = clock.now()
                plan = self.plan(customer_id, now, requested=True)
                erasure = self.store.erasure.erase(customer_id, plan, self.policy(), request_id, ErasureReason.REQUEST,
                                                   now, caller, self.subjects(customer_id, customer))
        return dataclasses.replace(erasure, scrubbed=self.store.erasure.empty_log())

    def plan(self, customer_id: str, at: dt.datetime, requested: bool) -> ErasurePlan:
        """What erasing the customer at `at` would leave, by the pack in force."""
        day = clock.day_of(at)
        retention = tuple(RetentionDate(e.id, e.method, e.erase_after)
                          for e in self.resolution.resolve(customer_id, day).retention)
        return erasure_plan(retention, self.policy(), day, requested)

    def policy(self) -> ErasurePolicy:
        return self.resolution.resolver.erasure_policy(self.runtime.recent().privacy)

    def subjects(self, customer_id: str, customer: Customer | None) -> list[str]:
        """The keyed hashes an erased subject is remembered by: the customer id, and a
        professional's enterprise number (the same company under another id)."""
        found = [subject_hash(self.key, CUSTOMER, customer_id)]
        if customer is not None and customer.enterprise_number:
            found.append(subject_hash(self.key, ENTERPRISE, customer.enterprise_number))
        return found

