"""Typed SQLAlchemy models: staff, clients, therapy sessions and their live room state, links;
the treatment plan in plan.py, the audit log's rows in audit.py (all importable from here)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from .. import stimulation
from ..extensions import db
from ..vault import EncryptedText

if TYPE_CHECKING:
    from .plan import Target

ROLES = ("therapist", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """A staff account: a therapist or an admin."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    # How clients see this person on the welcome page ("Dr. Ana Ruiz"); the e-mail if unset.
    display_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Set by an admin's password reset: the user must choose a new password at next login.
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False)
    password_changed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # The admin who last reset this account's password or MFA, until its owner logs in again:
    # another reset of the same account needs another admin (docs/security.md).
    reset_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    # TOTP secret (base32) once MFA is confirmed; None while MFA is off.
    mfa_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    mfa_last_step: so.Mapped[int | None]  # the last TOTP time step used: a code works once

    clients: so.WriteOnlyMapped[Client] = so.relationship(back_populates="therapist")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_therapist(self) -> bool:
        return self.role == "therapist"

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_secret is not None


class StaffLogin(db.Model):
    """One login of a staff member (one browser): ended by logout, timeout or an admin."""

    id: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None]
    address: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The TOTP secret being set up in this login, kept here (encrypted), never in the cookie.
    mfa_pending_secret: so.Mapped[str | None] = so.mapped_column(EncryptedText)


class RecoveryCode(db.Model):
    """A one-time MFA recovery code; only its hash is kept."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    used_at: so.Mapped[datetime | None]


class Client(db.Model):
    """A therapist's client, known only by a pseudonym the therapist chooses."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    # Free text about a client is stored encrypted (vault.py); lengths are checked by the forms.
    pseudonym: so.Mapped[str] = so.mapped_column(EncryptedText)
    initials: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    pronouns: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    # What suits this client (e.g. "slow, yellow on black, tones soft"): the therapist's words.
    preferences: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    preset_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("preset.id", ondelete="SET NULL")
    )
    # The language of the client's pages (a code of telehealth.i18n.LANGUAGES).
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="en")
    # The photosensitivity and comfort screening, answered once on the client's first visit:
    # JSON {question: bool}, encrypted; None until answered (telehealth/client/screening.py).
    screening: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    screened_at: so.Mapped[datetime | None]
    archived: so.Mapped[bool] = so.mapped_column(default=False)
    archived_at: so.Mapped[datetime | None]  # when treatment ended; retention counts from here
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    therapist: so.Mapped[User] = so.relationship(back_populates="clients")
    sessions: so.WriteOnlyMapped[TherapySession] = so.relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )


