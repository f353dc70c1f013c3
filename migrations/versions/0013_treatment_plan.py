"""The treatment plan: a client's targets span sessions; a session works on targets, and its
sets and scores belong to the target they were run on. Each session's target and cognitions
become a target of its client's plan (one per client and target text), linked to the session,
its sets and its scores; the session keeps its own words as they were.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SESSION_TEXT = ("target", "negative_cognition", "positive_cognition")
# Which tables point at the target they belong to, and the name of that column.
POINTERS = {"therapy_session": "current_target_id", "stim_set": "target_id", "score": "target_id"}
KEEP_IDS = {"sqlite_autoincrement": True}  # SQLite never hands out an id twice (0009)


def upgrade():
    # EncryptedText (telehealth/vault.py) stores its tokens as text
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("image", sa.Text(), nullable=False),
        sa.Column("negative_cognition", sa.Text(), nullable=False),
        sa.Column("positive_cognition", sa.Text(), nullable=False),
        sa.Column("voc", sa.Integer(), nullable=True),
        sa.Column("emotions", sa.Text(), nullable=False),
        sa.Column("sud", sa.Integer(), nullable=True),
        sa.Column("body_location", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("floated_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_target_client_id_client", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["floated_from_id"],
            ["target.id"],
            name="fk_target_floated_from_id_target",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_target"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_target_client_id", "target", ["client_id"])
    op.create_table(
        "session_target",
        sa.Column("therapy_session_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["therapy_session_id"],
            ["therapy_session.id"],
            name="fk_session_target_therapy_session_id_therapy_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["target.id"],
            name="fk_session_target_target_id_target",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("therapy_session_id", "target_id", name="pk_session_target"),
    )
    op.create_index("ix_session_target_target_id", "session_target", ["target_id"])
    for table, column in POINTERS.items():
        # SQLite re-makes the table to add a foreign key: it must keep never re-using ids
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_{column}_target", "target", [column], ["id"], ondelete="SET NULL"
            )
            if table != "therapy_session":
                batch_op.create_index(f"ix_{table}_{column}", [column])
    _targets_from_sessions()


def _tables():
    """The columns this migration reads and writes, as they stand at this revision."""
    sessions = sa.table(
        "therapy_session",
        sa.column("id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("started_at", sa.DateTime),
        sa.column("current_target_id", sa.Integer),
        *(sa.column(name, sa.Text) for name in SESSION_TEXT),
    )
    targets = sa.table(
        "target",
        *(sa.column(name, sa.Integer) for name in ("id", "client_id", "voc", "sud", "position")),
        *(sa.column(name, sa.String) for name in ("kind", "status")),
        *(sa.column(name, sa.DateTime) for name in ("created_at", "updated_at")),
        *(
            sa.column(name, sa.Text)
            for name in ("title", "image", "emotions", "body_location", *SESSION_TEXT[1:])
        ),
    )
    links = sa.table(
        "session_target",
        sa.column("therapy_session_id", sa.Integer),
        sa.column("target_id", sa.Integer),
        sa.column("added_at", sa.DateTime),
    )
    stim_sets = sa.table(
        "stim_set",
        sa.column("id", sa.Integer),
        sa.column("therapy_session_id", sa.Integer),
        sa.column("target_id", sa.Integer),
    )
    scores = sa.table(
        "score",
        sa.column("id", sa.Integer),
        sa.column("therapy_session_id", sa.Integer),
        sa.column("stim_set_id", sa.Integer),
        sa.column("target_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("value", sa.Integer),
        sa.column("answered_at", sa.DateTime),
    )
    return sessions, targets, links, stim_sets, scores


def _same_target(text):
    """What two sessions' target texts are compared by: case and spacing aside."""
    return " ".join(text.split()).casefold()


