"""Apprenticeship: master register, apprentice profiles and preferences, programmes, proposed pairs

Revision ID: b75d9265614c
Revises: e1cbe2918e9a
Create Date: 2026-12-03 10:45:17.533706

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = 'b75d9265614c'
down_revision = 'e1cbe2918e9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apprenticeship_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('cycle', sa.String(length=20), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('master_apprentice', 'graduate_student', name='apprenticeship_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('pairing_mode', sa.Enum('assigned', 'two_way', 'open_application', name='pairing_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('default_months', sa.SmallInteger(), nullable=False),
    sa.Column('stipend_monthly', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('bonus', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('max_level_gap', sa.SmallInteger(), nullable=True),
    sa.Column('same_unit', sa.Enum('any', 'required', 'forbidden', name='same_unit_rule', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'matching', 'active', 'closed', name='apprenticeship_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bonus IS NULL OR bonus >= 0', name=op.f('ck_apprenticeship_programme_programme_bonus_positive')),
    sa.CheckConstraint('default_months > 0', name=op.f('ck_apprenticeship_programme_programme_months_positive')),
    sa.CheckConstraint('max_level_gap IS NULL OR max_level_gap >= 0', name=op.f('ck_apprenticeship_programme_programme_gap_range')),
    sa.CheckConstraint('stipend_monthly IS NULL OR stipend_monthly >= 0', name=op.f('ck_apprenticeship_programme_programme_stipend_positive')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organization.id'], name=op.f('fk_apprenticeship_programme_organiser_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_apprenticeship_programme_code'))
    )
    op.create_table('apprenticeship_apprentice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('trade_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_apprenticeship_apprentice_apprentice_level_range')),
    sa.ForeignKeyConstraint(['trade_id'], ['trade.id'], name=op.f('fk_apprenticeship_apprentice_trade_id_trade')),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_apprenticeship_apprentice_unit_id_organization')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_apprenticeship_apprentice_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship_apprentice')),
    sa.UniqueConstraint('user_id', name=op.f('uq_apprenticeship_apprentice_user_id'))
    )
    with op.batch_alter_table('apprenticeship_apprentice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_apprentice_trade_id'), ['trade_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_apprentice_unit_id'), ['unit_id'], unique=False)

    op.create_table('apprenticeship_master',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('trade_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('honours', sa.Text(), nullable=False),
    sa.Column('studio_name', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.SmallInteger(), nullable=False),
    sa.Column('years_in_post', sa.SmallInteger(), nullable=True),
    sa.Column('safety_violation_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 0 AND 50', name=op.f('ck_apprenticeship_master_master_capacity_range')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_apprenticeship_master_master_level_range')),
    sa.ForeignKeyConstraint(['trade_id'], ['trade.id'], name=op.f('fk_apprenticeship_master_trade_id_trade')),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_apprenticeship_master_unit_id_organization')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_apprenticeship_master_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship_master')),
    sa.UniqueConstraint('user_id', name=op.f('uq_apprenticeship_master_user_id'))
    )
    with op.batch_alter_table('apprenticeship_master', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_master_trade_id'), ['trade_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_master_unit_id'), ['unit_id'], unique=False)

    op.create_table('apprenticeship_avoid',
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['apprentice_id'], ['apprenticeship_apprentice.id'], name=op.f('fk_apprenticeship_avoid_apprentice_id_apprenticeship_apprentice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_id'], ['apprenticeship_master.id'], name=op.f('fk_apprenticeship_avoid_master_id_apprenticeship_master'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('apprentice_id', 'master_id', name=op.f('pk_apprenticeship_avoid'))
    )
    with op.batch_alter_table('apprenticeship_avoid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_avoid_master_id'), ['master_id'], unique=False)

    op.create_table('apprenticeship_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('unit', 'industry', 'system', name='pair_scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('preference_rank', sa.SmallInteger(), nullable=True),
    sa.Column('level_gap', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'rejected', name='pair_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['apprentice_id'], ['apprenticeship_apprentice.id'], name=op.f('fk_apprenticeship_pair_apprentice_id_apprenticeship_apprentice')),
    sa.ForeignKeyConstraint(['master_id'], ['apprenticeship_master.id'], name=op.f('fk_apprenticeship_pair_master_id_apprenticeship_master')),
    sa.ForeignKeyConstraint(['programme_id'], ['apprenticeship_programme.id'], name=op.f('fk_apprenticeship_pair_programme_id_apprenticeship_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship_pair')),
    sa.UniqueConstraint('programme_id', 'apprentice_id', name='uq_pair_programme_apprentice')
    )
    with op.batch_alter_table('apprenticeship_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_pair_apprentice_id'), ['apprentice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_pair_master_id'), ['master_id'], unique=False)

    op.create_table('apprenticeship_preference',
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('rank BETWEEN 1 AND 5', name=op.f('ck_apprenticeship_preference_preference_rank_range')),
    sa.ForeignKeyConstraint(['apprentice_id'], ['apprenticeship_apprentice.id'], name=op.f('fk_apprenticeship_preference_apprentice_id_apprenticeship_apprentice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_id'], ['apprenticeship_master.id'], name=op.f('fk_apprenticeship_preference_master_id_apprenticeship_master'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('apprentice_id', 'master_id', name=op.f('pk_apprenticeship_preference')),
    sa.UniqueConstraint('apprentice_id', 'rank', name='uq_preference_rank')
    )
    with op.batch_alter_table('apprenticeship_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_preference_master_id'), ['master_id'], unique=False)

    op.create_table('apprenticeship_unmatched',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['apprentice_id'], ['apprenticeship_apprentice.id'], name=op.f('fk_apprenticeship_unmatched_apprentice_id_apprenticeship_apprentice')),
    sa.ForeignKeyConstraint(['programme_id'], ['apprenticeship_programme.id'], name=op.f('fk_apprenticeship_unmatched_programme_id_apprenticeship_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'apprentice_id', name=op.f('pk_apprenticeship_unmatched'))
    )
    with op.batch_alter_table('apprenticeship_unmatched', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_unmatched_apprentice_id'), ['apprentice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('apprenticeship_unmatched', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_unmatched_apprentice_id'))

    op.drop_table('apprenticeship_unmatched')
    with op.batch_alter_table('apprenticeship_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_preference_master_id'))

    op.drop_table('apprenticeship_preference')
    with op.batch_alter_table('apprenticeship_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_pair_master_id'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_pair_apprentice_id'))

    op.drop_table('apprenticeship_pair')
    with op.batch_alter_table('apprenticeship_avoid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_avoid_master_id'))

    op.drop_table('apprenticeship_avoid')
    with op.batch_alter_table('apprenticeship_master', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_master_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_master_trade_id'))

    op.drop_table('apprenticeship_master')
    with op.batch_alter_table('apprenticeship_apprentice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_apprentice_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_apprentice_trade_id'))

    op.drop_table('apprenticeship_apprentice')
    op.drop_table('apprenticeship_programme')
