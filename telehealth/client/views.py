"""The join link exchange and the client's full-screen room."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, session, url_for

from ..extensions import db
from ..live.access import current_client_session
from ..models import JoinLink, utcnow
from ..staff import audit
from . import bp
from .devices import describe_device


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Opening the link shows a page with one button, and uses nothing (link previewers and
    mail scanners open links too); the button (a POST, with its CSRF token) swaps the token,
    once, for a client cookie and a URL without the token."""
    link = JoinLink.find(token)
    if link is None or not link.usable():
        abort(404, "This link is not valid, or it has expired. Ask your therapist for a new one.")
    if link.used_at is not None:
        audit.log(
            "link.reused",
            detail=f"link {link.id}",
            session_id=link.therapy_session_id,
            with_address=False,
        )
        db.session.commit()
        abort(410, "This link has already been used. Ask your therapist for a new one.")
    if request.method == "GET":
        return render_template("client/join.html")
    used = db.session.execute(  # once only, even for two presses at the same moment
        sa.update(JoinLink)
        .where(JoinLink.id == link.id, JoinLink.used_at.is_(None))
        .values(used_at=utcnow(), device=describe_device(request.user_agent.string))
    )
    if used.rowcount != 1:
        db.session.rollback()
        abort(410, "This link has already been used. Ask your therapist for a new one.")
    session.update(link.cookie(current_app.config["SECRET_KEY"]))
    audit.log(
        "link.used",
        detail=f"link {link.id}",
        session_id=link.therapy_session_id,
        with_address=False,
    )
    db.session.commit()
    return redirect(url_for("client.room"))


@bp.route("/room")
def room():
    therapy_session = current_client_session()
    if therapy_session is None:
        abort(403, "Open the link your therapist sent you to join the session.")
    return render_template(
        "client/room.html",
        therapy_session=therapy_session,
        # the checks before any stimulation (client/_checks.html): which steps this page needs
        screening_needed=therapy_session.client.screened_at is None,
        video_enabled=therapy_session.video_enabled,
    )
