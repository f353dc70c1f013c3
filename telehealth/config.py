"""Every setting, read from the environment with safe defaults, in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

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
    connections all the time, which costs a loaded process CPU (bench/relay.py on PostgreSQL
    shows it). Keep the number of processes times (DB_POOL_SIZE + DB_MAX_OVERFLOW) below
    PostgreSQL's max_connections."""
    # hide_parameters: a statement's parameters (a note's text) never reach an exception's
    # text, and so never a log line or an error page.
    if database_url.startswith("sqlite"):
        # a file in this process: no connection to lose, nothing to ping
        return {"json_serializer": jsonio.dumps, "hide_parameters": True}
    # A server database's connections can break (a restart, a network cut): test each one
    # as it leaves the pool.
    return {
        "json_serializer": jsonio.dumps,
        "hide_parameters": True,
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


def _database_url(instance_path: str) -> str:
    """DATABASE_URL with the psycopg 3 driver named, else an SQLite file in instance/."""
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "telehealth.db")
    )
    for scheme in ("postgres://", "postgresql://"):
        if database_url.startswith(scheme):
            return "postgresql+psycopg://" + database_url[len(scheme) :]
    return database_url


def _socket_settings() -> dict:
    origins = os.environ.get("SOCKETIO_ALLOWED_ORIGINS")
    return {
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # None means same origin only; never "*".
        "SOCKETIO_ALLOWED_ORIGINS": origins.split(",") if origins else None,
        # Small, but room for a video call's session description.
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
    }


def _staff_settings(production: bool) -> dict:
    """Staff logins: cookies, timeouts, second factor, throttling, password hashing."""
    return {
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A form's token lives as long as the login (or the client's cookie) it belongs to, so
        # a panel left open keeps saving; logins end by their own timeouts.
        "WTF_CSRF_TIME_LIMIT": None,
        "STAFF_IDLE_TIMEOUT_MIN": _env_float("STAFF_IDLE_TIMEOUT_MIN", 30.0),
        "STAFF_SESSION_MAX_HOURS": _env_float("STAFF_SESSION_MAX_HOURS", 12.0),
        # An admin action needs the password again when the login is older than this.
        "REAUTH_AFTER_MIN": _env_float("REAUTH_AFTER_MIN", 5.0),
        "MFA_REQUIRED": _env_bool("MFA_REQUIRED", production),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1"),
    }


def _session_settings() -> dict:
    """Therapy sessions: join links, the video call, the loops that watch running sets."""
    return {
        "JOIN_LINK_TTL_HOURS": _env_float("JOIN_LINK_TTL_HOURS", 4.0),
        # The video call's ICE servers (comma-separated URLs); TURN needs the shared secret.
        "STUN_URLS": _env_list("STUN_URLS"),
        "TURN_URLS": _env_list("TURN_URLS"),
        "TURN_SECRET": os.environ.get("TURN_SECRET") or None,
        "TURN_TTL_S": _env_float("TURN_TTL_S", 3600.0),
        # How often each process looks for sets that reached their end (0: never; tests).
        "SETTLE_INTERVAL_S": _env_float("SETTLE_INTERVAL_S", 0.1),
        # How often a served process copies SQLite's log into the database file, off the
        # socket loop (0: SQLite does it on the loop, in the commit that fills the log).
        "SQLITE_CHECKPOINT_S": _env_float("SQLITE_CHECKPOINT_S", 0.1),
        # Clinical fail-safe: a running set pauses when the client is gone this long.
        "CLIENT_GONE_PAUSE_S": _env_float("CLIENT_GONE_PAUSE_S", 10.0),
        # ... and when the therapist's panel is gone this long (the client is told why).
        "THERAPIST_GONE_PAUSE_S": _env_float("THERAPIST_GONE_PAUSE_S", 10.0),
        # The practice's name, shown to clients on the welcome page and in page titles.
        "PRACTICE_NAME": os.environ.get("PRACTICE_NAME", "EMDR Remote").strip()[:80]
        or "EMDR Remote",
    }


def from_environment(instance_path: str, overrides: dict) -> dict:
    """The configuration for a running app; ``overrides`` (tests, wsgi.py) win over it."""
    database_url = _database_url(instance_path)
    production = os.environ.get("TELEHEALTH_ENV", "development") == "production"
    return {
        # Development makes a key once into instance/; production must be given one.
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or (None if production else instance_secret_key(instance_path)),
        "TELEHEALTH_ENV": "production" if production else "development",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        # Keys of the clinical text's encryption, newest first (telehealth/vault.py).
        "DATA_KEYS": overrides.get("DATA_KEYS")
        or _env_list("DATA_KEYS")
        or vault.instance_keys(instance_path),
        # How many proxies (nginx) stand in front and set X-Forwarded-*; 0 when serving directly.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Days after a client is archived (and their last session) before `flask purge-expired`
        # erases their records; 0 keeps records for ever (telehealth/retention.py).
        "RETENTION_DAYS": _env_float("RETENTION_DAYS", 0.0),
        # How blocking CPU work (password hashing) runs; wsgi.py hands in eventlet's thread pool.
        "RUN_BLOCKING": None,
        # Production checks deliberately skipped (names from SKIPPABLE_CHECKS); documented in
        # docs/security.md. Empty: every check applies.
        "ALLOW_UNSAFE_PRODUCTION": _env_list("ALLOW_UNSAFE_PRODUCTION"),
        **_socket_settings(),
        **_staff_settings(production),
        **_session_settings(),
    }


WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "secret-key", "development", "test"}
# The checks a deployment may skip on purpose, by name, in ALLOW_UNSAFE_PRODUCTION.
SKIPPABLE_CHECKS = (
    "SOCKETIO_ALLOWED_ORIGINS",
    "RATELIMIT_ENABLED",
    "MFA_REQUIRED",
    "PASSWORD_HASH_METHOD",
)
MIN_SCRYPT_N = 2**15  # OWASP's floor for scrypt (r=8, p=1)
MIN_PBKDF2_ITERATIONS = 600_000  # OWASP's floor for PBKDF2-HMAC-SHA256


def weak_secret_key(key: str) -> bool:
    """Too short, a known word, few distinct characters, or one piece repeated ("ab" * 20)."""
    repeated = (key + key).find(key, 1) < len(key)
    return len(key) < 32 or key.lower() in WEAK_KEYS or len(set(key)) < 10 or repeated


def weak_password_hash(method: str) -> bool:
    """Anything weaker than scrypt at N=2**15 or PBKDF2-SHA256/512 at 600,000 rounds, or unknown
    (Werkzeug's own defaults for a bare "scrypt" or "pbkdf2" meet these)."""
    name, *args = method.split(":")
    try:
        if name == "scrypt":
            n, r, p = (int(a) for a in args) if args else (MIN_SCRYPT_N, 8, 1)
            return n < MIN_SCRYPT_N or r < 8 or p < 1
        if name == "pbkdf2":
            digest, rounds = (args[0], int(args[1])) if args else ("sha256", MIN_PBKDF2_ITERATIONS)
            return digest not in ("sha256", "sha512") or rounds < MIN_PBKDF2_ITERATIONS
    except (ValueError, IndexError):
        return True
    return True


def production_problems(config: dict) -> list[str]:
    """What makes a production configuration unsafe to start (empty when it is fine).

    ALLOW_UNSAFE_PRODUCTION may name checks of SKIPPABLE_CHECKS to skip on purpose; the
    secret key, DEBUG and secure cookies are never skipped."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if weak_secret_key(key):
        problems.append(
            "SECRET_KEY must be set to a random value of at least 32 characters "
            "(not a word, not one character or piece repeated)."
        )
    if config.get("DEBUG"):
        problems.append("DEBUG must be off.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on (serve over HTTPS).")
    skipped = set(config.get("ALLOW_UNSAFE_PRODUCTION") or ())
    unknown = skipped - set(SKIPPABLE_CHECKS)
    if unknown:
        problems.append(
            f"ALLOW_UNSAFE_PRODUCTION names {', '.join(sorted(unknown))}: "
            f"only {', '.join(SKIPPABLE_CHECKS)} may be skipped."
        )
    origins = config.get("SOCKETIO_ALLOWED_ORIGINS")
    checks = {
        "SOCKETIO_ALLOWED_ORIGINS": (
            origins == "*" or (isinstance(origins, (list, tuple)) and "*" in origins),
            "SOCKETIO_ALLOWED_ORIGINS must not be *: name the site's own origins.",
        ),
        "RATELIMIT_ENABLED": (
            not config.get("RATELIMIT_ENABLED"),
            "RATELIMIT_ENABLED must be on (login and password throttling).",
        ),
        "MFA_REQUIRED": (
            not config.get("MFA_REQUIRED"),
            "MFA_REQUIRED must be on (staff log in with a second step).",
        ),
        "PASSWORD_HASH_METHOD": (
            weak_password_hash(str(config.get("PASSWORD_HASH_METHOD") or "")),
            "PASSWORD_HASH_METHOD must be scrypt with N of at least 2**15 (scrypt:32768:8:1) "
            "or pbkdf2:sha256 with at least 600000 iterations.",
        ),
    }
    problems += [message for name, (bad, message) in checks.items() if bad and name not in skipped]
    return problems


def load(app: Flask, overrides: dict) -> None:
    """Configure ``app`` from the environment, then ``overrides``; refuse an unsafe production."""
    # Keys, the SQLite database and the secret live here: readable by the app's user only.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(app.instance_path).chmod(0o700)
    app.config.update(from_environment(app.instance_path, overrides))
    app.config.update(overrides)
    if app.config["TELEHEALTH_ENV"] == "production":
        problems = production_problems(app.config)
        if problems:
            raise RuntimeError("Refusing to start in production: " + " ".join(problems))
