"""`select()` builders for innovation pages."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.innovation.models import Application, Programme, Studio


def all_programmes():
    return sa.select(Programme).order_by(Programme.year.desc(), Programme.code)


def application_counts():
    """{programme id: number of applications} in one query."""
    return sa.select(Application.programme_id, sa.func.count()).group_by(Application.programme_id)


def application_options():
    return (joinedload(Application.unit), joinedload(Application.studio), joinedload(Application.programme),
            selectinload(Application.attachments))


def applications_of(user):
    """Applications the user made or that their studios made, newest programme first."""
    led = sa.select(Studio.id).where(Studio.leader_id == user.id)
    return (sa.select(Application).where(sa.or_(Application.applicant_id == user.id, Application.studio_id.in_(led)))
            .options(*application_options()).order_by(Application.created_at.desc()))
