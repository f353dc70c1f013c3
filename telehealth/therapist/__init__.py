"""Therapists: their clients, their session rooms and the live control panel."""

from flask import Blueprint

bp = Blueprint("therapist", __name__)

from . import events, export, presets, record, summary, tasks, views  # noqa: E402, F401
