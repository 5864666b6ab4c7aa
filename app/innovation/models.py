"""Innovation studios (创新工作室) and the programmes that designate, fund and award them.

Studios → designations (one row per level reached, history kept) and members;
programmes (annual calls: designation, re-confirmation, key support, the 五小
achievement contest) → quotas per studio type, weighted criteria, applications
with their recommendation chain and attachments; an expert panel scores
applications on the shared review layer (seats, sheets, marks, snapshots).

Every amount, quota, weight and period is programme data, never a constant.
Quota and budget are guarded by the database: `ProgrammeQuota.proposed_count`
and `Programme.committed_amount` move in the same transaction as a proposal and
CHECK constraints refuse a count over the quota or a sum over the budget, so two
staff marking the last place at once cannot both succeed.
"""
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
from app.review.models import SeatMixin, SheetMixin, SnapshotMixin

SCORE = sa.Numeric(7, 2)
MONEY = sa.Numeric(14, 2)  # yuan, up to 999,999,999,999.99
WEIGHT = sa.Numeric(5, 2)


# ---------------------------------------------------------------- studios

class StudioType(enum.StrEnum):
    MODEL_WORKER = "model_worker"  # 劳模创新工作室
    WORKER = "worker"  # 职工创新工作室
    CRAFTSMAN = "craftsman"  # 工匠创新工作室
    SKILL_MASTER = "skill_master"  # 技能大师工作室
    JOINT = "joint"  # 联合创新工作室


STUDIO_TYPE_LABELS = {
    StudioType.MODEL_WORKER: _l("Model-worker innovation studio"),
    StudioType.WORKER: _l("Worker innovation studio"),
    StudioType.CRAFTSMAN: _l("Craftsman innovation studio"),
    StudioType.SKILL_MASTER: _l("Skill-master studio"),
    StudioType.JOINT: _l("Joint innovation studio"),
}


class StudioLevel(enum.StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    DISTRICT = "district"  # 区县级 / 产业级
    ENTERPRISE = "enterprise"


STUDIO_LEVEL_LABELS = {
    StudioLevel.NATIONAL: _l("National"),
    StudioLevel.PROVINCIAL: _l("Provincial"),
    StudioLevel.CITY: _l("City"),
    StudioLevel.DISTRICT: _l("District or industry"),
    StudioLevel.ENTERPRISE: _l("Enterprise"),
}
# Highest first: a studio's level is the highest designation it holds.
LEVEL_ORDER = [StudioLevel.NATIONAL, StudioLevel.PROVINCIAL, StudioLevel.CITY, StudioLevel.DISTRICT,
               StudioLevel.ENTERPRISE]


class StudioStatus(enum.StrEnum):
    ACTIVE = "active"
    RECTIFYING = "rectifying"  # 限期整改
    RECONFIRMING = "reconfirming"  # 复核中
    LEADER_CHANGE = "leader_change"  # 领衔人变更中
    REVOKED = "revoked"  # 摘牌
    DISSOLVED = "dissolved"


STUDIO_STATUS_LABELS = {
    StudioStatus.ACTIVE: _l("Active"),
    StudioStatus.RECTIFYING: _l("Rectifying"),
    StudioStatus.RECONFIRMING: _l("Being re-confirmed"),
    StudioStatus.LEADER_CHANGE: _l("Leader changing"),
    StudioStatus.REVOKED: _l("Title revoked"),
    StudioStatus.DISSOLVED: _l("Dissolved"),
}


class Studio(TimestampMixin, db.Model):
    """An innovation studio: led by a model worker or craftsman, hosted by a unit."""

    __tablename__ = "innovation_studio"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # public URL part, plaque QR
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    studio_type: Mapped[StudioType] = mapped_column(str_enum(StudioType, "studio_type"), nullable=False)
    # The highest level designated (kept with the designation rows); enterprise until designated above.
    level: Mapped[StudioLevel] = mapped_column(str_enum(StudioLevel, "studio_level"), nullable=False,
                                               default=StudioLevel.ENTERPRISE)
    host_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False, index=True)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    leader_name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    leader_honours: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")  # 、-separated
    field: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")  # 创新领域
    trade_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trade.id"))
    site: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")  # address and floor area
    equipment: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    introduction: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    founded_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[StudioStatus] = mapped_column(str_enum(StudioStatus, "studio_status"), nullable=False,
                                                 default=StudioStatus.ACTIVE)
    # Shown publicly with the status: the rectification or revocation reason.
    status_note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    rectify_deadline: Mapped[date | None] = mapped_column(sa.Date)

    host_unit: Mapped[Organization] = relationship()
    leader: Mapped[User | None] = relationship()
    trade: Mapped[Trade | None] = relationship()
    members: Mapped[list["StudioMember"]] = relationship(back_populates="studio", cascade="all, delete-orphan",
                                                         order_by="StudioMember.id")
    designations: Mapped[list["Designation"]] = relationship(back_populates="studio", cascade="all, delete-orphan",
                                                             order_by="Designation.designated_on")

    @property
    def unit(self):
        """The organisation conflict-of-interest rules compare with (the review layer's `unit`)."""
        return self.host_unit

    def is_led_by(self, user):
        return user.is_authenticated and self.leader_id is not None and self.leader_id == user.id

    def can_manage(self, user):
        """Staff, and the studio's own leader, edit the studio."""
        return is_staff(user) or self.is_led_by(user)

    @property
    def current_members(self):
        return [m for m in self.members if m.left_on is None]

    def __str__(self):
        return self.name


