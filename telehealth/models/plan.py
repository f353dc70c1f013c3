"""The treatment plan: a client's targets, which span sessions, and which sessions work on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..vault import EncryptedText
from . import Client, utcnow

TARGET_KINDS = {
    "past": "Past memory",
    "present": "Present trigger",
    "future": "Future template",
    "resource": "Resource or safe place",
}
TARGET_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "reevaluate": "Needs re-evaluation",
}
# The target's text as assessed in phase 3, in the standard order, and each one's length.
TARGET_TEXT = {
    "title": 200,
    "image": 500,
    "negative_cognition": 200,
    "positive_cognition": 200,
    "emotions": 200,
    "body_location": 200,
}

# Which sessions work on which targets; ``added_at`` keeps the order they were taken up in;
# the body scan (phase 6) of the target in that session: its result (protocol.BODY_SCAN_RESULTS)
# and, for a sensation, where and what (encrypted).
session_target = sa.Table(
    "session_target",
    db.metadata,
    sa.Column(
        "therapy_session_id",
        sa.ForeignKey("therapy_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "target_id", sa.ForeignKey("target.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    sa.Column("added_at", sa.DateTime(), nullable=False, default=utcnow),
    sa.Column("body_scan", sa.String(12), nullable=True),
    sa.Column("body_scan_note", EncryptedText, nullable=True),
    sa.Column("body_scan_at", sa.DateTime(), nullable=True),
)


class Target(db.Model):
    """One target of a client's plan (a memory, a trigger, a future template or a resource),
    with its assessment; worked on over sessions, its sets and scores point to it."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(Client.id, ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))  # a key of TARGET_KINDS
    # The clinical text is stored encrypted (vault.py); lengths are checked where it is written.
    title: so.Mapped[str] = so.mapped_column(EncryptedText)
    image: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    negative_cognition: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    positive_cognition: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    voc: so.Mapped[int | None]  # 1-7, as assessed
    emotions: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    sud: so.Mapped[int | None]  # 0-10, as assessed
    body_location: so.Mapped[str] = so.mapped_column(EncryptedText, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="not_started")
    position: so.Mapped[int] = so.mapped_column(default=0)  # its place in the plan
    # The earlier target this one was found from by floating back (its touchstone).
    floated_from_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("target.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    client: so.Mapped[Client] = so.relationship()

    @property
    def kind_name(self) -> str:
        return TARGET_KINDS[self.kind]

    @property
    def status_name(self) -> str:
        return TARGET_STATUSES[self.status]

    def as_dict(self) -> dict[str, Any]:
        """The target with its assessment, status and place, as the panel and the per-client
        export give it (times in UTC, ISO 8601 with a Z)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "kind_name": self.kind_name,
            **{name: getattr(self, name) for name in TARGET_TEXT},
            "voc": self.voc,
            "sud": self.sud,
            "status": self.status,
            "status_name": self.status_name,
            "position": self.position,
            "floated_from_id": self.floated_from_id,
            "created_at": _time(self.created_at),
            "updated_at": _time(self.updated_at),
        }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None
