"""Read side of apprenticeship pages: selects and small summaries."""
import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination

from app.apprenticeship.models import Programme, ProgrammeStatus
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.extensions import db


def public_programmes():
    """Programmes under way or closed, newest first, with their count of agreements in force and
    completed: [(programme, in_force, completed)]."""
    in_force = sa.func.count(Agreement.id).filter(Agreement.status.in_(
        [AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT]))
    completed = sa.func.count(Agreement.id).filter(Agreement.status == AgreementStatus.COMPLETED)
    return db.session.execute(
        sa.select(Programme, in_force, completed).outerjoin(Agreement, Agreement.programme_id == Programme.id)
        .where(Programme.status.in_([ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED]))
        .group_by(Programme.id).order_by(Programme.id.desc())).all()


# ---------------------------------------------------------------- programmes and their pairs (staff)

class RowPagination(SelectPagination):
    """`db.paginate` for a select of several columns: each item is the whole row, not its first column."""

    def _query_items(self):
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return self._query_args["session"].execute(select).all()


def paginate_rows(select, per_page):
    """One count and one SELECT of a page of rows (page number from the request's `page`)."""
    return RowPagination(select=select, session=db.session(), per_page=per_page, error_out=False)


def programmes_for_staff():
    """Every programme, newest first, with its pair counts by status: [(programme, proposed, accepted)]."""
    from app.apprenticeship.models import PairStatus, ProposedPair

    proposed = sa.func.count(ProposedPair.id).filter(ProposedPair.status == PairStatus.PROPOSED)
    accepted = sa.func.count(ProposedPair.id).filter(ProposedPair.status == PairStatus.ACCEPTED)
    return db.session.execute(
        sa.select(Programme, proposed, accepted).outerjoin(ProposedPair, ProposedPair.programme_id == Programme.id)
        .group_by(Programme.id).order_by(Programme.id.desc())).all()


def _within(path):
    """Apprentices whose unit lies under the staff member's organisation path ("" = everything)."""
    from app.accounts.models import Organization

    return Organization.path.startswith(path, autoescape=True) if path else sa.true()


def pair_counts(programme, path=""):
    """{(status, scope): n} of the programme's pairs within `path`, and the unmatched count (city
    staff: from the pair table alone)."""
    from app.accounts.models import Organization
    from app.apprenticeship.models import ApprenticeProfile, ProposedPair, UnmatchedApprentice

    def within(query, apprentice_column):
        if not path:
            return query
        return (query.join(ApprenticeProfile, ApprenticeProfile.id == apprentice_column)
                .join(Organization, Organization.id == ApprenticeProfile.unit_id).where(_within(path)))

    rows = db.session.execute(within(
        sa.select(ProposedPair.status, ProposedPair.scope, sa.func.count())
        .where(ProposedPair.programme_id == programme.id), ProposedPair.apprentice_id)
        .group_by(ProposedPair.status, ProposedPair.scope)).all()
    unmatched = db.session.scalar(within(
        sa.select(sa.func.count()).select_from(UnmatchedApprentice)
        .where(UnmatchedApprentice.programme_id == programme.id), UnmatchedApprentice.apprentice_id))
    return {(str(status), str(scope)): n for status, scope, n in rows}, unmatched


NAMED_LIKE_LIMIT = 2000  # beyond this many people named like the search, filter by subquery instead


def _named_like(q):
    """(people ids, unit ids) whose name (or username) contains `q`: read once, in one statement, so
    the page and its count do not scan the 38,000 accounts twice each; a search matching very many
    people stays a subquery. Text with no letter case (Chinese, digits) uses LIKE, which PostgreSQL
    runs much faster than ILIKE."""
    from app.accounts.models import Organization, User

    like = f"%{q}%"
    caseless = q.lower() == q.upper() or db.engine.dialect.name == "sqlite"  # SQLite's LIKE ignores ASCII case
    match = (lambda column: column.like(like)) if caseless else (lambda column: column.ilike(like))
    named = sa.or_(match(User.name), match(User.username))
    found = db.session.execute(sa.union_all(
        sa.select(sa.literal("u").label("kind"), User.id.label("id")).where(named),
        sa.select(sa.literal("o"), Organization.id).where(match(Organization.name)))).all()
    people_ids = [i for kind, i in found if kind == "u"]
    unit_ids = [i for kind, i in found if kind == "o"]
    if len(people_ids) > NAMED_LIKE_LIMIT:
        return sa.select(User.id).where(named), unit_ids
    return people_ids, unit_ids


