"""sessions: per-user session token, per-account sign-in lockout, shared rate-limit counters

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00

``users.session_token`` replaces the integer ``session_nonce``: it is part of every session and
remember-me cookie, so a new token ends them all on every server. ``failed_signins`` /
``last_failed_signin_at`` / ``signin_locked_until`` lock an account after repeated wrong passwords or
QR PINs. ``rate_limit_counters`` holds Flask-Limiter's fixed-window counters when no Redis is configured,
so every worker and server shares one limit.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('failed_signins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_failed_signin_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('signin_locked_until', sa.DateTime(), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('failed_signins', existing_type=sa.Integer(), server_default=None)
        batch_op.drop_column('session_nonce')
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )


def downgrade():
    op.drop_table('rate_limit_counters')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_nonce', existing_type=sa.Integer(), server_default=None)
        batch_op.drop_column('signin_locked_until')
        batch_op.drop_column('last_failed_signin_at')
        batch_op.drop_column('failed_signins')
        batch_op.drop_column('session_token')
