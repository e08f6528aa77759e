"""The wire protocol between the grader and the sandboxed child: the only module both sides import.

A frame is a 4-byte big-endian length followed by that many bytes of ASCII JSON. Arrays
travel inside the JSON as ``{"__npy__": "<base64 of .npy bytes>"}`` and are read back with
``np.load(allow_pickle=False)``; nothing is ever pickled. The parent decodes every frame
with hard limits and then checks each message against the exact shape it expects
(:func:`expect`), so a child that sends anything else is reported, not trusted.

The limits hold while a frame is read, before anything is parsed: its declared size, the
JSON values it holds (counted chunk by chunk as it arrives, see :func:`count_values`) and,
through a :class:`Budget`, the bytes and values of the whole channel. After parsing: the
nesting depth, each array's dtype and size, and the text beyond Latin-1.

Text never widens on the wire. ``json`` stores a string with one character beyond Latin-1 at
2 or 4 bytes per character, so one ``\\u20ac`` could make a 90 MB string cost 360 MB. The
encoder therefore writes each such UTF-16 code unit as ESC and its four hex digits (``\\u20ac``
becomes ``\\u001b20ac``; a literal ESC ``\\u001b001b``) and a literal backslash as
``\\u005c``, so every backslash on the wire starts an escape; a frame holding a ``\\u``
escape beyond ``\\u00ff`` is refused, and at most :data:`MAX_WIDE_CHARS` characters of a
frame's strings are widened back after parsing (with numpy, never one object per character).

Messages, parent -> child: ``run`` (the units of code to execute), ``probe`` (evaluate
something on inputs the parent drew after the student's code finished), ``exit``.
Child -> parent: ``hello``, ``cell`` (one finished cell), ``figure``, ``inventory``
(what the student's namespace holds, as plain data), ``probe_result``.

This module imports only the standard library and numpy: it is loaded inside the sandbox.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import struct
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

import numpy as np

PROTOCOL_VERSION = 2  # 2: text beyond Latin-1 travels narrowed (see the module docstring)
HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 96 * 1024 * 1024
MAX_FRAME_VALUES = 1_000_000  # JSON values in one frame (the examples send at most 15,139)
MAX_DEPTH = 32  # nesting of objects and lists (nothing the protocol sends is deeper than 10)
MAX_WIDE_CHARS = 16 * 1024 * 1024  # characters of strings holding text beyond Latin-1, per frame
READ_CHUNK = 1024 * 1024  # bytes read (and counted) at a time
MAX_ARRAY_ELEMENTS = 4_000_000
MAX_FIGURE_BYTES = 2 * 1024 * 1024
MAX_TRACE_DATA_ARRAYS = 8  # a trace sample's data tensors (inputs, targets) ...
MAX_TRACE_DATA_ELEMENTS = 200_000  # ... and their values in all: the child records no more
ALLOWED_DTYPES = frozenset({"float64", "float32", "float16", "int64", "int32", "int16", "int8",
                            "uint8", "bool"})
ARRAY_KEY = "__npy__"
WIDE = "\x1b"  # starts a narrowed character (see the module docstring)
_WIDE_ESCAPE_BYTES = re.compile(rb"\\u(?:0[1-9a-fA-F]|[1-9a-fA-F])")
_HEX = np.full(256, 255, dtype=np.uint8)  # a hex digit's value by its byte, 255 for none
_HEX[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16, dtype=np.uint8)
_NOT_ASCII = re.compile(rb"[\x80-\xff]")


class ProtocolError(Exception):
    """A frame or message that breaks the protocol (too big, malformed, wrong types)."""


class ChannelClosed(ProtocolError):
    """The other side closed the channel before a whole frame arrived."""


class Frame(NamedTuple):
    """One decoded frame: the message, its body's size in bytes and the JSON values counted."""

    message: dict[str, Any]
    size: int
    values: int


@dataclass
class Budget:
    """What a channel may still carry in all (bytes, JSON values); :func:`read_frame` spends it."""

    bytes: int
    values: int
    total_bytes: int = field(init=False)
    total_values: int = field(init=False)

    def __post_init__(self) -> None:
        self.total_bytes, self.total_values = self.bytes, self.values


def encode_array(array: np.ndarray) -> dict[str, str]:
    """One numeric array as a JSON-safe dict holding its .npy bytes."""
    buffer = io.BytesIO()
    # ascontiguousarray alone would turn a 0-d array into shape (1,): keep the shape.
    np.save(buffer, np.ascontiguousarray(array).reshape(np.shape(array)), allow_pickle=False)
    return {ARRAY_KEY: base64.b64encode(buffer.getvalue()).decode("ascii")}


