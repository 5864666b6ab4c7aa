"""Read side for accounts pages: functions returning select() statements."""
import sqlalchemy as sa

from app.accounts.models import Organization, Trade, User, UserRole
from app.extensions import db


def users(q=None, role=None, membership=None):
    query = sa.select(User).order_by(User.id.desc())
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(User.name.ilike(like), User.username.ilike(like), User.mobile.ilike(like)))
    if role:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if membership:
        query = query.where(User.membership_status == membership)
    return query


def organizations_tree():
    """All organisations ordered depth-first (by path), parents before children."""
    return sa.select(Organization).order_by(Organization.path)


def all_organizations():
    return db.session.scalars(organizations_tree()).all()


def organizations_by_name():
    """Lookup for imports: full names and short names both work."""
    organizations = all_organizations()
    return {o.short_name: o for o in organizations if o.short_name} | {o.name: o for o in organizations}


def trades():
    return sa.select(Trade).order_by(Trade.code)
