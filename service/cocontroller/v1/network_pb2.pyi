import datetime

from cocontroller.v1 import assignment_pb2 as _assignment_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScheduleStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEDULE_STATUS_UNSPECIFIED: _ClassVar[ScheduleStatus]
    SCHEDULE_STATUS_SCHEDULED: _ClassVar[ScheduleStatus]
    SCHEDULE_STATUS_ANNOUNCED: _ClassVar[ScheduleStatus]
    SCHEDULE_STATUS_APPLIED: _ClassVar[ScheduleStatus]
    SCHEDULE_STATUS_CANCELLED: _ClassVar[ScheduleStatus]

class NoticeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTICE_KIND_UNSPECIFIED: _ClassVar[NoticeKind]
    NOTICE_KIND_ANNOUNCEMENT: _ClassVar[NoticeKind]
    NOTICE_KIND_CHANGE: _ClassVar[NoticeKind]
SCHEDULE_STATUS_UNSPECIFIED: ScheduleStatus
SCHEDULE_STATUS_SCHEDULED: ScheduleStatus
SCHEDULE_STATUS_ANNOUNCED: ScheduleStatus
SCHEDULE_STATUS_APPLIED: ScheduleStatus
SCHEDULE_STATUS_CANCELLED: ScheduleStatus
NOTICE_KIND_UNSPECIFIED: NoticeKind
NOTICE_KIND_ANNOUNCEMENT: NoticeKind
NOTICE_KIND_CHANGE: NoticeKind

class DealerFields(_message.Message):
    __slots__ = ("legal_name", "trade_name", "enterprise_number", "street", "postcode", "town", "location", "languages", "roles")
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    TRADE_NAME_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    TOWN_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    legal_name: str
    trade_name: str
    enterprise_number: str
    street: str
    postcode: str
    town: str
    location: _assignment_pb2.GeoPoint
    languages: _containers.RepeatedScalarFieldContainer[str]
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, legal_name: _Optional[str] = ..., trade_name: _Optional[str] = ..., enterprise_number: _Optional[str] = ..., street: _Optional[str] = ..., postcode: _Optional[str] = ..., town: _Optional[str] = ..., location: _Optional[_Union[_assignment_pb2.GeoPoint, _Mapping]] = ..., languages: _Optional[_Iterable[str]] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class Correction(_message.Message):
    __slots__ = ("reason", "confirmed")
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    reason: str
    confirmed: bool
    def __init__(self, reason: _Optional[str] = ..., confirmed: _Optional[bool] = ...) -> None: ...

class AddDealerRequest(_message.Message):
    __slots__ = ("dealer_id", "dealer", "effective", "correction")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    dealer: DealerFields
    effective: _date_pb2.Date
    correction: Correction
    def __init__(self, dealer_id: _Optional[str] = ..., dealer: _Optional[_Union[DealerFields, _Mapping]] = ..., effective: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., correction: _Optional[_Union[Correction, _Mapping]] = ...) -> None: ...

class AddDealerResponse(_message.Message):
    __slots__ = ("dealer", "change_id", "scheduled")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    dealer: _assignment_pb2.Dealer
    change_id: int
    scheduled: ScheduledChange
    def __init__(self, dealer: _Optional[_Union[_assignment_pb2.Dealer, _Mapping]] = ..., change_id: _Optional[int] = ..., scheduled: _Optional[_Union[ScheduledChange, _Mapping]] = ...) -> None: ...

class UpdateDealerRequest(_message.Message):
    __slots__ = ("dealer_id", "dealer", "effective", "correction")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    dealer: DealerFields
    effective: _date_pb2.Date
    correction: Correction
    def __init__(self, dealer_id: _Optional[str] = ..., dealer: _Optional[_Union[DealerFields, _Mapping]] = ..., effective: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., correction: _Optional[_Union[Correction, _Mapping]] = ...) -> None: ...

class UpdateDealerResponse(_message.Message):
    __slots__ = ("dealer", "change_id", "scheduled")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    dealer: _assignment_pb2.Dealer
    change_id: int
    scheduled: ScheduledChange
    def __init__(self, dealer: _Optional[_Union[_assignment_pb2.Dealer, _Mapping]] = ..., change_id: _Optional[int] = ..., scheduled: _Optional[_Union[ScheduledChange, _Mapping]] = ...) -> None: ...

class CloseDealerRequest(_message.Message):
    __slots__ = ("dealer_id", "effective", "correction")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    effective: _date_pb2.Date
    correction: Correction
    def __init__(self, dealer_id: _Optional[str] = ..., effective: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., correction: _Optional[_Union[Correction, _Mapping]] = ...) -> None: ...

class CloseDealerResponse(_message.Message):
    __slots__ = ("dealer", "change_id", "scheduled")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    dealer: _assignment_pb2.Dealer
    change_id: int
    scheduled: ScheduledChange
    def __init__(self, dealer: _Optional[_Union[_assignment_pb2.Dealer, _Mapping]] = ..., change_id: _Optional[int] = ..., scheduled: _Optional[_Union[ScheduledChange, _Mapping]] = ...) -> None: ...

