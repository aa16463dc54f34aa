import datetime

from cocontroller.v1 import assignment_pb2 as _assignment_pb2
from cocontroller.v1 import network_pb2 as _network_pb2
from cocontroller.v1 import resolution_pb2 as _resolution_pb2
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

class ErasureOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERASURE_OUTCOME_UNSPECIFIED: _ClassVar[ErasureOutcome]
    ERASURE_OUTCOME_ERASED: _ClassVar[ErasureOutcome]
    ERASURE_OUTCOME_RESTRICTED: _ClassVar[ErasureOutcome]
    ERASURE_OUTCOME_HELD: _ClassVar[ErasureOutcome]

class ErasureReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERASURE_REASON_UNSPECIFIED: _ClassVar[ErasureReason]
    ERASURE_REASON_REQUEST: _ClassVar[ErasureReason]
    ERASURE_REASON_RETENTION: _ClassVar[ErasureReason]

class RectifiableKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECTIFIABLE_KIND_UNSPECIFIED: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONTACT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONSENT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONTRACT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_DISPUTE: _ClassVar[RectifiableKind]
ERASURE_OUTCOME_UNSPECIFIED: ErasureOutcome
ERASURE_OUTCOME_ERASED: ErasureOutcome
ERASURE_OUTCOME_RESTRICTED: ErasureOutcome
ERASURE_OUTCOME_HELD: ErasureOutcome
ERASURE_REASON_UNSPECIFIED: ErasureReason
ERASURE_REASON_REQUEST: ErasureReason
ERASURE_REASON_RETENTION: ErasureReason
RECTIFIABLE_KIND_UNSPECIFIED: RectifiableKind
RECTIFIABLE_KIND_CONTACT: RectifiableKind
RECTIFIABLE_KIND_CONSENT: RectifiableKind
RECTIFIABLE_KIND_CONTRACT: RectifiableKind
RECTIFIABLE_KIND_DISPUTE: RectifiableKind

class EraseCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "request_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    request_id: str
    def __init__(self, customer_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EraseCustomerResponse(_message.Message):
    __slots__ = ("erasure",)
    ERASURE_FIELD_NUMBER: _ClassVar[int]
    erasure: Erasure
    def __init__(self, erasure: _Optional[_Union[Erasure, _Mapping]] = ...) -> None: ...

class TableRows(_message.Message):
    __slots__ = ("table", "rows")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    table: str
    rows: int
    def __init__(self, table: _Optional[str] = ..., rows: _Optional[int] = ...) -> None: ...

class Erasure(_message.Message):
    __slots__ = ("request_id", "reason", "request_time", "outcome", "erased", "kept", "erase_date", "caller", "scrubbed")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    ERASE_DATE_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    SCRUBBED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    reason: ErasureReason
    request_time: _timestamp_pb2.Timestamp
    outcome: ErasureOutcome
    erased: _containers.RepeatedCompositeFieldContainer[TableRows]
    kept: _containers.RepeatedCompositeFieldContainer[TableRows]
    erase_date: _date_pb2.Date
    caller: str
    scrubbed: bool
    def __init__(self, request_id: _Optional[str] = ..., reason: _Optional[_Union[ErasureReason, str]] = ..., request_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[ErasureOutcome, str]] = ..., erased: _Optional[_Iterable[_Union[TableRows, _Mapping]]] = ..., kept: _Optional[_Iterable[_Union[TableRows, _Mapping]]] = ..., erase_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., caller: _Optional[str] = ..., scrubbed: _Optional[bool] = ...) -> None: ...

class SweepRetentionRequest(_message.Message):
    __slots__ = ("job_id", "dry_run", "batch_size")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    dry_run: bool
    batch_size: int
    def __init__(self, job_id: _Optional[str] = ..., dry_run: _Optional[bool] = ..., batch_size: _Optional[int] = ...) -> None: ...

