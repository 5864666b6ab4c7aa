"""Every write of the training module and its rules.

Seats: `Course.seats_taken` only changes through conditional UPDATEs
(`... WHERE seats_taken < seats`), so two people can never take the last seat
together, on SQLite or PostgreSQL; whoever loses joins the waitlist. A
withdrawal frees the seat and promotes the first of the waitlist in the same
transaction.
"""
import secrets
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import MembershipStatus
from app.accounts.services import apply_for_membership
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.training import hooks
from app.training.rules import (
    assessment_day,
    assessment_open,
    attendance_met,
    attendance_open,
    attendance_opens_at,
    attendance_percent,
    local_date,
)
from app.scoring import round_half_up
from app.training.models import (
    Attempt,
    Attendance,
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Course,
    Eligibility,
    Enrolment,
    EnrolmentStatus as E,
    Lesson,
    Outcome,
    TrainingBase,
)

HOLDING_A_SEAT = (E.ENROLLED,)


def snapshot(obj, *names):
    return {name: getattr(obj, name) for name in names}


def _flush(message, field=None):
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(message, field) from None


# ---- bases and courses

BASE_FIELDS = ("code", "name", "organization_id", "address", "contact_name", "contact_phone", "designated_on",
               "status", "description")


def save_base(actor, base, *, trades=(), **values):
    creating = base is None
    if db.session.scalar(sa.select(TrainingBase.id).where(
            sa.or_(TrainingBase.code == values["code"], TrainingBase.name == values["name"]),
            TrainingBase.id != (0 if creating else base.id))):
        raise DomainError(_l("Another training base has this code or name."), "name")
    base = base or TrainingBase()
    before = None if creating else snapshot(base, *BASE_FIELDS)
    for name in BASE_FIELDS:
        if name in values:
            setattr(base, name, values[name])
    base.trades = list(trades)
    db.session.add(base)
    _flush(_l("Another training base has this code or name."), "name")
    audit.record(actor, "base.create" if creating else "base.update", base, before=before,
                 after=snapshot(base, *BASE_FIELDS) | {"trades": [t.code for t in base.trades]})
    return base


COURSE_FIELDS = ("base_id", "trade_id", "title", "description", "level", "starts_on", "ends_on", "seats",
                 "enrol_opens_at", "enrol_closes_at", "fee", "eligibility", "requires_approval", "theory_weight",
                 "practical_weight", "pass_mark", "min_attendance", "certificate_name", "certificate_years", "status")


def save_course(actor, course, *, units=(), **values):
    creating = course is None
    if values["ends_on"] < values["starts_on"]:
        raise DomainError(_l("The course cannot end before it starts."), "ends_on")
    if values["theory_weight"] + values["practical_weight"] != 100:
        raise DomainError(_l("Theory and practical weights must add up to 100."), "practical_weight")
    if values.get("enrol_opens_at") and values.get("enrol_closes_at") and values["enrol_closes_at"] <= values["enrol_opens_at"]:
        raise DomainError(_l("Enrolment must close after it opens."), "enrol_closes_at")
    if not creating and values["seats"] < course.seats_taken:
        raise DomainError(_l("%(n)s people already hold a seat; there cannot be fewer seats.", n=course.seats_taken),
                          "seats")
    if values.get("eligibility") == Eligibility.UNITS and not units:
        raise DomainError(_l("Choose the units whose workers may enrol."), "units")
    course = course or Course()
    before = None if creating else snapshot(course, *COURSE_FIELDS)
    for name in COURSE_FIELDS:
        if name in values:
            setattr(course, name, values[name])
    course.units = list(units)
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course.create" if creating else "course.update", course, before=before,
                 after=snapshot(course, *COURSE_FIELDS))
    if not creating and course.seats_left > 0:
        promote_waitlist(actor, course)
    return course


def add_lesson(actor, course, *, starts_at, ends_at, topic=""):
    if ends_at <= starts_at:
        raise DomainError(_l("A lesson ends after it starts."), "ends_at")
    lesson = Lesson(course=course, starts_at=starts_at, ends_at=ends_at, topic=topic)
    db.session.add(lesson)
    db.session.flush()
    audit.record(actor, "lesson.create", lesson, after=snapshot(lesson, "starts_at", "ends_at", "topic"))
    return lesson


def delete_lesson(actor, lesson):
    if db.session.scalar(sa.select(Attendance.id).where(Attendance.lesson_id == lesson.id).limit(1)):
        raise DomainError(_l("Attendance was already taken for this lesson."))
    audit.record(actor, "lesson.delete", lesson, before=snapshot(lesson, "starts_at", "ends_at", "topic"))
    db.session.delete(lesson)
    db.session.flush()