class ReopenDealerRequest(_message.Message):
    __slots__ = ("dealer_id", "dealer", "effective", "correction")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    dealer: DealerFields
    effective: _date_pb2.Date
    correction: Correction
    def __init__(self, dealer_id: _Optional[str] = ..., dealer: _Optional[_Union[DealerFields, _Mapping]] = ..., effective: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., correction: _Optional[_Union[Correction, _Mapping]] = ...) -> None: ...

class ReopenDealerResponse(_message.Message):
    __slots__ = ("dealer", "change_id", "scheduled")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    dealer: _assignment_pb2.Dealer
    change_id: int
    scheduled: ScheduledChange
    def __init__(self, dealer: _Optional[_Union[_assignment_pb2.Dealer, _Mapping]] = ..., change_id: _Optional[int] = ..., scheduled: _Optional[_Union[ScheduledChange, _Mapping]] = ...) -> None: ...

class NetworkChange(_message.Message):
    __slots__ = ("change_id", "kind", "dealer_id", "effective", "record_time", "caller", "correction", "cancel_time")
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    RECORD_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    change_id: int
    kind: str
    dealer_id: str
    effective: _date_pb2.Date
    record_time: _timestamp_pb2.Timestamp
    caller: str
    correction: Correction
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, change_id: _Optional[int] = ..., kind: _Optional[str] = ..., dealer_id: _Optional[str] = ..., effective: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., record_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller: _Optional[str] = ..., correction: _Optional[_Union[Correction, _Mapping]] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CancelNetworkChangeRequest(_message.Message):
    __slots__ = ("change_id", "reason")
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    change_id: int
    reason: str
    def __init__(self, change_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelNetworkChangeResponse(_message.Message):
    __slots__ = ("change", "withdrawn_notices")
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_NOTICES_FIELD_NUMBER: _ClassVar[int]
    change: NetworkChange
    withdrawn_notices: int
    def __init__(self, change: _Optional[_Union[NetworkChange, _Mapping]] = ..., withdrawn_notices: _Optional[int] = ...) -> None: ...

class ScheduledChange(_message.Message):
    __slots__ = ("change_id", "kind", "dealer_id", "effective_date", "notice_date", "scope", "status", "job_id", "announce_job_id", "create_time", "announce_time", "apply_time", "cancel_time")
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    NOTICE_DATE_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCE_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCE_TIME_FIELD_NUMBER: _ClassVar[int]
    APPLY_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    change_id: int
    kind: str
    dealer_id: str
    effective_date: _date_pb2.Date
    notice_date: _date_pb2.Date
    scope: ReassignScope
    status: ScheduleStatus
    job_id: str
    announce_job_id: str
    create_time: _timestamp_pb2.Timestamp
    announce_time: _timestamp_pb2.Timestamp
    apply_time: _timestamp_pb2.Timestamp
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, change_id: _Optional[int] = ..., kind: _Optional[str] = ..., dealer_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., notice_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., scope: _Optional[_Union[ReassignScope, _Mapping]] = ..., status: _Optional[_Union[ScheduleStatus, str]] = ..., job_id: _Optional[str] = ..., announce_job_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., announce_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., apply_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListScheduledChangesRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: ScheduleStatus
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[ScheduleStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListScheduledChangesResponse(_message.Message):
    __slots__ = ("changes", "next_page_token")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[ScheduledChange]
    next_page_token: str
    def __init__(self, changes: _Optional[_Iterable[_Union[ScheduledChange, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReassignScope(_message.Message):
    __slots__ = ("postcodes", "dealer_ids")
    POSTCODES_FIELD_NUMBER: _ClassVar[int]
    DEALER_IDS_FIELD_NUMBER: _ClassVar[int]
    postcodes: _containers.RepeatedScalarFieldContainer[str]
    dealer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, postcodes: _Optional[_Iterable[str]] = ..., dealer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ReassignCustomersRequest(_message.Message):
    __slots__ = ("job_id", "scope", "dry_run", "batch_size", "preview_time")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_TIME_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    scope: ReassignScope
    dry_run: bool
    batch_size: int
    preview_time: _timestamp_pb2.Timestamp
    def __init__(self, job_id: _Optional[str] = ..., scope: _Optional[_Union[ReassignScope, _Mapping]] = ..., dry_run: _Optional[bool] = ..., batch_size: _Optional[int] = ..., preview_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AssignmentChange(_message.Message):
    __slots__ = ("customer_id", "old_dealer_id", "new_dealer_id", "old_basis", "new_basis", "reason", "trigger", "rules_version", "at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_BASIS_FIELD_NUMBER: _ClassVar[int]
    NEW_BASIS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    old_dealer_id: str
    new_dealer_id: str
    old_basis: _assignment_pb2.AssignmentBasis
    new_basis: _assignment_pb2.AssignmentBasis
    reason: str
    trigger: str
    rules_version: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., old_dealer_id: _Optional[str] = ..., new_dealer_id: _Optional[str] = ..., old_basis: _Optional[_Union[_assignment_pb2.AssignmentBasis, str]] = ..., new_basis: _Optional[_Union[_assignment_pb2.AssignmentBasis, str]] = ..., reason: _Optional[str] = ..., trigger: _Optional[str] = ..., rules_version: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DealerPairCount(_message.Message):
    __slots__ = ("old_dealer_id", "new_dealer_id", "customers")
    OLD_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    old_dealer_id: str
    new_dealer_id: str
    customers: int
    def __init__(self, old_dealer_id: _Optional[str] = ..., new_dealer_id: _Optional[str] = ..., customers: _Optional[int] = ...) -> None: ...

class ReassignCustomersResponse(_message.Message):
    __slots__ = ("job_id", "dry_run", "total", "processed", "changed", "rate_per_second", "eta_seconds", "finished", "resumed", "changes", "summary", "processed_before")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    RATE_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    ETA_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    dry_run: bool
    total: int
    processed: int
    changed: int
    rate_per_second: float
    eta_seconds: float
    finished: bool
    resumed: bool
    changes: _containers.RepeatedCompositeFieldContainer[AssignmentChange]
    summary: _containers.RepeatedCompositeFieldContainer[DealerPairCount]
    processed_before: int
    def __init__(self, job_id: _Optional[str] = ..., dry_run: _Optional[bool] = ..., total: _Optional[int] = ..., processed: _Optional[int] = ..., changed: _Optional[int] = ..., rate_per_second: _Optional[float] = ..., eta_seconds: _Optional[float] = ..., finished: _Optional[bool] = ..., resumed: _Optional[bool] = ..., changes: _Optional[_Iterable[_Union[AssignmentChange, _Mapping]]] = ..., summary: _Optional[_Iterable[_Union[DealerPairCount, _Mapping]]] = ..., processed_before: _Optional[int] = ...) -> None: ...

class ListAssignmentChangesRequest(_message.Message):
    __slots__ = ("job_id", "customer_id", "page_size", "page_token")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, job_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAssignmentChangesResponse(_message.Message):
    __slots__ = ("changes", "next_page_token")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[AssignmentChange]
    next_page_token: str
    def __init__(self, changes: _Optional[_Iterable[_Union[AssignmentChange, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CustomerNotice(_message.Message):
    __slots__ = ("id", "customer_id", "old_dealer_id", "new_dealer_id", "trigger", "created_at", "exported_at", "language", "old_controller", "new_controller", "reason", "effective_date", "text", "kind", "cancelled_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    OLD_CONTROLLER_FIELD_NUMBER: _ClassVar[int]
    NEW_CONTROLLER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    customer_id: str
    old_dealer_id: str
    new_dealer_id: str
    trigger: str
    created_at: _timestamp_pb2.Timestamp
    exported_at: _timestamp_pb2.Timestamp
    language: str
    old_controller: NoticeParty
    new_controller: NoticeParty
    reason: str
    effective_date: _date_pb2.Date
    text: str
    kind: NoticeKind
    cancelled_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., customer_id: _Optional[str] = ..., old_dealer_id: _Optional[str] = ..., new_dealer_id: _Optional[str] = ..., trigger: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., language: _Optional[str] = ..., old_controller: _Optional[_Union[NoticeParty, _Mapping]] = ..., new_controller: _Optional[_Union[NoticeParty, _Mapping]] = ..., reason: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., text: _Optional[str] = ..., kind: _Optional[_Union[NoticeKind, str]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NoticeParty(_message.Message):
    __slots__ = ("name", "legal_name", "address", "enterprise_number")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    name: str
    legal_name: str
    address: str
    enterprise_number: str
    def __init__(self, name: _Optional[str] = ..., legal_name: _Optional[str] = ..., address: _Optional[str] = ..., enterprise_number: _Optional[str] = ...) -> None: ...

class ListNoticesRequest(_message.Message):
    __slots__ = ("pending_only", "job_id", "page_size", "page_token")
    PENDING_ONLY_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    pending_only: bool
    job_id: str
    page_size: int
    page_token: str
    def __init__(self, pending_only: _Optional[bool] = ..., job_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNoticesResponse(_message.Message):
    __slots__ = ("notices", "next_page_token")
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notices: _containers.RepeatedCompositeFieldContainer[CustomerNotice]
    next_page_token: str
    def __init__(self, notices: _Optional[_Iterable[_Union[CustomerNotice, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MarkNoticesExportedRequest(_message.Message):
    __slots__ = ("notice_ids", "export_time")
    NOTICE_IDS_FIELD_NUMBER: _ClassVar[int]
    EXPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    notice_ids: _containers.RepeatedScalarFieldContainer[int]
    export_time: _timestamp_pb2.Timestamp
    def __init__(self, notice_ids: _Optional[_Iterable[int]] = ..., export_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MarkNoticesExportedResponse(_message.Message):
    __slots__ = ("marked", "export_time")
    MARKED_FIELD_NUMBER: _ClassVar[int]
    EXPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    marked: int
    export_time: _timestamp_pb2.Timestamp
    def __init__(self, marked: _Optional[int] = ..., export_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
