"""Competitions: the reason staff give for publishing final results without 公示

Revision ID: b5d2e8a41c07
Revises: a74b2120e2f5
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b5d2e8a41c07'
down_revision = 'a74b2120e2f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_provisional_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.drop_column('no_provisional_reason')
