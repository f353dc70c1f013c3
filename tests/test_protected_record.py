"""The record at rest: clinical text encrypted with keys outside the database, key rotation,
ids never named twice, the audit log chained so a removed or altered row is found."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask_migrate import upgrade

from telehealth import create_app, vault
from telehealth.extensions import db
from telehealth.models import AuditEvent, Client, JoinLink, Target, TherapySession, session_target
from telehealth.staff import audit
from tests.support import Auth, csrf_token

SECRETS = {
    "pseudonym": "Zephyrine-Pseudonym",
    "preferences": "PREFERS-SLOW-YELLOW",
    "target": "TARGET-CAR-ACCIDENT",
    "notes": "NOTE-NIGHTMARES-AGAIN",
}


def clinical_rows(make):
    therapist = make.user()
    client = make.client(therapist, SECRETS["pseudonym"])
    client.preferences = SECRETS["preferences"]
    therapy_session = TherapySession.open(client, 0.0)
    therapy_session.target, therapy_session.notes = SECRETS["target"], SECRETS["notes"]
    db.session.add(therapy_session)
    db.session.commit()
    return client, therapy_session


def raw_values(table: str, columns: list[str]) -> list[str]:
    query = f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608 (the test's own names)
    found = db.session.execute(sa.text(query)).all()
    return [value for row in found for value in row if value is not None]


def test_clinical_text_is_stored_as_tokens_and_read_back_as_text(app, make):
    client, therapy_session = clinical_rows(make)
    stored = raw_values("client", ["pseudonym", "preferences"]) + raw_values(
        "therapy_session", ["target", "notes", "negative_cognition"]
    )
    assert stored and all(value.startswith("gAAAAA") for value in stored)
    assert not any(secret in value for value in stored for secret in SECRETS.values())
    db.session.expire_all()
    assert db.session.get(Client, client.id).preferences == SECRETS["preferences"]
    assert db.session.get(TherapySession, therapy_session.id).notes == SECRETS["notes"]


@pytest.fixture
def app_config(tmp_path):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'clinic.db'}"}


def test_a_copy_of_the_database_file_alone_reveals_no_clinical_text(app, make, client, tmp_path):
    therapist = make.user()
    Auth(client).login(therapist)
    page = client.post(
        "/therapist/clients", data={"pseudonym": SECRETS["pseudonym"], "csrf_token": _token(client)}
    )
    assert page.status_code == 302
    (made,) = db.session.scalars(sa.select(Client)).all()
    start = client.post(
        f"/therapist/clients/{made.id}/sessions", data={"csrf_token": _token(client)}
    )
    session_id = int(start.location.rsplit("/", 1)[1])
    saved = client.post(
        f"/therapist/sessions/{session_id}/record",
        json={"target": SECRETS["target"], "notes": SECRETS["notes"]},
        headers={"X-CSRFToken": _token(client)},
    )
    assert saved.status_code == 200
    db.session.remove()
    db.engine.dispose()  # everything written to the file and its log
    files = [p for p in Path(tmp_path).glob("clinic.db*") if p.is_file()]
    everything = b"".join(p.read_bytes() for p in files)
    assert b"gAAAAA" in everything  # the tokens are there
    for secret in (SECRETS["pseudonym"], SECRETS["target"], SECRETS["notes"]):
        assert secret.encode() not in everything


def _token(client) -> str:

    return csrf_token(client.get("/therapist/clients"))


def test_rotating_the_key_re_encrypts_everything_and_drops_the_old_key(app, make, monkeypatch):
    monkeypatch.delenv("DATA_KEYS", raising=False)
    client, therapy_session = clinical_rows(make)
    old_keys = vault.key_file(app.instance_path).read_text().split()
    before = raw_values("therapy_session", ["notes"])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 0, result.output
    new_keys = vault.key_file(app.instance_path).read_text().split()
    assert len(new_keys) == 1 and new_keys[0] not in old_keys
    after = raw_values("therapy_session", ["notes"])
    assert after != before
    with pytest.raises(InvalidToken):
        Fernet(old_keys[0]).decrypt(after[0].encode())
    assert Fernet(new_keys[0]).decrypt(after[0].encode()).decode() == SECRETS["notes"]
    db.session.expire_all()
    assert db.session.get(TherapySession, therapy_session.id).notes == SECRETS["notes"]
    assert db.session.get(Client, client.id).pseudonym == SECRETS["pseudonym"]
    assert oct(vault.key_file(app.instance_path).stat().st_mode & 0o777) == "0o600"


def test_text_under_an_unknown_key_is_refused_with_a_clear_error(app, make):
    clinical_rows(make)
    app.extensions[vault.VAULT] = vault.Vault([vault.new_key()])
    db.session.expire_all()
    with pytest.raises(vault.VaultError, match="could not be decrypted"):
        db.session.scalars(sa.select(TherapySession)).all()
    db.session.rollback()


def test_ids_are_never_named_twice_after_a_delete(app, make):
    therapy_session = make.session()
    link, _ = make.link(therapy_session)
    old = (therapy_session.client_id, therapy_session.id, link.id)
    db.session.delete(db.session.get(Client, therapy_session.client_id))
    db.session.commit()
    again = make.session()
    link_again, _ = make.link(again)
    assert again.client_id > old[0] and again.id > old[1] and link_again.id > old[2]


def test_the_audit_chain_finds_an_altered_and_a_removed_row(app):
    for n in range(5):
        audit.log("test.event", detail=f"n {n}")
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
    # the ORM refuses to touch the log; an attacker with the database file does not ask it
    db.session.execute(sa.text("UPDATE audit_event SET detail='n 9' WHERE id=:i"), {"i": ids[1]})
    db.session.commit()
    altered = runner.invoke(args=["verify-audit"])
    assert altered.exit_code == 1 and f"audit row {ids[1]}: this row was altered" in altered.output
    db.session.execute(sa.text("UPDATE audit_event SET detail='n 1' WHERE id=:i"), {"i": ids[1]})
    db.session.execute(sa.text("DELETE FROM audit_event WHERE id=:i"), {"i": ids[3]})
    db.session.commit()
    removed = runner.invoke(args=["verify-audit"])
    assert removed.exit_code == 1 and f"audit row {ids[4]}: a row before it" in removed.output


OLD_SESSION_COLUMNS = (
    "INSERT INTO therapy_session (id, client_id, therapist_id, started_at, stim_rev, "
    "stim_state, target, negative_cognition, positive_cognition, phases, notes, record_rev, "
    "video_enabled, therapist_in_call, client_in_call, waiting_room) "
)


def test_upgrading_an_older_database_encrypts_its_text_and_chains_its_audit(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(
        {"SECRET_KEY": "k" * 40, "INSTANCE_PATH": str(tmp_path), **{"SQLALCHEMY_DATABASE_URI": uri}}
    )
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO user (id, email, password_hash, role, active, created_at, "
                    "must_change_password, password_changed_at) VALUES "
                    "(1, 't@example.org', 'x', 'therapist', 1, '2026-01-01', 0, '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO client (id, therapist_id, pseudonym, preferences, archived, "
                    "created_at) VALUES (1, 1, 'Old Pseudonym', 'Old preference', 0, '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    OLD_SESSION_COLUMNS
                    + "VALUES (7, 1, 1, '2026-01-01', 0, '{}', 'Old target', 'I am bad', "
                    "'I am ok', "
                    "'[]', 'Old notes', 0, 1, 0, 0, 0)"
                )
            )
            for n in range(3):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_event (at, action, detail) VALUES "
                        "(:at, 'old.event', :detail)"
                    ),
                    {"at": f"2026-01-0{n + 1} 10:00:00", "detail": f"n {n}"},
                )
            conn.execute(
                sa.text(
                    OLD_SESSION_COLUMNS
                    + "VALUES (6, 1, 1, '2026-01-01', 0, '{}', 'Old target', 'I am bad', "
                    "'I am ok', "
                    "'[]', 'Old notes', 0, 1, 0, 0, 0)"
                )
            )
        upgrade()
        stored = raw_values("therapy_session", ["target", "notes", "negative_cognition"])
        assert all(v.startswith("gAAAAA") for v in stored)
        kept = db.session.get(TherapySession, 6)
        assert (kept.target, kept.notes, kept.negative_cognition) == (
            "Old target",
            "Old notes",
            "I am bad",
        )
        assert db.session.get(Client, 1).preferences == "Old preference"
        assert audit.verify() == []
        db.session.execute(sa.delete(TherapySession).where(TherapySession.id == 7))
        fresh = TherapySession.open(db.session.get(Client, 1), 0.0)
        db.session.add(fresh)
        db.session.add(JoinLink(therapy_session=fresh, token_hash="h", expires_at=kept.started_at))
        db.session.commit()
        assert fresh.id == 8  # not 7, which the deleted row had
        db.session.remove()
        db.engine.dispose()


def test_rotating_the_key_re_encrypts_the_body_scan_kept_on_a_link_table(app, make, monkeypatch):
    monkeypatch.delenv("DATA_KEYS", raising=False)
    client, therapy_session = clinical_rows(make)
    target = Target(client_id=client.id, kind="past", title="The flood")
    therapy_session.targets.append(target)
    db.session.commit()
    db.session.execute(
        sa.update(session_target).values(body_scan="sensation", body_scan_note="SCAN-TIGHT-CHEST")
    )
    db.session.commit()
    before = raw_values("session_target", ["body_scan_note"])
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 0, result.output
    (new_key,) = vault.key_file(app.instance_path).read_text().split()
    (after,) = raw_values("session_target", ["body_scan_note"])
    assert [after] != before
    assert Fernet(new_key).decrypt(after.encode()).decode() == "SCAN-TIGHT-CHEST"
