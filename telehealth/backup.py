"""Encrypted backups of the whole database, made while the server runs, and their restore.

`flask backup PATH` takes a consistent snapshot (SQLite's online backup API; pg_dump on
PostgreSQL, one transaction) and writes it encrypted with the newest data key, readable by its
owner only. `flask restore PATH` brings it back into an empty database (or any, with
``--force``). The data keys that decrypt the clinical text also decrypt the backups: a backup
needs the keys it was made under, and neither is any use without the other.

A file is a plain header naming the format (``EMDRBACKUP1 sqlite`` or ``EMDRBACKUP1
postgresql``) and a Fernet token (AES-128-CBC with an HMAC-SHA256) of the snapshot.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import click
import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import Flask

from .extensions import db
from .models import User
from .staff import audit
from .vault import Vault, current_vault

MAGIC = b"EMDRBACKUP1"
KINDS = ("sqlite", "postgresql")
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class BackupError(RuntimeError):
    pass


def seal(kind: str, snapshot: bytes, vault: Vault) -> bytes:
    """The backup file's bytes: the header, then the snapshot encrypted under the newest key."""
    return MAGIC + b" " + kind.encode() + b"\n" + vault.fernet.encrypt(snapshot)


def unseal(blob: bytes, vault: Vault) -> tuple[str, bytes]:
    """(kind, snapshot) of a backup file; BackupError when it is not one, was altered, or was
    made under data keys this app does not hold."""
    header, _, token = blob.partition(b"\n")
    magic, _, kind = header.partition(b" ")
    if magic != MAGIC or kind.decode(errors="replace") not in KINDS:
        raise BackupError("This is not an EMDR backup file.")
    try:
        return kind.decode(), vault.fernet.decrypt(token)
    except InvalidToken as exc:
        raise BackupError(
            "The backup could not be decrypted: the file was altered or damaged, or it was made "
            "under data keys that are not among DATA_KEYS. Nothing was changed."
        ) from exc


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (never briefly readable by others)."""
    temporary = path.with_name(path.name + ".partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    temporary.replace(path)


# SQLite


def _sqlite_path(engine: sa.Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up.")
    return path


def sqlite_snapshot(engine: sa.Engine) -> bytes:
    """The database as one consistent image, copied in one step while others write."""
    with (
        closing(sqlite3.connect(_sqlite_path(engine))) as source,
        closing(sqlite3.connect(":memory:")) as copy,
    ):
        source.backup(copy)
        image = bytearray(copy.serialize())
    # Mark the image as using a rollback journal (not WAL), so that it can be opened in
    # memory; a restored database goes back to WAL when the app opens it.
    image[18] = image[19] = 1
    return bytes(image)


def sqlite_restore(engine: sa.Engine, image: bytes) -> None:
    """Replace the database's content with the image, checked before and after."""
    with closing(sqlite3.connect(":memory:")) as copy:
        try:
            copy.deserialize(image)
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"The backed-up database is damaged: {exc}.") from exc
        if check != "ok":
            raise BackupError(f"The backed-up database is damaged: {check}.")
        engine.dispose()
        # Written through SQLite's own pager, so the file's write-ahead log stays consistent.
        with closing(sqlite3.connect(_sqlite_path(engine))) as target:
            copy.backup(target)
    engine.dispose()
    with engine.connect() as connection:
        check = connection.exec_driver_sql("PRAGMA integrity_check").scalar_one()
    if check != "ok":
        raise BackupError(f"The restored database failed its integrity check: {check}.")


# PostgreSQL


