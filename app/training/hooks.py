"""What training tells the core: its place on the home page, its to-dos, and how its
audit events read (action labels, names and pages of its objects)."""
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation, notifications, person_facts, studio_facts
from app.access import is_staff
from app.accounts.models import User
from app.extensions import db
from app.notifications import N_
from app.training import certificates
from app.training.models import (
    ENROLMENT_LABELS,
    LEVEL_LABELS,
    Attempt,
    Certificate,
    CertificateStatus,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    Outcome,
    TrainingBase,
)

navigation.feature("training.catalog", _l("Skills training"),
                   _l("Free vocational training at designated bases, with certificates anyone can verify."), order=10)


# ---------------------------------------------------------------- notifications (called by services)

def seat_given(enrolment, course):
    """The trainee moved up from the waitlist to a seat."""
    notifications.notify(enrolment.user_id, "training.promoted",
                         N_("You moved up from the waitlist: you have a seat on “%(course)s”, starting %(starts)s."),
                         link_to="training.my_training", course=course.title, starts=course.starts_on.isoformat())


def certificate_issued(certificate):
    notifications.notify(certificate.user_id, "training.certificate",
                         N_("Your certificate %(number)s (%(title)s) was issued."),
                         link_to="training.my_certificates", number=certificate.number, title=certificate.title)


# ---------------------------------------------------------------- to-dos

def _trainee_todos(user, today):
    items = []
    # A seat someone else decided (moved up from the waitlist, approved, or put on by a roster)
    # for a course still to start: the trainee should know and plan to be there.
    given = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ENROLLED,
               Enrolment.decided_at.is_not(None), Course.starts_on >= today,
               Course.status != CourseStatus.CANCELLED))
    items.append(notifications.Todo(_l("Seats given to you from the waitlist or by staff, course not started yet"), given,
                                    url_for("training.my_training")))
    held = db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id == user.id, Certificate.renewed_from_id.is_(None),
        Certificate.status == CertificateStatus.VALID)).all()
    due = 0
    if held:
        outcomes = certificates.outcomes_by_certificate([c.id for c in held])
        due = sum(1 for c in held for check in certificates.checkins(c, outcomes.get(c.id, {}), today)
                  if check.state == "due")
    items.append(notifications.Todo(_l("Check-ins due: tell us what the training changed"), due,
                                    url_for("training.my_certificates")))
    return items


def _staff_todos():
    waiting = db.session.execute(
        sa.select(Enrolment.course_id, sa.func.count()).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.status == EnrolmentStatus.PENDING, Course.status != CourseStatus.CANCELLED)
        .group_by(Enrolment.course_id)
    ).all()
    total = sum(n for _, n in waiting)
    if len(waiting) == 1:
        url = url_for("training.enrolments", course_id=waiting[0][0], status=EnrolmentStatus.PENDING.value)
    else:
        url = url_for("training.manage")
    return [notifications.Todo(_l("Course applications to approve"), total, url)]


@notifications.todos
def todo_counts(user):
    today = date.today()
    return _trainee_todos(user, today) + (_staff_todos() if is_staff(user) else [])


# ---------------------------------------------------------------- the audit trail

audit_log.actions({
    "base.create": _l("Created a training base"),
    "base.update": _l("Edited a training base"),
    "course.create": _l("Created a course"),
    "certificate.supersede": _l("Superseded a certificate by its renewal"),
    "course.update": _l("Edited a course"),
    "course.roster_import": _l("Imported a course roster"),
    "lesson.create": _l("Added a lesson"),
    "lesson.delete": _l("Removed a lesson"),
    "enrolment.create": _l("Enrolled in a course"),
    "enrolment.promote": _l("Moved up from the waitlist to a seat"),
    "enrolment.withdraw": _l("Withdrew from a course"),
    "enrolment.decide": _l("Decided a course application"),
    "attendance.mark": _l("Took attendance"),
    "attempt.record": _l("Recorded assessment marks"),
    "attempt.recheck": _l("Re-checked a pass after an attendance correction"),
    "certificate.issue": _l("Issued a certificate"),
    "certificate.revoke": _l("Revoked a certificate"),
    "outcome.record": _l("Recorded an outcome check-in"),
})

COURSE_STATUS = {CourseStatus.DRAFT: _l("Draft"), CourseStatus.PUBLISHED: _l("Published"),
                 CourseStatus.CANCELLED: _l("Cancelled")}
