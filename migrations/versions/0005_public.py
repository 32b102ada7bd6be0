"""public: listings, announcements, objections

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:40:00

The public listing (公示) periods, the organisers' announcements and objections (R-PUB-1, R-PUB-2).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_public_listings_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_public_listings_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_public_listings_district_id_districts')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_public_listings_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_listings'))
    )
    with op.batch_alter_table('public_listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_listings_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_listings_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_listings_stage_id'), ['stage_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users')),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_announcements_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_announcements_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_published_at'), ['published_at'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('filer_name', sa.String(length=64), nullable=True),
    sa.Column('filer_phone', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('pending', 'dismissed', 'upheld', name='objectionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('fraud', sa.Boolean(), nullable=False),
    sa.Column('resolution_note', sa.String(length=500), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_objections_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_objections_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['listing_id'], ['public_listings.id'], name=op.f('fk_objections_listing_id_public_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_objections_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_objections_tracking_code'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_status'))
        batch_op.drop_index(batch_op.f('ix_objections_listing_id'))
        batch_op.drop_index(batch_op.f('ix_objections_entry_id'))
        batch_op.drop_index(batch_op.f('ix_objections_competition_id'))
    op.drop_table('objections')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_published_at'))
        batch_op.drop_index(batch_op.f('ix_announcements_district_id'))
        batch_op.drop_index(batch_op.f('ix_announcements_competition_id'))
    op.drop_table('announcements')
    with op.batch_alter_table('public_listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_listings_stage_id'))
        batch_op.drop_index(batch_op.f('ix_public_listings_district_id'))
        batch_op.drop_index(batch_op.f('ix_public_listings_competition_id'))
    op.drop_table('public_listings')
