"""Read side of training: select() builders shared by pages, exports and tests."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from app import cache
from app.accounts.models import User
from app.extensions import db
from app.training import rules
from app.training.models import (
    Attempt,
    BaseStatus,
    Certificate,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Level,
    TrainingBase,
)


# ---------------------------------------------------------------- the catalog's version

# The public catalog is cached per version of this name (app/cache.py). It is bumped in
# one place: the ORM listeners below, whenever a flush or a bulk statement writes a
# course or a training base (seats change through conditional UPDATEs of the course).
CATALOG_VERSION = "training-catalog"
CATALOG_TABLES = frozenset({"training_course", "training_base"})
_CHANGED = "training_catalog_changed"


def catalog_version(today=None):
    """The version of the catalog's pages: the named version and the day (courses end)."""
    return f"{cache.version(CATALOG_VERSION)}.{(today or date.today()).isoformat()}"


def _catalog_changed(session):
    session.info[_CHANGED] = True
    cache.bump(CATALOG_VERSION)  # seen at once by this process


@sa.event.listens_for(Session, "after_flush")
def _catalog_rows_flushed(session, _context):
    if any(isinstance(obj, (Course, TrainingBase)) for obj in (*session.new, *session.dirty, *session.deleted)):
        _catalog_changed(session)


@sa.event.listens_for(Session, "do_orm_execute")
def _catalog_bulk_statement(state):
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in CATALOG_TABLES:
            _catalog_changed(state.session)


@sa.event.listens_for(Session, "after_commit")
def _catalog_committed(session):
    # Again after the commit: a worker that rendered between the flush and the commit
    # (still seeing the old rows) stored its page under a version that is now old.
    if session.info.pop(_CHANGED, False):
        cache.bump(CATALOG_VERSION)


@sa.event.listens_for(Session, "after_rollback")
def _catalog_rolled_back(session):
    session.info.pop(_CHANGED, None)


# ---------------------------------------------------------------- pages


def catalog(q=None, trade_id=None, base_id=None, level=None, month=None, seats_only=False, today=None):
    """Published courses still to start, filtered; each row carries its base and trade."""
    today = today or date.today()
    query = (
        sa.select(Course)
        .join(Course.base)
        .where(Course.status == CourseStatus.PUBLISHED, Course.ends_on >= today,
               TrainingBase.status == BaseStatus.ACTIVE)
        .options(joinedload(Course.base), joinedload(Course.trade))
        .order_by(Course.starts_on, Course.id)
    )
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(Course.title.ilike(like), Course.description.ilike(like)))
    if trade_id:
        query = query.where(Course.trade_id == trade_id)
    if base_id:
        query = query.where(Course.base_id == base_id)
    if level:
        query = query.where(Course.level == Level(level))
    if month:  # "2026-12": courses starting that month
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
        query = query.where(Course.starts_on >= first, Course.starts_on < following)
    if seats_only:
        query = query.where(Course.seats_taken < Course.seats)
    return query


def active_bases():
    return sa.select(TrainingBase).where(TrainingBase.status == BaseStatus.ACTIVE).order_by(TrainingBase.name)


def all_bases():
    return (sa.select(TrainingBase).options(joinedload(TrainingBase.organization), selectinload(TrainingBase.trades))
            .order_by(TrainingBase.name))


def course(course_id):
    return db.session.scalars(
        sa.select(Course).where(Course.id == course_id)
        .options(joinedload(Course.base), joinedload(Course.trade), selectinload(Course.lessons),
                 selectinload(Course.units))
    ).unique().one_or_none()


def course_enrolments(course_id, statuses=None, with_tags=True):
    """Enrolments of a course with their people (and people's units), in waitlist order.

    `with_tags=False` skips loading people's roles and identity tags (lists that don't show them).
    """
    person = joinedload(Enrolment.user)
    options = [person.joinedload(User.organization)]
    if not with_tags:
        options += [person.noload(User.role_rows), person.noload(User.tag_rows)]
    query = (
        sa.select(Enrolment).where(Enrolment.course_id == course_id)
        .options(*options)
        .order_by(Enrolment.queued_at, Enrolment.id)
    )
    if statuses:
        query = query.where(Enrolment.status.in_(list(statuses)))
    return query


