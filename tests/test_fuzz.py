"""Property-based fuzzing (Hypothesis): malformed socket payloads and form posts.

Thousands of inputs; the server never answers 500 or crashes, and a refused input leaves the
stored state exactly as it was.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import (
    Client,
    DualTask,
    JoinLink,
    Preset,
    Score,
    StimSet,
    TherapySession,
    User,
    session_target,
)
from tests.support import csrf_token, examples

FUZZ = settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50)
    | st.sampled_from(["#ffffff", "#12345", "circle", "horizontal", "tone", "sud", "voc", ""])
    | st.sampled_from(["offer", "answer", "candidate", "join", "leave"])
    | st.sampled_from(["ok", "swapped", "mono", "none"])
    | st.sampled_from(
        ["count_up", "count_down", "spell_back", "sums", "category", "builtin", "own"]
    )
    | st.just(" " * 5000)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
# Objects that look like real payloads: known field names with any values, plus strays.
field_names = st.sampled_from(
    [
        *stimulation.SCHEMA,
        *("width", "height", "visible", "fullscreen", "sound", "wake_lock", "missing"),
        *("t", "x" * 100),
        *("kind", "value", "id", "prompt_id", "rtt_ms", "rev"),
        *("sdp", "n", "candidate", "sdpMid", "sdpMLineIndex", "enabled"),
        *("seizures", "migraine", "vestibular", "eye", "result"),
        *("start", "step", "word", "category", "key", "ask", "set", "text"),
    ]
)
near_payloads = st.dictionaries(field_names, json_values, max_size=6)
payloads = json_values | near_payloads


@pytest.fixture
def app_config():
    return {"SOCKET_EVENTS_PER_S": 1e6, "SOCKET_EVENT_BURST": 1e6}


def snapshot(session_id: int) -> tuple:
    """The room's state, its scores, its waiting room (the switch, who waits, who is in) and
    its client's screening."""
    scores = db.session.execute(
        sa.select(Score.submission_id, Score.value).where(Score.therapy_session_id == session_id)
    ).all()
    lobby = db.session.scalar(
        sa.select(TherapySession.waiting_room).where(TherapySession.id == session_id)
    )
    admitted = db.session.execute(
        sa.select(JoinLink.admitted_at, JoinLink.waiting_since)
        .where(JoinLink.therapy_session_id == session_id)
        .order_by(JoinLink.id)
    ).all()
    screening = db.session.execute(
        sa.select(Client.screening, Client.screened_at, TherapySession.screening_seen_at)
        .join(TherapySession, TherapySession.client_id == Client.id)
        .where(TherapySession.id == session_id)
    ).one()
    tasks = db.session.execute(
        sa.select(TherapySession.dual_task, TherapySession.ask_after_set).where(
            TherapySession.id == session_id
        )
    ).one()
    noticed = db.session.scalars(
        sa.select(StimSet.noticed).where(StimSet.therapy_session_id == session_id)
    ).all()
    prompts = db.session.scalars(sa.select(DualTask.text).order_by(DualTask.id)).all()
    scans = db.session.execute(
        sa.select(session_target.c.body_scan, session_target.c.body_scan_note).where(
            session_target.c.therapy_session_id == session_id
        )
    ).all()
    return (
        room_state.read_state(session_id),
        sorted(scores),
        lobby,
        admitted,
        tuple(screening),
        (tuple(tasks), tuple(noticed), tuple(prompts), tuple(scans)),
    )


def check_event(sock, session_id: int, event: str, payload) -> None:
    before = snapshot(session_id)
    ack = sock.emit(event, payload, callback=True)
    after = snapshot(session_id)
    assert isinstance(ack, dict), f"{event} crashed on {payload!r}"
    if ack.get("ok"):
        assert after[0]["rev"] >= before[0]["rev"]
    else:
        assert set(ack["error"]) == {"code", "message"}
        assert after == before, f"refused {event} {payload!r} changed the room"
    assert sock.is_connected()


THERAPIST_EVENTS = [
    *("stim:update", "stim:start", "stim:pause", "stim:stop", "clock:ping"),
    *("score:prompt", "score:withdraw", "score:enter"),
    *("rtc:signal", "rtc:ice", "video:toggle"),
    *("lobby:toggle", "lobby:admit", "lobby:refuse"),
    "screening:seen",
    *("task:set", "taskprompt:add", "taskprompt:remove", "between:set", "set:notice"),
    *("set:next", "bodyscan:set"),
]


@pytest.mark.both_socket_paths
@pytest.mark.parametrize("event", THERAPIST_EVENTS)
def test_therapist_events_survive_any_payload(room, event):
    @FUZZ
    @given(payload=payloads)
    def run(payload):
        check_event(room.therapist_socket, room.session.id, event, payload)

    run()


@pytest.mark.both_socket_paths
@pytest.mark.parametrize(
    "event",
    [
        *("presence:update", "clock:ping", "stim:update", "score:submit", "stim:applied"),
        *("rtc:signal", "stim:client_pause", "screening:answer", "soundcheck:result"),
        *("task:set", "taskprompt:add", "between:set", "set:notice", "set:next"),
        "bodyscan:set",
    ],
)
def test_client_events_survive_any_payload(room, event):
    @FUZZ
    @given(payload=payloads)
    def run(payload):
        check_event(room.client_socket, room.session.id, event, payload)

    run()


@pytest.mark.both_socket_paths
def test_valid_looking_updates_are_applied_or_refused_cleanly(room):
    """Payloads drawn from each field's own neighbourhood: in and out of bounds."""
    values = {
        name: (
            st.floats(min_value=(f.low or 0) - 5, max_value=(f.high or 1) + 5)
            if f.kind in ("number", "int")
            else st.sampled_from([*f.choices, "bogus"] if f.choices else ["#abcdef", "#zzz", True])
        )
        for name, f in stimulation.SCHEMA.items()
    }

    @FUZZ
    @given(payload=st.fixed_dictionaries({}, optional=values))
    def run(payload):
        check_event(room.therapist_socket, room.session.id, "stim:update", payload)
        state = room_state.read_state(room.session.id)
        for name, field in stimulation.SCHEMA.items():
            value = state["settings"][name]
            if field.kind in ("number", "int"):
                assert field.low <= value <= field.high

    run()


def counts() -> tuple:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (User, Client, TherapySession, Preset)
    )


form_text = st.text(max_size=300) | st.sampled_from(["", "a" * 5000, "x@y", "\x00", "<script>"])


@pytest.mark.parametrize(
    ("path", "fields", "who"),
    [
        ("/login", ["email", "password"], "anonymous"),
        ("/therapist/clients", ["pseudonym", "language"], "therapist"),
        ("/admin/users", ["email", "role", "display_name", "password", "confirm"], "admin"),
        ("/account/password", ["current", "password", "confirm"], "therapist"),
        ("/account", ["display_name"], "therapist"),
    ],
)
def test_forms_never_fail_with_a_server_error(app, make, auth, client, path, fields, who):
    if who != "anonymous":
        auth.login(make.user(who))
    token = csrf_token(client.get("/login" if who == "anonymous" else path))

    @settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.fixed_dictionaries({f: form_text for f in fields}), keep=st.booleans())
    def run(data, keep):
        before = counts()
        response = client.post(path, data={**data, "csrf_token": token if keep else "bad"})
        assert response.status_code < 500
        if response.status_code >= 400:
            assert counts() == before

    run()