class StudioMember(db.Model):
    __tablename__ = "innovation_studio_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_studio.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")  # 核心成员, 技术骨干 …
    joined_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    left_on: Mapped[date | None] = mapped_column(sa.Date)

    studio: Mapped[Studio] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),)


class Designation(db.Model):
    """命名: a studio reached a level (by a programme's decision, or recorded from a document)."""

    __tablename__ = "innovation_designation"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_studio.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    level: Mapped[StudioLevel] = mapped_column(str_enum(StudioLevel, "studio_level"), nullable=False)
    studio_type: Mapped[StudioType] = mapped_column(str_enum(StudioType, "studio_type"), nullable=False)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_programme.id"), index=True)
    document_no: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")  # 命名文件号
    designated_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)  # 摘牌
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    studio: Mapped[Studio] = relationship(back_populates="designations")


# ---------------------------------------------------------------- programmes

class ProgrammeKind(enum.StrEnum):
    DESIGNATION = "designation"  # 命名 (new studios)
    RECONFIRMATION = "reconfirmation"  # 复核 / 再认定
    KEY_SUPPORT = "key_support"  # 重点资助
    ACHIEVEMENT = "achievement"  # 五小 / 技术创新成果评选


PROGRAMME_KIND_LABELS = {
    ProgrammeKind.DESIGNATION: _l("Designation"),
    ProgrammeKind.RECONFIRMATION: _l("Re-confirmation"),
    ProgrammeKind.KEY_SUPPORT: _l("Key support"),
    ProgrammeKind.ACHIEVEMENT: _l("Achievement contest"),
}


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # accepting applications
    REVIEWING = "reviewing"  # recommendation, screening and expert review
    MEETING = "meeting"  # proposals go to the leadership meeting (会议研究)
    PUBLICITY = "publicity"  # 社会公示
    CONCLUDED = "concluded"  # 通报命名 / results published


PROGRAMME_STATUS_LABELS = {
    ProgrammeStatus.DRAFT: _l("Draft"),
    ProgrammeStatus.OPEN: _l("Open for applications"),
    ProgrammeStatus.REVIEWING: _l("Under review"),
    ProgrammeStatus.MEETING: _l("Awaiting the meeting's decision"),
    ProgrammeStatus.PUBLICITY: _l("Public notice"),
    ProgrammeStatus.CONCLUDED: _l("Concluded"),
}


