"""The audit log's rows: append-only, each chained to the one before (staff/audit.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from . import User, utcnow


class AuditEvent(db.Model):
    """A security-relevant event; never clinical content."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    address: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    therapy_session_id: so.Mapped[int | None] = so.mapped_column(index=True)
    # The client whose record was read or changed (kept after the client is erased).
    client_id: so.Mapped[int | None] = so.mapped_column(index=True)
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    # Tamper evidence: each row's hash covers its own fields and the previous row's hash.
    prev_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    row_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    user: so.Mapped[User | None] = so.relationship(viewonly=True)


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target) -> None:
    raise RuntimeError("The audit log is append-only.")
