"""Retention: the records of clients whose treatment ended long enough ago are purged.

RETENTION_DAYS counts from when a client was archived (treatment ended) and from their last
session; 0 (the default) keeps every record for ever, as most jurisdictions require keeping
clinical records for years. `flask purge-expired` erases what is past the period, each client
with every session, set, score and join link, and leaves one audit row per client.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import Flask

from .extensions import db
from .models import Client, TherapySession, utcnow
from .staff import audit


def expired_clients(days: float, now: datetime | None = None) -> list[Client]:
    """Archived clients archived before the period began and with no session since."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    recent_session = sa.select(TherapySession.id).where(
        TherapySession.client_id == Client.id,
        sa.or_(TherapySession.started_at >= cutoff, TherapySession.ended_at >= cutoff),
    )
    return list(
        db.session.scalars(
            sa.select(Client)
            .where(
                Client.archived.is_(True),
                Client.archived_at < cutoff,
                ~recent_session.exists(),
            )
            .order_by(Client.id)
        )
    )


def purge(clients: list[Client]) -> None:
    """Erase the clients with all their records (the database cascades), one audit row each."""
    for client in clients:
        audit.log("client.purged", detail=f"client {client.id}", client_id=client.id)
        db.session.delete(client)


def init_app(app: Flask) -> None:
    @app.cli.command("purge-expired")
    @click.option("--dry-run", is_flag=True, help="Only say which clients would be purged.")
    def purge_expired_command(dry_run: bool) -> None:
        """Erase the records of clients archived more than RETENTION_DAYS ago."""
        days = float(app.config["RETENTION_DAYS"])
        if days <= 0:
            click.echo("RETENTION_DAYS is 0: records are kept for ever; nothing purged.")
            return
        clients = expired_clients(days)
        ids = ", ".join(str(client.id) for client in clients) or "none"
        if dry_run:
            click.echo(
                f"Would purge {len(clients)} client(s) archived over {days:g} days ago: {ids}."
            )
            return
        purge(clients)
        db.session.commit()
        click.echo(f"Purged {len(clients)} client(s) archived over {days:g} days ago: {ids}.")
