"""sent outbox rows keep no address; rows that name nobody keep times to the hour

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE outbox SET address = '' WHERE status = 'sent'")
    if op.get_bind().dialect.name == "postgresql":
        hour = "date_trunc('hour', {})"
    else:  # SQLite keeps times as text: 'YYYY-MM-DD HH:MM:SS.ffffff'
        hour = "strftime('%Y-%m-%d %H:00:00.000000', {})"
    op.execute(f"UPDATE check_events SET created_at = {hour.format('created_at')}")  # noqa: S608
    op.execute(f"UPDATE processed_events SET processed_at = {hour.format('processed_at')}")  # noqa: S608


def downgrade() -> None:
    """Nothing to restore: the finer times and the spent addresses are gone for good."""
