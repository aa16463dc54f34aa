import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssignmentBasis(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_BASIS_UNSPECIFIED: _ClassVar[AssignmentBasis]
    ASSIGNMENT_BASIS_PURCHASE: _ClassVar[AssignmentBasis]
    ASSIGNMENT_BASIS_PREFERRED: _ClassVar[AssignmentBasis]
    ASSIGNMENT_BASIS_HISTORY: _ClassVar[AssignmentBasis]
    ASSIGNMENT_BASIS_NEAREST: _ClassVar[AssignmentBasis]

class CustomerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_KIND_UNSPECIFIED: _ClassVar[CustomerKind]
    CUSTOMER_KIND_PRIVATE: _ClassVar[CustomerKind]
    CUSTOMER_KIND_PROFESSIONAL: _ClassVar[CustomerKind]

class ContactKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTACT_KIND_UNSPECIFIED: _ClassVar[ContactKind]
    CONTACT_KIND_PURCHASE: _ClassVar[ContactKind]
    CONTACT_KIND_SERVICE_VISIT: _ClassVar[ContactKind]
    CONTACT_KIND_TEST_DRIVE_REQUEST: _ClassVar[ContactKind]
    CONTACT_KIND_QUOTE: _ClassVar[ContactKind]
    CONTACT_KIND_BROCHURE: _ClassVar[ContactKind]
    CONTACT_KIND_SHOWROOM_VISIT: _ClassVar[ContactKind]
    CONTACT_KIND_COMPLAINT: _ClassVar[ContactKind]
    CONTACT_KIND_OTHER: _ClassVar[ContactKind]

class LeadKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAD_KIND_UNSPECIFIED: _ClassVar[LeadKind]
    LEAD_KIND_TEST_DRIVE: _ClassVar[LeadKind]
    LEAD_KIND_QUOTE: _ClassVar[LeadKind]
    LEAD_KIND_BROCHURE: _ClassVar[LeadKind]
    LEAD_KIND_APPOINTMENT: _ClassVar[LeadKind]
    LEAD_KIND_INFORMATION: _ClassVar[LeadKind]
ASSIGNMENT_BASIS_UNSPECIFIED: AssignmentBasis
ASSIGNMENT_BASIS_PURCHASE: AssignmentBasis
ASSIGNMENT_BASIS_PREFERRED: AssignmentBasis
ASSIGNMENT_BASIS_HISTORY: AssignmentBasis
ASSIGNMENT_BASIS_NEAREST: AssignmentBasis
CUSTOMER_KIND_UNSPECIFIED: CustomerKind
CUSTOMER_KIND_PRIVATE: CustomerKind
CUSTOMER_KIND_PROFESSIONAL: CustomerKind
CONTACT_KIND_UNSPECIFIED: ContactKind
CONTACT_KIND_PURCHASE: ContactKind
CONTACT_KIND_SERVICE_VISIT: ContactKind
CONTACT_KIND_TEST_DRIVE_REQUEST: ContactKind
CONTACT_KIND_QUOTE: ContactKind
CONTACT_KIND_BROCHURE: ContactKind
CONTACT_KIND_SHOWROOM_VISIT: ContactKind
CONTACT_KIND_COMPLAINT: ContactKind
CONTACT_KIND_OTHER: ContactKind
LEAD_KIND_UNSPECIFIED: LeadKind
LEAD_KIND_TEST_DRIVE: LeadKind
LEAD_KIND_QUOTE: LeadKind
LEAD_KIND_BROCHURE: LeadKind
LEAD_KIND_APPOINTMENT: LeadKind
LEAD_KIND_INFORMATION: LeadKind

class GeoPoint(_message.Message):
    __slots__ = ("latitude", "longitude")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class Dealer(_message.Message):
    __slots__ = ("id", "legal_name", "trade_name", "enterprise_number", "street", "postcode", "town", "location", "languages", "roles", "active_from", "active_until", "active")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    TRADE_NAME_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    TOWN_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    id: str
    legal_name: str
    trade_name: str
    enterprise_number: str
    street: str
    postcode: str
    town: str
    location: GeoPoint
    languages: _containers.RepeatedScalarFieldContainer[str]
    roles: _containers.RepeatedScalarFieldContainer[str]
    active_from: _date_pb2.Date
    active_until: _date_pb2.Date
    active: bool
    def __init__(self, id: _Optional[str] = ..., legal_name: _Optional[str] = ..., trade_name: _Optional[str] = ..., enterprise_number: _Optional[str] = ..., street: _Optional[str] = ..., postcode: _Optional[str] = ..., town: _Optional[str] = ..., location: _Optional[_Union[GeoPoint, _Mapping]] = ..., languages: _Optional[_Iterable[str]] = ..., roles: _Optional[_Iterable[str]] = ..., active_from: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., active_until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., active: _Optional[bool] = ...) -> None: ...

class DealerCandidate(_message.Message):
    __slots__ = ("dealer_id", "dealer_name", "basis", "distance_km", "score")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_NAME_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    dealer_name: str
    basis: AssignmentBasis
    distance_km: float
    score: float
    def __init__(self, dealer_id: _Optional[str] = ..., dealer_name: _Optional[str] = ..., basis: _Optional[_Union[AssignmentBasis, str]] = ..., distance_km: _Optional[float] = ..., score: _Optional[float] = ...) -> None: ...

class SkippedDealer(_message.Message):
    __slots__ = ("dealer_id", "basis", "reason")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    basis: AssignmentBasis
    reason: str
    def __init__(self, dealer_id: _Optional[str] = ..., basis: _Optional[_Union[AssignmentBasis, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ("customer_id", "dealer", "basis", "explanation", "distance_km", "point", "point_source", "rules_version", "rule_id", "runners_up", "skipped", "valid_from", "valid_to", "stored", "decision_date", "assignment_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    POINT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    RUNNERS_UP_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    DECISION_DATE_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    dealer: Dealer
    basis: AssignmentBasis
    explanation: str
    distance_km: float
    point: GeoPoint
    point_source: str
    rules_version: str
    rule_id: str
    runners_up: _containers.RepeatedCompositeFieldContainer[DealerCandidate]
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedDealer]
    valid_from: _timestamp_pb2.Timestamp
    valid_to: _timestamp_pb2.Timestamp
    stored: bool
    decision_date: _date_pb2.Date
    assignment_id: int
    def __init__(self, customer_id: _Optional[str] = ..., dealer: _Optional[_Union[Dealer, _Mapping]] = ..., basis: _Optional[_Union[AssignmentBasis, str]] = ..., explanation: _Optional[str] = ..., distance_km: _Optional[float] = ..., point: _Optional[_Union[GeoPoint, _Mapping]] = ..., point_source: _Optional[str] = ..., rules_version: _Optional[str] = ..., rule_id: _Optional[str] = ..., runners_up: _Optional[_Iterable[_Union[DealerCandidate, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[SkippedDealer, _Mapping]]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stored: _Optional[bool] = ..., decision_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., assignment_id: _Optional[int] = ...) -> None: ...

class AssignDealerRequest(_message.Message):
    __slots__ = ("customer_id", "reason")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    reason: str
    def __init__(self, customer_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class AssignDealerResponse(_message.Message):
    __slots__ = ("assignment", "changed")
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    changed: bool
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("postcode", "point")
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    postcode: str
    point: GeoPoint
    def __init__(self, postcode: _Optional[str] = ..., point: _Optional[_Union[GeoPoint, _Mapping]] = ...) -> None: ...

class GetResponsibleDealerRequest(_message.Message):
    __slots__ = ("customer_id", "location", "as_of", "known_on")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    KNOWN_ON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    location: Location
    as_of: _date_pb2.Date
    known_on: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., as_of: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., known_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetResponsibleDealerResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class ListAssignmentsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAssignmentsResponse(_message.Message):
    __slots__ = ("assignments", "next_page_token")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    next_page_token: str
    def __init__(self, assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListContactsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListContactsResponse(_message.Message):
    __slots__ = ("contacts", "next_page_token")
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[ContactEvent]
    next_page_token: str
    def __init__(self, contacts: _Optional[_Iterable[_Union[ContactEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListPreferencesRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPreferencesResponse(_message.Message):
    __slots__ = ("preferences", "next_page_token")
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    preferences: _containers.RepeatedCompositeFieldContainer[Preference]
    next_page_token: str
    def __init__(self, preferences: _Optional[_Iterable[_Union[Preference, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Customer(_message.Message):
    __slots__ = ("id", "postcode", "point", "language", "kind", "enterprise_number", "created_at", "updated_at", "point_outside_postcode", "etag")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    POINT_OUTSIDE_POSTCODE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    id: str
    postcode: str
    point: GeoPoint
    language: str
    kind: CustomerKind
    enterprise_number: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    point_outside_postcode: bool
    etag: str
    def __init__(self, id: _Optional[str] = ..., postcode: _Optional[str] = ..., point: _Optional[_Union[GeoPoint, _Mapping]] = ..., language: _Optional[str] = ..., kind: _Optional[_Union[CustomerKind, str]] = ..., enterprise_number: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., point_outside_postcode: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class UpsertCustomerRequest(_message.Message):
    __slots__ = ("customer", "accept_distant_point", "readmit_erased")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DISTANT_POINT_FIELD_NUMBER: _ClassVar[int]
    READMIT_ERASED_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    accept_distant_point: bool
    readmit_erased: bool
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., accept_distant_point: _Optional[bool] = ..., readmit_erased: _Optional[bool] = ...) -> None: ...

class UpdateCustomerRequest(_message.Message):
    __slots__ = ("customer", "update_mask", "accept_distant_point")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DISTANT_POINT_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    update_mask: _field_mask_pb2.FieldMask
    accept_distant_point: bool
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., accept_distant_point: _Optional[bool] = ...) -> None: ...

class LeadContact(_message.Message):
    __slots__ = ("kind", "occurred_at", "dealer_id", "event_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    kind: LeadKind
    occurred_at: _timestamp_pb2.Timestamp
    dealer_id: str
    event_id: str
    def __init__(self, kind: _Optional[_Union[LeadKind, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dealer_id: _Optional[str] = ..., event_id: _Optional[str] = ...) -> None: ...

class CreateLeadRequest(_message.Message):
    __slots__ = ("request_id", "customer", "update_mask", "contacts", "accept_distant_point")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DISTANT_POINT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    customer: Customer
    update_mask: _field_mask_pb2.FieldMask
    contacts: _containers.RepeatedCompositeFieldContainer[LeadContact]
    accept_distant_point: bool
    def __init__(self, request_id: _Optional[str] = ..., customer: _Optional[_Union[Customer, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., contacts: _Optional[_Iterable[_Union[LeadContact, _Mapping]]] = ..., accept_distant_point: _Optional[bool] = ...) -> None: ...

class CreateLeadResponse(_message.Message):
    __slots__ = ("customer", "customer_created", "contacts", "assignment")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_CREATED_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    customer_created: bool
    contacts: _containers.RepeatedCompositeFieldContainer[ContactEvent]
    assignment: Assignment
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., customer_created: _Optional[bool] = ..., contacts: _Optional[_Iterable[_Union[ContactEvent, _Mapping]]] = ..., assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class UpdateCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...

class UpsertCustomerResponse(_message.Message):
    __slots__ = ("customer", "created")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    created: bool
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetCustomerRequest(_message.Message):
    __slots__ = ("customer_id",)
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    def __init__(self, customer_id: _Optional[str] = ...) -> None: ...

class GetCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...

class ContactEvent(_message.Message):
    __slots__ = ("event_id", "customer_id", "dealer_id", "kind", "occurred_at", "retract_time", "retraction_reason", "corrects")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    RETRACT_TIME_FIELD_NUMBER: _ClassVar[int]
    RETRACTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    customer_id: str
    dealer_id: str
    kind: ContactKind
    occurred_at: _timestamp_pb2.Timestamp
    retract_time: _timestamp_pb2.Timestamp
    retraction_reason: str
    corrects: str
    def __init__(self, event_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., dealer_id: _Optional[str] = ..., kind: _Optional[_Union[ContactKind, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retract_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retraction_reason: _Optional[str] = ..., corrects: _Optional[str] = ...) -> None: ...

class RecordContactRequest(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: ContactEvent
    def __init__(self, event: _Optional[_Union[ContactEvent, _Mapping]] = ...) -> None: ...

class RecordContactResponse(_message.Message):
    __slots__ = ("event", "created")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    event: ContactEvent
    created: bool
    def __init__(self, event: _Optional[_Union[ContactEvent, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class Preference(_message.Message):
    __slots__ = ("id", "customer_id", "dealer_id", "designated_at", "revoked_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DESIGNATED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    customer_id: str
    dealer_id: str
    designated_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., customer_id: _Optional[str] = ..., dealer_id: _Optional[str] = ..., designated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetPreferredDealerRequest(_message.Message):
    __slots__ = ("customer_id", "dealer_id", "designated_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DESIGNATED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    dealer_id: str
    designated_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., dealer_id: _Optional[str] = ..., designated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetPreferredDealerResponse(_message.Message):
    __slots__ = ("preference",)
    PREFERENCE_FIELD_NUMBER: _ClassVar[int]
    preference: Preference
    def __init__(self, preference: _Optional[_Union[Preference, _Mapping]] = ...) -> None: ...

class RevokePreferredDealerRequest(_message.Message):
    __slots__ = ("customer_id", "revoked_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RevokePreferredDealerResponse(_message.Message):
    __slots__ = ("preference",)
    PREFERENCE_FIELD_NUMBER: _ClassVar[int]
    preference: Preference
    def __init__(self, preference: _Optional[_Union[Preference, _Mapping]] = ...) -> None: ...

class ListDealersRequest(_message.Message):
    __slots__ = ("as_of", "active_only", "page_size", "page_token", "known_on")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KNOWN_ON_FIELD_NUMBER: _ClassVar[int]
    as_of: _date_pb2.Date
    active_only: bool
    page_size: int
    page_token: str
    known_on: _timestamp_pb2.Timestamp
    def __init__(self, as_of: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., active_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., known_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDealersResponse(_message.Message):
    __slots__ = ("dealers", "next_page_token")
    DEALERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dealers: _containers.RepeatedCompositeFieldContainer[Dealer]
    next_page_token: str
    def __init__(self, dealers: _Optional[_Iterable[_Union[Dealer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDealerRequest(_message.Message):
    __slots__ = ("dealer_id", "as_of", "known_on")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    KNOWN_ON_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    as_of: _date_pb2.Date
    known_on: _timestamp_pb2.Timestamp
    def __init__(self, dealer_id: _Optional[str] = ..., as_of: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., known_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetDealerResponse(_message.Message):
    __slots__ = ("dealer",)
    DEALER_FIELD_NUMBER: _ClassVar[int]
    dealer: Dealer
    def __init__(self, dealer: _Optional[_Union[Dealer, _Mapping]] = ...) -> None: ...

class LookupPostcodeRequest(_message.Message):
    __slots__ = ("postcode",)
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    postcode: str
    def __init__(self, postcode: _Optional[str] = ...) -> None: ...

class PostcodeInfo(_message.Message):
    __slots__ = ("postcode", "point", "point_source", "place", "municipality_refnis", "municipality_nl", "municipality_fr", "municipality_de", "province_nl", "province_fr", "region_nl", "region_fr", "language_area")
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    POINT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    MUNICIPALITY_REFNIS_FIELD_NUMBER: _ClassVar[int]
    MUNICIPALITY_NL_FIELD_NUMBER: _ClassVar[int]
    MUNICIPALITY_FR_FIELD_NUMBER: _ClassVar[int]
    MUNICIPALITY_DE_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_NL_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FR_FIELD_NUMBER: _ClassVar[int]
    REGION_NL_FIELD_NUMBER: _ClassVar[int]
    REGION_FR_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_AREA_FIELD_NUMBER: _ClassVar[int]
    postcode: str
    point: GeoPoint
    point_source: str
    place: str
    municipality_refnis: str
    municipality_nl: str
    municipality_fr: str
    municipality_de: str
    province_nl: str
    province_fr: str
    region_nl: str
    region_fr: str
    language_area: str
    def __init__(self, postcode: _Optional[str] = ..., point: _Optional[_Union[GeoPoint, _Mapping]] = ..., point_source: _Optional[str] = ..., place: _Optional[str] = ..., municipality_refnis: _Optional[str] = ..., municipality_nl: _Optional[str] = ..., municipality_fr: _Optional[str] = ..., municipality_de: _Optional[str] = ..., province_nl: _Optional[str] = ..., province_fr: _Optional[str] = ..., region_nl: _Optional[str] = ..., region_fr: _Optional[str] = ..., language_area: _Optional[str] = ...) -> None: ...

class LookupPostcodeResponse(_message.Message):
    __slots__ = ("postcode",)
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    postcode: PostcodeInfo
    def __init__(self, postcode: _Optional[_Union[PostcodeInfo, _Mapping]] = ...) -> None: ...
