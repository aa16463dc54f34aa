"""No request crashes the server or makes it answer UNKNOWN or INTERNAL: every RPC of every
services gets requests generated from its protobuf descriptor (huge, empty, unicode and
control-character strings, integers at their extremes, unknown enum numbers, impossible dates
and timestamps, long repeated fields), then raw bytes that are no protobuf at all. Every
answer's trailers stay under 8 KB, the server still answers its health check, and no
traceback is logged. The runs are derandomised, so a failure here fails the same way again.
"""

import logging
import urllib.parse

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor as F
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import channel, serve

from cocontroller.api.server import SERVICES as SERVED

# Every service the server registers, so a new one is fuzzed without listing it here.
SERVICES = [descriptor_pool.Default().FindServiceByName(name) for name in SERVED]
METHODS = [method for service in SERVICES for method in service.methods]
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.DEADLINE_EXCEEDED,
         grpc.StatusCode.UNAVAILABLE}
MAX_TRAILERS = 8 * 1024
FUZZ = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
# ReassignCustomersRequest field 3, dry_run = true: appended to any request of that method, it
# wins (the last value of a field is the one parsed), so no fuzzed job writes anything.
DRY_RUN = b"\x18\x01"

# Values the service knows, so generated requests also reach past the first checks.
KNOWN_TEXT = ["", " ", "9000", "1000", "0999", "ABCD", "dlr-gent", "dlr-aalst", "fuzz-1", "crm-1",
              "nl", "fr", "de", "en", "xx", "purchase", "lease", "sales", "BE 0403.170.701",
              "Fictilease NV", "\x00", "\n\r\t", "é", "🚗", "\u202e", "a" * 65, "'; DROP TABLE x; --"]
HUGE_TEXT = ["x" * 100_000, "🚗" * 50_000, "\x00" * 10_000, "dlr-" * 30_000]
INT_RANGES = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1), F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1), F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1), F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1), F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1), F.TYPE_FIXED64: (0, 2**64 - 1),
}


def integers(low: int, high: int):
    edges = [low, high, 0, 1, -1, 2, 1900, 2005, 2024, 9999, 10000, 13, 32, 60, 10**9, 315537897599]
    return st.one_of(st.sampled_from([n for n in edges if low <= n <= high]), st.integers(low, high))


def scalar(field):
    if field.type == F.TYPE_STRING:
        return st.one_of(st.sampled_from(KNOWN_TEXT), st.text(max_size=80), st.sampled_from(HUGE_TEXT))
    if field.type == F.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == F.TYPE_BOOL:
        return st.booleans()
    if field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        edges = st.sampled_from([0.0, 50.85, 4.35, -90.0, 180.0, 1e308, float("nan"), float("inf")])
        return st.one_of(edges, st.floats(width=64 if field.type == F.TYPE_DOUBLE else 32))
    if field.type == F.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), integers(-(2**31), 2**31 - 1))
    return integers(*INT_RANGES[field.type])


def messages(descriptor, depth: int = 0):
    """Messages of `descriptor` with any subset of their fields set (sub-messages to depth 3)."""
    optional = {}
    for field in descriptor.fields:
        if field.type == F.TYPE_MESSAGE:
            if depth >= 3:
                continue
            value = st.deferred(lambda f=field: messages(f.message_type, depth + 1))
        else:
            value = scalar(field)
        if field.is_repeated:
            value = st.one_of(st.lists(value, max_size=4), value.map(lambda v: [v] * 3000))
        optional[field.name] = value
    cls = message_factory.GetMessageClass(descriptor)
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: build(cls, values))


def build(cls, values: dict):
    built = cls()
    for name, value in values.items():
        field = cls.DESCRIPTOR.fields_by_name[name]
        target = getattr(built, name) if field.is_repeated or field.type == F.TYPE_MESSAGE else None
        if field.is_repeated:
            if field.type == F.TYPE_MESSAGE:
                for item in value:
                    target.add().CopyFrom(item)
            else:
                target.extend(value)
        elif field.type == F.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(built, name, value)
    return built


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("fuzz") / "db.sqlite")


@pytest.fixture(scope="module")
def raw(target):
    """A channel for raw calls: requests and answers as bytes, untouched by any stub."""
    with channel(target) as ch:
        yield ch


def call(ch: grpc.Channel, method, data: bytes):
    """Calls `method` with `data` as the request; returns (status code, trailer bytes)."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    try:
        if method.server_streaming:
            responses = ch.unary_stream(path)(data + DRY_RUN, timeout=60)
            for _ in responses:
                pass
            return responses.code(), trailer_size(responses.trailing_metadata(), responses.details())
        _, done = ch.unary_unary(path).with_call(data, timeout=60)
        return done.code(), trailer_size(done.trailing_metadata(), done.details())
    except grpc.RpcError as e:
        return e.code(), trailer_size(e.trailing_metadata(), e.details())


def trailer_size(metadata, details) -> int:
    """The trailers' size on the wire: metadata, and the message percent-encoded as grpc-message."""
    size = sum(len(k) + len(v) for k, v in metadata or ())
    return size + len(urllib.parse.quote((details or "").encode("utf-8")))


def assert_serving(ch: grpc.Channel) -> None:
    answer = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def assert_no_traceback(caplog) -> None:
    logged = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_generated_requests(method, raw, caplog):
    caplog.set_level(logging.WARNING)
    seen = set()

    @FUZZ
    @given(request=messages(method.input_type))
    def one(request):
        code, trailers = call(raw, method, request.SerializeToString())
        seen.add(code)
        assert code not in NEVER, (code, str(request)[:500])
        assert trailers < MAX_TRAILERS, (code, trailers, str(request)[:500])

    one()
    assert_serving(raw)
    assert_no_traceback(caplog)
    assert seen - {grpc.StatusCode.RESOURCE_EXHAUSTED}, "every request was refused for its size"


MALFORMED = [
    b"\xff\xff\xff\xff",  # a field number of zero bits then garbage
    b"\x08\x80\x80\x80",  # a varint that never ends
    b"\x0a\x05ab",  # a length past the end
    b"\x0b",  # a group start (no group in proto3)
    b"\x0f\x00",  # wire type 7 does not exist
    b"\x12\xff\xff\xff\xff\x0f",  # a 4 GB length
    b"\x00",  # field number 0
]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_malformed_bytes_are_invalid_argument(method, raw, caplog):
    caplog.set_level(logging.WARNING)
    first = method.input_type.fields_by_number.get(1)
    # A string that is not UTF-8; any other type ignores it, as a field of another wire type.
    not_utf8 = [b"\x0a\x02\xc3\x28"] if first is not None and first.type == F.TYPE_STRING else []
    for data in MALFORMED + not_utf8:
        code, trailers = call(raw, method, data)
        assert code == grpc.StatusCode.INVALID_ARGUMENT, (data, code)
        assert trailers < MAX_TRAILERS

    @FUZZ
    @given(data=st.binary(max_size=300))
    def any_bytes(data):
        code, trailers = call(raw, method, data)
        assert code not in NEVER, (code, data)
        assert trailers < MAX_TRAILERS

    any_bytes()
    assert_serving(raw)
    assert_no_traceback(caplog)