class Programme(TimestampMixin, db.Model):
    """An annual call: who may apply, how many places at what amount, how experts score."""

    __tablename__ = "innovation_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind, "programme_kind"), nullable=False)
    status: Mapped[ProgrammeStatus] = mapped_column(str_enum(ProgrammeStatus, "programme_status"), nullable=False,
                                                    default=ProgrammeStatus.DRAFT)
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    # The level a designation programme names studios at (命名级别), e.g. city.
    level: Mapped[StudioLevel] = mapped_column(str_enum(StudioLevel, "studio_level"), nullable=False,
                                               default=StudioLevel.CITY)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_budget: Mapped[Decimal | None] = mapped_column(MONEY)  # None: no budget cap (a contest without prizes)
    # Sum of the amounts of proposals marked; the CHECK keeps it within the budget.
    committed_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0),
                                                      server_default="0")
    # Paid out of the budget (ledger payments − refunds + programme-level spending); the CHECK keeps it within.
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0), server_default="0")
    # Required attachments and the eligibility checklist: one item per line.
    required_attachments: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    eligibility_items: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    publicity_working_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    trim_at: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    tie_break: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")  # criterion codes
    blind: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)  # experts see no names
    # Achievement contests: how many submissions each unit may recommend (None: no limit).
    unit_quota: Mapped[int | None] = mapped_column(sa.Integer)
    # Report deadlines (fund use, mid-term and final reports of funded studios).
    midterm_report_due: Mapped[date | None] = mapped_column(sa.Date)
    final_report_due: Mapped[date | None] = mapped_column(sa.Date)
    # The leadership meeting's decision (会议研究) and its document.
    decision_document_no: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decision_note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Bumped by every change that can move the ranking; cached boards are keyed by it.
    results_stamp: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    results_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    organiser: Mapped[Organization | None] = relationship()
    quotas: Mapped[list["ProgrammeQuota"]] = relationship(back_populates="programme", cascade="all, delete-orphan",
                                                          order_by="ProgrammeQuota.position")
    criteria: Mapped[list["ProgrammeCriterion"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeCriterion.position")
    panel: Mapped[list["PanelSeat"]] = relationship(back_populates="programme", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("committed_amount >= 0", name="committed_non_negative"),
        sa.CheckConstraint("total_budget IS NULL OR committed_amount <= total_budget", name="within_budget"),
        sa.CheckConstraint("trim_at >= 3", name="trim_at_min"),
        sa.CheckConstraint("publicity_working_days >= 1", name="publicity_days_min"),
        sa.CheckConstraint("unit_quota IS NULL OR unit_quota >= 1", name="unit_quota_min"),
        sa.CheckConstraint("total_budget IS NULL OR paid_amount <= total_budget", name="paid_within_budget"),
        sa.CheckConstraint("paid_amount >= 0", name="paid_non_negative"),
    )

    @property
    def tie_break_codes(self):
        return [c.strip() for c in self.tie_break.split(",") if c.strip()]

    @property
    def attachment_names(self):
        return [line.strip() for line in self.required_attachments.splitlines() if line.strip()]

    @property
    def eligibility_list(self):
        return [line.strip() for line in self.eligibility_items.splitlines() if line.strip()]

    @property
    def is_contest(self):
        return self.kind == ProgrammeKind.ACHIEVEMENT

    @property
    def remaining_budget(self):
        return None if self.total_budget is None else self.total_budget - self.committed_amount

    def accepts_applications(self, now=None):
        now = now or utcnow()
        return (self.status == ProgrammeStatus.OPEN and (self.opens_at is None or self.opens_at <= now)
                and (self.closes_at is None or now < self.closes_at))

    def seat_of(self, user):
        return next((seat for seat in self.panel if seat.user_id == user.id), None)

    def __str__(self):
        return self.name


class ProgrammeQuota(db.Model):
    """名额: places and the standard amount for one studio type in one programme."""

    __tablename__ = "innovation_programme_quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)
    studio_type: Mapped[StudioType] = mapped_column(str_enum(StudioType, "studio_type"), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    quota: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)  # standard subsidy per studio
    # Proposals marked so far; the CHECK keeps it within the quota under concurrency.
    proposed_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    programme: Mapped[Programme] = relationship(back_populates="quotas")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "studio_type", name="uq_innovation_programme_quota_type"),
        sa.CheckConstraint("quota >= 0", name="quota_non_negative"),
        sa.CheckConstraint("amount >= 0", name="amount_non_negative"),
        sa.CheckConstraint("proposed_count >= 0 AND proposed_count <= quota", name="within_quota"),
    )

    @property
    def remaining(self):
        return self.quota - self.proposed_count


class ProgrammeCriterion(db.Model):
    """评审指标: e.g. 需求匹配度 / 可行性 / 专业性 / 创新性, or the five achievement criteria."""

    __tablename__ = "innovation_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")  # scoring guidance, bands
    max_mark: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    weight: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)  # percent of the final; all sum to 100
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    programme: Mapped[Programme] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code", name="uq_innovation_criterion_code"),
        sa.CheckConstraint("max_mark > 0", name="max_mark_positive"),
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
    )


# ---------------------------------------------------------------- applications

