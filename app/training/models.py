"""Training bases, courses and lessons; enrolments with a waitlist; attendance,
assessment attempts, certificates (verifiable by QR code) and outcomes."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.access import is_staff
from app.accounts.models import Organization, Trade, User
from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db

MARK = sa.Numeric(6, 2)
MONEY = sa.Numeric(12, 2)
PERCENT = sa.Numeric(5, 2)


class BaseStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class Level(enum.StrEnum):
    """The national five-level vocational skill scale (or none for short courses)."""

    NONE = "none"
    FIVE = "5"  # 五级/初级工
    FOUR = "4"  # 四级/中级工
    THREE = "3"  # 三级/高级工
    TWO = "2"  # 二级/技师
    ONE = "1"  # 一级/高级技师


LEVEL_LABELS = {
    Level.NONE: _l("No level (short course)"),
    Level.FIVE: _l("Level 5 · junior worker (五级/初级工)"),
    Level.FOUR: _l("Level 4 · intermediate worker (四级/中级工)"),
    Level.THREE: _l("Level 3 · senior worker (三级/高级工)"),
    Level.TWO: _l("Level 2 · technician (二级/技师)"),
    Level.ONE: _l("Level 1 · senior technician (一级/高级技师)"),
}


class Eligibility(enum.StrEnum):
    ANYONE = "anyone"
    MEMBERS = "members"
    UNITS = "units"


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EnrolmentStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for staff approval
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


ENROLMENT_LABELS = {
    EnrolmentStatus.PENDING: _l("Waiting for approval"),
    EnrolmentStatus.ENROLLED: _l("Enrolled"),
    EnrolmentStatus.WAITLISTED: _l("On the waitlist"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.REJECTED: _l("Not accepted"),
}

# Where a trainee stands in a course, as 我的培训 shows it (rules.progress decides).
PROGRESS_LABELS = {
    "pending": ENROLMENT_LABELS[EnrolmentStatus.PENDING],
    "waitlisted": ENROLMENT_LABELS[EnrolmentStatus.WAITLISTED],
    "withdrawn": ENROLMENT_LABELS[EnrolmentStatus.WITHDRAWN],
    "rejected": ENROLMENT_LABELS[EnrolmentStatus.REJECTED],
    "cancelled": _l("Course cancelled"),
    "enrolled": ENROLMENT_LABELS[EnrolmentStatus.ENROLLED],
    "studying": _l("In training"),
    "awaiting": _l("Waiting for the results"),
    "passed": _l("Completed the course"),
    "failed": _l("Did not pass"),
    "certified": _l("Certificate issued"),
    "revoked": _l("Certificate revoked"),
}


base_trade = sa.Table(
    "training_base_trade",
    db.metadata,
    sa.Column("base_id", sa.ForeignKey("training_base.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("trade_id", sa.ForeignKey("trade.id", ondelete="CASCADE"), primary_key=True),
)

course_unit = sa.Table(
    "training_course_unit",
    db.metadata,
    sa.Column("course_id", sa.ForeignKey("training_course.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)


class TrainingBase(TimestampMixin, db.Model):
    """实训基地: a designated training base."""

    __tablename__ = "training_base"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True, nullable=False)  # public URL part
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    designated_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[BaseStatus] = mapped_column(str_enum(BaseStatus, "base_status"), nullable=False,
                                               default=BaseStatus.ACTIVE)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    organization: Mapped[Organization] = relationship()
    trades: Mapped[list[Trade]] = relationship(secondary=base_trade, order_by=Trade.code)

    def __str__(self):
        return self.name


class Course(TimestampMixin, db.Model):
    """培训班: one course run at a base."""

    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(sa.ForeignKey("training_base.id"), nullable=False, index=True)
    trade_id: Mapped[int] = mapped_column(sa.ForeignKey("trade.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    level: Mapped[Level] = mapped_column(str_enum(Level, "course_level"), nullable=False, default=Level.NONE)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    seats: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # Kept by conditional UPDATEs (never check-then-insert), so seats are never oversold.
    seats_taken: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    enrol_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrol_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    eligibility: Mapped[Eligibility] = mapped_column(str_enum(Eligibility, "course_eligibility"), nullable=False,
                                                     default=Eligibility.ANYONE)
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    theory_weight: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal(30))
    practical_weight: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal(70))
    pass_mark: Mapped[Decimal] = mapped_column(MARK, nullable=False, default=Decimal(60))
    min_attendance: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal(80))
    certificate_name: Mapped[str | None] = mapped_column(sa.String(120))  # e.g. 焊工从业资格证书
    certificate_years: Mapped[int | None] = mapped_column(sa.Integer)  # validity; None = no expiry
    status: Mapped[CourseStatus] = mapped_column(str_enum(CourseStatus, "course_status"), nullable=False,
                                                 default=CourseStatus.DRAFT, index=True)

    base: Mapped[TrainingBase] = relationship()
    trade: Mapped[Trade] = relationship()
    units: Mapped[list[Organization]] = relationship(secondary=course_unit)
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="course", order_by="Lesson.starts_at",
                                                   cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("seats > 0", name="seats_positive"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_not_oversold"),
        sa.CheckConstraint("theory_weight + practical_weight = 100", name="weights_total"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    @property
    def seats_left(self):
        return max(self.seats - self.seats_taken, 0)

    @property
    def is_free(self):
        return self.fee == 0

    def enrolment_open(self, now=None):
        now = now or utcnow()
        return (
            self.status == CourseStatus.PUBLISHED
            and (self.enrol_opens_at is None or now >= self.enrol_opens_at)
            and (self.enrol_closes_at is None or now < self.enrol_closes_at)
            and now.date() < self.starts_on
        )

    def __str__(self):
        return self.title


class Lesson(db.Model):
    __tablename__ = "training_lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    topic: Mapped[str] = mapped_column(sa.String(160), nullable=False, default="")

    course: Mapped[Course] = relationship(back_populates="lessons")


class Enrolment(TimestampMixin, db.Model):
    __tablename__ = "training_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus, "enrolment_status"), nullable=False)
    # Waitlist order: the time one joined it (ties by id).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("course_id", "user_id", name="uq_training_enrolment_course_user"),
        sa.Index("ix_training_enrolment_course_status", "course_id", "status", "queued_at"),
    )

    def belongs_to(self, user):
        return self.user_id == user.id


class Attendance(db.Model):
    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("training_lesson.id", ondelete="CASCADE"), nullable=False)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("training_enrolment.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    present: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("lesson_id", "enrolment_id", name="uq_training_attendance_lesson_enrolment"),)


class Attempt(db.Model):
    """One sitting of the assessment; a re-sit is a new attempt."""

    __tablename__ = "training_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("training_enrolment.id", ondelete="CASCADE"),
                                              nullable=False)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    theory: Mapped[Decimal | None] = mapped_column(MARK)
    practical: Mapped[Decimal | None] = mapped_column(MARK)
    total: Mapped[Decimal | None] = mapped_column(MARK)
    passed: Mapped[bool | None] = mapped_column(sa.Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()

    __table_args__ = (sa.UniqueConstraint("enrolment_id", "number", name="uq_training_attempt_number"),)


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class Certificate(TimestampMixin, db.Model):
    __tablename__ = "training_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # XZ-2026-HG-000123
    verify_code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # unguessable
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id"), nullable=False, index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_attempt.id"))
    # Facts printed on the certificate, copied at issue so later edits never change it.
    holder_name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    course_title: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    trade_name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    level: Mapped[Level] = mapped_column(str_enum(Level, "certificate_level"), nullable=False)
    base_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    awarded_on: Mapped[date] = mapped_column(sa.Date, nullable=False)  # kept across renewals
    issued_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[CertificateStatus] = mapped_column(str_enum(CertificateStatus, "certificate_status"),
                                                      nullable=False, default=CertificateStatus.VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    renewed_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_certificate.id"))
    # Set on the old certificate when a renewal replaces it: it then verifies as "superseded by <number>".
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_certificate.id"))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    # Pages load it with the certificate (queries.py); templates never query it on their own.
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[superseded_by_id],
                                                               lazy="raise_on_sql")

    def held_by(self, user):
        return self.user_id == user.id

    def can_view(self, user):
        """The holder, and staff, may download the certificate with the full name on it."""
        return self.held_by(user) or is_staff(user)

    def state(self, today=None):
        """valid / expired / superseded (a renewal replaced it) / revoked, the strongest first."""
        if self.status == CertificateStatus.REVOKED:
            return "revoked"
        if self.superseded_by_id is not None:
            return "superseded"
        if self.expires_on is not None and (today or date.today()) > self.expires_on:
            return "expired"
        return "valid"


class CertificateSequence(db.Model):
    """Next serial number per year and trade code (XZ-2026-HG-000123)."""

    __tablename__ = "training_certificate_sequence"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    trade_code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    last: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class Outcome(TimestampMixin, db.Model):
    """What the training changed: asked at 3, 6 and 12 months after certification."""

    __tablename__ = "training_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("training_certificate.id", ondelete="CASCADE"),
                                                nullable=False)
    months: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # 3, 6 or 12
    new_job: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    new_post: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    income_before: Mapped[Decimal | None] = mapped_column(MONEY)  # monthly, yuan
    income_after: Mapped[Decimal | None] = mapped_column(MONEY)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    certificate: Mapped[Certificate] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("certificate_id", "months", name="uq_training_outcome_certificate_months"),
        sa.CheckConstraint("months IN (3, 6, 12)", name="months_allowed"),
    )
