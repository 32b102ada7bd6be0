"""rosters: exemptions, stamped lists, roster locks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:40:00

Placeholder in the chain; the rosters tables are added here.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
