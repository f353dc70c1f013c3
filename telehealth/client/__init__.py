"""Clients join by link, without an account, and see the stimulation full-screen."""

from flask import Blueprint

from .messages import catalogue

bp = Blueprint("client", __name__)


@bp.app_context_processor
def page_messages() -> dict:
    """The client's pages carry their scripts' words (templates/client/_messages.html)."""
    return {"client_messages": catalogue}


from . import events, views  # noqa: E402, F401
