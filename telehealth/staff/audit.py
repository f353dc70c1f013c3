"""Write security-relevant events to the audit log (never clinical content)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent


def log(
    action: str,
    user_id: int | None = None,
    detail: str | None = None,
    session_id: int | None = None,
) -> None:
    """Add an audit event to the current transaction; the caller commits.

    ``detail`` is for identifiers and reasons only, never clinical content.
    """
    if user_id is None and current_user and current_user.is_authenticated:
        user_id = current_user.id
    db.session.add(
        AuditEvent(
            action=action,
            user_id=user_id,
            address=(request.remote_addr or "")[:64] if request else None,
            detail=detail[:256] if detail else None,
            therapy_session_id=session_id,
        )
    )
