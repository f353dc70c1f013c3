"""The audit log: security-relevant events and reads of clinical records (never clinical
content), each row chained to the one before by a hash, so that a removed or altered row is
found (``flask verify-audit``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent, utcnow

CHAIN_LOCK = 0x7E1E_A0D1  # PostgreSQL advisory lock: one writer extends the chain at a time


def log(
    action: str,
    user_id: int | None = None,
    detail: str | None = None,
    session_id: int | None = None,
    client_id: int | None = None,
    with_address: bool = True,
) -> None:
    """Add an audit event to the current transaction; the caller commits.

    ``detail`` is for identifiers and reasons only, never clinical content. A client's own
    doings are kept ``with_address=False``: staff have no use for a client's IP address.
    """
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    db.session.add(
        AuditEvent(
            at=utcnow(),
            action=action,
            user_id=user_id,
            address=(request.remote_addr or "")[:64]
            if with_address and has_request_context()
            else None,
            detail=detail[:256] if detail else None,
            therapy_session_id=session_id,
            client_id=client_id,
        )
    )


def row_digest(prev_hash: str | None, row: Any) -> str:
    """The hash of one audit row (an AuditEvent or a row of its columns) after ``prev_hash``."""
    fields = [
        prev_hash or "",
        row.at.isoformat(timespec="microseconds"),
        str(row.user_id or ""),
        row.action,
        row.address or "",
        str(row.therapy_session_id or ""),
        str(row.client_id or ""),
        row.detail or "",
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def _last_hash(session: so.Session) -> str | None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK)))
    return session.scalar(sa.select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))


@sa.event.listens_for(so.Session, "before_flush")
def _chain_new_rows(session: so.Session, _context: Any, _instances: Any) -> None:
    """Hash the new audit rows in the order they will be inserted, after the last one stored."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda obj: so.attributes.instance_state(obj).insert_order)
    previous = _last_hash(session)
    for event in new:
        event.at = event.at or utcnow()
        event.prev_hash = previous
        event.row_hash = previous = row_digest(previous, event)


def broken_links(rows: Iterable[Any]) -> list[tuple[int, str]]:
    """(id, what is wrong) for each row, in id order, whose hash or link does not hold."""
    problems, previous = [], None
    for row in rows:
        if row.prev_hash != previous:
            problems.append((row.id, "a row before it was removed or altered"))
        elif row.row_hash != row_digest(previous, row):
            problems.append((row.id, "this row was altered"))
        previous = row.row_hash
    return problems


def verify() -> list[tuple[int, str]]:
    """Check the whole chain; empty when every row is as it was written."""
    rows = db.session.execute(sa.select(AuditEvent.__table__).order_by(AuditEvent.id))
    return broken_links(rows)
