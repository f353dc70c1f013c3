"""Every setting, read from the environment with safe defaults, in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def instance_secret_key(instance_path: str) -> str:
    """The SECRET_KEY kept in the instance folder, made once on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str, overrides: dict) -> dict:
    """The configuration for a running app; ``overrides`` (tests, wsgi.py) win over it."""
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "telehealth.db")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    origins = os.environ.get("SOCKETIO_ALLOWED_ORIGINS")
    return {
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # None means same origin only; never "*".
        "SOCKETIO_ALLOWED_ORIGINS": origins.split(",") if origins else None,
        "SOCKETIO_MAX_MESSAGE_BYTES": 16 * 1024,
        # A dropped client is noticed within ping_interval + ping_timeout seconds.
        "SOCKETIO_PING_INTERVAL": _env_float("SOCKETIO_PING_INTERVAL", 5.0),
        "SOCKETIO_PING_TIMEOUT": _env_float("SOCKETIO_PING_TIMEOUT", 5.0),
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "JOIN_LINK_TTL_HOURS": _env_float("JOIN_LINK_TTL_HOURS", 4.0),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How often each process looks for sets that reached their end (0: never; tests).
        "SETTLE_INTERVAL_S": _env_float("SETTLE_INTERVAL_S", 0.1),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1"),
        # How blocking CPU work (password hashing) runs; wsgi.py hands in eventlet's thread pool.
        "RUN_BLOCKING": None,
    }
