"""An expired join link or a timed-out staff login loses its sockets within the settle loop's
EXPIRY_EVERY_S, without waiting for the socket to send something."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.live.settler import cut_expired
from telehealth.models import JoinLink, StaffLogin, utcnow


def told(sock) -> list[str]:
    return [packet["name"] for packet in sock.queue]


def test_an_expired_link_is_cut_without_waiting_for_its_socket(room):
    now = utcnow()
    db.session.execute(
        sa.update(JoinLink)
        .where(JoinLink.id == room.link.id)
        .values(expires_at=now - timedelta(seconds=1))
    )
    db.session.commit()
    cut_expired(now)
    assert not room.client_socket.is_connected()
    assert "access:ended" in told(room.client_socket)
    assert room.therapist_socket.is_connected()


def test_a_timed_out_staff_login_is_cut_without_waiting_for_its_socket(app, room):
    now = utcnow()
    idle = timedelta(minutes=app.config["STAFF_IDLE_TIMEOUT_MIN"] + 1)
    db.session.execute(
        sa.update(StaffLogin)
        .where(StaffLogin.user_id == room.therapist.id)
        .values(last_seen_at=now - idle)
    )
    db.session.commit()
    cut_expired(now)
    assert not room.therapist_socket.is_connected()
    assert "access:ended" in told(room.therapist_socket)
    assert room.client_socket.is_connected()
    login = db.session.scalar(sa.select(StaffLogin).where(StaffLogin.user_id == room.therapist.id))
    assert login.revoked_at is not None


def test_a_login_past_its_lifetime_is_cut(app, room):
    now = utcnow()
    lifetime = timedelta(hours=app.config["STAFF_SESSION_MAX_HOURS"], minutes=1)
    db.session.execute(
        sa.update(StaffLogin)
        .where(StaffLogin.user_id == room.therapist.id)
        .values(created_at=now - lifetime)
    )
    db.session.commit()
    cut_expired(now)
    assert not room.therapist_socket.is_connected()


def test_live_links_and_logins_are_left_alone(room):
    cut_expired(utcnow())
    assert room.client_socket.is_connected() and room.therapist_socket.is_connected()