BASE_STATUS = {"active": _l("Active"), "suspended": _l("Suspended"), "closed": _l("Closed")}
ELIGIBILITY = {"anyone": _l("Anyone"), "members": _l("Union members only"), "units": _l("Workers of chosen units")}
CERTIFICATE_STATUS = {CertificateStatus.VALID: _l("Valid"), CertificateStatus.REVOKED: _l("Revoked")}


def _contains(column, text):
    return column.contains(text, autoescape=True)


audit_log.describe(
    "TrainingBase", _l("Training base"),
    query=lambda ids: sa.select(TrainingBase.id, TrainingBase.name).where(TrainingBase.id.in_(ids)),
    display=lambda row: row.name,
    url=lambda row: url_for("training.edit_base", base_id=row.id),
    search=lambda text: sa.select(TrainingBase.id).where(sa.or_(_contains(TrainingBase.name, text),
                                                                TrainingBase.code == text)),
    values={"status": BASE_STATUS},
)
audit_log.describe(
    "Course", _l("Course"),
    query=lambda ids: sa.select(Course.id, Course.title).where(Course.id.in_(ids)),
    display=lambda row: row.title,
    url=lambda row: url_for("training.edit_course", course_id=row.id),
    search=lambda text: sa.select(Course.id).where(_contains(Course.title, text)),
    values={"status": COURSE_STATUS, "level": LEVEL_LABELS, "eligibility": ELIGIBILITY},
)
audit_log.describe(
    "Lesson", _l("Lesson"),
    query=lambda ids: sa.select(Lesson.id, Lesson.topic, Lesson.course_id, Course.title)
    .join(Course, Course.id == Lesson.course_id).where(Lesson.id.in_(ids)),
    display=lambda row: f"{row.title} · {row.topic}" if row.topic else row.title,
    url=lambda row: url_for("training.edit_course", course_id=row.course_id),
    search=lambda text: sa.select(Lesson.id).where(_contains(Lesson.topic, text)),
)
audit_log.describe(
    "Enrolment", _l("Enrolment"),
    query=lambda ids: sa.select(Enrolment.id, Enrolment.course_id, User.name, Course.title)
    .join(User, User.id == Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
    .where(Enrolment.id.in_(ids)),
    display=lambda row: f"{row.name} · {row.title}",
    url=lambda row: url_for("training.enrolments", course_id=row.course_id),
    search=lambda text: sa.select(Enrolment.id).join(User, User.id == Enrolment.user_id)
    .where(sa.or_(_contains(User.name, text), User.mobile == text)),
    values={"status": ENROLMENT_LABELS},
)
audit_log.describe(
    "Attempt", _l("Assessment attempt"),
    query=lambda ids: sa.select(Attempt.id, Attempt.number, Enrolment.course_id, User.name, Course.title)
    .join(Enrolment, Enrolment.id == Attempt.enrolment_id).join(User, User.id == Enrolment.user_id)
    .join(Course, Course.id == Enrolment.course_id).where(Attempt.id.in_(ids)),
    display=lambda row: f"{row.name} · {row.title} · #{row.number}",
    url=lambda row: url_for("training.assessment", course_id=row.course_id),
    fields={"number": _l("Attempt")},
    search=lambda text: sa.select(Attempt.id).join(Enrolment, Enrolment.id == Attempt.enrolment_id)
    .join(User, User.id == Enrolment.user_id).where(sa.or_(_contains(User.name, text), User.mobile == text)),
)
audit_log.describe(
    "Certificate", _l("Certificate"),
    query=lambda ids: sa.select(Certificate.id, Certificate.number, Certificate.holder_name, Certificate.course_id)
    .where(Certificate.id.in_(ids)),
    display=lambda row: f"{row.number} · {row.holder_name}",
    url=lambda row: url_for("training.certificate_outcomes", certificate_id=row.id),
    search=lambda text: sa.select(Certificate.id).where(sa.or_(Certificate.number == text,
                                                               _contains(Certificate.holder_name, text))),
    values={"status": CERTIFICATE_STATUS},
    fields={"number": _l("Certificate number"), "title": _l("Certificate")},
)
audit_log.describe(
    "Outcome", _l("Outcome check-in"),
    query=lambda ids: sa.select(Outcome.id, Outcome.months, Outcome.certificate_id, Certificate.number)
    .join(Certificate, Certificate.id == Outcome.certificate_id).where(Outcome.id.in_(ids)),
    display=lambda row: f"{row.number} · {row.months}",
    url=lambda row: url_for("training.certificate_outcomes", certificate_id=row.certificate_id),
    search=lambda text: sa.select(Outcome.id).join(Certificate, Certificate.id == Outcome.certificate_id)
    .where(Certificate.number == text),
)

for name, label, ref in (
    ("base_id", _l("Training base"), "TrainingBase"),
    ("course_id", _l("Course"), "Course"),
    ("lesson_id", _l("Lesson"), "Lesson"),
):
    audit_log.field(name, label, ref=ref)
for name, label in (
    ("address", _l("Address")), ("contact_name", _l("Contact person")), ("contact_phone", _l("Contact phone")),
    ("designated_on", _l("Designated on")), ("trades", _l("Trades covered")), ("level", _l("Skill level")),
    ("seats", _l("Seats")), ("enrol_opens_at", _l("Enrolment opens")), ("enrol_closes_at", _l("Enrolment closes")),
    ("fee", _l("Fee (yuan, 0 = free)")), ("eligibility", _l("Who may enrol")),
    ("requires_approval", _l("Enrolments need staff approval")), ("theory_weight", _l("Theory weight (%)")),
    ("practical_weight", _l("Practical weight (%)")), ("pass_mark", _l("Pass mark")),
    ("min_attendance", _l("Minimum attendance to sit the assessment (%)")),
    ("certificate_name", _l("Certificate it leads to")),
    ("certificate_years", _l("Certificate valid for (years, empty = no expiry)")),
    ("starts_at", _l("Starts")), ("ends_at", _l("Ends")), ("topic", _l("Topic")), ("present", _l("Present")),
    ("number", _l("Number")), ("theory", _l("Theory")), ("practical", _l("Practical")), ("total", _l("Total")),
    ("passed", _l("Passed")), ("attendance", _l("Attendance (%)")), ("holder_name", _l("Holder")),
    ("expires_on", _l("Expires on")), ("months", _l("Months after the certificate")),
    ("new_job", _l("Found a new job")), ("new_post", _l("New post")),
    ("income_before", _l("Monthly income before (yuan)")), ("income_after", _l("Monthly income after (yuan)")),
    ("enrolled", _l("Enrolled")), ("waitlisted", _l("On the waitlist")), ("skipped", _l("Already on the course")),
    ("created", _l("New accounts")),
):
    audit_log.field(name, label)


# ---------------------------------------------------------------- facts other modules read (app.studio_facts)

def _trainees_of_studio(ref):
    """Trainees who completed (passed the assessment of) a course ending in `ref.year` at a base of
    the studio's host unit or a unit below it. Courses name no teacher, so the host unit stands in
    for "taught by the studio's members"."""
    from app.accounts.models import Organization
    from app.training.models import Attempt

    if not ref.host_unit_path:
        return 0
    passed = sa.select(Attempt.id).where(Attempt.enrolment_id == Enrolment.id, Attempt.passed.is_(True)).exists()
    return db.session.scalar(
        sa.select(sa.func.count(Enrolment.id))
        .join(Course, Course.id == Enrolment.course_id)
        .join(TrainingBase, TrainingBase.id == Course.base_id)
        .join(Organization, Organization.id == TrainingBase.organization_id)
        .where(Organization.path.startswith(ref.host_unit_path, autoescape=True),
               Enrolment.status == EnrolmentStatus.ENROLLED, Course.status != CourseStatus.CANCELLED,
               sa.extract("year", Course.ends_on) == ref.year, passed)) or 0


studio_facts.provide("trainees", _l("Trainees who completed courses at the host unit's bases this year"),
                     _trainees_of_studio)


# ---------------------------------------------------------------- evidence about a person (app.person_facts)

def _certificates_of(user_ids, since, until):
    """Valid training certificates awarded between the two dates (a renewal's predecessor excluded):
    the course's name, its public verification code and its vocational grade when it has one."""
    rows = db.session.execute(
        sa.select(Certificate.user_id, Certificate.awarded_on, Certificate.course_title,
                  Certificate.verify_code, Certificate.level)
        .where(Certificate.user_id.in_(list(user_ids)), Certificate.status == CertificateStatus.VALID,
               Certificate.superseded_by_id.is_(None), Certificate.awarded_on.between(since, until))).all()
    return [person_facts.Evidence(user_id=row.user_id, kind="training.certificate", on=row.awarded_on,
                                  title=row.course_title, ref=row.verify_code,
                                  level=None if row.level == "none" else int(row.level))
            for row in rows]


person_facts.provide("training.certificate", _certificates_of)
