"""quizzes a class takes together in a group

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "class_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("bot_name", sa.String(length=64), nullable=True),
        sa.Column("quiz_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.String(length=64), nullable=True),
        sa.Column("poll_message", sa.Integer(), nullable=True),
        sa.Column("polls", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("leaderboard", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("ending", sa.Boolean(), nullable=False),
        sa.Column("next_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("started_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_runs")),
        sa.UniqueConstraint("group_key", name=op.f("uq_class_runs_group_key")),
    )
    op.create_index(op.f("ix_class_runs_next_at"), "class_runs", ["next_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_class_runs_next_at"), table_name="class_runs")
    op.drop_table("class_runs")
