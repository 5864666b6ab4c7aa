"""Course workbooks for staff, and the data the classroom pages share with them.

Out: the roster, the attendance sheet and the results of one course, streamed
through excel.write_workbook (formula-like text is neutralised there). In: the
marks workbook (手机号 mobile or 姓名 name, 理论 theory, 实操 practical), checked
row by row first and written all or nothing through services.record_attempt.

The read helpers at the top load a page's data in a fixed number of queries
(people, lessons, attendance rows, attempts, certificates: one query each) so
the attendance and assessment pages and the workbooks show the same facts.
They are read side and would sit well in queries.py.
"""
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import excel
from app.accounts.exports import parse_mobile
from app.accounts.models import IDENTITY_TAG_LABELS, MEMBERSHIP_LABELS, User
from app.errors import DomainError
from app.extensions import db
from app.db import utcnow
from app.training import queries, rules, services
from app.training.models import (
    ENROLMENT_LABELS,
    Attempt,
    Attendance,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Lesson,
)

# ---- read side shared by the classroom pages and the workbooks


def attendance_marks(course_id, enrolment_ids=None):
    """(lesson id, enrolment id) → present, for the attendance rows of the course (one query)."""
    query = (sa.select(Attendance.lesson_id, Attendance.enrolment_id, Attendance.present)
             .join(Lesson, Lesson.id == Attendance.lesson_id).where(Lesson.course_id == course_id))
    if enrolment_ids is not None:
        query = query.where(Attendance.enrolment_id.in_(list(enrolment_ids)))
    return {(lesson_id, enrolment_id): present for lesson_id, enrolment_id, present in db.session.execute(query)}


def latest_attempts(course_id, enrolment_ids=None):
    """enrolment id → its latest attempt (one query)."""
    query = (sa.select(Attempt).join(Enrolment, Enrolment.id == Attempt.enrolment_id)
             .where(Enrolment.course_id == course_id).order_by(Attempt.enrolment_id, Attempt.number))
    if enrolment_ids is not None:
        query = query.where(Attempt.enrolment_id.in_(list(enrolment_ids)))
    return {attempt.enrolment_id: attempt for attempt in db.session.scalars(query)}


def certificates_by_user(course_id, user_ids=None):
    """user id → the newest certificate this course gave them (one query)."""
    query = queries.course_certificates(course_id).order_by(None).order_by(Certificate.issued_on, Certificate.id)
    if user_ids is not None:
        query = query.where(Certificate.user_id.in_(list(user_ids)))
    return {certificate.user_id: certificate for certificate in db.session.scalars(query)}


@dataclass
class AttendanceGrid:
    course: object
    lessons: list
    enrolments: list
    marks: dict  # (lesson id, enrolment id) → True / False; missing = not marked yet
    rates: dict  # enrolment id → percent (Decimal) or None without lessons
    opens_at: dict  # lesson id → when its attendance opens, for the lessons still to come


def attendance_grid(course, now=None):
    """Enrolled trainees × lessons. `course` comes from queries.course (lessons loaded)."""
    enrolments = queries.enrolled(course.id)
    return AttendanceGrid(course=course, lessons=list(course.lessons), enrolments=enrolments,
                          marks=attendance_marks(course.id),
                          rates=services.attendance_rate(course, [e.id for e in enrolments]),
                          opens_at=lessons_to_come(course, now))


def lessons_to_come(course, now=None):
    """lesson id → the moment its attendance opens, for the lessons whose attendance cannot be taken yet."""
    now = now or utcnow()
    return {lesson.id: rules.attendance_opens_at(lesson.starts_at) for lesson in course.lessons
            if not rules.attendance_open(lesson.starts_at, now)}


def marks_open_on(course, now=None):
    """The assessment day while marks cannot be recorded yet, else None (the pages say so)."""
    day = services.course_assessment_day(course)
    return None if rules.assessment_open(day, rules.local_date(now or utcnow())) else day


def certificates_open_on(course, today=None):
    """The assessment day while certificates cannot be issued yet (as services.issue_certificates), else None."""
    day = services.course_assessment_day(course)
    return None if rules.assessment_open(day, today or date.today()) else day


@dataclass
class MarkRow:
    """One trainee's line of the assessment grid."""

    enrolment: Enrolment
    attempt: Attempt | None
    rate: Decimal | None
    certificate: Certificate | None

    @property
    def locked(self):
        # A certificate was issued on these marks: changing them would contradict it.
        return self.certificate is not None

    @property
    def can_resit(self):
        return not self.locked and self.attempt is not None and self.attempt.passed is False

    def mark(self, field):
        return None if self.attempt is None else getattr(self.attempt, field)


def mark_rows(course, enrolments):
    ids = [e.id for e in enrolments]
    attempts = latest_attempts(course.id, ids)
    certificates = certificates_by_user(course.id, [e.user_id for e in enrolments])
    rates = services.attendance_rate(course, ids)
    return [MarkRow(e, attempts.get(e.id), rates.get(e.id), certificates.get(e.user_id)) for e in enrolments]


