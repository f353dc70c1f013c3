"""Flask commands: `flask --app wsgi create-user EMAIL --role admin|therapist`."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask

from . import vault
from .extensions import db
from .models import ROLES
from .staff import audit
from .staff.accounts import AccountError, create_user


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_user_command(email: str, role: str, password_stdin: bool) -> None:
        """Create a staff account (the password is prompted for, or read from stdin)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(email, password, role)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.flush()
        audit.log("account.created", detail=f"user {user.id} ({user.role}) by the command line")
        db.session.commit()
        click.echo(f"Created {user.role} {user.email}.")

    @app.cli.command("rotate-key")
    def rotate_key_command() -> None:
        """Encrypt the clinical text under a new data key; the old keys are then dropped.

        With DATA_KEYS in the environment, put the new key first there (`flask new-key` makes
        one) and run this; afterwards remove the old keys from DATA_KEYS.
        """
        from_env = bool(os.environ.get("DATA_KEYS"))
        keys = list(app.config["DATA_KEYS"])
        if not from_env:
            keys = [vault.new_key(), *keys]
        rotated = vault.Vault(keys)
        with db.engine.begin() as connection:
            count = vault.rotate_all(connection, db.metadata, rotated)
        if not from_env:
            vault.write_keys(vault.key_file(app.instance_path), keys[:1])
        app.extensions[vault.VAULT] = vault.Vault(keys[:1])
        click.echo(f"Re-encrypted {count} value(s) under the newest key.")
        if from_env:
            click.echo("Now remove every key but the first from DATA_KEYS.")

    @app.cli.command("new-key")
    def new_key_command() -> None:
        """Print a new data key (for DATA_KEYS)."""
        click.echo(vault.new_key())

    @app.cli.command("verify-audit")
    def verify_audit_command() -> None:
        """Check that no audit row was removed or altered; exit 1 naming the first that was."""
        problems = audit.verify()
        if problems:
            for row_id, what in problems:
                click.echo(f"audit row {row_id}: {what}", err=True)
            raise SystemExit(1)
        click.echo("The audit log is intact.")
