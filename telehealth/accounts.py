"""Staff accounts: create them and check their passwords (hashing runs off the socket loop)."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from .blocking import check_password, hash_password
from .extensions import db
from .models import ROLES, User

MIN_PASSWORD_LENGTH = 12


@functools.lru_cache(maxsize=4)
def _absent_hash(method: str) -> str:
    """A hash to check against when no account matches, so both cases take as long."""
    return generate_password_hash("no account has this password", method)


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def any_user() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None


def create_user(email: str, password: str, role: str) -> User:
    """Add a staff account to the session (the caller commits)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if "@" not in email or len(email) > 254:
        raise AccountError("That is not an email address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError("An account with that email already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same work either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    stored = (
        user.password_hash if user else _absent_hash(current_app.config["PASSWORD_HASH_METHOD"])
    )
    ok = check_password(stored, password)
    return user if ok and user is not None and user.active else None
