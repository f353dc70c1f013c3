"""Run blocking CPU work (password hashing) without stalling the socket loop."""

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

T = TypeVar("T")


def run_blocking(fn: Callable[..., T], *args) -> T:
    """Call ``fn`` through the configured runner (eventlet's thread pool when served)."""
    runner = current_app.config.get("RUN_BLOCKING")
    return runner(fn, *args) if runner else fn(*args)


def hash_password(password: str) -> str:
    # scrypt at OWASP's recommended cost (N=2**17, r=8, p=1) unless the config says otherwise.
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return run_blocking(generate_password_hash, password, method)


def check_password(password_hash: str, password: str) -> bool:
    return run_blocking(check_password_hash, password_hash, password)
