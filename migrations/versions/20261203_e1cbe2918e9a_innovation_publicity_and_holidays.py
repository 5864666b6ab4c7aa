"""Innovation 公示: public notices, their objections and the holiday list.

Revision ID: e1cbe2918e9a
Revises: fee24701cffc
Create Date: 2026-12-03 09:23:41.088665

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = 'e1cbe2918e9a'
down_revision = 'fee24701cffc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('innovation_holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_holiday')),
    sa.UniqueConstraint('day', name=op.f('uq_innovation_holiday_day'))
    )
    op.create_table('innovation_publicity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='publicity_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_innovation_publicity_ends_after_start')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_innovation_publicity_closed_by_id_user')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_innovation_publicity_opened_by_id_user')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_publicity_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_publicity')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_innovation_publicity_programme_id'))
    )
    op.create_table('innovation_public_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publicity_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'dismissed', name='public_objection_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_public_objection_application_id_innovation_application')),
    sa.ForeignKeyConstraint(['publicity_id'], ['innovation_publicity.id'], name=op.f('fk_innovation_public_objection_publicity_id_innovation_publicity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_innovation_public_objection_resolved_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_public_objection'))
    )
    with op.batch_alter_table('innovation_public_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_public_objection_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_public_objection_client_key'), ['client_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_public_objection_publicity_id'), ['publicity_id'], unique=False)



def downgrade():
    with op.batch_alter_table('innovation_public_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_public_objection_publicity_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_public_objection_client_key'))
        batch_op.drop_index(batch_op.f('ix_innovation_public_objection_application_id'))

    op.drop_table('innovation_public_objection')
    op.drop_table('innovation_publicity')
    op.drop_table('innovation_holiday')
