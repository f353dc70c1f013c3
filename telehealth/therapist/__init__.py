"""Therapists: their clients, their session rooms and the live control panel."""

from flask import Blueprint

bp = Blueprint("therapist", __name__)

from . import (  # noqa: E402, F401
    bodyscan,
    events,
    export,
    plan,
    presets,
    record,
    summary,
    tasks,
    views,
    worktargets,
)
