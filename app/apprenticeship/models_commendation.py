"""The biennial commendation (优秀师徒表彰) of a programme: cycles, nominations, the public vote,
the expert panel and its marks, 公示 snapshots and objections, certificates and prize money.

A cycle runs through its stages in order (`commendation.STAGES`):

    nominating (推荐) → checking (审核, 效果评价) → voting (only when the programme has a public vote)
    → reviewing (专家评审) → publicity (公示) → published (表彰)

The award tiers and prizes are the programme's `commendation_tiers`; the review criteria are the
cycle's own rows (`CommendationCriterion`, defaults in `DEFAULT_CRITERIA`).
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization, User
from app.apprenticeship.models import MONEY, Programme
from app.apprenticeship.models_agreements import Agreement
from app.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.review.models import ObjectionMixin, SeatMixin, SheetMixin, SnapshotMixin

SCORE = sa.Numeric(7, 2)

# Criteria of the expert review: code, name, points (the maximum mark, and its weight in the final /100).
DEFAULT_CRITERIA = [
    {"code": "results", "name": "带徒成效", "points": 40},
    {"code": "heritage", "name": "技艺传承", "points": 30},
    {"code": "innovation", "name": "创新成果", "points": 20},
    {"code": "example", "name": "示范作用", "points": 10},
]


class CycleStage(enum.StrEnum):
    NOMINATING = "nominating"
    CHECKING = "checking"
    VOTING = "voting"
    REVIEWING = "reviewing"
    PUBLICITY = "publicity"
    PUBLISHED = "published"


CYCLE_STAGE_LABELS = {
    CycleStage.NOMINATING: _l("Nominations"),
    CycleStage.CHECKING: _l("Checking and effect evaluation"),
    CycleStage.VOTING: _l("Public vote"),
    CycleStage.REVIEWING: _l("Expert review"),
    CycleStage.PUBLICITY: _l("Public notice"),
    CycleStage.PUBLISHED: _l("Published"),
}


class NominationStatus(enum.StrEnum):
    NOMINATED = "nominated"
    ACCEPTED = "accepted"
    RETURNED = "returned"


NOMINATION_STATUS_LABELS = {
    NominationStatus.NOMINATED: _l("Awaiting check"),
    NominationStatus.ACCEPTED: _l("Accepted"),
    NominationStatus.RETURNED: _l("Returned"),
}


class EffectRating(enum.StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    FAIR = "fair"


EFFECT_RATING_LABELS = {
    EffectRating.OUTSTANDING: _l("Outstanding effect"),
    EffectRating.GOOD: _l("Good effect"),
    EffectRating.FAIR: _l("Fair effect"),
}


class PrizeRole(enum.StrEnum):
    MASTER = "master"
    APPRENTICE = "apprentice"


PRIZE_ROLE_LABELS = {PrizeRole.MASTER: _l("Master"), PrizeRole.APPRENTICE: _l("Apprentice")}


class CommendationCycle(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_commendation_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_programme.id"), index=True,
                                              nullable=False)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # random, public
    title: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    stage: Mapped[CycleStage] = mapped_column(str_enum(CycleStage, "commendation_stage"), nullable=False,
                                              default=CycleStage.NOMINATING)
    results_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    programme: Mapped[Programme] = relationship()
    criteria: Mapped[list["CommendationCriterion"]] = relationship(
        order_by="CommendationCriterion.position", cascade="all, delete-orphan", back_populates="cycle")

    def __str__(self):
        return self.title


class CommendationCriterion(db.Model):
    __tablename__ = "apprenticeship_commendation_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    max_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False)

    cycle: Mapped[CommendationCycle] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "code", name="uq_commendation_criterion_code"),
        sa.CheckConstraint("max_mark > 0", name="commendation_criterion_max_positive"),
    )

    @property
    def weight(self):
        return self.max_mark


class Nomination(TimestampMixin, db.Model):
    """推荐: one completed agreement put forward by a unit's staff, with its 事迹 summary."""

    __tablename__ = "apprenticeship_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id"), unique=True,
                                              nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True, nullable=False)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # 1, 2, … within the cycle
    deeds: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[NominationStatus] = mapped_column(str_enum(NominationStatus, "nomination_status"),
                                                     nullable=False, default=NominationStatus.NOMINATED)
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    effect_rating: Mapped[EffectRating | None] = mapped_column(str_enum(EffectRating, "effect_rating"))
    effect_note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    cycle: Mapped[CommendationCycle] = relationship()
    agreement: Mapped[Agreement] = relationship()
    unit: Mapped[Organization] = relationship()

    __table_args__ = (sa.UniqueConstraint("cycle_id", "number", name="uq_nomination_number"),)

    @property
    def label(self):
        return f"{self.number:03d}"


