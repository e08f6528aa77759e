"""The wire protocol between the grader and the sandboxed child: the only module both sides import.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Arrays
travel inside the JSON as ``{"__npy__": "<base64 of .npy bytes>"}`` and are read back with
``np.load(allow_pickle=False)``; nothing is ever pickled. The parent decodes every frame
with hard limits (frame size, array size, dtypes) and then checks each message against the
exact shape it expects (:func:`expect`), so a child that sends anything else is reported,
not trusted.

Messages, parent -> child: ``run`` (the units of code to execute), ``probe`` (evaluate
something on inputs the parent drew after the student's code finished), ``exit``.
Child -> parent: ``hello``, ``cell`` (one finished cell), ``figure``, ``inventory``
(what the student's namespace holds, as plain data), ``probe_result``.

This module imports only the standard library and numpy: it is loaded inside the sandbox.
"""

from __future__ import annotations

import base64
import io
import json
import struct
from typing import IO, Any

import numpy as np

PROTOCOL_VERSION = 1
HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 96 * 1024 * 1024
MAX_ARRAY_ELEMENTS = 4_000_000
MAX_FIGURE_BYTES = 2 * 1024 * 1024
MAX_TRACE_DATA_ARRAYS = 8  # a trace sample's data tensors (inputs, targets) ...
MAX_TRACE_DATA_ELEMENTS = 200_000  # ... and their values in all: the child records no more
ALLOWED_DTYPES = frozenset({"float64", "float32", "float16", "int64", "int32", "int16", "int8",
                            "uint8", "bool"})
ARRAY_KEY = "__npy__"


class ProtocolError(Exception):
    """A frame or message that breaks the protocol (too big, malformed, wrong types)."""


class ChannelClosed(ProtocolError):
    """The other side closed the channel before a whole frame arrived."""


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


def _unpack(value: Any) -> Any:
    if isinstance(value, dict):
        if ARRAY_KEY in value:
            return decode_array(value)
        return {k: _unpack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def encode_message(message: dict[str, Any]) -> bytes:
    """A message as one frame; numpy arrays anywhere inside are encoded as .npy."""
    body = json.dumps(_pack(message), allow_nan=False, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME_BYTES:
        raise ProtocolError(f"message of {len(body)} bytes exceeds the frame limit")
    return HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> dict[str, Any]:
    """Parse one frame body; arrays are decoded with every limit applied."""
    try:
        message = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"frame is not valid JSON: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("frame is not a message object with a 'type'")
    return _unpack(message)


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"non-finite number {name} in a frame")


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


def read_message(stream: IO[bytes], max_bytes: int = MAX_FRAME_BYTES) -> dict[str, Any]:
    """Read one whole frame (blocking) and decode it."""
    (size,) = HEADER.unpack(read_exact(stream, HEADER.size))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the limit of {max_bytes}")
    return decode_body(read_exact(stream, size))


# --- shape checks the parent applies to every message it receives ---------------------------

_SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float), "list": list, "dict": dict}


def expect(message: dict[str, Any], schema: dict[str, str], *, optional: dict[str, str] | None = None
           ) -> dict[str, Any]:
    """Check a message has exactly these keys with these types ('array', 'str|None', ...)."""
    optional = optional or {}
    keys = set(message) - {"type"}
    missing = set(schema) - keys
    extra = keys - set(schema) - set(optional)
    if missing or extra:
        raise ProtocolError(f"{message.get('type')} message has missing keys {sorted(missing)} "
                            f"or unexpected keys {sorted(extra)}")
    for key, kind in {**schema, **{k: v for k, v in optional.items() if k in message}}.items():
        if not _matches(message[key], kind):
            raise ProtocolError(f"{message.get('type')} message: {key} is not {kind}")
    return message


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