def _targets_from_sessions():
    """A target of the plan for each client's distinct session target (or, with no target text,
    for each session with cognitions), linked to the session, its sets and its scores."""
    from telehealth.vault import current_vault

    vault = current_vault()
    bind = op.get_bind()
    sessions, targets, links, stim_sets, scores = _tables()
    made = {}  # (client id, compared text) -> target id
    positions = {}  # client id -> the next place in the plan
    rows = bind.execute(
        sa.select(sessions).order_by(sessions.c.client_id, sessions.c.started_at, sessions.c.id)
    ).mappings()
    for row in rows.all():
        text = {name: vault.decrypt(row[name]) if row[name] else "" for name in SESSION_TEXT}
        if not any(value.strip() for value in text.values()):
            continue
        key = (row["client_id"], _same_target(text["target"]) or f"session {row['id']}")
        cognitions = {
            name: vault.encrypt(text[name].strip())
            for name in SESSION_TEXT[1:]
            if text[name].strip()
        }
        if key in made:  # the latest wording of the cognitions is the plan's
            bind.execute(
                sa.update(targets)
                .where(targets.c.id == made[key])
                .values(updated_at=row["started_at"], **cognitions)
            )
        else:
            position = positions.get(row["client_id"], 0)
            positions[row["client_id"]] = position + 1
            title = text["target"].strip() or (
                f"Untitled target (session of {row['started_at']:%Y-%m-%d})"
            )
            empty = vault.encrypt("")
            values = {
                "client_id": row["client_id"],
                "kind": "past",
                "title": vault.encrypt(title),
                **{name: empty for name in ("image", "emotions", "body_location")},
                **{name: cognitions.get(name, empty) for name in SESSION_TEXT[1:]},
                "status": "not_started",
                "position": position,
                "created_at": row["started_at"],
                "updated_at": row["started_at"],
            }
            made[key] = bind.execute(
                sa.insert(targets).values(values).returning(targets.c.id)
            ).scalar_one()
        target_id = made[key]
        bind.execute(
            sa.insert(links).values(
                therapy_session_id=row["id"], target_id=target_id, added_at=row["started_at"]
            )
        )
        for table in (sessions, stim_sets, scores):
            column = "current_target_id" if table is sessions else "target_id"
            owner = table.c.id if table is sessions else table.c.therapy_session_id
            bind.execute(sa.update(table).where(owner == row["id"]).values({column: target_id}))
    for target_id in made.values():
        _assess_from_scores(bind, target_id)


def _assess_from_scores(bind, target_id):
    """A migrated target as assessed: the SUD and VOC its first session scored before any set;
    in progress once a set or a score belongs to it."""
    sessions, targets, links, stim_sets, scores = _tables()
    first_session = (
        sa.select(links.c.therapy_session_id)
        .where(links.c.target_id == target_id)
        .order_by(links.c.added_at, links.c.therapy_session_id)
        .limit(1)
        .scalar_subquery()
    )
    assessed = {}
    for kind in ("sud", "voc"):
        assessed[kind] = bind.execute(
            sa.select(scores.c.value)
            .where(
                scores.c.therapy_session_id == first_session,
                scores.c.stim_set_id.is_(None),
                scores.c.kind == kind,
                scores.c.value.is_not(None),
            )
            .order_by(scores.c.answered_at, scores.c.id)
            .limit(1)
        ).scalar()
    worked = bind.execute(
        sa.select(sa.literal(1)).where(
            sa.or_(
                sa.exists().where(stim_sets.c.target_id == target_id),
                sa.exists().where(scores.c.target_id == target_id, scores.c.value.is_not(None)),
            )
        )
    ).scalar()
    bind.execute(
        sa.update(targets)
        .where(targets.c.id == target_id)
        .values(status="in_progress" if worked else "not_started", **assessed)
    )


def _targets_back_to_sessions():
    """Before the plan goes: a session that kept no words of its own gets those of the targets
    it worked on, so the session record still names them."""
    from telehealth.vault import current_vault

    vault = current_vault()
    bind = op.get_bind()
    sessions, targets, links, _, _ = _tables()
    worked_on = bind.execute(
        sa.select(
            links.c.therapy_session_id,
            targets.c.title,
            targets.c.negative_cognition,
            targets.c.positive_cognition,
        )
        .join(targets, targets.c.id == links.c.target_id)
        .order_by(links.c.therapy_session_id, links.c.added_at, targets.c.id)
    ).all()
    words = {}
    for session_id, *text in worked_on:
        for name, token in zip(SESSION_TEXT, text):
            plain = vault.decrypt(token).strip()
            if plain:
                words.setdefault(session_id, {}).setdefault(name, []).append(plain)
    for session_id, found in words.items():
        row = bind.execute(sa.select(sessions).where(sessions.c.id == session_id)).mappings().one()
        if any(row[name] and vault.decrypt(row[name]).strip() for name in SESSION_TEXT):
            continue
        values = {name: vault.encrypt("; ".join(found.get(name, []))) for name in SESSION_TEXT}
        bind.execute(sa.update(sessions).where(sessions.c.id == session_id).values(values))


def downgrade():
    # Kept: every session's target and cognitions. Lost: the plan itself (targets no session
    # worked on, the rest of each assessment, statuses, order, links): restore the backup
    # made before upgrading to keep it.
    _targets_back_to_sessions()
    for table, column in POINTERS.items():
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch_op:
            if table != "therapy_session":
                batch_op.drop_index(f"ix_{table}_{column}")
            batch_op.drop_constraint(f"fk_{table}_{column}_target", type_="foreignkey")
            batch_op.drop_column(column)
    op.drop_index("ix_session_target_target_id", table_name="session_target")
    op.drop_table("session_target")
    op.drop_index("ix_target_client_id", table_name="target")
    op.drop_table("target")
