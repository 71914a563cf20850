"""subscriptions, processed events, check events, queued claims, feedback, outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 11:36:21.723374
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.tables


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("factcheck_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_events")),
    )
    with op.batch_alter_table("check_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_check_events_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("processed_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_events_processed_at"), ["processed_at"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("factcheck_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feedback_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_user_id"), ["user_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("not_before", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("created_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("sent_at", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["status", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "queued_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("factcheck_id", sa.String(length=40), nullable=True),
        sa.Column("answered_at", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_queued_claims_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_claims")),
    )
    with op.batch_alter_table("queued_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queued_claims_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_queued_claims_user_id"), ["user_id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("next_at", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.Column("created_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_subscriptions_user_id")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_next_at"), ["next_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_tokens", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("rate_at", bot.storage.tables.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("rate_warned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("awaiting", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_seen_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_last_seen_on"), ["last_seen_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_last_seen_on"))
        batch_op.drop_column("last_seen_on")
        batch_op.drop_column("awaiting")
        batch_op.drop_column("rate_warned")
        batch_op.drop_column("rate_at")
        batch_op.drop_column("rate_tokens")

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_next_at"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("queued_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queued_claims_user_id"))
        batch_op.drop_index(batch_op.f("ix_queued_claims_created_at"))

    op.drop_table("queued_claims")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_user_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))

    op.drop_table("feedback")
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_events_processed_at"))

    op.drop_table("processed_events")
    with op.batch_alter_table("check_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_events_created_at"))

    op.drop_table("check_events")
