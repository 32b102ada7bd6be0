"""public: listings, announcements, objections

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:40:00

Placeholder in the chain; the public tables are added here.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
