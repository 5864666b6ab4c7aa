"""The training rules that pages, services and the dashboard share, each stated once.

Attendance: the percent of a course's lessons attended, and the minimum to pass.

Nothing is recorded before it happens:
- attendance of a lesson can be taken from half an hour before it starts (trainees
  sign in at the door), never earlier;
- marks, re-sits and certificates come from the day of the assessment (结业考核),
  which closes the course: the day of its last lesson, or its last day when it has
  no lessons. Certificates carry an issue date on or after that day.
Days are days in China (Asia/Shanghai), whatever the server's clock zone.
"""
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.db import LOCAL_TIMEZONE
from app.scoring import round_half_up

LOCAL_TZ = ZoneInfo(LOCAL_TIMEZONE)
ATTENDANCE_OPENS_BEFORE = timedelta(minutes=30)


def attendance_percent(attended, lessons):
    """Percent of lessons attended, rounded half-up to 2 places; None without lessons."""
    if not lessons:
        return None
    return round_half_up(Decimal(attended) * 100 / lessons)


def attendance_met(minimum, rate):
    """A course without a minimum admits everyone; otherwise the (rounded) rate must reach it."""
    return minimum == 0 or (rate is not None and rate >= minimum)


def attended_enough(minimum, lessons, attended):
    """The rule on raw counts, as the dashboard groups them."""
    return attendance_met(minimum, attendance_percent(attended, lessons))


# ---- when things may be recorded


def local_date(moment):
    """The day in China of an aware datetime."""
    return moment.astimezone(LOCAL_TZ).date()


def attendance_opens_at(lesson_starts_at):
    """The moment a lesson's attendance may first be taken."""
    return lesson_starts_at - ATTENDANCE_OPENS_BEFORE


def attendance_open(lesson_starts_at, now):
    return now >= attendance_opens_at(lesson_starts_at)


def assessment_day(ends_on, lesson_starts):
    """The day of the course's assessment: the day of its last lesson, else its last day."""
    starts = list(lesson_starts)
    return local_date(max(starts)) if starts else ends_on


def assessment_open(day, today):
    """Marks and certificates may be recorded on `today` (a day in China)."""
    return today >= day


# ---- where a trainee stands in a course (我的培训)

# 已报名 → 在学 → 待出成绩 → 已结业 / 未通过 → 已发证; the other enrolment states stay as they are.
PROGRESS_STEPS = ("pending", "waitlisted", "withdrawn", "rejected", "cancelled", "enrolled", "studying", "awaiting",
                  "passed", "failed", "certified", "revoked")
ACTIVE = ("pending", "waitlisted", "enrolled")  # enrolment states that still hold or wait for a place


def progress(status, course_cancelled, starts_on, ends_on, today, passed=None, certificate_state=None):
    """One of PROGRESS_STEPS for an enrolment (`status`, a str enum value).

    `passed` is the latest attempt's result (None before it is complete) and
    `certificate_state` the state of the newest certificate of this course, if any.
    """
    if status in ("withdrawn", "rejected"):
        return status
    if status == "enrolled" and certificate_state is not None:
        return "revoked" if certificate_state == "revoked" else "certified"
    if status == "enrolled" and passed is not None:
        return "passed" if passed else "failed"
    if course_cancelled:
        return "cancelled"
    if status != "enrolled":  # waiting for approval or on the waitlist
        return status
    if today < starts_on:
        return "enrolled"
    return "studying" if today <= ends_on else "awaiting"


def current(status, course_cancelled, ends_on, today):
    """Still ahead or under way (the top of 我的培训), rather than done with."""
    return status in ACTIVE and not course_cancelled and today <= ends_on