def assessment_rows(course):
    return mark_rows(course, queries.enrolled(course.id))


# ---- workbooks out


def _lesson_header(lesson):
    when = format_datetime(lesson.starts_at, "yyyy-MM-dd")
    return f"{when} {lesson.topic}".strip()


def _percent(value):
    return None if value is None else Decimal(value)


def _unit(user):
    return user.organization.name if user.organization else ""


ROSTER_HEADERS = ["姓名 name", "手机号 mobile", "单位 unit", "会员状态 membership", "身份 identity",
                  "报名状态 enrolment status", "候补顺位 waitlist position"]


def roster_workbook(course):
    """Everyone who applied to the course, in waitlist order, with their waitlist position."""
    enrolments = db.session.scalars(queries.course_enrolments(course.id)).unique().all()

    def rows():
        position = 0
        for enrolment in enrolments:
            user = enrolment.user
            waiting = enrolment.status == EnrolmentStatus.WAITLISTED
            # Same order as services.waitlist_position: queued_at, then id.
            position += 1 if waiting else 0
            yield [user.name, user.mobile or "", _unit(user), str(MEMBERSHIP_LABELS[user.membership_status]),
                   "、".join(str(IDENTITY_TAG_LABELS[tag]) for tag in sorted(user.tags)),
                   str(ENROLMENT_LABELS[enrolment.status]), position if waiting else None]

    return excel.write_workbook([excel.Sheet("roster", ROSTER_HEADERS, rows(), widths=[12, 14, 30, 12, 24, 14, 10])])


def attendance_workbook(course):
    grid = attendance_grid(course)
    present, absent = _("Present"), _("Absent")

    def rows():
        for enrolment in grid.enrolments:
            marks = [grid.marks.get((lesson.id, enrolment.id)) for lesson in grid.lessons]
            yield ([enrolment.user.name, enrolment.user.mobile or ""]
                   + ["" if mark is None else (present if mark else absent) for mark in marks]
                   + [_percent(grid.rates.get(enrolment.id))])

    headers = (["姓名 name", "手机号 mobile"] + [_lesson_header(lesson) for lesson in grid.lessons]
               + ["出勤率% attendance %"])
    widths = [12, 14] + [16] * len(grid.lessons) + [12]
    return excel.write_workbook([excel.Sheet("attendance", headers, rows(), widths)])


RESULT_HEADERS = ["姓名 name", "手机号 mobile", "单位 unit", "理论 theory", "实操 practical", "总成绩 total",
                  "出勤率% attendance %", "考核次数 attempt", "是否合格 passed", "证书编号 certificate"]


def results_workbook(course):
    rows_ = assessment_rows(course)
    passed, failed = _("Passed"), _("Failed")

    def rows():
        for row in rows_:
            user, attempt = row.enrolment.user, row.attempt
            yield [user.name, user.mobile or "", _unit(user), row.mark("theory"), row.mark("practical"),
                   row.mark("total"), _percent(row.rate), attempt.number if attempt else None,
                   "" if attempt is None or attempt.passed is None else (passed if attempt.passed else failed),
                   row.certificate.number if row.certificate else ""]

    return excel.write_workbook([excel.Sheet("results", RESULT_HEADERS, rows(),
                                             widths=[12, 14, 30, 8, 8, 8, 10, 8, 8, 24])])


# ---- marks in

MARK_COLUMNS = (
    excel.Column("name", "姓名", excel.text(60, required=False), required=False),
    excel.Column("mobile", "手机号", parse_mobile, required=False),
    excel.Column("theory", "理论", excel.decimal(places=2, minimum=Decimal(0), maximum=Decimal(100),
                                                 required=False)),
    excel.Column("practical", "实操", excel.decimal(places=2, minimum=Decimal(0), maximum=Decimal(100),
                                                    required=False)),
)


def marks_template(course):
    """The import template, one row per enrolled trainee with the marks recorded so far."""
    rows = [[row.enrolment.user.name, row.enrolment.user.mobile or "", row.mark("theory"), row.mark("practical")]
            for row in assessment_rows(course)]
    return io.BytesIO(excel.write_workbook([excel.Sheet("marks", [c.header for c in MARK_COLUMNS], rows,
                                                        widths=[14, 16, 10, 10])]))


def _who_given(values):
    if values["mobile"] is None and values["name"] is None:
        return [(None, _l("Give the trainee's mobile number or name."))]
    return []


def read_marks(workbook):
    result = excel.read_sheet(workbook, MARK_COLUMNS, validate_row=_who_given)
    _positions, _missing = excel.match_headers(result.headers, MARK_COLUMNS)
    if "mobile" not in _positions and "name" not in _positions:
        raise excel.ExcelError(_l("The sheet needs a column 手机号 mobile or 姓名 name to find each trainee."))
    return result


