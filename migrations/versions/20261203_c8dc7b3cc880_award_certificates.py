"""Award certificates: one row per awarded entry and final publication, with a random verification code

Certificates of results published before this revision are issued the first time
their PDF is made (competitions/certificates.for_event).

Revision ID: c8dc7b3cc880
Revises: b3d81f0c9a27
Create Date: 2026-12-03 06:39:18.550112

"""
import sqlalchemy as sa
from alembic import op

import app.db


# revision identifiers, used by Alembic.
revision = 'c8dc7b3cc880'
down_revision = 'b3d81f0c9a27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competition_award_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('verify_code', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('members', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=120), nullable=False),
    sa.Column('competition_name', sa.String(length=200), nullable=False),
    sa.Column('event_name', sa.String(length=120), nullable=False),
    sa.Column('award', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('final', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('honours', sa.String(length=300), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'withdrawn', name='award_certificate_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('withdrawn_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('replaced_by_number', sa.String(length=80), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_competition_award_certificate_competition_id_competition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['competition_entry.id'], name=op.f('fk_competition_award_certificate_entry_id_competition_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['competition_event.id'], name=op.f('fk_competition_award_certificate_event_id_competition_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_award_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_competition_award_certificate_number')),
    sa.UniqueConstraint('verify_code', name=op.f('uq_competition_award_certificate_verify_code'))
    )
    with op.batch_alter_table('competition_award_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_award_certificate_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competition_award_certificate_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('uq_competition_award_certificate_valid', ['entry_id'], unique=True, sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))



def downgrade():
    with op.batch_alter_table('competition_award_certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_competition_award_certificate_valid', sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))
        batch_op.drop_index(batch_op.f('ix_competition_award_certificate_entry_id'))
        batch_op.drop_index(batch_op.f('ix_competition_award_certificate_competition_id'))

    op.drop_table('competition_award_certificate')
