"""Scores: the (entry, criterion) index also covers judge and value, so standings read marks from it alone

Revision ID: d41f7a2c9e15
Revises: 0b2e6ab29888
Create Date: 2026-12-03 08:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd41f7a2c9e15'
down_revision = '0b2e6ab29888'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competition_score', schema=None) as batch_op:
        batch_op.drop_index('ix_competition_score_entry')
        batch_op.create_index('ix_competition_score_entry', ['entry_id', 'criterion_id', 'judge_id', 'value'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('competition_score', schema=None) as batch_op:
        batch_op.drop_index('ix_competition_score_entry')
        batch_op.create_index('ix_competition_score_entry', ['entry_id', 'criterion_id'], unique=False)
