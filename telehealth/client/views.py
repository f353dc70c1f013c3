"""The welcome page and its join link exchange, the client's full-screen room, and the
client's own page when either does not open (never the staff login nor a bare status code);
the web app manifest that lets a client add the room to the Home Screen."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, current_app, redirect, render_template, request, session, url_for

from .. import i18n
from ..extensions import db
from ..live.access import current_client_session
from ..models import JoinLink, User, utcnow
from ..staff import audit
from . import WEB_APP_COLOURS, bp
from .devices import describe_device

SHORT_NAME_MAX = 12  # what a Home Screen shows under an icon without cutting it


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Opening the link shows the welcome page with one button, and uses nothing (link
    previewers and mail scanners open links too); the button (a POST, with its CSRF token)
    swaps the token, once, for a client cookie and a URL without the token. ``?lang=`` shows
    the page in another language; the button keeps that choice for the client's pages."""
    link = JoinLink.find(token)
    if link is not None:  # its page, welcome or problem, in its client's language
        i18n.use_language(
            i18n.known_language(session.get("lang")) or link.therapy_session.client.language
        )
    why = link_problem(link)
    if why is not None:
        return problem(why, 404)
    if link.used_at is not None:
        audit.log(
            "link.reused",
            detail=f"link {link.id}",
            session_id=link.therapy_session_id,
            with_address=False,
        )
        db.session.commit()
        return problem("used", 410)
    if request.method == "GET":
        return welcome(link)
    used = db.session.execute(  # once only, even for two presses at the same moment
        sa.update(JoinLink)
        .where(JoinLink.id == link.id, JoinLink.used_at.is_(None))
        .values(used_at=utcnow(), device=describe_device(request.user_agent.string))
    )
    if used.rowcount != 1:
        db.session.rollback()
        return problem("used", 410)
    session.update(link.cookie(current_app.config["SECRET_KEY"]))
    chosen = i18n.known_language(request.form.get("lang"))
    if chosen:
        session["lang"] = chosen
    audit.log(
        "link.used",
        detail=f"link {link.id}",
        session_id=link.therapy_session_id,
        with_address=False,
    )
    db.session.commit()
    return redirect(url_for("client.room"))


def welcome(link: JoinLink):
    """The welcome page: the practice and the therapist by name (never the client's
    pseudonym, never an e-mail address), what will happen, one button, the languages."""
    chosen = i18n.known_language(request.args.get("lang"))
    if chosen:
        i18n.use_language(chosen)
    therapist = db.session.get(User, link.therapy_session.therapist_id)
    return render_template(
        "client/join.html",
        practice_name=current_app.config["PRACTICE_NAME"],
        therapist_name=therapist.display_name if therapist else None,
        chosen_language=chosen,
    )


@bp.route("/room")
def room():
    therapy_session = current_client_session()
    if therapy_session is None:
        return problem(_room_problem(), 403)
    return render_template(
        "client/room.html",
        therapy_session=therapy_session,
        # the checks before any stimulation (client/_checks.html): which steps this page needs
        screening_needed=therapy_session.client.screened_at is None,
        video_enabled=therapy_session.video_enabled,
        # done once this session (checks:done, only after the screening): a reload asks for
        # one tap, not the checks
        checked_sound=therapy_session.client_sound_check,
    )


@bp.route("/client.webmanifest")
def manifest() -> Response:
    """The client's web app. A Home Screen launch opens the room, never a join link: no secret
    lives in the icon, and the room lets in only a browser holding the client's cookie (else it
    shows the page that asks for a link). Fetched without cookies, so it names nobody."""
    name = current_app.config["PRACTICE_NAME"]
    room = url_for("client.room")
    body = {
        "id": room,
        "name": name,
        "short_name": name if len(name) <= SHORT_NAME_MAX else name.split()[0][:SHORT_NAME_MAX],
        "start_url": room,
        "scope": room.rsplit("/", 1)[0] + "/",
        "display": "fullscreen",
        "background_color": WEB_APP_COLOURS["background"],
        "theme_color": WEB_APP_COLOURS["theme"],
        "icons": [
            _icon("icon-192.png", 192),
            _icon("icon-512.png", 512),
            _icon("icon-512.png", 512, "maskable"),  # its picture keeps to the middle
        ],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


def _icon(file: str, size: int, purpose: str = "any") -> dict[str, str]:
    return {
        "src": url_for("static", filename=f"icons/{file}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


def problem(kind: str, status: int):
    """The client's page saying what happened and what to do (templates/client/problem.html)."""
    return render_template("client/problem.html", problem=kind), status


def link_problem(link: JoinLink | None) -> str | None:
    """Why ``link`` opens nothing (unknown, ended, revoked, expired), or None if it may."""
    if link is None:
        return "unknown"
    if link.therapy_session.ended_at is not None:
        return "ended"
    if link.revoked_at is not None:
        return "revoked"
    if not link.usable():
        return "expired"
    return None


def _room_problem() -> str:
    """Why the room does not open for this browser: its link's case when the cookie is this
    link's own (a reload after the end), else no_link (no cookie, or one that fits nothing)."""
    link_id = session.get("client_link_id")
    link = db.session.get(JoinLink, link_id) if isinstance(link_id, int) else None
    if link is None or not JoinLink.fits_cookie(session, link, current_app.config["SECRET_KEY"]):
        return "no_link"
    return link_problem(link) or "no_link"
