"""`select()` builders for innovation pages."""
import sqlalchemy as sa

from app.innovation.models import Application, Programme


def all_programmes():
    return sa.select(Programme).order_by(Programme.year.desc(), Programme.code)


def application_counts():
    """{programme id: number of applications} in one query."""
    return sa.select(Application.programme_id, sa.func.count()).group_by(Application.programme_id)
