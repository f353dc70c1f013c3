"""Clients join by link, without an account, and see the stimulation full-screen."""

from flask import Blueprint

from .messages import catalogue

bp = Blueprint("client", __name__)
# The room's colours, for the browser's bar and the Home Screen app's splash screen.
WEB_APP_COLOURS = {"background": "#0b0f14", "theme": "#0b0f14"}


@bp.app_context_processor
def page_messages() -> dict:
    """The client's pages carry their scripts' words (templates/client/_messages.html) and the
    web app's colours (templates/client/_web_app.html)."""
    return {"client_messages": catalogue, "web_app_colours": WEB_APP_COLOURS}


from . import events, views  # noqa: E402, F401