class ApplicationStage(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the unit union
    UNIT_RECOMMENDED = "unit_recommended"  # waiting for the district / industry union
    DISTRICT_RECOMMENDED = "district_recommended"  # waiting for city staff's screening
    ACCEPTED = "accepted"  # passed screening: goes to the expert panel
    REJECTED = "rejected"  # failed screening (reason given)
    WITHDRAWN = "withdrawn"  # by the applicant


APPLICATION_STAGE_LABELS = {
    ApplicationStage.DRAFT: _l("Draft"),
    ApplicationStage.SUBMITTED: _l("Awaiting the unit union"),
    ApplicationStage.UNIT_RECOMMENDED: _l("Awaiting the district or industry union"),
    ApplicationStage.DISTRICT_RECOMMENDED: _l("Awaiting screening"),
    ApplicationStage.ACCEPTED: _l("In expert review"),
    ApplicationStage.REJECTED: _l("Not accepted"),
    ApplicationStage.WITHDRAWN: _l("Withdrawn"),
}


class ApplicationOutcome(enum.StrEnum):
    APPROVED = "approved"  # designated / funded / awarded after 公示
    WITHDRAWN = "withdrawn"  # an upheld objection withdrew the proposal
    NOT_SELECTED = "not_selected"


APPLICATION_OUTCOME_LABELS = {
    ApplicationOutcome.APPROVED: _l("Approved"),
    ApplicationOutcome.WITHDRAWN: _l("Withdrawn after objection"),
    ApplicationOutcome.NOT_SELECTED: _l("Not selected"),
}


class AchievementCategory(enum.StrEnum):
    INVENTION = "invention"  # 小发明
    CREATION = "creation"  # 小创造
    INNOVATION = "innovation"  # 小革新
    DESIGN = "design"  # 小设计
    SUGGESTION = "suggestion"  # 小建议
    TECHNICAL = "technical"  # 技术创新成果
    MANAGEMENT = "management"  # 管理创新成果


ACHIEVEMENT_CATEGORY_LABELS = {
    AchievementCategory.INVENTION: _l("Small invention"),
    AchievementCategory.CREATION: _l("Small creation"),
    AchievementCategory.INNOVATION: _l("Small improvement"),
    AchievementCategory.DESIGN: _l("Small design"),
    AchievementCategory.SUGGESTION: _l("Small suggestion"),
    AchievementCategory.TECHNICAL: _l("Technical innovation"),
    AchievementCategory.MANAGEMENT: _l("Management innovation"),
}


class Application(TimestampMixin, db.Model):
    """申报: a studio's application to a programme, or a submission to an achievement contest."""

    __tablename__ = "innovation_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # 申报编号 / contest "no"
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    studio_id: Mapped[int | None] = mapped_column(sa.ForeignKey("innovation_studio.id"), index=True)
    # The quota bucket (designation-type programmes); contests leave it empty.
    studio_type: Mapped[StudioType | None] = mapped_column(str_enum(StudioType, "studio_type"))
    category: Mapped[AchievementCategory | None] = mapped_column(
        str_enum(AchievementCategory, "achievement_category"))
    # The applying unit: the recommendation chain and conflicts of interest follow it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), nullable=False, index=True)
    applicant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    stage: Mapped[ApplicationStage] = mapped_column(str_enum(ApplicationStage, "application_stage"),
                                                    nullable=False, default=ApplicationStage.DRAFT)
    requested_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    checklist: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)  # eligibility item → true
    returned_reason: Mapped[str | None] = mapped_column(sa.Text)  # the last return or rejection, for the applicant
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Achievement submissions: yearly benefit with its evidence, and the exclusion flags.
    yearly_benefit: Mapped[Decimal | None] = mapped_column(MONEY)
    benefit_evidence: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    already_awarded: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    ip_dispute: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    government_funded: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Proposal (拟命名 / 拟资助) marked by staff within the quota and budget.
    proposed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    proposed_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    outcome: Mapped[ApplicationOutcome | None] = mapped_column(
        str_enum(ApplicationOutcome, "application_outcome"))
    outcome_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")  # public when withdrawn

    programme: Mapped[Programme] = relationship()
    studio: Mapped[Studio | None] = relationship()
    unit: Mapped[Organization] = relationship()
    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id])
    team: Mapped[list["TeamMember"]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                    order_by="TeamMember.position")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="application",
                                                           cascade="all, delete-orphan", order_by="Attachment.id")
    steps: Mapped[list["RecommendationStep"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="RecommendationStep.id")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "number", name="uq_innovation_application_number"),
        # One application per studio and programme (contest submissions without a studio are free).
        sa.UniqueConstraint("programme_id", "studio_id", name="uq_innovation_application_studio"),
        sa.CheckConstraint("proposed = (proposed_amount IS NOT NULL)", name="proposed_has_amount"),
        sa.CheckConstraint("yearly_benefit IS NULL OR yearly_benefit >= 0", name="benefit_non_negative"),
        sa.Index("ix_innovation_application_programme_stage", "programme_id", "stage"),
    )

    def is_applicant(self, user):
        """The applicant, or the leader of the studio applying."""
        if not user.is_authenticated:
            return False
        return (self.applicant_id == user.id
                or (self.studio is not None and self.studio.leader_id == user.id))

    @property
    def excluded(self):
        """An exclusion flag is set: not eligible for an award (already awarded, IP dispute, public funds)."""
        return self.already_awarded or self.ip_dispute or self.government_funded

    @property
    def in_review(self):
        return self.stage == ApplicationStage.ACCEPTED

    def __str__(self):
        return f"{self.number} {self.title}"


