"""FAQ store: FAQs, audit trail, unanswered questions.

Revision ID: kb0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "kb0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the knowledge-base tables."""
    op.create_table(
        "kb_faq",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("alternatives", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("owner", sa.String(80), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kb_faq_category", "kb_faq", ["category"])
    op.create_index("ix_kb_faq_status", "kb_faq", ["status"])
    op.create_table(
        "kb_faq_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("faq_id", sa.Integer, nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    op.create_index("ix_kb_faq_audit_faq_id", "kb_faq_audit", ["faq_id"])
    op.create_table(
        "kb_unanswered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question", sa.String(500), nullable=False, unique=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_asked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_asked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_channel", sa.String(20), nullable=True),
        sa.Column("best_faq_id", sa.Integer, nullable=True),
        sa.Column("best_score", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("faq_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_kb_unanswered_status", "kb_unanswered", ["status"])


def downgrade() -> None:
    """Drop the knowledge-base tables."""
    op.drop_table("kb_unanswered")
    op.drop_table("kb_faq_audit")
    op.drop_table("kb_faq")
