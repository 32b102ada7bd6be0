"""advancement: frozen quota units, nominations, voidable draws

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:40:00

R-Q-1..4 and R-DRAW-1/2: ``advancement_units`` holds the quota of each unit as frozen with its
stage and the unit's recommendation state; ``nominations`` the teachers a unit recommends before
confirmation; draws gain ``voided_at`` / ``void_reason`` for an announced draw withdrawn before
any value was entered.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('advancement_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('unit_key', sa.String(length=24), nullable=False),
    sa.Column('unit_school_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('competitors', sa.Integer(), nullable=False),
    sa.Column('exact_quota', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('recommended', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('rounding_note', sa.String(length=200), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_advancement_units_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_advancement_units_district_id_districts')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_advancement_units_stage_id_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_advancement_units_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_school_id'], ['schools.id'], name=op.f('fk_advancement_units_unit_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advancement_units')),
    sa.UniqueConstraint('stage_id', 'unit_key', name=op.f('uq_advancement_units_stage_id_unit_key'))
    )
    with op.batch_alter_table('advancement_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advancement_units_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_advancement_units_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_advancement_units_unit_school_id'), ['unit_school_id'], unique=False)

    op.create_table('nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_nominations_created_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_nominations_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_nominations_stage_id_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['advancement_units.id'], name=op.f('fk_nominations_unit_id_advancement_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations')),
    sa.UniqueConstraint('stage_id', 'entry_id', name=op.f('uq_nominations_stage_id_entry_id'))
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominations_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')

    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_nominations_stage_id'))
        batch_op.drop_index(batch_op.f('ix_nominations_entry_id'))
    op.drop_table('nominations')

    with op.batch_alter_table('advancement_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advancement_units_unit_school_id'))
        batch_op.drop_index(batch_op.f('ix_advancement_units_stage_id'))
        batch_op.drop_index(batch_op.f('ix_advancement_units_district_id'))
    op.drop_table('advancement_units')
