"""Replaces the standard library's JSON (database JSON columns, Socket.IO packets) with orjson;
bench/relay.py shows why: each stimulation change is JSON twice, for its row and its packet,
and python-socketio builds a new encoder or decoder for every packet.

The output is the standard library's compact JSON: orjson writes the same numbers, strings
and nesting. What orjson does not write (an integer past 64 bits, keys that are not text,
types it does not know) falls back to the standard library, with its errors; NaN and
infinities, which the app never sends, are written as null (the standard library's NaN is no
JSON a browser reads). What orjson does not read as engineio's reader does (NaN, Infinity,
text that is no JSON; an integer past 64 bits, which orjson reads as a float) is read by
engineio's reader, with its answers and errors: a packet means what it meant before.

No Flask here: bench/bare_relay.py serves the baseline with this module too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from engineio import json as engineio_json

COMPACT = (",", ":")
# 19 digits or more: maybe past 64 bits, which orjson reads as a float (engineio: an integer)
_LONG_NUMBER = re.compile(r"\d{19}")


def dumps(value: Any, **kwargs: Any) -> str:
    """json.dumps, compact; Socket.IO asks with separators=COMPACT, the database with none."""
    if not kwargs or kwargs == {"separators": COMPACT}:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # orjson.JSONEncodeError: what only the standard library writes
            pass
    return json.dumps(value, **({"separators": COMPACT} | kwargs))


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """engineio's json.loads (integers of at most 100 digits), quicker for what orjson reads."""
    quick = not kwargs or set(kwargs) == {"parse_int"}
    if quick and isinstance(text, str) and not _LONG_NUMBER.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # not JSON, or NaN, Infinity, a very long integer
            pass
    return engineio_json.loads(text, **kwargs)
