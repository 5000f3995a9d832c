"""notices.scope_kind / scope_values / expires_at: who a notice is for, and until when

Existing notices become community-wide (server defaults) and never expire.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cases.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(
            sa.Column(
                "scope_kind", sa.String(length=20), nullable=False, server_default="community"
            )
        )
        batch.add_column(
            sa.Column("scope_values", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("expires_at", cases.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scope_values")
        batch.drop_column("scope_kind")
