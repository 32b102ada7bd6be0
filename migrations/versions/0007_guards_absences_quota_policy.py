"""guards: competitors recorded absent/withdrawn per stage; the quota policy stored at freezing

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:30:00

R-AW-1: ``stage_absences`` records a competitor absent (缺考) or withdrawn (弃权) from a stage with a
reason, so a prize list can be published once every competitor has a final result or such a record.
R-Q-3: ``advancement_units`` keeps the ratios and rounding policy in force when the stage's quotas
were frozen, shown with the frozen quotas whatever the competition's settings say later.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stage_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("absent", "withdrawn", name="absencekind", native_enum=False, length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_stage_absences_entry_id_entries"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_stage_absences_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_stage_absences_stage_id_stages"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_absences")),
        sa.UniqueConstraint("stage_id", "entry_id", name=op.f("uq_stage_absences_stage_id_entry_id")),
    )
    with op.batch_alter_table("stage_absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_absences_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stage_absences_stage_id"), ["stage_id"], unique=False)

    with op.batch_alter_table("advancement_units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quota_ratio", sa.Numeric(precision=6, scale=4), nullable=True))
        batch_op.add_column(sa.Column("recommend_ratio", sa.Numeric(precision=6, scale=4), nullable=True))
        batch_op.add_column(
            sa.Column("rounding", sa.Enum("per_unit", "largest_remainder", name="rounding", native_enum=False, length=32), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("advancement_units", schema=None) as batch_op:
        batch_op.drop_column("rounding")
        batch_op.drop_column("recommend_ratio")
        batch_op.drop_column("quota_ratio")
    with op.batch_alter_table("stage_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_absences_stage_id"))
        batch_op.drop_index(batch_op.f("ix_stage_absences_entry_id"))
    op.drop_table("stage_absences")