class TeamMember(db.Model):
    """An achievement's team, in order (第一完成人 first), with each one's contribution."""

    __tablename__ = "innovation_team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    contribution: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)  # percent

    application: Mapped[Application] = relationship(back_populates="team")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "position", name="uq_innovation_team_member_position"),
        sa.CheckConstraint("contribution > 0 AND contribution <= 100", name="contribution_range"),
    )


class Attachment(db.Model):
    """A file attached to an application, stored outside static/ and served only to those allowed."""

    __tablename__ = "innovation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    requirement: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")  # which required item
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)  # as uploaded (shown, never a path)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)  # random file name
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class StepAction(enum.StrEnum):
    SUBMIT = "submit"
    RECOMMEND = "recommend"
    RETURN = "return"
    ACCEPT = "accept"  # screening passed
    REJECT = "reject"  # screening failed
    WITHDRAW = "withdraw"


STEP_ACTION_LABELS = {
    StepAction.SUBMIT: _l("Submitted"),
    StepAction.RECOMMEND: _l("Recommended"),
    StepAction.RETURN: _l("Returned for changes"),
    StepAction.ACCEPT: _l("Passed screening"),
    StepAction.REJECT: _l("Not accepted"),
    StepAction.WITHDRAW: _l("Withdrawn"),
}


class RecommendationStep(db.Model):
    """One step of the recommendation chain (unit union → district/industry union → city staff)."""

    __tablename__ = "innovation_recommendation_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    action: Mapped[StepAction] = mapped_column(str_enum(StepAction, "recommendation_action"), nullable=False)
    from_stage: Mapped[ApplicationStage] = mapped_column(str_enum(ApplicationStage, "application_stage"),
                                                        nullable=False)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))  # acting for
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="steps")
    actor: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()


# ---------------------------------------------------------------- expert review (the shared review layer)

class PanelSeat(SeatMixin, db.Model):
    """An expert on a programme's panel; the chief (组长) signs off and unlocks sheets."""

    __tablename__ = "innovation_panel_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)

    programme: Mapped[Programme] = relationship(back_populates="panel")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "user_id", name="uq_innovation_panel_seat_expert"),
        sa.Index("uq_innovation_panel_seat_chief", "programme_id", unique=True,
                 sqlite_where=sa.text("is_chief"), postgresql_where=sa.text("is_chief")),
    )


class ReviewSheet(SheetMixin, db.Model):
    """One expert's score sheet for a programme; signing locks it."""

    __tablename__ = "innovation_review_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_panel_seat.id", ondelete="CASCADE"),
                                         nullable=False, unique=True)

    seat: Mapped[PanelSeat] = relationship()


class ReviewScore(db.Model):
    """An expert's mark for one application on one criterion (upserted)."""

    __tablename__ = "innovation_review_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_application.id", ondelete="CASCADE"),
                                                nullable=False)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_criterion.id", ondelete="CASCADE"),
                                              nullable=False)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    value: Mapped[Decimal] = mapped_column(SCORE, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("judge_id", "application_id", "criterion_id",
                            name="uq_innovation_review_score_judge_application_criterion"),
        # Covering: the ranking board summarises every mark of a programme from the index alone.
        sa.Index("ix_innovation_review_score_application", "application_id", "criterion_id", "judge_id", "value"),
    )


class ResultSnapshot(SnapshotMixin, db.Model):
    """Frozen ranking of a publication (公示 or final), exactly as shown publicly."""

    __tablename__ = "innovation_result_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("innovation_programme.id", ondelete="CASCADE"),
                                              nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "version", name="uq_innovation_result_snapshot_version"),
    )
