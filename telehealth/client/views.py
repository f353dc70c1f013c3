"""The join link exchange and the client's full-screen room."""

from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for

from .. import audit
from ..extensions import db
from ..models import JoinLink
from ..sockets import current_client_session
from . import bp


@bp.route("/join/<token>")
def join(token: str):
    """Swap the link's token for a client cookie and a URL without the token."""
    link = JoinLink.find_usable(token)
    if link is None:
        abort(404, "This link is not valid, or it has expired. Ask your therapist for a new one.")
    session["client_link_id"] = link.id
    audit.record("link.used", detail=f"session {link.therapy_session_id} link {link.id}")
    db.session.commit()
    return redirect(url_for("client.room"))


@bp.route("/room")
def room():
    therapy_session = current_client_session()
    if therapy_session is None:
        abort(403, "Open the link your therapist sent you to join the session.")
    return render_template("client/room.html", therapy_session=therapy_session)
