"""Assessment rounds of apprenticeship agreements (mid-term 中期考核 and final 出师考核).

Built from the review layer's mixins, like the innovation evaluation rounds: a round belongs to a
programme and has a kind; its criteria are a frozen copy of the programme's `criteria` (code, name,
weight; every criterion is scored 0–100) taken when the round is created, so a later change of
the programme never moves a round's scores. Subjects are agreements; assessors have seats and one
sheet each; marks are per seat × subject × criterion.
"""
import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.apprenticeship.models import Programme
from app.apprenticeship.models_agreements import Agreement, AgreementGrade
from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.review.models import SeatMixin, SheetMixin

SCORE = sa.Numeric(7, 2)
WEIGHT = sa.Numeric(5, 2)
MAX_MARK = Decimal(100)


class AssessmentKind(enum.StrEnum):
    MIDTERM = "midterm"  # 中期考核: recorded, the agreement's state does not change
    FINAL = "final"  # 出师考核: the grade completes or fails the agreement


ASSESSMENT_KIND_LABELS = {
    AssessmentKind.MIDTERM: _l("Mid-term assessment"),
    AssessmentKind.FINAL: _l("Final assessment"),
}


class AssessmentStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


ASSESSMENT_STATUS_LABELS = {
    AssessmentStatus.OPEN: _l("Scoring"),
    AssessmentStatus.CLOSED: _l("Closed"),
}


class AssessmentRound(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_assessment_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_programme.id"), index=True,
                                              nullable=False)
    kind: Mapped[AssessmentKind] = mapped_column(str_enum(AssessmentKind, "assessment_kind"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    status: Mapped[AssessmentStatus] = mapped_column(str_enum(AssessmentStatus, "assessment_status"),
                                                     nullable=False, default=AssessmentStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()
    criteria: Mapped[list["AssessmentCriterion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="AssessmentCriterion.position")
    seats: Mapped[list["AssessmentSeat"]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                         order_by="AssessmentSeat.id")

    @property
    def is_final(self):
        return self.kind == AssessmentKind.FINAL

    @property
    def is_open(self):
        return self.status == AssessmentStatus.OPEN

    def seat_of(self, user):
        if not getattr(user, "is_authenticated", False):
            return None
        return next((seat for seat in self.seats if seat.user_id == user.id), None)

    def __str__(self):
        return self.name


class AssessmentCriterion(db.Model):
    __tablename__ = "apprenticeship_assessment_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_assessment_round.id", ondelete="CASCADE"),
                                          nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    weight: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    round: Mapped[AssessmentRound] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "code", name="uq_apprenticeship_assessment_criterion_code"),
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="assessment_weight_range"),
    )

    @property
    def max_mark(self):
        return MAX_MARK

    @property
    def weight_text(self):
        """The weight as people write it: 40, 12.5."""
        return format(self.weight.normalize(), "f")


class AssessmentSubject(db.Model):
    """An agreement assessed in a round; its score and grade are set when the round closes."""

    __tablename__ = "apprenticeship_assessment_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_assessment_round.id", ondelete="CASCADE"),
                                          nullable=False)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id"), index=True,
                                              nullable=False)
    score: Mapped[Decimal | None] = mapped_column(SCORE)
    grade: Mapped[AgreementGrade | None] = mapped_column(str_enum(AgreementGrade, "assessment_subject_grade"))

    round: Mapped[AssessmentRound] = relationship()
    agreement: Mapped[Agreement] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("round_id", "agreement_id", name="uq_apprenticeship_assessment_subject"),
    )


class AssessmentSeat(SeatMixin, db.Model):
    __tablename__ = "apprenticeship_assessment_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_assessment_round.id", ondelete="CASCADE"),
                                          nullable=False)

    round: Mapped[AssessmentRound] = relationship(back_populates="seats")

    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_apprenticeship_assessment_seat_user"),
    )


class AssessmentSheet(SheetMixin, db.Model):
    __tablename__ = "apprenticeship_assessment_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_assessment_seat.id", ondelete="CASCADE"),
                                         nullable=False, unique=True)

    seat: Mapped[AssessmentSeat] = relationship()


class AssessmentScore(db.Model):
    __tablename__ = "apprenticeship_assessment_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        sa.ForeignKey("apprenticeship_assessment_subject.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("apprenticeship_assessment_criterion.id", ondelete="CASCADE"), nullable=False)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("judge_id", "subject_id", "criterion_id",
                            name="uq_apprenticeship_assessment_score_cell"),
        sa.Index("ix_apprenticeship_assessment_score_subject", "subject_id", "criterion_id"),
    )
