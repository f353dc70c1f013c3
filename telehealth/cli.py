"""Flask commands: `flask --app wsgi create-user EMAIL --role admin|therapist`."""

from __future__ import annotations

import sys

import click
from flask import Flask

from .extensions import db
from .models import ROLES
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
        db.session.commit()
        click.echo(f"Created {user.role} {user.email}.")
