"""Innovation: studio reports with receipts, expert evaluation rounds, annual grades and rectifications

Revision ID: fee24701cffc
Revises: 67cdc104766b
Create Date: 2026-12-03 09:21:58.199412

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = 'fee24701cffc'
down_revision = '67cdc104766b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('innovation_eval_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('midterm', 'performance', 'annual', name='eval_round_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='eval_round_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('trim_at', sa.Integer(), nullable=False),
    sa.Column('excellent_cap_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('pass_mark', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('excellent_mark', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grades_confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('excellent_cap_percent >= 0 AND excellent_cap_percent <= 100', name=op.f('ck_innovation_eval_round_cap_range')),
    sa.CheckConstraint('pass_mark >= 0 AND excellent_mark >= pass_mark', name=op.f('ck_innovation_eval_round_marks_ordered')),
    sa.CheckConstraint('trim_at >= 3', name=op.f('ck_innovation_eval_round_trim_at_min')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_eval_round_programme_id_innovation_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_round'))
    )
    with op.batch_alter_table('innovation_eval_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_eval_round_programme_id'), ['programme_id'], unique=False)

    op.create_table('innovation_eval_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('max_mark', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_mark > 0', name=op.f('ck_innovation_eval_criterion_max_mark_positive')),
    sa.CheckConstraint('weight >= 0 AND weight <= 100', name=op.f('ck_innovation_eval_criterion_weight_range')),
    sa.ForeignKeyConstraint(['round_id'], ['innovation_eval_round.id'], name=op.f('fk_innovation_eval_criterion_round_id_innovation_eval_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_criterion')),
    sa.UniqueConstraint('round_id', 'code', name='uq_innovation_eval_criterion_code')
    )
    op.create_table('innovation_eval_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_chief', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['innovation_eval_round.id'], name=op.f('fk_innovation_eval_seat_round_id_innovation_eval_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_innovation_eval_seat_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_seat')),
    sa.UniqueConstraint('round_id', 'user_id', name='uq_innovation_eval_seat_expert')
    )
    with op.batch_alter_table('innovation_eval_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_eval_seat_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_innovation_eval_seat_chief', ['round_id'], unique=True, sqlite_where=sa.text('is_chief'), postgresql_where=sa.text('is_chief'))

    op.create_table('innovation_eval_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unlock_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['seat_id'], ['innovation_eval_seat.id'], name=op.f('fk_innovation_eval_sheet_seat_id_innovation_eval_seat'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_sheet')),
    sa.UniqueConstraint('seat_id', name=op.f('uq_innovation_eval_sheet_seat_id'))
    )
    op.create_table('innovation_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('fund_use', 'midterm', 'final', name='report_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'accepted', name='report_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('spend_equipment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('spend_training', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('spend_research', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('spend_promotion', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('spend_other', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('patents', sa.Integer(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('trainees', sa.Integer(), nullable=False),
    sa.Column('benefit_yuan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('patents >= 0 AND projects >= 0 AND trainees >= 0 AND benefit_yuan >= 0', name=op.f('ck_innovation_report_results_non_negative')),
    sa.CheckConstraint('spend_equipment >= 0 AND spend_training >= 0 AND spend_research >= 0 AND spend_promotion >= 0 AND spend_other >= 0', name=op.f('ck_innovation_report_spend_non_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_report_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_report_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_report_studio_id_innovation_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_report')),
    sa.UniqueConstraint('application_id', 'kind', name='uq_innovation_report_application_kind')
    )
    with op.batch_alter_table('innovation_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_report_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_report_studio_id'), ['studio_id'], unique=False)

    op.create_table('innovation_eval_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('self_assessment', sa.JSON(), nullable=False),
    sa.Column('self_submitted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('proposed_grade', sa.Enum('excellent', 'pass', 'fail', name='assessment_proposed_grade', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('tied_at_cap', sa.Boolean(), nullable=False),
    sa.Column('grade', sa.Enum('excellent', 'pass', 'fail', name='assessment_grade', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('final_score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['innovation_report.id'], name=op.f('fk_innovation_eval_subject_report_id_innovation_report')),
    sa.ForeignKeyConstraint(['round_id'], ['innovation_eval_round.id'], name=op.f('fk_innovation_eval_subject_round_id_innovation_eval_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_eval_subject_studio_id_innovation_studio')),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_innovation_eval_subject_unit_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_subject')),
    sa.UniqueConstraint('round_id', 'studio_id', name='uq_innovation_eval_subject_studio')
    )
    with op.batch_alter_table('innovation_eval_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_eval_subject_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_eval_subject_studio_id'), ['studio_id'], unique=False)

    op.create_table('innovation_report_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('equipment', 'training', 'research', 'promotion', 'other', name='spend_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_innovation_report_receipt_amount_positive')),
    sa.ForeignKeyConstraint(['report_id'], ['innovation_report.id'], name=op.f('fk_innovation_report_receipt_report_id_innovation_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_innovation_report_receipt_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_report_receipt')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_innovation_report_receipt_storage_key'))
    )
    with op.batch_alter_table('innovation_report_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_report_receipt_report_id'), ['report_id'], unique=False)

    op.create_table('innovation_eval_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['innovation_eval_criterion.id'], name=op.f('fk_innovation_eval_score_criterion_id_innovation_eval_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['user.id'], name=op.f('fk_innovation_eval_score_judge_id_user')),
    sa.ForeignKeyConstraint(['subject_id'], ['innovation_eval_subject.id'], name=op.f('fk_innovation_eval_score_subject_id_innovation_eval_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_eval_score')),
    sa.UniqueConstraint('judge_id', 'subject_id', 'criterion_id', name='uq_innovation_eval_score_judge_subject_criterion')
    )
    with op.batch_alter_table('innovation_eval_score', schema=None) as batch_op:
        batch_op.create_index('ix_innovation_eval_score_subject', ['subject_id', 'criterion_id', 'judge_id', 'value'], unique=False)

    op.create_table('innovation_rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('passed', 'failed', name='rectification_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('recheck_note', sa.Text(), nullable=False),
    sa.Column('rechecked_by_id', sa.Integer(), nullable=True),
    sa.Column('rechecked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rechecked_by_id'], ['user.id'], name=op.f('fk_innovation_rectification_rechecked_by_id_user')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_innovation_rectification_started_by_id_user')),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_rectification_studio_id_innovation_studio')),
    sa.ForeignKeyConstraint(['subject_id'], ['innovation_eval_subject.id'], name=op.f('fk_innovation_rectification_subject_id_innovation_eval_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_rectification'))
    )
    with op.batch_alter_table('innovation_rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_rectification_studio_id'), ['studio_id'], unique=False)



def downgrade():
    with op.batch_alter_table('innovation_rectification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_rectification_studio_id'))

    op.drop_table('innovation_rectification')
    with op.batch_alter_table('innovation_eval_score', schema=None) as batch_op:
        batch_op.drop_index('ix_innovation_eval_score_subject')

    op.drop_table('innovation_eval_score')
    with op.batch_alter_table('innovation_report_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_report_receipt_report_id'))

    op.drop_table('innovation_report_receipt')
    with op.batch_alter_table('innovation_eval_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_eval_subject_studio_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_eval_subject_report_id'))

    op.drop_table('innovation_eval_subject')
    with op.batch_alter_table('innovation_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_report_studio_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_report_programme_id'))

    op.drop_table('innovation_report')
    op.drop_table('innovation_eval_sheet')
    with op.batch_alter_table('innovation_eval_seat', schema=None) as batch_op:
        batch_op.drop_index('uq_innovation_eval_seat_chief', sqlite_where=sa.text('is_chief'), postgresql_where=sa.text('is_chief'))
        batch_op.drop_index(batch_op.f('ix_innovation_eval_seat_user_id'))

    op.drop_table('innovation_eval_seat')
    op.drop_table('innovation_eval_criterion')
    with op.batch_alter_table('innovation_eval_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_eval_round_programme_id'))

    op.drop_table('innovation_eval_round')
