"""Clients, session rooms, join links and the control panel page."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from .. import stimulation
from ..client import screening
from ..extensions import db
from ..forms import ActionForm
from ..live import state
from ..live.channels import cut_sockets, link_room
from ..models import EMDR_PHASES, Client, JoinLink, TherapySession, utcnow
from ..models.protocol import (
    ASSESSMENT_STEPS,
    BACK_TO_TARGET_WORDS,
    BODY_SCAN_RESULTS,
    BODY_SCAN_WORDS,
    CLOSURES,
    MAX_BODY_SCAN_NOTE,
)
from ..staff import audit
from ..staff.roles import role_required
from . import bp, tasks
from .forms import ClientForm
from .targets import work_state

therapist_only = role_required("therapist")


def get_client_or_404(client_id: int) -> Client:
    """The current therapist's client; anyone else's is 'not found'."""
    client = db.get_or_404(Client, client_id)
    if client.therapist_id != current_user.id:
        abort(404)
    return client


def get_session_or_404(session_id: int) -> TherapySession:
    """The current therapist's session; anyone else's is 'not found'."""
    therapy_session = db.get_or_404(TherapySession, session_id)
    if therapy_session.therapist_id != current_user.id:
        abort(404)
    return therapy_session


@bp.route("/clients", methods=["GET", "POST"])
@therapist_only
def clients():
    form = ClientForm()
    if form.validate_on_submit():
        db.session.add(
            Client(
                therapist_id=current_user.id,
                pseudonym=form.pseudonym.data.strip(),
                language=form.language.data,
            )
        )
        db.session.commit()
        flash("Client added.")
        return redirect(url_for("therapist.clients"))
    listed = sorted(  # pseudonyms are stored encrypted: sorted here, not by the database
        db.session.scalars(
            sa.select(Client).where(
                Client.therapist_id == current_user.id, Client.archived.is_(False)
            )
        ),
        key=lambda c: c.pseudonym.casefold(),
    )
    open_sessions = db.session.scalars(
        sa.select(TherapySession)
        .where(TherapySession.therapist_id == current_user.id, TherapySession.ended_at.is_(None))
        .order_by(TherapySession.started_at.desc())
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "therapist/clients.html",
        form=form,
        clients=listed,
        open_sessions=open_sessions,
        action=ActionForm(),
    ), status


@bp.route("/clients/<int:client_id>/sessions", methods=["POST"])
@therapist_only
def start_session(client_id: int):
    client = get_client_or_404(client_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    therapy_session = TherapySession.open(client, state.now_ms())
    db.session.add(therapy_session)
    db.session.flush()
    audit.log("session.opened", session_id=therapy_session.id)
    db.session.commit()
    return redirect(url_for("therapist.panel", session_id=therapy_session.id))


@bp.route("/sessions/<int:session_id>")
@therapist_only
def panel(session_id: int):
    therapy_session = get_session_or_404(session_id)
    audit.log("session.panel_opened", session_id=session_id, client_id=therapy_session.client_id)
    db.session.commit()
    return render_template(
        "therapist/panel.html",
        therapy_session=therapy_session,
        schema=stimulation.SCHEMA,
        speed_bands=stimulation.SPEED_BANDS,
        protocol_presets=stimulation.PROTOCOL_PRESETS,
        phases=EMDR_PHASES,
        action=ActionForm(),
        screening_questions=screening.QUESTIONS,
        sound_results=screening.SOUND_RESULTS,
        task_choices=tasks.choices(therapy_session.therapist_id),
        work=work_state(therapy_session),
        assessment=ASSESSMENT_STEPS,
        closures=CLOSURES,
        back_to_target_words=BACK_TO_TARGET_WORDS,
        body_scan={
            "words": BODY_SCAN_WORDS,
            "results": BODY_SCAN_RESULTS,
            "max_note": MAX_BODY_SCAN_NOTE,
        },
    )


@bp.route("/sessions/<int:session_id>/links", methods=["POST"])
@therapist_only
def create_link(session_id: int):
    """A new join link for the session's client (JSON: the URL is shown once, never stored)."""
    therapy_session = get_session_or_404(session_id)
    if therapy_session.ended_at is not None:
        return jsonify(error={"code": "ended", "message": "This session has ended."}), 409
    ttl = timedelta(hours=current_app.config["JOIN_LINK_TTL_HOURS"])
    link, token = JoinLink.issue(therapy_session, ttl)
    db.session.add(link)
    db.session.flush()
    audit.log("link.issued", detail=f"link {link.id}", session_id=therapy_session.id)
    db.session.commit()
    return jsonify(
        url=url_for("client.join", token=token, _external=True),
        expires_at=link.expires_at.isoformat() + "Z",
    )


def _revoke_links(session_id: int, reason: str) -> int:
    """Revoke every live link of a session and cut the sockets that came in through them."""
    links = db.session.scalars(
        sa.select(JoinLink).where(
            JoinLink.therapy_session_id == session_id, JoinLink.revoked_at.is_(None)
        )
    ).all()
    for link in links:
        link.revoked_at = utcnow()
    db.session.commit()
    for link in links:
        cut_sockets(link_room(link.id), reason)
    return len(links)


@bp.route("/sessions/<int:session_id>/links/revoke", methods=["POST"])
@therapist_only
def revoke_links(session_id: int):
    """Revoke the session's join links: the client is cut off at once (JSON)."""
    get_session_or_404(session_id)
    audit.log("link.revoked", session_id=session_id)
    count = _revoke_links(session_id, "link revoked")
    return jsonify(revoked=count)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@therapist_only
def end_session(session_id: int):
    therapy_session = get_session_or_404(session_id)
    if ActionForm().validate_on_submit() and therapy_session.ended_at is None:
        therapy_session.ended_at = utcnow()
        # the call ends with the session: no page rejoins it after a reload
        therapy_session.therapist_in_call = therapy_session.client_in_call = False
        audit.log("session.closed", session_id=session_id)
        _revoke_links(session_id, "session ended")
        flash("Session ended; its join links no longer work. Here is its summary.")
        return redirect(url_for("therapist.session_summary", session_id=session_id))
    return redirect(url_for("therapist.clients"))
