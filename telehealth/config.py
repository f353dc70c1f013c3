"""Every setting, read from the environment with safe defaults, in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from . import vault
from .fastpath import jsonio


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def _engine_options(database_url: str) -> dict:
    """Connection pool settings. On a server database, every green thread waiting on a query
    holds a connection: a pool too small for the process's concurrency opens and closes
    connections all the time (measured: several % of a loaded process's CPU). Keep
    processes x (DB_POOL_SIZE + DB_MAX_OVERFLOW) below PostgreSQL's max_connections."""
    if database_url.startswith("sqlite"):
        # a file in this process: no connection to lose, nothing to ping
        return {"json_serializer": jsonio.dumps}
    # A server database's connections can break (a restart, a network cut): test each one
    # as it leaves the pool.
    return {
        "json_serializer": jsonio.dumps,
        "pool_pre_ping": True,
        "pool_size": int(_env_float("DB_POOL_SIZE", 20)),
        "max_overflow": int(_env_float("DB_MAX_OVERFLOW", 10)),
    }


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
    production = os.environ.get("TELEHEALTH_ENV", "development") == "production"
    return {
        # Development makes a key once into instance/; production must be given one.
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or (None if production else instance_secret_key(instance_path)),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Keys of the clinical text's encryption, newest first (telehealth/vault.py).
        "DATA_KEYS": overrides.get("DATA_KEYS")
        or _env_list("DATA_KEYS")
        or vault.instance_keys(instance_path),
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # None means same origin only; never "*".
        "SOCKETIO_ALLOWED_ORIGINS": origins.split(",") if origins else None,
        # Small, but room for a video call's session description (a few KB).
        "SOCKETIO_MAX_MESSAGE_BYTES": 64 * 1024,
        # A dropped client is noticed within ping_interval + ping_timeout seconds.
        "SOCKETIO_PING_INTERVAL": _env_float("SOCKETIO_PING_INTERVAL", 5.0),
        "SOCKETIO_PING_TIMEOUT": _env_float("SOCKETIO_PING_TIMEOUT", 5.0),
        # How long a socket's login or link check holds before the database is asked again.
        "SOCKET_RECHECK_S": _env_float("SOCKET_RECHECK_S", 10.0),
        # The event budget of a login or a link (all its sockets): a socket past it is told
        # and disconnected.
        "SOCKET_EVENTS_PER_S": _env_float("SOCKET_EVENTS_PER_S", 20.0),
        "SOCKET_EVENT_BURST": _env_float("SOCKET_EVENT_BURST", 60.0),
        # How many sockets one staff login and one join link may hold at once (per process).
        "SOCKETS_PER_LOGIN": int(os.environ.get("SOCKETS_PER_LOGIN", "4")),
        "SOCKETS_PER_LINK": int(os.environ.get("SOCKETS_PER_LINK", "3")),
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "JOIN_LINK_TTL_HOURS": _env_float("JOIN_LINK_TTL_HOURS", 4.0),
        # How many proxies (nginx) stand in front and set X-Forwarded-*; 0 when serving directly.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "STAFF_IDLE_TIMEOUT_MIN": _env_float("STAFF_IDLE_TIMEOUT_MIN", 30.0),
        "STAFF_SESSION_MAX_HOURS": _env_float("STAFF_SESSION_MAX_HOURS", 12.0),
        # An admin action needs the password again when the login is older than this.
        "REAUTH_AFTER_MIN": _env_float("REAUTH_AFTER_MIN", 5.0),
        "MFA_REQUIRED": _env_bool("MFA_REQUIRED", production),
        "TELEHEALTH_ENV": "production" if production else "development",
        # The video call's ICE servers (comma-separated URLs); TURN needs the shared secret.
        "STUN_URLS": _env_list("STUN_URLS"),
        "TURN_URLS": _env_list("TURN_URLS"),
        "TURN_SECRET": os.environ.get("TURN_SECRET") or None,
        "TURN_TTL_S": _env_float("TURN_TTL_S", 3600.0),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        # How often each process looks for sets that reached their end (0: never; tests).
        "SETTLE_INTERVAL_S": _env_float("SETTLE_INTERVAL_S", 0.1),
        # How often a served process copies SQLite's log into the database file, off the
        # socket loop (0: SQLite does it on the loop, in the commit that fills the log).
        "SQLITE_CHECKPOINT_S": _env_float("SQLITE_CHECKPOINT_S", 0.1),
        # Clinical fail-safe: a running set pauses when the client is gone this long.
        "CLIENT_GONE_PAUSE_S": _env_float("CLIENT_GONE_PAUSE_S", 10.0),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1"),
        # How blocking CPU work (password hashing) runs; wsgi.py hands in eventlet's thread pool.
        "RUN_BLOCKING": None,
    }


WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "secret-key", "development", "test"}


def production_problems(config: dict) -> list[str]:
    """What makes a production configuration unsafe to start (empty when it is fine)."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if len(key) < 32 or key.lower() in WEAK_KEYS:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters.")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on (serve over HTTPS).")
    return problems
