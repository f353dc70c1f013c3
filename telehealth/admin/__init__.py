"""Admins manage staff accounts (no clinical content here)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import views  # noqa: E402, F401
