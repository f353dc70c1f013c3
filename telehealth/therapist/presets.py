"""A therapist's stimulation presets: save the room's settings, order, default, delete (JSON)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, jsonify, request
from flask_login import current_user

from ..extensions import db
from ..live import state
from ..models import Preset
from . import bp
from .views import get_session_or_404, therapist_only

MAX_PRESETS = 50
MAX_NAME = 60


def get_preset_or_404(preset_id: int) -> Preset:
    """The current therapist's preset; anyone else's is 'not found'."""
    preset = db.get_or_404(Preset, preset_id)
    if preset.therapist_id != current_user.id:
        abort(404)
    return preset


def _ordered() -> list[Preset]:
    return list(
        db.session.scalars(
            sa.select(Preset)
            .where(Preset.therapist_id == current_user.id)
            .order_by(Preset.position, Preset.id)
        )
    )


def _listing():
    return jsonify(presets=[p.as_dict() for p in _ordered()])


def _bad(message: str, status: int = 400):
    return jsonify(error={"code": "invalid_value", "message": message}), status


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.route("/presets")
@therapist_only
def presets():
    return _listing()


@bp.route("/sessions/<int:session_id>/presets", methods=["POST"])
@therapist_only
def save_preset(session_id: int):
    """Save the room's current settings under a name (JSON body {name})."""
    therapy_session = get_session_or_404(session_id)
    name = _json_body().get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        return _bad(f"Give the preset a name of 1 to {MAX_NAME} characters.")
    existing = _ordered()
    if len(existing) >= MAX_PRESETS:
        return _bad(f"You can keep up to {MAX_PRESETS} presets; delete one first.", 409)
    stim_state = state.read_state(therapy_session.id)
    preset = Preset(
        therapist_id=current_user.id,
        name=name.strip(),
        position=(existing[-1].position + 1) if existing else 0,
        settings=dict(stim_state["settings"]),
    )
    db.session.add(preset)
    db.session.commit()
    return _listing(), 201


@bp.route("/presets/<int:preset_id>/move", methods=["POST"])
@therapist_only
def move_preset(preset_id: int):
    """Move a preset one place up or down (JSON body {direction: "up" | "down"})."""
    preset = get_preset_or_404(preset_id)
    direction = _json_body().get("direction")
    if direction not in ("up", "down"):
        return _bad("direction must be up or down.")
    ordered = _ordered()
    i = ordered.index(preset)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, p in enumerate(ordered):
        p.position = position
    db.session.commit()
    return _listing()


@bp.route("/presets/<int:preset_id>/default", methods=["POST"])
@therapist_only
def default_preset(preset_id: int):
    """Make a preset the default for new sessions (again: it stops being the default)."""
    preset = get_preset_or_404(preset_id)
    make_default = not preset.is_default
    for p in _ordered():
        p.is_default = False
    preset.is_default = make_default
    db.session.commit()
    return _listing()


@bp.route("/presets/<int:preset_id>/delete", methods=["POST"])
@therapist_only
def delete_preset(preset_id: int):
    db.session.delete(get_preset_or_404(preset_id))
    db.session.commit()
    return _listing()
