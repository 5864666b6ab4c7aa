"""Innovation money: grants, the append-only ledger, and the programme's paid amount guarded by its budget

Revision ID: d2f353e70ff6
Revises: 2728ccca9400
Create Date: 2026-12-03 09:22:16.818003

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = 'd2f353e70ff6'
down_revision = '2728ccca9400'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('innovation_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=True),
    sa.Column('payee_unit_id', sa.Integer(), nullable=False),
    sa.Column('account_name', sa.String(length=120), nullable=False),
    sa.Column('bank_name', sa.String(length=120), nullable=False),
    sa.Column('account_number', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('paid_total', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_innovation_grant_amount_non_negative')),
    sa.CheckConstraint('paid_total <= amount', name=op.f('ck_innovation_grant_paid_within_award')),
    sa.CheckConstraint('paid_total >= 0', name=op.f('ck_innovation_grant_paid_non_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_grant_application_id_innovation_application')),
    sa.ForeignKeyConstraint(['payee_unit_id'], ['organization.id'], name=op.f('fk_innovation_grant_payee_unit_id_organization')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_grant_programme_id_innovation_programme')),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_grant_studio_id_innovation_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_grant')),
    sa.UniqueConstraint('application_id', name=op.f('uq_innovation_grant_application_id'))
    )
    with op.batch_alter_table('innovation_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_grant_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_grant_studio_id'), ['studio_id'], unique=False)

    op.create_table('innovation_ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('award', 'payment', 'refund', 'adjustment', name='ledger_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('voucher_no', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("amount > 0 OR (kind = 'adjustment' AND amount = 0)", name=op.f('ck_innovation_ledger_entry_amount_positive')),
    sa.CheckConstraint("grant_id IS NOT NULL OR kind = 'adjustment'", name=op.f('ck_innovation_ledger_entry_grant_or_adjustment')),
    sa.ForeignKeyConstraint(['corrects_id'], ['innovation_ledger_entry.id'], name=op.f('fk_innovation_ledger_entry_corrects_id_innovation_ledger_entry')),
    sa.ForeignKeyConstraint(['grant_id'], ['innovation_grant.id'], name=op.f('fk_innovation_ledger_entry_grant_id_innovation_grant')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_ledger_entry_programme_id_innovation_programme')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_innovation_ledger_entry_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_ledger_entry')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_innovation_ledger_entry_corrects_id'))
    )
    with op.batch_alter_table('innovation_ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_ledger_entry_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index('ix_innovation_ledger_entry_programme', ['programme_id', 'entry_date', 'id'], unique=False)

    with op.batch_alter_table('innovation_programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_amount', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_innovation_programme_paid_within_budget'),
                                         'total_budget IS NULL OR paid_amount <= total_budget')
        batch_op.create_check_constraint(op.f('ck_innovation_programme_paid_non_negative'), 'paid_amount >= 0')



def downgrade():
    with op.batch_alter_table('innovation_programme', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_innovation_programme_paid_non_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_innovation_programme_paid_within_budget'), type_='check')
        batch_op.drop_column('paid_amount')

    with op.batch_alter_table('innovation_ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_innovation_ledger_entry_programme')
        batch_op.drop_index(batch_op.f('ix_innovation_ledger_entry_grant_id'))

    op.drop_table('innovation_ledger_entry')
    with op.batch_alter_table('innovation_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_grant_studio_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_grant_programme_id'))

    op.drop_table('innovation_grant')