def enrolled(course_id):
    return db.session.scalars(course_enrolments(course_id, [EnrolmentStatus.ENROLLED])).unique().all()


def my_enrolments(user):
    return db.session.scalars(
        sa.select(Enrolment).where(Enrolment.user_id == user.id)
        .options(joinedload(Enrolment.course).joinedload(Course.base))
        .order_by(Enrolment.queued_at.desc())
    ).unique().all()


@dataclass(frozen=True)
class MyCourse:
    """One line of 我的培训: the enrolment, where the trainee stands, and the certificate if any."""

    enrolment: Enrolment
    progress: str  # one of rules.PROGRESS_STEPS
    current: bool  # still ahead or under way
    certificate: Certificate | None


def my_training(user, today=None):
    """A trainee's courses: those ahead or under way first (soonest first), then the rest (latest first).

    Three queries whatever the number of courses: enrolments with courses and bases,
    latest attempts, certificates.
    """
    today = today or date.today()
    enrolments = my_enrolments(user)
    passed = dict(db.session.execute(
        sa.select(Attempt.enrolment_id, Attempt.passed).where(Attempt.enrolment_id.in_([e.id for e in enrolments]))
        .order_by(Attempt.enrolment_id, Attempt.number)).all()) if enrolments else {}  # the latest attempt wins
    newest = {c.course_id: c for c in db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_on, Certificate.id))}
    lines = []
    for enrolment in enrolments:
        course, certificate = enrolment.course, newest.get(enrolment.course_id)
        cancelled = course.status == CourseStatus.CANCELLED
        lines.append(MyCourse(
            enrolment=enrolment,
            progress=rules.progress(enrolment.status.value, cancelled, course.starts_on, course.ends_on, today,
                                    passed.get(enrolment.id), certificate.state(today) if certificate else None),
            current=rules.current(enrolment.status.value, cancelled, course.ends_on, today),
            certificate=certificate))
    ahead = sorted((line for line in lines if line.current),
                   key=lambda line: (line.enrolment.course.starts_on, line.enrolment.id))
    done = sorted((line for line in lines if not line.current),
                  key=lambda line: (line.enrolment.course.starts_on, line.enrolment.id), reverse=True)
    return ahead + done


def my_certificates(user):
    return db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id)
        .options(joinedload(Certificate.superseded_by)).order_by(Certificate.issued_on.desc())
    ).all()


def certificate(certificate_id):
    """One certificate with the one that superseded it (its row shows that one's number)."""
    return db.session.scalar(sa.select(Certificate).where(Certificate.id == certificate_id)
                             .options(joinedload(Certificate.superseded_by)))


def course_certificates(course_id):
    return (sa.select(Certificate).where(Certificate.course_id == course_id)
            .options(joinedload(Certificate.superseded_by)).order_by(Certificate.number))


def managed_courses(base_id=None, q=None):
    query = sa.select(Course).options(joinedload(Course.base), joinedload(Course.trade)).order_by(
        Course.starts_on.desc(), Course.id.desc())
    if base_id:
        query = query.where(Course.base_id == base_id)
    if q:
        query = query.where(Course.title.ilike(f"%{q.strip()}%"))
    return query


def enrolment_counts(course_id):
    return dict(db.session.execute(
        sa.select(Enrolment.status, sa.func.count()).where(Enrolment.course_id == course_id)
        .group_by(Enrolment.status)).all())


def waitlist_positions(course_id):
    """enrolment id → waitlist position, for the whole course in one query."""
    waiting = db.session.scalars(
        sa.select(Enrolment.id).where(Enrolment.course_id == course_id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.queued_at, Enrolment.id)).all()
    return {enrolment_id: n for n, enrolment_id in enumerate(waiting, start=1)}
