"""Migrations: empty → head → base → head on each backend, and models match them."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import create_database, make_app


def test_upgrade_downgrade_upgrade(backend, tmp_path):
    url, drop = create_database(backend, tmp_path)
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"user", "organization", "trade", "audit_event", "audit_chain_head", "competition", "competition_score"} <= tables
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            db.engine.dispose()
    finally:
        drop()
