"""TOTP multi-factor authentication and one-time recovery codes for staff."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from ..extensions import db
from ..models import RecoveryCode, User, utcnow

ISSUER = "EMDR Remote"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read back


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI, made here: the secret never leaves the server."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second step whose code this is (one step of clock drift allowed), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


def setup_step(secret: str, code: str) -> int | None:
    """The step of the code typed to confirm set-up (None: not right); pass it to enable()."""
    return _matching_step(secret, code)


def verify(user: User, code: str) -> bool:
    """Check a TOTP code; each code works once (replays of a used step are refused)."""
    if not user.mfa_secret:
        return False
    step = _matching_step(user.mfa_secret, code)
    if step is None or (user.mfa_last_step is not None and step <= user.mfa_last_step):
        return False
    user.mfa_last_step = step
    return True


def _hash_code(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the codes are shown once, only hashes are kept."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code; True if it was valid and unused."""
    if len(code) > 32:
        return False
    found = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = utcnow()
    return True


def enable(user: User, secret: str, used_step: int | None = None) -> list[str]:
    """Turn TOTP on; ``used_step``, the step of the code that confirmed it, is spent (that
    code cannot log in afterwards)."""
    user.mfa_secret = secret
    user.mfa_last_step = used_step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.mfa_secret = None
    user.mfa_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
