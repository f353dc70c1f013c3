"""Staff security: accounts, logins, MFA, roles, the audit log and password hashing."""

from flask import Flask


def init_app(app: Flask) -> None:
    from . import logins

    app.before_request(logins.finish_pending_steps)
