"""Refuse text that no field may hold, before any view or database sees it.

A NUL character is never meaningful in a form, a query string or a JSON body,
and PostgreSQL cannot store it: rather than let each view meet it as a
database error, every request carrying one gets a clear 400 and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

NUL = "\x00"
MESSAGE = "The text sent contains a NUL character, which no field accepts."


def holds_nul(value: Any) -> bool:
    """True when a string anywhere inside value (keys included) contains NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_nul(v) for v in value)
    return False


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
        if any(holds_nul(k) or holds_nul(v) for k, v in fields):
            abort(400, MESSAGE)
        if request.is_json and holds_nul(request.get_json(silent=True)):
            abort(400, MESSAGE)
