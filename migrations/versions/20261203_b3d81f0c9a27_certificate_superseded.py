"""Training certificates: a renewal supersedes the old certificate (superseded_by_id)

Certificates renewed before this revision get their link to the renewal, so they
verify as "superseded by <number>" too.

Revision ID: b3d81f0c9a27
Revises: b5d2e8a41c07
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d81f0c9a27'
down_revision = 'b5d2e8a41c07'
branch_labels = None
depends_on = None


FK = 'fk_training_certificate_superseded_by_id_training_certificate'


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A native ADD COLUMN: batch mode would copy and drop the table, which SQLite's foreign
        # keys refuse once certificates refer to each other (renewals) or outcomes refer to them.
        op.execute(f'ALTER TABLE training_certificate ADD COLUMN superseded_by_id INTEGER '
                   f'CONSTRAINT {FK} REFERENCES training_certificate (id)')
    else:
        op.add_column('training_certificate', sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(FK), 'training_certificate', 'training_certificate', ['superseded_by_id'], ['id'])
    old = sa.table('training_certificate', sa.column('id', sa.Integer), sa.column('superseded_by_id', sa.Integer))
    renewal = sa.table('training_certificate', sa.column('id', sa.Integer),
                       sa.column('renewed_from_id', sa.Integer)).alias('renewal')
    op.execute(old.update().values(superseded_by_id=sa.select(sa.func.min(renewal.c.id))
                                   .where(renewal.c.renewed_from_id == old.c.id).scalar_subquery()))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE training_certificate DROP COLUMN superseded_by_id')
    else:
        op.drop_constraint(op.f(FK), 'training_certificate', type_='foreignkey')
        op.drop_column('training_certificate', 'superseded_by_id')
