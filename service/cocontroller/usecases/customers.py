"""Customers: creating or replacing a customer's record, and reading it."""

from typing import NamedTuple

from ..domain.enterprise import normalise_enterprise_number
from ..domain.geo import BelgiumBoundary
from ..domain.postcodes import PostcodeDirectory
from ..domain.validation import (
    MAX_ENTERPRISE_NUMBER, check_choice, check_id, check_point, check_point_in_postcode, check_postcode,
    check_text,
)
from ..domain.erasure import subject_hash
from ..errors import Aborted, FailedPrecondition, Violations
from ..model import Customer, CustomerChange, CustomerField, CustomerKind, Language
from ..store import Store
from .assignment import AssignmentService
from .erasure import ENTERPRISE, ErasureService

# A customer's language by the language area of the postcode; Brussels (nl-fr) reads French
# until the customer says otherwise.
_AREA_LANGUAGE = {"nl": Language.NL, "fr": Language.FR, "de": Language.DE}


class CustomerService:
    def __init__(self, store: Store, postcodes: PostcodeDirectory, boundary: BelgiumBoundary,
                 assignment: AssignmentService, erasure: ErasureService):
        self.store = store
        self.postcodes = postcodes
        self.boundary = boundary
        self.assignment = assignment
        self.erasure = erasure

    def upsert(
        self,
        customer_id: str,
        postcode: str,
        lat: float | None = None,
        lon: float | None = None,
        language: str = "",
        kind: str = "",
        enterprise_number: str = "",
        accept_distant_point: bool = False,
        readmit_erased: bool = False,
    ) -> tuple[Customer, bool]:
        """Creates or replaces the customer's record; returns it and whether it was created.
        A new address re-assigns a customer who has an assignment. Coordinates far from the
        postcode are refused unless `accept_distant_point`: then they are kept, flagged.
        A subject erased on request (by id or enterprise number) is refused unless
        `readmit_erased` says they came back of their own accord: never re-imported silently.
        A restricted customer's record is not changed."""
        details = self._checked(customer_id, postcode, lat, lon, language, kind, enterprise_number,
                                accept_distant_point)
        # A new address and the re-assignment it causes commit together.
        with self.store.transaction():
            self.store.erasure.check_unrestricted(customer_id, "changing the record")
            before = self.store.customers.find(customer_id)
            customer = self._write(customer_id, details, before, readmit_erased)
            self._follow_up(before, customer)
        return customer, before is None

    def update(self, customer_id: str, change: CustomerChange, mask: tuple[str, ...] = (), etag: str = "",
               accept_distant_point: bool = False) -> Customer:
        """Changes the fields `mask` names (AIP-134; an empty mask names those `change`
        sets) and never another; a named field `change` leaves empty is cleared. With
        `etag`, only while the record is the one read then (AIP-154), else Aborted: an
        out-of-order retry cannot overwrite newer data. The record made is checked as
        upsert checks one; a point accepted far from its postcode stays accepted while
        neither changes."""
        violations = Violations()
        check_id(customer_id, "id", violations)
        named = _named(mask, change, violations)
        violations.raise_if_any()
        with self.store.transaction():
            current = self.store.customers.get(customer_id)
            if etag and etag != current.etag:
                raise Aborted(f"customer {customer_id!r} changed since it was read (etag {etag}); read it again")
            if not named:
                return current
            details = self._merged(current, change, named, accept_distant_point)
            self.store.erasure.check_unrestricted(customer_id, "changing the record")
            customer = self._write(customer_id, details, current, False)
            self._follow_up(current, customer)
        return customer

    def write_held(self, customer_id: str, change: CustomerChange, mask: tuple[str, ...],
                   accept_distant_point: bool, before: Customer | None, doing: str) -> Customer:
        """For a caller that holds the write transaction and read `before` in it (None: no
        such customer), what `doing` writes of the customer: a new one made from `change`
        as upsert makes it, or `before` with the fields `mask` names changed as update
        changes them. No re-assignment follows: the caller assigns."""
        violations = Violations()
        named = _named(mask, change, violations)
        violations.raise_if_any()
        if before is None:
            point = change.point or (None, None)
            details = self._checked(customer_id, change.postcode, point[0], point[1], change.language, change.kind,
                                    change.enterprise_number, accept_distant_point)
        elif not named:
            details = None
        else:
            details = self._merged(before, change, named, accept_distant_point)
        if before is not None:  # a restriction refers to its customer's row: a new one has none
            self.store.erasure.check_unrestricted(customer_id, doing)
        return before if details is None else self._write(customer_id, details, before, False)

    def _checked(self, customer_id: str, postcode: str, lat: float | None, lon: float | None, language: str,
                 kind: str, enterprise_number: str, accept_distant_point: bool) -> "_Details":
        """A customer's record as given, checked (InvalidArgument with every violation)."""
        violations = Violations()
        check_id(customer_id, "id", violations)
        pc = check_postcode(self.postcodes, postcode, "postcode", violations)
        point = check_point(self.boundary, lat, lon, "point", violations)
        distant = check_point_in_postcode(pc, point, "point", violations, accept_distant_point)
        customer_kind = check_choice(CustomerKind, kind or CustomerKind.PRIVATE, "kind", violations)
        chosen_language = check_choice(Language, language, "language", violations) if language else None
        number = None
        if customer_kind == CustomerKind.PROFESSIONAL:
            if not enterprise_number:
                violations.add("enterprise_number", "a professional customer needs one")
            elif len(enterprise_number) > MAX_ENTERPRISE_NUMBER:
                check_text(enterprise_number, "enterprise_number", violations, MAX_ENTERPRISE_NUMBER)
            else:
                try:
                    number = normalise_enterprise_number(enterprise_number)
                except ValueError as e:
                    violations.add("enterprise_number", str(e))
        elif enterprise_number:
            violations.add("enterprise_number", "only professional customers carry one")
        violations.raise_if_any()
        language_ = chosen_language or _AREA_LANGUAGE.get(pc.language_area, Language.FR)
        return _Details(pc.postcode, point, language_, customer_kind, number, distant)

    def _merged(self, current: Customer, change: CustomerChange, named: set[str],
                accept_distant_point: bool) -> "_Details":
        """`current` with the `named` fields taken from `change`, checked."""
        point = change.point if CustomerField.POINT in named else current.point
        keeps_distant = current.point_outside_postcode and not named & {CustomerField.POINT, CustomerField.POSTCODE}
        kind = change.kind if CustomerField.KIND in named else str(current.kind)
        return self._checked(
            current.id,
            change.postcode if CustomerField.POSTCODE in named else current.postcode,
            point[0] if point else None, point[1] if point else None,
            change.language if CustomerField.LANGUAGE in named else str(current.language),
            kind or CustomerKind.PRIVATE,
            change.enterprise_number if CustomerField.ENTERPRISE_NUMBER in named else current.enterprise_number or "",
            accept_distant_point or keeps_distant,
        )

    def _write(self, customer_id: str, details: "_Details", before: Customer | None,
               readmit_erased: bool) -> Customer:
        """Stores the checked record over `before` (read in the caller's transaction),
        unless its subject was erased on request and is not readmitted."""
        subjects = self.erasure.subjects(customer_id, None) + (
            [subject_hash(self.erasure.key, ENTERPRISE, details.enterprise_number)] if details.enterprise_number
            else [])
        if self.store.erasure.suppressed(subjects):
            if not readmit_erased:
                raise FailedPrecondition(
                    "this subject's data was erased on their request; recreate them only if they came back"
                    " of their own accord (readmit_erased)")
            self.store.erasure.lift_suppression(subjects)
        return self.store.customers.replace(
            before, customer_id, details.postcode, details.point, details.language, details.kind,
            details.enterprise_number, details.point_outside_postcode)

    def _follow_up(self, before: Customer | None, customer: Customer) -> None:
        if before and (before.postcode, before.point) != (customer.postcode, customer.point):
            self.assignment.follow_up(customer.id, "customer:address-changed")

    def get(self, customer_id: str) -> Customer:
        violations = Violations()
        check_id(customer_id, "customer_id", violations)
        violations.raise_if_any()
        return self.store.customers.get(customer_id)


class _Details(NamedTuple):
    """A customer's record, checked, as the store keeps it."""

    postcode: str
    point: tuple[float, float] | None
    language: Language
    kind: CustomerKind
    enterprise_number: str | None
    point_outside_postcode: bool


_FIELDS = frozenset(CustomerField)
# The mask's path for every field, a full replacement (AIP-134).
_EVERY_FIELD = "*"


def _named(mask: tuple[str, ...], change: CustomerChange, violations: Violations) -> set[str]:
    """The fields a change names: those of the mask (each checked; `*` alone names them
    all), else those it sets."""
    if _EVERY_FIELD in mask:
        if len(mask) > 1:
            violations.add("update_mask", "'*' names every field: it stands alone")
        return set(_FIELDS)
    for path in mask:
        if path not in _FIELDS:
            violations.add("update_mask", f"{path!r} is not a field of a customer's record that can change:"
                                          f" {', '.join(CustomerField)}")
    if mask:
        return set(mask)
    return {f for f in CustomerField if getattr(change, f) not in ("", None)}
