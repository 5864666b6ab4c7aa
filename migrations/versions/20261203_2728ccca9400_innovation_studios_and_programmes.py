"""Innovation: studios, designations, programmes with quotas and criteria, applications and expert review

Revision ID: 2728ccca9400
Revises: d41f7a2c9e15
Create Date: 2026-12-03 09:23:58.339167

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = '2728ccca9400'
down_revision = 'd41f7a2c9e15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('innovation_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('designation', 'reconfirmation', 'key_support', 'achievement', name='programme_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'reviewing', 'meeting', 'publicity', 'concluded', name='programme_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('national', 'provincial', 'city', 'district', 'enterprise', name='studio_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opens_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('total_budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('committed_amount', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('required_attachments', sa.Text(), nullable=False),
    sa.Column('eligibility_items', sa.Text(), nullable=False),
    sa.Column('publicity_working_days', sa.Integer(), nullable=False),
    sa.Column('trim_at', sa.Integer(), nullable=False),
    sa.Column('tie_break', sa.String(length=200), nullable=False),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('unit_quota', sa.Integer(), nullable=True),
    sa.Column('midterm_report_due', sa.Date(), nullable=True),
    sa.Column('final_report_due', sa.Date(), nullable=True),
    sa.Column('decision_document_no', sa.String(length=80), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('results_stamp', sa.Integer(), server_default='0', nullable=False),
    sa.Column('results_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('committed_amount >= 0', name=op.f('ck_innovation_programme_committed_non_negative')),
    sa.CheckConstraint('publicity_working_days >= 1', name=op.f('ck_innovation_programme_publicity_days_min')),
    sa.CheckConstraint('total_budget IS NULL OR committed_amount <= total_budget', name=op.f('ck_innovation_programme_within_budget')),
    sa.CheckConstraint('trim_at >= 3', name=op.f('ck_innovation_programme_trim_at_min')),
    sa.CheckConstraint('unit_quota IS NULL OR unit_quota >= 1', name=op.f('ck_innovation_programme_unit_quota_min')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organization.id'], name=op.f('fk_innovation_programme_organiser_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_innovation_programme_code'))
    )
    op.create_table('innovation_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('max_mark', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_mark > 0', name=op.f('ck_innovation_criterion_max_mark_positive')),
    sa.CheckConstraint('weight >= 0 AND weight <= 100', name=op.f('ck_innovation_criterion_weight_range')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_criterion_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_criterion')),
    sa.UniqueConstraint('programme_id', 'code', name='uq_innovation_criterion_code')
    )
    op.create_table('innovation_panel_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_chief', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_panel_seat_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_innovation_panel_seat_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_panel_seat')),
    sa.UniqueConstraint('programme_id', 'user_id', name='uq_innovation_panel_seat_expert')
    )
    with op.batch_alter_table('innovation_panel_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_panel_seat_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_innovation_panel_seat_chief', ['programme_id'], unique=True, sqlite_where=sa.text('is_chief'), postgresql_where=sa.text('is_chief'))

    op.create_table('innovation_programme_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('studio_type', sa.Enum('model_worker', 'worker', 'craftsman', 'skill_master', 'joint', name='studio_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('proposed_count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_innovation_programme_quota_amount_non_negative')),
    sa.CheckConstraint('proposed_count >= 0 AND proposed_count <= quota', name=op.f('ck_innovation_programme_quota_within_quota')),
    sa.CheckConstraint('quota >= 0', name=op.f('ck_innovation_programme_quota_quota_non_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_programme_quota_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_programme_quota')),
    sa.UniqueConstraint('programme_id', 'studio_type', name='uq_innovation_programme_quota_type')
    )
    op.create_table('innovation_result_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_result_snapshot_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_innovation_result_snapshot_published_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_result_snapshot')),
    sa.UniqueConstraint('programme_id', 'version', name='uq_innovation_result_snapshot_version')
    )
    op.create_table('innovation_studio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('studio_type', sa.Enum('model_worker', 'worker', 'craftsman', 'skill_master', 'joint', name='studio_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('level', sa.Enum('national', 'provincial', 'city', 'district', 'enterprise', name='studio_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('host_unit_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('leader_name', sa.String(length=60), nullable=False),
    sa.Column('leader_honours', sa.String(length=300), nullable=False),
    sa.Column('field', sa.String(length=120), nullable=False),
    sa.Column('trade_id', sa.Integer(), nullable=True),
    sa.Column('site', sa.String(length=200), nullable=False),
    sa.Column('equipment', sa.Text(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('active', 'rectifying', 'reconfirming', 'leader_change', 'revoked', 'dissolved', name='studio_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('rectify_deadline', sa.Date(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['host_unit_id'], ['organization.id'], name=op.f('fk_innovation_studio_host_unit_id_organization')),
    sa.ForeignKeyConstraint(['leader_id'], ['user.id'], name=op.f('fk_innovation_studio_leader_id_user')),
    sa.ForeignKeyConstraint(['trade_id'], ['trade.id'], name=op.f('fk_innovation_studio_trade_id_trade')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_studio')),
    sa.UniqueConstraint('code', name=op.f('uq_innovation_studio_code'))
    )
    with op.batch_alter_table('innovation_studio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_studio_host_unit_id'), ['host_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_studio_leader_id'), ['leader_id'], unique=False)

    op.create_table('innovation_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=True),
    sa.Column('studio_type', sa.Enum('model_worker', 'worker', 'craftsman', 'skill_master', 'joint', name='studio_type', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('category', sa.Enum('invention', 'creation', 'innovation', 'design', 'suggestion', 'technical', 'management', name='achievement_category', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum('draft', 'submitted', 'unit_recommended', 'district_recommended', 'accepted', 'rejected', 'withdrawn', name='application_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('requested_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('yearly_benefit', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('benefit_evidence', sa.Text(), nullable=False),
    sa.Column('already_awarded', sa.Boolean(), nullable=False),
    sa.Column('ip_dispute', sa.Boolean(), nullable=False),
    sa.Column('government_funded', sa.Boolean(), nullable=False),
    sa.Column('proposed', sa.Boolean(), nullable=False),
    sa.Column('proposed_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('proposed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('approved', 'withdrawn', 'not_selected', name='application_outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('proposed = (proposed_amount IS NOT NULL)', name=op.f('ck_innovation_application_proposed_has_amount')),
    sa.CheckConstraint('yearly_benefit IS NULL OR yearly_benefit >= 0', name=op.f('ck_innovation_application_benefit_non_negative')),
    sa.ForeignKeyConstraint(['applicant_id'], ['user.id'], name=op.f('fk_innovation_application_applicant_id_user')),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_application_programme_id_innovation_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_innovation_application_proposed_by_id_user')),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_application_studio_id_innovation_studio')),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_innovation_application_unit_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_application')),
    sa.UniqueConstraint('programme_id', 'number', name='uq_innovation_application_number'),
    sa.UniqueConstraint('programme_id', 'studio_id', name='uq_innovation_application_studio')
    )
    with op.batch_alter_table('innovation_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_application_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_innovation_application_programme_stage', ['programme_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_application_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_application_unit_id'), ['unit_id'], unique=False)

    op.create_table('innovation_designation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('national', 'provincial', 'city', 'district', 'enterprise', name='studio_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('studio_type', sa.Enum('model_worker', 'worker', 'craftsman', 'skill_master', 'joint', name='studio_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('document_no', sa.String(length=80), nullable=False),
    sa.Column('designated_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['innovation_programme.id'], name=op.f('fk_innovation_designation_programme_id_innovation_programme')),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_designation_studio_id_innovation_studio'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_designation'))
    )
    with op.batch_alter_table('innovation_designation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_designation_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_designation_studio_id'), ['studio_id'], unique=False)

    op.create_table('innovation_review_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unlock_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['seat_id'], ['innovation_panel_seat.id'], name=op.f('fk_innovation_review_sheet_seat_id_innovation_panel_seat'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_review_sheet')),
    sa.UniqueConstraint('seat_id', name=op.f('uq_innovation_review_sheet_seat_id'))
    )
    op.create_table('innovation_studio_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=60), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_innovation_studio_member_left_after_joined')),
    sa.ForeignKeyConstraint(['studio_id'], ['innovation_studio.id'], name=op.f('fk_innovation_studio_member_studio_id_innovation_studio'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_innovation_studio_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_studio_member'))
    )
    with op.batch_alter_table('innovation_studio_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_studio_member_studio_id'), ['studio_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_studio_member_user_id'), ['user_id'], unique=False)

    op.create_table('innovation_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('requirement', sa.String(length=120), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_attachment_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_innovation_attachment_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_attachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_innovation_attachment_storage_key'))
    )
    with op.batch_alter_table('innovation_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_attachment_application_id'), ['application_id'], unique=False)

    op.create_table('innovation_recommendation_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('submit', 'recommend', 'return', 'accept', 'reject', 'withdraw', name='recommendation_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('from_stage', sa.Enum('draft', 'submitted', 'unit_recommended', 'district_recommended', 'accepted', 'rejected', 'withdrawn', name='application_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_innovation_recommendation_step_actor_id_user')),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_recommendation_step_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_innovation_recommendation_step_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_recommendation_step'))
    )
    with op.batch_alter_table('innovation_recommendation_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_recommendation_step_application_id'), ['application_id'], unique=False)

    op.create_table('innovation_review_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_review_score_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['innovation_criterion.id'], name=op.f('fk_innovation_review_score_criterion_id_innovation_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['user.id'], name=op.f('fk_innovation_review_score_judge_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_review_score')),
    sa.UniqueConstraint('judge_id', 'application_id', 'criterion_id', name='uq_innovation_review_score_judge_application_criterion')
    )
    with op.batch_alter_table('innovation_review_score', schema=None) as batch_op:
        batch_op.create_index('ix_innovation_review_score_application', ['application_id', 'criterion_id', 'judge_id', 'value'], unique=False)

    op.create_table('innovation_team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('contribution', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.CheckConstraint('contribution > 0 AND contribution <= 100', name=op.f('ck_innovation_team_member_contribution_range')),
    sa.ForeignKeyConstraint(['application_id'], ['innovation_application.id'], name=op.f('fk_innovation_team_member_application_id_innovation_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_innovation_team_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_team_member')),
    sa.UniqueConstraint('application_id', 'position', name='uq_innovation_team_member_position')
    )
    with op.batch_alter_table('innovation_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_team_member_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('innovation_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_team_member_user_id'))

    op.drop_table('innovation_team_member')
    with op.batch_alter_table('innovation_review_score', schema=None) as batch_op:
        batch_op.drop_index('ix_innovation_review_score_application')

    op.drop_table('innovation_review_score')
    with op.batch_alter_table('innovation_recommendation_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_recommendation_step_application_id'))

    op.drop_table('innovation_recommendation_step')
    with op.batch_alter_table('innovation_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_attachment_application_id'))

    op.drop_table('innovation_attachment')
    with op.batch_alter_table('innovation_studio_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_studio_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_studio_member_studio_id'))

    op.drop_table('innovation_studio_member')
    op.drop_table('innovation_review_sheet')
    with op.batch_alter_table('innovation_designation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_designation_studio_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_designation_programme_id'))

    op.drop_table('innovation_designation')
    with op.batch_alter_table('innovation_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_application_unit_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_application_studio_id'))
        batch_op.drop_index('ix_innovation_application_programme_stage')
        batch_op.drop_index(batch_op.f('ix_innovation_application_applicant_id'))

    op.drop_table('innovation_application')
    with op.batch_alter_table('innovation_studio', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_studio_leader_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_studio_host_unit_id'))

    op.drop_table('innovation_studio')
    op.drop_table('innovation_result_snapshot')
    op.drop_table('innovation_programme_quota')
    with op.batch_alter_table('innovation_panel_seat', schema=None) as batch_op:
        batch_op.drop_index('uq_innovation_panel_seat_chief', sqlite_where=sa.text('is_chief'), postgresql_where=sa.text('is_chief'))
        batch_op.drop_index(batch_op.f('ix_innovation_panel_seat_user_id'))

    op.drop_table('innovation_panel_seat')
    op.drop_table('innovation_criterion')
    op.drop_table('innovation_programme')
