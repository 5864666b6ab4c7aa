"""Expert evaluation rounds on the shared review layer, the annual assessment's grades,
and rectifications (限期整改) of studios.

One generic round serves the mid-term evaluation and the performance assessment of
reports and the annual assessment of studios: a round has weighted criteria
(code, name, maximum, weight; weights sum to 100), subjects (a studio, with the
report evaluated when there is one), expert seats with one sheet each, and marks
per seat × subject × criterion. Grade thresholds and the 优秀 cap are round data.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User
from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.innovation.models import SCORE, WEIGHT, Programme, Studio
from app.innovation.models_reports import StudioReport
from app.review.models import SeatMixin, SheetMixin


class RoundKind(enum.StrEnum):
    MIDTERM = "midterm"  # 中期评估
    PERFORMANCE = "performance"  # 绩效评价
    ANNUAL = "annual"  # 年度考核


ROUND_KIND_LABELS = {
    RoundKind.MIDTERM: _l("Mid-term evaluation"),
    RoundKind.PERFORMANCE: _l("Performance assessment"),
    RoundKind.ANNUAL: _l("Annual assessment"),
}


class RoundStatus(enum.StrEnum):
    OPEN = "open"  # experts score
    CLOSED = "closed"  # grades confirmed (annual) or results taken


ROUND_STATUS_LABELS = {
    RoundStatus.OPEN: _l("Scoring"),
    RoundStatus.CLOSED: _l("Closed"),
}


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"  # 优秀
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


GRADE_LABELS = {
    Grade.EXCELLENT: _l("Excellent"),
    Grade.PASS: _l("Pass"),
    Grade.FAIL: _l("Fail"),
}


class EvaluationRound(TimestampMixin, db.Model):
    __tablename__ = "innovation_eval_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    kind: Mapped[RoundKind] = mapped_column(str_enum(RoundKind, "eval_round_kind"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_programme.id"), index=True)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus, "eval_round_status"), nullable=False,
                                                default=RoundStatus.OPEN)
    trim_at: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    excellent_cap_percent: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False, default=Decimal(20))
    pass_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False, default=Decimal(60))
    excellent_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False, default=Decimal(85))
    grades_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme | None] = relationship()
    criteria: Mapped[list["EvaluationCriterion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="EvaluationCriterion.position")
    subjects: Mapped[list["EvaluationSubject"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="EvaluationSubject.id")
    seats: Mapped[list["EvaluationSeat"]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                         order_by="EvaluationSeat.id")

    __table_args__ = (
        sa.CheckConstraint("trim_at >= 3", name="trim_at_min"),
        sa.CheckConstraint("excellent_cap_percent >= 0 AND excellent_cap_percent <= 100", name="cap_range"),
        sa.CheckConstraint("pass_mark >= 0 AND excellent_mark >= pass_mark", name="marks_ordered"),
    )

    @property
    def is_annual(self):
        return self.kind == RoundKind.ANNUAL

    def seat_of(self, user):
        if not user.is_authenticated:
            return None
        return next((seat for seat in self.seats if seat.user_id == user.id), None)

    def __str__(self):
        return self.name


class EvaluationCriterion(db.Model):
    __tablename__ = "innovation_eval_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_round.id", ondelete="CASCADE"),
                                          nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    max_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    weight: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)  # percent of the final; all sum to 100
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    round: Mapped[EvaluationRound] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "code", name="uq_innovation_eval_criterion_code"),
        sa.CheckConstraint("max_mark > 0", name="max_mark_positive"),
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
    )


class EvaluationSubject(db.Model):
    """A studio evaluated in a round (with its report, for report evaluations) and, for the
    annual assessment, its self-assessment and grade."""

    __tablename__ = "innovation_eval_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_round.id", ondelete="CASCADE"),
                                          nullable=False)
    studio_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_studio.id"), nullable=False, index=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_report.id"), index=True)
    # The studio's host unit when the subject was added: conflicts of interest compare with it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False)
    self_assessment: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    self_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_grade: Mapped[Grade | None] = mapped_column(str_enum(Grade, "assessment_proposed_grade"))
    tied_at_cap: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    grade: Mapped[Grade | None] = mapped_column(str_enum(Grade, "assessment_grade"))  # confirmed by staff
    final_score: Mapped[Decimal | None] = mapped_column(SCORE)

    round: Mapped[EvaluationRound] = relationship(back_populates="subjects")
    studio: Mapped[Studio] = relationship()
    report: Mapped[StudioReport | None] = relationship()
    unit: Mapped[Organization] = relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "studio_id", name="uq_innovation_eval_subject_studio"),)


class EvaluationSeat(SeatMixin, db.Model):
    __tablename__ = "innovation_eval_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_round.id", ondelete="CASCADE"),
                                          nullable=False)

    round: Mapped[EvaluationRound] = relationship(back_populates="seats")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_innovation_eval_seat_expert"),
        sa.Index("uq_innovation_eval_seat_chief", "round_id", unique=True,
                 sqlite_where=sa.text("is_chief"), postgresql_where=sa.text("is_chief")),
    )


class EvaluationSheet(SheetMixin, db.Model):
    __tablename__ = "innovation_eval_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_seat.id", ondelete="CASCADE"),
                                         nullable=False, unique=True)

    seat: Mapped[EvaluationSeat] = relationship()


class EvaluationScore(db.Model):
    __tablename__ = "innovation_eval_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_subject.id", ondelete="CASCADE"),
                                            nullable=False)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_eval_criterion.id", ondelete="CASCADE"),
                                              nullable=False)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("judge_id", "subject_id", "criterion_id",
                            name="uq_innovation_eval_score_judge_subject_criterion"),
        sa.Index("ix_innovation_eval_score_subject", "subject_id", "criterion_id", "judge_id", "value"),
    )


class RectificationOutcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"


RECTIFICATION_OUTCOME_LABELS = {
    RectificationOutcome.PASSED: _l("Passed the re-check"),
    RectificationOutcome.FAILED: _l("Failed the re-check: title revoked"),
}


class Rectification(db.Model):
    """限期整改: tasks and a deadline, then a re-check (passed → active, failed → 摘牌)."""

    __tablename__ = "innovation_rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_studio.id"), nullable=False, index=True)
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_eval_subject.id"))
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)  # public, as the studio's status note
    tasks: Mapped[str] = mapped_column(sa.Text, nullable=False)  # one task per line
    deadline: Mapped[date] = mapped_column(sa.Date, nullable=False)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    outcome: Mapped[RectificationOutcome | None] = mapped_column(
        str_enum(RectificationOutcome, "rectification_outcome"))
    recheck_note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    rechecked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio: Mapped[Studio] = relationship()
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])

    @property
    def task_list(self):
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]

    @property
    def is_open(self):
        return self.outcome is None