# ---- enrolment


def check_eligible(course, user):
    if course.eligibility == Eligibility.MEMBERS and user.membership_status != MembershipStatus.MEMBER:
        raise DomainError(_l("This course is for union members. Apply to join the union first."))
    if course.eligibility == Eligibility.UNITS:
        unit = user.organization
        if unit is None or not any(unit.is_within(allowed) for allowed in course.units):
            raise DomainError(_l("This course is only for workers of the listed units."))


def _take_seat(course_id):
    """Atomically take one seat; False when none is left."""
    taken = db.session.execute(
        sa.update(Course).where(Course.id == course_id, Course.seats_taken < Course.seats)
        .values(seats_taken=Course.seats_taken + 1).execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _free_seat(course_id):
    db.session.execute(
        sa.update(Course).where(Course.id == course_id, Course.seats_taken > 0)
        .values(seats_taken=Course.seats_taken - 1).execution_options(synchronize_session=False)
    )


def enrol(actor, course, *, join_union=False, now=None, by_staff=False):
    """Enrol `actor` (a seat, the waitlist, or a request for approval).

    With `join_union`, a worker who is not a member also applies to join the union
    (membership "applied", audited) once nothing stands in the way of the enrolment.
    """
    now = now or utcnow()
    if not by_staff and not course.enrolment_open(now):
        raise DomainError(_l("Enrolment for this course is closed."))
    if not by_staff:
        check_eligible(course, actor)
    existing = db.session.scalar(sa.select(Enrolment).where(Enrolment.course_id == course.id,
                                                            Enrolment.user_id == actor.id).with_for_update())
    if existing is not None and existing.status not in (E.WITHDRAWN, E.REJECTED):
        raise DomainError(_l("You are already enrolled in this course."))
    if existing is not None and existing.status == E.REJECTED and not by_staff:
        raise DomainError(_l("Your earlier application to this course was not accepted."))
    if join_union and actor.membership_status == MembershipStatus.NONE:
        apply_for_membership(actor)
    if course.requires_approval and not by_staff:
        status = E.PENDING
    else:
        status = E.ENROLLED if _take_seat(course.id) else E.WAITLISTED
    enrolment = existing or Enrolment(course_id=course.id, user_id=actor.id)
    enrolment.status, enrolment.queued_at, enrolment.decided_at = status, now, None
    db.session.add(enrolment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a double click raced us to the same row
        raise DomainError(_l("You are already enrolled in this course.")) from None
    db.session.expire(course, ["seats_taken"])
    audit.record(actor, "enrolment.create", enrolment, after={"course_id": course.id, "status": status})
    return enrolment


def waitlist_position(enrolment):
    if enrolment.status != E.WAITLISTED:
        return None
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.course_id == enrolment.course_id, Enrolment.status == E.WAITLISTED,
        sa.or_(Enrolment.queued_at < enrolment.queued_at,
               sa.and_(Enrolment.queued_at == enrolment.queued_at, Enrolment.id < enrolment.id))))
    return ahead + 1


