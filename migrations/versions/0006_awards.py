"""awards: published award lists (snapshots) and certificate codes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:40:00

R-AW-1..3: ``award_releases`` is one publication of an award list (live until withdrawn with a
reason; at most one live list per competition and scope, enforced by a unique constraint on
(competition_id, scope_key, live) with live NULL once withdrawn); ``awards`` holds its rows as
published, each with its R-AW-2 verification code.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('award_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('semifinal', 'final', 'team', 'organisation', name='awardkind', native_enum=False, length=32), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('scope_key', sa.String(length=32), nullable=False),
    sa.Column('issuer', sa.String(length=128), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_award_releases_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_award_releases_district_id_districts')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_award_releases_published_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_award_releases_stage_id_stages')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_award_releases_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_releases')),
    sa.UniqueConstraint('competition_id', 'scope_key', 'live', name=op.f('uq_award_releases_competition_id_scope_key_live'))
    )
    with op.batch_alter_table('award_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_releases_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_releases_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_releases_stage_id'), ['stage_id'], unique=False)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('prize', sa.Enum('first', 'second', 'third', 'team', 'organisation', name='prize', native_enum=False, length=32), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=128), nullable=False),
    sa.Column('school_name', sa.String(length=128), nullable=True),
    sa.Column('district_name', sa.String(length=64), nullable=True),
    sa.Column('entrant_number', sa.Integer(), nullable=True),
    sa.Column('group', sa.Enum('primary_youth', 'junior_youth', 'senior', name='group', native_enum=False, length=32), nullable=True),
    sa.Column('subject_label', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('score', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('participation', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_awards_district_id_districts')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_awards_entry_id_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['release_id'], ['award_releases.id'], name=op.f('fk_awards_release_id_award_releases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_awards_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('code', name=op.f('uq_awards_code'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_release_id'), ['release_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_school_id'))
        batch_op.drop_index(batch_op.f('ix_awards_release_id'))
        batch_op.drop_index(batch_op.f('ix_awards_entry_id'))
        batch_op.drop_index(batch_op.f('ix_awards_district_id'))
    op.drop_table('awards')
    with op.batch_alter_table('award_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_releases_stage_id'))
        batch_op.drop_index(batch_op.f('ix_award_releases_district_id'))
        batch_op.drop_index(batch_op.f('ix_award_releases_competition_id'))
    op.drop_table('award_releases')