def pair_ids(programme, path="", q=None, unit=None, trade_id=None, scope=None, status=None):
    """The ids of the programme's pairs that pass the filters, in id order, with only the joins the
    filters need: without a search or a reach limit it reads the (programme, id) index alone, so
    counting and skipping to page 500 of 28,000 pairs touch no other table."""
    from app.accounts.models import Organization
    from app.apprenticeship.models import ApprenticeProfile, Master, ProposedPair

    query = sa.select(ProposedPair.id).where(ProposedPair.programme_id == programme.id).order_by(ProposedPair.id)
    if path or unit is not None or trade_id:
        query = query.join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
    if path or unit is not None:
        query = query.join(Organization, Organization.id == ApprenticeProfile.unit_id).where(_within(path))
    if q:
        people, units = _named_like(q)
        apprentices = sa.select(ApprenticeProfile.id).where(sa.or_(ApprenticeProfile.user_id.in_(people),
                                                                   ApprenticeProfile.unit_id.in_(units)))
        masters = sa.select(Master.id).where(Master.user_id.in_(people))
        query = query.where(sa.or_(ProposedPair.apprentice_id.in_(apprentices), ProposedPair.master_id.in_(masters)))
    if unit is not None:
        query = query.where(Organization.path.startswith(unit.path, autoescape=True))
    if trade_id:
        query = query.where(ApprenticeProfile.trade_id == trade_id)
    if scope:
        query = query.where(ProposedPair.scope == scope)
    if status:
        query = query.where(ProposedPair.status == status)
    return query


def pair_rows(ids):
    """The pair list's rows for the pairs `ids` (a list, or a select of ids), with everything a
    row shows (names, units, trade, why it was proposed), joined: (pair, master name, master username,
    apprentice name, apprentice username, unit name, trade name, master unit name), in id order."""
    from app.accounts.models import Organization, Trade, User
    from app.apprenticeship.models import ApprenticeProfile, Master, ProposedPair

    master_user, apprentice_user = sa.orm.aliased(User), sa.orm.aliased(User)
    master_unit = sa.orm.aliased(Organization)
    return (
        sa.select(ProposedPair, master_user.name, master_user.username, apprentice_user.name,
                  apprentice_user.username, Organization.name, Trade.name, master_unit.name)
        .join(Master, Master.id == ProposedPair.master_id)
        .join(master_user, master_user.id == Master.user_id)
        .join(master_unit, master_unit.id == Master.unit_id)
        .join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
        .join(apprentice_user, apprentice_user.id == ApprenticeProfile.user_id)
        .join(Organization, Organization.id == ApprenticeProfile.unit_id)
        .join(Trade, Trade.id == ApprenticeProfile.trade_id)
        .where(ProposedPair.id.in_(ids))
        .order_by(ProposedPair.id))


class PairPagination(SelectPagination):
    """A page of the pair list: the page's ids from the narrow id select (LIMIT/OFFSET on an index),
    then one joined SELECT of exactly those rows (a literal id list, so the planner looks them up
    rather than joining every pair); the count reads the narrow select too."""

    def _query_items(self):
        session = self._query_args["session"]
        ids = session.scalars(self._query_args["select"].limit(self.per_page).offset(self._query_offset)).all()
        return session.execute(pair_rows(ids)).all() if ids else []


def paginate_pairs(ids, per_page):
    """Three statements whatever the number of pairs: the page's ids, their rows and the count."""
    return PairPagination(select=ids, session=db.session(), per_page=per_page, error_out=False)


def pair_in_reach(programme, pair_id, path=""):
    """One pair of the programme whose apprentice lies within `path`, or None."""
    from app.accounts.models import Organization
    from app.apprenticeship.models import ApprenticeProfile, ProposedPair

    return db.session.scalar(
        sa.select(ProposedPair).join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
        .join(Organization, Organization.id == ApprenticeProfile.unit_id)
        .where(ProposedPair.id == pair_id, ProposedPair.programme_id == programme.id, _within(path)))


def unmatched_rows(programme, path=""):
    """(apprentice name, username, unit name, trade name, reason code) of the unmatched, by name."""
    from app.accounts.models import Organization, Trade, User
    from app.apprenticeship.models import ApprenticeProfile, UnmatchedApprentice

    return (sa.select(User.name, User.username, Organization.name, Trade.name, UnmatchedApprentice.reason)
            .join(ApprenticeProfile, ApprenticeProfile.id == UnmatchedApprentice.apprentice_id)
            .join(User, User.id == ApprenticeProfile.user_id)
            .join(Organization, Organization.id == ApprenticeProfile.unit_id)
            .join(Trade, Trade.id == ApprenticeProfile.trade_id)
            .where(UnmatchedApprentice.programme_id == programme.id, _within(path))
            .order_by(User.username))