class TherapySession(db.Model):
    """One appointment; its live Socket.IO room carries the stimulation state stored here."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(Client.id, ondelete="CASCADE"), index=True
    )
    therapist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    started_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    ended_at: so.Mapped[datetime | None]
    stim_rev: so.Mapped[int] = so.mapped_column(default=0)
    stim_state: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    # When a running set or stop reaches its planned end (server ms); the settler looks here.
    stim_ends_at_ms: so.Mapped[float | None] = so.mapped_column(sa.Float(53), index=True)
    # The clinical record of the session, written by the therapist during and after it,
    # stored encrypted (vault.py); lengths are checked where it is written.
    target: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    negative_cognition: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    positive_cognition: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    phases: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)  # EMDR phases 1-8
    notes: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    record_rev: so.Mapped[int] = so.mapped_column(default=0)  # bumped by every record save
    # When the client's page last connected and left: the fail-safe pauses a running set
    # when the client has been gone too long (any process may notice, even after a restart).
    client_connected_at: so.Mapped[datetime | None]
    client_left_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    # The same for the therapist's panel: a set pauses when the therapist has gone too long.
    therapist_connected_at: so.Mapped[datetime | None]
    therapist_left_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    # When the therapist confirmed they saw the client's screening warnings in this session
    # (a first set after a "yes" needs it).
    screening_seen_at: so.Mapped[datetime | None]
    # When the client finished its checks in this session and what its sound check found
    # (screening.SOUND_RESULTS): a reload of its page then asks for one tap, not the checks.
    client_checked_at: so.Mapped[datetime | None]
    client_sound_check: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # The therapist may run a session without the built-in video call (another tool instead).
    video_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    # Who chose to be in the call: after a reload or a drop, their page rejoins by itself.
    therapist_in_call: so.Mapped[bool] = so.mapped_column(default=False)
    client_in_call: so.Mapped[bool] = so.mapped_column(default=False)
    # The optional waiting room: a client whose link is not admitted waits outside the room
    # until the therapist lets them in (JoinLink.waiting_since: since when one is waiting).
    waiting_room: so.Mapped[bool] = so.mapped_column(default=False)
    dual_task: so.Mapped[str | None] = so.mapped_column(EncryptedText)  # shown while a set runs
    ask_after_set: so.Mapped[str | None] = so.mapped_column(sa.String(3))  # "sud", "voc" or None
    # The plan's target worked on now: sets and scores made now belong to it (plan.py).
    current_target_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("target.id", ondelete="SET NULL")
    )
    # How it closed (a key of protocol.CLOSURES) and, for an incomplete target, where to resume.
    closure: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    resume_note: so.Mapped[str | None] = so.mapped_column(EncryptedText)

    client: so.Mapped[Client] = so.relationship(back_populates="sessions")
    # Every target the session worked on, in the order taken up (current_target among them).
    targets: so.Mapped[list[Target]] = so.relationship(
        secondary="session_target", order_by="session_target.c.added_at", passive_deletes=True
    )
    sets: so.WriteOnlyMapped[StimSet] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    scores: so.WriteOnlyMapped[Score] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    join_links: so.WriteOnlyMapped[JoinLink] = so.relationship(
        back_populates="therapy_session", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def open(cls, client: Client, now_ms: float) -> TherapySession:
        """A new session; its stimulation starts from the client's preset, else the therapist's
        default preset, else the defaults."""
        preset = db.session.get(Preset, client.preset_id) if client.preset_id else None
        preset = preset or db.session.scalar(
            sa.select(Preset).where(
                Preset.therapist_id == client.therapist_id, Preset.is_default.is_(True)
            )
        )
        settings = preset.current_settings() if preset else None
        return cls(
            client=client,
            therapist_id=client.therapist_id,
            stim_state=stimulation.initial_state(settings, now_ms=now_ms),
        )


class StimSet(db.Model):
    """One run of bilateral stimulation in a session, recorded as it happens."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapy_session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(TherapySession.id, ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int]  # 1, 2, ... within the session
    started_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    ended_at: so.Mapped[datetime | None]
    passes: so.Mapped[int] = so.mapped_column(default=0)
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    # When the client pressed Pause during this set (their own stop; the therapist resumes).
    client_paused_at: so.Mapped[datetime | None]
    # Struck from the record by the therapist, with their reason: still shown, never counted
    # (live/sets.py strike).
    struck_at: so.Mapped[datetime | None]
    struck_reason: so.Mapped[str | None] = so.mapped_column(EncryptedText)
    task: so.Mapped[str | None] = so.mapped_column(EncryptedText)  # the dual-attention task shown
    noticed: so.Mapped[str | None] = so.mapped_column(EncryptedText)  # what the client noticed
    next_step: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # protocol.NEXT_STEPS
    target_id: so.Mapped[int | None] = so.mapped_column(  # the target it was run on
        sa.ForeignKey("target.id", ondelete="SET NULL"), index=True
    )


class DualTask(db.Model):
    """A dual-attention prompt of the therapist's own, for the client to do during a set."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    text: so.Mapped[str] = so.mapped_column(EncryptedText)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


SCORE_KINDS = {"sud": (0, 10), "voc": (1, 7)}


class Score(db.Model):
    """A SUD (0-10) or VOC (1-7) score; asked of the client (a prompt) or entered by the
    therapist. ``value`` is None while a prompt waits for the client's answer."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapy_session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(TherapySession.id, ondelete="CASCADE"), index=True
    )
    stim_set_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey(StimSet.id, ondelete="SET NULL")
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(3))
    value: so.Mapped[int | None]
    source: so.Mapped[str] = so.mapped_column(sa.String(10))  # "client" or "therapist"
    # Chosen by the sender: a retried submission with the same id is stored once.
    submission_id: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    answered_at: so.Mapped[datetime | None]
    target_id: so.Mapped[int | None] = so.mapped_column(  # the target worked on when asked
        sa.ForeignKey("target.id", ondelete="SET NULL"), index=True
    )
    purpose: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # protocol.SCORE_PURPOSES

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "value": self.value,
            "source": self.source,
            "purpose": self.purpose,
            "target_id": self.target_id,
            "set_id": self.stim_set_id,
            "at": (self.answered_at or self.created_at).isoformat() + "Z",
        }