def decode_array(blob: Any, *, max_elements: int = MAX_ARRAY_ELEMENTS) -> np.ndarray:
    """Read an encoded array back, refusing pickles, odd dtypes and oversized arrays."""
    if not isinstance(blob, dict) or set(blob) != {ARRAY_KEY} or not isinstance(blob[ARRAY_KEY], str):
        raise ProtocolError("expected an encoded array")
    try:
        raw = base64.b64decode(blob[ARRAY_KEY], validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ProtocolError(f"unreadable array: {exc}") from None
    if not isinstance(array, np.ndarray) or array.dtype.name not in ALLOWED_DTYPES:
        raise ProtocolError(f"array dtype {getattr(array, 'dtype', '?')} is not allowed")
    if array.size > max_elements:
        raise ProtocolError(f"array of {array.size} elements exceeds the limit of {max_elements}")
    return array


def _pack(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, dict):
        return {str(k): _pack(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return value


def _unpack(message: dict[str, Any], max_wide_chars: int | None) -> dict[str, Any]:
    """Decode arrays and narrowed text in place, walking without recursion; bounded depth."""
    if ARRAY_KEY in message:
        decode_array(message)  # a message is never an array: this raises
    room = [MAX_WIDE_CHARS if max_wide_chars is None else max_wide_chars]
    stack: list[tuple[Any, int]] = [(message, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ProtocolError(f"message nested deeper than {MAX_DEPTH} levels")
        if type(node) is dict:
            if any(WIDE in key for key in node):
                pairs = [(_widen(k, room) if WIDE in k else k, v) for k, v in node.items()]
                node.clear()
                node.update(pairs)
            entries: Any = node.items()
        else:
            entries = enumerate(node)
        for key, value in entries:  # values are replaced in place: the size never changes
            kind = type(value)
            if kind is str:
                if WIDE in value:
                    node[key] = _widen(value, room)
            elif kind is dict:
                if ARRAY_KEY in value:
                    node[key] = decode_array(value)
                else:
                    stack.append((value, depth + 1))
            elif kind is list:
                stack.append((value, depth + 1))
    return message


def _narrow(text: str) -> str:
    """JSON text (``ensure_ascii``) with no escape beyond ``\\u00ff`` and no ``\\\\``.

    Only ``str.replace``, in this order: without ``\\\\``, every backslash starts an escape;
    a literal ESC is set aside (a NUL: JSON text never holds a raw one), every escape gets
    an ESC before its digits, those of Latin-1 lose it again, and the ESCs come back.
    """
    text = text.replace("\\\\", "\\u005c").replace("\\u001b", "\x00")
    text = text.replace("\\u", "\\u001b").replace("\\u001b00", "\\u00")
    return text.replace("\x00", "\\u001b001b")


def encode_message(message: dict[str, Any]) -> bytes:
    """A message as one frame; numpy arrays anywhere inside are encoded as .npy."""
    text = json.dumps(_pack(message), allow_nan=False, separators=(",", ":"))
    body = _narrow(text).encode("ascii")
    if len(body) > MAX_FRAME_BYTES:
        raise ProtocolError(f"message of {len(body)} bytes exceeds the frame limit")
    return HEADER.pack(len(body)) + body


def count_values(data: bytes | bytearray) -> int:
    """An upper bound on the JSON values in ``data``: each is preceded by a comma or opens a
    container (text inside strings only makes the bound looser)."""
    return data.count(b",") + data.count(b"[") + data.count(b"{")


def decode_body(body: bytes | bytearray, *, max_wide_chars: int | None = None) -> dict[str, Any]:
    """Parse one frame body; arrays are decoded with every limit applied."""
    return _finish(_load(_ascii(body)), max_wide_chars)


def _ascii(body: bytes | bytearray) -> str:
    if not body.isascii():
        found = _NOT_ASCII.search(body)
        raise ProtocolError(f"frame is not valid JSON as the protocol writes it: byte "
                            f"{found.start() if found else '?'} is not ASCII")
    if _WIDE_ESCAPE_BYTES.search(body):
        raise ProtocolError("frame holds a \\u escape beyond \\u00ff, which the protocol "
                            "never sends")
    return body.decode("ascii")


def _load(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an int of too many digits
        raise ProtocolError(f"frame is not valid JSON: {str(exc)[:200]}") from None


def _finish(message: Any, max_wide_chars: int | None) -> dict[str, Any]:
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("frame is not a message object with a 'type'")
    return _unpack(message, max_wide_chars)


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"non-finite number {name} in a frame")


def _widen(text: str, room: list[int]) -> str:
    """A parsed string with its narrowed characters restored; ``room[0]`` is what is left of
    the frame's :data:`MAX_WIDE_CHARS` (counted before widening: a bound on the result)."""
    room[0] -= len(text)
    if room[0] < 0:
        raise ProtocolError(f"frame holds more than {MAX_WIDE_CHARS} characters of strings with "
                            "text beyond Latin-1")
    chars = np.frombuffer(text.encode("latin-1"), np.uint8)
    starts = np.flatnonzero(chars == 0x1B).astype(np.int32)  # hex digits are never ESC
    if starts.size and starts[-1] + 4 >= chars.size:
        raise ProtocolError("frame holds a malformed narrowed character")
    units, kept = chars.astype(np.uint16), np.ones(chars.size, dtype=bool)
    code = np.zeros(starts.size, dtype=np.uint16)
    for digit in range(1, 5):
        nibbles = _HEX[chars[starts + digit]]
        if (nibbles == 255).any():
            raise ProtocolError("frame holds a malformed narrowed character")
        code = code << 4 | nibbles
        kept[starts + digit] = False
    units[starts] = code
    # UTF-16 pairs become characters again; a lone surrogate stays what it was
    return units[kept].astype("<u2").tobytes().decode("utf-16-le", "surrogatepass")


def write_message(stream: IO[bytes], message: dict[str, Any]) -> None:
    stream.write(encode_message(message))
    stream.flush()


def read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            raise ChannelClosed("channel closed mid-frame" if chunks else "channel closed")
        chunks.extend(chunk)
    return bytes(chunks)


def read_frame(stream: IO[bytes], *, max_bytes: int = MAX_FRAME_BYTES,
               max_values: int = MAX_FRAME_VALUES, budget: Budget | None = None,
               max_wide_chars: int | None = None) -> Frame:
    """Read one whole frame (blocking) and decode it, refusing it as soon as a limit is passed.

    The declared size is checked before any of the body is read; the values are counted as
    each chunk arrives, so a frame of millions of tiny values is refused after its first
    megabytes, never parsed. With ``budget``, the frame is also taken from the channel's totals.
    ``max_wide_chars`` replaces :data:`MAX_WIDE_CHARS` (the child reading the grader's code).
    """
    (size,) = HEADER.unpack(read_exact(stream, HEADER.size))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the limit of {max_bytes}")
    if budget is not None and size > budget.bytes:
        raise ProtocolError(f"a frame of {size} bytes would take the channel past its limit of "
                            f"{budget.total_bytes} bytes in all")
    limit = max_values if budget is None else min(max_values, budget.values)
    body = bytearray(size)
    got = values = 0
    while got < size:
        chunk = stream.read(min(READ_CHUNK, size - got))
        if not chunk:
            raise ChannelClosed("channel closed mid-frame")
        body[got:got + len(chunk)] = chunk
        got += len(chunk)
        values += count_values(chunk)
        if values > limit:
            raise ProtocolError(f"frame of more than {max_values} JSON values exceeds the limit"
                                if limit == max_values else
                                f"the channel sent more than its limit of {budget.total_values} "
                                "JSON values in all")
    if budget is not None:
        budget.bytes -= size
        budget.values -= values
    text = _ascii(body)
    del body  # one copy of the frame at a time: the bytes go before parsing, the text after
    parsed = _load(text)
    del text
    return Frame(_finish(parsed, max_wide_chars), size, values)


def read_message(stream: IO[bytes], max_bytes: int = MAX_FRAME_BYTES, *,
                 max_wide_chars: int | None = None) -> dict[str, Any]:
    """Read one whole frame (blocking) and decode it (see :func:`read_frame`)."""
    return read_frame(stream, max_bytes=max_bytes, max_wide_chars=max_wide_chars).message


# --- shape checks the parent applies to every message it receives ---------------------------

_SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float), "list": list, "dict": dict}


def expect(message: dict[str, Any], schema: dict[str, str], *, optional: dict[str, str] | None = None
           ) -> dict[str, Any]:
    """Check a message has exactly these keys with these types ('array', 'str|None', ...)."""
    optional = optional or {}
    keys = set(message) - {"type"}
    missing = set(schema) - keys
    extra = keys - set(schema) - set(optional)
    name = shown(message.get("type"))
    if missing or extra:
        raise ProtocolError(f"{name} message has missing keys {sorted(missing)} "
                            f"or unexpected keys {_some(extra)}")
    for key, kind in {**schema, **{k: v for k, v in optional.items() if k in message}}.items():
        if not _matches(message[key], kind):
            raise ProtocolError(f"{name} message: {key} is not {kind}")
    return message


def shown(value: Any, limit: int = 40) -> str:
    """A value from the other side, as text of bounded length for a message."""
    text = value if isinstance(value, str) else type(value).__name__
    return text if len(text) <= limit else text[:limit] + "…"


def _some(keys: set[str], count: int = 10) -> str:
    """At most ``count`` of the keys (sorted), each shortened, and how many more there are."""
    listed = sorted(shown(k) for k in itertools.islice(keys, count))
    return str(listed) + (f" and {len(keys) - count} more" if len(keys) > count else "")


def _matches(value: Any, kind: str) -> bool:
    for option in kind.split("|"):
        if option == "None" and value is None:
            return True
        if option == "array" and isinstance(value, np.ndarray):
            return True
        if option in ("int", "float") and isinstance(value, bool):
            continue  # bool subclasses int, but True is not a count or a measurement
        python_type = _SCALARS.get(option)
        if python_type is not None and isinstance(value, python_type):
            return True
    return False
