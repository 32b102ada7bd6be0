"""rosters: exemption applications (R-ROS-4) and stamped lists (R-ROS-5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exemption_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('retirement', 'health', name='exemptionreason', native_enum=False, length=32), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('state', sa.Enum('submitted', 'school_approved', 'school_rejected', 'approved', 'refused', name='exemptionstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('school_reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('school_reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('school_note', sa.String(length=500), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_exemption_applications_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exemption_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_reviewed_by_id'], ['users.id'], name=op.f('fk_exemption_applications_school_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_exemption_applications_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemption_applications'))
    )
    with op.batch_alter_table('exemption_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exemption_applications_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exemption_applications_state'), ['state'], unique=False)

    op.create_table('stamped_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('first_uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_stamped_lists_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_stamped_lists_school_id_schools')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stamped_lists_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stamped_lists')),
    sa.UniqueConstraint('competition_id', 'school_id', name=op.f('uq_stamped_lists_competition_id_school_id'))
    )
    with op.batch_alter_table('stamped_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stamped_lists_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stamped_lists_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stamped_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stamped_lists_school_id'))
        batch_op.drop_index(batch_op.f('ix_stamped_lists_competition_id'))
    op.drop_table('stamped_lists')
    with op.batch_alter_table('exemption_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemption_applications_state'))
        batch_op.drop_index(batch_op.f('ix_exemption_applications_entry_id'))
    op.drop_table('exemption_applications')
