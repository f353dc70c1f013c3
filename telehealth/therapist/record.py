"""The clinical record: a client's details and timeline, a session's record, charts, exports,
sets struck from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..client import screening
from ..exports import csv_response
from ..extensions import db
from ..forms import ActionForm
from ..live import sets
from ..live.channels import cut_sockets, link_room, lobby_room, session_room
from ..live.scores import scores_of, scores_of_sessions
from ..live.sets import set_counts, sets_of, struck_set_ids
from ..models import EMDR_PHASES, Client, JoinLink, Preset, Score, StimSet, TherapySession, utcnow
from ..models.protocol import CLOSURES, NEXT_STEPS
from ..staff import audit, logins
from . import bp
from .bodyscan import body_scan_words
from .forms import ClientDetailsForm, DeleteClientForm, StrikeForm
from .record_fields import clean_record
from .targets import record_words, titles_of_sessions
from .views import get_client_or_404, get_session_or_404, therapist_only


def _sessions_of(client: Client) -> list[TherapySession]:
    return list(
        db.session.scalars(
            sa.select(TherapySession)
            .where(TherapySession.client_id == client.id)
            .order_by(TherapySession.started_at)
        )
    )


def _session_summaries(therapy_sessions: list[TherapySession]) -> list[dict[str, Any]]:
    """Each session with its set count and scores (struck sets and their scores aside), in
    three queries for all of them."""
    ids = [therapy_session.id for therapy_session in therapy_sessions]
    counts, scores, struck = set_counts(ids), scores_of_sessions(ids), struck_set_ids(ids)
    titles = titles_of_sessions(ids)
    return [
        _session_summary(
            therapy_session,
            counts.get(therapy_session.id, 0),
            [s for s in scores.get(therapy_session.id, []) if s.stim_set_id not in struck],
            titles.get(therapy_session.id, []),
        )
        for therapy_session in therapy_sessions
    ]


def _session_summary(
    therapy_session: TherapySession, set_count: int, scores: list[Score], titles: list[str]
) -> dict[str, Any]:
    sud = [s.value for s in scores if s.kind == "sud"]
    voc = [s.value for s in scores if s.kind == "voc"]
    ended = therapy_session.ended_at
    return {
        "id": therapy_session.id,
        "started_at": therapy_session.started_at.isoformat() + "Z",
        "minutes": round((ended - therapy_session.started_at).total_seconds() / 60)
        if ended
        else None,
        # its own words (sessions from before the plan), else the targets it worked on
        "target": therapy_session.target or "; ".join(titles),
        "phases": therapy_session.phases,
        "sets": set_count,
        "sud": sud,
        "voc": voc,
    }


@bp.route("/clients/<int:client_id>", methods=["GET", "POST"])
@therapist_only
def client_page(client_id: int):
    """A client's details (editable), their sessions, and SUD/VOC across sessions."""
    client = get_client_or_404(client_id)
    form = ClientDetailsForm(obj=client)
    presets = db.session.scalars(
        sa.select(Preset).where(Preset.therapist_id == current_user.id).order_by(Preset.position)
    ).all()
    form.preset_id.choices = [SelectChoice(0, "Therapist default")] + [
        SelectChoice(p.id, p.name) for p in presets
    ]
    if request.method == "GET":
        form.preset_id.data = client.preset_id or 0
        audit.log("client.viewed", client_id=client.id)
        db.session.commit()
    if form.validate_on_submit():
        client.pseudonym = form.pseudonym.data.strip()
        client.initials = (form.initials.data or "").strip() or None
        client.pronouns = (form.pronouns.data or "").strip() or None
        client.preferences = (form.preferences.data or "").strip() or None
        client.preset_id = form.preset_id.data or None
        client.language = form.language.data
        db.session.commit()
        flash("Saved.")
        return redirect(url_for("therapist.client_page", client_id=client.id))
    return render_template(
        "therapist/client.html",
        client=client,
        form=form,
        sessions=_session_summaries(_sessions_of(client)),
        action=ActionForm(),
        delete_form=DeleteClientForm(),
        screening=screening.answers_of(client),
        screening_questions=screening.QUESTIONS,
    ), (400 if form.errors else 200)


