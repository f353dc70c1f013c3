"""Staff log in and out; the one-time setup page creates the first admin."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402, F401
