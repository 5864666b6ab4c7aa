"""Agreements (师徒协议) and their goals.

An agreement binds a master and an apprentice in a programme, for an employer unit and its union,
from `starts_on` to `ends_on` (1–3 years, renewable). Its states and the allowed moves between them
are written once, in `agreements.TRANSITIONS`:

    proposed → awaiting_signatures → active → awaiting_assessment → completed (优秀 / 合格) | failed
    active, in its first month → objected (the pair goes back to matching)
    active / awaiting_assessment → dissolved (with a reason)
    proposed / awaiting_signatures → cancelled

A completed or failed agreement may be renewed: a new agreement with `renewed_from_id` set.
One apprentice holds at most one live agreement (proposed … awaiting_assessment): a partial
unique index, so two staff creating one at once cannot both succeed.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organization
from app.apprenticeship.models import MONEY, ApprenticeProfile, Master, Programme, ProposedPair
from app.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db

MIN_MONTHS, MAX_MONTHS = 12, 36  # agreements run 1–3 years
OBJECTION_DAYS = 30  # either side may object within the first month


class AgreementStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AWAITING_SIGNATURES = "awaiting_signatures"
    ACTIVE = "active"
    AWAITING_ASSESSMENT = "awaiting_assessment"
    COMPLETED = "completed"
    FAILED = "failed"
    OBJECTED = "objected"
    DISSOLVED = "dissolved"
    CANCELLED = "cancelled"


LIVE_STATUSES = (AgreementStatus.PROPOSED, AgreementStatus.AWAITING_SIGNATURES, AgreementStatus.ACTIVE,
                 AgreementStatus.AWAITING_ASSESSMENT)

AGREEMENT_STATUS_LABELS = {
    AgreementStatus.PROPOSED: _l("Being drafted"),
    AgreementStatus.AWAITING_SIGNATURES: _l("Awaiting signatures"),
    AgreementStatus.ACTIVE: _l("In force"),
    AgreementStatus.AWAITING_ASSESSMENT: _l("Awaiting final assessment"),
    AgreementStatus.COMPLETED: _l("Completed"),
    AgreementStatus.FAILED: _l("Failed"),
    AgreementStatus.OBJECTED: _l("Objected to"),
    AgreementStatus.DISSOLVED: _l("Dissolved"),
    AgreementStatus.CANCELLED: _l("Cancelled"),
}


class AgreementGrade(enum.StrEnum):
    EXCELLENT = "excellent"  # 优秀
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


AGREEMENT_GRADE_LABELS = {
    AgreementGrade.EXCELLENT: _l("Excellent"),
    AgreementGrade.PASS: _l("Pass"),
    AgreementGrade.FAIL: _l("Fail"),
}


class GoalKind(enum.StrEnum):
    SKILL_LEVEL = "skill_level"  # reach a qualification grade
    CERTIFICATE = "certificate"  # earn a training certificate
    COMPETITION = "competition"  # a competition result
    INNOVATION = "innovation"  # a patent or a 五小 award
    INDEPENDENT_OPERATION = "independent_operation"  # work a post alone


GOAL_KIND_LABELS = {
    GoalKind.SKILL_LEVEL: _l("Skill level"),
    GoalKind.CERTIFICATE: _l("Certificate"),
    GoalKind.COMPETITION: _l("Competition result"),
    GoalKind.INNOVATION: _l("Patent or innovation award"),
    GoalKind.INDEPENDENT_OPERATION: _l("Independent operation"),
}


class Party(enum.StrEnum):
    MASTER = "master"
    APPRENTICE = "apprentice"
    UNIT = "unit"  # the employer unit's union, signing through its staff


PARTY_LABELS = {
    Party.MASTER: _l("Master"),
    Party.APPRENTICE: _l("Apprentice"),
    Party.UNIT: _l("Unit union"),
}


class Agreement(TimestampMixin, db.Model):
    __tablename__ = "apprenticeship_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_programme.id"), index=True,
                                              nullable=False)
    pair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("apprenticeship_pair.id", ondelete="SET NULL"),
                                                index=True)
    master_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_master.id"), index=True, nullable=False)
    apprentice_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_apprentice.id"), index=True,
                                               nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True, nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    stipend_monthly: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal("0"))
    teaching_plan: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    meeting_cadence: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus, "agreement_status"),
                                                    nullable=False, default=AgreementStatus.PROPOSED, index=True)
    grade: Mapped[AgreementGrade | None] = mapped_column(str_enum(AgreementGrade, "agreement_grade"))
    master_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    apprentice_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    activated_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    end_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    renewed_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id"))

    programme: Mapped[Programme] = relationship()
    pair: Mapped[ProposedPair | None] = relationship()
    master: Mapped[Master] = relationship()
    apprentice: Mapped[ApprenticeProfile] = relationship()
    unit: Mapped[Organization] = relationship()
    goals: Mapped[list["AgreementGoal"]] = relationship(back_populates="agreement", order_by="AgreementGoal.id",
                                                        cascade="all, delete-orphan")
    renewed_from: Mapped["Agreement | None"] = relationship(remote_side=[id])

    __table_args__ = (
        sa.Index("uq_agreement_one_live_per_apprentice", "apprentice_id", unique=True,
                 sqlite_where=sa.text("status IN ('proposed', 'awaiting_signatures', 'active', "
                                      "'awaiting_assessment')"),
                 postgresql_where=sa.text("status IN ('proposed', 'awaiting_signatures', 'active', "
                                          "'awaiting_assessment')")),
        sa.CheckConstraint("ends_on > starts_on", name="agreement_dates_order"),
        sa.CheckConstraint("stipend_monthly >= 0", name="agreement_stipend_positive"),
    )

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES

    def party_of(self, user):
        """The party `user` signs for as master or apprentice (None for anyone else)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        if self.master.user_id == user.id:
            return Party.MASTER
        if self.apprentice.user_id == user.id:
            return Party.APPRENTICE
        return None

    def __str__(self):
        return f"{self.master.user.display_name} – {self.apprentice.user.display_name}"


class AgreementGoal(TimestampMixin, db.Model):
    """One goal of an agreement, with its target and due date; `achieved_on` and `evidence` are set
    when it closes (by itself from evidence the platform holds, or by staff)."""

    __tablename__ = "apprenticeship_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenticeship_agreement.id", ondelete="CASCADE"),
                                              index=True, nullable=False)
    kind: Mapped[GoalKind] = mapped_column(str_enum(GoalKind, "goal_kind"), nullable=False)
    target: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    target_level: Mapped[int | None] = mapped_column(sa.SmallInteger)  # for SKILL_LEVEL: grade 1–5
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    achieved_on: Mapped[date | None] = mapped_column(sa.Date)
    evidence: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    evidence_ref: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")  # e.g. a certificate code

    agreement: Mapped[Agreement] = relationship(back_populates="goals")

    __table_args__ = (sa.CheckConstraint("target_level IS NULL OR target_level BETWEEN 1 AND 5",
                                         name="goal_target_level_range"),)

    @property
    def achieved(self):
        return self.achieved_on is not None
