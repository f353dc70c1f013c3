"""What every response passes through: error pages, security headers, the NUL guard."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

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
    """True when a string anywhere inside value (keys included) contains NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_nul(v) for v in value)
    return False


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
    return render_template("error.html", code=code, message=message), code


def _audit_throttled() -> None:
    """A refused burst of requests is a security event: which page, from where (no body)."""
    from .extensions import db
    from .staff import audit

    db.session.rollback()
    audit.log("throttled", detail=f"{request.method} {request.endpoint or request.path}"[:120])
    db.session.commit()


def refuse_nul() -> None:
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any(holds_nul(k) or holds_nul(v) for k, v in fields):
        abort(400, NUL_MESSAGE)
    if request.is_json and holds_nul(request.get_json(silent=True)):
        abort(400, NUL_MESSAGE)


def secure_headers(response: Response) -> Response:
    """Strict CSP, no framing, no referrer; pages (which may show clinical content) uncached."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "geolocation=(), payment=()"
    if response.mimetype != "text/css" and "javascript" not in response.mimetype:
        response.headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Behind nginx: the client's address (throttling, audit) and https (links, cookies, the
    Socket.IO origin check) come from the X-Forwarded-* headers of TRUSTED_PROXIES proxies."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.register_error_handler(HTTPException, http_error)
    app.before_request(refuse_nul)
    app.after_request(secure_headers)
