"""The wire protocol: frames round-trip, and the decoder refuses everything it must not trust."""

from __future__ import annotations

import base64
import io
import pickle
import sys

import numpy as np
import pytest

from grader import protocol
from grader.protocol import ChannelClosed, ProtocolError

TRIPPED: list[str] = []


def _tripwire(tag: str) -> str:
    """Called only if a pickle payload built below is ever unpickled."""
    TRIPPED.append(tag)
    return tag


class _Payload:
    def __reduce__(self):
        return (_tripwire, ("unpickled",))


def _npy_bytes(array: np.ndarray, *, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _blob(raw: bytes) -> dict[str, str]:
    return {protocol.ARRAY_KEY: base64.b64encode(raw).decode("ascii")}


def _frame(body: bytes) -> bytes:
    return protocol.HEADER.pack(len(body)) + body


def _read(data: bytes, **kwargs) -> dict:
    return protocol.read_message(io.BytesIO(data), **kwargs)


class _Trickle(io.RawIOBase):
    """A stream that hands out at most three bytes per read, like a slow pipe."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.data[self.pos:self.pos + min(size, 3)]
        self.pos += len(chunk)
        return chunk


@pytest.fixture(autouse=True)
def _reset_tripwire():
    TRIPPED.clear()
    yield
    TRIPPED.clear()


# --- round trip ------------------------------------------------------------------------------

def test_round_trip_keeps_nested_arrays_dtypes_shapes_and_values():
    rng = np.random.default_rng(0)
    fortran = np.asfortranarray(rng.normal(size=(3, 4)))
    message = {
        "type": "probe_result",
        "id": 7,
        "ok": True,
        "error": None,
        "value": {
            "weights": [rng.normal(size=(2, 3)), rng.normal(size=(3,)).astype(np.float32)],
            "half": np.array([0.5, -2.0, 65504.0], dtype=np.float16),
            "mask": np.array([[True, False], [False, True]]),
            "ints": {"i8": np.array([-128, 0, 127], dtype=np.int8),
                     "u8": np.arange(250, 256, dtype=np.uint8),
                     "i16": np.array([-32768, 32767], dtype=np.int16),
                     "i32": np.array([[1, -2]], dtype=np.int32),
                     "i64": np.array([2**62, -(2**62)], dtype=np.int64)},
            "strided": rng.normal(size=(6, 6))[::2, 1::2],
            "fortran": fortran,
            "scalar_array": np.array(3.25),
            "empty": np.zeros((0, 3)),
            "deep": [[{"x": np.arange(4, dtype=np.int64).reshape(2, 2)}]],
            "np_scalars": [np.float32(1.5), np.int64(-3), np.bool_(True)],
            "tuple": (1, "two", None),
        },
    }
    stream = io.BytesIO()
    protocol.write_message(stream, message)
    data = stream.getvalue()
    (declared,) = protocol.HEADER.unpack(data[:4])
    assert declared == len(data) - 4

    back = _read(data)
    value, sent = back["value"], message["value"]

    def same(a: np.ndarray, b: np.ndarray) -> None:
        assert isinstance(a, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)

    same(value["weights"][0], sent["weights"][0])
    same(value["weights"][1], sent["weights"][1])
    same(value["half"], sent["half"])
    same(value["mask"], sent["mask"])
    for key in sent["ints"]:
        same(value["ints"][key], sent["ints"][key])
    same(value["strided"], sent["strided"])
    same(value["fortran"], fortran)
    same(value["scalar_array"], sent["scalar_array"])
    same(value["empty"], sent["empty"])
    same(value["deep"][0][0]["x"], sent["deep"][0][0]["x"])
    # numpy scalars travel as plain JSON numbers, tuples as lists
    assert value["np_scalars"] == [1.5, -3, True]
    assert [type(v) for v in value["np_scalars"]] == [float, int, bool]
    assert value["tuple"] == [1, "two", None]
    assert back["type"] == "probe_result" and back["id"] == 7 and back["ok"] is True
    assert back["error"] is None


def test_several_frames_read_in_order_then_the_channel_is_closed():
    stream = io.BytesIO()
    for i in range(3):
        protocol.write_message(stream, {"type": "cell", "number": i})
    stream.seek(0)
    assert [protocol.read_message(stream)["number"] for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ChannelClosed, match="channel closed$"):
        protocol.read_message(stream)


def test_a_frame_arriving_a_few_bytes_at_a_time_is_reassembled():
    data = protocol.encode_message({"type": "hello", "arr": np.arange(50, dtype=np.int32)})
    back = protocol.read_message(_Trickle(data))
    np.testing.assert_array_equal(back["arr"], np.arange(50, dtype=np.int32))


def test_encode_refuses_non_finite_numbers():
    with pytest.raises(ValueError):
        protocol.encode_message({"type": "cell", "seconds": float("nan")})
    with pytest.raises(ValueError):
        protocol.encode_message({"type": "cell", "seconds": float("inf")})


def test_encode_refuses_a_message_over_the_frame_limit(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_FRAME_BYTES", 200)
    protocol.encode_message({"type": "x", "s": "a" * 100})
    with pytest.raises(ProtocolError, match="exceeds the frame limit"):
        protocol.encode_message({"type": "x", "s": "a" * 300})


# --- arrays the decoder refuses ----------------------------------------------------------------

def test_object_dtype_npy_is_refused_and_never_unpickled():
    objects = np.empty(2, dtype=object)
    objects[0], objects[1] = _Payload(), "text"
    raw = _npy_bytes(objects, allow_pickle=True)
    # Control: this file really does run code when loaded with pickles allowed.
    assert sys.modules.get(_tripwire.__module__) is not None
    np.load(io.BytesIO(raw), allow_pickle=True)
    assert TRIPPED == ["unpickled"]
    TRIPPED.clear()

    with pytest.raises(ProtocolError, match="unreadable array"):
        protocol.decode_array(_blob(raw))
    with pytest.raises(ProtocolError, match="unreadable array"):
        _read(_frame(b'{"type":"x","v":[{"__npy__":"' + base64.b64encode(raw) + b'"}]}'))
    assert TRIPPED == []


def test_a_crafted_pickle_payload_is_refused_and_never_run():
    raw = pickle.dumps(_Payload())
    pickle.loads(raw)  # control: unpickling it calls the tripwire
    assert TRIPPED == ["unpickled"]
    TRIPPED.clear()
    with pytest.raises(ProtocolError, match="unreadable array"):
        protocol.decode_array(_blob(raw))
    with pytest.raises(ProtocolError, match="unreadable array"):
        _read(_frame(b'{"type":"x","v":{"__npy__":"' + base64.b64encode(raw) + b'"}}'))
    assert TRIPPED == []


@pytest.mark.parametrize("array", [
    np.array([1 + 2j, 3 - 1j]),
    np.array([1 + 2j], dtype=np.complex64),
    np.array(["abc", "de"]),
    np.array([1, 2], dtype=np.uint64),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
], ids=["complex128", "complex64", "unicode", "uint64", "datetime64"])
def test_disallowed_dtypes_are_refused(array):
    with pytest.raises(ProtocolError, match="is not allowed"):
        protocol.decode_array(_blob(_npy_bytes(array)))


def test_every_allowed_dtype_is_accepted():
    for name in sorted(protocol.ALLOWED_DTYPES):
        array = np.zeros(3, dtype=name)
        assert protocol.decode_array(protocol.encode_array(array)).dtype == np.dtype(name)


def test_array_element_limit():
    blob = protocol.encode_array(np.zeros(10))
    assert protocol.decode_array(blob, max_elements=10).shape == (10,)
    with pytest.raises(ProtocolError, match="11 elements exceeds the limit of 10"):
        protocol.decode_array(protocol.encode_array(np.zeros(11)), max_elements=10)


def test_an_array_over_the_default_limit_is_refused_inside_a_frame():
    too_big = np.zeros(protocol.MAX_ARRAY_ELEMENTS + 1, dtype=np.bool_)
    frame = protocol.encode_message({"type": "probe_result", "value": too_big})
    with pytest.raises(ProtocolError, match="exceeds the limit"):
        _read(frame)


@pytest.mark.parametrize("blob", [
    {protocol.ARRAY_KEY: "AAAA", "extra": 1},
    {protocol.ARRAY_KEY: 12},
    {protocol.ARRAY_KEY: "not base64 !!"},
    {protocol.ARRAY_KEY: base64.b64encode(b"\x93NUMPY\x01\x00").decode()},
    {protocol.ARRAY_KEY: base64.b64encode(_npy_bytes(np.arange(100.0))[:-40]).decode()},
    [1, 2, 3],
], ids=["extra-key", "not-a-string", "bad-base64", "header-only", "truncated-data", "list"])
def test_malformed_array_blobs_are_refused(blob):
    with pytest.raises(ProtocolError):
        protocol.decode_array(blob)


# --- frames the decoder refuses ----------------------------------------------------------------

def test_a_declared_length_over_the_limit_is_refused_before_reading_the_body():
    header = protocol.HEADER.pack(protocol.MAX_FRAME_BYTES + 1)
    with pytest.raises(ProtocolError, match="exceeds the limit") as info:
        _read(header)  # no body at all: it must not even try to read one
    assert type(info.value) is ProtocolError


def test_the_frame_limit_can_be_lowered_by_the_reader():
    frame = protocol.encode_message({"type": "x", "s": "y" * 50})
    size = len(frame) - 4
    assert _read(frame, max_bytes=size)["s"] == "y" * 50
    with pytest.raises(ProtocolError, match=f"frame of {size} bytes exceeds the limit of {size - 1}"):
        _read(frame, max_bytes=size - 1)


@pytest.mark.parametrize("cut", [0, 2, 4, 10], ids=["empty", "half-header", "header-only",
                                                     "half-body"])
def test_truncated_frames_raise_channel_closed(cut):
    frame = protocol.encode_message({"type": "cell", "error": "x" * 20})
    with pytest.raises(ChannelClosed) as info:
        _read(frame[:cut])
    if cut in (2, 10):
        assert "mid-frame" in str(info.value)


@pytest.mark.parametrize("body", [
    b"\xff\xfe\x00garbage",
    b"hello world",
    b'{"type": "x"',
    b"",
    b"[" * 100_000 + b"]" * 100_000,
], ids=["not-utf8", "not-json", "unterminated", "empty", "too-deep"])
def test_bodies_that_are_not_json_are_refused(body):
    with pytest.raises(ProtocolError, match="not valid JSON"):
        _read(_frame(body))


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_json_nan_and_infinity_constants_are_refused(constant):
    body = b'{"type": "cell", "seconds": ' + constant + b"}"
    with pytest.raises(ProtocolError, match="non-finite number"):
        _read(_frame(body))


@pytest.mark.parametrize("body", [
    b'{"number": 1}',
    b'{"type": 3}',
    b'{"type": null}',
    b'["type", "cell"]',
    b'"cell"',
], ids=["no-type", "int-type", "null-type", "list", "string"])
def test_a_frame_that_is_not_a_message_with_a_type_is_refused(body):
    with pytest.raises(ProtocolError, match="with a 'type'"):
        _read(_frame(body))


# --- expect() ----------------------------------------------------------------------------------

CELL_SCHEMA = {"unit": "str", "number": "int", "status": "str", "error": "str|None",
               "line": "int|None", "seconds": "float"}


def _cell(**changes):
    message = {"type": "cell", "unit": "nb", "number": 1, "status": "ok", "error": None,
               "line": None, "seconds": 0.5}
    message.update(changes)
    return message


def test_expect_accepts_an_exact_message_and_returns_it():
    message = _cell()
    assert protocol.expect(message, CELL_SCHEMA) is message
    assert protocol.expect(_cell(error="boom", line=3, seconds=2), CELL_SCHEMA)["line"] == 3


def test_expect_rejects_missing_and_extra_keys():
    missing = _cell()
    del missing["status"]
    with pytest.raises(ProtocolError, match=r"missing keys \['status'\]"):
        protocol.expect(missing, CELL_SCHEMA)
    with pytest.raises(ProtocolError, match=r"unexpected keys \['sneaky'\]"):
        protocol.expect(_cell(sneaky=1), CELL_SCHEMA)


def test_expect_optional_keys():
    optional = {"note": "str"}
    assert protocol.expect(_cell(), CELL_SCHEMA, optional=optional)
    assert protocol.expect(_cell(note="hi"), CELL_SCHEMA, optional=optional)["note"] == "hi"
    with pytest.raises(ProtocolError, match="note is not str"):
        protocol.expect(_cell(note=5), CELL_SCHEMA, optional=optional)


@pytest.mark.parametrize(("kind", "value", "ok"), [
    ("int", 3, True),
    ("int", True, False),
    ("int", False, False),
    ("int", 3.0, False),
    ("int", "3", False),
    ("int", None, False),
    ("float", 1.5, True),
    ("float", 2, True),
    ("float", True, False),
    ("float", "1.5", False),
    ("bool", True, True),
    ("bool", 1, False),
    ("str", "x", True),
    ("str", b"x", False),
    ("str", None, False),
    ("str|None", None, True),
    ("str|None", "x", True),
    ("str|None", 1, False),
    ("int|None", None, True),
    ("int|None", True, False),
    ("list", [1], True),
    ("list", (1,), False),
    ("dict", {"a": 1}, True),
    ("dict", [], False),
    ("array", np.zeros(2), True),
    ("array", [0.0, 0.0], False),
    ("array|None", None, True),
    ("unknown-kind", 1, False),
])
def test_expect_types(kind, value, ok):
    message = {"type": "t", "field": value}
    if ok:
        assert protocol.expect(message, {"field": kind})["field"] is value
    else:
        with pytest.raises(ProtocolError, match=f"field is not {kind}"):
            protocol.expect(message, {"field": kind})


# --- the grader's own resources: limits that hold while a frame is read ------------------------

TEXTS = ["θ = 0.1", "€" * 3, "😀 astral", "\ud800 lone surrogate", "a\x1bb", "\x1b", "ě\x1b\x1b",
         "\\", "C:\\users\\u0100", "naïve ASCII-free", "plain"]


def test_text_beyond_latin1_round_trips_and_never_widens_on_the_wire():
    message = {"type": "cell", "texts": TEXTS, "keys": {text: i for i, text in enumerate(TEXTS)}}
    frame = protocol.encode_message(message)
    body = frame[4:]
    assert body.isascii() and b"\\\\" not in body
    assert protocol._WIDE_ESCAPE_BYTES.search(body) is None  # no \u escape beyond \u00ff
    back = _read(frame)
    assert back["texts"] == TEXTS and back["keys"] == message["keys"]


@pytest.mark.parametrize("body", [b'{"type":"cell","error":"\\u20ac"}',
                                  b'{"type":"cell","error":"\\uD83D\\uDE00"}',
                                  b'{"type":"cell","\\u0100":1}'],
                         ids=["euro", "astral-uppercase", "in-a-key"])
def test_a_wide_escape_is_refused_before_parsing(body):
    with pytest.raises(ProtocolError, match="escape beyond"):
        _read(_frame(body))


def test_a_non_ascii_byte_is_refused():
    with pytest.raises(ProtocolError, match="byte 24 is not ASCII"):
        _read(_frame('{"type":"cell","error":"€"}'.encode()))


def test_narrowed_text_is_widened_back_within_the_frames_limit(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_WIDE_CHARS", 500)  # each one ESC and 4 hex digits
    message = {"type": "cell", "e": ["€" * 50, "θ" * 50]}
    assert _read(protocol.encode_message(message))["e"] == message["e"]
    with pytest.raises(ProtocolError, match="more than 500 characters of strings with text beyond"):
        _read(protocol.encode_message({"type": "cell", "e": ["€" * 50, "θ" * 51]}))
    for forged in (b"ab\\u001b20a", b"\\u001b20aX", b"\\u001b\\u001b20ac"):
        with pytest.raises(ProtocolError, match="malformed narrowed character"):
            _read(_frame(b'{"type":"cell","e":"' + forged + b'"}'))


class _Counting(io.BytesIO):
    """A stream that counts the bytes it handed out."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.handed += len(chunk)
        return chunk


def test_a_frame_of_too_many_values_is_refused_after_its_first_chunks():
    body = b'{"type":"inventory","units":[' + b"{}," * 10_000_000 + b"{}]}"  # 30 MB
    stream = _Counting(_frame(body))
    with pytest.raises(ProtocolError, match=f"more than {protocol.MAX_FRAME_VALUES} JSON values"):
        protocol.read_frame(stream)
    assert stream.handed <= 2 * protocol.MAX_FRAME_VALUES + protocol.READ_CHUNK  # ~3 MB, not 30


def test_a_channel_budget_bounds_the_bytes_and_values_of_all_its_frames():
    frame = protocol.encode_message({"type": "cell", "v": [1, 2, 3]})
    size, values = len(frame) - 4, protocol.count_values(frame[4:])
    budget = protocol.Budget(bytes=10 * size, values=2 * values)
    first = protocol.read_frame(io.BytesIO(frame), budget=budget)
    assert (first.size, first.values) == (size, values) and budget.values == values
    protocol.read_frame(io.BytesIO(frame), budget=budget)
    with pytest.raises(ProtocolError, match=f"more than its limit of {2 * values} JSON values in all"):
        protocol.read_frame(io.BytesIO(frame), budget=budget)
    stream = _Counting(frame)
    with pytest.raises(ProtocolError, match=f"past its limit of {size - 1} bytes in all"):
        protocol.read_frame(stream, budget=protocol.Budget(bytes=size - 1, values=100))
    assert stream.handed == 4  # the header only


def test_nesting_beyond_the_depth_limit_is_refused():
    deep = b"[" * protocol.MAX_DEPTH + b"]" * protocol.MAX_DEPTH
    assert _read(_frame(b'{"type":"x","v":' + deep[2:-2] + b"}"))["type"] == "x"
    with pytest.raises(ProtocolError, match=f"nested deeper than {protocol.MAX_DEPTH} levels"):
        _read(_frame(b'{"type":"x","v":' + deep + b"}"))


def test_an_integer_of_too_many_digits_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="not valid JSON"):
        _read(_frame(b'{"type":"x","v":' + b"9" * 10_000 + b"}"))


def test_expect_names_a_bounded_number_of_keys_of_bounded_length():
    message = {"type": "t" * 10_000, **{f"{i:04d}" + "k" * 1000: 1 for i in range(5000)}}
    with pytest.raises(ProtocolError) as info:
        protocol.expect(message, {})
    text = str(info.value)
    assert len(text) < 1000 and "and 4990 more" in text and text.startswith("t" * 40 + "…")
