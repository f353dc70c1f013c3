"""The languages of the client's pages and which one a request speaks: the client's own on
the client's pages (their choice on the welcome page, else the one their therapist set),
English on the staff's pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, refresh

from .extensions import babel, db
from .models import JoinLink

# The languages the client's pages ship in, each named in its own language.
LANGUAGES = {"en": "English", "es": "Español", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).parent / "translations"  # <lang>/LC_MESSAGES/messages.po, .mo


def known_language(code: Any) -> str | None:
    """``code`` when it is one of LANGUAGES, else None (whatever a request sent)."""
    return code if isinstance(code, str) and code in LANGUAGES else None


def use_language(code: str | None) -> None:
    """Speak ``code`` for the rest of this request (a page that knows better than the
    selector: the welcome page, whose client has no cookie yet)."""
    g.page_language = known_language(code)
    refresh()


def select_locale() -> str:
    """Flask-Babel's locale selector: the client's language on the client's pages (English
    outside a request: the command line, the settle loop)."""
    if not has_request_context() or request.blueprint != "client":
        return DEFAULT_LANGUAGE
    return (
        g.get("page_language")
        or known_language(session.get("lang"))
        or _client_language()
        or request.accept_languages.best_match(LANGUAGES)
        or DEFAULT_LANGUAGE
    )


def _client_language() -> str | None:
    """The language the therapist set for the client whose cookie this request carries (its
    link may have ended since: the page that says so speaks the client's language too)."""
    link_id = session.get("client_link_id")
    link = db.session.get(JoinLink, link_id) if isinstance(link_id, int) else None
    if link is None or not JoinLink.fits_cookie(session, link, current_app.config["SECRET_KEY"]):
        return None
    return known_language(link.therapy_session.client.language)


def page_language() -> str:
    """The language of the page being rendered, for ``<html lang>``."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(page_language=page_language, languages=LANGUAGES)
