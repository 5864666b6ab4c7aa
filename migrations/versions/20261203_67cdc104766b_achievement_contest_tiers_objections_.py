"""Achievement contests: award tiers with prizes, unit recommendation counters, objections and certificates.

Revision ID: 67cdc104766b
Revises: d2f353e70ff6
Create Date: 2026-12-03 09:22:35.528727

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = '67cdc104766b'
down_revision = 'd2f353e70ff6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('innovation_contest_award_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('minimum', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('prize', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.CheckConstraint('(count IS NULL) != (percent IS NULL)', name=op.f('ck_innovation_contest_award_tier_count_or_percent')),
    sa.CheckConstraint('count IS NULL OR count >= 1', name=op.f('ck_innovation_contest_award_tier_count_min')),
    sa.CheckConstraint('percent IS NULL OR (percent > 0 AND percent <= 100)', name=op.f('ck_innovation_contest_award_tier_percent_range')),
    sa.CheckConstraint('prize IS NULL OR prize >= 0', name=op.f('ck_innovation_contest_award_tier_prize_non_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_contest_award_tier_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_contest_award_tier')),
    sa.UniqueConstraint('programme_id', 'name', name='uq_innovation_contest_award_tier_name'),
    sa.UniqueConstraint('programme_id', 'position', name='uq_innovation_contest_award_tier_position')
    )
    op.create_table('innovation_contest_unit_count',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('recommended', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('recommended >= 0', name=op.f('ck_innovation_contest_unit_count_recommended_non_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_contest_unit_count_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_innovation_contest_unit_count_unit_id_organization')),
    sa.PrimaryKeyConstraint('programme_id', 'unit_id', name=op.f('pk_innovation_contest_unit_count'))
    )
    op.create_table('innovation_contest_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('verify_code', sa.String(length=60), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=400), nullable=False),
    sa.Column('unit', sa.String(length=120), nullable=False),
    sa.Column('contest_name', sa.String(length=160), nullable=False),
    sa.Column('award', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('final', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'withdrawn', name='contest_certificate_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('withdrawn_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('replaced_by_number', sa.String(length=80), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_contest_certificate_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_contest_certificate_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_contest_certificate')),
    sa.UniqueConstraint('programme_id', 'number', name='uq_innovation_contest_certificate_number'),
    sa.UniqueConstraint('verify_code', name=op.f('uq_innovation_contest_certificate_verify_code'))
    )
    with op.batch_alter_table('innovation_contest_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_contest_certificate_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_contest_certificate_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('uq_innovation_contest_certificate_valid', ['application_id'], unique=True, sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))

    op.create_table('innovation_contest_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('open', 'upheld', 'dismissed', name='contest_objection_status', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_contest_objection_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_innovation_contest_objection_author_id_user')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_contest_objection_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_innovation_contest_objection_resolved_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_contest_objection')),
    sa.UniqueConstraint('application_id', name=op.f('uq_innovation_contest_objection_application_id'))
    )
    with op.batch_alter_table('innovation_contest_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_contest_objection_programme_id'), ['programme_id'], unique=False)



def downgrade():
    with op.batch_alter_table('innovation_contest_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_contest_objection_programme_id'))

    op.drop_table('innovation_contest_objection')
    with op.batch_alter_table('innovation_contest_certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_innovation_contest_certificate_valid', sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))
        batch_op.drop_index(batch_op.f('ix_innovation_contest_certificate_programme_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_contest_certificate_application_id'))

    op.drop_table('innovation_contest_certificate')
    op.drop_table('innovation_contest_unit_count')
    op.drop_table('innovation_contest_award_tier')
