"""HTTP errors render one page with the same words the socket errors use."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        message = MESSAGES.get(code, exc.name)
        if exc.description and exc.description != type(exc).description:
            message = exc.description
        if isinstance(exc, CSRFError):
            message = "The form expired. Please reload the page and try again."
        if request.accept_mimetypes.best == "application/json" or request.is_json:
            return jsonify(error={"code": str(code), "message": message}), code
        return render_template("error.html", code=code, message=message), code
