import datetime

from cocontroller.v1 import assignment_pb2 as _assignment_pb2
from cocontroller.v1 import network_pb2 as _network_pb2
from cocontroller.v1 import resolution_pb2 as _resolution_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RectifiableKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECTIFIABLE_KIND_UNSPECIFIED: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONTACT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONSENT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_CONTRACT: _ClassVar[RectifiableKind]
    RECTIFIABLE_KIND_DISPUTE: _ClassVar[RectifiableKind]
RECTIFIABLE_KIND_UNSPECIFIED: RectifiableKind
RECTIFIABLE_KIND_CONTACT: RectifiableKind
RECTIFIABLE_KIND_CONSENT: RectifiableKind
RECTIFIABLE_KIND_CONTRACT: RectifiableKind
RECTIFIABLE_KIND_DISPUTE: RectifiableKind

class ExportCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "language")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    language: str
    def __init__(self, customer_id: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class ExportCustomerResponse(_message.Message):
    __slots__ = ("customer", "earlier_versions", "contacts", "preferences", "consents", "contracts", "earlier_contract_versions", "disputes", "objections", "assignments", "notices", "resolution", "export_time")
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
    def __init__(self, customer: _Optional[_Union[_assignment_pb2.Customer, _Mapping]] = ..., earlier_versions: _Optional[_Iterable[_Union[CustomerVersion, _Mapping]]] = ..., contacts: _Optional[_Iterable[_Union[_assignment_pb2.ContactEvent, _Mapping]]] = ..., preferences: _Optional[_Iterable[_Union[_assignment_pb2.Preference, _Mapping]]] = ..., consents: _Optional[_Iterable[_Union[_resolution_pb2.Consent, _Mapping]]] = ..., contracts: _Optional[_Iterable[_Union[_resolution_pb2.Contract, _Mapping]]] = ..., earlier_contract_versions: _Optional[_Iterable[_Union[ContractVersion, _Mapping]]] = ..., disputes: _Optional[_Iterable[_Union[_resolution_pb2.Dispute, _Mapping]]] = ..., objections: _Optional[_Iterable[_Union[_resolution_pb2.Objection, _Mapping]]] = ..., assignments: _Optional[_Iterable[_Union[_assignment_pb2.Assignment, _Mapping]]] = ..., notices: _Optional[_Iterable[_Union[_network_pb2.CustomerNotice, _Mapping]]] = ..., resolution: _Optional[_Union[_resolution_pb2.ResolveControllersResponse, _Mapping]] = ..., export_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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