def _resolve(course_id, result):
    """Row number → enrolment for every row that names exactly one person; problems go to `result`."""
    enrolments = db.session.scalars(queries.course_enrolments(course_id)).unique().all()
    by_mobile = {e.user.mobile: e for e in enrolments if e.user.mobile}
    enrolled_by_name, others_by_name = {}, {}
    for enrolment in enrolments:
        names = enrolled_by_name if enrolment.status == EnrolmentStatus.ENROLLED else others_by_name
        names.setdefault(enrolment.user.name, []).append(enrolment)
    unknown = {values["mobile"] for _row, values in result.rows if values["mobile"] not in by_mobile}
    unknown.discard(None)
    registered = set(db.session.scalars(sa.select(User.mobile).where(User.mobile.in_(unknown)))) if unknown else set()

    mobile_header, name_header = MARK_COLUMNS[1].header, MARK_COLUMNS[0].header
    found, seen = {}, {}
    for row, values in result.rows:
        mobile, name = values["mobile"], values["name"]
        if mobile is not None:
            enrolment = by_mobile.get(mobile)
            if enrolment is None:
                if mobile in registered:
                    result.add_error(row, mobile_header, _l("This person is not enrolled in the course."))
                else:
                    result.add_error(row, mobile_header, _l("No one is registered with this mobile number."))
                continue
            if name is not None and name != enrolment.user.name:
                result.add_error(row, name_header, _l("This mobile number belongs to %(name)s, not to this name.",
                                                      name=enrolment.user.name))
                continue
        else:
            matches = enrolled_by_name.get(name) or others_by_name.get(name, [])[:1]  # "not enrolled" below
            if not matches:
                result.add_error(row, name_header, _l("No trainee of this course has this name."))
                continue
            if len(matches) > 1:
                result.add_error(row, name_header,
                                 _l("Several trainees have this name; give their mobile numbers instead."))
                continue
            enrolment = matches[0]
        if enrolment.status != EnrolmentStatus.ENROLLED:
            result.add_error(row, None, _l("%(name)s is not enrolled in the course (%(status)s).",
                                           name=enrolment.user.name, status=ENROLMENT_LABELS[enrolment.status]))
            continue
        if enrolment.id in seen:
            result.add_error(row, None, _l("%(name)s is already on row %(row)s.", name=enrolment.user.name,
                                           row=seen[enrolment.id]))
            continue
        seen[enrolment.id] = row
        found[row] = enrolment
    return found


def import_marks(actor, course, result):
    """Record the marks of every good row; returns how many trainees' marks changed.

    Every row is checked (and every change tried through services.record_attempt)
    before the caller decides: when `result` has any error, it rolls back.
    An empty mark cell keeps the mark already recorded.
    """
    services.check_marks_open(course)  # the whole workbook waits for the assessment day
    found = _resolve(course.id, result)
    rows = {row.enrolment.id: row for row in mark_rows(course, list(found.values()))}
    changed = 0
    for row_number, values in result.rows:
        enrolment = found.get(row_number)
        if enrolment is None:
            continue
        row = rows[enrolment.id]
        marks = {field: row.mark(field) if values[field] is None else values[field]
                 for field in ("theory", "practical")}
        if marks == {"theory": row.mark("theory"), "practical": row.mark("practical")}:
            continue  # nothing new for this person
        if row.locked:
            result.add_error(row_number, None, locked_message(row))
            continue
        try:
            services.record_attempt(actor, enrolment, theory=marks["theory"], practical=marks["practical"],
                                    rate=row.rate)
        except DomainError as error:
            header = {c.key: c.header for c in MARK_COLUMNS}.get(error.field)
            result.add_error(row_number, header, error.message)
            continue
        changed += 1
    return changed


def locked_message(row):
    return _l("The marks are locked: certificate %(number)s was issued on them.", number=row.certificate.number)


def personal_data(user):
    """The person's own training records, for "download my data" (app/personal_data.py)."""
    enrolments = [[e.course.title, e.course.base.name, str(ENROLMENT_LABELS[e.status]),
                   format_datetime(e.queued_at, "yyyy-MM-dd HH:mm")] for e in queries.my_enrolments(user)]
    certificates = [[c.number, c.title, c.course_title, c.issued_on.isoformat(),
                     c.expires_on.isoformat() if c.expires_on else "", c.status.value]
                    for c in queries.my_certificates(user)]
    return [
        excel.Sheet("培训报名 enrolments", ["课程 course", "培训机构 base", "状态 status", "报名时间 enrolled"],
                    enrolments, widths=[40, 30, 12, 18]),
        excel.Sheet("证书 certificates", ["编号 number", "证书 title", "课程 course", "发证 issued", "有效期至 expires",
                                        "状态 status"], certificates, widths=[22, 30, 40, 12, 12, 10]),
    ]