class SweptCustomer(_message.Message):
    __slots__ = ("customer_id", "outcome", "erase_date")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ERASE_DATE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    outcome: ErasureOutcome
    erase_date: _date_pb2.Date
    def __init__(self, customer_id: _Optional[str] = ..., outcome: _Optional[_Union[ErasureOutcome, str]] = ..., erase_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class OutcomeCount(_message.Message):
    __slots__ = ("outcome", "customers")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    outcome: ErasureOutcome
    customers: int
    def __init__(self, outcome: _Optional[_Union[ErasureOutcome, str]] = ..., customers: _Optional[int] = ...) -> None: ...

class SweepRetentionResponse(_message.Message):
    __slots__ = ("job_id", "dry_run", "total", "processed", "acted", "finished", "resumed", "processed_before", "customers", "outcomes")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_FIELD_NUMBER: _ClassVar[int]
    ACTED_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    dry_run: bool
    total: int
    processed: int
    acted: int
    finished: bool
    resumed: bool
    processed_before: int
    customers: _containers.RepeatedCompositeFieldContainer[SweptCustomer]
    outcomes: _containers.RepeatedCompositeFieldContainer[OutcomeCount]
    def __init__(self, job_id: _Optional[str] = ..., dry_run: _Optional[bool] = ..., total: _Optional[int] = ..., processed: _Optional[int] = ..., acted: _Optional[int] = ..., finished: _Optional[bool] = ..., resumed: _Optional[bool] = ..., processed_before: _Optional[int] = ..., customers: _Optional[_Iterable[_Union[SweptCustomer, _Mapping]]] = ..., outcomes: _Optional[_Iterable[_Union[OutcomeCount, _Mapping]]] = ...) -> None: ...

class ExportCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "language")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    language: str
    def __init__(self, customer_id: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class ExportCustomerResponse(_message.Message):
    __slots__ = ("customer", "earlier_versions", "contacts", "preferences", "consents", "contracts", "earlier_contract_versions", "disputes", "objections", "assignments", "notices", "resolution", "export_time", "restriction")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    EARLIER_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    EARLIER_CONTRACT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    DISPUTES_FIELD_NUMBER: _ClassVar[int]
    OBJECTIONS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    EXPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    RESTRICTION_FIELD_NUMBER: _ClassVar[int]
    customer: _assignment_pb2.Customer
    earlier_versions: _containers.RepeatedCompositeFieldContainer[CustomerVersion]
    contacts: _containers.RepeatedCompositeFieldContainer[_assignment_pb2.ContactEvent]
    preferences: _containers.RepeatedCompositeFieldContainer[_assignment_pb2.Preference]
    consents: _containers.RepeatedCompositeFieldContainer[_resolution_pb2.Consent]
    contracts: _containers.RepeatedCompositeFieldContainer[_resolution_pb2.Contract]
    earlier_contract_versions: _containers.RepeatedCompositeFieldContainer[ContractVersion]
    disputes: _containers.RepeatedCompositeFieldContainer[_resolution_pb2.Dispute]
    objections: _containers.RepeatedCompositeFieldContainer[_resolution_pb2.Objection]
    assignments: _containers.RepeatedCompositeFieldContainer[_assignment_pb2.Assignment]
    notices: _containers.RepeatedCompositeFieldContainer[_network_pb2.CustomerNotice]
    resolution: _resolution_pb2.ResolveControllersResponse
    export_time: _timestamp_pb2.Timestamp
    restriction: Restriction
    def __init__(self, customer: _Optional[_Union[_assignment_pb2.Customer, _Mapping]] = ..., earlier_versions: _Optional[_Iterable[_Union[CustomerVersion, _Mapping]]] = ..., contacts: _Optional[_Iterable[_Union[_assignment_pb2.ContactEvent, _Mapping]]] = ..., preferences: _Optional[_Iterable[_Union[_assignment_pb2.Preference, _Mapping]]] = ..., consents: _Optional[_Iterable[_Union[_resolution_pb2.Consent, _Mapping]]] = ..., contracts: _Optional[_Iterable[_Union[_resolution_pb2.Contract, _Mapping]]] = ..., earlier_contract_versions: _Optional[_Iterable[_Union[ContractVersion, _Mapping]]] = ..., disputes: _Optional[_Iterable[_Union[_resolution_pb2.Dispute, _Mapping]]] = ..., objections: _Optional[_Iterable[_Union[_resolution_pb2.Objection, _Mapping]]] = ..., assignments: _Optional[_Iterable[_Union[_assignment_pb2.Assignment, _Mapping]]] = ..., notices: _Optional[_Iterable[_Union[_network_pb2.CustomerNotice, _Mapping]]] = ..., resolution: _Optional[_Union[_resolution_pb2.ResolveControllersResponse, _Mapping]] = ..., export_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., restriction: _Optional[_Union[Restriction, _Mapping]] = ...) -> None: ...

class Restriction(_message.Message):
    __slots__ = ("since", "reason", "request_id", "erase_date", "legal_hold")
    SINCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ERASE_DATE_FIELD_NUMBER: _ClassVar[int]
    LEGAL_HOLD_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    reason: ErasureReason
    request_id: str
    erase_date: _date_pb2.Date
    legal_hold: bool
    def __init__(self, since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[_Union[ErasureReason, str]] = ..., request_id: _Optional[str] = ..., erase_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., legal_hold: _Optional[bool] = ...) -> None: ...

class CustomerVersion(_message.Message):
    __slots__ = ("customer", "superseded_time")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_TIME_FIELD_NUMBER: _ClassVar[int]
    customer: _assignment_pb2.Customer
    superseded_time: _timestamp_pb2.Timestamp
    def __init__(self, customer: _Optional[_Union[_assignment_pb2.Customer, _Mapping]] = ..., superseded_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ContractVersion(_message.Message):
    __slots__ = ("contract", "record_time", "superseded_time", "correction_reason")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    RECORD_TIME_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_TIME_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    contract: _resolution_pb2.Contract
    record_time: _timestamp_pb2.Timestamp
    superseded_time: _timestamp_pb2.Timestamp
    correction_reason: str
    def __init__(self, contract: _Optional[_Union[_resolution_pb2.Contract, _Mapping]] = ..., record_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., superseded_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., correction_reason: _Optional[str] = ...) -> None: ...

class Fact(_message.Message):
    __slots__ = ("contact", "consent", "contract", "dispute")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_FIELD_NUMBER: _ClassVar[int]
    contact: _assignment_pb2.ContactEvent
    consent: _resolution_pb2.Consent
    contract: _resolution_pb2.Contract
    dispute: _resolution_pb2.Dispute
    def __init__(self, contact: _Optional[_Union[_assignment_pb2.ContactEvent, _Mapping]] = ..., consent: _Optional[_Union[_resolution_pb2.Consent, _Mapping]] = ..., contract: _Optional[_Union[_resolution_pb2.Contract, _Mapping]] = ..., dispute: _Optional[_Union[_resolution_pb2.Dispute, _Mapping]] = ...) -> None: ...

class RectifyFactRequest(_message.Message):
    __slots__ = ("customer_id", "kind", "fact_id", "reason", "correction", "update_mask")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FACT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kind: RectifiableKind
    fact_id: str
    reason: str
    correction: Fact
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, customer_id: _Optional[str] = ..., kind: _Optional[_Union[RectifiableKind, str]] = ..., fact_id: _Optional[str] = ..., reason: _Optional[str] = ..., correction: _Optional[_Union[Fact, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class RectifyFactResponse(_message.Message):
    __slots__ = ("retracted", "correction", "changed")
    RETRACTED_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    retracted: Fact
    correction: Fact
    changed: bool
    def __init__(self, retracted: _Optional[_Union[Fact, _Mapping]] = ..., correction: _Optional[_Union[Fact, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...
