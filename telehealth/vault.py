"""Clinical text encrypted field by field, with keys held outside the database.

Every column of clinical free text is an ``EncryptedText``: it is written as a Fernet token
(AES-128-CBC with an HMAC-SHA256, from `cryptography`) and read back as text, so a copy of the
database alone reveals none of it. The keys come from ``DATA_KEYS`` (the environment, newest
first) or from ``instance/data_keys`` (one per line, newest first, readable by its owner
only, made on first start). The newest key encrypts; every key listed decrypts, so a key is
rotated by adding a new one first and re-encrypting (``flask rotate-key``).
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

VAULT = "telehealth.vault"
KEY_FILE = "data_keys"


class VaultError(RuntimeError):
    pass


class Vault:
    def __init__(self, keys: list[str]):
        if not keys:
            raise VaultError("No data key: set DATA_KEYS or keep instance/data_keys.")
        try:
            self.keys = [Fernet(key) for key in keys]
        except ValueError as exc:
            raise VaultError("A data key is not a Fernet key (32 url-safe base64 bytes).") from exc
        self.fernet = MultiFernet(self.keys)

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise VaultError("Stored text could not be decrypted with any data key.") from exc

    def rotate(self, token: str) -> str:
        """The same text under the newest key."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def key_file(instance_path: str) -> Path:
    return Path(instance_path) / KEY_FILE


def write_keys(path: Path, keys: list[str]) -> None:
    """Write the key file readable by its owner only (never briefly readable by others)."""
    temporary = path.with_suffix(".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        f.write("\n".join(keys) + "\n")
    temporary.replace(path)


def instance_keys(instance_path: str) -> list[str]:
    """The keys kept in the instance folder, made once on first start."""
    path = key_file(instance_path)
    if not path.exists():
        write_keys(path, [new_key()])
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def init_app(app: Flask) -> None:
    app.extensions[VAULT] = Vault(app.config["DATA_KEYS"])


def current_vault() -> Vault:
    return current_app.extensions[VAULT]


class EncryptedText(sa.TypeDecorator):
    """Text stored encrypted with the app's data keys (read and written in an app context)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else current_vault().encrypt(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else current_vault().decrypt(value)


def encrypted_columns(metadata: sa.MetaData) -> list[sa.Column]:
    """Every EncryptedText column of the schema (for rotation and migrations)."""
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def rotate_all(connection: sa.Connection, metadata: sa.MetaData, vault: Vault) -> int:
    """Re-encrypt every encrypted value under the newest key; the number of values rewritten.
    Reads and writes the raw tokens (the columns' own types would decrypt and encrypt); a row
    is found by its table's primary key (``id``, or both ids of a link table)."""
    rewritten = 0
    for column in encrypted_columns(metadata):
        keys = [key.name for key in column.table.primary_key.columns]
        raw = sa.table(
            column.table.name,
            *(sa.column(key, sa.Integer) for key in keys),
            sa.column(column.name, sa.Text),
        )
        token_column = raw.c[column.name]
        rows = connection.execute(sa.select(raw).where(token_column.is_not(None))).all()
        for *ids, token in rows:
            where = [raw.c[key] == value for key, value in zip(keys, ids, strict=True)]
            connection.execute(
                sa.update(raw).where(*where).values({token_column: vault.rotate(token)})
            )
            rewritten += 1
    return rewritten
