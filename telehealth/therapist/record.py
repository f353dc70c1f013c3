"""The clinical record: a client's details and timeline, a session's record, charts, exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..live.channels import cut_sockets, link_room, lobby_room, session_room
from ..live.scores import scores_of
from ..live.sets import sets_of
from ..models import EMDR_PHASES, Client, JoinLink, Preset, TherapySession, utcnow
from ..staff import audit
from . import bp
from .forms import ActionForm, ClientDetailsForm, DeleteClientForm
from .views import get_client_or_404, get_session_or_404, therapist_only

RECORD_FIELDS = {"target": 200, "negative_cognition": 200, "positive_cognition": 200}
MAX_NOTES = 20000


def _sessions_of(client: Client) -> list[TherapySession]:
    return list(
        db.session.scalars(
            sa.select(TherapySession)
            .where(TherapySession.client_id == client.id)
            .order_by(TherapySession.started_at)
        )
    )


def _session_summary(ts: TherapySession) -> dict[str, Any]:
    scores = scores_of(ts.id)
    sud = [s.value for s in scores if s.kind == "sud"]
    voc = [s.value for s in scores if s.kind == "voc"]
    ended = ts.ended_at
    return {
        "id": ts.id,
        "started_at": ts.started_at.isoformat() + "Z",
        "minutes": round((ended - ts.started_at).total_seconds() / 60) if ended else None,
        "target": ts.target,
        "phases": ts.phases,
        "sets": len(sets_of(ts.id)),
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
    if form.validate_on_submit():
        client.pseudonym = form.pseudonym.data.strip()
        client.initials = (form.initials.data or "").strip() or None
        client.pronouns = (form.pronouns.data or "").strip() or None
        client.preferences = (form.preferences.data or "").strip() or None
        client.preset_id = form.preset_id.data or None
        db.session.commit()
        flash("Saved.")
        return redirect(url_for("therapist.client_page", client_id=client.id))
    return render_template(
        "therapist/client.html",
        client=client,
        form=form,
        sessions=[_session_summary(ts) for ts in _sessions_of(client)],
        action=ActionForm(),
        delete_form=DeleteClientForm(),
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
    audit.log("client.erased", detail=f"client {client.id}")
    session_ids = [ts.id for ts in _sessions_of(client)]
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
    return jsonify(sessions=[_session_summary(ts) for ts in _sessions_of(client)])


def _csv(rows: list[list[Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.route("/clients/<int:client_id>/export.csv")
@therapist_only
def client_export(client_id: int):
    client = get_client_or_404(client_id)
    rows = [["session", "date (UTC)", "minutes", "target", "phases", "sets", "SUD", "VOC", "notes"]]
    for ts in _sessions_of(client):
        s = _session_summary(ts)
        rows.append(
            [
                ts.id,
                ts.started_at.strftime("%Y-%m-%d %H:%M"),
                s["minutes"] if s["minutes"] is not None else "",
                ts.target,
                " ".join(str(p) for p in ts.phases),
                s["sets"],
                " ".join(map(str, s["sud"])),
                " ".join(map(str, s["voc"])),
                ts.notes,
            ]
        )
    return _csv(rows, f"client-{client.id}-history.csv")


def _scores_payload(session_id: int) -> dict[str, Any]:
    return {
        "sets": [
            {
                "id": st.id,
                "number": st.number,
                "started_at": st.started_at.isoformat() + "Z",
                "ended_at": st.ended_at.isoformat() + "Z" if st.ended_at else None,
                "passes": st.passes,
            }
            for st in sets_of(session_id)
        ],
        "scores": [s.as_dict() for s in scores_of(session_id)],
    }


@bp.route("/sessions/<int:session_id>/scores.json")
@therapist_only
def session_scores(session_id: int):
    get_session_or_404(session_id)
    return jsonify(_scores_payload(session_id))


@bp.route("/sessions/<int:session_id>/record", methods=["GET"])
@therapist_only
def session_record(session_id: int):
    """The session's record on one printable page."""
    ts = get_session_or_404(session_id)
    data = _scores_payload(session_id)
    return render_template(
        "therapist/record.html",
        ts=ts,
        sets=sets_of(session_id),
        scores=scores_of(session_id),
        phases=EMDR_PHASES,
        data=data,
    )


def _clean_record(body: Any) -> dict[str, Any]:
    """The record fields of an autosave, checked; raises ValueError with a clear message."""
    if not isinstance(body, dict) or not body:
        raise ValueError("Send the fields to save as a JSON object.")
    allowed = {*RECORD_FIELDS, "notes", "phases"}
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"Unknown field: {', '.join(sorted(str(u)[:40] for u in unknown))}.")
    clean: dict[str, Any] = {}
    for name, limit in RECORD_FIELDS.items():
        if name in body:
            if not isinstance(body[name], str) or len(body[name]) > limit:
                raise ValueError(f"{name} must be text of at most {limit} characters.")
            clean[name] = body[name]
    if "notes" in body:
        if not isinstance(body["notes"], str) or len(body["notes"]) > MAX_NOTES:
            raise ValueError(f"notes must be text of at most {MAX_NOTES} characters.")
        clean["notes"] = body["notes"]
    if "phases" in body:
        phases = body["phases"]
        if not isinstance(phases, list) or any(
            isinstance(p, bool) or not isinstance(p, int) or p not in EMDR_PHASES for p in phases
        ):
            raise ValueError("phases must be a list of EMDR phase numbers 1 to 8.")
        clean["phases"] = sorted(set(phases))
    return clean


@bp.route("/sessions/<int:session_id>/record", methods=["POST"])
@therapist_only
def save_record(session_id: int):
    """Autosave from the panel (JSON); the answer carries the saved record's revision."""
    ts = get_session_or_404(session_id)
    try:
        clean = _clean_record(request.get_json(silent=True))
    except ValueError as exc:
        return jsonify(error={"code": "invalid_value", "message": str(exc)}), 400
    for name, value in clean.items():
        setattr(ts, name, value)
    ts.record_rev += 1
    db.session.commit()
    return jsonify(record_rev=ts.record_rev, saved_at=utcnow().isoformat() + "Z")


@bp.route("/sessions/<int:session_id>/export.csv")
@therapist_only
def session_export(session_id: int):
    ts = get_session_or_404(session_id)
    rows = [
        ["session", ts.id],
        ["client", ts.client.pseudonym],
        ["date (UTC)", ts.started_at.strftime("%Y-%m-%d %H:%M")],
        ["target", ts.target],
        ["negative cognition", ts.negative_cognition],
        ["positive cognition", ts.positive_cognition],
        ["phases", ", ".join(EMDR_PHASES[p] for p in ts.phases)],
        ["notes", ts.notes],
        [],
        ["set", "started (UTC)", "ended (UTC)", "passes", "speed (passes/s)", "path"],
    ]
    for st in sets_of(ts.id):
        rows.append(
            [
                st.number,
                st.started_at.strftime("%H:%M:%S"),
                st.ended_at.strftime("%H:%M:%S") if st.ended_at else "",
                st.passes,
                st.settings.get("speed_pps", ""),
                st.settings.get("pattern", ""),
            ]
        )
    rows += [[], ["score", "value", "after set", "from", "at (UTC)"]]
    set_numbers = {st.id: st.number for st in sets_of(ts.id)}
    for sc in scores_of(ts.id):
        rows.append(
            [
                sc.kind.upper(),
                sc.value,
                set_numbers.get(sc.stim_set_id, ""),
                sc.source,
                (sc.answered_at or sc.created_at).strftime("%H:%M:%S"),
            ]
        )
    return _csv(rows, f"session-{ts.id}.csv")
