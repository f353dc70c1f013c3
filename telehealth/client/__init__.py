"""Clients join by link, without an account, and see the stimulation full-screen."""

from flask import Blueprint

bp = Blueprint("client", __name__)

from . import events, views  # noqa: E402, F401
