"""Notifications (message id, parameters, link, read time, e-mail state; an optional e-mail address for
copies) and the audit trail's indexes for the admin page's filters (object, actor, action: each with seq,
so the newest come straight off the index; the time, for date ranges)

Revision ID: 0b2e6ab29888
Revises: c8dc7b3cc880
Create Date: 2026-12-03 06:43:56.364217

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = '0b2e6ab29888'
down_revision = 'c8dc7b3cc880'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mail_state', sa.Enum('none', 'pending', 'sending', 'sent', 'failed', name='notification_mail_state', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_mail_state', ['mail_state'], unique=False)
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at', 'id'], unique=False)

    op.create_table('notification_mail_address',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_mail_address_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_mail_address'))
    )


    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_object'))
        batch_op.create_index('ix_audit_event_action_seq', ['action', 'seq'], unique=False)
        batch_op.create_index('ix_audit_event_actor_seq', ['actor_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_event_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_audit_event_object_seq', ['object_type', 'object_id', 'seq'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object_seq')
        batch_op.drop_index('ix_audit_event_created_at')
        batch_op.drop_index('ix_audit_event_actor_seq')
        batch_op.drop_index('ix_audit_event_action_seq')
        batch_op.create_index(batch_op.f('ix_audit_event_object'), ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)

    op.drop_table('notification_mail_address')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
        batch_op.drop_index('ix_notification_mail_state')

    op.drop_table('notification')
