"""Staff accounts: create them and check their passwords (hashing runs off the socket loop)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import ROLES, User, utcnow
from .passwords import check_password, hash_password

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent.parent / "data" / "common-passwords.txt.gz"


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def _is_common(lowered: str) -> bool:
    """In the list, or a listed password padded with digits and symbols, or one said twice."""
    common = _common_passwords()
    half = len(lowered) // 2
    return (
        lowered in common
        or lowered.rstrip("0123456789!@#$%^&*.?-_ ") in common
        or (lowered[:half] == lowered[half:] and lowered[:half] in common)
        or len(set(lowered)) < 4
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None. Length and commonness only (ASVS 2.1)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    local = normalise_email(email).split("@")[0]
    if _is_common(lowered):
        return "That password is too common. Choose a longer, less predictable one."
    if local and len(local) >= 4 and local in lowered:
        return "The password must not contain your email address."
    return None


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
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    if "@" not in email or len(email) > 254:
        raise AccountError("That is not an email address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError("An account with that email already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    return user


def account_id(email: str) -> int | None:
    """The id of the account with this email, if there is one."""
    return db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same work either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    stored = (
        user.password_hash if user else _absent_hash(current_app.config["PASSWORD_HASH_METHOD"])
    )
    ok = check_password(stored, password)
    return user if ok and user is not None and user.active else None


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password (checked against the policy); the caller commits."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