class CommendationVote(db.Model):
    """One signed-in user's vote in a cycle's public vote (one per user per cycle)."""

    __tablename__ = "apprenticeship_commendation_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_nomination.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("cycle_id", "user_id", name="uq_commendation_vote_once"),)


class CommendationSeat(SeatMixin, db.Model):
    __tablename__ = "apprenticeship_commendation_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)

    cycle: Mapped[CommendationCycle] = relationship()

    __table_args__ = (sa.UniqueConstraint("cycle_id", "user_id", name="uq_commendation_seat_user"),)


class CommendationSheet(SheetMixin, db.Model):
    __tablename__ = "apprenticeship_commendation_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_seat.id", ondelete="CASCADE"),
                                         nullable=False, unique=True)

    seat: Mapped[CommendationSeat] = relationship()


class CommendationScore(db.Model):
    __tablename__ = "apprenticeship_commendation_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_nomination.id", ondelete="CASCADE"),
                                               nullable=False)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_criterion.id",
                                                            ondelete="CASCADE"), nullable=False)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("nomination_id", "criterion_id", "judge_id", name="uq_commendation_score_cell"),
    )


class CommendationSnapshot(SnapshotMixin, db.Model):
    __tablename__ = "apprenticeship_commendation_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False)

    __table_args__ = (sa.UniqueConstraint("cycle_id", "version", name="uq_commendation_snapshot_version"),)


class CommendationObjection(ObjectionMixin, db.Model):
    """异议 to the 公示 of a cycle: a signed-in person's objection about one nomination."""

    __tablename__ = "apprenticeship_commendation_objection"
    __status_type__ = "commendation_objection_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_nomination.id", ondelete="CASCADE"),
                                               nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    nomination: Mapped[Nomination] = relationship()

    __table_args__ = (sa.UniqueConstraint("nomination_id", "author_id", name="uq_commendation_objection_once"),)


class CommendationCertificate(TimestampMixin, db.Model):
    """表彰证书 of one person (master or apprentice) of an awarded pair, verified at /verify/<code>."""

    __tablename__ = "apprenticeship_commendation_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_nomination.id", ondelete="CASCADE"),
                                               nullable=False)
    role: Mapped[PrizeRole] = mapped_column(str_enum(PrizeRole, "commendation_certificate_role"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    verify_code: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    number: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    holder: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    partner: Mapped[str] = mapped_column(sa.String(60), nullable=False)  # the other person of the pair
    unit: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    cycle_title: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    tier: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    issued_on: Mapped[date] = mapped_column(sa.Date, nullable=False)

    __table_args__ = (sa.UniqueConstraint("nomination_id", "role", name="uq_commendation_certificate_person"),)


class CommendationPrize(TimestampMixin, db.Model):
    """The tier's prize for one person of an awarded pair; finance marks it paid with the date."""

    __tablename__ = "apprenticeship_commendation_prize"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_commendation_cycle.id",
                                                        ondelete="CASCADE"), nullable=False, index=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_nomination.id", ondelete="CASCADE"),
                                               nullable=False)
    role: Mapped[PrizeRole] = mapped_column(str_enum(PrizeRole, "commendation_prize_role"), nullable=False)
    payee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    tier: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    payee: Mapped[User] = relationship(foreign_keys=[payee_id])
    nomination: Mapped[Nomination] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("nomination_id", "role", name="uq_commendation_prize_person"),
        sa.CheckConstraint("amount >= 0", name="commendation_prize_non_negative"),
    )
