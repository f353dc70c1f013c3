"""The targets a session works on: chosen on the panel from the client's plan (or added to it
there), the one worked on now given to the sets and scores made, its words saved as typed."""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request

from ..extensions import db
from ..models import SCORE_KINDS, TARGET_KINDS, TARGET_TEXT, Target, TherapySession
from ..staff import audit
from . import bp
from .plan import get_target_or_404
from .targets import plan_of, work_state
from .views import get_session_or_404, therapist_only

CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # no control characters, so no new lines either
CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WORDS = {name: name.replace("_", " ") for name in TARGET_TEXT}


def _error(message: str):
    return jsonify(error={"code": "invalid_value", "message": message}), 400


def _new_target(client_id: int, new: Any) -> Target:
    """A target added to the plan from the panel: {kind, title}, checked."""
    if not isinstance(new, dict) or set(new) != {"kind", "title"}:
        raise ValueError("A new target needs {kind, title}.")
    if not isinstance(new["kind"], str) or new["kind"] not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}.")
    title = new["title"].strip() if isinstance(new["title"], str) else ""
    if not title or len(title) > TARGET_TEXT["title"] or CONTROL.search(title):
        raise ValueError("Name the new target in a few words (up to 200, on one line).")
    last = max((t.position for t in plan_of(client_id)), default=-1)
    target = Target(client_id=client_id, kind=new["kind"], title=title, position=last + 1)
    db.session.add(target)
    db.session.flush()
    audit.log("plan.target_added", detail=f"target {target.id}", client_id=client_id)
    return target


def _chosen(therapy_session: TherapySession, body: Any) -> Target | None:
    """The target the panel chose ({target_id} of the client's plan, or null for none) or
    added ({new: {kind, title}}); raises ValueError with a clear message."""
    if not isinstance(body, dict) or len(body) != 1 or not {"target_id", "new"} & set(body):
        raise ValueError("Send {target_id} (a target of the plan, or null) or {new}.")
    if "new" in body:
        return _new_target(therapy_session.client_id, body["new"])
    target_id = body["target_id"]
    if target_id is None:
        return None
    fits = type(target_id) is int and 0 < target_id < 2**31  # an id the database can hold
    target = db.session.get(Target, target_id) if fits else None
    if target is None or target.client_id != therapy_session.client_id:
        raise ValueError("That target is not in this client's plan.")
    return target


@bp.route("/sessions/<int:session_id>/targets", methods=["POST"])
@therapist_only
def choose_target(session_id: int):
    """Work on a target of the plan now (JSON); the sets and scores that follow belong to it."""
    therapy_session = get_session_or_404(session_id)
    try:
        target = _chosen(therapy_session, request.get_json(silent=True))
    except ValueError as exc:
        db.session.rollback()
        return _error(str(exc))
    if target is not None:
        if target not in therapy_session.targets:
            therapy_session.targets.append(target)
        if target.status == "not_started":
            target.status = "in_progress"
    therapy_session.current_target_id = target.id if target else None
    audit.log(
        "session.target_chosen",
        detail=f"target {target.id}" if target else "none",
        session_id=session_id,
        client_id=therapy_session.client_id,
    )
    db.session.commit()
    return jsonify(work_state(therapy_session))


def clean_fields(body: Any) -> dict[str, Any]:
    """The target's fields of an autosave, checked; raises ValueError with a clear message."""
    if not isinstance(body, dict) or not body:
        raise ValueError("Send the fields to save as a JSON object.")
    unknown = set(body) - {*TARGET_TEXT, *SCORE_KINDS}
    if unknown:
        raise ValueError(f"Unknown field: {', '.join(sorted(str(u)[:40] for u in unknown))}.")
    clean: dict[str, Any] = {}
    for name, limit in TARGET_TEXT.items():
        if name not in body:
            continue
        value, control = body[name], CONTROL_BUT_LINES if name == "image" else CONTROL
        if not isinstance(value, str) or len(value) > limit or control.search(value):
            raise ValueError(f"The {WORDS[name]} must be plain text of at most {limit} characters.")
        clean[name] = value
    if "title" in clean and not clean["title"].strip():
        raise ValueError("The target needs a few words.")
    for kind, (low, high) in SCORE_KINDS.items():
        value = body.get(kind)
        if (
            kind in body
            and value is not None
            and (type(value) is not int or not low <= value <= high)
        ):
            raise ValueError(f"The {kind.upper()} is a whole number {low} to {high}, or null.")
        if kind in body:
            clean[kind] = value
    return clean


@bp.route("/targets/<int:target_id>/fields", methods=["POST"])
@therapist_only
def save_target_fields(target_id: int):
    """Autosave of a target's words from the panel (JSON), audited as a change."""
    target = get_target_or_404(target_id)
    try:
        clean = clean_fields(request.get_json(silent=True))
    except ValueError as exc:
        return _error(str(exc))
    for name, value in clean.items():
        setattr(target, name, value)
    audit.log("plan.target_changed", detail=f"target {target.id}", client_id=target.client_id)
    db.session.commit()
    return jsonify(saved_at=target.updated_at.isoformat() + "Z")
