"""Background jobs with progress: the job table (owner, status, counts, result file, idempotency key)

Revision ID: 004d6fee39cf
Revises: e600069ee3b2
Create Date: 2026-12-03 03:34:10.079747

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = '004d6fee39cf'
down_revision = 'e600069ee3b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('result_file', sa.String(length=200), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_mime', sa.String(length=100), nullable=True),
    sa.Column('result_url', sa.String(length=300), nullable=True),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('finished_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_job_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('key', name=op.f('uq_job_key')),
    sa.UniqueConstraint('token', name=op.f('uq_job_token'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_owner_id'), ['owner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_owner_id'))

    op.drop_table('job')