@bp.route("/clients/<int:client_id>/archive", methods=["POST"])
@therapist_only
def archive_client(client_id: int):
    """Archive (hide from the list, keep the records) or bring back."""
    client = get_client_or_404(client_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    client.archived = not client.archived
    client.archived_at = utcnow() if client.archived else None
    db.session.commit()
    flash("Client archived." if client.archived else "Client restored.")
    return redirect(url_for("therapist.client_page", client_id=client.id))


@bp.route("/clients/<int:client_id>/delete", methods=["POST"])
@therapist_only
def delete_client(client_id: int):
    """Erase a client with every session, set, score and note (the pseudonym confirms it)."""
    client = get_client_or_404(client_id)
    form = DeleteClientForm()
    if not form.validate_on_submit() or form.confirm.data.strip() != client.pseudonym:
        flash("Type the client's pseudonym exactly to erase them.", "error")
        return redirect(url_for("therapist.client_page", client_id=client.id))
    audit.log("client.erased", detail=f"client {client.id}", client_id=client.id)
    session_ids = [therapy_session.id for therapy_session in _sessions_of(client)]
    link_ids = db.session.scalars(
        sa.select(JoinLink.id).where(JoinLink.therapy_session_id.in_(session_ids))
    ).all()
    db.session.delete(client)
    db.session.commit()
    # Whoever is still in one of its rooms loses it now: the client's pages (in the room or
    # waiting) and the therapist's panels of those sessions.
    for room in [link_room(i) for i in link_ids] + [
        r for i in session_ids for r in (session_room(i), lobby_room(i))
    ]:
        cut_sockets(room, "client erased")
    flash("The client and all their records are erased.")
    return redirect(url_for("therapist.clients"))


@bp.route("/clients/<int:client_id>/history.json")
@therapist_only
def client_history(client_id: int):
    client = get_client_or_404(client_id)
    audit.log("client.history_read", client_id=client.id)
    db.session.commit()
    return jsonify(sessions=_session_summaries(_sessions_of(client)))


@bp.route("/clients/<int:client_id>/export.csv")
@therapist_only
def client_export(client_id: int):
    client = get_client_or_404(client_id)
    audit.log("client.exported", client_id=client.id)
    db.session.commit()
    rows = [["session", "date (UTC)", "minutes", "target", "phases", "sets", "SUD", "VOC", "notes"]]
    therapy_sessions = _sessions_of(client)
    for therapy_session, summary in zip(
        therapy_sessions, _session_summaries(therapy_sessions), strict=True
    ):
        rows.append(
            [
                therapy_session.id,
                therapy_session.started_at.strftime("%Y-%m-%d %H:%M"),
                summary["minutes"],
                summary["target"],
                " ".join(str(p) for p in therapy_session.phases),
                summary["sets"],
                " ".join(map(str, summary["sud"])),
                " ".join(map(str, summary["voc"])),
                therapy_session.notes,
            ]
        )
    return csv_response(rows, f"client-{client.id}-history.csv")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def scores_payload(stim_sets: list[StimSet], scores: list[Score]) -> dict[str, Any]:
    return {
        "sets": [
            {
                "id": stim_set.id,
                "number": stim_set.number,
                "started_at": stim_set.started_at.isoformat() + "Z",
                "ended_at": _iso(stim_set.ended_at),
                "passes": stim_set.passes,
                "client_paused_at": _iso(stim_set.client_paused_at),
                "struck": stim_set.struck_at is not None,  # its scores stay off the charts
            }
            for stim_set in stim_sets
        ],
        "scores": [s.as_dict() for s in scores],
    }


@bp.route("/sessions/<int:session_id>/scores.json")
@therapist_only
def session_scores(session_id: int):
    therapy_session = get_session_or_404(session_id)
    if logins.by_a_person():  # the panel's own reloads are part of the panel opened
        audit.log("session.scores_read", session_id=session_id, client_id=therapy_session.client_id)
        db.session.commit()
    return jsonify(scores_payload(sets_of(session_id), scores_of(session_id)))


@bp.route("/sessions/<int:session_id>/record", methods=["GET"])
@therapist_only
def session_record(session_id: int):
    """The session's record on one printable page."""
    return _record_page(get_session_or_404(session_id))


def _record_page(
    therapy_session: TherapySession, strike_form: StrikeForm | None = None, striking: int = 0
) -> str:
    """The record page (a read of the record, audited); ``striking`` is the set whose strike
    form shows ``strike_form`` with its errors."""
    audit.log(
        "session.record_viewed",
        session_id=therapy_session.id,
        client_id=therapy_session.client_id,
    )
    db.session.commit()
    stim_sets = sets_of(therapy_session.id)
    return render_template(
        "therapist/record.html",
        therapy_session=therapy_session,
        words=record_words(therapy_session),
        closures=CLOSURES,
        body_scans=body_scan_words(therapy_session),
        title_of={target.id: target.title for target in therapy_session.targets},
        sets=stim_sets,
        set_by_id={stim_set.id: stim_set for stim_set in stim_sets},
        scores=scores_of(therapy_session.id),
        phases=EMDR_PHASES,
        strike_form=strike_form or StrikeForm(formdata=None),
        striking=striking,
    )


@bp.route("/sessions/<int:session_id>/sets/<int:number>/strike", methods=["POST"])
@therapist_only
def strike_set(session_id: int, number: int):
    """Strike one set from the record with a reason: still shown, no longer counted."""
    therapy_session = get_session_or_404(session_id)
    stim_set = db.first_or_404(
        sa.select(StimSet).where(StimSet.therapy_session_id == session_id, StimSet.number == number)
    )
    form = StrikeForm()
    if form.validate_on_submit():
        try:
            sets.strike(stim_set, form.reason.data)
        except ValueError as exc:
            form.reason.errors.append(str(exc))
        else:
            audit.log(
                "set.struck",
                detail=f"set {number}",
                session_id=session_id,
                client_id=therapy_session.client_id,
            )
            db.session.commit()
            flash(f"Set {number} is struck from the record.")
            return redirect(url_for("therapist.session_record", session_id=session_id))
    return _record_page(therapy_session, form, number), 400


@bp.route("/sessions/<int:session_id>/record", methods=["POST"])
@therapist_only
def save_record(session_id: int):
    """Autosave from the panel (JSON); the answer carries the saved record's revision."""
    therapy_session = get_session_or_404(session_id)
    try:
        clean = clean_record(request.get_json(silent=True))
    except ValueError as exc:
        return jsonify(error={"code": "invalid_value", "message": str(exc)}), 400
    for name, value in clean.items():
        setattr(therapy_session, name, value)
    if {"closure", "resume_note"} & set(clean):  # the target's state for the next session
        audit.log(
            "session.closure",
            detail=f"closure {therapy_session.closure or 'none'}",
            session_id=session_id,
            client_id=therapy_session.client_id,
        )
    therapy_session.record_rev += 1
    db.session.commit()
    return jsonify(record_rev=therapy_session.record_rev, saved_at=utcnow().isoformat() + "Z")


@bp.route("/sessions/<int:session_id>/export.csv")
@therapist_only
def session_export(session_id: int):
    therapy_session = get_session_or_404(session_id)
    audit.log("session.exported", session_id=session_id, client_id=therapy_session.client_id)
    db.session.commit()
    words = record_words(therapy_session)
    rows = [
        ["session", therapy_session.id],
        ["client", therapy_session.client.pseudonym],
        ["date (UTC)", therapy_session.started_at.strftime("%Y-%m-%d %H:%M")],
        ["target", words["target"]],
        ["negative cognition", words["negative_cognition"]],
        ["positive cognition", words["positive_cognition"]],
        ["phases", ", ".join(EMDR_PHASES[p] for p in therapy_session.phases)],
        ["notes", therapy_session.notes],
        ["closure", CLOSURES.get(therapy_session.closure or "", "")],
        ["resume next time from", therapy_session.resume_note or ""],
        ["body scan", "; ".join(body_scan_words(therapy_session))],
        [],
        [
            *("set", "started (UTC)", "ended (UTC)", "passes", "speed (passes/s)", "path"),
            *("client paused (UTC)", "struck (UTC)", "struck because", "task", "noticed"),
            "then",
        ],
    ]
    stim_sets = sets_of(therapy_session.id)
    for stim_set in stim_sets:
        rows.append(
            [
                stim_set.number,
                stim_set.started_at.strftime("%H:%M:%S"),
                stim_set.ended_at.strftime("%H:%M:%S") if stim_set.ended_at else "",
                stim_set.passes,
                stim_set.settings.get("speed_pps", ""),
                stim_set.settings.get("pattern", ""),
                stim_set.client_paused_at.strftime("%H:%M:%S") if stim_set.client_paused_at else "",
                stim_set.struck_at.strftime("%Y-%m-%d %H:%M") if stim_set.struck_at else "",
                stim_set.struck_reason or "",
                stim_set.task or "",
                stim_set.noticed or "",
                NEXT_STEPS.get(stim_set.next_step or "", ""),
            ]
        )
    rows += [[], ["score", "value", "after set", "from", "at (UTC)"]]
    set_numbers = {stim_set.id: stim_set.number for stim_set in stim_sets}
    for score in scores_of(therapy_session.id):
        rows.append(
            [
                score.kind.upper(),
                score.value,
                set_numbers.get(score.stim_set_id, ""),
                score.source,
                (score.answered_at or score.created_at).strftime("%H:%M:%S"),
            ]
        )
    return csv_response(rows, f"session-{therapy_session.id}.csv")