class Preset(db.Model):
    """A therapist's named stimulation settings; one may be the default for new sessions."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    position: so.Mapped[int] = so.mapped_column(default=0)
    is_default: so.Mapped[bool] = so.mapped_column(default=False)
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)

    def current_settings(self) -> dict[str, Any]:
        """The saved settings on today's schema: new fields take their defaults."""
        return stimulation.complete_settings(self.settings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_default": self.is_default,
            "settings": self.current_settings(),
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class JoinLink(db.Model):
    """The client's way into one session: only the hash of the random token is kept."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    therapy_session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(TherapySession.id, ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime]
    revoked_at: so.Mapped[datetime | None]
    used_at: so.Mapped[datetime | None]  # the link is swapped for a client cookie at first use
    admitted_at: so.Mapped[datetime | None]  # let in from the waiting room (once is enough)
    refused_at: so.Mapped[datetime | None]  # turned away from the waiting room by the therapist
    waiting_since: so.Mapped[datetime | None]  # in the waiting room now, since then
    device: so.Mapped[str | None] = so.mapped_column(sa.String(80))  # browser and system, in words

    therapy_session: so.Mapped[TherapySession] = so.relationship(back_populates="join_links")

    @classmethod
    def issue(cls, therapy_session: TherapySession, ttl: timedelta) -> tuple[JoinLink, str]:
        """A new link and its token (32 random bytes, 256 bits); the token is never stored."""
        token = secrets.token_urlsafe(32)
        link = cls(
            therapy_session=therapy_session,
            token_hash=hash_token(token),
            expires_at=utcnow() + ttl,
        )
        return link, token

    @property
    def client_id(self) -> int:
        return self.therapy_session.client_id

    def usable(self, now: datetime | None = None) -> bool:
        return self.is_usable(self.revoked_at, self.expires_at, now)

    @staticmethod
    def is_usable(
        revoked_at: datetime | None, expires_at: datetime, now: datetime | None = None
    ) -> bool:
        """The rule, for a link row read without loading the link (the sockets' recheck)."""
        return revoked_at is None and (now or utcnow()) < expires_at

    @staticmethod
    def cookie_key(token_hash: str, secret: str | bytes) -> str:
        """What a client cookie carries of this link's secret (an HMAC of its token hash): a
        cookie then fits only the row it was made for, never a later one with the same id."""
        key = secret.encode() if isinstance(secret, str) else secret
        return hmac.new(key, token_hash.encode(), hashlib.sha256).hexdigest()[:32]

    def cookie(self, secret: str | bytes) -> dict[str, Any]:
        """What the client cookie holds: the link, its key, its session and its client."""
        return {
            "client_link_id": self.id,
            "client_link_key": self.cookie_key(self.token_hash, secret),
            "client_session_id": self.therapy_session_id,
            "client_id": self.therapy_session.client_id,
        }

    @classmethod
    def fits_cookie(cls, cookie: Any, row: Any, secret: str | bytes) -> bool:
        """Does the cookie name this link (a JoinLink, or a row with its id, token_hash,
        therapy_session_id and the session's client_id) in every part? Checked on every
        request and socket, so a cookie never opens a later row that got the same id."""
        key = cookie.get("client_link_key")
        return (
            cookie.get("client_link_id") == row.id
            and cookie.get("client_session_id") == row.therapy_session_id
            and cookie.get("client_id") == row.client_id
            and isinstance(key, str)
            and hmac.compare_digest(key, cls.cookie_key(row.token_hash, secret))
        )

    @classmethod
    def find(cls, token: str) -> JoinLink | None:
        """The link with this token, whatever its state (None for a malformed token)."""
        if not token or len(token) > 128:
            return None
        return db.session.scalar(sa.select(cls).where(cls.token_hash == hash_token(token)))


# Re-exported: every model is imported from telehealth.models.
from .audit import AuditEvent as AuditEvent  # noqa: E402
from .plan import TARGET_KINDS as TARGET_KINDS  # noqa: E402
from .plan import TARGET_STATUSES as TARGET_STATUSES  # noqa: E402
from .plan import TARGET_TEXT as TARGET_TEXT  # noqa: E402
from .plan import Target as Target  # noqa: E402
from .plan import session_target as session_target  # noqa: E402
from .protocol import EMDR_PHASES as EMDR_PHASES  # noqa: E402