def _libpq(engine: sa.Engine) -> tuple[str, dict[str, str]]:
    """The database's libpq URL (without the password) and the environment for its tools."""
    url = engine.url
    env = {**os.environ, "PGCLIENTENCODING": "UTF8"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_schema(engine: sa.Engine) -> str:
    """The schema the app works in: the search_path given in the URL's options, or public."""
    options = engine.url.query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    match = re.search(r"search_path\s*=\s*([^\s,]+)", options)
    schema = match.group(1) if match else "public"
    if not SCHEMA_NAME.fullmatch(schema):
        raise BackupError(f"Schema name {schema!r} is not a plain lower-case name.")
    return schema


def _run(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, env=env, capture_output=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools).") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def pg_snapshot(engine: sa.Engine) -> bytes:
    """The app's schema as SQL, dumped by pg_dump in one transaction while others write."""
    url, env = _libpq(engine)
    schema = pg_schema(engine)
    dump = _run(
        ["pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--dbname", url], env
    )
    return f"-- emdr schema: {schema}\n".encode() + dump


def _into_schema(dump: str, source: str, target: str) -> str:
    """The dump's statements on the target schema; rows (COPY data) are left as they are."""
    name = re.compile(rf'(?<![\w."]){re.escape(source)}\.')
    lines, in_rows = [], False
    for line in dump.split("\n"):
        if in_rows:
            in_rows = line != "\\."
        elif line.startswith(("CREATE SCHEMA ", "ALTER SCHEMA ", "COMMENT ON SCHEMA ")):
            continue  # the target schema exists already
        else:
            in_rows = line.startswith("COPY ") and line.endswith(" FROM stdin;")
            line = name.sub(target + ".", line)
        lines.append(line)
    return "\n".join(lines)


def pg_restore(engine: sa.Engine, snapshot: bytes) -> None:
    """Drop the schema's tables and load the dump, in one transaction (psql)."""
    first, _, dump = snapshot.partition(b"\n")
    source = first.decode().removeprefix("-- emdr schema: ")
    if not SCHEMA_NAME.fullmatch(source):
        raise BackupError("The backed-up dump does not name its schema.")
    target = pg_schema(engine)
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names(schema=target)
    drops = "".join(f'DROP TABLE IF EXISTS {target}."{table}" CASCADE;\n' for table in tables)
    sql = drops + _into_schema(dump.decode(), source, target)
    url, env = _libpq(engine)
    engine.dispose()
    _run(
        ["psql", "-X", "-q", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--dbname", url],
        env,
        stdin=sql.encode(),
    )
    engine.dispose()


# Both


def _kind(engine: sa.Engine) -> str:
    name = engine.dialect.name
    if name not in KINDS:
        raise BackupError(f"Backups of {name} databases are not supported.")
    return name


def snapshot(engine: sa.Engine) -> tuple[str, bytes]:
    kind = _kind(engine)
    return kind, sqlite_snapshot(engine) if kind == "sqlite" else pg_snapshot(engine)


def restore(engine: sa.Engine, kind: str, data: bytes) -> None:
    if kind != _kind(engine):
        raise BackupError(f"This is a {kind} backup; the database is {engine.dialect.name}.")
    if kind == "sqlite":
        sqlite_restore(engine, data)
    else:
        pg_restore(engine, data)


def is_empty() -> bool:
    """Whether the database holds no account (a fresh install): safe to restore into."""
    if not sa.inspect(db.engine).has_table(User.__tablename__):
        return True
    return not db.session.scalar(sa.select(sa.func.count()).select_from(User))


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def init_app(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Write an encrypted snapshot of the database to PATH (safe while the server runs)."""
        started = time.monotonic()
        try:
            kind, data = snapshot(db.engine)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        blob = seal(kind, data, current_vault())
        write_private(path, blob)
        audit.log("backup.made", detail=kind)
        db.session.commit()
        took = time.monotonic() - started
        click.echo(f"Backed up {kind} ({_size(len(blob))}) in {took:.2f} s to {path}.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that holds data.")
    def restore_command(path: Path, force: bool) -> None:
        """Replace the database with the backup at PATH (stop the server first)."""
        started = time.monotonic()
        try:
            kind, data = unseal(path.read_bytes(), current_vault())
            if not force and not is_empty():
                raise BackupError(
                    "The database holds data: restoring would replace it. "
                    "Use --force to replace it."
                )
            db.session.remove()
            restore(db.engine, kind, data)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        audit.log("backup.restored", detail=kind)
        db.session.commit()
        took = time.monotonic() - started
        click.echo(f"Restored {kind} from {path} in {took:.2f} s.")
