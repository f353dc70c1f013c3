"""Who may open a page: one decorator per staff role."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user, login_required


def role_required(role: str) -> Callable:
    """Logged-in staff of ``role`` only; others get 403 (anonymous users go to the login page)."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return wrap
