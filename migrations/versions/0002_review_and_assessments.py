"""spaced review cards, assessment responses, attempt kinds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:30:43.708790
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.tables


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(length=40), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("last_review", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_cards_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cards")),
        sa.UniqueConstraint(
            "user_id", "quiz_id", "question_id", "language", name=op.f("uq_review_cards_user_id")
        ),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index("ix_review_cards_due", ["user_id", "due"], unique=False)

    op.create_table(
        "assessment_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=40), nullable=False),
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("headline_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("accurate", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("answered_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_assessment_responses_attempt_id_quiz_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_assessment_responses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_responses")),
        sa.UniqueConstraint(
            "attempt_id", "headline_id", name=op.f("uq_assessment_responses_attempt_id")
        ),
    )
    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_responses_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="quiz", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_responses_user_id"))

    op.drop_table("assessment_responses")
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cards_due")

    op.drop_table("review_cards")
