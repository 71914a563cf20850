"""answers are unique per attempt, quiz and question (reviews mix quizzes)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_answers_attempt_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_answers_attempt_question", ["attempt_id", "quiz_id", "question_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_answers_attempt_question", type_="unique")
        batch_op.create_unique_constraint("uq_answers_attempt_id", ["attempt_id", "question_id"])