def promote_waitlist(actor, course):
    """Fill free seats from the head of the waitlist; returns the promoted enrolments."""
    promoted = []
    while True:
        head = db.session.scalar(
            sa.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status == E.WAITLISTED)
            .order_by(Enrolment.queued_at, Enrolment.id).limit(1)
        )
        if head is None or not _take_seat(course.id):
            break
        # Conditional: if a concurrent promotion took this person, try the next one.
        changed = db.session.execute(
            sa.update(Enrolment).where(Enrolment.id == head.id, Enrolment.status == E.WAITLISTED)
            .values(status=E.ENROLLED, decided_at=utcnow()).execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            _free_seat(course.id)
            continue
        db.session.expire(head)
        audit.record(actor, "enrolment.promote", head, after={"status": E.ENROLLED})
        hooks.seat_given(head, course)
        promoted.append(head)
    db.session.expire(course, ["seats_taken"])
    return promoted


def withdraw(actor, enrolment, *, by_staff=False, now=None):
    course = enrolment.course
    today = (now or utcnow()).date()
    if not by_staff and today >= course.starts_on:
        raise DomainError(_l("The course has started; ask the training base to withdraw you."))
    if enrolment.status not in (E.ENROLLED, E.WAITLISTED, E.PENDING):
        raise DomainError(_l("This enrolment is not active."))
    held_seat = enrolment.status == E.ENROLLED
    changed = db.session.execute(
        sa.update(Enrolment).where(Enrolment.id == enrolment.id, Enrolment.status == enrolment.status)
        .values(status=E.WITHDRAWN, decided_at=utcnow()).execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise DomainError(_l("This enrolment just changed; reload the page."))
    db.session.expire(enrolment)
    if held_seat:
        _free_seat(course.id)
    audit.record(actor, "enrolment.withdraw", enrolment, after={"status": E.WITHDRAWN})
    return promote_waitlist(actor, course) if held_seat else []


def decide(actor, enrolment, approve):
    """Staff approve (a seat or the waitlist) or reject an application."""
    if enrolment.status != E.PENDING:
        raise DomainError(_l("This application was already decided."))
    if approve:
        status = E.ENROLLED if _take_seat(enrolment.course_id) else E.WAITLISTED
    else:
        status = E.REJECTED
    enrolment.status, enrolment.decided_at = status, utcnow()
    db.session.flush()
    db.session.expire(enrolment.course, ["seats_taken"])
    audit.record(actor, "enrolment.decide", enrolment, after={"status": status})
    return enrolment


# ---- attendance and assessment (never before they happen: see rules.py)


def check_attendance_open(lesson, now=None):
    """Refuse attendance of a lesson that has not begun (it opens half an hour before)."""
    if not attendance_open(lesson.starts_at, now or utcnow()):
        raise DomainError(_l("This lesson has not started yet: its attendance can be taken from %(time)s.",
                             time=format_datetime(attendance_opens_at(lesson.starts_at), "yyyy-MM-dd HH:mm")))


def course_assessment_day(course):
    return assessment_day(course.ends_on, [lesson.starts_at for lesson in course.lessons])


def check_marks_open(course, now=None):
    """Refuse marks (and re-sits) before the day of the course's assessment."""
    day = course_assessment_day(course)
    if not assessment_open(day, local_date(now or utcnow())):
        raise DomainError(_l("The assessment of this course is on %(date)s: marks can be recorded from that day.",
                             date=format_date(day, "yyyy-MM-dd")))


def mark_attendance(actor, lesson, enrolment, present, now=None):
    from app.db import upsert

    if enrolment.course_id != lesson.course_id or enrolment.status != E.ENROLLED:
        raise DomainError(_l("This person is not enrolled in the course."))
    check_attendance_open(lesson, now)
    upsert(db.session, Attendance.__table__,
           {"lesson_id": lesson.id, "enrolment_id": enrolment.id, "present": bool(present),
            "marked_by_id": getattr(actor, "id", None), "marked_at": utcnow()},
           ["lesson_id", "enrolment_id"], ["present", "marked_by_id", "marked_at"])
    audit.record(actor, "attendance.mark", ("Enrolment", enrolment.id),
                 after={"lesson_id": lesson.id, "present": bool(present)})
    _recheck_result(actor, enrolment)


def mark_lesson_present(actor, lesson, enrolments, now=None):
    """Everyone enrolled was there: one call for the whole lesson column."""
    check_attendance_open(lesson, now)  # said once, even for a course nobody is enrolled in
    for enrolment in enrolments:
        mark_attendance(actor, lesson, enrolment, True, now)


def _certified(enrolment):
    """The number of the certificate issued on this enrolment's marks, if any."""
    return db.session.scalar(sa.select(Certificate.number).where(
        Certificate.course_id == enrolment.course_id, Certificate.user_id == enrolment.user_id).limit(1))


def _recheck_result(actor, enrolment):
    """Attendance corrected after the marks: the latest result follows (until certified)."""
    latest = db.session.scalar(sa.select(Attempt).where(Attempt.enrolment_id == enrolment.id)
                               .order_by(Attempt.number.desc()).limit(1))
    if latest is None or latest.total is None or _certified(enrolment):
        return
    course = enrolment.course
    rate = attendance_rate(course, [enrolment.id])[enrolment.id]
    passed = latest.total >= course.pass_mark and attendance_met(course.min_attendance, rate)
    if passed != latest.passed:
        latest.passed = passed
        db.session.flush()
        audit.record(actor, "attempt.recheck", latest, after={"passed": passed, "attendance": rate})


def attendance_rate(course, enrolment_ids):
    """enrolment id → percent of the course's lessons attended (Decimal, 2 places);
    None while nobody has taken that person's attendance yet ("not marked" is not "absent")."""
    lessons = db.session.scalar(sa.select(sa.func.count()).select_from(Lesson).where(Lesson.course_id == course.id))
    counts = {}
    if enrolment_ids:
        present = sa.func.sum(sa.case((Attendance.present.is_(True), 1), else_=0))
        counts = {enrolment: (marked, int(attended or 0)) for enrolment, marked, attended in db.session.execute(
            sa.select(Attendance.enrolment_id, sa.func.count(), present)
            .where(Attendance.enrolment_id.in_(list(enrolment_ids))).group_by(Attendance.enrolment_id))}
    if not lessons:
        return {i: None for i in enrolment_ids}
    return {i: attendance_percent(counts[i][1], lessons) if i in counts else None for i in enrolment_ids}


def assessment_total(course, theory, practical):
    if theory is None or practical is None:
        return None
    return round_half_up((theory * course.theory_weight + practical * course.practical_weight) / 100)


def record_attempt(actor, enrolment, *, theory, practical, resit=False, rate=None, now=None):
    """Marks of the latest attempt (or a new attempt for a re-sit); total and pass/fail follow."""
    course = enrolment.course
    if enrolment.status != E.ENROLLED:
        raise DomainError(_l("This person is not enrolled in the course."))
    check_marks_open(course, now)
    for value, field in ((theory, "theory"), (practical, "practical")):
        if value is not None and not (Decimal(0) <= value <= Decimal(100)):
            raise DomainError(_l("Marks are between 0 and 100."), field)
    number = _certified(enrolment)
    if number:
        raise DomainError(_l("These marks led to certificate %(number)s; they can no longer change.", number=number))
    if rate is None:
        rate = attendance_rate(course, [enrolment.id])[enrolment.id]
    latest = db.session.scalar(sa.select(Attempt).where(Attempt.enrolment_id == enrolment.id)
                               .order_by(Attempt.number.desc()).limit(1).with_for_update())
    if resit and (latest is None or latest.passed is None):
        raise DomainError(_l("A re-sit follows a completed, failed attempt."))
    if resit and latest.passed:
        raise DomainError(_l("This person already passed; no re-sit is needed."))
    if latest is None or resit:
        attempt = Attempt(enrolment_id=enrolment.id, number=(latest.number + 1) if latest else 1)
        db.session.add(attempt)
    else:
        attempt = latest
    before = None if attempt.id is None else snapshot(attempt, "theory", "practical", "total", "passed")
    attempt.theory, attempt.practical = theory, practical
    attempt.total = assessment_total(course, theory, practical)
    attempt.passed = None if attempt.total is None else (attempt.total >= course.pass_mark
                                                          and attendance_met(course.min_attendance, rate))
    attempt.recorded_by_id, attempt.recorded_at = getattr(actor, "id", None), utcnow()
    _flush(_l("These marks were just recorded by someone else; reload the page."))
    audit.record(actor, "attempt.record", attempt, before=before,
                 after=snapshot(attempt, "number", "theory", "practical", "total", "passed"))
    return attempt


# ---- certificates


def _next_number(trade_code, year):
    """The next serial of this year and trade, under a row lock (no duplicates under load)."""
    prefix = current_app.config.get("CERTIFICATE_PREFIX", "XZ")
    updated = db.session.execute(
        sa.update(CertificateSequence)
        .where(CertificateSequence.year == year, CertificateSequence.trade_code == trade_code)
        .values(last=CertificateSequence.last + 1).execution_options(synchronize_session=False)
    )
    if updated.rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateSequence(year=year, trade_code=trade_code, last=1))
        except IntegrityError:  # created concurrently: count on it
            return _next_number(trade_code, year)
        serial = 1
    else:
        serial = db.session.scalar(sa.select(CertificateSequence.last).where(
            CertificateSequence.year == year, CertificateSequence.trade_code == trade_code))
    return f"{prefix}-{year}-{trade_code}-{serial:06d}"


def issue_certificates(actor, course, today=None):
    """A certificate for every passed trainee of the course who has none yet."""
    if not course.certificate_name:
        raise DomainError(_l("This course does not lead to a certificate."))
    today = today or date.today()
    day = course_assessment_day(course)
    if not assessment_open(day, today):
        raise DomainError(_l("The assessment of this course is on %(date)s: certificates can be issued from that day.",
                             date=format_date(day, "yyyy-MM-dd")))
    passed = db.session.execute(
        sa.select(Enrolment, Attempt).join(Attempt, Attempt.enrolment_id == Enrolment.id)
        .where(Enrolment.course_id == course.id, Attempt.passed.is_(True))
        .where(~sa.exists().where(Certificate.course_id == course.id, Certificate.user_id == Enrolment.user_id,
                                  Certificate.renewed_from_id.is_(None)))
        .order_by(Enrolment.id)
    ).all()
    issued = []
    for enrolment, attempt in passed:
        issued.append(_new_certificate(actor, course, enrolment.user, attempt, awarded_on=today, issued_on=today))
    return issued


def _new_certificate(actor, course, user, attempt, *, awarded_on, issued_on, renewed_from=None, holder_name=None):
    expires = None
    if course.certificate_years:
        expires = issued_on.replace(year=issued_on.year + course.certificate_years) - timedelta(days=1)
    certificate = Certificate(
        number=_next_number(course.trade.code, issued_on.year), verify_code=secrets.token_urlsafe(16),
        user_id=user.id, course_id=course.id, attempt_id=attempt.id if attempt else None,
        holder_name=holder_name or user.name, title=course.certificate_name, course_title=course.title,
        trade_name=course.trade.name, level=course.level, base_name=course.base.name,
        awarded_on=awarded_on, issued_on=issued_on, expires_on=expires,
        renewed_from_id=renewed_from.id if renewed_from else None,
    )
    db.session.add(certificate)
    _flush(_l("Certificates were just issued by someone else; reload the page."))
    audit.record(actor, "certificate.issue", certificate, after=snapshot(certificate, "number", "holder_name",
                                                                          "title", "expires_on"))
    hooks.certificate_issued(certificate)
    return certificate


def revoke_certificate(actor, certificate, reason):
    if not (reason or "").strip():
        raise DomainError(_l("Write why the certificate is revoked."), "reason")
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError(_l("This certificate is already revoked."))
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, utcnow()
    certificate.revoke_reason = reason.strip()
    db.session.flush()
    audit.record(actor, "certificate.revoke", certificate, after={"reason": certificate.revoke_reason})
    return certificate


def renew_certificate(actor, certificate, today=None):
    """A new certificate for a further validity period; the original award date stays."""
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError(_l("A revoked certificate cannot be renewed."))
    if db.session.scalar(sa.select(Certificate.id).where(Certificate.renewed_from_id == certificate.id)):
        raise DomainError(_l("This certificate was already renewed."))
    today = today or date.today()
    renewal = _new_certificate(actor, certificate.course, certificate.user, None, awarded_on=certificate.awarded_on,
                               issued_on=today, renewed_from=certificate, holder_name=certificate.holder_name)
    # One valid certificate at a time: the old one now verifies as "superseded by <number>".
    # Conditional, so two staff renewing at once cannot both replace it.
    before = certificate.state(today)
    replaced = db.session.execute(
        sa.update(Certificate).where(Certificate.id == certificate.id, Certificate.superseded_by_id.is_(None))
        .values(superseded_by_id=renewal.id).execution_options(synchronize_session=False))
    if replaced.rowcount != 1:
        raise DomainError(_l("This certificate was already renewed."))
    certificate.superseded_by_id = renewal.id  # the same value through the ORM: this worker forgets its stamp
    db.session.flush()
    audit.record(actor, "certificate.supersede", certificate, before={"state": before},
                 after={"state": "superseded", "superseded_by": renewal.number})
    return renewal


# ---- outcomes


def _months_after(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def record_outcome(actor, certificate, *, months, new_job, new_post="", income_before=None, income_after=None,
                   by_staff=False, today=None):
    if months not in (3, 6, 12):
        raise DomainError(_l("Outcomes are recorded at 3, 6 or 12 months."), "months")
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError(_l("This certificate was revoked; its check-ins are closed."))
    if not by_staff and (today or date.today()) < _months_after(certificate.issued_on, months):
        raise DomainError(_l("This check-in is not due yet."), "months")
    for value, field in ((income_before, "income_before"), (income_after, "income_after")):
        if value is not None and value < 0:
            raise DomainError(_l("Income cannot be negative."), field)
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.certificate_id == certificate.id,
                                                         Outcome.months == months))
    before = None if outcome is None else snapshot(outcome, "new_job", "new_post", "income_before", "income_after")
    outcome = outcome or Outcome(certificate_id=certificate.id, months=months)
    outcome.new_job, outcome.new_post = bool(new_job), (new_post or "").strip()
    outcome.income_before, outcome.income_after = income_before, income_after
    outcome.recorded_by_id = getattr(actor, "id", None)
    db.session.add(outcome)
    _flush(_l("This outcome was just recorded; reload the page."))
    audit.record(actor, "outcome.record", outcome, before=before,
                 after=snapshot(outcome, "months", "new_job", "new_post", "income_before", "income_after"))
    return outcome


