"""Password hashing: scrypt at the production cost, run through the configured runner."""

from __future__ import annotations

from telehealth.config import from_environment
from tests.support import Auth


def test_the_production_password_hash_is_scrypt_at_owasp_cost(tmp_path, monkeypatch):
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert from_environment(str(tmp_path), {"SECRET_KEY": "k"})["PASSWORD_HASH_METHOD"] == (
        "scrypt:131072:8:1"
    )


def test_password_hashing_runs_through_the_configured_runner(app, make):
    calls = []

    def runner(fn, *args):
        calls.append(fn.__name__)
        return fn(*args)

    app.config["RUN_BLOCKING"] = runner
    user = make.user()
    assert calls == ["generate_password_hash"]
    Auth(app.test_client()).login(user)
    assert calls == ["generate_password_hash", "check_password_hash"]
