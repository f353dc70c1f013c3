"""telehealth/fastpath/jsonio.py: the JSON of the database's columns and of Socket.IO's packets
means exactly what the standard library's (and engineio's reader's) meant, only written quicker."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from engineio import json as engineio_json
from hypothesis import given
from hypothesis import strategies as st

from telehealth.extensions import db, socketio
from telehealth.fastpath import jsonio
from telehealth.live import state as room_state
from telehealth.models import TherapySession

SIXTY_FOUR_BITS = st.integers(min_value=-(2**63), max_value=2**64 - 1)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | SIXTY_FOUR_BITS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(VALUES)
def test_what_is_written_reads_back_the_same_with_the_standard_library(value):
    written = jsonio.dumps(value, separators=jsonio.COMPACT)
    assert json.loads(written) == value
    if "." not in written and "e" not in written.lower():  # floats may be spelt otherwise
        assert written == json.dumps(value, separators=jsonio.COMPACT, ensure_ascii=False)


@given(VALUES)
def test_what_a_browser_sends_reads_as_engineio_read_it(value):
    sent = json.dumps(value)
    assert jsonio.loads(sent) == engineio_json.loads(sent)


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        '{"speed_pps": Infinity}',
        "[1, 2",
        "",
        "1" * 30,
        "-9999999999999999999",
        '{"rev": 18446744073709551616}',
        '["a 12345678901234567890 b"]',
        '{"a": "\\ud800"}',
    ],
)
def test_what_orjson_does_not_read_gets_engineios_answer(text):
    try:
        expected = engineio_json.loads(text)
    except ValueError as exc:
        with pytest.raises(type(exc)):
            jsonio.loads(text)
        return
    got = jsonio.loads(text)
    assert got == expected or (got != got and expected != expected)  # NaN is not NaN


def test_what_orjson_does_not_write_is_written_by_the_standard_library():
    assert jsonio.dumps({1: 2**70}) == '{"1":1180591620717411303424}'
    with pytest.raises(TypeError):
        jsonio.dumps({"when": object()})
    assert jsonio.dumps({"a": [1, 2]}, indent=None) == '{"a":[1,2]}'


def test_the_app_writes_its_packets_and_json_columns_with_it(app, room):
    assert socketio.server.packet_class.json is jsonio
    assert db.engine.dialect._json_serializer is jsonio.dumps
    for speed in (2.0, 2.5):  # the second one the direct way
        assert room.therapist_socket.emit("stim:update", {"speed_pps": speed}, callback=True)["ok"]
    column = TherapySession.__table__.c.stim_state
    stored = db.session.execute(
        sa.select(sa.cast(column, sa.Text)).where(TherapySession.id == room.session.id)
    ).scalar_one()
    assert ": " not in stored and json.loads(stored) == room_state.read_state(room.session.id)
    assert json.loads(stored)["settings"]["speed_pps"] == 2.5
