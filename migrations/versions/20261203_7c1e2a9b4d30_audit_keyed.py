"""Audit chain keyed: re-hash the existing events with HMAC (AUDIT_KEY, or one derived from SECRET_KEY)

The old chain (plain SHA-256) is verified first; a broken chain stops the
upgrade with the first bad sequence number instead of being re-hashed.
Downgrading re-hashes the (verified) chain with plain SHA-256 again.

Revision ID: 7c1e2a9b4d30
Revises: 004d6fee39cf
Create Date: 2026-12-03 05:35:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e2a9b4d30'
down_revision = '004d6fee39cf'
branch_labels = None
depends_on = None


def upgrade():
    from app import audit

    audit.rekey(op.get_bind(), audit.chain_key())


def downgrade():
    from app import audit

    audit.rekey(op.get_bind(), audit.chain_key(), undo=True)
