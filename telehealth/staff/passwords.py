"""Password hashing, run off the socket loop (a hash takes a CPU-bound fraction of a second)."""

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..blocking import run_blocking


def hash_password(password: str) -> str:
    # scrypt at OWASP's recommended cost (N=2**17, r=8, p=1) unless the config says otherwise.
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return run_blocking(generate_password_hash, password, method)


def check_password(password_hash: str, password: str) -> bool:
    return run_blocking(check_password_hash, password_hash, password)
