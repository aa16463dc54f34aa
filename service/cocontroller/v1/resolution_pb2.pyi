import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LegalBasis(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEGAL_BASIS_UNSPECIFIED: _ClassVar[LegalBasis]
    LEGAL_BASIS_CONTRACT: _ClassVar[LegalBasis]
    LEGAL_BASIS_LEGITIMATE_INTEREST: _ClassVar[LegalBasis]
    LEGAL_BASIS_CONSENT: _ClassVar[LegalBasis]
    LEGAL_BASIS_LEGAL_OBLIGATION: _ClassVar[LegalBasis]
    LEGAL_BASIS_CONTRACT_OR_LEGITIMATE_INTEREST: _ClassVar[LegalBasis]

class Safeguard(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAFEGUARD_UNSPECIFIED: _ClassVar[Safeguard]
    SAFEGUARD_ADEQUACY: _ClassVar[Safeguard]
    SAFEGUARD_STANDARD_CONTRACTUAL_CLAUSES: _ClassVar[Safeguard]
    SAFEGUARD_PRIVACY_SHIELD: _ClassVar[Safeguard]
    SAFEGUARD_DATA_PRIVACY_FRAMEWORK: _ClassVar[Safeguard]
    SAFEGUARD_TRANSITION_PERIOD: _ClassVar[Safeguard]
    SAFEGUARD_INTERIM_PROVISION: _ClassVar[Safeguard]

class ConsentSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSENT_SOURCE_UNSPECIFIED: _ClassVar[ConsentSource]
    CONSENT_SOURCE_WEB_FORM: _ClassVar[ConsentSource]
    CONSENT_SOURCE_SHOWROOM: _ClassVar[ConsentSource]
    CONSENT_SOURCE_CALL_CENTRE: _ClassVar[ConsentSource]
    CONSENT_SOURCE_APP: _ClassVar[ConsentSource]
LEGAL_BASIS_UNSPECIFIED: LegalBasis
LEGAL_BASIS_CONTRACT: LegalBasis
LEGAL_BASIS_LEGITIMATE_INTEREST: LegalBasis
LEGAL_BASIS_CONSENT: LegalBasis
LEGAL_BASIS_LEGAL_OBLIGATION: LegalBasis
LEGAL_BASIS_CONTRACT_OR_LEGITIMATE_INTEREST: LegalBasis
SAFEGUARD_UNSPECIFIED: Safeguard
SAFEGUARD_ADEQUACY: Safeguard
SAFEGUARD_STANDARD_CONTRACTUAL_CLAUSES: Safeguard
SAFEGUARD_PRIVACY_SHIELD: Safeguard
SAFEGUARD_DATA_PRIVACY_FRAMEWORK: Safeguard
SAFEGUARD_TRANSITION_PERIOD: Safeguard
SAFEGUARD_INTERIM_PROVISION: Safeguard
CONSENT_SOURCE_UNSPECIFIED: ConsentSource
CONSENT_SOURCE_WEB_FORM: ConsentSource
CONSENT_SOURCE_SHOWROOM: ConsentSource
CONSENT_SOURCE_CALL_CENTRE: ConsentSource
CONSENT_SOURCE_APP: ConsentSource

class Citation(_message.Message):
    __slots__ = ("section", "text")
    SECTION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    section: str
    text: str
    def __init__(self, section: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Controller(_message.Message):
    __slots__ = ("role", "id", "name", "legal_name", "address", "enterprise_number", "assignment_basis", "explanation", "label", "rule_id", "citation")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_BASIS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    role: str
    id: str
    name: str
    legal_name: str
    address: str
    enterprise_number: str
    assignment_basis: str
    explanation: str
    label: str
    rule_id: str
    citation: Citation
    def __init__(self, role: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., legal_name: _Optional[str] = ..., address: _Optional[str] = ..., enterprise_number: _Optional[str] = ..., assignment_basis: _Optional[str] = ..., explanation: _Optional[str] = ..., label: _Optional[str] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Purpose(_message.Message):
    __slots__ = ("id", "label", "group", "legal_basis", "article", "controllers", "why", "channel", "rule_id", "citation", "allocation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    CONTROLLERS_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    group: str
    legal_basis: LegalBasis
    article: str
    controllers: _containers.RepeatedScalarFieldContainer[str]
    why: str
    channel: str
    rule_id: str
    citation: Citation
    allocation: str
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., group: _Optional[str] = ..., legal_basis: _Optional[_Union[LegalBasis, str]] = ..., article: _Optional[str] = ..., controllers: _Optional[_Iterable[str]] = ..., why: _Optional[str] = ..., channel: _Optional[str] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ..., allocation: _Optional[str] = ...) -> None: ...

class Recipient(_message.Message):
    __slots__ = ("id", "label", "name", "address", "country", "category", "purpose", "marketing", "channels", "rule_id", "citation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    name: str
    address: str
    country: str
    category: str
    purpose: str
    marketing: bool
    channels: _containers.RepeatedScalarFieldContainer[str]
    rule_id: str
    citation: Citation
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., name: _Optional[str] = ..., address: _Optional[str] = ..., country: _Optional[str] = ..., category: _Optional[str] = ..., purpose: _Optional[str] = ..., marketing: _Optional[bool] = ..., channels: _Optional[_Iterable[str]] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("id", "label", "country", "safeguard", "article", "applies_to", "recipients", "rule_id", "citation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    SAFEGUARD_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    APPLIES_TO_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    country: str
    safeguard: Safeguard
    article: str
    applies_to: str
    recipients: _containers.RepeatedScalarFieldContainer[str]
    rule_id: str
    citation: Citation
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., country: _Optional[str] = ..., safeguard: _Optional[_Union[Safeguard, str]] = ..., article: _Optional[str] = ..., applies_to: _Optional[str] = ..., recipients: _Optional[_Iterable[str]] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class RetentionItem(_message.Message):
    __slots__ = ("id", "label", "category", "method", "anchor", "anchor_date", "erase_after", "legal_hold", "due", "rule_id", "citation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_DATE_FIELD_NUMBER: _ClassVar[int]
    ERASE_AFTER_FIELD_NUMBER: _ClassVar[int]
    LEGAL_HOLD_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    category: str
    method: str
    anchor: str
    anchor_date: _date_pb2.Date
    erase_after: _date_pb2.Date
    legal_hold: bool
    due: bool
    rule_id: str
    citation: Citation
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., category: _Optional[str] = ..., method: _Optional[str] = ..., anchor: _Optional[str] = ..., anchor_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., erase_after: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., legal_hold: _Optional[bool] = ..., due: _Optional[bool] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Notice(_message.Message):
    __slots__ = ("id", "label", "refers_to", "rule_id", "citation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REFERS_TO_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    refers_to: str
    rule_id: str
    citation: Citation
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., refers_to: _Optional[str] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ("id", "label", "severity", "code", "rule_id", "citation")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    severity: str
    code: str
    rule_id: str
    citation: Citation
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., severity: _Optional[str] = ..., code: _Optional[str] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class ResolveControllersRequest(_message.Message):
    __slots__ = ("customer_id", "as_of", "language", "known_on")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_ON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    as_of: _date_pb2.Date
    language: str
    known_on: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., as_of: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., language: _Optional[str] = ..., known_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResolveControllersResponse(_message.Message):
    __slots__ = ("customer_id", "as_of", "language", "controllers", "purposes", "recipients", "transfers", "retention", "notices", "findings", "earliest_erase_date", "rules_version", "fired_rules")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CONTROLLERS_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_ERASE_DATE_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    FIRED_RULES_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    as_of: _date_pb2.Date
    language: str
    controllers: _containers.RepeatedCompositeFieldContainer[Controller]
    purposes: _containers.RepeatedCompositeFieldContainer[Purpose]
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    transfers: _containers.RepeatedCompositeFieldContainer[Transfer]
    retention: _containers.RepeatedCompositeFieldContainer[RetentionItem]
    notices: _containers.RepeatedCompositeFieldContainer[Notice]
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    earliest_erase_date: _date_pb2.Date
    rules_version: str
    fired_rules: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, customer_id: _Optional[str] = ..., as_of: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., language: _Optional[str] = ..., controllers: _Optional[_Iterable[_Union[Controller, _Mapping]]] = ..., purposes: _Optional[_Iterable[_Union[Purpose, _Mapping]]] = ..., recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ..., transfers: _Optional[_Iterable[_Union[Transfer, _Mapping]]] = ..., retention: _Optional[_Iterable[_Union[RetentionItem, _Mapping]]] = ..., notices: _Optional[_Iterable[_Union[Notice, _Mapping]]] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., earliest_erase_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., rules_version: _Optional[str] = ..., fired_rules: _Optional[_Iterable[str]] = ...) -> None: ...

class RecordConsentRequest(_message.Message):
    __slots__ = ("customer_id", "channel", "given_at", "withdrawn_at", "proof")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    GIVEN_AT_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    channel: str
    given_at: _timestamp_pb2.Timestamp
    withdrawn_at: _timestamp_pb2.Timestamp
    proof: ConsentProof
    def __init__(self, customer_id: _Optional[str] = ..., channel: _Optional[str] = ..., given_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., proof: _Optional[_Union[ConsentProof, _Mapping]] = ...) -> None: ...

class ConsentProof(_message.Message):
    __slots__ = ("wording", "source", "reference")
    WORDING_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    wording: str
    source: ConsentSource
    reference: str
    def __init__(self, wording: _Optional[str] = ..., source: _Optional[_Union[ConsentSource, str]] = ..., reference: _Optional[str] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("id", "customer_id", "channel", "given_at", "withdrawn_at", "proof", "retract_time", "retraction_reason", "corrects")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    GIVEN_AT_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    RETRACT_TIME_FIELD_NUMBER: _ClassVar[int]
    RETRACTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_FIELD_NUMBER: _ClassVar[int]
    id: int
    customer_id: str
    channel: str
    given_at: _timestamp_pb2.Timestamp
    withdrawn_at: _timestamp_pb2.Timestamp
    proof: ConsentProof
    retract_time: _timestamp_pb2.Timestamp
    retraction_reason: str
    corrects: int
    def __init__(self, id: _Optional[int] = ..., customer_id: _Optional[str] = ..., channel: _Optional[str] = ..., given_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., proof: _Optional[_Union[ConsentProof, _Mapping]] = ..., retract_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retraction_reason: _Optional[str] = ..., corrects: _Optional[int] = ...) -> None: ...

class RecordConsentResponse(_message.Message):
    __slots__ = ("consent", "consents", "changed")
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    consent: Consent
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    changed: bool
    def __init__(self, consent: _Optional[_Union[Consent, _Mapping]] = ..., consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ..., changed: _Optional[bool] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("id", "customer_id", "kind", "partner", "dealer_id", "start", "end", "retract_time", "retraction_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    RETRACT_TIME_FIELD_NUMBER: _ClassVar[int]
    RETRACTION_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    customer_id: str
    kind: str
    partner: str
    dealer_id: str
    start: _date_pb2.Date
    end: _date_pb2.Date
    retract_time: _timestamp_pb2.Timestamp
    retraction_reason: str
    def __init__(self, id: _Optional[str] = ..., customer_id: _Optional[str] = ..., kind: _Optional[str] = ..., partner: _Optional[str] = ..., dealer_id: _Optional[str] = ..., start: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., retract_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retraction_reason: _Optional[str] = ...) -> None: ...

class RecordContractRequest(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class RecordContractResponse(_message.Message):
    __slots__ = ("contract", "created")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    created: bool
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class Dispute(_message.Message):
    __slots__ = ("id", "customer_id", "subject", "opened_at", "closed_at", "retract_time", "retraction_reason", "corrects")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    RETRACT_TIME_FIELD_NUMBER: _ClassVar[int]
    RETRACTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_FIELD_NUMBER: _ClassVar[int]
    id: int
    customer_id: str
    subject: str
    opened_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    retract_time: _timestamp_pb2.Timestamp
    retraction_reason: str
    corrects: int
    def __init__(self, id: _Optional[int] = ..., customer_id: _Optional[str] = ..., subject: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retract_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retraction_reason: _Optional[str] = ..., corrects: _Optional[int] = ...) -> None: ...

class RecordDisputeRequest(_message.Message):
    __slots__ = ("customer_id", "opened_at", "closed_at", "subject", "dispute_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    opened_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    subject: str
    dispute_id: int
    def __init__(self, customer_id: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject: _Optional[str] = ..., dispute_id: _Optional[int] = ...) -> None: ...

class RecordDisputeResponse(_message.Message):
    __slots__ = ("dispute",)
    DISPUTE_FIELD_NUMBER: _ClassVar[int]
    dispute: Dispute
    def __init__(self, dispute: _Optional[_Union[Dispute, _Mapping]] = ...) -> None: ...

class RulePack(_message.Message):
    __slots__ = ("name", "version", "path", "rules")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    path: str
    rules: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., path: _Optional[str] = ..., rules: _Optional[int] = ...) -> None: ...

class ListRulePacksRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRulePacksResponse(_message.Message):
    __slots__ = ("packs", "next_page_token")
    PACKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    packs: _containers.RepeatedCompositeFieldContainer[RulePack]
    next_page_token: str
    def __init__(self, packs: _Optional[_Iterable[_Union[RulePack, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReloadRulePacksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReloadRulePacksResponse(_message.Message):
    __slots__ = ("packs",)
    PACKS_FIELD_NUMBER: _ClassVar[int]
    packs: _containers.RepeatedCompositeFieldContainer[RulePack]
    def __init__(self, packs: _Optional[_Iterable[_Union[RulePack, _Mapping]]] = ...) -> None: ...

class ListConsentsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListConsentsResponse(_message.Message):
    __slots__ = ("consents", "next_page_token")
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    next_page_token: str
    def __init__(self, consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListContractsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListContractsResponse(_message.Message):
    __slots__ = ("contracts", "next_page_token")
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    contracts: _containers.RepeatedCompositeFieldContainer[Contract]
    next_page_token: str
    def __init__(self, contracts: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDisputesRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDisputesResponse(_message.Message):
    __slots__ = ("disputes", "next_page_token")
    DISPUTES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    disputes: _containers.RepeatedCompositeFieldContainer[Dispute]
    next_page_token: str
    def __init__(self, disputes: _Optional[_Iterable[_Union[Dispute, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Objection(_message.Message):
    __slots__ = ("id", "customer_id", "purpose", "objected_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    OBJECTED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    customer_id: str
    purpose: str
    objected_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., customer_id: _Optional[str] = ..., purpose: _Optional[str] = ..., objected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordObjectionRequest(_message.Message):
    __slots__ = ("customer_id", "purpose", "objected_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    OBJECTED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    purpose: str
    objected_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., purpose: _Optional[str] = ..., objected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordObjectionResponse(_message.Message):
    __slots__ = ("objection", "created")
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    objection: Objection
    created: bool
    def __init__(self, objection: _Optional[_Union[Objection, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class ListObjectionsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListObjectionsResponse(_message.Message):
    __slots__ = ("objections", "next_page_token")
    OBJECTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    objections: _containers.RepeatedCompositeFieldContainer[Objection]
    next_page_token: str
    def __init__(self, objections: _Optional[_Iterable[_Union[Objection, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
