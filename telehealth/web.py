"""What every response passes through: error pages, security headers, the NUL guard."""

from __future__ import annotations

import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, jsonify, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "You may not open this page.",
    404: "Not found.",
    405: "That is not allowed here.",
    413: "That was too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side.",
}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# A NUL character is never meaningful in a form, a query string or a JSON body, and
# PostgreSQL cannot store it: rather than let each view meet it as a database error, every
# request carrying one gets a clear 400 and changes nothing.
NUL = "\x00"
NUL_MESSAGE = "The text sent contains a NUL character, which no field accepts."


def holds_nul(value: Any) -> bool:
    """True when a string anywhere inside value (keys included) contains NUL. A loop, not
    recursion: a body nested as deep as the parser allows must not overflow the stack here."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return False


JSON_UNREADABLE = "The JSON body could not be read: it is malformed or nested too deeply."


class GuardedRequest(Request):
    """Flask's request, whose JSON body, when it cannot be read, is a 400 for every route.

    The parser meets a body nested deeper than Python's stack (``[[[[...]]]]``) as a
    RecursionError, which is no ValueError: Werkzeug let it through as a 500 with a
    traceback thousands of lines long. Here it is malformed JSON like any other."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            abort(400, JSON_UNREADABLE)

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not sent as JSON: Werkzeug's 415
            return super().on_json_loading_failed(e)
        abort(400, JSON_UNREADABLE)


JSON_TO_FORM = "This page takes form fields, not JSON."


class PageForm(FlaskForm):
    """A form of an HTML page: it reads form fields only. Flask-WTF would otherwise read a JSON
    body when no form fields came, shaped as the sender likes (a list: a 500) and apart from
    what the throttles and guards look at (a login's email): a 400 instead."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            submitted = request.method in ("POST", "PUT", "PATCH", "DELETE")
            if submitted and request.is_json and not request.form and not request.files:
                abort(400, JSON_TO_FORM)
            return super().wrap_formdata(form, formdata)


def safe_next(target: Any, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``: the one check for every
    redirect target taken from a request (an open redirect sends staff to a look-alike site).

    Browsers drop tabs and newlines from a URL and read a backslash as a slash (so "/" TAB
    "/evil.example" is "//evil.example"): any character that is not printable, and any
    backslash, refuses the target before it is parsed."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2048:
        return fallback
    if "\\" in target or not target.isprintable():
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or parts.path.startswith("//"):
        return fallback
    return target


def http_error(exc: HTTPException):
    """One page (or JSON body) with the same words the socket errors use."""
    code = exc.code or 500
    message = MESSAGES.get(code, exc.name)
    if exc.description and exc.description != type(exc).description:
        message = exc.description
    if isinstance(exc, CSRFError):
        message = "The form expired. Please reload the page and try again."
    if code == 429:
        _audit_throttled()
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(error={"code": str(code), "message": message}), code
    if request.blueprint == "client":  # a client's page: plain words, no way to the staff login
        problem = "form_expired" if isinstance(exc, CSRFError) else "error"
        return render_template("client/problem.html", problem=problem), code
    return render_template("error.html", code=code, message=message), code


def _audit_throttled() -> None:
    """A refused burst of requests is a security event: which page, from where (no body)."""
    from .staff import audit

    db.session.rollback()
    audit.log("throttled", detail=f"{request.method} {request.endpoint or request.path}"[:120])
    db.session.commit()


def unexpected_error(exc: Exception):
    """Any exception no view handled (a database down, full or read-only; a bug): rolled back,
    logged by its type, the endpoint and the method only (its text and arguments may carry SQL
    parameters, and so clinical text), and answered with the 500 page like any other error."""
    with contextlib.suppress(Exception):  # the database may be gone altogether
        db.session.rollback()
    log.error("%s %s failed: %s", request.method, request.endpoint, type(exc).__name__)
    return http_error(InternalServerError())


def refuse_nul() -> None:
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any(holds_nul(k) or holds_nul(v) for k, v in fields):
        abort(400, NUL_MESSAGE)
    if request.is_json and holds_nul(request.get_json(silent=True)):
        abort(400, NUL_MESSAGE)


def secure_headers(response: Response) -> Response:
    """Strict CSP, no framing, no referrer; pages (which may show clinical content) uncached,
    static files cached as telehealth/assets.py says."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "geolocation=(), payment=()"
    if request.endpoint != "static" or response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Behind nginx: the client's address (throttling, audit) and https (links, cookies, the
    Socket.IO origin check) come from the X-Forwarded-* headers of TRUSTED_PROXIES proxies."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def untranslated(text: str, **variables: Any) -> str:
    """The words as written: templates' ``_`` until Flask-Babel installs its own."""
    return text % variables if variables else text


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.jinja_env.globals.setdefault("_", untranslated)
    app.request_class = GuardedRequest
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.before_request(refuse_nul)
    app.after_request(secure_headers)
